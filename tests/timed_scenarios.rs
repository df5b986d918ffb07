//! Scenario files with time: `timing`, `start_clock`, `advance`, `next_events`, `run_until`
//! and `expect.time` — what they do, what the loader refuses, and that a timed session saves
//! to a file that replays it exactly.

use raftwalk::raft::time::MS;
use raftwalk::raft::{Action, Between, Timing};
use raftwalk::scenario::{self, Step};
use raftwalk::session::Session;

fn parse(text: &str) -> Result<scenario::Scenario, String> {
    scenario::parse(text, "t.json").map_err(|e| e.to_string())
}

fn parse_ok(text: &str) -> scenario::Scenario {
    parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Three servers with the given timing and steps.
fn file(timing: &str, steps: &str) -> String {
    let timing = if timing.is_empty() {
        String::new()
    } else {
        format!(r#""timing": {timing},"#)
    };
    format!(r#"{{"name": "t", "servers": 3, {timing} "steps": {steps}}}"#)
}

fn run(text: &str) -> (String, scenario::RunSummary) {
    let s = parse_ok(text);
    let mut out = Vec::new();
    let (_, summary) = scenario::run(&s, &mut out).expect("run");
    (String::from_utf8(out).expect("UTF-8"), summary)
}

#[test]
fn timing_fields_are_read_in_ms_with_defaults_for_the_rest() {
    let s = parse_ok(&file(
        r#"{"election_timeout": [100, 200.5], "latency": [1, 2], "seed": 9}"#,
        "[]",
    ));
    assert_eq!(
        s.timing,
        Some(Timing {
            election_timeout: Between {
                min: 100 * MS,
                max: 200_500
            },
            latency: Between::ms(1, 2),
            seed: 9,
            ..Timing::CLASSROOM
        })
    );
    assert_eq!(s.cluster().now(), Some(0));
    assert_eq!(parse_ok(&file("{}", "[]")).timing, Some(Timing::CLASSROOM));
    let untimed = parse_ok(&file("", "[]"));
    assert_eq!((untimed.timing, untimed.cluster().now()), (None, None));
}

#[test]
fn timed_steps_become_timed_actions() {
    let s = parse_ok(&file(
        "{}",
        r#"[{"advance": 12.5}, {"next_events": 3}, {"run_until": "leader"},
            {"run_until": {"time": 900}}, {"run_until": {"until": "quiet", "within": 50}}]"#,
    ));
    assert_eq!(s.steps[0], Step::Act(Action::Advance(12_500)));
    assert_eq!(s.steps[1], Step::Act(Action::NextEvents(3)));
    assert!(matches!(s.steps[2], Step::RunUntil(_)));
}

#[test]
fn the_loader_refuses_what_makes_no_sense_naming_the_field() {
    for (text, field, words) in [
        (
            file("", r#"[{"advance": 10}]"#),
            "steps[0].advance",
            "time is off",
        ),
        (
            file("", r#"[{"run_until": "leader"}]"#),
            "steps[0].run_until",
            "time is off",
        ),
        (
            file("", r#"[{"expect": {"time": 0}}]"#),
            "steps[0].expect.time",
            "time is off",
        ),
        (
            file("{}", r#"[{"start_clock": {}}]"#),
            "steps[0].start_clock",
            "runs already",
        ),
        (
            file("", r#"[{"start_clock": {}}, {"start_clock": {}}]"#),
            "steps[1].start_clock",
            "runs already",
        ),
        (
            file(r#"{"election_timeout": [300, 150]}"#, "[]"),
            "timing.election_timeout",
            "smaller first",
        ),
        (
            file(r#"{"election_timeout": [0, 10]}"#, "[]"),
            "timing.election_timeout",
            "more than 0",
        ),
        (
            file(r#"{"heartbeat": 0}"#, "[]"),
            "timing.heartbeat",
            "more than 0",
        ),
        (
            file(r#"{"latency": [-1, 2]}"#, "[]"),
            "timing.latency[0]",
            "from 0 to",
        ),
        (
            file(r#"{"persist": [1, 600000]}"#, "[]"),
            "timing.persist[1]",
            "from 0 to",
        ),
        (
            file("{}", r#"[{"advance": -5}]"#),
            "steps[0].advance",
            "from 0 to",
        ),
        (
            file("{}", r#"[{"next_events": 0}]"#),
            "steps[0].next_events",
            "from 1 to",
        ),
        (
            file("{}", r#"[{"run_until": {"time": 5, "within": 9}}]"#),
            "steps[0].run_until.within",
            "needs no bound",
        ),
        (
            file("{}", r#"[{"run_until": {}}]"#),
            "steps[0].run_until",
            "either",
        ),
        (
            file("{}", r#"[{"expect": {"time": [9, 3]}}]"#),
            "steps[0].expect.time",
            "smaller first",
        ),
    ] {
        let error = parse(&text).expect_err(&text);
        assert!(error.contains(field), "{field} in {error}");
        assert!(error.contains(words), "{words} in {error}");
    }
    for (text, words) in [
        (file(r#"{"election": [1, 2]}"#, "[]"), "unknown field"),
        (file(r#"[150, 300]"#, "[]"), "timing"),
        (
            file("{}", r#"[{"run_until": "forever"}]"#),
            "what to run until",
        ),
    ] {
        let error = parse(&text).expect_err(&text);
        assert!(error.contains(words), "{words} in {error}");
    }
}

#[test]
fn run_until_a_leader_passes_and_expect_time_checks_the_clock() {
    let (out, summary) = run(&file(
        r#"{"seed": 1}"#,
        r#"[{"run_until": "leader"}, {"expect": {"leaders": ["S0"], "time": [150, 400]}},
            {"advance": 100}, {"expect": {"time": [250, 500]}}]"#,
    ));
    assert!(summary.passed(), "{out}");
    assert!(out.contains("The clock reads"), "{out}");
    assert!(out.contains("Time passes from"), "{out}");
    assert!(out.contains("election timer runs out"), "{out}");
}

#[test]
fn a_run_until_that_misses_its_bound_fails_the_step() {
    // Everyone crashed: nothing is left to happen.
    let (out, summary) = run(&file(
        "{}",
        r#"[{"crash": "S0"}, {"crash": "S1"}, {"crash": "S2"}, {"run_until": "leader"}]"#,
    ));
    assert!(!summary.passed());
    assert!(out.contains("nothing is left to happen"), "{out}");
    // Equal timeouts and latency: the vote splits again and again.
    let (out, summary) = run(&file(
        r#"{"election_timeout": [150, 150], "latency": [10, 10]}"#,
        r#"[{"run_until": {"until": "leader", "within": 2000}}]"#,
    ));
    let (step, error) = summary.error.expect("the step fails");
    assert_eq!(step, 1);
    assert!(error.to_string().contains("not reached by 2.00 s"), "{out}");
}

#[test]
fn a_wrong_time_is_a_failed_expectation_to_the_microsecond() {
    let (out, summary) = run(&file(
        "{}",
        r#"[{"advance": 10.25}, {"expect": {"time": 10.2}}]"#,
    ));
    assert_eq!(summary.failures.len(), 1, "{out}");
    assert_eq!(
        summary.failures[0].1.to_string(),
        "time: expected 10.2 ms, got 10.25 ms"
    );
}

#[test]
fn run_json_reports_the_clock_and_arrival_times() {
    let s = parse_ok(&file("{}", r#"[{"timeout": "S0"}]"#));
    let (cluster, _) = scenario::run(&s, &mut std::io::sink()).expect("run");
    let report =
        serde_json::to_value(scenario::report::StateReport::new(&cluster, &s.names)).expect("JSON");
    assert_eq!(report["time_ms"], 0.0);
    let due = report["in_flight"][0]["due_ms"].as_f64().expect("due_ms");
    assert!((10.0..=20.0).contains(&due), "{report}");
    let untimed = parse_ok(&file("", "[]"));
    let report = serde_json::to_value(scenario::report::StateReport::new(
        &untimed.cluster(),
        &untimed.names,
    ))
    .expect("JSON");
    assert!(report.get("time_ms").is_none());
}

#[test]
fn a_timed_session_saves_to_a_file_that_replays_it_exactly() {
    let s = parse_ok(&file(r#"{"seed": 4, "persist": [1, 3]}"#, "[]"));
    let mut session = Session::new(s);
    for action in [
        Action::NextEvents(5),
        Action::Advance(30 * MS + 125),
        Action::on(1, raftwalk::raft::ServerAction::Crash),
        Action::NextEvents(7),
    ] {
        session.act(action).expect("applies");
    }
    let saved = serde_json::to_string(&session.to_scenario_file()).expect("JSON");
    let replayed = parse(&saved).unwrap_or_else(|e| panic!("{e}\n{saved}"));
    let mut out = Vec::new();
    let (cluster, summary) = scenario::run(&replayed, &mut out).expect("run");
    assert!(summary.passed(), "{}", String::from_utf8_lossy(&out));
    assert!(cluster == *session.cluster());
}

#[test]
fn a_clock_started_mid_session_saves_as_a_start_clock_step() {
    let mut session = Session::new(parse_ok(&file("", "[]")));
    session
        .act(Action::on(0, raftwalk::raft::ServerAction::Timeout))
        .expect("applies");
    session
        .act(Action::StartClock(Box::new(Timing::CLASSROOM)))
        .expect("applies");
    session.act(Action::NextEvents(4)).expect("applies");
    let saved = serde_json::to_string(&session.to_scenario_file()).expect("JSON");
    assert!(saved.contains("start_clock"), "{saved}");
    let replayed = parse(&saved).unwrap_or_else(|e| panic!("{e}\n{saved}"));
    let (cluster, summary) = scenario::run(&replayed, &mut std::io::sink()).expect("run");
    assert!(summary.passed());
    assert!(cluster == *session.cluster());
}

#[test]
fn set_timing_changes_what_is_drawn_next_and_keeps_what_it_leaves_out() {
    let s = parse_ok(&file(
        r#"{"election_timeout": [150, 150], "latency": [3, 3]}"#,
        r#"[{"set_timing": {"election_timeout": [200, 250]}}]"#,
    ));
    let Step::Act(set @ Action::SetTiming(timing)) = &s.steps[0] else {
        panic!("{:?}", s.steps[0]);
    };
    assert_eq!(timing.election_timeout, Between::ms(200, 250));
    assert_eq!(
        timing.latency,
        Between::ms(3, 3),
        "kept from the scenario's timing"
    );
    let error = parse(&file("", r#"[{"set_timing": {}}]"#)).expect_err("no clock");
    assert!(error.contains("steps[0].set_timing") && error.contains("time is off"));
    // Running: the timers under way keep their 150 ms; the next are drawn from 200–250 ms.
    let mut cluster = s.cluster();
    cluster.apply(set).expect("applies");
    cluster.apply(&Action::Advance(150 * MS)).expect("advances");
    let timer = cluster
        .clock()
        .expect("clock")
        .server(0)
        .election
        .expect("a timer");
    assert_eq!(timer.start, 150 * MS);
    assert!((200 * MS..=250 * MS).contains(&timer.length()), "{timer:?}");
}
