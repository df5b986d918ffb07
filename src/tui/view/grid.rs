//! The log grid, drawn as the paper draws Figures 6–8: one row per server, one column per log
//! index under an index header, each entry showing its term on its term's colour. Left of the
//! logs, on the same row: name, role, term, vote, leader, commit index and, when there is a
//! leader, its next_index/match_index for the server. When the logs are longer than the room,
//! every row shows the same window of indices.
//!
//! Marks in the gap before an entry: `┃` after the last committed entry, `≠` where the log first
//! differs from the compared log (the leader's, or the selected server's when there is none),
//! `+` where it runs past the end of it. `*` marks what the last step changed.

use super::style;
use super::text::{fit, put, width_of};
use crate::raft::{Cluster, LogIndex, Names, RaftServer, Role, ServerId};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// What the index header says when there is no index to show.
const EMPTY: &str = " no entries yet";

/// The widest a name is drawn in the grid.
const NAME_CAP: usize = 8;

/// How role words are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RoleWords {
    /// `★ LEADER`
    Full,
    /// `★ lead`
    Short,
    /// `★`
    Glyph,
}

/// One way to lay the grid out, from the most generous to the tightest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Level {
    role: RoleWords,
    long_titles: bool,
    next_match: bool,
    wide_cells: bool,
}

/// From the most generous to the tightest: titles shorten first, then role words, then the
/// next/match column goes (the details panel has it too), then index columns narrow to the
/// terms' width (labelling fewer indices), then role words go. The last level scrolls when even
/// it cannot show every index.
const LEVELS: [Level; 6] = [
    Level {
        role: RoleWords::Full,
        long_titles: true,
        next_match: true,
        wide_cells: true,
    },
    Level {
        role: RoleWords::Full,
        long_titles: false,
        next_match: true,
        wide_cells: true,
    },
    Level {
        role: RoleWords::Short,
        long_titles: false,
        next_match: true,
        wide_cells: true,
    },
    Level {
        role: RoleWords::Short,
        long_titles: false,
        next_match: false,
        wide_cells: true,
    },
    Level {
        role: RoleWords::Short,
        long_titles: false,
        next_match: false,
        wide_cells: false,
    },
    Level {
        role: RoleWords::Glyph,
        long_titles: false,
        next_match: false,
        wide_cells: false,
    },
];

/// A column left of the logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Name,
    Role,
    Term,
    Vote,
    Leader,
    Commit,
    NextMatch,
    /// In time mode: the election timer draining (a leader's: its heartbeat), with the
    /// timeout drawn; `✎` while the server writes to disk.
    Timer,
}

/// Every server's field texts, formatted once a frame: (name, role in each wording, term,
/// vote, leader, commit, next/match, timer in full and compact).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Texts(Vec<[String; 11]>);

impl Texts {
    fn new(app: &App) -> Texts {
        let servers = app.session.cluster().servers();
        Texts(
            servers
                .iter()
                .map(|s| {
                    [
                        value(app, Field::Name, s),
                        role_text(s, RoleWords::Full),
                        role_text(s, RoleWords::Short),
                        role_text(s, RoleWords::Glyph),
                        value(app, Field::Term, s),
                        value(app, Field::Vote, s),
                        value(app, Field::Leader, s),
                        value(app, Field::Commit, s),
                        value(app, Field::NextMatch, s),
                        timer_text(app, s, false),
                        timer_text(app, s, true),
                    ]
                })
                .collect(),
        )
    }

    /// The text of `field` for server `id` in `words`.
    fn get(&self, id: ServerId, field: Field, words: RoleWords) -> &str {
        let row = &self.0[id];
        let column = match (field, words) {
            (Field::Name, _) => 0,
            (Field::Role, RoleWords::Full) => 1,
            (Field::Role, RoleWords::Short) => 2,
            (Field::Role, RoleWords::Glyph) => 3,
            (Field::Term, _) => 4,
            (Field::Vote, _) => 5,
            (Field::Leader, _) => 6,
            (Field::Commit, _) => 7,
            (Field::NextMatch, _) => 8,
            (Field::Timer, RoleWords::Full) => 9,
            (Field::Timer, _) => 10,
        };
        &row[column]
    }
}

