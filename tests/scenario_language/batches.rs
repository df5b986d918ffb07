//! `"max_entries_per_append"`: the most entries an AppendEntries carries, so a follower's
//! commit index is held back by the batch (receiver rule 5), and the next batch follows each
//! success at once.

use super::*;

/// a leads term 2 with four entries, committed with c; b has none and a knows it.
fn b_behind(extra: &str, steps: &str) -> String {
    format!(
        r#"{{"name": "t", {extra}
            "servers": [
              {{"name": "a", "term": 2, "role": "LEADER", "log": [1, 2, 2, 2], "commit_index": 4,
                "next_index": {{"b": 1}}, "match_index": {{"c": 4}}}},
              {{"name": "b", "term": 2, "voted_for": "a"}},
              {{"name": "c", "term": 2, "voted_for": "a", "log": [1, 2, 2, 2], "commit_index": 4}}],
            "steps": {steps}}}"#
    )
}

#[test]
fn a_capped_batch_holds_the_followers_commit_to_its_last_new_entry() {
    // Two entries a batch: b's first AppendEntries carries entries 1–2 and a leader commit of
    // 4, so b commits 2, not 4.
    let (_, log) = passes(&b_behind(
        r#""max_entries_per_append": 2,"#,
        r#"[{"heartbeat": "a"},
            {"expect": {"messages": [{"to": "b", "prev_log_index": 0, "entries": [1, 2], "leader_commit": 4}]}},
            {"deliver": {"to": "b"}},
            {"expect": {"server": "b", "log": [1, 2], "commit_index": 2}},
            {"deliver": {"from": "b"}},
            {"expect": {"server": "a", "match_index": {"b": 2}, "next_index": {"b": 3}}},
            {"expect": {"messages": [{"to": "b", "prev_log_index": 2, "prev_log_term": 2, "entries": [2, 2], "count": 1}]}},
            "deliver_all",
            {"expect": {"server": "b", "log": [1, 2, 2, 2], "commit_index": 4}},
            {"expect": {"server": "a", "match_index": {"b": 4, "c": 4}}}]"#,
    ));
    assert!(
        log.contains("a sends b the next entries it lacks at once: AppendEntries from index 3 with 2 entries (at most 2 per message) (§5.3)."),
        "{log}"
    );
}

#[test]
fn without_a_cap_one_append_entries_carries_everything_as_before() {
    passes(&b_behind(
        "",
        r#"[{"heartbeat": "a"},
            {"expect": {"messages": [{"to": "b", "entries": [1, 2, 2, 2]}]}},
            {"deliver": {"to": "b"}},
            {"expect": {"server": "b", "log": [1, 2, 2, 2], "commit_index": 4}}]"#,
    ));
}

#[test]
fn the_cap_is_part_of_the_cluster_and_a_client_request_respects_it() {
    let text = led_by_a(
        "[1, 2]",
        0,
        "[1, 2]",
        "[1, 2]",
        r#""max_entries_per_append": 1,"#,
        r#"[{"request": {"server": "a", "command": "x"}},
            {"request": {"server": "a", "command": "y"}},
            {"expect": {"messages": [{"kind": "AppendEntries", "prev_log_index": 2,
                                      "entries": [{"term": 2, "command": "x"}], "count": 4}]}},
            "deliver_all",
            {"expect": {"server": "b", "log": [1, 2, {"term": 2, "command": "x"}, {"term": 2, "command": "y"}]}},
            {"expect": {"server": "a", "commit_index": 4}}]"#,
    );
    let (cluster, _) = passes(&text);
    assert_eq!(cluster.config().max_entries_per_append, Some(1));
    assert!(
        cluster
            .servers()
            .iter()
            .all(|s| s.max_entries_per_append == Some(1))
    );
}
