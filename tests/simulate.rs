//! `raftwalk simulate figure16` with small trial counts: the shape of the paper's Figure 16,
//! the JSON lines, the tables, the SVG, and the same result from the same seed.

use serde_json::Value;
use std::process::{Command, Output};

fn raftwalk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_raftwalk"))
        .args(args)
        .output()
        .expect("run raftwalk")
}

fn ok_stdout(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// The JSON lines of a run with `trials` per line, by (graph, timeout).
fn figure16(trials: &str, seed: &str) -> Vec<Value> {
    let out = raftwalk(&[
        "simulate", "figure16", "--trials", trials, "--seed", seed, "--json",
    ]);
    ok_stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn line<'a>(lines: &'a [Value], graph: &str, min: u64, max: u64) -> &'a Value {
    lines
        .iter()
        .find(|l| l["graph"] == graph && l["timeout_ms"] == serde_json::json!([min, max]))
        .unwrap_or_else(|| panic!("no {graph} {min}-{max} line"))
}

fn number(line: &Value, key: &str) -> f64 {
    line[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing: {line}"))
}

#[test]
fn the_shape_of_figure_16() {
    let lines = figure16("100", "1");
    assert_eq!(lines.len(), 11);
    let top = |min, max| line(&lines, "top", min, max);
    // No randomness: split votes again and again, far slower than 5 ms of randomness.
    let none = top(150, 150);
    let five = top(150, 155);
    assert_eq!(none["trials"], 10, "{none}");
    assert!(
        number(none, "mean_ms") > 5.0 * number(five, "mean_ms"),
        "{none}\n{five}"
    );
    assert!(number(none, "split_votes") > number(five, "split_votes"));
    // More randomness, a lower worst case.
    let worst: Vec<f64> = [(150, 151), (150, 155), (150, 175)]
        .iter()
        .map(|&(a, b)| number(top(a, b), "max_ms"))
        .collect();
    assert!(worst.windows(2).all(|w| w[0] > w[1]), "{worst:?}");
    assert!(number(top(150, 200), "max_ms") < worst[1]);
    // Shorter timeouts, a faster election.
    let bottom = |min, max| line(&lines, "bottom", min, max);
    assert!(
        number(bottom(12, 24), "mean_ms") < number(bottom(150, 300), "mean_ms"),
        "{lines:?}"
    );
    // Nothing under half the minimum timeout: the crash comes within a heartbeat interval of
    // the last heartbeat, so the followers wait at least that long.
    for l in &lines {
        let min = l["timeout_ms"][0].as_f64().unwrap_or(0.0);
        assert!(number(l, "median_ms") >= min / 2.0, "{l}");
        assert!(number(l, "max_ms") <= 10_000.0, "{l}");
        for key in ["mean_ms", "median_ms", "p90_ms", "p99_ms", "max_ms"] {
            assert!(number(l, key) > 0.0, "{key}: {l}");
        }
        assert_eq!(l["experiment"], "figure16");
        assert!(number(l, "median_ms") <= number(l, "p90_ms"));
        assert!(number(l, "p90_ms") <= number(l, "p99_ms"));
        assert!(number(l, "p99_ms") <= number(l, "max_ms"));
    }
    // Unresolved trials count at 10 s.
    assert_eq!(number(none, "unresolved"), 10.0);
    assert_eq!(number(none, "max_ms"), 10_000.0);
}

#[test]
fn the_same_seed_gives_the_same_result_and_another_seed_another() {
    let a = figure16("20", "5");
    assert_eq!(a, figure16("20", "5"));
    assert_ne!(a, figure16("20", "6"));
}

#[test]
fn the_tables_and_the_plot() {
    let dir = std::env::temp_dir().join(format!("raftwalk-simulate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let svg = dir.join("figure16.svg");
    let out = raftwalk(&[
        "simulate",
        "figure16",
        "--trials",
        "10",
        "--svg",
        svg.to_str().expect("UTF-8 path"),
    ]);
    let text = ok_stdout(&out);
    assert!(text.contains("broadcast time"), "{text}");
    for heading in [
        "top: ",
        "bottom: ",
        "timeout",
        "median",
        "p99",
        "unresolved",
    ] {
        assert!(text.contains(heading), "{heading}: {text}");
    }
    assert!(
        text.contains("median 287 ms"),
        "the paper's figures beside: {text}"
    );
    let drawn = std::fs::read_to_string(&svg).expect("the SVG was written");
    let doc = roxmltree::Document::parse(&drawn).expect("well-formed SVG");
    let labels: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    for label in ["150–150 ms", "150–155 ms", "12–24 ms", "cumulative percent"] {
        assert!(labels.contains(&label), "{label} in {labels:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_experiment_or_a_bad_range_is_one_line_and_exit_2() {
    for args in [
        &["simulate", "figure17"][..],
        &["simulate", "figure16", "--latency", "5-2"],
        &["simulate", "figure16", "--persist", "x"],
        &["simulate", "figure16", "--trials", "0"],
    ] {
        let out = raftwalk(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("raftwalk: "), "{err}");
    }
}

#[test]
fn a_scenario_with_timing_is_simulated_and_one_without_is_refused() {
    let dir = std::env::temp_dir().join(format!("raftwalk-simulate-s-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("timed.json");
    std::fs::write(
        &file,
        r#"{"name": "five timed", "servers": 5, "timing": {"seed": 3}}"#,
    )
    .expect("write");
    let path = file.to_str().expect("UTF-8 path");
    let out = raftwalk(&["simulate", path, "--trials", "30", "--json"]);
    let line: Value = serde_json::from_str(ok_stdout(&out).trim()).expect("one JSON line");
    assert_eq!(line["scenario"], "five timed");
    assert_eq!(line["trials"], 30);
    assert!(number(&line, "elections") >= 30.0, "{line}");
    // Its own seed by default; the same result from the same seed.
    let again = raftwalk(&["simulate", path, "--trials", "30", "--json", "--seed", "3"]);
    assert_eq!(ok_stdout(&out), ok_stdout(&again));
    let table = ok_stdout(&raftwalk(&["simulate", path, "--trials", "30"]));
    assert!(table.contains("five timed: 30 trials, seed 3"), "{table}");
    let out = raftwalk(&["simulate", "figure7-a"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no \"timing\""));
    let _ = std::fs::remove_dir_all(&dir);
}