/// Where everything in the grid goes: chosen once per frame for the room there is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridLayout {
    level: Level,
    /// The fields and their widths (gap included).
    fields: Vec<(Field, u16)>,
    /// Width of one index column.
    pub cell_width: u16,
    /// The first index shown (1-based).
    pub first: LogIndex,
    /// How many indices are shown.
    pub count: usize,
    /// The longest log.
    pub longest: usize,
    /// The leader whose next/match is shown, and whose log the others are compared with; or
    /// the selected server, when no server leads.
    pub reference: Option<ServerId>,
    /// Whether `reference` is a live leader.
    reference_leads: bool,
    /// The field texts.
    texts: Texts,
}

/// A level with its fields' widths and its cell width.
type Measured = (Level, Vec<(Field, u16)>, u16);

/// Every level's fields and widths, measured once per frame; [`GridMetrics::choose`] picks
/// the most generous that fits.
#[derive(Clone, Debug)]
pub struct GridMetrics {
    levels: Vec<Measured>,
    longest: usize,
    reference: Option<ServerId>,
    reference_leads: bool,
    texts: Texts,
}

impl GridMetrics {
    /// Measures `app`'s grid.
    pub fn new(app: &App) -> GridMetrics {
        let cluster = app.session.cluster();
        let longest = app.longest_log();
        let (reference, reference_leads) = reference(app);
        // Terms never decrease along a log, so the last entry has the log's highest term.
        let max_term = cluster
            .servers()
            .iter()
            .filter_map(|s| s.log.term_at(s.log.last_index()))
            .max()
            .unwrap_or(0);
        let term_digits = digits(max_term as usize) as u16;
        let index_digits = digits(longest.max(1)) as u16;
        let texts = Texts::new(app);
        let mut levels: Vec<Measured> = Vec::with_capacity(LEVELS.len());
        for level in LEVELS {
            let cell = if level.wide_cells {
                term_digits.max(index_digits) + 1
            } else {
                term_digits + 1
            };
            // Levels that differ only in cell width share their fields.
            let same = levels.iter().find(|(l, _, _)| {
                (l.role, l.long_titles, l.next_match)
                    == (level.role, level.long_titles, level.next_match)
            });
            let fields = match same {
                Some((_, fields, _)) => fields.clone(),
                None => fields(&texts, level, reference_leads),
            };
            levels.push((level, fields, cell));
        }
        GridMetrics {
            levels,
            longest,
            reference,
            reference_leads,
            texts,
        }
    }

    fn need(&self, i: usize) -> u16 {
        let (_, fields, cell) = &self.levels[i];
        let left: u16 = fields.iter().map(|f| f.1).sum::<u16>() + 1;
        if self.longest == 0 {
            return left + EMPTY.len() as u16;
        }
        left + self.longest as u16 * cell + 1
    }

    /// The width of the most generous level.
    pub fn preferred_width(&self) -> u16 {
        self.need(0)
    }

    /// The narrowest width that still shows every log whole with role words (the tightest such
    /// level's, when none can).
    pub fn narrowest_whole(&self) -> u16 {
        (0..self.levels.len())
            .filter(|&i| self.levels[i].0.role != RoleWords::Glyph)
            .map(|i| self.need(i))
            .min()
            .unwrap_or(0)
    }

