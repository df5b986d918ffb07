//! How a script is told: its steps grouped into beats. A beat is what one press of `n` plays
//! in the walkthrough, one frame of `raftwalk export`, one section of `raftwalk run`.
//!
//! A beat is the actions that happen (with any `expect` checks among them), then the words
//! about them: one `say`, a `quiz`, and more checks. A narration written after its actions
//! therefore always explains the state on screen, never the one before. Steps before the
//! first action form an intro beat. A second `say` (or a second `quiz`) with no action in
//! between starts a beat of its own that plays no action, so a long explanation is told one
//! idea per press.

use super::Step;
use std::ops::Range;

/// Whether a step changes the cluster (everything but `say`, `quiz` and `expect`).
pub fn is_action(step: &Step) -> bool {
    !matches!(step, Step::Say(_) | Step::Quiz(_) | Step::Expect(_))
}

/// The script's beats, as ranges of step indices, in order; together they cover every step.
pub fn beats(steps: &[Step]) -> Vec<Range<usize>> {
    let mut beats = Vec::new();
    let mut start = 0;
    // What the current beat has told so far: once it has words, the next action begins a
    // new beat; a second say or quiz begins a new one too.
    let mut said = false;
    let mut asked = false;
    for (i, step) in steps.iter().enumerate() {
        let new_beat = match step {
            Step::Say(_) => said || asked,
            Step::Quiz(_) => asked,
            Step::Expect(_) => false,
            _ => said || asked,
        };
        if new_beat && i > start {
            beats.push(start..i);
            start = i;
            said = false;
            asked = false;
        }
        match step {
            Step::Say(_) => said = true,
            Step::Quiz(_) => asked = true,
            _ => {}
        }
    }
    if start < steps.len() {
        beats.push(start..steps.len());
    }
    beats
}

/// The index of the beat holding step `step` (the last beat if it is past the end).
pub fn beat_of(beats: &[Range<usize>], step: usize) -> usize {
    beats
        .partition_point(|b| b.end <= step)
        .min(beats.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::ServerAction;
    use crate::scenario::{Expectation, Quiz};

    fn say() -> Step {
        Step::Say("words".to_string())
    }
    fn act() -> Step {
        Step::on(0, ServerAction::Timeout)
    }
    fn check() -> Step {
        Step::Expect(Expectation::default())
    }
    fn quiz() -> Step {
        Step::Quiz(Quiz {
            question: "?".to_string(),
            choices: vec!["a".to_string(), "b".to_string()],
            answer: 1,
            explain: String::new(),
        })
    }

    #[test]
    fn an_action_and_the_words_after_it_are_one_beat() {
        let steps = [say(), check(), act(), say(), check(), act(), act(), say()];
        assert_eq!(beats(&steps), [0..2, 2..5, 5..8]);
    }

    #[test]
    fn checks_between_actions_stay_in_the_beat() {
        let steps = [act(), check(), act(), check(), say(), check()];
        assert_eq!(beats(&steps), vec![0..6]);
    }

    #[test]
    fn a_second_say_is_a_beat_of_its_own() {
        let steps = [act(), say(), check(), say(), check(), act()];
        assert_eq!(beats(&steps), [0..3, 3..5, 5..6]);
    }

    #[test]
    fn a_quiz_ends_the_beat_of_the_say_before_it() {
        let steps = [say(), quiz(), act(), say(), quiz(), check(), act(), say()];
        assert_eq!(beats(&steps), [0..2, 2..6, 6..8]);
        // A say after a quiz, or a second quiz, starts a new beat.
        let steps = [act(), quiz(), say(), quiz(), quiz()];
        assert_eq!(beats(&steps), [0..2, 2..4, 4..5]);
    }

    #[test]
    fn no_steps_no_beats_and_a_script_without_words_is_one_beat() {
        assert!(beats(&[]).is_empty());
        assert_eq!(beats(&[act(), act(), check()]), vec![0..3]);
    }

    #[test]
    fn beat_of_finds_the_beat_of_a_step() {
        let b = beats(&[say(), act(), say(), act(), say()]);
        assert_eq!(b, [0..1, 1..3, 3..5]);
        assert_eq!(
            (0..6).map(|s| beat_of(&b, s)).collect::<Vec<_>>(),
            [0, 1, 1, 2, 2, 2]
        );
    }
}
