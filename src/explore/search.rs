//! Breadth-first search over canonical states, level by level, so the first violation found
//! is at the smallest depth. Each level is expanded in fixed-size chunks (in parallel when
//! there are threads), then the chunks' new states are merged in chunk order: the states
//! kept, their numbering, the parents recorded and the violation reported do not depend on
//! the number of threads.

use super::canon::{Budget, Codec, Scratch};
use super::moves::{self, Bounds, Move};
use super::sleep::{Effect, Sleep, SleepMoves};
use crate::raft::{ClientCommand, Cluster, Event, Violation};
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

/// States expanded per chunk: small enough to balance two threads, large enough that
/// handing out chunks costs nothing.
const CHUNK: usize = 512;

/// Counters a progress display may read while the search runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Successor states computed so far.
    pub explored: AtomicU64,
    /// Distinct states stored so far.
    pub distinct: AtomicU64,
    /// The depth being expanded.
    pub depth: AtomicUsize,
}

/// How a search went.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// Successor states computed (each step tried from each state expanded).
    pub explored: u64,
    /// Distinct states found (the start included).
    pub distinct: u64,
    /// The deepest level reached.
    pub depth: usize,
    /// Wall-clock time.
    pub seconds: f64,
    /// Whether every state within the bounds was seen (false when the state limit stopped
    /// the search first, or a violation did).
    pub exhausted: bool,
    /// Whether the depth bound cut some paths short.
    pub depth_limited: bool,
    /// Whether the memory bound stopped the search.
    pub memory_limited: bool,
}

/// A violation reached by a shortest path of moves from the start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The moves, on canonical states.
    pub path: Vec<Move>,
    /// The canonical forms of the states the path passes through, the start's first (one
    /// per move: the state each move is taken from).
    pub states: Vec<Vec<u8>>,
    /// What broke (with servers named by canonical slot).
    pub violation: Violation,
}

/// What the search needs besides the start.
pub struct Config<'a> {
    /// The codec for this search's states.
    pub codec: &'a Codec,
    /// The bounds on steps.
    pub bounds: Bounds,
    /// Commands for client requests, by request number.
    pub requests: &'a [ClientCommand],
    /// Stop after this many distinct states.
    pub max_states: usize,
    /// Stop when the states stored take about this many bytes.
    pub max_memory: usize,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Whether to try dropping messages (needless with the reductions).
    pub drops: bool,
    /// Whether to skip moves that sleep sets show lead only to states reached another way
    /// at the same depth (see [`sleep`](super::sleep)).
    pub sleep_sets: bool,
    /// Counters for a progress display.
    pub progress: &'a Progress,
}

#[derive(Clone, Copy)]
struct Meta {
    offset: u64,
    len: u32,
    parent: u32,
    mv: Move,
    /// The moves not to try from this state (a [`Sleep`] set, in its canonical naming).
    sleep: Sleep,
}

/// A state in the table: its hash, its index, and where its canonical form lies in the
/// arena (kept here so that finding a known state reads the table and the arena, not also
/// the state's [`Meta`]: one cache miss fewer on most lookups).
#[derive(Clone, Copy)]
struct Slot {
    hash: u64,
    index: u32,
    len: u32,
    offset: u64,
}

impl Slot {
    /// Whether this slot holds the state with this hash and canonical form.
    fn holds(&self, arena: &[u8], hash: u64, key: &[u8]) -> bool {
        self.hash == hash && arena[self.offset as usize..][..self.len as usize] == *key
    }
}

/// Every state found, in the order found, with its parent and the move from it.
struct Store {
    arena: Vec<u8>,
    metas: Vec<Meta>,
    table: HashTable<Slot>,
    hasher: FixedState,
}

