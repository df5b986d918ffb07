//! The server panels: role, term, vote, leader, commit index, log, and the candidate's votes or
//! the leader's next/match indices. Fields changed by the last step carry a `*`.

use super::style;
use crate::raft::{Names, RaftServer, Role, ServerId};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

/// The narrowest a panel may be.
pub const MIN_PANEL_WIDTH: u16 = 24;
/// A panel's height: one more line when a leader has many followers to list.
pub fn panel_height(servers: usize) -> u16 {
    if servers > 5 { 9 } else { 8 }
}

/// How many columns and rows of panels fit `width`.
pub fn grid_shape(servers: usize, width: u16) -> (usize, usize) {
    let columns = ((width / MIN_PANEL_WIDTH) as usize).clamp(1, servers.max(1));
    let rows = servers.div_ceil(columns);
    (columns, rows)
}

/// One server panel.
pub struct ServerPanel<'a> {
    /// The server now.
    pub server: &'a RaftServer,
    /// The same server before the last step.
    pub before: Option<&'a RaftServer>,
    /// Names for ids.
    pub names: Names<'a>,
    /// Whether it is the selected server.
    pub selected: bool,
    /// Its partition group, when the network is split.
    pub partition_group: Option<u8>,
}

impl ServerPanel<'_> {
    /// `value` followed by `*` if it changed, padded to `width` so columns stay aligned.
    fn field(&self, value: String, changed: bool, width: usize) -> Vec<Span<'static>> {
        let pad = width.saturating_sub(value.chars().count() + 1);
        let mark = if changed {
            Span::styled("*", style::changed())
        } else {
            Span::raw(" ")
        };
        let value_style = if changed {
            style::changed()
        } else {
            Style::new()
        };
        vec![
            Span::styled(value, value_style),
            mark,
            Span::raw(" ".repeat(pad)),
        ]
    }

    fn title(&self) -> Line<'static> {
        let s = self.server;
        let pointer = if self.selected { " ▶ " } else { " " };
        let role = if s.crashed {
            "CRASHED".to_string()
        } else {
            s.role.to_string()
        };
        let role_changed = self
            .before
            .is_some_and(|b| b.role != s.role || b.crashed != s.crashed);
        let mut spans = vec![
            Span::styled(pointer, style::heading()),
            Span::styled(format!("{} ", self.names.of(s.id)), style::heading()),
        ];
        spans.extend(self.field(format!("{} {role}", style::role_glyph(s)), role_changed, 0));
        if let Some(group) = self.partition_group {
            spans.push(Span::styled(format!(" ⌁{group}"), style::dim()));
        }
        Line::from(spans)
    }

    fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let s = self.server;
        let b = self.before;
        let n = |id: Option<ServerId>| id.map_or("—".to_string(), |id| self.names.of(id));
        let mut first = vec![Span::raw("term ")];
        first.extend(self.field(
            s.current_term.to_string(),
            b.is_some_and(|b| b.current_term != s.current_term),
            6,
        ));
        first.push(Span::raw("voted "));
        first.extend(self.field(
            n(s.voted_for),
            b.is_some_and(|b| b.voted_for != s.voted_for),
            0,
        ));
        let mut second = vec![Span::raw("commit ")];
        second.extend(self.field(
            s.commit_index.to_string(),
            b.is_some_and(|b| b.commit_index != s.commit_index),
            4,
        ));
        second.push(Span::raw("leader "));
        second.extend(self.field(
            n(s.leader_id),
            b.is_some_and(|b| b.leader_id != s.leader_id),
            0,
        ));
        let mut lines = vec![Line::from(first), Line::from(second)];
        let log_changed = b.is_some_and(|b| b.log != s.log);
        let (cells, marks) = log_lines(s, width.saturating_sub(5));
        let mut log = vec![Span::raw("log")];
        log.extend(self.field(String::new(), log_changed, 2));
        log.extend(cells);
        lines.push(Line::from(log));
        lines.push(Line::from(vec![
            Span::raw("     "),
            Span::styled(marks, style::dim()),
        ]));
        if s.crashed {
            let note = format!("down (was {}); messages to it are lost", s.role);
            for piece in textwrap::wrap(&note, width.max(1)) {
                lines.push(Line::styled(piece.into_owned(), style::dim()));
            }
            return lines;
        }
        match s.role {
            Role::Candidate => lines.extend(wrap_items("votes", vote_items(s, self.names), width)),
            Role::Leader => {
                lines.extend(wrap_items("next/match", leader_items(s, self.names), width))
            }
            Role::Follower => {}
        }
        lines
    }
}

