//! A worker's interned parts: every server state, message and history it has met, numbered
//! once, and every step the model took from a server state, remembered. A search meets few
//! of each (the bench's whole space of 284,292 states is made of 73 server states and 78
//! messages), so after the first few states a worker no longer decodes a state, copies it
//! or runs the model: it reads a state's parts as numbers and looks its steps up.
//!
//! Exact by construction: a part's number stands for the part the state's canonical form
//! decodes to (the same bytes in the same place decode to the same part; a state's compact
//! key names those bytes by their numbers in the [`Registry`]), and a remembered
//! step is what the model did when it took that step from a decoded state
//! ([`Tables::learn_step`]), kept only when the step can go the same way from every state
//! (see [`Step::simple`]). A step that is not, and every move other than a delivery or a
//! timeout, is taken on the decoded state as before. The successor is then read through
//! [`StateView`], by the same code that writes a decoded state's canonical form, and its
//! compact key made from that ([`KeyParts::key`]).

use super::canon::{
    Budget, Codec, HeadKey, MessageRecord, PACKED_MAX, Perm, Scratch, ServerSignature,
    signature_start,
};
use super::commute;
use super::compact::{self, Kind, Registry};
use super::fingerprint::{self, Fingerprint};
use super::sleep::Effect;
use super::view::StateView;
use crate::raft::invariants::MonitorHistory;
use crate::raft::{
    Cluster, Entry, Envelope, Event, LogIndex, MAX_SERVERS, Message, MessageId, PVec, RaftNetwork,
    RaftServer, Role, ServerId, ServerSet, Term,
};
use foldhash::fast::FixedState;
use std::collections::HashMap;

type Map<K, V> = HashMap<K, V, FixedState>;

/// What the model did when one server took one step from a decoded state.
#[derive(Clone, Copy, Debug)]
pub(super) struct Step {
    /// The server after the step.
    pub server: u32,
    /// Where the messages it sent lie in [`Tables::sent`], in the order sent.
    pub sent_from: u32,
    /// How many it sent.
    pub sent: u32,
    /// Its only event was ignoring a response.
    pub ignored: bool,
    /// The term it made the server leader of, if it did.
    pub leads: Option<Term>,
    /// What a delivery did to its recipient, as sleep sets care (see
    /// [`Effect::of_delivery`]); for a simple step, which commits nothing, its whole effect.
    pub delivered: Effect,
    /// The step goes the same way from every state in which the server is in this state: it
    /// changed no log, no commit index and no crash flag and left the monitor's history as it
    /// was, but for a new leader; so the monitor's checks after it read only the server before
    /// and after it (they found nothing), and for a new leader, the history's leaders and
    /// committed entries (see [`Tables::after_leader`]).
    pub simple: bool,
}

/// What a decoded state's history is a function of ([`Tables::history_key`]): its form's
/// rest, by number, and a number for each server (by slot).
type HistoryKey = (u32, [u64; MAX_SERVERS]);

/// A monitor's history, owned.
struct History {
    leaders: PVec<(Term, ServerId)>,
    committed: PVec<(Entry, Term)>,
    max_commit: Vec<LogIndex>,
}

/// One worker's interned parts and steps (kept from level to level).
#[derive(Default)]
pub(super) struct Tables {
    servers: Vec<RaftServer>,
    /// Each server's [`signature_start`].
    signature_starts: Vec<ServerSignature>,
    server_numbers: Map<RaftServer, u32>,
    /// A server's part in a compact key (its registry number, shifted) with its slot → its
    /// number. A map: registry numbers count every kind of part, so a table by them would be
    /// mostly empty.
    server_parts: Map<u64, u32>,
    envelopes: Vec<Envelope>,
    records: Vec<MessageRecord>,
    message_numbers: Map<Envelope, u32>,
    /// A message's registry number → its number ([`UNKNOWN`] if not met).
    message_parts: Vec<u32>,
    histories: Vec<History>,
    /// [`Tables::history_key`] → the history's number and the budget.
    history_parts: Map<HistoryKey, (u32, Budget)>,
    /// For each server (by number), where its steps lie in `step_list`, by message number
    /// plus one (0 for its timeout): a step's place plus one, 0 if not taken yet.
    steps: Vec<Vec<u32>>,
    step_list: Vec<Step>,
    /// The places in `steps`, in all.
    step_slots: usize,
    /// [`Tables::after_leader`], remembered.
    leaders_after: Map<(u32, Term, u32), Option<u32>>,
    /// [`Tables::commute`], remembered: by the server's number and the two inputs' (each a
    /// message number plus one, 0 for the timeout; the smaller first), in one key (one hash
    /// step instead of three).
    commutes: Map<u128, bool>,
    sent: Vec<u32>,
    /// The network of every state (the search never partitions or cuts, see
    /// [`Tables::usable`]); its messages are not read.
    network: Option<RaftNetwork>,
    /// The entries of the servers' logs, in all (shared or not).
    log_entries: usize,
}

