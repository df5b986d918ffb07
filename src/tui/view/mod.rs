//! Drawing: a pure function of the app's state (`impl Widget for &App`).

mod messages;
mod servers;
mod story;
pub mod style;

use super::app::{App, Overlay};
use super::keymap::{self, BINDINGS, Group, Show};
use crate::raft::Names;
use messages::MessagePane;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use servers::{MIN_PANEL_WIDTH, ServerPanel, grid_shape, panel_height};
use story::{EventLog, Narration};

/// Width of the in-flight pane beside the servers.
const MESSAGE_PANE_WIDTH: u16 = 36;
/// Lines the lower part (messages/events) needs at least.
const MIN_LOWER_HEIGHT: u16 = 6;

/// The smallest terminal that shows `servers` servers.
pub fn minimum_size(servers: usize) -> (u16, u16) {
    let width = 2 * MIN_PANEL_WIDTH + 4;
    let (_, rows) = grid_shape(servers, width);
    (
        width,
        2 + rows as u16 * panel_height(servers) + MIN_LOWER_HEIGHT,
    )
}

/// Where each part of the screen goes. Drawing and mouse clicks both use it, so a click
/// lands on what is drawn there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Regions {
    header: Rect,
    grid: Rect,
    columns: usize,
    messages: Rect,
    narration: Rect,
    events: Rect,
    keybar: Rect,
}

/// What a mouse click hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A server's panel.
    Server(usize),
    /// A message in the in-flight pane, by position.
    Message(usize),
}

impl App {
    /// The layout of the screen at `area`, or `None` when the terminal is too small.
    pub fn regions(&self, area: Rect) -> Option<Regions> {
        let count = self.session.cluster().servers().len();
        let wide = area.width >= 3.min(count as u16) * MIN_PANEL_WIDTH + MESSAGE_PANE_WIDTH;
        let grid_width = if wide {
            area.width - MESSAGE_PANE_WIDTH
        } else {
            area.width
        };
        let (columns, rows) = grid_shape(count, grid_width);
        let grid_height = rows as u16 * panel_height(count);
        let narration_height = if self.session.has_script() {
            Narration {
                session: &self.session,
                quiz_answers: &self.quiz_answers,
            }
            .height(area.width)
            .clamp(5, 12)
        } else {
            0
        };
        let needed = 2 + grid_height + MIN_LOWER_HEIGHT;
        if area.width < 2 * MIN_PANEL_WIDTH + 4 || area.height < needed {
            return None;
        }
        let [header, body, narration, lower, keybar] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(grid_height),
            // A long walkthrough text (a quiz) may take the event log's lines: it is what the
            // class is looking at.
            Constraint::Length(narration_height.min(area.height - needed + MIN_LOWER_HEIGHT)),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        let (grid, events, messages) = if wide {
            let [grid, messages] =
                Layout::horizontal([Constraint::Min(0), Constraint::Length(MESSAGE_PANE_WIDTH)])
                    .areas(body);
            (grid, lower, messages)
        } else {
            let [messages, events] = Layout::horizontal([
                Constraint::Length(MESSAGE_PANE_WIDTH.min(area.width / 2)),
                Constraint::Min(0),
            ])
            .areas(lower);
            (body, events, messages)
        };
        Some(Regions {
            header,
            grid,
            columns,
            messages,
            narration,
            events,
            keybar,
        })
    }

    /// The panel of server `id` in `grid`.
    fn panel_area(&self, grid: Rect, columns: usize, id: usize) -> Rect {
        let height = panel_height(self.session.cluster().servers().len());
        let width = grid.width / columns as u16;
        Rect {
            x: grid.x + (id % columns) as u16 * width,
            y: grid.y + (id / columns) as u16 * height,
            width,
            height,
        }
        .intersection(grid)
    }

