//! Cloning a monitor, and cloning one into another's place: the explorer copies a state into
//! the same scratch cluster for every step it tries, so the copy is made in place (no
//! temporary to build, move and drop) and the sets and lists keep their buffers.

use super::{InvariantMonitor, Reports, TermRules};

impl Clone for InvariantMonitor {
    fn clone(&self) -> InvariantMonitor {
        let mut copy = InvariantMonitor::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &InvariantMonitor) {
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
        self.terms.clone_from(terms);
        self.committed.clone_from(committed);
        self.max_commit = *max_commit;
        self.checked_commit_index = *checked_commit_index;
        self.checked_commit = *checked_commit;
        self.checked_len = *checked_len;
        for (mine, theirs) in self.diverged.iter_mut().zip(diverged) {
            // Empty in a correct cluster: nothing to free or copy.
            if !(mine.is_empty() && theirs.is_empty()) {
                mine.clone_from(theirs);
            }
        }
        self.pairs = *pairs;
        self.completeness = *completeness;
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
        let TermRules {
            leaders,
            leader_checked,
            last_term,
            last_vote,
        } = source;
        self.leaders.clone_from(leaders);
        self.leader_checked = *leader_checked;
        self.last_term = *last_term;
        self.last_vote = *last_vote;
    }
}
