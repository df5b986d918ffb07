//! The part of the invariant monitor's memory that a future check can depend on, so the
//! explorer can count it as part of a state and rebuild a monitor from it. Everything else
//! the monitor keeps follows from the servers' current state (their terms and votes) or only
//! speeds the checks up.

use super::InvariantMonitor;
use crate::raft::log::Entry;
use crate::raft::server::RaftServer;
use crate::raft::types::{LogIndex, MAX_SERVERS, Role, ServerId, Term};

/// The monitor's memory of the past.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonitorHistory<'a> {
    /// The first leader seen for each term, sorted by term (Election Safety).
    pub leaders: &'a [(Term, ServerId)],
    /// The committed prefix, with the term each entry was first seen committed in (State
    /// Machine Safety, Leader Completeness).
    pub committed: &'a [(Entry, Term)],
    /// The highest commit index each server ever had (Committed Entries Kept); one per
    /// server.
    pub max_commit: &'a [LogIndex],
}

impl InvariantMonitor {
    /// What it remembers that a future check can depend on.
    pub(crate) fn history(&self) -> MonitorHistory<'_> {
        MonitorHistory {
            leaders: &self.leaders,
            committed: &self.committed,
            max_commit: &self.max_commit,
        }
    }

    /// A monitor that remembers `history` and has seen `servers` as they are now, with no
    /// violation found. Its other memory follows from the servers: each one's term, and the
    /// vote it cast in that term (a vote of an earlier term can never be compared again).
    pub(crate) fn restored(servers: &[RaftServer], history: MonitorHistory<'_>) -> Self {
        let mut monitor = InvariantMonitor {
            leaders: history.leaders.to_vec(),
            committed: history.committed.to_vec(),
            ..InvariantMonitor::default()
        };
        let n = servers.len().min(MAX_SERVERS);
        monitor.max_commit[..n].copy_from_slice(&history.max_commit[..n]);
        for s in servers {
            monitor.last_term[s.id] = s.current_term;
            monitor.last_vote[s.id] = s.voted_for.map(|v| (s.current_term, v));
            if s.role == Role::Leader {
                monitor.leader_checked[s.id] = s.current_term;
            }
        }
        monitor
    }
}
