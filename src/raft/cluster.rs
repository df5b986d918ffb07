//! The engine under everything: servers, network and invariant monitor, changed only by
//! [`Cluster::apply`]. The TUI, the scenario runner and the benchmarks all go this way.

mod clone;
mod restore;

pub use restore::Restoring;

use super::bug::Bug;
use super::event::{Event, Violation};
use super::invariants::InvariantMonitor;
use super::message::{Envelope, Message};
use super::network::{
    DELIVER_ALL_CAP, DeliverAllOutcome, Delivered, Link, NetworkError, RaftNetwork,
};
use super::server::{RaftServer, ServerAction, ServerState};
use super::time::{Clock, Due, Micros, Timing};
use super::types::{MessageId, Role, ServerId};

/// How many timed events one [`Action::Advance`] makes happen at most. Ten simulated seconds
/// of a busy five-server cluster take a few thousand; two leaders forced into one term with no
/// latency would answer each other forever at one instant.
pub const ADVANCE_CAP: usize = 100_000;

/// One step a user, a script or the explorer can take.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// An outside action on one server.
    Server {
        /// The server.
        server: ServerId,
        /// What happens to it.
        action: ServerAction,
    },
    /// Deliver the message with this id.
    Deliver(MessageId),
    /// Deliver the oldest message in flight.
    DeliverOldest,
    /// Lose the message with this id.
    Drop(MessageId),
    /// Put a copy of the message in flight.
    Duplicate(MessageId),
    /// Deliver in FIFO order until none is left (at most [`DELIVER_ALL_CAP`]).
    DeliverAll,
    /// Deliver the oldest message, this many times or until none is left: a "deliver all"
    /// that the user stopped part-way, so that undo and replay repeat exactly what was done.
    DeliverUpTo(usize),
    /// Split the network; servers not listed are each alone.
    Partition(Vec<Vec<ServerId>>),
    /// Reconnect everyone: the partition and every cut link.
    Heal,
    /// Cut a link, one way or both: messages over it are lost when sent or delivered.
    Cut(Link),
    /// Restore a cut link, one way or both.
    Restore(Link),
    /// Put a hand-made message in flight, as if `from` had sent it.
    Inject {
        /// The server it claims to come from.
        from: ServerId,
        /// The recipient.
        to: ServerId,
        /// The message, every field given (boxed: the history keeps many actions, few of
        /// them messages).
        message: Box<Message>,
    },
    /// Start the simulated clock: from now on timers run and messages take time (boxed, as
    /// a message is: few actions are one).
    StartClock(Box<Timing>),
    /// Change how time behaves from now on: timers and messages already under way keep their
    /// times; what is drawn next uses the new ranges (and the new seed, if it differs).
    SetTiming(Box<Timing>),
    /// Make the next timed events happen, this many (fewer if nothing is left): a message
    /// arrives, a heartbeat is sent or an election timer runs out, in time order.
    NextEvents(usize),
    /// Let this much simulated time pass, making everything due on the way happen in time
    /// order (at most [`ADVANCE_CAP`] events).
    Advance(Micros),
}

/// Settings for the whole cluster (a scenario's top-level fields).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClusterConfig {
    /// The most entries one AppendEntries carries; `None` (the default): every entry to the
    /// end of the leader's log.
    pub max_entries_per_append: Option<usize>,
    /// The rule every server breaks on purpose (see [`Bug`]); `None` (the default): Raft.
    pub bug: Option<Bug>,
}

impl Action {
    /// An outside action on `server`.
    pub fn on(server: ServerId, action: ServerAction) -> Action {
        Action::Server { server, action }
    }
}

/// A cluster of servers on one network, with its invariant history. Cloning it into an
/// existing cluster (`clone_from`) reuses its buffers.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Cluster {
    servers: Vec<RaftServer>,
    network: RaftNetwork,
    monitor: InvariantMonitor,
    config: ClusterConfig,
    /// The simulated clock, when time is on.
    clock: Option<Clock>,
}

impl Cluster {
    /// `n` fresh servers (followers in term 1 with empty logs).
    pub fn new(n: usize) -> Cluster {
        Cluster::from_states(vec![ServerState::default(); n])
    }

