//! What each command can do now, and if nothing, why (gitui's command availability). The key
//! bar shows the commands that apply; a key that cannot act puts the reason on the bottom line.
//! Refusals that are the model's to decide (a timeout on a leader, a request to a follower) are
//! asked of the model itself, on a copy of the selected server, so the rule stays in one place.

use super::app::App;
use super::keymap::{Binding, Command};
use crate::raft::{Event, Names, ServerAction};
use std::sync::Arc;

/// The smallest terminal raftwalk draws in.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal raftwalk draws in.
pub const MIN_HEIGHT: u16 = 24;

/// What the drawn screen knows and some commands depend on. Drawing has it at hand; a key
/// press works it out for the terminal's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScreenFacts {
    /// Whether the network picture and the message list are both on screen.
    pub network_beside: bool,
    /// Whether the event log has older lines above those shown.
    pub can_scroll_back: bool,
}

impl App {
    /// `Ok` when `command` would do something now; otherwise why not, in a sentence for the
    /// bottom line.
    pub fn availability(&self, command: Command) -> Result<(), String> {
        self.availability_on(command, None)
    }

    /// [`App::availability`], with what the screen drawn knows (`None`: work it out).
    pub fn availability_on(
        &self,
        command: Command,
        screen: Option<ScreenFacts>,
    ) -> Result<(), String> {
        let facts = || screen.unwrap_or_else(|| self.screen_facts());
        let cluster = self.session.cluster();
        let size = cluster.servers().len();
        let in_flight = cluster.in_flight().len();
        let no_messages = || Err("no message is in flight".to_string());
        // While a quiz waits, nothing may play its answer out: not the next beat, not an
        // action on the cluster. (Its digits are taken before availability is asked.)
        if let Some((_, quiz)) = self.pending_quiz() {
            let count = quiz.choices.len();
            if command == Command::NextStep {
                return Err(format!(
                    "answer the question first (1 to {count}), or press A to reveal the answer"
                ));
            }
            if command.changes_cluster() {
                return Err(format!(
                    "a question is waiting: answer it (1 to {count}) or reveal it (A) before acting"
                ));
            }
        }
        match command {
            Command::Quit | Command::Help | Command::Ledger | Command::Save => Ok(()),
            Command::SelectServer(n) if n < size => Ok(()),
            Command::SelectServer(n) if size == 1 => Err(format!(
                "there is no server {n}: the only server is 0 ({})",
                self.name(0)
            )),
            Command::SelectServer(n) => Err(format!(
                "there is no server {n}: ids run from 0 to {}",
                size - 1
            )),
            Command::NextServer | Command::PrevServer if size == 1 => {
                Err("there is only one server".to_string())
            }
            Command::NextServer | Command::PrevServer => Ok(()),
            Command::Timeout => self.model_refusal(ServerAction::Timeout),
            Command::Request => self.model_refusal(ServerAction::ClientRequest(Arc::from("x"))),
            Command::Heartbeat => self.model_refusal(ServerAction::Heartbeat),
            Command::CrashOrRestart => Ok(()),
            Command::PartitionOrHeal if cluster.network().is_split() => Ok(()),
            Command::PartitionOrHeal if size == 1 => Err(format!(
                "a one-server cluster cannot be split: there is no one to cut {} off from",
                self.name(0)
            )),
            Command::PartitionOrHeal => Ok(()),
            Command::MessageUp | Command::MessageDown if in_flight == 0 => no_messages(),
            Command::MessageUp if self.selected_message_index() == Some(0) => {
                Err("the first message is already selected".to_string())
            }
            Command::MessageDown if self.selected_message_index() == Some(in_flight - 1) => {
                Err("the last message is already selected".to_string())
            }
            Command::MessageUp | Command::MessageDown => Ok(()),
            Command::Deliver
            | Command::Drop
            | Command::Duplicate
            | Command::DeliverOldest
            | Command::DeliverAll
                if in_flight == 0 =>
            {
                no_messages()
            }
            Command::Deliver
            | Command::Drop
            | Command::Duplicate
            | Command::DeliverOldest
            | Command::DeliverAll => Ok(()),
            Command::Undo if !self.session.can_undo() => {
                Err("nothing to undo: this is the start".to_string())
            }
            Command::Redo if !self.session.can_redo() => Err("nothing to redo".to_string()),
            Command::Undo | Command::Redo => Ok(()),
            Command::NextStep if !self.session.has_script() => Err(
                "this scenario has no walkthrough; act freely with the keys below".to_string(),
            ),
            Command::NextStep if self.session.next_beat().is_none() => {
                Err("the walkthrough has no more beats".to_string())
            }
            Command::NextStep => Ok(()),
            Command::PrevStep if self.session.script_position() == 0 => {
                Err("this is the start of the walkthrough".to_string())
            }
            Command::PrevStep => Ok(()),
            Command::RevealAnswer if self.pending_quiz().is_none() => {
                Err("no question is waiting for an answer".to_string())
            }
            Command::RevealAnswer => Ok(()),
            Command::ReturnToScript if !self.session.has_script() => {
                Err("this scenario has no walkthrough to return to".to_string())
            }
            Command::ReturnToScript if self.session.off_script().is_none() => {
                Err("you are on the script already: n plays the next beat".to_string())
            }
            Command::ReturnToScript => Ok(()),
            Command::ScrollUp if self.session.entries().is_empty() => {
                Err("nothing has happened yet".to_string())
            }
            Command::ScrollUp if !facts().can_scroll_back => {
                Err("the event log already shows its oldest line".to_string())
            }
            Command::ScrollUp => Ok(()),
            Command::ScrollDown if self.scroll_back == 0 => {
                Err("the event log already shows the newest step".to_string())
            }
            Command::ScrollDown => Ok(()),
            Command::ToggleNetwork if facts().network_beside => Err(
                "the network picture is already on screen, beside the logs (m switches it only when both do not fit)"
                    .to_string(),
            ),
            Command::ToggleNetwork => Ok(()),
            Command::IndexLeft | Command::IndexRight if self.longest_log() == 0 => {
                Err("every log is empty: there is no index to select".to_string())
            }
            Command::IndexLeft if self.selected_index == Some(1) => {
                Err("index 1 is the first; ] goes right".to_string())
            }
            Command::IndexLeft | Command::IndexRight => Ok(()),
            Command::Play => Ok(()),
            Command::Faster | Command::Slower | Command::NextEvent if cluster.clock().is_none() => {
                Err("time is off: t starts the clock".to_string())
            }
            Command::Faster if self.play.speed + 1 >= super::play::SPEEDS.len() => Err(format!(
                "{} is the fastest; - slows down",
                self.play.speed_label()
            )),
            Command::Slower if self.play.speed == 0 => Err(format!(
                "{} is the slowest; + speeds up",
                self.play.speed_label()
            )),
            Command::Faster | Command::Slower => Ok(()),
            Command::NextEvent if !self.something_scheduled() => {
                Err(crate::raft::NetworkError::NothingScheduled.to_string())
            }
            Command::NextEvent => Ok(()),
            Command::Break(_) if self.overlay != super::app::Overlay::Help => Err(
                "breakpoints are turned on and off in the help: press ? first".to_string(),
            ),
            Command::Break(_) => Ok(()),
        }
    }

