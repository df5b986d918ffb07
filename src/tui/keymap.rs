//! Every key binding, in one table. Input handling, the help overlay and the key bar are all
//! generated from it, so they cannot drift apart.

use super::play::Breakpoint;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks the app to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    /// Select server N.
    SelectServer(usize),
    /// Select the next server.
    NextServer,
    /// Select the previous server.
    PrevServer,
    /// Election timeout on the selected server.
    Timeout,
    /// Crash the selected server, or restart it if crashed.
    CrashOrRestart,
    /// Client request to the selected server.
    Request,
    /// Heartbeat from the selected server.
    Heartbeat,
    /// Select the message above.
    MessageUp,
    /// Select the message below.
    MessageDown,
    /// Deliver the selected message.
    Deliver,
    /// Drop the selected message.
    Drop,
    /// Duplicate the selected message.
    Duplicate,
    /// Deliver the oldest message.
    DeliverOldest,
    /// Deliver everything.
    DeliverAll,
    /// Partition the selected server away, or heal (the partition and every cut link).
    PartitionOrHeal,
    /// Undo.
    Undo,
    /// Redo.
    Redo,
    /// Play the next beat of the walkthrough.
    NextStep,
    /// Go back one beat of the walkthrough.
    PrevStep,
    /// Reveal the answer of the quiz waiting.
    RevealAnswer,
    /// Undo the free actions taken in a walkthrough and return to where the script was left.
    ReturnToScript,
    /// Scroll the event log up (older).
    ScrollUp,
    /// Scroll the event log down (newer).
    ScrollDown,
    /// Save the session as a scenario file.
    Save,
    /// Show or hide the help.
    Help,
    /// Show or hide the vote ledger.
    Ledger,
    /// Quit.
    Quit,
    /// Switch the network picture with the message list (when both do not fit).
    ToggleNetwork,
    /// Select the log index to the left (the index window follows it).
    IndexLeft,
    /// Select the log index to the right; past the last, back to following the newest.
    IndexRight,
    /// Start the clock and play, or pause / play on.
    Play,
    /// Play faster.
    Faster,
    /// Play slower.
    Slower,
    /// The next timed event, now.
    NextEvent,
    /// Turn a breakpoint on or off (in the help).
    Break(super::play::Breakpoint),
}

impl Command {
    /// Whether the command acts on the cluster (a free action, taken from the keyboard).
    pub fn changes_cluster(self) -> bool {
        matches!(
            self,
            Command::Timeout
                | Command::CrashOrRestart
                | Command::Request
                | Command::Heartbeat
                | Command::Deliver
                | Command::Drop
                | Command::Duplicate
                | Command::DeliverOldest
                | Command::DeliverAll
                | Command::PartitionOrHeal
                | Command::Play
                | Command::NextEvent
        )
    }
}

/// Which part of the help a binding belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Choosing a server.
    Servers,
    /// Acting on the selected server.
    Server,
    /// Acting on messages.
    Messages,
    /// Walkthrough and history.
    Walkthrough,
    /// Time mode.
    Time,
    /// Everything else.
    General,
}

impl Group {
    /// The heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Group::Servers => "Choose a server",
            Group::Server => "The selected server",
            Group::Messages => "Messages in flight",
            Group::Walkthrough => "Walkthrough and history",
            Group::Time => "Time",
            Group::General => "General",
        }
    }

    /// Every group, in help order.
    pub const ALL: [Group; 6] = [
        Group::Servers,
        Group::Server,
        Group::Messages,
        Group::Walkthrough,
        Group::Time,
        Group::General,
    ];
}

/// Where a binding goes in the key bar. Whether it shows also depends on whether its command
/// can do anything now (`App::availability`), and on the room left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bar {
    /// Never: the help lists it (a second key of a pair, say).
    Never,
    /// Always, at the right, never crowded out (help, quit).
    Essential,
    /// When it applies, in this order (lower first) while there is room.
    Rank(u8),
}

/// A key: code plus modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key code.
    pub code: KeyCode,
    /// Ctrl, Shift, …
    pub modifiers: KeyModifiers,
}

