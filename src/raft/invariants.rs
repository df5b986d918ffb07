//! Safety checks run after every step (Figure 3 of the paper, plus sanity rules). Some need
//! history (who led which term, what was ever committed), which the monitor keeps.
//!
//! The checks are incremental: a step changes one server, and only what it changed is looked
//! at again — the entries its log gained or lost since the last check (the log says from which
//! index, see `Log::take_change`), the entries newly
//! committed, its term, vote and role. For that the monitor keeps, besides the history, the
//! facts the checks need: where each log differs from the committed prefix, each pair of
//! logs' common prefix and highest index of a shared term, and each leader's Leader
//! Completeness result. A step costs O(changed entries × servers), plus, when a server
//! becomes leader, the committed entries its log lacks (none in a correct cluster but for
//! entries committed in a later term); only while a violation persists can a step cost more
//! (re-scanning the entries involved in it). The checks report exactly what a check of every
//! log from scratch after every step would (a test compares the two over random runs, forced
//! leaders included).

mod clone;
mod history;

pub use history::MonitorHistory;

use super::event::{Event, Violation};
use super::log::Entry;
use super::pvec::PVec;
use super::server::RaftServer;
use super::types::{LogIndex, MAX_SERVERS, Role, ServerId, Term};
use std::collections::BTreeSet;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

/// Remembers what the checks need from the past, and which violations were already reported
/// (each is reported once). Cloning it costs O(servers²), whatever the logs' length.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct InvariantMonitor {
    /// Terms, votes and leaders.
    terms: TermRules,
    /// The committed prefix, as first seen committed, with the term of the server that first
    /// had it committed.
    committed: PVec<(Entry, Term)>,
    /// The highest commit index each server ever had (capped at its log).
    max_commit: [LogIndex; MAX_SERVERS],
    /// Each server's commit index when last checked...
    checked_commit_index: [LogIndex; MAX_SERVERS],
    /// ... and capped at its log.
    checked_commit: [LogIndex; MAX_SERVERS],
    /// Each server's log length when last checked.
    checked_len: [LogIndex; MAX_SERVERS],
    /// For each server, the indices (up to the end of its log and of the committed prefix)
    /// where its entry differs from the committed one. Empty in a correct cluster.
    diverged: [BTreeSet<LogIndex>; MAX_SERVERS],
    /// For each pair of servers, what Log Matching knows of their logs.
    pairs: Pairs,
    /// For each leader, Leader Completeness as last checked.
    completeness: [Option<Completeness>; MAX_SERVERS],
    reports: Reports,
}

/// What Log Matching knows of two servers' logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct PairFacts {
    /// The length of their longest common prefix.
    common: LogIndex,
    /// The highest index (up to the shorter log's end) where both have an entry of the same
    /// term; 0 if none.
    same_term: LogIndex,
}

/// How many pairs of servers there are at most.
const PAIRS: usize = MAX_SERVERS * (MAX_SERVERS - 1) / 2;

/// [`PairFacts`] for each pair of different servers, stored once per pair (the monitor is
/// copied for every step the explorer tries: half the bytes of a table by both orders).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Pairs([PairFacts; PAIRS]);

impl Default for Pairs {
    fn default() -> Pairs {
        Pairs([PairFacts::default(); PAIRS])
    }
}

impl Pairs {
    /// The facts of servers `a` and `b` (different), in either order.
    fn of(&mut self, a: ServerId, b: ServerId) -> &mut PairFacts {
        debug_assert_ne!(a, b, "a pair of different servers");
        let (low, high) = (a.min(b), a.max(b));
        &mut self.0[high * (high - 1) / 2 + low]
    }
}

/// The violations found, each reported once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Reports {
    /// Every violation found, in order.
    found: Vec<Violation>,
    reported: BTreeSet<Violation>,
}

impl Reports {
    fn clear(&mut self) {
        self.found.clear();
        // Empty unless a violation was found: nothing to drop.
        if !self.reported.is_empty() {
            self.reported.clear();
        }
    }

