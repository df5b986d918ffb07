//! Helpers shared by the tests of the terminal UI: an app on a scenario, key presses, the
//! walkthrough played step by step, and the log grid read back from the screen.

#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use raftwalk::scenario::Scenario;
use raftwalk::session::Session;
use raftwalk::tui::app::App;
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

/// Plays the next walkthrough step with `n`, answering a quiz it reaches (rightly), since the
/// walkthrough waits for the answer.
pub fn next(app: &mut App) {
    press(app, "n");
    if let Some((_, quiz)) = app.pending_quiz() {
        let answer = char::from_digit(quiz.answer as u32, 10).expect("answers are 1 to 9");
        press(app, &answer.to_string());
    }
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
