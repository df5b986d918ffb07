//! Scenario files are untrusted input: whatever a file holds, `raftwalk run` prints nothing
//! raw (no control character but the newlines it writes itself), each error is one line, and
//! it exits 0, 1 or 2. Also: the limits on what is read, and the small errors of issue 8.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("raftwalk-untrusted-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("write file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn raftwalk<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_raftwalk"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .expect("run raftwalk")
}

/// Checks what every run of raftwalk on untrusted input must satisfy, and returns
/// (exit code, stdout, stderr).
fn assert_clean(out: &Output, what: &str) -> (i32, String, String) {
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let shown = format!("{what}\nexit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    assert!([0, 1, 2].contains(&code), "bad exit code: {shown}");
    for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        let bad = text.chars().find(|&c| c.is_control() && c != '\n');
        assert!(bad.is_none(), "{stream} holds {bad:?}: {shown}");
    }
    for line in stderr.lines() {
        assert!(
            line.starts_with("raftwalk: ") || line.starts_with("FAIL "),
            "stderr line is not an error line: {shown}"
        );
    }
    assert!(!stderr.contains("panicked"), "{shown}");
    if code == 2 {
        assert_eq!(stderr.lines().count(), 1, "not one line: {shown}");
    }
    (code, stdout, stderr)
}

fn run(path: &Path) -> (i32, String, String) {
    let out = raftwalk(&[Path::new("run"), path]);
    assert_clean(&out, &path.display().to_string())
}

// ---------------------------------------------------------------------------------------
// Item 1: nothing from a file is printed raw
// ---------------------------------------------------------------------------------------

/// Strings a careless or hostile author might put anywhere: escape sequences, newlines,
/// C1 controls, bidirectional overrides.
fn nasty_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\u{1b}]2;PWNED\u{7}".to_string()),
        Just("\u{1b}[?1000h".to_string()),
        Just("\n".to_string()),
        Just("\r".to_string()),
        Just("\u{9b}31m".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{7f}".to_string()),
        Just("S0".to_string()),
        Just("a".to_string()),
        "[a-z]{1,3}".prop_map(|s| s),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|v| v.concat())
}

/// A scenario with `s[i]` in every place a string can go: names, narration, a quiz, a
/// command, a server reference, an enum value and a step key.
fn scenario_with(s: &[String]) -> String {
    let j = |i: usize| serde_json::to_string(&s[i % s.len()]).expect("a string");
    format!(
        r#"{{"name": {}, "description": {}, "servers": [{{"name": {}}}, {{"name": "b"}}, {{"name": "c", "role": {}}}],
        "steps": [{{"say": {}}}, {{"quiz": {{"question": {}, "choices": [{}, "b"], "answer": 1, "explain": {}}}}},
        {{"request": {{"server": "b", "command": {}}}}}, {{"timeout": {}}}, {{"deliver": {{"kind": {}}}}},
        {{{}: "a"}}, {{"expect": {{"server": "b", "role": "FOLLOWER"}}}}]}}"#,
        j(0),
        j(1),
        j(2),
        j(3),
        j(4),
        j(5),
        j(6),
        j(7),
        j(8),
        j(9),
        j(10),
        j(11),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn run_prints_nothing_raw_whatever_the_file_holds(
        strings in prop::collection::vec(nasty_string(), 12),
        // Most cases keep the structure valid (so the step log is printed), some not.
        plain in prop::collection::vec(any::<bool>(), 12),
    ) {
        let strings: Vec<String> = strings
            .into_iter()
            .zip(plain)
            .enumerate()
            .map(|(i, (s, plain))| match (plain, i) {
                (false, _) => s,
                (true, 2) => "a".to_string(),
                (true, 3) => "FOLLOWER".to_string(),
                (true, 9) => "a".to_string(),
                (true, 10) => "RequestVote".to_string(),
                (true, 11) => "timeout".to_string(),
                (true, _) => s,
            })
            .collect();
        let dir = TempDir::new("nasty");
        let path = dir.write("s.json", scenario_with(&strings));
        run(&path);
        let out = raftwalk(&[Path::new("run"), Path::new("--json"), &path]);
        assert_clean(&out, "run --json");
    }
}

#[test]
fn the_issues_terminal_injection_is_shown_escaped() {
    let dir = TempDir::new("injection");
    let path = dir.write(
        "s.json",
        r#"{"name": "t\u001b]2;PWNED\u0007", "servers": 3,
            "steps": [{"say": "mouse \u001b[?1000h on"}, {"request": {"server": 0, "command": "x\ny"}}]}"#,
    );
    let (code, stdout, _) = run(&path);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Scenario: t\\u{1b}]2;PWNED\\u{7}"),
        "{stdout}"
    );
    assert!(stdout.contains("mouse \\u{1b}[?1000h on"), "{stdout}");
    assert!(stdout.contains("client request \"x\\ny\""), "{stdout}");
}

