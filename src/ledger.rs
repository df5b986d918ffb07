//! The vote ledger: for each term, every candidate against every voter — granted, refused
//! and why, the request lost (and why), or no answer yet. Built from the model's events, so it
//! agrees with the explanations.

use crate::raft::event::{LossReason, VoteRefusal};
use crate::raft::{Event, LogPosition, MessageKind, Names, ServerId, Term};
use std::collections::BTreeMap;

/// What one voter did with one candidate's request in one term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// The candidate itself.
    Own,
    /// Vote granted.
    Granted,
    /// Vote refused, with the reason.
    Refused(VoteRefusal),
    /// Asked, but the request was lost on the way, and why.
    Lost(LossReason),
    /// Asked, and no answer yet: the request is still in flight (a candidate asks every
    /// other server when it stands).
    NoAnswer,
}

/// One term's elections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TermLedger {
    /// The candidates of the term, in the order they stood.
    pub candidates: Vec<ServerId>,
    /// Every server that won the term, in the order they won: one in Raft, two or more when
    /// a mutant (or a forced `become_leader`) breaks Election Safety — the ledger must show
    /// them all, since that is what such a lesson is about.
    pub winners: Vec<ServerId>,
    /// (candidate, voter) → what happened; missing means no answer yet.
    pub cells: BTreeMap<(ServerId, ServerId), Cell>,
}

impl TermLedger {
    /// The cell for a candidate and a voter.
    pub fn cell(&self, candidate: ServerId, voter: ServerId) -> Cell {
        if candidate == voter {
            return Cell::Own;
        }
        self.cells
            .get(&(candidate, voter))
            .copied()
            .unwrap_or(Cell::NoAnswer)
    }
}

/// The ledger of every term with a candidate, from a run's events in order.
pub fn build<'a>(events: impl IntoIterator<Item = &'a Event>) -> BTreeMap<Term, TermLedger> {
    let mut terms: BTreeMap<Term, TermLedger> = BTreeMap::new();
    for event in events {
        match *event {
            Event::BecameCandidate { server, term, .. } => {
                let ledger = terms.entry(term).or_default();
                if !ledger.candidates.contains(&server) {
                    ledger.candidates.push(server);
                }
            }
            Event::VoteGranted {
                voter,
                candidate,
                term,
                ..
            } => {
                terms
                    .entry(term)
                    .or_default()
                    .cells
                    .insert((candidate, voter), Cell::Granted);
            }
            Event::VoteRefused {
                voter,
                candidate,
                term,
                reason,
            } => {
                // Keep a grant if a later duplicate was refused: the vote was given. A refusal
                // of a duplicate tells more than the loss of the first copy.
                let cells = &mut terms.entry(term).or_default().cells;
                let cell = cells
                    .entry((candidate, voter))
                    .or_insert(Cell::Refused(reason));
                if matches!(cell, Cell::Lost(_)) {
                    *cell = Cell::Refused(reason);
                }
            }
            Event::ElectionWon { server, term, .. } => {
                let winners = &mut terms.entry(term).or_default().winners;
                if !winners.contains(&server) {
                    winners.push(server);
                }
            }
            // A lost request: unless an answer came anyway (from a duplicate).
            Event::MessageLost {
                from,
                to,
                kind: MessageKind::RequestVote,
                term,
                reason,
                ..
            } => {
                terms
                    .entry(term)
                    .or_default()
                    .cells
                    .entry((from, to))
                    .or_insert(Cell::Lost(reason));
            }
            _ => {}
        }
    }
    terms.retain(|_, ledger| !ledger.candidates.is_empty());
    terms
}

