//! The explorer's benchmark figure, for `raftwalk bench`: distinct states per second on the
//! correct model from the brief's example, election only (timeouts, deliveries and drops; no
//! requests, crashes or duplicates), three servers, terms up to 4.

use super::moves::Bounds;
use super::search::Progress;
use super::{Options, check};
use serde::Serialize;

/// One line of `raftwalk bench --json`.
#[derive(Clone, Debug, Serialize)]
pub struct ExploreFigure {
    /// Always `"explore"`.
    pub workload: &'static str,
    /// Cluster size.
    pub servers: usize,
    /// The highest term a timeout may reach.
    pub max_term: u64,
    /// Distinct states found (median run).
    pub distinct_states: u64,
    /// Wall-clock seconds (median run).
    pub seconds: f64,
    /// Wall-clock seconds of the fastest run: with the slowest's, how far the machine's speed
    /// drifted while the runs were made.
    pub fastest_seconds: f64,
    /// Wall-clock seconds of the slowest run.
    pub slowest_seconds: f64,
    /// Distinct states per second (median of the runs).
    pub states_per_sec: f64,
    /// Whether the space was exhausted (false when the state limit stopped the runs first).
    pub exhausted: bool,
    /// Worker threads.
    pub threads: usize,
    /// Runs the median is taken over.
    pub runs: usize,
    /// Renamings of the servers merged by symmetry.
    pub symmetries: usize,
    /// Successor states computed (median run).
    pub successors: u64,
    /// Seconds the model alone takes for those successors (reading each state found and
    /// taking each step, as the search does: mostly through interned parts), on the same
    /// threads: a floor under `seconds` that no faster canonical form or state table can
    /// remove.
    pub model_seconds: f64,
    /// `distinct_states / model_seconds`: the rate if canonical forms and the state table
    /// cost nothing.
    pub model_ceiling_states_per_sec: f64,
    /// Seconds the model and the successors' canonical forms take together (no state
    /// table): less `model_seconds`, what the canonical forms cost; `seconds` less this, what
    /// the table and the rest of the search cost.
    pub canonical_seconds: f64,
}

/// Runs the search `runs` times, stopping each after `max_states` distinct states, on
/// `threads` threads; returns the median run.
pub fn bench_figure(
    max_term: u64,
    max_states: usize,
    threads: usize,
    runs: usize,
) -> Result<ExploreFigure, String> {
    let count = runs.max(1);
    let scenario = crate::load::load("seed-example").map_err(|e| e.to_string())?;
    let options = Options {
        bug: None,
        after_steps: false,
        bounds: Bounds::election(max_term),
        max_states,
        max_memory: usize::MAX,
        threads,
        symmetry: true,
        reduce: true,
        sleep_sets: true,
        interning: true,
        verify: false,
        fingerprints: true,
    };
    let mut runs = Vec::with_capacity(count);
    for _ in 0..count {
        let outcome = check(&scenario, &options, &Progress::default())?;
        if outcome.counterexample.is_some() {
            return Err("the correct model broke an invariant".to_string());
        }
        runs.push(outcome);
    }
    let rate = |o: &super::Outcome| o.stats.distinct as f64 / o.stats.seconds.max(1e-9);
    runs.sort_by(|a, b| rate(a).total_cmp(&rate(b)));
    let median = &runs[count / 2];
    let times = runs.iter().map(|o| o.stats.seconds);
    let fastest = times.clone().fold(f64::INFINITY, f64::min);
    let slowest = times.fold(0.0, f64::max);
    let floor = super::model_floor(&scenario, &options)?;
    Ok(ExploreFigure {
        workload: "explore",
        servers: scenario.names.len(),
        max_term,
        distinct_states: median.stats.distinct,
        seconds: median.stats.seconds,
        fastest_seconds: fastest,
        slowest_seconds: slowest,
        states_per_sec: rate(median),
        exhausted: median.stats.exhausted,
        threads,
        runs: count,
        symmetries: median.symmetries,
        successors: median.stats.explored,
        model_seconds: floor.seconds,
        model_ceiling_states_per_sec: median.stats.distinct as f64 / floor.seconds.max(1e-9),
        canonical_seconds: floor.canonical_seconds,
    })
}