    // Out of line and cold: a violation is rare (the explorer stops at the first), and the
    // checks that may report one stay small enough to inline.
    #[cold]
    #[inline(never)]
    fn report(&mut self, violation: Violation, events: &mut Vec<Event>) {
        if self.reported.insert(violation) {
            self.found.push(violation);
            events.push(Event::Violation(violation));
        }
    }
}

/// The rules on terms, votes and leaders: O(1) a server and step, so the same for the
/// incremental monitor and the reference check.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
struct TermRules {
    /// The first leader seen for each term, sorted by term. New leaders almost always come
    /// with the highest term so far, which makes recording one a push.
    leaders: PVec<(Term, ServerId)>,
    /// The term each server was last checked as leader in (skips the search when the same
    /// leader is seen again).
    leader_checked: [Term; MAX_SERVERS],
    /// Each server's last seen term.
    last_term: [Term; MAX_SERVERS],
    /// Each server's last seen vote: (term, candidate).
    last_vote: [Option<(Term, ServerId)>; MAX_SERVERS],
}

impl TermRules {
    /// Terms never decrease, one vote per term, one leader per term (Election Safety).
    // Inlined: a few compares on every step, cheaper than the call.
    #[inline(always)]
    fn check(&mut self, s: &RaftServer, reports: &mut Reports, events: &mut Vec<Event>) {
        self.check_term_and_vote(s, reports, events);
        self.check_leader(s, reports, events);
    }

