//! `raftwalk bench`: the model's costs on fixed workloads, each figure the median of a few
//! runs. A benchmark, never a test: the goals are printed beside the figures, not asserted.
//!
//! Every workload goes through [`Cluster`] (or [`Session`](crate::session::Session)) as any
//! other user does, so invariants are checked after every step and every event is recorded.

use crate::explore::bench::ExploreFigure;
use crate::raft::{Action, Cluster, Entry, Event, Log, Role, ServerAction, ServerState, Violation};
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// How many runs each figure is the median of, unless `--runs` says otherwise.
pub const RUNS: usize = 5;

/// The workloads `bench` can run, in the order it runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Workload {
    /// Elections per second on 3 and 5 fresh servers.
    Election,
    /// Client request + deliver-all, repeated, on 3 servers.
    Requests,
    /// One election on 9 servers whose long logs end in divergent suffixes.
    DivergentElection,
    /// Two leaders forced into one term, then deliver-all, on 9 long logs.
    ForcedLeaders,
    /// A long random session through the undo history: time and heap held.
    Undo,
    /// Drawing a Figure 7 frame at three terminal sizes.
    Render,
    /// The explorer: distinct states per second on 3 servers from the brief's example,
    /// election only, terms up to 4.
    Explore,
    /// The whole Figure 16 experiment of `raftwalk simulate figure16` (11 lines, 10,100
    /// trials of a timed cluster whose leader crashes).
    Figure16,
}

impl Workload {
    /// Every workload, in running order.
    pub const ALL: [Workload; 8] = [
        Workload::Election,
        Workload::Requests,
        Workload::DivergentElection,
        Workload::ForcedLeaders,
        Workload::Undo,
        Workload::Render,
        Workload::Explore,
        Workload::Figure16,
    ];
}

/// What the workloads are run with (the command line's options).
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Runs per figure (the median is reported).
    pub runs: usize,
    /// Elections per run of the election workload.
    pub elections: usize,
    /// Client requests in the requests workload.
    pub steps: usize,
    /// Entries per log in the divergent-election and forced-leaders workloads.
    pub log: usize,
    /// Frames drawn per size in the render workload.
    pub frames: usize,
    /// Recorded actions in the undo workload.
    pub undo_steps: usize,
    /// Distinct states at which a run of the explore workload stops.
    pub explore_states: usize,
    /// Threads of the explore workload.
    pub explore_threads: usize,
    /// Trials per line of the figure16 workload (its 150–150 line gets a tenth).
    pub figure16_trials: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            runs: RUNS,
            elections: 200_000,
            steps: 100_000,
            log: 100_000,
            frames: 500,
            undo_steps: 100_000,
            explore_states: 20_000_000,
            explore_threads: 1,
            figure16_trials: crate::simulate::figure16::PAPER_TRIALS,
        }
    }
}

/// One figure: printed as one JSON line with `--json`, or as a sentence without.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Figure {
    /// Election throughput.
    Election(ElectionFigure),
    /// A timed workload on the model.
    Timed(TimedFigure),
    /// The undo history.
    Undo(UndoFigure),
    /// Drawing one frame.
    Render(RenderFigure),
    /// The explorer's throughput.
    Explore(ExploreFigure),
    /// Simulated trials.
    Trials(TrialsFigure),
}

