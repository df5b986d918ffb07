//! Crash, restart and refused actions.

use super::*;

#[test]
fn a_crash_keeps_term_vote_and_log_and_a_restart_resets_volatile_state() {
    let mut c = elected(3);
    client(&mut c, 0, "a");
    deliver_all(&mut c);
    heartbeat(&mut c, 0);
    deliver_all(&mut c);
    let leader = server(&c, 0).clone();
    assert_eq!((leader.commit_index, leader.match_index[1]), (1, 1));

    let ev = on(&mut c, 0, ServerAction::Crash);
    assert_eq!(ev, vec![Event::Crashed { server: 0 }]);
    let s0 = server(&c, 0);
    assert!(s0.crashed);
    assert_eq!(
        (s0.current_term, s0.voted_for, &s0.log),
        (2, Some(0), &leader.log)
    );
    assert_eq!(c.live_leaders().count(), 0);

    let ev = on(&mut c, 0, ServerAction::Restart);
    assert_eq!(ev, vec![Event::Restarted { server: 0, term: 2 }]);
    let s0 = server(&c, 0);
    assert!(!s0.crashed);
    assert_eq!(s0.role, Role::Follower);
    assert_eq!(
        (s0.current_term, s0.voted_for, &s0.log),
        (2, Some(0), &leader.log)
    );
    assert_eq!(s0.commit_index, 0);
    assert_eq!(s0.leader_id, None);
    assert!(s0.next_index.iter().all(|&i| i == 0));
    assert!(s0.match_index.iter().all(|&i| i == 0));
    assert!(c.violations().is_empty());
}

#[test]
fn a_restarted_candidate_forgets_its_votes_but_not_its_own_vote() {
    let mut c = Cluster::new(5);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    deliver_msg(&mut c, 1, 0, K::RequestVoteResponse);
    assert_eq!(server(&c, 0).votes_granted, set(&[0, 1]));
    on(&mut c, 0, ServerAction::Crash);
    on(&mut c, 0, ServerAction::Restart);
    let s0 = server(&c, 0);
    assert_eq!(
        (s0.role, s0.current_term, s0.voted_for),
        (Role::Follower, 2, Some(0))
    );
    assert!(s0.votes_granted.is_empty());
    assert!(s0.votes_refused.is_empty());
}

#[test]
fn messages_delivered_to_a_crashed_server_are_lost() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    on(&mut c, 1, ServerAction::Crash);
    let id = msg(&c, 0, 1, K::RequestVote);
    let ev = deliver(&mut c, id);
    assert_eq!(
        ev,
        vec![Event::MessageLost {
            id,
            from: 0,
            to: 1,
            kind: K::RequestVote,
            term: 2,
            reason: LossReason::RecipientCrashed,
        }]
    );
    let s1 = server(&c, 1);
    assert_eq!((s1.current_term, s1.voted_for), (1, None));
    assert!(msgs(&c, 1, 0, K::RequestVoteResponse).is_empty());
    assert_says(&ev[0], &["lost", "crashed"]);
}

#[test]
fn a_timeout_on_a_leader_is_refused_and_changes_nothing() {
    let mut c = elected(3);
    let before = c.clone();
    let ev = timeout(&mut c, 0);
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 0,
            action: ActionName::Timeout,
            why: RefusalReason::AlreadyLeader,
        }]
    );
    assert_eq!(c, before);
    assert_says(&ev[0], &["election timer does not run", "§5.2"]);
}

#[test]
fn a_timeout_on_a_crashed_server_is_refused_and_changes_nothing() {
    let mut c = Cluster::new(3);
    on(&mut c, 2, ServerAction::Crash);
    let before = c.clone();
    let ev = timeout(&mut c, 2);
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 2,
            action: ActionName::Timeout,
            why: RefusalReason::Crashed,
        }]
    );
    assert_eq!(c, before);
    let ev = on(&mut c, 1, ServerAction::Restart);
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 1,
            action: ActionName::Restart,
            why: RefusalReason::NotCrashed,
        }]
    );
    assert_eq!(c, before);
}
