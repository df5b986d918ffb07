//! The help overlay: every key, from the key table, then a legend of every mark and
//! abbreviation that can appear on screen.

use super::style;
use crate::tui::keymap::{self, BINDINGS, Command, Group};
use crate::tui::play::Breakpoints;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

/// The legend: (mark, what it means), by part of the screen.
pub const LEGEND: &[(&str, &[(&str, &str)])] = &[
    (
        "Servers (the grid and the network picture)",
        &[
            ("★ LEADER", "leader (★ lead in short); in yellow"),
            (
                "◆ CANDIDATE",
                "candidate (◆ cand), asking for votes; in magenta",
            ),
            ("· FOLLOWER", "follower (· foll); in cyan"),
            (
                "✗ CRASHED",
                "crashed (✗ down): keeps term, vote and log; in red",
            ),
            ("▶", "the selected server (and the selected message)"),
            ("⌁1", "the server's group while the network is split"),
            ("*", "changed by the last action or beat"),
            ("—", "none: no vote in this term, no leader known"),
        ],
    ),
    (
        "The log grid (read it column by column, as the paper's Figures 6–8)",
        &[
            (
                "1 2 3 …",
                "log indices; ‹ › more on either side (21–40 of 60)",
            ),
            ("▲", "under the index selected with [ and ]"),
            ("4 on colour", "an entry: its term, on its term's colour"),
            ("ldr, cmt", "leader the server follows; its commit index"),
            ("┃", "entries left of it are committed (bold, underlined)"),
            ("≠", "from here the log differs from the compared one"),
            ("+", "from here the log runs past the compared one"),
            (
                "vs a (top left)",
                "≠ + compare with a's log: leader's, else selected's",
            ),
            (
                "next/match, nx/mt",
                "the leader's next_index / match_index for the server",
            ),
            (
                "votes ✓a ✗b ?c",
                "granted, refused, no answer yet (details)",
            ),
        ],
    ),
    (
        "Messages",
        &[
            ("#12 a→d", "message 12, from a to d"),
            ("t9", "the sender's term"),
            ("RequestVote, RV", "a candidate asks for a vote"),
            (
                "last (9, 6)",
                "the candidate's last log index and term (§5.4.1)",
            ),
            ("VoteReply ✓ / ✗, vote", "vote granted / refused"),
            (
                "AppendEntries, AE",
                "the leader replicates entries or sends a heartbeat",
            ),
            (
                "prev (9, 6) +3",
                "prev_log_index and prev_log_term, then 3 entries",
            ),
            ("commit 0, c0", "the leader's commit index"),
            (
                "AppendReply ✓ match 9",
                "append accepted: the log matches up to 9",
            ),
            (
                "AppendReply ✗, reply ✗",
                "append rejected: the log did not match",
            ),
            ("↘ (network)", "the direction a message travels"),
            (
                "lines (network)",
                "messages: votes cyan, appends green, selected white",
            ),
            (
                "•••• (network)",
                "a wall between the groups of a split network",
            ),
            (
                "╳ ╳→ (network)",
                "a link cut both ways; one way, lost the way → points",
            ),
            (
                "+N more ↓",
                "in the In flight title: out of view; ↑/↓ reach them",
            ),
        ],
    ),
    (
        "The walkthrough box",
        &[
            ("beat 7 of 12", "beats played (n plays the next) / all"),
            (
                "✓ 2 checks hold",
                "the beat's expectations held (✗ lists any not)",
            ),
            ("next: …", "what n plays next"),
            ("✗ 1)  ✓ 2)", "a choice tried and wrong; the right answer"),
            (
                "⚠ Off the script",
                "you acted freely: b returns to the script",
            ),
            ("… 3 more lines", "cut: a taller terminal shows the rest"),
        ],
    ),
    (
        "Time mode (t)",
        &[
            (
                "t 1.234 s ▶ 0.2×",
                "simulated time, playing, at 0.2× real time",
            ),
            ("‖", "time paused: t plays on, . is the next event"),
            (
                " ██▍·· 183",
                "election timer: what is left, of the 183 ms drawn",
            ),
            (
                "♥███▌·  50",
                "a leader's heartbeat: the next is due when empty",
            ),
            ("✎", "writing term, vote or log to disk; answers wait"),
            ("in 12 ms", "when a message arrives (✎8: still on disk)"),
            ("moving line", "a message on its way: what is left of it"),
            ("12. 235.0 ms · …", "a step and the time it ended at"),
        ],
    ),
    (
        "Header and event log",
        &[
            ("beat 7/12", "the walkthrough's beats played / all"),
            ("history 19", "actions done so far (u undoes them)"),
            (
                "UNSAFE START",
                "the file starts from a state Raft cannot reach",
            ),
            (
                "expect 6✓ 0✗",
                "expectations of the walkthrough held / failed",
            ),
            ("invariants ✓", "no safety property broken (else in red)"),
            ("▌", "the event log's lines of the newest beat or action"),
            ("⚠ S1 grants …", "a mutant decided against Raft's rule here"),
            ("steps 12–20", "the steps the event log shows"),
            ("(§5.3)", "the section of the Raft paper behind a rule"),
            ("…", "a name or a line cut to fit"),
        ],
    ),
];

/// The help's lines: the key table, then the legend. A breakpoint's line says whether it is
/// on (☑ on) or off (☐ off).
fn help_lines(breakpoints: &Breakpoints) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for group in Group::ALL {
        lines.push(Line::styled(group.title(), style::heading()));
        for binding in BINDINGS.iter().filter(|b| b.group == group) {
            let state = match binding.command {
                Command::Break(which) if breakpoints.is_on(which) => " · ☑ on",
                Command::Break(_) => " · ☐ off",
                _ => "",
            };
            lines.push(Line::from(vec![
                Span::raw(format!("  {:<14}", keymap::keys_label(binding))),
                Span::raw(binding.help),
                Span::styled(state, style::heading()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("What the marks mean", style::heading()));
    for (part, marks) in LEGEND {
        lines.push(Line::styled(*part, style::heading()));
        for (mark, meaning) in *marks {
            let pad = 22usize.saturating_sub(super::text::width_of(mark));
            lines.push(Line::from(vec![
                Span::styled(format!("  {mark}"), Style::new()),
                Span::raw(" ".repeat(pad)),
                Span::styled(*meaning, Style::new()),
            ]));
        }
    }
    lines
}

/// How many help lines there are (the app clamps its scrolling with it).
pub fn help_line_count() -> usize {
    help_lines(&Breakpoints::default()).len()
}

/// The help over `area`, scrolled down `scroll` lines.
pub fn render(area: Rect, buf: &mut Buffer, scroll: usize, breakpoints: &Breakpoints) {
    let lines = help_lines(breakpoints);
    let popup = super::centered(area, 84, lines.len() as u16 + 2);
    let visible = popup.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    let title = if visible < lines.len() {
        " Keys and marks · ↑↓ PgUp PgDn scroll · E S I breakpoints · q quits · others close "
    } else {
        " Keys and marks · E S I breakpoints · q quits · other keys close "
    };
    Clear.render(popup, buf);
    Paragraph::new(lines[scroll..].to_vec())
        .block(Block::bordered().title(title))
        .render(popup, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of the help fits an 80-column terminal inside the popup's borders.
    #[test]
    fn every_help_line_fits_80_columns() {
        for line in help_lines(&Breakpoints::default()) {
            assert!(line.width() <= 78, "{} columns: {line}", line.width());
        }
    }
}
