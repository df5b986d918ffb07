//! The app's state and what each command does to it. No drawing here (see `view/`) and no
//! terminal (see `mod.rs`), so tests drive it directly.

use super::keymap::{self, Command};
use super::quiz::{Pick, QuizState};
use crate::raft::{Action, Event, Role, ServerAction, ServerId};
use crate::scenario::Quiz;
use crate::session::{Origin, PlayError, Session};
use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What is on screen besides the main view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// Nothing.
    None,
    /// The key help.
    Help,
    /// The vote ledger.
    Ledger,
}

/// A one-line message for the user at the bottom of the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The text.
    pub text: String,
    /// Whether it reports something that went wrong.
    pub is_error: bool,
}

/// The whole state of the TUI.
#[derive(Clone, Debug)]
pub struct App {
    /// The scenario being explored, with its history.
    pub session: Session,
    /// The selected server.
    pub selected_server: ServerId,
    /// The selected message, as a position in the in-flight list (clamped when shown).
    pub selected_message: usize,
    /// Event-log lines scrolled back from the newest.
    pub scroll_back: usize,
    /// Lines the help overlay is scrolled down.
    pub help_scroll: usize,
    /// The overlay shown.
    pub overlay: Overlay,
    /// The last message for the user.
    pub status: Option<Status>,
    /// Where `s` saves.
    pub save_dir: PathBuf,
    /// Where each quiz reached stands (choices tried, answered or revealed), by the quiz's
    /// step index.
    pub quiz_answers: BTreeMap<usize, QuizState>,
    /// The history position at which `n` just warned that the state had left the script; a
    /// second `n` right after it goes on.
    pub warned_off_script: Option<usize>,
    /// Set when the user quits.
    pub quit: bool,
    /// A "deliver all" being done in slices between frames (see `work.rs`).
    pub work: Option<super::work::DeliverAllWork>,
}

impl App {
    /// An app on `session`, saving into `save_dir`.
    pub fn new(session: Session, save_dir: PathBuf) -> App {
        // Start on a server that can act: in Figure 7 the first server is the crashed leader.
        let selected_server = session
            .cluster()
            .servers()
            .iter()
            .position(|s| !s.crashed)
            .unwrap_or(0);
        App {
            session,
            selected_server,
            selected_message: 0,
            scroll_back: 0,
            help_scroll: 0,
            overlay: Overlay::None,
            status: None,
            save_dir,
            quiz_answers: BTreeMap::new(),
            warned_off_script: None,
            quit: false,
            work: None,
        }
    }

