//! The search's table of states: every state found, in the order found, with its parent and
//! the move from it; and the states of the level being expanded, merged there chunk by chunk
//! while the workers go on expanding, then added to the table when the level is done. A level
//! is stored as it was merged, one segment per level, so that storing it copies no state.

use super::compact::Registry;
use super::fingerprint::{Fingerprint, Seen};
use super::moves::Move;
use super::sleep::Sleep;
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::hash::BuildHasher;

#[derive(Clone, Copy)]
pub(super) struct Meta {
    /// Where its key lies in its level's arena.
    offset: u64,
    len: u32,
    pub(super) parent: u32,
    pub(super) mv: Move,
    /// The moves not to try from this state (a [`Sleep`] set, in its canonical naming)
    /// because every path to it found they sleep; once a later level is stored, also those
    /// a path found to lead back ([`Store::back`]).
    pub(super) sleep: Sleep,
}

/// A state in a table: its hash, its index, and where its canonical form lies in its level's
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

/// The store's table is split in two by one bit of the hash (one the table's own probing
/// does not use), so that two threads can add a level's states at once.
fn shard(hash: u64) -> usize {
    (hash >> 40) as usize & 1
}

/// A level's new states are added on two threads from this many on.
const PARALLEL_ABSORB: usize = 4096;

/// About how many bytes states take (what was allocated for them): `bytes` of forms,
/// `metas` records and `slots` places in tables.
fn footprint(bytes: usize, metas: usize, slots: usize) -> usize {
    bytes + metas * std::mem::size_of::<Meta>() + slots * (std::mem::size_of::<Slot>() + 1)
}

/// Appends the state's canonical form and record; returns the slot to file it under.
fn record(arena: &mut Vec<u8>, metas: &mut Vec<Meta>, found: NewState<'_>, index: u32) -> Slot {
    let offset = arena.len() as u64;
    let len = found.key.len() as u32;
    metas.push(Meta {
        offset,
        len,
        parent: found.parent,
        mv: found.mv,
        sleep: found.sleep,
    });
    arena.extend_from_slice(found.key);
    Slot {
        hash: found.hash,
        index,
        len,
        offset,
    }
}

/// A state a worker found, with what the table records of it.
#[derive(Clone, Copy)]
pub(super) struct NewState<'k> {
    pub(super) hash: u64,
    pub(super) key: &'k [u8],
    pub(super) parent: u32,
    pub(super) mv: Move,
    /// The moves asleep in it on this path.
    pub(super) sleep: Sleep,
    /// The moves this path found to lead back from it to states stored before it: they
    /// sleep in it whatever the other paths to it say (see [`sleep`](super::sleep)).
    pub(super) back: Sleep,
    /// Its fingerprint, if the store finds states by fingerprint (else 0).
    pub(super) fp: Fingerprint,
}

/// The states of one level (the start alone is the first), as the level merged them.
struct Segment {
    /// The number of its first state.
    first: usize,
    /// The states' keys, one after another.
    arena: Vec<u8>,
    /// The states' records, in order.
    metas: Vec<Meta>,
}

impl Segment {
    /// The key of its state `at` (counted from its first).
    fn bytes(&self, at: usize) -> &[u8] {
        let m = &self.metas[at];
        &self.arena[m.offset as usize..][..m.len as usize]
    }
}

/// Every state found, in the order found, with its parent and the move from it.
pub(super) struct Store {
    /// By level, in order.
    segments: Vec<Segment>,
    /// The slots, by [`shard`] of their hash (empty if the store finds states by
    /// fingerprint).
    tables: [HashTable<Slot>; 2],
    /// The states' fingerprints, if the store finds states by those (see
    /// [`fingerprint`](super::fingerprint)).
    seen: Option<Seen>,
    hasher: FixedState,
    /// The parts of the states' keys, if they are compact keys rather than canonical forms
    /// (see [`compact`](super::compact)).
    registry: Option<Registry>,
    /// For each state of the last level stored (the one expanded next), the moves a path to
    /// it found to lead back to states stored before it ([`NewState::back`]); kept apart
    /// from its sleep set only until its successors are stored, since only its successors'
    /// sets tell them apart.
    backs: Vec<Sleep>,
}

