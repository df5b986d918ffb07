//! Seeded random walks with faults, for clusters too large to search exhaustively: every
//! walk draws its steps from one generator seeded with its number, so a seed names a walk
//! exactly, whatever the number of threads.

use crate::raft::{Action, Cluster, Event, Role, ServerAction, Term, Violation};
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

/// What a walk may do, at most; `None`: no limit. A drawn step that would go past a limit is
/// skipped (it still counts as one of the walk's steps), so a seed names the same walk
/// whatever else runs.
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

/// One walk of at most `steps` actions from `start` within `limits`; the actions and the
/// violation if one broke.
pub fn walk(
    start: &Cluster,
    seed: u64,
    steps: usize,
    limits: &Limits,
) -> (usize, Option<BrokenWalk>) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut cluster = start.clone();
    let mut actions = Vec::new();
    let mut events = Vec::new();
    let mut used = Used::default();
    for step in 0..steps {
        let action = random_action(&cluster, &mut rng, step);
        let Some(after) = limits.admit(&cluster, &action, used) else {
            continue;
        };
        events.clear();
        // The generator only names messages in flight and servers that exist.
        if cluster.apply_into(&action, &mut events).is_err() {
            continue;
        }
        used = after;
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
    let taken_by_seed: Mutex<Vec<(u64, usize)>> = Mutex::new(Vec::new());
    let broken: Mutex<Option<BrokenWalk>> = Mutex::new(None);
    let work = || {
        loop {
            let seed = next.fetch_add(1, Ordering::Relaxed);
            if seed >= seeds.end || seed > lowest_broken.load(Ordering::Relaxed) {
                break;
            }
            let (taken, result) = walk(start, seed, steps, limits);
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
