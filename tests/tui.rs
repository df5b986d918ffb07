//! The terminal UI without a terminal: screens rendered into ratatui's `TestBackend` and
//! compared with insta snapshots (`tests/snapshots/`), renders at sizes from 1×1 to
//! 200×60 to prove drawing never panics, and the app driven by key events with assertions on
//! the model: selection, every server and message key, partitions, undo/redo, the help
//! overlay, quitting, errors, the walkthrough and saving.
//!
//! Update the snapshots after a deliberate change to the screen with
//! `INSTA_UPDATE=always cargo test --test tui`, then read every changed `.snap` file.

use crossterm::event::{KeyCode, KeyModifiers};
use raftwalk::raft::{Action, Cluster, Message, MessageKind, Role};
use raftwalk::scenario::{self, MessageOp, Scenario, Step};
use raftwalk::session::Session;
use raftwalk::tui::app::{App, Overlay};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use std::path::{Path, PathBuf};

// ----- Helpers ------------------------------------------------------------------------------

mod common;
use common::{
    app_on, assert_no_error, beat_played, brief, builtin, cluster, next, press, press_key,
    render_terminal, screen, screen_lines,
};

fn ctrl(app: &mut App, c: char) {
    press_key(app, KeyCode::Char(c), KeyModifiers::CONTROL);
}

fn role(app: &App, server: usize) -> Role {
    app.session.cluster().servers()[server].role
}

fn term(app: &App, server: usize) -> u64 {
    app.session.cluster().servers()[server].current_term
}

fn in_flight(app: &App) -> usize {
    app.session.cluster().in_flight().len()
}

/// (id, from, to, kind) of every message in flight, oldest first.
fn messages(app: &App) -> Vec<(u64, usize, usize, MessageKind)> {
    app.session
        .cluster()
        .in_flight()
        .map(|m| (m.id, m.from, m.to, m.message.kind()))
        .collect()
}

/// Asserts that the last key was refused with an error mentioning `words`, and changed neither
/// the cluster nor the history.
fn assert_refused(app: &App, before: &Cluster, position: usize, words: &str) {
    let status = app.status.as_ref().expect("an error status");
    assert!(status.is_error, "not an error: {}", status.text);
    assert!(
        status.text.contains(words),
        "error {:?} does not mention {words:?}",
        status.text
    );
    assert_eq!(app.session.cluster(), before, "the cluster changed");
    assert_eq!(app.session.position(), position, "the history changed");
}

/// The screen rows that mention `needle`.
fn rows_with<'a>(screen: &'a str, needle: &str) -> Vec<&'a str> {
    screen.lines().filter(|l| l.contains(needle)).collect()
}

// ----- Snapshots ----------------------------------------------------------------------------

