//! Counterexamples as scenarios: the path the search found, replayed on the real starting
//! state (real server names, real message ids), then written as a scenario file whose steps
//! reproduce it, with the model's explanation after each step and an `expect` naming the
//! invariant broken. `raftwalk run` replays it; `raftwalk FILE` steps through it.

use super::canon::{Budget, Codec};
use super::moves::{self, Move};
use super::search::Found;
use crate::raft::{
    Action, ClientCommand, Cluster, Event, Invariant, MessageKind, ServerId, Violation,
};
use crate::scenario::format::{ExpectSpec, ScenarioFile, StepSpec};
use crate::scenario::{Scenario, narration};
use crate::session::{PlayError, Session};

/// One step of a counterexample, on the real cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    /// The model action.
    pub action: Action,
    /// For a message action: the message's sender, recipient and kind.
    pub message: Option<(ServerId, ServerId, MessageKind)>,
    /// What happened.
    pub events: Vec<Event>,
}

/// Applies `action` to `cluster`, recording what it did.
pub fn step(cluster: &mut Cluster, action: Action) -> Result<TraceStep, String> {
    let message = match action {
        Action::Deliver(id) | Action::Drop(id) | Action::Duplicate(id) => cluster
            .network()
            .message(id)
            .map(|e| (e.from, e.to, e.message.kind())),
        _ => None,
    };
    let events = cluster.apply(&action).map_err(|e| e.to_string())?;
    Ok(TraceStep {
        action,
        message,
        events,
    })
}

/// Replays a search's path from the real starting state: each move, named on a canonical
/// state, is turned into the action on the real servers and messages it stands for. Fails
/// (a bug in the explorer) if a state on the way does not have the canonical form the
/// search stored.
pub fn replay(
    codec: &Codec,
    start: &Cluster,
    found: &Found,
    requests: &[ClientCommand],
) -> Result<(Vec<TraceStep>, Violation), String> {
    let mut cluster = start.clone();
    let mut budget = Budget::default();
    let mut steps = Vec::with_capacity(found.path.len());
    let mut order = Vec::new();
    let n = cluster.servers().len();
    for (i, (&mv, stored)) in found.path.iter().zip(&found.states).enumerate() {
        let (canonical, perm) = codec.canonical_witness(&cluster, budget, &mut order);
        if &canonical != stored {
            return Err(format!(
                "step {}: the replayed state differs from the one the search stored",
                i + 1
            ));
        }
        let mut servers = vec![0; n];
        for (server, &slot) in perm.iter().enumerate().take(n) {
            servers[slot as usize] = server;
        }
        let (action, after) = moves::action(mv, &servers, &order, budget, requests);
        budget = after;
        steps.push(step(&mut cluster, action).map_err(|e| format!("step {}: {e}", i + 1))?);
    }
    let violation = steps
        .last()
        .and_then(|s| {
            s.events.iter().find_map(|e| match e {
                Event::Violation(v) => Some(*v),
                _ => None,
            })
        })
        .ok_or("the replayed path breaks no invariant")?;
    if violation.invariant() != found.violation.invariant() {
        return Err(format!(
            "the replay broke {} where the search broke {}",
            violation.invariant(),
            found.violation.invariant()
        ));
    }
    Ok((steps, violation))
}

/// A short description of a move for a person, e.g. `deliver message 3`.
pub fn describe_move(mv: Move) -> String {
    match mv {
        Move::Deliver(k) => format!("deliver message {k}"),
        Move::Drop(k) => format!("drop message {k}"),
        Move::Duplicate(k) => format!("duplicate message {k}"),
        Move::Timeout(s) => format!("timeout on slot {s}"),
        Move::Request(s) => format!("request on slot {s}"),
        Move::Crash(s) => format!("crash slot {s}"),
        Move::Restart(s) => format!("restart slot {s}"),
    }
}

/// Writes a counterexample as a scenario: the scenario's starting servers; its own steps
/// first if the search began after them (`after_steps`); then every action of `trace`, each
/// followed by a `say` with the model's explanation; then a `say` naming the violation and
/// the rule that would have stopped it, and `expect`s that show it (one per invariant broken).
pub fn scenario_file(
    scenario: &Scenario,
    after_steps: bool,
    actions: &[Action],
    origin: &str,
) -> Result<ScenarioFile, String> {
    let mut session = Session::new(scenario.clone());
    if after_steps {
        loop {
            match session.play_next() {
                Ok(_) => {}
                Err(PlayError::NoMoreSteps) => break,
                Err(e) => return Err(format!("the scenario's own steps fail: {e}")),
            }
        }
    }
    // Each recorded action: how many steps the file gives it, and its explanation.
    let mut explained = Vec::new();
    for action in actions {
        let acted = session.act(action.clone()).map_err(|e| e.to_string())?;
        if acted.recorded {
            let steps = match action {
                Action::DeliverUpTo(count) => *count,
                _ => 1,
            };
            explained.push((steps, narration(&acted.events, session.names())));
        }
    }
    let violation = *session
        .cluster()
        .violations()
        .first()
        .ok_or("the trace breaks no invariant")?;
    let mut file = session.script_file();
    let count: usize = explained.iter().map(|(steps, _)| steps).sum();
    let mut ours = file.steps.split_off(file.steps.len() - count).into_iter();
    for (steps, text) in explained {
        file.steps.extend(ours.by_ref().take(steps));
        file.steps.push(StepSpec::Say(text));
    }
    // Every invariant broken (a step can break two), each with an expect below, so that
    // `run` reads each violation as expected and the file passes.
    let mut broken: Vec<Invariant> = Vec::new();
    for v in session.cluster().violations() {
        if !broken.contains(&v.invariant()) {
            broken.push(v.invariant());
        }
    }
    // The step before has told how it broke (its `say`, the model's explanation): the ending
    // names what broke and the rule that would have stopped it, without telling it again.
    let titles: Vec<String> = broken.iter().map(ToString::to_string).collect();
    let mut ending = match titles.as_slice() {
        [one] => format!("{one} is broken."),
        [rest @ .., last] => format!("{} and {last} are broken.", rest.join(", ")),
        [] => return Err("the trace breaks no invariant".to_string()),
    };
    if let Some(bug) = scenario.config.bug {
        ending.push_str(&format!(
            " The rule that would have stopped it: {}.",
            bug.rule()
        ));
    }
    file.steps.push(StepSpec::Say(ending));
    file.steps.extend(broken.into_iter().map(|invariant| {
        StepSpec::Expect(ExpectSpec {
            broken: Some(invariant),
            ..ExpectSpec::default()
        })
    }));
    file.steps.extend(session.state_expectations());
    let invariant = violation.invariant();
    file.name = match scenario.config.bug {
        Some(bug) => format!("Counterexample: {invariant} broken ({bug})"),
        None => format!("Counterexample: {invariant} broken"),
    };
    let path = if after_steps {
        "after its steps"
    } else {
        "from its start"
    };
    file.description = Some(format!(
        "Found by raftwalk check in {origin}, {path}: {} steps to a state where {invariant} is broken{}.",
        actions.len(),
        scenario
            .config
            .bug
            .map(|b| format!(
                ", on {}",
                b.plain().replacen("this cluster", "a cluster that", 1)
            ))
            .unwrap_or_default()
    ));
    Ok(file)
}
