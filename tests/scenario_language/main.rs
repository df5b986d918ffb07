//! The scenario language of issue 9, step by step and expectation by expectation: hand-made
//! messages (`send`), cut links, a cap on the entries an AppendEntries carries, a leader's
//! next/match indices and a follower's leader in the starting state, selectors that pick the
//! newest or the nth match of any message field, and expectations that read every field of a
//! server and of every message in flight. Each is shown working, shown failing where it can
//! fail, and every validation error it brings is shown refused with the field named.

use raftwalk::raft::Cluster;
use raftwalk::scenario::{self, RunSummary, Scenario, ScenarioError};

mod arbitrary;
mod batches;
mod expect;
mod leader_state;
mod links;
mod refused;
mod saved;
mod selectors;
mod send;

const ORIGIN: &str = "test.json";

/// Parses `text`, panicking with the error if it is refused.
fn parse_ok(text: &str) -> Scenario {
    scenario::parse(text, ORIGIN).unwrap_or_else(|e| panic!("refused: {e}\n{text}"))
}

/// Runs `text`: the cluster at the end, the summary and the step log.
fn run(text: &str) -> (Cluster, RunSummary, String) {
    let scenario = parse_ok(text);
    let mut log = Vec::new();
    let (cluster, summary) = scenario::run(&scenario, &mut log).expect("writing to memory");
    (cluster, summary, String::from_utf8(log).expect("UTF-8"))
}

/// Runs `text` and requires it to pass; returns the cluster and the log.
fn passes(text: &str) -> (Cluster, String) {
    let (cluster, summary, log) = run(text);
    assert!(summary.passed(), "failed: {summary:#?}\n{log}");
    assert!(summary.expectations > 0, "checks nothing:\n{log}");
    (cluster, log)
}

/// Runs `text` and requires exactly these expectation failures, as `field: expected X, got Y`.
fn fails_with(text: &str, failures: &[&str]) -> String {
    let (_, summary, log) = run(text);
    let got: Vec<String> = summary
        .failures
        .iter()
        .map(|(_, m)| m.to_string())
        .collect();
    assert_eq!(got, failures, "\n{log}");
    assert!(summary.error.is_none(), "{summary:?}");
    log
}

/// Asserts that `text` is refused with an error about `field` whose text holds every word.
fn refused(text: &str, field: &str, words: &[&str]) -> ScenarioError {
    let err = match scenario::parse(text, ORIGIN) {
        Ok(s) => panic!("accepted, but should be refused: {text}\n{s:?}"),
        Err(e) => e,
    };
    let shown = err.to_string();
    assert_eq!(err.field.as_deref(), Some(field), "wrong field in: {shown}");
    for word in words {
        assert!(shown.contains(word), "{word:?} missing from: {shown}");
    }
    err
}

/// Three fresh servers a, b, c running `steps` (a JSON list).
fn abc(steps: &str) -> String {
    format!(
        r#"{{"name": "t", "servers": [{{"name": "a"}}, {{"name": "b"}}, {{"name": "c"}}], "steps": {steps}}}"#
    )
}

/// Three servers where a leads term 2 with the log `log` (JSON), committed up to `commit`,
/// b and c voted for it and hold `b_log` and `c_log`; `extra` adds top-level fields (with a
/// trailing comma) and `steps` is the script.
fn led_by_a(
    log: &str,
    commit: usize,
    b_log: &str,
    c_log: &str,
    extra: &str,
    steps: &str,
) -> String {
    format!(
        r#"{{"name": "t", {extra}
            "servers": [
              {{"name": "a", "term": 2, "role": "LEADER", "log": {log}, "commit_index": {commit}}},
              {{"name": "b", "term": 2, "voted_for": "a", "log": {b_log}}},
              {{"name": "c", "term": 2, "voted_for": "a", "log": {c_log}}}],
            "steps": {steps}}}"#
    )
}
