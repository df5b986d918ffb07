//! The classroom screen (issue 7): the log grid reads like the paper's figures at every size
//! from 80×24, every built-in shows every log whole at 80×24, the network picture, the keys
//! that say why they do nothing, and snapshots of Figures 6, 7 and 8 at three sizes.
//!
//! Update the snapshots after a deliberate change with
//! `INSTA_UPDATE=always cargo test --test classroom`, then read every changed `.snap` file.

use crossterm::event::{KeyCode, KeyModifiers};
use raftwalk::raft::Role;
use raftwalk::scenario::{self, Scenario};
use raftwalk::tui::app::App;
use ratatui::style::Color;

// ----- Helpers ------------------------------------------------------------------------------

mod common;
use common::{
    app_on, brief, builtin, logs_on_screen, next, press, press_key, render_terminal, screen_lines,
};

/// A scenario from JSON text.
fn parse(json: &str) -> Scenario {
    scenario::parse(json, "test").expect("the test scenario parses")
}

/// Plays the whole walkthrough (bounded by its length).
fn play_to_end(app: &mut App) {
    for _ in 0..app.session.scenario().steps.len() * 2 {
        if app.session.script_position() >= app.session.scenario().steps.len() {
            break;
        }
        next(app);
    }
}

/// Plays until `done` holds (bounded by the walkthrough's length).
fn play_until(app: &mut App, done: impl Fn(&App) -> bool) {
    for _ in 0..app.session.scenario().steps.len() * 2 {
        if done(app) {
            return;
        }
        next(app);
    }
    assert!(done(app), "the walkthrough ended first");
}

fn terms(app: &App, server: usize) -> Vec<u64> {
    let log = &app.session.cluster().servers()[server].log;
    (1..=log.len()).filter_map(|i| log.term_at(i)).collect()
}

fn assert_every_log_whole(app: &App, width: u16, height: u16, what: &str) {
    let screen = screen_lines(app, width, height);
    let servers = app.session.cluster().servers().len();
    let shown = logs_on_screen(&screen, servers).unwrap_or_else(|| {
        panic!(
            "{what}: the grid shows a window, or no grid:\n{}",
            screen.join("\n")
        )
    });
    for (id, shown) in shown.iter().enumerate() {
        assert_eq!(
            shown,
            &terms(app, id),
            "{what}: server {id}'s log is not shown whole:\n{}",
            screen.join("\n")
        );
    }
    assert!(
        !screen.iter().any(|l| l.contains("too small")),
        "{what}: too small"
    );
}

// ----- Every log whole ---------------------------------------------------------------------

/// Every built-in, at 80×24, at its start and at its end, shows every server's whole log.
#[test]
fn every_builtin_shows_every_log_whole_at_80x24_at_start_and_end() {
    for b in raftwalk::builtin::all() {
        let mut app = app_on(scenario::parse(b.text, b.name).expect("built-in parses"));
        assert_every_log_whole(&app, 80, 24, &format!("{} at its start", b.name));
        play_to_end(&mut app);
        assert_every_log_whole(&app, 80, 24, &format!("{} at its end", b.name));
    }
}

/// Figure 7 at 80×24 after a wins: every log whole, two lines of narration, at least three
/// messages in flight in view with their list, and the newest event line.
#[test]
fn figure7a_at_80x24_has_logs_narration_messages_and_the_newest_event() {
    let mut app = builtin("figure7-a");
    // After a's timeout: six requests in flight.
    play_until(&mut app, |a| a.session.cluster().in_flight().len() >= 6);
    assert_every_log_whole(&app, 80, 24, "figure7-a, requests in flight");
    let screen = screen_lines(&app, 80, 24).join("\n");
    let listed = screen.matches("RequestVote").count();
    assert!(listed >= 3, "{listed} messages listed:\n{screen}");
    assert!(screen.contains("┌ Walkthrough"), "{screen}");
    let newest = format!("▌{}.", app.session.entries().len());
    assert!(screen.contains(&newest), "no newest event line:\n{screen}");
    // The narration box holds at least two lines of text.
    let screen = screen_lines(&app, 80, 24);
    let top = screen
        .iter()
        .position(|l| l.starts_with("┌ Walkthrough"))
        .unwrap();
    let bottom = screen.iter().position(|l| l.starts_with("└")).unwrap();
    assert!(bottom - top > 2, "{}", screen.join("\n"));
}

