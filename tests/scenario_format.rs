//! The scenario file format, through `scenario::parse` on inline JSON: every valid form is
//! read as documented, and every invalid file is refused with a message naming the field.

use raftwalk::raft::{Action, MessageKind, Role, ServerAction, ServerState};
use raftwalk::scenario::{
    self, EntryPattern, Expectation, FlightCounts, MessageFilter, MessageOp, MessagePattern,
    Scenario, ScenarioError, Step,
};
use std::sync::Arc;

const ORIGIN: &str = "test.json";

/// Parses `text`, panicking with the error if it is refused.
fn parse_ok(text: &str) -> Scenario {
    scenario::parse(text, ORIGIN).unwrap_or_else(|e| panic!("refused: {e}\n{text}"))
}

/// Parses `text`, panicking if it is accepted.
fn parse_err(text: &str) -> ScenarioError {
    match scenario::parse(text, ORIGIN) {
        Ok(s) => panic!("accepted, but should be refused: {text}\n{s:?}"),
        Err(e) => e,
    }
}

/// Asserts that `text` is refused with an error about `field` whose text holds every word.
fn assert_refused(text: &str, field: &str, words: &[&str]) -> ScenarioError {
    let err = parse_err(text);
    let shown = err.to_string();
    assert_eq!(err.field.as_deref(), Some(field), "wrong field in: {shown}");
    assert_eq!(err.origin, ORIGIN, "{shown}");
    assert!(
        shown.starts_with(ORIGIN),
        "the error should start with the origin: {shown}"
    );
    assert!(
        shown.contains(&format!(": {field}: ")),
        "the error should name {field}: {shown}"
    );
    for word in words {
        assert!(shown.contains(word), "{word:?} missing from: {shown}");
    }
    err
}

/// Like [`assert_refused`], for JSON syntax and type errors, which also carry line:column.
fn assert_refused_at(text: &str, field: &str, line: usize, words: &[&str]) -> ScenarioError {
    let err = assert_refused(text, field, words);
    let shown = err.to_string();
    let (l, c) = err
        .position
        .unwrap_or_else(|| panic!("no line:column in: {shown}"));
    assert_eq!(l, line, "wrong line in: {shown}");
    assert!(
        shown.starts_with(&format!("{ORIGIN}:{l}:{c}: ")),
        "the position should follow the origin: {shown}"
    );
    err
}

/// A scenario of three servers `a`, `b`, `c` running `steps` (a JSON list).
fn abc(steps: &str) -> String {
    format!(
        r#"{{"name": "t", "servers": [{{"name": "a"}}, {{"name": "b"}}, {{"name": "c"}}], "steps": {steps}}}"#
    )
}

