//! Time as data, for a cluster that has it (see [`Action::StartClock`]): a simulated clock in
//! microseconds, each server's election timer and heartbeat, how long each message in flight
//! takes, and disk writes, all drawn from one seeded generator kept here. A clone, an undo or
//! a replay therefore runs exactly the same; a cluster without a clock works as it always did.
//!
//! The clock never decides anything Raft decides. It reads the events a server's step
//! produced and applies Figure 2's timer rules to them ([`timer_rule`]): a follower's election
//! timer restarts when it grants a vote, when AppendEntries comes from the leader of its
//! current term, and when it starts an election — never on a refused vote nor a stale
//! AppendEntries. A leader has no election timer; it sends a heartbeat every `heartbeat`.
//!
//! A reply that follows a change of persistent state (term, vote, log) leaves only once the
//! server has written that state to disk (Figure 2: "updated on stable storage before
//! responding to RPCs"); requests leave at once. The write takes a `persist` draw.
//!
//! [`Action::StartClock`]: super::Action::StartClock

use super::event::Event;
use super::message::{Envelope, MessageKind};
use super::network::RaftNetwork;
use super::rng::SplitMix64;
use super::server::RaftServer;
use super::types::{MAX_SERVERS, MessageId, Role, ServerId};
use std::collections::VecDeque;

/// Simulated time, in microseconds (timeouts such as 150–151 ms need finer steps than a ms).
pub type Micros = u64;

/// Microseconds in a millisecond.
pub const MS: Micros = 1_000;

/// A range of durations, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Between {
    /// The shortest.
    pub min: Micros,
    /// The longest.
    pub max: Micros,
}

impl Between {
    /// `min..=max` milliseconds.
    pub const fn ms(min: u64, max: u64) -> Between {
        Between {
            min: min * MS,
            max: max * MS,
        }
    }
}

/// How time behaves in a cluster: every duration a draw from its range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timing {
    /// A follower or candidate starts an election when this long passes without a reason to
    /// reset its timer (drawn anew at every reset, §5.2).
    pub election_timeout: Between,
    /// A leader sends AppendEntries to every follower this often.
    pub heartbeat: Micros,
    /// How long a message takes on the wire.
    pub latency: Between,
    /// How long a write of persistent state to disk takes; a reply waits for it.
    pub persist: Between,
    /// The generator's seed.
    pub seed: u64,
}

impl Timing {
    /// What the TUI's `t` uses on a scenario that has no timing: the paper's 150–300 ms
    /// timeouts and a heartbeat well below them, with messages slow enough to watch.
    pub const CLASSROOM: Timing = Timing {
        election_timeout: Between::ms(150, 300),
        heartbeat: 50 * MS,
        latency: Between::ms(10, 20),
        persist: Between::ms(0, 0),
        seed: 1,
    };
}

/// A stretch of simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Interval {
    /// When it began.
    pub start: Micros,
    /// When it ends.
    pub end: Micros,
}

impl Interval {
    /// How long it lasts.
    pub fn length(self) -> Micros {
        self.end - self.start
    }

    /// How much of it has passed at `now`, from 0 to 1.
    pub fn fraction_at(self, now: Micros) -> f64 {
        if self.end <= self.start {
            return 1.0;
        }
        (now.saturating_sub(self.start) as f64 / self.length() as f64).clamp(0.0, 1.0)
    }
}

/// One server's timers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ServerClock {
    /// A follower's or candidate's election timer: set at `start`, fires at `end`.
    pub election: Option<Interval>,
    /// A leader's heartbeat: the last sent at `start`, the next due at `end`.
    pub heartbeat: Option<Interval>,
    /// The disk write in progress, if any.
    pub writing: Option<Interval>,
}

/// When a message in flight left and when it arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageTime {
    /// The message.
    pub id: MessageId,
    /// When it left its sender (after any disk write it waited for).
    pub sent: Micros,
    /// When it arrives.
    pub due: Micros,
}

/// The next thing the clock will make happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Due {
    /// A message arrives.
    Deliver(MessageId),
    /// A leader's heartbeat is due.
    Heartbeat(ServerId),
    /// A server's election timer runs out.
    Timeout(ServerId),
}

impl Due {
    /// Ties at the same microsecond go: arrivals (oldest message first), then heartbeats, then
    /// election timeouts, each by id. A follower that hears from its leader just as its timer
    /// runs out has heard from it in time.
    fn rank(self) -> (u8, u64) {
        match self {
            Due::Deliver(id) => (0, id),
            Due::Heartbeat(s) => (1, s as u64),
            Due::Timeout(s) => (2, s as u64),
        }
    }
}

