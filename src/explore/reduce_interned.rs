//! The reductions of states of interned parts ([`interned`](super::interned)), with what
//! rule 1 found remembered by the parts' numbers. The rules stay in [`reduce`](super::reduce);
//! rule 1 ([`first_look`]) reads only a message and its recipient, so what it found is kept
//! in a small cache by the recipient's number and the message's, and most successors look
//! it up instead of reading every message's recipient again. Rules 2 and 3
//! ([`Reducer::kept_refusals`], [`Reducer::second_look`]) read only a few kinds of message
//! and are worked out each time: remembering them by the servers and the grants in flight
//! cost more than it saved (measured).

use super::interned::{Interned, Tables};
use super::reduce::{Reduced, Reducer, Scene, first_look};
use crate::raft::{MAX_SERVERS, RaftServer, Role, ServerSet};

/// A worker's remembered reductions (kept with its [`Tables`], whose numbers they use).
#[derive(Default)]
pub(super) struct Reductions {
    /// (Recipient's number, message's number) → [`DEAD`] and [`GRANT`] as rule 1 found them.
    first: Cache,
}

const DEAD: u8 = 1;
const GRANT: u8 = 2;

/// A cache of a byte per pair of numbers, of fixed size: each pair has one place (by a hash
/// of it), where a later pair may replace it. A search of few parts finds nearly every pair
/// there; a search of many (whose pairs would not fit any table worth keeping) loses only
/// the time to work a replaced pair out again.
struct Cache {
    slots: Vec<(u64, u8)>,
}

/// log2 of a [`Cache`]'s places.
const CACHE_BITS: u32 = 12;

/// No pair: the key of (`u32::MAX`, `u32::MAX`), which no cache is asked for (numbers are
/// places in tables, below `u32::MAX`).
const EMPTY: u64 = u64::MAX;

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            slots: vec![(EMPTY, 0); 1 << CACHE_BITS],
        }
    }
}

impl Cache {
    /// The byte of the pair (`a`, `b`), worked out by `work` if it is not in the cache.
    #[inline(always)]
    fn get(&mut self, a: u32, b: u32, work: impl FnOnce() -> u8) -> u8 {
        let key = (a as u64) << 32 | b as u64;
        let at = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - CACHE_BITS)) as usize;
        let slot = &mut self.slots[at];
        if slot.0 != key {
            *slot = (key, work());
        }
        slot.1
    }
}

impl Reductions {
    /// Fills `out` for `state` (of `tables`' parts), as `reducer` would
    /// ([`Reducer::reduce`]).
    pub fn reduce(
        &mut self,
        reducer: &Reducer,
        tables: &Tables,
        state: &Interned<'_>,
        out: &mut Reduced,
    ) {
        let n = state.n;
        let first = tables.server(state.servers[0]);
        let mut servers: [&RaftServer; MAX_SERVERS] = [first; MAX_SERVERS];
        for (slot, s) in servers.iter_mut().enumerate().take(n).skip(1) {
            *s = tables.server(state.servers[slot]);
        }
        let servers = &servers[..n];
        for (slot, s) in servers.iter().enumerate() {
            out.refusals[slot] = s.votes_refused;
        }
        out.dead.clear();
        out.dead.resize(state.messages.len(), false);
        if !reducer.enabled {
            return;
        }
        // Rule 1, and the grants in flight.
        let mut grants = [ServerSet::EMPTY; MAX_SERVERS];
        for (&m, dead) in state.messages.iter().zip(out.dead.iter_mut()) {
            let e = tables.envelope(m);
            let to = servers[e.to];
            let look = self.first.get(state.servers[e.to], m, || {
                let look = first_look(to, e.from, &e.message);
                (u8::from(look.dead) * DEAD) | (u8::from(look.grant) * GRANT)
            });
            if look & GRANT != 0 && to.role == Role::Candidate {
                grants[e.to].insert(e.from);
            }
            *dead = look & DEAD != 0;
        }
        // Rules 2 and 3, which read only a few kinds of message, worked out each time (a
        // search of many parts seldom meets the same servers and grants twice).
        let scene = Scene {
            servers,
            grants: &grants,
        };
        reducer.kept_refusals(&scene, &mut out.refusals);
        for (&m, dead) in state.messages.iter().zip(out.dead.iter_mut()) {
            if !*dead {
                *dead = reducer.second_look(&scene, tables.envelope(m));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_works_out_what_it_does_not_hold_and_nothing_else() {
        let mut cache = Cache::default();
        let mut worked = 0;
        let mut get = |cache: &mut Cache, a, b, value| {
            cache.get(a, b, || {
                worked += 1;
                value
            })
        };
        assert_eq!(get(&mut cache, 1000, 2000, 7), 7);
        assert_eq!(
            get(&mut cache, 1000, 2000, 9),
            7,
            "held: not worked out again"
        );
        assert_eq!(
            get(&mut cache, 2000, 1000, 5),
            5,
            "the order of the pair counts"
        );
        // Many pairs: some replace others, and each is still right.
        for a in 0..300u32 {
            for b in 0..300u32 {
                assert_eq!(get(&mut cache, a, b, (a ^ b) as u8), (a ^ b) as u8);
            }
        }
        for a in 0..300u32 {
            for b in 0..300u32 {
                assert_eq!(get(&mut cache, a, b, (a ^ b) as u8), (a ^ b) as u8);
            }
        }
        assert!(
            worked > 90_000,
            "pairs beyond its size are worked out again"
        );
    }
}
