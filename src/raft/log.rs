//! The replicated log (the course's Project 4): entries indexed from 1, and the follower's
//! side of AppendEntries.

use super::pvec::{PVec, Range};
use super::types::{LogIndex, LogPosition, Term};
use std::sync::Arc;

/// A client command. Shared, so copying entries into messages and undo snapshots is cheap.
pub type ClientCommand = Arc<str>;

/// One log entry: the term it was created in and the client's command.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The leader's term when the entry was created.
    pub term: Term,
    /// The client's command (may be empty in scenarios that only care about terms).
    pub command: ClientCommand,
}

impl Entry {
    /// An entry of `term` with `command`.
    pub fn new(term: Term, command: &str) -> Entry {
        Entry {
            term,
            command: Arc::from(command),
        }
    }

    /// An entry of `term` with an empty command.
    pub fn of_term(term: Term) -> Entry {
        Entry::new(term, "")
    }
}

/// Why a follower could not accept an AppendEntries at `prev_log_index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppendMismatch {
    /// The log is shorter than `prev_log_index`.
    Missing {
        /// Length of the follower's log.
        log_len: LogIndex,
    },
    /// The entry at `prev_log_index` has another term.
    TermDiffers {
        /// The term the follower has there.
        found: Term,
    },
}

/// What an accepted AppendEntries did to the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AppendReport {
    /// Set when a conflicting entry was found: the first index deleted and how many entries
    /// were deleted (§5.3: "delete the existing entry and all that follow it").
    pub truncated: Option<Truncation>,
    /// How many new entries were appended.
    pub appended: usize,
}

/// A deletion of a conflicting suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Truncation {
    /// First index deleted.
    pub from: LogIndex,
    /// Number of entries deleted.
    pub removed: usize,
    /// Term of the entry that was at `from`.
    pub old_term: Term,
    /// Term of the leader's entry that replaced it.
    pub new_term: Term,
}

/// Entries as a log holds them and an AppendEntries carries them: a persistent vector, so a
/// message carrying a long suffix of the leader's log shares it instead of copying it.
pub type Entries = PVec<Entry>;

/// A log of entries, 1-indexed as in the paper. Stored persistently: cloning a log (for undo,
/// snapshots, messages) is O(1), and a clone shares every entry.
#[derive(Default)]
pub struct Log {
    entries: Entries,
    /// The lowest index written or removed since [`Log::take_change`] was last called: what
    /// the invariant monitor must look at again. Bookkeeping, not part of the log's value
    /// (equality and hashing ignore it).
    changed_from: Option<LogIndex>,
}

impl Clone for Log {
    fn clone(&self) -> Log {
        Log {
            entries: self.entries.clone(),
            changed_from: self.changed_from,
        }
    }

    fn clone_from(&mut self, source: &Log) {
        // In place, so that a log cloned from the same one again touches no reference count.
        self.entries.clone_from(&source.entries);
        self.changed_from = source.changed_from;
    }
}

impl PartialEq for Log {
    fn eq(&self, other: &Log) -> bool {
        self.entries == other.entries
    }
}

impl Eq for Log {}

impl std::hash::Hash for Log {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.entries.hash(state);
    }
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("entries", &self.entries)
            .finish()
    }
}

impl From<Vec<Entry>> for Log {
    fn from(entries: Vec<Entry>) -> Log {
        Log::from(Entries::from(entries))
    }
}

impl From<Entries> for Log {
    fn from(entries: Entries) -> Log {
        Log {
            changed_from: (!entries.is_empty()).then_some(1),
            entries,
        }
    }
}

impl Log {
    /// An empty log.
    pub fn new() -> Log {
        Log::default()
    }

    /// A log whose entries have these terms and empty commands.
    pub fn from_terms(terms: &[Term]) -> Log {
        let empty: ClientCommand = Arc::from("");
        Log::from(
            terms
                .iter()
                .map(|&term| Entry {
                    term,
                    command: empty.clone(),
                })
                .collect::<Entries>(),
        )
    }

    /// Becomes the log [`Log::from`] makes of `entries` (all of it to be checked), keeping its
    /// storage if it holds those entries already.
    pub fn restore(&mut self, entries: impl IntoIterator<Item = Entry>) {
        self.entries.set_from(entries);
        self.changed_from = (!self.entries.is_empty()).then_some(1);
    }

    /// Whether the two share their storage (then they are equal; a log cloned and left
    /// alone shares its original's). O(1).
    #[inline]
    pub fn shares_with(&self, other: &Log) -> bool {
        self.entries.shares_with(&other.entries)
    }

    /// Number of entries (also the last index).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the log has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Index of the last entry, 0 when empty.
    pub fn last_index(&self) -> LogIndex {
        self.entries.len()
    }