/// Why an election timer was (re)started: Figure 2's three rules, plus a timer a server gets
/// when it has none and needs one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimerWhy {
    /// It granted its vote to this candidate.
    GrantedVote(ServerId),
    /// AppendEntries came from this server, the leader of its current term.
    HeardFromLeader(ServerId),
    /// The `accept-stale-term` mutant obeyed AppendEntries from this server, a leader of an
    /// older term, which Raft rejects without touching the timer.
    ObeyedStaleLeader(ServerId),
    /// It started an election.
    StartedElection,
    /// It stopped being leader, whose timer does not run.
    SteppedDown,
    /// It restarted after a crash.
    Restarted,
    /// The clock was started.
    ClockStarted,
}

/// Figure 2's rule for `server` on one event of its step: the reason it restarts its
/// election timer, if the event is one. The only place these rules live.
pub fn timer_rule(event: &Event, server: ServerId) -> Option<TimerWhy> {
    use super::event::{AppendRejection, Deviation};
    match *event {
        Event::AppendAccepted {
            follower,
            leader,
            mutant: Some(Deviation::ObeyedStaleLeader { .. }),
            ..
        }
        | Event::AppendRejected {
            follower,
            leader,
            mutant: Some(Deviation::ObeyedStaleLeader { .. }),
            ..
        } if follower == server => Some(TimerWhy::ObeyedStaleLeader(leader)),
        Event::VoteGranted {
            voter, candidate, ..
        } if voter == server => Some(TimerWhy::GrantedVote(candidate)),
        // Of its current term (an older one is rejected as StaleTerm, except by the mutant
        // above), whether or not the logs matched: it came from the current leader.
        Event::AppendAccepted {
            follower, leader, ..
        }
        | Event::AppendRejected {
            follower,
            leader,
            reason: AppendRejection::Mismatch { .. },
            ..
        } if follower == server => Some(TimerWhy::HeardFromLeader(leader)),
        Event::BecameCandidate { server: s, .. } if s == server => Some(TimerWhy::StartedElection),
        _ => None,
    }
}

/// Whether the event changed `server`'s persistent state (current term, vote or log), which
/// it must write to disk before it answers.
fn changes_persistent_state(event: &Event, server: ServerId) -> bool {
    match *event {
        Event::TermAdopted { server: s, .. }
        | Event::BecameCandidate { server: s, .. }
        | Event::EntriesTruncated { server: s, .. } => s == server,
        Event::VoteGranted { voter, .. } => voter == server,
        Event::AppendAccepted {
            follower, appended, ..
        } => follower == server && appended > 0,
        Event::ClientRequestAppended { leader, .. } => leader == server,
        _ => false,
    }
}

fn is_reply(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::RequestVoteResponse | MessageKind::AppendEntriesResponse
    )
}

/// The simulated clock of one cluster, with everything it has drawn.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Clock {
    timing: Timing,
    now: Micros,
    rng: SplitMix64,
    size: usize,
    servers: [ServerClock; MAX_SERVERS],
    /// Messages in flight, by id (the network's order).
    messages: VecDeque<MessageTime>,
}

