//! Plays a scenario's steps on a cluster and checks its expectations. The CLI's `run`, the
//! session's walkthrough and the export all play a step through [`apply_step`], and
//! [`step_action`] is the one place a step becomes an action.

use super::check::{Mismatch, check};
use super::describe::{describe_filter, describe_played};
use super::script::{Expectation, MessageFilter, Pick, RunGoal, RunUntil, Scenario, Step};
use crate::raft::time::format_ms;
use crate::raft::{
    ADVANCE_CAP, Action, Cluster, Event, MessageId, Names, NetworkError, Violation, explain,
    explain::explain_violation,
};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

/// A step that could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepError {
    /// No in-flight message matches the selector.
    NoMatchingMessage(String),
    /// Fewer messages match than the selector's `nth` needs.
    TooFewMatches {
        /// The selector, described.
        filter: String,
        /// How many match.
        found: usize,
        /// The position asked for, 0-based.
        nth: usize,
    },
    /// The model refused (an id that is not there).
    Model(NetworkError),
    /// A `run_until` did not reach its goal within its bound.
    NotWithin {
        /// The step's description.
        what: String,
        /// Why it stopped: the bound passed, or nothing was left to happen.
        why: String,
    },
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::NoMatchingMessage(filter) => {
                write!(f, "no message in flight matches {filter}")
            }
            StepError::TooFewMatches { filter, found, nth } => write!(
                f,
                "{found} message{} in flight match{} {filter}, so there is no nth {nth} (counting from 0)",
                if *found == 1 { "" } else { "s" },
                if *found == 1 { "es" } else { "" }
            ),
            StepError::Model(e) => write!(f, "{e}"),
            StepError::NotWithin { what, why } => write!(f, "{what}: {why}"),
        }
    }
}

/// What one step did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepOutcome {
    /// The action the step took, made concrete (a selector resolved to the message it picked),
    /// so that replaying it repeats exactly what was done; `None` for words and checks.
    pub action: Option<Action>,
    /// The model's events.
    pub events: Vec<Event>,
    /// For an `expect` step, what did not hold.
    pub mismatches: Vec<Mismatch>,
}

/// The action `step` takes on `cluster` as it stands: the one place a step becomes an action.
/// A selector picks its message now; a hand-made message takes the fields it was not given
/// from its sender now. `None` for words and checks.
pub fn step_action(
    cluster: &Cluster,
    step: &Step,
    names: &[String],
) -> Result<Option<Action>, StepError> {
    Ok(match step {
        Step::Act(action) => Some(action.clone()),
        Step::Message(op, filter) => Some(op.action(select(cluster, filter, names)?)),
        Step::Send(draft) => {
            let sender = cluster
                .server(draft.from)
                .ok_or(StepError::Model(NetworkError::NoSuchServer(draft.from)))?;
            Some(Action::Inject {
                from: draft.from,
                to: draft.to,
                message: Box::new(sender.draft(draft.to, draft.kind, &draft.fields)),
            })
        }
        Step::RunUntil(r) => Some(run_until(cluster, r)?),
        Step::Say(_) | Step::Quiz(_) | Step::Expect(_) => None,
    })
}

/// The timed action that reaches `r`'s goal from `cluster`: the goal is played out on a copy,
/// counting the timed events it takes, so that replaying the action repeats it exactly.
fn run_until(cluster: &Cluster, r: &RunUntil) -> Result<Action, StepError> {
    let Some(start) = cluster.now() else {
        return Err(StepError::Model(NetworkError::NoClock));
    };
    let fail = |why: String| StepError::NotWithin {
        what: super::describe::describe_run_until(r),
        why,
    };
    let reached = |c: &Cluster| match r.goal {
        RunGoal::Leader => c.live_leaders().next().is_some(),
        RunGoal::Quiet => c.in_flight().len() == 0,
        RunGoal::Time(_) => false,
    };
    if let RunGoal::Time(t) = r.goal {
        return if t >= start {
            Ok(Action::Advance(t - start))
        } else {
            Err(fail(format!(
                "the clock reads {} already",
                format_ms(start)
            )))
        };
    }
    let deadline = start.saturating_add(r.within);
    let mut trial = cluster.clone();
    let mut events = Vec::new();
    let mut count = 0;
    while !reached(&trial) {
        match trial.clock().and_then(|c| c.next_due()) {
            None => return Err(fail("nothing is left to happen".to_string())),
            Some((at, _)) if at > deadline => {
                return Err(fail(format!("not reached by {}", format_ms(deadline))));
            }
            Some(_) if count == ADVANCE_CAP => {
                return Err(fail(format!(
                    "not reached after {ADVANCE_CAP} timed events"
                )));
            }
            Some(_) => {}
        }
        events.clear();
        trial
            .apply_into(&Action::NextEvents(1), &mut events)
            .map_err(StepError::Model)?;
        count += 1;
    }
    Ok(Action::NextEvents(count))
}

