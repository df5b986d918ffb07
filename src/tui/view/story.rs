//! The narration box: the walkthrough's `say` text and expectation results.

use super::style;
use crate::scenario::{Quiz, Step};
use crate::session::{Origin, Session};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use std::collections::BTreeMap;

/// The walkthrough box.
pub struct Narration<'a> {
    /// The session.
    pub session: &'a Session,
    /// Quiz answers given so far, by step index.
    pub quiz_answers: &'a BTreeMap<usize, usize>,
}

impl Narration<'_> {
    fn lines(&self) -> Vec<Line<'static>> {
        let s = self.session;
        let total = s.scenario().steps.len();
        let at = s.script_position();
        let mut lines = Vec::new();
        match s.narration() {
            Some(text) => lines.push(Line::raw(text.to_string())),
            None => lines.push(Line::styled(
                "Press n (or →) to start the walkthrough; p (or ←) goes back.",
                style::dim(),
            )),
        }
        if let Some(entry) = s.entries().last()
            && let Origin::Script(i) = entry.origin
            && let Step::Quiz(quiz) = &s.scenario().steps[i]
        {
            lines = quiz_lines(quiz, self.quiz_answers.get(&i).copied());
        }
        if let Some(entry) = s.entries().last()
            && let Origin::Script(i) = entry.origin
            && let Step::Expect(_) = &s.scenario().steps[i]
        {
            let what = crate::scenario::runner::describe_step(&s.scenario().steps[i], s.names());
            if entry.mismatches.is_empty() {
                lines.push(Line::styled(format!("✓ {what}: holds"), style::good()));
            } else {
                for m in &entry.mismatches {
                    lines.push(Line::styled(format!("✗ {m}"), style::alarm()));
                }
            }
        }
        if at >= total {
            lines.push(Line::styled("(end of the walkthrough)", style::dim()));
        }
        lines
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
        let s = self.session;
        let title = format!(
            " Walkthrough · step {} of {} ",
            s.script_position(),
            s.scenario().steps.len()
        );
        let lines = self.lines();
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(title).border_style(style::dim()))
            .render(area, buf);
    }
}

impl Widget for Narration<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.render_into(area, buf);
    }
}

/// A quiz: the question and numbered choices; once answered, which was right and why.
fn quiz_lines(quiz: &Quiz, answer: Option<usize>) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!("Question: {}", quiz.question),
        style::heading(),
    )];
    for (i, choice) in quiz.choices.iter().enumerate() {
        let number = i + 1;
        let (mark, st) = match answer {
            None => ("  ", ratatui::style::Style::new()),
            Some(_) if number == quiz.answer => ("✓ ", style::good()),
            Some(given) if given == number => ("✗ ", style::alarm()),
            Some(_) => ("  ", style::dim()),
        };
        lines.push(Line::styled(format!("{mark}{number}) {choice}"), st));
    }
    match answer {
        None => lines.push(Line::styled(
            format!("Press 1 to {} to answer.", quiz.choices.len()),
            style::dim(),
        )),
        Some(given) => {
            let verdict = if given == quiz.answer {
                "Right."
            } else {
                "Not quite."
            };
            lines.push(Line::raw(format!("{verdict} {}", quiz.explain)));
        }
    }
    lines
}
