//! `{"cut": …}` and `{"link": …}`: one way or both; a message over a cut link is lost when
//! sent and when delivered; `heal` restores every link.

use super::*;

#[test]
fn a_one_way_cut_loses_a_to_b_while_b_to_a_arrives() {
    let (cluster, log) = passes(&abc(r#"[{"cut": {"from": "a", "to": "b"}},
            {"timeout": "a"},
            {"expect": {"in_flight": {"total": 1, "to": {"b": 0, "c": 1}}}},
            {"timeout": "b"},
            {"expect": {"messages": [{"from": "b", "to": "a", "kind": "RequestVote"}]}},
            {"deliver": {"from": "b", "to": "a"}},
            {"expect": {"server": "a", "term": 2, "voted_for": "a"}},
            {"expect": {"messages": [{"from": "a", "to": "b", "count": 0}]}}]"#));
    assert!(cluster.network().is_cut(0, 1) && !cluster.network().is_cut(1, 0));
    assert!(log.contains("step 1: cut the link a → b"), "{log}");
    assert!(
        log.contains("The link a → b is cut: messages from a to b are lost, and so are those already on the way; b → a still works."),
        "{log}"
    );
    // a's answer to b's request went back over the cut link.
    assert!(
        log.contains("(RequestVoteResponse a → b) is lost: the link between them is cut that way."),
        "{log}"
    );
}

#[test]
fn a_message_already_in_flight_is_lost_at_delivery_and_a_restored_link_carries_the_next() {
    let (_, log) = passes(&abc(r#"[{"timeout": "a"},
            {"cut": ["a", "b"]},
            {"expect": {"in_flight": 2}},
            {"deliver": {"to": "b"}},
            {"expect": {"server": "b", "term": 1}},
            {"link": ["b", "a"]},
            {"timeout": "a"},
            {"deliver": {"to": "b"}},
            {"expect": {"server": "b", "term": 3, "voted_for": "a"}}]"#));
    assert!(
        log.contains("step 2: cut the link between a and b"),
        "{log}"
    );
    assert!(log.contains("is cut both ways"), "{log}");
    assert!(
        log.contains(
            "Message #1 (RequestVote a → b) is lost: the link between them is cut that way."
        ),
        "{log}"
    );
    assert!(
        log.contains("step 6: restore the link between b and a"),
        "{log}"
    );
}

#[test]
fn restoring_one_way_leaves_the_other_way_cut_and_heal_restores_everything() {
    let (cluster, log) = passes(&abc(r#"[{"cut": ["a", "b"]},
            {"cut": {"from": "c", "to": "a"}},
            {"link": {"from": "b", "to": "a"}},
            {"timeout": "b"},
            {"expect": {"in_flight": {"to": {"a": 1, "c": 1}}}},
            {"timeout": "a"},
            {"expect": {"in_flight": {"from": {"a": 1}}}},
            "heal",
            {"timeout": "c"},
            {"expect": {"in_flight": {"from": {"c": 2}}}}]"#));
    assert!(!cluster.network().has_cut_links());
    assert!(log.contains("step 3: restore the link b → a"), "{log}");
    assert!(
        log.contains("The link b → a is restored: messages from b reach a again."),
        "{log}"
    );
}

#[test]
fn a_cut_is_a_model_action_in_one_place() {
    use raftwalk::raft::{Action, Cluster, Link, NetworkError};
    let mut c = Cluster::new(3);
    let link = Link {
        from: 0,
        to: 2,
        both_ways: false,
    };
    c.apply(&Action::Cut(link)).expect("cuts");
    assert_eq!(c.network().cut_links().collect::<Vec<_>>(), [(0, 2)]);
    assert!(!c.network().connected(0, 2));
    assert!(c.network().connected(0, 1));
    c.apply(&Action::Restore(link)).expect("restores");
    assert!(!c.network().has_cut_links());
    let before = c.clone();
    let to_self = Link {
        from: 1,
        to: 1,
        both_ways: true,
    };
    assert_eq!(
        c.apply(&Action::Cut(to_self)),
        Err(NetworkError::SameServer(1))
    );
    let nowhere = Link {
        from: 1,
        to: 7,
        both_ways: false,
    };
    assert_eq!(
        c.apply(&Action::Cut(nowhere)),
        Err(NetworkError::NoSuchServer(7))
    );
    assert_eq!(c, before);
}