impl Clock {
    /// A clock at 0 for `servers`, with a timer for each that needs one and an arrival time
    /// for each message already in flight. What it set goes to `events`.
    pub(super) fn start<'a>(
        timing: Timing,
        servers: &[RaftServer],
        in_flight: impl Iterator<Item = &'a Envelope>,
        events: &mut Vec<Event>,
    ) -> Clock {
        let mut clock = Clock {
            timing,
            now: 0,
            rng: SplitMix64::new(timing.seed),
            size: servers.len(),
            servers: [ServerClock::default(); MAX_SERVERS],
            messages: VecDeque::new(),
        };
        events.push(Event::ClockStarted { seed: timing.seed });
        for server in servers {
            clock.keep_role(server, TimerWhy::ClockStarted, events);
        }
        for envelope in in_flight {
            clock.schedule(envelope, None);
        }
        clock
    }

    /// How time behaves here.
    pub fn timing(&self) -> &Timing {
        &self.timing
    }

    /// From now on, draws with `timing` (reseeded if its seed differs from the current one).
    pub(super) fn set_timing(&mut self, timing: Timing) {
        if timing.seed != self.timing.seed {
            self.rng = SplitMix64::new(timing.seed);
        }
        self.timing = timing;
    }

    /// The time now.
    pub fn now(&self) -> Micros {
        self.now
    }

    /// A server's timers.
    pub fn server(&self, id: ServerId) -> ServerClock {
        self.servers.get(id).copied().unwrap_or_default()
    }

    /// When a message in flight left and arrives.
    pub fn message(&self, id: MessageId) -> Option<MessageTime> {
        self.position(id).map(|i| self.messages[i])
    }

    /// Every message's times, by id.
    pub fn messages(&self) -> impl ExactSizeIterator<Item = &MessageTime> {
        self.messages.iter()
    }

    /// The next thing that will happen, and when.
    pub fn next_due(&self) -> Option<(Micros, Due)> {
        // Plain loops: this runs before every timed event, and is most of a simulation's time
        // when written as a chain of iterators.
        let mut best: Option<(Micros, Due)> = None;
        let mut consider = |at: Micros, due: Due| {
            if best.is_none_or(|(t, d)| (at, due.rank()) < (t, d.rank())) {
                best = Some((at, due));
            }
        };
        // Messages are in id order, so the first of equal arrival times wins the tie.
        let mut earliest: Option<&MessageTime> = None;
        for m in &self.messages {
            if earliest.is_none_or(|e| m.due < e.due) {
                earliest = Some(m);
            }
        }
        if let Some(m) = earliest {
            consider(m.due, Due::Deliver(m.id));
        }
        for (id, s) in self.servers[..self.size].iter().enumerate() {
            if let Some(h) = s.heartbeat {
                consider(h.end, Due::Heartbeat(id));
            }
            if let Some(e) = s.election {
                consider(e.end, Due::Timeout(id));
            }
        }
        best
    }

    /// Moves the clock to `to` (never back).
    pub(super) fn set_now(&mut self, to: Micros) {
        self.now = self.now.max(to);
    }

    /// After `server` took one step whose events are `events[first..]`: Figure 2's timer rules
    /// on what the step did, its disk write, and the times of the messages it sent (`sent`, in
    /// id order). The timer restarts and the write are added to `events`.
    pub(super) fn after_step<'a>(
        &mut self,
        server: &RaftServer,
        events: &mut Vec<Event>,
        first: usize,
        sent: impl Iterator<Item = &'a Envelope>,
    ) {
        let id = server.id;
        let now = self.now;
        let step = &events[first..];
        let writes = self.timing.persist.max > 0
            && !server.crashed
            && step.iter().any(|e| changes_persistent_state(e, id));
        // The last rule that applies wins; a server that ends the step as leader has none.
        let reset = step.iter().rev().find_map(|e| timer_rule(e, id));
        let heartbeat_sent = step.iter().any(|e| {
            matches!(e, Event::HeartbeatSent { leader, .. } | Event::BecameLeader { server: leader, .. } if *leader == id)
        });
        let restarted = step
            .iter()
            .any(|e| matches!(e, Event::Restarted { server, .. } if *server == id));
        let write = writes.then(|| {
            let start = self.servers[id].writing.map_or(now, |w| w.end.max(now));
            let took = self.draw(self.timing.persist);
            self.servers[id].writing = Some(Interval {
                start,
                end: start + took,
            });
            events.push(Event::DiskWrite { server: id, took });
            start + took
        });
        if let Some(why) = reset
            && server.role != Role::Leader
            && !server.crashed
        {
            self.restart_election_timer(id, why, events);
        }
        if heartbeat_sent {
            self.servers[id].heartbeat = Some(Interval {
                start: now,
                end: now + self.timing.heartbeat,
            });
        }
        let why = if restarted {
            TimerWhy::Restarted
        } else {
            TimerWhy::SteppedDown
        };
        self.keep_role(server, why, events);
        for envelope in sent {
            let waits = write.filter(|_| is_reply(envelope.message.kind()));
            self.schedule(envelope, waits);
        }
    }

    /// Brings the message times in line with the network after an action: forgets messages no
    /// longer in flight (delivered, dropped, lost) and times any new one that no server step
    /// sent (a duplicate, say) as if it had just been sent.
    pub(super) fn sync(&mut self, network: &RaftNetwork) {
        let in_flight = || network.in_flight().map(|e| e.id);
        if self.messages.len() == network.in_flight().len()
            && self.messages.iter().map(|m| m.id).eq(in_flight())
        {
            return;
        }
        let mut ids = in_flight().peekable();
        self.messages.retain(|m| {
            while ids.next_if(|&id| id < m.id).is_some() {}
            ids.next_if_eq(&m.id).is_some()
        });
        if self.messages.len() < network.in_flight().len() {
            let unknown: Vec<&Envelope> = network
                .in_flight()
                .filter(|e| self.position(e.id).is_none())
                .collect();
            for envelope in unknown {
                self.schedule(envelope, None);
            }
        }
    }

    /// Gives `server` the timers its role needs and takes away the ones it does not: a live
    /// follower or candidate has an election timer, a live leader a heartbeat, a crashed server
    /// neither (nor a write in progress).
    fn keep_role(&mut self, server: &RaftServer, why: TimerWhy, events: &mut Vec<Event>) {
        let id = server.id;
        let now = self.now;
        let timers = &mut self.servers[id];
        if server.crashed {
            *timers = ServerClock::default();
        } else if server.role == Role::Leader {
            timers.election = None;
            if timers.heartbeat.is_none() {
                timers.heartbeat = Some(Interval {
                    start: now,
                    end: now + self.timing.heartbeat,
                });
            }
        } else {
            timers.heartbeat = None;
            if timers.election.is_none() {
                self.restart_election_timer(id, why, events);
            }
        }
    }

    fn restart_election_timer(&mut self, id: ServerId, why: TimerWhy, events: &mut Vec<Event>) {
        let timeout = self.draw(self.timing.election_timeout);
        self.servers[id].election = Some(Interval {
            start: self.now,
            end: self.now + timeout,
        });
        events.push(Event::TimerReset {
            server: id,
            timeout,
            why,
        });
    }

    /// Draws a message's time on the wire; it leaves at `leaves` (after a disk write) or now.
    fn schedule(&mut self, envelope: &Envelope, leaves: Option<Micros>) {
        let sent = leaves.unwrap_or(self.now);
        let due = sent + self.draw(self.timing.latency);
        let at = self.messages.partition_point(|m| m.id < envelope.id);
        self.messages.insert(
            at,
            MessageTime {
                id: envelope.id,
                sent,
                due,
            },
        );
    }

    /// Forgets a message's times (it was delivered).
    pub(super) fn forget(&mut self, id: MessageId) {
        if let Some(i) = self.position(id) {
            self.messages.remove(i);
        }
    }

    /// Ends the heartbeat interval that just ran out (the leader's heartbeat starts the next).
    pub(super) fn fire_heartbeat(&mut self, id: ServerId) {
        if let Some(s) = self.servers.get_mut(id) {
            s.heartbeat = None;
        }
    }

    /// Ends the election timer that just fired (the server's step draws the next one).
    pub(super) fn fire_timeout(&mut self, id: ServerId) -> Option<Interval> {
        self.servers.get_mut(id).and_then(|s| s.election.take())
    }

    fn draw(&mut self, range: Between) -> Micros {
        self.rng.between(range.min, range.max)
    }

    fn position(&self, id: MessageId) -> Option<usize> {
        self.messages.binary_search_by_key(&id, |m| m.id).ok()
    }
}

