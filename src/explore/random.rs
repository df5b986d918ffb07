//! Seeded random walks with faults, for clusters too large to search exhaustively: every
//! walk draws its steps from one generator seeded with its number, so a seed names a walk
//! exactly, whatever the number of threads.

use crate::raft::{Action, Cluster, Event, Violation};
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
#[derive(Clone, Debug, PartialEq)]
pub struct WalkStats {
    /// Walks run to the end or to a violation.
    pub walks: u64,
    /// Steps taken in all.
    pub steps: u64,
}

/// One walk of at most `steps` actions from `start`; the actions and the violation if one
/// broke.
pub fn walk(start: &Cluster, seed: u64, steps: usize) -> (usize, Option<BrokenWalk>) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut cluster = start.clone();
    let mut actions = Vec::new();
    let mut events = Vec::new();
    for step in 0..steps {
        let action = random_action(&cluster, &mut rng, step);
        events.clear();
        // The generator only names messages in flight and servers that exist.
        if cluster.apply_into(&action, &mut events).is_err() {
            continue;
        }
        actions.push(action);
        if let Some(violation) = events.iter().find_map(|e| match e {
            Event::Violation(v) => Some(*v),
            _ => None,
        }) {
            return (
                step + 1,
                Some(BrokenWalk {
                    seed,
                    actions,
                    violation,
                }),
            );
        }
    }
    (steps, None)
}

/// Runs the walks with seeds `seeds` on `threads` threads; returns the numbers and the
/// broken walk with the lowest seed, if any (the same whatever the threads).
pub fn walks(
    start: &Cluster,
    seeds: std::ops::Range<u64>,
    steps: usize,
    threads: usize,
    done: &AtomicU64,
) -> (WalkStats, Option<BrokenWalk>) {
    let next = AtomicU64::new(seeds.start);
    let lowest_broken = AtomicU64::new(u64::MAX);
    let taken_by_seed: Mutex<Vec<(u64, usize)>> = Mutex::new(Vec::new());
    let broken: Mutex<Option<BrokenWalk>> = Mutex::new(None);
    let work = || {
        loop {
            let seed = next.fetch_add(1, Ordering::Relaxed);
            if seed >= seeds.end || seed > lowest_broken.load(Ordering::Relaxed) {
                break;
            }
            let (taken, result) = walk(start, seed, steps);
            taken_by_seed
                .lock()
                .expect("no walker panicked")
                .push((seed, taken));
            done.fetch_add(1, Ordering::Relaxed);
            if let Some(found) = result {
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
    let counted = taken.iter().filter(|(seed, _)| *seed <= last);
    let stats = WalkStats {
        walks: counted.clone().count() as u64,
        steps: counted.map(|(_, t)| *t as u64).sum(),
    };
    (stats, broken)
}
