//! Colours and glyphs, used for meaning only: role, term, message kind, trouble. Every colour
//! has a glyph or word beside it, so the screen reads without colour (NO_COLOR).

use crate::raft::{MessageKind, RaftServer, Role, Term};
use ratatui::style::{Color, Modifier, Style};

/// The glyph for a server's state: ★ leader, ◆ candidate, · follower, ✗ crashed.
pub fn role_glyph(server: &RaftServer) -> &'static str {
    if server.crashed {
        return "✗";
    }
    match server.role {
        Role::Leader => "★",
        Role::Candidate => "◆",
        Role::Follower => "·",
    }
}

/// The colour of a role: each its own, none the border's grey.
pub fn role_style(server: &RaftServer) -> Style {
    if server.crashed {
        return Style::new().fg(Color::LightRed);
    }
    role_color_style(server.role)
}

/// The colour of a live server's role.
pub fn role_color_style(role: Role) -> Style {
    match role {
        Role::Leader => Style::new()
            .fg(Color::LightYellow)
            .add_modifier(Modifier::BOLD),
        Role::Candidate => Style::new()
            .fg(Color::LightMagenta)
            .add_modifier(Modifier::BOLD),
        Role::Follower => Style::new().fg(Color::LightCyan),
    }
}

/// The borders and rules between panes.
pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// The background of each term, as the paper colours its figures: consecutive terms always
/// differ, and dark text reads on every one.
const TERM_COLORS: [Color; 6] = [
    Color::LightBlue,
    Color::LightGreen,
    Color::LightMagenta,
    Color::LightYellow,
    Color::LightCyan,
    Color::LightRed,
];

/// The colour of a term.
pub fn term_color(term: Term) -> Color {
    TERM_COLORS[(term as usize) % TERM_COLORS.len()]
}

/// Each term its own colour, so equal terms line up visibly across logs (for text).
pub fn term_style(term: Term) -> Style {
    Style::new().fg(term_color(term))
}

/// A log entry in the grid: its term's colour behind dark text; committed entries bold and
/// underlined.
pub fn term_cell(term: Term, committed: bool) -> Style {
    let st = Style::new().bg(term_color(term)).fg(Color::Black);
    if committed {
        st.add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    } else {
        st
    }
}

/// A mark between entries (`┃` committed up to here, `≠` differs from here, `+` runs past the
/// compared log), on no entry.
pub fn mark(glyph: &str) -> Style {
    let color = match glyph {
        "┃" => Color::LightGreen,
        _ => Color::LightRed,
    };
    Style::new().fg(color).add_modifier(Modifier::BOLD)
}

/// The same mark drawn in the gap of an entry's cell.
pub fn mark_on(_glyph: &str, cell: Style) -> Style {
    cell.fg(Color::Black).add_modifier(Modifier::BOLD)
}

/// The colour of a message kind.
pub fn kind_style(kind: MessageKind) -> Style {
    match kind {
        MessageKind::RequestVote | MessageKind::RequestVoteResponse => Style::new().fg(Color::Cyan),
        MessageKind::AppendEntries | MessageKind::AppendEntriesResponse => {
            Style::new().fg(Color::Green)
        }
    }
}

/// A short name for a message kind.
pub fn kind_label(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::RequestVote => "RequestVote",
        MessageKind::RequestVoteResponse => "VoteReply",
        MessageKind::AppendEntries => "AppendEntries",
        MessageKind::AppendEntriesResponse => "AppendReply",
    }
}

/// Something that changed in the last step (a `*` goes with it).
pub fn changed() -> Style {
    Style::new().fg(Color::White).add_modifier(Modifier::BOLD)
}

/// Quiet text.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Section titles on the rules.
pub fn title() -> Style {
    Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD)
}

/// Trouble: a violation, a failed expectation, an error.
pub fn alarm() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
}

/// A decision a mutant made against Raft's rule (in the event log).
pub fn mutant() -> Style {
    Style::new().fg(Color::LightYellow)
}

/// Bad news in a list: a refused vote.
pub fn bad() -> Style {
    Style::new().fg(Color::LightRed)
}

/// The mark of the newest step's lines in the event log.
pub fn newest() -> Style {
    Style::new().fg(Color::Yellow)
}

/// Good news: a held expectation, no violation.
pub fn good() -> Style {
    Style::new().fg(Color::Green)
}

/// Titles and headings.
pub fn heading() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// A bar `cells` wide showing `fraction` (0 to 1) in eighths of a cell: `███▌·`.
pub fn bar(fraction: f64, cells: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (fraction.clamp(0.0, 1.0) * (cells * 8) as f64).round() as usize;
    let mut text = String::with_capacity(cells * 3);
    for cell in 0..cells {
        let filled = eighths.saturating_sub(cell * 8).min(8);
        text.push(match filled {
            8 => '█',
            0 => '·',
            n => PARTS[n],
        });
    }
    text
}
