//! Figure 16 of the Raft paper (extended version, §9.3), as a built-in experiment: the time to
//! detect and replace a crashed leader, for several ranges of election timeouts.
//!
//! The set-up follows the paper: five servers; a heartbeat broadcast just before the leader is
//! crashed, at a moment drawn uniformly from its heartbeat interval, which is half the minimum
//! election timeout. (Its logs of different lengths are not kept: see [`cluster`].)
//! What the paper does not give is the network: raftwalk's model for "a broadcast time of
//! about 15 ms" is [`LATENCY`] each way plus, for a reply that follows a change of persistent
//! state (a vote), a disk write of [`PERSIST`] (see the README's Figure 16 section).

use super::{Summary, Trial, TrialError, run_trials};
use crate::raft::rng::SplitMix64;
use crate::raft::time::{Between, MS};
use crate::raft::{Cluster, Entry, Log, Role, ServerState, Timing};
use serde::Serialize;

/// One way on the wire, for every message.
pub const LATENCY: Between = Between::ms(2, 3);
/// The disk write a reply waits for after a change of term, vote or log.
pub const PERSIST: Between = Between::ms(7, 11);

/// Which of the figure's two graphs a line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Graph {
    /// The top graph: 150 ms minimum, more and more randomness.
    Top,
    /// The bottom graph: timeouts scaled down and up, randomness as wide as the minimum.
    Bottom,
}

impl Graph {
    /// The graph's title.
    pub fn title(self) -> &'static str {
        match self {
            Graph::Top => "top: a minimum of 150 ms with more and more randomness",
            Graph::Bottom => "bottom: shorter and longer timeouts, each as random as it is long",
        }
    }
}

/// One line of the figure: a range of election timeouts and how many trials it gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// Its graph.
    pub graph: Graph,
    /// The election timeout range, in ms.
    pub timeout_ms: (u64, u64),
    /// Trials, as a share of the run's trial count: the paper's 150–150 line had 100 where
    /// the others had 1,000.
    pub tenth: bool,
}

/// The figure's eleven lines, in the paper's order.
pub const LINES: [Line; 11] = {
    const fn line(graph: Graph, min: u64, max: u64, tenth: bool) -> Line {
        Line {
            graph,
            timeout_ms: (min, max),
            tenth,
        }
    }
    [
        line(Graph::Top, 150, 150, true),
        line(Graph::Top, 150, 151, false),
        line(Graph::Top, 150, 155, false),
        line(Graph::Top, 150, 175, false),
        line(Graph::Top, 150, 200, false),
        line(Graph::Top, 150, 300, false),
        line(Graph::Bottom, 12, 24, false),
        line(Graph::Bottom, 25, 50, false),
        line(Graph::Bottom, 50, 100, false),
        line(Graph::Bottom, 100, 200, false),
        line(Graph::Bottom, 150, 300, false),
    ]
};

/// The paper's trial count per line (the 150–150 line has a tenth of it).
pub const PAPER_TRIALS: usize = 1_000;

impl Line {
    /// How many trials this line gets when the run asks for `trials` per line.
    pub fn trials(self, trials: usize) -> usize {
        if self.tenth {
            (trials / 10).max(1)
        } else {
            trials
        }
    }

    /// The line's timing: its timeouts, a heartbeat of half the minimum, the network model.
    pub fn timing(self, network: Network) -> Timing {
        let (min, max) = self.timeout_ms;
        Timing {
            election_timeout: Between::ms(min, max),
            heartbeat: min * MS / 2,
            latency: network.latency,
            persist: network.persist,
            seed: 0,
        }
    }

    /// `150–155`.
    pub fn label(self) -> String {
        format!("{}–{}", self.timeout_ms.0, self.timeout_ms.1)
    }
}

/// The network and disk model the experiment runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    /// One way on the wire.
    pub latency: Between,
    /// A disk write before a reply.
    pub persist: Between,
}

impl Default for Network {
    fn default() -> Network {
        Network {
            latency: LATENCY,
            persist: PERSIST,
        }
    }
}