/// A scenario of `servers` fresh servers running `steps`.
fn fresh(servers: usize, steps: &str) -> String {
    format!(r#"{{"name": "t", "servers": {servers}, "steps": {steps}}}"#)
}

fn terms(state: &ServerState) -> Vec<u64> {
    state.log.terms().collect()
}

fn commands(state: &ServerState) -> Vec<String> {
    state.log.entries().map(|e| e.command.to_string()).collect()
}

fn assert_fresh(state: &ServerState, who: &str) {
    assert_eq!(state.term, 1, "{who}.term");
    assert_eq!(state.voted_for, None, "{who}.voted_for");
    assert!(state.log.is_empty(), "{who}.log");
    assert_eq!(state.commit_index, 0, "{who}.commit_index");
    assert_eq!(state.role, Role::Follower, "{who}.role");
    assert!(!state.crashed, "{who}.crashed");
    assert_eq!(*state, ServerState::default(), "{who}");
}

/// Expected log entries checked by term alone.
fn terms_only(terms: &[u64]) -> Vec<EntryPattern> {
    terms
        .iter()
        .map(|&term| EntryPattern {
            term,
            command: None,
        })
        .collect()
}

fn on(server: usize, action: ServerAction) -> Step {
    Step::on(server, action)
}

fn request(server: usize, command: &str) -> Step {
    on(server, ServerAction::ClientRequest(Arc::from(command)))
}

// ---------------------------------------------------------------------------------------
// Valid forms
// ---------------------------------------------------------------------------------------

#[test]
fn servers_as_a_count_are_fresh_servers_named_by_id() {
    let s = parse_ok(r#"{"name": "three", "servers": 3}"#);
    assert_eq!(s.name, "three");
    assert_eq!(s.description, None);
    assert_eq!(s.names, ["S0", "S1", "S2"]);
    assert_eq!(s.initial.len(), 3);
    for (id, state) in s.initial.iter().enumerate() {
        assert_fresh(state, &format!("S{id}"));
    }
    assert!(s.steps.is_empty());
}

#[test]
fn servers_as_a_list_take_the_defaults_for_fields_not_given() {
    let s = parse_ok(r#"{"name": "t", "servers": [{}, {"name": "b"}, {}, {"term": 4}]}"#);
    assert_eq!(s.names, ["S0", "b", "S2", "S3"]);
    assert_fresh(&s.initial[0], "S0");
    assert_fresh(&s.initial[1], "b");
    assert_fresh(&s.initial[2], "S2");
    assert_eq!(s.initial[3].term, 4);
    assert_eq!(
        s.initial[3],
        ServerState {
            term: 4,
            ..ServerState::default()
        }
    );
}

#[test]
fn one_and_nine_servers_are_the_limits() {
    assert_eq!(parse_ok(&fresh(1, "[]")).names, ["S0"]);
    assert_eq!(parse_ok(&fresh(9, "[]")).initial.len(), 9);
    let nine = format!(r#"{{"name": "t", "servers": [{}]}}"#, ["{}"; 9].join(", "));
    assert_eq!(parse_ok(&nine).names[8], "S8");
}

#[test]
fn every_server_field_is_read() {
    let s = parse_ok(
        r#"{
          "name": "t",
          "unsafe_start": true,
          "servers": [
            {"name": "lead", "term": 5, "voted_for": "lead", "log": [1, 3, 5],
             "commit_index": 2, "role": "LEADER", "crashed": false},
            {"name": "cand", "term": 6, "voted_for": 1, "role": "CANDIDATE"},
            {"name": "down", "term": 5, "voted_for": 0, "log": [1], "commit_index": 1,
             "role": "FOLLOWER", "crashed": true},
            {"name": "quiet", "voted_for": null}
          ]
        }"#,
    );
    assert_eq!(s.names, ["lead", "cand", "down", "quiet"]);
    // Entry 2 is committed on `lead` alone: only an unsafe start may say so.
    assert!(s.unsafe_start);
    let lead = &s.initial[0];
    assert_eq!(lead.term, 5);
    assert_eq!(lead.voted_for, Some(0));
    assert_eq!(terms(lead), [1, 3, 5]);
    assert_eq!(lead.commit_index, 2);
    assert_eq!(lead.role, Role::Leader);
    assert!(!lead.crashed);
    let cand = &s.initial[1];
    assert_eq!(
        (cand.term, cand.voted_for, cand.role),
        (6, Some(1), Role::Candidate)
    );
    let down = &s.initial[2];
    assert_eq!(down.voted_for, Some(0));
    assert_eq!(down.role, Role::Follower);
    assert!(down.crashed);
    assert_eq!(down.commit_index, 1);
    assert_fresh(&s.initial[3], "quiet");
}

#[test]
fn log_entries_are_terms_or_objects_mixed() {
    let s = parse_ok(
        r#"{"name": "t", "servers": [{"term": 3, "log": [
            1, {"term": 2, "command": "x=1"}, 2, {"term": 3}, {"command": "y", "term": 3}
        ], "commit_index": 5}]}"#,
    );
    let state = &s.initial[0];
    assert_eq!(terms(state), [1, 2, 2, 3, 3]);
    assert_eq!(commands(state), ["", "x=1", "", "", "y"]);
    assert_eq!(state.commit_index, 5);
}

#[test]
fn schema_and_description_are_accepted() {
    let s = parse_ok(
        r#"{"$schema": "./scenario.schema.json", "name": "t",
            "description": "Longer text.", "servers": 2, "steps": []}"#,
    );
    assert_eq!(s.description.as_deref(), Some("Longer text."));
    assert_eq!(s.names, ["S0", "S1"]);
}