/// A cell in words, short enough for a table.
pub fn describe(cell: Cell, names: Names) -> String {
    let pos = |p: LogPosition| format!("({}, {})", p.index, p.term);
    match cell {
        Cell::Own => "self".to_string(),
        Cell::Granted => "granted".to_string(),
        Cell::NoAnswer => "asked, no answer yet (the request is in flight)".to_string(),
        Cell::Lost(reason) => format!(
            "asked, request lost ({})",
            match reason {
                LossReason::RecipientCrashed => "recipient crashed",
                LossReason::Partitioned => "partitioned",
                LossReason::Dropped => "dropped",
                LossReason::LinkCut => "link cut",
            }
        ),
        Cell::Refused(VoteRefusal::StaleTerm { own_term }) => {
            format!("refused: stale term (mine is {own_term})")
        }
        Cell::Refused(VoteRefusal::AlreadyVoted { voted_for }) => {
            format!("refused: already voted for {}", names.of(voted_for))
        }
        Cell::Refused(VoteRefusal::LogNotUpToDate {
            candidate_last,
            voter_last,
        }) => format!(
            "refused: log not up-to-date: mine {} vs yours {}",
            pos(voter_last),
            pos(candidate_last)
        ),
    }
}

/// Who won a term, in words: "no winner", "S0 won", or every winner and the warning that a
/// term has more than one leader.
fn outcome(winners: &[ServerId], names: Names) -> String {
    let named: Vec<String> = winners.iter().map(|&w| names.of(w)).collect();
    match named.as_slice() {
        [] => "no winner".to_string(),
        [one] => format!("{one} won"),
        [first, second] => format!("{first} and {second} both won — two leaders in one term"),
        [rest @ .., last] => format!(
            "{} and {last} all won — {} leaders in one term",
            rest.join(", "),
            named.len()
        ),
    }
}

