//! A starting leader's `next_index`/`match_index` per follower, and a follower's `leader`.

use super::*;

#[test]
fn a_starting_leader_sends_from_the_next_index_given() {
    let text = r#"{"name": "t", "servers": [
        {"name": "a", "term": 3, "role": "LEADER", "log": [1, 1, 3, 3], "commit_index": 2,
         "next_index": {"b": 2, "c": 4}, "match_index": {"c": 3}},
        {"name": "b", "term": 3, "voted_for": "a", "log": [1], "leader": "a"},
        {"name": "c", "term": 3, "voted_for": "a", "log": [1, 1, 3], "leader": 0}],
      "steps": [
        {"expect": {"server": "a", "next_index": {"b": 2, "c": 4}, "match_index": {"b": 0, "c": 3}}},
        {"expect": {"server": "b", "leader": "a"}},
        {"expect": {"server": "c", "leader": "a"}},
        {"heartbeat": "a"},
        {"expect": {"messages": [
            {"to": "b", "prev_log_index": 1, "prev_log_term": 1, "entries": [1, 3, 3]},
            {"to": "c", "prev_log_index": 3, "prev_log_term": 3, "entries": [3]}]}},
        "deliver_all",
        {"expect": {"server": "a", "match_index": {"b": 4, "c": 4}, "commit_index": 4}}]}"#;
    let (cluster, _) = passes(text);
    assert_eq!(cluster.servers()[1].leader_id, Some(0));
}

#[test]
fn followers_not_listed_start_fresh() {
    let (cluster, _) = passes(&led_by_a(
        "[1, 2]",
        0,
        "[]",
        "[]",
        "",
        r#"[{"expect": {"server": "a", "next_index": {"b": 3, "c": 3}, "match_index": {"b": 0, "c": 0}, "leader": "a"}},
            {"expect": {"server": "b", "leader": null}}]"#,
    ));
    assert_eq!(cluster.servers()[0].next_index[1], 3);
}

#[test]
fn the_starting_state_is_a_model_value() {
    use raftwalk::raft::{Cluster, Log, Role, ServerState};
    let leader = ServerState {
        term: 2,
        role: Role::Leader,
        log: Log::from_terms(&[1, 2, 2]),
        next_index: vec![(1, 2)],
        match_index: vec![(1, 1)],
        ..ServerState::default()
    };
    let follower = ServerState {
        term: 2,
        voted_for: Some(0),
        leader: Some(0),
        log: Log::from_terms(&[1]),
        ..ServerState::default()
    };
    let c = Cluster::from_states(vec![leader, follower.clone(), follower]);
    let a = &c.servers()[0];
    assert_eq!((a.next_index[1], a.match_index[1]), (2, 1));
    assert_eq!((a.next_index[2], a.match_index[2]), (4, 0));
    assert_eq!(c.servers()[1].leader_id, Some(0));
    assert!(c.violations().is_empty());
}
