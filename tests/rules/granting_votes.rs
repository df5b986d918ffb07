//! Granting votes (§5.2, §5.4.1).

use super::*;

#[test]
fn a_duplicated_request_vote_is_granted_again_but_counted_once() {
    let mut c = Cluster::new(5);
    timeout(&mut c, 0);
    let original = msg(&c, 0, 1, K::RequestVote);
    apply(&mut c, Action::Duplicate(original));
    let ev = deliver(&mut c, original);
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 1,
            candidate: 0,
            term: 2,
            ..
        }
    ));
    let copy = *msgs(&c, 0, 1, K::RequestVote).last().unwrap();
    let ev = deliver(&mut c, copy);
    assert!(
        has!(
            ev,
            Event::VoteGranted {
                voter: 1,
                candidate: 0,
                term: 2,
                ..
            }
        ),
        "same candidate, same term: granted again: {ev:#?}"
    );
    assert_eq!(server(&c, 1).voted_for, Some(0));

    let answers = msgs(&c, 1, 0, K::RequestVoteResponse);
    assert_eq!(answers.len(), 2);
    let ev = deliver(&mut c, answers[0]);
    assert!(has!(
        ev,
        Event::VoteCounted {
            candidate: 0,
            voter: 1,
            granted: true,
            votes: 2,
            needed: 3,
            ..
        }
    ));
    let ev = deliver(&mut c, answers[1]);
    let dup = find!(
        ev,
        Event::DuplicateVoteIgnored {
            candidate: 0,
            voter: 1,
            term: 2
        }
    );
    assert_says(&dup, &["counts once", "§5.2"]);
    assert!(!has!(ev, Event::VoteCounted { .. }));
    assert_eq!(server(&c, 0).role, Role::Candidate);
    assert_eq!(server(&c, 0).votes_granted, set(&[0, 1]));
    assert!(c.violations().is_empty());
}

/// S0 (log `candidate`) asks S1 (log `voter`) for its vote; both start in term 5.
fn vote_between(candidate: &[Term], voter: &[Term]) -> Event {
    let mut c = Cluster::from_states(vec![st(5, candidate), st(5, voter), st(5, &[])]);
    timeout(&mut c, 0);
    let ev = deliver_msg(&mut c, 0, 1, K::RequestVote);
    find!(
        ev,
        Event::VoteGranted { voter: 1, .. } | Event::VoteRefused { voter: 1, .. }
    )
}

#[test]
fn up_to_date_a_later_last_term_wins_even_with_a_shorter_log() {
    assert!(matches!(
        vote_between(&[1, 3], &[1, 1, 2]),
        Event::VoteGranted {
            candidate: 0,
            term: 6,
            ..
        }
    ));
    let refused = vote_between(&[1, 1, 1, 2], &[1, 3]);
    assert_eq!(
        refused,
        Event::VoteRefused {
            voter: 1,
            candidate: 0,
            term: 6,
            reason: VoteRefusal::LogNotUpToDate {
                candidate_last: at(4, 2),
                voter_last: at(2, 3),
            },
        }
    );
    assert_says(
        &refused,
        &["§5.4.1", "an older last term", "not up-to-date"],
    );
}

#[test]
fn up_to_date_with_the_same_last_term_the_longer_or_equal_log_wins() {
    assert!(matches!(
        vote_between(&[1, 2, 2], &[1, 2]),
        Event::VoteGranted { .. }
    ));
    let equal = vote_between(&[1, 2], &[1, 2]);
    assert!(matches!(equal, Event::VoteGranted { .. }));
    assert_says(&equal, &["as up-to-date as", "§5.4.1"]);
    let shorter = vote_between(&[1, 2], &[1, 2, 2]);
    assert!(matches!(
        shorter,
        Event::VoteRefused {
            reason: VoteRefusal::LogNotUpToDate { .. },
            ..
        }
    ));
    assert_says(
        &shorter,
        &["the same last term but a shorter log", "§5.4.1"],
    );
    assert!(matches!(
        vote_between(&[], &[1]),
        Event::VoteRefused {
            reason: VoteRefusal::LogNotUpToDate { .. },
            ..
        }
    ));
}

#[test]
fn a_vote_refused_for_the_log_leaves_the_vote_free_for_a_better_candidate() {
    let mut c = Cluster::from_states(vec![st(1, &[1]), st(1, &[1, 1]), st(1, &[1, 1])]);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    assert_eq!(server(&c, 1).voted_for, None);
    assert_eq!(server(&c, 1).current_term, 2);
    timeout(&mut c, 2); // S2 never got S0's request: it runs for term 2 as well
    let ev = deliver_msg(&mut c, 2, 1, K::RequestVote);
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 1,
            candidate: 2,
            term: 2,
            ..
        }
    ));
    assert_eq!(server(&c, 1).voted_for, Some(2));
}
