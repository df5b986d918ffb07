//! Drawing: a pure function of the app's state (`impl Widget for &App`).
//!
//! The screen, top to bottom: the header; the log grid (with the network picture beside it when
//! there is room) and the selected server's details; the walkthrough box; the in-flight
//! messages (or the network picture, switched with `m`) beside the event log; the key bar.
//! [`App::regions`] decides where each goes, for drawing and for mouse clicks alike.

mod details;
pub mod events;
mod grid;
mod header;
mod help;
mod messages;
mod network;
mod story;
pub mod style;
mod text;

use super::app::{App, Overlay};
use super::availability::{MIN_HEIGHT, MIN_WIDTH, ScreenFacts};
use super::keymap::{self, BINDINGS, Bar};
use details::Details;
use events::EventLog;
use grid::{Grid, GridLayout, GridMetrics};
use messages::MessageList;
use network::{NetworkLayout, NetworkPicture};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use story::Narration;

pub use help::help_line_count;

/// Lines PgUp and PgDn scroll the event log by.
pub const SCROLL_LINES: usize = 5;
/// The narrowest the network picture is drawn beside the grid.
const NETWORK_MIN_WIDTH: u16 = 34;
/// The lowest it is drawn beside the grid.
const NETWORK_MIN_HEIGHT: u16 = 10;
/// The narrowest the message list is drawn.
const MESSAGES_MIN_WIDTH: u16 = 34;
/// Messages the in-flight list shows at least, when there are that many.
const MESSAGES_MIN_SHOWN: u16 = 3;
/// Rows the walkthrough box needs at least: its title rule and two lines of narration.
const NARRATION_MIN_HEIGHT: u16 = 3;

/// The smallest terminal raftwalk draws in (for any number of servers up to 9).
pub fn minimum_size(_servers: usize) -> (u16, u16) {
    (MIN_WIDTH, MIN_HEIGHT)
}

/// Where each part of the screen goes. Drawing and mouse clicks both use it, so a click
/// lands on what is drawn there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regions {
    header: Rect,
    grid: Rect,
    grid_layout: GridLayout,
    details: Rect,
    network: Option<Rect>,
    messages: Option<Rect>,
    narration: Rect,
    events: Rect,
    keybar: Rect,
    /// Vertical separators: (x, y, height).
    separators: Vec<(u16, u16, u16)>,
}

/// What a mouse click hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A server's row in the grid, or its label in the network picture.
    Server(usize),
    /// A message in the in-flight list or the network picture, by position.
    Message(usize),
}