impl Store {
    /// A table holding only `start` (state 0), a canonical form; or, with a `registry`, a
    /// compact key of its parts, as every state after it. With `fp`, the start's
    /// fingerprint, states are found by fingerprint ([`Store::seen`]) instead of by key
    /// ([`Store::contains`]).
    pub(super) fn new(start: &[u8], registry: Option<Registry>, fp: Option<Fingerprint>) -> Store {
        let mut store = Store {
            segments: Vec::new(),
            tables: [HashTable::new(), HashTable::new()],
            seen: None,
            hasher: FixedState::with_seed(0x5eed_7a1c),
            registry,
            backs: vec![Sleep::NONE],
        };
        let found = NewState {
            hash: store.hash(start),
            key: start,
            parent: 0,
            mv: Move::Deliver(0),
            sleep: Sleep::NONE,
            back: Sleep::NONE,
            fp: fp.unwrap_or(0),
        };
        let mut segment = Segment {
            first: 0,
            arena: Vec::new(),
            metas: Vec::new(),
        };
        let slot = record(&mut segment.arena, &mut segment.metas, found, 0);
        store.segments.push(segment);
        match fp {
            Some(fp) => {
                let mut seen = Seen::default();
                seen.extend(&[fp], false);
                store.seen = Some(seen);
            }
            None => {
                store.tables[shard(slot.hash)].insert_unique(slot.hash, slot, |s| s.hash);
            }
        }
        store
    }

    /// Whether the store finds states by fingerprint.
    pub(super) fn by_fingerprint(&self) -> bool {
        self.seen.is_some()
    }

    /// Whether the store holds a state with this fingerprint (see
    /// [`fingerprint`](super::fingerprint)); only if it finds states by fingerprint.
    #[inline]
    pub(super) fn seen(&self, fp: Fingerprint) -> bool {
        self.seen.as_ref().is_some_and(|seen| seen.contains(fp))
    }

    /// The hash a state with fingerprint `fp` is filed under, when the store finds states by
    /// fingerprint.
    pub(super) fn filed_under(fp: Fingerprint) -> u64 {
        fp as u64
    }

    /// The hash a state with this key and fingerprint (if the store finds states by
    /// fingerprint) is filed under, and whether the store holds it.
    pub(super) fn look_up(&self, key: &[u8], fp: Option<Fingerprint>) -> (u64, bool) {
        match fp {
            Some(fp) => (Store::filed_under(fp), self.seen(fp)),
            None => {
                let hash = self.hash(key);
                (hash, self.contains(hash, key))
            }
        }
    }

    /// The hash a canonical form is filed under.
    pub(super) fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The last level stored (the one expanded next).
    fn last_segment(&self) -> &Segment {
        self.segments.last().expect("the start's segment")
    }

    /// The segment holding state `index`, and the state's place in it.
    fn segment(&self, index: usize) -> (&Segment, usize) {
        // Most often the last level's, the one being expanded.
        let last = self.last_segment();
        let segment = if index >= last.first {
            last
        } else {
            let after = self.segments.partition_point(|s| s.first <= index);
            &self.segments[after - 1]
        };
        (segment, index - segment.first)
    }

    /// The key of state `index`: its canonical form, or its compact key.
    pub(super) fn bytes(&self, index: usize) -> &[u8] {
        let (segment, at) = self.segment(index);
        segment.bytes(at)
    }

    /// The canonical form of state `index` (written into `buf` if its key is compact).
    pub(super) fn form<'a>(&'a self, index: usize, buf: &'a mut Vec<u8>) -> &'a [u8] {
        match &self.registry {
            Some(registry) => {
                registry.form(self.bytes(index), buf);
                buf
            }
            None => self.bytes(index),
        }
    }

    /// The registry of the parts of compact keys, if the keys are compact.
    pub(super) fn registry(&self) -> Option<&Registry> {
        self.registry.as_ref()
    }

    /// What the table records of state `index`.
    pub(super) fn meta(&self, index: usize) -> &Meta {
        let (segment, at) = self.segment(index);
        &segment.metas[at]
    }

    /// The moves that sleep in state `index` because a path to it found they lead back to
    /// states stored before it, besides its [`Meta::sleep`]; none once a later level is
    /// stored (they are then in its sleep set).
    pub(super) fn back(&self, index: usize) -> Sleep {
        let at = index.wrapping_sub(self.last_segment().first);
        self.backs.get(at).copied().unwrap_or(Sleep::NONE)
    }

