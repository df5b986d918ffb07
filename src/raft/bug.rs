//! Deliberate bugs ("mutants") for teaching and for the explorer: each one breaks exactly one
//! rule of Figure 2, so that a search (or a class) can watch a safety property fail and see
//! which rule would have stopped it. Off by default; a server consults its `bug` only at the
//! rule that bug breaks, so the correct path never changes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One broken rule. A cluster runs at most one.
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
pub enum Bug {
    /// A voter ignores `voted_for`: it grants every up-to-date candidate of its term (§5.2).
    VoteTwice,
    /// A voter skips the up-to-date check on the candidate's log (§5.4.1).
    NoLogCheck,
    /// A leader commits an entry of an earlier term by counting replicas (§5.4.2, Figure 8).
    CommitOldTerm,
    /// A follower obeys AppendEntries from a leader of an older term (§5.1).
    AcceptStaleTerm,
    /// A candidate counts vote grants from an earlier term (§5.1, §5.2).
    CountStaleVotes,
    /// A follower deletes everything after `prev_log_index` on every AppendEntries, even a
    /// stale or duplicated one whose entries it already holds (§5.3).
    TruncateAlways,
}

impl Bug {
    /// Every bug, in teaching order.
    pub const ALL: [Bug; 6] = [
        Bug::VoteTwice,
        Bug::NoLogCheck,
        Bug::CommitOldTerm,
        Bug::AcceptStaleTerm,
        Bug::CountStaleVotes,
        Bug::TruncateAlways,
    ];

    /// The name used on the command line and in scenario files, e.g. `vote-twice`.
    pub fn name(self) -> &'static str {
        match self {
            Bug::VoteTwice => "vote-twice",
            Bug::NoLogCheck => "no-log-check",
            Bug::CommitOldTerm => "commit-old-term",
            Bug::AcceptStaleTerm => "accept-stale-term",
            Bug::CountStaleVotes => "count-stale-votes",
            Bug::TruncateAlways => "truncate-always",
        }
    }

    /// The bug with this name.
    pub fn from_name(name: &str) -> Option<Bug> {
        Bug::ALL.into_iter().find(|b| b.name() == name)
    }

    /// What the cluster does wrong, in plain words for the screen's header:
    /// "this cluster votes twice".
    pub fn plain(self) -> &'static str {
        match self {
            Bug::VoteTwice => "this cluster votes twice in a term",
            Bug::NoLogCheck => "this cluster votes for candidates with stale logs",
            Bug::CommitOldTerm => "this cluster commits old-term entries by counting replicas",
            Bug::AcceptStaleTerm => "this cluster obeys leaders of older terms",
            Bug::CountStaleVotes => "this cluster counts votes from earlier terms",
            Bug::TruncateAlways => "this cluster truncates logs on every AppendEntries",
        }
    }

    /// What the cluster does wrong in a few words, for the header of a narrow screen:
    /// "votes twice". [`Bug::plain`] says it in full where there is room.
    pub fn short_plain(self) -> &'static str {
        match self {
            Bug::VoteTwice => "votes twice",
            Bug::NoLogCheck => "votes for stale logs",
            Bug::CommitOldTerm => "commits old-term entries",
            Bug::AcceptStaleTerm => "obeys stale leaders",
            Bug::CountStaleVotes => "counts stale votes",
            Bug::TruncateAlways => "always truncates logs",
        }
    }

    /// The rule the bug skips, as Figure 2 states it, with its section: what would have
    /// stopped the failure.
    pub fn rule(self) -> &'static str {
        match self {
            Bug::VoteTwice => {
                "RequestVote: grant only if votedFor is null or the candidate, so each server votes at most once per term (§5.2)"
            }
            Bug::NoLogCheck => {
                "RequestVote: grant only if the candidate's log is at least as up-to-date as the voter's (§5.4.1)"
            }
            Bug::CommitOldTerm => {
                "A leader commits by counting replicas only entries of its own term; older ones are committed with them (§5.4.2)"
            }
            Bug::AcceptStaleTerm => "AppendEntries: reply false if term < currentTerm (§5.1)",
            Bug::CountStaleVotes => {
                "A response with an older term is ignored: a vote counts only in the term it was given for (§5.1, §5.2)"
            }
            Bug::TruncateAlways => {
                "AppendEntries: delete an existing entry and all that follow it only if it conflicts with a new one (§5.3)"
            }
        }
    }
}