impl Widget for ServerPanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let border = if self.selected {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            style::dim()
        };
        let block = Block::bordered().border_style(border).title(self.title());
        let inner_width = area.width.saturating_sub(2) as usize;
        // Lines are laid out to the width already (wrapping here costs a lot per frame).
        Paragraph::new(self.lines(inner_width))
            .block(block)
            .render(area, buf);
    }
}

/// The log as term cells, keeping the tail visible, and a line of marks under the committed
/// cells.
fn log_lines(s: &RaftServer, width: usize) -> (Vec<Span<'static>>, String) {
    let terms: Vec<u64> = s.log.terms().collect();
    if terms.is_empty() {
        return (vec![Span::styled("(empty)", style::dim())], String::new());
    }
    let cell = terms.iter().map(|t| t.to_string().len()).max().unwrap_or(1) + 1;
    let mut spans = Vec::new();
    let mut marks = String::new();
    let mut start = 0;
    if terms.len() > (width / cell).max(1) {
        // Too long: the head gives way to "…N:", N being the index of the first entry shown,
        // so the tail stays visible and logs can still be compared index by index.
        let prefix_width = format!("…{}: ", terms.len()).chars().count();
        let fits = (width.saturating_sub(prefix_width) / cell).max(1);
        start = terms.len() - fits;
        let prefix = format!("…{}:", start + 1);
        let pad = prefix_width - prefix.chars().count();
        spans.push(Span::styled(prefix, style::dim()));
        spans.push(Span::raw(" ".repeat(pad)));
        marks.push_str(&" ".repeat(prefix_width));
    }
    for (offset, term) in terms[start..].iter().enumerate() {
        let index = start + offset + 1;
        let committed = index <= s.commit_index;
        let mut st = style::term_style(*term);
        if committed {
            st = st.add_modifier(Modifier::UNDERLINED);
        }
        spans.push(Span::styled(format!("{term:>w$}", w = cell - 1), st));
        spans.push(Span::raw(" "));
        let mark = if committed { "▔" } else { " " };
        marks.push_str(&mark.repeat(cell - 1));
        marks.push(' ');
    }
    (spans, marks.trim_end().to_string())
}

fn vote_items(s: &RaftServer, names: Names) -> Vec<(String, Style)> {
    s.peers()
        .map(|p| {
            if s.votes_granted.contains(p) {
                (format!("✓{}", names.of(p)), style::good())
            } else if s.votes_refused.contains(p) {
                (
                    format!("✗{}", names.of(p)),
                    Style::new().fg(ratatui::style::Color::Red),
                )
            } else {
                (format!("?{}", names.of(p)), style::dim())
            }
        })
        .collect()
}

fn leader_items(s: &RaftServer, names: Names) -> Vec<(String, Style)> {
    s.peers()
        .map(|p| {
            (
                format!("{} {}/{}", names.of(p), s.next_index[p], s.match_index[p]),
                Style::new(),
            )
        })
        .collect()
}

/// `label item item …`, wrapped to `width`.
fn wrap_items(label: &str, items: Vec<(String, Style)>, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans = vec![Span::styled(label.to_string(), style::dim())];
    let mut used = label.len();
    for (text, st) in items {
        let len = text.chars().count() + 1;
        if used + len > width && spans.len() > 1 {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(text, st));
        used += len;
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}
