//! The reference for the incremental monitor: every check done from scratch over every log
//! after every step (O(log × servers²) a step), as the monitor did before it was made
//! incremental. Tests run both on the same runs; they must report the same violations.

use super::{Reports, TermRules};
use crate::raft::event::{Event, Violation};
use crate::raft::log::Entry;
use crate::raft::server::RaftServer;
use crate::raft::types::{LogIndex, MAX_SERVERS, Role, Term};

/// The reference monitor: the same history as the incremental one, none of its shortcuts.
#[derive(Clone, Debug, Default)]
pub struct ReferenceMonitor {
    /// Terms, votes and leaders (O(1) a server: shared with the incremental monitor).
    terms: TermRules,
    /// The committed prefix, as first seen committed, with the term it was committed in.
    committed: Vec<(Entry, Term)>,
    /// The highest commit index each server ever had.
    max_commit: [LogIndex; MAX_SERVERS],
    reports: Reports,
}

impl ReferenceMonitor {
    /// A monitor that has seen nothing yet.
    pub fn new() -> ReferenceMonitor {
        ReferenceMonitor::default()
    }

    /// Every violation found so far, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.reports.found
    }

    /// Checks every invariant against the servers' current state; new violations become events.
    pub fn check(&mut self, servers: &[RaftServer], events: &mut Vec<Event>) {
        for server in servers {
            self.terms.check(server, &mut self.reports, events);
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

    fn report(&mut self, violation: Violation, events: &mut Vec<Event>) {
        self.reports.report(violation, events);
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
        let (ea, eb): (Vec<&Entry>, Vec<&Entry>) =
            (a.log.entries().collect(), b.log.entries().collect());
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
