//! The invariants themselves, apart from any one violation of them: a name for each, so a
//! scenario can expect one broken and the explorer and the screen can name it.

use super::event::Violation;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A safety property the model checks after every step.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Invariant {
    /// At most one leader per term (§5.2, Figure 3).
    ElectionSafety,
    /// A server votes at most once per term (§5.2).
    OneVotePerTerm,
    /// Same index and term means the same log up to there (§5.3, Figure 3).
    LogMatching,
    /// A leader holds every entry committed in an earlier term (§5.4, Figure 3).
    LeaderCompleteness,
    /// No two servers commit different entries at one index (§5.4.3, Figure 3).
    StateMachineSafety,
    /// A server never loses or changes an entry it has committed.
    CommittedEntriesKept,
    /// A commit index never points past the end of the log.
    CommitWithinLog,
    /// A server's term never goes down (§5.1).
    TermsOnlyGrow,
}

impl Invariant {
    /// Its title, as the paper names it: "Election Safety".
    pub fn title(self) -> &'static str {
        match self {
            Invariant::ElectionSafety => "Election Safety",
            Invariant::OneVotePerTerm => "One Vote per Term",
            Invariant::LogMatching => "Log Matching",
            Invariant::LeaderCompleteness => "Leader Completeness",
            Invariant::StateMachineSafety => "State Machine Safety",
            Invariant::CommittedEntriesKept => "Committed Entries Kept",
            Invariant::CommitWithinLog => "Commit Within Log",
            Invariant::TermsOnlyGrow => "Terms Only Grow",
        }
    }
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

impl Violation {
    /// The invariant this violation breaks.
    pub fn invariant(&self) -> Invariant {
        match self {
            Violation::ElectionSafety { .. } => Invariant::ElectionSafety,
            Violation::DoubleVote { .. } => Invariant::OneVotePerTerm,
            Violation::LogMatching { .. } => Invariant::LogMatching,
            Violation::LeaderCompleteness { .. } => Invariant::LeaderCompleteness,
            Violation::StateMachineSafety { .. } => Invariant::StateMachineSafety,
            Violation::CommittedEntryLost { .. } => Invariant::CommittedEntriesKept,
            Violation::CommitBeyondLog { .. } => Invariant::CommitWithinLog,
            Violation::TermDecreased { .. } => Invariant::TermsOnlyGrow,
        }
    }
}