impl App {
    /// The layout of the screen at `area`, or `None` when the terminal is too small.
    pub fn regions(&self, area: Rect) -> Option<Regions> {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let servers = self.session.cluster().servers().len() as u16;
        // The bottom line takes a second row while a message too long for one is shown.
        let bottom = self.bottom_lines(area.width).len().max(1) as u16;
        let rows = area.height - 1 - bottom;
        let grid_rows = servers + 1;
        let metrics = GridMetrics::new(self);
        let narration = Narration {
            session: &self.session,
            quiz_answers: &self.quiz_answers,
        };
        let (narration_min, narration_wanted) = if self.session.has_script() {
            let wanted = narration.height(area.width);
            (wanted.min(NARRATION_MIN_HEIGHT), wanted)
        } else {
            (0, 0)
        };
        // Messages and events need their title and, beside the newest event line, up to three
        // messages (the title says "+N more" for the rest).
        let in_flight = self.session.cluster().in_flight().len() as u16;
        let mut lower_min = 1 + in_flight.clamp(1, MESSAGES_MIN_SHOWN);
        // A quiz on screen must show whole, even compact: a student cannot answer choices
        // that are cut. Only when it cannot do the panes give way, down to one line.
        let quiz_shown = self.session.has_script()
            && !self.session.current_beat_entries().is_empty()
            && self.session.beat_quiz().is_some();
        if quiz_shown {
            let compact = narration.compact_height(area.width);
            let room = rows.saturating_sub(grid_rows + lower_min);
            lower_min = lower_min
                .saturating_sub(compact.saturating_sub(room))
                .max(2);
        }
        let whole = metrics.narrowest_whole();
        let top_min_beside = (grid_rows + 1).max(NETWORK_MIN_HEIGHT);
        // The picture beside the grid only when the narration still shows whole.
        let beside = area.width >= whole + 1 + NETWORK_MIN_WIDTH
            && rows >= top_min_beside + narration_wanted + lower_min;
        // The grid's width, and what is left beside it.
        let grid_width = if beside {
            metrics
                .preferred_width()
                .min(area.width - 1 - NETWORK_MIN_WIDTH)
        } else {
            area.width
        };
        let grid_layout = metrics.choose(self, grid_width);
        let grid_width = grid_layout.width().min(area.width);
        let details_width = if beside { grid_width } else { area.width };
        let details_wanted = Details {
            app: self,
            layout: &grid_layout,
        }
        .wanted_height(details_width);

        // Rows: first every minimum, then the narration's whole text, then the details' rule
        // (the selected server in a line), then a few more lines for messages and events, then
        // the rest of the details, then the rest to messages and events.
        let top_min = if beside { top_min_beside } else { grid_rows };
        let mut left = rows.saturating_sub(top_min + narration_min + lower_min);
        let mut narration_height = narration_min + (narration_wanted - narration_min).min(left);
        if narration_height < narration_wanted {
            // Short of room the box shows its compact form, which may need fewer rows still.
            let compact = narration.compact_height(area.width).max(narration_min);
            narration_height = narration_height.min(compact);
        }
        left -= narration_height - narration_min;
        let mut take = |want: u16| {
            let got = want.min(left);
            left -= got;
            got
        };
        let details_rule = if beside { 0 } else { take(1) };
        let lower_extra = take(4);
        let top_height = if beside {
            let network_wanted = (rows * 2 / 5).clamp(NETWORK_MIN_HEIGHT, 24);
            let wanted = (grid_rows + details_wanted).max(network_wanted);
            top_min + take(wanted.saturating_sub(top_min))
        } else if details_rule == 0 {
            top_min
        } else {
            top_min + details_rule + take(details_wanted.saturating_sub(1))
        };
        let lower_height = lower_min + lower_extra + left;

        let header = Rect { height: 1, ..area };
        let keybar = Rect {
            y: area.bottom() - bottom,
            height: bottom,
            ..area
        };
        let top = Rect {
            y: area.y + 1,
            height: top_height,
            ..area
        };
        let grid = Rect {
            width: grid_width,
            height: grid_rows.min(top.height),
            ..top
        };
        let details = Rect {
            y: grid.bottom(),
            height: top.height - grid.height,
            width: details_width,
            ..top
        };
        let mut separators = Vec::new();
        // Beside the grid: the picture, no wider than a round picture needs, and the message
        // list beside it when that leaves room for one.
        let (network_beside, messages_beside) = if beside {
            let (_, rest) = split(
                Rect {
                    width: area.width,
                    ..top
                },
                grid_width,
                &mut separators,
            );
            let round = (top.height * 5 / 2 + 10).max(NETWORK_MIN_WIDTH);
            if rest.width >= round + 1 + MESSAGES_MIN_WIDTH {
                let (net, list) = split(rest, round, &mut separators);
                (Some(net), Some(list))
            } else {
                (Some(rest), None)
            }
        } else {
            (None, None)
        };
        let narration = Rect {
            y: top.bottom(),
            height: narration_height,
            ..area
        };
        let lower = Rect {
            y: narration.bottom(),
            height: lower_height,
            ..area
        };
        let (network, messages, events) = match (network_beside, messages_beside) {
            (Some(net), Some(list)) => (Some(net), Some(list), lower),
            (Some(net), None) => {
                let (list, events) = split(lower, messages_width(lower), &mut separators);
                (Some(net), Some(list), events)
            }
            _ if self.show_network => {
                let (net, events) = split(lower, lower.width * 3 / 5, &mut separators);
                (Some(net), None, events)
            }
            _ => {
                let (list, events) = split(lower, messages_width(lower), &mut separators);
                (None, Some(list), events)
            }
        };
        Some(Regions {
            header,
            grid,
            grid_layout,
            details,
            network,
            messages,
            narration,
            events,
            keybar,
            separators,
        })
    }