/// The ledger as plain text: one block per term, a line per candidate and voter.
pub fn render_text(
    ledger: &BTreeMap<Term, TermLedger>,
    names: Names,
    cluster_size: usize,
) -> String {
    let mut out = String::new();
    for (term, t) in ledger {
        let outcome = outcome(&t.winners, names);
        out.push_str(&format!("Term {term} ({outcome})\n"));
        for &candidate in &t.candidates {
            out.push_str(&format!("  candidate {}:\n", names.of(candidate)));
            for voter in (0..cluster_size).filter(|&v| v != candidate) {
                out.push_str(&format!(
                    "    {:<10} {}\n",
                    names.of(voter),
                    describe(t.cell(candidate, voter), names)
                ));
            }
        }
    }
    if out.is_empty() {
        out.push_str("No election has been held.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::{Action, Bug, Cluster, ServerAction, ServerState};

    #[test]
    fn two_candidates_show_who_voted_for_whom() {
        let mut c = Cluster::new(4);
        let mut events = Vec::new();
        for action in [
            Action::on(0, ServerAction::Timeout),
            Action::on(1, ServerAction::Timeout),
            Action::DeliverAll,
        ] {
            events.extend(c.apply(&action).unwrap());
        }
        let ledger = build(&events);
        let t2 = &ledger[&2];
        assert_eq!(t2.candidates, vec![0, 1]);
        // FIFO delivery: S2 and S3 hear S0 first, so S0 wins with 3 of 4.
        assert_eq!(t2.winners, vec![0]);
        assert_eq!(t2.cell(0, 0), Cell::Own);
        assert_eq!(t2.cell(0, 2), Cell::Granted);
        assert_eq!(t2.cell(0, 3), Cell::Granted);
        assert_eq!(
            t2.cell(0, 1),
            Cell::Refused(VoteRefusal::AlreadyVoted { voted_for: 1 })
        );
        assert_eq!(
            t2.cell(1, 2),
            Cell::Refused(VoteRefusal::AlreadyVoted { voted_for: 0 })
        );
        let text = render_text(&ledger, Names(&[]), 4);
        assert!(text.contains("Term 2 (S0 won)"), "{text}");
        assert!(text.contains("already voted for S1"), "{text}");
    }

    /// The message in flight from `from` to `to` of this kind.
    fn find(c: &Cluster, from: ServerId, to: ServerId, kind: MessageKind) -> Action {
        let message = c
            .in_flight()
            .find(|m| m.from == from && m.to == to && m.message.kind() == kind)
            .expect("the message is in flight");
        Action::Deliver(message.id)
    }

    #[test]
    fn every_leader_of_a_term_is_listed_when_a_mutant_elects_two() {
        let mut c = Cluster::with_bug(vec![ServerState::default(); 3], Some(Bug::VoteTwice));
        let mut events = Vec::new();
        events.extend(c.apply(&Action::on(0, ServerAction::Timeout)).unwrap());
        events.extend(c.apply(&Action::on(1, ServerAction::Timeout)).unwrap());
        // S1 votes for S0 although it voted for itself; S0 wins; then S2 elects S1.
        for (from, to, kind) in [
            (0, 1, MessageKind::RequestVote),
            (1, 0, MessageKind::RequestVoteResponse),
            (1, 2, MessageKind::RequestVote),
            (2, 1, MessageKind::RequestVoteResponse),
        ] {
            let action = find(&c, from, to, kind);
            events.extend(c.apply(&action).unwrap());
        }
        let ledger = build(&events);
        assert_eq!(ledger[&2].winners, vec![0, 1]);
        let text = render_text(&ledger, Names(&[]), 3);
        assert!(
            text.contains("Term 2 (S0 and S1 both won — two leaders in one term)"),
            "{text}"
        );
    }

    #[test]
    fn three_winners_are_all_named() {
        let names = ["A".to_string(), "B".to_string(), "C".to_string()];
        assert_eq!(
            outcome(&[2, 0, 1], Names(&names)),
            "C, A and B all won — 3 leaders in one term"
        );
        assert_eq!(outcome(&[], Names(&names)), "no winner");
        assert_eq!(outcome(&[1], Names(&names)), "B won");
    }

    #[test]
    fn a_dropped_request_is_asked_and_lost() {
        let mut c = Cluster::new(3);
        let mut events = c.apply(&Action::on(0, ServerAction::Timeout)).unwrap();
        let first = c.in_flight().next().unwrap().id;
        events.extend(c.apply(&Action::Drop(first)).unwrap());
        events.extend(c.apply(&Action::DeliverAll).unwrap());
        let ledger = build(&events);
        assert_eq!(ledger[&2].cell(0, 1), Cell::Lost(LossReason::Dropped));
        assert_eq!(ledger[&2].cell(0, 2), Cell::Granted);
        assert_eq!(ledger[&2].winners, vec![0]);
        let text = render_text(&ledger, Names(&[]), 3);
        assert!(text.contains("asked, request lost (dropped)"), "{text}");
    }

    #[test]
    fn requests_lost_to_a_crash_or_a_partition_say_so_and_unanswered_ones_too() {
        let mut c = Cluster::new(4);
        let mut events = Vec::new();
        for action in [
            Action::on(1, ServerAction::Crash),
            Action::Partition(vec![vec![0, 1, 2], vec![3]]),
            Action::on(0, ServerAction::Timeout),
        ] {
            events.extend(c.apply(&action).unwrap());
        }
        // Deliver the request to S1 (crashed) and leave the one to S2 in flight.
        let to_s1 = c.in_flight().find(|m| m.to == 1).unwrap().id;
        events.extend(c.apply(&Action::Deliver(to_s1)).unwrap());
        let ledger = build(&events);
        assert_eq!(
            ledger[&2].cell(0, 1),
            Cell::Lost(LossReason::RecipientCrashed)
        );
        assert_eq!(ledger[&2].cell(0, 3), Cell::Lost(LossReason::Partitioned));
        assert_eq!(ledger[&2].cell(0, 2), Cell::NoAnswer);
        let text = render_text(&ledger, Names(&[]), 4);
        assert!(
            text.contains("asked, request lost (recipient crashed)"),
            "{text}"
        );
        assert!(text.contains("asked, request lost (partitioned)"), "{text}");
        assert!(text.contains("asked, no answer yet"), "{text}");
    }

    #[test]
    fn a_lost_request_of_an_older_term_does_not_count_for_a_newer_one() {
        let mut c = Cluster::new(3);
        let mut events = c.apply(&Action::on(0, ServerAction::Timeout)).unwrap();
        let old = c.in_flight().find(|m| m.to == 1).unwrap().id;
        events.extend(c.apply(&Action::on(0, ServerAction::Timeout)).unwrap());
        events.extend(c.apply(&Action::Drop(old)).unwrap());
        let ledger = build(&events);
        assert_eq!(ledger[&2].cell(0, 1), Cell::Lost(LossReason::Dropped));
        assert_eq!(ledger[&3].cell(0, 1), Cell::NoAnswer);
    }
}
