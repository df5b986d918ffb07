//! The explorer: every interleaving of deliveries, drops, duplicates, timeouts, crashes and
//! client requests from a scenario's state, within bounds, breadth first, with every
//! invariant checked in every state; or seeded random walks with faults for clusters too
//! large for that. A violation comes back as the shortest path to it, written as a scenario
//! that `raftwalk run` replays and the TUI steps through.
//!
//! The search runs the model itself ([`Cluster::apply`]), on states stored in a compact
//! canonical form ([`canon`]), so what it finds is what `run` and the TUI show.

pub mod bench;
pub mod canon;
pub mod command;
mod commute;
mod compact;
mod fingerprint;
mod interned;
pub mod moves;
pub mod random;
pub mod reduce;
pub mod search;
pub mod sleep;
mod store;
pub mod trace;
pub mod view;

pub use command::CheckArgs;

use crate::raft::{Action, Bug, ClientCommand, Cluster, Violation};
use crate::scenario::describe::describe_step;
use crate::scenario::{Scenario, Step, runner};
use canon::Codec;
use moves::Bounds;
use search::{Config, Progress, Stats};
use std::sync::Arc;

/// What to search, and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// The mutant to run instead of the scenario's own (`None`: the scenario's).
    pub bug: Option<Bug>,
    /// Start after the scenario's steps instead of at its starting state.
    pub after_steps: bool,
    /// The bounds.
    pub bounds: Bounds,
    /// Stop after this many distinct states.
    pub max_states: usize,
    /// Stop when the states stored take about this many bytes.
    pub max_memory: usize,
    /// Worker threads.
    pub threads: usize,
    /// Merge servers the starting state cannot tell apart.
    pub symmetry: bool,
    /// Leave out of states what cannot matter, and do not drop messages ([`reduce`]).
    pub reduce: bool,
    /// Skip moves that sleep sets show to be covered by another order ([`sleep`]).
    pub sleep_sets: bool,
    /// Read states through interned parts and reuse steps (`explore::interned`).
    pub interning: bool,
    /// Check every interned successor against the decoded path (slow; for tests).
    pub verify: bool,
    /// Find stored states by fingerprint, with interned parts (`explore::fingerprint`).
    pub fingerprints: bool,
}

/// A violation and the steps that lead to it from the scenario's start.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// What broke.
    pub violation: Violation,
    /// The search's steps (after the scenario's own, with `after_steps`), with their events.
    pub steps: Vec<trace::TraceStep>,
}

/// How a check ended.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The scenario searched, with the mutant that ran.
    pub scenario: Scenario,
    /// The search's numbers.
    pub stats: Stats,
    /// How many renamings of the servers were merged (1: none).
    pub symmetries: usize,
    /// The first violation found, if any.
    pub counterexample: Option<Counterexample>,
}

/// The commands client requests carry: `x1`, `x2`, …
pub fn request_commands(count: u8) -> Vec<ClientCommand> {
    (1..=count).map(|i| Arc::from(format!("x{i}"))).collect()
}

/// The scenario with the options' mutant and without its timing, and the state to start from.
///
/// The explorer runs without the clock: it tries every order of events, which includes
/// every order a clock could produce, so a scenario's `timing` is left out (and so is it
/// from a saved trace, which replays untimed). Starting after the scenario's steps is
/// refused if one of them needs the clock.
pub fn starting_point(
    scenario: &Scenario,
    options: &Options,
) -> Result<(Scenario, Cluster), String> {
    let mut scenario = scenario.clone();
    if options.bug.is_some() {
        scenario.config.bug = options.bug;
    }
    scenario.timing = None;
    let mut cluster = scenario.cluster();
    if options.after_steps {
        if let Some(i) = scenario.steps.iter().position(is_timed) {
            return Err(format!(
                "step {} of the scenario ({}) needs the clock, and check runs without it (it \
                 tries every order of events instead): leave out --after-steps, or start from \
                 a scenario without timed steps",
                i + 1,
                describe_step(&scenario.steps[i], &scenario.names)
            ));
        }
        for (i, step) in scenario.steps.iter().enumerate() {
            runner::apply_step(&mut cluster, step, &scenario.names)
                .map_err(|e| format!("step {} of the scenario fails: {e}", i + 1))?;
        }
    }
    Ok((scenario, cluster))
}

