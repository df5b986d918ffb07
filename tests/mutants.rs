//! Scenarios that run a mutant (`"bug"`): the mutated model is the one that runs, an `expect`
//! can name the invariant broken, and a saved session keeps its mutant.

use raftwalk::builtin;
use raftwalk::raft::{Bug, Event, Invariant};
use raftwalk::scenario;
use raftwalk::scenario::beats::beat_of;
use raftwalk::session::{Origin, Session};

mod common;

const TWO_VOTES: &str = r#"{
  "name": "two votes",
  "servers": 3,
  "bug": "vote-twice",
  "steps": [
    {"timeout": "S0"},
    {"timeout": "S1"},
    {"deliver": {"from": "S0", "to": "S2"}},
    {"deliver": {"from": "S1", "to": "S2"}},
    {"expect": {"server": "S2", "voted_for": "S1", "broken": "one-vote-per-term"}}
  ]
}"#;

/// truncate-always cuts a committed entry off S1's log with nothing appended: the log only
/// shrinks, and the monitor must still see it.
const TRUNCATED: &str = r#"{
  "name": "truncated",
  "servers": 3,
  "bug": "truncate-always",
  "steps": [
    {"timeout": "S0"},
    {"deliver": {"from": "S0", "to": "S1", "kind": "RequestVote"}},
    {"deliver": {"from": "S1", "to": "S0", "kind": "RequestVoteResponse"}},
    {"request": {"server": "S0", "command": "x"}},
    {"deliver": {"id": 6}},
    {"deliver": {"from": "S1", "to": "S0", "kind": "AppendEntriesResponse"}},
    {"request": {"server": "S0", "command": "y"}},
    {"deliver": {"from": "S0", "to": "S1", "kind": "AppendEntries", "newest": true}},
    {"expect": {"server": "S1", "log": [2, 2], "commit_index": 1}},
    {"deliver": {"from": "S0", "to": "S1", "kind": "AppendEntries"}},
    {"expect": {"server": "S1", "log": [], "broken": "committed-entries-kept"}},
    {"expect": {"broken": "commit-within-log"}}
  ]
}"#;

#[test]
fn a_log_that_only_shrinks_is_checked() {
    let scenario = scenario::parse(TRUNCATED, "truncated.json").expect("valid");
    let mut log = Vec::new();
    let (cluster, summary) = scenario::run(&scenario, &mut log).expect("runs");
    let log = String::from_utf8(log).expect("text");
    assert!(summary.failures.is_empty(), "{log}");
    assert_eq!(cluster.violations().len(), 2, "{:?}", cluster.violations());
}

