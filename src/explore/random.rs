//! Seeded random walks with faults, for clusters too large to search exhaustively: every
//! walk draws its steps from one generator seeded with its number, so a seed names a walk
//! exactly, whatever the number of threads.

use crate::raft::{Action, Cluster, Event, RaftNetwork, Role, ServerAction, Term, Violation};
use crate::random_actions::random_action;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A walk that broke an invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenWalk {
    /// Its seed.
    pub seed: u64,
    /// Its actions, up to and including the one that broke the invariant.
    pub actions: Vec<Action>,
    /// What broke.
    pub violation: Violation,
}

/// How the walks went.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WalkStats {
    /// Walks run to the end or to a violation.
    pub walks: u64,
    /// Steps taken in all (each changed the cluster).
    pub steps: u64,
    /// Walks that ended before their steps because [`MISSES_IN_A_ROW`] draws in a row took
    /// none: nothing (or almost nothing) could happen within the limits.
    pub stuck: u64,
}

/// A walk draws at most this many actions in a row that take no step (skipped by a limit, or
/// changing nothing) before it ends as stuck; so every walk ends, after at most
/// `steps × (MISSES_IN_A_ROW + 1)` draws. A step the generator offers with a chance of 1 in
/// 50 is missed that many times in a row with a chance below 10⁻⁸.
pub const MISSES_IN_A_ROW: usize = 1_000;

/// One walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    /// The steps taken: each changed the cluster.
    pub actions: Vec<Action>,
    /// Whether it ended stuck, before its steps (see [`MISSES_IN_A_ROW`]).
    pub stuck: bool,
    /// The violation its last step broke, if one did (the walk ends there).
    pub violation: Option<Violation>,
}

/// What a walk may do, at most; `None`: no limit. A drawn action that would go past a limit
/// is skipped, and so is one that changes nothing (a request to a follower, a heal with no
/// partition): neither counts as a step nor goes in the walk, so `--steps` counts steps
/// taken. A seed still names one walk whatever else runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// No election timeout takes a server past this term.
    pub max_term: Option<Term>,
    /// Client requests on a leader, in all.
    pub max_requests: Option<u8>,
    /// Crashes, in all (a crashed server may always restart).
    pub max_crashes: Option<u8>,
    /// Duplicated messages, in all.
    pub max_dups: Option<u8>,
}

/// What a walk has used of its limits.
#[derive(Clone, Copy, Debug, Default)]
struct Used {
    requests: u32,
    crashes: u32,
    dups: u32,
}

impl Limits {
    /// Whether `action` on `cluster` stays within the limits, given what the walk has used;
    /// and if it does, what the walk has used after it.
    fn admit(&self, cluster: &Cluster, action: &Action, used: Used) -> Option<Used> {
        let within = |limit: Option<u8>, count: u32| limit.is_none_or(|l| count < u32::from(l));
        let mut after = used;
        match action {
            Action::Duplicate(_) => {
                after.dups += 1;
                within(self.max_dups, used.dups).then_some(after)
            }
            Action::Server { server, action } => {
                let target = cluster.server(*server);
                match action {
                    ServerAction::Timeout => {
                        let term = target.map_or(0, |s| s.current_term);
                        self.max_term.is_none_or(|max| term < max).then_some(after)
                    }
                    ServerAction::Crash => {
                        after.crashes += 1;
                        within(self.max_crashes, used.crashes).then_some(after)
                    }
                    ServerAction::ClientRequest(_) => {
                        // Only a request a leader takes adds to a log; once the budget is
                        // spent, none is tried.
                        let taken = target.is_some_and(|s| !s.crashed && s.role == Role::Leader);
                        after.requests += u32::from(taken);
                        within(self.max_requests, used.requests).then_some(after)
                    }
                    _ => Some(after),
                }
            }
            _ => Some(after),
        }
    }
}

/// One walk of `steps` steps from `start` within `limits`, ending early at a violation or
/// when stuck (see [`MISSES_IN_A_ROW`]). Only actions that change the cluster are steps.
pub fn walk(start: &Cluster, seed: u64, steps: usize, limits: &Limits) -> Walked {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut cluster = start.clone();
    let mut walked = Walked {
        actions: Vec::new(),
        stuck: false,
        violation: None,
    };
    let mut events = Vec::new();
    let mut used = Used::default();
    let mut misses = 0;
    let mut draw = 0;
    while walked.actions.len() < steps {
        if misses == MISSES_IN_A_ROW {
            walked.stuck = true;
            break;
        }
        // The draw's number names a request's command, so every command differs.
        let action = random_action(&cluster, &mut rng, draw);
        draw += 1;
        misses += 1;
        let Some(after) = limits.admit(&cluster, &action, used) else {
            continue;
        };
        // A heal says so even where nothing was split: its network tells.
        let network = matches!(action, Action::Heal).then(|| cluster.network().clone());
        events.clear();
        // The generator only names messages in flight and servers that exist; on error
        // nothing changed.
        if cluster.apply_into(&action, &mut events).is_err()
            || !changed(&events, network.as_ref(), &cluster)
        {
            continue;
        }
        misses = 0;
        used = after;
        walked.actions.push(action);
        walked.violation = events.iter().find_map(|e| match e {
            Event::Violation(v) => Some(*v),
            _ => None,
        });
        if walked.violation.is_some() {
            break;
        }
    }
    walked
}

