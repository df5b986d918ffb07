//! Client requests and heartbeats.

use super::*;

#[test]
fn a_client_request_on_a_non_leader_is_refused() {
    let mut c = elected(3);
    let before = c.clone();
    let ev = client(&mut c, 1, "x");
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 1,
            action: ActionName::ClientRequest,
            why: RefusalReason::NotLeader {
                role: Role::Follower,
                leader: Some(0)
            },
        }]
    );
    assert_says(&ev[0], &["the leader it knows is S0"]);
    assert_eq!(c, before);

    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let before = c.clone();
    let ev = client(&mut c, 0, "x");
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 0,
            action: ActionName::ClientRequest,
            why: RefusalReason::NotLeader {
                role: Role::Candidate,
                leader: None
            },
        }]
    );
    assert_eq!(c, before);
}

#[test]
fn a_client_request_on_the_leader_appends_and_sends_to_every_peer() {
    let mut c = elected(3);
    let ev = client(&mut c, 0, "set x");
    assert!(has!(
        ev,
        Event::ClientRequestAppended {
            leader: 0,
            index: 1,
            term: 2
        }
    ));
    assert_eq!(
        server(&c, 0).log.entries().cloned().collect::<Vec<_>>(),
        [Entry::new(2, "set x")]
    );
    let sent: Vec<&Envelope> = c.in_flight().collect();
    assert_eq!(sent.len(), 2);
    for (envelope, to) in sent.iter().zip([1, 2]) {
        assert_eq!((envelope.from, envelope.to), (0, to));
        assert_eq!(
            envelope.message,
            Message::AppendEntries {
                term: 2,
                leader: 0,
                prev_log_index: 0,
                prev_log_term: 0,
                entries: vec![Entry::new(2, "set x")].into(),
                leader_commit: 0,
            }
        );
    }
}

#[test]
fn a_heartbeat_carries_entries_from_each_followers_next_index() {
    let mut c = elected(3);
    client(&mut c, 0, "a");
    drop_msg(&mut c, 0, 2, K::AppendEntries);
    deliver_all(&mut c); // S1 gets "a"; S0 commits it with S1
    let s0 = server(&c, 0);
    assert_eq!((s0.next_index[1], s0.next_index[2]), (2, 1));
    let ev = heartbeat(&mut c, 0);
    assert_eq!(ev, vec![Event::HeartbeatSent { leader: 0, term: 2 }]);
    let to_s1 = envelope(&c, msg(&c, 0, 1, K::AppendEntries));
    assert_eq!(
        to_s1.message,
        Message::AppendEntries {
            term: 2,
            leader: 0,
            prev_log_index: 1,
            prev_log_term: 2,
            entries: vec![].into(),
            leader_commit: 1,
        }
    );
    let to_s2 = envelope(&c, msg(&c, 0, 2, K::AppendEntries));
    assert_eq!(
        to_s2.message,
        Message::AppendEntries {
            term: 2,
            leader: 0,
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![Entry::new(2, "a")].into(),
            leader_commit: 1,
        }
    );
    let ev = heartbeat(&mut c, 1);
    assert!(matches!(
        ev[..],
        [Event::Refused {
            server: 1,
            action: ActionName::Heartbeat,
            ..
        }]
    ));
}