    /// What is drawn at (`column`, `row`) when the screen is `area`: a server panel or a
    /// message, if either.
    pub fn target_at(&self, area: Rect, column: u16, row: u16) -> Option<Target> {
        let regions = self.regions(area)?;
        let at = ratatui::layout::Position { x: column, y: row };
        if let Some(id) = (0..self.session.cluster().servers().len()).find(|&id| {
            self.panel_area(regions.grid, regions.columns, id)
                .contains(at)
        }) {
            return Some(Target::Server(id));
        }
        let inner = Block::bordered().inner(regions.messages);
        if !inner.contains(at) {
            return None;
        }
        let first = messages::first_shown(self.selected_message_index(), inner.height);
        let index = first + (row - inner.y) as usize / 2;
        (index < self.session.cluster().in_flight().len()).then_some(Target::Message(index))
    }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let cluster = self.session.cluster();
        let Some(Regions {
            header,
            grid,
            columns,
            messages: messages_area,
            narration,
            events: events_area,
            keybar,
        }) = self.regions(area)
        else {
            return too_small(area, buf, cluster.servers().len());
        };
        self.render_header(header, buf);
        self.render_grid(grid, columns, buf);
        MessagePane {
            messages: cluster.in_flight().collect(),
            selected: self.selected_message_index(),
            names: Names(self.session.names()),
        }
        .render(messages_area, buf);
        if narration.height > 0 {
            Narration {
                session: &self.session,
                quiz_answers: &self.quiz_answers,
            }
            .render(narration, buf);
        }
        if events_area.height >= 3 {
            EventLog {
                session: &self.session,
                scroll_back: self.scroll_back,
            }
            .render(events_area, buf);
        }
        self.render_keybar(keybar, buf);
        match self.overlay {
            Overlay::Help => render_help(area, buf, self.help_scroll),
            Overlay::Ledger => self.render_ledger(area, buf),
            Overlay::None => {}
        }
    }
}

impl App {
    fn render_header(&self, area: Rect, buf: &mut Buffer) {
        let s = &self.session;
        let violations = s.cluster().violations().len();
        let mut left = vec![Span::styled(" raftwalk", style::heading())];
        // A mutant is named first, where it cannot be missed; in plain words if they fit.
        let bug_at = left.len();
        if let Some(bug) = s.cluster().bug() {
            left.push(Span::styled(
                format!(" · ⚠ {}", bug.plain()),
                style::alarm(),
            ));
        }
        left.push(Span::raw(format!(" · {}", s.scenario().name)));
        if s.has_script() {
            left.push(Span::raw(format!(
                " · step {}/{}",
                s.script_position(),
                s.scenario().steps.len()
            )));
        }
        left.push(Span::styled(
            format!(" · history {}", s.position()),
            style::dim(),
        ));
        // The status on the right never gives way: an invariant alarm must always show.
        let mut right = Vec::new();
        let (passed, failed) = s.expectation_counts();
        if passed + failed > 0 {
            let st = if failed > 0 {
                style::alarm()
            } else {
                style::good()
            };
            right.push(Span::styled(format!(" expect {passed}✓ {failed}✗"), st));
            right.push(Span::raw(" ·"));
        }
        if violations == 0 {
            right.push(Span::styled(" invariants ✓", style::good()));
        } else {
            // Name the first invariant broken; count any others.
            let first = s.cluster().violations()[0].invariant();
            let more = match violations {
                1 => String::new(),
                n => format!(" (+{})", n - 1),
            };
            right.push(Span::styled(
                format!(" ✗ {} BROKEN{more} ", first.title().to_uppercase()),
                style::alarm(),
            ));
        }
        right.push(Span::styled(" · ? help ", style::dim()));
        let right_width: usize = right.iter().map(Span::width).sum();
        if let Some(bug) = s.cluster().bug()
            && left[..=bug_at].iter().map(Span::width).sum::<usize>() + right_width
                > area.width as usize
        {
            left[bug_at] = Span::styled(format!(" · ⚠ mutant {bug}"), style::alarm());
        }
        let [left_area, right_area] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width as u16)])
                .areas(area);
        Paragraph::new(Line::from(left)).render(left_area, buf);
        Paragraph::new(Line::from(right)).render(right_area, buf);
    }

    fn render_grid(&self, area: Rect, columns: usize, buf: &mut Buffer) {
        let cluster = self.session.cluster();
        let network = cluster.network();
        let partitioned = network.is_partitioned();
        for server in cluster.servers() {
            let cell = self.panel_area(area, columns, server.id);
            ServerPanel {
                server,
                before: self.session.previous().and_then(|p| p.server(server.id)),
                names: Names(self.session.names()),
                selected: server.id == self.selected_server,
                partition_group: partitioned.then(|| network.groups()[server.id]),
            }
            .render(cell, buf);
        }
    }

    fn render_ledger(&self, area: Rect, buf: &mut Buffer) {
        let names = Names(self.session.names());
        let ledger = crate::ledger::build(self.session.events());
        let size = self.session.cluster().servers().len();
        let text = crate::ledger::render_text(&ledger, names, size);
        let lines: Vec<Line> = text.lines().map(|l| Line::raw(l.to_string())).collect();
        let popup = centered(
            area,
            90,
            (lines.len() as u16 + 2).min(area.height.saturating_sub(2)),
        );
        let inner_height = popup.height.saturating_sub(2) as usize;
        // The newest terms matter most: when it does not fit, keep the end in view.
        let skip = lines.len().saturating_sub(inner_height);
        Clear.render(popup, buf);
        Paragraph::new(lines[skip..].to_vec())
            .block(Block::bordered().title(" Vote ledger · v or any key closes "))
            .render(popup, buf);
    }

    fn render_keybar(&self, area: Rect, buf: &mut Buffer) {
        if let Some(status) = &self.status {
            let st = if status.is_error {
                style::alarm()
            } else {
                style::good()
            };
            let prefix = if status.is_error { " ! " } else { " ✓ " };
            Paragraph::new(Line::styled(format!("{prefix}{}", status.text), st)).render(area, buf);
            return;
        }
        let has_messages = self.session.cluster().in_flight().len() > 0;
        let shown = |binding: &&keymap::Binding| match binding.show {
            Show::Always | Show::Essential => true,
            Show::WithMessages => has_messages,
            Show::WithScript => self.session.has_script(),
            Show::WithLeader => self.selected_is_leader(),
            Show::HelpOnly => false,
        };
        let label = |binding: &keymap::Binding| {
            vec![
                Span::styled(
                    format!(" {}", keymap::key_label(&binding.keys[0])),
                    style::heading(),
                ),
                Span::styled(format!(" {} ", binding.short), style::dim()),
            ]
        };
        let width = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
        // Help and quit always fit at the right; the rest fill from the left, the
        // walkthrough's keys first, as long as there is room.
        let essentials: Vec<Span> = BINDINGS
            .iter()
            .filter(|b| b.show == Show::Essential)
            .flat_map(label)
            .collect();
        let room = (area.width as usize).saturating_sub(width(&essentials));
        let mut spans = Vec::new();
        let rank = |show: Show| match show {
            Show::WithScript => 0,
            Show::Always => 1,
            Show::WithMessages => 2,
            _ => 3,
        };
        let mut ordered: Vec<&keymap::Binding> = BINDINGS
            .iter()
            .filter(|b| b.show != Show::Essential)
            .filter(shown)
            .collect();
        ordered.sort_by_key(|b| rank(b.show));
        for binding in ordered {
            let item = label(binding);
            if width(&spans) + width(&item) > room {
                break;
            }
            spans.extend(item);
        }
        let [left, right] = Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(width(&essentials) as u16),
        ])
        .areas(area);
        Paragraph::new(Line::from(spans)).render(left, buf);
        Paragraph::new(Line::from(essentials)).render(right, buf);
    }
}