    /// The layout for `app` in at most `max_width` columns.
    pub fn choose(self, app: &App, max_width: u16) -> GridLayout {
        let last = self.levels.len() - 1;
        let i = (0..self.levels.len())
            .find(|&i| self.need(i) <= max_width)
            .unwrap_or(last);
        let (level, fields, cell_width) = self.levels[i].clone();
        let left: u16 = fields.iter().map(|f| f.1).sum::<u16>() + 1;
        let longest = self.longest;
        let cells =
            |width: u16| (width.saturating_sub(left + 1) / cell_width.max(1)).max(1) as usize;
        // A window leaves room for its label: `21–40 of 40`.
        let room = match cells(max_width) {
            room if room >= longest => room,
            _ => cells(
                max_width.saturating_sub(width_of(&range_label(longest, longest, longest)) as u16),
            ),
        };
        let count = longest.min(room);
        let first = if longest <= room {
            1
        } else {
            let focus = focus_index(app, self.reference).clamp(1, longest);
            focus
                .saturating_sub(count / 2)
                .clamp(1, longest + 1 - count)
        };
        GridLayout {
            level,
            fields,
            cell_width,
            first,
            count,
            longest,
            reference: self.reference,
            reference_leads: self.reference_leads,
            texts: self.texts,
        }
    }
}

impl GridLayout {
    /// The width the grid takes.
    pub fn width(&self) -> u16 {
        if self.count == 0 {
            return self.left_width() + EMPTY.len() as u16;
        }
        let label = if self.count < self.longest {
            width_of(&range_label(self.longest, self.longest, self.longest)) as u16
        } else {
            0
        };
        self.left_width() + self.count as u16 * self.cell_width + 1 + label
    }

    /// The x of index `index`'s column in a grid drawn from `x`, if it is in the window.
    pub fn column_of(&self, x: u16, index: LogIndex) -> Option<u16> {
        (self.first..self.first + self.count)
            .contains(&index)
            .then(|| {
                x + self.left_width() + ((index - self.first + 1) * self.cell_width as usize) as u16
                    - 1
            })
    }

    fn left_width(&self) -> u16 {
        self.fields.iter().map(|f| f.1).sum::<u16>() + 1
    }

    /// The last index shown.
    fn last(&self) -> LogIndex {
        self.first + self.count.saturating_sub(1)
    }
}

/// The server the logs are compared with: the leader (the selected one if it leads, else the
/// live leader of the highest term), or else the selected server.
fn reference(app: &App) -> (Option<ServerId>, bool) {
    let cluster = app.session.cluster();
    let selected = cluster.server(app.selected_server);
    if selected.is_some_and(|s| s.role == Role::Leader && !s.crashed) {
        return (Some(app.selected_server), true);
    }
    let leader = cluster
        .live_leaders()
        .max_by_key(|&l| cluster.servers()[l].current_term);
    match leader {
        Some(l) => (Some(l), true),
        None => (selected.map(|s| s.id), false),
    }
}

/// The index the window keeps in view: the selected index, else the newest entry the last step
/// changed, else the first divergence from the compared log, else the end.
fn focus_index(app: &App, reference: Option<ServerId>) -> LogIndex {
    if let Some(i) = app.selected_index {
        return i;
    }
    let cluster = app.session.cluster();
    if let Some(before) = app.session.previous() {
        let changed = cluster
            .servers()
            .iter()
            .zip(before.servers())
            .filter_map(|(now, then)| last_change(now, then))
            .max();
        if let Some(i) = changed {
            return i;
        }
    }
    if let Some(r) = reference.and_then(|r| cluster.server(r)) {
        let divergence = cluster
            .servers()
            .iter()
            .filter_map(|s| divergence(s, r).map(|(i, _)| i))
            .min();
        if let Some(i) = divergence {
            return i;
        }
    }
    app.longest_log()
}

/// The highest index where `now`'s log differs from `then`'s.
fn last_change(now: &RaftServer, then: &RaftServer) -> Option<LogIndex> {
    let (a, b) = (&now.log, &then.log);
    let longest = a.len().max(b.len());
    (1..=longest).rev().find(|&i| a.term_at(i) != b.term_at(i))
}

/// Where `s`'s log first differs from `reference`'s: the index, and whether the reference has
/// an entry there (`≠`) or has ended (`+`). `None` when `s`'s log is the same or a prefix.
pub fn divergence(s: &RaftServer, reference: &RaftServer) -> Option<(LogIndex, bool)> {
    if s.id == reference.id {
        return None;
    }
    (1..=s.log.len()).find_map(|i| match reference.log.term_at(i) {
        Some(t) if s.log.term_at(i) == Some(t) => None,
        Some(_) => Some((i, true)),
        None => Some((i, false)),
    })
}