/// Logs longer than the room scroll together: every row shows the same window, labelled, and
/// the window keeps the selected index in view.
#[test]
fn long_logs_share_one_labelled_window_that_follows_the_selected_index() {
    let terms: Vec<String> = (1..=40).map(|i| (10 + i / 4).to_string()).collect();
    let log = terms.join(", ");
    let mut app = app_on(parse(&format!(
        r#"{{"name": "long", "servers": [
            {{"name": "S0", "term": 30, "log": [{log}]}},
            {{"name": "S1", "term": 30, "log": [{log}]}},
            {{"name": "S2", "term": 30, "log": [10, 10]}}]}}"#
    )));
    let screen = screen_lines(&app, 80, 24);
    assert!(
        logs_on_screen(&screen, 3).is_none(),
        "40 two-digit terms cannot fit 80 columns"
    );
    // The newest entries are in view, with the window's left edge marked and its range
    // labelled.
    assert!(screen[1].contains('‹'), "{}", screen.join("\n"));
    assert!(screen[1].contains("–40 of 40"), "{}", screen.join("\n"));
    // [ and ] select an index; the window moves to it.
    press(&mut app, "]");
    assert_eq!(app.selected_index, Some(1));
    let screen = screen_lines(&app, 80, 24);
    assert!(
        !screen[1].contains('‹'),
        "index 1 in view:\n{}",
        screen.join("\n")
    );
    assert!(screen[1].contains('›'), "{}", screen.join("\n"));
    assert!(
        screen.iter().any(|l| l.contains("index 1: term 10")),
        "the details show the selected entry:\n{}",
        screen.join("\n")
    );
    press(&mut app, "[");
    assert!(
        app.status.as_ref().is_some_and(|s| s.is_error),
        "index 1 is the first"
    );
    for _ in 0..40 {
        press(&mut app, "]");
    }
    assert_eq!(
        app.selected_index, None,
        "past the last, back to following the newest"
    );
}

// ----- Colour -------------------------------------------------------------------------------

/// Roles each in their own colour, none the border's; neighbouring terms in different colours.
#[test]
fn roles_and_terms_have_their_own_colours() {
    let mut app = builtin("figure7-a");
    play_until(&mut app, |a| {
        a.session.cluster().live_leaders().count() == 1
    });
    let terminal = render_terminal(&app, 120, 40);
    let buffer = terminal.backend().buffer();
    let fg_of = |needle: &str| {
        let screen = screen_lines(&app, 120, 40);
        let (y, line) = screen
            .iter()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen"));
        let x = line.chars().position(|_| true).map(|_| {
            let chars: Vec<char> = line.chars().collect();
            let n: Vec<char> = needle.chars().collect();
            (0..chars.len())
                .find(|&x| chars[x..].starts_with(&n))
                .unwrap()
        });
        buffer[(x.unwrap() as u16, y as u16)].fg
    };
    let leader = fg_of("★ LEADER");
    let follower = fg_of("· FOLLOWER");
    let crashed = fg_of("✗ CRASHED");
    let border = fg_of("─ In flight");
    let colours = [leader, follower, crashed, border];
    for (i, a) in colours.iter().enumerate() {
        for b in &colours[i + 1..] {
            assert_ne!(a, b, "two of leader, follower, crashed, border share {a:?}");
        }
    }
    assert_ne!(leader, Color::Reset);
    for term in 1..20 {
        let a = raftwalk::tui::view::style::term_color(term);
        let b = raftwalk::tui::view::style::term_color(term + 1);
        assert_ne!(a, b, "terms {term} and {} look the same", term + 1);
    }
}

// ----- The network picture ------------------------------------------------------------------