const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

/// One binding: its keys, its command and how it is described.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// The keys (the first is the one shown in the key bar).
    pub keys: &'static [Key],
    /// What it does.
    pub command: Command,
    /// A word or two for the key bar.
    pub short: &'static str,
    /// A sentence for the help overlay.
    pub help: &'static str,
    /// Its help section.
    pub group: Group,
    /// Where the key bar shows it.
    pub bar: Bar,
}

const DIGITS: [Key; 10] = [
    key('0'),
    key('1'),
    key('2'),
    key('3'),
    key('4'),
    key('5'),
    key('6'),
    key('7'),
    key('8'),
    key('9'),
];

/// Where `t` goes in the key bar while time is off: after the actions of a hand-stepped
/// lesson. Once the clock runs, play/pause comes before them ([`TIME_ON_RANK`]).
pub const TIME_OFF_RANK: u8 = 58;
/// Where `t` goes in the key bar once the clock runs.
pub const TIME_ON_RANK: u8 = 15;

/// The table.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    Binding { keys: &DIGITS, command: Command::SelectServer(0), short: "server", help: "select server 0–8 (or answer a quiz)", group: Group::Servers, bar: Bar::Never },
    Binding { keys: &[code(KeyCode::Tab)], command: Command::NextServer, short: "next server", help: "select the next server", group: Group::Servers, bar: Bar::Rank(60) },
    Binding { keys: &[code(KeyCode::BackTab)], command: Command::PrevServer, short: "prev server", help: "select the previous server", group: Group::Servers, bar: Bar::Never },
    Binding { keys: &[key('c')], command: Command::Timeout, short: "timeout", help: "election timeout: the server becomes a candidate", group: Group::Server, bar: Bar::Rank(20) },
    Binding { keys: &[key('k')], command: Command::CrashOrRestart, short: "crash", help: "crash the server, or restart it if crashed", group: Group::Server, bar: Bar::Rank(22) },
    Binding { keys: &[key('r')], command: Command::Request, short: "request", help: "client request (only a leader takes it)", group: Group::Server, bar: Bar::Rank(21) },
    Binding { keys: &[key('h')], command: Command::Heartbeat, short: "heartbeat", help: "heartbeat: the leader sends AppendEntries to all", group: Group::Server, bar: Bar::Rank(23) },
    Binding { keys: &[key('P')], command: Command::PartitionOrHeal, short: "partition", help: "cut the server off from the rest, or heal (cut links too)", group: Group::Server, bar: Bar::Rank(50) },
    Binding { keys: &[code(KeyCode::Up)], command: Command::MessageUp, short: "message", help: "select the message above", group: Group::Messages, bar: Bar::Rank(14) },
    Binding { keys: &[code(KeyCode::Down)], command: Command::MessageDown, short: "select", help: "select the message below", group: Group::Messages, bar: Bar::Never },
    Binding { keys: &[key('d'), code(KeyCode::Enter)], command: Command::Deliver, short: "deliver", help: "deliver the selected message", group: Group::Messages, bar: Bar::Rank(10) },
    Binding { keys: &[key('x')], command: Command::Drop, short: "drop", help: "drop the selected message", group: Group::Messages, bar: Bar::Rank(11) },
    Binding { keys: &[key('D')], command: Command::Duplicate, short: "duplicate", help: "duplicate the selected message", group: Group::Messages, bar: Bar::Rank(40) },
    Binding { keys: &[key(' ')], command: Command::DeliverOldest, short: "oldest", help: "deliver the oldest message", group: Group::Messages, bar: Bar::Rank(41) },
    Binding { keys: &[key('a')], command: Command::DeliverAll, short: "deliver all", help: "deliver everything, oldest first", group: Group::Messages, bar: Bar::Rank(12) },
    Binding { keys: &[key('m')], command: Command::ToggleNetwork, short: "network", help: "show the network picture in place of the message list, or back", group: Group::Messages, bar: Bar::Rank(30) },
    Binding { keys: &[key('n'), code(KeyCode::Right)], command: Command::NextStep, short: "next", help: "play the next beat of the walkthrough", group: Group::Walkthrough, bar: Bar::Rank(0) },
    Binding { keys: &[key('p'), code(KeyCode::Left)], command: Command::PrevStep, short: "back", help: "go back one beat of the walkthrough", group: Group::Walkthrough, bar: Bar::Rank(1) },
    Binding { keys: &[key('A')], command: Command::RevealAnswer, short: "reveal", help: "reveal a quiz's answer (number keys answer it)", group: Group::Walkthrough, bar: Bar::Rank(2) },
    Binding { keys: &[key('b')], command: Command::ReturnToScript, short: "back to script", help: "return to where you left the script (undoes free actions)", group: Group::Walkthrough, bar: Bar::Rank(3) },
    Binding { keys: &[key('u')], command: Command::Undo, short: "undo", help: "undo the last action, or the whole last beat", group: Group::Walkthrough, bar: Bar::Rank(25) },
    Binding { keys: &[key('U'), ctrl('r')], command: Command::Redo, short: "redo", help: "redo", group: Group::Walkthrough, bar: Bar::Rank(26) },
    Binding { keys: &[key('t')], command: Command::Play, short: "time", help: "time mode: start the clock and play, or pause / play on", group: Group::Time, bar: Bar::Rank(TIME_OFF_RANK) },
    Binding { keys: &[key('.')], command: Command::NextEvent, short: "next event", help: "the next timed event now: an arrival, a heartbeat, a timeout", group: Group::Time, bar: Bar::Rank(16) },
    Binding { keys: &[key('+'), key('=')], command: Command::Faster, short: "faster", help: "play faster (up to 10× real time)", group: Group::Time, bar: Bar::Rank(31) },
    Binding { keys: &[key('-')], command: Command::Slower, short: "slower", help: "play slower (down to 0.1× real time)", group: Group::Time, bar: Bar::Rank(32) },
    Binding { keys: &[key('E')], command: Command::Break(Breakpoint::NewLeader), short: "break: leader", help: "in this help: pause on a new leader, or not", group: Group::Time, bar: Bar::Never },
    Binding { keys: &[key('S')], command: Command::Break(Breakpoint::SplitVote), short: "break: split", help: "in this help: pause on a split vote, or not", group: Group::Time, bar: Bar::Never },
    Binding { keys: &[key('I')], command: Command::Break(Breakpoint::Violation), short: "break: invariant", help: "in this help: pause on a broken invariant, or not", group: Group::Time, bar: Bar::Never },
    Binding { keys: &[key('['), key(']')], command: Command::IndexLeft, short: "index", help: "select the log index left / right; the window follows it", group: Group::General, bar: Bar::Rank(62) },
    Binding { keys: &[code(KeyCode::PageUp)], command: Command::ScrollUp, short: "older", help: "scroll the event log back", group: Group::General, bar: Bar::Rank(61) },
    Binding { keys: &[code(KeyCode::PageDown)], command: Command::ScrollDown, short: "newer", help: "scroll the event log forward", group: Group::General, bar: Bar::Rank(27) },
    Binding { keys: &[key('v')], command: Command::Ledger, short: "ledger", help: "vote ledger: who voted for whom in each term, and why", group: Group::General, bar: Bar::Rank(51) },
    Binding { keys: &[key('s')], command: Command::Save, short: "save", help: "save this session as a scenario file", group: Group::General, bar: Bar::Rank(52) },
    Binding { keys: &[key('?'), code(KeyCode::F(1))], command: Command::Help, short: "help", help: "show or hide the keys and the legend of every mark on screen", group: Group::General, bar: Bar::Essential },
    Binding { keys: &[key('q'), ctrl('c')], command: Command::Quit, short: "quit", help: "quit", group: Group::General, bar: Bar::Essential },
];

