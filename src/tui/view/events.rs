//! The event log ("What happened"): every step's heading and the model's explanations, newest
//! last. Its title says which steps are in view; `▌` marks the lines of the newest beat of the
//! walkthrough (or the newest free action). The walkthrough's narration and quizzes are left
//! out (its box shows them), and expectations that hold, one after another, share one line. Only the lines that can be shown are explained and wrapped,
//! walking back from the newest.

use super::style;
use super::text::put_line;
use crate::raft::{Event, Names, explain};
use crate::scenario::Step;
use crate::session::{Origin, Session};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Widget;

/// The first column of an event a mutant decided differently from Raft.
pub const MUTANT_MARK: &str = "⚠ ";

/// A wrapped line and the number (1-based) of the step it belongs to.
type Numbered = (Line<'static>, usize);

/// The number (1-based) of the first entry of the newest beat, or of the newest entry when
/// the latest is a free action.
fn newest_from(session: &Session) -> usize {
    let total = session.entries().len();
    match session.current_beat_entries().len() {
        0 => total,
        beat => total - beat + 1,
    }
}

/// At least `wanted` lines (fewer when the log is shorter) of the log wrapped to `width`,
/// newest first.
fn lines_back(session: &Session, width: usize, wanted: usize) -> Vec<Numbered> {
    let names = Names(session.names());
    let mut reversed: Vec<Numbered> = Vec::new();
    let width = width.max(10);
    let wrap = |text: &str, first: &'static str, st: Style, number: usize, out: &mut Vec<_>| {
        // Most lines fit: no need to wrap them (bytes are at least columns).
        if first.len() + text.len() <= width && !text.contains('\n') {
            out.push((Line::styled(format!("{first}{text}"), st), number));
            return;
        }
        let options = textwrap::Options::new(width)
            .initial_indent(first)
            .subsequent_indent("    ")
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        let pieces: Vec<String> = textwrap::wrap(text, options)
            .into_iter()
            .map(|piece| piece.into_owned())
            .collect();
        out.extend(
            pieces
                .into_iter()
                .rev()
                .map(|piece| (Line::styled(piece, st), number)),
        );
    };
    let entries = session.entries();
    let newest = newest_from(session);
    let is_step = |i: usize, kind: fn(&Step) -> bool| matches!(entries[i].origin, Origin::Script(step) if kind(&session.scenario().steps[step]));
    // The walkthrough's words are its box's (`p` shows an earlier beat's again): the log
    // keeps its rows for what the model did.
    let hidden = |i: usize| is_step(i, |s| matches!(s, Step::Say(_) | Step::Quiz(_)));
    let holds = |i: usize| {
        entries[i].mismatches.is_empty()
            && entries[i].events.is_empty()
            && is_step(i, |s| matches!(s, Step::Expect(_)))
    };
    // Entries already drawn as part of a run of expectations.
    let mut drawn_from = usize::MAX;
    'entries: for (i, entry) in entries.iter().enumerate().rev() {
        let number = i + 1;
        if i >= drawn_from || hidden(i) {
            continue;
        }
        // Expectations that hold, one after another in a beat, take one line cut to fit:
        // the header and the walkthrough box count them, and listed in full they would push
        // the model's decisions of the same beat out of a small log.
        if holds(i) {
            let in_newest = number >= newest;
            let mut run = vec![i];
            let mut j = i;
            while j > 0 && (j >= newest) == in_newest && (hidden(j - 1) || holds(j - 1)) {
                j -= 1;
                if holds(j) {
                    run.push(j);
                }
            }
            drawn_from = j;
            let described: Vec<String> = run
                .iter()
                .rev()
                .map(|&k| {
                    let text = session.describe(&entries[k]);
                    text.strip_prefix("expect ").unwrap_or(&text).to_string()
                })
                .collect();
            let first = run[run.len() - 1] + 1;
            let heading = match described.len() {
                1 => format!("{number}. ✓ expect {}", described[0]),
                n => format!(
                    "{first}–{number}. ✓ {n} expectations hold: {}",
                    described.join("; ")
                ),
            };
            let line = Line::styled(super::text::fit(&heading, width), style::heading());
            reversed.push((line, number));
            if reversed.len() >= wanted {
                break;
            }
            continue;
        }
        for m in entry.mismatches.iter().rev() {
            wrap(
                &format!("✗ {m}"),
                "  ",
                style::alarm(),
                number,
                &mut reversed,
            );
        }
        for event in entry.events.iter().rev() {
            if reversed.len() >= wanted {
                break 'entries;
            }
            // A decision a mutant made differently from Raft is marked with a glyph (which
            // survives NO_COLOR) as well as a colour.
            let (first, st) = match event {
                Event::Violation(_) => ("  ", style::alarm()),
                e if e.deviation().is_some() => (MUTANT_MARK, style::mutant()),
                _ => ("  ", Style::new()),
            };
            wrap(&explain(event, names), first, st, number, &mut reversed);
        }
        // In time mode each step says when it ended.
        let heading = match entry.time {
            Some(t) if entry.action.is_some() => format!(
                "{number}. {} · {}",
                crate::raft::time::format_ms(t),
                session.describe(entry)
            ),
            _ => format!("{number}. {}", session.describe(entry)),
        };
        wrap(&heading, "", style::heading(), number, &mut reversed);
        if reversed.len() >= wanted {
            break;
        }
    }
    reversed
}

