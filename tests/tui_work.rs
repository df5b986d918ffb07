//! Long work in the TUI, driven headless: a big "deliver all" runs in slices with its progress
//! on the bottom line, `Esc` or `q` stops it with the model consistent, and undo treats the
//! whole deliver-all as one step. Also the header of a scenario that starts unsafe.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use raftwalk::raft::{Action, Cluster, Event};
use raftwalk::scenario::{self, Scenario};
use raftwalk::session::Session;
use raftwalk::tui::app::App;
use raftwalk::tui::work::FIRST_SLICE;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app_on(scenario: Scenario) -> App {
    let nowhere = std::env::temp_dir().join("raftwalk-tui-work-no-such-dir/never");
    App::new(Session::new(scenario), nowhere)
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// A leader with `entries` entries, a voter holding them too, and a follower with none: a
/// heartbeat then makes the leader walk back one entry per round trip, two deliveries each.
fn long_repair(entries: usize, steps: &str) -> Scenario {
    let log = vec!["1"; entries].join(",");
    scenario::parse(
        &format!(
            r#"{{"name": "long repair", "servers": [
                {{"role": "LEADER", "log": [{log}]}}, {{"voted_for": 0, "log": [{log}]}}, {{}}],
                "steps": {steps}}}"#
        ),
        "long.json",
    )
    .expect("a valid scenario")
}

/// The bottom line of the screen.
fn bottom_line(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|frame| frame.render_widget(&*app, frame.area()))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    let last = buffer.content().chunks(width).last().expect("a line");
    last.iter().map(|c| c.symbol()).collect()
}

fn the_screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|frame| frame.render_widget(&*app, frame.area()))
        .expect("draw");
    raftwalk::export::to_text(terminal.backend().buffer())
}

#[test]
fn a_long_deliver_all_runs_in_slices_and_esc_stops_it_as_one_undo_step() {
    let mut app = app_on(long_repair(1000, "[]"));
    press(&mut app, KeyCode::Char('h'));
    let before: Cluster = app.session.cluster().clone();
    let position = app.session.position();

    press(&mut app, KeyCode::Char('a'));
    assert!(
        app.is_working(),
        "2,000 deliveries do not fit the first slice"
    );
    let work = app.work.as_ref().expect("work");
    assert_eq!(work.delivered(), FIRST_SLICE);
    let line = bottom_line(&app);
    assert!(
        line.contains(&format!("delivering: {FIRST_SLICE} delivered"))
            && line.contains("q or Esc stops"),
        "{line}"
    );
    // Nothing is recorded while it runs; other keys wait.
    assert_eq!(app.session.position(), position);
    press(&mut app, KeyCode::Char('c'));
    assert!(app.is_working());

    app.advance_work(100);
    let delivered = FIRST_SLICE + 100;
    let in_flight = app.work.as_ref().expect("work").in_flight();
    press(&mut app, KeyCode::Esc);
    assert!(!app.is_working());
    assert_eq!(app.session.position(), position + 1, "one undoable step");
    let status = app.status.clone().expect("a status");
    assert!(
        status
            .text
            .contains(&format!("stopped after {delivered} deliveries")),
        "{status:?}"
    );
    assert_eq!(app.session.cluster().in_flight().len(), in_flight);

    // The model is where a plain model would be after as many deliveries.
    let mut expected = before.clone();
    expected
        .apply(&Action::DeliverUpTo(delivered))
        .expect("deliveries");
    assert!(*app.session.cluster() == expected);
    assert!(app.session.cluster().violations().is_empty());

    press(&mut app, KeyCode::Char('u'));
    assert!(*app.session.cluster() == before, "undo takes it all back");
    press(&mut app, KeyCode::Char('U'));
    assert!(
        *app.session.cluster() == expected,
        "redo replays it exactly"
    );
}

#[test]
fn q_stops_the_work_without_quitting() {
    let mut app = app_on(long_repair(1000, "[]"));
    press(&mut app, KeyCode::Char('h'));
    press(&mut app, KeyCode::Char('a'));
    assert!(app.is_working());
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.is_working());
    assert!(!app.quit, "q stopped the work; a second q quits");
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn a_deliver_all_run_to_its_end_equals_the_models_and_is_one_step() {
    let mut app = app_on(long_repair(600, "[]"));
    press(&mut app, KeyCode::Char('h'));
    let mut expected = app.session.cluster().clone();
    let position = app.session.position();
    press(&mut app, KeyCode::Char('a'));
    while app.is_working() {
        app.advance_work(50);
    }
    expected.apply(&Action::DeliverAll).expect("deliver all");
    assert!(*app.session.cluster() == expected);
    assert_eq!(app.session.cluster().in_flight().len(), 0);
    assert_eq!(app.session.position(), position + 1);
    press(&mut app, KeyCode::Char('u'));
    press(&mut app, KeyCode::Char('U'));
    assert!(*app.session.cluster() == expected);
}

/// Runs the work to its end, and checks that it stopped at the cap with the hint that fits
/// two leaders of one term answering each other.
fn finish_at_the_cap_of_two_leaders(app: &mut App) {
    while app.is_working() {
        app.advance_work(1000);
    }
    let status = app.status.clone().expect("an alarm");
    assert!(status.is_error, "{status:?}");
    assert!(
        status
            .text
            .contains("Deliver-all stopped after 10000 deliveries")
            && status.text.contains("S0 and S1 are both leaders of term 1"),
        "{status:?}"
    );
}