/// A worker's tables, and the scratch that holds their messages' bytes and writes the
/// canonical forms of states of interned parts, and what it knows of the registry.
pub(super) struct Memo {
    pub tables: Tables,
    pub scratch: Scratch,
    pub keys: KeyParts,
}

/// A worker's cache of the registry's numbers for the parts of states of interned parts
/// (see [`compact`](super::compact)).
#[derive(Default)]
pub(super) struct KeyParts {
    /// A server's number times the renamings, plus the renaming's index → its part of a key
    /// under that renaming with the refusals it was last asked for.
    servers: Vec<ServerPart>,
    /// A history's number, the budget, the renaming and the leaders kept
    /// ([`Codec::leaders_kept`]) → the registry's number of the head's rest, and what it
    /// adds to a fingerprint.
    rests: Map<(u32, u32, u64), (u32, Fingerprint)>,
    /// A message's number times the renamings, plus the renaming's index → the registry's
    /// number of its bytes under that renaming ([`UNKNOWN`] if not looked up yet).
    messages: Vec<u32>,
    bytes: Vec<u8>,
    /// What each message under each renaming (as in `messages`) adds to a fingerprint
    /// ([`fingerprint::part`] of its number), if its number is known.
    message_parts: Vec<Fingerprint>,
    /// By what each message under each renaming (as in `messages`) sorts
    /// ([`Codec::packed_key`]; [`UNPACKED`] if it does not pack), if its number is known.
    sort_keys: Vec<u128>,
    /// The live messages of the state last chosen for, by their places in `messages`, under
    /// the renaming `live_under` (found by [`KeyParts::fingerprint`], used again by
    /// [`KeyParts::write_key`]).
    live: Vec<u32>,
    live_under: Option<usize>,
    /// The numbers of the rest and of the servers by slot of the state last chosen for
    /// ([`KeyParts::choose`]), and what they add to its fingerprint.
    head: ([u32; MAX_SERVERS + 1], Fingerprint),
}

/// One server's part of a compact key under one renaming.
#[derive(Clone, Copy, Debug)]
struct ServerPart {
    /// The refusals kept it was worked out with (the reductions may drop some).
    refused: ServerSet,
    /// The registry's number of its bytes ([`UNKNOWN`] if not looked up yet).
    number: u32,
    /// What it adds to a fingerprint, at its slot.
    part: Fingerprint,
}

const NO_SERVER_PART: ServerPart = ServerPart {
    refused: ServerSet::EMPTY,
    number: UNKNOWN,
    part: 0,
};

/// Not a number yet.
const UNKNOWN: u32 = u32::MAX;

/// A message's bytes do not fit a packed sort key ([`Codec::packed_key`] never gives it:
/// its last byte is always zero).
const UNPACKED: u128 = u128::MAX;

impl Memo {
    /// Empty tables.
    pub fn new() -> Memo {
        Memo {
            tables: Tables::default(),
            scratch: Codec::records_scratch(),
            keys: KeyParts::default(),
        }
    }

    /// Starts again with empty tables if these take more than about [`MEMO_BYTES`] (a large
    /// search may meet many server states, each kept with its log). Only between states.
    pub fn bound(&mut self) {
        if self.tables.footprint() + self.keys.footprint() > MEMO_BYTES {
            *self = Memo::new();
        }
    }
}

impl KeyParts {
    fn footprint(&self) -> usize {
        let rest = std::mem::size_of::<((u32, u32, u64), (u32, Fingerprint))>();
        self.servers.len() * std::mem::size_of::<ServerPart>()
            + self.rests.len() * (rest + 8)
            + self.messages.len() * (4 + 16 + 16)
    }

