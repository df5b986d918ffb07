//! `raftwalk bench`: throughput of the model on fixed workloads. A benchmark, never a test.

use crate::raft::{Action, Cluster, Role, ServerAction};
use serde::Serialize;
use std::time::Instant;

/// How many runs each figure is the median of.
pub const RUNS: usize = 5;

/// One benchmark figure, printed as one JSON line with `--json`.
#[derive(Clone, Debug, Serialize)]
pub struct ElectionFigure {
    /// Always `"election"`.
    pub workload: &'static str,
    /// Cluster size.
    pub servers: usize,
    /// Median elections per second.
    pub elections_per_sec: f64,
    /// Median message deliveries per second.
    pub deliveries_per_sec: f64,
}

/// The election workload: one cluster of fresh servers; `elections` times, the next server
/// (round-robin) times out and everything is delivered; it must then be leader. Invariants
/// are checked after every delivery and every event is recorded, as in any other use.
/// Returns (elections per second, deliveries per second), or an error if an election failed.
pub fn election_run(servers: usize, elections: usize) -> Result<(f64, f64), String> {
    let mut cluster = Cluster::new(servers);
    let mut events = Vec::with_capacity(64);
    let mut deliveries = 0usize;
    let start = Instant::now();
    for round in 0..elections {
        let candidate = round % servers;
        events.clear();
        cluster
            .apply_into(Action::on(candidate, ServerAction::Timeout), &mut events)
            .map_err(|e| e.to_string())?;
        let outcome = cluster
            .deliver_all(&mut events)
            .map_err(|e| e.to_string())?;
        deliveries += outcome.delivered;
        if cluster.server(candidate).map(|s| s.role) != Some(Role::Leader) {
            return Err(format!("round {round}: S{candidate} did not become leader"));
        }
    }
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    if !cluster.violations().is_empty() {
        return Err("an invariant broke during the benchmark".to_string());
    }
    Ok((elections as f64 / seconds, deliveries as f64 / seconds))
}

/// The median of [`RUNS`] runs of [`election_run`].
pub fn election_figure(servers: usize, elections: usize) -> Result<ElectionFigure, String> {
    let mut runs = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        runs.push(election_run(servers, elections)?);
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (elections_per_sec, deliveries_per_sec) = runs[RUNS / 2];
    Ok(ElectionFigure {
        workload: "election",
        servers,
        elections_per_sec,
        deliveries_per_sec,
    })
}
