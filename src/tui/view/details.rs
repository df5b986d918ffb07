//! The details of the selected server: what does not fit its row in the grid. A candidate's
//! votes (✓ granted, ✗ refused, ? no answer yet), a leader's next_index/match_index table, a
//! crash note, how its log compares with the leader's, the links cut at it, and the entry at
//! the selected index.
//! On a small screen it is one line under the grid.

use super::grid::{GridLayout, divergence, short_name};
use super::style;
use super::text::{fit, put_line, width_of};
use crate::raft::time::format_ms;
use crate::raft::{Names, RaftServer, Role, quorum};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The details widget.
pub struct Details<'a> {
    /// The app.
    pub app: &'a App,
    /// The grid's layout (which server the logs are compared with).
    pub layout: &'a GridLayout,
}

type Item = (String, Style);

impl Details<'_> {
    fn server(&self) -> Option<&RaftServer> {
        self.app.session.cluster().server(self.app.selected_server)
    }

    fn names(&self) -> Names<'_> {
        Names(self.app.session.names())
    }

    /// `a · ★ LEADER · term 9`
    fn title(&self, s: &RaftServer) -> Vec<Span<'static>> {
        let role = if s.crashed {
            "CRASHED".to_string()
        } else {
            s.role.to_string()
        };
        vec![
            Span::styled(
                format!(" ▶ {} ", short_name(self.names(), s.id)),
                style::heading(),
            ),
            Span::styled(
                format!("{} {role}", style::role_glyph(s)),
                style::role_style(s),
            ),
            Span::styled(format!(" · term {} ", s.current_term), style::title()),
        ]
    }

    /// The role's own line: votes, the next/match table, or whom it follows.
    fn role_items(&self, s: &RaftServer) -> (String, Vec<Item>) {
        let names = self.names();
        let name = |id| short_name(names, id);
        if s.crashed {
            return (
                format!(
                    "crashed (it was {}): it keeps its term, vote and log; messages to it are lost",
                    s.role.as_str().to_lowercase()
                ),
                Vec::new(),
            );
        }
        match s.role {
            Role::Candidate => {
                let granted = s.votes_granted.len();
                let items = s
                    .peers()
                    .map(|p| {
                        if s.votes_granted.contains(p) {
                            (format!("✓{}", name(p)), style::good())
                        } else if s.votes_refused.contains(p) {
                            (format!("✗{}", name(p)), style::bad())
                        } else {
                            (format!("?{}", name(p)), style::dim())
                        }
                    })
                    .collect();
                (
                    format!(
                        "votes {granted} of {} (a majority is {}):",
                        s.cluster_size,
                        quorum::majority(s.cluster_size)
                    ),
                    items,
                )
            }
            Role::Leader => {
                let items = s
                    .peers()
                    .map(|p| {
                        (
                            format!("{} {}/{}", name(p), s.next_index[p], s.match_index[p]),
                            Style::new(),
                        )
                    })
                    .collect();
                ("next/match:".to_string(), items)
            }
            Role::Follower => {
                let leader = s.leader_id.map_or_else(
                    || format!("knows no leader in term {}", s.current_term),
                    |l| format!("follows {}", name(l)),
                );
                let vote = s.voted_for.map_or_else(
                    || format!("has not voted in term {}", s.current_term),
                    |v| format!("voted for {} in term {}", name(v), s.current_term),
                );
                (format!("{leader}; {vote}"), Vec::new())
            }
        }
    }

    /// The log in words, and how it compares with the compared log.
    fn log_line(&self, s: &RaftServer) -> String {
        let cluster = self.app.session.cluster();
        let last = s.log.last_index();
        let mut text = match s.log.term_at(last).filter(|_| !s.log.is_empty()) {
            Some(term) => format!(
                "log: {last} {}, last (index {last}, term {term}); commit index {}",
                if last == 1 { "entry" } else { "entries" },
                s.commit_index
            ),
            None => format!("log: empty; commit index {}", s.commit_index),
        };
        let Some(r) = self.layout.reference.and_then(|r| cluster.server(r)) else {
            return text;
        };
        if r.id == s.id {
            return text;
        }
        let theirs = format!("{}'s", short_name(self.names(), r.id));
        let comparison = match divergence(s, r) {
            Some((i, true)) => format!("differs from {theirs} from index {i} (≠)"),
            Some((i, false)) => format!(
                "holds {theirs} and {} more from index {i} (+)",
                s.log.len() + 1 - i
            ),
            None if s.log.len() == r.log.len() => format!("the same as {theirs}"),
            None => format!(
                "a prefix of {theirs}: {} missing",
                crate::scenario::build::plural(r.log.len() - s.log.len(), "entry", "entries")
            ),
        };
        text.push_str(&format!("; {comparison}"));
        text
    }

    /// In time mode, its timers: what is left of its election timer (a leader's: when its next
    /// heartbeat is due), and a write to disk in progress.
    fn timer_line(&self, s: &RaftServer) -> Option<String> {
        let clock = self.app.session.cluster().clock()?;
        let now = self.app.shown_time()?;
        if s.crashed {
            return Some("no timer runs while it is crashed".to_string());
        }
        let timers = clock.server(s.id);
        let mut text = match (timers.heartbeat, timers.election) {
            (Some(h), _) => format!(
                "heartbeat every {}, the next in {}",
                format_ms(h.length()),
                format_ms(h.end.saturating_sub(now))
            ),
            (None, Some(e)) => format!(
                "election timer {} left of {} drawn",
                format_ms(e.end.saturating_sub(now)),
                format_ms(e.length())
            ),
            (None, None) => "no timer".to_string(),
        };
        if let Some(w) = timers.writing.filter(|w| now < w.end) {
            text.push_str(&format!(
                "; ✎ writing to disk, {} left",
                format_ms(w.end - now)
            ));
        }
        Some(text)
    }

    /// The entry at the selected index.
    fn index_line(&self, s: &RaftServer) -> Option<String> {
        let index = self.app.selected_index?;
        Some(match s.log.entry(index) {
            Some(entry) if entry.command.is_empty() => {
                format!("index {index}: term {}, no command", entry.term)
            }
            Some(entry) => format!(
                "index {index}: term {}, command \"{}\"",
                entry.term,
                fit(&entry.command, 24)
            ),
            None => format!("index {index}: no entry"),
        })
    }

    /// A leader's next/match as a table, a line per follower, with each follower's log.
    fn leader_table(&self, s: &RaftServer) -> Vec<Line<'static>> {
        let cluster = self.app.session.cluster();
        let names = self.names();
        let mut lines = vec![Line::styled(
            format!("{:<9} {:>5} {:>6}  its log", "follower", "next", "match"),
            style::dim(),
        )];
        for p in s.peers() {
            let log = cluster.server(p).map_or(0, |f| f.log.len());
            lines.push(Line::raw(format!(
                "{:<9} {:>5} {:>6}  {log} {}",
                short_name(names, p),
                s.next_index[p],
                s.match_index[p],
                if log == 1 { "entry" } else { "entries" }
            )));
        }
        lines
    }

    fn lines(&self, s: &RaftServer, width: usize, height: usize) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let (label, items) = self.role_items(s);
        let table = s.role == Role::Leader && !s.crashed && height > s.cluster_size + 3;
        if table {
            lines.extend(self.leader_table(s));
        } else if items.is_empty() {
            lines.extend(wrap_text(&label, width));
        } else {
            lines.extend(wrap_items(&label, items, width));
        }
        if let Some(text) = self.timer_line(s) {
            lines.extend(wrap_text(&text, width));
        }
        lines.extend(wrap_text(&self.log_line(s), width));
        if let Some(text) = self.cuts_line(s) {
            lines.extend(wrap_text(&text, width));
        }
        if let Some(text) = self.index_line(s) {
            lines.extend(wrap_text(&text, width));
        }
        lines
    }

    /// The cut links at the server: `links cut ╳: a → b (lost that way), a ↔ c`.
    fn cuts_line(&self, s: &RaftServer) -> Option<String> {
        let name = |id| short_name(self.names(), id);
        let cuts: Vec<String> = self
            .app
            .session
            .cluster()
            .network()
            .cuts()
            .filter(|l| l.from == s.id || l.to == s.id)
            .map(|l| {
                let way = if l.both_ways { "↔" } else { "→" };
                format!("{} {way} {}", name(l.from), name(l.to))
            })
            .collect();
        (!cuts.is_empty()).then(|| format!("links cut ╳: {}", cuts.join(", ")))
    }

    /// Rows the panel wants at `width`: its title rule and its lines.
    pub fn wanted_height(&self, width: u16) -> u16 {
        self.server()
            .map_or(1, |s| 1 + self.lines(s, width as usize, 0).len() as u16)
    }
}

