//! The in-flight message list: one line a message, oldest first, the selected one marked with
//! ▶; when they do not all fit, "+N more" says how many are out of view.

use super::style;
use super::text::{fit, put_line, width_of};
use crate::raft::{Envelope, Message, Names};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Which messages a list of `height` lines shows: the first, how many, and whether a line
/// above or below says how many more there are. The selected message is always in view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The first message shown.
    pub first: usize,
    /// How many are shown.
    pub count: usize,
    /// Whether the first line says how many are above.
    pub above: bool,
    /// Whether the last line says how many are below.
    pub below: bool,
}

/// The window of `total` messages in `height` lines that keeps `selected` in view.
pub fn window(total: usize, height: usize, selected: Option<usize>) -> Window {
    if total <= height || height < 2 {
        return Window {
            first: 0,
            count: total.min(height),
            above: false,
            below: false,
        };
    }
    let selected = selected.unwrap_or(0).min(total - 1);
    // Without a line above: messages 0.. with a "more" line below.
    if selected < height - 1 {
        return Window {
            first: 0,
            count: height - 1,
            above: false,
            below: true,
        };
    }
    // Scrolled to the end: a line above only.
    if selected >= total - (height - 1) {
        return Window {
            first: total - (height - 1),
            count: height - 1,
            above: true,
            below: false,
        };
    }
    // In the middle: both lines, the selected one last.
    let count = height.saturating_sub(2).max(1);
    Window {
        first: selected + 1 - count,
        count,
        above: true,
        below: height >= 3,
    }
}

/// When a message arrives, in time mode: `in 12 ms`, or `✎ 8 ms` while its sender still
/// writes to disk before it leaves.
fn arrival(app: &App, m: &Envelope) -> Option<String> {
    let times = app.session.cluster().clock()?.message(m.id)?;
    let now = app.shown_time()?;
    let short = crate::tui::play::short_ms;
    Some(if now < times.sent {
        format!("✎{} ", short(times.sent - now))
    } else {
        format!("in {} ms ", short(times.due.saturating_sub(now)))
    })
}

/// The list widget. Draws its own title rule.
pub struct MessageList<'a> {
    /// The app.
    pub app: &'a App,
}

impl MessageList<'_> {
    /// The message drawn on screen row `row` of a list drawn at `area`, if any.
    pub fn message_at(app: &App, area: Rect, row: u16) -> Option<usize> {
        if row <= area.y || row >= area.bottom() {
            return None;
        }
        let total = app.session.cluster().in_flight().len();
        let w = window(
            total,
            area.height.saturating_sub(1) as usize,
            app.selected_message_index(),
        );
        let line = (row - area.y - 1) as usize;
        let line = line.checked_sub(usize::from(w.above))?;
        (line < w.count).then_some(w.first + line)
    }
}

impl Widget for MessageList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let messages: Vec<&Envelope> = self.app.session.cluster().in_flight().collect();
        let mut title = format!(" In flight ({}) ", messages.len());
        let cut = self.app.session.cluster().network().cuts().count();
        if cut > 0 {
            let links = if cut == 1 { "link" } else { "links" };
            title.push_str(&format!("· {cut} {links} cut ╳ "));
        }
        super::titled_rule(area, &title, buf);
        let height = area.height.saturating_sub(1) as usize;
        let width = area.width as usize;
        let mut y = area.y + 1;
        if messages.is_empty() {
            buf.set_stringn(area.x, y, " nothing in flight", width, style::dim());
            return;
        }
        let selected = self.app.selected_message_index();
        let w = window(messages.len(), height, selected);
        let names = Names(self.app.session.names());
        if w.above {
            let text = format!(" +{} more above (↑)", w.first);
            buf.set_stringn(area.x, y, text, width, style::dim());
            y += 1;
        }
        // One wording for every line shown, the fullest that fits them all.
        let shown = || messages.iter().skip(w.first).take(w.count);
        // In time mode the arrival time needs its room too.
        let eta = |m: &Envelope| arrival(self.app, m).map_or(0, |t| width_of(&t) + 1);
        let wording = (0..WORDINGS.len())
            .find(|&k| shown().all(|m| line_width(m, names, k) + eta(m) <= width))
            .or_else(|| {
                (0..WORDINGS.len()).find(|&k| shown().all(|m| line_width(m, names, k) <= width))
            })
            .unwrap_or(WORDINGS.len() - 1);
        for (i, m) in messages.iter().enumerate().skip(w.first).take(w.count) {
            let line = message_line(m, selected == Some(i), names, width, wording);
            put_line(buf, area.x, y, &line, width);
            // In time mode, when it arrives, at the right if there is room.
            if let Some(eta) = arrival(self.app, m) {
                let eta_width = width_of(&eta);
                if line.width() + eta_width < width {
                    let x = area.x + (width - eta_width) as u16;
                    buf.set_stringn(x, y, &eta, eta_width, style::dim());
                }
            }
            y += 1;
        }
        if w.below {
            let hidden = messages.len() - w.first - w.count;
            let text = format!(" +{hidden} more (↓)");
            buf.set_stringn(area.x, y, text, width, style::dim());
        }
    }
}

