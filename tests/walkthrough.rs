//! The walkthrough never lies: for every built-in lesson, what `n` shows after each beat is
//! that beat's own narration; leaving the script is said and can be undone; `n` on a changed
//! state warns first; quizzes come before the action that answers them, ask again on a wrong
//! answer and reveal the answer on `A`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use raftwalk::raft::{Action, Cluster, ServerAction};
use raftwalk::scenario::beats::is_action;
use raftwalk::scenario::{self, MessageOp, Step};
use raftwalk::session::Session;
use raftwalk::tui::app::App;
use std::collections::BTreeSet;

mod common;
use common::{app_on, builtin, cluster, next, press, screen};

fn tab(app: &mut App) {
    app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
}

/// The screen's text with the borders and line breaks taken out, so wrapped narration reads
/// as one run of words.
fn words_on(app: &App, width: u16, height: u16) -> String {
    let text = screen(app, width, height);
    let mut words = Vec::new();
    for line in text.lines() {
        // TestBackend quotes each row.
        let row = line.trim_matches('"');
        for piece in row.split(['│', '┌', '┐', '└', '┘', '─']) {
            words.extend(piece.split_whitespace().map(str::to_string));
        }
    }
    words.join(" ")
}

/// The words inside the walkthrough box alone (found by its title rule on the screen, and
/// ending at the next rule), wrapped lines joined.
fn box_words(app: &App, width: u16, height: u16) -> String {
    let text = screen(app, width, height);
    let rows: Vec<&str> = text.lines().map(|l| l.trim_matches('"')).collect();
    let top = rows
        .iter()
        .position(|row| row.starts_with("─ Walkthrough"))
        .expect("a walkthrough box");
    let mut words = Vec::new();
    for row in &rows[top + 1..rows.len() - 1] {
        if row.starts_with('─') {
            break;
        }
        words.extend(row.split_whitespace().map(str::to_string));
    }
    words.join(" ")
}

fn error_text(app: &App) -> String {
    match &app.status {
        Some(status) if status.is_error => status.text.clone(),
        _ => String::new(),
    }
}

fn assert_no_error(app: &App, context: &str) {
    assert_eq!(error_text(app), "", "{context}");
}

fn say_of(steps: &[Step]) -> Option<&str> {
    steps.iter().find_map(|s| match s {
        Step::Say(text) => Some(text.as_str()),
        _ => None,
    })
}

/// The servers a step acts on that its narration must name: the server of a server action,
/// the recipient of a delivery (whose decision the narration explains).
fn servers_acted_on(step: &Step) -> Vec<usize> {
    match step {
        Step::Act(Action::Server { server, .. }) => vec![*server],
        Step::Message(MessageOp::Deliver, f) => f.pattern.to.into_iter().collect(),
        _ => Vec::new(),
    }
}

fn names_word(text: &str, name: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|word| word == name)
}

