//! Breadth-first search over canonical states, level by level, so the first violation found
//! is at the smallest depth. Each level is expanded in fixed-size chunks (in parallel when
//! there are threads), then the chunks' new states are merged in chunk order: the states
//! kept, their numbering, the parents recorded and the violation reported do not depend on
//! the number of threads.

use super::canon::{Budget, Codec, Perm, Scratch};
use super::commute;
use super::compact::{Compactor, Registry};
use super::fingerprint::{self, Fingerprint};
use super::interned::{Interned, Memo, Parts, Pool, Step, Tables};
use super::moves::{self, Bounds, Move};
use super::sleep::{Effect, MESSAGE_BITS, Sleep, SleepMoves};
use super::store::{Level, Limit, NewState, Store};
use super::view::StateView;
use crate::raft::{ClientCommand, Cluster, Event, MessageId, Term, Violation};
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
    /// Whether workers read states through interned parts and reuse steps (see
    /// `explore::interned`), where the start allows it.
    pub interning: bool,
    /// Whether to check every successor read through interned parts against the same move
    /// taken on the decoded state (slow; for tests).
    pub verify: bool,
    /// Whether to find known states by a 128-bit fingerprint of their compact key (see
    /// `explore::fingerprint`) where states are read through interned parts, instead of by
    /// the key itself.
    pub fingerprints: bool,
    /// Counters for a progress display.
    pub progress: &'a Progress,
}

/// A new state a chunk found, waiting to be merged.
struct Candidate {
    hash: u64,
    fp: Fingerprint,
    start: u32,
    len: u32,
    parent: u32,
    mv: Move,
    sleep: Sleep,
    /// The moves found to lead back to stored states from it ([`SleepMoves::late`]).
    back: Sleep,
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
    /// The model's step only (or its interned step).
    Model,
    /// The model's step and the successor's canonical form, not the lookup in the table.
    Canonical,
}

