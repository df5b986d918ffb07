//! The reductions of states of interned parts ([`interned`](super::interned)), remembered by
//! their parts' numbers. The rules stay in [`reduce`](super::reduce); this only remembers
//! what they found, by what they read:
//! - rule 1 ([`first_look`]) reads a message and its recipient: remembered by the
//!   recipient's number and the message's;
//! - rules 2 and 3 ([`Reducer::kept_refusals`], [`Reducer::second_look`]) read the servers
//!   and the live grants in flight to each candidate: remembered by the servers' numbers and
//!   those grants, then by the message's number.
//!
//! So a successor's reductions cost a few table lookups per message instead of the rules'
//! reading of every message and server.

use super::canon::hash_numbers_and_sets;
use super::interned::{Interned, Tables};
use super::reduce::{Reduced, Reducer, Scene, first_look};
use crate::raft::{MAX_SERVERS, RaftServer, Role, ServerSet};
use foldhash::fast::FixedState;
use std::collections::HashMap;

/// A worker's remembered reductions (kept with its [`Tables`], whose numbers they use).
#[derive(Default)]
pub(super) struct Reductions {
    /// By recipient's number, by message's number: [`UNSEEN`], or [`SEEN`] plus [`DEAD`]
    /// and [`GRANT`] as rule 1 found them.
    first: Vec<Vec<u8>>,
    /// The servers' numbers and grants → their place in `later`.
    later_at: HashMap<LaterKey, u32, FixedState>,
    later: Vec<Later>,
    /// The bytes of `first`'s rows and of `later`'s, in all.
    cells: usize,
}

/// What rules 2 and 3 found with one choice of servers and grants.
struct Later {
    /// The refusals each server keeps (as [`Reduced::refusals`]).
    refusals: [ServerSet; MAX_SERVERS],
    /// By message's number: [`UNSEEN`], or [`SEEN`] plus [`DEAD`].
    dead: Vec<u8>,
}

/// What rules 2 and 3 read: the servers by slot, and the live grants in flight to each
/// candidate (a server that is not one has none here: the rules read grants only of
/// candidates).
#[derive(Clone, Copy, PartialEq, Eq)]
struct LaterKey {
    servers: [u32; MAX_SERVERS],
    grants: [ServerSet; MAX_SERVERS],
}

impl std::hash::Hash for LaterKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_numbers_and_sets(&self.servers, &self.grants, state);
    }
}

const UNSEEN: u8 = 0;
const SEEN: u8 = 1;
const DEAD: u8 = 2;
const GRANT: u8 = 4;

/// The cell for `at` in `row`, the row grown if it is short.
#[inline(always)]
fn cell<'r>(row: &'r mut Vec<u8>, at: usize, cells: &mut usize) -> &'r mut u8 {
    if row.len() <= at {
        *cells += at + 1 - row.len();
        row.resize(at + 1, UNSEEN);
    }
    &mut row[at]
}

impl Reductions {
    /// About how many bytes these take.
    pub fn footprint(&self) -> usize {
        let later = std::mem::size_of::<(LaterKey, u32)>() + std::mem::size_of::<Later>() + 8;
        self.cells + self.first.len() * 24 + self.later.len() * later
    }

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
        if !reducer.enabled {
            out.dead.extend(state.messages.iter().map(|_| false));
            return;
        }
        // Rule 1, and the grants in flight.
        let mut grants = [ServerSet::EMPTY; MAX_SERVERS];
        for &m in state.messages {
            let e = tables.envelope(m);
            let to = state.servers[e.to] as usize;
            if self.first.len() <= to {
                self.first.resize_with(to + 1, Vec::new);
            }
            let cell = cell(&mut self.first[to], m as usize, &mut self.cells);
            if *cell == UNSEEN {
                let look = first_look(servers[e.to], e.from, &e.message);
                *cell =
                    SEEN | if look.dead { DEAD } else { 0 } | if look.grant { GRANT } else { 0 };
            }
            if *cell & GRANT != 0 && servers[e.to].role == Role::Candidate {
                grants[e.to].insert(e.from);
            }
            out.dead.push(*cell & DEAD != 0);
        }
        // Rules 2 and 3.
        let mut key = LaterKey {
            servers: [0; MAX_SERVERS],
            grants,
        };
        key.servers[..n].copy_from_slice(&state.servers[..n]);
        let scene = Scene {
            servers,
            grants: &grants,
        };
        let at = match self.later_at.get(&key) {
            Some(&at) => at as usize,
            None => {
                let mut refusals = [ServerSet::EMPTY; MAX_SERVERS];
                refusals[..n].copy_from_slice(&out.refusals[..n]);
                reducer.kept_refusals(&scene, &mut refusals);
                self.later.push(Later {
                    refusals,
                    dead: Vec::new(),
                });
                self.later_at.insert(key, self.later.len() as u32 - 1);
                self.later.len() - 1
            }
        };
        let later = &mut self.later[at];
        out.refusals[..n].copy_from_slice(&later.refusals[..n]);
        for (&m, dead) in state.messages.iter().zip(out.dead.iter_mut()) {
            if *dead {
                continue;
            }
            let cell = cell(&mut later.dead, m as usize, &mut self.cells);
            if *cell == UNSEEN {
                let dead = reducer.second_look(&scene, tables.envelope(m));
                *cell = SEEN | if dead { DEAD } else { 0 };
            }
            *dead = *cell & DEAD != 0;
        }
    }
}
