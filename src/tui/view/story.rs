//! The walkthrough box: the narration of the beat just played, its quiz and checks, and a
//! warning when the user has left the script.

use super::style;
use crate::scenario::build::plural;
use crate::scenario::{Quiz, Step};
use crate::session::{Entry, Origin, Session};
use crate::tui::quiz::{Outcome, QuizState};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
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

impl Narration<'_> {
    fn lines(&self) -> Vec<Line<'static>> {
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
            lines.push(Line::styled(text, style::alarm()));
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
                    lines.push(Line::styled(description.clone(), words));
                }
                lines.push(Line::styled(
                    "Press n (or →) to play the first beat; p (or ←) goes back one.",
                    style::dim(),
                ));
            }
            Some(beat) => match (s.narration(), s.describe_beat(beat)) {
                (Some(text), _) => lines.push(Line::styled(text.to_string(), words)),
                (None, Some(actions)) => lines.push(Line::styled(
                    format!("Played: {actions}. (This beat has no narration; What happened explains it.)"),
                    style::dim(),
                )),
                (None, None) => {}
            },
        }
        let on_beat = !s.current_beat_entries().is_empty();
        if on_beat && let Some((step, quiz)) = s.beat_quiz() {
            lines.extend(quiz_lines(quiz, self.quiz_answers.get(&step)));
        }
        for entry in s.current_beat_entries() {
            for m in &entry.mismatches {
                lines.push(Line::styled(format!("✗ {m}"), style::alarm()));
            }
        }
        if s.next_beat().is_none() && s.current_beat().is_some() {
            lines.push(Line::styled("(end of the walkthrough)", style::dim()));
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
        let is_check = |e: &&Entry| match e.origin {
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

    /// The height that shows everything at `width`, borders included.
    pub fn height(&self, width: u16) -> u16 {
        let inner = width.saturating_sub(2).max(1) as usize;
        let rows: usize = self
            .lines()
            .iter()
            .map(|l| l.width().max(1).div_ceil(inner))
            .sum();
        rows as u16 + 2
    }

    fn render_into(&self, area: Rect, buf: &mut Buffer) {
        Paragraph::new(self.lines())
            .wrap(Wrap { trim: true })
            .block(
                Block::bordered()
                    .title(self.title())
                    .border_style(style::dim()),
            )
            .render(area, buf);
    }
}

impl Widget for Narration<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.render_into(area, buf);
    }
}

/// A quiz: the question and numbered choices, the wrong ones tried marked ✗; once it is over,
/// the right one marked ✓ and why it is right.
fn quiz_lines(quiz: &Quiz, state: Option<&QuizState>) -> Vec<Line<'static>> {
    let default = QuizState::default();
    let state = state.unwrap_or(&default);
    let mut lines = vec![Line::styled(
        format!("Question: {}", quiz.question),
        style::heading(),
    )];
    for (i, choice) in quiz.choices.iter().enumerate() {
        let number = i + 1;
        let (mark, st) = if state.settled() && number == quiz.answer {
            ("✓ ", style::good())
        } else if state.wrong.contains(&number) {
            ("✗ ", style::alarm())
        } else if state.settled() {
            ("  ", style::dim())
        } else {
            ("  ", Style::new())
        };
        lines.push(Line::styled(format!("{mark}{number}) {choice}"), st));
    }
    let count = quiz.choices.len();
    let last = match (state.outcome, state.wrong.last()) {
        (None, None) => Line::styled(
            format!("Press 1 to {count} to answer; A reveals the answer."),
            style::dim(),
        ),
        (None, Some(wrong)) => Line::styled(
            format!("✗ Not {wrong}. Try again (1 to {count}), or press A to reveal the answer."),
            style::alarm(),
        ),
        (Some(Outcome::Right), _) => {
            let tries = if state.wrong.is_empty() {
                String::new()
            } else {
                format!(" (at try {})", state.wrong.len() + 1)
            };
            Line::raw(format!("Right{tries}. {}", quiz.explain))
        }
        (Some(Outcome::Revealed), _) => {
            Line::raw(format!("The answer is {}. {}", quiz.answer, quiz.explain))
        }
    };
    lines.push(last);
    lines
}
