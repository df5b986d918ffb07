//! The replicated log (the course's Project 4): entries indexed from 1, and the follower's
//! side of AppendEntries.

use super::types::{LogIndex, LogPosition, Term};
use std::sync::Arc;

/// A client command. Shared, so copying entries into messages and undo snapshots is cheap.
pub type Command = Arc<str>;

/// One log entry: the term it was created in and the client's command.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The leader's term when the entry was created.
    pub term: Term,
    /// The client's command (may be empty in scenarios that only care about terms).
    pub command: Command,
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

/// A log of entries, 1-indexed as in the paper.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Log {
    entries: Vec<Entry>,
}

impl From<Vec<Entry>> for Log {
    fn from(entries: Vec<Entry>) -> Log {
        Log { entries }
    }
}

impl Log {
    /// An empty log.
    pub fn new() -> Log {
        Log::default()
    }

    /// A log whose entries have these terms and empty commands.
    pub fn from_terms(terms: &[Term]) -> Log {
        Log {
            entries: terms.iter().map(|&t| Entry::of_term(t)).collect(),
        }
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

    /// Term of the entry at `index`; index 0 has term 0; `None` past the end.
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == 0 {
            Some(0)
        } else {
            self.entries.get(index - 1).map(|e| e.term)
        }
    }

    /// The entry at `index` (1-based).
    pub fn entry(&self, index: LogIndex) -> Option<&Entry> {
        index.checked_sub(1).and_then(|i| self.entries.get(i))
    }

    /// All entries, first to last.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries from `index` (1-based) to the end; empty past the end.
    pub fn entries_from(&self, index: LogIndex) -> &[Entry] {
        let start = index.saturating_sub(1).min(self.entries.len());
        &self.entries[start..]
    }

    /// The terms of all entries, first to last.
    pub fn terms(&self) -> impl Iterator<Item = Term> + '_ {
        self.entries.iter().map(|e| e.term)
    }

    /// Appends one entry at the end (the leader's side); returns its index.
    pub fn push(&mut self, entry: Entry) -> LogIndex {
        self.entries.push(entry);
        self.entries.len()
    }

    /// Keeps only the first `len` entries.
    pub fn truncate(&mut self, len: LogIndex) {
        self.entries.truncate(len);
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
        entries: &[Entry],
    ) -> Result<AppendReport, AppendMismatch> {
        self.check_prev(prev_index, prev_term)?;
        let mut report = AppendReport::default();
        for (offset, entry) in entries.iter().enumerate() {
            let index = prev_index + 1 + offset;
            match self.term_at(index) {
                Some(existing) if existing == entry.term => continue,
                Some(existing) => {
                    report.truncated = Some(Truncation {
                        from: index,
                        removed: self.len() - index + 1,
                        old_term: existing,
                        new_term: entry.term,
                    });
                    self.entries.truncate(index - 1);
                }
                None => {}
            }
            let rest = &entries[offset..];
            report.appended = rest.len();
            self.entries.extend_from_slice(rest);
            break;
        }
        Ok(report)
    }

    /// The brief's `append_entries(prev_index, prev_term, entries)`: true when the entries were
    /// accepted (or, with no entries, when the append would be legal).
    pub fn append_entries(
        &mut self,
        prev_index: LogIndex,
        prev_term: Term,
        entries: &[Entry],
    ) -> bool {
        self.try_append(prev_index, prev_term, entries).is_ok()
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
