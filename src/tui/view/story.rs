//! The walkthrough box: the narration of the beat just played, its quiz and checks, and a
//! warning when the user has left the script.

use super::{style, text};
use crate::scenario::build::plural;
use crate::scenario::{Quiz, Step};
use crate::session::{HistoryEntry, Origin, Session};
use crate::tui::quiz::{Outcome, QuizState};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Widget};
use std::collections::BTreeMap;

/// The walkthrough box. The narration comes first (it is what the class reads), then the
/// beat's quiz and any check that failed; the title says where the walkthrough is, whether
/// the beat's checks held, and what `n` plays next.
pub struct Narration<'a> {
    /// The session.
    pub session: &'a Session,
    /// Where each quiz stands, by step index.
    pub quiz_answers: &'a BTreeMap<usize, QuizState>,
}

/// One paragraph of the box: its text in one style, and how far its wrapped lines after the
/// first are indented (a quiz choice's text lines up after its number).
struct Para {
    text: String,
    style: Style,
    hang: usize,
}

impl Para {
    fn new(text: impl Into<String>, style: Style) -> Para {
        Para {
            text: text.into(),
            style,
            hang: 0,
        }
    }
}

impl Narration<'_> {
    /// The box's paragraphs. `compact` leaves out the choices of a settled quiz that nobody
    /// picked, for a box short of room.
    fn paragraphs(&self, compact: bool) -> Vec<Para> {
        let s = self.session;
        let mut lines = Vec::new();
        let off = s.off_script();
        if let Some(off) = off {
            let actions = plural(off.free_actions, "free action", "free actions");
            let text = if off.fresh {
                format!(
                    "⚠ Off the script: {actions} since beat {}. b returns there; n plays the next beat on this changed state.",
                    off.beats_played
                )
            } else {
                format!(
                    "⚠ Off the script since beat {} ({actions}): the narration was written for the script's own state. b returns to beat {}.",
                    off.beats_played, off.beats_played
                )
            };
            lines.push(Para::new(text, style::alarm()));
        }
        // Off the script, the narration no longer describes the screen: dim it.
        let words = if off.is_some() {
            style::dim()
        } else {
            Style::new()
        };
        match s.current_beat() {
            None => {
                if let Some(description) = &s.scenario().description {
                    lines.push(Para::new(description.clone(), words));
                }
                lines.push(Para::new(
                    "Press n (or →) to play the first beat; p (or ←) goes back one.",
                    style::dim(),
                ));
            }
            Some(beat) => match (s.narration(), s.describe_beat(beat)) {
                (Some(text), _) => lines.push(Para::new(text.to_string(), words)),
                (None, Some(actions)) => lines.push(Para::new(
                    format!("Played: {actions}. (This beat has no narration; What happened explains it.)"),
                    style::dim(),
                )),
                (None, None) => {}
            },
        }
        let on_beat = !s.current_beat_entries().is_empty();
        if on_beat && let Some((step, quiz)) = s.beat_quiz() {
            lines.extend(quiz_lines(quiz, self.quiz_answers.get(&step), compact));
        }
        for entry in s.current_beat_entries() {
            for m in &entry.mismatches {
                lines.push(Para::new(format!("✗ {m}"), style::alarm()));
            }
        }
        if s.next_beat().is_none() && s.current_beat().is_some() {
            lines.push(Para::new("(end of the walkthrough)", style::dim()));
        }
        lines
    }

    fn title(&self) -> String {
        let s = self.session;
        let mut title = format!(
            " Walkthrough · beat {} of {} ",
            s.beats_played(),
            s.beats().len()
        );
        let is_check = |e: &&HistoryEntry| match e.origin {
            Origin::Script(i) => matches!(s.scenario().steps[i], Step::Expect(_)),
            Origin::Free => false,
        };
        let entries = s.current_beat_entries();
        let checks = entries.iter().filter(is_check).count();
        let failed = entries.iter().any(|e| !e.mismatches.is_empty());
        if checks > 0 && !failed {
            title.push_str(&format!(
                "· ✓ {} ",
                plural(checks, "check holds", "checks hold")
            ));
        }
        if let Some(actions) = s.next_beat().and_then(|b| s.describe_beat(b)) {
            title.push_str(&format!("· next: {actions} "));
        }
        title
    }

    /// The box's lines wrapped to fit inside a box `width` wide.
    fn wrapped(&self, width: u16, compact: bool) -> Vec<Line<'static>> {
        let inner = (width.saturating_sub(2) as usize).max(1);
        let mut lines = Vec::new();
        for para in self.paragraphs(compact) {
            // Most paragraphs of a wide box fit a line (bytes are at least columns).
            if para.text.len() <= inner && !para.text.contains('\n') {
                lines.push(Line::styled(para.text, para.style));
                continue;
            }
            let hang = " ".repeat(para.hang.min(inner / 2));
            let options = textwrap::Options::new(inner)
                .subsequent_indent(&hang)
                .word_splitter(textwrap::WordSplitter::NoHyphenation);
            lines.extend(
                textwrap::wrap(&para.text, options)
                    .into_iter()
                    .map(|piece| Line::styled(piece.into_owned(), para.style)),
            );
        }
        lines
    }

    /// The height that shows everything at `width`, borders included.
    pub fn height(&self, width: u16) -> u16 {
        (self.wrapped(width, false).len() as u16).saturating_add(2)
    }

    /// The height of the compact form (what a box short of room shows), borders included.
    pub fn compact_height(&self, width: u16) -> u16 {
        (self.wrapped(width, true).len() as u16).saturating_add(2)
    }

    fn render_into(&self, area: Rect, buf: &mut Buffer) {
        let block = Block::bordered()
            .title(text::fit(
                &self.title(),
                area.width.saturating_sub(2) as usize,
            ))
            .border_style(style::dim());
        let inner = block.inner(area);
        block.render(area, buf);
        let mut lines = self.wrapped(area.width, false);
        if lines.len() > inner.height as usize {
            lines = self.wrapped(area.width, true);
        }
        let room = inner.height as usize;
        if lines.len() > room && room > 0 {
            // Still too long: the end is cut, and the last line says so.
            let hidden = lines.len() - (room - 1);
            lines.truncate(room - 1);
            lines.push(Line::styled(
                format!("… {hidden} more lines: a taller terminal shows them"),
                style::dim(),
            ));
        }
        for (y, line) in (inner.y..inner.bottom()).zip(&lines) {
            text::put_line(buf, inner.x, y, line, inner.width as usize);
        }
    }
}

