//! The network.

use super::*;

#[test]
fn message_ids_increase_in_send_order() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    timeout(&mut c, 2);
    let sent: Vec<(MessageId, ServerId, ServerId)> =
        c.in_flight().map(|e| (e.id, e.from, e.to)).collect();
    assert_eq!(sent, vec![(1, 0, 1), (2, 0, 2), (3, 2, 0), (4, 2, 1)]);
}

#[test]
fn a_chosen_message_is_delivered_out_of_order() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let ev = deliver(&mut c, 2);
    assert!(has!(ev, Event::VoteGranted { voter: 2, .. }));
    assert_eq!(server(&c, 1).current_term, 1, "message #1 is still waiting");
    assert_eq!(ids(&c), vec![1, 3]);
    assert_eq!(envelope(&c, 3).from, 2);
}

#[test]
fn a_dropped_message_is_lost() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let ev = apply(&mut c, Action::Drop(1));
    assert_eq!(
        ev,
        vec![Event::MessageLost {
            id: 1,
            from: 0,
            to: 1,
            kind: K::RequestVote,
            term: 2,
            reason: LossReason::Dropped,
        }]
    );
    assert_eq!(ids(&c), vec![2]);
    assert_eq!(server(&c, 1).current_term, 1);
    assert_says(&ev[0], &["dropped on purpose"]);
}

#[test]
fn a_duplicate_gets_a_new_id_and_goes_last() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let ev = apply(&mut c, Action::Duplicate(1));
    assert_eq!(ev, vec![Event::MessageDuplicated { id: 1, copy: 3 }]);
    assert_eq!(ids(&c), vec![1, 2, 3]);
    let (original, copy) = (envelope(&c, 1), envelope(&c, 3));
    assert_eq!(
        (copy.from, copy.to, &copy.message),
        (original.from, original.to, &original.message)
    );
}

#[test]
fn deliver_all_goes_in_fifo_order() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    apply(&mut c, Action::Duplicate(1)); // in flight: #1 to S1, #2 to S2, #3 (copy) to S1
    let ev = deliver_all(&mut c);
    let voters: Vec<ServerId> = ev
        .iter()
        .filter_map(|e| match e {
            Event::VoteGranted { voter, .. } => Some(*voter),
            _ => None,
        })
        .collect();
    assert_eq!(voters, vec![1, 2, 1]);
    // Then the answers, in the order they were sent: S1's yes elects S0 (2 of 3).
    let won = position!(ev, Event::ElectionWon { .. });
    let s2_ignored = position!(
        ev,
        Event::ResponseIgnored {
            from: 2,
            reason: IgnoreReason::WrongRole(Role::Leader),
            ..
        }
    );
    assert!(won < s2_ignored);
    assert_eq!(c.in_flight().len(), 0);
    assert!(c.violations().is_empty());
}

#[test]
fn a_message_sent_across_a_partition_is_lost_at_once() {
    let mut c = Cluster::new(3);
    let ev = apply(&mut c, Action::Partition(vec![vec![0], vec![1, 2]]));
    assert!(matches!(
        ev[..],
        [Event::Partitioned {
            cluster_size: 3,
            ..
        }]
    ));
    let ev = timeout(&mut c, 0);
    assert_eq!(
        count!(
            ev,
            Event::MessageLost {
                from: 0,
                reason: LossReason::Partitioned,
                ..
            }
        ),
        2
    );
    assert_eq!(c.in_flight().len(), 0);
    // Within a group messages flow.
    timeout(&mut c, 1);
    assert_eq!(
        c.in_flight().map(|e| e.to).collect::<Vec<_>>(),
        vec![2],
        "S1's RequestVote to S0 is lost, to S2 kept"
    );
}

#[test]
fn messages_in_flight_across_a_new_partition_are_lost_and_heal_reconnects() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0); // #1 to S1, #2 to S2
    let ev = apply(&mut c, Action::Partition(vec![vec![0, 1]])); // S2 is alone
    assert!(has!(
        ev,
        Event::MessageLost {
            id: 2,
            to: 2,
            reason: LossReason::Partitioned,
            ..
        }
    ));
    assert_eq!(ids(&c), vec![1]);
    assert!(c.network().is_partitioned());
    let ev = apply(&mut c, Action::Heal);
    assert_eq!(ev, vec![Event::Healed]);
    assert!(!c.network().is_partitioned());
    timeout(&mut c, 0);
    assert_eq!(c.in_flight().len(), 3);
    assert_eq!(msgs(&c, 0, 2, K::RequestVote).len(), 1);
}

#[test]
fn a_bad_message_id_is_an_error_and_changes_nothing() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let before = c.clone();
    for action in [Action::Deliver(42), Action::Drop(42), Action::Duplicate(42)] {
        assert_eq!(c.apply(&action), Err(NetworkError::NoSuchMessage(42)));
        assert_eq!(c, before);
    }
    assert_eq!(
        c.apply(&Action::on(7, ServerAction::Timeout)),
        Err(NetworkError::NoSuchServer(7))
    );
    assert_eq!(
        c.apply(&Action::Partition(vec![vec![0, 5]])),
        Err(NetworkError::NoSuchServer(5))
    );
    assert_eq!(c, before);
}

#[test]
fn deliver_all_stops_at_its_cap_when_two_leaders_share_a_term() {
    let mut c = elected(3);
    let ev = on(&mut c, 1, ServerAction::BecomeLeader); // forced: S1 leader of term 2 too
    let safety = Violation::ElectionSafety {
        term: 2,
        first: 0,
        second: 1,
    };
    assert!(ev.contains(&Event::Violation(safety)));
    assert_says(
        &Event::Violation(safety),
        &["INVARIANT VIOLATED", "Election Safety", "§5.2"],
    );
    let ev = deliver_all(&mut c);
    let stopped = find!(ev, Event::DeliverAllStopped { .. });
    let Event::DeliverAllStopped {
        delivered,
        remaining,
    } = stopped
    else {
        unreachable!()
    };
    assert_eq!(delivered, DELIVER_ALL_CAP);
    assert!(remaining > 0);
    assert_eq!(remaining, c.in_flight().len());
    assert!(has!(
        ev,
        Event::AppendRejected {
            follower: 0,
            leader: 1,
            reason: AppendRejection::ReceiverIsLeader,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::NextIndexBackedOff {
            leader: 1,
            follower: 0,
            from: 1,
            to: 1
        }
    ));
    assert_eq!(count!(ev, Event::Violation(_)), 0, "already reported");
    assert_eq!(c.violations(), &[safety]);
}

#[test]
fn two_leaders_from_states_are_flagged_once_and_deliver_all_terminates() {
    let leader = ServerState {
        role: Role::Leader,
        ..st(2, &[])
    };
    let mut c = Cluster::from_states(vec![leader.clone(), leader, st(2, &[])]);
    let safety = Violation::ElectionSafety {
        term: 2,
        first: 0,
        second: 1,
    };
    assert_eq!(c.violations(), &[safety]);
    heartbeat(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert_eq!(count!(ev, Event::DeliverAllStopped { .. }), 1);
    assert_eq!(count!(ev, Event::Violation(_)), 0);
    assert_eq!(c.violations(), &[safety]);
}
