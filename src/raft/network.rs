//! The simulated network (the brief's `RaftNetwork`): messages in flight with stable ids,
//! delivery, loss, duplication, partitions, links cut one way or both, and messages put in
//! flight by hand.

mod clone;
mod restore;

use super::event::{Event, LossReason};
use super::message::{Envelope, Message, Outgoing};
use super::server::{Node, RaftServer};
use super::types::{MAX_SERVERS, MessageId, ServerId, ServerSet};
use std::collections::VecDeque;

/// How many deliveries one "deliver all" makes at most. A correct cluster settles far sooner;
/// two leaders forced into one term would otherwise answer each other forever.
pub const DELIVER_ALL_CAP: usize = 10_000;

/// Something the network cannot do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NetworkError {
    /// No message with this id is in flight.
    NoSuchMessage(MessageId),
    /// No server with this id is given.
    NoSuchServer(ServerId),
    /// A timed action on a cluster without a clock.
    NoClock,
    /// The clock was started already.
    ClockRunning,
    /// A timed action with nothing scheduled: no timer runs and nothing is in flight.
    NothingScheduled,
    /// A link or a message from a server to itself.
    SameServer(ServerId),
}

impl std::fmt::Display for NetworkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetworkError::NoSuchMessage(id) => write!(f, "no message #{id} is in flight"),
            NetworkError::NoSuchServer(id) => write!(f, "there is no server {id}"),
            NetworkError::NoClock => f.write_str("time is off here: start the clock first"),
            NetworkError::ClockRunning => f.write_str("the clock is running already"),
            NetworkError::NothingScheduled => f.write_str(
                "nothing is scheduled: no election timer or heartbeat runs and no message is in flight",
            ),
            NetworkError::SameServer(id) => {
                write!(f, "server {id} does not send messages to itself")
            }
        }
    }
}

impl std::error::Error for NetworkError {}

/// How a "deliver all" ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeliverAllOutcome {
    /// Messages delivered (or lost on delivery).
    pub delivered: usize,
    /// Messages still in flight: 0 unless the cap was reached.
    pub remaining: usize,
}

impl DeliverAllOutcome {
    /// How a "deliver all" of `delivered` deliveries ended with `remaining` still in flight;
    /// if any are, it stopped at its cap, and says so in `events`.
    pub fn ended(delivered: usize, remaining: usize, events: &mut Vec<Event>) -> DeliverAllOutcome {
        if remaining > 0 {
            events.push(Event::DeliverAllStopped {
                delivered,
                remaining,
            });
        }
        DeliverAllOutcome {
            delivered,
            remaining,
        }
    }
}

/// What became of a delivered message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivered {
    /// This server handled it (and its state may have changed).
    Handled(ServerId),
    /// It was lost on the way (the recipient is crashed).
    Lost,
}

/// The servers a network delivers to, looked up by id.
pub trait ServerSlots {
    /// The server with this id, if given.
    fn slot(&mut self, id: ServerId) -> Option<&mut RaftServer>;
    /// Every server, in a fixed order.
    fn each(&mut self) -> Vec<&mut RaftServer>;
}

impl ServerSlots for [RaftServer] {
    fn slot(&mut self, id: ServerId) -> Option<&mut RaftServer> {
        self.get_mut(id)
    }
    fn each(&mut self) -> Vec<&mut RaftServer> {
        self.iter_mut().collect()
    }
}

impl ServerSlots for [&mut RaftServer] {
    fn slot(&mut self, id: ServerId) -> Option<&mut RaftServer> {
        self.iter_mut().find(|s| s.id == id).map(|s| &mut **s)
    }
    fn each(&mut self) -> Vec<&mut RaftServer> {
        self.iter_mut().map(|s| &mut **s).collect()
    }
}

/// The network between `n` servers. Cloning it into an existing network (`clone_from`)
/// reuses its buffer.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RaftNetwork {
    size: usize,
    in_flight: VecDeque<Envelope>,
    next_id: MessageId,
    groups: [u8; MAX_SERVERS],
    /// `cut[from]` holds the servers `from` cannot reach: links cut one way.
    cut: [ServerSet; MAX_SERVERS],
}

/// A link between two servers, one way (`from` → `to`) or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Link {
    /// One end (the sender, for a one-way link).
    pub from: ServerId,
    /// The other end.
    pub to: ServerId,
    /// Whether the link goes both ways.
    pub both_ways: bool,
}

impl Link {
    /// The directed links it stands for: one, or two.
    pub fn directions(self) -> impl Iterator<Item = (ServerId, ServerId)> {
        let back = self.both_ways.then_some((self.to, self.from));
        std::iter::once((self.from, self.to)).chain(back)
    }
}

