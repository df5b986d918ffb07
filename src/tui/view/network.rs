//! The network picture, as RaftScope draws its ring: the servers round a circle, each message
//! in flight a line from its sender to its receiver, labelled along it with an arrow
//! for its direction and what it is (`↘RV t9`, `↖vote ✓`, `→AE +3`, `←reply ✗`). A split
//! network puts each group on its own arc with a dotted wall between groups; a cut link is a
//! red `╳` halfway between its servers (`╳→` for one way, pointing the way that is lost);
//! crashed servers are marked ✗; the selected message is marked ▶. The placement of every label is computed by
//! [`NetworkLayout::new`], which drawing and mouse clicks share.

use super::style;
use super::text::{fit, put, width_of};
use crate::raft::{Envelope, Message, MessageKind, Names, ServerId};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Line as CanvasLine};

/// Where a label goes along its line, in order of preference: halfway, then further along.
const HALFWAY_FIRST: [f64; 6] = [0.5, 0.6, 0.4, 0.7, 0.3, 0.8];

/// A label placed on screen.
#[derive(Clone, Debug, PartialEq)]
struct Label {
    rect: Rect,
    text: String,
}

/// Where everything in the picture goes.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkLayout {
    /// The canvas (the area below the title rule).
    canvas: Rect,
    /// Each server's centre, in cells from the canvas's top left.
    centres: Vec<(f64, f64)>,
    /// Each server's label.
    servers: Vec<Label>,
    /// Each message's label, by its position in the in-flight list (`None`: no room).
    messages: Vec<Option<Label>>,
    /// Partition walls, as lines in cells.
    walls: Vec<((f64, f64), (f64, f64))>,
    /// Cut links' marks.
    cuts: Vec<Label>,
}

impl NetworkLayout {
    /// The layout of the picture drawn at `area` (its title rule included).
    pub fn new(app: &App, area: Rect) -> NetworkLayout {
        let canvas = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let cluster = app.session.cluster();
        let names = Names(app.session.names());
        let n = cluster.servers().len();
        let groups = cluster.network().groups();
        let partitioned = cluster.network().is_partitioned();
        // Around the circle by group, a free slot between groups for the wall.
        let mut order: Vec<ServerId> = (0..n).collect();
        order.sort_by_key(|&s| (groups[s], s));
        let mut slots: Vec<Option<ServerId>> = Vec::new();
        for (i, &s) in order.iter().enumerate() {
            if partitioned && i > 0 && groups[s] != groups[order[i - 1]] {
                slots.push(None);
            }
            slots.push(Some(s));
        }
        if partitioned {
            slots.push(None);
        }
        let labels: Vec<String> = (0..n)
            .map(|s| {
                let server = &cluster.servers()[s];
                let pointer = if s == app.selected_server { "▶" } else { "" };
                // Busy writing to disk, in time mode.
                let writing = match (cluster.clock(), app.shown_time()) {
                    (Some(clock), Some(now)) => clock
                        .server(s)
                        .writing
                        .is_some_and(|w| now < w.end && !server.crashed),
                    _ => false,
                };
                format!(
                    "{pointer}{}{}{}",
                    style::role_glyph(server),
                    fit(&names.of(s), 8),
                    if writing { "✎" } else { "" }
                )
            })
            .collect();
        let widest = labels.iter().map(|l| width_of(l)).max().unwrap_or(1) as f64;
        let (w, h) = (canvas.width as f64, canvas.height as f64);
        let (cx, cy) = (w / 2.0, h / 2.0);
        let rx = (w / 2.0 - widest / 2.0 - 1.0).max(1.0);
        let ry = (h / 2.0 - 1.0).max(0.5);
        let angle = |slot: f64| {
            -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * slot / slots.len() as f64
        };
        let point = |a: f64, scale: f64| (cx + rx * scale * a.cos(), cy + ry * scale * a.sin());
        let mut centres = vec![(cx, cy); n];
        let mut walls = Vec::new();
        for (slot, s) in slots.iter().enumerate() {
            let a = angle(slot as f64);
            match s {
                Some(s) => centres[*s] = point(a, 1.0),
                None => walls.push(((cx, cy), point(a, 1.15))),
            }
        }
        let mut taken: Vec<Rect> = Vec::new();
        let servers: Vec<Label> = (0..n)
            .map(|s| {
                let rect = centred(canvas, centres[s], width_of(&labels[s]) as u16);
                taken.push(rect);
                Label {
                    rect,
                    text: labels[s].clone(),
                }
            })
            .collect();
        // At the first of `along` (fractions of the line) that is free, then a row off the
        // line; a column of space on each side, so labels do not run together.
        let mut place = |from: (f64, f64), to: (f64, f64), text: String, along: [f64; 6]| {
            let width = width_of(&text) as u16;
            for dy in [0.0, -1.0, 1.0] {
                for t in along {
                    let at = (
                        from.0 + (to.0 - from.0) * t,
                        from.1 + (to.1 - from.1) * t + dy,
                    );
                    let rect = centred(canvas, at, width);
                    let padded = Rect {
                        x: rect.x.saturating_sub(1),
                        width: rect.width + 2,
                        ..rect
                    };
                    if rect.width == width && !taken.iter().any(|r| r.intersects(padded)) {
                        taken.push(rect);
                        return Some(Label { rect, text });
                    }
                }
            }
            None
        };
        // Cut links before messages: they say why messages are lost.
        let cuts = cluster
            .network()
            .cuts()
            .filter_map(|link| {
                let (from, to) = (centres[link.from], centres[link.to]);
                let text = if link.both_ways {
                    "╳".to_string()
                } else {
                    format!("╳{}", arrow(from, to))
                };
                place(from, to, text, HALFWAY_FIRST)
            })
            .collect();
        let messages: Vec<&Envelope> = cluster.in_flight().collect();
        let compact = canvas.width < 60;
        let mut placed = Vec::with_capacity(messages.len());
        for (i, m) in messages.iter().enumerate() {
            let (from, to) = (centres[m.from], centres[m.to]);
            let arrow = arrow(from, to);
            let pointer = if app.selected_message_index() == Some(i) {
                "▶"
            } else {
                ""
            };
            let text = format!("{pointer}{arrow}{}", label(&m.message, compact));
            // In time mode where it has got to; else halfway first.
            let along = match app.message_progress(m.id) {
                Some(p) => [0.0, 0.08, -0.08, 0.16, -0.16, 0.24].map(|d| (p + d).clamp(0.15, 0.85)),
                None => HALFWAY_FIRST,
            };
            placed.push(place(from, to, text, along));
        }
        NetworkLayout {
            canvas,
            centres,
            servers,
            messages: placed,
            walls,
            cuts,
        }
    }