/// Runs the search, then expands every state it found again, twice: with the model alone
/// (reading the state and taking each step the search took from it, through interned parts
/// where the search used them, else decoding and copying the state), then also writing each
/// successor's canonical form, both without the table of states. The first
/// pass's time is a floor under the search's that no faster canonical form or table can
/// remove; the second's, less the first, is what the canonical forms cost (`raftwalk bench`
/// reports both).
pub fn model_floor(start: &Cluster, config: &Config<'_>) -> ModelFloor {
    let (_, _, store) = search_keeping(start, config);
    let threads = config.threads.max(1);
    let timed = |pass| {
        let begun = Instant::now();
        // Through interned parts as the search went, learning them anew.
        let pool = (config.interning && Tables::usable(start)).then(Pool::default);
        let level = 0..store.len();
        let chunks = expand_level(&store, level, config, threads, pass, None, pool.as_ref());
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
    let mut scratch = Scratch::default();
    let form = codec.canonical(start, Budget::default(), &mut scratch);
    // What the workers learn of the parts of states, kept from level to level; with it, the
    // states are stored as compact keys.
    let pool = (config.interning && Tables::usable(start)).then(Pool::default);
    let mut store = match pool {
        Some(_) => {
            let registry = Registry::new(codec.servers());
            let mut key = Vec::new();
            Compactor::default().key(codec, &registry, form, &mut key);
            let fp = config
                .fingerprints
                .then(|| fingerprint::of_key(&key, codec.servers()));
            Store::new(&key, Some(registry), fp)
        }
        None => Store::new(form, None, None),
    };
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
        let merger = Merger::new(Level::after(&store, config.max_states, config.max_memory));
        let chunks = expand_level(
            &store,
            level.clone(),
            config,
            threads,
            Pass::Search,
            Some(&merger),
            pool.as_ref(),
        );
        let mut violation = None;
        for chunk in &chunks {
            explored += chunk.explored;
            if let Some(v) = chunk.violation {
                violation = Some(v);
                break;
            }
        }
        if let Some((parent, mv, v)) = violation {
            // The level's states are not kept: the search stops at the depth before.
            let (mut path, mut states) = store.path_to(parent as usize);
            path.push(mv);
            states.push(store.form(parent as usize, &mut Vec::new()).to_vec());
            found = Some(Found {
                path,
                states,
                violation: v,
            });
            exhausted = false;
            depth += 1;
            break;
        }
        let new = merger.finish(chunks.len());
        let limit = new.limit();
        let next_start = store.len();
        store.absorb(new, threads > 1);
        config
            .progress
            .distinct
            .store(store.len() as u64, Ordering::Relaxed);
        if let Some(limit) = limit {
            exhausted = false;
            memory_limited = limit == Limit::Memory;
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

/// Merges a level's chunks into its [`Level`] in chunk order, as they come in, on whichever
/// worker finds the merge free after handing in a chunk: the merge then overlaps the other
/// workers' expanding instead of following it.
struct Merger {
    level: Mutex<Level>,
    handed_in: Mutex<HandedIn>,
}

/// The chunks handed in and not yet merged.
#[derive(Default)]
struct HandedIn {
    /// By chunk number (grown as chunks come in).
    chunks: Vec<Option<(Vec<u8>, Vec<Candidate>)>>,
    /// The next chunk to merge.
    next: usize,
    /// Set at a chunk that found a violation: nothing from it on is merged.
    halted: bool,
}

impl Merger {
    fn new(level: Level) -> Merger {
        Merger {
            level: Mutex::new(level),
            handed_in: Mutex::new(HandedIn::default()),
        }
    }

    /// Takes in chunk `c`'s new states (all of its output but the counts).
    fn hand_in(&self, c: usize, out: &mut ChunkOut, progress: &Progress) {
        {
            let mut handed_in = self.handed_in.lock().expect("no worker panicked");
            if handed_in.chunks.len() <= c {
                handed_in.chunks.resize_with(c + 1, || None);
            }
            if out.violation.is_some() {
                handed_in.halted = true;
            }
            let states = (
                std::mem::take(&mut out.bytes),
                std::mem::take(&mut out.candidates),
            );
            handed_in.chunks[c] = Some(states);
        }
        // Another worker merging goes on to this chunk when it is next.
        let Ok(mut level) = self.level.try_lock() else {
            return;
        };
        self.merge_ready(&mut level);
        progress
            .distinct
            .store(level.total() as u64, Ordering::Relaxed);
    }

    /// Merges the chunks handed in, in order, up to the first one missing.
    fn merge_ready(&self, level: &mut Level) {
        loop {
            let (bytes, candidates) = {
                let mut handed_in = self.handed_in.lock().expect("no worker panicked");
                let next = handed_in.next;
                if handed_in.halted {
                    return;
                }
                match handed_in.chunks.get_mut(next).and_then(Option::take) {
                    Some(states) => {
                        handed_in.next += 1;
                        states
                    }
                    None => return,
                }
            };
            for c in &candidates {
                level.merge(NewState {
                    hash: c.hash,
                    fp: c.fp,
                    key: &bytes[c.start as usize..(c.start + c.len) as usize],
                    parent: c.parent,
                    mv: c.mv,
                    sleep: c.sleep,
                    back: c.back,
                });
            }
        }
    }

    /// The level, once all its `chunks` are handed in, every one merged.
    fn finish(self, chunks: usize) -> Level {
        self.merge_ready(&mut self.level.lock().expect("no worker panicked"));
        let level = self.level.into_inner().expect("no worker panicked");
        let handed_in = self.handed_in.into_inner().expect("no worker panicked");
        debug_assert_eq!(handed_in.next, chunks, "every chunk merged");
        level
    }
}

/// Expands every state of `level`, in chunks, on `threads` threads; returns the chunks'
/// outputs in chunk order, stopping after the first chunk that found a violation. With a
/// `merger`, each chunk's new states go to it (and not into the output); with a `pass`
/// other than [`Pass::Search`], only part of the work is done (see [`model_floor`]).
fn expand_level(
    store: &Store,
    level: std::ops::Range<usize>,
    config: &Config<'_>,
    threads: usize,
    pass: Pass,
    merger: Option<&Merger>,
    pool: Option<&Pool>,
) -> Vec<ChunkOut> {
    let count = level.len().div_ceil(CHUNK);
    let next = AtomicUsize::new(0);
    // The lowest chunk that found a violation: later chunks need not finish.
    let first_violation = AtomicUsize::new(usize::MAX);
    let results: Mutex<Vec<(usize, ChunkOut)>> = Mutex::new(Vec::with_capacity(count));
    let stop = AtomicBool::new(false);
    let work = || {
        let memo = pool.map(|pool| {
            let mut memos = pool.lock().expect("no worker panicked");
            memos.pop().unwrap_or_else(Memo::new)
        });
        let mut worker = Worker::new(config, pass, memo);
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
            let mut out = worker.expand(store, from..to);
            if out.violation.is_some() {
                first_violation.fetch_min(c, Ordering::Relaxed);
            }
            if let Some(merger) = merger {
                merger.hand_in(c, &mut out, config.progress);
            }
            mine.push((c, out));
        }
        results.lock().expect("no worker panicked").extend(mine);
        if let (Some(pool), Some(interning)) = (pool, worker.interned.take()) {
            pool.lock()
                .expect("no worker panicked")
                .push(interning.memo);
        }
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
    decoded: Decoded,
    /// The worker's interned parts, if the search uses them (see [`interned`](super::interned)).
    interned: Option<Interning>,
    moves: Vec<Move>,
    sleep: SleepMoves,
    /// A successor's message ids in canonical order.
    order: Vec<u64>,
    /// How much of the work to do (see [`model_floor`]).
    pass: Pass,
    /// The lengths of the last chunk's output (its key bytes and its candidates): the next
    /// chunk's room, so that its output seldom grows (and copies itself) on the way.
    last_out: (usize, usize),
}

/// What expanding a decoded state needs.
struct Decoded {
    scratch: Scratch,
    events: Vec<Event>,
    ids: Vec<u64>,
    slots: Vec<usize>,
    /// The state each move is tried on, copied from the parent in place (keeping buffers).
    child: Option<Cluster>,
    /// The state being expanded, decoded in place (keeping buffers).
    parent: Option<Cluster>,
    /// The canonical form of the state being expanded, if its key is compact.
    form: Vec<u8>,
    /// Compact keys of successors, if the store keeps them.
    compactor: Compactor,
    key: Vec<u8>,
}

/// What expanding a state of interned parts needs.
struct Interning {
    memo: Memo,
    /// How many servers.
    n: usize,
    parts: Parts,
    /// A successor's messages.
    messages: Vec<u32>,
    /// A successor's compact key.
    key: Vec<u8>,
    /// Whether the state being expanded is decoded in [`Decoded::parent`] too.
    decoded: bool,
}

/// Whether the search stops (a move broke an invariant).
type Stop = bool;

impl<'a> Worker<'a> {
    fn new(config: &'a Config<'a>, pass: Pass, memo: Option<Memo>) -> Worker<'a> {
        Worker {
            config,
            decoded: Decoded {
                scratch: Scratch::default(),
                events: Vec::new(),
                ids: Vec::new(),
                slots: (0..crate::raft::MAX_SERVERS).collect(),
                child: None,
                parent: None,
                form: Vec::new(),
                compactor: Compactor::default(),
                key: Vec::new(),
            },
            interned: memo.map(|memo| Interning {
                memo,
                n: config.codec.servers(),
                parts: Parts::default(),
                messages: Vec::new(),
                key: Vec::new(),
                decoded: false,
            }),
            moves: Vec::new(),
            sleep: SleepMoves::default(),
            order: Vec::new(),
            pass,
            last_out: (0, 0),
        }
    }

    fn expand(&mut self, store: &Store, states: std::ops::Range<usize>) -> ChunkOut {
        let (bytes, candidates) = self.last_out;
        let mut out = ChunkOut {
            bytes: Vec::with_capacity(bytes + bytes / 4),
            candidates: Vec::with_capacity(candidates + candidates / 4),
            ..ChunkOut::default()
        };
        for index in states {
            let stop = if self.interned.is_some() {
                self.expand_interned(store, index, &mut out)
            } else {
                self.expand_decoded(store, index, &mut out)
            };
            if stop {
                break;
            }
        }
        // Once a chunk: a counter the threads share costs a cache line's trip between them.
        let explored = &self.config.progress.explored;
        explored.fetch_add(out.explored, Ordering::Relaxed);
        self.last_out = (out.bytes.len(), out.candidates.len());
        out
    }

    /// Expands state `index`, decoded.
    fn expand_decoded(&mut self, store: &Store, index: usize, out: &mut ChunkOut) -> Stop {
        let config = self.config;
        let budget = self.decoded.decode(config, store, index, self.pass);
        let parent = self.decoded.parent.as_ref().expect("decoded");
        let (asleep, back) = asleep_in(config, store, index);
        self.sleep.start(parent, asleep, back);
        let first = out.candidates.len();
        moves::moves(
            parent,
            budget,
            &config.bounds,
            config.drops,
            &mut self.moves,
        );
        for &mv in &self.moves {
            if self.sleep.asleep(mv) {
                continue;
            }
            let stop = self.decoded.try_move(
                config,
                self.pass,
                &mut self.sleep,
                &mut self.order,
                store,
                index,
                mv,
                budget,
                out,
            );
            if stop {
                return true;
            }
        }
        self.sleep_late(first, out);
        false
    }

    /// Expands state `index` through its interned parts; a move they do not cover is tried
    /// on the decoded state.
    fn expand_interned(&mut self, store: &Store, index: usize, out: &mut ChunkOut) -> Stop {
        let config = self.config;
        let it = self.interned.as_mut().expect("interning");
        it.memo.bound();
        let key = store.bytes(index);
        it.decoded = false;
        let budget = match it.memo.tables.find(key, it.n, &mut it.parts) {
            Some(budget) => budget,
            None => {
                let budget = self.decoded.decode(config, store, index, self.pass);
                let it = self.interned.as_mut().expect("interning");
                it.decoded = true;
                let state = self.decoded.parent.as_ref().expect("decoded");
                let memo = &mut it.memo;
                let (parts, scratch) = (&mut it.parts, &mut memo.scratch);
                let learned = (state, budget);
                memo.tables
                    .learn(config.codec, key, learned, parts, scratch);
                budget
            }
        };
        let (asleep, back) = asleep_in(config, store, index);
        let it = self.interned.as_mut().expect("interning");
        let parent = it.parent();
        self.sleep.start(&parent, asleep, back);
        let first = out.candidates.len();
        moves::moves(
            &parent,
            budget,
            &config.bounds,
            config.drops,
            &mut self.moves,
        );
        for m in 0..self.moves.len() {
            let mv = self.moves[m];
            if self.sleep.asleep(mv) {
                continue;
            }
            let Some(taken) = self.simple_step(store, index, mv, budget) else {
                self.decode_parent(store, index);
                let (sleep, order) = (&mut self.sleep, &mut self.order);
                let d = &mut self.decoded;
                if d.try_move(
                    config, self.pass, sleep, order, store, index, mv, budget, out,
                ) {
                    return true;
                }
                continue;
            };
            out.explored += 1;
            // As on a decoded state (see `Decoded::try_move`).
            if matches!(mv, Move::Deliver(_)) && taken.step.ignored {
                if config.verify {
                    let sleep = &self.sleep;
                    self.decoded.verify(config, store, index, mv, sleep, None);
                }
                continue;
            }
            self.interned_successor(store, index, mv, budget, taken, out);
        }
        self.sleep_late(first, out);
        false
    }

    /// Puts to sleep in the new successors of the state just expanded, the first of them
    /// `first` in `out`, the moves it found to lead back to stored states (see
    /// [`sleep`](super::sleep)).
    fn sleep_late(&mut self, first: usize, out: &mut ChunkOut) {
        let candidates = &mut out.candidates[first..];
        self.sleep.late(|i, back| candidates[i].back = back);
    }

    /// Decodes the state being expanded through interned parts, unless it is already.
    fn decode_parent(&mut self, store: &Store, index: usize) {
        let it = self.interned.as_mut().expect("interning");
        if !it.decoded {
            self.decoded.decode(self.config, store, index, self.pass);
            it.decoded = true;
        }
    }

    /// The step `mv` takes from state `index` (with `budget`) through interned parts,
    /// learned now if new; `None` if the move must be taken on the decoded state: it is not
    /// a delivery or a timeout, or its step is not [`Step::simple`], or it makes a leader the
    /// history cannot simply record.
    fn simple_step(
        &mut self,
        store: &Store,
        index: usize,
        mv: Move,
        budget: Budget,
    ) -> Option<Taken> {
        let it = self.interned.as_mut().expect("interning");
        let (target, message) = match mv {
            Move::Deliver(k) => {
                let number = it.parts.messages[k as usize];
                (it.memo.tables.envelope(number).to, Some(number))
            }
            Move::Timeout(s) => (s as usize, None),
            _ => return None,
        };
        let server = it.parts.servers[target];
        let step = match it.memo.tables.step(server, message) {
            Some(step) => step,
            None => {
                self.decode_parent(store, index);
                let it = self.interned.as_mut().expect("interning");
                let d = &mut self.decoded;
                d.take(self.config, mv, budget);
                let state = d.parent.as_ref().expect("decoded");
                let next = d.child.as_ref().expect("taken");
                let memo = &mut it.memo;
                let (codec, scratch) = (self.config.codec, &mut memo.scratch);
                let learned = (state, next, &d.events[..]);
                memo.tables
                    .learn_step(codec, learned, target, server, message, scratch)
            }
        };
        if !step.simple {
            return None;
        }
        let it = self.interned.as_mut().expect("interning");
        // A new leader changes the history, as the monitor would.
        let history = match step.leads {
            Some(term) => it
                .memo
                .tables
                .after_leader(it.parts.history, term, target)?,
            None => it.parts.history,
        };
        Some(Taken {
            target,
            step,
            history,
        })
    }

    /// The successor of state `index` by `mv`, whose step through interned parts was
    /// `taken`: its sleep-set effect, its canonical form, and, if new, the state into `out`.
    fn interned_successor(
        &mut self,
        store: &Store,
        index: usize,
        mv: Move,
        budget: Budget,
        taken: Taken,
        out: &mut ChunkOut,
    ) {
        let config = self.config;
        let codec = config.codec;
        let it = self.interned.as_mut().expect("interning");
        // The parent's messages but the one delivered, then those sent.
        let had = &it.parts.messages;
        let sent = it.memo.tables.sent(&taken.step);
        it.messages.clear();
        let skipped = match mv {
            Move::Deliver(k) => {
                let k = k as usize;
                it.messages.extend_from_slice(&had[..k]);
                it.messages.extend_from_slice(&had[k + 1..]);
                Some(k as MessageId + 1)
            }
            _ => {
                it.messages.extend_from_slice(had);
                None
            }
        };
        it.messages.extend_from_slice(sent);
        let parent = Interned::of(&it.memo.tables, it.n, &it.parts);
        let mut next = Interned {
            messages: &it.messages,
            skipped,
            history: taken.history,
            ..parent
        };
        next.servers[taken.target] = taken.step.server;
        // A simple step commits nothing, so its effect is what it did to its server.
        let effect = if config.sleep_sets {
            self.sleep.effect_known(mv, taken.step.delivered)
        } else {
            Effect::default()
        };
        self.sleep.tried(mv, effect);
        if self.pass == Pass::Model {
            return;
        }
        let registry = store.registry().expect("interned states have compact keys");
        let (tables, scratch, key) = (&it.memo.tables, &mut it.memo.scratch, &mut it.key);
        let keys = &mut it.memo.keys;
        let chosen = keys.choose(codec, registry, tables, &next, budget, scratch);
        // Most successors are known: their fingerprint finds them before their messages
        // are sorted and their key written.
        let fp = (self.pass == Pass::Search && store.by_fingerprint())
            .then(|| keys.fingerprint(codec, registry, tables, next.messages, chosen, scratch));
        if fp.is_some_and(|fp| store.seen(fp)) && !config.verify {
            self.sleep.stored(mv);
            return;
        }
        let parts = (tables, next.messages);
        let perm = keys.write_key(codec, registry, parts, chosen, scratch, key);
        if self.pass == Pass::Canonical {
            std::hint::black_box(key);
            return;
        }
        if config.verify {
            let mine = Some((&key[..], perm, effect, fp));
            self.decoded
                .verify(config, store, index, mv, &self.sleep, mine);
        }
        // Looked up by its fingerprint above, unless verifying.
        let (hash, known) = match fp {
            Some(fp) if !config.verify => (Store::filed_under(fp), false),
            _ => store.look_up(key, fp),
        };
        if known {
            self.sleep.stored(mv);
            return;
        }
        let sleep = if config.sleep_sets {
            let order = &mut self.order;
            codec.message_order(&next, &perm, scratch, order);
            let tables = &mut it.memo.tables;
            let (parts, bounds) = (&it.parts, &config.bounds);
            let commuting = commuting(&self.sleep, mv, |a, b| {
                let number = |input: Option<usize>| input.map(|k| parts.messages[k]);
                let server = parts.servers[taken.target];
                tables.commute(server, (number(a), number(b)), bounds.max_term)
            });
            if config.verify {
                self.decoded.decode(config, store, index, self.pass);
                it.decoded = true;
                let parent = self.decoded.parent.as_ref().expect("decoded");
                let theirs = decoded_commuting(parent, &self.sleep, mv, bounds.max_term);
                assert_eq!(
                    commuting, theirs,
                    "state {index}, move {mv:?}: moves commuting with it through interned \
                     parts, and decoded"
                );
            }
            self.sleep.successor((mv, effect, commuting), &perm, order)
        } else {
            Sleep::NONE
        };
        out.push(index, mv, sleep, (hash, fp.unwrap_or(0)), key);
    }
}

/// Of the moves on the server `mv` acts on (in the state `sleep` was started on), those
/// that commute with `mv`, as [`SleepMoves::same_server`] names them; `commute` tells for
/// two moves, each a message's position or `None` for the server's timeout.
fn commuting(
    sleep: &SleepMoves,
    mv: Move,
    mut commute: impl FnMut(Option<usize>, Option<usize>) -> bool,
) -> u64 {
    let own = mv.message();
    let mut others = sleep.same_server(mv);
    let mut out = 0;
    while others != 0 {
        let b = others.trailing_zeros();
        others &= others - 1;
        let other = (b < MESSAGE_BITS).then_some(b as usize);
        if commute(own, other) {
            out |= 1 << b;
        }
    }
    out
}

/// [`commuting`] in the decoded state `state`, by running the servers' handlers (nothing
/// commutes where the network may lose a message: see [`commute`](super::commute)).
fn decoded_commuting(state: &Cluster, sleep: &SleepMoves, mv: Move, max_term: Term) -> u64 {
    let target = match mv {
        Move::Deliver(k) => state.in_flight().nth(k as usize).map(|e| e.to),
        Move::Timeout(s) => Some(s as usize),
        _ => None,
    };
    let Some(target) = target.filter(|_| Tables::usable(state)) else {
        return 0;
    };
    let input = |at: Option<usize>| match at {
        Some(k) => state.in_flight().nth(k).map(commute::Input::delivering),
        None => Some(commute::Input::Timeout),
    };
    let server = &state.servers()[target];
    commuting(sleep, mv, |a, b| match (input(a), input(b)) {
        (Some(x), Some(y)) => commute::commute(server, x, y, max_term),
        _ => false,
    })
}

/// The moves that sleep in state `index`: those every path to it found, and those a path
/// found to lead back (none without sleep sets).
fn asleep_in(config: &Config<'_>, store: &Store, index: usize) -> (Sleep, Sleep) {
    if config.sleep_sets {
        (store.meta(index).sleep, store.back(index))
    } else {
        (Sleep::NONE, Sleep::NONE)
    }
}

/// Whether a step's only event was a response ignored: delivering it changed nothing but
/// its absence, the same state as dropping it (the next move), so the search skips it.
pub(super) fn only_ignores(events: &[Event]) -> bool {
    matches!(events, [Event::ResponseIgnored { .. }])
}

/// What `mv`, taken from `state` to `next`, did as far as sleep sets care; nothing without
/// them.
fn effect(
    config: &Config<'_>,
    sleep: &SleepMoves,
    mv: Move,
    state: &impl StateView,
    next: &impl StateView,
) -> Effect {
    if config.sleep_sets {
        sleep.effect(mv, state, next)
    } else {
        Effect::default()
    }
}

/// A step taken through interned parts.
#[derive(Clone, Copy)]
struct Taken {
    /// The server that took it.
    target: usize,
    step: Step,
    /// The history after it.
    history: u32,
}

impl Interning {
    /// The state being expanded.
    fn parent(&self) -> Interned<'_> {
        Interned::of(&self.memo.tables, self.n, &self.parts)
    }
}

impl Decoded {
    /// Decodes state `index` into `parent` (and primes the scratch for its successors);
    /// returns its budget.
    fn decode(&mut self, config: &Config<'_>, store: &Store, index: usize, pass: Pass) -> Budget {
        let parent = self.parent.get_or_insert_with(|| Cluster::new(1));
        let budget = config
            .codec
            .decode_into(store.form(index, &mut self.form), parent);
        if pass != Pass::Model {
            config.codec.prime(parent, &mut self.scratch);
        }
        // A decoded state numbers its messages 1, 2, … in canonical order.
        let in_flight = parent.in_flight().len();
        if self.ids.len() < in_flight {
            self.ids = (1..=in_flight as u64).collect();
        }
        budget
    }

    /// For tests ([`Config::verify`]): takes `mv` on the decoded state `index` and panics
    /// unless it gives the same canonical form, renaming and effect as `mine` (`None`: a
    /// response ignored, which leads nowhere new).
    fn verify(
        &mut self,
        config: &Config<'_>,
        store: &Store,
        index: usize,
        mv: Move,
        sleep: &SleepMoves,
        mine: Option<(&[u8], Perm, Effect, Option<Fingerprint>)>,
    ) {
        let budget = self.decode(config, store, index, Pass::Search);
        let after = self.take(config, mv, budget);
        let (parent, next) = (self.parent.as_ref(), self.child.as_ref());
        let (parent, next) = (parent.expect("decoded"), next.expect("taken"));
        let theirs = if only_ignores(&self.events) {
            None
        } else {
            let effect = effect(config, sleep, mv, parent, next);
            let perm = self.child_key(config, store, after);
            let fp = self.fingerprint(config, store);
            Some((self.key(store).to_vec(), perm, effect, fp))
        };
        let mine = mine.map(|(key, perm, effect, fp)| (key.to_vec(), perm, effect, fp));
        assert!(
            mine == theirs,
            "state {index}, move {mv:?}: through interned parts {mine:?}, decoded {theirs:?}"
        );
    }

    /// Takes move `mv` on the decoded state (with `budget`): the successor into `child`, its
    /// events into `events`; returns the budget after it.
    fn take(&mut self, config: &Config<'_>, mv: Move, budget: Budget) -> Budget {
        let parent = self.parent.as_ref().expect("decoded");
        let (action, after) = moves::action(mv, &self.slots, &self.ids, budget, config.requests);
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
        after
    }

    /// Tries move `mv` on the decoded state `index` (with `budget`); its new successor, if
    /// any, goes to `out`.
    #[allow(clippy::too_many_arguments)] // the worker's parts a move needs
    fn try_move(
        &mut self,
        config: &Config<'_>,
        pass: Pass,
        sleep: &mut SleepMoves,
        order: &mut Vec<u64>,
        store: &Store,
        index: usize,
        mv: Move,
        budget: Budget,
        out: &mut ChunkOut,
    ) -> Stop {
        let after = self.take(config, mv, budget);
        let (parent, next) = (self.parent.as_ref(), self.child.as_ref());
        let (parent, next) = (parent.expect("decoded"), next.expect("taken"));
        out.explored += 1;
        if let Some(v) = self.events.iter().find_map(|e| match e {
            Event::Violation(v) => Some(*v),
            _ => None,
        }) {
            out.violation = Some((index as u32, mv, v));
            return true;
        }
        if matches!(mv, Move::Deliver(_)) && only_ignores(&self.events) {
            return false;
        }
        let effect = effect(config, sleep, mv, parent, next);
        sleep.tried(mv, effect);
        if pass == Pass::Model {
            return false;
        }
        let perm = self.child_key(config, store, after);
        let key = self.key(store);
        if pass == Pass::Canonical {
            std::hint::black_box(key);
            return false;
        }
        let fp = self.fingerprint(config, store);
        let (hash, known) = store.look_up(key, fp);
        if known {
            sleep.stored(mv);
            return false;
        }
        // A new state: which moves sleep in it, in its own naming.
        let asleep = if config.sleep_sets {
            let next = self.child.as_ref().expect("taken");
            config
                .codec
                .message_order(next, &perm, &mut self.scratch, order);
            let parent = self.parent.as_ref().expect("decoded");
            let commuting = decoded_commuting(parent, sleep, mv, config.bounds.max_term);
            sleep.successor((mv, effect, commuting), &perm, order)
        } else {
            Sleep::NONE
        };
        out.push(index, mv, asleep, (hash, fp.unwrap_or(0)), self.key(store));
        false
    }

    /// Writes the canonical form of the successor taken last (in `child`, with `budget`)
    /// and, if the store keeps compact keys, its key; returns the renaming chosen.
    fn child_key(&mut self, config: &Config<'_>, store: &Store, budget: Budget) -> Perm {
        let next = self.child.as_ref().expect("taken");
        let (form, perm) = config
            .codec
            .canonical_child(next, budget, &mut self.scratch);
        if let Some(registry) = store.registry() {
            (self.compactor).key(config.codec, registry, form, &mut self.key);
        }
        perm
    }

    /// The fingerprint of the successor whose key was written last, if the store finds
    /// states by fingerprint.
    fn fingerprint(&self, config: &Config<'_>, store: &Store) -> Option<Fingerprint> {
        let n = config.codec.servers();
        store
            .by_fingerprint()
            .then(|| fingerprint::of_key(self.key(store), n))
    }

    /// The key of the successor whose canonical form was written last: the form, or its
    /// compact key if the store keeps those.
    fn key(&self, store: &Store) -> &[u8] {
        match store.registry() {
            Some(_) => &self.key,
            None => Codec::last_form(&self.scratch),
        }
    }
}

impl ChunkOut {
    /// Keeps a new state: its key, parent, move and sleep set, and its hash and fingerprint
    /// (0 if the store finds states by key).
    fn push(
        &mut self,
        parent: usize,
        mv: Move,
        sleep: Sleep,
        hashes: (u64, Fingerprint),
        form: &[u8],
    ) {
        let (hash, fp) = hashes;
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(form);
        self.candidates.push(Candidate {
            hash,
            fp,
            start,
            len: form.len() as u32,
            parent: parent as u32,
            mv,
            sleep,
            back: Sleep::NONE,
        });
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
            interning: true,
            verify: true,
            fingerprints: true,
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
    fn interned_parts_find_what_decoded_states_find() {
        // Every kind of move, sleep sets on and off; through interned parts (each successor
        // checked against the decoded path) and not: the same numbers and the same path.
        let start = Cluster::new(3);
        let progress = Progress::default();
        let requests = crate::explore::request_commands(1);
        let codec = Codec::new(&start, &requests, true).reducing(3);
        for sleep_sets in [false, true] {
            let mut config = config(&codec, &progress, 3);
            config.bounds.max_requests = 1;
            config.bounds.max_crashes = 1;
            // Duplicates put equal messages in flight, which offer one delivery between them.
            config.bounds.max_dups = 1;
            config.bounds.max_depth = Some(8);
            config.requests = &requests;
            config.drops = false;
            config.sleep_sets = sleep_sets;
            let (through, found) = search(&start, &config);
            config.interning = false;
            let (decoded, found_decoded) = search(&start, &config);
            assert_eq!(
                (through.explored, through.distinct, through.depth),
                (decoded.explored, decoded.distinct, decoded.depth)
            );
            assert!(through.distinct > 5_000, "{through:?}");
            assert_eq!(found.map(|f| f.path), found_decoded.map(|f| f.path));
        }
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
            let (cluster, budget) = merged.decode(store.form(index, &mut Vec::new()));
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