    /// Reduces `state` (made of `tables`' parts, `budget` used) and chooses the renaming its
    /// canonical form is written under, by index, as [`Codec::choose_from_records`] does;
    /// looks up the numbers of its head's parts under it, for [`KeyParts::fingerprint`] and
    /// [`KeyParts::write_key`].
    pub fn choose(
        &mut self,
        codec: &Codec,
        registry: &Registry,
        tables: &Tables,
        state: &Interned<'_>,
        budget: Budget,
        scratch: &mut Scratch,
    ) -> usize {
        codec.reduce(state, scratch);
        let head = HeadKey::of(state.servers, state.history);
        let records = (&tables.records[..], state.messages);
        let perm = codec.choose_from_records(state, budget, records, head, scratch);
        let needed = tables.servers.len() * codec.symmetries();
        if self.servers.len() < needed {
            self.servers.resize(needed, NO_SERVER_PART);
        }
        // The head's numbers: each server's by slot, then the rest's.
        let mut numbers = [0; MAX_SERVERS + 1];
        let slots = codec.perm(perm);
        let refusals = Codec::refusals(scratch);
        let mut fp = self.rest_part(codec, registry, state, budget, perm, &mut numbers[0]);
        for id in 0..codec.servers() {
            let slot = slots[id] as usize;
            let server = (state.servers[id], refusals[id], slot);
            let part = self.server_part(codec, registry, tables, server, perm);
            numbers[slot + 1] = part.number;
            fp = fp.wrapping_add(part.part);
        }
        self.head = (numbers, fp);
        self.live_under = None;
        let needed = tables.envelopes.len() * codec.symmetries();
        if self.messages.len() < needed {
            self.messages.resize(needed, UNKNOWN);
            self.message_parts.resize(needed, 0);
            self.sort_keys.resize(needed, UNPACKED);
        }
        perm
    }

    /// The part of a key of server `number` (with refusals `refused` kept, at slot `slot`)
    /// under renaming `perm`, looked up now if it was not known.
    #[inline(always)]
    fn server_part(
        &mut self,
        codec: &Codec,
        registry: &Registry,
        tables: &Tables,
        (number, refused, slot): (u32, ServerSet, usize),
        perm: usize,
    ) -> ServerPart {
        let at = number as usize * codec.symmetries() + perm;
        let known = self.servers[at];
        if known.number != UNKNOWN && known.refused == refused {
            return known;
        }
        let server = tables.server(number);
        codec.server_bytes(server, perm, refused, &mut self.bytes);
        let number = registry.number(Kind::Server, &self.bytes);
        let part = fingerprint::part(number, slot as u64 + 1);
        self.servers[at] = ServerPart {
            refused,
            number,
            part,
        };
        self.servers[at]
    }

    /// The registry's number of the head's rest of `state` (with `budget`) under renaming
    /// `perm`, into `number`; returns what it adds to a fingerprint.
    fn rest_part(
        &mut self,
        codec: &Codec,
        registry: &Registry,
        state: &Interned<'_>,
        budget: Budget,
        perm: usize,
        number: &mut u32,
    ) -> Fingerprint {
        // The rest is a function of these alone: a state of interned parts has no partition
        // and no cut link ([`Tables::usable`]).
        let kept = codec.leaders_kept(state);
        let budget_bits = u32::from_le_bytes([budget.dups, budget.crashes, budget.requests, 0]);
        let key = kept.map(|kept| (state.history, budget_bits | (perm as u32) << 24, kept));
        if let Some(&(known, part)) = key.and_then(|key| self.rests.get(&key)) {
            *number = known;
            return part;
        }
        codec.rest_bytes(state, budget, perm, &mut self.bytes);
        *number = registry.number(Kind::Rest, &self.bytes);
        let part = fingerprint::part(*number, 0);
        if let Some(key) = key {
            self.rests.insert(key, (*number, part));
        }
        part
    }

    /// The fingerprint of the state last chosen for, whose messages are `messages`, under
    /// renaming `perm`: that of its compact key ([`fingerprint::of_key`]), from the numbers
    /// of its parts, without sorting its messages.
    pub fn fingerprint(
        &mut self,
        codec: &Codec,
        registry: &Registry,
        tables: &Tables,
        messages: &[u32],
        perm: usize,
        scratch: &Scratch,
    ) -> Fingerprint {
        self.find_live(codec, registry, (tables, messages), perm, scratch);
        let parts = self.live.iter().map(|&at| self.message_parts[at as usize]);
        parts.fold(self.head.1, Fingerprint::wrapping_add)
    }