/// The command for a key press, if any.
pub fn command_for(event: KeyEvent) -> Option<Command> {
    // Shift is part of the character for letters ('D', 'U', 'P'), so compare without it.
    let modifiers = event.modifiers - KeyModifiers::SHIFT;
    BINDINGS.iter().find_map(|binding| {
        binding
            .keys
            .iter()
            .position(|k| k.code == event.code && k.modifiers == modifiers)
            .map(|i| match binding.command {
                Command::SelectServer(_) => Command::SelectServer(i),
                Command::IndexLeft if i == 1 => Command::IndexRight,
                other => other,
            })
    })
}

/// The key or keys the key bar shows for a binding: both arrows of a pair, say.
pub fn bar_key(binding: &Binding) -> String {
    match binding.command {
        Command::MessageUp => "↑↓".to_string(),
        Command::IndexLeft => "[ ]".to_string(),
        _ => key_label(&binding.keys[0]),
    }
}

/// How a key is written in the help and the key bar.
pub fn key_label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::Up => "↑".to_string(),
        KeyCode::Down => "↓".to_string(),
        KeyCode::Left => "←".to_string(),
        KeyCode::Right => "→".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        KeyCode::Backspace => "Backspace".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Insert => "Insert".to_string(),
        KeyCode::Delete => "Delete".to_string(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// How a key press is written when telling the user it does nothing.
pub fn event_label(event: KeyEvent) -> String {
    let modifiers = event.modifiers - KeyModifiers::SHIFT;
    key_label(&Key {
        code: event.code,
        modifiers,
    })
}

/// All keys of a binding, for the help: `0–9`, `d / Enter`.
pub fn keys_label(binding: &Binding) -> String {
    if matches!(binding.command, Command::SelectServer(_)) {
        return "0–9".to_string();
    }
    let labels: Vec<String> = binding.keys.iter().map(key_label).collect();
    labels.join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = Vec::new();
        for binding in BINDINGS {
            for k in binding.keys {
                assert!(!seen.contains(k), "{} is bound twice", key_label(k));
                seen.push(*k);
            }
        }
    }

    #[test]
    fn keys_map_to_their_commands() {
        assert_eq!(
            command_for(press(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Command::Timeout)
        );
        assert_eq!(
            command_for(press(KeyCode::Char('D'), KeyModifiers::SHIFT)),
            Some(Command::Duplicate)
        );
        assert_eq!(
            command_for(press(KeyCode::Char('4'), KeyModifiers::NONE)),
            Some(Command::SelectServer(4))
        );
        assert_eq!(
            command_for(press(KeyCode::Char('r'), KeyModifiers::CONTROL)),
            Some(Command::Redo)
        );
        assert_eq!(
            command_for(press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Command::Quit)
        );
        assert_eq!(
            command_for(press(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Command::Deliver)
        );
        assert_eq!(
            command_for(press(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            command_for(press(KeyCode::Char(']'), KeyModifiers::NONE)),
            Some(Command::IndexRight)
        );
        assert_eq!(
            command_for(press(KeyCode::Char('9'), KeyModifiers::NONE)),
            Some(Command::SelectServer(9))
        );
        assert_eq!(
            command_for(press(KeyCode::F(1), KeyModifiers::NONE)),
            Some(Command::Help)
        );
    }
}

#[cfg(test)]
mod readme {
    use super::*;

    /// The README's key table, as the keymap makes it: one row per binding, in the help's
    /// order.
    fn key_table() -> String {
        let mut table = String::from("| keys | what they do |\n|---|---|\n");
        for group in Group::ALL {
            for binding in BINDINGS.iter().filter(|b| b.group == group) {
                let keys = match binding.command {
                    Command::SelectServer(_) => "`0`–`9`".to_string(),
                    _ => binding
                        .keys
                        .iter()
                        .map(|k| format!("`{}`", key_label(k)))
                        .collect::<Vec<_>>()
                        .join(" / "),
                };
                table.push_str(&format!("| {keys} | {} |\n", binding.help));
            }
        }
        table
    }

    /// The README's key table is the keymap's: a change to either without the other fails
    /// here, printing the table to paste.
    #[test]
    fn the_readme_key_table_is_the_keymap() {
        let readme = include_str!("../../README.md");
        let table = key_table();
        assert!(
            readme.contains(&table),
            "README.md's key table differs from the keymap; it should read:\n\n{table}"
        );
    }
}
