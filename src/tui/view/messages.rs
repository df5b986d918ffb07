//! The in-flight message pane: oldest first, the selected one marked with ▶.

use super::style;
use crate::raft::{Envelope, Message, Names};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

/// The first message shown when `selected` must be visible in `inner_height` lines (two lines
/// a message).
pub fn first_shown(selected: Option<usize>, inner_height: u16) -> usize {
    let per_page = (inner_height as usize / 2).max(1);
    selected.map_or(0, |s| s.saturating_sub(per_page - 1))
}

/// The pane.
pub struct MessagePane<'a> {
    /// Messages in flight, oldest first.
    pub messages: Vec<&'a Envelope>,
    /// The selected position.
    pub selected: Option<usize>,
    /// Names for ids.
    pub names: Names<'a>,
}

impl Widget for MessagePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = format!(" In flight ({}) ", self.messages.len());
        let block = Block::bordered().title(title).border_style(style::dim());
        let inner_height = area.height.saturating_sub(2) as usize;
        let mut lines = Vec::new();
        if self.messages.is_empty() {
            lines.push(Line::styled("nothing in flight", style::dim()));
        }
        let first = first_shown(self.selected, inner_height as u16);
        for (i, m) in self.messages.iter().enumerate().skip(first) {
            let selected = self.selected == Some(i);
            lines.extend(message_lines(m, selected, self.names));
        }
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

fn message_lines(m: &Envelope, selected: bool, names: Names) -> [Line<'static>; 2] {
    let kind = m.message.kind();
    let pointer = if selected { "▶ " } else { "  " };
    let emphasis = if selected {
        style::heading()
    } else {
        ratatui::style::Style::new()
    };
    let head = Line::from(vec![
        Span::styled(pointer, style::heading()),
        Span::styled(format!("#{:<3} ", m.id), emphasis),
        Span::styled(
            format!("{}→{} ", names.of(m.from), names.of(m.to)),
            emphasis,
        ),
        Span::styled(
            style::kind_label(kind),
            style::kind_style(kind).add_modifier(if selected {
                Modifier::BOLD
            } else {
                Modifier::empty()
            }),
        ),
        Span::raw(format!(" t{}", m.message.term())),
    ]);
    let detail = match &m.message {
        Message::RequestVote {
            last_log_index,
            last_log_term,
            ..
        } => {
            format!("last ({last_log_index}, {last_log_term})")
        }
        Message::RequestVoteResponse { granted, .. } => (if *granted {
            "granted ✓"
        } else {
            "refused ✗"
        })
        .to_string(),
        Message::AppendEntries {
            prev_log_index,
            prev_log_term,
            entries,
            leader_commit,
            ..
        } => {
            format!(
                "prev ({prev_log_index}, {prev_log_term}) +{} commit {leader_commit}",
                entries.len()
            )
        }
        Message::AppendEntriesResponse {
            success,
            match_index,
            ..
        } => {
            if *success {
                format!("success ✓ match {match_index}")
            } else {
                "failed ✗".to_string()
            }
        }
    };
    [
        head,
        Line::from(vec![
            Span::raw("      "),
            Span::styled(detail, style::dim()),
        ]),
    ]
}