    /// The compact key of the state last chosen for, whose messages are `messages`, under
    /// renaming `perm`, into `out`; returns the renaming.
    pub fn write_key(
        &mut self,
        codec: &Codec,
        registry: &Registry,
        (tables, messages): (&Tables, &[u32]),
        perm: usize,
        scratch: &mut Scratch,
        out: &mut Vec<u8>,
    ) -> Perm {
        out.clear();
        for &number in &self.head.0[..=codec.servers()] {
            compact::push(out, number);
        }
        // Sorted by the keys remembered for each message and renaming when they all pack.
        if self.live_under != Some(perm) {
            self.find_live(codec, registry, (tables, messages), perm, scratch);
        }
        let packs = self
            .live
            .iter()
            .all(|&at| self.sort_keys[at as usize] != UNPACKED);
        if packs && self.live.len() <= PACKED_MAX {
            let keys = self.live.iter().map(|&at| self.sort_keys[at as usize]);
            for i in codec.sort_packed(keys, scratch) {
                compact::push(out, self.messages[self.live[i as usize] as usize]);
            }
            return codec.perm(perm);
        }
        let records = (&tables.records[..], messages);
        for message in codec.chosen_order(perm, records, scratch) {
            let at = self.message_number(codec, registry, tables, message, perm);
            compact::push(out, self.messages[at]);
        }
        codec.perm(perm)
    }

    /// The live messages of the state last chosen for, whose messages are `messages`, by
    /// their places under renaming `perm`, into `live`.
    fn find_live(
        &mut self,
        codec: &Codec,
        registry: &Registry,
        (tables, messages): (&Tables, &[u32]),
        perm: usize,
        scratch: &Scratch,
    ) {
        self.live.clear();
        for (&message, &dead) in messages.iter().zip(Codec::dead(scratch)) {
            if !dead {
                let at = self.message_number(codec, registry, tables, message, perm);
                self.live.push(at as u32);
            }
        }
        self.live_under = Some(perm);
    }

    /// Where the registry's number of message `message`'s bytes under renaming `perm` lies in
    /// `messages` (and what it adds to a fingerprint in `message_parts`), looked up now if
    /// it was not known.
    #[inline(always)]
    fn message_number(
        &mut self,
        codec: &Codec,
        registry: &Registry,
        tables: &Tables,
        message: u32,
        perm: usize,
    ) -> usize {
        let at = message as usize * codec.symmetries() + perm;
        if self.messages[at] == UNKNOWN {
            codec.message_bytes(tables.envelope(message), perm, &mut self.bytes);
            let number = registry.number(Kind::Message, &self.bytes);
            self.messages[at] = number;
            self.message_parts[at] = fingerprint::part(number, fingerprint::MESSAGE);
            let record = &tables.records[message as usize];
            self.sort_keys[at] = codec.packed_key(record, perm).unwrap_or(UNPACKED);
        }
        at
    }
}

/// About how many bytes a worker's tables may take before they start again.
const MEMO_BYTES: usize = 8 << 20;

/// The workers' memos between levels: a worker takes one when it starts and gives it back
/// when it ends, so what one learned serves the next level.
pub(super) type Pool = std::sync::Mutex<Vec<Memo>>;

/// A state as numbers: its servers by slot, its messages in canonical order, its history.
#[derive(Clone, Debug, Default)]
pub(super) struct Parts {
    pub servers: [u32; MAX_SERVERS],
    pub messages: Vec<u32>,
    pub history: u32,
}

impl Tables {
    /// Whether a search from `start` can use interned parts: the steps of a server must not
    /// depend on the rest of the network, so no partition, cut link or clock.
    pub fn usable(start: &Cluster) -> bool {
        let network = start.network();
        !network.is_partitioned() && !network.has_cut_links() && start.clock().is_none()
    }