/// A message's kind as the list names it: full, or short when the line is narrow.
fn kind_word(m: &Message, short: bool) -> &'static str {
    match (m, short) {
        (Message::RequestVote { .. }, false) => "RequestVote",
        (Message::RequestVote { .. }, true) => "RV",
        (Message::RequestVoteResponse { .. }, false) => "VoteReply",
        (Message::RequestVoteResponse { .. }, true) => "vote",
        (Message::AppendEntries { .. }, false) => "AppendEntries",
        (Message::AppendEntries { .. }, true) => "AE",
        (Message::AppendEntriesResponse { .. }, false) => "AppendReply",
        (Message::AppendEntriesResponse { .. }, true) => "reply",
    }
}

/// What a message carries, in full or compact.
fn detail(m: &Message, compact: bool) -> String {
    match (m, compact) {
        (
            Message::RequestVote {
                last_log_index,
                last_log_term,
                ..
            },
            false,
        ) => format!("last ({last_log_index}, {last_log_term})"),
        (
            Message::RequestVote {
                last_log_index,
                last_log_term,
                ..
            },
            true,
        ) => format!("({last_log_index},{last_log_term})"),
        (Message::RequestVoteResponse { granted: true, .. }, false) => "✓ granted".to_string(),
        (Message::RequestVoteResponse { granted: false, .. }, false) => "✗ refused".to_string(),
        (Message::RequestVoteResponse { granted, .. }, true) => {
            if *granted { "✓" } else { "✗" }.to_string()
        }
        (
            Message::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            },
            false,
        ) => format!(
            "prev ({prev_log_index}, {prev_log_term}) +{} commit {leader_commit}",
            entries.len()
        ),
        (
            Message::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            },
            true,
        ) => format!(
            "({prev_log_index},{prev_log_term})+{} c{leader_commit}",
            entries.len()
        ),
        (
            Message::AppendEntriesResponse {
                success: true,
                match_index,
                ..
            },
            false,
        ) => format!("✓ match {match_index}"),
        (
            Message::AppendEntriesResponse {
                success: true,
                match_index,
                ..
            },
            true,
        ) => format!("✓{match_index}"),
        (Message::AppendEntriesResponse { success: false, .. }, false) => "✗ failed".to_string(),
        (Message::AppendEntriesResponse { success: false, .. }, true) => "✗".to_string(),
    }
}

/// The wordings of a message line, fullest first: (short kind name, compact detail).
const WORDINGS: [(bool, bool); 3] = [(false, false), (false, true), (true, true)];

/// `#12 a→d ` for a message.
fn route(m: &Envelope, names: Names) -> String {
    format!(
        "#{} {}→{} ",
        m.id,
        fit(&names.of(m.from), 8),
        fit(&names.of(m.to), 8)
    )
}

/// The width of a message's line in wording `k`.
fn line_width(m: &Envelope, names: Names, k: usize) -> usize {
    let (short, compact) = WORDINGS[k];
    1 + width_of(&route(m, names))
        + width_of(kind_word(&m.message, short))
        + width_of(&format!(" t{} ", m.message.term()))
        + width_of(&detail(&m.message, compact))
}

/// One message in at most `width` columns, in wording `k` of [`WORDINGS`].
pub fn message_line(
    m: &Envelope,
    selected: bool,
    names: Names,
    width: usize,
    k: usize,
) -> Line<'static> {
    let (short, compact) = WORDINGS[k];
    let pointer = if selected { "▶" } else { " " };
    let emphasis = if selected {
        style::heading()
    } else {
        Style::new()
    };
    let route = route(m, names);
    let kind_style = style::kind_style(m.message.kind()).add_modifier(if selected {
        Modifier::BOLD
    } else {
        Modifier::empty()
    });
    let word = kind_word(&m.message, short);
    let term = format!(" t{} ", m.message.term());
    let room = width.saturating_sub(1 + width_of(&route) + width_of(word) + width_of(&term));
    Line::from(vec![
        Span::styled(pointer, style::heading()),
        Span::styled(route, emphasis),
        Span::styled(word, kind_style),
        Span::raw(term),
        Span::styled(fit(&detail(&m.message, compact), room), style::dim()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_selection_in_view_and_counts_the_rest() {
        // Everything fits.
        assert_eq!(
            window(3, 5, Some(2)),
            Window {
                first: 0,
                count: 3,
                above: false,
                below: false
            }
        );
        // Ten in five lines, the first selected: four and "+6 more".
        let w = window(10, 5, Some(0));
        assert_eq!((w.first, w.count, w.above, w.below), (0, 4, false, true));
        // The last selected: "+6 more above" and the last four.
        let w = window(10, 5, Some(9));
        assert_eq!((w.first, w.count, w.above, w.below), (6, 4, true, false));
        // In the middle: both lines, three messages, the selected one last.
        let w = window(10, 5, Some(5));
        assert_eq!((w.first, w.count, w.above, w.below), (3, 3, true, true));
        for selected in 0..10 {
            let w = window(10, 5, Some(selected));
            assert!((w.first..w.first + w.count).contains(&selected));
            assert!(w.count + usize::from(w.above) + usize::from(w.below) <= 5);
        }
    }
}