    /// Whether the table holds this state; only if it finds states by key.
    pub(super) fn contains(&self, hash: u64, key: &[u8]) -> bool {
        let table = &self.tables[shard(hash)];
        let holds = |slot: &Slot| {
            let arena = &self.segment(slot.index as usize).0.arena;
            slot.holds(arena, hash, key)
        };
        table.find(hash, holds).is_some()
    }

    /// How many states the table holds.
    pub(super) fn len(&self) -> usize {
        let last = self.last_segment();
        last.first + last.metas.len()
    }

    /// About how many bytes the stored states take (what was allocated for them).
    pub(super) fn memory(&self) -> usize {
        let slots = self.tables.iter().map(HashTable::capacity).sum();
        // At a level's end the registry holds the parts of the stored keys, no more.
        let parts = self.registry.as_ref().map_or(0, Registry::memory);
        let fps = self.seen.as_ref().map_or(0, Seen::memory);
        let backs = self.backs.capacity() * std::mem::size_of::<Sleep>();
        let segments = self.segments.iter();
        let (bytes, metas) = segments.fold((0, 0), |(bytes, metas), s| {
            (bytes + s.arena.capacity(), metas + s.metas.capacity())
        });
        footprint(bytes, metas, slots) + parts + fps + backs
    }

    /// Adds the states a level found, numbered as they were in it, as they are (one more
    /// segment); files them on two threads if `parallel` and the level is large.
    pub(super) fn absorb(&mut self, level: Level, parallel: bool) {
        // The last level's states are expanded: what led back joins the rest of their sets.
        let expanded = self.segments.last_mut().expect("the start's segment");
        for (meta, back) in expanded.metas.iter_mut().zip(&self.backs) {
            meta.sleep = meta.sleep.union(*back);
        }
        let Level {
            mut arena,
            mut metas,
            backs,
            table,
            fps,
            first,
            ..
        } = level;
        self.backs = backs;
        // Its room to grow is no longer needed.
        arena.shrink_to_fit();
        metas.shrink_to_fit();
        self.segments.push(Segment {
            first,
            arena,
            metas,
        });
        if let Some(seen) = &mut self.seen {
            seen.extend(&fps, parallel && fps.len() >= PARALLEL_ABSORB);
            return;
        }
        let fill = |tables: &mut HashTable<Slot>, half: usize| {
            // About half the level's states fall in each shard.
            tables.reserve(table.len() / 2 + 1, |s| s.hash);
            for &slot in table.iter().filter(|s| shard(s.hash) == half) {
                tables.insert_unique(slot.hash, slot, |s| s.hash);
            }
        };
        let parallel = parallel && table.len() >= PARALLEL_ABSORB;
        fill_halves(&mut self.tables, parallel, fill);
    }

    /// The moves from the start to state `index`, and the states they are taken from (as
    /// canonical forms).
    pub(super) fn path_to(&self, index: usize) -> (Vec<Move>, Vec<Vec<u8>>) {
        let mut moves = Vec::new();
        let mut states = Vec::new();
        let mut at = index;
        while at != 0 {
            let meta = *self.meta(at);
            moves.push(meta.mv);
            at = meta.parent as usize;
            states.push(self.form(at, &mut Vec::new()).to_vec());
        }
        moves.reverse();
        states.reverse();
        (moves, states)
    }
}

/// Calls `fill` on each of two halves of a table with the half's number, both at once on
/// two threads if `parallel`.
pub(super) fn fill_halves<T: Send>(
    halves: &mut [T; 2],
    parallel: bool,
    fill: impl Fn(&mut T, usize) + Sync,
) {
    let [first, second] = halves;
    if parallel {
        std::thread::scope(|scope| {
            scope.spawn(|| fill(first, 0));
            fill(second, 1);
        });
    } else {
        fill(first, 0);
        fill(second, 1);
    }
}

/// Why merging a level stopped before its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Limit {
    /// The table reached the most states allowed.
    States,
    /// The states took the most memory allowed.
    Memory,
}