/// The label of a window of indices: ` 21–40 of 40`.
fn range_label(first: LogIndex, last: LogIndex, longest: usize) -> String {
    format!(" {first}–{last} of {longest}")
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

fn role_text(s: &RaftServer, words: RoleWords) -> String {
    let glyph = style::role_glyph(s);
    let word = match (words, s.crashed, s.role) {
        (RoleWords::Glyph, _, _) => return glyph.to_string(),
        (RoleWords::Full, true, _) => "CRASHED",
        (RoleWords::Full, false, role) => role.as_str(),
        (RoleWords::Short, true, _) => "down",
        (RoleWords::Short, false, Role::Leader) => "lead",
        (RoleWords::Short, false, Role::Candidate) => "cand",
        (RoleWords::Short, false, Role::Follower) => "foll",
    };
    format!("{glyph} {word}")
}

fn title(field: Field, long: bool) -> &'static str {
    match (field, long) {
        (Field::Name, _) => "",
        (Field::Role, _) => "role",
        (Field::Term, _) => "term",
        (Field::Vote, _) => "vote",
        (Field::Leader, true) => "leader",
        (Field::Leader, false) => "ldr",
        (Field::Commit, true) => "commit",
        (Field::Commit, false) => "cmt",
        (Field::NextMatch, true) => "next/match",
        (Field::NextMatch, false) => "nx/mt",
        (Field::Timer, true) => "timer ms",
        (Field::Timer, false) => "timer",
    }
}

/// How many cells a timer's bar has.
const TIMER_CELLS: usize = 5;

/// A server's timer in time mode (empty without a clock): `♥███▌· 50` for a leader's
/// heartbeat, ` ██▍·· 183` for an election timer (the bar is what is left of it, the number
/// the timeout drawn), `✎` first while it writes to disk, `—` when crashed. Compact: no number.
fn timer_text(app: &App, s: &RaftServer, compact: bool) -> String {
    let (Some(clock), Some(now)) = (app.session.cluster().clock(), app.shown_time()) else {
        return String::new();
    };
    if s.crashed {
        return "—".to_string();
    }
    let timers = clock.server(s.id);
    let writing = timers.writing.is_some_and(|w| now < w.end);
    let (mark, timer) = match (s.role, timers.heartbeat, timers.election) {
        (Role::Leader, Some(h), _) => ('♥', h),
        (_, _, Some(e)) => (' ', e),
        _ => return "—".to_string(),
    };
    let mark = if writing { '✎' } else { mark };
    let left = 1.0 - timer.fraction_at(now);
    let bar = style::bar(left, TIMER_CELLS);
    if compact {
        format!("{mark}{bar}")
    } else {
        format!(
            "{mark}{bar}{:>5}",
            crate::tui::play::short_ms(timer.length())
        )
    }
}

/// The text of `field` for server `s` (without the change mark).
fn value(app: &App, field: Field, s: &RaftServer) -> String {
    let names = Names(app.session.names());
    let name = |id: Option<ServerId>| id.map_or("—".to_string(), |id| short_name(names, id));
    match field {
        Field::Name => {
            let mut text = short_name(names, s.id);
            let network = app.session.cluster().network();
            if network.is_partitioned() {
                text.push_str(&format!("⌁{}", network.groups()[s.id]));
            }
            text
        }
        Field::Role => role_text(s, RoleWords::Full),
        Field::Term => s.current_term.to_string(),
        Field::Vote => name(s.voted_for),
        Field::Leader => name(s.leader_id),
        Field::Commit => s.commit_index.to_string(),
        Field::Timer => timer_text(app, s, false),
        Field::NextMatch => {
            let (reference, leads) = reference(app);
            match reference.and_then(|r| app.session.cluster().server(r)) {
                Some(leader) if leads && leader.id != s.id => {
                    format!("{}/{}", leader.next_index[s.id], leader.match_index[s.id])
                }
                _ => "—".to_string(),
            }
        }
    }
}