/// Every message in flight is drawn with an arrow and what it is; a crashed server is marked;
/// a split network says so.
#[test]
fn the_network_picture_labels_every_message_and_marks_crashes_and_splits() {
    let mut app = builtin("figure7-a");
    play_until(&mut app, |a| a.session.cluster().in_flight().len() >= 6);
    let screen = screen_lines(&app, 200, 60).join("\n");
    assert!(screen.contains("─ Network"), "{screen}");
    assert!(screen.contains("✗leader"), "{screen}");
    let in_picture = screen
        .lines()
        .map(|l| l.chars().skip(90).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    let arrows = ["→", "↘", "↓", "↙", "←", "↖", "↑", "↗"];
    let labelled = in_picture
        .matches("RequestVote t9")
        .count()
        .max(in_picture.matches("RV t9").count());
    assert!(labelled >= 5, "{labelled} requests labelled:\n{screen}");
    assert!(arrows.iter().any(|a| in_picture.contains(a)), "{screen}");
    assert!(!screen.contains("not labelled"), "{screen}");

    let mut app = brief();
    press(&mut app, "cP");
    let screen = screen_lines(&app, 120, 40).join("\n");
    assert!(screen.contains("split in 2"), "{screen}");
    assert!(screen.contains("••"), "a wall: {screen}");
    assert!(screen.contains("S0⌁"), "{screen}");
}

/// `m` switches the picture with the message list when both do not fit, and says why not
/// when they do.
#[test]
fn m_switches_the_picture_with_the_list_only_when_both_do_not_fit() {
    let mut app = builtin("figure7-a");
    app.resize(80, 24);
    play_until(&mut app, |a| a.session.cluster().in_flight().len() >= 6);
    let before = screen_lines(&app, 80, 24).join("\n");
    assert!(before.contains("In flight (6)"), "{before}");
    assert!(!before.contains("─ Network"), "{before}");
    press(&mut app, "m");
    let after = screen_lines(&app, 80, 24).join("\n");
    assert!(after.contains("─ Network"), "{after}");
    assert!(!after.contains("In flight (6)"), "{after}");
    press(&mut app, "m");
    assert!(
        screen_lines(&app, 80, 24)
            .join("\n")
            .contains("In flight (6)")
    );
    // At 200×60 both are on screen: m says so, and the key bar does not offer it.
    app.resize(200, 60);
    let bar = screen_lines(&app, 200, 60).last().cloned().unwrap();
    assert!(
        !bar.contains("m network") && bar.contains("v ledger"),
        "{bar}"
    );
    press(&mut app, "m");
    let status = app.status.clone().expect("a reason");
    assert!(
        status.is_error && status.text.contains("already on screen"),
        "{status:?}"
    );
    assert!(!app.show_network);
}

// ----- Keys say what they can do ------------------------------------------------------------

/// The key bar shows what applies: `k restart` on a crashed server, message keys only with a
/// message in flight, heartbeat only on a leader.
#[test]
fn the_key_bar_shows_what_applies_now() {
    let bar = |app: &App| screen_lines(app, 120, 40).last().cloned().unwrap();
    let mut app = brief();
    let first = bar(&app);
    assert!(
        first.contains("c timeout") && first.contains("k crash"),
        "{first}"
    );
    assert!(
        !first.contains("deliver") && !first.contains("h heartbeat"),
        "{first}"
    );
    assert!(!first.contains("u undo"), "nothing to undo yet: {first}");
    press(&mut app, "c");
    let candidate = bar(&app);
    assert!(
        candidate.contains("d deliver") && candidate.contains("x drop"),
        "{candidate}"
    );
    assert!(candidate.contains("u undo"), "{candidate}");
    press(&mut app, "a");
    let leader = bar(&app);
    assert!(
        leader.contains("h heartbeat") && leader.contains("r request"),
        "{leader}"
    );
    assert!(
        !leader.contains("c timeout"),
        "a leader's timer does not run: {leader}"
    );
    press(&mut app, "k");
    let crashed = bar(&app);
    assert!(crashed.contains("k restart"), "{crashed}");
    assert!(!crashed.contains("k crash"), "{crashed}");
    assert!(
        crashed.contains("P partition") && crashed.contains("v ledger"),
        "{crashed}"
    );
}

/// Every key that does nothing says why on the bottom line.
#[test]
fn keys_that_do_nothing_say_why() {
    let mut app = brief();
    for (key, modifiers, words) in [
        (
            KeyCode::Char('9'),
            KeyModifiers::NONE,
            "no server 9: ids run from 0 to 2",
        ),
        (
            KeyCode::Char('z'),
            KeyModifiers::NONE,
            "z does nothing here",
        ),
        (KeyCode::F(5), KeyModifiers::NONE, "F5 does nothing here"),
        (KeyCode::Esc, KeyModifiers::NONE, "Esc does nothing here"),
        (
            KeyCode::Char('h'),
            KeyModifiers::NONE,
            "only the leader does that",
        ),
        (
            KeyCode::Char('r'),
            KeyModifiers::NONE,
            "only the leader does that",
        ),
        (KeyCode::Up, KeyModifiers::NONE, "no message is in flight"),
        (
            KeyCode::PageUp,
            KeyModifiers::NONE,
            "nothing has happened yet",
        ),
        (
            KeyCode::PageDown,
            KeyModifiers::NONE,
            "already shows the newest",
        ),
        (KeyCode::Char('['), KeyModifiers::NONE, "every log is empty"),
    ] {
        press_key(&mut app, key, modifiers);
        let status = app
            .status
            .clone()
            .unwrap_or_else(|| panic!("{key:?}: no word"));
        assert!(status.is_error, "{key:?}: {status:?}");
        assert!(status.text.contains(words), "{key:?}: {:?}", status.text);
        let bottom = screen_lines(&app, 80, 24).last().cloned().unwrap();
        assert!(
            bottom.contains(&words[..words.len().min(20)]),
            "{key:?}: {bottom}"
        );
    }
    // F1 opens the help like ?.
    press_key(&mut app, KeyCode::F(1), KeyModifiers::NONE);
    assert_eq!(app.overlay, raftwalk::tui::app::Overlay::Help);
}

/// A partition of a one-server cluster is refused with a reason, and changes nothing.
#[test]
fn p_on_a_one_server_cluster_is_refused() {
    let mut app = builtin("single-server");
    let before = app.session.cluster().clone();
    press(&mut app, "P");
    let status = app.status.clone().expect("a reason");
    assert!(status.is_error, "{status:?}");
    assert!(
        status.text.contains("one-server cluster cannot be split"),
        "{}",
        status.text
    );
    assert_eq!(app.session.cluster(), &before);
    assert_eq!(app.session.position(), 0);
}

/// Undo and redo say what they undid and redid.
#[test]
fn undo_and_redo_say_what_they_did() {
    let mut app = brief();
    press(&mut app, "c ");
    press(&mut app, "u");
    let status = app.status.clone().expect("undo says what");
    assert!(!status.is_error, "{status:?}");
    assert_eq!(status.text, "undid 2. deliver the oldest message");
    press(&mut app, "U");
    assert_eq!(
        app.status.as_ref().map(|s| s.text.as_str()),
        Some("redid 2. deliver the oldest message")
    );
    let bottom = screen_lines(&app, 80, 24).last().cloned().unwrap();
    assert!(bottom.contains("redid 2. deliver"), "{bottom}");
}

/// Under 80×24 the screen is a notice, and only q and ? act.
#[test]
fn under_80x24_only_q_and_help_act() {
    let mut app = brief();
    app.resize(79, 24);
    let screen = screen_lines(&app, 79, 24).join("\n");
    assert!(screen.contains("needs at least 80×24"), "{screen}");
    let before = app.session.cluster().clone();
    press(&mut app, "c2a");
    assert_eq!(app.session.cluster(), &before);
    assert_eq!(app.selected_server, 0);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text.contains("only q"))
    );
    press(&mut app, "?");
    assert_eq!(app.overlay, raftwalk::tui::app::Overlay::Help);
    let screen = screen_lines(&app, 79, 24).join("\n");
    assert!(
        screen.contains("Keys and marks"),
        "the help shows: {screen}"
    );
    press(&mut app, "?q");
    assert!(app.quit);
    // At 80×24 keys act again.
    let mut app = brief();
    app.resize(80, 24);
    press(&mut app, "c");
    assert_eq!(app.session.cluster().servers()[0].role, Role::Candidate);
}