    /// Whether any key of `binding` can act now on the screen drawn (for the key bar).
    pub fn binding_available(&self, binding: &Binding, screen: ScreenFacts) -> bool {
        let available = |command| self.availability_on(command, Some(screen)).is_ok();
        match binding.command {
            Command::MessageUp => available(Command::MessageUp) || available(Command::MessageDown),
            Command::IndexLeft => available(Command::IndexLeft) || available(Command::IndexRight),
            command => available(command),
        }
    }

    /// The word the key bar shows for `binding` now: `k restart` on a crashed server.
    pub fn bar_word(&self, binding: &Binding) -> &'static str {
        let cluster = self.session.cluster();
        match binding.command {
            Command::CrashOrRestart
                if cluster
                    .server(self.selected_server)
                    .is_some_and(|s| s.crashed) =>
            {
                "restart"
            }
            Command::PartitionOrHeal if cluster.network().is_split() => "heal",
            Command::ToggleNetwork if self.show_network => "messages",
            Command::Play if cluster.clock().is_none() => "time",
            Command::Play if self.play.playing => "pause",
            Command::Play => "play",
            _ => binding.short,
        }
    }

    /// Where `binding` goes in the key bar now (`rank` is the table's): play/pause moves to the
    /// front once the clock runs.
    pub fn bar_rank(&self, binding: &Binding, rank: u8) -> u8 {
        match binding.command {
            Command::Play if self.session.cluster().clock().is_some() => {
                super::keymap::TIME_ON_RANK
            }
            _ => rank,
        }
    }

    /// The longest log's length.
    pub fn longest_log(&self) -> usize {
        self.session
            .cluster()
            .servers()
            .iter()
            .map(|s| s.log.len())
            .max()
            .unwrap_or(0)
    }

    /// Whether the terminal (as last told by [`App::resize`]) is too small to draw in.
    pub fn too_small(&self) -> bool {
        self.screen
            .is_some_and(|(w, h)| w < MIN_WIDTH || h < MIN_HEIGHT)
    }

    fn name(&self, id: usize) -> String {
        Names(self.session.names()).of(id)
    }

    /// Asks the model whether the selected server would refuse `action`, on a copy.
    fn model_refusal(&self, action: ServerAction) -> Result<(), String> {
        let Some(server) = self.session.cluster().server(self.selected_server) else {
            return Err("no server is selected".to_string());
        };
        let mut trial = server.clone();
        trial.perform(&action);
        match trial
            .pending_events()
            .iter()
            .find(|e| matches!(e, Event::Refused { .. }))
        {
            Some(refusal) => Err(crate::raft::explain(refusal, Names(self.session.names()))),
            None => Ok(()),
        }
    }
}
