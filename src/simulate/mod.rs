//! `raftwalk simulate`: many seeded trials of a timed cluster with a fault, measuring how long
//! the cluster is without a leader. The fault, as in §9.3 of the paper: once a leader has sent
//! a heartbeat, it crashes at a moment drawn uniformly from its heartbeat interval; a trial
//! measures from the crash until a new leader is elected, with the elections and split votes
//! that took. A trial with no leader after [`LIMIT`] counts as unresolved, at [`LIMIT`].
//!
//! Every trial is the model's own `Cluster::apply`, so invariants are checked after every step
//! as anywhere else. Trials are independent and seeded from the run's seed and their number,
//! so they run on every core and the same seed gives the same result.

pub mod command;
pub mod figure16;
pub mod plot;
pub mod report;

use crate::raft::rng::SplitMix64;
use crate::raft::time::{MS, Micros};
use crate::raft::{Action, Cluster, Event, NetworkError, ServerAction, ServerId, Timing};
use serde::Serialize;

/// How long a trial waits for a new leader before it counts as unresolved (10 s, as the
/// paper's top graph is cut).
pub const LIMIT: Micros = 10_000 * MS;

/// How long a trial waits, before the fault, for a leader to send its first heartbeat.
pub const WARM_UP_LIMIT: Micros = 10_000 * MS;

/// What one trial measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trial {
    /// From the crash to the new leader ([`LIMIT`] when unresolved).
    pub time: Micros,
    /// Terms in which some server stood for election after the crash.
    pub elections: u32,
    /// Those of them that ended with no leader.
    pub split_votes: u32,
    /// Whether a leader was elected within [`LIMIT`].
    pub resolved: bool,
}

/// Why a trial could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrialError {
    /// No leader sent a heartbeat within [`WARM_UP_LIMIT`], so there was none to crash.
    NoLeader,
    /// The model refused a step (a bug: the trial only takes timed actions and one crash).
    Model(NetworkError),
}

impl std::fmt::Display for TrialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrialError::NoLeader => write!(
                f,
                "no leader sent a heartbeat within {} s of simulated time, so there was no leader to crash",
                WARM_UP_LIMIT / 1_000_000
            ),
            TrialError::Model(e) => write!(f, "the model refused a step: {e}"),
        }
    }
}

impl std::error::Error for TrialError {}

impl From<NetworkError> for TrialError {
    fn from(e: NetworkError) -> TrialError {
        TrialError::Model(e)
    }
}

/// One trial on `initial` (a cluster without a clock): the clock starts with `timing`; once a
/// leader sends a heartbeat, it crashes at a moment drawn (from `timing.seed`) uniformly in
/// `[0, heartbeat)` after it; the trial ends when a live leader exists again or at [`LIMIT`].
pub fn run_trial(initial: &Cluster, timing: Timing) -> Result<Trial, TrialError> {
    let mut cluster = initial.clone();
    let mut events = Vec::new();
    cluster.apply_into(&Action::StartClock(Box::new(timing)), &mut events)?;
    let now = |c: &Cluster| c.now().unwrap_or(0);
    // The heartbeat broadcast just before the crash.
    let leader = loop {
        events.clear();
        if now(&cluster) > WARM_UP_LIMIT {
            return Err(TrialError::NoLeader);
        }
        match cluster.apply_into(&Action::NextEvents(1), &mut events) {
            Err(NetworkError::NothingScheduled) => return Err(TrialError::NoLeader),
            other => other?,
        }
        if let Some(leader) = events.iter().find_map(|e| match *e {
            Event::HeartbeatSent { leader, .. } => Some(leader),
            _ => None,
        }) {
            break leader;
        }
    };
    let mut chance = SplitMix64::new(SplitMix64::derive(timing.seed, 1));
    let wait = chance.between(0, timing.heartbeat.saturating_sub(1));
    events.clear();
    cluster.apply_into(&Action::Advance(wait), &mut events)?;
    crash_and_measure(cluster, leader, events)
}

/// Crashes `leader` and waits for the next one.
fn crash_and_measure(
    mut cluster: Cluster,
    leader: ServerId,
    mut events: Vec<Event>,
) -> Result<Trial, TrialError> {
    events.clear();
    cluster.apply_into(&Action::on(leader, ServerAction::Crash), &mut events)?;
    let crashed_at = cluster.now().unwrap_or(0);
    let deadline = crashed_at + LIMIT;
    // (term, won) of each election since the crash, in term order.
    let mut terms: Vec<(u64, bool)> = Vec::new();
    let mut resolved_at = cluster.live_leaders().next().map(|_| crashed_at);
    while resolved_at.is_none() {
        let Some((at, _)) = cluster.clock().and_then(|c| c.next_due()) else {
            break;
        };
        if at > deadline {
            break;
        }
        events.clear();
        cluster.apply_into(&Action::NextEvents(1), &mut events)?;
        for event in &events {
            match *event {
                Event::BecameCandidate { term, .. } if !terms.iter().any(|&(t, _)| t == term) => {
                    terms.push((term, false));
                }
                Event::BecameLeader { term, .. } => {
                    if let Some(entry) = terms.iter_mut().find(|(t, _)| *t == term) {
                        entry.1 = true;
                    }
                    resolved_at = Some(at);
                }
                _ => {}
            }
        }
    }
    let elections = terms.len() as u32;
    let split_votes = terms.iter().filter(|(_, won)| !won).count() as u32;
    Ok(match resolved_at {
        Some(at) => Trial {
            time: at - crashed_at,
            elections,
            split_votes,
            resolved: true,
        },
        None => Trial {
            time: LIMIT,
            elections,
            split_votes,
            resolved: false,
        },
    })
}

