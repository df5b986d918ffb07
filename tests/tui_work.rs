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
    while app.is_working() {
        app.advance_work(1000);
    }
    let status = app.status.clone().expect("an alarm");
    assert!(status.is_error);
    assert!(
        status
            .text
            .contains("Deliver-all stopped after 10000 deliveries")
            && status.text.contains("S0 and S1 are both leaders of term 1"),
        "{status:?}"
    );
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
