//! `raftwalk check` end to end: every mutant is caught within small bounds and its saved trace
//! replays with `run` to the same violation; the correct model passes the same bounds; random
//! walks on the correct model find nothing; results do not depend on threads; bad input
//! exits 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn raftwalk<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_raftwalk"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run raftwalk")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("raftwalk-explore-{}-{name}", std::process::id()))
}

/// A mutant, where its search starts, the bounds that catch it, the invariant it breaks and
/// the length of the shortest counterexample.
struct Case {
    bug: &'static str,
    start: Vec<String>,
    bounds: &'static [&'static str],
    broken: &'static str,
    steps: usize,
}

fn cases() -> Vec<Case> {
    let stage = |bug: &str| {
        vec![
            fixture(&format!("stage-{bug}.json")),
            "--after-steps".into(),
        ]
    };
    vec![
        Case {
            bug: "vote-twice",
            start: vec!["seed-example".into()],
            bounds: &["--max-term", "2"],
            broken: "One Vote per Term",
            steps: 3,
        },
        Case {
            bug: "count-stale-votes",
            start: vec!["seed-example".into()],
            bounds: &["--max-term", "3", "--max-depth", "7"],
            broken: "Election Safety",
            steps: 7,
        },
        Case {
            bug: "no-log-check",
            start: stage("no-log-check"),
            bounds: &["--max-term", "3", "--max-depth", "4"],
            broken: "Leader Completeness",
            steps: 4,
        },
        Case {
            bug: "truncate-always",
            start: stage("truncate-always"),
            bounds: &["--max-term", "3", "--max-depth", "4"],
            broken: "Leader Completeness",
            steps: 4,
        },
        // With a request, a stale AppendEntries truncates a committed entry at once (the
        // monitor must see a log that only shrank).
        Case {
            bug: "truncate-always",
            start: stage("truncate-always"),
            bounds: &["--max-term", "3", "--max-requests", "1", "--max-depth", "4"],
            broken: "Commit Within Log",
            steps: 3,
        },
        Case {
            bug: "commit-old-term",
            start: stage("commit-old-term"),
            bounds: &["--max-term", "5", "--max-depth", "5"],
            broken: "Leader Completeness",
            steps: 5,
        },
        Case {
            bug: "accept-stale-term",
            start: stage("accept-stale-term"),
            bounds: &["--max-term", "4", "--max-depth", "4"],
            broken: "Leader Completeness",
            steps: 4,
        },
    ]
}

