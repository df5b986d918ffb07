//! Helpers shared by the tests of the terminal UI: an app on a scenario, key presses, the
//! walkthrough played beat by beat, the screen drawn as the event loop draws it, and the log
//! grid read back from the screen.

#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use raftwalk::raft::Cluster;
use raftwalk::scenario::{Scenario, Step};
use raftwalk::session::Session;
use raftwalk::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;

/// A directory that does not exist: apps that are not meant to save get it, so an accidental
/// save fails loudly instead of writing into the source tree.
pub fn no_save_dir() -> PathBuf {
    std::env::temp_dir().join("raftwalk-test-no-such-dir/never/created")
}

/// An app on `scenario` that cannot save.
pub fn app_on(scenario: Scenario) -> App {
    App::new(Session::new(scenario), no_save_dir())
}

/// The brief's cluster: S0, S1, S2, followers in term 1, no script.
pub fn brief() -> App {
    app_on(raftwalk::load::brief_cluster())
}

/// An app on a built-in scenario.
pub fn builtin(name: &str) -> App {
    app_on(raftwalk::load::load(name).expect("the built-in loads"))
}

/// Presses one key.
pub fn press_key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, modifiers));
}

/// Presses each character of `keys` as a plain key (shift for upper case, as a terminal sends).
pub fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let modifiers = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        press_key(app, KeyCode::Char(c), modifiers);
    }
}

/// Plays the next beat of the walkthrough with `n`, answering the quiz it asks (rightly),
/// since the walkthrough waits for the answer.
pub fn next(app: &mut App) {
    press(app, "n");
    if let Some((_, quiz)) = app.pending_quiz() {
        let answer = char::from_digit(quiz.answer as u32, 10).expect("answers are 1 to 9");
        press(app, &answer.to_string());
        assert!(app.pending_quiz().is_none(), "the quiz took no answer");
    }
}

/// Whether the beat just played has a step of this kind.
pub fn beat_played(app: &App, is: fn(&Step) -> bool) -> bool {
    app.session.current_beat_steps().any(|(_, step)| is(step))
}

/// The cluster now.
pub fn cluster(app: &App) -> Cluster {
    app.session.cluster().clone()
}

/// Fails if the last key set an error.
pub fn assert_no_error(app: &App) {
    if let Some(status) = &app.status {
        assert!(!status.is_error, "unexpected error: {}", status.text);
    }
}

/// The app drawn on a `width`×`height` terminal, told its size as the event loop tells it.
pub fn render_terminal(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut app = app.clone();
    app.resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| frame.render_widget(&app, frame.area()))
        .expect("draw");
    terminal
}

/// The screen as text, one quoted line per row (as `TestBackend` prints it).
pub fn screen(app: &App, width: u16, height: u16) -> String {
    render_terminal(app, width, height).backend().to_string()
}

/// The screen as lines of text, one character a cell.
pub fn screen_lines(app: &App, width: u16, height: u16) -> Vec<String> {
    render_terminal(app, width, height)
        .backend()
        .buffer()
        .content()
        .chunks(width as usize)
        .map(|row| row.iter().map(|cell| cell.symbol()).collect())
        .collect()
}

/// The logs the grid shows, row by row, read back from the screen's lines: the terms between
/// the grid's separator and its right end, marks (┃ ≠ +) left out. `None` when the grid shows
/// a window of indices (‹ or › in its index header) or what is there is not a grid.
pub fn logs_on_screen(screen: &[String], servers: usize) -> Option<Vec<Vec<u64>>> {
    let header: Vec<char> = screen.get(1)?.chars().collect();
    let start = header.iter().position(|&c| c == '│' || c == '‹')?;
    if header.contains(&'‹') || header.contains(&'›') {
        return None;
    }
    let end = (start + 1..header.len())
        .find(|&x| matches!(header[x], '│' | '┬'))
        .unwrap_or(header.len());
    (0..servers)
        .map(|i| {
            let row: Vec<char> = screen.get(2 + i)?.chars().collect();
            let cells: String = row.get(start + 1..end.min(row.len()))?.iter().collect();
            cells
                .split(|c: char| c.is_whitespace() || "┃≠+".contains(c))
                .filter(|t| !t.is_empty())
                .map(|t| t.parse::<u64>().ok())
                .collect()
        })
        .collect()
}
