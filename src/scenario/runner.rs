//! Plays a scenario's steps on a cluster and checks its expectations. The CLI's `run` and
//! the TUI's walkthrough both use [`apply_step`].

use super::build::{Expectation, MessageFilter, Scenario, Step};
use crate::raft::{
    Action, Cluster, Event, MessageId, Names, NetworkError, ServerAction, ServerId, explain,
    explain::explain_violation,
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
    /// The model's events.
    pub events: Vec<Event>,
    /// For an `expect` step, what did not hold.
    pub mismatches: Vec<Mismatch>,
}

/// Applies one step to the cluster. Narration changes nothing; expectations are checked.
pub fn apply_step(
    cluster: &mut Cluster,
    step: &Step,
    names: &[String],
) -> Result<StepOutcome, StepError> {
    let action = match step {
        Step::Say(_) | Step::Quiz(_) => return Ok(StepOutcome::default()),
        Step::Expect(expectation) => {
            return Ok(StepOutcome {
                events: Vec::new(),
                mismatches: check(expectation, cluster, names),
            });
        }
        Step::Server { server, action } => Action::on(*server, action.clone()),
        Step::Deliver(filter) => Action::Deliver(select(cluster, filter, names)?),
        Step::Drop(filter) => Action::Drop(select(cluster, filter, names)?),
        Step::Duplicate(filter) => Action::Duplicate(select(cluster, filter, names)?),
        Step::DeliverAll => Action::DeliverAll,
        Step::Partition(groups) => Action::Partition(groups.clone()),
        Step::Heal => Action::Heal,
    };
    let events = cluster.apply(action).map_err(StepError::Model)?;
    Ok(StepOutcome {
        events,
        mismatches: Vec::new(),
    })
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

/// Checks an expectation against the cluster.
pub fn check(e: &Expectation, cluster: &Cluster, names: &[String]) -> Vec<Mismatch> {
    let names = Names(names);
    let mut out = Vec::new();
    let mut compare = |field: String, expected: String, actual: String| {
        if expected != actual {
            out.push(Mismatch {
                field,
                expected,
                actual,
            });
        }
    };
    let vote = |v: Option<ServerId>| v.map_or("nobody".to_string(), |s| names.of(s));
    if let Some(server) = e.server.and_then(|id| cluster.server(id)) {
        let who = names.of(server.id);
        if let Some(role) = e.role {
            compare(
                format!("{who}.role"),
                role.to_string(),
                server.role.to_string(),
            );
        }
        if let Some(term) = e.term {
            compare(
                format!("{who}.term"),
                term.to_string(),
                server.current_term.to_string(),
            );
        }
        if let Some(voted_for) = e.voted_for {
            compare(
                format!("{who}.voted_for"),
                vote(voted_for),
                vote(server.voted_for),
            );
        }
        if let Some(log) = &e.log {
            let actual: Vec<_> = server.log.terms().collect();
            compare(
                format!("{who}.log"),
                format!("{log:?}"),
                format!("{actual:?}"),
            );
        }
        if let Some(commit) = e.commit_index {
            compare(
                format!("{who}.commit_index"),
                commit.to_string(),
                server.commit_index.to_string(),
            );
        }
        if let Some(crashed) = e.crashed {
            compare(
                format!("{who}.crashed"),
                crashed.to_string(),
                server.crashed.to_string(),
            );
        }
    }
    if let Some(leaders) = &e.leaders {
        let mut expected = leaders.clone();
        expected.sort_unstable();
        let actual: Vec<ServerId> = cluster.live_leaders().collect();
        let list = |ids: &[ServerId]| {
            let named: Vec<String> = ids.iter().map(|&id| names.of(id)).collect();
            format!("[{}]", named.join(", "))
        };
        compare("leaders".to_string(), list(&expected), list(&actual));
    }
    if let Some(count) = e.in_flight {
        compare(
            "in_flight".to_string(),
            count.to_string(),
            cluster.in_flight().len().to_string(),
        );
    }
    if let Some(invariant) = e.broken {
        let broken: Vec<&str> = cluster
            .violations()
            .iter()
            .map(|v| v.invariant().title())
            .collect();
        if !broken.contains(&invariant.title()) {
            compare(
                "broken".to_string(),
                invariant.title().to_string(),
                if broken.is_empty() {
                    "no invariant broken".to_string()
                } else {
                    broken.join(", ")
                },
            );
        }
    }
    out
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
    if let Some(bug) = scenario.bug {
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

/// A short description of a step, e.g. `timeout a` or `deliver RequestVote S0 → S1`.
pub fn describe_step(step: &Step, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
    match step {
        Step::Server { server, action } => match action {
            ServerAction::Timeout => format!("election timeout on {}", n(*server)),
            ServerAction::ClientRequest(cmd) if cmd.is_empty() => {
                format!("client request to {}", n(*server))
            }
            ServerAction::ClientRequest(cmd) => {
                let cmd = crate::escape::escape(cmd);
                format!("client request \"{cmd}\" to {}", n(*server))
            }
            ServerAction::Heartbeat => format!("heartbeat from {}", n(*server)),
            ServerAction::Crash => format!("crash {}", n(*server)),
            ServerAction::Restart => format!("restart {}", n(*server)),
            ServerAction::BecomeFollower => format!("{}.become_follower()", n(*server)),
            ServerAction::BecomeCandidate => format!("{}.become_candidate()", n(*server)),
            ServerAction::BecomeLeader => format!("{}.become_leader()", n(*server)),
        },
        Step::Deliver(f) => format!("deliver {}", describe_filter(f, names)),
        Step::Drop(f) => format!("drop {}", describe_filter(f, names)),
        Step::Duplicate(f) => format!("duplicate {}", describe_filter(f, names)),
        Step::DeliverAll => "deliver all".to_string(),
        Step::Partition(groups) => {
            let groups: Vec<String> = groups
                .iter()
                .map(|g| {
                    format!(
                        "{{{}}}",
                        g.iter().map(|&s| n(s)).collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            format!("partition {}", groups.join(" "))
        }
        Step::Heal => "heal the partition".to_string(),
        Step::Say(text) => format!("say: {text}"),
        Step::Quiz(quiz) => format!("quiz: {}", quiz.question),
        Step::Expect(e) => format!("expect {}", describe_expectation(e, names)),
    }
}

fn describe_filter(f: &MessageFilter, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
    let mut parts = Vec::new();
    if let Some(id) = f.id {
        parts.push(format!("#{id}"));
    }
    if let Some(kind) = f.kind {
        parts.push(kind.to_string());
    }
    match (f.from, f.to) {
        (Some(a), Some(b)) => parts.push(format!("{} → {}", n(a), n(b))),
        (Some(a), None) => parts.push(format!("from {}", n(a))),
        (None, Some(b)) => parts.push(format!("to {}", n(b))),
        (None, None) => {}
    }
    if parts.is_empty() {
        "the oldest message".to_string()
    } else {
        parts.join(" ")
    }
}

fn describe_expectation(e: &Expectation, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
    let mut parts = Vec::new();
    if let Some(s) = e.server {
        parts.push(n(s));
    }
    if let Some(role) = e.role {
        parts.push(format!("role {role}"));
    }
    if let Some(term) = e.term {
        parts.push(format!("term {term}"));
    }
    if let Some(v) = e.voted_for {
        parts.push(format!("voted_for {}", v.map_or("nobody".to_string(), n)));
    }
    if let Some(log) = &e.log {
        parts.push(format!("log {log:?}"));
    }
    if let Some(c) = e.commit_index {
        parts.push(format!("commit_index {c}"));
    }
    if let Some(c) = e.crashed {
        parts.push(if c { "crashed" } else { "running" }.to_string());
    }
    if let Some(leaders) = &e.leaders {
        let named: Vec<String> = leaders.iter().map(|&s| n(s)).collect();
        parts.push(format!("leaders [{}]", named.join(", ")));
    }
    if let Some(count) = e.in_flight {
        parts.push(format!("{count} in flight"));
    }
    if let Some(invariant) = e.broken {
        parts.push(format!("{invariant} broken"));
    }
    parts.join(", ")
}