#[test]
fn a_name_with_a_control_character_is_refused_at_load() {
    let dir = TempDir::new("name");
    for name in ["a\u{1b}[?1000h", "a\nb", "\u{9b}", "left\u{202e}right"] {
        let text = format!(
            r#"{{"name": "t", "servers": [{{"name": "ok"}}, {{"name": {}}}]}}"#,
            serde_json::to_string(name).unwrap()
        );
        let (code, _, stderr) = run(&dir.write("s.json", text));
        assert_eq!(code, 2, "{name:?}: {stderr}");
        assert!(
            stderr
                .contains("servers[1].name: a name is a label and cannot hold control characters"),
            "{stderr}"
        );
    }
}

#[test]
fn an_error_quoting_the_file_stays_on_one_line() {
    let dir = TempDir::new("oneline");
    for text in [
        r#"{"name": "t", "servers": [{"role": "x\ny"}]}"#,
        r#"{"name": "t", "servers": 3, "steps": [{"x\ny": 0}]}"#,
        r#"{"name": "t", "servers": 3, "steps": [{"timeout": "a\nb"}]}"#,
        r#"{"name": "t", "servers": 3, "steps": ["\u001b[2J"]}"#,
    ] {
        let (code, _, stderr) = run(&dir.write("s.json", text));
        assert_eq!(code, 2, "{text}: {stderr}");
        assert!(
            stderr.contains("\\n") || stderr.contains("\\u{1b}"),
            "{stderr}"
        );
    }
}

#[test]
fn export_escapes_the_index_and_the_frames() {
    let dir = TempDir::new("export");
    let path = dir.write(
        "s.json",
        r#"{"name": "t\u001b]2;X\u0007", "description": "d\u001b[31m", "servers": 3,
            "steps": [{"say": "s\u009b1m\u202e"}, {"timeout": 0}]}"#,
    );
    for format in ["txt", "svg"] {
        let out_dir = dir.0.join(format!("out-{format}"));
        let out = raftwalk(&[
            Path::new("export"),
            &path,
            Path::new("--format"),
            Path::new(format),
            Path::new("--out"),
            &out_dir,
        ]);
        assert_clean(&out, "export");
        assert_eq!(out.status.code(), Some(0));
        for entry in std::fs::read_dir(&out_dir).unwrap() {
            let file = entry.unwrap().path();
            let text = std::fs::read_to_string(&file).unwrap();
            let bad = text.chars().find(|&c| c.is_control() && c != '\n');
            assert!(bad.is_none(), "{} holds {bad:?}", file.display());
            assert!(!text.contains('\u{202e}'), "{}", file.display());
        }
        let index = std::fs::read_to_string(out_dir.join("index.md")).unwrap();
        assert!(index.contains("# t\\u{1b}]2;X\\u{7}"), "{index}");
    }
}

// ---------------------------------------------------------------------------------------
// Item 4: starting states Raft cannot reach
// ---------------------------------------------------------------------------------------

