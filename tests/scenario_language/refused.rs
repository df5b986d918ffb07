//! Every validation error the new parts of the format bring: the file is refused, naming the
//! field and what is wrong.

use super::*;

/// A leader a of term 2 with log [1, 2, 2] and fields `a_extra`; b and c voted for it with
/// logs [1, 2] and [1]; `b_extra` adds fields to b.
fn leader(a_extra: &str, b_extra: &str) -> String {
    format!(
        r#"{{"name": "t", "servers": [
            {{"name": "a", "term": 2, "role": "LEADER", "log": [1, 2, 2] {a_extra}}},
            {{"name": "b", "term": 2, "voted_for": "a", "log": [1, 2] {b_extra}}},
            {{"name": "c", "term": 2, "voted_for": "a", "log": [1]}}]}}"#
    )
}

#[test]
fn max_entries_per_append_is_at_least_one() {
    refused(
        r#"{"name": "t", "servers": 3, "max_entries_per_append": 0}"#,
        "max_entries_per_append",
        &["at least 1 entry", "leave the field out for no limit"],
    );
}

#[test]
fn next_and_match_index_are_a_leaders_within_the_logs() {
    refused(
        &leader("", r#", "next_index": {"c": 1}"#),
        "servers[1].next_index",
        &["only a leader keeps next_index", "b is a follower"],
    );
    refused(
        &leader("", r#", "match_index": {"c": 1}"#),
        "servers[1].match_index",
        &["only a leader keeps match_index"],
    );
    refused(
        &leader(r#", "next_index": {"a": 1}"#, ""),
        "servers[0].next_index",
        &["a leader keeps no next_index for itself (a)"],
    );
    refused(
        &leader(r#", "next_index": {"b": 0}"#, ""),
        "servers[0].next_index.b",
        &["next_index runs from 1 to the leader's last index + 1 (4), not 0"],
    );
    refused(
        &leader(r#", "next_index": {"1": 5}"#, ""),
        "servers[0].next_index.1",
        &["not 5"],
    );
    refused(
        &leader(r#", "match_index": {"c": 2}"#, ""),
        "servers[0].match_index.c",
        &["2 is past the end of c's log, which has 1 entry"],
    );
    refused(
        &leader(r#", "next_index": {"b": 2}, "match_index": {"b": 2}"#, ""),
        "servers[0].match_index.b",
        &["match_index (2) must be below next_index (2)"],
    );
    refused(
        &leader(r#", "next_index": {"x": 2}"#, ""),
        "servers[0].next_index.x",
        &["no server is named \"x\""],
    );
    refused(
        &leader(r#", "next_index": {"7": 2}"#, ""),
        "servers[0].next_index.7",
        &["there is no server 7"],
    );
    refused(
        &leader(r#", "next_index": {"b": 2, "1": 3}"#, ""),
        "servers[0].next_index.1",
        &["b is given twice"],
    );
    let err = scenario::parse(&leader(r#", "next_index": {"b": 2, "b": 3}"#, ""), ORIGIN)
        .expect_err("a key given twice");
    assert!(err.to_string().contains("`b` is given twice"), "{err}");
    assert_eq!(err.field.as_deref(), Some("servers[0].next_index"), "{err}");
}

#[test]
fn a_match_index_must_agree_with_the_followers_log_unless_the_start_is_unsafe() {
    let text = r#"{"name": "t", "servers": [
        {"name": "a", "term": 3, "role": "LEADER", "log": [1, 3], "match_index": {"b": 2}},
        {"name": "b", "term": 3, "voted_for": "a", "log": [1, 2]},
        {"name": "c", "term": 3, "voted_for": "a"}]}"#;
    refused(
        text,
        "servers[0].match_index.b",
        &[
            "a records that b's log matches its own up to index 2, but there a has term 3 and b term 2",
            "\"unsafe_start\": true",
        ],
    );
    parse_ok(&text.replacen(
        "\"name\": \"t\",",
        "\"name\": \"t\", \"unsafe_start\": true,",
        1,
    ));
}

#[test]
fn a_servers_leader_must_be_one_it_can_follow() {
    refused(
        &leader("", r#", "leader": "b""#),
        "servers[1].leader",
        &["a follower does not follow itself"],
    );
    refused(
        &leader(r#", "leader": "b""#, ""),
        "servers[0].leader",
        &["a leader leads; it follows no one else"],
    );
    refused(
        r#"{"name": "t", "servers": [{"name": "a", "term": 2, "role": "CANDIDATE", "leader": "b"}, {"name": "b"}]}"#,
        "servers[0].leader",
        &["a candidate follows no leader"],
    );
    refused(
        &leader("", r#", "leader": "z""#),
        "servers[1].leader",
        &["no server is named \"z\""],
    );
    // A leader may name itself.
    parse_ok(&leader(r#", "leader": "a""#, ""));
}

#[test]
fn a_followers_leader_led_its_term_and_no_one_else_did() {
    refused(
        r#"{"name": "t", "servers": [{"name": "a", "term": 2}, {"name": "b", "term": 3, "leader": "a"}]}"#,
        "servers[1].leader",
        &["b follows a in term 3, but a is only in term 2"],
    );
    refused(
        r#"{"name": "t", "servers": [{"name": "a", "term": 2}, {"name": "b", "term": 2, "leader": "a"}]}"#,
        "servers[1].leader",
        &["b follows a in term 2, but a is a follower of that term, not its leader"],
    );
    refused(
        r#"{"name": "t", "servers": [{"name": "a", "term": 3}, {"name": "b", "term": 3},
            {"name": "c", "term": 2, "leader": "a"}, {"name": "d", "term": 2, "leader": "b"}]}"#,
        "servers[2].leader",
        &[
            "c follows a in term 2, but b leads that term too",
            "Election Safety",
        ],
    );
    refused(
        &leader("", "").replace(
            r#"{"name": "c", "term": 2, "voted_for": "a", "log": [1]}"#,
            r#"{"name": "c", "term": 2, "voted_for": "a", "log": [1]}, {"name": "d", "term": 3}, {"name": "e", "term": 2, "leader": "d"}"#,
        ),
        "servers[4].leader",
        &["e follows d in term 2, but a leads that term too"],
    );
    // A leader that has moved on to a later term led the follower's term before.
    parse_ok(
        r#"{"name": "t", "servers": [{"name": "a", "term": 3}, {"name": "b", "term": 2, "leader": "a"}]}"#,
    );
}

#[test]
fn a_hand_made_message_has_two_ends_its_kinds_fields_and_values_in_range() {
    let send = |fields: &str| abc(&format!(r#"[{{"send": {{{fields}}}}}]"#));
    refused(
        &send(r#""from": "a", "to": "a", "kind": "RequestVote""#),
        "steps[0].send.to",
        &["a does not send messages to itself"],
    );
    refused(
        &send(r#""from": "a", "to": "q", "kind": "RequestVote""#),
        "steps[0].send.to",
        &["no server is named \"q\""],
    );
    refused(
        &send(r#""from": "a", "to": "b", "kind": "AppendEntries", "granted": true"#),
        "steps[0].send.granted",
        &[
            "an AppendEntries carries no granted",
            "its fields are term, prev_log_index, prev_log_term, entries, leader_commit",
        ],
    );
    refused(
        &send(r#""from": "a", "to": "b", "kind": "RequestVote", "term": 0"#),
        "steps[0].send.term",
        &["terms start at 1"],
    );
    refused(
        &send(r#""from": "a", "to": "b", "kind": "RequestVote", "last_log_term": 4294967296"#),
        "steps[0].send.last_log_term",
        &["terms go up to 4294967295"],
    );
    refused(
        &send(
            r#""from": "a", "to": "b", "kind": "AppendEntriesResponse", "match_index": 2147483648"#,
        ),
        "steps[0].send.match_index",
        &["indices go up to 2147483647"],
    );
    refused(
        &send(r#""from": "a", "to": "b", "kind": "AppendEntries", "entries": [2, 1]"#),
        "steps[0].send.entries[1]",
        &["terms in a log never decrease"],
    );
    refused(
        &send(r#""from": "a", "to": "b", "kind": "AppendEntries", "entries": [0]"#),
        "steps[0].send.entries[0]",
        &["terms of 1 or more"],
    );
    refused(
        &send(r#""from": "a", "to": "b", "kind": "AppendEntries", "entries": [4294967296]"#),
        "steps[0].send.entries[0]",
        &["terms go up to"],
    );
    // Missing the kind, or an unknown field, is refused while reading.
    refused(
        &send(r#""from": "a", "to": "b""#),
        "steps[0].send",
        &["missing field `kind`"],
    );
    refused(
        &send(r#""from": "a", "to": "b", "kind": "RequestVote", "candidate": "a""#),
        "steps[0].send.candidate",
        &["unknown field `candidate`"],
    );
}

#[test]
fn a_link_joins_two_different_servers() {
    refused(
        &abc(r#"[{"cut": {"from": "b", "to": "b"}}]"#),
        "steps[0].cut.to",
        &["a link joins two servers, and both ends here are b"],
    );
    refused(
        &abc(r#"[{"link": ["c", 2]}]"#),
        "steps[0].link[1]",
        &["both ends here are c"],
    );
    refused(
        &abc(r#"[{"cut": ["a", "b", "c"]}]"#),
        "steps[0].cut",
        &["a link both ways is a list of two servers", "not of 3"],
    );
    refused(
        &abc(r#"[{"cut": {"from": "a"}}]"#),
        "steps[0].cut",
        &["missing field `to`"],
    );
    refused(
        &abc(r#"[{"link": {"from": "a", "to": "b", "both": true}}]"#),
        "steps[0].link.both",
        &["unknown field `both`"],
    );
    refused(
        &abc(r#"[{"cut": "a"}]"#),
        "steps[0].cut",
        &["a link: {\"from\": A, \"to\": B} for one way, or [A, B] for both ways"],
    );
    refused(
        &abc(r#"[{"cut": {"from": "a", "to": "x"}}]"#),
        "steps[0].cut.to",
        &["no server is named \"x\""],
    );
}

#[test]
fn a_selector_picks_one_way_and_matches_fields_some_message_carries() {
    refused(
        &abc(r#"[{"deliver": {"newest": true, "nth": 1}}]"#),
        "steps[0].deliver.nth",
        &["pick either the newest match or the nth, not both"],
    );
    refused(
        &abc(r#"[{"drop": {"kind": "RequestVote", "success": true}}]"#),
        "steps[0].drop.success",
        &["a RequestVote carries no success; its fields are term, last_log_index, last_log_term"],
    );
    refused(
        &abc(r#"[{"duplicate": {"granted": true, "prev_log_index": 2}}]"#),
        "steps[0].duplicate.granted",
        &[
            "no message carries all of these: granted (RequestVoteResponse), prev_log_index (AppendEntries)",
        ],
    );
}

#[test]
fn new_expectations_name_a_server_and_check_something() {
    for (field, value) in [
        ("leader", "\"a\""),
        ("next_index", "{\"b\": 1}"),
        ("match_index", "{\"b\": 1}"),
    ] {
        refused(
            &abc(&format!(r#"[{{"expect": {{"{field}": {value}}}}}]"#)),
            "steps[0].expect",
            &["need \"server\" to say which server"],
        );
    }
    refused(
        &abc(r#"[{"expect": {"server": "a", "next_index": {"a": 1}}}]"#),
        "steps[0].expect.next_index",
        &["a leader keeps no next_index for itself (a)"],
    );
    refused(
        &abc(r#"[{"expect": {"server": "a", "match_index": {"zz": 1}}}]"#),
        "steps[0].expect.match_index.zz",
        &["no server is named \"zz\""],
    );
    refused(
        &abc(r#"[{"expect": {"in_flight": {}}}]"#),
        "steps[0].expect.in_flight",
        &["these counts check nothing"],
    );
    refused(
        &abc(r#"[{"expect": {"in_flight": {"to": {"d": 1}}}}]"#),
        "steps[0].expect.in_flight.to.d",
        &["no server is named \"d\""],
    );
    refused(
        &abc(r#"[{"expect": {"in_flight": {"kind": {"Vote": 1}}}}]"#),
        "steps[0].expect.in_flight.kind.Vote",
        &["unknown field `Vote`"],
    );
    refused(
        &abc(r#"[{"expect": {"messages": [{"kind": "AppendEntries", "granted": true}]}}]"#),
        "steps[0].expect.messages[0].granted",
        &["an AppendEntries carries no granted"],
    );
    refused(
        &abc(r#"[{"expect": {"messages": [{"from": "x"}]}}]"#),
        "steps[0].expect.messages[0].from",
        &["no server is named \"x\""],
    );
    refused(
        &abc(r#"[{"expect": {"messages": [["a", "b"]]}}]"#),
        "steps[0].expect.messages[0]",
        &["invalid type: sequence"],
    );
    refused(
        &abc(r#"[{"expect": {"server": "a", "leader": ["a"]}}]"#),
        "steps[0].expect.leader",
        &["a server"],
    );
}
