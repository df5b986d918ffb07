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

/// A saved trace replays with `run` to its violation, which its `expect` asserts: `run` reads
/// it as expected (no FAIL) and exits 0. Returns what `run` printed.
fn assert_replays_as_expected(trace: &str, broken: &str) -> String {
    let run = raftwalk(&["run", trace]);
    assert_exit(&run, 0);
    let out = text(&run.stdout);
    assert!(text(&run.stderr).is_empty(), "{}", text(&run.stderr));
    assert!(
        out.lines()
            .any(|l| l.starts_with("EXPECTED (step ") && l.contains(broken)),
        "{broken}: {out}"
    );
    assert!(
        out.lines().last().is_some_and(
            |l| l.starts_with("PASS: ") && l.contains("broken as the scenario expects")
        ),
        "{out}"
    );
    out
}

/// `run` of a saved trace tells each step once: the `say` after a step is the model's
/// explanation, printed as the step's and not again; the ending names the invariant and the
/// rule without repeating the violation (printed by the step that broke it, and in the
/// `EXPECTED` line).
fn assert_told_once(steps: &[serde_json::Value], path: usize, replay: &str, broken: &str) {
    let says: Vec<&str> = steps.iter().filter_map(|s| s["say"].as_str()).collect();
    let (ending, says) = says.split_last().expect("says");
    // The path's own: one per step (with --after-steps the scenario's words come first).
    let narrations = &says[says.len() - path..];
    for say in narrations {
        // Told as the step's explanation (indented under it), never as words of its own.
        let start: String = say.chars().take(40).collect();
        assert!(replay.contains(&format!("    {start}")), "{say}:\n{replay}");
        assert!(!replay.lines().any(|l| l == *say), "{say} twice:\n{replay}");
    }
    assert!(
        ending.starts_with(&format!("{broken} ")) && ending.contains(" broken."),
        "{ending}"
    );
    let violated = format!("INVARIANT VIOLATED: {broken} broken");
    assert_eq!(replay.matches(&violated).count(), 2, "{replay}");
}

