//! The one place events become plain English, each naming its rule and the paper's section.
//! A teacher reads these aloud.

use super::event::{
    ActionName, AppendRejection, Deviation, Event, IgnoreReason, LossReason, RefusalReason,
    Violation, VoteRefusal,
};
use super::log::AppendMismatch;
use super::quorum;
use super::time::{TimerWhy, format_ms};
use super::types::Role;
use super::types::{LogPosition, ServerId, ServerSet};
use std::fmt::Write;

/// Server names for explanations: `names[id]`, or `S<id>` when none is given.
#[derive(Clone, Copy, Debug, Default)]
pub struct Names<'a>(pub &'a [String]);

impl Names<'_> {
    /// The name of server `id`.
    pub fn of(&self, id: ServerId) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| format!("S{id}"))
    }

    fn list(&self, set: ServerSet) -> String {
        let names: Vec<String> = set.iter().map(|id| self.of(id)).collect();
        names.join(", ")
    }
}

fn pos(p: LogPosition) -> String {
    format!("(index {}, term {})", p.index, p.term)
}

/// "a RequestVote", "an AppendEntries".
fn a_kind(kind: super::message::MessageKind) -> String {
    let name = kind.as_str();
    let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// "1 entry", "3 entries".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "but this cluster votes twice in a term": how an explanation turns when a mutant decided.
fn but(deviation: Deviation) -> String {
    format!("but {}", deviation.bug().plain())
}

/// One sentence explaining `event`.
pub fn explain(event: &Event, names: Names<'_>) -> String {
    let n = |id| names.of(id);
    match *event {
        Event::BecameFollower { server, term } => {
            format!(
                "{} becomes a follower in term {term}: it turns passive and starts nothing (§5.2).",
                n(server)
            )
        }
        Event::BecameCandidate {
            server,
            term,
            peers: 0,
        } => format!(
            "{} becomes a candidate for term {term} and votes for itself; it is the only server, so that vote is a majority (§5.2).",
            n(server)
        ),
        Event::BecameCandidate { server, term, .. } => format!(
            "{} becomes a candidate for term {term}: it votes for itself and asks every other server for a vote (§5.2).",
            n(server)
        ),
        Event::BecameLeader {
            server,
            term,
            peers: 0,
            ..
        } => format!(
            "{} becomes leader for term {term}; with no followers, what it appends is stored on a majority at once (§5.2, §5.3).",
            n(server)
        ),
        Event::BecameLeader {
            server,
            term,
            next_index,
            ..
        } => format!(
            "{} becomes leader for term {term}: next_index is {next_index} and match_index 0 for every follower, and it sends AppendEntries to all to assert its leadership (§5.2, §5.3).",
            n(server)
        ),
        Event::TermAdopted {
            server,
            from,
            kind,
            old_term,
            new_term,
            was,
        } => {
            let role = match was {
                super::types::Role::Follower => "stays a follower".to_string(),
                other => format!(
                    "steps down from {} to follower",
                    other.as_str().to_lowercase()
                ),
            };
            format!(
                "{} sees term {new_term} in {} from {}, newer than its own {old_term}: it adopts term {new_term}, forgets its vote and {role} (§5.1).",
                n(server),
                a_kind(kind),
                n(from)
            )
        }
        Event::CandidateConcedes {
            server,
            leader,
            term,
        } => format!(
            "{}, a candidate in term {term}, hears AppendEntries from {} for the same term: {} has won, so {} becomes a follower (§5.2).",
            n(server),
            n(leader),
            n(leader),
            n(server)
        ),
        Event::VoteGranted {
            voter,
            candidate,
            term,
            candidate_last,
            voter_last,
            mutant,
        } => {
            let how = if candidate_last == voter_last {
                "as up-to-date as".to_string()
            } else if candidate_last.at_least_as_up_to_date_as(voter_last) {
                "more up-to-date than".to_string()
            } else {
                // Only a mutant that skips the check grants such a vote.
                "less up-to-date than".to_string()
            };
            let logs = format!(
                "{}'s log ends at {}, {how} {}'s {}",
                n(candidate),
                pos(candidate_last),
                n(voter),
                pos(voter_last)
            );
            let granted = format!(
                "{} grants its vote to {} for term {term}",
                n(voter),
                n(candidate)
            );
            match mutant {
                Some(d @ Deviation::VotedTwice { voted_for }) => format!(
                    "{granted} — {}: {} had already voted for {} in term {term}; the correct rule (one vote per term, §5.2) would refuse. {logs} (§5.4.1).",
                    but(d),
                    n(voter),
                    if voted_for == voter {
                        "itself".to_string()
                    } else {
                        n(voted_for)
                    }
                ),
                Some(d @ Deviation::SkippedLogCheck) => format!(
                    "{granted} — {}: {logs}; the correct rule (grant only a candidate whose log is at least as up-to-date as the voter's, §5.4.1) would refuse. {} had not voted for anyone else in term {term} (§5.2).",
                    but(d),
                    n(voter)
                ),
                _ => format!(
                    "{granted}: it has not voted for anyone else, and {logs} (§5.2, §5.4.1)."
                ),
            }
        }
        Event::VoteRefused {
            voter,
            candidate,
            term,
            reason,
        } => {
            let why = match reason {
                VoteRefusal::StaleTerm { own_term } => format!(
                    "term {term} is older than its own term {own_term}, so it answers no with term {own_term} (§5.1)"
                ),
                VoteRefusal::AlreadyVoted { voted_for } => format!(
                    "it already voted for {} in term {term}, and a server votes once per term (§5.2)",
                    n(voted_for)
                ),
                VoteRefusal::LogNotUpToDate {
                    candidate_last,
                    voter_last,
                } => {
                    let detail = if candidate_last.term < voter_last.term {
                        "an older last term".to_string()
                    } else {
                        "the same last term but a shorter log".to_string()
                    };
                    format!(
                        "{}'s log ends at {}, {}'s at {}: {detail}, so the candidate's log is not up-to-date (§5.4.1)",
                        n(candidate),
                        pos(candidate_last),
                        n(voter),
                        pos(voter_last)
                    )
                }
            };
            format!(
                "{} refuses its vote to {} for term {term}: {why}.",
                n(voter),
                n(candidate)
            )
        }
        Event::VoteCounted {
            candidate,
            voter,
            term,
            granted,
            votes,
            needed,
            mutant,
        } => {
            let counts = format!(
                "{} counts {}'s {} for term {term}",
                n(candidate),
                n(voter),
                if granted { "yes" } else { "no" }
            );
            let tally = format!(
                "{votes} vote{} of the {needed} needed",
                if votes == 1 { "" } else { "s" }
            );
            match mutant {
                Some(d @ Deviation::CountedStaleVote { vote_term }) => format!(
                    "{counts} — {}: {} gave that vote in term {vote_term}; the correct rule (a vote counts only in the term it was given for, §5.1, §5.2) would ignore it. {} now has {tally}.",
                    but(d),
                    n(voter),
                    n(candidate)
                ),
                _ => format!("{counts}: {tally} (§5.2)."),
            }
        }
        Event::DuplicateVoteIgnored {
            candidate,
            voter,
            term,
        } => format!(
            "{} already counted {}'s answer for term {term}; a voter counts once (§5.2).",
            n(candidate),
            n(voter)
        ),
        Event::ElectionWon {
            server,
            term,
            votes,
            cluster_size,
        } => format!(
            "{} wins term {term} with votes from {} ({} of {cluster_size}, a majority is {}) (§5.2).",
            n(server),
            names.list(votes),
            votes.len(),
            quorum::majority(cluster_size)
        ),
        Event::ElectionLost {
            server,
            term,
            refused,
            cluster_size,
        } => format!(
            "{} cannot win term {term}: {} refused ({} of {cluster_size}), so no majority is left; it stays a candidate until its next election timeout (§5.2).",
            n(server),
            names.list(refused),
            refused.len()
        ),
        Event::AppendAccepted {
            follower,
            leader,
            term,
            prev,
            sent,
            appended,
            log_len,
            mutant,
        } => {
            let what = match (sent, appended) {
                (0, _) => "no entries to add (a heartbeat)".to_string(),
                (s, 0) => format!(
                    "already has all {s} entr{}",
                    if s == 1 { "y" } else { "ies" }
                ),
                (_, a) => format!("appends {a} entr{}", if a == 1 { "y" } else { "ies" }),
            };
            let accepts = format!(
                "{} accepts AppendEntries from {} (term {term})",
                n(follower),
                n(leader)
            );
            let matches = format!(
                "log matches at {}; {what}; its log now has {} (§5.3)",
                pos(prev),
                count(log_len, "entry", "entries")
            );
            match mutant {
                Some(d @ Deviation::ObeyedStaleLeader { own_term }) => format!(
                    "{accepts} — {}: {} is already in term {own_term}, and the correct rule (reply false if term < currentTerm, §5.1) would reject it. Its {matches}.",
                    but(d),
                    n(follower)
                ),
                _ => format!("{accepts}: its {matches}."),
            }
        }
        Event::AppendRejected {
            follower,
            leader,
            term,
            reason,
            mutant,
        } => {
            let why = match reason {
                AppendRejection::StaleTerm { own_term } => format!(
                    "term {term} is older than its own term {own_term}, so it answers no with term {own_term}, telling the sender of the newer term (§5.1)"
                ),
                AppendRejection::Mismatch {
                    prev,
                    mismatch: AppendMismatch::Missing { log_len },
                } => format!(
                    "it has no entry at index {} (its log has {log_len}), so the logs may differ there (§5.3)",
                    prev.index
                ),
                AppendRejection::Mismatch {
                    prev,
                    mismatch: AppendMismatch::TermDiffers { found },
                } => format!(
                    "its entry at index {} has term {found}, not {} (§5.3)",
                    prev.index, prev.term
                ),
                AppendRejection::ReceiverIsLeader => format!(
                    "it is itself leader of term {term}; two leaders in one term break Election Safety (§5.2)"
                ),
            };
            let rejects = format!("{} rejects AppendEntries from {}", n(follower), n(leader));
            match mutant {
                Some(d @ Deviation::ObeyedStaleLeader { own_term }) => format!(
                    "{rejects} (term {term}): {why}. But {}: {} is already in term {own_term} and judged the message on its log; the correct rule (reply false if term < currentTerm, §5.1) rejects it for its term alone.",
                    d.bug().plain(),
                    n(follower)
                ),
                _ => format!("{rejects}: {why}."),
            }
        }
        Event::EntriesTruncated {
            server,
            leader,
            truncation: t,
            mutant,
        } => {
            let deletes = format!(
                "{} deletes {} from index {}",
                n(server),
                count(t.removed, "entry", "entries"),
                t.from
            );
            match mutant {
                Some(d @ Deviation::TruncatedWithoutConflict { sent: 0 }) => format!(
                    "{deletes} — {}: {}'s AppendEntries carries no entries, so nothing conflicts; the correct rule (delete an entry and all that follow it only if it conflicts with a new one, §5.3) would keep them.",
                    but(d),
                    n(leader)
                ),
                Some(d @ Deviation::TruncatedWithoutConflict { .. }) => format!(
                    "{deletes} — {}: {}'s entry at index {} has the same term {} as {}'s, so it does not conflict; the correct rule (delete an entry and all that follow it only if it conflicts with a new one, §5.3) would delete nothing before the first conflict.",
                    but(d),
                    n(leader),
                    t.from,
                    t.new_term,
                    n(server)
                ),
                Some(d @ Deviation::ObeyedStaleLeader { own_term }) => format!(
                    "{deletes}: its entry there has term {}, {}'s has term {} — but {}: {}'s AppendEntries is older than {}'s term {own_term}, and the correct rule (reply false if term < currentTerm, §5.1) would reject it and delete nothing.",
                    t.old_term,
                    n(leader),
                    t.new_term,
                    d.bug().plain(),
                    n(leader),
                    n(server)
                ),
                _ => format!(
                    "{deletes}: its entry there has term {}, {}'s has term {} (§5.3).",
                    t.old_term,
                    n(leader),
                    t.new_term
                ),
            }
        }
        Event::FollowerCommitted {
            server,
            leader,
            old,
            new,
            leader_commit,
        } => format!(
            "{} advances its commit index from {old} to {new}: {} has committed up to {leader_commit} and {} holds the leader's entries up to {new} (§5.3).",
            n(server),
            n(leader),
            n(server)
        ),
        Event::MatchRecorded {
            leader,
            follower,
            reported,
            match_index,
            next_index,
        } => {
            if reported < match_index {
                format!(
                    "{} gets a late answer from {} (match {reported}); it already knows {} matches up to {match_index}, so nothing moves back (§5.3).",
                    n(leader),
                    n(follower),
                    n(follower)
                )
            } else {
                format!(
                    "{} records that {}'s log matches its own up to index {match_index}: match_index {match_index}, next_index {next_index} (§5.3).",
                    n(leader),
                    n(follower)
                )
            }
        }
        Event::NextIndexBackedOff {
            leader,
            follower,
            from,
            to,
        } if from == to => format!(
            "{} hears {} reject, but {} is known to match up to index {}: next_index stays {to} and it tries again (§5.3).",
            n(leader),
            n(follower),
            n(follower),
            to - 1
        ),
        Event::NextIndexBackedOff {
            leader,
            follower,
            from,
            to,
        } => format!(
            "{} hears {} reject: it backs next_index for {} off from {from} to {to} and tries again at once (§5.3).",
            n(leader),
            n(follower),
            n(follower)
        ),
        Event::NextBatchSent {
            leader,
            follower,
            from,
            entries,
            cap,
        } => format!(
            "{} sends {} the next entries it lacks at once: AppendEntries from index {from} with {} (at most {cap} per message) (§5.3).",
            n(leader),
            n(follower),
            count(entries, "entry", "entries")
        ),
        Event::LeaderCommitted {
            leader,
            term,
            old,
            index,
            replicas,
            cluster_size,
            mutant,
        } => {
            let commits = format!(
                "{} commits {}",
                n(leader),
                if index == old + 1 {
                    format!("index {index}")
                } else {
                    format!("indexes {} to {index}", old + 1)
                }
            );
            let stored = format!(
                "index {index} is stored on {} ({} of {cluster_size})",
                names.list(replicas),
                replicas.len()
            );
            match mutant {
                Some(d @ Deviation::CommittedOldTerm { entry_term }) => format!(
                    "{commits} — {}: {stored} but comes from term {entry_term}, not the current term {term}; the correct rule (§5.4.2, Figure 8) would wait until an entry of term {term} is stored on a majority.",
                    but(d)
                ),
                _ => format!(
                    "{commits}: {stored} and is from the current term {term} (§5.3, §5.4.2)."
                ),
            }
        }
        Event::CommitWaitsForCurrentTerm {
            leader,
            index,
            entry_term,
            current_term,
            replicas,
        } => format!(
            "{} does not commit index {index} yet: it is stored on {} (a majority) but comes from term {entry_term}, not the current term {current_term}; it will be committed along with the first entry of term {current_term} (§5.4.2, Figure 8).",
            n(leader),
            names.list(replicas)
        ),
        Event::ResponseIgnored {
            server,
            from,
            kind,
            term,
            reason,
        } => match reason {
            IgnoreReason::StaleTerm { own_term } => format!(
                "{} ignores {} from {} for term {term}: it is already in term {own_term} (§5.1).",
                n(server),
                a_kind(kind),
                n(from)
            ),
            IgnoreReason::WrongRole(role) => format!(
                "{} ignores {} from {}: as a {} it no longer needs it.",
                n(server),
                a_kind(kind),
                n(from),
                role.as_str().to_lowercase()
            ),
        },
        Event::ClientRequestAppended {
            leader,
            index,
            term,
        } => format!(
            "{} takes a client request: it appends it at index {index} with term {term} and sends AppendEntries to every follower (§5.3).",
            n(leader)
        ),
        Event::HeartbeatSent { leader, term } => format!(
            "{} sends a heartbeat: AppendEntries for term {term} to every follower, with whatever each one lacks (§5.2, §5.3).",
            n(leader)
        ),
        Event::Crashed { server } => format!(
            "{} crashes. It keeps its term, vote and log on disk; messages sent to it are lost (§5.5).",
            n(server)
        ),
        Event::Restarted { server, term } => format!(
            "{} restarts as a follower in term {term}, with its vote and log intact and its commit index reset to 0 (§5.5, Figure 2).",
            n(server)
        ),
        Event::Refused {
            server,
            action,
            why,
        } => {
            let what = match action {
                ActionName::Timeout => "an election timeout",
                ActionName::ClientRequest => "a client request",
                ActionName::Heartbeat => "a heartbeat",
                ActionName::Crash => "a crash",
                ActionName::Restart => "a restart",
                ActionName::BecomeFollower => "become_follower",
                ActionName::BecomeCandidate => "become_candidate",
                ActionName::BecomeLeader => "become_leader",
            };
            let why = match why {
                RefusalReason::Crashed => "it is crashed".to_string(),
                RefusalReason::NotCrashed => "it is running".to_string(),
                RefusalReason::AlreadyLeader => {
                    "it is the leader, and a leader's election timer does not run (§5.2)"
                        .to_string()
                }
                RefusalReason::NotLeader { role, leader } => format!(
                    "only the leader does that and it is a {}{} (§5.1)",
                    role.as_str().to_lowercase(),
                    leader
                        .map(|l| format!("; the leader it knows is {}", n(l)))
                        .unwrap_or_default()
                ),
            };
            format!("{} refuses {what}: {why}.", n(server))
        }
        Event::MessageLost {
            id,
            from,
            to,
            kind,
            reason,
            ..
        } => {
            let why = match reason {
                LossReason::Dropped => "dropped on purpose",
                LossReason::Partitioned => "the two are in different partitions",
                LossReason::RecipientCrashed => "the recipient is crashed",
                LossReason::LinkCut => "the link between them is cut that way",
            };
            format!(
                "Message #{id} ({kind} {} → {}) is lost: {why}.",
                n(from),
                n(to)
            )
        }
        Event::MessageInjected {
            id,
            from,
            to,
            kind,
            term,
        } => format!(
            "Message #{id} ({kind} {} → {}, term {term}) is injected: made by hand, as if {} had sent it, not by {}'s own rules.",
            n(from),
            n(to),
            n(from),
            n(from)
        ),
        Event::MessageDuplicated { id, copy } => {
            format!("Message #{id} is duplicated: the copy is #{copy}.")
        }
        Event::Partitioned {
            groups,
            cluster_size,
        } => {
            let mut text = String::from("The network splits into");
            let mut seen = Vec::new();
            for &g in &groups[..cluster_size] {
                if seen.contains(&g) {
                    continue;
                }
                seen.push(g);
                let members: ServerSet = (0..cluster_size).filter(|&s| groups[s] == g).collect();
                let _ = write!(
                    text,
                    "{} {{{}}}",
                    if seen.len() == 1 { "" } else { "," },
                    names.list(members)
                );
            }
            text.push_str("; messages between groups are lost.");
            text
        }
        Event::Healed => "The partition heals: every server can reach every other.".to_string(),
        Event::LinkCut { link } if link.both_ways => format!(
            "The link between {} and {} is cut both ways: messages between them are lost, and so are those already on the way.",
            n(link.from),
            n(link.to)
        ),
        Event::LinkCut { link } => format!(
            "The link {} → {} is cut: messages from {} to {} are lost, and so are those already on the way; {} → {} still works.",
            n(link.from),
            n(link.to),
            n(link.from),
            n(link.to),
            n(link.to),
            n(link.from)
        ),
        Event::LinkRestored { link } if link.both_ways => format!(
            "The link between {} and {} is restored both ways.",
            n(link.from),
            n(link.to)
        ),
        Event::LinkRestored { link } => format!(
            "The link {} → {} is restored: messages from {} reach {} again.",
            n(link.from),
            n(link.to),
            n(link.from),
            n(link.to)
        ),
        Event::DeliverAllStopped {
            delivered,
            remaining,
        } => format!(
            "Deliver-all stopped after {delivered} deliveries with {remaining} message{} still in flight.",
            if remaining == 1 { "" } else { "s" }
        ),
        Event::ClockStarted { seed } => format!(
            "The clock starts (seed {seed}): every follower draws an election timeout, every leader will send heartbeats, and messages take time to arrive (§5.2)."
        ),
        Event::TimerReset {
            server,
            timeout,
            why,
        } => {
            let why = match why {
                TimerWhy::GrantedVote(candidate) => {
                    format!("it granted its vote to {} (Figure 2)", n(candidate))
                }
                TimerWhy::ObeyedStaleLeader(leader) => format!(
                    "it obeyed AppendEntries from {}, a leader of an older term — but {}; the correct rule (reply false if term < currentTerm, §5.1) would reject it and leave the timer running",
                    n(leader),
                    super::bug::Bug::AcceptStaleTerm.plain()
                ),
                TimerWhy::HeardFromLeader(leader) => format!(
                    "AppendEntries came from {}, the leader of its term (Figure 2)",
                    n(leader)
                ),
                TimerWhy::StartedElection => {
                    "it started an election; if that one ends with no winner, it starts another (§5.2)".to_string()
                }
                TimerWhy::SteppedDown => {
                    "it is no longer leader, so it waits to hear from one (§5.2)".to_string()
                }
                TimerWhy::Restarted => "it came back as a follower (§5.2)".to_string(),
                TimerWhy::ClockStarted => "the clock started (§5.2)".to_string(),
            };
            format!(
                "{} starts its election timer again with a fresh random timeout of {}: {why}.",
                n(server),
                format_ms(timeout)
            )
        }
        Event::TimerFired {
            server,
            term,
            role: Role::Candidate,
            timeout,
        } => format!(
            "{}'s election timer runs out ({}) while it is still a candidate: term {term} ended with no winner, a split vote, so it starts a new election (§5.2).",
            n(server),
            format_ms(timeout)
        ),
        Event::TimerFired {
            server, timeout, ..
        } => format!(
            "{}'s election timer runs out: {} passed without AppendEntries from a leader or a vote granted, so it starts an election (§5.2).",
            n(server),
            format_ms(timeout)
        ),
        Event::DiskWrite { server, took } => format!(
            "{} writes its term, vote and log to disk before it answers; the write takes {} (Figure 2).",
            n(server),
            format_ms(took)
        ),
        Event::TimingChanged {
            timeout_min,
            timeout_max,
        } => format!(
            "The timing changes: every election timeout drawn from now on lies between {} and {}; timers already running keep theirs (§5.2).",
            format_ms(timeout_min),
            format_ms(timeout_max)
        ),
        Event::TimePassed { from, to } => {
            format!("Time passes from {} to {}.", format_ms(from), format_ms(to))
        }
        Event::AdvanceStopped { fired, at } => format!(
            "The clock stopped at {} after {fired} timed events, short of where it was asked to go: something answers itself without end.",
            format_ms(at)
        ),
        Event::Violation(v) => explain_violation(&v, names),
    }
}

/// One sentence explaining a broken invariant.
pub fn explain_violation(violation: &Violation, names: Names<'_>) -> String {
    let n = |id| names.of(id);
    let text = match *violation {
        Violation::ElectionSafety {
            term,
            first,
            second,
        } => format!(
            "Election Safety broken: {} and {} are both leaders of term {term} (§5.2, Figure 3)",
            n(first),
            n(second)
        ),
        Violation::DoubleVote {
            server,
            term,
            first,
            second,
        } => format!(
            "One Vote per Term broken: {} voted twice in term {term}: for {} and for {} (§5.2)",
            n(server),
            n(first),
            n(second)
        ),
        Violation::LogMatching { a, b, same, index } => format!(
            "Log Matching broken: {} and {} both hold an entry of the same term at index {same}, yet their logs differ at index {index} (§5.3)",
            n(a),
            n(b)
        ),
        Violation::LeaderCompleteness {
            leader,
            term,
            index,
        } => format!(
            "Leader Completeness broken: {}, leader of term {term}, lacks the entry committed at index {index} (§5.4)",
            n(leader)
        ),
        Violation::StateMachineSafety { server, index } => format!(
            "State Machine Safety broken: {} committed a different entry at index {index} than another server (§5.4.3)",
            n(server)
        ),
        Violation::CommittedEntryLost { server, index } => format!(
            "Committed Entries Kept broken: {} lost or changed the entry it had committed at index {index} (§5.4)",
            n(server)
        ),
        Violation::CommitBeyondLog {
            server,
            commit_index,
            log_len,
        } => format!(
            "Commit Within Log broken: {}'s commit index {commit_index} is past the end of its log ({log_len} entries)",
            n(server)
        ),
        Violation::TermDecreased { server, from, to } => format!(
            "Terms Only Grow broken: {}'s term went down from {from} to {to} (§5.1)",
            n(server)
        ),
    };
    format!("INVARIANT VIOLATED: {text}.")
}

/// Why a "deliver all" that stopped at its cap did not settle, from the cluster it left: two
/// leaders of one term that can reach each other answer each other forever; anything else is
/// work not yet done (a long log is repaired one round trip per entry).
pub fn why_deliver_all_stopped(cluster: &super::Cluster, names: Names<'_>) -> String {
    let leaders: Vec<&super::RaftServer> = cluster
        .live_leaders()
        .filter_map(|id| cluster.server(id))
        .collect();
    for (i, a) in leaders.iter().enumerate() {
        if let Some(b) = leaders[i + 1..]
            .iter()
            .find(|b| b.current_term == a.current_term && cluster.network().connected(a.id, b.id))
        {
            return format!(
                "{} and {} are both leaders of term {} and keep answering each other, so this never settles (Election Safety is broken, §5.2)",
                names.of(a.id),
                names.of(b.id),
                a.current_term
            );
        }
    }
    "the cluster had not settled yet (a long log is repaired one round trip per entry); deliver all again to go on".to_string()
}