/// Whether a step needs the simulated clock.
fn is_timed(step: &Step) -> bool {
    match step {
        Step::Act(action) => matches!(
            action,
            Action::StartClock(_)
                | Action::SetTiming(_)
                | Action::NextEvents(_)
                | Action::Advance(_)
        ),
        Step::RunUntil(_) => true,
        Step::Expect(e) => e.time.is_some(),
        _ => false,
    }
}

/// Searches breadth first from the scenario's state; `progress` is updated as it goes.
pub fn check(
    scenario: &Scenario,
    options: &Options,
    progress: &Progress,
) -> Result<Outcome, String> {
    let (scenario, start) = starting_point(scenario, options)?;
    let requests = request_commands(options.bounds.max_requests);
    let codec = codec_for(&start, &requests, options);
    check_from(scenario, &start, &codec, &requests, options, progress)
}

/// The codec a search from `start` with `options` stores its states in.
pub fn codec_for(start: &Cluster, requests: &[ClientCommand], options: &Options) -> Codec {
    let codec = Codec::new(start, requests, options.symmetry);
    if options.reduce {
        codec.reducing(ceiling(start, &options.bounds))
    } else {
        codec
    }
}

/// [`check`] from a starting point and codec already made ([`starting_point`], [`codec_for`]);
/// `scenario` is the one `starting_point` returned, `requests` the ones `codec` was made for.
pub fn check_from(
    scenario: Scenario,
    start: &Cluster,
    codec: &Codec,
    requests: &[ClientCommand],
    options: &Options,
    progress: &Progress,
) -> Result<Outcome, String> {
    if let Some(&violation) = start.violations().first() {
        // Broken before any search step: the scenario's own steps are the trace.
        return Ok(Outcome {
            scenario,
            stats: Stats {
                explored: 0,
                distinct: 1,
                depth: 0,
                seconds: 0.0,
                exhausted: false,
                depth_limited: false,
                memory_limited: false,
            },
            symmetries: codec.symmetries(),
            counterexample: Some(Counterexample {
                violation,
                steps: Vec::new(),
            }),
        });
    }
    let config = search_config(codec, requests, options, progress);
    let (stats, found) = search::search(start, &config);
    let counterexample = match found {
        None => None,
        Some(found) => {
            let (steps, violation) = trace::replay(codec, start, &found, requests)?;
            Some(Counterexample { violation, steps })
        }
    };
    Ok(Outcome {
        scenario,
        stats,
        symmetries: codec.symmetries(),
        counterexample,
    })
}

/// The search's settings for `options`.
fn search_config<'a>(
    codec: &'a Codec,
    requests: &'a [ClientCommand],
    options: &Options,
    progress: &'a Progress,
) -> Config<'a> {
    Config {
        codec,
        bounds: options.bounds,
        requests,
        max_states: options.max_states,
        max_memory: options.max_memory,
        threads: options.threads,
        drops: !options.reduce,
        sleep_sets: options.sleep_sets,
        interning: options.interning,
        verify: options.verify,
        fingerprints: options.fingerprints,
        progress,
    }
}

/// The model's share of [`check`]'s work on `scenario` (see [`search::model_floor`]).
pub fn model_floor(scenario: &Scenario, options: &Options) -> Result<search::ModelFloor, String> {
    let (_, start) = starting_point(scenario, options)?;
    let requests = request_commands(options.bounds.max_requests);
    let codec = codec_for(&start, &requests, options);
    let progress = Progress::default();
    let config = search_config(&codec, &requests, options, &progress);
    Ok(search::model_floor(&start, &config))
}

/// The highest term any server can reach in a search from `start` within `bounds`: a term
/// grows only by a timeout (which `bounds` caps) or by adopting a term a message carries, and
/// every message carries a term some server had.
pub fn ceiling(start: &Cluster, bounds: &Bounds) -> crate::raft::Term {
    let servers = start.servers().iter().map(|s| s.current_term);
    let messages = start.in_flight().map(|e| e.message.term());
    servers.chain(messages).fold(bounds.max_term, u64::max)
}

/// The actions of a counterexample, in order.
pub fn actions(counterexample: &Counterexample) -> Vec<Action> {
    counterexample
        .steps
        .iter()
        .map(|s| s.action.clone())
        .collect()
}