impl RaftNetwork {
    /// The brief's `RaftNetwork(n)`: a network for servers `0..n` (1 to 9).
    ///
    /// # Panics
    /// If `n` is 0 or above [`MAX_SERVERS`]; scenario files are validated before this.
    pub fn new(n: usize) -> RaftNetwork {
        assert_size(n);
        RaftNetwork {
            size: n,
            in_flight: VecDeque::new(),
            next_id: 1,
            groups: [0; MAX_SERVERS],
            cut: [ServerSet::EMPTY; MAX_SERVERS],
        }
    }

    /// The brief's `create_node(i)`: server `i`'s place in this network.
    ///
    /// # Panics
    /// If `i` is not below the cluster size.
    pub fn create_node(&self, i: ServerId) -> Node {
        assert!(
            i < self.size,
            "server {i} is outside a cluster of {}",
            self.size
        );
        Node {
            id: i,
            cluster_size: self.size,
        }
    }

    /// The id the next message sent will get.
    pub fn next_id(&self) -> MessageId {
        self.next_id
    }

    /// How many servers the network connects.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Messages in flight, oldest first.
    pub fn in_flight(&self) -> impl DoubleEndedIterator<Item = &Envelope> + ExactSizeIterator {
        self.in_flight.iter()
    }

    /// The message with this id, if in flight.
    pub fn message(&self, id: MessageId) -> Option<&Envelope> {
        self.position(id).map(|i| &self.in_flight[i])
    }

    /// Each server's partition group; servers in different groups cannot talk.
    pub fn groups(&self) -> &[u8] {
        &self.groups[..self.size]
    }

    /// Whether the network is split.
    pub fn is_partitioned(&self) -> bool {
        self.groups().iter().any(|&g| g != self.groups[0])
    }

    /// Whether `a` and `b` can exchange messages, both ways.
    pub fn connected(&self, a: ServerId, b: ServerId) -> bool {
        self.can_send(a, b) && self.can_send(b, a)
    }

    /// Whether a message from `from` reaches `to`: same side of any partition, link not cut.
    pub fn can_send(&self, from: ServerId, to: ServerId) -> bool {
        self.groups[from] == self.groups[to] && !self.is_cut(from, to)
    }

    /// Whether the link `from` → `to` is cut.
    pub fn is_cut(&self, from: ServerId, to: ServerId) -> bool {
        self.cut.get(from).is_some_and(|c| c.contains(to))
    }