/// The new states of the level being expanded, in the order the workers' chunks list them
/// (so their numbering does not depend on the threads). Kept apart from the [`Store`], which
/// the workers read without locks while the level is merged; every state here is new to the
/// store (the workers looked).
pub(super) struct Level {
    arena: Vec<u8>,
    metas: Vec<Meta>,
    /// For each state, the moves any path to it found to lead back ([`NewState::back`]).
    backs: Vec<Sleep>,
    table: HashTable<Slot>,
    /// The states' fingerprints, if the store finds states by those.
    fps: Vec<Fingerprint>,
    by_fingerprint: bool,
    /// The number of the level's first state: the store's size when the level began.
    first: usize,
    /// The store's memory when the level began.
    store_memory: usize,
    max_states: usize,
    max_memory: usize,
    /// Set once a limit stopped the merge: later states are not kept.
    limit: Option<Limit>,
}

impl Level {
    /// An empty level after `store`'s states, merging at most up to these limits.
    pub(super) fn after(store: &Store, max_states: usize, max_memory: usize) -> Level {
        Level {
            arena: Vec::new(),
            metas: Vec::new(),
            backs: Vec::new(),
            table: HashTable::new(),
            fps: Vec::new(),
            by_fingerprint: store.by_fingerprint(),
            first: store.len(),
            store_memory: store.memory(),
            max_states,
            max_memory,
            limit: None,
        }
    }

    /// The states kept so far, the store's included.
    pub(super) fn total(&self) -> usize {
        self.first + self.metas.len()
    }

    /// About how many bytes the level's states take (what was allocated for them).
    fn memory(&self) -> usize {
        footprint(
            self.arena.capacity(),
            self.metas.capacity(),
            self.table.capacity(),
        ) + self.fps.capacity() * std::mem::size_of::<Fingerprint>()
            + self.backs.capacity() * std::mem::size_of::<Sleep>()
    }

    /// The limit that stopped the merge, if one did.
    pub(super) fn limit(&self) -> Option<Limit> {
        self.limit
    }

