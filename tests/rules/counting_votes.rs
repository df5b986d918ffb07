//! Counting votes (§5.2).

use super::*;

#[test]
fn a_majority_counts_the_whole_cluster_crashed_servers_included_two_of_five_down() {
    let mut c = Cluster::new(5);
    on(&mut c, 3, ServerAction::Crash);
    on(&mut c, 4, ServerAction::Crash);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert_eq!(
        count!(
            ev,
            Event::MessageLost {
                kind: K::RequestVote,
                reason: LossReason::RecipientCrashed,
                ..
            }
        ),
        2
    );
    assert!(has!(
        ev,
        Event::VoteCounted {
            candidate: 0,
            votes: 3,
            needed: 3,
            ..
        }
    ));
    let won = find!(ev, Event::ElectionWon { .. });
    assert_eq!(
        won,
        Event::ElectionWon {
            server: 0,
            term: 2,
            votes: set(&[0, 1, 2]),
            cluster_size: 5,
        }
    );
    assert_says(&won, &["3 of 5", "a majority is 3"]);
    assert_eq!(server(&c, 0).role, Role::Leader);
    assert!(c.violations().is_empty());
}

#[test]
fn a_majority_counts_the_whole_cluster_three_of_five_down_cannot_win() {
    let mut c = Cluster::new(5);
    for s in 2..5 {
        on(&mut c, s, ServerAction::Crash);
    }
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
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
    assert!(!has!(
        ev,
        Event::ElectionWon { .. } | Event::ElectionLost { .. }
    ));
    assert_eq!(server(&c, 0).role, Role::Candidate);
    assert_eq!(server(&c, 0).votes_granted, set(&[0, 1]));
    assert_eq!(c.in_flight().len(), 0);
}

#[test]
fn a_candidate_refused_by_a_majority_stays_candidate_and_says_so_once() {
    let mut c = Cluster::from_states(vec![
        st(1, &[]),
        st(1, &[1]),
        st(1, &[1]),
        st(1, &[1]),
        st(1, &[1]),
    ]);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert_eq!(count!(ev, Event::VoteCounted { granted: false, .. }), 4);
    assert_eq!(count!(ev, Event::ElectionLost { .. }), 1);
    let lost = find!(ev, Event::ElectionLost { .. });
    assert_eq!(
        lost,
        Event::ElectionLost {
            server: 0,
            term: 2,
            refused: set(&[1, 2, 3]),
            cluster_size: 5,
        }
    );
    assert_says(&lost, &["stays a candidate", "§5.2"]);
    let s0 = server(&c, 0);
    assert_eq!((s0.role, s0.current_term), (Role::Candidate, 2));
    assert_eq!(s0.votes_refused, set(&[1, 2, 3, 4]));
    assert!(c.violations().is_empty());
}

#[test]
fn election_lost_is_announced_once_even_if_a_yes_arrives_afterwards() {
    // S1..S3 have a longer log and refuse; S4 has an empty log and grants. FIFO delivery brings
    // the three refusals first (the election is lost at the third), then S4's yes.
    let mut c = Cluster::from_states(vec![
        st(1, &[]),
        st(1, &[1]),
        st(1, &[1]),
        st(1, &[1]),
        st(1, &[]),
    ]);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    let lost_at = position!(ev, Event::ElectionLost { .. });
    let yes_at = position!(
        ev,
        Event::VoteCounted {
            voter: 4,
            granted: true,
            ..
        }
    );
    assert!(lost_at < yes_at);
    assert_eq!(server(&c, 0).role, Role::Candidate);
    assert_eq!(count!(ev, Event::ElectionLost { .. }), 1, "{ev:#?}");
}

