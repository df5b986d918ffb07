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
        94..=96 if !cluster.network().is_partitioned() => {
            let cut = rng.random_range(1..n.max(2));
            Action::Partition(vec![(0..cut).collect(), (cut..n).collect()])
        }
        94..=96 => Action::Heal,
        _ => Action::DeliverAll,
    }
}
