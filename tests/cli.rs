//! The `raftwalk` binary: exit codes, what goes to stdout and stderr, `run --json` and a
//! smoke test of `bench --json`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("raftwalk-cli-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// Writes `text` to `name` in the directory and returns its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write scenario");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn raftwalk<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_raftwalk"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .expect("run raftwalk")
}

fn run(path: &Path) -> Output {
    raftwalk([Path::new("run"), path])
}

fn run_json(path: &Path) -> Output {
    raftwalk([Path::new("run"), Path::new("--json"), path])
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts the exit code, showing both streams if it is wrong.
fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Asserts stderr is a single `raftwalk: ...` line with no panic or backtrace.
fn assert_one_line_error(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "not one line:\n{err}");
    assert!(err.starts_with("raftwalk: "), "{err}");
    assert_no_panic(&err);
    err
}

fn assert_no_panic(err: &str) {
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.to_lowercase().contains("backtrace"), "{err}");
}

fn seed_example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/01-seed-example.json")
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[test]
fn passing_scenario_exits_0_and_narrates() {
    let out = run(&seed_example());
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("Scenario: The brief's example: S0 times out and wins (3 servers)"),
        "{text}"
    );
    // A `say` line and a step line with the model's explanation.
    assert!(
        text.contains("Time is external: the next beat fires S0's election timeout by hand."),
        "{text}"
    );
    assert!(text.contains("step 3: election timeout on S0"), "{text}");
    assert!(text.contains("S0 wins term 2"), "{text}");
    // The steps are grouped in the walkthrough's beats: the timeout starts the second.
    let beat = text.find("── beat 2 of 5 ──").expect("beat headings");
    assert!(beat < text.find("step 3:").unwrap(), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("PASS: 19 steps, 9 expectations held")),
        "{text}"
    );
    assert!(!text.contains("FAIL"), "{text}");
    assert_eq!(stderr(&out), "", "nothing on stderr when it passes");
}

#[test]
fn wrong_expectation_exits_1_naming_step_field_expected_and_actual() {
    let dir = TempDir::new("wrong_expectation");
    let path = dir.write(
        "wrong.json",
        r#"{"name": "w", "servers": 3, "steps": [
            {"timeout": "S0"},
            {"say": "S0 is only a candidate."},
            {"expect": {"server": "S0", "role": "LEADER", "term": 2}},
            {"expect": {"in_flight": 5}}
        ]}"#,
    );
    let out = run(&path);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("step 3: S0.role: expected LEADER, got CANDIDATE"),
        "{err}"
    );
    assert!(
        err.contains("step 4: in_flight: expected 5, got 2"),
        "{err}"
    );
    assert!(!err.contains("S0.term"), "term 2 held: {err}");
    assert_no_panic(&err);
    let text = stdout(&out);
    assert!(text.contains("FAILED: S0.role"), "{text}");
    assert!(!text.contains("PASS"), "{text}");
}

#[test]
fn step_that_cannot_apply_exits_1_naming_the_step() {
    let dir = TempDir::new("cannot_apply");
    let path = dir.write(
        "nomatch.json",
        r#"{"name": "n", "servers": 3, "steps": [
            {"timeout": "S0"},
            {"deliver": {"from": "S0", "to": "S1", "kind": "AppendEntries"}},
            {"expect": {"in_flight": 2}}
        ]}"#,
    );
    let out = run(&path);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("step 2"), "{err}");
    assert!(err.contains("no message in flight matches"), "{err}");
    assert!(err.contains("AppendEntries S0 → S1"), "{err}");
    assert_no_panic(&err);
    let text = stdout(&out);
    assert!(
        !text.contains("step 3"),
        "the run stops at the failed step:\n{text}"
    );
    assert!(!text.contains("PASS"), "{text}");
}

#[test]
fn two_leaders_in_one_term_exits_1_with_election_safety() {
    let dir = TempDir::new("two_leaders");
    let path = dir.write(
        "two.json",
        r#"{"name": "two", "servers": 3, "steps": [
            {"become_candidate": "S0"}, {"become_leader": "S0"},
            {"become_candidate": 1}, {"become_leader": 1},
            {"expect": {"leaders": ["S0", "S1"]}}
        ]}"#,
    );
    let out = run(&path);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("Election Safety"), "{err}");
    assert!(err.contains("S0 and S1"), "{err}");
    assert!(err.contains("term 2"), "{err}");
    assert_no_panic(&err);
    assert!(!stdout(&out).contains("PASS"));

    // The JSON report lists the violation too.
    let out = run_json(&path);
    assert_exit(&out, 1);
    let report = parse_json(&stdout(&out));
    let violations = report["violations"].as_array().expect("violations list");
    assert_eq!(violations.len(), 1, "{report:#}");
    assert!(
        violations[0]
            .as_str()
            .is_some_and(|v| v.contains("Election Safety")),
        "{report:#}"
    );
}

