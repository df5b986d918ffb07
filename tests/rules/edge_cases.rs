//! The brief's six edge cases.

use super::*;

#[test]
fn edge_case_1_one_leader_per_term_even_with_two_candidates() {
    let mut c = Cluster::new(4);
    timeout(&mut c, 0);
    timeout(&mut c, 1);
    deliver_msg(&mut c, 1, 3, K::RequestVote); // S3 votes for S1 first
    let ev = deliver_all(&mut c); // S2 votes for S0: 2 of 4 each, a majority is 3
    assert!(!has!(ev, Event::ElectionWon { .. }));
    assert_eq!(
        count!(
            ev,
            Event::ElectionLost {
                server: 0,
                term: 2,
                ..
            }
        ),
        1
    );
    assert_eq!(
        count!(
            ev,
            Event::ElectionLost {
                server: 1,
                term: 2,
                ..
            }
        ),
        1
    );
    assert_eq!(roles(&c)[..2], [Role::Candidate, Role::Candidate]);
    assert_eq!(c.live_leaders().count(), 0);

    let ev = timeout(&mut c, 0);
    assert!(has!(
        ev,
        Event::BecameCandidate {
            server: 0,
            term: 3,
            ..
        }
    ));
    let ev = deliver_all(&mut c);
    assert_eq!(count!(ev, Event::BecameLeader { .. }), 1);
    assert!(has!(
        ev,
        Event::BecameLeader {
            server: 0,
            term: 3,
            ..
        }
    ));
    assert_eq!(
        roles(&c),
        vec![Role::Leader, Role::Follower, Role::Follower, Role::Follower]
    );
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}

#[test]
fn edge_case_2_one_vote_per_term() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    timeout(&mut c, 1); // both candidates of term 2
    let ev = deliver_msg(&mut c, 0, 2, K::RequestVote);
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 2,
            candidate: 0,
            term: 2,
            ..
        }
    ));
    let ev = deliver_msg(&mut c, 1, 2, K::RequestVote);
    let refused = find!(ev, Event::VoteRefused { .. });
    assert_eq!(
        refused,
        Event::VoteRefused {
            voter: 2,
            candidate: 1,
            term: 2,
            reason: VoteRefusal::AlreadyVoted { voted_for: 0 },
        }
    );
    assert_says(&refused, &["already voted for S0", "§5.2"]);
    assert_eq!(server(&c, 2).voted_for, Some(0));
    assert!(matches!(
        envelope(&c, msg(&c, 2, 1, K::RequestVoteResponse)).message,
        Message::RequestVoteResponse {
            term: 2,
            granted: false
        }
    ));
    // A candidate's own vote counts too: S0 refuses S1 for the same reason.
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVote);
    assert!(has!(
        ev,
        Event::VoteRefused {
            voter: 0,
            reason: VoteRefusal::AlreadyVoted { voted_for: 0 },
            ..
        }
    ));
    // In a new term the vote is free again.
    timeout(&mut c, 1);
    let term3 = *msgs(&c, 1, 2, K::RequestVote).last().unwrap();
    let ev = deliver(&mut c, term3);
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 2,
            candidate: 1,
            term: 3,
            ..
        }
    ));
    assert_eq!(server(&c, 2).voted_for, Some(1));
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}