fn check_args(case: &Case, bug: Option<&str>, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["check".to_string()];
    args.extend(case.start.iter().cloned());
    args.extend(case.bounds.iter().map(|s| s.to_string()));
    if let Some(bug) = bug {
        args.extend(["--bug".to_string(), bug.to_string()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn every_mutant_is_caught_and_its_trace_replays_to_the_same_violation() {
    for case in cases() {
        let trace = temp_file(&format!("{}.json", case.bug));
        let trace_arg = trace.display().to_string();
        let out = raftwalk(&check_args(
            &case,
            Some(case.bug),
            &["--save-trace", &trace_arg],
        ));
        assert_exit(&out, 1);
        let report = text(&out.stdout);
        let headline = format!("VIOLATION after {} steps ({}): ", case.steps, case.broken);
        assert!(report.contains(&headline), "{}: {report}", case.bug);
        assert!(report.contains(case.broken), "{}: {report}", case.bug);
        assert!(
            report.contains("The rule that would have stopped it"),
            "{report}"
        );

        // The saved trace names its mutant, narrates every step and replays to the violation.
        let saved = std::fs::read_to_string(&trace).expect("the trace was saved");
        let json: serde_json::Value = serde_json::from_str(&saved).expect("JSON");
        assert_eq!(json["bug"], case.bug);
        let steps = json["steps"].as_array().expect("steps");
        let broken = steps
            .iter()
            .filter_map(|s| s["expect"]["broken"].as_str())
            .collect::<Vec<_>>();
        assert_eq!(broken.len(), 1, "{saved}");
        let says = steps.iter().filter(|s| s.get("say").is_some()).count();
        assert!(says > case.steps, "a say per step: {saved}");
        let run = raftwalk(&["run".to_string(), trace_arg.clone()]);
        assert_exit(&run, 1);
        let failures = text(&run.stderr);
        assert!(
            failures.contains(&format!("FAIL INVARIANT VIOLATED: {} broken", case.broken)),
            "{}: {failures}",
            case.bug
        );
        assert!(
            !failures.contains("FAIL step"),
            "expectations hold: {failures}"
        );
        let _ = std::fs::remove_file(&trace);

        // The correct model, within the same bounds, breaks nothing.
        let out = raftwalk(&check_args(&case, None, &[]));
        assert_exit(&out, 0);
        assert!(
            text(&out.stdout).contains("No violation within these bounds."),
            "{}: {}",
            case.bug,
            text(&out.stdout)
        );
    }
}

#[test]
fn random_walks_on_the_correct_model_find_nothing() {
    let out = raftwalk(&[
        "check",
        "seed-example",
        "--random",
        "--seeds",
        "300",
        "--steps",
        "100",
    ]);
    assert_exit(&out, 0);
    let report = text(&out.stdout);
    assert!(report.contains("ran 300 walks"), "{report}");
    assert!(report.contains("No violation in these walks."), "{report}");
    let out = raftwalk(&[
        "check",
        "stale-leader",
        "--random",
        "--seeds",
        "100",
        "--steps",
        "150",
    ]);
    assert_exit(&out, 0);
}

#[test]
fn a_random_walk_that_breaks_an_invariant_names_its_seed_and_replays() {
    let trace = temp_file("random.json");
    let trace_arg = trace.display().to_string();
    let args = |threads: &str| {
        raftwalk(&[
            "check",
            "seed-example",
            "--bug",
            "vote-twice",
            "--random",
            "--seeds",
            "50",
            "--steps",
            "200",
            "--threads",
            threads,
            "--save-trace",
            &trace_arg,
        ])
    };
    let one = args("1");
    assert_exit(&one, 1);
    let report = text(&one.stdout);
    let seed_line = report
        .lines()
        .find(|l| l.starts_with("The walk with seed "))
        .expect("names the seed")
        .to_string();
    let two = args("2");
    assert!(
        text(&two.stdout).contains(&seed_line),
        "same seed with 2 threads"
    );
    let run = raftwalk(&["run".to_string(), trace_arg]);
    assert_exit(&run, 1);
    assert!(text(&run.stderr).contains("voted twice"));
    let _ = std::fs::remove_file(&trace);
}

/// The counts and the counterexample, without the timing.
fn result_lines(out: &Output) -> Vec<String> {
    text(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("bounds:"))
        .map(|l| match l.split_once(", depth") {
            Some((counts, rest)) if l.starts_with("explored") => {
                let depth = rest.split(',').next().unwrap_or_default();
                format!("{counts}, depth{depth}")
            }
            _ => l.to_string(),
        })
        .collect()
}

#[test]
fn results_do_not_depend_on_threads() {
    for bug in [None, Some("count-stale-votes")] {
        let mut args = vec![
            "check",
            "seed-example",
            "--max-term",
            "3",
            "--max-depth",
            "9",
        ];
        if let Some(bug) = bug {
            args.extend(["--bug", bug]);
        }
        let one = raftwalk(&[args.clone(), vec!["--threads", "1"]].concat());
        let two = raftwalk(&[args, vec!["--threads", "2"]].concat());
        assert_eq!(one.status.code(), two.status.code());
        assert_eq!(result_lines(&one), result_lines(&two));
    }
}

#[test]
fn symmetry_merges_states_but_finds_the_same_shortest_violation() {
    let with = raftwalk(&["check", "seed-example", "--max-term", "3"]);
    let without = raftwalk(&["check", "seed-example", "--max-term", "3", "--no-symmetry"]);
    assert!(
        text(&with.stdout).contains("1657 distinct"),
        "{}",
        text(&with.stdout)
    );
    assert!(
        text(&without.stdout).contains("9765 distinct"),
        "{}",
        text(&without.stdout)
    );
    for extra in [vec![], vec!["--no-symmetry"]] {
        let out = raftwalk(
            &[
                vec![
                    "check",
                    "seed-example",
                    "--bug",
                    "count-stale-votes",
                    "--max-term",
                    "3",
                ],
                extra,
            ]
            .concat(),
        );
        assert_exit(&out, 1);
        assert!(text(&out.stdout).contains("VIOLATION after 7 steps (Election Safety)"));
    }
}

/// The number of distinct states a check reports.
fn distinct_states(out: &Output) -> u64 {
    let report = text(&out.stdout);
    let line = report
        .lines()
        .find(|l| l.starts_with("explored"))
        .unwrap_or_else(|| panic!("no counts: {report}"));
    let (_, rest) = line
        .split_once(", ")
        .expect("explored N states, M distinct");
    rest.split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count")
}

/// The line naming the violation and the length of its counterexample.
fn violation_line(out: &Output) -> String {
    let report = text(&out.stdout);
    report
        .lines()
        .find(|l| l.starts_with("VIOLATION after"))
        .unwrap_or_else(|| panic!("no violation: {report}"))
        .to_string()
}

fn assert_fewer_states(bug: &str, reduced: &Output, plain: &Output) {
    assert!(
        distinct_states(reduced) < distinct_states(plain),
        "{bug}: {} and {}",
        text(&reduced.stdout),
        text(&plain.stdout)
    );
}

#[test]
fn reductions_merge_states_but_change_no_verdict() {
    for case in cases() {
        let reduced = raftwalk(&check_args(&case, Some(case.bug), &[]));
        let plain = raftwalk(&check_args(&case, Some(case.bug), &["--no-reduction"]));
        assert_exit(&reduced, 1);
        assert_exit(&plain, 1);
        // The same invariant, broken after the same number of steps.
        assert_eq!(
            violation_line(&reduced),
            violation_line(&plain),
            "{}",
            case.bug
        );
        assert_fewer_states(case.bug, &reduced, &plain);

        let reduced = raftwalk(&check_args(&case, None, &[]));
        let plain = raftwalk(&check_args(&case, None, &["--no-reduction"]));
        assert_exit(&reduced, 0);
        assert_exit(&plain, 0);
        assert_fewer_states(case.bug, &reduced, &plain);
    }
}

#[test]
fn a_timed_scenario_is_checked_without_its_clock() {
    // randomized-timeouts starts from the same three fresh servers as seed-example, with
    // timing: left out, the search is the same.
    let timed = raftwalk(&["check", "randomized-timeouts", "--max-term", "3"]);
    let untimed = raftwalk(&["check", "seed-example", "--max-term", "3"]);
    assert_exit(&timed, 0);
    assert!(
        text(&timed.stdout).contains("timing: left out"),
        "{}",
        text(&timed.stdout)
    );
    assert_eq!(distinct_states(&timed), distinct_states(&untimed));
    let walks = raftwalk(&[
        "check",
        "heartbeats",
        "--random",
        "--seeds",
        "20",
        "--steps",
        "50",
    ]);
    assert_exit(&walks, 0);
    assert!(text(&walks.stdout).contains("timing: left out"));
    // Its steps need the clock: starting after them is refused, naming the first.
    let after = raftwalk(&["check", "randomized-timeouts", "--after-steps"]);
    assert_exit(&after, 2);
    assert!(
        text(&after.stderr).contains("step 2 of the scenario (run until")
            && text(&after.stderr).contains("needs the clock"),
        "{}",
        text(&after.stderr)
    );
}

#[test]
fn a_start_with_a_cut_link_is_searched_and_its_trace_replays() {
    let trace = temp_file("cut.json");
    let trace_arg = trace.display().to_string();
    let out = raftwalk(&[
        "check",
        "one-way-link",
        "--after-steps",
        "--max-term",
        "7",
        "--max-depth",
        "6",
        "--bug",
        "vote-twice",
        "--save-trace",
        &trace_arg,
    ]);
    assert_exit(&out, 1);
    assert!(
        text(&out.stdout).contains("VIOLATION after 3 steps (One Vote per Term)"),
        "{}",
        text(&out.stdout)
    );
    let saved = std::fs::read_to_string(&trace).expect("the trace was saved");
    assert!(
        saved.contains("\"cut\""),
        "the scenario's cut is in the trace: {saved}"
    );
    let run = raftwalk(&["run".to_string(), trace_arg]);
    assert_exit(&run, 1);
    let failures = text(&run.stderr);
    assert!(failures.contains("voted twice"), "{failures}");
    assert!(!failures.contains("FAIL step"), "{failures}");
    let _ = std::fs::remove_file(&trace);
}

#[test]
fn bad_input_exits_2() {
    for args in [
        vec!["check", "seed-example", "--bug", "vote-thrice"],
        vec!["check", "no-such-scenario"],
        vec!["check", "seed-example", "--threads", "0"],
        vec!["check", "seed-example", "--max-requests", "300"],
    ] {
        let out = raftwalk(&args);
        assert_exit(&out, 2);
        assert!(
            !text(&out.stderr).contains("panicked"),
            "{}",
            text(&out.stderr)
        );
    }
}

/// After one-way-link's steps every server is at term 4: the default term bound counts from
/// there (terms up to 6), and a bound that allows no timeout says so and what to pass.
#[test]
fn the_term_bound_counts_from_the_start_and_says_when_it_blocks_every_election() {
    let default = raftwalk(&["check", "one-way-link", "--after-steps"]);
    assert_exit(&default, 0);
    let shown = text(&default.stdout);
    assert!(shown.contains("bounds: terms up to 6,"), "{shown}");
    assert!(!shown.contains("explored 0 states"), "{shown}");
    assert!(!shown.contains("Note: the term bound"), "{shown}");

    // Nothing in flight and no timeout within the bound: nothing can happen, and the note
    // names every bound that stopped it.
    let blocked = raftwalk(&["check", "one-way-link", "--after-steps", "--max-term", "4"]);
    assert_exit(&blocked, 0);
    let shown = text(&blocked.stdout);
    assert!(
        shown.contains("Note: nothing could happen from the start: no message is in flight; --max-term 4 allowed no election timeout (every live server that is not leader is already at term 4 or above); --max-requests 0")
            && shown.contains("Pass any of --max-term 6, --max-requests 1, --max-crashes 1"),
        "{shown}"
    );

    // Messages in flight but no timeout within the bound: the search plays them out, and
    // says that no election could start.
    let stage = fixture("stage-accept-stale-term.json");
    let late = raftwalk(&["check", &stage, "--after-steps", "--max-term", "3"]);
    assert_exit(&late, 0);
    let shown = text(&late.stdout);
    assert!(shown.contains("explored 2 states, 3 distinct"), "{shown}");
    assert!(
        shown.contains(
            "Note: the term bound (--max-term 3) allowed no election timeout from the start"
        ) && shown.contains("Pass --max-term 5 (or higher)"),
        "{shown}"
    );

    // A lone leader with no requests or crashes allowed.
    let alone = raftwalk(&["check", "single-server", "--after-steps"]);
    assert_exit(&alone, 0);
    let shown = text(&alone.stdout);
    assert!(
        shown.contains("every live server is leader, so none can time out")
            && shown.contains("Pass any of --max-requests 1, --max-crashes 1"),
        "{shown}"
    );
}

/// A mutant found by random walks with a partition on the way: the report names the seed and
/// a replay command that runs the same mutant, the command finds the same walk, and the saved
/// trace (its partition a scenario step) replays with `run` to the same violation.
#[test]
fn a_random_walk_through_a_partition_finds_a_mutant_and_its_trace_replays() {
    let trace = temp_file("random-partition.json");
    let trace_arg = trace.display().to_string();
    let walks = |extra: &[&str]| {
        let mut args = vec!["check", "seed-example", "--bug", "no-log-check", "--random"];
        args.extend(extra);
        raftwalk(&args)
    };
    let found = walks(&[
        "--seeds",
        "300",
        "--steps",
        "200",
        "--save-trace",
        &trace_arg,
    ]);
    assert_exit(&found, 1);
    let report = text(&found.stdout);
    let violation = report
        .lines()
        .find(|l| l.starts_with("VIOLATION after "))
        .expect("the violation")
        .to_string();
    assert!(
        report
            .lines()
            .any(|l| l.contains(". partition {") && l.starts_with("  ")),
        "the walk has no partition:\n{report}"
    );
    let replay = report
        .lines()
        .find_map(|l| l.strip_prefix("Replay it with: raftwalk "))
        .expect("a replay command");
    assert!(replay.contains("--bug no-log-check"), "{replay}");
    let again = raftwalk(&replay.split(' ').collect::<Vec<_>>());
    assert_exit(&again, 1);
    assert!(
        text(&again.stdout).contains(&violation),
        "{}",
        text(&again.stdout)
    );

    let saved = std::fs::read_to_string(&trace).expect("the trace was saved");
    assert!(saved.contains("\"partition\""), "{saved}");
    assert!(saved.contains("\"bug\": \"no-log-check\""), "{saved}");
    let run = raftwalk(&["run".to_string(), trace_arg]);
    assert_exit(&run, 1);
    let broken = violation
        .split_once("): ")
        .map(|(_, what)| what)
        .expect("the violation's text");
    assert!(text(&run.stderr).contains(broken), "{}", text(&run.stderr));
    let _ = std::fs::remove_file(&trace);
}

/// The distinct states, depth and verdict of a check (the report without the moves tried,
/// the timing and the trace, which may take another path of the same length).
fn verdict(out: &Output) -> (u64, String, String) {
    let report = text(&out.stdout);
    let counts = report
        .lines()
        .find(|l| l.starts_with("explored"))
        .unwrap_or_else(|| panic!("no counts: {report}"));
    let depth = counts
        .split(", ")
        .find(|p| p.starts_with("depth"))
        .unwrap_or_default()
        .to_string();
    let headline = report
        .lines()
        .find(|l| l.starts_with("VIOLATION") || l.starts_with("No violation"))
        .unwrap_or_default()
        .to_string();
    (distinct_states(out), depth, headline)
}

/// The number of successor states a check computed.
fn explored_states(out: &Output) -> u64 {
    let report = text(&out.stdout);
    let line = report
        .lines()
        .find(|l| l.starts_with("explored"))
        .unwrap_or_else(|| panic!("no counts: {report}"));
    line.trim_start_matches("explored ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count: {line}"))
}

#[test]
fn sleep_sets_compute_fewer_successors_but_find_the_same_states_and_violations() {
    let mut runs: Vec<Vec<String>> = cases()
        .iter()
        .map(|case| check_args(case, Some(case.bug), &[]))
        .collect();
    for extra in [
        &["--max-requests", "1"][..],
        &["--max-crashes", "1"],
        &["--max-dups", "1"],
        &["--no-symmetry", "--max-requests", "1"],
        &["--no-reduction", "--max-depth", "8"],
    ] {
        let mut args = vec!["check", "seed-example", "--max-term", "3"];
        args.extend(extra);
        runs.push(args.iter().map(|s| s.to_string()).collect());
    }
    let figure = ["check", "figure7-a", "--max-term", "9", "--max-depth", "5"];
    runs.push(figure.iter().map(|s| s.to_string()).collect());
    let mut fewer = 0;
    for args in runs {
        let with = raftwalk(&args);
        let without = raftwalk(&[args.clone(), vec!["--no-sleep-sets".to_string()]].concat());
        assert_eq!(with.status.code(), without.status.code(), "{args:?}");
        assert_eq!(verdict(&with), verdict(&without), "{args:?}");
        assert!(
            explored_states(&with) <= explored_states(&without),
            "{args:?}"
        );
        if explored_states(&with) < explored_states(&without) {
            fewer += 1;
        }
    }
    assert!(fewer >= 10, "sleep sets pruned in only {fewer} runs");
}