#[test]
fn two_leaders_of_one_term_stop_at_the_cap_with_the_hint_that_fits() {
    let s = scenario::parse(
        r#"{"name": "t", "servers": 3, "steps": [{"become_leader": 0}, {"become_leader": 1}]}"#,
        "t.json",
    )
    .expect("valid");
    let mut app = app_on(s);
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Char('a'));
    finish_at_the_cap_of_two_leaders(&mut app);
    let last = app.session.entries().last().expect("an entry");
    assert!(last.events.iter().any(|e| matches!(
        e,
        Event::DeliverAllStopped {
            delivered: 10_000,
            ..
        }
    )));
}

#[test]
fn the_header_says_when_the_start_is_unsafe() {
    let unsafe_start = scenario::parse(
        r#"{"name": "broken", "unsafe_start": true, "servers": [{"role": "LEADER"}, {"role": "LEADER"}, {}]}"#,
        "u.json",
    )
    .expect("allowed when unsafe");
    let header = the_screen(&app_on(unsafe_start));
    assert!(
        header.lines().next().unwrap_or("").contains("UNSAFE START"),
        "{header}"
    );
    let safe = the_screen(&app_on(raftwalk::load::brief_cluster()));
    assert!(!safe.contains("UNSAFE"), "{safe}");
}

/// A walkthrough whose second beat is a heartbeat and a deliver_all of 2,000 deliveries,
/// then a check and words.
fn long_beat() -> Scenario {
    long_repair(
        1000,
        r#"[{"say": "Intro."},
            {"heartbeat": 0}, "deliver_all", {"expect": {"in_flight": 0}}, {"say": "Repaired."},
            {"say": "The end."}]"#,
    )
}

#[test]
fn a_beat_with_a_long_deliver_all_plays_in_slices_and_a_stop_key_leaves_it_unplayed() {
    let mut app = app_on(long_beat());
    press(&mut app, KeyCode::Char('n'));
    assert!(!app.is_working(), "the intro beat is words only");
    let before = app.session.cluster().clone();
    let position = app.session.position();

    press(&mut app, KeyCode::Char('n'));
    assert!(
        app.is_working(),
        "2,000 deliveries do not fit the first slice"
    );
    let line = bottom_line(&app);
    assert!(
        line.contains("beat 2: delivering:") && line.contains("q or Esc stops"),
        "{line}"
    );
    // One more tick of work: the beat goes on but is still not done, nothing recorded yet.
    let delivered = app.work.as_ref().expect("work").delivered();
    app.advance_work(100);
    assert!(app.is_working());
    assert!(app.work.as_ref().expect("work").delivered() > delivered);
    assert_eq!(app.session.position(), position);
    assert!(
        *app.session.cluster() == before,
        "the screen shows the state before the beat"
    );
    press(&mut app, KeyCode::Char('h'));
    assert!(app.is_working(), "other keys wait");

    press(&mut app, KeyCode::Esc);
    assert!(!app.is_working());
    assert!(!app.quit);
    let status = app.status.clone().expect("a status");
    assert!(
        status.text.contains("beat 2 stopped after") && status.text.contains("nothing changed"),
        "{status:?}"
    );
    assert_eq!(app.session.position(), position, "nothing recorded");
    assert!(*app.session.cluster() == before);
    assert_eq!(app.session.beats_played(), 1);
}

#[test]
fn a_sliced_beat_ends_as_the_one_go_beat_and_undoes_as_one_step() {
    let mut one_go = Session::new(long_beat());
    one_go.play_beat().expect("intro");
    one_go.play_beat().expect("the long beat");

    let mut app = app_on(long_beat());
    press(&mut app, KeyCode::Char('n'));
    let before = app.session.cluster().clone();
    press(&mut app, KeyCode::Char('n'));
    let mut ticks = 0;
    while app.is_working() {
        app.advance_work(64);
        ticks += 1;
    }
    assert!(ticks > 10, "it took {ticks} slices");
    assert_eq!(app.session.entries(), one_go.entries());
    assert!(app.session.cluster() == one_go.cluster());
    assert_eq!(app.session.beats_played(), 2);
    assert_eq!(app.session.expectation_counts(), (1, 0));
    assert_eq!(app.status, None, "it settled: nothing to warn about");

    press(&mut app, KeyCode::Char('u'));
    assert!(
        *app.session.cluster() == before,
        "one undo takes the whole beat back"
    );
    assert_eq!(app.session.beats_played(), 1);
}

#[test]
fn a_beat_whose_deliver_all_reaches_its_cap_says_so_and_q_stops_it_first() {
    let s = scenario::parse(
        r#"{"name": "t", "servers": 3, "unsafe_start": true, "steps": [
            {"become_leader": 0}, {"become_leader": 1}, "deliver_all", {"say": "Two leaders."}]}"#,
        "t.json",
    )
    .expect("valid");
    let mut app = app_on(s.clone());
    press(&mut app, KeyCode::Char('n'));
    assert!(
        app.is_working(),
        "10,000 deliveries do not fit the first slice"
    );
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.is_working() && !app.quit);
    assert_eq!(app.session.position(), 0);

    let mut app = app_on(s);
    press(&mut app, KeyCode::Char('n'));
    finish_at_the_cap_of_two_leaders(&mut app);
    assert_eq!(app.session.beats_played(), 1);
}

/// Logs longer than a u16 of columns can hold (25,000 entries) once overflowed the grid's
/// width arithmetic (a panic in debug builds): they draw, at the smallest size and a large one.
#[test]
fn logs_of_25000_entries_draw_at_any_size() {
    let app = app_on(long_repair(25_000, "[]"));
    for (width, height) in [(80, 24), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| frame.render_widget(&app, frame.area()))
            .expect("draw");
        let screen = raftwalk::export::to_text(terminal.backend().buffer());
        assert!(screen.contains("S0"), "{screen}");
    }
}