    #[inline]
    fn check_term_and_vote(
        &mut self,
        s: &RaftServer,
        reports: &mut Reports,
        events: &mut Vec<Event>,
    ) {
        let last = self.last_term[s.id];
        if s.current_term < last {
            reports.report(
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
                reports.report(
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

    // Inlined, so that a server that is not a new leader costs a test, not a call.
    #[inline]
    fn check_leader(&mut self, s: &RaftServer, reports: &mut Reports, events: &mut Vec<Event>) {
        if s.role != Role::Leader || self.leader_checked[s.id] == s.current_term {
            return;
        }
        self.check_new_leader(s, reports, events);
    }

    /// [`TermRules::check_leader`] for a leader not yet checked in its term.
    fn check_new_leader(&mut self, s: &RaftServer, reports: &mut Reports, events: &mut Vec<Event>) {
        self.leader_checked[s.id] = s.current_term;
        let term = s.current_term;
        let first = match self.leaders.last() {
            Some(&(last, _)) if last < term => {
                self.leaders.push((term, s.id));
                s.id
            }
            _ => match self.leaders.binary_search_by_key(&term, |&(t, _)| t) {
                Ok(at) => self.leaders.get(at).map_or(s.id, |&(_, first)| first),
                Err(at) => {
                    self.leaders.insert(at, (term, s.id));
                    s.id
                }
            },
        };
        if first != s.id {
            reports.report(
                Violation::ElectionSafety {
                    term: s.current_term,
                    first,
                    second: s.id,
                },
                events,
            );
        }
    }
}

/// A leader's Leader Completeness, as checked against the committed prefix up to `upto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Completeness {
    /// The leader's term when checked.
    term: Term,
    /// How much of the committed prefix was checked.
    upto: LogIndex,
    /// The first entry committed before `term` that the leader lacks.
    missing: Option<LogIndex>,
}

impl InvariantMonitor {
    /// A monitor that has seen nothing yet.
    pub fn new() -> InvariantMonitor {
        InvariantMonitor::default()
    }

    /// Every violation found so far, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.reports.found
    }

    /// Checks every invariant from scratch (O(log × servers²)): for a starting state, on a
    /// monitor that has seen nothing yet. New violations become events.
    pub fn check_all(&mut self, servers: &[RaftServer], events: &mut Vec<Event>) {
        let mut compared = [0; MAX_SERVERS];
        for server in servers {
            self.terms.check(server, &mut self.reports, events);
            compared[server.id] = self.committed.len();
            self.check_commit(server, Some(1), events);
        }
        // Entries committed by servers checked later, against the logs checked earlier.
        for server in servers {
            self.note_committed(server, compared[server.id]);
        }
        for (i, a) in servers.iter().enumerate() {
            for b in &servers[i + 1..] {
                *self.pairs.of(a.id, b.id) = PairFacts::default();
                self.check_log_matching(a, b, 1, events);
            }
        }
        for server in servers {
            self.completeness[server.id] = None;
            self.check_leader_completeness(server, None, events);
            self.checked_len[server.id] = server.log.len();
        }
    }

    /// Checks what can have changed when only server `id` changed: its own rules, its log
    /// against every other, and Leader Completeness (for every leader if the committed prefix
    /// grew). `log_changed_from` is the lowest index of its log written or removed since its
    /// last check (`None` if the log did not change). Reports what [`check_all`] would after
    /// such a step, at the cost of what changed.
    ///
    /// [`check_all`]: InvariantMonitor::check_all
    pub fn check_server(
        &mut self,
        servers: &[RaftServer],
        id: ServerId,
        log_changed_from: Option<LogIndex>,
        events: &mut Vec<Event>,
    ) {
        let Some(server) = servers.get(id) else {
            return;
        };
        let committed_before = self.committed.len();
        self.terms.check(server, &mut self.reports, events);
        self.check_commit(server, log_changed_from, events);
        let grew = self.committed.len() != committed_before;
        if grew {
            for other in servers.iter().filter(|o| o.id != id) {
                self.note_committed(other, committed_before);
            }
        }
        if let Some(from) = log_changed_from {
            for other in servers.iter().filter(|o| o.id != id) {
                self.check_log_matching(server, other, from, events);
            }
        }
        if grew {
            for s in servers {
                let change = if s.id == id { log_changed_from } else { None };
                self.check_leader_completeness(s, change, events);
            }
        } else {
            self.check_leader_completeness(server, log_changed_from, events);
        }
        self.checked_len[id] = server.log.len();
    }

    fn report(&mut self, violation: Violation, events: &mut Vec<Event>) {
        self.reports.report(violation, events);
    }

    /// State Machine Safety, committed entries never lost, commit index within the log; and
    /// records newly committed entries. `changed_from`: where the log changed since the last
    /// check.
    // Inlined, so that the usual step (same log, same commit index) costs a test, not a call.
    #[inline]
    fn check_commit(
        &mut self,
        s: &RaftServer,
        changed_from: Option<LogIndex>,
        events: &mut Vec<Event>,
    ) {
        if changed_from.is_none() && s.commit_index == self.checked_commit_index[s.id] {
            // Same log, same commit index: nothing to report that was not already.
            return;
        }
        self.recheck_commit(s, changed_from, events);
    }

    /// [`InvariantMonitor::check_commit`] when the log or the commit index changed.
    fn recheck_commit(
        &mut self,
        s: &RaftServer,
        changed_from: Option<LogIndex>,
        events: &mut Vec<Event>,
    ) {
        let id = s.id;
        self.checked_commit_index[id] = s.commit_index;
        let log_len = s.log.len();
        if s.commit_index > log_len {
            self.report(
                Violation::CommitBeyondLog {
                    server: id,
                    commit_index: s.commit_index,
                    log_len,
                },
                events,
            );
        }
        let known = self.committed.len();
        if let Some(from) = changed_from {
            // Entries from `from` on were rewritten or removed: compare them afresh.
            if !self.diverged[id].is_empty() {
                let _ = self.diverged[id].split_off(&from);
            }
            let end = log_len.min(known);
            if from <= end {
                let differ: Vec<LogIndex> = s
                    .log
                    .entries_in(from, end)
                    .zip(self.committed.iter_range(from - 1, end))
                    .enumerate()
                    .filter(|(_, (entry, (committed, _)))| *entry != committed)
                    .map(|(k, _)| from + k)
                    .collect();
                self.diverged[id].extend(differ);
            }
        }
        let commit = s.commit_index.min(log_len);
        // State Machine Safety: the entries up to the commit index are the committed ones.
        // Those checked before and unchanged since were reported then.
        let recheck_from = changed_from
            .unwrap_or(usize::MAX)
            .min(self.checked_commit[id] + 1);
        if recheck_from <= commit {
            let differ: Vec<LogIndex> = self.diverged[id]
                .range(recheck_from..=commit)
                .copied()
                .collect();
            for index in differ {
                self.report(Violation::StateMachineSafety { server: id, index }, events);
            }
        }
        if commit > known {
            for entry in s.log.entries_in(known + 1, commit) {
                self.committed.push((entry.clone(), s.current_term));
            }
        }
        // Committed entries never lost: the first index it once had committed that it no
        // longer holds as committed.
        let ever = self.max_commit[id];
        if ever > commit {
            let changed = self.diverged[id].range(commit + 1..=ever).next().copied();
            let missing = (log_len < ever).then_some(log_len + 1);
            let lost = match (changed, missing) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(index) = lost {
                self.report(Violation::CommittedEntryLost { server: id, index }, events);
            }
        }
        self.max_commit[id] = ever.max(commit);
        self.checked_commit[id] = commit;
    }

    /// Compares `s`'s log with the entries committed since the prefix was `from` long.
    fn note_committed(&mut self, s: &RaftServer, from: LogIndex) {
        let end = s.log.len().min(self.committed.len());
        if end <= from {
            return;
        }
        let differ: Vec<LogIndex> = s
            .log
            .entries_in(from + 1, end)
            .zip(self.committed.iter_range(from, end))
            .enumerate()
            .filter(|(_, (entry, (committed, _)))| *entry != committed)
            .map(|(k, _)| from + 1 + k)
            .collect();
        self.diverged[s.id].extend(differ);
    }

    /// Log Matching (§5.3): if two logs have an entry with the same index and term, they are
    /// identical up to it. Reported with the highest such index and the first index where
    /// the logs differ. `a`'s log changed from `from` on since the pair was last checked
    /// (`b`'s did not).
    fn check_log_matching(
        &mut self,
        a: &RaftServer,
        b: &RaftServer,
        from: LogIndex,
        events: &mut Vec<Event>,
    ) {
        let (la, lb) = (&a.log, &b.log);
        let shared = la.len().min(lb.len());
        let old = *self.pairs.of(a.id, b.id);
        let old_same_term = old.same_term;
        // The common prefix: what is left of it below the change, extended over the new
        // entries (below the change the logs still differ where they did).
        let kept = old.common.min(from - 1).min(shared);
        let common = if kept < shared {
            kept + la
                .entries_in(kept + 1, shared)
                .zip(lb.entries_in(kept + 1, shared))
                .take_while(|(x, y)| x == y)
                .count()
        } else {
            // Nothing above it to compare (empty logs, say): no iterators to set up.
            kept
        };
        // The highest index of a shared term: every index of the common prefix is one; above
        // it, look among the new entries first (highest first), then below the change.
        let mut same_term = common;
        if common < shared {
            let low = from.max(common + 1);
            let in_new = if low <= shared {
                la.entries_in(low, shared)
                    .zip(lb.entries_in(low, shared))
                    .rev()
                    .position(|(x, y)| x.term == y.term)
                    .map(|k| shared - k)
            } else {
                None
            };
            let below = (from - 1).min(shared);
            same_term = match in_new {
                Some(index) => index,
                None if below <= common => common,
                // Unchanged below the change, so the old answer holds if it lies there.
                None if old_same_term <= below => old_same_term.max(common),
                // The old answer was among the entries removed: search down. Only a pair
                // that already broke Log Matching gets here.
                None => la
                    .entries_in(common + 1, below)
                    .zip(lb.entries_in(common + 1, below))
                    .rev()
                    .position(|(x, y)| x.term == y.term)
                    .map_or(common, |k| below - k),
            };
        }
        *self.pairs.of(a.id, b.id) = PairFacts { common, same_term };
        if same_term > common {
            // One report per pair and place, whichever of the two changed.
            self.report(
                Violation::LogMatching {
                    a: a.id.min(b.id),
                    b: a.id.max(b.id),
                    same: same_term,
                    index: common + 1,
                },
                events,
            );
        }
    }

    /// Leader Completeness (§5.4): a leader holds every entry committed in an earlier term.
    /// `changed_from`: where its log changed since the last check.
    // Inlined, so that a server that is not leader (most steps') costs a test, not a call.
    #[inline]
    fn check_leader_completeness(
        &mut self,
        s: &RaftServer,
        changed_from: Option<LogIndex>,
        events: &mut Vec<Event>,
    ) {
        if s.role != Role::Leader {
            self.completeness[s.id] = None;
            return;
        }
        self.recheck_leader_completeness(s, changed_from, events);
    }

    /// [`InvariantMonitor::check_leader_completeness`] for a leader.
    fn recheck_leader_completeness(
        &mut self,
        s: &RaftServer,
        changed_from: Option<LogIndex>,
        events: &mut Vec<Event>,
    ) {
        let id = s.id;
        let term = s.current_term;
        let known = self.committed.len();
        if changed_from.is_none()
            && self.completeness[id].is_some_and(|last| last.term == term && last.upto == known)
        {
            // Nothing it depends on changed: its result was reported when found.
            return;
        }
        let missing = match self.completeness[id] {
            Some(last) if last.term == term => {
                let mut missing = last.missing;
                if let Some(from) = changed_from
                    && missing.is_none_or(|m| m >= from)
                {
                    // Look again from the change up to the end of the longer of its old and
                    // new log; beyond both, nothing changed: what was lacking still is.
                    let longer = self.checked_len[id].max(s.log.len());
                    let end = last.upto.min(longer);
                    let changed = (from <= end)
                        .then(|| self.first_lacking(s, from, end))
                        .flatten();
                    missing = match (changed, missing) {
                        (Some(index), _) => Some(index),
                        (None, Some(m)) if m > longer => Some(m),
                        // The entry it lacked is there now: what comes after it was never
                        // looked at. Only a leader that broke Leader Completeness gets here.
                        (None, Some(_)) if last.upto > longer => {
                            self.first_lacking(s, longer + 1, last.upto)
                        }
                        (None, _) => None,
                    };
                }
                if missing.is_none() && known > last.upto {
                    missing = self.first_lacking(s, last.upto + 1, known);
                }
                missing
            }
            _ if known > 0 => self.first_lacking(s, 1, known),
            _ => None,
        };
        self.completeness[id] = Some(Completeness {
            term,
            upto: known,
            missing,
        });
        if let Some(index) = missing {
            self.report(
                Violation::LeaderCompleteness {
                    leader: id,
                    term,
                    index,
                },
                events,
            );
        }
    }

    /// The first index in `from..=to` (within the committed prefix) committed in a term
    /// before `s`'s that `s`'s log does not hold.
    fn first_lacking(&self, s: &RaftServer, from: LogIndex, to: LogIndex) -> Option<LogIndex> {
        let term = s.current_term;
        let committed_before = |index: LogIndex| {
            self.committed
                .get(index - 1)
                .is_some_and(|&(_, t)| t < term)
        };
        let held_to = to.min(s.log.len());
        if from <= held_to
            && let Some(index) = self.diverged[s.id]
                .range(from..=held_to)
                .copied()
                .find(|&i| committed_before(i))
        {
            return Some(index);
        }
        let start = from.max(s.log.len() + 1);
        if start > to {
            return None;
        }
        self.committed
            .iter_range(start - 1, to)
            .position(|&(_, t)| t < term)
            .map(|k| start + k)
    }
}
