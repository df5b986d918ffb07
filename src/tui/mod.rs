//! The terminal UI: the log grid, in-flight messages, the network picture, the walkthrough and
//! the event log, driven from the keyboard.

pub mod app;
pub mod availability;
pub mod keymap;
pub mod play;
pub mod quiz;
pub mod save;
pub mod view;
pub mod work;

use crate::scenario::Scenario;
use crate::session::Session;
use anyhow::Result;
use app::App;
use crossterm::event::{self, Event, KeyEventKind};
use ratatui::DefaultTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one slice of long work (a big "deliver all") may run before the next frame.
const WORK_SLICE: Duration = Duration::from_millis(40);
/// Deliveries between two looks at the clock within a slice.
const WORK_CHUNK: usize = 16;
/// How long to wait for more input that may already be on its way. crossterm's `/dev/tty`
/// reader returns nothing for a zero timeout, so draining needs a short positive one.
const DRAIN_WAIT: Duration = Duration::from_millis(1);

/// Held while a frame is written, so a signal's restore never lands inside one.
static FRAME: Mutex<()> = Mutex::new(());

/// Opens the TUI on `scenario` until the user quits. The terminal is restored on every exit:
/// quit, error, panic (ratatui's hook, plus ours for the mouse), and SIGTERM, SIGHUP or
/// SIGINT from outside (then raftwalk exits with 128 + the signal's number).
pub fn run(scenario: Scenario) -> Result<()> {
    let save_dir = std::env::current_dir()?;
    let mut app = App::new(Session::new(scenario), save_dir);
    let signals = restore_on_signals()?;
    let result = ratatui::run(|terminal| {
        let _mouse = MouseCapture::enable()?;
        event_loop(terminal, &mut app)
    });
    signals.close();
    result
}

/// Watches for SIGTERM, SIGHUP and SIGINT on a thread of its own: on one, waits for a frame
/// being written to end, restores the terminal (mouse reporting off, main screen, cursor
/// shown, cooked mode) and exits with 128 + the signal's number.
fn restore_on_signals() -> Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    let handle = signals.handle();
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // Never released: no frame starts after this.
            let _frame = FRAME
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            restore_terminal();
            std::process::exit(128 + signal);
        }
    });
    Ok(handle)
}

/// Undoes everything the TUI does to the terminal. Errors are ignored: the terminal may be
/// gone (SIGHUP).
fn restore_terminal() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::event::DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
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
    // When the last frame of time playing was drawn; `None` while paused.
    let mut last_tick: Option<Instant> = None;
    while !app.quit {
        {
            let _frame = FRAME
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // What keys may do depends on the size (too small, m, PgUp): tell the app first.
            let size = terminal.size()?;
            app.resize(size.width, size.height);
            terminal.draw(|frame| frame.render_widget(&*app, frame.area()))?;
        }
        if app.is_working() {
            // Long work: keys first (q or Esc stop it), then a slice, then the next frame.
            handle_waiting_input(terminal, app)?;
            let slice_end = Instant::now() + WORK_SLICE;
            while app.is_working() && Instant::now() < slice_end {
                app.advance_work(WORK_CHUNK);
            }
        } else if app.is_playing() {
            // Time plays: wake for keys, or for the next frame at a steady rate.
            let started = *last_tick.get_or_insert_with(Instant::now);
            let wait = play::FRAME.saturating_sub(started.elapsed());
            if event::poll(wait)? {
                handle(terminal, app, event::read()?)?;
                handle_waiting_input(terminal, app)?;
            }
            if started.elapsed() >= play::FRAME {
                let now = Instant::now();
                // A pause in between (a key) restarts the count.
                if app.is_playing() {
                    app.tick(now - started);
                }
                last_tick = Some(now);
            }
            if !app.is_playing() {
                last_tick = None;
            }
        } else {
            last_tick = None;
            // Blocks until something happens: no busy loop while idle (or paused).
            handle(terminal, app, event::read()?)?;
            // A paste or a burst of keys is handled whole before the next frame.
            handle_waiting_input(terminal, app)?;
        }
    }
    Ok(())
}

/// Handles every event already waiting, without blocking.
fn handle_waiting_input(terminal: &mut DefaultTerminal, app: &mut App) -> Result<()> {
    while !app.quit && event::poll(DRAIN_WAIT)? {
        handle(terminal, app, event::read()?)?;
    }
    Ok(())
}

fn handle(terminal: &mut DefaultTerminal, app: &mut App, event: Event) -> Result<()> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => app.handle_key(key),
        Event::Mouse(mouse) => {
            let size = terminal.size()?;
            app.handle_mouse(
                mouse,
                ratatui::layout::Rect::new(0, 0, size.width, size.height),
            );
        }
        // Keys after it in the same burst see the new size; the redraw follows.
        Event::Resize(width, height) => app.resize(width, height),
        _ => {}
    }
    Ok(())
}
