//! Replication, as leader and follower (§5.3).

use super::*;

#[test]
fn a_failed_append_backs_next_index_off_and_retries_at_once() {
    let mut c = Cluster::from_states(vec![
        ServerState {
            role: Role::Leader,
            ..st(4, &[1, 1, 2])
        },
        st(4, &[1, 3, 3, 3]),
        st(4, &[1, 1, 2]),
    ]);
    assert!(c.violations().is_empty());
    heartbeat(&mut c, 0);
    let ev = deliver_msg(&mut c, 0, 1, K::AppendEntries);
    assert!(has!(
        ev,
        Event::AppendRejected {
            follower: 1,
            reason: AppendRejection::Mismatch {
                prev: LogPosition { index: 3, term: 2 },
                mismatch: AppendMismatch::TermDiffers { found: 3 },
            },
            ..
        }
    ));
    let ev = deliver_msg(&mut c, 1, 0, K::AppendEntriesResponse);
    assert_eq!(
        find!(ev, Event::NextIndexBackedOff { .. }),
        Event::NextIndexBackedOff {
            leader: 0,
            follower: 1,
            from: 4,
            to: 3
        }
    );
    assert_eq!(server(&c, 0).next_index[1], 3);
    // The retry is already in flight, starting one entry earlier.
    let retry = envelope(&c, msg(&c, 0, 1, K::AppendEntries));
    assert!(matches!(
        &retry.message,
        Message::AppendEntries {
            prev_log_index: 2,
            prev_log_term: 1,
            entries,
            ..
        } if entries == &vec![Entry::of_term(2)]
    ));

    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::NextIndexBackedOff {
            follower: 1,
            from: 3,
            to: 2,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::EntriesTruncated {
            server: 1,
            leader: 0,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::MatchRecorded {
            leader: 0,
            follower: 1,
            reported: 3,
            match_index: 3,
            next_index: 4
        }
    ));
    assert_eq!(terms(server(&c, 1)), vec![1, 1, 2]);
    assert_eq!(server(&c, 0).match_index[1], 3);
    assert!(c.violations().is_empty());
}

#[test]
fn next_index_never_goes_below_one() {
    let net = RaftNetwork::new(2);
    let mut leader = RaftServer::with_state(
        net.create_node(0),
        ServerState {
            role: Role::Leader,
            ..st(2, &[1])
        },
    );
    assert_eq!(leader.next_index[1], 2);
    let no = Message::AppendEntriesResponse {
        term: 2,
        success: false,
        match_index: 0,
    };
    for expected_from in [2, 1, 1] {
        leader.handle(1, no.clone());
        let ev = leader.pending_events().to_vec();
        assert_eq!(
            ev.last(),
            Some(&Event::NextIndexBackedOff {
                leader: 0,
                follower: 1,
                from: expected_from,
                to: 1
            })
        );
        assert_eq!(leader.next_index[1], 1);
        let sent = &leader.outbox().last().unwrap().message;
        assert!(matches!(
            sent,
            Message::AppendEntries {
                prev_log_index: 0,
                prev_log_term: 0,
                ..
            }
        ));
        let mut sink = Vec::new();
        leader.take_events(&mut sink);
    }
    assert_eq!(leader.outbox().len(), 3, "one retry per rejection");
}

#[test]
fn a_late_or_duplicated_success_never_moves_match_index_back() {
    let mut c = elected(3);
    client(&mut c, 0, "a");
    client(&mut c, 0, "b");
    let [first, second] = msgs(&c, 0, 1, K::AppendEntries)[..] else {
        panic!("two AppendEntries to S1 expected")
    };
    deliver(&mut c, second); // carries a and b
    deliver(&mut c, first); // carries a only: nothing to add, reports match 1
    let answers = msgs(&c, 1, 0, K::AppendEntriesResponse);
    assert_eq!(answers.len(), 2);
    assert!(matches!(
        envelope(&c, answers[1]).message,
        Message::AppendEntriesResponse {
            success: true,
            match_index: 1,
            ..
        }
    ));
    let newer = answers[0];
    apply(&mut c, Action::Duplicate(newer));
    let ev = deliver(&mut c, newer);
    assert!(has!(
        ev,
        Event::MatchRecorded {
            follower: 1,
            reported: 2,
            match_index: 2,
            next_index: 3,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::LeaderCommitted {
            index: 2,
            old: 0,
            ..
        }
    ));
    let ev = deliver(&mut c, answers[1]);
    let late = find!(ev, Event::MatchRecorded { .. });
    assert_eq!(
        late,
        Event::MatchRecorded {
            leader: 0,
            follower: 1,
            reported: 1,
            match_index: 2,
            next_index: 3
        }
    );
    assert_says(&late, &["late answer", "nothing moves back"]);
    let copy = *msgs(&c, 1, 0, K::AppendEntriesResponse).last().unwrap();
    deliver(&mut c, copy);
    let s0 = server(&c, 0);
    assert_eq!((s0.match_index[1], s0.next_index[1]), (2, 3));
    assert_eq!(s0.commit_index, 2);
    assert!(c.violations().is_empty());
}

#[test]
fn follower_commit_is_the_smaller_of_leader_commit_and_the_last_new_entry() {
    let net = RaftNetwork::new(2);
    let mut s1 = RaftServer::with_state(net.create_node(1), st(2, &[1, 1, 1]));
    let append = |prev: usize, entries: Vec<Entry>, leader_commit: usize| Message::AppendEntries {
        term: 2,
        leader: 0,
        prev_log_index: prev,
        prev_log_term: if prev == 0 { 0 } else { 1 },
        entries: entries.into(),
        leader_commit,
    };
    // Only index 1 is known to match the leader: entries 2 and 3 may be stale.
    s1.handle(0, append(1, vec![], 5));
    assert_eq!(s1.commit_index, 1);
    assert!(s1.pending_events().contains(&Event::FollowerCommitted {
        server: 1,
        leader: 0,
        old: 0,
        new: 1,
        leader_commit: 5
    }));
    // The leader's entry 2 replaces the stale suffix; now 2 is known to match.
    s1.handle(0, append(1, vec![Entry::new(2, "a")], 5));
    assert_eq!(terms(&s1), vec![1, 2]);
    assert_eq!(s1.commit_index, 2);
    // A message with an older leader_commit never lowers it.
    let mut sink = Vec::new();
    s1.take_events(&mut sink);
    s1.handle(0, append(0, vec![], 1));
    assert_eq!(s1.commit_index, 2);
    assert!(
        !s1.pending_events()
            .iter()
            .any(|e| matches!(e, Event::FollowerCommitted { .. }))
    );
}

#[test]
fn followers_learn_the_commit_index_from_the_next_append_entries() {
    let mut c = elected(3);
    client(&mut c, 0, "a");
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::LeaderCommitted {
            leader: 0,
            index: 1,
            ..
        }
    ));
    assert_eq!(server(&c, 0).commit_index, 1);
    assert_eq!(server(&c, 1).commit_index, 0);
    heartbeat(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert_eq!(
        count!(
            ev,
            Event::FollowerCommitted {
                new: 1,
                leader_commit: 1,
                ..
            }
        ),
        2
    );
    assert!(c.servers().iter().all(|s| s.commit_index == 1));
    assert!(c.violations().is_empty());
}
