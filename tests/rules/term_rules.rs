//! Term rules (§5.1).

use super::*;

#[test]
fn higher_term_request_vote_makes_a_leader_step_down_and_grant_in_the_same_step() {
    let mut c = elected(3);
    timeout(&mut c, 1); // S1 becomes candidate for term 3
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVote);
    let adopted = position!(
        ev,
        Event::TermAdopted {
            server: 0,
            from: 1,
            kind: K::RequestVote,
            old_term: 2,
            new_term: 3,
            was: Role::Leader,
        }
    );
    let granted = position!(
        ev,
        Event::VoteGranted {
            voter: 0,
            candidate: 1,
            term: 3,
            ..
        }
    );
    assert!(adopted < granted);
    let s0 = server(&c, 0);
    assert_eq!(
        (s0.role, s0.current_term, s0.voted_for, s0.leader_id),
        (Role::Follower, 3, Some(1), None)
    );
    let reply = envelope(&c, msg(&c, 0, 1, K::RequestVoteResponse));
    assert_eq!(
        reply.message,
        Message::RequestVoteResponse {
            term: 3,
            granted: true
        }
    );
    assert_says(
        &find!(ev, Event::TermAdopted { .. }),
        &["steps down from leader to follower", "§5.1"],
    );
    assert!(c.violations().is_empty());
}

#[test]
fn higher_term_request_vote_makes_a_candidate_step_down_and_grant() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0); // S0: term 2
    timeout(&mut c, 1); // S1: term 2
    timeout(&mut c, 1); // S1: term 3
    let latest = *msgs(&c, 1, 0, K::RequestVote).last().unwrap();
    assert_eq!(envelope(&c, latest).message.term(), 3);
    let ev = deliver(&mut c, latest);
    assert!(has!(
        ev,
        Event::TermAdopted {
            server: 0,
            old_term: 2,
            new_term: 3,
            was: Role::Candidate,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 0,
            candidate: 1,
            term: 3,
            ..
        }
    ));
    let s0 = server(&c, 0);
    assert_eq!(s0.role, Role::Follower);
    assert_eq!(s0.voted_for, Some(1));
    assert!(s0.votes_granted.is_empty());
    assert!(c.violations().is_empty());
}

#[test]
fn higher_term_append_entries_makes_a_candidate_follower_and_is_then_accepted() {
    let mut c = Cluster::from_states(vec![
        ServerState {
            role: Role::Leader,
            voted_for: Some(0),
            ..st(3, &[])
        },
        ServerState {
            role: Role::Candidate,
            ..st(2, &[])
        },
        st(3, &[]),
    ]);
    client(&mut c, 0, "a");
    let ev = deliver_msg(&mut c, 0, 1, K::AppendEntries);
    let adopted = position!(
        ev,
        Event::TermAdopted {
            server: 1,
            from: 0,
            kind: K::AppendEntries,
            old_term: 2,
            new_term: 3,
            was: Role::Candidate,
        }
    );
    let accepted = position!(
        ev,
        Event::AppendAccepted {
            follower: 1,
            leader: 0,
            term: 3,
            appended: 1,
            ..
        }
    );
    assert!(adopted < accepted);
    assert!(
        !has!(ev, Event::CandidateConcedes { .. }),
        "already a follower of term 3 when the handler runs"
    );
    let s1 = server(&c, 1);
    assert_eq!(
        (s1.role, s1.current_term, s1.voted_for, s1.leader_id),
        (Role::Follower, 3, None, Some(0))
    );
    assert_eq!(
        s1.log.entries().cloned().collect::<Vec<_>>(),
        [Entry::new(3, "a")]
    );
    assert!(c.violations().is_empty());
}