impl Store {
    fn new() -> Store {
        Store {
            arena: Vec::new(),
            metas: Vec::new(),
            table: HashTable::new(),
            hasher: FixedState::with_seed(0x5eed_7a1c),
        }
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    fn bytes(&self, index: usize) -> &[u8] {
        let m = self.metas[index];
        &self.arena[m.offset as usize..m.offset as usize + m.len as usize]
    }

    fn contains(&self, hash: u64, key: &[u8]) -> bool {
        self.table
            .find(hash, |slot| slot.holds(&self.arena, hash, key))
            .is_some()
    }

    /// Adds the state unless known (one probe of the table); returns its index, and whether
    /// it was new.
    fn insert(
        &mut self,
        hash: u64,
        key: &[u8],
        parent: u32,
        mv: Move,
        sleep: Sleep,
    ) -> (u32, bool) {
        let Store {
            arena,
            metas,
            table,
            ..
        } = self;
        let entry = table.entry(hash, |slot| slot.holds(arena, hash, key), |slot| slot.hash);
        let vacant = match entry {
            hashbrown::hash_table::Entry::Occupied(known) => return (known.get().index, false),
            hashbrown::hash_table::Entry::Vacant(vacant) => vacant,
        };
        let index = metas.len() as u32;
        let offset = arena.len() as u64;
        vacant.insert(Slot {
            hash,
            index,
            len: key.len() as u32,
            offset,
        });
        metas.push(Meta {
            offset,
            len: key.len() as u32,
            parent,
            mv,
            sleep,
        });
        arena.extend_from_slice(key);
        (index, true)
    }

    fn len(&self) -> usize {
        self.metas.len()
    }

    /// About how many bytes the stored states take (what was allocated for them).
    fn memory(&self) -> usize {
        self.arena.capacity()
            + self.metas.capacity() * std::mem::size_of::<Meta>()
            + self.table.capacity() * (std::mem::size_of::<Slot>() + 1)
    }

    /// The moves from the start to state `index`, and the states they are taken from.
    fn path_to(&self, index: usize) -> (Vec<Move>, Vec<Vec<u8>>) {
        let mut moves = Vec::new();
        let mut states = Vec::new();
        let mut at = index;
        while at != 0 {
            let meta = self.metas[at];
            moves.push(meta.mv);
            at = meta.parent as usize;
            states.push(self.bytes(at).to_vec());
        }
        moves.reverse();
        states.reverse();
        (moves, states)
    }
}

/// A new state a chunk found, waiting to be merged.
struct Candidate {
    hash: u64,
    start: u32,
    len: u32,
    parent: u32,
    mv: Move,
    sleep: Sleep,
}

#[derive(Default)]
struct ChunkOut {
    bytes: Vec<u8>,
    candidates: Vec<Candidate>,
    explored: u64,
    violation: Option<(u32, Move, Violation)>,
}

/// The model's share of a search's time, and the canonical forms' (see [`model_floor`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelFloor {
    /// Successor states computed: the same steps the search took.
    pub successors: u64,
    /// Seconds the model alone took for them.
    pub seconds: f64,
    /// Seconds the model and the canonical forms of the successors took (no state table).
    pub canonical_seconds: f64,
}

/// How much of the work on each successor a pass over the states does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    /// Everything: the search.
    Search,
    /// The model's step only.
    Model,
    /// The model's step and the successor's canonical form, not the lookup in the table.
    Canonical,
}

/// Runs the search, then expands every state it found again, twice: with the model alone
/// (decoding the state, copying it and taking each step the search took from it), then also
/// writing each successor's canonical form, both without the table of states. The first
/// pass's time is a floor under the search's that no faster canonical form or table can
/// remove; the second's, less the first, is what the canonical forms cost (`raftwalk bench`
/// reports both).
pub fn model_floor(start: &Cluster, config: &Config<'_>) -> ModelFloor {
    let (_, _, store) = search_keeping(start, config);
    let threads = config.threads.max(1);
    let timed = |pass| {
        let begun = Instant::now();
        let chunks = expand_level(&store, 0..store.len(), config, threads, pass);
        let successors: u64 = chunks.iter().map(|c| c.explored).sum();
        (successors, begun.elapsed().as_secs_f64())
    };
    let (successors, seconds) = timed(Pass::Model);
    let (_, canonical_seconds) = timed(Pass::Canonical);
    ModelFloor {
        successors,
        seconds,
        canonical_seconds,
    }
}