    /// The parts of the state with compact key `key` (of `n` servers) and its budget;
    /// `None` if one was never met (then [`Tables::learn`] them from the decoded state).
    pub fn find(&mut self, key: &[u8], n: usize, parts: &mut Parts) -> Option<Budget> {
        self.network.as_ref()?;
        let mut numbers = compact::numbers(key);
        let rest = numbers.next()?;
        for (slot, number) in numbers.by_ref().take(n).enumerate() {
            let part = (number as u64) << 8 | slot as u64;
            parts.servers[slot] = *self.server_parts.get(&part)?;
        }
        let key = self.history_key(rest, &parts.servers[..n]);
        let &(history, budget) = self.history_parts.get(&key)?;
        parts.history = history;
        parts.messages.clear();
        for number in numbers {
            match self.message_parts.get(number as usize) {
                Some(&m) if m != UNKNOWN => parts.messages.push(m),
                _ => return None,
            }
        }
        Some(budget)
    }

    /// Numbers every part of `state` with `budget`, the decoding of compact key `key`.
    pub fn learn(
        &mut self,
        codec: &Codec,
        key: &[u8],
        (state, budget): (&Cluster, Budget),
        parts: &mut Parts,
        scratch: &mut Scratch,
    ) {
        let n = state.servers().len();
        let mut numbers = compact::numbers(key);
        let rest = numbers.next().expect("a key starts with its rest");
        for (slot, part) in numbers.by_ref().take(n).enumerate() {
            let number = self.server_number(&state.servers()[slot]);
            self.server_parts
                .insert((part as u64) << 8 | slot as u64, number);
            parts.servers[slot] = number;
        }
        let key = self.history_key(rest, &parts.servers[..n]);
        parts.history = match self.history_parts.get(&key) {
            Some(&(number, _)) => number,
            None => {
                let history = state.monitor_history();
                let number = self.histories.len() as u32;
                self.histories.push(History {
                    leaders: history.leaders.clone(),
                    committed: history.committed.clone(),
                    max_commit: history.max_commit.to_vec(),
                });
                self.history_parts.insert(key, (number, budget));
                number
            }
        };
        parts.messages.clear();
        for (envelope, part) in state.in_flight().zip(numbers) {
            let number = self.message_number(codec, envelope, scratch);
            if self.message_parts.len() <= part as usize {
                self.message_parts.resize(part as usize + 1, UNKNOWN);
            }
            self.message_parts[part as usize] = number;
            parts.messages.push(number);
        }
        if self.network.is_none() {
            self.network = Some(state.network().clone());
        }
    }

    /// What a decoded state's history is a function of: its form's rest (by its number in
    /// the registry), and what decoding adds to that: the monitor checks the decoded servers
    /// from scratch, which records each leader as its term's first if none is recorded, and
    /// what a server with a commit index counts as committed. So each server's term if it
    /// leads, and all of a server with a commit index.
    fn history_key(&self, rest: u32, servers: &[u32]) -> HistoryKey {
        let mut key = (rest, [0; MAX_SERVERS]);
        for (part, &number) in key.1.iter_mut().zip(servers) {
            let s = &self.servers[number as usize];
            *part = if s.commit_index > 0 {
                1 << 63 | number as u64
            } else if s.role == Role::Leader {
                s.current_term
            } else {
                0
            };
        }
        key
    }

    /// About how many bytes the tables take: each server twice (in the list and as a key)
    /// with its log's entries, each message with its key and record, each step, and the
    /// maps from keys' parts to servers and histories, and the pairs of steps found to commute
    /// or not.
    fn footprint(&self) -> usize {
        use std::mem::size_of;
        let server = 2 * size_of::<RaftServer>() + 16;
        let message = 2 * size_of::<Envelope>() + size_of::<MessageRecord>() + 32;
        let step = size_of::<Step>();
        self.servers.len() * server
            + self.log_entries * size_of::<Entry>()
            + self.envelopes.len() * message
            + self.step_list.len() * step
            + self.step_slots * 4
            + self.sent.len() * 4
            + self.histories.len() * 64
            + self.message_parts.len() * 4
            + self.server_parts.len() * 16
            + self.history_parts.len() * (size_of::<HistoryKey>() + 16)
            + self.commutes.len() * (size_of::<(u128, bool)>() + 1)
    }

    /// The step server `server` (a number) takes on message `message` (a number; [`None`]
    /// for a timeout), if known.
    pub fn step(&self, server: u32, message: Option<u32>) -> Option<Step> {
        let at = *self.steps.get(server as usize)?.get(step_slot(message))?;
        (at != 0).then(|| self.step_list[at as usize - 1])
    }

