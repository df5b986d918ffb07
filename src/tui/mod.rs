//! The terminal UI: server panels, in-flight messages, the walkthrough and the event log,
//! driven from the keyboard.

pub mod app;
pub mod keymap;
pub mod save;
pub mod view;

use crate::scenario::Scenario;
use crate::session::Session;
use anyhow::Result;
use app::App;
use crossterm::event::{self, Event, KeyEventKind};
use ratatui::DefaultTerminal;

/// Opens the TUI on `scenario` until the user quits. The terminal is restored on every exit:
/// quit, error, or panic (ratatui's hook).
pub fn run(scenario: Scenario) -> Result<()> {
    let save_dir = std::env::current_dir()?;
    let mut app = App::new(Session::new(scenario), save_dir);
    ratatui::run(|terminal| event_loop(terminal, &mut app))
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App) -> Result<()> {
    while !app.quit {
        terminal.draw(|frame| frame.render_widget(&*app, frame.area()))?;
        // Blocks until something happens: no busy loop while idle.
        match event::read()? {
            Event::Key(key) if key.kind == KeyEventKind::Press => app.handle_key(key),
            // A resize needs nothing but the redraw at the top of the loop.
            _ => {}
        }
    }
    Ok(())
}