/// The help's lines, from the key table.
fn help_lines() -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for group in Group::ALL {
        lines.push(Line::styled(group.title(), style::heading()));
        for binding in BINDINGS.iter().filter(|b| b.group == group) {
            lines.push(Line::from(vec![
                Span::raw(format!("  {:<14}", keymap::keys_label(binding))),
                Span::raw(binding.help),
            ]));
        }
    }
    lines
}

/// How many help lines there are (the app clamps its scrolling with it).
pub fn help_line_count() -> usize {
    help_lines().len()
}

fn render_help(area: Rect, buf: &mut Buffer, scroll: usize) {
    let lines = help_lines();
    let popup = centered(area, 76, lines.len() as u16 + 2);
    let visible = popup.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    let title = if visible < lines.len() {
        " Keys · ↑/↓ scroll · q quits · any other key closes "
    } else {
        " Keys · q quits · any other key closes "
    };
    Clear.render(popup, buf);
    Paragraph::new(lines[scroll..].to_vec())
        .block(Block::bordered().title(title))
        .render(popup, buf);
}

/// A rectangle of at most `width`×`height`, centred in `area` and never larger than it.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

fn too_small(area: Rect, buf: &mut Buffer, servers: usize) {
    let (w, h) = minimum_size(servers);
    let text = format!(
        "Terminal too small: {}×{}. raftwalk needs at least {w}×{h} for {servers} servers. Enlarge the window, or press q to quit.",
        area.width, area.height
    );
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}