    /// What the screen of the terminal's size (80×24 when not known) shows that commands
    /// depend on.
    pub fn screen_facts(&self) -> ScreenFacts {
        let (width, height) = self.screen.unwrap_or((MIN_WIDTH, MIN_HEIGHT));
        match self.regions(Rect::new(0, 0, width, height)) {
            Some(r) => ScreenFacts {
                network_beside: r.network.is_some() && r.messages.is_some(),
                can_scroll_back: events::can_scroll_back(&self.session, r.events, self.scroll_back),
            },
            None => ScreenFacts {
                network_beside: false,
                can_scroll_back: false,
            },
        }
    }

    /// What is drawn at (`column`, `row`) when the screen is `area`: a server or a message, if
    /// either.
    pub fn target_at(&self, area: Rect, column: u16, row: u16) -> Option<Target> {
        let regions = self.regions(area)?;
        let at = Position { x: column, y: row };
        let servers = self.session.cluster().servers().len();
        if regions.grid.contains(at) && row > regions.grid.y {
            let id = (row - regions.grid.y - 1) as usize;
            return (id < servers).then_some(Target::Server(id));
        }
        if let Some(net) = regions.network.filter(|n| n.contains(at)) {
            let layout = NetworkLayout::new(self, net);
            if let Some(id) = layout.server_at(at) {
                return Some(Target::Server(id));
            }
            return layout.message_at(at).map(Target::Message);
        }
        let list = regions.messages.filter(|m| m.contains(at))?;
        MessageList::message_at(self, list, row).map(Target::Message)
    }
}

/// The message list's width beside the event log.
fn messages_width(lower: Rect) -> u16 {
    (lower.width * 2 / 5).clamp(MESSAGES_MIN_WIDTH, 64)
}

/// `area` cut into a left part `width` wide, a separator, and the rest.
fn split(area: Rect, width: u16, separators: &mut Vec<(u16, u16, u16)>) -> (Rect, Rect) {
    let width = width.min(area.width.saturating_sub(2));
    separators.push((area.x + width, area.y, area.height));
    (
        Rect { width, ..area },
        Rect {
            x: area.x + width + 1,
            width: area.width - width - 1,
            ..area
        },
    )
}

/// A horizontal rule across `area`'s first row (a pane's title goes on it).
fn rule(area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    for x in area.left()..area.right() {
        buf[(x, area.y)].set_symbol("─").set_style(style::border());
    }
}

/// A pane's title rule: a rule across `area`'s first row with `title` on it.
fn titled_rule(area: Rect, title: &str, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    rule(area, buf);
    buf.set_stringn(
        area.x + 1,
        area.y,
        title,
        area.width.saturating_sub(2) as usize,
        style::title(),
    );
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(regions) = self.regions(area) else {
            too_small(area, buf);
            if self.overlay == Overlay::Help {
                help::render(area, buf, self.help_scroll, &self.play.breakpoints);
            }
            return;
        };
        self.render_header(regions.header, buf);
        Grid {
            app: self,
            layout: &regions.grid_layout,
        }
        .render(regions.grid, buf);
        Details {
            app: self,
            layout: &regions.grid_layout,
        }
        .render(regions.details, buf);
        // The selected index, marked under its column on the details' rule.
        if let Some(x) = self
            .selected_index
            .and_then(|i| regions.grid_layout.column_of(regions.grid.x, i))
            .filter(|&x| regions.details.height > 0 && x < regions.details.right())
            .filter(|&x| buf[(x, regions.details.y)].symbol() == "─")
        {
            buf[(x, regions.details.y)].set_symbol("▲");
        }
        if let Some(net) = regions.network {
            let layout = NetworkLayout::new(self, net);
            NetworkPicture {
                app: self,
                layout: &layout,
            }
            .render(net, buf);
        }
        if let Some(list) = regions.messages {
            MessageList { app: self }.render(list, buf);
        }
        if regions.narration.height > 0 {
            Narration {
                session: &self.session,
                quiz_answers: &self.quiz_answers,
            }
            .render(regions.narration, buf);
        }
        let log = EventLog::new(&self.session, regions.events, self.scroll_back);
        let facts = ScreenFacts {
            network_beside: regions.network.is_some() && regions.messages.is_some(),
            can_scroll_back: log.more_above(),
        };
        log.render(regions.events, buf);
        for &(x, y, height) in &regions.separators {
            for row in y..y + height {
                let beside_rule = |dx: i32| {
                    let nx = x as i32 + dx;
                    nx >= area.x as i32
                        && nx < area.right() as i32
                        && buf[(nx as u16, row)].symbol() == "─"
                };
                let symbol = if row == y && (beside_rule(-1) || beside_rule(1)) {
                    "┬"
                } else {
                    "│"
                };
                buf[(x, row)].set_symbol(symbol).set_style(style::border());
            }
        }
        self.render_keybar(regions.keybar, facts, buf);
        match self.overlay {
            Overlay::Help => help::render(area, buf, self.help_scroll, &self.play.breakpoints),
            Overlay::Ledger => self.render_ledger(area, buf),
            Overlay::None => {}
        }
    }
}

