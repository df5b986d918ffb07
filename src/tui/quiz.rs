//! Where a quiz stands in the walkthrough: the wrong choices tried so far, and whether it
//! ended with the right answer or with the answer revealed. A wrong choice only asks again.

use crate::scenario::Quiz;

/// How a quiz ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The right choice was picked.
    Right,
    /// The answer was revealed before anyone picked it.
    Revealed,
}

/// What picking a choice did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// It was the right one: the quiz is over.
    Right,
    /// It was wrong: try again.
    Wrong,
    /// It was tried already.
    Again,
    /// The quiz has no such choice.
    NoSuchChoice,
}

/// One quiz's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuizState {
    /// Wrong choices tried, in order, counting from 1.
    pub wrong: Vec<usize>,
    /// How it ended, once it has.
    pub outcome: Option<Outcome>,
}

impl QuizState {
    /// Whether the quiz is over (answered right, or revealed).
    pub fn settled(&self) -> bool {
        self.outcome.is_some()
    }

    /// Picks `choice` (counting from 1).
    pub fn pick(&mut self, quiz: &Quiz, choice: usize) -> Pick {
        if !(1..=quiz.choices.len()).contains(&choice) {
            Pick::NoSuchChoice
        } else if self.settled() || self.wrong.contains(&choice) {
            Pick::Again
        } else if choice == quiz.answer {
            self.outcome = Some(Outcome::Right);
            Pick::Right
        } else {
            self.wrong.push(choice);
            Pick::Wrong
        }
    }

    /// Reveals the answer (a quiz already over stays as it ended).
    pub fn reveal(&mut self) {
        self.outcome.get_or_insert(Outcome::Revealed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiz() -> Quiz {
        Quiz {
            question: "Who wins?".to_string(),
            choices: vec!["a".to_string(), "b".to_string(), "c".to_string()],
            answer: 2,
            explain: "b has the votes.".to_string(),
        }
    }

    #[test]
    fn a_wrong_pick_asks_again_and_the_right_one_ends_it() {
        let quiz = quiz();
        let mut state = QuizState::default();
        assert_eq!(state.pick(&quiz, 1), Pick::Wrong);
        assert!(!state.settled());
        assert_eq!(state.pick(&quiz, 1), Pick::Again);
        assert_eq!(state.pick(&quiz, 4), Pick::NoSuchChoice);
        assert_eq!(state.pick(&quiz, 0), Pick::NoSuchChoice);
        assert_eq!(state.pick(&quiz, 2), Pick::Right);
        assert_eq!(state.outcome, Some(Outcome::Right));
        assert_eq!(state.wrong, [1]);
        // Revealing afterwards changes nothing.
        state.reveal();
        assert_eq!(state.outcome, Some(Outcome::Right));
        assert_eq!(state.pick(&quiz, 3), Pick::Again);
    }

    #[test]
    fn reveal_ends_it_without_an_answer() {
        let quiz = quiz();
        let mut state = QuizState::default();
        assert_eq!(state.pick(&quiz, 3), Pick::Wrong);
        state.reveal();
        assert_eq!(state.outcome, Some(Outcome::Revealed));
        assert_eq!(state.pick(&quiz, 2), Pick::Again);
    }
}
