//! The terminal UI: server panels, in-flight messages, the walkthrough and the event log,
//! driven from the keyboard.

pub mod app;
pub mod availability;
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
/// quit, error, or panic (ratatui's hook, plus ours for the mouse).
pub fn run(scenario: Scenario) -> Result<()> {
    let save_dir = std::env::current_dir()?;
    let mut app = App::new(Session::new(scenario), save_dir);
    ratatui::run(|terminal| {
        let _mouse = MouseCapture::enable()?;
        event_loop(terminal, &mut app)
    })
}

/// Mouse reporting while it lives; turned off again on drop and on panic, since ratatui's own
/// restore does not know about it.
struct MouseCapture;

impl MouseCapture {
    fn enable() -> Result<MouseCapture> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
            previous(info);
        }));
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
        Ok(MouseCapture)
    }
}

impl Drop for MouseCapture {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App) -> Result<()> {
    while !app.quit {
        let size = terminal.size()?;
        app.resize(size.width, size.height);
        terminal.draw(|frame| frame.render_widget(&*app, frame.area()))?;
        // Blocks until something happens: no busy loop while idle.
        match event::read()? {
            Event::Key(key) if key.kind == KeyEventKind::Press => app.handle_key(key),
            Event::Mouse(mouse) => {
                let size = terminal.size()?;
                app.handle_mouse(
                    mouse,
                    ratatui::layout::Rect::new(0, 0, size.width, size.height),
                );
            }
            // A resize needs nothing but the redraw at the top of the loop.
            _ => {}
        }
    }
    Ok(())
}