/// Searches breadth first from `start` (which must have no violation); returns the numbers
/// and the first violation found, if any.
pub fn search(start: &Cluster, config: &Config<'_>) -> (Stats, Option<Found>) {
    let (stats, found, _) = search_keeping(start, config);
    (stats, found)
}

/// [`search`], also handing back the states found.
fn search_keeping(start: &Cluster, config: &Config<'_>) -> (Stats, Option<Found>, Store) {
    let begun = Instant::now();
    let codec = config.codec;
    let mut store = Store::new();
    let mut scratch = Scratch::default();
    let key = codec
        .canonical(start, Budget::default(), &mut scratch)
        .to_vec();
    let hash = store.hash(&key);
    store.insert(hash, &key, 0, Move::Deliver(0), Sleep::NONE);
    let mut explored = 0u64;
    let mut depth = 0;
    let mut level = 0..1usize;
    let mut exhausted = true;
    let mut depth_limited = false;
    let mut memory_limited = false;
    let mut found = None;
    let threads = config.threads.max(1);
    while !level.is_empty() {
        if config.bounds.max_depth.is_some_and(|max| depth >= max) {
            depth_limited = true;
            break;
        }
        config.progress.depth.store(depth, Ordering::Relaxed);
        let chunks = expand_level(&store, level.clone(), config, threads, Pass::Search);
        let mut violation = None;
        for chunk in &chunks {
            explored += chunk.explored;
            if let Some(v) = chunk.violation {
                violation = Some(v);
                break;
            }
        }
        if let Some((parent, mv, v)) = violation {
            let (mut path, mut states) = store.path_to(parent as usize);
            path.push(mv);
            states.push(store.bytes(parent as usize).to_vec());
            found = Some(Found {
                path,
                states,
                violation: v,
            });
            exhausted = false;
            depth += 1;
            break;
        }
        let next_start = store.len();
        'merge: for chunk in &chunks {
            for c in &chunk.candidates {
                if store.len() >= config.max_states {
                    exhausted = false;
                    break 'merge;
                }
                if store.memory() > config.max_memory {
                    exhausted = false;
                    memory_limited = true;
                    break 'merge;
                }
                let key = &chunk.bytes[c.start as usize..(c.start + c.len) as usize];
                let (index, new) = store.insert(c.hash, key, c.parent, c.mv, c.sleep);
                // Found again at this depth by another path: only the moves that every path
                // shows to be covered may sleep.
                if !new && index as usize >= next_start {
                    let meta = &mut store.metas[index as usize];
                    meta.sleep = meta.sleep.intersect(c.sleep);
                }
            }
        }
        config
            .progress
            .distinct
            .store(store.len() as u64, Ordering::Relaxed);
        if !exhausted {
            break;
        }
        level = next_start..store.len();
        if !level.is_empty() {
            depth += 1;
        }
    }
    let stats = Stats {
        explored,
        distinct: store.len() as u64,
        depth,
        seconds: begun.elapsed().as_secs_f64(),
        exhausted: exhausted && found.is_none(),
        depth_limited,
        memory_limited,
    };
    (stats, found, store)
}

/// Expands every state of `level`, in chunks, on `threads` threads; returns the chunks'
/// outputs in chunk order, stopping after the first chunk that found a violation. With
/// a `pass` other than [`Pass::Search`], only part of the work is done (see [`model_floor`]).
fn expand_level(
    store: &Store,
    level: std::ops::Range<usize>,
    config: &Config<'_>,
    threads: usize,
    pass: Pass,
) -> Vec<ChunkOut> {
    let count = level.len().div_ceil(CHUNK);
    let next = AtomicUsize::new(0);
    // The lowest chunk that found a violation: later chunks need not finish.
    let first_violation = AtomicUsize::new(usize::MAX);
    let results: Mutex<Vec<(usize, ChunkOut)>> = Mutex::new(Vec::with_capacity(count));
    let stop = AtomicBool::new(false);
    let work = || {
        let mut worker = Worker::new(config, pass);
        let mut mine = Vec::new();
        loop {
            let c = next.fetch_add(1, Ordering::Relaxed);
            if c >= count || stop.load(Ordering::Relaxed) {
                break;
            }
            if c > first_violation.load(Ordering::Relaxed) {
                continue;
            }
            let from = level.start + c * CHUNK;
            let to = (from + CHUNK).min(level.end);
            let out = worker.expand(store, from..to);
            if out.violation.is_some() {
                first_violation.fetch_min(c, Ordering::Relaxed);
            }
            mine.push((c, out));
        }
        results.lock().expect("no worker panicked").extend(mine);
    };
    if threads == 1 || count == 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(work);
            }
        });
    }
    let mut results = results.into_inner().expect("no worker panicked");
    results.sort_unstable_by_key(|(c, _)| *c);
    let first = first_violation.load(Ordering::Relaxed);
    results
        .into_iter()
        .filter(|(c, _)| *c <= first)
        .map(|(_, out)| out)
        .collect()
}

