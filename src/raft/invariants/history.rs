//! The part of the invariant monitor's memory that a future check can depend on, so the
//! explorer can count it as part of a state and rebuild a monitor from it. Everything else
//! the monitor keeps follows from the servers' current state and that history (terms and
//! votes, where each log differs from the committed prefix, each pair's common prefix, each
//! leader's completeness) or only speeds the checks up.

use super::InvariantMonitor;
use crate::raft::event::Event;
use crate::raft::log::Entry;
use crate::raft::pvec::PVec;
use crate::raft::server::RaftServer;
use crate::raft::types::{LogIndex, MAX_SERVERS, ServerId, Term};

/// The monitor's memory of the past.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonitorHistory<'a> {
    /// The first leader seen for each term, sorted by term (Election Safety).
    pub leaders: &'a PVec<(Term, ServerId)>,
    /// The committed prefix, with the term each entry was first seen committed in (State
    /// Machine Safety, Leader Completeness).
    pub committed: &'a PVec<(Entry, Term)>,
    /// The highest commit index each server ever had (Committed Entries Kept); one per
    /// server.
    pub max_commit: &'a [LogIndex],
}

impl InvariantMonitor {
    /// What it remembers that a future check can depend on.
    pub(crate) fn history(&self) -> MonitorHistory<'_> {
        MonitorHistory {
            leaders: &self.terms.leaders,
            committed: &self.committed,
            max_commit: &self.max_commit,
        }
    }

    /// A monitor that remembers `history` and has seen `servers` as they are now, with no
    /// violation found. Its other memory is recomputed from the servers by the from-scratch
    /// check (which, on servers that break nothing, finds nothing and adds nothing to the
    /// history): each one's term and the vote it cast in that term (a vote of an earlier
    /// term can never be compared again), where its log differs from the committed prefix,
    /// each pair's common prefix, each leader's completeness.
    pub(crate) fn restored(servers: &[RaftServer], history: MonitorHistory<'_>) -> Self {
        let mut monitor = InvariantMonitor {
            committed: history.committed.clone(),
            ..InvariantMonitor::default()
        };
        monitor.terms.leaders = history.leaders.clone();
        let n = servers.len().min(MAX_SERVERS);
        monitor.max_commit[..n].copy_from_slice(&history.max_commit[..n]);
        let mut found: Vec<Event> = Vec::new();
        monitor.check_all(servers, &mut found);
        // A state that breaks an invariant is never restored (the explorer stops there); if
        // one is, the violation is forgotten, as documented.
        monitor.reports = Default::default();
        monitor
    }
}