#[test]
fn invalid_json_exits_2_with_path_line_and_column() {
    let dir = TempDir::new("invalid_json");
    let path = dir.write("bad.json", "{\n  \"name\": \"x\",\n  \"servers\": 3,,\n}\n");
    let out = run(&path);
    assert_exit(&out, 2);
    let err = assert_one_line_error(&out);
    let expected = format!("raftwalk: {}:3:16: ", path.display());
    assert!(
        err.starts_with(&expected),
        "expected {expected:?}...\n{err}"
    );
    assert_eq!(stdout(&out), "", "nothing runs");
}

#[test]
fn invalid_scenario_exits_2_naming_the_field() {
    let dir = TempDir::new("invalid_scenario");
    let path = dir.write(
        "bad.json",
        r#"{"name": "x", "servers": [{"term": 3, "log": [1, 3, 2]}]}"#,
    );
    let out = run(&path);
    assert_exit(&out, 2);
    let err = assert_one_line_error(&out);
    let expected = format!("raftwalk: {}: servers[0].log[2]: ", path.display());
    assert!(
        err.starts_with(&expected),
        "expected {expected:?}...\n{err}"
    );
    assert!(err.contains("never decrease"), "{err}");
    assert_eq!(stdout(&out), "");
}

#[test]
fn unknown_step_exits_2_with_position() {
    let dir = TempDir::new("unknown_step");
    let path = dir.write(
        "typo.json",
        "{\"name\": \"x\", \"servers\": 3, \"steps\": [\n  {\"timeout\": 0},\n  {\"tiemout\": 1}\n]}",
    );
    let out = run_json(&path);
    assert_exit(&out, 2);
    let err = assert_one_line_error(&out);
    let expected = format!("raftwalk: {}:3:", path.display());
    assert!(
        err.starts_with(&expected),
        "expected {expected:?}...\n{err}"
    );
    assert!(err.contains("steps[1]"), "{err}");
    assert!(err.contains("unknown variant `tiemout`"), "{err}");
    assert_eq!(stdout(&out), "", "no JSON for a scenario that cannot load");
}

#[test]
fn missing_file_exits_2() {
    let dir = TempDir::new("missing_file");
    let path = dir.0.join("nowhere.json");
    let out = run(&path);
    assert_exit(&out, 2);
    let err = assert_one_line_error(&out);
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("cannot read"), "{err}");
    assert_eq!(stdout(&out), "");
}

#[test]
fn unknown_subcommand_or_flag_exits_2() {
    for args in [
        vec!["walk"],
        vec!["run", "--bogus", "x.json"],
        vec!["run"],
        vec!["bench", "--elections", "many"],
        vec![],
    ] {
        let out = raftwalk(&args);
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(
            err.starts_with("raftwalk: unexpected argument '--bogus' found")
                || err.starts_with("raftwalk: the following required arguments were not provided: <SCENARIO>; usage: raftwalk run <SCENARIO>")
                || err.starts_with("raftwalk: invalid value 'many' for '--elections")
                || err.contains("cannot read walk")
                || err.contains("needs a terminal"),
            "{args:?}: {err}"
        );
        assert_one_line_error(&out);
        assert_eq!(stdout(&out), "", "{args:?}");
    }
}

