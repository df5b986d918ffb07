//! A scenario's starting state must be one Raft can reach: a lesson that starts from an
//! impossible cluster teaches the wrong thing, and its run later "breaks" an invariant with
//! nothing but legal steps. Each rule here names itself and the paper's section. A file that
//! shows a broken cluster on purpose says `"unsafe_start": true` and skips them.

use super::error::ScenarioError;
use crate::raft::{
    Cluster, Names, Role, ServerId, ServerState, explain::explain_violation, quorum,
};

/// What every refusal ends with: how to start from a broken cluster on purpose.
const ESCAPE_HATCH: &str =
    "(to start from a broken cluster on purpose, set \"unsafe_start\": true)";

/// Checks the starting `states` against Raft's rules, naming the first one broken.
pub fn check(states: &[ServerState], names: &[String], origin: &str) -> Result<(), ScenarioError> {
    let refuse = |field: String, rule: String| {
        Err(ScenarioError::at_field(
            origin,
            field,
            format!("{rule} {ESCAPE_HATCH}"),
        ))
    };
    let name = |id: ServerId| names[id].as_str();
    let needed = quorum::majority(states.len());
    let leaders: Vec<ServerId> = (0..states.len())
        .filter(|&id| states[id].role == Role::Leader)
        .collect();

    // Election Safety: at most one leader per term.
    for (i, &a) in leaders.iter().enumerate() {
        if let Some(&b) = leaders[i + 1..]
            .iter()
            .find(|&&b| states[b].term == states[a].term)
        {
            return refuse(
                format!("servers[{b}].role"),
                format!(
                    "{} and {} are both leaders of term {}, but a term has at most one leader (Election Safety, §5.2)",
                    name(a),
                    name(b),
                    states[a].term
                ),
            );
        }
    }

    // A leader won a majority's votes in its term. A server still in that term shows its vote;
    // one in a later term may have voted for it before moving on.
    for &leader in &leaders {
        let term = states[leader].term;
        let voters = states
            .iter()
            .enumerate()
            .filter(|&(id, s)| {
                s.term > term || (s.term == term && (id == leader || s.voted_for == Some(leader)))
            })
            .count();
        if voters < needed {
            return refuse(
                format!("servers[{leader}].role"),
                format!(
                    "{} leads term {term}, so it won the votes of a majority ({needed} of {}), but only {voters} can have voted for it; give its voters \"term\": {term} and \"voted_for\": \"{}\" (leader election, §5.2)",
                    name(leader),
                    states.len(),
                    name(leader)
                ),
            );
        }
    }

    // An entry is committed only once a majority holds it (the same index and term).
    for (id, s) in states.iter().enumerate() {
        let index = s.commit_index;
        let Some(term) = s.log.term_at(index).filter(|_| index > 0) else {
            continue;
        };
        let holders = states
            .iter()
            .filter(|other| other.log.term_at(index) == Some(term))
            .count();
        if holders < needed {
            return refuse(
                format!("servers[{id}].commit_index"),
                format!(
                    "{} has committed entry {index} (term {term}), but an entry is committed only once a majority ({needed} of {}) holds it, and {holders} {} (commitment, §5.3)",
                    name(id),
                    states.len(),
                    if holders == 1 { "does" } else { "do" }
                ),
            );
        }
    }

    // Leader Completeness: a leader holds every entry committed before or in its term. What a
    // server in term T or earlier has committed was committed by term T.
    for &leader in &leaders {
        let l = &states[leader];
        for (id, s) in states.iter().enumerate() {
            let index = s.commit_index;
            if index == 0 || s.term > l.term {
                continue;
            }
            let term = s.log.term_at(index);
            if l.log.term_at(index) != term {
                return refuse(
                    format!("servers[{leader}].log"),
                    format!(
                        "{} leads term {}, but lacks entry {index} (term {}) that {} has committed; a leader holds every committed entry (Leader Completeness, §5.4)",
                        name(leader),
                        l.term,
                        term.unwrap_or_default(),
                        name(id)
                    ),
                );
            }
        }
    }

    // Whatever else the invariant monitor finds at the start (Log Matching, …).
    let cluster = Cluster::from_states(states.to_vec());
    if let Some(violation) = cluster.violations().first() {
        let text = explain_violation(violation, Names(names));
        let text = text
            .strip_prefix("INVARIANT VIOLATED: ")
            .unwrap_or(&text)
            .trim_end_matches('.');
        return refuse("servers".to_string(), format!("{text}, at the start"));
    }
    Ok(())
}