    /// The links cut, one way each, in order of sender then recipient.
    pub fn cut_links(&self) -> impl Iterator<Item = (ServerId, ServerId)> + '_ {
        (0..self.size).flat_map(move |from| self.cut[from].iter().map(move |to| (from, to)))
    }

    /// The cut links, a link cut both ways once.
    pub fn cuts(&self) -> impl Iterator<Item = Link> + '_ {
        self.cut_links()
            .filter(|&(a, b)| a < b || !self.is_cut(b, a))
            .map(|(from, to)| Link {
                from,
                to,
                both_ways: self.is_cut(to, from),
            })
    }

    /// Whether any link is cut.
    pub fn has_cut_links(&self) -> bool {
        self.cut.iter().any(|c| !c.is_empty())
    }

    /// Whether some server cannot reach another: a partition or a cut link (what `heal`
    /// undoes).
    pub fn is_split(&self) -> bool {
        self.is_partitioned() || self.has_cut_links()
    }

    /// Why a message from `from` cannot reach `to` now, if it cannot.
    fn blocked(&self, from: ServerId, to: ServerId) -> Option<LossReason> {
        if self.groups[from] != self.groups[to] {
            Some(LossReason::Partitioned)
        } else if self.is_cut(from, to) {
            Some(LossReason::LinkCut)
        } else {
            None
        }
    }

    /// Takes a server's outbox into the network and its events into `events`. A message sent
    /// across a partition or over a cut link is lost at once.
    #[inline(always)]
    pub fn collect(&mut self, server: &mut RaftServer, events: &mut Vec<Event>) {
        server.take_events(events);
        let from = server.id;
        for Outgoing { to, message } in server.drain_outbox() {
            self.send(from, to, message, events);
        }
    }

    /// Puts a hand-made message from `from` to `to` in flight, as if `from` had sent it (lost
    /// at once across a partition or a cut link, like any message); returns its id.
    ///
    /// # Panics
    /// If `from` or `to` is not below the cluster size; the cluster checks first.
    pub fn inject(
        &mut self,
        from: ServerId,
        to: ServerId,
        message: Message,
        events: &mut Vec<Event>,
    ) -> MessageId {
        events.push(Event::MessageInjected {
            id: self.next_id,
            from,
            to,
            kind: message.kind(),
            term: message.term(),
        });
        self.send(from, to, message, events)
    }

    /// Gives a message its id and puts it in flight, or loses it if it cannot get through.
    #[inline(always)]
    fn send(
        &mut self,
        from: ServerId,
        to: ServerId,
        message: Message,
        events: &mut Vec<Event>,
    ) -> MessageId {
        let id = self.next_id;
        self.next_id += 1;
        let envelope = Envelope {
            id,
            from,
            to,
            message,
        };
        match self.blocked(from, to) {
            Some(reason) => events.push(lost(&envelope, reason)),
            None => self.in_flight.push_back(envelope),
        }
        id
    }

    /// Collects the outboxes of all servers, in order.
    pub fn collect_all<S: ServerSlots + ?Sized>(
        &mut self,
        servers: &mut S,
        events: &mut Vec<Event>,
    ) {
        for server in servers.each() {
            self.collect(server, events);
        }
    }

    /// Delivers the message with this id; what the recipient sends back enters the network.
    pub fn deliver<S: ServerSlots + ?Sized>(
        &mut self,
        id: MessageId,
        servers: &mut S,
        events: &mut Vec<Event>,
    ) -> Result<Delivered, NetworkError> {
        let envelope = self.take(id)?;
        self.hand_over(envelope, servers, events)
    }

    /// Delivers the oldest message in flight; `None` if none was in flight.
    pub fn deliver_oldest<S: ServerSlots + ?Sized>(
        &mut self,
        servers: &mut S,
        events: &mut Vec<Event>,
    ) -> Result<Option<Delivered>, NetworkError> {
        match self.in_flight.pop_front() {
            None => Ok(None),
            Some(envelope) => self.hand_over(envelope, servers, events).map(Some),
        }
    }

    /// Delivers in FIFO order until nothing is in flight or `cap` deliveries were made;
    /// `after_each` runs after every delivery (the cluster checks invariants there).
    pub fn deliver_all<S: ServerSlots + ?Sized>(
        &mut self,
        servers: &mut S,
        cap: usize,
        events: &mut Vec<Event>,
        mut after_each: impl FnMut(&mut S, Delivered, &mut Vec<Event>),
    ) -> Result<DeliverAllOutcome, NetworkError> {
        let mut delivered = 0;
        while delivered < cap {
            let Some(outcome) = self.deliver_oldest(servers, events)? else {
                break;
            };
            delivered += 1;
            after_each(servers, outcome, events);
        }
        Ok(DeliverAllOutcome::ended(
            delivered,
            self.in_flight.len(),
            events,
        ))
    }

    /// The brief's `process_messages(servers)`: takes every server's outbox, then delivers
    /// until nothing is in flight (at most [`DELIVER_ALL_CAP`] deliveries). Returns the events.
    pub fn process_messages(&mut self, servers: &mut [&mut RaftServer]) -> Vec<Event> {
        let mut events = Vec::new();
        self.collect_all(servers, &mut events);
        // Every recipient is in `servers` when the caller passed the whole cluster; a message
        // to a server not passed is left in flight rather than panicking.
        let _ = self.deliver_all(servers, DELIVER_ALL_CAP, &mut events, |_, _, _| {});
        events
    }

    /// Loses the message with this id on purpose.
    pub fn drop_message(
        &mut self,
        id: MessageId,
        events: &mut Vec<Event>,
    ) -> Result<(), NetworkError> {
        let envelope = self.take(id)?;
        events.push(lost(&envelope, LossReason::Dropped));
        Ok(())
    }

    /// Puts a copy of the message in flight with a new id; returns the copy's id.
    pub fn duplicate(
        &mut self,
        id: MessageId,
        events: &mut Vec<Event>,
    ) -> Result<MessageId, NetworkError> {
        let index = self.position(id).ok_or(NetworkError::NoSuchMessage(id))?;
        let mut copy = self.in_flight[index].clone();
        copy.id = self.next_id;
        self.next_id += 1;
        events.push(Event::MessageDuplicated { id, copy: copy.id });
        let copy_id = copy.id;
        self.in_flight.push_back(copy);
        Ok(copy_id)
    }

    /// Splits the servers into `groups`; servers not listed are each alone. Messages in
    /// flight between groups are lost.
    pub fn partition(&mut self, groups: &[Vec<ServerId>], events: &mut Vec<Event>) {
        // A server listed twice stays in its first group, and empty groups get no number, so
        // there are never more groups than servers.
        let mut assignment = [u8::MAX; MAX_SERVERS];
        let mut next_group = 0u8;
        for group in groups {
            let mut used = false;
            for &server in group {
                if server < self.size && assignment[server] == u8::MAX {
                    assignment[server] = next_group;
                    used = true;
                }
            }
            if used {
                next_group += 1;
            }
        }
        for slot in assignment.iter_mut().take(self.size) {
            if *slot == u8::MAX {
                *slot = next_group;
                next_group += 1;
            }
        }
        self.groups = [0; MAX_SERVERS];
        self.groups[..self.size].copy_from_slice(&assignment[..self.size]);
        events.push(Event::Partitioned {
            groups: self.groups,
            cluster_size: self.size,
        });
        let groups = self.groups;
        self.in_flight.retain(|envelope| {
            let keep = groups[envelope.from] == groups[envelope.to];
            if !keep {
                events.push(lost(envelope, LossReason::Partitioned));
            }
            keep
        });
    }

    /// Reconnects everyone: the partition goes, and so does every cut link.
    pub fn heal(&mut self, events: &mut Vec<Event>) {
        self.groups = [0; MAX_SERVERS];
        self.cut = [ServerSet::EMPTY; MAX_SERVERS];
        events.push(Event::Healed);
    }

    /// Cuts a link (one way or both): messages over it are lost when sent, and those already
    /// in flight are lost when delivered.
    pub fn cut(&mut self, link: Link, events: &mut Vec<Event>) {
        for (from, to) in link.directions() {
            self.cut[from].insert(to);
        }
        events.push(Event::LinkCut { link });
    }

    /// Restores a cut link (one way or both).
    pub fn restore(&mut self, link: Link, events: &mut Vec<Event>) {
        for (from, to) in link.directions() {
            self.cut[from].remove(to);
        }
        events.push(Event::LinkRestored { link });
    }

    #[inline]
    fn position(&self, id: MessageId) -> Option<usize> {
        // Ids increase in send order and removal keeps the order, so the queue is sorted and
        // the message is no further from the front than its id from the first's. With no gap
        // in between (a state the explorer decoded numbers its messages 1, 2, …) it is
        // exactly there: one look instead of a search.
        let first = self.in_flight.front()?.id;
        let guess = usize::try_from(id.checked_sub(first)?).ok()?;
        match self.in_flight.get(guess) {
            Some(e) if e.id == id => Some(guess),
            _ => self.in_flight.binary_search_by_key(&id, |e| e.id).ok(),
        }
    }

    #[inline]
    fn take(&mut self, id: MessageId) -> Result<Envelope, NetworkError> {
        let index = self.position(id).ok_or(NetworkError::NoSuchMessage(id))?;
        Ok(self.in_flight.remove(index).expect("position is in range"))
    }

    // Inlined (always), as are take, collect and send, and the cluster's deliver and
    // after_step: the path of every message the explorer delivers, one frame instead of six.
    #[inline(always)]
    fn hand_over<S: ServerSlots + ?Sized>(
        &mut self,
        envelope: Envelope,
        servers: &mut S,
        events: &mut Vec<Event>,
    ) -> Result<Delivered, NetworkError> {
        let Some(server) = servers.slot(envelope.to) else {
            let to = envelope.to;
            let at = self.in_flight.partition_point(|e| e.id < envelope.id);
            self.in_flight.insert(at, envelope);
            return Err(NetworkError::NoSuchServer(to));
        };
        if self.is_cut(envelope.from, envelope.to) {
            events.push(lost(&envelope, LossReason::LinkCut));
            return Ok(Delivered::Lost);
        }
        if server.crashed {
            events.push(lost(&envelope, LossReason::RecipientCrashed));
            return Ok(Delivered::Lost);
        }
        server.handle(envelope.from, envelope.message);
        self.collect(server, events);
        Ok(Delivered::Handled(envelope.to))
    }
}

/// Panics if a cluster cannot have `n` servers (scenario files are validated before this).
fn assert_size(n: usize) {
    assert!(
        (1..=MAX_SERVERS).contains(&n),
        "a cluster has 1 to {MAX_SERVERS} servers, not {n}"
    );
}

fn lost(envelope: &Envelope, reason: LossReason) -> Event {
    Event::MessageLost {
        id: envelope.id,
        from: envelope.from,
        to: envelope.to,
        kind: envelope.message.kind(),
        term: envelope.message.term(),
        reason,
    }
}