/// A narration that lagged one beat behind would talk about other servers than the ones its
/// beat acted on: every built-in's narration names every server its beat's actions touch.
#[test]
fn each_narration_names_the_servers_its_beat_acts_on() {
    let mut problems = Vec::new();
    for builtin in raftwalk::builtin::all() {
        let scenario = scenario::parse(builtin.text, builtin.name).expect("built-in parses");
        let session = Session::new(scenario.clone());
        for (number, beat) in session.beats().iter().enumerate() {
            let steps = &scenario.steps[beat.clone()];
            let Some(say) = say_of(steps) else { continue };
            let acted: BTreeSet<usize> = steps.iter().flat_map(servers_acted_on).collect();
            for id in acted {
                let name = &scenario.names[id];
                if !names_word(say, name) {
                    problems.push(format!(
                        "{} beat {}: the narration does not name {name}: {say}",
                        builtin.name,
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// For every built-in, after each `n` the walkthrough box shows the narration of the beat just
/// played, written after that beat's actions, and no longer the beat before's; every beat
/// that acts has narration of its own.
#[test]
fn after_each_n_the_box_explains_the_beat_just_played() {
    for builtin in raftwalk::builtin::all() {
        let scenario = scenario::parse(builtin.text, builtin.name).expect("built-in parses");
        let mut app = app_on(scenario.clone());
        let beats = app.session.beats().to_vec();
        assert!(!beats.is_empty(), "{} has no beats", builtin.name);
        let mut before: Option<String> = None;
        for (number, beat) in beats.iter().enumerate() {
            let context = format!("{} beat {}", builtin.name, number + 1);
            press(&mut app, "n");
            assert_no_error(&app, &context);
            assert_eq!(app.session.beats_played(), number + 1, "{context}");
            let steps = &scenario.steps[beat.clone()];
            let say = say_of(steps);
            assert_eq!(app.session.narration(), say, "{context}");
            if steps.iter().any(is_action) {
                assert!(say.is_some(), "{context} acts but says nothing");
            }
            if let Some(say) = say {
                let at = steps
                    .iter()
                    .position(|s| matches!(s, Step::Say(_)))
                    .unwrap();
                let last_action = steps.iter().rposition(is_action);
                assert!(
                    last_action.is_none_or(|a| a < at),
                    "{context}: the say comes before an action it cannot yet explain"
                );
                let shown = box_words(&app, 200, 60);
                let start: String = say.chars().take(60).collect();
                let start = start.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    shown.contains(&start),
                    "{context}: {start:?} not shown:\n{shown}"
                );
                if let Some(old) = &before
                    && old != say
                {
                    let old_start: String = old.chars().take(60).collect();
                    let old_start = old_start.split_whitespace().collect::<Vec<_>>().join(" ");
                    assert!(
                        !shown.contains(&old_start),
                        "{context}: the previous beat's narration is still shown"
                    );
                }
                before = Some(say.to_string());
            }
            if let Some(answer) = app.pending_quiz().map(|(_, q)| q.answer) {
                press(&mut app, &answer.to_string());
            }
        }
        assert_eq!(app.session.script_position(), scenario.steps.len());
        assert_eq!(app.session.expectation_counts().1, 0, "{}", builtin.name);
    }
}

/// Words as `box_words` reads them: whitespace, and wrapping, made single spaces.
fn as_words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At 80×24 the walkthrough box shows all of every beat of every built-in: the narration
/// whole, a waiting quiz's question and every choice, and once answered the explanation.
#[test]
fn at_80x24_the_box_shows_every_beat_whole_with_its_quiz() {
    for lesson in raftwalk::builtin::all() {
        let mut app = builtin(lesson.name);
        let beats = app.session.beats().len();
        for number in 1..=beats {
            press(&mut app, "n");
            let context = format!("{} beat {number} at 80×24", lesson.name);
            let shown = box_words(&app, 80, 24);
            if let Some(say) = app.session.narration() {
                assert!(
                    shown.contains(&as_words(say)),
                    "{context}: the narration is cut:\n{}",
                    screen(&app, 80, 24)
                );
            }
            let Some((_, quiz)) = app.pending_quiz().map(|(s, q)| (s, q.clone())) else {
                continue;
            };
            assert!(
                shown.contains(&as_words(&quiz.question)),
                "{context}: {shown}"
            );
            for choice in &quiz.choices {
                assert!(
                    shown.contains(&as_words(choice)),
                    "{context}: the choice {choice:?} is cut:\n{}",
                    screen(&app, 80, 24)
                );
            }
            press(&mut app, &quiz.answer.to_string());
            let shown = box_words(&app, 80, 24);
            for text in [app.session.narration().unwrap_or(""), &quiz.explain] {
                assert!(
                    shown.contains(&as_words(text)),
                    "{context}, answered: {text:?} is cut:\n{}",
                    screen(&app, 80, 24)
                );
            }
        }
    }
}

/// The event log's rows (below its title, in its columns), on a `width`×`height` screen.
fn event_log_rows(app: &App, width: u16, height: u16) -> Vec<String> {
    let rows = common::screen_lines(app, width, height);
    let title = rows
        .iter()
        .position(|r| r.contains("What happened"))
        .expect("an event log");
    // The title is written two columns into the log's area: `─ What happened`.
    let chars: Vec<char> = rows[title].chars().collect();
    let column = (0..chars.len())
        .find(|&x| chars[x..].starts_with(&['W', 'h', 'a', 't', ' ', 'h']))
        .expect("the title")
        - 2;
    rows[title + 1..rows.len() - 1]
        .iter()
        .map(|r| r.chars().skip(column).collect())
        .collect()
}

/// The event log marks every line of the beat just played, not only its last step, and leaves
/// out the walkthrough's narration and quizzes, which the box shows (`p` shows an older
/// beat's again): the log's rows are for what the model did.
#[test]
fn the_event_log_marks_the_whole_beat_and_does_not_repeat_the_box() {
    let mut app = builtin("figure7-a");
    next(&mut app);
    next(&mut app);
    press(&mut app, "n"); // a → b and b's vote; a say, then a question about c
    assert!(app.pending_quiz().is_some());
    let first = app.session.entries().len() - app.session.current_beat_entries().len() + 1;
    let rows = event_log_rows(&app, 200, 60);
    let start = rows
        .iter()
        .position(|r| r.starts_with(&format!("▌{first}. deliver RequestVote a → b")))
        .unwrap_or_else(|| panic!("the beat's first step is not marked:\n{}", rows.join("\n")));
    let text: Vec<&String> = rows[start..]
        .iter()
        .filter(|r| !r.trim().is_empty())
        .collect();
    assert!(
        text.iter().all(|r| r.starts_with('▌')),
        "{}",
        rows.join("\n")
    );
    assert!(
        !rows[start..]
            .iter()
            .any(|r| r.contains("say:") || r.contains("quiz:")),
        "the box's words are repeated:\n{}",
        rows.join("\n")
    );
    // Nor is an earlier beat's narration.
    assert!(
        !rows.iter().any(|r| r.contains("say:")),
        "{}",
        rows.join("\n")
    );
    // One beat on, the beat just left keeps its model events but not its words.
    let answer = app.pending_quiz().map(|(_, q)| q.answer).expect("a quiz");
    press(&mut app, &answer.to_string());
    next(&mut app);
    let rows = event_log_rows(&app, 200, 60).join("\n");
    assert!(
        rows.contains(&format!(" {first}. deliver RequestVote a → b")),
        "{rows}"
    );
    assert!(!rows.contains("say:") && !rows.contains("quiz:"), "{rows}");
}

/// The lessons that must ask: the brief's edge cases (02–07), Figure 6, each of Figure 7 (a)
/// to (f), Figure 8 and Figure 8 (e).
const QUIZZED: [&str; 17] = [
    "one-leader-per-term",
    "one-vote-per-term",
    "up-to-date-logs",
    "term-rules",
    "candidate-concedes",
    "figure8-commit-rule",
    "figure6",
    "figure7-a",
    "figure7-b",
    "figure7-c",
    "figure7-d",
    "figure7-e",
    "figure7-f",
    "figure8",
    "figure8-e",
    "randomized-timeouts",
    "heartbeats",
];

/// Each listed lesson asks at least one question, and every quiz of every built-in is a
/// prediction: the beat right after its own plays an action, the one that gives the answer.
/// Each has at least three choices and an explanation that cites the paper.
#[test]
fn every_listed_lesson_asks_before_it_reveals() {
    for name in QUIZZED {
        let scenario = raftwalk::load::load(name).expect("built-in");
        let quizzes = scenario
            .steps
            .iter()
            .filter(|s| matches!(s, Step::Quiz(_)))
            .count();
        assert!(quizzes >= 1, "{name} asks no question");
    }
    for builtin in raftwalk::builtin::all() {
        let scenario = scenario::parse(builtin.text, builtin.name).expect("built-in parses");
        let session = Session::new(scenario.clone());
        let beats = session.beats();
        for (number, beat) in beats.iter().enumerate() {
            for step in &scenario.steps[beat.clone()] {
                let Step::Quiz(quiz) = step else { continue };
                let context = format!("{} beat {}: {}", builtin.name, number + 1, quiz.question);
                let next = beats.get(number + 1).expect("a quiz is not the last beat");
                assert!(
                    scenario.steps[next.clone()].iter().any(is_action),
                    "{context}: the next beat plays nothing that reveals the answer"
                );
                assert!(quiz.choices.len() >= 3, "{context}: too few choices");
                assert!(
                    quiz.explain.contains('§'),
                    "{context}: no section of the paper"
                );
            }
        }
    }
}

/// Plays figure7-a up to the beat just before the first quiz after the intro is reached, so a
/// question waits: (beats played, the cluster then).
fn figure7a_at_a_quiz() -> App {
    let mut app = builtin("figure7-a");
    next(&mut app); // the intro, with its question answered
    press(&mut app, "nn"); // a's timeout, then a → b with a question about c
    assert!(app.pending_quiz().is_some(), "no question waits");
    app
}

#[test]
fn a_wrong_answer_asks_again_and_a_reveals_the_answer() {
    let mut app = figure7a_at_a_quiz();
    let (step, quiz) = app.pending_quiz().map(|(s, q)| (s, q.clone())).unwrap();
    assert_eq!(quiz.answer, 2);
    let before = cluster(&app);
    let position = app.session.position();
    // A wrong choice: marked, and the same question waits.
    press(&mut app, "1");
    assert!(error_text(&app).contains("Try again"), "{:?}", app.status);
    assert!(app.pending_quiz().is_some());
    let shown = words_on(&app, 120, 40);
    assert!(shown.contains("✗ 1)"), "{shown}");
    assert!(shown.contains("Not 1. Try again"), "{shown}");
    assert!(!shown.contains("Right"), "{shown}");
    // The same wrong choice again, or one that does not exist: refused with a reason.
    press(&mut app, "1");
    assert!(
        error_text(&app).contains("tried already"),
        "{:?}",
        app.status
    );
    press(&mut app, "7");
    assert!(error_text(&app).contains("no choice 7"), "{:?}", app.status);
    // Nothing plays the answer out while the question waits: not n, not an action.
    press(&mut app, "n");
    assert!(error_text(&app).contains("answer the question first"));
    press(&mut app, "a");
    assert!(error_text(&app).contains("a question is waiting"));
    press(&mut app, "c");
    assert_eq!(cluster(&app), before);
    assert_eq!(app.session.position(), position);
    // A reveals it.
    press(&mut app, "A");
    assert!(app.pending_quiz().is_none());
    let shown = words_on(&app, 120, 40);
    assert!(shown.contains("The answer is 2."), "{shown}");
    assert!(shown.contains("✓ 2)"), "{shown}");
    assert!(shown.contains(&quiz.explain[..40]), "{shown}");
    assert_eq!(
        app.quiz_answers[&step].outcome,
        Some(raftwalk::tui::quiz::Outcome::Revealed)
    );
    // Then the walkthrough goes on, and A has nothing to reveal.
    press(&mut app, "n");
    assert_no_error(&app, "n after the reveal");
    press(&mut app, "A");
    assert!(error_text(&app).contains("no question is waiting"));
}

#[test]
fn the_right_answer_after_a_wrong_one_says_so() {
    let mut app = figure7a_at_a_quiz();
    press(&mut app, "32");
    assert!(app.pending_quiz().is_none());
    let shown = words_on(&app, 120, 40);
    assert!(shown.contains("Right (at try 2)."), "{shown}");
    assert!(shown.contains("✗ 3)"), "{shown}");
    // Going back and forth keeps the answer: no question waits again.
    press(&mut app, "pn");
    assert!(app.pending_quiz().is_none());
}

/// Plays figure7-a to a's timeout (beat 2), then takes free actions on b.
fn figure7a_off_script() -> (App, Cluster, usize) {
    let mut app = builtin("figure7-a");
    next(&mut app);
    next(&mut app);
    let on_script = cluster(&app);
    let position = app.session.position();
    assert!(app.session.off_script().is_none());
    tab(&mut app); // b
    press(&mut app, "c "); // b times out; the oldest message is delivered
    assert_no_error(&app, "free actions");
    (app, on_script, position)
}

#[test]
fn acting_freely_leaves_the_script_and_b_returns_to_it() {
    let (mut app, on_script, position) = figure7a_off_script();
    let off = app.session.off_script().expect("off the script");
    assert_eq!(off.free_actions, 2);
    assert_eq!(off.beats_played, 2);
    assert!(off.fresh);
    let changed = cluster(&app);
    let shown = words_on(&app, 120, 40);
    assert!(
        shown.contains("Off the script: 2 free actions since beat 2"),
        "{shown}"
    );
    assert!(shown.contains("b returns there"), "{shown}");
    // b: back where the script was left; the free actions can be redone.
    press(&mut app, "b");
    assert_no_error(&app, "b");
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("2 free actions undone")
    );
    assert_eq!(cluster(&app), on_script);
    assert_eq!(app.session.position(), position);
    assert!(app.session.off_script().is_none());
    assert!(!words_on(&app, 120, 40).contains("Off the script"));
    press(&mut app, "UU");
    assert_eq!(cluster(&app), changed);
    assert!(app.session.off_script().is_some());
    press(&mut app, "b");
    // On the script, b has nothing to return from; the walkthrough goes on as written.
    press(&mut app, "b");
    assert!(error_text(&app).contains("on the script already"));
    next(&mut app);
    assert_no_error(&app, "n on the script");
    assert_eq!(app.session.beats_played(), 3);
    assert_eq!(app.session.cluster().servers()[2].voted_for, Some(1));
}

#[test]
fn n_on_a_changed_state_warns_first_then_goes_on_saying_so() {
    let (mut app, _, _) = figure7a_off_script();
    let changed = cluster(&app);
    let position = app.session.position();
    // First n: a warning, nothing played.
    press(&mut app, "n");
    assert!(
        error_text(&app).contains("left the script"),
        "{:?}",
        app.status
    );
    assert_eq!(cluster(&app), changed);
    assert_eq!(app.session.position(), position);
    // Anything else in between, and n warns again.
    tab(&mut app);
    press(&mut app, "n");
    assert!(error_text(&app).contains("left the script"));
    assert_eq!(app.session.position(), position);
    // Second n: the next beat plays on the changed state, and the box still says so.
    press(&mut app, "n");
    assert_eq!(app.session.beats_played(), 3);
    assert_ne!(app.session.position(), position);
    let off = app.session.off_script().expect("still off the script");
    assert!(!off.fresh);
    let shown = words_on(&app, 120, 40);
    assert!(shown.contains("Off the script since beat 2"), "{shown}");
    // From here n goes on without asking again, until the user acts freely once more.
    press(&mut app, "1"); // answer the question of beat 3 (wrongly or not, it is asked)
    press(&mut app, "A");
    press(&mut app, "n");
    assert!(
        !error_text(&app).contains("left the script"),
        "{:?}",
        app.status
    );
    // b still returns to where the script was left, undoing the beats played since.
    press(&mut app, "b");
    assert_eq!(app.session.beats_played(), 2);
    assert!(app.session.off_script().is_none());
}

#[test]
fn a_beat_that_cannot_play_on_the_changed_state_changes_nothing() {
    let mut app = builtin("figure7-a");
    next(&mut app);
    next(&mut app);
    // Deliver every request by hand: the next beat's "deliver a → b" finds nothing.
    press(&mut app, "a");
    let changed = cluster(&app);
    let position = app.session.position();
    press(&mut app, "nn");
    let text = error_text(&app);
    assert!(text.contains("cannot play on this changed state"), "{text}");
    assert!(text.contains("b returns to the script"), "{text}");
    assert_eq!(cluster(&app), changed);
    assert_eq!(app.session.position(), position);
}

#[test]
fn undo_and_redo_take_a_whole_beat() {
    let mut app = builtin("figure7-a");
    for _ in 0..6 {
        next(&mut app);
    }
    // Beat 6 delivers a's requests to e and f: two actions, two checks, a say.
    assert_eq!(app.session.beats_played(), 6);
    let after = cluster(&app);
    let position = app.session.position();
    press(&mut app, "u");
    assert_eq!(app.session.beats_played(), 5);
    // The bottom line names the whole beat undone, not its last step.
    let said = |app: &App| {
        app.status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    };
    let beat = format!(
        "beat 6 of {}: deliver RequestVote a → e; deliver RequestVote a → f",
        app.session.beats().len()
    );
    assert_eq!(said(&app), format!("undid {beat}"));
    let before = cluster(&app);
    assert_eq!(before.servers()[5].current_term, 8, "e is back in term 8");
    press(&mut app, "U");
    assert_eq!(said(&app), format!("redid {beat}"));
    assert_eq!(app.session.beats_played(), 6);
    assert_eq!(app.session.position(), position);
    assert_eq!(cluster(&app), after);
    // What changed is marked against the state before the whole beat: e and f both.
    let previous = app.session.previous().expect("a previous state");
    assert_eq!(previous, &before);
    // A free action is undone alone.
    press(&mut app, "c");
    press(&mut app, "u");
    assert_eq!(cluster(&app), after);
    assert_eq!(app.session.previous(), Some(&before));
}

/// The intro beat shows the lesson's description and how to start before anything is played;
/// a beat of words only changes nothing.
#[test]
fn the_start_says_how_to_begin_and_words_only_beats_change_nothing() {
    let mut app = builtin("figure7-a");
    let shown = words_on(&app, 120, 40);
    assert!(
        shown.contains("Press n (or →) to play the first beat"),
        "{shown}"
    );
    assert!(shown.contains("beat 0 of"), "{shown}");
    for _ in 0..8 {
        next(&mut app);
    }
    let repaired = cluster(&app);
    next(&mut app);
    assert_eq!(app.session.describe_beat(8), None, "beat 9 is words only");
    assert_eq!(cluster(&app), repaired);
    assert!(words_on(&app, 120, 40).contains("c and d matched at index 9"));
}

/// In figure7-a, a's win and the repair of the logs are two beats: after the first, the box
/// and the newest lines of the event log tell the win, with a's AppendEntries still in flight;
/// after the second, the repair.
#[test]
fn figure7a_tells_the_win_and_the_repair_in_two_beats() {
    let mut app = builtin("figure7-a");
    while app.session.cluster().live_leaders().count() == 0 {
        next(&mut app);
    }
    let win = app.session.beats_played();
    let shown = words_on(&app, 80, 24);
    assert!(shown.contains("a counted 4 of 7"), "{shown}");
    assert!(shown.contains("a becomes leader for term 9"), "{shown}");
    assert!(!shown.contains("backs next_index"), "{shown}");
    assert_eq!(app.session.cluster().in_flight().count(), 6);
    next(&mut app);
    assert_eq!(app.session.beats_played(), win + 1);
    let shown = words_on(&app, 200, 60);
    assert!(shown.contains("repaired the lagging logs"), "{shown}");
    assert!(shown.contains("match_index 9"), "{shown}");
    assert!(!shown.contains("a counted 4 of 7"), "{shown}");
    assert_eq!(app.session.cluster().in_flight().count(), 0);
}

/// A walkthrough of a saved session still replays; a free action inside a lesson is saved
/// too. (The runner plays every step: the beats only group them.)
#[test]
fn run_plays_every_step_in_the_beats_of_the_walkthrough() {
    for builtin in raftwalk::builtin::all() {
        let scenario = scenario::parse(builtin.text, builtin.name).expect("built-in parses");
        let mut log = Vec::new();
        let (_, summary) = scenario::run(&scenario, &mut log).expect("run");
        // A mutant's lesson breaks an invariant on purpose, and expects it: it passes too.
        assert!(summary.passed(), "{}: {summary:?}", builtin.name);
        assert_eq!(summary.steps_run, scenario.steps.len());
        let text = String::from_utf8(log).unwrap();
        let beats = Session::new(scenario).beats().len();
        for beat in 1..=beats {
            assert!(
                text.contains(&format!("── beat {beat} of {beats} ──")),
                "{}: no heading for beat {beat}",
                builtin.name
            );
        }
    }
}

#[test]
fn a_timeout_refused_by_the_script_still_plays_as_a_beat() {
    // single-server's fifth beat is a timeout on the leader, which the model refuses.
    let mut app = builtin("single-server");
    for _ in 0..5 {
        next(&mut app);
    }
    let beat = &app.session.beats()[4];
    assert!(matches!(
        app.session.scenario().steps[beat.start],
        Step::Act(Action::Server {
            action: ServerAction::Timeout,
            ..
        })
    ));
    assert_no_error(&app, "the refused timeout");
    assert!(words_on(&app, 120, 40).contains("A leader does not time out"));
}

/// At 80×24, bug-vote-twice's second vote (the rule broken) shows in the event log, marked,
/// and the violation it causes stays there through the next beat: that beat's five
/// expectations, all holding, share one line, and no narration repeats the box's words.
#[test]
fn at_80x24_expectations_that_hold_do_not_push_the_broken_rule_out_of_the_log() {
    let mark = raftwalk::tui::view::events::MUTANT_MARK;
    let marked = |app: &App| {
        let screen = common::screen_lines(app, 80, 24);
        let shown = screen.iter().any(|l| l.contains(&format!("▌{mark}")));
        (shown, screen.join("\n"))
    };
    let mut app = common::builtin("bug-vote-twice");
    loop {
        assert!(app.session.next_beat().is_some(), "no beat breaks the rule");
        common::next(&mut app);
        let entries = app.session.current_beat_entries();
        if entries
            .iter()
            .any(|e| e.events.iter().any(|ev| ev.deviation().is_some()))
        {
            break;
        }
    }
    let (shown, screen) = marked(&app);
    assert!(shown, "{screen}");
    // The next beat checks five expectations and asks a question: the violation the vote
    // caused is still in the log beside them.
    common::next(&mut app);
    let (_, screen) = marked(&app);
    let log: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("What happened"))
        .collect();
    let log = log.join("\n");
    assert!(
        log.contains("INVARIANT VIOLATED: One Vote per Term"),
        "{screen}"
    );
    assert!(log.contains("5 expectations hold"), "{screen}");
}

/// A decision a mutant made against Raft's rule is marked in the event log with a glyph that
/// NO_COLOR keeps, at the start of its explanation; Raft's own decisions are not.
#[test]
fn the_event_log_marks_a_mutants_decisions() {
    let mark = raftwalk::tui::view::events::MUTANT_MARK;
    let marked = |app: &App| -> Vec<String> {
        common::screen_lines(app, 200, 60)
            .into_iter()
            .filter(|l| l.contains(&format!("▌{mark}")) || l.contains(&format!(" {mark}S")))
            .collect()
    };
    let mut bug = common::builtin("bug-vote-twice");
    let beats = bug.session.beats().len();
    for _ in 0..beats {
        common::next(&mut bug);
    }
    let lines = marked(&bug);
    assert!(
        lines.iter().any(|l| l.contains("grants its vote")),
        "{}",
        common::screen(&bug, 200, 60)
    );
    let mut raft = common::builtin("figure7-a");
    let beats = raft.session.beats().len();
    for _ in 0..beats {
        common::next(&mut raft);
        assert!(
            marked(&raft).is_empty(),
            "{}",
            common::screen(&raft, 200, 60)
        );
    }
}