/// Plays one step on the cluster: its action, or its check. Narration changes nothing. On
/// error nothing changed.
pub fn apply_step(
    cluster: &mut Cluster,
    step: &Step,
    names: &[String],
) -> Result<StepOutcome, StepError> {
    let action = step_action(cluster, step, names)?;
    apply_resolved(cluster, step, action, names)
}

/// Plays `step` whose action [`step_action`] has resolved to `action`.
pub fn apply_resolved(
    cluster: &mut Cluster,
    step: &Step,
    action: Option<Action>,
    names: &[String],
) -> Result<StepOutcome, StepError> {
    let mut outcome = StepOutcome::default();
    match &action {
        Some(action) => outcome.events = cluster.apply(action).map_err(StepError::Model)?,
        None => {
            if let Step::Expect(expectation) = step {
                outcome.mismatches = check(expectation, cluster, names);
            }
        }
    }
    outcome.action = action;
    Ok(outcome)
}

/// The in-flight message `filter` picks: the oldest match, the newest, or the nth.
pub fn select(
    cluster: &Cluster,
    filter: &MessageFilter,
    names: &[String],
) -> Result<MessageId, StepError> {
    let mut matches = cluster.in_flight().filter(|m| filter.matches(m));
    let picked = match filter.pick {
        Pick::Oldest => matches.next(),
        Pick::Newest => matches.last(),
        Pick::Nth(k) => matches.nth(k),
    };
    if let Some(message) = picked {
        return Ok(message.id);
    }
    let found = cluster.in_flight().filter(|m| filter.matches(m)).count();
    let filter_text = describe_filter(filter, names);
    Err(match filter.pick {
        Pick::Nth(nth) if found > 0 => StepError::TooFewMatches {
            filter: describe_filter(
                &MessageFilter {
                    pick: Pick::Oldest,
                    ..filter.clone()
                },
                names,
            ),
            found,
            nth,
        },
        _ => StepError::NoMatchingMessage(filter_text),
    })
}

/// The model's explanation of a step's events as one paragraph: what a saved trace's `say`
/// after each step holds, and what `run` does not print a second time.
pub fn narration(events: &[Event], names: &[String]) -> String {
    let lines: Vec<String> = events.iter().map(|e| explain(e, Names(names))).collect();
    lines.join(" ")
}

/// How a whole run went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Steps applied.
    pub steps_run: usize,
    /// Expect steps checked.
    pub expectations: usize,
    /// Failed expectations: (1-based step number, mismatch).
    pub failures: Vec<(usize, Mismatch)>,
    /// The step that could not be applied, if any (the run stops there).
    pub error: Option<(usize, StepError)>,
    /// Invariant violations no `expect` asserted, explained: each one fails the run.
    pub violations: Vec<String>,
    /// Invariant violations the scenario expects: (1-based step number of the first `expect`
    /// that asserted the invariant broken while this violation stood, the violation
    /// explained). A mutant's lesson breaks an invariant on purpose; these do not fail it.
    pub expected_violations: Vec<(usize, String)>,
    /// `deliver_all` steps that stopped at their cap: (1-based step number, what happened and
    /// why). A lesson should settle; one that does not fails.
    pub stopped: Vec<(usize, String)>,
}

impl RunSummary {
    /// Whether every expectation held, every step applied and no invariant broke that an
    /// `expect` did not assert broken.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
            && self.error.is_none()
            && self.violations.is_empty()
            && self.stopped.is_empty()
    }
}

