//! Selectors: the oldest match by default, `"newest": true`, `"nth": k`, and every message
//! field to match on.

use super::*;

/// a times out twice (terms 2 and 3): four RequestVotes in flight, b's two oldest first.
fn two_rounds(steps: &str) -> String {
    abc(&format!(
        r#"[{{"timeout": "a"}}, {{"timeout": "a"}}, {}]"#,
        steps.trim_start_matches('[').trim_end_matches(']')
    ))
}

#[test]
fn the_newest_match_is_picked_on_request() {
    let (_, log) = passes(&two_rounds(
        r#"[{"deliver": {"to": "b", "newest": true}},
            {"expect": {"server": "b", "term": 3, "voted_for": "a"}},
            {"deliver": {"to": "b"}},
            {"expect": {"messages": [{"from": "b", "term": 3, "granted": false}]}}]"#,
    ));
    assert!(log.contains("step 3: deliver the newest to b"), "{log}");
}

#[test]
fn the_nth_match_counts_from_0_oldest_first() {
    let (_, log) = passes(&two_rounds(
        r#"[{"drop": {"kind": "RequestVote", "nth": 2}},
            {"expect": {"messages": [{"to": "b", "term": 3, "count": 0}, {"to": "c", "term": 3}]}},
            {"deliver": {"nth": 1}},
            {"expect": {"server": "c", "term": 2}}]"#,
    ));
    assert!(log.contains("step 3: drop RequestVote (nth 2)"), "{log}");
    assert!(
        log.contains("step 5: deliver message nth 1 in flight"),
        "{log}"
    );
}

#[test]
fn an_nth_past_the_matches_stops_the_run_and_says_how_many_match() {
    let (_, summary, log) = run(&two_rounds(r#"[{"deliver": {"to": "b", "nth": 2}}]"#));
    let (step, error) = summary.error.expect("the step cannot apply");
    assert_eq!(step, 3);
    assert_eq!(
        error.to_string(),
        "2 messages in flight match to b, so there is no nth 2 (counting from 0)"
    );
    assert!(
        log.contains("ERROR: 2 messages in flight match to b"),
        "{log}"
    );
    let (_, summary, _) = run(&two_rounds(r#"[{"deliver": {"to": "a", "newest": true}}]"#));
    assert_eq!(
        summary.error.expect("no match").1.to_string(),
        "no message in flight matches the newest to a"
    );
}

#[test]
fn a_selector_matches_any_field_of_the_message() {
    passes(&two_rounds(
        r#"[{"deliver": {"term": 3, "to": "c"}},
            {"deliver": {"kind": "RequestVoteResponse", "granted": true}},
            {"expect": {"server": "a", "role": "LEADER", "term": 3}},
            {"drop": {"kind": "AppendEntries", "to": "b", "prev_log_index": 0, "leader_commit": 0, "entries": []}},
            {"expect": {"messages": [{"kind": "AppendEntries", "to": "b", "count": 0}]}},
            {"drop": {"last_log_index": 0, "last_log_term": 0, "term": 2, "to": "c"}},
            {"expect": {"in_flight": {"kind": {"RequestVote": 2}}}}]"#,
    ));
}