#[test]
fn a_candidate_counts_only_votes_of_its_current_term() {
    let mut c = Cluster::new(5);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    deliver_msg(&mut c, 0, 2, K::RequestVote);
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::VoteCounted {
            votes: 2,
            term: 2,
            ..
        }
    ));
    let stale_yes = msg(&c, 2, 0, K::RequestVoteResponse);

    let ev = timeout(&mut c, 0); // term 3: the count starts again
    assert!(has!(
        ev,
        Event::BecameCandidate {
            server: 0,
            term: 3,
            ..
        }
    ));
    assert_eq!(server(&c, 0).votes_granted, set(&[0]));
    let ev = deliver(&mut c, stale_yes);
    assert!(has!(
        ev,
        Event::ResponseIgnored {
            reason: IgnoreReason::StaleTerm { own_term: 3 },
            ..
        }
    ));
    assert_eq!(server(&c, 0).votes_granted, set(&[0]));

    let term3 = *msgs(&c, 0, 1, K::RequestVote).last().unwrap();
    deliver(&mut c, term3);
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::VoteCounted {
            voter: 1,
            term: 3,
            votes: 2,
            ..
        }
    ));
    assert_eq!(server(&c, 0).role, Role::Candidate);
    let term3 = *msgs(&c, 0, 2, K::RequestVote).last().unwrap();
    deliver(&mut c, term3);
    let ev = deliver_msg(&mut c, 2, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 0,
            term: 3,
            ..
        }
    ));
    assert!(c.violations().is_empty());
}

#[test]
fn a_candidate_receiving_append_entries_of_its_own_term_concedes_and_takes_the_entries() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    timeout(&mut c, 1); // both candidates of term 2
    deliver_msg(&mut c, 0, 2, K::RequestVote);
    let ev = deliver_msg(&mut c, 2, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 0,
            term: 2,
            ..
        }
    ));
    client(&mut c, 0, "x");
    let to_s1 = msgs(&c, 0, 1, K::AppendEntries);
    assert_eq!(
        to_s1.len(),
        2,
        "the leader's announcement and the client's entry"
    );
    assert_eq!(server(&c, 1).role, Role::Candidate);

    let ev = deliver(&mut c, to_s1[1]);
    let conceded = position!(
        ev,
        Event::CandidateConcedes {
            server: 1,
            leader: 0,
            term: 2
        }
    );
    let accepted = position!(
        ev,
        Event::AppendAccepted {
            follower: 1,
            leader: 0,
            term: 2,
            sent: 1,
            appended: 1,
            log_len: 1,
            ..
        }
    );
    assert!(conceded < accepted);
    assert_says(&ev[conceded], &["§5.2", "becomes a follower"]);
    let s1 = server(&c, 1);
    assert_eq!((s1.role, s1.current_term), (Role::Follower, 2));
    assert_eq!(s1.leader_id, Some(0));
    assert_eq!(
        s1.log.entries().cloned().collect::<Vec<_>>(),
        [Entry::new(2, "x")]
    );
    assert_eq!(
        s1.voted_for,
        Some(1),
        "its vote for itself in term 2 stands"
    );

    deliver_all(&mut c);
    assert_eq!(
        roles(&c),
        vec![Role::Leader, Role::Follower, Role::Follower]
    );
    assert_eq!(server(&c, 0).commit_index, 1);
    assert!(c.violations().is_empty());
}

#[test]
fn a_new_leader_appends_no_entry_of_its_own() {
    let mut c = Cluster::from_states(vec![st(1, &[1]), st(1, &[1]), st(1, &[1])]);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::BecameLeader {
            server: 0,
            term: 2,
            next_index: 2,
            ..
        }
    ));
    for s in c.servers() {
        assert_eq!(terms(s), vec![1], "S{} log changed", s.id);
    }
    assert!(!has!(ev, Event::ClientRequestAppended { .. }));
    // Without an entry of term 2 the term-1 entry cannot be committed (§5.4.2).
    assert!(has!(
        ev,
        Event::CommitWaitsForCurrentTerm {
            leader: 0,
            index: 1,
            entry_term: 1,
            current_term: 2,
            ..
        }
    ));
    assert_eq!(server(&c, 0).commit_index, 0);
    assert!(c.violations().is_empty());
}
