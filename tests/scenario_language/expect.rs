//! The expectations that read every field: `leader`, `log` with commands, `next_index`,
//! `match_index`, `messages` with `count`, and `in_flight` counted by kind, sender and
//! recipient. Each holds where it should and, where it does not, says what it found.

use super::*;

/// a won term 2 on three servers and every message was delivered; then a took request "x"
/// and its AppendEntries are in flight.
fn a_leads(steps: &str) -> String {
    abc(&format!(
        r#"[{{"timeout": "a"}}, "deliver_all", {{"request": {{"server": "a", "command": "x"}}}}, {}]"#,
        steps.trim_start_matches('[').trim_end_matches(']')
    ))
}

#[test]
fn leader_reads_the_leader_a_server_knows() {
    passes(&a_leads(
        r#"[{"expect": {"server": "b", "leader": "a"}},
            {"expect": {"server": "a", "leader": "a"}},
            {"crash": "b"}, {"restart": "b"},
            {"expect": {"server": "b", "leader": null}}]"#,
    ));
    fails_with(
        &a_leads(
            r#"[{"expect": {"server": "c", "leader": null}}, {"expect": {"server": "c", "leader": "b"}}]"#,
        ),
        &[
            "c.leader: expected none, got a",
            "c.leader: expected b, got a",
        ],
    );
}

#[test]
fn log_reads_commands_where_an_entry_is_an_object() {
    passes(&a_leads(
        r#"[{"expect": {"server": "a", "log": [{"term": 2, "command": "x"}]}},
            {"expect": {"server": "a", "log": [2]}},
            {"expect": {"server": "b", "log": []}}]"#,
    ));
    fails_with(
        &a_leads(
            r#"[{"expect": {"server": "a", "log": [{"term": 2, "command": "y"}]}},
                {"expect": {"server": "a", "log": [{"term": 2}]}},
                {"expect": {"server": "a", "log": [3]}}]"#,
        ),
        &[
            r#"a.log: expected [2 "y"], got [2 "x"]"#,
            r#"a.log: expected [2 ""], got [2 "x"]"#,
            "a.log: expected [3], got [2]",
        ],
    );
}

#[test]
fn next_and_match_index_read_a_leaders_view_of_each_follower() {
    passes(&a_leads(
        r#"[{"expect": {"server": "a", "next_index": {"b": 1, "c": 1}, "match_index": {"b": 0}}},
            "deliver_all",
            {"expect": {"server": "a", "next_index": {"b": 2, "c": 2}, "match_index": {"b": 1, "c": 1}}}]"#,
    ));
    fails_with(
        &a_leads(
            r#"[{"expect": {"server": "a", "next_index": {"c": 2}, "match_index": {"b": 1, "c": 0}}}]"#,
        ),
        &[
            "a.next_index[c]: expected 2, got 1",
            "a.match_index[b]: expected 1, got 0",
        ],
    );
}

#[test]
fn messages_require_a_match_or_exactly_count_and_show_the_nearest_on_a_miss() {
    passes(&a_leads(
        r#"[{"expect": {"messages": [
              {"kind": "AppendEntries", "from": "a", "term": 2, "prev_log_index": 0, "prev_log_term": 0,
               "entries": [{"term": 2, "command": "x"}], "leader_commit": 0, "count": 2},
              {"kind": "RequestVote", "count": 0},
              {}]}},
            {"deliver": {"to": "b"}},
            {"expect": {"messages": [{"kind": "AppendEntriesResponse", "from": "b", "to": "a",
                                      "success": true, "match_index": 1, "term": 2}]}}]"#,
    ));
    fails_with(
        &a_leads(
            r#"[{"deliver": {"to": "b"}},
                {"expect": {"messages": [{"from": "b", "success": false}, {"to": "c", "count": 2}]}}]"#,
        ),
        &[
            "messages[0] (from b with success false): expected at least 1 in flight, got 0; the nearest in flight: AppendEntriesResponse b → a: term 2, success true, match_index 1",
            "messages[1] (to c): expected 2 in flight, got 1",
        ],
    );
}

#[test]
fn in_flight_counts_by_kind_sender_and_recipient() {
    passes(&a_leads(
        r#"[{"expect": {"in_flight": {"total": 2, "kind": {"AppendEntries": 2, "RequestVote": 0},
                                      "from": {"a": 2, "b": 0}, "to": {"1": 1, "c": 1}}}}]"#,
    ));
    fails_with(
        &a_leads(
            r#"[{"expect": {"in_flight": {"total": 3, "kind": {"AppendEntriesResponse": 1},
                                          "from": {"b": 1}, "to": {"2": 0}}}}]"#,
        ),
        &[
            "in_flight: expected 3, got 2",
            "in_flight.kind.AppendEntriesResponse: expected 1, got 0",
            "in_flight.from.b: expected 1, got 0",
            "in_flight.to.c: expected 0, got 1",
        ],
    );
    // A plain count is still a count of every message.
    fails_with(
        &a_leads(r#"[{"expect": {"in_flight": 5}}]"#),
        &["in_flight: expected 5, got 2"],
    );
}

#[test]
fn an_expect_is_described_with_every_field_it_checks() {
    let (_, log) = passes(&a_leads(
        r#"[{"expect": {"server": "a", "leader": "a", "log": [{"term": 2, "command": "x"}],
                        "next_index": {"b": 1}, "match_index": {"c": 0},
                        "in_flight": {"kind": {"AppendEntries": 2}, "to": {"b": 1}},
                        "messages": [{"to": "c", "entries": [2], "count": 1}]}}]"#,
    ));
    assert!(
        log.contains(
            r#"expect a, leader a, log [2 "x"], next_index b 1, match_index c 0, in flight: 2 AppendEntries, 1 to b; 1 in flight: to c with entries [2]"#
        ),
        "{log}"
    );
}