    /// Adds a state unless the level has it; if it has, only the moves asleep on every path
    /// to it stay asleep (it is found again at this depth by another path), besides those
    /// any path found to lead back.
    pub(super) fn merge(&mut self, found: NewState<'_>) {
        if self.limit.is_some() {
            return;
        }
        if self.total() >= self.max_states {
            self.limit = Some(Limit::States);
            return;
        }
        if self.store_memory + self.memory() > self.max_memory {
            self.limit = Some(Limit::Memory);
            return;
        }
        let index = self.total() as u32;
        let Level {
            arena,
            metas,
            backs,
            table,
            fps,
            by_fingerprint,
            first,
            ..
        } = self;
        let (hash, key) = (found.hash, found.key);
        match table.entry(hash, |slot| slot.holds(arena, hash, key), |slot| slot.hash) {
            Entry::Occupied(known) => {
                let at = known.get().index as usize - *first;
                let meta = &mut metas[at];
                meta.sleep = meta.sleep.intersect(found.sleep);
                backs[at] = backs[at].union(found.back);
            }
            Entry::Vacant(vacant) => {
                vacant.insert(record(arena, metas, found, index));
                backs.push(found.back);
                if *by_fingerprint {
                    fps.push(found.fp);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state<'k>(store: &Store, key: &'k [u8], sleep: Sleep) -> NewState<'k> {
        NewState {
            hash: store.hash(key),
            key,
            parent: 0,
            mv: Move::Timeout(0),
            sleep,
            back: Sleep::NONE,
            fp: 0,
        }
    }

    #[test]
    fn a_level_numbers_its_states_after_the_store_and_keeps_what_sleeps_on_every_path() {
        let mut store = Store::new(b"start", None, None);
        let mut level = Level::after(&store, usize::MAX, usize::MAX);
        let both = Sleep::of(&[Move::Deliver(0), Move::Deliver(1)]);
        let one = Sleep::of(&[Move::Deliver(1)]);
        let (two, three) = (
            Sleep::of(&[Move::Timeout(2)]),
            Sleep::of(&[Move::Deliver(3)]),
        );
        level.merge(state(&store, b"a", both));
        level.merge(state(&store, b"b", both));
        level.merge(NewState {
            back: two,
            ..state(&store, b"a", one)
        });
        level.merge(NewState {
            back: three,
            ..state(&store, b"c", Sleep::NONE)
        });
        level.merge(state(&store, b"c", one));
        assert_eq!((level.total(), level.limit()), (4, None));
        store.absorb(level, false);
        assert_eq!(store.len(), 4);
        assert_eq!((store.bytes(1), store.bytes(2)), (&b"a"[..], &b"b"[..]));
        let asleep = |store: &Store, i: usize| (store.meta(i).sleep, store.back(i));
        assert_eq!(
            asleep(&store, 1),
            (one, two),
            "a second path to a wakes move 0"
        );
        assert_eq!(asleep(&store, 2), (both, Sleep::NONE));
        assert_eq!(
            asleep(&store, 3),
            (Sleep::NONE, three),
            "a move found to lead back sleeps whatever the other paths say"
        );
        // Once the next level is stored, those moves are in the sets themselves.
        store.absorb(Level::after(&store, usize::MAX, usize::MAX), false);
        assert_eq!(asleep(&store, 1), (one.union(two), Sleep::NONE));
        assert_eq!(asleep(&store, 3), (three, Sleep::NONE));
        for key in [&b"start"[..], b"a", b"b", b"c"] {
            assert!(store.contains(store.hash(key), key));
        }
        assert!(!store.contains(store.hash(b"d"), b"d"));
    }

    #[test]
    fn a_store_by_fingerprint_finds_its_states_by_their_fingerprints() {
        let mut store = Store::new(b"start", None, Some(7));
        assert!(store.by_fingerprint() && store.seen(7) && !store.seen(8));
        let mut level = Level::after(&store, usize::MAX, usize::MAX);
        for (key, fp) in [(&b"a"[..], 8), (b"b", 9), (b"a", 8)] {
            level.merge(NewState {
                hash: fp as u64,
                fp,
                ..state(&store, key, Sleep::NONE)
            });
        }
        assert_eq!(level.total(), 3, "a found twice is one state");
        store.absorb(level, false);
        assert!([7, 8, 9].iter().all(|&fp| store.seen(fp)));
        assert!(!store.seen(10));
        assert_eq!(store.look_up(b"a", Some(8)), (8, true));
        assert_eq!(store.look_up(b"c", Some(10)), (10, false));
        // A large level, its fingerprints filed on two threads.
        let keys: Vec<[u8; 4]> = (0..2 * PARALLEL_ABSORB as u32)
            .map(u32::to_le_bytes)
            .collect();
        let mut level = Level::after(&store, usize::MAX, usize::MAX);
        for (i, key) in keys.iter().enumerate() {
            let fp = 1000 + i as Fingerprint;
            level.merge(NewState {
                hash: fp as u64,
                fp,
                ..state(&store, key, Sleep::NONE)
            });
        }
        store.absorb(level, true);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(store.bytes(i + 3), &key[..]);
            assert!(store.seen(1000 + i as Fingerprint));
        }
    }

    #[test]
    fn a_level_stops_at_the_most_states_allowed() {
        let store = Store::new(b"start", None, None);
        let mut level = Level::after(&store, 2, usize::MAX);
        level.merge(state(&store, b"a", Sleep::NONE));
        level.merge(state(&store, b"b", Sleep::NONE));
        level.merge(state(&store, b"c", Sleep::NONE));
        assert_eq!((level.total(), level.limit()), (2, Some(Limit::States)));
        let mut level = Level::after(&store, usize::MAX, store.memory());
        level.merge(state(&store, b"a", Sleep::NONE));
        level.merge(state(&store, b"b", Sleep::NONE));
        assert_eq!((level.total(), level.limit()), (2, Some(Limit::Memory)));
    }

    #[test]
    fn states_added_on_two_threads_are_all_found_under_their_numbers() {
        let mut store = Store::new(b"start", None, None);
        let keys: Vec<Vec<u8>> = (0..3 * PARALLEL_ABSORB as u32)
            .map(|i| i.to_le_bytes().to_vec())
            .collect();
        for (parallel, half) in [
            (true, &keys[..PARALLEL_ABSORB * 2]),
            (false, &keys[PARALLEL_ABSORB * 2..]),
        ] {
            let mut level = Level::after(&store, usize::MAX, usize::MAX);
            for key in half {
                level.merge(state(&store, key, Sleep::NONE));
            }
            store.absorb(level, parallel);
        }
        assert_eq!(store.len(), keys.len() + 1);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(store.bytes(i + 1), &key[..]);
            assert!(store.contains(store.hash(key), key));
        }
        let sizes = store.tables.each_ref().map(HashTable::len);
        assert!(
            sizes.iter().all(|&n| n > keys.len() / 3),
            "both shards used: {sizes:?}"
        );
    }
}
