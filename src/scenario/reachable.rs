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

    // A leader's match_index says the follower's log matches its own up to there (§5.3).
    for &leader in &leaders {
        let l = &states[leader];
        for &(peer, index) in &l.match_index {
            let (mine, theirs) = (l.log.term_at(index), states[peer].log.term_at(index));
            if index > 0 && mine != theirs {
                return refuse(
                    format!("servers[{leader}].match_index.{}", name(peer)),
                    format!(
                        "{} records that {}'s log matches its own up to index {index}, but there {} has term {} and {} term {}; a leader learns a match only from a follower that accepted its entries (§5.3)",
                        name(leader),
                        name(peer),
                        name(leader),
                        mine.unwrap_or_default(),
                        name(peer),
                        theirs.unwrap_or_default()
                    ),
                );
            }
        }
    }

    // A follower's leader led the follower's term: it is in that term or a later one, and
    // if still in it, it is that term's leader; and a term has one leader (§5.2).
    for (id, s) in states.iter().enumerate() {
        let Some(leader) = s.leader else { continue };
        let l = &states[leader];
        let field = format!("servers[{id}].leader");
        if l.term < s.term {
            return refuse(
                field,
                format!(
                    "{} follows {} in term {}, but {} is only in term {}; a server leads only a term it has reached (§5.2)",
                    name(id),
                    name(leader),
                    s.term,
                    name(leader),
                    l.term
                ),
            );
        }
        if l.term == s.term && l.role != Role::Leader {
            return refuse(
                field,
                format!(
                    "{} follows {} in term {}, but {} is a {} of that term, not its leader (§5.2)",
                    name(id),
                    name(leader),
                    s.term,
                    name(leader),
                    l.role.as_str().to_lowercase()
                ),
            );
        }
        let rival = (0..states.len()).find(|&other| {
            other != leader
                && states[other].term == s.term
                && (states[other].role == Role::Leader
                    || states[other].leader.is_some_and(|o| o != leader))
        });
        if let Some(other) = rival {
            let theirs = if states[other].role == Role::Leader {
                other
            } else {
                states[other].leader.unwrap_or(other)
            };
            return refuse(
                field,
                format!(
                    "{} follows {} in term {}, but {} leads that term too; a term has at most one leader (Election Safety, §5.2)",
                    name(id),
                    name(leader),
                    s.term,
                    name(theirs)
                ),
            );
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