#[test]
fn server_steps_take_an_id_or_a_name() {
    let s = parse_ok(&abc(r#"[
        {"timeout": "a"}, {"timeout": 2},
        {"crash": "b"}, {"crash": 0},
        {"restart": "c"}, {"restart": 1},
        {"heartbeat": "a"}, {"heartbeat": 1},
        {"become_follower": "b"}, {"become_follower": 2},
        {"become_candidate": "c"}, {"become_candidate": 0},
        {"become_leader": "a"}, {"become_leader": 2},
        {"request": {"server": "b", "command": "x"}}, {"request": {"server": 2}}
    ]"#));
    use ServerAction::*;
    assert_eq!(
        s.steps,
        [
            on(0, Timeout),
            on(2, Timeout),
            on(1, Crash),
            on(0, Crash),
            on(2, Restart),
            on(1, Restart),
            on(0, Heartbeat),
            on(1, Heartbeat),
            on(1, BecomeFollower),
            on(2, BecomeFollower),
            on(2, BecomeCandidate),
            on(0, BecomeCandidate),
            on(0, BecomeLeader),
            on(2, BecomeLeader),
            request(1, "x"),
            request(2, ""),
        ]
    );
}

#[test]
fn selectors_take_id_from_to_and_kind() {
    let s = parse_ok(&abc(r#"[
        {"deliver": {"id": 4, "from": "a", "to": 2, "kind": "RequestVote"}},
        {"deliver": {}},
        {"drop": {"from": 1, "kind": "RequestVoteResponse"}},
        {"drop": {"to": "c"}},
        {"duplicate": {"id": 7}},
        {"duplicate": {"from": "c", "to": 0, "kind": "AppendEntries"}},
        {"deliver": {"kind": "AppendEntriesResponse"}}
    ]"#));
    let filter = |id, from, to, kind| MessageFilter {
        id,
        pattern: MessagePattern {
            from,
            to,
            kind,
            ..MessagePattern::default()
        },
        ..MessageFilter::default()
    };
    use MessageKind::*;
    use MessageOp::*;
    assert_eq!(
        s.steps,
        [
            Step::Message(
                Deliver,
                filter(Some(4), Some(0), Some(2), Some(RequestVote))
            ),
            Step::Message(Deliver, MessageFilter::default()),
            Step::Message(Drop, filter(None, Some(1), None, Some(RequestVoteResponse))),
            Step::Message(Drop, filter(None, None, Some(2), None)),
            Step::Message(Duplicate, filter(Some(7), None, None, None)),
            Step::Message(
                Duplicate,
                filter(None, Some(2), Some(0), Some(AppendEntries))
            ),
            Step::Message(
                Deliver,
                filter(None, None, None, Some(AppendEntriesResponse))
            ),
        ]
    );
}

#[test]
fn bare_steps_partition_and_say() {
    let s = parse_ok(&abc(r#"[
        "deliver_all",
        {"partition": [["a", 1], [2]]},
        {"partition": [["c"]]},
        "heal",
        {"say": "Narration."}
    ]"#));
    assert_eq!(
        s.steps,
        [
            Step::Act(Action::DeliverAll),
            Step::Act(Action::Partition(vec![vec![0, 1], vec![2]])),
            Step::Act(Action::Partition(vec![vec![2]])),
            Step::Act(Action::Heal),
            Step::Say("Narration.".to_string()),
        ]
    );
}

#[test]
fn expect_reads_every_field() {
    let s = parse_ok(&abc(r#"[
        {"expect": {"server": "b", "role": "CANDIDATE", "term": 3, "voted_for": "b",
                    "log": [1, 2], "commit_index": 1, "crashed": false,
                    "leaders": ["a", 2], "in_flight": 4}},
        {"expect": {"server": 2, "voted_for": 0, "crashed": true}},
        {"expect": {"server": "a", "role": "LEADER"}},
        {"expect": {"server": "c", "role": "FOLLOWER", "log": []}}
    ]"#));
    assert_eq!(
        s.steps,
        [
            Step::Expect(Expectation {
                server: Some(1),
                role: Some(Role::Candidate),
                term: Some(3),
                voted_for: Some(Some(1)),
                log: Some(terms_only(&[1, 2])),
                commit_index: Some(1),
                crashed: Some(false),
                leaders: Some(vec![0, 2]),
                in_flight: Some(FlightCounts::total(4)),
                ..Expectation::default()
            }),
            Step::Expect(Expectation {
                server: Some(2),
                voted_for: Some(Some(0)),
                crashed: Some(true),
                ..Expectation::default()
            }),
            Step::Expect(Expectation {
                server: Some(0),
                role: Some(Role::Leader),
                ..Expectation::default()
            }),
            Step::Expect(Expectation {
                server: Some(2),
                role: Some(Role::Follower),
                log: Some(terms_only(&[])),
                ..Expectation::default()
            }),
        ]
    );
}

#[test]
fn expect_voted_for_null_checks_for_no_vote_and_absent_checks_nothing() {
    let s = parse_ok(&abc(r#"[
        {"expect": {"server": "a", "voted_for": null}},
        {"expect": {"server": "a", "term": 1}}
    ]"#));
    let Step::Expect(null) = &s.steps[0] else {
        panic!("not an expect: {:?}", s.steps[0]);
    };
    assert_eq!(null.voted_for, Some(None), "null means: voted for nobody");
    let Step::Expect(absent) = &s.steps[1] else {
        panic!("not an expect: {:?}", s.steps[1]);
    };
    assert_eq!(absent.voted_for, None, "absent means: not checked");
}

#[test]
fn expect_about_the_cluster_needs_no_server() {
    let s = parse_ok(&fresh(
        3,
        r#"[{"expect": {"leaders": []}}, {"expect": {"in_flight": 0}},
            {"expect": {"leaders": [1, "S0"], "in_flight": 2}}]"#,
    ));
    assert_eq!(
        s.steps,
        [
            Step::Expect(Expectation {
                leaders: Some(vec![]),
                ..Expectation::default()
            }),
            Step::Expect(Expectation {
                in_flight: Some(FlightCounts::total(0)),
                ..Expectation::default()
            }),
            Step::Expect(Expectation {
                leaders: Some(vec![1, 0]),
                in_flight: Some(FlightCounts::total(2)),
                ..Expectation::default()
            }),
        ]
    );
}

#[test]
fn a_candidate_may_have_voted_for_itself() {
    let s = parse_ok(
        r#"{"name": "t", "servers": [{}, {"term": 2, "role": "CANDIDATE", "voted_for": "S1"}]}"#,
    );
    assert_eq!(s.initial[1].voted_for, Some(1));
    assert_eq!(s.initial[1].role, Role::Candidate);
}

// ---------------------------------------------------------------------------------------
// JSON syntax and type errors: line:column and the field
// ---------------------------------------------------------------------------------------

#[test]
fn syntax_error_gives_line_and_column() {
    let text =
        "{\n  \"name\": \"x\",\n  \"servers\": 3,\n  \"steps\": [\n    {\"timeout\": 0},\n  ]\n}";
    let err = assert_refused_at(text, "steps", 6, &["trailing comma"]);
    assert_eq!(err.position, Some((6, 3)));
    assert!(
        err.to_string().starts_with("test.json:6:3: steps: "),
        "{err}"
    );
}

#[test]
fn syntax_error_in_a_step_names_the_step() {
    let text = "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n  {\"timeout\": 0},\n  {\"timeout\" 1}\n]}";
    assert_refused_at(text, "steps[1]", 3, &["expected `:`"]);
}

#[test]
fn syntax_error_at_the_top_level_gives_line_and_column() {
    let err = parse_err("{\n  \"name\": \"x\"\n  \"servers\": 3\n}");
    assert_eq!(err.position, Some((3, 3)), "{err}");
    assert!(err.to_string().starts_with("test.json:3:3: "), "{err}");
    assert!(err.to_string().contains("expected `,` or `}`"), "{err}");
}

#[test]
fn empty_and_truncated_text_are_syntax_errors() {
    for empty in ["", "  \n", "\u{feff}"] {
        let err = parse_err(empty);
        assert_eq!(
            err.to_string(),
            format!(
                "{ORIGIN}: empty file: a scenario is a JSON object like {{\"name\": \"...\", \"servers\": 3}}"
            )
        );
    }
    let err = assert_refused("{\"name\": \"x\", \"servers\": [{}", "servers", &["EOF"]);
    assert!(err.position.is_some(), "{err}");
}

#[test]
fn wrong_types_give_line_column_and_field() {
    assert_refused_at(
        "{\"name\": \"x\",\n \"servers\": [{\"term\": \"2\"}]}",
        "servers[0].term",
        2,
        &["invalid type", "string \"2\""],
    );
    assert_refused_at(
        "{\"name\": \"x\",\n \"servers\": \"3\"}",
        "servers",
        2,
        &["server count", "list of servers"],
    );
    assert_refused_at(
        "{\"name\": \"x\",\n \"servers\": -1}",
        "servers",
        2,
        &["-1", "server count"],
    );
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": [\n {\"log\": [1, \"1\"]}]}",
        "servers[0].log[1]",
        2,
        &["invalid type", "log entry"],
    );
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n {\"timeout\": true}]}",
        "steps[0].timeout",
        2,
        &["0-based id", "name"],
    );
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n {\"expect\": {\"in_flight\": -1}}]}",
        "steps[0].expect.in_flight",
        2,
        &["invalid"],
    );
}

#[test]
fn missing_name_is_refused() {
    let err = parse_err(r#"{"servers": 3}"#);
    assert!(err.position.is_some(), "{err}");
    assert!(err.to_string().contains("missing field `name`"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Unknown fields and names
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_top_level_field_is_refused() {
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3,\n \"stpes\": []}",
        "stpes",
        2,
        &["unknown field `stpes`", "`steps`", "`servers`"],
    );
}

#[test]
fn unknown_step_name_is_refused() {
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n {\"timeout\": 0},\n {\"tiemout\": 0}]}",
        "steps[1].tiemout",
        3,
        &["unknown variant `tiemout`", "`timeout`", "`become_leader`"],
    );
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n \"deliver_al\"]}",
        "steps[0]",
        2,
        &["unknown variant `deliver_al`", "`deliver_all`"],
    );
}

#[test]
fn unknown_field_in_a_server_is_refused() {
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": [{\"term\": 1},\n {\"trem\": 2}]}",
        "servers[1].trem",
        2,
        &["unknown field `trem`", "`term`", "`voted_for`"],
    );
}

#[test]
fn unknown_field_in_a_selector_is_refused() {
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n {\"deliver\": {\"from\": 0, \"too\": 1}}]}",
        "steps[0].deliver.too",
        2,
        &["unknown field `too`", "`to`", "`kind`"],
    );
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\"heal\",\n {\"drop\": {\"sender\": 0}}]}",
        "steps[1].drop.sender",
        2,
        &["unknown field `sender`", "`from`"],
    );
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n {\"duplicate\": {\"type\": \"RequestVote\"}}]}",
        "steps[0].duplicate.type",
        2,
        &["unknown field `type`", "`kind`"],
    );
}

#[test]
fn unknown_field_in_a_log_entry_object_is_refused() {
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": [{\"term\": 3, \"log\": [1,\n {\"term\": 2, \"cmd\": \"x\"}]}]}",
        "servers[0].log[1].cmd",
        2,
        &["unknown field `cmd`", "`term`", "`command`"],
    );
}

#[test]
fn unknown_field_in_an_expect_is_refused() {
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n {\"expect\": {\"server\": 0, \"leadrs\": 0}}]}",
        "steps[0].expect.leadrs",
        2,
        &["unknown field `leadrs`", "`leaders`"],
    );
}

#[test]
fn roles_must_be_spelled_in_capitals() {
    for wrong in ["leader", "Leader", "follower", "CANDIDATES"] {
        let text = format!("{{\"name\": \"x\",\n \"servers\": [{{\"role\": \"{wrong}\"}}]}}");
        assert_refused_at(
            &text,
            "servers[0].role",
            2,
            &[
                &format!("`{wrong}`"),
                "`FOLLOWER`",
                "`CANDIDATE`",
                "`LEADER`",
            ],
        );
    }
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n {\"expect\": {\"server\": 0, \"role\": \"candidate\"}}]}",
        "steps[0].expect.role",
        2,
        &["`candidate`", "`CANDIDATE`"],
    );
}

#[test]
fn message_kinds_must_be_spelled_exactly() {
    assert_refused_at(
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n {\"deliver\": {\"kind\": \"requestVote\"}}]}",
        "steps[0].deliver.kind",
        2,
        &["`requestVote`", "`RequestVote`", "`AppendEntriesResponse`"],
    );
}

// ---------------------------------------------------------------------------------------
// Rules checked after reading: each names the field
// ---------------------------------------------------------------------------------------

#[test]
fn log_terms_must_not_decrease() {
    assert_refused(
        r#"{"name": "x", "servers": [{"term": 3, "log": [1, 3, 2]}]}"#,
        "servers[0].log[2]",
        &["term 2", "term 3", "never decrease"],
    );
}

#[test]
fn log_terms_must_not_exceed_the_server_term() {
    assert_refused(
        r#"{"name": "x", "servers": [{}, {"term": 2, "log": [1, 3]}]}"#,
        "servers[1].log[1]",
        &["term 3", "above", "term 2"],
    );
    // The default term is 1.
    assert_refused(
        r#"{"name": "x", "servers": [{"log": [{"term": 2}]}]}"#,
        "servers[0].log[0]",
        &["term 2", "above", "term 1"],
    );
}

#[test]
fn term_zero_is_refused() {
    assert_refused(
        r#"{"name": "x", "servers": [{}, {"term": 0}]}"#,
        "servers[1].term",
        &["start at 1"],
    );
    assert_refused(
        r#"{"name": "x", "servers": [{"log": [0]}]}"#,
        "servers[0].log[0]",
        &["1 or more"],
    );
    assert_refused(
        r#"{"name": "x", "servers": [{"log": [{"term": 0, "command": "x"}]}]}"#,
        "servers[0].log[0]",
        &["1 or more"],
    );
}

#[test]
fn voted_for_must_name_a_server() {
    assert_refused(
        r#"{"name": "x", "servers": [{"voted_for": "zed"}, {}]}"#,
        "servers[0].voted_for",
        &["\"zed\"", "S0, S1"],
    );
    assert_refused(
        r#"{"name": "x", "servers": [{}, {"voted_for": 2}]}"#,
        "servers[1].voted_for",
        &["no server 2", "0 to 1"],
    );
}

#[test]
fn step_references_must_name_a_server() {
    // (step, the field the error must name)
    let cases = [
        (r#"{"timeout": "d"}"#, "steps[0].timeout"),
        (r#"{"crash": "A"}"#, "steps[0].crash"),
        (r#"{"restart": "d"}"#, "steps[0].restart"),
        (r#"{"heartbeat": "d"}"#, "steps[0].heartbeat"),
        (r#"{"become_follower": "d"}"#, "steps[0].become_follower"),
        (r#"{"become_candidate": "d"}"#, "steps[0].become_candidate"),
        (r#"{"become_leader": "d"}"#, "steps[0].become_leader"),
        (r#"{"request": {"server": "d"}}"#, "steps[0].request.server"),
        (r#"{"deliver": {"from": "d"}}"#, "steps[0].deliver.from"),
        (r#"{"drop": {"to": "d"}}"#, "steps[0].drop.to"),
        (
            r#"{"duplicate": {"from": 0, "to": "d"}}"#,
            "steps[0].duplicate.to",
        ),
        (
            r#"{"partition": [["a"], ["b", "d"]]}"#,
            "steps[0].partition[1][1]",
        ),
        (
            r#"{"expect": {"server": "d", "term": 1}}"#,
            "steps[0].expect.server",
        ),
        (
            r#"{"expect": {"server": 0, "voted_for": "d"}}"#,
            "steps[0].expect.voted_for",
        ),
        (
            r#"{"expect": {"leaders": ["a", "d"]}}"#,
            "steps[0].expect.leaders[1]",
        ),
    ];
    for (step, field) in cases {
        let name = step.replace("\"d\"", "\"S1\"").replace("\"A\"", "\"S1\"");
        let err = assert_refused(&abc(&format!("[{name}]")), field, &["\"S1\"", "a, b, c"]);
        assert!(err.to_string().contains("no server is named"), "{err}");
        let id = step.replace("\"d\"", "3").replace("\"A\"", "3");
        assert_refused(&abc(&format!("[{id}]")), field, &["no server 3", "0 to 2"]);
    }
}

#[test]
fn a_later_step_reference_names_its_own_index() {
    assert_refused(
        &fresh(
            3,
            r#"["deliver_all", {"say": "x"}, {"timeout": 0}, {"timeout": 7}]"#,
        ),
        "steps[3].timeout",
        &["no server 7"],
    );
}

#[test]
fn commit_index_must_be_within_the_log() {
    assert_refused(
        r#"{"name": "x", "servers": [{"log": [1], "commit_index": 2}]}"#,
        "servers[0].commit_index",
        &["2", "past the end of the log", "1 entry"],
    );
    assert_refused(
        r#"{"name": "x", "servers": [{}, {"commit_index": 1}]}"#,
        "servers[1].commit_index",
        &["past the end of the log", "0 entries"],
    );
}

#[test]
fn names_must_be_unique() {
    assert_refused(
        r#"{"name": "x", "servers": [{"name": "a"}, {"name": "b"}, {"name": "a"}]}"#,
        "servers[2].name",
        &["\"a\"", "already", "server 0"],
    );
    // A given name may clash with a default one.
    assert_refused(
        r#"{"name": "x", "servers": [{"name": "S1"}, {}]}"#,
        "servers[1].name",
        &["\"S1\"", "already", "server 0"],
    );
}

#[test]
fn empty_names_are_refused() {
    assert_refused(
        r#"{"name": "x", "servers": [{"name": " "}]}"#,
        "servers[0].name",
        &["empty"],
    );
}

#[test]
fn a_cluster_has_one_to_nine_servers() {
    assert_refused(&fresh(0, "[]"), "servers", &["1 to 9", "not 0"]);
    assert_refused(&fresh(10, "[]"), "servers", &["1 to 9", "not 10"]);
    assert_refused(
        r#"{"name": "x", "servers": []}"#,
        "servers",
        &["1 to 9", "not 0"],
    );
    let ten = format!(r#"{{"name": "x", "servers": [{}]}}"#, ["{}"; 10].join(", "));
    assert_refused(&ten, "servers", &["1 to 9", "not 10"]);
}

#[test]
fn a_server_may_be_in_only_one_partition_group() {
    assert_refused(
        &fresh(3, r#"[{"partition": [["S0", "S1"], [2, "S0"]]}]"#),
        "steps[0].partition[1][1]",
        &["S0", "more than one group"],
    );
    assert_refused(
        &abc(r#"["heal", {"partition": [["a", 0]]}]"#),
        "steps[1].partition[0][1]",
        &["a", "more than one group"],
    );
}

#[test]
fn expect_with_server_fields_needs_a_server() {
    for field in [
        r#""role": "LEADER""#,
        r#""term": 2"#,
        r#""voted_for": "S0""#,
        r#""voted_for": null"#,
        r#""log": [1]"#,
        r#""commit_index": 0"#,
        r#""crashed": false"#,
    ] {
        let text = fresh(
            3,
            &format!(r#"[{{"say": "x"}}, {{"expect": {{"leaders": [], {field}}}}}]"#),
        );
        assert_refused(&text, "steps[1].expect", &["\"server\"", "need"]);
    }
}

#[test]
fn expect_that_checks_nothing_is_refused() {
    assert_refused(
        &fresh(3, r#"[{"expect": {}}]"#),
        "steps[0].expect",
        &["checks nothing"],
    );
    assert_refused(
        &fresh(3, r#"[{"expect": {"server": "S1"}}]"#),
        "steps[0].expect",
        &["checks nothing"],
    );
}

#[test]
fn a_candidate_cannot_have_voted_for_another_server() {
    assert_refused(
        r#"{"name": "x", "servers": [{"term": 2, "role": "CANDIDATE", "voted_for": "S1"}, {}]}"#,
        "servers[0].voted_for",
        &["candidate", "itself"],
    );
}

// ---------------------------------------------------------------------------------------
// Found wrong once, fixed since
// ---------------------------------------------------------------------------------------

#[test]
fn text_after_the_scenario_is_refused() {
    let err = parse_err("{\"name\": \"x\", \"servers\": 3}\n{\"name\": \"y\"}");
    assert!(err.position.is_some_and(|(line, _)| line == 2), "{err}");
    assert!(err.to_string().contains("trailing characters"), "{err}");
}

#[test]
fn syntax_errors_never_show_a_question_mark_as_the_field() {
    for text in [
        "{\n  \"name\": \"x\"\n  \"servers\": 3\n}",
        "{\n \"name\": \"x\",\n \"servers\": 3,,\n}",
        "{\"name\": \"x\", \"servers\": [{\"term\": 2,}]}",
    ] {
        let err = parse_err(text);
        assert!(err.position.is_some(), "{err}");
        let field = err.field.clone().unwrap_or_default();
        assert!(
            !field.split('.').any(|segment| segment == "?"),
            "the field path is a placeholder: {err}"
        );
        assert!(!err.to_string().contains(": ?"), "{err}");
    }
}

#[test]
fn a_step_with_two_keys_says_a_step_has_one_key() {
    let err = parse_err(&fresh(3, r#"[{"timeout": 0, "crash": 1}]"#));
    assert_eq!(err.field.as_deref(), Some("steps[0]"), "{err}");
    assert_ne!(err.message, "expected value", "unclear: {err}");
    assert!(
        err.message.contains("one key") || err.message.contains("crash"),
        "should say a step has one key, or name the extra key: {err}"
    );
}

#[test]
fn a_term_too_large_to_go_on_from_is_refused() {
    assert_refused(
        r#"{"name": "x", "servers": [{"term": 18446744073709551615}]}"#,
        "servers[0].term",
        &["terms go up to"],
    );
}

#[test]
fn a_starting_leader_needs_a_majority_in_its_term() {
    assert_refused(
        r#"{"name": "x", "servers": [{"role": "LEADER", "term": 2}, {}, {}]}"#,
        "servers[0].role",
        &[
            "S0 leads term 2",
            "a majority (2 of 3)",
            "only 1 can have voted for it",
            "\"voted_for\": \"S0\"",
            "§5.2",
        ],
    );
    let ok = scenario::parse(
        r#"{"name": "x", "servers": [{"role": "LEADER", "term": 2}, {"term": 2, "voted_for": 0}, {}]}"#,
        "ok.json",
    )
    .expect("a leader with a majority in its term is a possible state");
    assert_eq!(ok.initial[0].voted_for, None, "the file said nothing");
    let cluster = ok.cluster();
    assert_eq!(
        cluster.servers()[0].voted_for,
        Some(0),
        "a leader voted for itself"
    );
}

#[test]
fn a_leader_that_voted_for_another_server_is_refused() {
    assert_refused(
        r#"{"name": "x", "servers": [{"role": "LEADER", "term": 2, "voted_for": 1}, {"term": 2}, {}]}"#,
        "servers[0].voted_for",
        &["leader", "voted for itself"],
    );
}

// ---------------------------------------------------------------------------------------
// Starting states Raft can reach (issue 8, item 4)
// ---------------------------------------------------------------------------------------

/// Every starting-state refusal names its rule and says how to start broken on purpose.
fn assert_unreachable(text: &str, field: &str, words: &[&str]) {
    let err = assert_refused(text, field, words);
    assert!(
        err.to_string().contains("\"unsafe_start\": true"),
        "no way out named: {err}"
    );
    let unsafe_text = text.replacen('{', r#"{"unsafe_start": true, "#, 1);
    let s = parse_ok(&unsafe_text);
    assert!(s.unsafe_start);
}

#[test]
fn two_leaders_of_one_term_are_refused() {
    assert_unreachable(
        r#"{"name": "t", "servers": [{"role": "LEADER", "term": 2}, {"role": "LEADER", "term": 2}, {"term": 3}]}"#,
        "servers[1].role",
        &[
            "S0 and S1 are both leaders of term 2",
            "Election Safety",
            "§5.2",
        ],
    );
}

#[test]
fn a_vote_for_another_candidate_does_not_count_for_a_leader() {
    assert_unreachable(
        r#"{"name": "t", "servers": [{"role": "LEADER", "term": 2}, {"term": 2, "voted_for": 2}, {"term": 2, "voted_for": 2}]}"#,
        "servers[0].role",
        &["S0 leads term 2", "only 1 can have voted for it"],
    );
    // A server in a later term may have voted for it before moving on.
    parse_ok(r#"{"name": "t", "servers": [{"role": "LEADER", "term": 2}, {"term": 3}, {}]}"#);
}

#[test]
fn a_commit_index_on_an_entry_no_majority_holds_is_refused() {
    // The issue's case: a leader commits an entry only it holds.
    assert_unreachable(
        r#"{"name": "t", "servers": [{"role": "LEADER", "term": 2, "log": [2], "commit_index": 1}, {"term": 2, "voted_for": 0}, {}]}"#,
        "servers[0].commit_index",
        &[
            "S0 has committed entry 1 (term 2)",
            "a majority (2 of 3)",
            "1 does",
            "§5.3",
        ],
    );
    // The same index with another term does not count.
    assert_unreachable(
        r#"{"name": "t", "servers": [{"term": 2, "log": [2], "commit_index": 1}, {"log": [1]}, {"log": [1]}]}"#,
        "servers[0].commit_index",
        &["entry 1 (term 2)", "1 does"],
    );
    parse_ok(
        r#"{"name": "t", "servers": [{"role": "LEADER", "term": 2, "log": [2], "commit_index": 1}, {"term": 2, "voted_for": 0, "log": [2]}, {}]}"#,
    );
}

#[test]
fn a_leader_lacking_a_committed_entry_is_refused() {
    assert_unreachable(
        r#"{"name": "t", "servers": [
            {"role": "LEADER", "term": 3, "log": [1]},
            {"term": 2, "log": [1, 2], "commit_index": 2},
            {"term": 3, "voted_for": 0, "log": [1, 2]}]}"#,
        "servers[0].log",
        &[
            "S0 leads term 3",
            "lacks entry 2 (term 2) that S1 has committed",
            "Leader Completeness",
        ],
    );
    // A stale leader need not hold what a later term committed.
    parse_ok(
        r#"{"name": "t", "servers": [
            {"role": "LEADER", "term": 2, "log": [1]},
            {"role": "LEADER", "term": 3, "log": [1, 3], "commit_index": 2},
            {"term": 3, "voted_for": 1, "log": [1, 3]}]}"#,
    );
}

#[test]
fn an_invariant_broken_at_the_start_is_refused() {
    assert_unreachable(
        r#"{"name": "t", "servers": [
            {"term": 2, "log": [1, {"term": 2, "command": "a"}]},
            {"term": 2, "log": [1, {"term": 2, "command": "b"}]}, {}]}"#,
        "servers",
        &["Log Matching broken", "at the start"],
    );
}

#[test]
fn every_builtin_starts_from_a_reachable_state() {
    for builtin in raftwalk::builtin::all() {
        let s = scenario::parse(builtin.text, builtin.name)
            .unwrap_or_else(|e| panic!("{}: {e}", builtin.name));
        assert!(!s.unsafe_start, "{} starts unsafe", builtin.name);
        assert!(
            s.cluster().violations().is_empty(),
            "{} breaks an invariant at the start",
            builtin.name
        );
    }
}