impl App {
    fn render_ledger(&self, area: Rect, buf: &mut Buffer) {
        let names = crate::raft::Names(self.session.names());
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

    /// The message for the user on the bottom line, wrapped to `width`: one line, or two for a
    /// long one (the model's explanation of a refusal, say), the second cut with `…` if it
    /// must be. None when there is no message (the key bar is shown).
    pub fn bottom_lines(&self, width: u16) -> Vec<String> {
        let Some(status) = self.status.as_ref().filter(|_| self.work.is_none()) else {
            return Vec::new();
        };
        let prefix = if status.is_error { " ! " } else { " ✓ " };
        let text = format!("{prefix}{}", status.text);
        let width = width as usize;
        if text::width_of(&text) <= width {
            return vec![text];
        }
        let options = textwrap::Options::new(width.saturating_sub(1).max(10))
            .subsequent_indent("   ")
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        let pieces = textwrap::wrap(&text, options);
        let mut lines: Vec<String> = pieces.iter().take(2).map(|p| p.to_string()).collect();
        if pieces.len() > 2 {
            let rest: Vec<&str> = pieces[1..].iter().map(|p| p.trim()).collect();
            lines[1] = text::fit(&format!("   {}", rest.join(" ")), width);
        }
        lines
    }

    /// The bottom line: a deliver-all's progress while one runs in slices; else the last
    /// message for the user, or the keys that act now, in the table's order of importance
    /// while they fit; help and quit always at the right.
    fn render_keybar(&self, area: Rect, facts: ScreenFacts, buf: &mut Buffer) {
        // A deliver-all in slices: how far it got, and how to stop it.
        if let Some(work) = &self.work {
            let text = text::fit(&work.progress(), area.width as usize);
            buf.set_stringn(area.x, area.y, text, area.width as usize, style::heading());
            return;
        }
        if let Some(status) = &self.status {
            let st = if status.is_error {
                style::alarm()
            } else {
                style::good()
            };
            let lines = self.bottom_lines(area.width);
            for (y, line) in (area.y..area.bottom()).zip(lines) {
                buf.set_stringn(area.x, y, line, area.width as usize, st);
            }
            return;
        }
        let label = |binding: &keymap::Binding| {
            vec![
                Span::styled(format!(" {}", keymap::bar_key(binding)), style::heading()),
                Span::styled(format!(" {} ", self.bar_word(binding)), style::dim()),
            ]
        };
        let width = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
        let essentials: Vec<Span> = BINDINGS
            .iter()
            .filter(|b| b.bar == Bar::Essential)
            .flat_map(label)
            .collect();
        let room = (area.width as usize).saturating_sub(width(&essentials));
        let mut ranked: Vec<(u8, &keymap::Binding)> = BINDINGS
            .iter()
            .filter_map(|b| match b.bar {
                Bar::Rank(rank) => Some((self.bar_rank(b, rank), b)),
                _ => None,
            })
            .filter(|(_, b)| self.binding_available(b, facts))
            .collect();
        ranked.sort_by_key(|(rank, _)| *rank);
        let mut spans = Vec::new();
        for (_, binding) in ranked {
            let item = label(binding);
            if width(&spans) + width(&item) <= room {
                spans.extend(item);
            }
        }
        buf.set_line(area.x, area.y, &Line::from(spans), room as u16);
        let x = area.right().saturating_sub(width(&essentials) as u16);
        buf.set_line(x, area.y, &Line::from(essentials), area.width);
    }
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

/// The notice on a terminal too small to draw in.
fn too_small(area: Rect, buf: &mut Buffer) {
    let text = format!(
        "Terminal too small: {}×{}. raftwalk needs at least {MIN_WIDTH}×{MIN_HEIGHT}. Enlarge the window; until then only q (quit) and ? (help) work.",
        area.width, area.height
    );
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}