#[test]
fn an_impossible_start_exits_2_naming_the_rule_unless_the_file_says_unsafe_start() {
    let dir = TempDir::new("unreachable");
    let two_leaders = r#"{"name": "t", "servers": [
        {"role": "LEADER", "term": 2}, {"role": "LEADER", "term": 2}, {"term": 3}]}"#;
    let (code, _, stderr) = run(&dir.write("s.json", two_leaders));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("Election Safety"), "{stderr}");
    assert!(stderr.contains("\"unsafe_start\": true"), "{stderr}");

    let unsafe_start = two_leaders.replacen('{', r#"{"unsafe_start": true, "#, 1);
    let (code, stdout, stderr) = run(&dir.write("u.json", unsafe_start));
    assert_eq!(code, 1, "a broken start still fails the run: {stderr}");
    assert!(
        stdout.contains("at the start: INVARIANT VIOLATED"),
        "{stdout}"
    );
    assert!(
        stderr.contains("FAIL INVARIANT VIOLATED: Election Safety"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------
// Item 5: what is read, and from where
// ---------------------------------------------------------------------------------------

/// Runs raftwalk with a deadline: a hang is a failure, not a stuck test.
fn run_with_deadline(args: &[&Path], stdin: Stdio) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_raftwalk"))
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start raftwalk");
    let pid = child.id();
    // Read the output on a thread, so a long step log never fills the pipe and blocks it.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(std::time::Duration::from_secs(120)) {
        Ok(output) => output.expect("output"),
        Err(_) => {
            // SAFETY: kill(2) on the child we started.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            panic!("raftwalk {args:?} hangs");
        }
    }
}

#[test]
fn devices_fifos_and_directories_are_refused_at_once() {
    let dir = TempDir::new("special");
    let fifo = dir.0.join("fifo");
    let c_path = std::ffi::CString::new(fifo.to_str().expect("UTF-8 path")).expect("no NUL");
    // SAFETY: mkfifo(3) with a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
    for (path, kind) in [
        (Path::new("/dev/zero"), "a device"),
        (fifo.as_path(), "a named pipe"),
        (dir.0.as_path(), "a directory"),
    ] {
        // Nobody writes to the FIFO: opening it must not wait for a writer.
        let out = run_with_deadline(&[Path::new("run"), path], Stdio::null());
        let (code, _, stderr) = assert_clean(&out, &path.display().to_string());
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(kind), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
}

#[test]
fn more_than_16_mib_is_refused_from_a_file_and_from_standard_input() {
    let dir = TempDir::new("large");
    let path = dir.write("big.json", vec![b' '; 16 * 1024 * 1024 + 1]);
    let (code, _, stderr) = run(&path);
    assert_eq!(code, 2);
    assert!(stderr.contains("larger than 16 MiB"), "{stderr}");
    // Standard input is capped too: /dev/zero never ends.
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let out = run_with_deadline(&[Path::new("run"), Path::new("-")], Stdio::from(zero));
    let (code, _, stderr) = assert_clean(&out, "run - < /dev/zero");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read standard input: it is larger than 16 MiB"),
        "{stderr}"
    );
    // Exactly the limit is read (and here refused only as JSON).
    let path = dir.write("limit.json", vec![b' '; 16 * 1024 * 1024]);
    let (code, _, stderr) = run(&path);
    assert_eq!(code, 2);
    assert!(stderr.contains("empty file"), "{stderr}");
}

#[test]
fn a_dash_reads_the_scenario_from_standard_input() {
    let dir = TempDir::new("stdin");
    let path = dir.write("s.json", r#"{"name": "piped", "servers": 2}"#);
    let file = std::fs::File::open(&path).expect("open");
    let out = run_with_deadline(&[Path::new("run"), Path::new("-")], Stdio::from(file));
    let (code, stdout, _) = assert_clean(&out, "run -");
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("Scenario: piped (2 servers)"),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------------------
// Item 8: the smaller errors
// ---------------------------------------------------------------------------------------

#[test]
fn a_deliver_all_stopped_at_its_cap_fails_the_run_with_a_hint_that_fits() {
    let dir = TempDir::new("stopped");
    // Two leaders forced into one term answer each other forever.
    let two = dir.write(
        "two.json",
        r#"{"name": "t", "servers": 3, "steps": [{"become_leader": 0}, {"become_leader": 1}, "deliver_all"]}"#,
    );
    let (code, _, stderr) = run(&two);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("FAIL step 3: Deliver-all stopped after 10000 deliveries"),
        "{stderr}"
    );
    assert!(
        stderr.contains("S0 and S1 are both leaders of term 1"),
        "{stderr}"
    );
    // One leader, a long log to repair: no second leader to blame.
    let log = vec!["1"; 6000].join(",");
    let long = dir.write(
        "long.json",
        format!(
            r#"{{"name": "t", "servers": [{{"role": "LEADER", "log": [{log}]}}, {{"voted_for": 0, "log": [{log}]}}, {{}}],
                "steps": [{{"heartbeat": 0}}, "deliver_all"]}}"#
        ),
    );
    let (code, stdout, stderr) = run(&long);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("FAIL step 2: Deliver-all stopped"),
        "{stderr}"
    );
    assert!(stderr.contains("had not settled yet"), "{stderr}");
    assert!(!stderr.contains("both leaders"), "{stderr}");
    assert!(!stdout.contains("PASS"), "{stdout}");
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = TempDir::new("bom");
    let path = dir.write("s.json", "\u{feff}{\"name\": \"t\", \"servers\": 2}");
    let (code, _, stderr) = run(&path);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn an_empty_file_says_empty_file() {
    let dir = TempDir::new("empty");
    for text in ["", " \n\t\n"] {
        let (code, _, stderr) = run(&dir.write("s.json", text));
        assert_eq!(code, 2);
        assert!(stderr.contains("s.json: empty file"), "{stderr}");
    }
}