/// Whether `text` holds a control character other than the newline that ends a line.
fn has_control_character(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

/// clap's errors are several lines and echo the arguments; raftwalk's usage errors are one
/// line, the arguments' control characters escaped, exit 2.
#[test]
fn usage_errors_are_one_line_with_the_arguments_escaped() {
    for (args, expected) in [
        (
            vec!["run", "--bogus\u{1b}]2;PWNED\u{7}"],
            "raftwalk: unexpected argument '--bogus\\u{1b}]2;PWNED\\u{7}' found (to pass '--bogus\\u{1b}]2;PWNED\\u{7}' as a value, use '-- --bogus\\u{1b}]2;PWNED\\u{7}'); usage: raftwalk run [OPTIONS] <SCENARIO>",
        ),
        (
            vec!["tui", "a", "b\nc\rd"],
            "raftwalk: unexpected argument 'b\\nc\\rd' found; usage: raftwalk tui [SCENARIO]",
        ),
        (
            vec!["bench", "--frames", "1\u{1b}[2J"],
            "raftwalk: invalid value '1\\u{1b}[2J' for '--frames <FRAMES>': invalid digit found in string",
        ),
        (
            vec!["export"],
            "raftwalk: the following required arguments were not provided: --out <OUT> <SCENARIO>; usage: raftwalk export --out <OUT> <SCENARIO>",
        ),
        (
            vec!["export", "figure7-a", "--out", "x", "--format", "pdf\u{7}"],
            "raftwalk: invalid value 'pdf\\u{7}' for '--format <FORMAT>' [possible values: txt, svg]",
        ),
    ] {
        let out = raftwalk(&args);
        assert_exit(&out, 2);
        let err = assert_one_line_error(&out);
        assert!(!has_control_character(&err), "{args:?}: {err:?}");
        assert_eq!(err.trim_end(), expected, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    // Help and version are still clap's, on stdout, exit 0.
    let out = raftwalk(["run", "--help"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("Usage: raftwalk run"),
        "{}",
        stdout(&out)
    );
}

/// A server given as a number that is no id (too large for 64 bits, negative, a fraction)
/// is named as such, with the field and the range of ids, not serde's "a server: its id or
/// its name".
#[test]
fn a_server_number_out_of_range_names_the_field_and_the_ids() {
    let dir = TempDir::new("server_number");
    for (step, field, number) in [
        (
            r#"{"crash": 99999999999999999999}"#,
            "steps[0].crash",
            "99999999999999999999",
        ),
        (
            r#"{"timeout": 18446744073709551616}"#,
            "steps[0].timeout",
            "18446744073709551616",
        ),
        (
            r#"{"crash": 18446744073709551615}"#,
            "steps[0].crash",
            "18446744073709551615",
        ),
        (r#"{"restart": -1}"#, "steps[0].restart", "-1"),
        (
            r#"{"partition": [[0], [1.5, 2]]}"#,
            "steps[0].partition[1][0]",
            "1.5",
        ),
        (
            r#"{"request": {"server": -7, "command": "x"}}"#,
            "steps[0].request.server",
            "-7",
        ),
    ] {
        let path = dir.write(
            "big.json",
            &format!(r#"{{"name": "x", "servers": 3, "steps": [{step}]}}"#),
        );
        let out = run(&path);
        assert_exit(&out, 2);
        let err = assert_one_line_error(&out);
        assert!(
            err.contains(&format!(
                ": {field}: there is no server {number}: ids run from 0 to 2"
            )),
            "{step}: {err}"
        );
    }
    // Not a number at all: the field and the range still.
    let path = dir.write(
        "bool.json",
        r#"{"name": "x", "servers": [{}, {}], "steps": [{"crash": true}]}"#,
    );
    let err = assert_one_line_error(&run(&path));
    assert!(
        err.contains("steps[0].crash: a server is its 0-based id, from 0 to 1, or its name"),
        "{err}"
    );
}

/// A `\uD800`–`\uDFFF` escape without its other half is named, at its own line:column.
#[test]
fn a_lone_surrogate_is_named_at_its_position() {
    let dir = TempDir::new("surrogate");
    for (text, escape, at) in [
        (
            "{\"name\": \"x\\ud800\", \"servers\": 3}",
            "\\ud800",
            "1:12",
        ),
        (
            "{\"name\": \"x\\udc00y\", \"servers\": 3}",
            "\\udc00",
            "1:12",
        ),
        (
            "{\"name\": \"x\\uD800\\u0041\", \"servers\": 3}",
            "\\uD800",
            "1:12",
        ),
        (
            "{\"servers\": 3,\n \"name\": \"\\ud83d\\ude00 \\udbff\\udbff\"}",
            "\\udbff",
            "2:24",
        ),
        // The file ends in the string: serde_json points past the last line.
        ("{\"name\": \"x\\ud800\n", "\\ud800", "1:12"),
    ] {
        let path = dir.write("lone.json", text);
        let out = run(&path);
        assert_exit(&out, 2);
        let err = assert_one_line_error(&out);
        assert!(
            err.contains(&format!(
                ":{at}: name: invalid unicode escape {escape} (a lone surrogate"
            )),
            "{text}: {err}"
        );
    }
    // An escaped backslash before `u` is no escape: the name is the six characters.
    let path = dir.write("fine.json", "{\"name\": \"x\\\\ud800\", \"servers\": 3}");
    assert_exit(&run(&path), 0);
}

#[test]
fn run_json_prints_the_final_state() {
    let out = run_json(&seed_example());
    assert_exit(&out, 0);
    let report = parse_json(&stdout(&out));
    let servers = report["servers"].as_array().expect("servers list");
    assert_eq!(servers.len(), 3, "{report:#}");
    for (id, server) in servers.iter().enumerate() {
        let object = server.as_object().expect("server object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "commit_index",
                "crashed",
                "id",
                "log",
                "name",
                "role",
                "term",
                "voted_for"
            ]
        );
        assert_eq!(server["id"], id);
        assert_eq!(server["name"], format!("S{id}"));
        assert_eq!(server["term"], 2);
        assert_eq!(server["voted_for"], "S0");
        assert_eq!(server["log"], serde_json::json!([]));
        assert_eq!(server["commit_index"], 0);
        assert_eq!(server["crashed"], false);
    }
    assert_eq!(servers[0]["role"], "LEADER");
    assert_eq!(servers[1]["role"], "FOLLOWER");
    assert_eq!(servers[2]["role"], "FOLLOWER");
    assert_eq!(report["in_flight"], serde_json::json!([]));
    assert_eq!(report["violations"], serde_json::json!([]));
    // Only JSON on stdout: no narration, no PASS line.
    assert!(!stdout(&out).contains("PASS"));
    assert_eq!(stderr(&out), "");
}

#[test]
fn run_json_lists_messages_in_flight_votes_logs_and_crashes() {
    let dir = TempDir::new("json_in_flight");
    let path = dir.write(
        "inflight.json",
        r#"{"name": "j", "servers": [
            {"name": "a", "log": [1], "commit_index": 1},
            {"name": "b", "log": [1]},
            {"name": "c", "crashed": true}
        ], "steps": [{"timeout": "a"}]}"#,
    );
    let out = run_json(&path);
    assert_exit(&out, 0);
    let report = parse_json(&stdout(&out));
    let a = &report["servers"][0];
    assert_eq!(a["name"], "a");
    assert_eq!(a["role"], "CANDIDATE");
    assert_eq!(a["term"], 2);
    assert_eq!(a["voted_for"], "a");
    assert_eq!(a["log"], serde_json::json!([1]));
    assert_eq!(a["commit_index"], 1);
    let b = &report["servers"][1];
    assert_eq!(b["id"], 1);
    assert_eq!(b["term"], 1);
    assert_eq!(b["voted_for"], Value::Null, "no vote is null: {report:#}");
    assert_eq!(report["servers"][2]["crashed"], true);

    let in_flight = report["in_flight"].as_array().expect("in_flight list");
    assert_eq!(in_flight.len(), 2, "{report:#}");
    let mut ids = Vec::new();
    for (message, to) in in_flight.iter().zip(["b", "c"]) {
        let object = message.as_object().expect("message object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["from", "id", "kind", "term", "to"]);
        ids.push(message["id"].as_u64().expect("numeric id"));
        assert_eq!(message["from"], "a");
        assert_eq!(message["to"], to);
        assert_eq!(message["kind"], "RequestVote");
        assert_eq!(message["term"], 2);
    }
    assert!(ids[0] < ids[1], "oldest first: {ids:?}");
}

#[test]
fn bench_json_prints_one_figure_per_workload() {
    let out = raftwalk([
        "bench",
        "--json",
        "--runs",
        "1",
        "--elections",
        "200",
        "--steps",
        "50",
        "--log",
        "300",
        "--frames",
        "3",
        "--undo-steps",
        "300",
        "--explore-states",
        "200",
        "--figure16-trials",
        "10",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let figures: Vec<Value> = text.lines().map(parse_json).collect();
    let workloads: Vec<&str> = figures
        .iter()
        .map(|f| f["workload"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        workloads,
        [
            "election",
            "election",
            "requests",
            "divergent-election",
            "forced-leaders",
            "undo",
            "render",
            "render",
            "render",
            "explore",
            "figure16"
        ],
        "{text}"
    );
    for (figure, servers) in figures.iter().zip([3, 5]) {
        assert_eq!(figure["servers"], servers, "{figure}");
        for key in ["elections_per_sec", "deliveries_per_sec"] {
            let value = figure[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{key} missing: {figure}"));
            assert!(value.is_finite() && value > 0.0, "{key}: {figure}");
        }
    }
    let positive = |figure: &Value, key: &str| {
        assert!(
            figure[key].as_f64().is_some_and(|v| v > 0.0),
            "{key}: {figure}"
        );
    };
    let requests = &figures[2];
    assert_eq!(requests["steps"], 50, "{requests}");
    assert_eq!(requests["deliveries"], 200, "4 per request: {requests}");
    positive(requests, "seconds");
    let divergent = &figures[3];
    assert_eq!(
        (divergent["servers"].as_u64(), divergent["log"].as_u64()),
        (Some(9), Some(300)),
        "{divergent}"
    );
    assert_eq!(divergent["divergent"], 3, "{divergent}");
    positive(divergent, "seconds");
    let forced = &figures[4];
    assert_eq!(forced["deliveries"], 10_000, "stopped at the cap: {forced}");
    positive(forced, "seconds");
    let undo = &figures[5];
    assert_eq!(undo["steps"], 300, "{undo}");
    positive(undo, "seconds");
    positive(undo, "record_seconds");
    positive(undo, "bytes");
    let figure16 = &figures[10];
    // Ten lines of 10 trials and the 150–150 line's one.
    assert_eq!(figure16["trials"], 101, "{figure16}");
    positive(figure16, "seconds");
    positive(figure16, "trials_per_sec");
    let sizes: Vec<&str> = figures[6..9]
        .iter()
        .map(|f| f["size"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(sizes, ["80x24", "160x50", "240x70"], "{text}");
    for render in &figures[6..9] {
        assert_eq!(render["servers"], 7, "{render}");
        positive(render, "median_us");
    }
    let explore = &figures[9];
    assert_eq!(explore["servers"], 3, "{explore}");
    assert_eq!(explore["max_term"], 4, "{explore}");
    assert_eq!(
        explore["distinct_states"], 200,
        "stopped at the limit: {explore}"
    );
    assert_eq!(explore["exhausted"], false, "{explore}");
    positive(explore, "seconds");
    let time = |field: &str| explore[field].as_f64().unwrap_or(f64::NAN);
    assert!(
        time("fastest_seconds") <= time("seconds") && time("seconds") <= time("slowest_seconds"),
        "the median run between the fastest and the slowest: {explore}"
    );
    positive(explore, "fastest_seconds");
    positive(explore, "states_per_sec");
    positive(explore, "successors");
    positive(explore, "model_seconds");
    positive(explore, "model_ceiling_states_per_sec");
    positive(explore, "canonical_seconds");
}

#[test]
fn bench_only_runs_the_workloads_named() {
    let out = raftwalk([
        "bench",
        "--only",
        "requests,undo",
        "--runs",
        "1",
        "--steps",
        "10",
        "--undo-steps",
        "20",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("requests, 10 × "), "{text}");
    assert!(lines[1].starts_with("undo, 20 random steps"), "{text}");
}

/// Numeric options are bounded by clap: out of range, huge or zero values are one line and
/// exit 2, before any work (they once panicked, aborted on an 80 GB allocation or printed a
/// median of nothing).
#[test]
fn bench_refuses_out_of_range_numbers_in_one_line() {
    for (option, value) in [
        ("--frames", "18446744073709551615"),
        ("--frames", "10000000000"),
        ("--frames", "0"),
        ("--undo-steps", "0"),
        ("--undo-steps", "18446744073709551616"),
        ("--elections", "0"),
        ("--elections", "-1"),
        ("--steps", "0"),
        ("--steps", "1000001"),
        ("--log", "99"),
        ("--runs", "0"),
        ("--runs", "100"),
        ("--explore-states", "0"),
        ("--explore-threads", "0"),
        ("--explore-threads", "65"),
    ] {
        let out = raftwalk(["bench".to_string(), format!("{option}={value}")]);
        assert_exit(&out, 2);
        let err = assert_one_line_error(&out);
        assert!(err.contains(option), "{option} {value}: {err}");
        assert!(err.contains(value), "{option} {value}: {err}");
        assert_eq!(stdout(&out), "", "{option} {value}");
    }
}

/// A reader that goes away (`raftwalk list | head -1`) ends raftwalk quietly: no panic,
/// no "Broken pipe" error, as any Unix tool ends on SIGPIPE.
#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::process::Stdio;
    for args in [&["list"][..], &["run", "figure7-a"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_raftwalk"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start raftwalk");
        // Close the pipe at once: raftwalk is still starting, so all its lines meet a closed
        // pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait for raftwalk");
        let err = stderr(&out);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert_ne!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
    }
}