    /// Term of the last entry, 0 when empty.
    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(0, |e| e.term)
    }

    /// Index and term of the last entry.
    pub fn last_position(&self) -> LogPosition {
        LogPosition {
            index: self.last_index(),
            term: self.last_term(),
        }
    }

    /// Term of the entry at `index`; index 0 has term 0; `None` past the end. O(log n).
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == 0 {
            Some(0)
        } else {
            self.entries.get(index - 1).map(|e| e.term)
        }
    }

    /// The entry at `index` (1-based). O(log n).
    pub fn entry(&self, index: LogIndex) -> Option<&Entry> {
        index.checked_sub(1).and_then(|i| self.entries.get(i))
    }

    /// All entries, first to last.
    pub fn entries(&self) -> Range<'_, Entry> {
        self.entries.iter()
    }

    /// The entries from `index` (1-based) to the end; none past the end. O(log n) to start.
    pub fn entries_from(&self, index: LogIndex) -> Range<'_, Entry> {
        self.entries.iter_from(index.saturating_sub(1))
    }

    /// The entries from `from` to `to` (1-based, inclusive; clamped to the log), in order or
    /// reversed. O(log n) to start.
    pub fn entries_in(&self, from: LogIndex, to: LogIndex) -> Range<'_, Entry> {
        self.entries.iter_range(from.saturating_sub(1), to)
    }

    /// The entries from `index` (1-based) to the end, sharing this log's storage (what an
    /// AppendEntries carries). O(log n).
    pub fn suffix(&self, index: LogIndex) -> Entries {
        self.entries.suffix(index.saturating_sub(1))
    }

    /// The terms of all entries, first to last.
    pub fn terms(&self) -> impl DoubleEndedIterator<Item = Term> + ExactSizeIterator + '_ {
        self.entries.iter().map(|e| e.term)
    }

    /// Appends one entry at the end (the leader's side); returns its index.
    pub fn push(&mut self, entry: Entry) -> LogIndex {
        self.entries.push(entry);
        let index = self.entries.len();
        self.mark_changed(index);
        index
    }

    /// Keeps only the first `len` entries (what is removed is a change the invariant
    /// monitor must see).
    pub fn truncate(&mut self, len: LogIndex) {
        if len < self.entries.len() {
            self.entries.truncate(len);
            self.mark_changed(len + 1);
        }
    }

    /// Whether an AppendEntries with this `prev_log_index`/`prev_log_term` fits the log.
    pub fn check_prev(&self, prev_index: LogIndex, prev_term: Term) -> Result<(), AppendMismatch> {
        match self.term_at(prev_index) {
            None => Err(AppendMismatch::Missing {
                log_len: self.len(),
            }),
            Some(found) if found != prev_term => Err(AppendMismatch::TermDiffers { found }),
            Some(_) => Ok(()),
        }
    }

    /// The follower's side of AppendEntries (Figure 2, receiver steps 2–4), with a report of
    /// what changed. Entries already present with the same term are kept, so a stale or
    /// duplicated message never truncates the log.
    pub fn try_append(
        &mut self,
        prev_index: LogIndex,
        prev_term: Term,
        entries: impl Into<Entries>,
    ) -> Result<AppendReport, AppendMismatch> {
        self.check_prev(prev_index, prev_term)?;
        let entries = entries.into();
        if entries.is_empty() {
            return Ok(AppendReport::default());
        }
        // Entries already present with the same term are skipped (Log Matching: they are the
        // same entries).
        let present = entries
            .iter()
            .zip(
                self.entries
                    .iter_range(prev_index, prev_index + entries.len()),
            )
            .take_while(|(new, old)| new.term == old.term)
            .count();
        let mut report = AppendReport::default();
        if present == entries.len() {
            return Ok(report);
        }
        let index = prev_index + 1 + present;
        if let Some(existing) = self.term_at(index) {
            report.truncated = Some(Truncation {
                from: index,
                removed: self.len() - index + 1,
                old_term: existing,
                new_term: entries.get(present).map_or(0, |e| e.term),
            });
            self.entries.truncate(index - 1);
        }
        let rest = entries.suffix(present);
        report.appended = rest.len();
        self.entries.append(rest);
        self.mark_changed(index);
        Ok(report)
    }

    /// The brief's `append_entries(prev_index, prev_term, entries)`: true when the entries were
    /// accepted (or, with no entries, when the append would be legal).
    pub fn append_entries(
        &mut self,
        prev_index: LogIndex,
        prev_term: Term,
        entries: impl Into<Entries>,
    ) -> bool {
        self.try_append(prev_index, prev_term, entries).is_ok()
    }

    /// The lowest index written or removed since the last call, and forgets it: `None` when
    /// the log has not changed. The invariant monitor re-checks from there.
    pub(crate) fn take_change(&mut self) -> Option<LogIndex> {
        self.changed_from.take()
    }

    fn mark_changed(&mut self, index: LogIndex) {
        self.changed_from = Some(self.changed_from.map_or(index, |from| from.min(index)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(log: &Log) -> Vec<Term> {
        log.terms().collect()
    }

    /// Figure 7's followers (a)–(f).
    fn figure7_followers() -> Vec<(&'static str, Log)> {
        vec![
            ("a", Log::from_terms(&[1, 1, 1, 4, 4, 5, 5, 6, 6])),
            ("b", Log::from_terms(&[1, 1, 1, 4])),
            ("c", Log::from_terms(&[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6])),
            ("d", Log::from_terms(&[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7])),
            ("e", Log::from_terms(&[1, 1, 1, 4, 4, 4, 4])),
            ("f", Log::from_terms(&[1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3])),
        ]
    }

    #[test]
    fn figure7_append_table() {
        let expected = [false, false, true, true, false, false];
        for ((name, mut log), want) in figure7_followers().into_iter().zip(expected) {
            let got = log.append_entries(10, 6, &[Entry::of_term(8)]);
            assert_eq!(got, want, "follower ({name})");
        }
    }

    #[test]
    fn figure7_accepting_followers_end_with_the_leaders_entry() {
        let mut c = Log::from_terms(&[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]);
        assert!(c.append_entries(10, 6, &[Entry::of_term(8)]));
        assert_eq!(terms(&c), vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8]);
        let mut d = Log::from_terms(&[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]);
        assert!(d.append_entries(10, 6, &[Entry::of_term(8)]));
        assert_eq!(terms(&d), vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8]);
    }

    #[test]
    fn prev_index_zero_always_matches() {
        let mut log = Log::new();
        assert!(log.append_entries(0, 0, &[]));
        assert!(log.append_entries(0, 0, &[Entry::of_term(1)]));
        assert_eq!(terms(&log), vec![1]);
    }

    #[test]
    fn prev_index_past_the_end_is_refused() {
        let mut log = Log::from_terms(&[1, 1]);
        assert_eq!(
            log.try_append(3, 1, &[]),
            Err(AppendMismatch::Missing { log_len: 2 })
        );
        assert_eq!(terms(&log), vec![1, 1]);
    }

    #[test]
    fn prev_term_mismatch_is_refused_and_changes_nothing() {
        let mut log = Log::from_terms(&[1, 2]);
        assert_eq!(
            log.try_append(2, 3, &[Entry::of_term(3)]),
            Err(AppendMismatch::TermDiffers { found: 2 })
        );
        assert_eq!(terms(&log), vec![1, 2]);
    }

    #[test]
    fn conflicting_suffix_is_deleted_and_replaced() {
        let mut log = Log::from_terms(&[1, 2, 2, 2]);
        let report = log.try_append(1, 1, &[Entry::of_term(3)]).unwrap();
        assert_eq!(terms(&log), vec![1, 3]);
        assert_eq!(
            report.truncated,
            Some(Truncation {
                from: 2,
                removed: 3,
                old_term: 2,
                new_term: 3
            })
        );
        assert_eq!(report.appended, 1);
    }

    #[test]
    fn repeating_a_call_changes_nothing() {
        let mut log = Log::from_terms(&[1]);
        let entries = [Entry::of_term(2), Entry::of_term(2)];
        assert!(log.append_entries(1, 1, &entries));
        let once = log.clone();
        let report = log.try_append(1, 1, &entries).unwrap();
        assert_eq!(log, once);
        assert_eq!(report, AppendReport::default());
    }

    #[test]
    fn stale_shorter_message_never_truncates() {
        let mut log = Log::from_terms(&[1]);
        assert!(log.append_entries(1, 1, &[Entry::of_term(2), Entry::of_term(2)]));
        // An older, shorter message for the same leader arrives late.
        assert!(log.append_entries(1, 1, &[Entry::of_term(2)]));
        assert!(log.append_entries(0, 0, &[]));
        assert_eq!(terms(&log), vec![1, 2, 2]);
    }

    #[test]
    fn empty_entries_only_report_legality() {
        let mut log = Log::from_terms(&[1, 1, 2]);
        assert!(log.append_entries(2, 1, &[]));
        assert!(!log.append_entries(3, 1, &[]));
        assert_eq!(terms(&log), vec![1, 1, 2]);
    }

    #[test]
    fn positions_and_slices() {
        let log = Log::from_terms(&[1, 1, 3]);
        assert_eq!(log.last_position(), LogPosition { index: 3, term: 3 });
        assert_eq!(log.term_at(0), Some(0));
        assert_eq!(log.term_at(4), None);
        assert_eq!(log.entries_from(2).len(), 2);
        assert_eq!(log.entries_from(4).len(), 0);
        assert_eq!(log.entries_from(9).len(), 0);
        assert_eq!(Log::new().last_position(), LogPosition::default());
    }
}