#[test]
fn too_large_a_number_says_so() {
    let dir = TempDir::new("number");
    let (code, _, stderr) = run(&dir.write(
        "s.json",
        r#"{"name": "t", "servers": [{"term": 18446744073709551616}]}"#,
    ));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("servers[0].term: 18446744073709551616 is too large"),
        "{stderr}"
    );
    assert!(!stderr.contains("floating point"), "{stderr}");
    // A real fraction is still called one.
    let (_, _, stderr) = run(&dir.write("f.json", r#"{"name": "t", "servers": 2.5}"#));
    assert!(stderr.contains("2.5"), "{stderr}");
}

#[test]
fn export_to_a_file_says_it_is_not_a_directory() {
    let dir = TempDir::new("out");
    let file = dir.write("taken", "x");
    let out = raftwalk(&[
        Path::new("export"),
        Path::new("seed-example"),
        Path::new("--out"),
        &file,
    ]);
    let (code, _, stderr) = assert_clean(&out, "export --out FILE");
    assert_eq!(code, 2);
    assert!(stderr.contains("is a file, not a directory"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// The corpus of tricky files (tests/corpus/), replayed through the real binary
// ---------------------------------------------------------------------------------------

#[test]
fn every_tricky_file_exits_0_1_or_2_with_one_line_errors_and_nothing_raw() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus lost files: {}", files.len());
    let mut codes = [0; 3];
    for file in &files {
        let out = run_with_deadline(&[Path::new("run"), file], Stdio::null());
        let (code, _, _) = assert_clean(&out, &file.display().to_string());
        codes[code as usize] += 1;
        let out = run_with_deadline(
            &[Path::new("run"), Path::new("--json"), file],
            Stdio::null(),
        );
        assert_clean(&out, &format!("--json {}", file.display()));
    }
    // The corpus covers all three outcomes.
    assert!(codes.iter().all(|&n| n > 0), "exit codes 0/1/2: {codes:?}");
}

// ---------------------------------------------------------------------------------------
// Loading arbitrary JSON never panics
// ---------------------------------------------------------------------------------------

/// Keys and words of the format, so that arbitrary JSON often gets deep into the loader.
const WORDS: &[&str] = &[
    "name",
    "description",
    "servers",
    "steps",
    "unsafe_start",
    "term",
    "voted_for",
    "log",
    "commit_index",
    "role",
    "crashed",
    "command",
    "LEADER",
    "CANDIDATE",
    "FOLLOWER",
    "timeout",
    "deliver",
    "drop",
    "duplicate",
    "deliver_all",
    "crash",
    "restart",
    "partition",
    "heal",
    "request",
    "heartbeat",
    "become_follower",
    "become_candidate",
    "become_leader",
    "say",
    "quiz",
    "question",
    "choices",
    "answer",
    "explain",
    "expect",
    "server",
    "leaders",
    "in_flight",
    "id",
    "from",
    "to",
    "kind",
    "RequestVote",
    "AppendEntries",
    "RequestVoteResponse",
    "AppendEntriesResponse",
    "S0",
    "S1",
    "S2",
    "send",
    "cut",
    "link",
    "max_entries_per_append",
    "next_index",
    "match_index",
    "leader",
    "messages",
    "count",
    "total",
    "newest",
    "nth",
    "granted",
    "success",
    "prev_log_index",
    "prev_log_term",
    "entries",
    "leader_commit",
    "last_log_index",
    "last_log_term",
];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let word = prop::sample::select(WORDS).prop_map(str::to_string);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0u64..12).prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        word.clone().prop_map(Value::String),
        ".{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        let key = prop_oneof![3 => word.clone(), 1 => ".{0,4}".prop_map(|s| s)];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A scenario-shaped object: `name`, `servers` and `steps` present, with arbitrary values.
fn scenario_shaped() -> impl Strategy<Value = serde_json::Value> {
    (
        json_value(),
        prop_oneof![(1u64..10).prop_map(serde_json::Value::from), json_value()],
        prop::collection::vec(json_value(), 0..8),
    )
        .prop_map(|(name, servers, steps)| {
            serde_json::json!({"name": name, "servers": servers, "steps": steps})
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn loading_arbitrary_json_never_panics(value in prop_oneof![json_value(), scenario_shaped()]) {
        let text = value.to_string();
        match raftwalk::scenario::parse(&text, "arbitrary.json") {
            // What loads also runs to its end, every loop bounded.
            Ok(scenario) => {
                raftwalk::scenario::run(&scenario, &mut std::io::sink()).expect("a sink takes all");
            }
            Err(error) => {
                let line = raftwalk::escape::escape(&error.to_string()).into_owned();
                prop_assert!(!line.contains('\n'));
            }
        }
    }
}