/// One thread's reusable state.
struct Worker<'a> {
    config: &'a Config<'a>,
    scratch: Scratch,
    moves: Vec<Move>,
    events: Vec<Event>,
    ids: Vec<u64>,
    slots: Vec<usize>,
    /// The state each move is tried on, copied from the parent in place (keeping buffers).
    child: Option<Cluster>,
    /// The state being expanded, decoded in place (keeping buffers).
    parent: Option<Cluster>,
    sleep: SleepMoves,
    /// A successor's message ids in canonical order.
    order: Vec<u64>,
    /// How much of the work to do (see [`model_floor`]).
    pass: Pass,
}

impl<'a> Worker<'a> {
    fn new(config: &'a Config<'a>, pass: Pass) -> Worker<'a> {
        Worker {
            config,
            scratch: Scratch::default(),
            moves: Vec::new(),
            events: Vec::new(),
            ids: Vec::new(),
            slots: (0..crate::raft::MAX_SERVERS).collect(),
            child: None,
            parent: None,
            sleep: SleepMoves::default(),
            order: Vec::new(),
            pass,
        }
    }

    fn expand(&mut self, store: &Store, states: std::ops::Range<usize>) -> ChunkOut {
        let config = self.config;
        let mut out = ChunkOut::default();
        for index in states {
            let parent = self.parent.get_or_insert_with(|| Cluster::new(1));
            let budget = config.codec.decode_into(store.bytes(index), parent);
            let parent: &Cluster = parent;
            if self.pass != Pass::Model {
                config.codec.prime(parent, &mut self.scratch);
            }
            let asleep = if config.sleep_sets {
                store.metas[index].sleep
            } else {
                Sleep::NONE
            };
            self.sleep.start(parent, asleep);
            moves::moves(
                parent,
                budget,
                &config.bounds,
                config.drops,
                &mut self.moves,
            );
            // A decoded state numbers its messages 1, 2, … in canonical order.
            let in_flight = parent.in_flight().len() as u64;
            if self.ids.len() < in_flight as usize {
                self.ids = (1..=in_flight).collect();
            }
            let mut tried = 0;
            for &mv in &self.moves {
                if self.sleep.asleep(mv) {
                    continue;
                }
                tried += 1;
                let (action, after) =
                    moves::action(mv, &self.slots, &self.ids, budget, config.requests);
                let next = match &mut self.child {
                    Some(child) => {
                        child.clone_from(parent);
                        child
                    }
                    none => none.insert(parent.clone()),
                };
                self.events.clear();
                next.apply_into(&action, &mut self.events)
                    .expect("a move names a server and a message that exist");
                out.explored += 1;
                if let Some(v) = self.events.iter().find_map(|e| match e {
                    Event::Violation(v) => Some(*v),
                    _ => None,
                }) {
                    out.violation = Some((index as u32, mv, v));
                    return out;
                }
                // A response its recipient ignores changes nothing but its absence: the same
                // state as dropping it, which is the next move, so skip the work twice done.
                if matches!(mv, Move::Deliver(_))
                    && matches!(self.events[..], [Event::ResponseIgnored { .. }])
                {
                    continue;
                }
                let effect = if config.sleep_sets {
                    self.sleep.effect(mv, parent, next)
                } else {
                    Effect::default()
                };
                self.sleep.tried(mv, effect);
                if self.pass == Pass::Model {
                    continue;
                }
                let (key, perm) = config.codec.canonical_child(next, after, &mut self.scratch);
                if self.pass == Pass::Canonical {
                    std::hint::black_box(key);
                    continue;
                }
                let hash = store.hash(key);
                if store.contains(hash, key) {
                    continue;
                }
                // A new state: which moves sleep in it, in its own naming.
                let sleep = if config.sleep_sets && self.sleep.passes_on(mv, effect) {
                    let order = &mut self.order;
                    config
                        .codec
                        .message_order(next, &perm, &mut self.scratch, order);
                    self.sleep.successor(mv, effect, &perm, order)
                } else {
                    Sleep::NONE
                };
                let key = Codec::last_form(&self.scratch);
                let start = out.bytes.len() as u32;
                out.bytes.extend_from_slice(key);
                out.candidates.push(Candidate {
                    hash,
                    start,
                    len: key.len() as u32,
                    parent: index as u32,
                    mv,
                    sleep,
                });
            }
            config.progress.explored.fetch_add(tried, Ordering::Relaxed);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::canon::{Codec, identity};
    use crate::raft::MAX_SERVERS;

    fn config<'a>(codec: &'a Codec, progress: &'a Progress, max_term: u64) -> Config<'a> {
        Config {
            codec,
            bounds: Bounds::election(max_term),
            requests: &[],
            max_states: 1_000_000,
            max_memory: usize::MAX,
            threads: 1,
            drops: true,
            sleep_sets: false,
            progress,
        }
    }

    /// Every renaming of three servers.
    fn renamings() -> Vec<[u8; MAX_SERVERS]> {
        let mut out = Vec::new();
        for a in 0..3u8 {
            for b in 0..3u8 {
                for c in 0..3u8 {
                    if a != b && b != c && a != c {
                        let mut perm = identity();
                        perm[..3].copy_from_slice(&[a, b, c]);
                        out.push(perm);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_model_floor_takes_the_same_steps_as_the_search() {
        // The floor pass must redo exactly the search's successors, or its time says
        // nothing about the search's: sleep sets and skipped moves included.
        let start = Cluster::new(3);
        let progress = Progress::default();
        let codec = Codec::new(&start, &[], true).reducing(3);
        let mut config = config(&codec, &progress, 3);
        config.drops = false;
        config.sleep_sets = true;
        config.threads = 2;
        let (stats, found) = search(&start, &config);
        assert!(found.is_none() && stats.exhausted);
        let floor = model_floor(&start, &config);
        assert_eq!(floor.successors, stats.explored);
        assert!(stats.explored > stats.distinct);
    }

    #[test]
    fn merged_states_stand_for_exactly_the_states_of_the_plain_search() {
        // Each canonical state stands for its orbit: the distinct renamings of it. Their
        // sizes must add up to the number of states the search without symmetry finds.
        let start = Cluster::new(3);
        let progress = Progress::default();
        let merged = Codec::new(&start, &[], true);
        let plain = Codec::new(&start, &[], false);
        assert_eq!(merged.symmetries(), 6);
        let (with, _, store) = search_keeping(&start, &config(&merged, &progress, 2));
        let (without, _, _) = search_keeping(&start, &config(&plain, &progress, 2));
        assert!(with.exhausted && without.exhausted);
        let mut covered = 0;
        let mut buf = Vec::new();
        for index in 0..store.len() {
            let (cluster, budget) = merged.decode(store.bytes(index));
            let mut orbit: Vec<Vec<u8>> = renamings()
                .iter()
                .map(|perm| {
                    plain.encode_as(&cluster, budget, perm, &mut buf);
                    buf.clone()
                })
                .collect();
            orbit.sort();
            orbit.dedup();
            covered += orbit.len() as u64;
        }
        assert_eq!(covered, without.distinct);
        assert!(with.distinct < without.distinct);
    }
}