impl Network {
    /// The mean broadcast time, estimated by drawing: a candidate's RequestVote to the four
    /// others and back, each voter writing its vote to disk before it answers; the broadcast
    /// ends with the last answer. (A heartbeat's broadcast has no write and is shorter.)
    pub fn broadcast_ms(self, seed: u64) -> f64 {
        const DRAWS: u64 = 20_000;
        let mut rng = SplitMix64::new(seed);
        let mut draw = |r: Between| rng.between(r.min, r.max);
        let mut total: u128 = 0;
        for _ in 0..DRAWS {
            let slowest = (0..4)
                .map(|_| draw(self.latency) + draw(self.persist) + draw(self.latency))
                .max()
                .unwrap_or(0);
            total += u128::from(slowest);
        }
        total as f64 / DRAWS as f64 / 1e3
    }
}

/// The paper's five servers: S0 leads term 2, and every log holds the same ten entries (three
/// of term 1, seven of term 2), the last not yet known committed by the followers.
///
/// The paper's logs differed in length so that some servers could not win. In this model
/// they cannot stay different through the heartbeat the experiment starts with: an
/// AppendEntries carries every entry a follower lacks, and a leader that does not know how far
/// a follower's log reaches repairs it over several round trips, each of which restarts that
/// follower's election timer — undoing the synchronised start the experiment depends on (its
/// 150–150 line then mostly elects at once). So the logs are equal here; the README's
/// Figure 16 section says what that changes.
pub fn cluster() -> Cluster {
    let log = Log::from(
        (1..=10u64)
            .map(|i| Entry::of_term(if i <= 3 { 1 } else { 2 }))
            .collect::<Vec<_>>(),
    );
    let server = |commit: usize, role: Role| ServerState {
        term: 2,
        voted_for: Some(0),
        log: log.clone(),
        commit_index: commit,
        role,
        crashed: false,
        ..ServerState::default()
    };
    Cluster::from_states(vec![
        server(10, Role::Leader),
        server(9, Role::Follower),
        server(9, Role::Follower),
        server(9, Role::Follower),
        server(9, Role::Follower),
    ])
}

/// One line's measurement.
#[derive(Clone, Debug)]
pub struct Measured {
    /// The line.
    pub line: Line,
    /// Every trial, in trial order.
    pub trials: Vec<Trial>,
    /// Their summary.
    pub summary: Summary,
}

/// Runs every line with `trials` per line (see [`Line::trials`]), line `i` seeded from
/// `seed` and `i`. `each` sees every line as soon as it is measured.
pub fn run(
    trials: usize,
    seed: u64,
    network: Network,
    mut each: impl FnMut(&Measured),
) -> Result<Vec<Measured>, TrialError> {
    let initial = cluster();
    let mut measured = Vec::with_capacity(LINES.len());
    for (i, line) in LINES.iter().enumerate() {
        let results = run_trials(
            &initial,
            line.timing(network),
            line.trials(trials),
            SplitMix64::derive(seed, i as u64),
        )?;
        let summary = Summary::of(&results);
        let m = Measured {
            line: *line,
            trials: results,
            summary,
        };
        each(&m);
        measured.push(m);
    }
    Ok(measured)
}

/// The JSON line of one measured line.
#[derive(Clone, Debug, Serialize)]
pub struct JsonLine {
    /// Always `"figure16"`.
    pub experiment: &'static str,
    /// `"top"` or `"bottom"`.
    pub graph: Graph,
    /// `[min, max]`.
    pub timeout_ms: [u64; 2],
    /// The summary's numbers.
    #[serde(flatten)]
    pub summary: Summary,
}

impl JsonLine {
    /// The JSON line for `m`.
    pub fn of(m: &Measured) -> JsonLine {
        JsonLine {
            experiment: "figure16",
            graph: m.line.graph,
            timeout_ms: [m.line.timeout_ms.0, m.line.timeout_ms.1],
            summary: m.summary.clone(),
        }
    }
}

/// What the paper reports for a line, where it reports something (§9.3, Figure 16).
pub fn paper_says(line: Line) -> Option<&'static str> {
    match (line.graph, line.timeout_ms) {
        (Graph::Top, (150, 150)) => Some("over 10 s: split votes, again and again"),
        (Graph::Top, (150, 155)) => Some("median 287 ms"),
        (Graph::Top, (150, 200)) => Some("worst of 1,000: 513 ms"),
        (Graph::Bottom, (12, 24)) => Some("mean 35 ms, max 152 ms"),
        _ => None,
    }
}