/// The help explains every mark the screen can show.
#[test]
fn the_help_has_a_legend_of_every_mark() {
    let mut app = brief();
    press(&mut app, "?");
    let mut seen = String::new();
    for _ in 0..12 {
        seen.push_str(&screen_lines(&app, 120, 40).join("\n"));
        press_key(&mut app, KeyCode::PageDown, KeyModifiers::NONE);
    }
    for mark in [
        "★ LEADER",
        "◆ CANDIDATE",
        "· FOLLOWER",
        "✗ CRASHED",
        "⌁1",
        "┃",
        "≠",
        "‹ ›",
        "next/match",
        "nx/mt",
        "ldr, cmt",
        "votes ✓a ✗b ?c",
        "last (9, 6)",
        "prev (9, 6) +3",
        "commit 0, c0",
        "RV",
        "AE",
        "+N more",
        "▌",
        "history 19",
        "expect 6✓ 0✗",
        "beat 7/12",
        "beat 7 of 12",
        "✓ 2 checks hold",
        "✗ 1)  ✓ 2)",
        "⚠ Off the script",
        "UNSAFE START",
        "vs a",
        "*",
    ] {
        assert!(seen.contains(mark), "the legend lacks {mark:?}");
    }
}

// ----- The vote ledger ------------------------------------------------------------------------