/// A search cut short by --max-states or --max-memory exits 0 (no violation found), and the
/// report's last line says plainly that the bounds were not exhausted.
fn assert_last_line_says_not_exhausted(report: &str, option: &str) {
    let last = report.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("No violation in the ")
            && last.contains(&format!("the search stopped at {option} "))
            && last.contains("the bounds were not exhausted")
            && last.ends_with(&format!("(raise {option} to search further).")),
        "{report}"
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
        // An expect per invariant broken, the one the search names first.
        let first = case.broken.to_lowercase().replace(' ', "-");
        assert_eq!(broken.first(), Some(&first.as_str()), "{saved}");
        let says = steps.iter().filter(|s| s.get("say").is_some()).count();
        assert!(says > case.steps, "a say per step: {saved}");
        let replay = assert_replays_as_expected(
            &trace_arg,
            &format!("INVARIANT VIOLATED: {} broken", case.broken),
        );
        assert_told_once(steps, case.steps, &replay, case.broken);
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
    // The first run's trace is there: --save-trace does not overwrite it.
    let _ = std::fs::remove_file(&trace);
    let two = args("2");
    assert!(
        text(&two.stdout).contains(&seed_line),
        "same seed with 2 threads"
    );
    assert_replays_as_expected(&trace_arg, "voted twice");
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
fn interned_parts_and_fingerprints_change_nothing_but_the_time() {
    // Every mutant's search, and searches with every kind of move, through interned parts
    // (each successor checked against the same move on the decoded state, fingerprint
    // included), through interned parts finding states by key instead of fingerprint, and
    // decoded: the same counts, verdict and counterexample.
    let mut runs: Vec<Vec<String>> = cases()
        .iter()
        .map(|case| check_args(case, Some(case.bug), &[]))
        .collect();
    let words = |line: &str| line.split(' ').map(String::from).collect::<Vec<_>>();
    runs.push(words(
        "check seed-example --max-term 3 --max-requests 1 --max-crashes 1 --max-dups 1 --max-depth 7",
    ));
    runs.push(words(
        "check figure8 --max-requests 1 --max-crashes 1 --max-depth 5",
    ));
    runs.push(words(
        "check seed-example --max-term 3 --bug count-stale-votes",
    ));
    // Candidates with votes refused and grants in flight (rule 2 of the reductions).
    runs.push(words("check seed-example --max-term 4 --max-depth 8"));
    for args in runs {
        let through = raftwalk(&[args.clone(), words("--verify-interning --threads 2")].concat());
        let decoded = raftwalk(&[args.clone(), words("--no-interning")].concat());
        let by_key = raftwalk(&[args.clone(), words("--no-fingerprints")].concat());
        assert!(
            matches!(through.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            text(&through.stderr)
        );
        for other in [&decoded, &by_key] {
            assert_eq!(through.status.code(), other.status.code(), "{args:?}");
            assert_eq!(result_lines(&through), result_lines(other), "{args:?}");
        }
    }
}

#[test]
fn symmetry_merges_states_but_finds_the_same_shortest_violation() {
    let with = raftwalk(&["check", "seed-example", "--max-term", "3"]);
    let without = raftwalk(&["check", "seed-example", "--max-term", "3", "--no-symmetry"]);
    assert!(
        text(&with.stdout).contains("1,657 distinct"),
        "{}",
        text(&with.stdout)
    );
    assert!(
        text(&without.stdout).contains("9,765 distinct"),
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
    counts(out).1
}

/// The successors computed and the distinct states a check reports, from its line
/// `explored N states, M distinct, …`.
fn counts(out: &Output) -> (u64, u64) {
    let report = text(&out.stdout);
    let line = report
        .lines()
        .find(|l| l.starts_with("explored"))
        .unwrap_or_else(|| panic!("no counts: {report}"));
    let number = |part: &str| -> u64 {
        part.split(' ')
            .find_map(|word| word.replace(',', "").parse().ok())
            .unwrap_or_else(|| panic!("no count in {line}"))
    };
    let mut parts = line.split(", ");
    let explored = number(parts.next().unwrap_or_default());
    let distinct = number(parts.next().unwrap_or_default());
    (explored, distinct)
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
    assert_replays_as_expected(&trace_arg, "voted twice");
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
        shown.starts_with("check single-server: 1 server, Raft"),
        "{shown}"
    );
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
    let broken = violation
        .split_once("): ")
        .map(|(_, what)| what)
        .expect("the violation's text");
    assert_replays_as_expected(&trace_arg, broken);
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
    counts(out).0
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
    // Exhausted without a violation, and two orders of commits record an entry's first
    // committed term differently: two moves that both commit must not be taken as
    // independent.
    let commits = ["check", "bug-commit-old-term", "--max-requests", "1"];
    runs.push(commits.iter().map(|s| s.to_string()).collect());
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

/// The report's lines on stderr, which must be exactly one for bad input.
fn one_error_line(out: &Output) -> String {
    assert_exit(out, 2);
    assert!(
        out.stdout.is_empty(),
        "nothing searched: {}",
        text(&out.stdout)
    );
    let errors = text(&out.stderr);
    assert_eq!(errors.lines().count(), 1, "{errors}");
    errors
}

#[test]
fn an_option_the_mode_would_ignore_is_refused_before_anything_runs() {
    for (option, value) in [("--seeds", "10"), ("--steps", "5"), ("--first-seed", "3")] {
        let out = raftwalk(&["check", "seed-example", option, value]);
        let error = one_error_line(&out);
        assert!(
            error.contains(&format!("{option} only applies with --random")),
            "{error}"
        );
    }
    for option in [
        &["--max-depth", "3"][..],
        &["--max-states", "10"],
        &["--no-symmetry"],
        &["--no-reduction"],
        &["--no-sleep-sets"],
        &["--no-interning"],
        &["--no-fingerprints"],
    ] {
        let out = raftwalk(&[&["check", "seed-example", "--random"][..], option].concat());
        let error = one_error_line(&out);
        assert!(
            error.contains(&format!(
                "{} only applies to the exhaustive search, not with --random",
                option[0]
            )),
            "{error}"
        );
    }
}

/// The term a `One Vote per Term` violation names.
fn double_vote_term(report: &str) -> u64 {
    let (_, after) = report
        .split_once("voted twice in term ")
        .unwrap_or_else(|| panic!("no double vote: {report}"));
    after
        .split(':')
        .next()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no term: {report}"))
}

#[test]
fn random_walks_keep_to_the_term_crash_request_and_duplicate_bounds() {
    // Unbounded, the first broken walk with vote-twice reaches term 8.
    let free = raftwalk(&[
        "check",
        "seed-example",
        "--bug",
        "vote-twice",
        "--random",
        "--seeds",
        "50",
    ]);
    assert_exit(&free, 1);
    assert!(double_vote_term(&text(&free.stdout)) > 3);

    let trace = temp_file("bounded-walk.json");
    let _ = std::fs::remove_file(&trace);
    let trace_arg = trace.display().to_string();
    let bounded = [
        "check",
        "seed-example",
        "--bug",
        "vote-twice",
        "--random",
        "--seeds",
        "50",
        "--max-term",
        "3",
        "--max-crashes",
        "0",
        "--max-requests",
        "0",
        "--max-dups",
        "0",
    ];
    let out = raftwalk(&[&bounded[..], &["--save-trace", &trace_arg]].concat());
    assert_exit(&out, 1);
    let report = text(&out.stdout);
    assert!(double_vote_term(&report) <= 3, "{report}");
    assert!(
        report.contains(
            "bounds: terms up to 3, 0 requests, 0 crashes, 0 duplicates; walks of up to 200 steps;"
        ),
        "{report}"
    );
    let saved = std::fs::read_to_string(&trace).expect("saved trace");
    for step in ["\"crash\":", "\"request\":", "\"duplicate\":"] {
        assert!(!saved.contains(step), "{step} in {saved}");
    }
    // The replay command carries the bounds, and finds the same walk.
    let replay = report
        .lines()
        .find_map(|l| l.strip_prefix("Replay it with: raftwalk "))
        .expect("a replay command");
    assert!(
        replay.contains("--max-term 3 --max-requests 0 --max-crashes 0 --max-dups 0"),
        "{replay}"
    );
    let again = raftwalk(&replay.split(' ').collect::<Vec<_>>());
    assert_exit(&again, 1);
    assert_eq!(
        double_vote_term(&text(&again.stdout)),
        double_vote_term(&report)
    );
    let _ = std::fs::remove_file(&trace);

    // Left out under --random, these bounds do not limit the walks.
    let plain = raftwalk(&["check", "seed-example", "--random", "--seeds", "1"]);
    assert!(
        text(&plain.stdout).contains("bounds: no term limit, any number of requests, any number of crashes, any number of duplicates;"),
        "{}",
        text(&plain.stdout)
    );
}

#[test]
fn threads_are_capped_and_reported() {
    let error = one_error_line(&raftwalk(&["check", "seed-example", "--threads", "200000"]));
    assert!(error.contains("1..=256"), "{error}");
    let one = raftwalk(&["check", "seed-example", "--threads", "1", "--max-term", "2"]);
    assert_exit(&one, 0);
    assert!(
        text(&one.stdout).contains("; 1 thread\n"),
        "{}",
        text(&one.stdout)
    );
    let walks = raftwalk(&[
        "check",
        "seed-example",
        "--random",
        "--seeds",
        "2",
        "--threads",
        "2",
    ]);
    assert!(
        text(&walks.stdout).contains("; 2 threads\n"),
        "{}",
        text(&walks.stdout)
    );
}

#[test]
fn the_report_reads_well() {
    // Broken at the start: nothing searched, no rate.
    let start = raftwalk(&["check", "bug-vote-twice", "--after-steps"]);
    assert_exit(&start, 1);
    let shown = text(&start.stdout);
    assert!(
        shown.contains("Nothing searched: the start already breaks an invariant."),
        "{shown}"
    );
    assert!(
        !shown.contains("states/s") && !shown.contains("explored"),
        "{shown}"
    );

    // One meaning for the count a stopped search reports, with thousands separated.
    let stopped = raftwalk(&["check", "seed-example", "--max-states", "1000"]);
    assert_exit(&stopped, 0);
    let shown = text(&stopped.stdout);
    assert!(
        shown.contains("No violation in the 1,000 distinct states found, but the search stopped at --max-states 1,000"),
        "{shown}"
    );
    assert_last_line_says_not_exhausted(&shown, "--max-states");
    // Still last after the notes a search may add (here: a log mutant with no request).
    let noted = raftwalk(&[
        "check",
        "seed-example",
        "--bug",
        "no-log-check",
        "--max-states",
        "10",
        "--max-depth",
        "3",
    ]);
    assert_exit(&noted, 0);
    let shown = text(&noted.stdout);
    assert!(shown.contains("\nNote: mutant no-log-check"), "{shown}");
    assert_last_line_says_not_exhausted(&shown, "--max-states");

    // The invariant named once; singulars; no symmetry said plainly.
    let found = raftwalk(&[
        "check",
        "seed-example",
        "--bug",
        "vote-twice",
        "--max-term",
        "2",
        "--max-requests",
        "1",
        "--max-crashes",
        "1",
        "--max-dups",
        "1",
        "--no-symmetry",
    ]);
    let line = violation_line(&found);
    assert_eq!(line.matches("One Vote per Term").count(), 1, "{line}");
    assert!(
        line.contains("(One Vote per Term): S1 voted twice"),
        "{line}"
    );
    assert!(
        text(&found.stdout).contains(
            "bounds: terms up to 2, 1 request, 1 crash, 1 duplicate, no depth limit; servers not merged by symmetry;"
        ),
        "{}",
        text(&found.stdout)
    );
    let walk = raftwalk(&["check", "seed-example", "--random", "--seeds", "1"]);
    assert!(
        text(&walk.stdout).contains("ran 1 walk (seeds 0..1)"),
        "{}",
        text(&walk.stdout)
    );
}

/// The headline and the bounds come out before the search ends: read while a search of
/// 100,000 distinct states (seconds, even in a release build) is still running. Printed
/// after it, they would come once the process has ended.
#[test]
fn the_headline_and_bounds_come_before_the_search_ends() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_raftwalk"))
        .args([
            "check",
            "seed-example",
            "--max-term",
            "9",
            "--max-requests",
            "3",
            "--max-crashes",
            "3",
            "--max-dups",
            "3",
            "--no-reduction",
            "--max-states",
            "100000",
            "--threads",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run raftwalk");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    let running = child.try_wait().expect("status").is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("check seed-example: 3 servers"),
        "{first}"
    );
    assert!(second.starts_with("bounds: terms up to 9,"), "{second}");
    assert!(running, "the search was still running when they came");
}

#[test]
fn a_log_mutant_with_no_request_allowed_from_empty_logs_gets_a_note() {
    let hint = "and with --max-requests 0 no log grows from this start (every log is empty), so it cannot show here; try --max-requests 1";
    for bug in [
        "no-log-check",
        "commit-old-term",
        "accept-stale-term",
        "truncate-always",
    ] {
        let out = raftwalk(&["check", "seed-example", "--bug", bug, "--max-term", "2"]);
        assert_exit(&out, 0);
        let shown = text(&out.stdout);
        assert!(
            shown.contains(&format!(
                "Note: mutant {bug} breaks a rule about logs, {hint}"
            )),
            "{shown}"
        );
    }
    for args in [
        &["check", "seed-example", "--max-term", "2"][..],
        &[
            "check",
            "seed-example",
            "--bug",
            "count-stale-votes",
            "--max-term",
            "2",
        ],
        &[
            "check",
            "seed-example",
            "--bug",
            "no-log-check",
            "--max-term",
            "2",
            "--max-requests",
            "1",
        ],
    ] {
        let shown = text(&raftwalk(args).stdout);
        assert!(
            !shown.contains("breaks a rule about logs"),
            "{args:?}: {shown}"
        );
    }
    // A start whose logs already hold entries can show the mutant without a request.
    let stage = fixture("stage-no-log-check.json");
    let out = raftwalk(&["check", &stage, "--after-steps", "--max-term", "3"]);
    assert!(
        !text(&out.stdout).contains("breaks a rule about logs"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn save_trace_refuses_an_existing_file_and_an_unwritable_place_before_searching() {
    let existing = temp_file("existing.json");
    std::fs::write(&existing, "keep me\n").expect("write");
    let existing_arg = existing.display().to_string();
    let args = [
        "check",
        "seed-example",
        "--bug",
        "vote-twice",
        "--max-term",
        "2",
    ];
    let out = raftwalk(&[&args[..], &["--save-trace", &existing_arg]].concat());
    let error = one_error_line(&out);
    assert!(error.contains("already exists"), "{error}");
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "keep me\n"
    );
    let _ = std::fs::remove_file(&existing);

    let nowhere = temp_file("no-such-dir").join("trace.json");
    let out = raftwalk(&[&args[..], &["--save-trace", &nowhere.display().to_string()]].concat());
    let error = one_error_line(&out);
    assert!(error.contains("cannot create it"), "{error}");

    // A path that can be created is left free until there is a trace to write.
    let fresh = temp_file("fresh.json");
    let _ = std::fs::remove_file(&fresh);
    let fresh_arg = fresh.display().to_string();
    let out = raftwalk(&[
        "check",
        "seed-example",
        "--max-term",
        "2",
        "--save-trace",
        &fresh_arg,
    ]);
    assert_exit(&out, 0);
    assert!(!fresh.exists());
}

#[test]
fn a_last_step_that_breaks_two_invariants_names_both_as_run_does() {
    let trace = temp_file("two-broken.json");
    let trace_arg = trace.display().to_string();
    let _ = std::fs::remove_file(&trace);
    let out = raftwalk(&[
        "check",
        &fixture("stage-truncate-always.json"),
        "--after-steps",
        "--bug",
        "truncate-always",
        "--max-term",
        "3",
        "--max-requests",
        "1",
        "--save-trace",
        &trace_arg,
    ]);
    assert_exit(&out, 1);
    let report = text(&out.stdout);
    assert!(
        report.contains("(Commit Within Log)")
            && report.contains("The same step also breaks: Committed Entries Kept."),
        "{report}"
    );
    // The trace expects both, so `run` reads both as expected.
    let replay = assert_replays_as_expected(&trace_arg, "Committed Entries Kept broken");
    assert!(
        replay.contains("2 invariants broken as the scenario expects"),
        "{replay}"
    );
    let _ = std::fs::remove_file(&trace);
}

#[test]
fn a_search_stops_at_the_memory_bound_and_says_so() {
    let out = raftwalk(&["check", "figure7-a", "--max-memory", "16"]);
    assert_exit(&out, 0);
    let report = text(&out.stdout);
    assert!(
        report.contains("but the search stopped at --max-memory 16 MiB"),
        "{report}"
    );
    assert_last_line_says_not_exhausted(&report, "--max-memory");
    let distinct = distinct_states(&out);
    assert!((1_000..1_000_000).contains(&distinct), "{report}");
    let refused = raftwalk(&["check", "figure7-a", "--max-memory", "8"]);
    assert_exit(&refused, 2);
}

/// Where nothing can happen within the bounds (one server that may not time out, request or
/// crash), every walk ends with no step, and the report says why.
#[test]
fn a_walk_where_nothing_can_happen_ends_and_says_so() {
    let out = raftwalk(&[
        "check",
        "single-server",
        "--random",
        "--seeds",
        "3",
        "--steps",
        "50",
        "--max-term",
        "1",
        "--max-requests",
        "0",
        "--max-crashes",
        "0",
    ]);
    assert_exit(&out, 0);
    let report = text(&out.stdout);
    assert!(
        report.contains("ran 3 walks (seeds 0..3): 0 steps"),
        "{report}"
    );
    assert!(
        report.contains(
            "3 walks ended before 50 steps: 1,000 draws in a row took none (nothing could happen within the bounds)."
        ),
        "{report}"
    );
}
