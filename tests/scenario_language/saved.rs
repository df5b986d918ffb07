//! A session that played the new steps saves as a file that replays it exactly: the cap, the
//! starting next/match indices and leader, cut links, hand-made messages with every field,
//! and the new expectations, written back as the file said them.

use super::*;
use raftwalk::raft::{Action, ServerAction};
use raftwalk::session::Session;

#[test]
fn a_saved_session_replays_every_new_step_and_keeps_every_new_setting() {
    let text = r#"{"name": "everything new", "max_entries_per_append": 1,
      "servers": [
        {"name": "a", "term": 2, "role": "LEADER", "log": [1, 2, {"term": 2, "command": "x"}],
         "commit_index": 0, "next_index": {"b": 2}, "match_index": {"b": 1}},
        {"name": "b", "term": 2, "voted_for": "a", "log": [1], "leader": "a"},
        {"name": "c", "term": 2, "voted_for": "a"}],
      "steps": [
        {"cut": {"from": "a", "to": "c"}},
        {"heartbeat": "a"},
        {"expect": {"server": "a", "next_index": {"b": 2, "c": 4}, "match_index": {"b": 1},
                    "leader": "a", "log": [1, 2, {"term": 2, "command": "x"}],
                    "in_flight": {"total": 1, "kind": {"AppendEntries": 1}, "to": {"b": 1}},
                    "messages": [{"to": "b", "entries": [2], "count": 1}]}},
        {"send": {"from": "c", "to": "b", "kind": "RequestVote", "term": 2}},
        {"deliver": {"newest": true}},
        {"link": ["a", "c"]},
        {"say": "words"},
        {"deliver": {"kind": "AppendEntries", "nth": 0}}]}"#;
    let mut session = Session::new(parse_ok(text));
    while session.play_beat().is_ok() {}
    session
        .act(Action::on(0, ServerAction::Heartbeat))
        .expect("a free action too");
    let file = session.to_scenario_file();
    let json = serde_json::to_string_pretty(&file).expect("serializes");
    for part in [
        r#""max_entries_per_append": 1"#,
        r#""next_index": {"#,
        r#""leader": "a""#,
        r#""cut": {"#,
        r#""link": ["#,
        r#""send": {"#,
        r#""last_log_index": 0"#,
        r#""messages": ["#,
        r#""AppendEntries": 1"#,
    ] {
        assert!(json.contains(part), "{part} missing from\n{json}");
    }
    let saved = scenario::parse(&json, "saved.json").unwrap_or_else(|e| panic!("{e}\n{json}"));
    let (ran, summary) = scenario::run(&saved, &mut std::io::sink()).expect("runs");
    assert!(summary.passed(), "{summary:?}\n{json}");
    assert_eq!(&ran, session.cluster(), "the replay ends elsewhere");
}