    /// Remembers what a step taken from the decoded state `state` to `next` by server
    /// `target` (number `server`) did, with the `events` it gave; `message` as for
    /// [`Tables::step`].
    pub fn learn_step(
        &mut self,
        codec: &Codec,
        (state, next, events): (&Cluster, &Cluster, &[Event]),
        target: usize,
        server: u32,
        message: Option<u32>,
        scratch: &mut Scratch,
    ) -> Step {
        let (before, after) = (&state.servers()[target], &next.servers()[target]);
        let first_new = state.network().next_id();
        let sent_from = self.sent.len() as u32;
        for envelope in next.in_flight().filter(|e| e.id >= first_new) {
            let number = self.message_number(codec, envelope, scratch);
            self.sent.push(number);
        }
        let violation = events.iter().any(|e| matches!(e, Event::Violation(_)));
        let new_leader = after.role == Role::Leader
            && !(before.role == Role::Leader && before.current_term == after.current_term);
        let (h0, h1) = (state.monitor_history(), next.monitor_history());
        let simple = !violation
            && next.violations().is_empty()
            && after.log == before.log
            && after.commit_index == before.commit_index
            && after.crashed == before.crashed
            && (new_leader || h0.leaders == h1.leaders)
            && h0.committed == h1.committed
            && h0.max_commit == h1.max_commit;
        let delivered = match message {
            Some(m) => {
                let request_vote = matches!(
                    self.envelopes[m as usize].message,
                    Message::RequestVote { .. }
                );
                Effect::of_delivery(before, after, request_vote, false)
            }
            None => Effect::default(),
        };
        let step = Step {
            delivered,
            server: self.server_number(after),
            sent_from,
            sent: self.sent.len() as u32 - sent_from,
            ignored: super::search::only_ignores(events),
            leads: new_leader.then_some(after.current_term),
            simple,
        };
        if self.steps.len() <= server as usize {
            self.steps.resize_with(server as usize + 1, Vec::new);
        }
        let row = &mut self.steps[server as usize];
        let slot = step_slot(message);
        if row.len() <= slot {
            self.step_slots += slot + 1 - row.len();
            row.resize(slot + 1, 0);
        }
        self.step_list.push(step);
        row[slot] = self.step_list.len() as u32;
        step
    }

    /// The history (a number) after server `leader` became leader of `term` in a state with
    /// history `history`, as the monitor would record it: the term's first leader, if none
    /// was. `None` if the monitor would find a violation or has more to check than the
    /// leaders: another first leader of the term (Election Safety), or committed entries (the
    /// new leader's Leader Completeness).
    pub fn after_leader(&mut self, history: u32, term: Term, leader: ServerId) -> Option<u32> {
        let key = (history, term, leader as u32);
        if let Some(&after) = self.leaders_after.get(&key) {
            return after;
        }
        let h = &self.histories[history as usize];
        let after = if !h.committed.is_empty() {
            None
        } else {
            match h.leaders.binary_search_by_key(&term, |&(t, _)| t) {
                Ok(at) => h
                    .leaders
                    .get(at)
                    .filter(|&&(_, first)| first == leader)
                    .map(|_| history),
                Err(at) => {
                    let mut leaders = h.leaders.clone();
                    leaders.insert(at, (term, leader));
                    let number = self.histories.len() as u32;
                    self.histories.push(History {
                        leaders,
                        committed: h.committed.clone(),
                        max_commit: h.max_commit.clone(),
                    });
                    Some(number)
                }
            }
        };
        self.leaders_after.insert(key, after);
        after
    }

    /// Whether server `server`'s steps on the two inputs (message numbers; `None` for its
    /// timeout) commute ([`commute::commute`], with timeouts up to `max_term`).
    pub fn commute(
        &mut self,
        server: u32,
        (a, b): (Option<u32>, Option<u32>),
        max_term: Term,
    ) -> bool {
        let code = |input: Option<u32>| input.map_or(0, |m| m + 1);
        let (x, y) = (code(a).min(code(b)), code(a).max(code(b)));
        let key = (server as u128) << 64 | (x as u128) << 32 | y as u128;
        if let Some(&known) = self.commutes.get(&key) {
            return known;
        }
        let input = |code: u32| match code {
            0 => commute::Input::Timeout,
            m => commute::Input::delivering(&self.envelopes[m as usize - 1]),
        };
        let answer = commute::commute(&self.servers[server as usize], input(x), input(y), max_term);
        self.commutes.insert(key, answer);
        answer
    }

