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

/// The colour of a role.
pub fn role_style(server: &RaftServer) -> Style {
    if server.crashed {
        return Style::new().fg(Color::DarkGray);
    }
    match server.role {
        Role::Leader => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Role::Candidate => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        Role::Follower => Style::new().fg(Color::Gray),
    }
}

/// Each term its own colour, so equal terms line up visibly across logs.
pub fn term_style(term: Term) -> Style {
    const PALETTE: [Color; 6] = [
        Color::LightBlue,
        Color::LightGreen,
        Color::LightMagenta,
        Color::LightYellow,
        Color::LightCyan,
        Color::LightRed,
    ];
    Style::new().fg(PALETTE[(term as usize) % PALETTE.len()])
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

/// Something that changed in the last step.
pub fn changed() -> Style {
    Style::new()
        .fg(Color::LightYellow)
        .add_modifier(Modifier::BOLD)
}

/// Quiet text.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Trouble: a violation, a failed expectation, an error.
pub fn alarm() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
}

/// Good news: a held expectation, no violation.
pub fn good() -> Style {
    Style::new().fg(Color::Green)
}

/// Titles and headings.
pub fn heading() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