impl fmt::Display for Bug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Bug {
    type Err = String;

    fn from_str(name: &str) -> Result<Bug, String> {
        Bug::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Bug::ALL.iter().map(|b| b.name()).collect();
            format!(
                "no bug is named \"{name}\" (the bugs are {})",
                names.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::{
        Action, Cluster, Event, Log, MessageKind, Names, Role, ServerAction, ServerId, ServerState,
        Violation, explain,
    };

    /// Delivers the oldest message from `from` to `to`; returns the events.
    fn deliver(cluster: &mut Cluster, from: ServerId, to: ServerId) -> Vec<Event> {
        let id = cluster
            .in_flight()
            .find(|m| m.from == from && m.to == to)
            .map(|m| m.id)
            .expect("a message is in flight");
        cluster.apply(&Action::Deliver(id)).expect("delivers")
    }

    fn timeout(cluster: &mut Cluster, server: ServerId) {
        cluster
            .apply(&Action::on(server, ServerAction::Timeout))
            .expect("times out");
    }

    fn broke(events: &[Event], bug: Bug) -> bool {
        events
            .iter()
            .any(|e| e.deviation().is_some_and(|d| d.bug() == bug))
    }

    /// The explanation of the one event in `events` that the mutant decided, which must say
    /// that this cluster broke the rule and what the correct rule would do.
    fn told(events: &[Event], bug: Bug) -> String {
        let deviating: Vec<&Event> = events.iter().filter(|e| e.deviation().is_some()).collect();
        assert_eq!(deviating.len(), 1, "{events:?}");
        let text = explain(deviating[0], Names::default());
        assert!(
            text.contains(&format!(" — but {}: ", bug.plain())),
            "{text}"
        );
        assert!(text.contains("the correct rule ("), "{text}");
        text
    }

    /// Runs `script` on a correct and on a mutated cluster built from `states`; returns both.
    fn both(
        states: &[ServerState],
        bug: Bug,
        script: impl Fn(&mut Cluster) -> Vec<Event>,
    ) -> ((Cluster, Vec<Event>), (Cluster, Vec<Event>)) {
        let mut correct = Cluster::from_states(states.to_vec());
        let mut mutant = Cluster::with_bug(states.to_vec(), Some(bug));
        assert_eq!(mutant.bug(), Some(bug));
        let a = script(&mut correct);
        let b = script(&mut mutant);
        ((correct, a), (mutant, b))
    }

    #[test]
    fn vote_twice_grants_a_second_candidate_of_the_same_term() {
        let fresh = vec![ServerState::default(); 3];
        let ((raft, raft_events), (mutant, events)) = both(&fresh, Bug::VoteTwice, |c| {
            timeout(c, 0);
            timeout(c, 1);
            deliver(c, 0, 2);
            deliver(c, 1, 2)
        });
        assert_eq!(raft.servers()[2].voted_for, Some(0));
        assert!(!broke(&raft_events, Bug::VoteTwice));
        assert_eq!(mutant.servers()[2].voted_for, Some(1));
        let text = told(&events, Bug::VoteTwice);
        assert!(text.starts_with("S2 grants its vote to S1 for term 2 — but"));
        assert!(
            text.contains("S2 had already voted for S0 in term 2"),
            "{text}"
        );
        assert!(
            text.contains("(one vote per term, §5.2) would refuse"),
            "{text}"
        );
        assert!(!text.contains("has not voted"), "{text}");
        assert!(matches!(
            mutant.violations(),
            [Violation::DoubleVote { server: 2, .. }]
        ));
    }

    #[test]
    fn no_log_check_votes_for_a_shorter_log() {
        let mut states = vec![ServerState::default(); 3];
        states[0].log = Log::from_terms(&[1]);
        let ((raft, _), (mutant, events)) = both(&states, Bug::NoLogCheck, |c| {
            timeout(c, 1);
            deliver(c, 1, 0)
        });
        assert_eq!(raft.servers()[0].voted_for, None);
        assert_eq!(mutant.servers()[0].voted_for, Some(1));
        let text = told(&events, Bug::NoLogCheck);
        assert!(
            text.contains("less up-to-date than S0's (index 1, term 1)"),
            "{text}"
        );
        assert!(text.contains("§5.4.1) would refuse"), "{text}");
    }

    #[test]
    fn commit_old_term_commits_by_counting_replicas() {
        // S0 holds a term-1 entry that S1 also holds; S0 wins term 2 and learns S1 matches.
        let mut states = vec![ServerState::default(); 3];
        states[0].log = Log::from_terms(&[1]);
        states[1].log = Log::from_terms(&[1]);
        let ((raft, _), (mutant, events)) = both(&states, Bug::CommitOldTerm, |c| {
            timeout(c, 0);
            deliver(c, 0, 1);
            deliver(c, 1, 0);
            deliver(c, 0, 1); // AppendEntries
            deliver(c, 1, 0)
        });
        assert_eq!(raft.servers()[0].role, Role::Leader);
        assert_eq!(raft.servers()[0].commit_index, 0);
        assert_eq!(mutant.servers()[0].commit_index, 1);
        let text = told(&events, Bug::CommitOldTerm);
        assert!(
            text.contains("comes from term 1, not the current term 2"),
            "{text}"
        );
        assert!(!text.contains("is from the current term"), "{text}");
    }

    #[test]
    fn accept_stale_term_obeys_an_old_leader() {
        // S0 leads term 2; S1 moves on to term 3 before S0's AppendEntries arrive.
        let fresh = vec![ServerState::default(); 3];
        let ((raft, _), (mutant, events)) = both(&fresh, Bug::AcceptStaleTerm, |c| {
            timeout(c, 0);
            deliver(c, 0, 1);
            deliver(c, 1, 0);
            c.apply(&Action::on(0, ServerAction::ClientRequest("x".into())))
                .expect("appends");
            timeout(c, 2);
            timeout(c, 2);
            deliver(c, 2, 1); // term 2: S1 already voted
            deliver(c, 2, 1); // term 3: S1 adopts it
            let first = c
                .in_flight()
                .find(|m| m.from == 0 && m.to == 1)
                .map(|m| m.id);
            c.apply(&Action::Drop(first.expect("first AppendEntries")))
                .expect("drops");
            deliver(c, 0, 1)
        });
        assert_eq!(raft.servers()[1].log.len(), 0);
        assert_eq!(mutant.servers()[1].log.len(), 1);
        assert_eq!(mutant.servers()[1].current_term, 3);
        let text = told(&events, Bug::AcceptStaleTerm);
        assert!(
            text.starts_with("S1 accepts AppendEntries from S0 (term 2) — but"),
            "{text}"
        );
        assert!(text.contains("S1 is already in term 3"), "{text}");
    }

    #[test]
    fn count_stale_votes_wins_with_a_grant_from_an_earlier_term() {
        let fresh = vec![ServerState::default(); 3];
        let ((raft, _), (mutant, events)) = both(&fresh, Bug::CountStaleVotes, |c| {
            timeout(c, 0);
            deliver(c, 0, 1);
            timeout(c, 0);
            deliver(c, 1, 0)
        });
        assert_eq!(raft.servers()[0].role, Role::Candidate);
        assert_eq!(mutant.servers()[0].role, Role::Leader);
        assert_eq!(mutant.servers()[0].current_term, 3);
        let text = told(&events, Bug::CountStaleVotes);
        assert!(text.contains("S1 gave that vote in term 2"), "{text}");
        assert!(text.contains("would ignore it"), "{text}");
    }

    #[test]
    fn truncate_always_deletes_entries_a_late_heartbeat_does_not_mention() {
        let fresh = vec![ServerState::default(); 3];
        let ((raft, _), (mutant, events)) = both(&fresh, Bug::TruncateAlways, |c| {
            timeout(c, 0);
            deliver(c, 0, 1);
            deliver(c, 1, 0);
            c.apply(&Action::on(0, ServerAction::ClientRequest("x".into())))
                .expect("appends");
            // The entry arrives before the leader's first, empty AppendEntries.
            let second = c
                .in_flight()
                .filter(|m| m.from == 0 && m.to == 1)
                .map(|m| m.id)
                .nth(1);
            c.apply(&Action::Deliver(second.expect("second AppendEntries")))
                .expect("delivers");
            assert_eq!(c.servers()[1].log.len(), 1);
            let late = c.in_flight().find(|m| m.from == 0 && m.to == 1);
            assert_eq!(
                late.map(|m| m.message.kind()),
                Some(MessageKind::AppendEntries)
            );
            deliver(c, 0, 1)
        });
        assert_eq!(raft.servers()[1].log.len(), 1);
        assert_eq!(mutant.servers()[1].log.len(), 0);
        let text = told(&events, Bug::TruncateAlways);
        assert!(
            text.starts_with("S1 deletes 1 entry from index 1 — but"),
            "{text}"
        );
        assert!(text.contains("carries no entries"), "{text}");
    }

    /// Under truncate-always, an AppendEntries whose first entry conflicts deletes what Raft
    /// deletes too: that is told as Raft's own rule, with no mutant in it.
    #[test]
    fn truncate_always_agrees_with_raft_on_a_conflict() {
        let mut states = vec![ServerState::default(); 3];
        states[1].log = Log::from_terms(&[1]);
        let ((raft, raft_events), (mutant, events)) = both(&states, Bug::TruncateAlways, |c| {
            timeout(c, 0);
            deliver(c, 0, 2);
            deliver(c, 2, 0);
            c.apply(&Action::on(0, ServerAction::ClientRequest("x".into())))
                .expect("appends");
            let newest = c
                .in_flight()
                .filter(|m| m.from == 0 && m.to == 1)
                .map(|m| m.id)
                .last();
            c.apply(&Action::Deliver(newest.expect("AppendEntries with x")))
                .expect("delivers")
        });
        assert_eq!(raft.servers()[1].log, mutant.servers()[1].log);
        assert_eq!(mutant.servers()[1].log.len(), 1);
        assert_eq!(raft_events, events);
        let truncated = events
            .iter()
            .find(|e| matches!(e, Event::EntriesTruncated { .. }))
            .expect("the conflict is told");
        assert_eq!(truncated.deviation(), None);
        let text = explain(truncated, Names::default());
        assert!(
            text.contains("its entry there has term 1, S0's has term 2"),
            "{text}"
        );
    }

    /// The explanation of a truncate-always deletion when the AppendEntries carries entries
    /// whose first matches the follower's.
    #[test]
    fn truncate_always_over_a_matching_entry_says_it_does_not_conflict() {
        use crate::raft::event::Deviation;
        use crate::raft::log::Truncation;
        let event = Event::EntriesTruncated {
            server: 1,
            leader: 0,
            truncation: Truncation {
                from: 2,
                removed: 2,
                old_term: 3,
                new_term: 3,
            },
            mutant: Some(Deviation::TruncatedWithoutConflict { sent: 1 }),
        };
        let text = explain(&event, Names::default());
        assert!(
            text.contains(
                "S0's entry at index 2 has the same term 3 as S1's, so it does not conflict"
            ),
            "{text}"
        );
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for bug in Bug::ALL {
            assert_eq!(Bug::from_name(bug.name()), Some(bug));
            assert_eq!(bug.name().parse::<Bug>(), Ok(bug));
            let json = serde_json::to_string(&bug).expect("serializes");
            assert_eq!(json, format!("\"{}\"", bug.name()));
        }
        assert!("vote-thrice".parse::<Bug>().is_err());
    }
}
