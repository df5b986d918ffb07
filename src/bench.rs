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

/// The render figure: median time to draw one frame.
#[derive(Clone, Debug, Serialize)]
pub struct RenderFigure {
    /// Always `"render"`.
    pub workload: &'static str,
    /// Servers in the scenario drawn.
    pub servers: usize,
    /// Median microseconds per frame.
    pub median_us: f64,
}

/// Draws Figure 7 (after its first round of messages) into a 160×50 test backend `frames`
/// times; returns the median time per frame.
pub fn render_figure(frames: usize) -> Result<RenderFigure, String> {
    use ratatui::{Terminal, backend::TestBackend};
    let scenario = crate::load::load("figure7-a").map_err(|e| e.to_string())?;
    let servers = scenario.names.len();
    let mut session = crate::session::Session::new(scenario);
    // Play up to the first "deliver all", so panels, messages and the event log are busy.
    while !matches!(
        session.entries().last().and_then(|e| e.action.as_ref()),
        Some(Action::DeliverAll)
    ) {
        if session.play_next().is_err() {
            break;
        }
    }
    let app = crate::tui::app::App::new(session, std::env::temp_dir());
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).map_err(|e| e.to_string())?;
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames.max(1) {
        let start = Instant::now();
        terminal
            .draw(|frame| frame.render_widget(&app, frame.area()))
            .map_err(|e| e.to_string())?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    Ok(RenderFigure {
        workload: "render",
        servers,
        median_us: times[times.len() / 2],
    })
}

/// The undo figure: memory held by a long history.
#[derive(Clone, Debug, Serialize)]
pub struct UndoFigure {
    /// Always `"undo"`.
    pub workload: &'static str,
    /// Steps in the history.
    pub steps: usize,
    /// Heap bytes the session holds.
    pub bytes: usize,
}

/// Builds a random session of `steps` actions on 5 servers (seeded, so every run is the same
/// session) and reports the heap it holds, measured by `allocated` (the process's live heap
/// bytes, from a counting allocator).
pub fn undo_figure(steps: usize, allocated: fn() -> usize) -> Result<UndoFigure, String> {
    use rand::SeedableRng;
    let before = allocated();
    let mut session = crate::session::Session::new(
        crate::scenario::parse(r#"{"name": "random", "servers": 5}"#, "random")
            .map_err(|e| e.to_string())?,
    );
    let mut rng = rand::rngs::SmallRng::seed_from_u64(42);
    // Refused actions are not kept in the history, so draw until `steps` are (bounded).
    let mut attempt = 0;
    while session.position() < steps {
        attempt += 1;
        if attempt > steps * 10 {
            return Err(format!(
                "only {} of {steps} random actions changed anything",
                session.position()
            ));
        }
        let action = crate::random_actions::random_action(session.cluster(), &mut rng, attempt);
        session
            .act(action)
            .map_err(|e| format!("attempt {attempt}: {e}"))?;
    }
    let bytes = allocated().saturating_sub(before);
    // Undo must still work at the far end of the history.
    if !session.undo() || !session.redo() {
        return Err("undo/redo failed at the end of the history".to_string());
    }
    if !session.cluster().violations().is_empty() {
        return Err("an invariant broke during the random session".to_string());
    }
    drop(session);
    Ok(UndoFigure {
        workload: "undo",
        steps,
        bytes,
    })
}