impl Figure {
    /// The figure as one line of prose, with its goal where it has one.
    pub fn human(&self) -> String {
        match self {
            Figure::Election(f) => format!(
                "election, {} servers: {:.0} elections/s, {:.0} deliveries/s (median of {} runs of {})",
                f.servers, f.elections_per_sec, f.deliveries_per_sec, f.runs, f.elections
            ),
            Figure::Timed(f) => {
                let what = match f.workload {
                    "requests" => format!(
                        "requests, {} × (client request + deliver all) on {} servers",
                        f.steps, f.servers
                    ),
                    "divergent-election" => format!(
                        "divergent election, {} servers with {}-entry logs ending in {} divergent entries",
                        f.servers, f.log, f.divergent
                    ),
                    _ => format!(
                        "forced leaders, two leaders of one term then deliver all, {} servers with {}-entry logs",
                        f.servers, f.log
                    ),
                };
                format!(
                    "{what}: {:.3} s, {} deliveries (median of {}; goal ≤ {} s)",
                    f.seconds, f.deliveries, f.runs, f.goal_seconds
                )
            }
            Figure::Undo(f) => format!(
                "undo, {} random steps on {} servers, then {} undos and redos: {:.3} s ({:.3} s \
                 recording), {:.1} MB held (median of {}; goal ≤ {} s and ≤ {} MB)",
                f.steps,
                f.servers,
                f.undos,
                f.seconds,
                f.record_seconds,
                f.bytes as f64 / 1e6,
                f.runs,
                f.goal_seconds,
                f.goal_bytes / 1_000_000
            ),
            Figure::Render(f) => format!(
                "render, {} ({} servers) at {}: {:.0} µs per frame (median of {})",
                f.scenario, f.servers, f.size, f.median_us, f.frames
            ),
            Figure::Explore(f) => format!(
                "explore, {} servers, terms up to {}, election only: {:.0} distinct states/s, \
                 {} states in {:.2} s (runs {:.2}–{:.2} s), {} (median of {}, {}; goal ≥ 1,000,000/s and \
                 exhausted in < 10 s); {} successors, of which reading the states and stepping alone take \
                 {:.2} s (at most {:.0} distinct states/s however fast the rest), and with their \
                 canonical forms {:.2} s",
                f.servers,
                f.max_term,
                f.states_per_sec,
                f.distinct_states,
                f.seconds,
                f.fastest_seconds,
                f.slowest_seconds,
                if f.exhausted {
                    "exhausted"
                } else {
                    "stopped at the state limit"
                },
                f.runs,
                crate::scenario::build::plural(f.threads, "thread", "threads"),
                f.successors,
                f.model_seconds,
                f.model_ceiling_states_per_sec,
                f.canonical_seconds
            ),
            Figure::Trials(f) => format!(
                "figure16, {} trials of 11 lines: {:.3} s, {:.0} trials/s (median of {}; goal < {} s)",
                f.trials, f.seconds, f.trials_per_sec, f.runs, f.goal_seconds
            ),
        }
    }
}

/// Runs `workloads` (in [`Workload::ALL`]'s order, each once) and hands each figure to `emit`
/// as soon as it is measured. `allocated` gives the process's live heap bytes.
pub fn run(
    workloads: &[Workload],
    settings: Settings,
    allocated: fn() -> usize,
    mut emit: impl FnMut(&Figure),
) -> Result<(), String> {
    let runs = settings.runs.max(1);
    for workload in Workload::ALL {
        if !workloads.contains(&workload) {
            continue;
        }
        match workload {
            Workload::Election => {
                for servers in [3, 5] {
                    emit(&Figure::Election(election_figure(
                        servers,
                        settings.elections,
                        runs,
                    )?));
                }
            }
            Workload::Requests => emit(&Figure::Timed(median_of(runs, || {
                requests_run(settings.steps)
            })?)),
            Workload::DivergentElection => emit(&Figure::Timed(median_of(runs, || {
                divergent_election_run(settings.log)
            })?)),
            Workload::ForcedLeaders => emit(&Figure::Timed(median_of(runs, || {
                forced_leaders_run(settings.log)
            })?)),
            Workload::Undo => emit(&Figure::Undo(undo_figure(
                settings.undo_steps,
                runs,
                allocated,
            )?)),
            Workload::Render => {
                for size in RENDER_SIZES {
                    emit(&Figure::Render(render_figure(size, settings.frames)?));
                }
            }
            Workload::Explore => emit(&Figure::Explore(crate::explore::bench::bench_figure(
                4,
                settings.explore_states,
                settings.explore_threads,
                runs,
            )?)),
            Workload::Figure16 => emit(&Figure::Trials(figure16_figure(
                settings.figure16_trials,
                runs,
            )?)),
        }
    }
    Ok(())
}