#[test]
fn a_scenario_with_a_bug_runs_the_mutated_model() {
    let scenario = scenario::parse(TWO_VOTES, "two.json").expect("valid");
    assert_eq!(scenario.config.bug, Some(Bug::VoteTwice));
    assert_eq!(scenario.cluster().bug(), Some(Bug::VoteTwice));
    let mut log = Vec::new();
    let (cluster, summary) = scenario::run(&scenario, &mut log).expect("runs");
    let log = String::from_utf8(log).expect("text");
    assert!(summary.failures.is_empty(), "{log}");
    assert_eq!(
        cluster.violations()[0].invariant(),
        Invariant::OneVotePerTerm,
        "{log}"
    );
    assert!(log.contains("MUTANT vote-twice"), "{log}");
    assert!(
        log.contains(
            "S2 grants its vote to S1 for term 2 — but this cluster votes twice in a term: S2 had already voted for S0 in term 2"
        ),
        "{log}"
    );
    // The same file without the bug keeps the rule: the expectation fails.
    let correct = TWO_VOTES.replace(r#""bug": "vote-twice","#, "");
    let scenario = scenario::parse(&correct, "two.json").expect("valid");
    let (_, summary) = scenario::run(&scenario, &mut Vec::new()).expect("runs");
    let fields: Vec<&str> = summary
        .failures
        .iter()
        .map(|(_, m)| m.field.as_str())
        .collect();
    assert_eq!(fields, ["S2.voted_for", "broken"]);
    assert!(summary.violations.is_empty());
}

#[test]
fn an_unknown_bug_is_refused_by_name() {
    let text = TWO_VOTES.replace("vote-twice", "vote-thrice");
    let error = scenario::parse(&text, "two.json").expect_err("refused");
    let shown = error.to_string();
    assert!(shown.contains("bug"), "{shown}");
    assert!(shown.contains("vote-thrice"), "{shown}");
}

#[test]
fn a_saved_session_keeps_its_mutant() {
    let scenario = scenario::parse(TWO_VOTES, "two.json").expect("valid");
    let mut session = Session::new(scenario);
    while session.play_next().is_ok() {}
    let file = session.to_scenario_file();
    assert_eq!(file.bug, Some(Bug::VoteTwice));
    let text = serde_json::to_string(&file).expect("serializes");
    let again = scenario::parse(&text, "saved.json").expect("the saved file loads");
    assert_eq!(again.config.bug, Some(Bug::VoteTwice));
}

/// Every mutant's lesson tells its deviating decision as one: the event says this cluster broke
/// the rule, and what the correct rule would have done — never that the rule was followed.
#[test]
fn every_bug_lesson_says_where_the_mutant_broke_the_rule() {
    for bug in Bug::ALL {
        let name = format!("bug-{}", bug.name());
        let lesson = builtin::find(&name).unwrap_or_else(|| panic!("no lesson {name}"));
        let scenario = scenario::parse(lesson.text, lesson.file).expect("valid");
        assert_eq!(scenario.config.bug, Some(bug));
        let mut log = Vec::new();
        scenario::run(&scenario, &mut log).expect("runs");
        let log = String::from_utf8(log).expect("text");
        let turned = format!(" — but {}: ", bug.plain());
        let told: Vec<&str> = log.lines().filter(|l| l.contains(&turned)).collect();
        assert!(!told.is_empty(), "{name} never says {turned:?}:\n{log}");
        for line in told {
            assert!(line.contains("the correct rule ("), "{name}: {line}");
        }
    }
}

/// A lesson's narration copied from the model's explanations (as the bug-* lessons were made
/// from saved traces) must still be what the model says: a `say` that starts with the first
/// explanation of the step before it must be all of that step's explanations, word for word.
/// Otherwise a lesson keeps telling a mutant's broken decision as the correct rule. (`run`
/// prints such a copy once, as the step's explanation.)
#[test]
fn narration_copied_from_the_model_is_what_the_model_says_now() {
    let mut copied = 0;
    for lesson in builtin::all() {
        let scenario = scenario::parse(lesson.text, lesson.file).expect("valid");
        let names = &scenario.names;
        let mut cluster = scenario.cluster();
        let mut before: Vec<Event> = Vec::new();
        for step in &scenario.steps {
            if let scenario::Step::Say(text) = step {
                let first = before
                    .first()
                    .map(|e| raftwalk::raft::explain(e, raftwalk::raft::Names(names)));
                if let Some(first) = first.filter(|f| text.starts_with(f.as_str())) {
                    copied += 1;
                    assert_eq!(
                        text,
                        &scenario::narration(&before, names),
                        "{}: a stale narration ({first})",
                        lesson.file
                    );
                }
            }
            before = scenario::apply_step(&mut cluster, step, names)
                .expect("the lesson plays")
                .events;
        }
    }
    assert!(copied > 10, "only {copied} copied narrations seen");
}

/// `run` prints a step's explanation once: a `say` right after it that repeats it word for
/// word is not printed again, and one that says more is.
#[test]
fn run_prints_a_copied_narration_once() {
    let mut said = 0;
    for lesson in builtin::all() {
        let scenario = scenario::parse(lesson.text, lesson.file).expect("valid");
        let mut log = Vec::new();
        scenario::run(&scenario, &mut log).expect("runs");
        let log = String::from_utf8(log).expect("text");
        let mut events: Vec<&str> = Vec::new();
        for line in log.lines() {
            if line.starts_with("step ") {
                events.clear();
            } else if line.starts_with("    ") {
                events.push(line.trim_start());
            } else if !line.is_empty() && !line.starts_with(' ') && !line.starts_with("──") {
                if !events.is_empty() {
                    said += 1;
                    assert_ne!(line, events.join(" "), "{}: printed twice", lesson.file);
                }
                events.clear();
            }
        }
    }
    // Narration that says more than the explanation is still printed.
    assert!(said > 10, "only {said} narrations after a step");
}

/// bug-vote-twice ends with two leaders of term 2: the vote ledger, at the end of `run` and in
/// the TUI's `v` overlay (both drawn by `ledger::render_text`), names both winners.
#[test]
fn the_vote_ledger_names_both_leaders_of_bug_vote_twice() {
    const BOTH: &str = "Term 2 (S0 and S1 both won — two leaders in one term)";
    let lesson = builtin::find("bug-vote-twice").expect("the lesson");
    let scenario = scenario::parse(lesson.text, lesson.file).expect("valid");
    let mut log = Vec::new();
    scenario::run(&scenario, &mut log).expect("runs");
    let log = String::from_utf8(log).expect("text");
    let ledger = &log[log.find("\nVote ledger").expect("a ledger")..];
    assert!(ledger.contains(BOTH), "{ledger}");

    let mut app = common::builtin("bug-vote-twice");
    for _ in 0..app.session.beats().len() {
        common::next(&mut app);
    }
    assert_eq!(app.session.cluster().live_leaders().count(), 2);
    common::press(&mut app, "v");
    let shown = common::screen(&app, 80, 24);
    assert!(shown.contains(BOTH), "{shown}");
}

/// Whether an event is one of a lesson's moments: an election won, a commit, or a decision the
/// mutant made against Raft's rule.
fn is_key_moment(event: &Event) -> bool {
    matches!(
        event,
        Event::ElectionWon { .. } | Event::LeaderCommitted { .. }
    ) || event.deviation().is_some()
}

/// A bug lesson shows each of its moments on a screen of its own: no beat plays two steps that
/// win an election, commit an entry, or break the mutant's rule. Otherwise a class never sees
/// the state between them (truncate-always's S1 holding the committed x before it deletes x),
/// and one narration has to tell several things at once.
#[test]
fn each_moment_of_a_bug_lesson_is_a_beat_of_its_own() {
    let mut problems = Vec::new();
    for bug in Bug::ALL {
        let name = format!("bug-{}", bug.name());
        let lesson = builtin::find(&name).unwrap_or_else(|| panic!("no lesson {name}"));
        let scenario = scenario::parse(lesson.text, lesson.file).expect("valid");
        let mut session = Session::new(scenario);
        let beats = session.beats().to_vec();
        let mut moments = vec![Vec::new(); beats.len()];
        while let Ok(entry) = session.play_next() {
            let Origin::Script(step) = entry.origin else {
                continue;
            };
            if entry.events.iter().any(is_key_moment) {
                moments[beat_of(&beats, step)].push(step + 1);
            }
        }
        for (number, steps) in moments.iter().enumerate() {
            if steps.len() > 1 {
                problems.push(format!("{name} beat {}: steps {steps:?}", number + 1));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn run_file(text: &str, name: &str) -> std::process::Output {
    let path = std::env::temp_dir().join(format!("raftwalk-mutants-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write the scenario");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_raftwalk"))
        .arg("run")
        .arg(&path)
        .output()
        .expect("run raftwalk");
    let _ = std::fs::remove_file(&path);
    out
}

/// A mutant's lesson breaks invariants on purpose and asserts each with an `expect`: `run`
/// says each is broken as expected, prints no FAIL and exits 0, so CI can run every file.
#[test]
fn every_bug_lesson_passes_run_with_its_violations_read_as_expected() {
    for bug in Bug::ALL {
        let name = format!("bug-{}", bug.name());
        let lesson = builtin::find(&name).unwrap_or_else(|| panic!("no lesson {name}"));
        let out = run_file(lesson.text, &format!("{name}.json"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}:\n{stderr}\n{stdout}");
        assert!(stderr.is_empty(), "{name}: {stderr}");
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("EXPECTED (step ") && l.contains("INVARIANT VIOLATED: ")),
            "{name}: {stdout}"
        );
        let last = stdout.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("PASS: ") && last.contains("broken as the scenario expects."),
            "{name}: {last}"
        );
    }
}

/// The same lesson without its `expect` of Election Safety: the two leaders of term 2 are a
/// violation nothing asserts, so `run` fails on it, and only on it.
#[test]
fn a_violation_no_expect_asserts_still_fails_run() {
    let lesson = builtin::find("bug-vote-twice").expect("the lesson");
    let mut json: serde_json::Value = serde_json::from_str(lesson.text).expect("JSON");
    let steps = json["steps"].as_array_mut().expect("steps");
    let before = steps.len();
    steps.retain(|s| s["expect"]["broken"] != "election-safety");
    assert_eq!(steps.len(), before - 1, "one expect of Election Safety");
    let out = run_file(&json.to_string(), "unasserted.json");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}\n{stdout}");
    let fails: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        fails,
        [
            "FAIL INVARIANT VIOLATED: Election Safety broken: S0 and S1 are both leaders of term 2 (§5.2, Figure 3)."
        ],
        "{stderr}"
    );
    // The vote it still asserts is read as expected.
    assert!(
        stdout.contains("EXPECTED (step 9): INVARIANT VIOLATED: One Vote per Term broken"),
        "{stdout}"
    );
    assert!(!stdout.contains("PASS"), "{stdout}");
}

/// An `expect` asserts the violations found by its step: a second violation of the same
/// invariant found later is not expected by it.
#[test]
fn an_expect_does_not_cover_a_violation_found_after_it() {
    let later = TWO_VOTES.replace(
        r#"{"expect": {"server": "S2", "voted_for": "S1", "broken": "one-vote-per-term"}}"#,
        r#"{"expect": {"server": "S2", "voted_for": "S1", "broken": "one-vote-per-term"}},
    {"deliver": {"from": "S0", "to": "S1"}},
    {"expect": {"server": "S1", "voted_for": "S0"}}"#,
    );
    let scenario = scenario::parse(&later, "later.json").expect("valid");
    let (cluster, summary) = scenario::run(&scenario, &mut std::io::sink()).expect("runs");
    assert!(summary.failures.is_empty(), "{summary:?}");
    assert_eq!(cluster.violations().len(), 2, "{:?}", cluster.violations());
    assert_eq!(summary.expected_violations.len(), 1, "{summary:?}");
    assert_eq!(summary.expected_violations[0].0, 5);
    assert!(summary.expected_violations[0].1.contains("S2 voted twice"));
    assert_eq!(summary.violations.len(), 1, "{summary:?}");
    assert!(
        summary.violations[0].contains("S1 voted twice"),
        "{summary:?}"
    );
    assert!(!summary.passed());
}