/// A server's name, cut to the grid's cap.
pub fn short_name(names: Names, id: ServerId) -> String {
    fit(&names.of(id), NAME_CAP)
}

/// Whether `field` changed for `s` in the last step.
fn changed(app: &App, field: Field, s: &RaftServer) -> bool {
    let Some(before) = app.session.previous().and_then(|c| c.server(s.id)) else {
        return false;
    };
    match field {
        Field::Name | Field::NextMatch | Field::Timer => false,
        Field::Role => before.role != s.role || before.crashed != s.crashed,
        Field::Term => before.current_term != s.current_term,
        Field::Vote => before.voted_for != s.voted_for,
        Field::Leader => before.leader_id != s.leader_id,
        Field::Commit => before.commit_index != s.commit_index,
    }
}

/// The fields of `level` with their widths: the widest of title and values, one column for the
/// change mark, one gap.
fn fields(texts: &Texts, level: Level, leads: bool) -> Vec<(Field, u16)> {
    let mut fields = vec![
        Field::Name,
        Field::Role,
        Field::Term,
        Field::Vote,
        Field::Leader,
        Field::Commit,
    ];
    if level.next_match && leads {
        fields.push(Field::NextMatch);
    }
    if !texts.0.first().is_some_and(|t| t[9].is_empty()) {
        fields.push(Field::Timer);
    }
    fields
        .into_iter()
        .map(|field| {
            let widest = (0..texts.0.len())
                .map(|id| width_of(texts.get(id, field, level.role)))
                .max()
                .unwrap_or(0);
            let title = width_of(title(field, level.long_titles));
            let mark = usize::from(field != Field::Name);
            // The name column also holds the selection marker.
            let marker = usize::from(field == Field::Name);
            (field, (marker + (widest + mark).max(title) + 1) as u16)
        })
        .collect()
}

/// The grid widget.
pub struct Grid<'a> {
    /// The app.
    pub app: &'a App,
    /// Its layout.
    pub layout: &'a GridLayout,
}