// ----- Elections --------------------------------------------------------------------------

/// Election throughput.
#[derive(Clone, Debug, Serialize)]
pub struct ElectionFigure {
    /// Always `"election"`.
    pub workload: &'static str,
    /// Cluster size.
    pub servers: usize,
    /// Elections per run.
    pub elections: usize,
    /// Runs the median is taken over.
    pub runs: usize,
    /// Median elections per second.
    pub elections_per_sec: f64,
    /// Median message deliveries per second.
    pub deliveries_per_sec: f64,
}

/// The election workload: one cluster of fresh servers; `elections` times, the next server
/// (round-robin) times out and everything is delivered; it must then be leader.
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
            .apply_into(&Action::on(candidate, ServerAction::Timeout), &mut events)
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
        return Err("an invariant broke during the election benchmark".to_string());
    }
    Ok((elections as f64 / seconds, deliveries as f64 / seconds))
}

/// The median of `runs` runs of [`election_run`].
pub fn election_figure(
    servers: usize,
    elections: usize,
    runs: usize,
) -> Result<ElectionFigure, String> {
    let mut results = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        results.push(election_run(servers, elections)?);
    }
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (elections_per_sec, deliveries_per_sec) = results[results.len() / 2];
    Ok(ElectionFigure {
        workload: "election",
        servers,
        elections,
        runs: results.len(),
        elections_per_sec,
        deliveries_per_sec,
    })
}

// ----- Timed workloads on long logs -------------------------------------------------------

/// The goal for each timed workload, in seconds.
const GOAL_SECONDS: f64 = 2.0;

/// A workload timed from a prepared cluster to the end of its last step.
#[derive(Clone, Debug, Serialize)]
pub struct TimedFigure {
    /// `"requests"`, `"divergent-election"` or `"forced-leaders"`.
    pub workload: &'static str,
    /// Cluster size.
    pub servers: usize,
    /// Client requests (requests workload; 0 otherwise).
    pub steps: usize,
    /// Entries in each starting log (0 for the requests workload, which starts empty).
    pub log: usize,
    /// How many of those entries differ between servers (divergent election).
    pub divergent: usize,
    /// Runs the median is taken over.
    pub runs: usize,
    /// Median seconds.
    pub seconds: f64,
    /// Messages delivered (the same in every run).
    pub deliveries: usize,
    /// The goal.
    pub goal_seconds: f64,
}

/// The run with the median time of `runs` runs of `run`.
fn median_of(
    runs: usize,
    mut run: impl FnMut() -> Result<TimedFigure, String>,
) -> Result<TimedFigure, String> {
    let mut results = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        results.push(run()?);
    }
    results.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mut median = results.swap_remove(results.len() / 2);
    median.runs = runs.max(1);
    Ok(median)
}

/// Applies `action`, appending its events.
fn apply(cluster: &mut Cluster, action: Action, events: &mut Vec<Event>) -> Result<(), String> {
    cluster
        .apply_into(&action, events)
        .map_err(|e| e.to_string())
}

/// Delivers until nothing is in flight, in at most `rounds` deliver-alls; returns the number
/// of deliveries.
fn settle(cluster: &mut Cluster, rounds: usize, events: &mut Vec<Event>) -> Result<usize, String> {
    let mut delivered = 0;
    for _ in 0..rounds {
        events.clear();
        delivered += cluster
            .deliver_all(events)
            .map_err(|e| e.to_string())?
            .delivered;
        if cluster.in_flight().len() == 0 {
            return Ok(delivered);
        }
    }
    Err(format!(
        "still {} messages in flight after {rounds} deliver-alls",
        cluster.in_flight().len()
    ))
}

