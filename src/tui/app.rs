//! The app's state and what each command does to it. No drawing here (see `view/`) and no
//! terminal (see `mod.rs`), so tests drive it directly.

use super::keymap::{self, Command};
use super::quiz::{Pick, QuizState};
use crate::raft::{Action, Event, LogIndex, Role, ServerAction, ServerId};
use crate::scenario::Quiz;
use crate::session::{Origin, Session};
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
    /// Whether the network picture stands in for the message list (when both do not fit).
    pub show_network: bool,
    /// The log index selected with `[` and `]`; `None` lets the index window follow the
    /// newest entries and the divergence.
    pub selected_index: Option<LogIndex>,
    /// The terminal's size as last seen (`None`: not known, as in tests and exports).
    pub screen: Option<(u16, u16)>,
    /// Time mode: playing or paused, the speed, the breakpoints (see `play.rs`).
    pub play: super::play::Play,
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
            show_network: false,
            selected_index: None,
            screen: None,
            play: super::play::Play::default(),
        }
    }

    /// Tells the app the terminal's size, for what depends on it: whether keys act on a
    /// terminal too small to draw in, and what `m` and PgUp can do.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.screen = Some((width, height));
    }

    /// Handles one key press. On a terminal too small to draw in, only quit and help act.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if self.work.is_some() {
            return self.key_while_working(key);
        }
        self.status = None;
        match keymap::command_for(key) {
            Some(command) if self.too_small() && !self.acts_when_too_small(command) => {
                let (width, height) = self.screen.unwrap_or_default();
                self.error(format!(
                    "the terminal is {width}×{height}, smaller than {}×{}: only q (quit) and ? (help) work until it is larger",
                    super::availability::MIN_WIDTH,
                    super::availability::MIN_HEIGHT
                ));
            }
            Some(command) => self.run(command),
            None if self.overlay != Overlay::None => self.overlay = Overlay::None,
            None => self.error(format!(
                "{} does nothing here; ? lists the keys",
                keymap::event_label(key)
            )),
        }
    }

    fn acts_when_too_small(&self, command: Command) -> bool {
        match command {
            Command::Quit | Command::Help => true,
            // Scrolling the help, when it is open.
            Command::MessageUp | Command::MessageDown | Command::ScrollUp | Command::ScrollDown => {
                self.overlay == Overlay::Help
            }
            _ => false,
        }
    }

    /// Handles a mouse event on a screen of `area`: a left click on a server's panel selects
    /// the server, on a message selects the message. Anything else is ignored.
    pub fn handle_mouse(&mut self, event: MouseEvent, area: ratatui::layout::Rect) {
        if event.kind != MouseEventKind::Down(MouseButton::Left)
            || self.overlay != Overlay::None
            || self.work.is_some()
            || self.too_small()
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
            && !matches!(
                command,
                Command::Help | Command::Ledger | Command::Quit | Command::Break(_)
            )
        {
            self.overlay = Overlay::None;
            return;
        }
        if let Command::SelectServer(choice) = command
            && self.pending_quiz().is_some()
        {
            return self.answer_quiz(choice);
        }
        if let Err(why) = self.availability(command) {
            return self.error(why);
        }
        // A free action happens when the screen says, not at the last timed event.
        if command.changes_cluster() && !matches!(command, Command::Play | Command::NextEvent) {
            self.catch_up();
        }
        let size = self.session.cluster().servers().len();
        match command {
            Command::Quit => self.quit = true,
            Command::Help => self.toggle(Overlay::Help),
            Command::Ledger => self.toggle(Overlay::Ledger),
            Command::SelectServer(n) => self.selected_server = n,
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
            Command::DeliverOldest => self.act(Action::DeliverOldest),
            Command::DeliverAll => self.start_deliver_all(),
            Command::PartitionOrHeal => {
                if self.session.cluster().network().is_split() {
                    self.act(Action::Heal);
                } else {
                    let me = self.selected_server;
                    let rest = (0..size).filter(|&s| s != me).collect();
                    self.act(Action::Partition(vec![vec![me], rest]));
                }
            }
            Command::Play => self.toggle_play(),
            Command::Faster => self.change_speed(true),
            Command::Slower => self.change_speed(false),
            Command::NextEvent => self.next_event(),
            Command::Break(which) => self.toggle_breakpoint(which),
            Command::Undo => {
                self.history_moved();
                let undone = self.last_entry_described();
                if self.session.undo() {
                    self.info(format!("undid {undone}"));
                }
                self.scroll_back = 0;
            }
            Command::Redo => {
                self.history_moved();
                if self.session.redo() {
                    let redone = self.last_entry_described();
                    self.info(format!("redid {redone}"));
                }
                self.scroll_back = 0;
            }
            Command::NextStep => {
                self.history_moved();
                self.next_step()
            }
            Command::PrevStep => {
                self.history_moved();
                // Availability has checked that a beat was played.
                self.session.back_one_beat();
                self.scroll_back = 0;
            }
            Command::RevealAnswer => self.reveal_answer(),
            Command::ReturnToScript => self.return_to_script(),
            Command::ScrollUp => self.scroll_back += super::view::SCROLL_LINES,
            Command::ScrollDown => {
                self.scroll_back = self.scroll_back.saturating_sub(super::view::SCROLL_LINES)
            }
            Command::Save => self.save(),
            Command::ToggleNetwork => self.show_network = !self.show_network,
            Command::IndexLeft => {
                let longest = self.longest_log();
                self.selected_index = Some(match self.selected_index {
                    None => longest,
                    Some(i) => i.saturating_sub(1).clamp(1, longest),
                });
            }
            Command::IndexRight => {
                self.selected_index = match self.selected_index {
                    None => Some(1),
                    Some(i) if i >= self.longest_log() => {
                        self.info(
                            "no index selected: the logs' window follows the newest entries"
                                .to_string(),
                        );
                        None
                    }
                    Some(i) => Some(i + 1),
                };
            }
        }
    }

    /// What undo would undo, or redo just redid: the latest free action as the event log
    /// numbers and names it (`12. deliver all`), or the beat of the walkthrough just played
    /// (`beat 7 of 12: deliver VoteReply b → a; …`), since undo and redo take a whole beat.
    fn last_entry_described(&self) -> String {
        let s = &self.session;
        let entries = s.entries();
        if !s.current_beat_entries().is_empty()
            && let Some(beat) = s.current_beat()
        {
            let what = s
                .describe_beat(beat)
                .unwrap_or_else(|| "words only".to_string());
            return format!("beat {} of {}: {what}", beat + 1, s.beats().len());
        }
        entries.last().map_or_else(String::new, |entry| {
            format!("{}. {}", entries.len(), s.describe(entry))
        })
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

    /// A digit while a quiz waits picks a choice; a wrong one asks again.
    fn answer_quiz(&mut self, choice: usize) {
        let Some((step, quiz)) = self.pending_quiz().map(|(s, q)| (s, q.clone())) else {
            return;
        };
        let count = quiz.choices.len();
        let text = match self
            .quiz_answers
            .entry(step)
            .or_default()
            .pick(&quiz, choice)
        {
            Pick::Right => return,
            Pick::Wrong => format!(
                "✗ {choice} is not it. Try again (1 to {count}), or press A to reveal the answer"
            ),
            Pick::Again => format!(
                "{choice} was tried already: pick another (1 to {count}), or press A to reveal the answer"
            ),
            Pick::NoSuchChoice => format!(
                "there is no choice {choice}: answer with 1 to {count}, or press A to reveal the answer"
            ),
        };
        self.error(text);
    }

    /// `A`: reveals the answer of the quiz waiting (availability has checked there is one).
    fn reveal_answer(&mut self) {
        if let Some((step, _)) = self.pending_quiz() {
            self.quiz_answers.entry(step).or_default().reveal();
        }
    }

    /// `b`: undoes the free actions and returns to where the script was left (availability
    /// has checked that it was left).
    fn return_to_script(&mut self) {
        self.history_moved();
        self.scroll_back = 0;
        let Some(off) = self.session.off_script() else {
            return;
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
    pub(super) fn act(&mut self, action: Action) {
        let _ = self.act_recorded(action);
    }

    /// [`App::act`], returning the events of an action that was recorded.
    pub(super) fn act_recorded(&mut self, action: Action) -> Option<Vec<Event>> {
        self.scroll_back = 0;
        let acted = match self.session.act(action) {
            Ok(acted) => acted,
            Err(e) => {
                self.error(e.to_string());
                return None;
            }
        };
        let names = crate::raft::Names(self.session.names());
        let explain = |e: &Event| crate::raft::explain(e, names);
        if !acted.recorded {
            let text: Vec<String> = acted.events.iter().map(explain).collect();
            self.error(text.join(" "));
            return None;
        }
        let alarm = acted
            .events
            .iter()
            .find(|e| matches!(e, Event::Violation(_) | Event::DeliverAllStopped { .. }))
            .map(explain);
        if let Some(text) = alarm {
            self.error(text);
        }
        Some(acted.events)
    }

    /// Plays the next beat (availability has checked that there is a walkthrough and a beat
    /// left, and no quiz waiting). On a state the user changed, the first `n` only warns: the
    /// script was written for its own state, so going on must be a choice.
    fn next_step(&mut self) {
        self.scroll_back = 0;
        let position = self.session.position();
        if let Some(off) = self.session.off_script()
            && off.fresh
            && self.warned_off_script != Some(position)
        {
            self.warned_off_script = Some(position);
            return self.error(format!(
                // Short enough for the bottom line of 80 columns; the box says the rest.
                "you left the script ({}): n again goes on anyway; b returns to it",
                crate::scenario::build::plural(off.free_actions, "free action", "free actions")
            ));
        }
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
            // A step of the beat cannot apply: only a state the user changed can do that.
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

    pub(super) fn info(&mut self, text: String) {
        self.status = Some(Status {
            text,
            is_error: false,
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