    /// The messages a step sent.
    pub fn sent(&self, step: &Step) -> &[u32] {
        &self.sent[step.sent_from as usize..(step.sent_from + step.sent) as usize]
    }

    /// The server with this number.
    pub fn server(&self, number: u32) -> &RaftServer {
        &self.servers[number as usize]
    }

    /// The message with this number (its id means nothing).
    pub fn envelope(&self, number: u32) -> &Envelope {
        &self.envelopes[number as usize]
    }

    fn server_number(&mut self, server: &RaftServer) -> u32 {
        if let Some(&number) = self.server_numbers.get(server) {
            return number;
        }
        let number = self.servers.len() as u32;
        self.log_entries += server.log.len();
        self.signature_starts.push(signature_start(server));
        self.servers.push(server.clone());
        self.server_numbers.insert(server.clone(), number);
        number
    }

    fn message_number(&mut self, codec: &Codec, envelope: &Envelope, scratch: &mut Scratch) -> u32 {
        let plain = Envelope {
            id: 0,
            ..envelope.clone()
        };
        if let Some(&number) = self.message_numbers.get(&plain) {
            return number;
        }
        let number = self.envelopes.len() as u32;
        self.records
            .push(codec.record(&plain, scratch).tagged(number));
        self.envelopes.push(plain.clone());
        self.message_numbers.insert(plain, number);
        number
    }
}

/// Where a server's step on `message` (`None`: its timeout) lies in its row of steps.
fn step_slot(message: Option<u32>) -> usize {
    message.map_or(0, |m| m as usize + 1)
}

/// A state of numbered parts, read through the tables.
pub(super) struct Interned<'t> {
    pub tables: &'t Tables,
    pub n: usize,
    pub servers: [u32; MAX_SERVERS],
    pub messages: &'t [u32],
    /// The id its messages' ids skip. A decoded state numbers its messages 1, 2, … in
    /// canonical order, and the model's step from it numbers those it sends next: so a
    /// successor's messages are numbered 1, 2, … but for the one delivered.
    pub skipped: Option<MessageId>,
    pub history: u32,
}

impl<'t> Interned<'t> {
    /// The id of the message at `place` among its messages: they are numbered 1, 2, … but
    /// for the id `skipped` (without a branch per message).
    #[inline(always)]
    fn message_id(&self, place: usize) -> MessageId {
        let id = place as MessageId + 1;
        id + (id >= self.skipped.unwrap_or(MessageId::MAX)) as MessageId
    }

    /// The decoded state of `n` servers made of `parts`.
    pub fn of(tables: &'t Tables, n: usize, parts: &'t Parts) -> Self {
        Interned {
            tables,
            n,
            servers: parts.servers,
            messages: &parts.messages,
            skipped: None,
            history: parts.history,
        }
    }
}

impl StateView for Interned<'_> {
    #[inline(always)]
    fn server_count(&self) -> usize {
        self.n
    }

    #[inline(always)]
    fn server(&self, id: usize) -> &RaftServer {
        self.tables.server(self.servers[id])
    }

    #[inline(always)]
    fn messages(&self) -> impl ExactSizeIterator<Item = &Envelope> {
        self.messages.iter().map(|&m| self.tables.envelope(m))
    }

    #[inline(always)]
    fn signature_start(&self, id: usize) -> ServerSignature {
        self.tables.signature_starts[self.servers[id] as usize]
    }

    #[inline(always)]
    fn message_numbers(&self) -> Option<&[u32]> {
        Some(self.messages)
    }

    #[inline(always)]
    fn message_ids(&self) -> impl Iterator<Item = MessageId> {
        (0..self.messages.len()).map(|place| self.message_id(place))
    }

    fn network(&self) -> &RaftNetwork {
        self.tables
            .network
            .as_ref()
            .expect("a state was learned before any is read")
    }

    fn history(&self) -> MonitorHistory<'_> {
        let h = &self.tables.histories[self.history as usize];
        MonitorHistory {
            leaders: &h.leaders,
            committed: &h.committed,
            max_commit: &h.max_commit,
        }
    }
}