/// The ledger tells a request lost to a crash from one still unanswered.
#[test]
fn the_ledger_tells_lost_requests_from_unanswered_ones() {
    let mut app = builtin("figure7-a");
    play_until(&mut app, |a| {
        a.session.cluster().live_leaders().count() == 1
    });
    press(&mut app, "v");
    let screen = screen_lines(&app, 120, 40).join("\n");
    assert!(
        screen.contains("asked, request lost (recipient crashed)"),
        "{screen}"
    );
    assert!(!screen.contains("not asked"), "{screen}");
}

// ----- Snapshots ----------------------------------------------------------------------------

fn snapshot(app: &App, width: u16, height: u16, name: &str) {
    let terminal = render_terminal(app, width, height);
    insta::assert_snapshot!(name, terminal.backend());
}

/// Figure 7 after a wins term 9.
fn figure7a_after_a_wins() -> App {
    let mut app = builtin("figure7-a");
    play_until(&mut app, |a| {
        a.session.cluster().live_leaders().collect::<Vec<_>>() == [1]
    });
    app
}

/// A figure when at least three messages are first in flight after a beat: grid, list and
/// picture busy.
fn busy(name: &str) -> App {
    let mut app = builtin(name);
    play_until(&mut app, |a| a.session.cluster().in_flight().len() >= 3);
    app
}

/// Figure 6 never leaves a message in flight between beats (each election is delivered in
/// the beat that starts it), so its busy screen is a free action: after the leader's crash and
/// the question about f3, f3's timeout is fired by hand. The walkthrough box says the state
/// has left the script.
fn figure6_busy() -> App {
    let mut app = builtin("figure6");
    play_until(&mut app, |a| {
        a.session.cluster().servers()[0].crashed && a.pending_quiz().is_none()
    });
    press(&mut app, "3c");
    assert_eq!(app.session.cluster().in_flight().len(), 4);
    assert!(app.session.off_script().is_some());
    app
}

#[test]
fn snapshot_figure7a_after_a_wins() {
    let app = figure7a_after_a_wins();
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        snapshot(&app, w, h, &format!("figure7a_after_a_wins_{w}x{h}"));
    }
}

#[test]
fn snapshot_figure6_busy() {
    let app = figure6_busy();
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        snapshot(&app, w, h, &format!("figure6_busy_{w}x{h}"));
    }
}

#[test]
fn snapshot_figure8_busy() {
    let app = busy("figure8");
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        snapshot(&app, w, h, &format!("figure8_busy_{w}x{h}"));
    }
}