#[test]
fn stale_append_entries_is_refused_with_the_newer_term_and_the_old_leader_steps_down() {
    let mut c = elected(3);
    apply(&mut c, Action::Partition(vec![vec![0], vec![1, 2]]));
    timeout(&mut c, 1);
    deliver_all(&mut c);
    assert_eq!(server(&c, 1).role, Role::Leader);
    assert_eq!(server(&c, 1).current_term, 3);
    assert_eq!(
        server(&c, 0).role,
        Role::Leader,
        "S0 has not heard of term 3"
    );
    apply(&mut c, Action::Heal);

    heartbeat(&mut c, 0);
    let ev = deliver_msg(&mut c, 0, 1, K::AppendEntries);
    let rejected = find!(
        ev,
        Event::AppendRejected {
            follower: 1,
            leader: 0,
            term: 2,
            reason: AppendRejection::StaleTerm { own_term: 3 },
            mutant: None,
        }
    );
    assert_says(&rejected, &["§5.1", "older than its own term 3"]);
    assert_eq!(server(&c, 1).role, Role::Leader);
    assert_eq!(server(&c, 1).current_term, 3);
    let reply = msg(&c, 1, 0, K::AppendEntriesResponse);
    assert_eq!(
        envelope(&c, reply).message,
        Message::AppendEntriesResponse {
            term: 3,
            success: false,
            match_index: 0
        }
    );

    let ev = deliver(&mut c, reply);
    assert!(has!(
        ev,
        Event::TermAdopted {
            server: 0,
            from: 1,
            kind: K::AppendEntriesResponse,
            old_term: 2,
            new_term: 3,
            was: Role::Leader,
        }
    ));
    let s0 = server(&c, 0);
    assert_eq!(
        (s0.role, s0.current_term, s0.voted_for),
        (Role::Follower, 3, None)
    );
    deliver_all(&mut c);
    assert_eq!(c.live_leaders().collect::<Vec<_>>(), vec![1]);
    assert!(c.violations().is_empty());
}

#[test]
fn stale_request_vote_is_refused_with_the_newer_term_and_the_candidate_steps_down() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0); // S0: candidate of term 2
    timeout(&mut c, 2);
    timeout(&mut c, 2); // S2: candidate of term 3
    let ev = deliver_msg(&mut c, 0, 2, K::RequestVote);
    let refused = find!(
        ev,
        Event::VoteRefused {
            voter: 2,
            candidate: 0,
            term: 2,
            reason: VoteRefusal::StaleTerm { own_term: 3 },
        }
    );
    assert_says(&refused, &["§5.1", "answers no with term 3"]);
    let reply = msg(&c, 2, 0, K::RequestVoteResponse);
    assert_eq!(
        envelope(&c, reply).message,
        Message::RequestVoteResponse {
            term: 3,
            granted: false
        }
    );
    let ev = deliver(&mut c, reply);
    assert!(has!(
        ev,
        Event::TermAdopted {
            server: 0,
            old_term: 2,
            new_term: 3,
            was: Role::Candidate,
            ..
        }
    ));
    let s0 = server(&c, 0);
    assert_eq!(
        (s0.role, s0.current_term, s0.voted_for),
        (Role::Follower, 3, None)
    );
    assert!(c.violations().is_empty());
}

#[test]
fn a_response_with_an_older_term_is_ignored() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    let old_yes = msg(&c, 1, 0, K::RequestVoteResponse);
    timeout(&mut c, 0); // S0 moves on to term 3
    let ev = deliver(&mut c, old_yes);
    assert_eq!(
        ev,
        vec![Event::ResponseIgnored {
            server: 0,
            from: 1,
            kind: K::RequestVoteResponse,
            term: 2,
            reason: IgnoreReason::StaleTerm { own_term: 3 },
        }]
    );
    let s0 = server(&c, 0);
    assert_eq!(
        s0.role,
        Role::Candidate,
        "a term-2 yes must not elect it in term 3"
    );
    assert_eq!(s0.votes_granted, set(&[0]));
}

#[test]
fn a_vote_reaching_a_server_that_already_won_is_ignored_for_its_role() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    deliver_msg(&mut c, 0, 2, K::RequestVote);
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 0,
            term: 2,
            ..
        }
    ));
    let before = server(&c, 0).clone();
    let ev = deliver_msg(&mut c, 2, 0, K::RequestVoteResponse);
    assert_eq!(
        ev,
        vec![Event::ResponseIgnored {
            server: 0,
            from: 2,
            kind: K::RequestVoteResponse,
            term: 2,
            reason: IgnoreReason::WrongRole(Role::Leader),
        }]
    );
    assert_eq!(server(&c, 0), &before);
}