#[test]
fn edge_case_3_only_an_up_to_date_candidate_can_win() {
    // The brief's API: S0 is one entry behind S1 and S2.
    let net = &mut RaftNetwork::new(3);
    let mut s0 = RaftServer::new(net.create_node(0), vec![Entry::of_term(1)]);
    let mut s1 = RaftServer::new(net.create_node(1), vec![Entry::of_term(1); 2]);
    let mut s2 = RaftServer::new(net.create_node(2), vec![Entry::of_term(1); 2]);

    s0.become_candidate();
    let ev = net.process_messages(&mut [&mut s0, &mut s1, &mut s2]);
    let refusal = VoteRefusal::LogNotUpToDate {
        candidate_last: at(1, 1),
        voter_last: at(2, 1),
    };
    for voter in [1, 2] {
        assert!(ev.contains(&Event::VoteRefused {
            voter,
            candidate: 0,
            term: 2,
            reason: refusal,
        }));
    }
    let refused = find!(ev, Event::VoteRefused { .. });
    assert_says(&refused, &["§5.4.1", "not up-to-date"]);
    assert_eq!(count!(ev, Event::ElectionLost { server: 0, .. }), 1);
    assert_eq!(s0.role, Role::Candidate);
    assert_eq!((s1.voted_for, s2.voted_for), (None, None));

    s1.become_candidate();
    let ev = net.process_messages(&mut [&mut s0, &mut s1, &mut s2]);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 1,
            term: 3,
            ..
        }
    ));
    assert_eq!(
        (s0.role, s1.role, s2.role),
        (Role::Follower, Role::Leader, Role::Follower)
    );
    assert_eq!(s0.voted_for, Some(1));
    // The leader backs off and fills in S0's missing entry; it adds none of its own.
    assert!(has!(
        ev,
        Event::NextIndexBackedOff {
            leader: 1,
            follower: 0,
            from: 3,
            to: 2
        }
    ));
    assert_eq!(s0.log, s1.log);
    assert_eq!(s1.log.terms().collect::<Vec<_>>(), vec![1, 1]);
}

#[test]
fn edge_case_5_term_rules_newer_steps_down_older_is_refused_with_the_newer_term() {
    let mut c = elected(3);
    apply(&mut c, Action::Partition(vec![vec![0], vec![1, 2]]));
    timeout(&mut c, 1);
    deliver_all(&mut c); // S1 leads term 3; S0 still thinks it leads term 2
    apply(&mut c, Action::Heal);
    client(&mut c, 0, "stale");
    let ev = deliver_all(&mut c);
    assert_eq!(
        count!(
            ev,
            Event::AppendRejected {
                leader: 0,
                term: 2,
                reason: AppendRejection::StaleTerm { own_term: 3 },
                ..
            }
        ),
        2
    );
    assert!(has!(
        ev,
        Event::TermAdopted {
            server: 0,
            old_term: 2,
            new_term: 3,
            was: Role::Leader,
            ..
        }
    ));
    assert_eq!(server(&c, 0).role, Role::Follower);
    assert_eq!(server(&c, 0).current_term, 3);
    // The new leader's first entry replaces the stale one.
    client(&mut c, 1, "fresh");
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::EntriesTruncated {
            server: 0,
            leader: 1,
            ..
        }
    ));
    assert_eq!(
        server(&c, 0).log.entries().cloned().collect::<Vec<_>>(),
        [Entry::new(3, "fresh")]
    );
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}

#[test]
fn edge_case_6_a_candidate_hearing_append_entries_of_its_term_becomes_follower() {
    // The brief's API: S0 and S1 start elections at once; FIFO delivery lets S0 win.
    let net = &mut RaftNetwork::new(3);
    let mut s0 = RaftServer::new(net.create_node(0), vec![]);
    let mut s1 = RaftServer::new(net.create_node(1), vec![]);
    let mut s2 = RaftServer::new(net.create_node(2), vec![]);
    s0.become_candidate();
    s1.become_candidate();
    let ev = net.process_messages(&mut [&mut s0, &mut s1, &mut s2]);
    let concedes = find!(ev, Event::CandidateConcedes { .. });
    assert_eq!(
        concedes,
        Event::CandidateConcedes {
            server: 1,
            leader: 0,
            term: 2
        }
    );
    assert!(
        !has!(ev, Event::TermAdopted { server: 1, .. }),
        "same term, no adoption"
    );
    assert_eq!(
        (s0.role, s1.role, s2.role),
        (Role::Leader, Role::Follower, Role::Follower)
    );
    assert_eq!((s1.current_term, s1.leader_id), (2, Some(0)));
    assert_eq!(net.in_flight().len(), 0);
}