impl Grid<'_> {
    /// The row of server `id` in a grid drawn at `area`.
    pub fn row_of(area: Rect, id: ServerId) -> u16 {
        area.y + 1 + id as u16
    }

    fn draw_header(&self, area: Rect, buf: &mut Buffer) {
        let layout = self.layout;
        let mut x = area.x;
        let y = area.y;
        let dim = style::dim();
        for &(field, width) in &layout.fields {
            let text = if field == Field::Name {
                match layout.reference {
                    Some(r) if layout.count > 0 => {
                        // What the ≠ and + marks compare with, as long as it fits.
                        let name = short_name(Names(self.app.session.names()), r);
                        [
                            format!(" vs {name}"),
                            format!(" ≠{name}"),
                            format!("≠{name}"),
                        ]
                        .into_iter()
                        .find(|t| width_of(t) < width as usize)
                        .unwrap_or_default()
                    }
                    _ => String::new(),
                }
            } else {
                title(field, layout.level.long_titles).to_string()
            };
            put(buf, x, y, &text, width as usize, dim);
            x += width;
        }
        let left = if layout.first > 1 { "‹" } else { "│" };
        put(buf, x, y, left, 1, dim);
        x += 1;
        if layout.count == 0 {
            buf.set_string(x, y, EMPTY, dim);
            return;
        }
        let cell = layout.cell_width as usize;
        // Label an index when its number fits in its column without touching the last label.
        let mut free_from = x;
        for offset in 0..layout.count {
            let index = layout.first + offset;
            let label = index.to_string();
            let end = x + ((offset + 1) * cell) as u16;
            let start = end.saturating_sub(label.len() as u16);
            let selected = self.app.selected_index == Some(index);
            let dense = label.len() < cell;
            if selected || (start > free_from || (start == free_from && dense)) {
                let st = if selected {
                    style::heading().add_modifier(Modifier::REVERSED)
                } else {
                    dim
                };
                put(buf, start, y, &label, label.len(), st);
                free_from = end;
            }
        }
        let end = x + (layout.count * cell) as u16;
        if layout.last() < layout.longest {
            put(buf, end, y, "›", 1, dim);
        }
        if layout.count < layout.longest {
            let label = range_label(layout.first, layout.last(), layout.longest);
            put(buf, end + 1, y, &label, width_of(&label), style::title());
        }
    }

    fn draw_row(&self, s: &RaftServer, y: u16, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let layout = self.layout;
        let selected = s.id == app.selected_server;
        let mut x = area.x;
        for &(field, width) in &layout.fields {
            let text = layout.texts.get(s.id, field, layout.level.role);
            match field {
                Field::Name => {
                    let marker = if selected { "▶" } else { " " };
                    put(buf, x, y, marker, 1, style::heading());
                    let st = if selected {
                        style::heading()
                    } else {
                        Style::new()
                    };
                    put(buf, x + 1, y, text, width as usize - 1, st);
                }
                _ => {
                    let is_changed = changed(app, field, s);
                    let st = match field {
                        Field::Role => style::role_style(s),
                        _ if is_changed => style::changed(),
                        _ => Style::new(),
                    };
                    let end = put(buf, x, y, text, width as usize, st);
                    if is_changed {
                        put(buf, end, y, "*", 1, style::changed());
                    }
                }
            }
            x += width;
        }
        let log_changed = app
            .session
            .previous()
            .and_then(|c| c.server(s.id))
            .is_some_and(|b| b.log != s.log);
        if log_changed {
            put(buf, x, y, "*", 1, style::changed());
        } else {
            put(buf, x, y, "│", 1, style::dim());
        }
        x += 1;
        self.draw_cells(s, x, y, buf);
    }

    fn draw_cells(&self, s: &RaftServer, x: u16, y: u16, buf: &mut Buffer) {
        let layout = self.layout;
        let cluster: &Cluster = self.app.session.cluster();
        let cell = layout.cell_width as usize;
        let marks = layout
            .reference
            .and_then(|r| cluster.server(r))
            .and_then(|r| divergence(s, r));
        for offset in 0..=layout.count {
            let index = layout.first + offset;
            let cx = x + (offset * cell) as u16;
            let term = s.log.term_at(index);
            // The gap before the entry.
            let gap = if s.commit_index > 0 && index == s.commit_index + 1 {
                Some("┃")
            } else {
                match marks {
                    Some((i, true)) if i == index => Some("≠"),
                    Some((i, false)) if i == index => Some("+"),
                    _ => None,
                }
            };
            let committed = index <= s.commit_index;
            let cell_style = term.map(|t| style::term_cell(t, committed));
            let gap_style = match (gap, cell_style) {
                (Some(g), Some(st)) => style::mark_on(g, st),
                (Some(g), None) => style::mark(g),
                (None, Some(st)) => st,
                (None, None) => Style::new(),
            };
            let past_end = index > s.log.len() + 1;
            if let Some(g) = gap.filter(|_| !past_end) {
                put(buf, cx, y, g, 1, gap_style);
            }
            if offset == layout.count {
                // Past the window only the gap is drawn, for a mark after the last entry.
                break;
            }
            let (Some(term), Some(st)) = (term, cell_style) else {
                continue;
            };
            if gap.is_none() {
                put(buf, cx, y, " ", 1, st);
            }
            put(
                buf,
                cx + 1,
                y,
                &format!("{term:>w$}", w = cell - 1),
                cell - 1,
                st,
            );
        }
    }
}

impl ratatui::widgets::Widget for Grid<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        self.draw_header(area, buf);
        for s in self.app.session.cluster().servers() {
            let y = Grid::row_of(area, s.id);
            if y >= area.bottom() {
                break;
            }
            self.draw_row(s, y, area, buf);
        }
    }
}
