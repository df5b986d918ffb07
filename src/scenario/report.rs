//! The final state as JSON, for `run --json`.

use crate::raft::{Cluster, Names, Role, Term, explain::explain_violation};
use serde::Serialize;

/// The whole cluster.
#[derive(Debug, Serialize)]
pub struct StateReport {
    /// Every server.
    pub servers: Vec<ServerReport>,
    /// Messages in flight, oldest first.
    pub in_flight: Vec<MessageReport>,
    /// Invariant violations, explained.
    pub violations: Vec<String>,
    /// The simulated clock's reading in ms, when time is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<f64>,
}

/// One server.
#[derive(Debug, Serialize)]
pub struct ServerReport {
    /// Its id.
    pub id: usize,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its current term.
    pub term: Term,
    /// Its vote, by name.
    pub voted_for: Option<String>,
    /// Its log's terms.
    pub log: Vec<Term>,
    /// Its commit index.
    pub commit_index: usize,
    /// Whether it is crashed.
    pub crashed: bool,
}

/// One message in flight.
#[derive(Debug, Serialize)]
pub struct MessageReport {
    /// Its id.
    pub id: u64,
    /// Sender's name.
    pub from: String,
    /// Recipient's name.
    pub to: String,
    /// Its kind.
    pub kind: String,
    /// Its term.
    pub term: Term,
    /// When it arrives, in ms of simulated time (when time is on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_ms: Option<f64>,
}

impl StateReport {
    /// Describes `cluster` with these server names.
    pub fn new(cluster: &Cluster, names: &[String]) -> StateReport {
        let names = Names(names);
        StateReport {
            servers: cluster
                .servers()
                .iter()
                .map(|s| ServerReport {
                    id: s.id,
                    name: names.of(s.id),
                    role: s.role,
                    term: s.current_term,
                    voted_for: s.voted_for.map(|v| names.of(v)),
                    log: s.log.terms().collect(),
                    commit_index: s.commit_index,
                    crashed: s.crashed,
                })
                .collect(),
            in_flight: cluster
                .in_flight()
                .map(|m| MessageReport {
                    id: m.id,
                    from: names.of(m.from),
                    to: names.of(m.to),
                    kind: m.message.kind().to_string(),
                    term: m.message.term(),
                    due_ms: cluster
                        .clock()
                        .and_then(|c| c.message(m.id))
                        .map(|t| t.due as f64 / 1e3),
                })
                .collect(),
            violations: cluster
                .violations()
                .iter()
                .map(|v| explain_violation(v, names))
                .collect(),
            time_ms: cluster.now().map(|t| t as f64 / 1e3),
        }
    }
}