impl Widget for Details<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(s) = self.server() else {
            return;
        };
        if area.height == 0 {
            return;
        }
        let rule = Rect { height: 1, ..area };
        super::titled_rule(rule, "", buf);
        let title = self.title(s);
        let title_width: usize = title.iter().map(Span::width).sum();
        let x = rule.x + 2;
        buf.set_line(x, rule.y, &Line::from(title), area.width.saturating_sub(2));
        if area.height == 1 {
            // A strip: the role's line after the title, as far as it goes.
            let (label, items) = self.role_items(s);
            let mut text = label;
            for (item, _) in items {
                text.push(' ');
                text.push_str(&item);
            }
            let start = x + title_width as u16;
            let room = area.right().saturating_sub(start + 1) as usize;
            if room > 5 {
                let text = format!("· {text} ");
                buf.set_string(start, rule.y, fit(&text, room), Style::new());
            }
            return;
        }
        let body = Rect {
            y: area.y + 1,
            height: area.height - 1,
            x: area.x + 1,
            width: area.width.saturating_sub(1),
        };
        let lines = self.lines(s, body.width as usize, body.height as usize);
        for (y, line) in (body.y..body.bottom()).zip(&lines) {
            put_line(buf, body.x, y, line, body.width as usize);
        }
    }
}

/// `text` wrapped to `width`.
fn wrap_text(text: &str, width: usize) -> Vec<Line<'static>> {
    textwrap::wrap(text, width.max(8))
        .into_iter()
        .map(|l| Line::raw(l.into_owned()))
        .collect()
}

/// `label item item …`, wrapped to `width`.
fn wrap_items(label: &str, items: Vec<Item>, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans = vec![Span::raw(label.to_string())];
    let mut used = width_of(label);
    for (text, st) in items {
        let len = width_of(&text) + 1;
        if used + len > width && !spans.is_empty() {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        if used > 0 {
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