/// Nine servers with 20-entry logs at 80×24: a leader, lagging, divergent and crashed logs.
#[test]
fn snapshot_nine_servers_with_20_entry_logs_80x24() {
    let full = "1,1,1,2,2,3,3,3,4,4,5,5,5,6,6,7,7,8,8,9";
    let mut app = app_on(parse(&format!(
        r#"{{"name": "nine servers, long logs", "servers": [
            {{"name": "S0", "term": 9, "role": "LEADER", "log": [{full}], "commit_index": 12}},
            {{"name": "S1", "term": 9, "voted_for": "S0", "log": [{full}], "commit_index": 12}},
            {{"name": "S2", "term": 9, "voted_for": "S0", "log": [1,1,1,2,2,3,3,3,4,4,5,5,5,6,6,7,7,8]}},
            {{"name": "S3", "term": 9, "voted_for": "S0", "log": [1,1,1,2,2,3,3,3,4,4,5,5]}},
            {{"name": "S4", "term": 8, "log": [1,1,1,2,2,3,3,3,4,4,5,5,5,6,6,7,7,8,8,8]}},
            {{"name": "S5", "term": 7, "log": [1,1,1,2,2,3,3,3,4,4,5,5,5,6,6,7,7,7,7,7], "crashed": true}},
            {{"name": "S6", "term": 9, "log": [1,1,1,2,2,3,3,3,4,4,4,4,4,4,4,4,4,4,4,4]}},
            {{"name": "S7", "term": 9, "voted_for": "S0", "log": [1,1,1,2,2,3,3,3,4,4,5,5,5,6,6,7,7,8,8,9]}},
            {{"name": "S8", "term": 9, "log": [1,1,1]}}]}}"#
    )));
    press(&mut app, "h");
    assert_every_log_whole(&app, 80, 24, "nine servers");
    snapshot(&app, 80, 24, "nine_servers_20_entries_80x24");
}

/// The selected message is highlighted in the picture and the list.
#[test]
fn the_selected_message_is_marked_in_list_and_picture() {
    let mut app = brief();
    press(&mut app, "c");
    press_key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    let screen = screen_lines(&app, 120, 40).join("\n");
    assert!(screen.contains("▶#2"), "{screen}");
    // The server in grid, details and picture; the message in list and picture.
    assert_eq!(screen.matches('▶').count(), 5, "{screen}");
}

// ----- Cut links -------------------------------------------------------------------------------

/// A link cut one way (a → b) and one both ways (c ↔ d), after a's election timeout.
fn cut_links() -> App {
    let mut app = app_on(parse(
        r#"{"name": "cut", "servers": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}],
            "steps": [{"cut": {"from": "a", "to": "b"}}, {"cut": ["c", "d"]}, {"timeout": "a"},
                      {"say": "a asks; b never hears it."}]}"#,
    ));
    play_to_end(&mut app);
    app
}

#[test]
fn the_screen_shows_cut_links_in_the_picture_the_list_and_the_details() {
    let mut app = cut_links();
    for (width, height) in [(120, 40), (200, 60)] {
        let screen = screen_lines(&app, width, height).join("\n");
        assert!(screen.contains("Network · 2 links cut ╳"), "{screen}");
        assert!(
            screen.contains("╳↘") || screen.contains("╳→"),
            "one way:\n{screen}"
        );
        // The picture's title and its two marks, the list's title and the details.
        assert_eq!(screen.matches('╳').count(), 5, "{screen}");
        assert!(screen.contains("links cut ╳: a → b"), "{screen}");
    }
    // At 80×24 the list stands in for the picture and says so too; c's details name its cut.
    let screen = screen_lines(&app, 80, 24).join("\n");
    assert!(screen.contains("In flight (2) · 2 links cut ╳"), "{screen}");
    press(&mut app, "2");
    let screen = screen_lines(&app, 80, 24).join("\n");
    assert!(screen.contains("links cut ╳: c ↔ d"), "{screen}");
    // P heals everything, cut links included.
    assert!(screen_lines(&app, 120, 40).join("\n").contains("P heal"));
    press(&mut app, "P");
    assert!(!app.session.cluster().network().is_split());
    let screen = screen_lines(&app, 120, 40).join("\n");
    assert!(!screen.contains('╳'), "{screen}");
}
