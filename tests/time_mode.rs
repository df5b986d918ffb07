//! Time mode in the terminal UI, driven by keys and by `App::tick` (the event loop's clock):
//! play and pause, speed, the next event, breakpoints, undo and redo one event at a time,
//! a free action taken between events, and the screen at three sizes.

use raftwalk::raft::time::MS;
use raftwalk::raft::{Action, Role};
use raftwalk::tui::app::{App, Overlay};
use std::time::Duration;

mod common;
use common::{app_on, assert_no_error, brief, cluster, press, screen, screen_lines};

/// Lets real time pass in frames of 40 ms, as the event loop does, until `done` or a pause.
fn play_until(app: &mut App, limit: Duration, done: impl Fn(&App) -> bool) -> Duration {
    let frame = Duration::from_millis(40);
    let mut waited = Duration::ZERO;
    while waited < limit && app.is_playing() && !done(app) {
        app.tick(frame);
        waited += frame;
    }
    waited
}

fn leaders(app: &App) -> Vec<usize> {
    app.session.cluster().live_leaders().collect()
}

fn scenario(text: &str) -> App {
    app_on(raftwalk::scenario::parse(text, "t.json").expect("valid"))
}

/// `t`, then play until the breakpoint on a new leader pauses.
fn elect(app: &mut App) -> Duration {
    press(app, "t");
    assert_no_error(app);
    play_until(app, Duration::from_secs(10), |a| !leaders(a).is_empty())
}

#[test]
fn t_starts_the_clock_and_a_leader_is_elected_within_3_s_of_real_time_then_it_pauses() {
    let mut app = brief();
    assert!(app.session.cluster().clock().is_none());
    let waited = elect(&mut app);
    assert!(waited <= Duration::from_secs(3), "{waited:?}");
    assert_eq!(leaders(&app).len(), 1);
    assert!(!app.is_playing(), "the breakpoint on a new leader pauses");
    let status = app.status.as_ref().expect("a status").text.clone();
    assert!(status.starts_with("paused on a new leader"), "{status}");
    let top = &screen_lines(&app, 80, 24)[0];
    assert!(top.contains(" t 0.") && top.contains("‖ 0.2×"), "{top}");
    // Paused, time stands still.
    let before = cluster(&app);
    app.tick(Duration::from_secs(5));
    assert!(cluster(&app) == before);
}

#[test]
fn every_timed_event_is_one_step_of_undo_and_redo() {
    let mut app = brief();
    press(&mut app, "t");
    press(&mut app, "t"); // pause at once
    let start = app.session.position();
    let mut states = vec![cluster(&app)];
    for _ in 0..6 {
        press(&mut app, ".");
        assert_no_error(&app);
        states.push(cluster(&app));
    }
    assert_eq!(app.session.position(), start + 6);
    for state in states.iter().rev().skip(1) {
        press(&mut app, "u");
        assert!(cluster(&app) == *state);
    }
    for state in states.iter().skip(1) {
        press(&mut app, "U");
        assert!(cluster(&app) == *state);
    }
    // The clock went forward with each event, and back with each undo.
    let times: Vec<u64> = states.iter().filter_map(|c| c.now()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(times.last() > times.first());
}

#[test]
fn the_same_keys_and_frames_give_the_same_run() {
    let run = || {
        let mut app = brief();
        elect(&mut app);
        press(&mut app, "1k");
        press(&mut app, "t");
        play_until(&mut app, Duration::from_secs(10), |_| false);
        cluster(&app)
    };
    assert!(run() == run());
}

#[test]
fn undo_pauses_and_a_redo_after_it_replays_the_same_event() {
    let mut app = brief();
    elect(&mut app);
    press(&mut app, "t");
    app.tick(Duration::from_millis(400));
    assert!(app.is_playing());
    let here = cluster(&app);
    press(&mut app, "u");
    assert!(!app.is_playing(), "undo pauses");
    press(&mut app, "U");
    assert!(cluster(&app) == here);
}

#[test]
fn speed_goes_from_a_tenth_to_ten_times_and_says_when_it_cannot() {
    let mut app = brief();
    press(&mut app, "+");
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.is_error && s.text.contains("t starts the clock"))
    );
    press(&mut app, "tt");
    for _ in 0..5 {
        press(&mut app, "+");
        assert_no_error(&app);
    }
    assert_eq!(app.play.speed_label(), "10×");
    press(&mut app, "=");
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.is_error && s.text.contains("fastest"))
    );
    for _ in 0..6 {
        press(&mut app, "-");
    }
    assert_eq!(app.play.speed_label(), "0.1×");
    press(&mut app, "-");
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.is_error && s.text.contains("slowest"))
    );
    assert!(screen_lines(&app, 80, 24)[0].contains("0.1×"));
    // Ten times faster, ten times more simulated time per frame.
    let before = app.shown_time().expect("clock");
    press(&mut app, "t");
    app.tick(Duration::from_millis(100));
    assert_eq!(app.shown_time().expect("clock") - before, 10 * MS);
}