/// Runs every step, writing a readable log of narration and events to `log`. Returns the
/// cluster at the end and the summary.
pub fn run(scenario: &Scenario, log: &mut dyn Write) -> io::Result<(Cluster, RunSummary)> {
    let names = &scenario.names;
    let mut cluster = scenario.cluster();
    let mut summary = RunSummary::default();
    let mut scenario_events: Vec<Event> = Vec::new();
    // Each violation an `expect` asserted, with the step that did.
    let mut expected: BTreeMap<Violation, usize> = BTreeMap::new();
    let size = super::build::plural(names.len(), "server", "servers");
    writeln!(log, "Scenario: {} ({size})", scenario.name)?;
    if let Some(description) = &scenario.description {
        writeln!(log, "  {description}")?;
    }
    if let Some(bug) = scenario.config.bug {
        writeln!(
            log,
            "  MUTANT {bug}: {}. Raft says: {}.",
            bug.plain(),
            bug.rule()
        )?;
    }
    for v in cluster.violations() {
        writeln!(
            log,
            "  at the start: {}",
            explain_violation(v, Names(names))
        )?;
    }
    // The steps are printed in the walkthrough's beats, so the two tell the same story.
    let beats = super::beats::beats(&scenario.steps);
    // The explanation of the step just played: a `say` right after it that repeats it word
    // for word (a saved trace's, or a lesson's made from one) is not printed again.
    let mut explained = String::new();
    for (i, step) in scenario.steps.iter().enumerate() {
        let number = i + 1;
        let beat = beats.iter().position(|b| b.start == i);
        if let Some(beat) = beat {
            writeln!(log, "\n── beat {} of {} ──", beat + 1, beats.len())?;
        }
        // Words stand apart from the step lines before them in their beat.
        let gap = if beat.is_some() { "" } else { "\n" };
        // Resolved first, so a hand-made message is printed with every field it carries.
        let resolved = step_action(&cluster, step, names);
        match step {
            Step::Say(text) if !explained.is_empty() && *text == explained => {}
            Step::Say(text) => writeln!(log, "{gap}{text}")?,
            Step::Quiz(quiz) => {
                writeln!(log, "{gap}Quiz: {}", quiz.question)?;
                for (i, choice) in quiz.choices.iter().enumerate() {
                    writeln!(log, "  {}) {choice}", i + 1)?;
                }
                writeln!(
                    log,
                    "  Answer: {}) {}",
                    quiz.answer,
                    quiz.choices[quiz.answer - 1]
                )?;
                if !quiz.explain.is_empty() {
                    writeln!(log, "  {}", quiz.explain)?;
                }
            }
            _ => {
                let action = resolved.as_ref().ok().and_then(|a| a.as_ref());
                let text = describe_played(step, action, names);
                writeln!(log, "step {number}: {text}")?
            }
        }
        let clock_before = cluster.now();
        let outcome = match resolved.and_then(|a| apply_resolved(&mut cluster, step, a, names)) {
            Ok(outcome) => outcome,
            Err(error) => {
                writeln!(log, "  ERROR: {error}")?;
                summary.error = Some((number, error));
                break;
            }
        };
        summary.steps_run += 1;
        for event in &outcome.events {
            writeln!(log, "    {}", explain(event, Names(names)))?;
            if let Event::DeliverAllStopped { .. } = event {
                let why = explain::why_deliver_all_stopped(&cluster, Names(names));
                writeln!(log, "    Why: {why}.")?;
                summary.stopped.push((
                    number,
                    format!(
                        "{}: {why}",
                        explain(event, Names(names)).trim_end_matches('.')
                    ),
                ));
            }
        }
        // An advance says where it got to itself.
        let said = matches!(outcome.events.last(), Some(Event::TimePassed { .. }));
        if cluster.now() != clock_before
            && !said
            && let Some(now) = cluster.now()
        {
            writeln!(log, "    The clock reads {}.", format_ms(now))?;
        }
        explained = narration(&outcome.events, names);
        scenario_events.extend_from_slice(&outcome.events);
        if let Step::Expect(expectation) = step {
            summary.expectations += 1;
            note_expected(expectation, &cluster, number, &mut expected);
            if outcome.mismatches.is_empty() {
                writeln!(log, "    ok")?;
            }
            for mismatch in outcome.mismatches {
                writeln!(log, "    FAILED: {mismatch}")?;
                summary.failures.push((number, mismatch));
            }
        }
    }
    let all_events = scenario_events.iter();
    writeln!(log, "\nVote ledger")?;
    for line in
        crate::ledger::render_text(&crate::ledger::build(all_events), Names(names), names.len())
            .lines()
    {
        writeln!(log, "  {line}")?;
    }
    for v in cluster.violations() {
        let text = explain_violation(v, Names(names));
        match expected.get(v) {
            Some(&step) => summary.expected_violations.push((step, text)),
            None => summary.violations.push(text),
        }
    }
    Ok((cluster, summary))
}

/// The one rule for an expected violation: an `expect` asserting an invariant broken expects
/// every violation of that invariant found by then (the check holds exactly when there is
/// one). A violation found later is not expected by it.
fn note_expected(
    expectation: &Expectation,
    cluster: &Cluster,
    step: usize,
    expected: &mut BTreeMap<Violation, usize>,
) {
    let Some(invariant) = expectation.broken else {
        return;
    };
    for v in cluster.violations() {
        if v.invariant() == invariant {
            expected.entry(*v).or_insert(step);
        }
    }
}