    /// Servers starting from the given states. Violations in the starting state are
    /// recorded (see [`Cluster::violations`]).
    ///
    /// # Panics
    /// If there are 0 or more than 9 states; scenario files are validated before this.
    pub fn from_states(states: Vec<ServerState>) -> Cluster {
        Cluster::with_config(states, ClusterConfig::default())
    }

    /// Servers starting from the given states, with these settings.
    ///
    /// # Panics
    /// As [`Cluster::from_states`], and if a leader's next/match index names a server that
    /// is not there.
    pub fn with_config(states: Vec<ServerState>, config: ClusterConfig) -> Cluster {
        let network = RaftNetwork::new(states.len());
        let servers = states
            .into_iter()
            .enumerate()
            .map(|(i, state)| {
                let mut server = RaftServer::with_state(network.create_node(i), state);
                server.max_entries_per_append = config.max_entries_per_append;
                server.bug = config.bug;
                server
            })
            .collect();
        let mut cluster = Cluster {
            servers,
            network,
            monitor: InvariantMonitor::new(),
            config,
            clock: None,
        };
        let mut ignored = Vec::new();
        cluster.monitor.check_all(&cluster.servers, &mut ignored);
        for server in &mut cluster.servers {
            // Seen whole by `check_all`.
            let _ = server.log.take_change();
        }
        cluster
    }

    /// Like [`Cluster::from_states`], with every server running `bug` (`None`: Raft itself).
    pub fn with_bug(states: Vec<ServerState>, bug: Option<Bug>) -> Cluster {
        Cluster::with_config(
            states,
            ClusterConfig {
                bug,
                ..ClusterConfig::default()
            },
        )
    }

    /// The rule this cluster breaks on purpose, if any.
    pub fn bug(&self) -> Option<Bug> {
        self.config.bug
    }

    /// The servers, by id.
    pub fn servers(&self) -> &[RaftServer] {
        &self.servers
    }

    /// One server.
    pub fn server(&self, id: ServerId) -> Option<&RaftServer> {
        self.servers.get(id)
    }

    /// The cluster's settings.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The network.
    pub fn network(&self) -> &RaftNetwork {
        &self.network
    }

    /// The simulated clock, when time is on.
    pub fn clock(&self) -> Option<&Clock> {
        self.clock.as_ref()
    }

    /// The simulated time, when time is on.
    pub fn now(&self) -> Option<Micros> {
        self.clock.as_ref().map(Clock::now)
    }

    /// Messages in flight, oldest first.
    pub fn in_flight(&self) -> impl ExactSizeIterator<Item = &Envelope> {
        self.network.in_flight()
    }

    /// Every invariant violation found so far (the starting state's included).
    pub fn violations(&self) -> &[Violation] {
        self.monitor.violations()
    }