/// Whether an action that made `events` changed the cluster: not when the model only refused
/// it (a request to a follower, a restart of a live server) or it did nothing at all (deliver
/// all with nothing in flight), nor a heal that left the network as it was (`network`: the
/// network before a heal). Comparing these events is far cheaper than comparing clusters;
/// the tests check that every step a walk counts changed the cluster.
fn changed(events: &[Event], network: Option<&RaftNetwork>, cluster: &Cluster) -> bool {
    match network {
        Some(before) => before != cluster.network(),
        None => !events.iter().all(|e| matches!(e, Event::Refused { .. })),
    }
}

/// Runs the walks with seeds `seeds` within `limits` on `threads` threads; returns the numbers and the
/// broken walk with the lowest seed, if any (the same whatever the threads).
pub fn walks(
    start: &Cluster,
    seeds: std::ops::Range<u64>,
    steps: usize,
    limits: &Limits,
    threads: usize,
    done: &AtomicU64,
) -> (WalkStats, Option<BrokenWalk>) {
    let next = AtomicU64::new(seeds.start);
    let lowest_broken = AtomicU64::new(u64::MAX);
    let taken_by_seed: Mutex<Vec<(u64, usize, bool)>> = Mutex::new(Vec::new());
    let broken: Mutex<Option<BrokenWalk>> = Mutex::new(None);
    let work = || {
        loop {
            let seed = next.fetch_add(1, Ordering::Relaxed);
            if seed >= seeds.end || seed > lowest_broken.load(Ordering::Relaxed) {
                break;
            }
            let walked = walk(start, seed, steps, limits);
            taken_by_seed.lock().expect("no walker panicked").push((
                seed,
                walked.actions.len(),
                walked.stuck,
            ));
            done.fetch_add(1, Ordering::Relaxed);
            if let Some(violation) = walked.violation {
                let found = BrokenWalk {
                    seed,
                    actions: walked.actions,
                    violation,
                };
                lowest_broken.fetch_min(seed, Ordering::Relaxed);
                let mut slot = broken.lock().expect("no walker panicked");
                if slot.as_ref().is_none_or(|b| b.seed > seed) {
                    *slot = Some(found);
                }
            }
        }
    };
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(work);
            }
        });
    }
    let broken = broken.into_inner().expect("no walker panicked");
    // Count only the walks up to the broken one (all of which ran), so the numbers do not
    // depend on threads.
    let last = broken.as_ref().map_or(u64::MAX, |b| b.seed);
    let taken = taken_by_seed.into_inner().expect("no walker panicked");
    let counted = taken.iter().filter(|(seed, _, _)| *seed <= last);
    let stats = WalkStats {
        walks: counted.clone().count() as u64,
        steps: counted.clone().map(|(_, t, _)| *t as u64).sum(),
        stuck: counted.filter(|(_, _, stuck)| *stuck).count() as u64,
    };
    (stats, broken)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tight limits skip most draws (no requests, crashes or duplicates, no timeout past term
    /// 2): every walk still takes its full count of steps, each one within the limits and
    /// each one changing the cluster, and the same seed gives the same walk.
    #[test]
    fn steps_count_the_steps_taken_within_the_limits() {
        let start = Cluster::new(3);
        let limits = Limits {
            max_term: Some(2),
            max_requests: Some(0),
            max_crashes: Some(0),
            max_dups: Some(0),
        };
        for seed in 0..20 {
            let walked = walk(&start, seed, 60, &limits);
            assert_eq!(walked.actions.len(), 60, "seed {seed}");
            assert!(!walked.stuck && walked.violation.is_none(), "seed {seed}");
            let mut cluster = start.clone();
            for action in &walked.actions {
                assert!(
                    !matches!(
                        action,
                        Action::Duplicate(_)
                            | Action::Server {
                                action: ServerAction::Crash | ServerAction::ClientRequest(_),
                                ..
                            }
                    ),
                    "seed {seed}: {action:?}"
                );
                let before = cluster.clone();
                cluster.apply(action).expect("a step taken applies");
                assert_ne!(cluster, before, "seed {seed}: {action:?} changed nothing");
                assert!(cluster.servers().iter().all(|s| s.current_term <= 2));
            }
            assert_eq!(walk(&start, seed, 60, &limits), walked, "seed {seed}");
        }
    }

    /// A single server that may not time out, request or crash can do nothing: the walk ends
    /// stuck after a bounded number of draws, with no step.
    #[test]
    fn a_walk_where_nothing_can_happen_ends() {
        let limits = Limits {
            max_term: Some(1),
            max_requests: Some(0),
            max_crashes: Some(0),
            max_dups: Some(0),
        };
        let walked = walk(&Cluster::new(1), 7, 200, &limits);
        assert!(walked.stuck);
        assert!(walked.actions.is_empty());
    }
}