/// The requests workload: S0 is elected on 3 fresh servers, then `steps` times a client
/// request goes to it and everything is delivered. Every request must be committed everywhere.
pub fn requests_run(steps: usize) -> Result<TimedFigure, String> {
    let mut cluster = Cluster::new(3);
    let mut events = Vec::new();
    apply(
        &mut cluster,
        Action::on(0, ServerAction::Timeout),
        &mut events,
    )?;
    settle(&mut cluster, 1, &mut events)?;
    let mut deliveries = 0;
    let start = Instant::now();
    for step in 0..steps {
        events.clear();
        let command = Arc::from(format!("x{step}").as_str());
        apply(
            &mut cluster,
            Action::on(0, ServerAction::ClientRequest(command)),
            &mut events,
        )?;
        deliveries += settle(&mut cluster, 1, &mut events)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let leader_commit = cluster.server(0).map_or(0, |s| s.commit_index);
    if leader_commit != steps || cluster.servers().iter().any(|s| s.log.len() != steps) {
        return Err(format!(
            "requests: the leader committed {leader_commit} of {steps} entries"
        ));
    }
    no_violation(&cluster, "requests")?;
    Ok(TimedFigure {
        workload: "requests",
        servers: 3,
        steps,
        log: 0,
        divergent: 0,
        runs: 1,
        seconds,
        deliveries,
        goal_seconds: GOAL_SECONDS,
    })
}

/// Servers in the long-log workloads.
const LONG_LOG_SERVERS: usize = 9;

/// `len` entries of term 1, all committed, with distinct commands.
fn committed_prefix(len: usize) -> Vec<Entry> {
    (1..=len).map(|i| Entry::new(1, &format!("c{i}"))).collect()
}

/// How many entries end each log in divergent-election: 1%.
pub fn divergent_entries(log: usize) -> usize {
    (log / 100).max(1)
}

/// 9 servers whose logs of `log` entries share a committed prefix and end in
/// [`divergent_entries`] entries of their own: server k led term k + 2 alone and appended
/// them (a state Raft can reach). All are followers of term 11.
pub fn divergent_cluster(log: usize) -> Cluster {
    let divergent = divergent_entries(log).min(log);
    let prefix = committed_prefix(log - divergent);
    let states = (0..LONG_LOG_SERVERS)
        .map(|k| {
            let term = k as u64 + 2;
            let mut entries = prefix.clone();
            entries.extend((0..divergent).map(|j| Entry::new(term, &format!("s{k}-{j}"))));
            ServerState {
                term: LONG_LOG_SERVERS as u64 + 2,
                log: Log::from(entries),
                commit_index: prefix.len(),
                ..ServerState::default()
            }
        })
        .collect();
    Cluster::from_states(states)
}

/// The divergent-election workload: on [`divergent_cluster`], the server with the latest
/// last term times out and everything is delivered (a few deliver-alls, each capped), until
/// every follower's log has been backed off and repaired to the leader's.
pub fn divergent_election_run(log: usize) -> Result<TimedFigure, String> {
    let mut cluster = divergent_cluster(log);
    let leader = LONG_LOG_SERVERS - 1;
    let mut events = Vec::new();
    let start = Instant::now();
    apply(
        &mut cluster,
        Action::on(leader, ServerAction::Timeout),
        &mut events,
    )?;
    let deliveries = settle(&mut cluster, 100, &mut events)?;
    let seconds = start.elapsed().as_secs_f64();
    let servers = cluster.servers();
    if servers[leader].role != Role::Leader {
        return Err(format!("divergent election: S{leader} was not elected"));
    }
    if let Some(s) = servers.iter().find(|s| s.log != servers[leader].log) {
        return Err(format!(
            "divergent election: S{}'s log was not repaired",
            s.id
        ));
    }
    no_violation(&cluster, "divergent election")?;
    Ok(TimedFigure {
        workload: "divergent-election",
        servers: LONG_LOG_SERVERS,
        steps: 0,
        log,
        divergent: divergent_entries(log),
        runs: 1,
        seconds,
        deliveries,
        goal_seconds: GOAL_SECONDS,
    })
}

/// The forced-leaders workload: 9 servers share a committed log of `log` entries; S0 and S1
/// are both forced to lead term 1 (the brief's `become_leader`), then one deliver-all runs
/// until its cap, the two leaders backing off against each other.
pub fn forced_leaders_run(log: usize) -> Result<TimedFigure, String> {
    let prefix = Log::from(committed_prefix(log));
    let states = (0..LONG_LOG_SERVERS)
        .map(|_| ServerState {
            log: prefix.clone(),
            commit_index: log,
            ..ServerState::default()
        })
        .collect();
    let mut cluster = Cluster::from_states(states);
    let mut events = Vec::new();
    let start = Instant::now();
    apply(
        &mut cluster,
        Action::on(0, ServerAction::BecomeLeader),
        &mut events,
    )?;
    apply(
        &mut cluster,
        Action::on(1, ServerAction::BecomeLeader),
        &mut events,
    )?;
    let outcome = cluster
        .deliver_all(&mut events)
        .map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    let expected = Violation::ElectionSafety {
        term: 1,
        first: 0,
        second: 1,
    };
    if cluster.violations() != [expected] || outcome.remaining == 0 {
        return Err(format!(
            "forced leaders: expected one Election Safety violation and a stopped deliver-all, got {:?} and {} left in flight",
            cluster.violations(),
            outcome.remaining
        ));
    }
    Ok(TimedFigure {
        workload: "forced-leaders",
        servers: LONG_LOG_SERVERS,
        steps: 0,
        log,
        divergent: 0,
        runs: 1,
        seconds,
        deliveries: outcome.delivered,
        goal_seconds: GOAL_SECONDS,
    })
}

fn no_violation(cluster: &Cluster, workload: &str) -> Result<(), String> {
    match cluster.violations() {
        [] => Ok(()),
        found => Err(format!("{workload}: an invariant broke: {found:?}")),
    }
}

// ----- Undo -------------------------------------------------------------------------------

/// The undo figure: time to record a long session and step back and forth at its end, and
/// the heap its history holds.
#[derive(Clone, Debug, Serialize)]
pub struct UndoFigure {
    /// Always `"undo"`.
    pub workload: &'static str,
    /// Cluster size.
    pub servers: usize,
    /// Steps in the history.
    pub steps: usize,
    /// Undos (and as many redos) made at the end.
    pub undos: usize,
    /// Runs the median is taken over.
    pub runs: usize,
    /// Median seconds for recording, undoing and redoing.
    pub seconds: f64,
    /// Of which recording the steps (in the same run).
    pub record_seconds: f64,
    /// Heap bytes the session holds after recording.
    pub bytes: usize,
    /// The goal for `seconds`.
    pub goal_seconds: f64,
    /// The goal for `bytes`.
    pub goal_bytes: usize,
}

/// Servers in the undo workload's random session.
const UNDO_SERVERS: usize = 5;

/// Builds a random session of `steps` recorded actions on 5 servers through
/// `Session::act` (seeded, so every run is the same session), measures the heap it holds with
/// `allocated` (live heap bytes, from a counting allocator), then undoes up to 1,000 steps
/// one by one and redoes them.
pub fn undo_run(
    steps: usize,
    allocated: fn() -> usize,
) -> Result<(f64, f64, usize, usize), String> {
    use rand::SeedableRng;
    let scenario = crate::scenario::parse(
        &format!(r#"{{"name": "random", "servers": {UNDO_SERVERS}}}"#),
        "random",
    )
    .map_err(|e| e.to_string())?;
    let before = allocated();
    let start = Instant::now();
    let mut session = crate::session::Session::new(scenario);
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
    let bytes = allocated().wrapping_sub(before);
    let record_seconds = start.elapsed().as_secs_f64();
    let undos = steps.min(1_000);
    let end = session.cluster().clone();
    for _ in 0..undos {
        if !session.undo() {
            return Err(format!(
                "undo failed {} steps from the end",
                steps - session.position()
            ));
        }
    }
    for _ in 0..undos {
        if !session.redo() {
            return Err(format!("redo failed at step {}", session.position()));
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    if *session.cluster() != end {
        return Err("undo and redo did not come back to the same cluster".to_string());
    }
    no_violation(session.cluster(), "undo")?;
    Ok((seconds, record_seconds, bytes, undos))
}

/// The median of `runs` runs of [`undo_run`].
pub fn undo_figure(
    steps: usize,
    runs: usize,
    allocated: fn() -> usize,
) -> Result<UndoFigure, String> {
    let mut results = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        results.push(undo_run(steps, allocated)?);
    }
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (seconds, record_seconds, bytes, undos) = results[results.len() / 2];
    Ok(UndoFigure {
        workload: "undo",
        servers: UNDO_SERVERS,
        steps,
        undos,
        runs: results.len(),
        seconds,
        record_seconds,
        bytes,
        goal_seconds: 5.0,
        goal_bytes: 100_000_000,
    })
}

// ----- Render -----------------------------------------------------------------------------

/// The terminal sizes the render workload draws at.
pub const RENDER_SIZES: [(u16, u16); 3] = [(80, 24), (160, 50), (240, 70)];

/// The render figure: median time to draw one frame.
#[derive(Clone, Debug, Serialize)]
pub struct RenderFigure {
    /// Always `"render"`.
    pub workload: &'static str,
    /// The scenario drawn.
    pub scenario: &'static str,
    /// Its servers.
    pub servers: usize,
    /// Terminal size, `WIDTHxHEIGHT`.
    pub size: String,
    /// Frames drawn.
    pub frames: usize,
    /// Median microseconds per frame.
    pub median_us: f64,
}

/// Draws Figure 7 (after its first round of messages) into a test backend of `size`, `frames`
/// times, through the TUI's own drawing entry point; returns the median time per frame.
pub fn render_figure(size: (u16, u16), frames: usize) -> Result<RenderFigure, String> {
    use ratatui::{Terminal, backend::TestBackend};
    const SCENARIO: &str = "figure7-a";
    let scenario = crate::load::load(SCENARIO).map_err(|e| e.to_string())?;
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
    let mut terminal =
        Terminal::new(TestBackend::new(size.0, size.1)).map_err(|e| e.to_string())?;
    let frames = frames.max(1);
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        let start = Instant::now();
        terminal
            .draw(|frame| frame.render_widget(&app, frame.area()))
            .map_err(|e| e.to_string())?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    Ok(RenderFigure {
        workload: "render",
        scenario: SCENARIO,
        servers,
        size: format!("{}x{}", size.0, size.1),
        frames,
        median_us: times[times.len() / 2],
    })
}

// ----- Figure 16 --------------------------------------------------------------------------

/// The goal for the whole Figure 16 experiment at the paper's trial counts, in seconds.
const FIGURE16_GOAL_SECONDS: f64 = 5.0;

/// The Figure 16 experiment's cost.
#[derive(Clone, Debug, Serialize)]
pub struct TrialsFigure {
    /// Always `"figure16"`.
    pub workload: &'static str,
    /// Trials over all lines.
    pub trials: usize,
    /// Median seconds for all of them.
    pub seconds: f64,
    /// Trials per second at the median.
    pub trials_per_sec: f64,
    /// Runs the median is taken over.
    pub runs: usize,
    /// The goal.
    pub goal_seconds: f64,
}

/// The median of `runs` runs of the whole experiment with `per_line` trials per line.
pub fn figure16_figure(per_line: usize, runs: usize) -> Result<TrialsFigure, String> {
    use crate::simulate::figure16;
    let mut seconds = Vec::with_capacity(runs);
    let mut trials = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let measured = figure16::run(per_line, 1, figure16::Network::default(), |_| {})
            .map_err(|e| e.to_string())?;
        seconds.push(start.elapsed().as_secs_f64().max(1e-9));
        trials = measured.iter().map(|m| m.trials.len()).sum();
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    Ok(TrialsFigure {
        workload: "figure16",
        trials,
        seconds: median,
        trials_per_sec: trials as f64 / median,
        runs: seconds.len(),
        goal_seconds: FIGURE16_GOAL_SECONDS,
    })
}