#[test]
fn breakpoints_are_toggled_in_the_help_and_each_one_pauses() {
    let mut app = brief();
    press(&mut app, "E");
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.is_error && s.text.contains("press ? first"))
    );
    press(&mut app, "?");
    press(&mut app, "E");
    assert_eq!(app.overlay, Overlay::Help, "the help stays open");
    assert!(!app.play.breakpoints.new_leader);
    let help = screen(&app, 120, 60);
    assert!(
        help.contains("pause on a new leader, or not · ☐ off"),
        "{help}"
    );
    assert!(
        help.contains("pause on a split vote, or not · ☑ on"),
        "{help}"
    );
    press(&mut app, "?");
    // Without the breakpoint, time plays on past the election.
    elect(&mut app);
    assert!(app.is_playing() && leaders(&app).len() == 1);

    // A split vote: equal timeouts and latency, everyone stands at once, again and again.
    let mut app = scenario(
        r#"{"name": "split", "servers": 3,
            "timing": {"election_timeout": [150, 150], "latency": [10, 10]}}"#,
    );
    press(&mut app, "t");
    play_until(&mut app, Duration::from_secs(20), |_| false);
    assert!(!app.is_playing());
    let status = &app.status.as_ref().expect("status").text;
    assert!(status.starts_with("paused on a split vote"), "{status}");
    assert!(leaders(&app).is_empty());

    // A broken invariant: a leader that lacks a committed entry repairs a follower's log.
    let mut app = scenario(
        r#"{"name": "broken", "unsafe_start": true, "timing": {},
            "servers": [{"term": 2, "role": "LEADER", "log": [2]},
                        {"term": 2, "log": [1], "commit_index": 1}]}"#,
    );
    press(&mut app, "t");
    play_until(&mut app, Duration::from_secs(20), |_| false);
    assert!(!app.is_playing());
    let status = &app.status.as_ref().expect("status").text;
    assert!(
        status.starts_with("paused on a broken invariant"),
        "{status}"
    );
}

#[test]
fn a_free_action_between_events_happens_when_the_screen_says() {
    let mut app = brief();
    press(&mut app, "t");
    app.tick(Duration::from_millis(100)); // 20 ms of simulated time, nothing due yet
    let shown = app.shown_time().expect("clock");
    assert_eq!(shown, 20 * MS);
    assert_eq!(app.session.cluster().now(), Some(0));
    press(&mut app, "c"); // a timeout on S0, by hand
    assert_no_error(&app);
    let entries = app.session.entries();
    let n = entries.len();
    assert_eq!(entries[n - 2].action, Some(Action::Advance(20 * MS)));
    assert_eq!(entries[n - 1].time, Some(20 * MS));
    assert_eq!(app.session.cluster().servers()[0].role, Role::Candidate);
    let timer = app
        .session
        .cluster()
        .clock()
        .expect("clock")
        .server(0)
        .election;
    assert_eq!(timer.map(|t| t.start), Some(20 * MS));
}

#[test]
fn messages_move_and_timers_drain_on_screen() {
    let mut app = brief();
    press(&mut app, "t");
    // Until the first RequestVotes are on their way.
    play_until(&mut app, Duration::from_secs(5), |a| {
        a.session.cluster().in_flight().len() > 0
    });
    let id = app
        .session
        .cluster()
        .in_flight()
        .next()
        .expect("a message")
        .id;
    let first = app.message_progress(id).expect("progress");
    app.tick(Duration::from_millis(20));
    let later = app.message_progress(id).unwrap_or(1.0);
    assert!(later > first, "{first} then {later}");
    let lines = screen_lines(&app, 80, 24);
    assert!(lines[1].contains("timer"), "{}", lines[1]);
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" in ") && l.contains(" ms")),
        "{lines:#?}"
    );
    let s0 = &lines[2];
    assert!(s0.contains('█') || s0.contains('·'), "{s0}");
}

#[test]
fn t_uses_the_scenario_timing() {
    let mut app =
        scenario(r#"{"name": "slow", "servers": 3, "timing": {"election_timeout": [500, 600]}}"#);
    // The clock runs from the start; t plays.
    assert_eq!(app.session.cluster().now(), Some(0));
    press(&mut app, "t");
    assert!(app.is_playing());
    app.tick(Duration::from_secs(2)); // 400 ms simulated: nobody has timed out
    assert!(
        app.session
            .cluster()
            .servers()
            .iter()
            .all(|s| s.role == Role::Follower)
    );
}

#[test]
fn time_mode_draws_at_every_size() {
    let mut app = brief();
    elect(&mut app);
    press(&mut app, "t");
    app.tick(Duration::from_millis(120));
    press(&mut app, "t");
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        insta::assert_snapshot!(format!("time_mode_{w}x{h}"), screen(&app, w, h));
    }
}

#[test]
fn a_server_writing_to_disk_is_marked_and_its_answer_waits() {
    let mut app = scenario(
        r#"{"name": "disk", "servers": 3,
            "timing": {"latency": [5, 5], "persist": [30, 30], "seed": 2}}"#,
    );
    press(&mut app, "t");
    // Until a vote is granted: the voter writes its vote for 30 ms before it answers.
    play_until(&mut app, Duration::from_secs(10), |a| {
        a.session
            .events()
            .any(|e| matches!(e, raftwalk::raft::Event::DiskWrite { .. }))
            && a.session
                .cluster()
                .in_flight()
                .any(|m| m.message.kind() == raftwalk::raft::MessageKind::RequestVoteResponse)
    });
    let lines = screen_lines(&app, 120, 40);
    let grid = lines[2..5].join("\n");
    assert!(grid.contains('✎'), "{grid}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("✎") && l.contains("VoteReply")),
        "{lines:#?}"
    );
    // The writer's details say how long its write has left.
    let writer = (0..3)
        .find(|&id| {
            let clock = app.session.cluster().clock().expect("clock");
            let now = app.shown_time().expect("clock");
            clock.server(id).writing.is_some_and(|w| now < w.end)
        })
        .expect("a server writes");
    press(&mut app, &writer.to_string());
    let details = screen_lines(&app, 120, 40).join("\n");
    assert!(details.contains("✎ writing to disk"), "{details}");
}