impl Widget for Narration<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.render_into(area, buf);
    }
}

/// A quiz: the question and numbered choices, the wrong ones tried marked ✗; once it is over,
/// the right one marked ✓ and why it is right. `compact` leaves out, once it is over, the
/// choices nobody picked.
fn quiz_lines(quiz: &Quiz, state: Option<&QuizState>, compact: bool) -> Vec<Para> {
    let default = QuizState::default();
    let state = state.unwrap_or(&default);
    let count = quiz.choices.len();
    // Short of room, how to answer joins the question instead of a line of its own.
    let how = if compact && !state.settled() && state.wrong.is_empty() {
        format!(" (1 to {count}; A reveals)")
    } else {
        String::new()
    };
    let mut lines = vec![Para::new(
        format!("Question{how}: {}", quiz.question),
        style::heading(),
    )];
    for (i, choice) in quiz.choices.iter().enumerate() {
        let number = i + 1;
        let unpicked = state.settled() && number != quiz.answer && !state.wrong.contains(&number);
        if compact && unpicked {
            continue;
        }
        let (mark, st) = if state.settled() && number == quiz.answer {
            ("✓ ", style::good())
        } else if state.wrong.contains(&number) {
            ("✗ ", style::alarm())
        } else if state.settled() {
            ("  ", style::dim())
        } else {
            ("  ", Style::new())
        };
        let head = format!("{mark}{number}) ");
        lines.push(Para {
            hang: text::width_of(&head),
            text: format!("{head}{choice}"),
            style: st,
        });
    }
    let last = match (state.outcome, state.wrong.last()) {
        (None, None) if compact => return lines,
        (None, None) => Para::new(
            format!("Press 1 to {count} to answer; A reveals the answer."),
            style::dim(),
        ),
        (None, Some(wrong)) => Para::new(
            format!("✗ Not {wrong}. Try again (1 to {count}), or press A to reveal the answer."),
            style::alarm(),
        ),
        (Some(Outcome::Right), _) => {
            let tries = if state.wrong.is_empty() {
                String::new()
            } else {
                format!(" (at try {})", state.wrong.len() + 1)
            };
            Para::new(format!("Right{tries}. {}", quiz.explain), Style::new())
        }
        (Some(Outcome::Revealed), _) => Para::new(
            format!("The answer is {}. {}", quiz.answer, quiz.explain),
            Style::new(),
        ),
    };
    lines.push(last);
    lines
}
