//! Safety checks run after every step (Figure 3 of the paper, plus sanity rules). Some need
//! history (who led which term, what was ever committed), which the monitor keeps.

mod history;

pub use history::MonitorHistory;

use super::event::{Event, Violation};
use super::log::Entry;
use super::server::RaftServer;
use super::types::{LogIndex, MAX_SERVERS, Role, ServerId, Term};
use std::collections::BTreeSet;

/// Remembers what the checks need from the past, and which violations were already reported
/// (each is reported once).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct InvariantMonitor {
    /// The first leader seen for each term.
    /// Sorted by term. A Vec, not a map: new leaders almost always come with the highest term
    /// so far, which makes recording one a push, and cloning the history a copy.
    leaders: Vec<(Term, ServerId)>,
    /// The term each server was last checked as leader in (skips the map lookup when the
    /// same leader is seen again).
    leader_checked: [Term; MAX_SERVERS],
    /// Each server's last seen term.
    last_term: [Term; MAX_SERVERS],
    /// Each server's last seen vote: (term, candidate).
    last_vote: [Option<(Term, ServerId)>; MAX_SERVERS],
    /// The committed prefix, as first seen committed, with the term it was committed in.
    committed: Vec<(Entry, Term)>,
    /// The highest commit index each server ever had.
    max_commit: [LogIndex; MAX_SERVERS],
    /// Every violation found, in order.
    found: Vec<Violation>,
    reported: BTreeSet<Violation>,
}

impl InvariantMonitor {
    /// A monitor that has seen nothing yet.
    pub fn new() -> InvariantMonitor {
        InvariantMonitor::default()
    }

    /// Every violation found so far, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.found
    }

    /// Checks every invariant against the servers' current state; new violations become events.
    pub fn check(&mut self, servers: &[RaftServer], events: &mut Vec<Event>) {
        for server in servers {
            self.check_term_and_vote(server, events);
            self.check_leader(server, events);
            self.check_commit(server, events);
        }
        for (i, a) in servers.iter().enumerate() {
            for b in &servers[i + 1..] {
                self.check_log_matching(a, b, events);
            }
        }
        for server in servers {
            self.check_leader_completeness(server, events);
        }
    }

    /// Checks what can have changed when only server `id` changed: its own rules, its log
    /// against every other, and Leader Completeness (for everyone if the committed prefix
    /// grew). Equivalent to [`InvariantMonitor::check`] after a step that touched only `id`.
    pub fn check_server(&mut self, servers: &[RaftServer], id: ServerId, events: &mut Vec<Event>) {
        let Some(server) = servers.get(id) else {
            return;
        };
        let committed_before = self.committed.len();
        self.check_term_and_vote(server, events);
        self.check_leader(server, events);
        self.check_commit(server, events);
        for other in servers.iter().filter(|o| o.id != id) {
            self.check_log_matching(server, other, events);
        }
        if self.committed.len() != committed_before {
            for s in servers {
                self.check_leader_completeness(s, events);
            }
        } else {
            self.check_leader_completeness(server, events);
        }
    }

    fn report(&mut self, violation: Violation, events: &mut Vec<Event>) {
        if self.reported.insert(violation) {
            self.found.push(violation);
            events.push(Event::Violation(violation));
        }
    }

    fn check_term_and_vote(&mut self, s: &RaftServer, events: &mut Vec<Event>) {
        let last = self.last_term[s.id];
        if s.current_term < last {
            self.report(
                Violation::TermDecreased {
                    server: s.id,
                    from: last,
                    to: s.current_term,
                },
                events,
            );
        }
        self.last_term[s.id] = s.current_term;
        if let Some(candidate) = s.voted_for {
            if let Some((term, first)) = self.last_vote[s.id]
                && term == s.current_term
                && first != candidate
            {
                self.report(
                    Violation::DoubleVote {
                        server: s.id,
                        term,
                        first,
                        second: candidate,
                    },
                    events,
                );
                return;
            }
            self.last_vote[s.id] = Some((s.current_term, candidate));
        }
    }

    fn check_leader(&mut self, s: &RaftServer, events: &mut Vec<Event>) {
        if s.role != Role::Leader || self.leader_checked[s.id] == s.current_term {
            return;
        }
        self.leader_checked[s.id] = s.current_term;
        let term = s.current_term;
        let first = match self.leaders.last() {
            Some(&(last, _)) if last < term => {
                self.leaders.push((term, s.id));
                s.id
            }
            _ => match self.leaders.binary_search_by_key(&term, |&(t, _)| t) {
                Ok(at) => self.leaders[at].1,
                Err(at) => {
                    self.leaders.insert(at, (term, s.id));
                    s.id
                }
            },
        };
        if first != s.id {
            self.report(
                Violation::ElectionSafety {
                    term: s.current_term,
                    first,
                    second: s.id,
                },
                events,
            );
        }
    }

    /// State Machine Safety, committed entries never lost, commit index within the log.
    fn check_commit(&mut self, s: &RaftServer, events: &mut Vec<Event>) {
        let log_len = s.log.len();
        if s.commit_index > log_len {
            self.report(
                Violation::CommitBeyondLog {
                    server: s.id,
                    commit_index: s.commit_index,
                    log_len,
                },
                events,
            );
        }
        let commit = s.commit_index.min(log_len);
        for index in 1..=commit {
            let entry = s.log.entry(index).expect("index within the log");
            match self.committed.get(index - 1) {
                Some((known, _)) if known != entry => self.report(
                    Violation::StateMachineSafety {
                        server: s.id,
                        index,
                    },
                    events,
                ),
                Some(_) => {}
                None => self.committed.push((entry.clone(), s.current_term)),
            }
        }
        let ever = self.max_commit[s.id];
        for index in commit + 1..=ever {
            let same = match (s.log.entry(index), self.committed.get(index - 1)) {
                (Some(entry), Some((known, _))) => entry == known,
                _ => false,
            };
            if !same {
                self.report(
                    Violation::CommittedEntryLost {
                        server: s.id,
                        index,
                    },
                    events,
                );
                break;
            }
        }
        self.max_commit[s.id] = ever.max(commit);
    }

    /// Log Matching (§5.3): if two logs have an entry with the same index and term, they are
    /// identical up to it. Finds the highest such index and compares the prefixes.
    fn check_log_matching(&mut self, a: &RaftServer, b: &RaftServer, events: &mut Vec<Event>) {
        let shared = a.log.len().min(b.log.len());
        let (ea, eb) = (a.log.entries(), b.log.entries());
        let Some(top) = (0..shared).rev().find(|&i| ea[i].term == eb[i].term) else {
            return;
        };
        if let Some(first) = (0..=top).find(|&i| ea[i] != eb[i]) {
            // One report per pair and place, whichever of the two changed.
            self.report(
                Violation::LogMatching {
                    a: a.id.min(b.id),
                    b: a.id.max(b.id),
                    same: top + 1,
                    index: first + 1,
                },
                events,
            );
        }
    }

    /// Leader Completeness (§5.4): a leader holds every entry committed in an earlier term.
    fn check_leader_completeness(&mut self, s: &RaftServer, events: &mut Vec<Event>) {
        if s.role != Role::Leader {
            return;
        }
        let missing = self
            .committed
            .iter()
            .enumerate()
            .find(|(i, (entry, term))| *term < s.current_term && s.log.entry(i + 1) != Some(entry))
            .map(|(i, _)| i + 1);
        if let Some(index) = missing {
            self.report(
                Violation::LeaderCompleteness {
                    leader: s.id,
                    term: s.current_term,
                    index,
                },
                events,
            );
        }
    }
}