/// `trials` trials on `initial`, trial `i` seeded from `seed` and `i`, run on every core.
pub fn run_trials(
    initial: &Cluster,
    timing: Timing,
    trials: usize,
    seed: u64,
) -> Result<Vec<Trial>, TrialError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(trials.max(1));
    let one = |i: usize| {
        run_trial(
            initial,
            Timing {
                seed: SplitMix64::derive(seed, i as u64),
                ..timing
            },
        )
    };
    let chunks: Vec<Result<Vec<Trial>, TrialError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| scope.spawn(move || (w..trials).step_by(workers).map(one).collect()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    // Worker w did trials w, w + workers, …: put them back in trial order.
    let chunks = chunks.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut ordered = vec![None; trials];
    for (w, chunk) in chunks.into_iter().enumerate() {
        for (k, trial) in chunk.into_iter().enumerate() {
            ordered[w + k * workers] = Some(trial);
        }
    }
    Ok(ordered.into_iter().flatten().collect())
}

/// What a set of trials measured, in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// How many trials.
    pub trials: usize,
    /// The mean time without a leader.
    pub mean_ms: f64,
    /// The median (nearest rank).
    pub median_ms: f64,
    /// The 90th percentile (nearest rank).
    pub p90_ms: f64,
    /// The 99th percentile (nearest rank).
    pub p99_ms: f64,
    /// The longest.
    pub max_ms: f64,
    /// Elections, over all trials.
    pub elections: u64,
    /// Elections that ended with no leader, over all trials.
    pub split_votes: u64,
    /// Trials with no leader after 10 s (counted at 10 s).
    pub unresolved: usize,
}

impl Summary {
    /// The summary of `trials` (at least one).
    pub fn of(trials: &[Trial]) -> Summary {
        let mut times: Vec<Micros> = trials.iter().map(|t| t.time).collect();
        times.sort_unstable();
        let ms = |us: Micros| us as f64 / 1e3;
        let rank = |p: f64| {
            let n = times.len();
            let at = ((p * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1;
            times.get(at).copied().map_or(0.0, ms)
        };
        let total: u128 = times.iter().map(|&t| u128::from(t)).sum();
        Summary {
            trials: trials.len(),
            mean_ms: if trials.is_empty() {
                0.0
            } else {
                (total as f64 / trials.len() as f64 / 1e3 * 1e3).round() / 1e3
            },
            median_ms: rank(0.5),
            p90_ms: rank(0.9),
            p99_ms: rank(0.99),
            max_ms: times.last().copied().map_or(0.0, ms),
            elections: trials.iter().map(|t| u64::from(t.elections)).sum(),
            split_votes: trials.iter().map(|t| u64::from(t.split_votes)).sum(),
            unresolved: trials.iter().filter(|t| !t.resolved).count(),
        }
    }
}

/// The times of `trials` as a cumulative distribution: (ms, percent of trials at or below).
pub fn cumulative(trials: &[Trial]) -> Vec<(f64, f64)> {
    let mut times: Vec<Micros> = trials.iter().map(|t| t.time).collect();
    times.sort_unstable();
    let n = times.len() as f64;
    times
        .iter()
        .enumerate()
        .map(|(i, &t)| (t as f64 / 1e3, (i + 1) as f64 * 100.0 / n))
        .collect()
}

/// A table row's numbers: `mean median p90 p99 max elections split unresolved`.
pub fn row_cells(s: &Summary) -> [String; 8] {
    let ms = |v: f64| format!("{v:.0}");
    [
        ms(s.mean_ms),
        ms(s.median_ms),
        ms(s.p90_ms),
        ms(s.p99_ms),
        ms(s.max_ms),
        s.elections.to_string(),
        s.split_votes.to_string(),
        s.unresolved.to_string(),
    ]
}

/// The column headings that go with [`row_cells`].
pub const ROW_HEADINGS: [&str; 8] = [
    "mean",
    "median",
    "p90",
    "p99",
    "max",
    "elections",
    "split",
    "unresolved",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(ms: u64) -> Trial {
        Trial {
            time: ms * MS,
            elections: 1,
            split_votes: 0,
            resolved: true,
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let trials: Vec<Trial> = (1..=100).map(trial).collect();
        let s = Summary::of(&trials);
        assert_eq!(
            (s.median_ms, s.p90_ms, s.p99_ms, s.max_ms),
            (50.0, 90.0, 99.0, 100.0)
        );
        assert_eq!(s.mean_ms, 50.5);
        let s = Summary::of(&[trial(7)]);
        assert_eq!((s.median_ms, s.p99_ms, s.max_ms), (7.0, 7.0, 7.0));
    }

    #[test]
    fn the_cumulative_distribution_ends_at_one_hundred_percent() {
        let cdf = cumulative(&[trial(30), trial(10), trial(20), trial(40)]);
        assert_eq!(
            cdf,
            vec![(10.0, 25.0), (20.0, 50.0), (30.0, 75.0), (40.0, 100.0)]
        );
    }
}