/// A duration or time as people read it: `183 ms`, `150.4 ms`, `2.35 s`.
pub fn format_ms(micros: Micros) -> String {
    if micros >= 10_000 * MS {
        format!("{:.1} s", micros as f64 / 1e6)
    } else if micros >= 1_000 * MS {
        format!("{:.2} s", micros as f64 / 1e6)
    } else if micros.is_multiple_of(MS) {
        format!("{} ms", micros / MS)
    } else {
        format!("{:.1} ms", micros as f64 / 1e3)
    }
}

/// A time to the microsecond, as ms without trailing zeros: `163.482 ms`, `150 ms`.
pub fn format_ms_exact(micros: Micros) -> String {
    let text = format!("{}.{:03}", micros / MS, micros % MS);
    format!("{} ms", text.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_write_them() {
        assert_eq!(format_ms(183 * MS), "183 ms");
        assert_eq!(format_ms(150_400), "150.4 ms");
        assert_eq!(format_ms(2_345_000), "2.35 s");
        assert_eq!(format_ms(12_000_000), "12.0 s");
        assert_eq!(format_ms_exact(163_482), "163.482 ms");
        assert_eq!(format_ms_exact(150_000), "150 ms");
        assert_eq!(format_ms_exact(150_500), "150.5 ms");
    }
}