#[test]
fn snapshot_brief_cluster_initial_120x40() {
    let app = brief();
    let terminal = render_terminal(&app, 120, 40);
    let text = terminal.backend().to_string();
    assert!(text.contains("S0"), "{text}");
    assert!(text.contains("FOLLOWER"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn snapshot_brief_cluster_after_election_120x40() {
    let mut app = brief();
    press(&mut app, "ca");
    assert_no_error(&app);
    assert_eq!(role(&app, 0), Role::Leader);
    let terminal = render_terminal(&app, 120, 40);
    let text = terminal.backend().to_string();
    assert!(
        rows_with(&text, "S0")
            .iter()
            .any(|r| r.contains("★ LEADER")),
        "{text}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn snapshot_figure7a_after_the_first_delivery_120x40() {
    let mut app = builtin("figure7-a");
    // Up to the beat of the first delivery (a's RequestVote to b), with its narration: five
    // requests still in flight, the first selected.
    while !beat_played(&app, |s| matches!(s, Step::Message(MessageOp::Deliver, _))) {
        next(&mut app);
        assert_no_error(&app);
    }
    // Five requests and b's granted vote.
    assert_eq!(in_flight(&app), 6);
    let terminal = render_terminal(&app, 120, 40);
    let text = terminal.backend().to_string();
    assert!(text.contains("▶#"), "no selected message: {text}");
    let step = format!("beat {}/", app.session.beats_played());
    assert!(text.contains(&step), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn snapshot_help_overlay_120x40() {
    let mut app = brief();
    press(&mut app, "?");
    assert_eq!(app.overlay, Overlay::Help);
    let terminal = render_terminal(&app, 120, 40);
    let text = terminal.backend().to_string();
    for words in [
        "Keys",
        "timeout",
        "Shift-Tab",
        "Ctrl-r",
        "deliver the selected",
    ] {
        assert!(text.contains(words), "help lacks {words:?}: {text}");
    }
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn snapshot_seed_example_80x24() {
    let mut app = builtin("seed-example");
    // Up to the beat of S0's timeout, with its narration: two requests in flight.
    while !beat_played(&app, |s| matches!(s, Step::Act(Action::Server { .. }))) {
        next(&mut app);
        assert_no_error(&app);
    }
    assert_eq!(role(&app, 0), Role::Candidate);
    let terminal = render_terminal(&app, 80, 24);
    let text = terminal.backend().to_string();
    assert!(!text.contains("too small"), "{text}");
    for name in ["S0", "S1", "S2"] {
        assert!(text.contains(name), "{name} not shown: {text}");
    }
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn snapshot_terminal_too_small_30x8() {
    let app = brief();
    let terminal = render_terminal(&app, 30, 8);
    let text = terminal.backend().to_string();
    assert!(text.contains("Terminal too"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

/// Sizes from 1×1 to 200×60 for a cluster of `servers`: every width and every height at the
/// small extremes, every 29th of the 12,000 sizes from `offset` (so every height, and every
/// width twice), and every size within two cells of the minimum the app asks for, where the
/// layout switches. A debug-build render takes a millisecond or more, so not all 12,000.
fn sizes(servers: usize, offset: usize) -> Vec<(u16, u16)> {
    let (min_width, min_height) = raftwalk::tui::view::minimum_size(servers);
    let mut sizes = vec![(1, 1), (200, 60), (200, 1), (1, 60)];
    for width in 1..=200u16 {
        sizes.extend([(width, 1), (width, 2)]);
    }
    for height in 1..=60u16 {
        sizes.extend([(1, height), (2, height)]);
    }
    for k in (offset..200 * 60).step_by(29) {
        sizes.push(((k % 200) as u16 + 1, (k / 200) as u16 + 1));
    }
    for width in min_width - 2..=min_width + 2 {
        for height in min_height - 2..=min_height + 2 {
            sizes.push((width, height));
        }
    }
    sizes.sort();
    sizes.dedup();
    sizes
}

/// Sizes from 1×1 to 200×60 in many states (help and ledger open, 3 and 7 servers, long logs,
/// a partition, crashes, the end of a walkthrough, an error status): drawing never panics.
#[test]
fn renders_at_sizes_from_1x1_to_200x60_without_panicking() {
    let mut states = vec![("brief", brief())];
    let mut election = brief();
    press(&mut election, "cP");
    states.push(("partitioned candidate", election.clone()));
    press(&mut election, "a?");
    states.push(("help over a leader", election.clone()));
    press(&mut election, "?Pv");
    states.push(("ledger", election));
    let mut figure = builtin("figure7-a");
    for _ in 0..10 {
        next(&mut figure);
    }
    states.push(("figure7-a, 10 steps", figure));
    let mut end = builtin("figure7-a");
    for _ in 0..end.session.scenario().steps.len() {
        next(&mut end);
    }
    press(&mut end, "5k1k");
    states.push(("figure7-a, the end and crashes", end.clone()));
    press(&mut end, "v");
    states.push(("figure7-a, ledger", end));
    let mut failing = brief();
    press(&mut failing, "d");
    states.push(("error status", failing));

    let render_all = |(i, (name, app)): (usize, &(&str, App))| {
        let mut rendered = 0;
        for (width, height) in sizes(app.session.cluster().servers().len(), i * 11) {
            let area = Rect::new(0, 0, width, height);
            let mut buffer = Buffer::empty(area);
            let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                app.render(area, &mut buffer)
            }));
            assert!(
                drawn.is_ok(),
                "{name}: drawing at {width}×{height} panicked"
            );
            rendered += 1;
        }
        rendered
    };
    // Two threads: this is the slowest test.
    let (even, odd): (Vec<_>, Vec<_>) = states.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let rendered: usize = std::thread::scope(|scope| {
        let other = scope.spawn(|| odd.into_iter().map(render_all).sum::<usize>());
        let here: usize = even.into_iter().map(render_all).sum();
        here + other.join().expect("the other thread")
    });
    assert!(rendered > 5000, "only {rendered} renders");
}

// ----- Legibility --------------------------------------------------------------------------

/// The help lists every binding in full, at the classroom sizes.
#[test]
fn help_lists_every_binding_in_full() {
    for (width, height) in [(120, 40), (80, 24)] {
        let mut app = brief();
        press(&mut app, "?");
        // Where the help does not fit, ↓ scrolls it; every row must be seen in full.
        let mut seen = String::new();
        for _ in 0..40 {
            seen.push_str(&screen(&app, width, height));
            press_key(&mut app, KeyCode::Down, KeyModifiers::NONE);
            assert_eq!(
                app.overlay,
                raftwalk::tui::app::Overlay::Help,
                "↓ keeps the help open"
            );
        }
        for binding in raftwalk::tui::keymap::BINDINGS {
            let row = format!(
                "{:<14}{}",
                raftwalk::tui::keymap::keys_label(binding),
                binding.help
            );
            assert!(
                seen.contains(&row),
                "{width}×{height}: the help lacks {row:?}:\n{seen}"
            );
        }
    }
}

/// How to get help and how to quit stay on the key bar at 80 columns.
#[test]
fn key_bar_keeps_help_and_quit_at_80_columns() {
    let mut app = builtin("seed-example");
    while in_flight(&app) == 0 {
        next(&mut app);
    }
    let mut free = brief();
    press(&mut free, "c");
    for app in [&app, &free] {
        let text = screen(app, 80, 24);
        let bar = text.lines().last().unwrap();
        assert!(bar.contains("? help"), "{bar}");
        assert!(bar.contains("q quit"), "{bar}");
    }
}

/// The header's invariant status (the alarm when safety breaks) survives a long scenario
/// name at 80 columns.
#[test]
fn header_keeps_the_invariant_status_at_80_columns() {
    let mut app = builtin("seed-example");
    next(&mut app);
    let text = screen(&app, 80, 24);
    let header = text.lines().next().unwrap();
    assert!(header.contains("invariants ✓"), "{header}");
}

/// Every quiz of every built-in shows its question, all its choices and how to answer at
/// 120×40, and the verdict once answered.
#[test]
fn quizzes_are_fully_visible_at_120x40() {
    let mut quizzes = 0;
    for builtin in raftwalk::builtin::all() {
        let scenario = scenario::parse(builtin.text, builtin.name).expect("built-in parses");
        let mut app = app_on(scenario);
        for _ in 0..app.session.scenario().steps.len() {
            press(&mut app, "n");
            let Some((_, quiz)) = app.pending_quiz() else {
                continue;
            };
            quizzes += 1;
            let quiz = quiz.clone();
            let text = screen(&app, 120, 40);
            let start: String = quiz.question.chars().take(40).collect();
            assert!(text.contains(&start), "{}: {start:?}\n{text}", builtin.name);
            for (i, choice) in quiz.choices.iter().enumerate() {
                let start: String = choice.chars().take(30).collect();
                let line = format!("{}) {start}", i + 1);
                assert!(text.contains(&line), "{}: {line:?}\n{text}", builtin.name);
            }
            assert!(text.contains("Press 1 to"), "{}:\n{text}", builtin.name);
            press(&mut app, &quiz.answer.to_string());
            let text = screen(&app, 120, 40);
            assert!(text.contains("Right."), "{}:\n{text}", builtin.name);
        }
    }
    assert!(quizzes > 0, "no built-in has a quiz");
}

// ----- Keys: choosing a server --------------------------------------------------------------

#[test]
fn digits_and_tab_select_servers() {
    let mut app = brief();
    assert_eq!(app.selected_server, 0);
    press(&mut app, "2");
    assert_eq!(app.selected_server, 2);
    press_key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(app.selected_server, 0, "Tab wraps around");
    press_key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(app.selected_server, 1);
    // Terminals send Shift-Tab as BackTab, with or without the shift modifier.
    press_key(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(app.selected_server, 0);
    press_key(&mut app, KeyCode::BackTab, KeyModifiers::NONE);
    assert_eq!(app.selected_server, 2, "Shift-Tab wraps around");
    // The selection is what the server keys act on.
    press(&mut app, "1c");
    assert_eq!(role(&app, 1), Role::Candidate);
    assert_eq!(role(&app, 0), Role::Follower);
    // A digit past the last server is an error and keeps the selection.
    let before = cluster(&app);
    let position = app.session.position();
    press(&mut app, "5");
    assert_refused(&app, &before, position, "no server 5");
    assert_eq!(app.selected_server, 1);
}

// ----- Keys: the selected server ------------------------------------------------------------

#[test]
fn c_fires_the_election_timeout() {
    let mut app = brief();
    press(&mut app, "c");
    assert_no_error(&app);
    let s0 = &app.session.cluster().servers()[0];
    assert_eq!(s0.role, Role::Candidate);
    assert_eq!(s0.current_term, 2);
    assert_eq!(s0.voted_for, Some(0));
    assert_eq!(
        messages(&app)
            .iter()
            .map(|&(_, f, t, k)| (f, t, k))
            .collect::<Vec<_>>(),
        vec![
            (0, 1, MessageKind::RequestVote),
            (0, 2, MessageKind::RequestVote)
        ]
    );
    assert_eq!(app.session.position(), 1);
}

#[test]
fn space_delivers_the_oldest_message() {
    let mut app = brief();
    press(&mut app, "c");
    let [first, second] = [messages(&app)[0], messages(&app)[1]];
    press(&mut app, " ");
    assert_no_error(&app);
    // The oldest (to S1) arrived: S1 voted; S2 has not heard anything.
    assert_eq!(app.session.cluster().servers()[1].voted_for, Some(0));
    assert_eq!(term(&app, 1), 2);
    assert_eq!(term(&app, 2), 1);
    let now = messages(&app);
    assert!(!now.contains(&first));
    assert_eq!(now[0], second);
    assert_eq!(
        (now[1].1, now[1].2, now[1].3),
        (1, 0, MessageKind::RequestVoteResponse)
    );
}

#[test]
fn down_then_d_delivers_the_second_message() {
    let mut app = brief();
    press(&mut app, "c");
    let [first, second] = [messages(&app)[0], messages(&app)[1]];
    press_key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(app.selected_message_index(), Some(1));
    press(&mut app, "d");
    assert_no_error(&app);
    // The second (to S2) arrived: S2 voted; S1 has not heard anything.
    assert_eq!(app.session.cluster().servers()[2].voted_for, Some(0));
    assert_eq!(term(&app, 2), 2);
    assert_eq!(term(&app, 1), 1);
    let now = messages(&app);
    assert_eq!(now[0], first);
    assert!(!now.contains(&second));
    // ↑ goes back up; Enter delivers like d.
    press_key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(app.selected_message_index(), Some(0));
    press_key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_no_error(&app);
    assert_eq!(app.session.cluster().servers()[1].voted_for, Some(0));
}

#[test]
fn x_drops_the_selected_message() {
    let mut app = brief();
    press(&mut app, "c");
    let [first, second] = [messages(&app)[0], messages(&app)[1]];
    let servers_before = app.session.cluster().servers().to_vec();
    press(&mut app, "x");
    assert_no_error(&app);
    assert_eq!(messages(&app), vec![second]);
    assert!(!messages(&app).contains(&first));
    assert_eq!(
        app.session.cluster().servers(),
        &servers_before[..],
        "a dropped message reaches no one"
    );
}

#[test]
fn shift_d_duplicates_the_selected_message() {
    let mut app = brief();
    press(&mut app, "c");
    let original: Vec<_> = app.session.cluster().in_flight().cloned().collect();
    press(&mut app, "D");
    assert_no_error(&app);
    let now: Vec<_> = app.session.cluster().in_flight().cloned().collect();
    assert_eq!(now.len(), 3);
    assert_eq!(&now[..2], &original[..]);
    let copy = &now[2];
    assert_ne!(copy.id, original[0].id);
    assert_eq!(
        (copy.from, copy.to, &copy.message),
        (original[0].from, original[0].to, &original[0].message)
    );
}

#[test]
fn a_delivers_everything_and_elects_s0() {
    let mut app = brief();
    press(&mut app, "ca");
    assert_no_error(&app);
    assert_eq!(in_flight(&app), 0);
    assert_eq!(role(&app, 0), Role::Leader);
    for s in 1..3 {
        assert_eq!(role(&app, s), Role::Follower);
        assert_eq!(term(&app, s), 2);
        assert_eq!(app.session.cluster().servers()[s].leader_id, Some(0));
    }
    assert_eq!(app.session.position(), 2);
}

#[test]
fn k_crashes_then_restarts_the_selected_server() {
    let mut app = brief();
    press(&mut app, "ca");
    press(&mut app, "k");
    assert_no_error(&app);
    let s0 = &app.session.cluster().servers()[0];
    assert!(s0.crashed);
    assert_eq!(app.session.cluster().live_leaders().count(), 0);
    let text = screen(&app, 120, 40);
    assert!(
        rows_with(&text, "S0")
            .iter()
            .any(|r| r.contains("✗ CRASHED")),
        "{text}"
    );
    // A crashed server ignores a timeout.
    press(&mut app, "c");
    assert_eq!(term(&app, 0), 2);
    press(&mut app, "k");
    assert_no_error(&app);
    let s0 = &app.session.cluster().servers()[0];
    assert!(!s0.crashed);
    assert_eq!(s0.role, Role::Follower, "a restart comes back as follower");
    assert_eq!(s0.current_term, 2, "a crash keeps the term");
    assert_eq!(s0.voted_for, Some(0), "a crash keeps the vote");
}

#[test]
fn r_on_the_leader_appends_a_client_request() {
    let mut app = brief();
    press(&mut app, "car");
    assert_no_error(&app);
    let log = &app.session.cluster().servers()[0].log;
    assert_eq!(log.len(), 1);
    assert_eq!(log.entry(1).unwrap().term, 2);
    assert_eq!(&*log.entry(1).unwrap().command, "x1");
    // It is replicated to both followers ...
    let sent: Vec<_> = app
        .session
        .cluster()
        .in_flight()
        .filter_map(|m| match &m.message {
            Message::AppendEntries { entries, .. } => Some((m.to, entries.len())),
            _ => None,
        })
        .collect();
    assert_eq!(sent, vec![(1, 1), (2, 1)]);
    // ... and, once delivered, stored and committed.
    press(&mut app, "a");
    for s in app.session.cluster().servers() {
        assert_eq!(s.log.len(), 1, "server {}", s.id);
    }
    assert_eq!(app.session.cluster().servers()[0].commit_index, 1);
    // The next request gets the next number.
    press(&mut app, "r");
    let log = &app.session.cluster().servers()[0].log;
    assert_eq!(&*log.entry(2).unwrap().command, "x2");
}

#[test]
fn r_on_a_follower_appends_nothing() {
    let mut app = brief();
    press(&mut app, "ca1r");
    for s in app.session.cluster().servers() {
        assert!(s.log.is_empty(), "server {} took a request", s.id);
    }
    assert_eq!(in_flight(&app), 0);
}

#[test]
fn h_sends_a_heartbeat_from_the_leader() {
    let mut app = brief();
    press(&mut app, "ca");
    assert_eq!(in_flight(&app), 0);
    press(&mut app, "h");
    assert_no_error(&app);
    assert_eq!(
        messages(&app)
            .iter()
            .map(|&(_, f, t, k)| (f, t, k))
            .collect::<Vec<_>>(),
        vec![
            (0, 1, MessageKind::AppendEntries),
            (0, 2, MessageKind::AppendEntries)
        ]
    );
    // A follower sends nothing.
    press(&mut app, "a2h");
    assert_eq!(in_flight(&app), 0);
}

#[test]
fn shift_p_partitions_the_selected_server_away_then_heals() {
    let mut app = brief();
    press(&mut app, "2P");
    assert_no_error(&app);
    let network = app.session.cluster().network();
    assert!(network.is_partitioned());
    assert!(network.connected(0, 1));
    assert!(!network.connected(0, 2));
    assert!(!network.connected(1, 2));
    let text = screen(&app, 120, 40);
    assert!(
        rows_with(&text, "S2").iter().any(|r| r.contains('⌁')),
        "the partition is not shown: {text}"
    );
    // S0's request to S2 is lost; S1's vote still makes S0 leader.
    press(&mut app, "0ca");
    assert_eq!(role(&app, 0), Role::Leader);
    assert_eq!(term(&app, 2), 1, "S2 heard nothing");
    // P again heals, whichever server is selected.
    press(&mut app, "P");
    assert_no_error(&app);
    let network = app.session.cluster().network();
    assert!(!network.is_partitioned());
    assert!(network.connected(0, 2));
    press(&mut app, "ha");
    assert_eq!(term(&app, 2), 2, "S2 hears the leader after the heal");
    assert_eq!(app.session.cluster().servers()[2].leader_id, Some(0));
}

// ----- Keys: undo and redo ------------------------------------------------------------------

#[test]
fn u_undoes_exactly_one_action_and_shift_u_and_ctrl_r_redo() {
    let mut app = brief();
    let start = cluster(&app);
    press(&mut app, "c");
    let after_c = cluster(&app);
    press(&mut app, " ");
    let after_space = cluster(&app);
    press(&mut app, " ");
    let after_two = cluster(&app);
    assert_ne!(after_space, after_two);

    press(&mut app, "u");
    assert_no_error(&app);
    assert_eq!(cluster(&app), after_space);
    press(&mut app, "u");
    assert_eq!(cluster(&app), after_c);
    press(&mut app, "U");
    assert_no_error(&app);
    assert_eq!(cluster(&app), after_space);
    ctrl(&mut app, 'r');
    assert_no_error(&app);
    assert_eq!(cluster(&app), after_two);
    assert!(!app.quit);

    // Redo at the end is an error that changes nothing.
    let position = app.session.position();
    press(&mut app, "U");
    assert_refused(&app, &after_two, position, "nothing to redo");

    press(&mut app, "uuu");
    assert_eq!(cluster(&app), start);
}

#[test]
fn acting_after_undo_discards_the_redo_future() {
    let mut app = brief();
    press(&mut app, "ca");
    press(&mut app, "u");
    assert!(app.session.can_redo());
    press(&mut app, "x");
    assert_no_error(&app);
    let after_drop = cluster(&app);
    assert_eq!(in_flight(&app), 1);
    assert!(!app.session.can_redo());
    let position = app.session.position();
    press(&mut app, "U");
    assert_refused(&app, &after_drop, position, "nothing to redo");
    ctrl(&mut app, 'r');
    assert_refused(&app, &after_drop, position, "nothing to redo");
}

#[test]
fn undo_all_the_way_back_equals_the_start() {
    let mut app = brief();
    let start = cluster(&app);
    // Every kind of action: timeout, delivery, drop, duplicate, partition, crash, request,
    // heartbeat, heal, deliver all.
    press(&mut app, "c D x ");
    press(&mut app, "2Pk0c");
    press(&mut app, "aPh");
    press(&mut app, "2k0rah");
    press_key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    press(&mut app, "d");
    assert_no_error(&app);
    let end = cluster(&app);
    let actions = app.session.position();
    assert!(actions >= 15, "only {actions} actions");
    for _ in 0..actions {
        press(&mut app, "u");
        assert_no_error(&app);
    }
    assert_eq!(app.session.position(), 0);
    assert_eq!(cluster(&app), start);
    // And forward again to the same end.
    for _ in 0..actions {
        press(&mut app, "U");
    }
    assert_eq!(cluster(&app), end);
}

// ----- Keys: help, quit, errors -------------------------------------------------------------

#[test]
fn question_mark_toggles_the_help_and_other_keys_close_it_without_acting() {
    let mut app = brief();
    press(&mut app, "?");
    assert_eq!(app.overlay, Overlay::Help);
    press(&mut app, "?");
    assert_eq!(app.overlay, Overlay::None);

    // A bound key closes the help and does nothing else.
    let before = cluster(&app);
    press(&mut app, "?c");
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(cluster(&app), before);
    assert_eq!(app.session.position(), 0);
    press(&mut app, "?2");
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.selected_server, 0);
    // ↓ scrolls the help instead of moving the message selection.
    press(&mut app, "?");
    press_key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(app.overlay, Overlay::Help);
    assert_eq!(app.selected_message, 0);
    press(&mut app, "?");
    // So does an unbound one.
    press(&mut app, "?z");
    assert_eq!(app.overlay, Overlay::None);
    press(&mut app, "?");
    press_key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(cluster(&app), before);
    assert!(app.status.is_none());
    assert!(!app.quit);
}

/// `a` with nothing in flight is refused like Space, d, x and D.
#[test]
fn a_with_nothing_in_flight_is_refused() {
    let mut app = brief();
    let start = cluster(&app);
    press(&mut app, "a");
    assert_refused(&app, &start, 0, "no message is in flight");
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut app = brief();
    press(&mut app, "q");
    assert!(app.quit);
    let mut app = brief();
    ctrl(&mut app, 'c');
    assert!(app.quit);
    // Plain c is a timeout, not a quit.
    let mut app = brief();
    press(&mut app, "c");
    assert!(!app.quit);
    // Ctrl-c quits even from the help.
    let mut app = brief();
    press(&mut app, "?");
    ctrl(&mut app, 'c');
    assert!(app.quit);
}

#[test]
fn impossible_commands_set_an_error_and_change_nothing() {
    let mut app = brief();
    let start = cluster(&app);
    for (keys, words) in [
        ("d", "no message is in flight"),
        ("x", "no message is in flight"),
        ("D", "no message is in flight"),
        (" ", "no message is in flight"),
        ("u", "nothing to undo"),
        ("U", "nothing to redo"),
        ("n", "no walkthrough"),
        ("p", "start of the walkthrough"),
        ("5", "no server 5"),
    ] {
        press(&mut app, keys);
        assert_refused(&app, &start, 0, words);
    }
    let mut app = brief();
    press_key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_refused(&app, &start, 0, "no message is in flight");
    // The next good key clears the error.
    press(&mut app, "c");
    assert!(app.status.is_none());
    // An unbound key does nothing at all.
    let before = cluster(&app);
    let position = app.session.position();
    press(&mut app, "Zj!");
    press_key(&mut app, KeyCode::F(5), KeyModifiers::NONE);
    assert_eq!(cluster(&app), before);
    assert_eq!(app.session.position(), position);
    assert_eq!(app.selected_server, 0);
}

// ----- The walkthrough ----------------------------------------------------------------------

fn expect_steps(scenario: &Scenario) -> usize {
    scenario
        .steps
        .iter()
        .filter(|s| matches!(s, Step::Expect(_)))
        .count()
}

#[test]
fn figure7a_walkthrough_forward_back_and_forward_again() {
    let mut app = builtin("figure7-a");
    let start = cluster(&app);
    let beats = app.session.beats().len();
    assert!(beats > 10);
    for i in 0..beats {
        assert_eq!(app.session.beats_played(), i);
        next(&mut app);
        assert_no_error(&app);
        assert_eq!(app.session.expectation_counts().1, 0, "beat {}", i + 1);
    }
    assert_eq!(app.session.beats_played(), beats);
    assert_eq!(
        app.session.script_position(),
        app.session.scenario().steps.len()
    );
    assert_eq!(
        app.session.expectation_counts(),
        (expect_steps(app.session.scenario()), 0)
    );
    let end = cluster(&app);
    let position = app.session.position();
    assert_eq!(
        app.session.cluster().live_leaders().collect::<Vec<_>>(),
        [1]
    );
    // Past the end: an error, nothing changes.
    press(&mut app, "n");
    assert_refused(&app, &end, position, "no more beats");

    // Back with p, one beat each, to the start.
    for i in (0..beats).rev() {
        press(&mut app, "p");
        assert_no_error(&app);
        assert_eq!(app.session.beats_played(), i);
    }
    assert_eq!(app.session.position(), 0);
    assert_eq!(cluster(&app), start);
    press(&mut app, "p");
    assert_refused(&app, &start, 0, "start of the walkthrough");

    // Forward again with → (quizzes keep their answers).
    for _ in 0..beats {
        press_key(&mut app, KeyCode::Right, KeyModifiers::NONE);
        assert_no_error(&app);
        assert!(app.pending_quiz().is_none());
    }
    assert_eq!(app.session.beats_played(), beats);
    assert_eq!(cluster(&app), end);
    // ← goes back like p.
    press_key(&mut app, KeyCode::Left, KeyModifiers::NONE);
    assert_eq!(app.session.beats_played(), beats - 1);
}

#[test]
fn p_goes_back_over_free_actions_and_one_beat() {
    let mut app = builtin("figure7-a");
    // Up to the first beat with an action (a's timeout), remembering the cluster before it.
    let mut before_beat = cluster(&app);
    while !beat_played(&app, |s| matches!(s, Step::Act(Action::Server { .. }))) {
        before_beat = cluster(&app);
        next(&mut app);
    }
    let played = app.session.beats_played();
    let after_beat = cluster(&app);
    assert_ne!(after_beat, before_beat);
    // Free actions on b (server 2): a timeout and a delivery.
    press_key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press_key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, "c ");
    assert_no_error(&app);
    assert_eq!(
        app.session.beats_played(),
        played,
        "free actions are not beats"
    );
    assert_ne!(cluster(&app), after_beat);
    // p undoes them and the beat.
    press(&mut app, "p");
    assert_no_error(&app);
    assert_eq!(app.session.beats_played(), played - 1);
    assert_eq!(cluster(&app), before_beat);
    // And the walkthrough goes on from there, to the same state.
    next(&mut app);
    assert_no_error(&app);
    assert_eq!(app.session.beats_played(), played);
    assert_eq!(cluster(&app), after_beat);
}

/// `n` gives, after every beat, the cluster `scenario::run` reaches over the same steps: for
/// figure7-a and every other built-in.
#[test]
fn n_replays_like_the_scenario_runner() {
    for builtin in raftwalk::builtin::all() {
        let scenario = scenario::parse(builtin.text, builtin.name).expect("built-in parses");
        let mut app = app_on(scenario.clone());
        let ends: Vec<usize> = std::iter::once(0)
            .chain(app.session.beats().iter().map(|b| b.end))
            .collect();
        for k in ends {
            let mut prefix = scenario.clone();
            prefix.steps.truncate(k);
            let (ran, summary) = scenario::run(&prefix, &mut std::io::sink()).expect("run");
            if summary.error.is_some() {
                // The runner stopped: so does the walkthrough, with an error.
                assert!(
                    app.status.as_ref().is_some_and(|s| s.is_error),
                    "{}: step {k} failed in the runner but not in the app",
                    builtin.name
                );
                break;
            }
            assert_eq!(
                app.session.cluster(),
                &ran,
                "{}: the app and the runner differ after {k} steps",
                builtin.name
            );
            assert_eq!(
                app.session.expectation_counts(),
                (
                    summary.expectations - summary.failures.len(),
                    summary.failures.len()
                ),
                "{}: after {k} steps",
                builtin.name
            );
            next(&mut app);
        }
    }
    // figure7-a in full passes in the runner too.
    let scenario = raftwalk::load::load("figure7-a").unwrap();
    let (_, summary) = scenario::run(&scenario, &mut std::io::sink()).unwrap();
    assert!(summary.passed(), "{summary:?}");
}

// ----- Saving -------------------------------------------------------------------------------

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the save dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    files
}

/// Replays a saved file with the runner: it must pass and end where the app is.
fn assert_replays_to(path: &Path, app: &App) {
    let text = std::fs::read_to_string(path).expect("read the saved file");
    let saved = scenario::parse(&text, &path.display().to_string()).expect("the saved file parses");
    let (ran, summary) = scenario::run(&saved, &mut std::io::sink()).expect("run");
    assert!(
        summary.passed(),
        "the saved file fails: {summary:?}\n{text}"
    );
    assert!(summary.expectations > 0, "the saved file checks nothing");
    assert_eq!(&ran, app.session.cluster(), "the replay ends elsewhere");
}

#[test]
fn s_saves_a_new_file_each_time_that_replays_to_the_same_cluster() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = App::new(
        Session::new(raftwalk::load::brief_cluster()),
        dir.path().to_path_buf(),
    );
    // Every kind of action, messages picked by position.
    press(&mut app, "c");
    press_key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    press(&mut app, "dD x a");
    press(&mut app, "r2P0rh a");
    press(&mut app, "P1k0h1k0ha");
    assert_no_error(&app);
    let position = app.session.position();

    press(&mut app, "s");
    let status = app.status.clone().expect("a status");
    assert!(!status.is_error, "{}", status.text);
    let files = json_files(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        status.text.contains(&files[0].display().to_string()),
        "the status {:?} does not name {}",
        status.text,
        files[0].display()
    );
    let first = files[0].clone();
    let first_text = std::fs::read_to_string(&first).unwrap();
    assert_replays_to(&files[0], &app);
    assert_eq!(app.session.position(), position, "saving is not an action");

    // Again, after one more action: a second file; the first is untouched.
    press(&mut app, "0c");
    press(&mut app, "s");
    assert!(!app.status.as_ref().unwrap().is_error);
    let files = json_files(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(std::fs::read_to_string(&first).unwrap(), first_text);
    let second = files.iter().find(|f| **f != first).expect("a new name");
    assert_replays_to(second, &app);

    // Saving twice with no change still never overwrites.
    press(&mut app, "s");
    assert_eq!(json_files(dir.path()).len(), 3);
}

#[test]
fn s_saves_a_walkthrough_mixed_with_free_actions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = raftwalk::load::load("figure7-a").unwrap();
    let mut app = App::new(Session::new(scenario), dir.path().to_path_buf());
    for _ in 0..10 {
        next(&mut app);
    }
    press_key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, "c ");
    press_key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    press(&mut app, "x");
    assert_no_error(&app);
    press(&mut app, "s");
    assert!(!app.status.as_ref().unwrap().is_error);
    let files = json_files(dir.path());
    assert_eq!(files.len(), 1);
    assert_replays_to(&files[0], &app);
}

#[test]
fn saving_where_it_cannot_write_sets_an_error_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a_file = dir.path().join("not-a-directory");
    std::fs::write(&a_file, "x").unwrap();
    for save_dir in [dir.path().join("missing/deeper"), a_file.clone()] {
        let mut app = App::new(Session::new(raftwalk::load::brief_cluster()), save_dir);
        press(&mut app, "ca");
        let before = cluster(&app);
        press(&mut app, "s");
        assert_refused(&app, &before, 2, "could not save");
        // Nothing lost: undo, redo and the next save elsewhere still work.
        press(&mut app, "u");
        assert_no_error(&app);
        press(&mut app, "U");
        assert_eq!(cluster(&app), before);
        app.save_dir = dir.path().to_path_buf();
        press(&mut app, "s");
        assert!(!app.status.as_ref().unwrap().is_error);
    }
    assert!(!dir.path().join("missing").exists());
    assert_eq!(std::fs::read_to_string(&a_file).unwrap(), "x");
    // The two successful saves, and the file that was in the way.
    assert_eq!(json_files(dir.path()).len(), 3);
}

// ----- Mouse ---------------------------------------------------------------------------------

fn click(app: &mut App, column: u16, row: u16) {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let event = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    app.handle_mouse(event, ratatui::layout::Rect::new(0, 0, 120, 40));
}

/// Where `needle` is drawn on a `width`×`height` screen of `app`: (column, row) of its first
/// character, searching rows top to bottom and, in a row, left to right from `from_column`.
fn find_on_screen(
    app: &App,
    width: u16,
    height: u16,
    needle: &str,
    from_column: usize,
) -> Option<(u16, u16)> {
    screen_lines(app, width, height)
        .iter()
        .enumerate()
        .find_map(|(row, line)| {
            let chars: Vec<char> = line.chars().collect();
            let needle: Vec<char> = needle.chars().collect();
            (from_column..chars.len().saturating_sub(needle.len() - 1))
                .find(|&x| chars[x..x + needle.len()] == needle[..])
                .map(|x| (x as u16, row as u16))
        })
}

/// A click on a server's row in the grid or its label in the network picture selects it; a
/// click on a message in the list or its label in the picture selects the message; clicks
/// elsewhere change nothing.
#[test]
fn clicks_select_servers_and_messages() {
    let mut app = brief();
    // Grid rows start at column 0 with the selection marker.
    let (_, row) = find_on_screen(&app, 120, 40, " S2 ", 0).expect("S2's row");
    click(&mut app, 3, row);
    assert_eq!(app.selected_server, 2);
    let (_, row) = find_on_screen(&app, 120, 40, " S1 ", 0).expect("S1's row");
    click(&mut app, 20, row);
    assert_eq!(app.selected_server, 1);
    // S0's label in the network picture, right of the grid.
    let (picture, _) = find_on_screen(&app, 120, 40, "Network", 0).expect("the picture");
    let (x, y) = find_on_screen(&app, 120, 40, "·S0", picture as usize).expect("S0 pictured");
    click(&mut app, x + 1, y);
    assert_eq!(app.selected_server, 0);
    press(&mut app, "1c");
    assert_eq!(in_flight(&app), 2);
    // The second message in the list, then the first by its label in the picture.
    let (x, y) = find_on_screen(&app, 120, 40, "#2 S1→S2", 0).expect("message #2 listed");
    click(&mut app, x + 2, y);
    assert_eq!(app.selected_message, 1);
    let (picture, _) = find_on_screen(&app, 120, 40, "Network", 0).expect("the picture");
    let (x, y) =
        find_on_screen(&app, 120, 40, "t2", picture as usize).expect("a label in the picture");
    click(&mut app, x, y);
    let clicked = app.selected_message;
    let label_of = |i: usize| {
        let m = app.session.cluster().in_flight().nth(i).unwrap().clone();
        (m.from, m.to)
    };
    assert_eq!(label_of(clicked).0, 1, "a RequestVote from S1");
    let before = cluster(&app);
    let selected = (app.selected_server, app.selected_message);
    click(&mut app, 119, 39);
    click(&mut app, 0, 0);
    assert_eq!((app.selected_server, app.selected_message), selected);
    assert_eq!(cluster(&app), before, "a click never acts on the model");
}

// ----- The header ---------------------------------------------------------------------------

/// Reads the header `line` back as parts: each must be one of `whole` exactly, or the
/// scenario's `name` (cut with `…` allowed), separated by ` · ` or spaces. Returns the parts,
/// or what could not be read.
fn header_parts_on_screen(line: &str, whole: &[String], name: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let at_end = |len: usize| rest[len..].is_empty() || rest[len..].starts_with(' ');
        let part = whole
            .iter()
            .chain([&name.to_string()])
            .filter(|p| rest.starts_with(p.as_str()) && at_end(p.len()))
            .max_by_key(|p| p.len())
            .cloned()
            .or_else(|| {
                let cut = rest.find('…')?;
                (cut > 0 && name.starts_with(&rest[..cut]) && at_end(cut + '…'.len_utf8()))
                    .then(|| rest[..cut + '…'.len_utf8()].to_string())
            })
            .ok_or_else(|| format!("no whole part at {rest:?}"))?;
        rest = rest[part.len()..].trim_start();
        rest = rest.strip_prefix('·').unwrap_or(rest).trim_start();
        parts.push(part);
    }
    Ok(parts)
}

/// The header of `app` at each of the three sizes: every part whole (a beat label is
/// `beat N/M` or absent, never `b`), the invariant status or its alarm, and the mutant in
/// plain words (short at least).
fn assert_header_whole(app: &App, what: &str) {
    let s = &app.session;
    let bug = s.cluster().bug().expect("a mutant runs");
    let (passed, failed) = s.expectation_counts();
    let violations = s.cluster().violations();
    let alarm = match violations.first() {
        None => "invariants ✓".to_string(),
        Some(v) => {
            let title = v.invariant().title().to_uppercase();
            match violations.len() {
                1 => format!("✗ {title} BROKEN"),
                n => format!("✗ {title} BROKEN (+{})", n - 1),
            }
        }
    };
    let whole = vec![
        "raftwalk".to_string(),
        format!("⚠ {}", bug.short_plain()),
        format!("⚠ {}", bug.plain()),
        format!("beat {}/{}", s.beats_played(), s.beats().len()),
        format!("history {}", s.position()),
        format!("expect {passed}✓ {failed}✗"),
        alarm.clone(),
        "? help".to_string(),
    ];
    for (width, height) in [(80, 24), (120, 40), (200, 60)] {
        let header = screen_lines(app, width, height).remove(0);
        let parts = header_parts_on_screen(&header, &whole, &s.scenario().name)
            .unwrap_or_else(|e| panic!("{what} at {width}×{height}: {e}\n{header}"));
        assert!(
            parts.contains(&alarm),
            "{what} at {width}×{height}: no {alarm:?}\n{header}"
        );
        assert!(
            parts.iter().any(|p| p.starts_with('⚠')),
            "{what} at {width}×{height}: no mutant in plain words\n{header}"
        );
        // Where there is room, the long plain words (issue 11: "this cluster votes twice").
        if width >= 120 && failed == 0 {
            let plain = format!("⚠ {}", bug.plain());
            assert!(
                parts.contains(&plain),
                "{what} at {width}×{height}\n{header}"
            );
        }
    }
}

/// Plays `app`'s walkthrough to its end, checking the header before and after every beat.
fn assert_header_whole_at_every_beat(mut app: App, what: &str) {
    assert_header_whole(&app, &format!("{what} at the start"));
    for _ in 0..app.session.beats().len() {
        next(&mut app);
        assert_no_error(&app);
        let beat = format!("{what} at beat {}", app.session.beats_played());
        assert_header_whole(&app, &beat);
    }
    assert!(!app.session.cluster().violations().is_empty(), "{what}");
}

/// Every mutant's lesson, beat by beat: the header never cuts a part, always shows the alarm
/// and the mutant in plain words.
#[test]
fn header_parts_are_whole_in_every_bug_lesson() {
    let mut lessons = 0;
    for builtin in raftwalk::builtin::all() {
        let scenario = scenario::parse(builtin.text, builtin.name).expect("built-in parses");
        if scenario.config.bug.is_none() {
            continue;
        }
        lessons += 1;
        assert_header_whole_at_every_beat(app_on(scenario), builtin.name);
    }
    assert_eq!(lessons, raftwalk::raft::Bug::ALL.len());
}

/// The traces `check` saves for every mutant, stepped through: the same for their headers.
#[test]
fn header_parts_are_whole_in_saved_traces() {
    let fixture = |bug: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(format!("stage-{bug}.json"));
        vec![path.display().to_string(), "--after-steps".to_string()]
    };
    let seed = || vec!["seed-example".to_string()];
    let cases: [(&str, Vec<String>, &[&str]); 6] = [
        ("vote-twice", seed(), &["--max-term", "2"]),
        (
            "count-stale-votes",
            seed(),
            &["--max-term", "3", "--max-depth", "7"],
        ),
        (
            "no-log-check",
            fixture("no-log-check"),
            &["--max-term", "3", "--max-depth", "4"],
        ),
        (
            "truncate-always",
            fixture("truncate-always"),
            &["--max-term", "3", "--max-depth", "4"],
        ),
        (
            "commit-old-term",
            fixture("commit-old-term"),
            &["--max-term", "5"],
        ),
        (
            "accept-stale-term",
            fixture("accept-stale-term"),
            &["--max-term", "4", "--max-depth", "4"],
        ),
    ];
    for (bug, start, bounds) in cases {
        let trace =
            std::env::temp_dir().join(format!("raftwalk-header-{}-{bug}.json", std::process::id()));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_raftwalk"))
            .arg("check")
            .args(&start)
            .args(bounds)
            .args(["--bug", bug, "--save-trace"])
            .arg(&trace)
            .output()
            .expect("raftwalk runs");
        assert_eq!(out.status.code(), Some(1), "{bug}: {out:?}");
        let scenario = raftwalk::load::load(&trace.display().to_string()).expect("the trace loads");
        let _ = std::fs::remove_file(&trace);
        assert_header_whole_at_every_beat(app_on(scenario), &format!("the trace of {bug}"));
    }
}

/// The details panel counts missing entries in words that agree with the number.
#[test]
fn the_details_panel_says_one_entry_missing() {
    let mut app = common::builtin("bug-truncate-always");
    let beats = app.session.beats().len();
    let mut seen = false;
    for _ in 0..beats {
        common::next(&mut app);
        // S1 is the follower whose log the mutant cuts.
        common::press(&mut app, "1");
        for width_height in [(80, 24), (120, 40)] {
            let screen = common::screen(&app, width_height.0, width_height.1);
            assert!(!screen.contains("1 entries missing"), "{screen}");
            seen |= screen.contains("1 entry missing");
        }
    }
    assert!(seen, "no beat showed a log one entry short");
}
