//! Random but reproducible actions on a cluster, from a seeded generator: for benchmarks and
//! exploration. The same seed always gives the same session.

use crate::raft::{Action, Cluster, ServerAction};
use rand::RngExt;
use rand::rngs::SmallRng;
use std::sync::Arc;

/// A plausible next action: mostly deliveries, with timeouts, client requests, heartbeats,
/// drops, duplicates, crashes, restarts, partitions and heals mixed in. Never the brief's
/// forced transitions, so a correct model never breaks an invariant under it.
pub fn random_action(cluster: &Cluster, rng: &mut SmallRng, request_number: usize) -> Action {
    let n = cluster.servers().len();
    let in_flight = cluster.in_flight().len();
    let server = rng.random_range(0..n);
    let pick_message = |rng: &mut SmallRng| {
        cluster
            .in_flight()
            .nth(rng.random_range(0..in_flight))
            .map(|m| m.id)
    };
    let roll = rng.random_range(0..100);
    match roll {
        0..=49 if in_flight > 0 => Action::Deliver(pick_message(rng).unwrap_or_default()),
        50..=54 => Action::DeliverAll,
        55..=56 if in_flight > 0 => Action::Drop(pick_message(rng).unwrap_or_default()),
        57..=58 if in_flight > 0 => Action::Duplicate(pick_message(rng).unwrap_or_default()),
        59..=68 => Action::on(server, ServerAction::Timeout),
        69..=80 => {
            // Mostly to the leader, so entries get replicated.
            let target = cluster
                .live_leaders()
                .next()
                .filter(|_| rng.random_range(0..4) > 0)
                .unwrap_or(server);
            Action::on(
                target,
                ServerAction::ClientRequest(Arc::from(format!("x{request_number}").as_str())),
            )
        }
        81..=88 => {
            let target = cluster.live_leaders().next().unwrap_or(server);
            Action::on(target, ServerAction::Heartbeat)
        }
        89..=93 => {
            let crashed = cluster.server(server).is_some_and(|s| s.crashed);
            Action::on(
                server,
                if crashed {
                    ServerAction::Restart
                } else {
                    ServerAction::Crash
                },
            )
        }
        94..=96 if n >= 2 && !cluster.network().is_partitioned() => {
            // Any split into two non-empty sides, so any server can be cut off, alone or not:
            // the servers whose bit is set in `side` against the rest.
            let side: u32 = rng.random_range(1..(1u32 << n) - 1);
            let (one, other): (Vec<usize>, Vec<usize>) =
                (0..n).partition(|&s| side & (1 << s) != 0);
            Action::Partition(vec![one, other])
        }
        94..=96 => Action::Heal,
        _ => Action::DeliverAll,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::BTreeSet;

    /// The side of a two-way split that holds server 0, so both ways of writing it agree.
    fn side_with_zero(groups: &[Vec<usize>]) -> Vec<usize> {
        groups
            .iter()
            .find(|g| g.contains(&0))
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn partitions_cut_off_any_server() {
        let cluster = Cluster::new(3);
        let mut rng = SmallRng::seed_from_u64(1);
        let mut splits = BTreeSet::new();
        for step in 0..2_000 {
            if let Action::Partition(groups) = random_action(&cluster, &mut rng, step) {
                assert_eq!(groups.len(), 2);
                assert!(groups.iter().all(|g| !g.is_empty()), "{groups:?}");
                splits.insert(side_with_zero(&groups));
            }
        }
        // {S0} | {S1, S2}, {S0, S1} | {S2} and {S0, S2} | {S1}: S1 too can be cut off alone.
        let expected: BTreeSet<Vec<usize>> = [vec![0], vec![0, 1], vec![0, 2]].into();
        assert_eq!(splits, expected);
    }

    #[test]
    fn the_same_seed_gives_the_same_actions() {
        let run = |seed| {
            let mut cluster = Cluster::new(5);
            let mut rng = SmallRng::seed_from_u64(seed);
            (0..300)
                .map(|step| {
                    let action = random_action(&cluster, &mut rng, step);
                    let _ = cluster.apply(&action);
                    action
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(9), run(9));
        assert_ne!(run(9), run(10));
    }
}
