//! Plays a scenario's steps on a cluster and checks its expectations. The CLI's `run`, the
//! session's walkthrough and the export all play a step through [`apply_step`], and
//! [`step_action`] is the one place a step becomes an action.

use super::describe::{describe_filter, describe_step};
use super::script::{Expectation, MessageFilter, Scenario, Step};
use crate::raft::{
    Action, Cluster, Event, LogIndex, MessageId, Names, NetworkError, Role, ServerId, Term,
    explain, explain::explain_violation,
};
use std::fmt;
use std::io::{self, Write};

/// An expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// What was checked, e.g. `a.role`.
    pub field: String,
    /// The expected value.
    pub expected: String,
    /// The actual value.
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.field, self.expected, self.actual
        )
    }
}

/// A step that could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepError {
    /// No in-flight message matches the selector.
    NoMatchingMessage(String),
    /// The model refused (an id that is not there).
    Model(NetworkError),
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::NoMatchingMessage(filter) => {
                write!(f, "no message in flight matches {filter}")
            }
            StepError::Model(e) => write!(f, "{e}"),
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
/// A selector picks its message now. `None` for words and checks.
pub fn step_action(
    cluster: &Cluster,
    step: &Step,
    names: &[String],
) -> Result<Option<Action>, StepError> {
    Ok(match step {
        Step::Act(action) => Some(action.clone()),
        Step::Message(op, filter) => Some(op.action(select(cluster, filter, names)?)),
        Step::Say(_) | Step::Quiz(_) | Step::Expect(_) => None,
    })
}

/// Plays one step on the cluster: its action, or its check. Narration changes nothing. On
/// error nothing changed.
pub fn apply_step(
    cluster: &mut Cluster,
    step: &Step,
    names: &[String],
) -> Result<StepOutcome, StepError> {
    let action = step_action(cluster, step, names)?;
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

/// The oldest in-flight message matching `filter`.
pub fn select(
    cluster: &Cluster,
    filter: &MessageFilter,
    names: &[String],
) -> Result<MessageId, StepError> {
    cluster
        .in_flight()
        .find(|m| {
            filter.id.is_none_or(|id| m.id == id)
                && filter.from.is_none_or(|s| m.from == s)
                && filter.to.is_none_or(|s| m.to == s)
                && filter.kind.is_none_or(|k| m.message.kind() == k)
        })
        .map(|m| m.id)
        .ok_or_else(|| StepError::NoMatchingMessage(describe_filter(filter, names)))
}

/// Checks an expectation against the cluster. Values are compared as they are; only a
/// mismatch is put in words.
pub fn check(e: &Expectation, cluster: &Cluster, names: &[String]) -> Vec<Mismatch> {
    let names = Names(names);
    let mut out = Mismatches(Vec::new());
    let vote = |v: &Option<ServerId>| v.map_or("nobody".to_string(), |s| names.of(s));
    let list = |ids: &Vec<ServerId>| {
        let named: Vec<String> = ids.iter().map(|&id| names.of(id)).collect();
        format!("[{}]", named.join(", "))
    };
    if let Some(server) = e.server.and_then(|id| cluster.server(id)) {
        let who = || names.of(server.id);
        let field = |name: &'static str| move || format!("{}.{name}", who());
        if let Some(role) = &e.role {
            out.compare(field("role"), role, &server.role, Role::to_string);
        }
        if let Some(term) = &e.term {
            out.compare(field("term"), term, &server.current_term, Term::to_string);
        }
        if let Some(voted_for) = &e.voted_for {
            out.compare(field("voted_for"), voted_for, &server.voted_for, vote);
        }
        if let Some(log) = &e.log
            && !server.log.terms().eq(log.iter().copied())
        {
            let actual: Vec<Term> = server.log.terms().collect();
            out.compare(field("log"), log, &actual, |terms| format!("{terms:?}"));
        }
        if let Some(commit) = &e.commit_index {
            out.compare(
                field("commit_index"),
                commit,
                &server.commit_index,
                LogIndex::to_string,
            );
        }
        if let Some(crashed) = &e.crashed {
            out.compare(field("crashed"), crashed, &server.crashed, bool::to_string);
        }
    }
    if let Some(leaders) = &e.leaders {
        let mut expected = leaders.clone();
        expected.sort_unstable();
        let actual: Vec<ServerId> = cluster.live_leaders().collect();
        out.compare(|| "leaders".to_string(), &expected, &actual, list);
    }
    if let Some(count) = &e.in_flight {
        let actual = cluster.in_flight().len();
        out.compare(|| "in_flight".to_string(), count, &actual, usize::to_string);
    }
    out.0
}

/// The mismatches of one expectation, each put in words only when it is found.
struct Mismatches(Vec<Mismatch>);

impl Mismatches {
    fn compare<T: PartialEq>(
        &mut self,
        field: impl FnOnce() -> String,
        expected: &T,
        actual: &T,
        show: impl Fn(&T) -> String,
    ) {
        if expected != actual {
            self.0.push(Mismatch {
                field: field(),
                expected: show(expected),
                actual: show(actual),
            });
        }
    }
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
    /// Invariant violations found, explained.
    pub violations: Vec<String>,
    /// `deliver_all` steps that stopped at their cap: (1-based step number, what happened and
    /// why). A lesson should settle; one that does not fails.
    pub stopped: Vec<(usize, String)>,
}

impl RunSummary {
    /// Whether every expectation held, every step applied and no invariant broke.
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
    let size = super::build::plural(names.len(), "server", "servers");
    writeln!(log, "Scenario: {} ({size})", scenario.name)?;
    if let Some(description) = &scenario.description {
        writeln!(log, "  {description}")?;
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
    for (i, step) in scenario.steps.iter().enumerate() {
        let number = i + 1;
        let beat = beats.iter().position(|b| b.start == i);
        if let Some(beat) = beat {
            writeln!(log, "\n── beat {} of {} ──", beat + 1, beats.len())?;
        }
        // Words stand apart from the step lines before them in their beat.
        let gap = if beat.is_some() { "" } else { "\n" };
        match step {
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
            _ => writeln!(log, "step {number}: {}", describe_step(step, names))?,
        }
        let outcome = match apply_step(&mut cluster, step, names) {
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
        scenario_events.extend_from_slice(&outcome.events);
        if let Step::Expect(_) = step {
            summary.expectations += 1;
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
    summary.violations = cluster
        .violations()
        .iter()
        .map(|v| explain_violation(v, Names(names)))
        .collect();
    Ok((cluster, summary))
}
