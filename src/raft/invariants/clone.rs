//! Cloning a monitor, and cloning one into another's place: the explorer copies a state into
//! the same scratch cluster for every step it tries, so the copy is made in place (no
//! temporary to build, move and drop), the sets and lists keep their buffers, and a cluster
//! can copy only what concerns the servers it has.

use super::{InvariantMonitor, Reports, TermRules};
use crate::raft::types::MAX_SERVERS;

impl Clone for InvariantMonitor {
    fn clone(&self) -> InvariantMonitor {
        let mut copy = InvariantMonitor::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &InvariantMonitor) {
        self.clone_for_servers(source, MAX_SERVERS);
    }
}

impl InvariantMonitor {
    /// As `clone_from`, for two monitors that have seen no server numbered `n` or above (a
    /// cluster's monitor sees only its servers): what concerns other servers is in its
    /// starting state in both, and is not copied.
    // Inlined (always) into the cluster's copy, made once for every step the explorer tries.
    #[inline(always)]
    pub(crate) fn clone_for_servers(&mut self, source: &InvariantMonitor, n: usize) {
        let n = n.min(MAX_SERVERS);
        // Every field named, so that a new one cannot be forgotten here.
        let InvariantMonitor {
            terms,
            committed,
            max_commit,
            checked_commit_index,
            checked_commit,
            checked_len,
            diverged,
            pairs,
            completeness,
            reports,
        } = source;
        self.terms.clone_for_servers(terms, n);
        self.committed.clone_from(committed);
        // Small tables: copied whole, which is cheaper than copying part of one.
        self.max_commit = *max_commit;
        self.checked_commit_index = *checked_commit_index;
        self.checked_commit = *checked_commit;
        self.checked_len = *checked_len;
        for (mine, theirs) in self.diverged.iter_mut().zip(diverged).take(n) {
            // Empty in a correct cluster: nothing to free or copy.
            if !(mine.is_empty() && theirs.is_empty()) {
                mine.clone_from(theirs);
            }
        }
        // Pairs of servers below `n` come first.
        let n_pairs = n * n.saturating_sub(1) / 2;
        self.pairs.0[..n_pairs].copy_from_slice(&pairs.0[..n_pairs]);
        self.completeness[..n].copy_from_slice(&completeness[..n]);
        let Reports { found, reported } = reports;
        self.reports.found.clone_from(found);
        if !(self.reports.reported.is_empty() && reported.is_empty()) {
            self.reports.reported.clone_from(reported);
        }
    }
}

impl Clone for TermRules {
    fn clone(&self) -> TermRules {
        let mut copy = TermRules::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &TermRules) {
        self.clone_for_servers(source, MAX_SERVERS);
    }
}

impl TermRules {
    /// As `clone_from`, for rules that have seen no server numbered `n` or above.
    fn clone_for_servers(&mut self, source: &TermRules, n: usize) {
        let TermRules {
            leaders,
            leader_checked,
            last_term,
            last_vote,
        } = source;
        self.leaders.clone_from(leaders);
        self.leader_checked = *leader_checked;
        self.last_term = *last_term;
        self.last_vote[..n].copy_from_slice(&last_vote[..n]);
    }
}