    /// The server whose label is at `at`.
    pub fn server_at(&self, at: Position) -> Option<ServerId> {
        self.servers.iter().position(|l| l.rect.contains(at))
    }

    /// The message (position in the in-flight list) whose label is at `at`.
    pub fn message_at(&self, at: Position) -> Option<usize> {
        self.messages
            .iter()
            .position(|l| l.as_ref().is_some_and(|l| l.rect.contains(at)))
    }

    /// How many messages have no label for want of room.
    fn unlabelled(&self) -> usize {
        self.messages.iter().filter(|l| l.is_none()).count()
    }
}

/// A rectangle one row high and `width` wide centred on `at` (cells from the canvas's top
/// left), kept inside the canvas.
fn centred(canvas: Rect, at: (f64, f64), width: u16) -> Rect {
    let width = width.min(canvas.width);
    let x = (at.0 - width as f64 / 2.0).round().max(0.0) as u16;
    let y = at.1.floor().max(0.0) as u16;
    Rect {
        x: canvas.x + x.min(canvas.width - width),
        y: canvas.y + y.min(canvas.height.saturating_sub(1)),
        width,
        height: 1.min(canvas.height),
    }
}

/// The arrow for a message going from `from` to `to` (y grows downwards).
fn arrow(from: (f64, f64), to: (f64, f64)) -> &'static str {
    // Cells are about twice as high as wide: compare in a square space.
    let (dx, dy) = (to.0 - from.0, (to.1 - from.1) * 2.0);
    let sector = ((dy.atan2(dx) / std::f64::consts::FRAC_PI_4).round() as i64).rem_euclid(8);
    ["→", "↘", "↓", "↙", "←", "↖", "↑", "↗"][sector as usize]
}

/// What a message is, in a few characters.
fn label(m: &Message, compact: bool) -> String {
    match (m, compact) {
        (Message::RequestVote { term, .. }, false) => format!("RequestVote t{term}"),
        (Message::RequestVote { term, .. }, true) => format!("RV t{term}"),
        (Message::RequestVoteResponse { granted, .. }, _) => {
            format!("vote {}", if *granted { "✓" } else { "✗" })
        }
        (Message::AppendEntries { entries, .. }, false) => {
            format!("AppendEntries +{}", entries.len())
        }
        (Message::AppendEntries { entries, .. }, true) => format!("AE +{}", entries.len()),
        (Message::AppendEntriesResponse { success, .. }, _) => {
            format!("reply {}", if *success { "✓" } else { "✗" })
        }
    }
}

/// The picture.
pub struct NetworkPicture<'a> {
    /// The app.
    pub app: &'a App,
    /// Its layout.
    pub layout: &'a NetworkLayout,
}

