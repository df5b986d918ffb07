//! The part of the invariant monitor's memory that a future check can depend on, so the
//! explorer can count it as part of a state and rebuild a monitor from it. Everything else
//! the monitor keeps follows from the servers' current state and that history (terms and
//! votes, where each log differs from the committed prefix, each pair's common prefix, each
//! leader's completeness) or only speeds the checks up.

use super::{InvariantMonitor, TermRules};
use crate::raft::event::Event;
use crate::raft::log::Entry;
use crate::raft::pvec::PVec;
use crate::raft::server::RaftServer;
use crate::raft::types::{LogIndex, MAX_SERVERS, ServerId, Term};
use std::collections::BTreeSet;

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
    /// violation found (see [`InvariantMonitor::recheck`]).
    pub(crate) fn restored(servers: &[RaftServer], history: MonitorHistory<'_>) -> Self {
        let mut monitor = InvariantMonitor {
            committed: history.committed.clone(),
            ..InvariantMonitor::default()
        };
        monitor.terms.leaders = history.leaders.clone();
        monitor.set_max_commit(&history.max_commit[..servers.len().min(MAX_SERVERS)]);
        monitor.recheck(servers);
        monitor
    }

    /// Remembers these first leaders of their terms instead (see [`MonitorHistory`]), keeping
    /// their storage if they are the same. What it has seen of the servers is stale until
    /// [`InvariantMonitor::recheck`]; so for the three setters that follow.
    pub(crate) fn set_leaders(&mut self, leaders: impl IntoIterator<Item = (Term, ServerId)>) {
        self.terms.leaders.set_from(leaders);
    }

    /// Remembers this committed prefix instead, keeping its storage if it is the same.
    pub(crate) fn set_committed(&mut self, committed: impl IntoIterator<Item = (Entry, Term)>) {
        self.committed.set_from(committed);
    }

    /// Remembers these highest commit indices instead, one per server.
    pub(crate) fn set_max_commit(&mut self, max_commit: &[LogIndex]) {
        let n = max_commit.len().min(MAX_SERVERS);
        self.max_commit = [0; MAX_SERVERS];
        self.max_commit[..n].copy_from_slice(&max_commit[..n]);
    }

    /// Forgets everything but the history, then sees `servers` as they are now, with no
    /// violation found. That memory is recomputed from the servers by the from-scratch check
    /// (which, on servers that break nothing, finds nothing and adds nothing to the history):
    /// each one's term and the vote it cast in that term (a vote of an earlier term can never
    /// be compared again), where its log differs from the committed prefix, each pair's
    /// common prefix, each leader's completeness. In place: the sets and lists keep their
    /// buffers.
    pub(crate) fn recheck(&mut self, servers: &[RaftServer]) {
        // Every field named, so that a new one cannot be forgotten here.
        let InvariantMonitor {
            terms,
            committed: _,
            max_commit: _,
            checked_commit_index,
            checked_commit,
            checked_len,
            diverged,
            pairs,
            completeness,
            reports,
        } = self;
        let TermRules {
            leaders: _,
            leader_checked,
            last_term,
            last_vote,
        } = terms;
        *leader_checked = [0; MAX_SERVERS];
        *last_term = [0; MAX_SERVERS];
        *last_vote = [None; MAX_SERVERS];
        *checked_commit_index = [0; MAX_SERVERS];
        *checked_commit = [0; MAX_SERVERS];
        *checked_len = [0; MAX_SERVERS];
        // Empty but in a cluster that broke State Machine Safety: nothing to drop.
        diverged
            .iter_mut()
            .filter(|set| !set.is_empty())
            .for_each(BTreeSet::clear);
        *pairs = Default::default();
        *completeness = [None; MAX_SERVERS];
        reports.clear();
        // Nothing of servers it does not have (a cluster restored smaller).
        self.max_commit[servers.len().min(MAX_SERVERS)..].fill(0);
        let mut found: Vec<Event> = Vec::new();
        self.check_all(servers, &mut found);
        // A state that breaks an invariant is never restored (the explorer stops there); if
        // one is, the violation is forgotten, as documented.
        self.reports.clear();
    }
}