/// Whether a log drawn in `area` (rule included) can scroll back further than `scroll_back`
/// lines.
pub fn can_scroll_back(session: &Session, area: Rect, scroll_back: usize) -> bool {
    EventLog::new(session, area, scroll_back).more_above()
}

/// Room for text: one column is the gutter for the newest step's mark.
fn text_width(area: Rect) -> usize {
    area.width.saturating_sub(2) as usize
}

/// The event log, its lines wrapped for the area it is drawn in.
pub struct EventLog {
    /// The lines, newest first: one more than can be shown when there are more.
    reversed: Vec<Numbered>,
    /// Lines scrolled back, clamped to the oldest.
    back: usize,
    /// Lines shown.
    height: usize,
    /// Steps in the session.
    total: usize,
    /// The first step marked as the newest.
    newest: usize,
    /// Whether the scenario has a walkthrough (for what to say when nothing happened yet).
    has_script: bool,
}

impl EventLog {
    /// The log of `session` for `area`, scrolled back `scroll_back` lines.
    pub fn new(session: &Session, area: Rect, scroll_back: usize) -> EventLog {
        let height = area.height.saturating_sub(1) as usize;
        let reversed = lines_back(session, text_width(area), height + scroll_back + 1);
        // Never scroll past the oldest line.
        let back = scroll_back.min(reversed.len().saturating_sub(height));
        EventLog {
            reversed,
            back,
            height,
            total: session.entries().len(),
            newest: newest_from(session),
            has_script: session.has_script(),
        }
    }

    /// Whether there are older lines above those shown.
    pub fn more_above(&self) -> bool {
        self.reversed.len() > self.back + self.height
    }
}

impl Widget for EventLog {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let total = self.total;
        let shown: Vec<&Numbered> = self
            .reversed
            .iter()
            .skip(self.back)
            .take(self.height)
            .collect();
        let title = match (shown.last(), shown.first()) {
            (Some((_, oldest)), Some((_, newest))) if self.back > 0 => {
                format!(" What happened · steps {oldest}–{newest} of {total} · PgDn for newer ")
            }
            (Some((_, oldest)), Some((_, newest))) if oldest == newest => {
                format!(" What happened · step {newest} (newest) ")
            }
            (Some((_, oldest)), Some((_, newest))) => {
                format!(" What happened · steps {oldest}–{newest} (newest) ")
            }
            _ => " What happened ".to_string(),
        };
        super::titled_rule(area, &title, buf);
        if shown.is_empty() {
            // Nothing yet, or only words the walkthrough box shows.
            let hint = if self.has_script {
                "Nothing has happened yet."
            } else {
                "Nothing yet. Press c to fire the selected server's election timeout."
            };
            let width = area.width.saturating_sub(2).max(10) as usize;
            for (y, piece) in (area.y + 1..area.bottom()).zip(textwrap::wrap(hint, width)) {
                buf.set_stringn(area.x + 1, y, piece, width, style::dim());
            }
            return;
        }
        for (y, (line, number)) in (area.y + 1..).zip(shown.into_iter().rev()) {
            if *number >= self.newest {
                buf.set_string(area.x, y, "▌", style::newest());
            }
            put_line(
                buf,
                area.x + 1,
                y,
                line,
                area.width.saturating_sub(1) as usize,
            );
        }
    }
}