impl Widget for NetworkPicture<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height < 2 {
            return;
        }
        let layout = self.layout;
        let cluster = self.app.session.cluster();
        let mut title = " Network ".to_string();
        if cluster.network().is_partitioned() {
            let groups = layout.walls.len();
            title.push_str(&format!("· split in {groups}, walls •••• "));
        }
        let cut = cluster.network().cuts().count();
        if cut > 0 {
            let links = if cut == 1 { "link" } else { "links" };
            title.push_str(&format!("· {cut} {links} cut ╳ "));
        }
        let unlabelled = layout.unlabelled();
        if unlabelled > 0 {
            title.push_str(&format!("· {unlabelled} not labelled "));
        }
        if self.app.show_network {
            title.push_str("· m: messages ");
        }
        super::titled_rule(area, &title, buf);
        let canvas = layout.canvas;
        let h = canvas.height as f64;
        let messages: Vec<&Envelope> = cluster.in_flight().collect();
        let selected = self.app.selected_message_index();
        let to_canvas = |(x, y): (f64, f64)| (x, h - y);
        // A message's line runs between the edges of its servers' labels, not their centres.
        let ends = |m: &Envelope| {
            let (a, b) = (layout.centres[m.from], layout.centres[m.to]);
            let half = |s: ServerId| layout.servers[s].rect.width as f64 / 2.0 + 0.5;
            let (ta, tb) = (leave(a, b, half(m.from)), leave(b, a, half(m.to)));
            let along = |p: (f64, f64), q: (f64, f64), t: f64| {
                (p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t)
            };
            let (start, end) = (along(a, b, ta), along(b, a, tb));
            // In time mode only what is left of its way: it moves towards its receiver.
            let start = match self.app.message_progress(m.id) {
                Some(p) => along(start, end, p),
                None => start,
            };
            (to_canvas(start), to_canvas(end))
        };
        Canvas::default()
            .x_bounds([0.0, canvas.width as f64])
            .y_bounds([0.0, h])
            .marker(Marker::Braille)
            .paint(|ctx| {
                for (i, m) in messages.iter().enumerate() {
                    if selected == Some(i) {
                        continue;
                    }
                    let (a, b) = ends(m);
                    ctx.draw(&CanvasLine::new(a.0, a.1, b.0, b.1, kind_color(m)));
                }
                // The selected message on a layer of its own, on top, in white.
                if let Some(m) = selected.and_then(|i| messages.get(i)) {
                    ctx.layer();
                    let (a, b) = ends(m);
                    ctx.draw(&CanvasLine::new(a.0, a.1, b.0, b.1, Color::White));
                }
                if !layout.walls.is_empty() {
                    ctx.layer();
                    ctx.marker(Marker::Dot);
                    for (a, b) in &layout.walls {
                        let (a, b) = (to_canvas(*a), to_canvas(*b));
                        ctx.draw(&CanvasLine::new(a.0, a.1, b.0, b.1, Color::DarkGray));
                    }
                }
            })
            .render(canvas, buf);
        let draw = |buf: &mut Buffer, label: &Label, st: Style| {
            put(
                buf,
                label.rect.x,
                label.rect.y,
                &label.text,
                label.rect.width as usize,
                st,
            )
        };
        for (i, label) in layout.messages.iter().enumerate() {
            let Some(label) = label else { continue };
            let mut st = messages
                .get(i)
                .map_or(Style::new(), |m| style::kind_style(m.message.kind()));
            if selected == Some(i) {
                st = st.add_modifier(Modifier::BOLD | Modifier::REVERSED);
            }
            draw(buf, label, st);
        }
        for label in &layout.cuts {
            draw(buf, label, style::bad().add_modifier(Modifier::BOLD));
        }
        for (s, label) in layout.servers.iter().enumerate() {
            let mut st = style::role_style(&cluster.servers()[s]);
            if s == self.app.selected_server {
                st = st.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
            }
            draw(buf, label, st);
        }
    }
}

/// How far along the line from `from` to `to` (0 to 1) it leaves a label `half` cells wide on
/// each side of `from` and about a row high.
fn leave(from: (f64, f64), to: (f64, f64), half: f64) -> f64 {
    let (dx, dy) = ((to.0 - from.0).abs(), (to.1 - from.1).abs());
    let tx = if dx > 0.0 { half / dx } else { f64::INFINITY };
    let ty = if dy > 0.0 { 0.9 / dy } else { f64::INFINITY };
    tx.min(ty).min(0.45)
}

fn kind_color(m: &Envelope) -> Color {
    match m.message.kind() {
        MessageKind::RequestVote | MessageKind::RequestVoteResponse => Color::Cyan,
        MessageKind::AppendEntries | MessageKind::AppendEntriesResponse => Color::Green,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_point_from_sender_to_receiver() {
        assert_eq!(arrow((0.0, 0.0), (10.0, 0.0)), "→");
        assert_eq!(arrow((10.0, 0.0), (0.0, 0.0)), "←");
        assert_eq!(arrow((0.0, 0.0), (0.0, 5.0)), "↓");
        assert_eq!(arrow((0.0, 5.0), (0.0, 0.0)), "↑");
        assert_eq!(arrow((0.0, 0.0), (10.0, 5.0)), "↘");
        assert_eq!(arrow((10.0, 5.0), (0.0, 0.0)), "↖");
    }
}