    /// Handles one key press.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if self.work.is_some() {
            return self.key_while_working(key);
        }
        self.status = None;
        match keymap::command_for(key) {
            Some(command) => self.run(command),
            None if self.overlay != Overlay::None => self.overlay = Overlay::None,
            None => {}
        }
    }

    /// Handles a mouse event on a screen of `area`: a left click on a server's panel selects
    /// the server, on a message selects the message. Anything else is ignored.
    pub fn handle_mouse(&mut self, event: MouseEvent, area: ratatui::layout::Rect) {
        if event.kind != MouseEventKind::Down(MouseButton::Left)
            || self.overlay != Overlay::None
            || self.work.is_some()
        {
            return;
        }
        match self.target_at(area, event.column, event.row) {
            Some(super::view::Target::Server(id)) => self.run(Command::SelectServer(id)),
            Some(super::view::Target::Message(index)) => self.selected_message = index,
            None => {}
        }
    }

    /// The selected message's position, clamped to the messages in flight.
    pub fn selected_message_index(&self) -> Option<usize> {
        let count = self.session.cluster().in_flight().len();
        (count > 0).then(|| self.selected_message.min(count - 1))
    }

    /// Does what `command` says.
    pub fn run(&mut self, command: Command) {
        self.status = None;
        // Going on with the script on a changed state takes two presses of n in a row.
        if command != Command::NextStep {
            self.warned_off_script = None;
        }
        if self.overlay == Overlay::Help {
            let last = super::view::help_line_count();
            match command {
                Command::MessageDown | Command::ScrollDown => {
                    self.help_scroll = (self.help_scroll
                        + if command == Command::ScrollDown {
                            10
                        } else {
                            1
                        })
                    .min(last);
                    return;
                }
                Command::MessageUp | Command::ScrollUp => {
                    self.help_scroll = self
                        .help_scroll
                        .saturating_sub(if command == Command::ScrollUp { 10 } else { 1 });
                    return;
                }
                _ => {}
            }
        }
        if self.overlay != Overlay::None
            && !matches!(command, Command::Help | Command::Ledger | Command::Quit)
        {
            self.overlay = Overlay::None;
            return;
        }
        if self.pending_quiz().is_some() && self.quiz_takes(command) {
            return;
        }
        let size = self.session.cluster().servers().len();
        match command {
            Command::Quit => self.quit = true,
            Command::Help => self.toggle(Overlay::Help),
            Command::Ledger => self.toggle(Overlay::Ledger),
            Command::SelectServer(n) if n < size => self.selected_server = n,
            Command::SelectServer(n) => self.error(format!(
                "there is no server {n}: ids run from 0 to {}",
                size - 1
            )),
            Command::NextServer => self.selected_server = (self.selected_server + 1) % size,
            Command::PrevServer => self.selected_server = (self.selected_server + size - 1) % size,
            Command::Timeout => self.on_server(ServerAction::Timeout),
            Command::CrashOrRestart => {
                let crashed = self.session.cluster().servers()[self.selected_server].crashed;
                self.on_server(if crashed {
                    ServerAction::Restart
                } else {
                    ServerAction::Crash
                });
            }
            Command::Request => {
                let command = format!("x{}", self.request_count() + 1);
                self.on_server(ServerAction::ClientRequest(Arc::from(command.as_str())));
            }
            Command::Heartbeat => self.on_server(ServerAction::Heartbeat),
            Command::MessageUp => {
                self.selected_message = self.selected_message_index().unwrap_or(0).saturating_sub(1)
            }
            Command::MessageDown => {
                let count = self.session.cluster().in_flight().len();
                self.selected_message =
                    (self.selected_message_index().unwrap_or(0) + 1).min(count.saturating_sub(1));
            }
            Command::Deliver => self.on_selected_message(Action::Deliver),
            Command::Drop => self.on_selected_message(Action::Drop),
            Command::Duplicate => self.on_selected_message(Action::Duplicate),
            Command::DeliverOldest => {
                if self.session.cluster().in_flight().len() == 0 {
                    self.error("no message is in flight".to_string());
                } else {
                    self.act(Action::DeliverOldest);
                }
            }
            Command::DeliverAll if self.session.cluster().in_flight().len() == 0 => {
                self.error("no message is in flight".to_string())
            }
            Command::DeliverAll => self.start_deliver_all(),
            Command::PartitionOrHeal => {
                if self.session.cluster().network().is_partitioned() {
                    self.act(Action::Heal);
                } else {
                    let me = self.selected_server;
                    let rest = (0..size).filter(|&s| s != me).collect();
                    self.act(Action::Partition(vec![vec![me], rest]));
                }
            }
            Command::Undo => {
                if !self.session.undo() {
                    self.error("nothing to undo: this is the start".to_string());
                }
                self.scroll_back = 0;
            }
            Command::Redo => {
                if !self.session.redo() {
                    self.error("nothing to redo".to_string());
                }
                self.scroll_back = 0;
            }
            Command::NextStep => self.next_step(),
            Command::PrevStep => {
                if !self.session.back_one_beat() {
                    self.error("this is the start of the walkthrough".to_string());
                }
                self.scroll_back = 0;
            }
            Command::RevealAnswer => self.error("no question is waiting for an answer".to_string()),
            Command::ReturnToScript => self.return_to_script(),
            Command::ScrollUp => self.scroll_back += 5,
            Command::ScrollDown => self.scroll_back = self.scroll_back.saturating_sub(5),
            Command::Save => self.save(),
        }
    }

    fn toggle(&mut self, overlay: Overlay) {
        self.overlay = if self.overlay == overlay {
            Overlay::None
        } else {
            overlay
        };
        self.help_scroll = 0;
    }

    /// The quiz of the beat just played, while it waits for its answer: its step index and
    /// the quiz. None once the user has acted freely after it.
    pub fn pending_quiz(&self) -> Option<(usize, &Quiz)> {
        let last = self.session.entries().last()?;
        if last.origin == Origin::Free {
            return None;
        }
        let (step, quiz) = self.session.beat_quiz()?;
        let settled = self.quiz_answers.get(&step).is_some_and(QuizState::settled);
        (!settled).then_some((step, quiz))
    }

    /// While a quiz waits: a digit answers it, `A` reveals the answer, and nothing may play
    /// the answer out (the next beat, or an action on the cluster). True if `command` was
    /// taken here.
    fn quiz_takes(&mut self, command: Command) -> bool {
        let Some((step, quiz)) = self.pending_quiz().map(|(s, q)| (s, q.clone())) else {
            return false;
        };
        let count = quiz.choices.len();
        let state = self.quiz_answers.entry(step).or_default();
        let text = match command {
            Command::SelectServer(n) => match state.pick(&quiz, n) {
                Pick::Right => return true,
                Pick::Wrong => format!(
                    "✗ {n} is not it. Try again (1 to {count}), or press A to reveal the answer"
                ),
                Pick::Again => format!(
                    "{n} was tried already: pick another (1 to {count}), or press A to reveal the answer"
                ),
                Pick::NoSuchChoice => format!(
                    "there is no choice {n}: answer with 1 to {count}, or press A to reveal the answer"
                ),
            },
            Command::RevealAnswer => {
                state.reveal();
                return true;
            }
            Command::NextStep => {
                format!("answer the question first (1 to {count}), or press A to reveal the answer")
            }
            c if c.changes_cluster() => format!(
                "a question is waiting: answer it (1 to {count}) or reveal it (A) before acting"
            ),
            _ => return false,
        };
        self.error(text);
        true
    }

    fn return_to_script(&mut self) {
        self.scroll_back = 0;
        if !self.session.has_script() {
            return self.error("this scenario has no walkthrough to return to".to_string());
        }
        let Some(off) = self.session.off_script() else {
            return self.error("you are on the script already: n plays the next beat".to_string());
        };
        self.session.return_to_script();
        let undone = self.session.can_redo();
        self.status = Some(Status {
            text: format!(
                "back on the script after beat {}: {} undone{}",
                off.beats_played,
                crate::scenario::build::plural(off.free_actions, "free action", "free actions"),
                match (undone, off.free_actions) {
                    (false, _) => "",
                    (true, 1) => " (U redoes it)",
                    (true, _) => " (U redoes them)",
                }
            ),
            is_error: false,
        });
    }

    fn request_count(&self) -> usize {
        self.session
            .entries()
            .iter()
            .filter(|e| {
                matches!(
                    e.action,
                    Some(Action::Server {
                        action: ServerAction::ClientRequest(_),
                        ..
                    })
                )
            })
            .count()
    }

    fn on_server(&mut self, action: ServerAction) {
        self.act(Action::on(self.selected_server, action));
    }

    fn on_selected_message(&mut self, make: fn(u64) -> Action) {
        let id = self
            .selected_message_index()
            .and_then(|i| self.session.cluster().in_flight().nth(i))
            .map(|m| m.id);
        match id {
            Some(id) => self.act(make(id)),
            None => self.error("no message is in flight".to_string()),
        }
    }

    /// Takes a free action. One the model refuses changes nothing and is not kept in the
    /// history; its explanation goes to the bottom line, and so does anything a class must not
    /// miss: a broken invariant, or a "deliver all" that had to stop.
    fn act(&mut self, action: Action) {
        self.scroll_back = 0;
        let acted = match self.session.act(action) {
            Ok(acted) => acted,
            Err(e) => return self.error(e.to_string()),
        };
        let names = crate::raft::Names(self.session.names());
        let explain = |e: &Event| crate::raft::explain(e, names);
        if !acted.recorded {
            let text: Vec<String> = acted.events.iter().map(explain).collect();
            return self.error(text.join(" "));
        }
        let alarm = acted
            .events
            .iter()
            .find(|e| matches!(e, Event::Violation(_) | Event::DeliverAllStopped { .. }))
            .map(explain);
        if let Some(text) = alarm {
            self.error(text);
        }
    }

    /// Plays the next beat. On a state the user changed, the first `n` only warns: the
    /// script was written for its own state, so going on must be a choice.
    fn next_step(&mut self) {
        self.scroll_back = 0;
        let position = self.session.position();
        if let Some(off) = self.session.off_script()
            && off.fresh
            && self.session.next_beat().is_some()
            && self.warned_off_script != Some(position)
        {
            self.warned_off_script = Some(position);
            return self.error(format!(
                "you have left the script ({}). n again plays the next beat on this changed state; b returns to the script",
                crate::scenario::build::plural(off.free_actions, "free action", "free actions")
            ));
        }
        let has_script = self.session.has_script();
        let problem = match self.session.play_beat() {
            Ok(_) => {
                let failed: Vec<String> = self
                    .session
                    .current_beat_entries()
                    .iter()
                    .flat_map(|e| e.mismatches.iter().map(|m| m.to_string()))
                    .collect();
                (!failed.is_empty()).then(|| format!("expectation failed: {}", failed.join("; ")))
            }
            Err(PlayError::NoMoreSteps) if !has_script => {
                Some("this scenario has no walkthrough; act freely with the keys below".to_string())
            }
            Err(PlayError::NoMoreSteps) => Some("the walkthrough has no more beats".to_string()),
            Err(e) if self.session.off_script().is_some() => Some(format!(
                "the next beat cannot play on this changed state: {e}; b returns to the script"
            )),
            Err(e) => Some(e.to_string()),
        };
        if let Some(text) = problem {
            self.error(text);
        }
    }

    fn save(&mut self) {
        match super::save::save_session(&self.session, &self.save_dir) {
            Ok(path) => {
                self.status = Some(Status {
                    text: format!("saved as {}", path.display()),
                    is_error: false,
                })
            }
            Err(e) => self.error(format!("could not save: {e:#}")),
        }
    }

    fn error(&mut self, text: String) {
        self.status = Some(Status {
            text,
            is_error: true,
        });
    }

    /// Whether the selected server is the leader (for the key bar).
    pub fn selected_is_leader(&self) -> bool {
        self.session
            .cluster()
            .server(self.selected_server)
            .is_some_and(|s| s.role == Role::Leader && !s.crashed)
    }
}