    /// The servers that are live leaders now.
    pub fn live_leaders(&self) -> impl Iterator<Item = ServerId> + '_ {
        self.servers
            .iter()
            .filter(|s| s.role == Role::Leader && !s.crashed)
            .map(|s| s.id)
    }

    /// Delivers in FIFO order until nothing is in flight, checking invariants after every
    /// delivery; stops after [`DELIVER_ALL_CAP`] deliveries with a `DeliverAllStopped` event.
    /// With a clock, time does not move: the messages arrive early.
    pub fn deliver_all(
        &mut self,
        events: &mut Vec<Event>,
    ) -> Result<DeliverAllOutcome, NetworkError> {
        let delivered = self.deliver_up_to(DELIVER_ALL_CAP, events)?;
        Ok(DeliverAllOutcome::ended(
            delivered,
            self.network.in_flight().len(),
            events,
        ))
    }

    /// Delivers the oldest message up to `max` times (fewer if none is left), checking
    /// invariants after each, like [`Cluster::deliver_all`] but without its cap's event: the
    /// TUI runs a long "deliver all" in such slices between frames.
    pub fn deliver_up_to(
        &mut self,
        max: usize,
        events: &mut Vec<Event>,
    ) -> Result<usize, NetworkError> {
        let mut delivered = 0;
        while delivered < max {
            let first = events.len();
            let next_id = self.network.next_id();
            match self.network.deliver_oldest(&mut self.servers[..], events)? {
                None => break,
                Some(Delivered::Handled(server)) => self.after_step(server, first, next_id, events),
                Some(Delivered::Lost) => {}
            }
            delivered += 1;
        }
        self.sync_clock();
        Ok(delivered)
    }

    /// Applies one action and returns what happened.
    pub fn apply(&mut self, action: &Action) -> Result<Vec<Event>, NetworkError> {
        let mut events = Vec::new();
        self.apply_into(action, &mut events)?;
        Ok(events)
    }

    /// Applies one action, appending what happened to `events`. On error nothing changed.
    pub fn apply_into(
        &mut self,
        action: &Action,
        events: &mut Vec<Event>,
    ) -> Result<(), NetworkError> {
        match *action {
            Action::Server { server, ref action } => self.server_step(server, action, events)?,
            Action::Deliver(id) => self.deliver(id, events)?,
            Action::DeliverOldest => {
                let first = events.len();
                let next_id = self.network.next_id();
                let delivered = self.network.deliver_oldest(&mut self.servers[..], events)?;
                if let Some(Delivered::Handled(server)) = delivered {
                    self.after_step(server, first, next_id, events);
                }
            }
            Action::Drop(id) => self.network.drop_message(id, events)?,
            Action::Duplicate(id) => {
                self.network.duplicate(id, events)?;
            }
            Action::DeliverAll => {
                self.deliver_all(events)?;
            }
            Action::DeliverUpTo(max) => {
                self.deliver_up_to(max, events)?;
            }
            // The network's own actions change no server, so there is nothing new to check.
            Action::Partition(ref groups) => {
                if let Some(&bad) = groups.iter().flatten().find(|&&s| s >= self.servers.len()) {
                    return Err(NetworkError::NoSuchServer(bad));
                }
                self.network.partition(groups, events)
            }
            Action::Heal => self.network.heal(events),
            Action::Cut(link) => {
                self.check_link(link)?;
                self.network.cut(link, events)
            }
            Action::Restore(link) => {
                self.check_link(link)?;
                self.network.restore(link, events)
            }
            Action::Inject {
                from,
                to,
                ref message,
            } => {
                self.check_link(Link {
                    from,
                    to,
                    both_ways: false,
                })?;
                self.network.inject(from, to, (**message).clone(), events);
            }
            Action::StartClock(ref timing) => {
                if self.clock.is_some() {
                    return Err(NetworkError::ClockRunning);
                }
                self.clock = Some(Clock::start(
                    **timing,
                    &self.servers,
                    self.network.in_flight(),
                    events,
                ));
            }
            Action::SetTiming(ref timing) => {
                let timing = **timing;
                let clock = self.clock.as_mut().ok_or(NetworkError::NoClock)?;
                clock.set_timing(timing);
                events.push(Event::TimingChanged {
                    timeout_min: timing.election_timeout.min,
                    timeout_max: timing.election_timeout.max,
                });
            }
            Action::NextEvents(count) => {
                if self.clock.is_none() {
                    return Err(NetworkError::NoClock);
                }
                for fired in 0..count {
                    if !self.fire_next(events)? {
                        if fired == 0 {
                            return Err(NetworkError::NothingScheduled);
                        }
                        break;
                    }
                }
            }
            Action::Advance(by) => self.advance(by, events)?,
        }
        self.sync_clock();
        Ok(())
    }

    /// An outside action on one server, then the clock's rules and the invariants.
    fn server_step(
        &mut self,
        server: ServerId,
        action: &ServerAction,
        events: &mut Vec<Event>,
    ) -> Result<(), NetworkError> {
        let first = events.len();
        let next_id = self.network.next_id();
        let target = self
            .servers
            .get_mut(server)
            .ok_or(NetworkError::NoSuchServer(server))?;
        target.perform(action);
        self.network.collect(target, events);
        self.after_step(server, first, next_id, events);
        Ok(())
    }

    /// Delivers one message, then the clock's rules and the invariants.
    #[inline(always)]
    fn deliver(&mut self, id: MessageId, events: &mut Vec<Event>) -> Result<(), NetworkError> {
        let first = events.len();
        let next_id = self.network.next_id();
        let delivered = self.network.deliver(id, &mut self.servers[..], events)?;
        if let Delivered::Handled(server) = delivered {
            self.after_step(server, first, next_id, events);
        }
        Ok(())
    }

    /// After server `id` took a step whose events begin at `first` and whose messages got ids
    /// from `next_id` on: the clock's timer rules and times, then the invariants.
    #[inline(always)]
    fn after_step(
        &mut self,
        id: ServerId,
        first: usize,
        next_id: MessageId,
        events: &mut Vec<Event>,
    ) {
        if let Some(clock) = self.clock.as_mut() {
            let in_flight = self.network.in_flight().len();
            let sent = self
                .network
                .in_flight()
                .rev()
                .take_while(|e| e.id >= next_id)
                .count();
            let sent = self.network.in_flight().skip(in_flight - sent);
            clock.after_step(&self.servers[id], events, first, sent);
        }
        check_server(&mut self.monitor, &mut self.servers, id, events);
    }

    /// Makes the next timed event happen; false if nothing is scheduled.
    fn fire_next(&mut self, events: &mut Vec<Event>) -> Result<bool, NetworkError> {
        let clock = self.clock.as_mut().ok_or(NetworkError::NoClock)?;
        let Some((at, due)) = clock.next_due() else {
            return Ok(false);
        };
        clock.set_now(at);
        match due {
            Due::Deliver(id) => {
                clock.forget(id);
                self.deliver(id, events)?;
            }
            Due::Heartbeat(server) => {
                clock.fire_heartbeat(server);
                self.server_step(server, &ServerAction::Heartbeat, events)?;
            }
            Due::Timeout(server) => {
                let timer = clock.fire_timeout(server);
                if let (Some(timer), Some(s)) = (timer, self.servers.get(server)) {
                    events.push(Event::TimerFired {
                        server,
                        term: s.current_term,
                        role: s.role,
                        timeout: timer.length(),
                    });
                }
                self.server_step(server, &ServerAction::Timeout, events)?;
            }
        }
        Ok(true)
    }

    /// Lets `by` pass, making what is due on the way happen.
    fn advance(&mut self, by: Micros, events: &mut Vec<Event>) -> Result<(), NetworkError> {
        let clock = self.clock.as_ref().ok_or(NetworkError::NoClock)?;
        let from = clock.now();
        let to = from.saturating_add(by);
        let mut fired = 0;
        while let Some((at, _)) = self.clock.as_ref().and_then(Clock::next_due)
            && at <= to
        {
            if fired == ADVANCE_CAP {
                events.push(Event::AdvanceStopped {
                    fired,
                    at: self.now().unwrap_or(from),
                });
                return Ok(());
            }
            self.fire_next(events)?;
            fired += 1;
        }
        if let Some(clock) = self.clock.as_mut() {
            clock.set_now(to);
        }
        events.push(Event::TimePassed { from, to });
        Ok(())
    }

    /// A link joins two different servers of the cluster.
    fn check_link(&self, link: Link) -> Result<(), NetworkError> {
        let n = self.servers.len();
        if let Some(bad) = [link.from, link.to].into_iter().find(|&s| s >= n) {
            return Err(NetworkError::NoSuchServer(bad));
        }
        if link.from == link.to {
            return Err(NetworkError::SameServer(link.from));
        }
        Ok(())
    }

    // Inlined: a cluster without a clock (the explorer's) pays one test, not a call.
    #[inline]
    fn sync_clock(&mut self) {
        if let Some(clock) = self.clock.as_mut() {
            clock.sync(&self.network);
        }
    }
}

/// Checks the invariants after a step that changed only server `id`, telling the monitor
/// from where its log changed.
fn check_server(
    monitor: &mut InvariantMonitor,
    servers: &mut [RaftServer],
    id: ServerId,
    events: &mut Vec<Event>,
) {
    let changed_from = servers.get_mut(id).and_then(|s| s.log.take_change());
    monitor.check_server(servers, id, changed_from, events);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_stays_small_for_the_history_that_keeps_one_per_step() {
        // A hand-made message is boxed: without the box every action would be as large as an
        // AppendEntries.
        let size = std::mem::size_of::<Action>();
        assert!(size <= 32, "an Action takes {size} bytes");
        assert!(std::mem::size_of::<Message>() > 32);
    }
}
