//! The canonical form of a state: a compact byte string that two states share exactly when
//! they behave the same from here on. Message ids are left out and messages are sorted, so
//! states that differ only in ids or in the order of equal messages look the same; servers
//! may be renamed by a symmetry of the starting state (every state is written under the
//! renaming that gives the smallest string). The string decodes back into a cluster that
//! takes the same steps.
//!
//! What goes in: every server's term, role, vote, log, commit index, crash flag and its
//! role's bookkeeping (votes as candidate, next/match indices as leader); the partition; the
//! messages in flight; the monitor's history that a future check can depend on (leaders by
//! term, the committed prefix, each server's highest commit index); and the explorer's own
//! budget (duplicates, crashes and requests used). What stays out cannot change any future
//! step or check: message ids, the leader a follower last heard from (used only in
//! explanations) and the monitor's caches.

use super::reduce::{Reduced, Reducer};
use super::view::StateView;
use crate::raft::{
    ClientCommand, Cluster, ClusterConfig, Entry, Envelope, Log, MAX_SERVERS, Message, MessageId,
    RaftServer, Role, ServerRecord, ServerSet,
};
use std::cmp::Ordering;
use std::sync::Arc;

/// The largest cluster whose symmetries are looked for (5! = 120 renamings).
const MAX_SYMMETRIC_SERVERS: usize = 5;

/// A renaming of servers: `perm[server] = slot`.
pub type Perm = [u8; MAX_SERVERS];

/// How much of each bounded action a path to a state has used. Part of the state: two paths
/// to the same cluster with different budgets left can go on differently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Budget {
    /// Duplicates made.
    pub dups: u8,
    /// Crashes made.
    pub crashes: u8,
    /// Client requests made.
    pub requests: u8,
}

/// Encodes and decodes the states of one search: one cluster size, one mutant, one table of
/// client commands, one group of symmetries.
#[derive(Clone, Debug)]
pub struct Codec {
    n: usize,
    config: ClusterConfig,
    commands: Vec<ClientCommand>,
    perms: Vec<Perm>,
    /// Each renaming's inverse: `inverses[i][slot] = server`.
    inverses: Vec<Perm>,
    /// By [`inverse_code`]: the index of the renaming with that inverse, plus one (0 if it
    /// is not one of `perms`).
    by_inverse: Vec<u16>,
    reducer: Reducer,
}

/// Reusable buffers for encoding, one per thread. A scratch serves one codec: it keeps bytes
/// the codec wrote (of a primed parent's messages, of logs) for later forms.
#[derive(Default)]
pub struct Scratch {
    best: Vec<u8>,
    candidate: Vec<u8>,
    messages: Vec<u8>,
    records: Vec<MessageRecord>,
    order: Vec<(u128, u32)>,
    packed: Vec<u128>,
    tied: Vec<usize>,
    reduced: Reduced,
    ids: Vec<u64>,
    /// Whether `order` lists the messages as the renaming chosen last sorts them.
    sorted_as_chosen: bool,
    /// Whether `records` does not hold the live records of the state last chosen for
    /// ([`Codec::choose_from_records`] copies them only when needed).
    records_stale: bool,
    /// The messages of the state last primed ([`Codec::prime`]), by id, their bytes at the
    /// start of `messages`; used while `primed`.
    parent: PrimedMessages,
    primed: bool,
    /// Each server's log as last written, and its bytes; used while `primed`.
    logs: [LogBytes; MAX_SERVERS],
    /// Heads written before, for states of numbered parts ([`Codec::choose_from_records`]).
    heads: Heads,
    /// What the head of the state being encoded is a function of, if it has numbered parts.
    head_key: Option<HeadKey>,
}

/// What the head of a form (all but its messages) is a function of, for a state of numbered
/// parts ([`interned`](super::interned)): the parts' numbers, the budget, the refusals the
/// reductions keep and the renaming.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct HeadKey {
    servers: [u32; MAX_SERVERS],
    history: u32,
    budget: Budget,
    refusals: [ServerSet; MAX_SERVERS],
    /// The renaming's index.
    perm: u16,
}

impl std::hash::Hash for HeadKey {
    // A word at a time (a field at a time would be a hash step per server and set).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for pair in self.servers.chunks(2) {
            let high = pair.get(1).map_or(0, |&s| s as u64);
            state.write_u64(pair[0] as u64 | high << 32);
        }
        let refusals = self
            .refusals
            .iter()
            .fold(0u128, |acc, r| acc << 12 ^ r.bits() as u128);
        state.write_u128(refusals);
        let budget = self.budget;
        state.write_u64(
            self.history as u64
                | (self.perm as u64) << 32
                | (budget.dups as u64) << 48
                | (budget.crashes as u64) << 56,
        );
        state.write_u8(budget.requests);
    }
}

impl HeadKey {
    /// The key of a state with these servers and history (by number).
    pub fn of(servers: [u32; MAX_SERVERS], history: u32) -> HeadKey {
        HeadKey {
            servers,
            history,
            ..HeadKey::default()
        }
    }
}

/// Heads written before: where their bytes lie in `bytes`.
#[derive(Default)]
struct Heads {
    at: std::collections::HashMap<HeadKey, (u32, u32), foldhash::fast::FixedState>,
    bytes: Vec<u8>,
}

/// Heads kept at most, in bytes: past it the cache starts again (a large search's heads may
/// not repeat much).
const HEADS_BYTES: usize = 4 << 20;

/// A log and its bytes. Successors share their parent's logs, which rarely change (and never
/// with the renaming), so a server's log is mostly the one it had last time: compared in
/// O(1) (shared storage), copied rather than written entry by entry.
#[derive(Default)]
struct LogBytes {
    log: Log,
    /// The entries' bytes, then [`PAD`] zeros (for a fixed-size copy).
    bytes: Vec<u8>,
}

/// A parent state's messages, encoded once for all its successors: a message keeps its id
/// and its content while in flight, so a successor's message with an id the parent had is
/// that message.
#[derive(Default)]
struct PrimedMessages {
    ids: Vec<MessageId>,
    records: Vec<MessageRecord>,
    /// The length of their bytes.
    bytes: usize,
}

/// How many leading bytes of a message sort as one number; every byte naming a server is
/// among them (sender, recipient, and candidate or leader after a term of at most 10 bytes).
const KEY_BYTES: usize = 16;

/// At most this many messages sort packed (their index fits the key's spare byte).
pub(super) const PACKED_MAX: usize = 256;

/// Sorts a few keys, mostly in order already (a decoded state lists its messages in
/// canonical order; a step appends its new ones).
fn insertion_sort(list: &mut [u128]) {
    for i in 1..list.len() {
        let item = list[i];
        let mut j = i;
        while j > 0 && item < list[j - 1] {
            list[j] = list[j - 1];
            j -= 1;
        }
        list[j] = item;
    }
}

/// Copies the records of the live messages (`messages`, by number in `records`) of the state
/// last reduced into `scratch.records`.
fn copy_live_records(scratch: &mut Scratch, (records, messages): (&[MessageRecord], &[u32])) {
    scratch.records.clear();
    let live = messages.iter().zip(&scratch.reduced.dead);
    let live = live.filter(|(_, dead)| !**dead);
    scratch
        .records
        .extend(live.map(|(&m, _)| records[m as usize]));
    scratch.records_stale = false;
}

/// The messages as [`Codec::sort_messages`] last sorted them: (renamed key, record index).
fn sorted(scratch: &Scratch) -> impl Iterator<Item = (u128, u32)> + '_ {
    let packed = scratch.packed.iter().map(|&p| unpack(p));
    // One of the two lists is empty.
    packed.chain(scratch.order.iter().copied())
}

/// A packed sort key's renamed key and record index (see [`Codec::sort_messages`]).
#[inline(always)]
fn unpack(packed: u128) -> (u128, u32) {
    (packed & !0xff, (packed & 0xff) as u32)
}

/// One message encoded under no renaming.
#[derive(Clone, Copy, Debug)]
pub(super) struct MessageRecord {
    start: u32,
    len: u32,
    /// Offset of the byte naming a candidate or leader (0: none besides the sender).
    reference: u8,
    /// What its owner numbers it by (an interned message's number; 0 if not interned).
    tag: u32,
    /// The first [`KEY_BYTES`] bytes, big-endian, zero-padded.
    key: u128,
    /// What the message adds to its sender's and its recipient's signatures (see
    /// [`Codec::candidates`]).
    adds: (u64, u64),
}

impl MessageRecord {
    /// The record, tagged with the number its owner knows it by.
    pub(super) fn tagged(self, tag: u32) -> MessageRecord {
        MessageRecord { tag, ..self }
    }
}

/// The record's key with its server-naming bytes renamed.
#[inline(always)]
fn rename_key(r: &MessageRecord, perm: &Perm) -> u128 {
    let mut key = r.key.to_be_bytes();
    key[0] = perm[key[0] as usize];
    key[1] = perm[key[1] as usize];
    if r.reference != 0 {
        let at = r.reference as usize;
        key[at] = perm[key[at] as usize];
    }
    u128::from_be_bytes(key)
}

impl Codec {
    /// A codec for states reachable from `start`, where client requests carry the commands
    /// in `requests`. With `symmetry`, servers that the starting state cannot tell apart are
    /// merged (up to 5 servers).
    pub fn new(start: &Cluster, requests: &[ClientCommand], symmetry: bool) -> Codec {
        let n = start.servers().len();
        let mut commands: Vec<ClientCommand> = vec![Arc::from("")];
        let mut intern = |command: &ClientCommand| {
            if !commands.iter().any(|c| **c == **command) {
                commands.push(command.clone());
            }
        };
        for server in start.servers() {
            server.log.entries().for_each(|e| intern(&e.command));
        }
        for envelope in start.in_flight() {
            if let Message::AppendEntries { entries, .. } = &envelope.message {
                entries.iter().for_each(|e| intern(&e.command));
            }
        }
        let history = start.monitor_history();
        history
            .committed
            .iter()
            .for_each(|(e, _)| intern(&e.command));
        requests.iter().for_each(&mut intern);
        let mut codec = Codec {
            n,
            config: start.config().clone(),
            commands,
            perms: vec![identity()],
            inverses: vec![identity()],
            by_inverse: Vec::new(),
            reducer: Reducer {
                enabled: false,
                bug: start.bug(),
                ceiling: 0,
            },
        };
        if symmetry && n <= MAX_SYMMETRIC_SERVERS {
            let mut scratch = Scratch::default();
            let mut reference = Vec::new();
            codec.encode_as(start, Budget::default(), &identity(), &mut reference);
            let mut perms = Vec::new();
            for perm in all_perms(n) {
                codec.encode_as(start, Budget::default(), &perm, &mut scratch.candidate);
                if scratch.candidate == reference {
                    perms.push(perm);
                }
            }
            codec.inverses = perms.iter().map(|perm| inverse(perm, n)).collect();
            codec.by_inverse = vec![0; n.pow(n as u32)];
            for (i, inv) in codec.inverses.iter().enumerate() {
                codec.by_inverse[inverse_code(&inv[..n], n)] = i as u16 + 1;
            }
            codec.perms = perms;
        }
        codec
    }

    /// The same codec, leaving out of every state what the reductions of [`reduce`](super::reduce)
    /// allow, for a search in which no term passes `ceiling`.
    pub fn reducing(mut self, ceiling: crate::raft::Term) -> Codec {
        self.reducer.enabled = true;
        self.reducer.ceiling = ceiling;
        self
    }

    /// How many servers the states have.
    pub fn servers(&self) -> usize {
        self.n
    }

    /// How many renamings of the servers the search merges (1: none).
    pub fn symmetries(&self) -> usize {
        self.perms.len()
    }

    /// The commands client requests may carry, by their code.
    pub fn command(&self, code: usize) -> Option<&ClientCommand> {
        self.commands.get(code)
    }

    /// Writes the canonical form of (`cluster`, `budget`) into `scratch` and returns it.
    pub fn canonical<'s>(
        &self,
        cluster: &impl StateView,
        budget: Budget,
        scratch: &'s mut Scratch,
    ) -> &'s [u8] {
        scratch.primed = false;
        self.canonical_with(cluster, budget, scratch, None);
        &scratch.best
    }

    /// Encodes the messages of `parent` once, for [`Codec::canonical_child`] to reuse in the
    /// canonical forms of its successors.
    pub fn prime(&self, parent: &impl StateView, scratch: &mut Scratch) {
        scratch.messages.clear();
        let primed = &mut scratch.parent;
        primed.ids.clear();
        primed.records.clear();
        for envelope in parent.messages() {
            primed.ids.push(envelope.id);
            let record = self.encode_record(envelope, &mut scratch.messages);
            primed.records.push(record);
        }
        primed.bytes = scratch.messages.len();
        scratch.primed = true;
    }

    /// [`Codec::canonical`] of a state reached by one step from the state last primed with
    /// [`Codec::prime`] on this `scratch` (its messages still in flight are not encoded
    /// again), and the renaming chosen; then [`Codec::message_order`] can tell the order of
    /// the messages (only wanted for a new state, so not worked out for every successor).
    pub fn canonical_child<'s>(
        &self,
        cluster: &impl StateView,
        budget: Budget,
        scratch: &'s mut Scratch,
    ) -> (&'s [u8], Perm) {
        let perm = self.canonical_with(cluster, budget, scratch, None);
        (&scratch.best, perm)
    }

    /// Like [`Codec::canonical`], also returning the renaming chosen and, in `order`, the ids
    /// of the messages in the order the canonical form lists them.
    pub fn canonical_witness(
        &self,
        cluster: &impl StateView,
        budget: Budget,
        order: &mut Vec<u64>,
    ) -> (Vec<u8>, Perm) {
        let mut scratch = Scratch::default();
        let perm = self.canonical_with(cluster, budget, &mut scratch, Some(order));
        (scratch.best, perm)
    }

    /// The ids of `cluster`'s messages in the order its canonical form lists them, into
    /// `order`, right after [`Codec::canonical_child`] of `cluster` on `scratch`
    /// returned `perm`.
    pub fn message_order(
        &self,
        cluster: &impl StateView,
        perm: &Perm,
        scratch: &mut Scratch,
        order: &mut Vec<u64>,
    ) {
        // The sorted lists hold the last renaming tried; sort again unless it won.
        if !scratch.sorted_as_chosen {
            self.sort_messages(perm, scratch);
        }
        scratch.ids.clear();
        for (id, &dead) in cluster.message_ids().zip(&scratch.reduced.dead) {
            if !dead {
                scratch.ids.push(id);
            }
        }
        order.clear();
        // As [`sorted`] lists them, each list read on its own (one of them is empty).
        let ids = &scratch.ids;
        let packed = scratch.packed.iter().map(|&p| ids[unpack(p).1 as usize]);
        order.extend(packed);
        order.extend(scratch.order.iter().map(|&(_, i)| ids[i as usize]));
    }

    /// The canonical form last written into `scratch`.
    pub fn last_form(scratch: &Scratch) -> &[u8] {
        &scratch.best
    }

    /// A scratch for [`Codec::choose_from_records`]: the bytes of every message recorded
    /// with [`Codec::record`] stay in it.
    pub(super) fn records_scratch() -> Scratch {
        Scratch {
            // Logs written before may be copied (the cache checks the log it holds).
            primed: true,
            ..Scratch::default()
        }
    }

    /// Encodes `envelope` once, under no renaming, into `scratch` (one made by
    /// [`Codec::records_scratch`]), for [`Codec::choose_from_records`].
    pub(super) fn record(&self, envelope: &Envelope, scratch: &mut Scratch) -> MessageRecord {
        self.encode_record(envelope, &mut scratch.messages)
    }

    /// The canonical renaming of a state whose messages were recorded already (`records`
    /// lists them in the state's order, recorded into this `scratch` with [`Codec::record`]),
    /// by index, as [`Codec::canonical_child`] would choose it, without writing the form
    /// where no other renaming ties with it. `key` holds the numbers of the state's parts: a
    /// head written before is copied. The messages are then sorted as the renaming names
    /// them ([`Codec::chosen_order`]), and the head's parts may be written with
    /// [`Codec::server_bytes`] and [`Codec::rest_bytes`].
    ///
    /// The state must have been reduced into `scratch` ([`Codec::reduce`]).
    pub(super) fn choose_from_records(
        &self,
        state: &impl StateView,
        budget: Budget,
        (records, messages): (&[MessageRecord], &[u32]),
        key: HeadKey,
        scratch: &mut Scratch,
    ) -> usize {
        scratch.head_key = Some(HeadKey {
            budget,
            refusals: scratch.reduced.refusals,
            ..key
        });
        let dead = &scratch.reduced.dead;
        let live = || {
            let live = messages.iter().zip(dead).filter(|(_, dead)| !**dead);
            live.map(|(&m, _)| &records[m as usize])
        };
        let refusals = &scratch.reduced.refusals;
        self.candidates_of(state, refusals, live(), &mut scratch.tied);
        // Most states need no more than the signatures: their live records are copied only
        // to be sorted ([`Codec::chosen_order`]) or to break a tie.
        scratch.records_stale = true;
        if scratch.tied.len() > 1 {
            copy_live_records(scratch, (records, messages));
        }
        self.choose(state, budget, scratch, None, false)
    }

    /// Works out what of `state` the canonical form leaves out, into `scratch` (see
    /// [`reduce`](super::reduce)): read by [`Codec::dead`] and
    /// [`Codec::choose_from_records`].
    pub(super) fn reduce(&self, state: &impl StateView, scratch: &mut Scratch) {
        self.reducer.reduce(state, &mut scratch.reduced);
    }

    /// For each message of the state last reduced, in its order: whether the form leaves it
    /// out.
    pub(super) fn dead(scratch: &Scratch) -> &[bool] {
        &scratch.reduced.dead
    }

    /// The number by which `record`'s message sorts under renaming `perm` when every message
    /// of a state packs ([`Codec::sort_messages`]); `None` if this one does not.
    pub(super) fn packed_key(&self, record: &MessageRecord, perm: usize) -> Option<u128> {
        ((record.len as usize) < KEY_BYTES).then(|| rename_key(record, &self.perms[perm]))
    }

    /// Sorts the live messages of the state last chosen for by their [`Codec::packed_key`]s
    /// under the renaming chosen (`keys`, in the state's order; at most [`PACKED_MAX`]), as
    /// [`Codec::chosen_order`] would; returns their places in the state's live messages,
    /// in sorted order.
    pub(super) fn sort_packed<'s>(
        &self,
        keys: impl Iterator<Item = u128>,
        scratch: &'s mut Scratch,
    ) -> impl Iterator<Item = u32> + 's {
        scratch.order.clear();
        scratch.packed.clear();
        let keys = keys.enumerate().map(|(i, key)| key | i as u128);
        scratch.packed.extend(keys);
        debug_assert!(scratch.packed.len() <= PACKED_MAX);
        insertion_sort(&mut scratch.packed);
        scratch.sorted_as_chosen = true;
        sorted(scratch).map(|(_, i)| i)
    }

    /// The tags of the live messages among those recorded ([`MessageRecord::tagged`]), in
    /// the order the canonical form under renaming `perm` (the one last chosen) lists them.
    /// `records` and `messages` are those [`Codec::choose_from_records`] was given.
    pub(super) fn chosen_order<'s>(
        &self,
        perm: usize,
        (records, messages): (&[MessageRecord], &[u32]),
        scratch: &'s mut Scratch,
    ) -> impl Iterator<Item = u32> + 's {
        if scratch.records_stale {
            copy_live_records(scratch, (records, messages));
        }
        if !scratch.sorted_as_chosen {
            self.sort_messages(&self.perms[perm], scratch);
            scratch.sorted_as_chosen = true;
        }
        let records = &scratch.records;
        sorted(scratch).map(|(_, i)| records[i as usize].tag)
    }

    /// For each server, what the reduction of the history's leaders asks of it, as one
    /// number: twice its term plus one, less one if it is a candidate (so a server could
    /// still lead a term `t` exactly when its stake is at most `2t`); all zero when the
    /// search does not reduce, which keeps every leader.
    #[inline(always)]
    fn stakes(&self, state: &impl StateView) -> [u128; MAX_SERVERS] {
        if !self.reducer.enabled {
            return [0; MAX_SERVERS];
        }
        let mut stakes = [u128::MAX; MAX_SERVERS];
        for s in state.servers() {
            stakes[s.id] = stake(s.current_term, s.role == Role::Candidate);
        }
        stakes
    }

    /// Whether the form keeps the history's leader `leader` of term `term`, given the
    /// servers' [`Codec::stakes`]: only while another server could still lead that term (it
    /// is at a lower term, or a candidate in it), since only a new leader of the term is
    /// ever compared with it (see [`reduce`](super::reduce)).
    #[inline(always)]
    fn leader_kept(stakes: &[u128], term: crate::raft::Term, leader: usize) -> bool {
        // The smallest stake but the leader's, without a branch per server.
        let others = stakes.iter().enumerate();
        let others = others.map(|(id, &stake)| if id == leader { u128::MAX } else { stake });
        others.min().unwrap_or(u128::MAX) <= 2 * term as u128
    }

    /// Which of the history's leaders, by place (up to 64), the form of `state` keeps
    /// ([`Codec::leader_kept`]); `None` if it has more.
    pub(super) fn leaders_kept(&self, state: &impl StateView) -> Option<u64> {
        let leaders = state.history().leaders;
        if leaders.len() > 64 {
            return None;
        }
        let stakes = self.stakes(state);
        let stakes = &stakes[..self.n];
        let kept = leaders.iter().enumerate();
        let kept = kept
            .map(|(at, &(term, leader))| (Codec::leader_kept(stakes, term, leader) as u64) << at);
        Some(kept.fold(0, |mask, bit| mask | bit))
    }

    /// The bytes of `server` (with these refusals kept) as the form names it under
    /// renaming `perm`, into `out`: one server's part of a compact key.
    pub(super) fn server_bytes(
        &self,
        server: &RaftServer,
        perm: usize,
        refused: ServerSet,
        out: &mut Vec<u8>,
    ) {
        out.clear();
        let mut writer = Writer::new(out);
        let (perm, inv) = (&self.perms[perm], &self.inverses[perm]);
        self.encode_server(server, perm, inv, refused, None, &mut writer);
        writer.finish();
    }

    /// The budget's bytes and the head's rest of `state` under renaming `perm`, into `out`:
    /// the rest's part of a compact key.
    pub(super) fn rest_bytes(
        &self,
        state: &impl StateView,
        budget: Budget,
        perm: usize,
        out: &mut Vec<u8>,
    ) {
        out.clear();
        let mut writer = Writer::new(out);
        writer.byte(budget.dups);
        writer.byte(budget.crashes);
        writer.byte(budget.requests);
        let perm = (&self.perms[perm], &self.inverses[perm]);
        self.encode_rest(state, perm, &mut writer);
        writer.finish();
    }

    /// The refusals each server keeps in the state last reduced.
    pub(super) fn refusals(scratch: &Scratch) -> &[ServerSet; MAX_SERVERS] {
        &scratch.reduced.refusals
    }

    /// The bytes of `envelope` as the form names it under renaming `perm`, into `out`.
    pub(super) fn message_bytes(&self, envelope: &Envelope, perm: usize, out: &mut Vec<u8>) {
        out.clear();
        self.encode_message(envelope, &self.perms[perm], out);
    }

    /// The renaming with this index.
    pub(super) fn perm(&self, index: usize) -> Perm {
        self.perms[index]
    }

    /// Appends `value` as the forms write numbers.
    pub(super) fn put(out: &mut Vec<u8>, value: u64) {
        put(out, value);
    }

    fn canonical_with(
        &self,
        cluster: &impl StateView,
        budget: Budget,
        scratch: &mut Scratch,
        order: Option<&mut Vec<u64>>,
    ) -> Perm {
        self.reducer.reduce(cluster, &mut scratch.reduced);
        self.prepare_messages(cluster, scratch);
        self.candidates(cluster, scratch);
        let chosen = self.choose(cluster, budget, scratch, order, true);
        self.perms[chosen]
    }

    /// The renaming whose encoding of the state (reduced and its messages prepared in
    /// `scratch`, and its [`Codec::candidates`] found) is smallest, by index; its encoding
    /// into `scratch.best` if `write` or if other renamings tie with it on the servers'
    /// signatures (else nothing is written, nor its messages sorted: [`Codec::chosen_order`]
    /// sorts them).
    fn choose(
        &self,
        cluster: &impl StateView,
        budget: Budget,
        scratch: &mut Scratch,
        order: Option<&mut Vec<u64>>,
        write: bool,
    ) -> usize {
        if !write && scratch.tied.len() == 1 {
            // Sorted when asked for ([`Codec::chosen_order`]): a state found by its
            // fingerprint never is.
            scratch.sorted_as_chosen = false;
            return scratch.tied[0];
        }
        // Among the renamings that order the servers' signatures best, the smallest
        // encoding wins.
        let mut head = std::mem::take(&mut scratch.candidate);
        let mut best = std::mem::take(&mut scratch.best);
        let mut chosen = scratch.tied[0];
        self.encode_form(cluster, budget, chosen, scratch, &mut best);
        for t in 1..scratch.tied.len() {
            let i = scratch.tied[t];
            self.encode_form(cluster, budget, i, scratch, &mut head);
            if head < best {
                std::mem::swap(&mut head, &mut best);
                chosen = i;
            }
        }
        scratch.sorted_as_chosen = scratch.tied.last() == Some(&chosen);
        scratch.best = best;
        scratch.candidate = head;
        if let Some(order) = order {
            self.message_order(cluster, &self.perms[chosen], scratch, order);
        }
        chosen
    }

    /// The renamings worth encoding, into `scratch.tied`: those that list the servers'
    /// signatures (a digest of what no renaming changes) in the smallest order. A function
    /// of the state's orbit, so the minimum over them is too.
    fn candidates(&self, cluster: &impl StateView, scratch: &mut Scratch) {
        let refusals = &scratch.reduced.refusals;
        self.candidates_of(cluster, refusals, scratch.records.iter(), &mut scratch.tied);
    }

    /// [`Codec::candidates`] of `cluster` with these refusals kept and these live records.
    fn candidates_of<'r>(
        &self,
        cluster: &impl StateView,
        refusals: &[ServerSet; MAX_SERVERS],
        live: impl Iterator<Item = &'r MessageRecord>,
        tied: &mut Vec<usize>,
    ) {
        tied.clear();
        if self.perms.len() == 1 {
            tied.push(0);
            return;
        }
        let mut signature = [0u64; MAX_SERVERS];
        let history = cluster.history();
        for (id, signature) in signature
            .iter_mut()
            .enumerate()
            .take(cluster.server_count())
        {
            let start = cluster.signature_start(id);
            let mut h = Digest(start.start);
            h.add(history.max_commit[id] as u64);
            h.add(start.granted | (refusals[id].len() as u64) << 8);
            h.add(start.log.0);
            if let Some(term) = start.log.1 {
                h.add(term);
            }
            *signature = h.0;
        }
        // Who sends and receives how much, by kind and term.
        for r in live {
            let key = r.key.to_be_bytes();
            let (from, to) = (key[0] as usize, key[1] as usize);
            signature[from] = signature[from].wrapping_add(r.adds.0);
            signature[to] = signature[to].wrapping_add(r.adds.1);
        }
        match self.ascending_renaming(&signature) {
            Some(i) => tied.push(i),
            None => self.best_renamings(&signature, tied),
        }
    }

    /// When the servers' signatures all differ, the renaming that lists them in increasing
    /// order, if it is one of the group's: then it alone lists them best.
    #[inline(always)]
    fn ascending_renaming(&self, signature: &[u64; MAX_SERVERS]) -> Option<usize> {
        let mut ascending = identity();
        let ascending = &mut ascending[..self.n];
        ascending.sort_unstable_by_key(|&s| signature[s as usize]);
        let distinct = ascending
            .windows(2)
            .all(|w| signature[w[0] as usize] != signature[w[1] as usize]);
        if !distinct {
            return None;
        }
        let at = self.by_inverse[inverse_code(ascending, self.n)];
        (at != 0).then(|| at as usize - 1)
    }

    /// The renamings that list the servers' signatures best, into `tied`, found by
    /// comparing every renaming's list.
    fn best_renamings(&self, signature: &[u64; MAX_SERVERS], tied: &mut Vec<usize>) {
        // A renaming lists signature[inverse[slot]] in slot `slot`: compare those lists
        // with the best so far, slot by slot.
        let mut best = &self.inverses[0];
        tied.push(0);
        for (i, inv) in self.inverses.iter().enumerate().skip(1) {
            let order = (0..self.n)
                .map(|slot| signature[inv[slot] as usize].cmp(&signature[best[slot] as usize]))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal);
            match order {
                Ordering::Less => {
                    best = inv;
                    tied.clear();
                    tied.push(i);
                }
                Ordering::Equal => tied.push(i),
                Ordering::Greater => {}
            }
        }
    }

    /// The encoding under one renaming, without choosing among renamings (the symmetry
    /// group is found with it).
    pub fn encode_as(
        &self,
        cluster: &impl StateView,
        budget: Budget,
        perm: &Perm,
        out: &mut Vec<u8>,
    ) {
        let mut scratch = Scratch::default();
        self.reducer.reduce(cluster, &mut scratch.reduced);
        self.prepare_messages(cluster, &mut scratch);
        let inv = inverse(perm, self.n);
        self.sort_messages(perm, &mut scratch);
        out.clear();
        let mut writer = Writer::new(out);
        let reduced = &scratch.reduced;
        self.encode_head(cluster, budget, (perm, &inv), reduced, None, &mut writer);
        self.write_messages(&scratch, &mut writer);
        writer.finish();
    }

    /// The whole form under a renaming and its inverse, into `out`, with the messages as
    /// prepared in `scratch` (and sorted there as the renaming names them).
    fn encode_form(
        &self,
        cluster: &impl StateView,
        budget: Budget,
        index: usize,
        scratch: &mut Scratch,
        out: &mut Vec<u8>,
    ) {
        let perm = (&self.perms[index], &self.inverses[index]);
        self.sort_messages(perm.0, scratch);
        out.clear();
        if let Some(key) = scratch.head_key {
            // A state of numbered parts: its head as written before, if it was.
            let key = HeadKey {
                perm: index as u16,
                ..key
            };
            let heads = &mut scratch.heads;
            let (start, len) = match heads.at.get(&key) {
                Some(&at) => at,
                None => {
                    if heads.bytes.len() > HEADS_BYTES {
                        heads.at.clear();
                        heads.bytes.clear();
                    }
                    let start = heads.bytes.len();
                    let mut writer = Writer::new(&mut heads.bytes);
                    let logs = Some(&mut scratch.logs);
                    self.encode_head(cluster, budget, perm, &scratch.reduced, logs, &mut writer);
                    writer.finish();
                    let at = (start as u32, (heads.bytes.len() - start) as u32);
                    heads.at.insert(key, at);
                    at
                }
            };
            out.extend_from_slice(&scratch.heads.bytes[start as usize..(start + len) as usize]);
        } else {
            let mut writer = Writer::new(out);
            let logs = scratch.primed.then_some(&mut scratch.logs);
            self.encode_head(cluster, budget, perm, &scratch.reduced, logs, &mut writer);
            writer.finish();
        }
        let mut writer = Writer::new(out);
        self.write_messages(scratch, &mut writer);
        writer.finish();
    }

    /// Everything but the messages: the budget, the servers in slot order, the partition and
    /// the monitor's history, under a renaming and its inverse. With `logs`, a log written
    /// before is copied.
    fn encode_head(
        &self,
        cluster: &impl StateView,
        budget: Budget,
        (perm, inv): (&Perm, &Perm),
        reduced: &Reduced,
        mut logs: Option<&mut [LogBytes; MAX_SERVERS]>,
        out: &mut Writer<'_>,
    ) {
        let n = self.n;
        out.byte(budget.dups);
        out.byte(budget.crashes);
        out.byte(budget.requests);
        for id in inv[..n].iter().map(|&id| id as usize) {
            let log = logs.as_deref_mut().map(|logs| &mut logs[id]);
            let server = cluster.server(id);
            self.encode_server(server, perm, inv, reduced.refusals[id], log, out);
        }
        self.encode_rest(cluster, (perm, inv), out);
    }

    /// The head after its servers: the partition, the cut links and the monitor's history,
    /// under a renaming and its inverse.
    fn encode_rest(
        &self,
        cluster: &impl StateView,
        (perm, inv): (&Perm, &Perm),
        out: &mut Writer<'_>,
    ) {
        let n = self.n;
        // The partition, with groups numbered in order of first appearance.
        if cluster.network().is_partitioned() {
            let groups = cluster.network().groups();
            out.byte(1);
            let mut renumber = [u8::MAX; 256];
            let mut next = 0;
            for id in inv[..n].iter().map(|&id| id as usize) {
                let g = groups[id] as usize;
                if renumber[g] == u8::MAX {
                    renumber[g] = next;
                    next += 1;
                }
                out.byte(renumber[g]);
            }
        } else {
            out.byte(0);
        }
        // Cut links (the search never cuts or restores one, but a start may have some).
        let network = cluster.network();
        if network.has_cut_links() {
            out.byte(1);
            for id in inv[..n].iter().map(|&id| id as usize) {
                let cut: ServerSet = (0..n).filter(|&to| network.is_cut(id, to)).collect();
                out.num(rename_set(cut, perm) as u64);
            }
        } else {
            out.byte(0);
        }
        let history = cluster.history();
        let stakes = self.stakes(cluster);
        let live = |&&(term, leader): &&(crate::raft::Term, usize)| {
            Codec::leader_kept(&stakes[..n], term, leader)
        };
        out.num(history.leaders.iter().filter(live).count() as u64);
        for &(term, leader) in history.leaders.iter().filter(live) {
            out.num(term);
            out.byte(perm[leader]);
        }
        out.num(history.committed.len() as u64);
        if !history.committed.is_empty() {
            for (entry, term) in history.committed.iter() {
                self.encode_entry(entry, out);
                out.num(*term);
            }
        }
        for id in inv[..n].iter().map(|&id| id as usize) {
            out.num(history.max_commit[id] as u64);
        }
    }

    /// Encodes every message once, under no renaming; a renaming then only rewrites the
    /// bytes that name servers, all of which lie in the first [`KEY_BYTES`].
    /// Messages a primed parent had keep their encoding (its bytes stay at the start of
    /// `scratch.messages`); ids are increasing in flight, so one pass finds them.
    fn prepare_messages(&self, cluster: &impl StateView, scratch: &mut Scratch) {
        let parent = &scratch.parent;
        let primed = scratch.primed;
        scratch
            .messages
            .truncate(if primed { parent.bytes } else { 0 });
        scratch.records.clear();
        scratch.records_stale = false;
        let mut at = 0;
        for (envelope, &dead) in cluster.messages().zip(&scratch.reduced.dead) {
            if primed {
                while at < parent.ids.len() && parent.ids[at] < envelope.id {
                    at += 1;
                }
                if parent.ids.get(at) == Some(&envelope.id) {
                    if !dead {
                        scratch.records.push(parent.records[at]);
                    }
                    continue;
                }
            }
            if !dead {
                let record = self.encode_record(envelope, &mut scratch.messages);
                scratch.records.push(record);
            }
        }
    }

    /// Appends the message, under no renaming, to `messages`; returns its record.
    fn encode_record(&self, envelope: &Envelope, messages: &mut Vec<u8>) -> MessageRecord {
        let start = messages.len();
        let reference = self.encode_message(envelope, &identity(), messages);
        let len = messages.len() - start;
        // Zero padding for a fixed-size read of the key, then gone again.
        messages.extend_from_slice(&[0; KEY_BYTES]);
        let mut key = [0u8; KEY_BYTES];
        key.copy_from_slice(&messages[start..start + KEY_BYTES]);
        messages.truncate(start + len);
        // The kind (with its yes/no bit) and the term's first byte: no server names.
        let what = (key[2] as u64) << 8 | key[3] as u64;
        MessageRecord {
            start: start as u32,
            len: len as u32,
            reference: reference as u8,
            tag: 0,
            key: u128::from_be_bytes(key),
            adds: (mix(what ^ 0x5a), mix(what ^ 0xa5)),
        }
    }

    /// Sorts the prepared messages as named under `perm`: into `scratch.packed` when every
    /// message fits its key with a byte to spare (then the spare byte holds its index and
    /// one number sorts it), else into `scratch.order`. [`sorted`] reads either.
    fn sort_messages(&self, perm: &Perm, scratch: &mut Scratch) {
        debug_assert!(!scratch.records_stale, "the records are this state's");
        scratch.order.clear();
        scratch.packed.clear();
        let renames = (0..self.n).any(|s| perm[s] as usize != s);
        let records = &scratch.records;
        let packable =
            records.len() <= PACKED_MAX && records.iter().all(|r| (r.len as usize) < KEY_BYTES);
        if packable {
            // The last key byte is zero (padding), so the index breaks ties as `order` would:
            // no tail to compare, and equal keys then sort by position.
            let keys = records.iter().enumerate().map(|(i, r)| {
                let key = if renames { rename_key(r, perm) } else { r.key };
                key | i as u128
            });
            scratch.packed.extend(keys);
            insertion_sort(&mut scratch.packed);
            return;
        }
        for (i, r) in records.iter().enumerate() {
            let key = if renames { rename_key(r, perm) } else { r.key };
            scratch.order.push((key, i as u32));
        }
        let bytes = &scratch.messages;
        // Past the key no byte names a server, so ties compare the raw tails.
        let tail = |i: u32| {
            let r = &records[i as usize];
            let start = r.start as usize + KEY_BYTES.min(r.len as usize);
            &bytes[start..(r.start + r.len) as usize]
        };
        // A total order (the position breaks ties), so any sort gives the same result.
        scratch.order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| tail(a.1).cmp(tail(b.1)))
                .then(a.1.cmp(&b.1))
        });
    }

    /// Appends the messages as sorted (and renamed) by [`Codec::sort_messages`].
    fn write_messages(&self, scratch: &Scratch, out: &mut Writer<'_>) {
        out.num((scratch.order.len() + scratch.packed.len()) as u64);
        for (key, i) in sorted(scratch) {
            let r = &scratch.records[i as usize];
            out.num(r.len as u64);
            // The whole key at once (a fixed-size copy, no call), of which its length counts.
            out.chunk(&key.to_be_bytes(), (r.len as usize).min(KEY_BYTES));
            if r.len as usize > KEY_BYTES {
                let tail = r.start as usize + KEY_BYTES..(r.start + r.len) as usize;
                out.bytes(&scratch.messages[tail]);
            }
        }
    }

    fn encode_server(
        &self,
        s: &RaftServer,
        perm: &Perm,
        inv: &Perm,
        refused: ServerSet,
        cached: Option<&mut LogBytes>,
        out: &mut Writer<'_>,
    ) {
        out.byte(s.role as u8 | (s.crashed as u8) << 2 | (s.voted_for.is_some() as u8) << 3);
        out.num(s.current_term);
        if let Some(v) = s.voted_for {
            out.byte(perm[v]);
        }
        out.num(s.commit_index as u64);
        out.num(s.log.len() as u64);
        if !s.log.is_empty() {
            self.encode_log(&s.log, cached, out);
        }
        match s.role {
            Role::Follower => {}
            Role::Candidate => {
                out.num(rename_set(s.votes_granted, perm) as u64);
                out.num(rename_set(refused, perm) as u64);
            }
            Role::Leader => {
                for peer in inv[..self.n].iter().map(|&peer| peer as usize) {
                    if peer != s.id {
                        out.num(s.next_index[peer] as u64);
                        out.num(s.match_index[peer] as u64);
                    }
                }
            }
        }
    }

    /// The entries of a log that has some (out of line: most states of an election search
    /// have empty logs), copied if `cached` holds them.
    #[inline(never)]
    fn encode_log(&self, log: &Log, cached: Option<&mut LogBytes>, out: &mut Writer<'_>) {
        match cached {
            Some(cached) => {
                if !cached.log.shares_with(log) && cached.log != *log {
                    cached.bytes.clear();
                    for entry in log.entries() {
                        self.encode_entry(entry, &mut cached.bytes);
                    }
                    cached.bytes.extend_from_slice(&[0; PAD]);
                    cached.log.clone_from(log);
                }
                out.padded(&cached.bytes);
            }
            None => {
                for entry in log.entries() {
                    self.encode_entry(entry, out);
                }
            }
        }
    }

    /// Appends the message; returns the offset of the byte naming a candidate or leader
    /// (0 if none: offset 0 names the sender anyway).
    fn encode_message(&self, e: &Envelope, perm: &Perm, out: &mut Vec<u8>) -> usize {
        let start = out.len();
        let mut reference = 0;
        out.push(perm[e.from]);
        out.push(perm[e.to]);
        match &e.message {
            Message::RequestVote {
                term,
                candidate,
                last_log_index,
                last_log_term,
            } => {
                out.push(0);
                put(out, *term);
                reference = out.len() - start;
                out.push(perm[*candidate]);
                put(out, *last_log_index as u64);
                put(out, *last_log_term);
            }
            Message::RequestVoteResponse { term, granted } => {
                out.push(1 | (*granted as u8) << 2);
                put(out, *term);
            }
            Message::AppendEntries {
                term,
                leader,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => {
                out.push(2);
                put(out, *term);
                reference = out.len() - start;
                out.push(perm[*leader]);
                put(out, *prev_log_index as u64);
                put(out, *prev_log_term);
                put(out, *leader_commit as u64);
                put(out, entries.len() as u64);
                for entry in entries.iter() {
                    self.encode_entry(entry, out);
                }
            }
            Message::AppendEntriesResponse {
                term,
                success,
                match_index,
            } => {
                out.push(3 | (*success as u8) << 2);
                put(out, *term);
                put(out, *match_index as u64);
            }
        }
        reference
    }

    fn encode_entry(&self, entry: &Entry, out: &mut impl Sink) {
        out.num(entry.term);
        out.num(self.command_code(&entry.command));
    }

    fn command_code(&self, command: &ClientCommand) -> u64 {
        // Code 0 is the empty command, the only one most logs hold (as copies of their own).
        if command.is_empty() {
            return 0;
        }
        let at = self
            .commands
            .iter()
            .position(|c| Arc::ptr_eq(c, command))
            .or_else(|| self.commands.iter().position(|c| **c == **command));
        // Every command comes from the starting state or the request table.
        at.expect("a known command") as u64
    }

    /// The cluster and budget a canonical form stands for. Servers keep the canonical names
    /// (slot order); messages get ids 1, 2, … in canonical order.
    pub fn decode(&self, bytes: &[u8]) -> (Cluster, Budget) {
        let mut cluster = Cluster::new(self.n);
        let budget = self.decode_into(bytes, &mut cluster);
        (cluster, budget)
    }

    /// As [`Codec::decode`], into `cluster` (of any size), which keeps its buffers: the
    /// explorer decodes every state it expands into the same one.
    pub fn decode_into(&self, bytes: &[u8], cluster: &mut Cluster) -> Budget {
        let mut start = Reader { rest: bytes };
        let budget = Budget {
            dups: start.byte(),
            crashes: start.byte(),
            requests: start.byte(),
        };
        let n = self.n;
        cluster.restore(n, &self.config, |parts| {
            // A copy of its own, so that it stays in registers: each part is given a reader
            // of its own too, set where it starts.
            let mut r = start;
            for id in 0..n {
                let flags = r.byte();
                let role = match flags & 3 {
                    0 => Role::Follower,
                    1 => Role::Candidate,
                    _ => Role::Leader,
                };
                let mut record = ServerRecord {
                    role,
                    term: r.num(),
                    voted_for: (flags & 8 != 0).then(|| r.byte() as usize),
                    commit_index: r.num() as usize,
                    crashed: flags & 4 != 0,
                    ..ServerRecord::default()
                };
                let len = r.num() as usize;
                // The entries are read when the server takes them, after what follows them.
                let mut entries = r;
                r.skip_nums(ENTRY_NUMS * len);
                match role {
                    Role::Follower => {}
                    Role::Candidate => {
                        record.votes_granted = ServerSet::from_mask(r.num());
                        record.votes_refused = ServerSet::from_mask(r.num());
                    }
                    Role::Leader => {
                        record.leader_id = Some(id);
                        for peer in (0..n).filter(|&p| p != id) {
                            record.next_index[peer] = r.num() as usize;
                            record.match_index[peer] = r.num() as usize;
                        }
                    }
                }
                parts.server(id, &record, (0..len).map(|_| self.read_entry(&mut entries)));
            }
            let mut groups = [0u8; MAX_SERVERS];
            if r.byte() == 1 {
                for g in groups.iter_mut().take(n) {
                    *g = r.byte();
                }
            }
            let mut cut = [ServerSet::EMPTY; MAX_SERVERS];
            if r.byte() == 1 {
                for c in cut.iter_mut().take(n) {
                    *c = ServerSet::from_mask(r.num());
                }
            }
            // Each leader is a term and a slot: a byte below 0x80, so it skips as a number.
            let leaders_len = r.num() as usize;
            let mut leaders = r;
            r.skip_nums(2 * leaders_len);
            parts.leaders((0..leaders_len).map(|_| (leaders.num(), leaders.byte() as usize)));
            let committed_len = r.num() as usize;
            let mut committed = r;
            r.skip_nums((ENTRY_NUMS + 1) * committed_len);
            parts.committed(
                (0..committed_len).map(|_| (self.read_entry(&mut committed), committed.num())),
            );
            let mut max_commit = [0; MAX_SERVERS];
            for m in max_commit.iter_mut().take(n) {
                *m = r.num() as usize;
            }
            parts.max_commit(&max_commit[..n]);
            let count = r.num() as usize;
            let mut messages = r;
            parts.network(
                &groups,
                &cut,
                (0..count).map(|_| {
                    let _len = messages.num();
                    self.read_message(&mut messages)
                }),
            );
            debug_assert!(messages.rest.is_empty(), "the whole encoding is read");
        });
        budget
    }

    /// Where each part of a canonical form lies, without decoding it: the budget; each
    /// server's bytes (as slots); the partition and cuts with the monitor's history; each
    /// message's bytes. The same bytes in the same place decode to the same part.
    pub(super) fn split(&self, bytes: &[u8], out: &mut Split) {
        let at = |r: &Reader<'_>| bytes.len() - r.rest.len();
        let mut r = Reader { rest: bytes };
        out.budget = Budget {
            dups: r.byte(),
            crashes: r.byte(),
            requests: r.byte(),
        };
        out.servers.clear();
        for _ in 0..self.n {
            let start = at(&r);
            let flags = r.byte();
            r.num();
            if flags & 8 != 0 {
                r.byte();
            }
            r.num();
            let len = r.num() as usize;
            r.skip_nums(ENTRY_NUMS * len);
            match flags & 3 {
                0 => {}
                1 => r.skip_nums(2),
                _ => r.skip_nums(2 * (self.n - 1)),
            }
            out.servers.push(start..at(&r));
        }
        let start = at(&r);
        if r.byte() == 1 {
            for _ in 0..self.n {
                r.byte();
            }
        }
        if r.byte() == 1 {
            r.skip_nums(self.n);
        }
        let leaders = r.num() as usize;
        r.skip_nums(2 * leaders);
        let committed = r.num() as usize;
        r.skip_nums((ENTRY_NUMS + 1) * committed);
        r.skip_nums(self.n);
        out.rest = start..at(&r);
        out.messages.clear();
        let count = r.num() as usize;
        for _ in 0..count {
            let len = r.num() as usize;
            let start = at(&r);
            out.messages.push(start..start + len);
            r.rest = &r.rest[len..];
        }
        debug_assert!(r.rest.is_empty(), "the whole encoding is split");
    }

    fn read_entry(&self, r: &mut Reader<'_>) -> Entry {
        let term = r.num();
        let code = r.num() as usize;
        Entry {
            term,
            command: self.commands[code].clone(),
        }
    }

    fn read_message(&self, r: &mut Reader<'_>) -> Envelope {
        let from = r.byte() as usize;
        let to = r.byte() as usize;
        let tag = r.byte();
        let message = match tag & 3 {
            0 => Message::RequestVote {
                term: r.num(),
                candidate: r.byte() as usize,
                last_log_index: r.num() as usize,
                last_log_term: r.num(),
            },
            1 => Message::RequestVoteResponse {
                term: r.num(),
                granted: tag & 4 != 0,
            },
            2 => {
                let term = r.num();
                let leader = r.byte() as usize;
                let prev_log_index = r.num() as usize;
                let prev_log_term = r.num();
                let leader_commit = r.num() as usize;
                let len = r.num() as usize;
                let entries = (0..len).map(|_| self.read_entry(r)).collect();
                Message::AppendEntries {
                    term,
                    leader,
                    prev_log_index,
                    prev_log_term,
                    entries,
                    leader_commit,
                }
            }
            _ => Message::AppendEntriesResponse {
                term: r.num(),
                success: tag & 4 != 0,
                match_index: r.num() as usize,
            },
        };
        Envelope {
            id: 0,
            from,
            to,
            message,
        }
    }
}

/// The parts of a canonical form ([`Codec::split`]).
#[derive(Debug, Default)]
pub(super) struct Split {
    /// The budget.
    pub budget: Budget,
    /// Each server's bytes, in slot order.
    pub servers: Vec<std::ops::Range<usize>>,
    /// The partition, the cuts and the monitor's history.
    pub rest: std::ops::Range<usize>,
    /// Each message's bytes, in canonical order.
    pub messages: Vec<std::ops::Range<usize>>,
}

/// The renaming that changes nothing.
pub fn identity() -> Perm {
    std::array::from_fn(|i| i as u8)
}

/// A server's stake in the history's leaders ([`Codec::stakes`]).
fn stake(term: crate::raft::Term, candidate: bool) -> u128 {
    2 * term as u128 + 1 - candidate as u128
}

/// The renaming that undoes `perm` (on the first `n` servers).
fn inverse(perm: &Perm, n: usize) -> Perm {
    let mut inv = identity();
    for s in 0..n {
        inv[perm[s] as usize] = s as u8;
    }
    inv
}

/// A number for the inverse of a renaming of `n` servers (below `n` to the power `n`).
fn inverse_code(inverse: &[u8], n: usize) -> usize {
    inverse
        .iter()
        .rev()
        .fold(0, |code, &s| code * n + s as usize)
}

/// Every renaming of `n` servers, the identity first.
fn all_perms(n: usize) -> Vec<Perm> {
    let mut out = Vec::new();
    let mut current: Vec<u8> = (0..n as u8).collect();
    permute(&mut current, 0, &mut out);
    out.sort_by(|a: &Perm, b: &Perm| a[..n].cmp(&b[..n]).then(Ordering::Equal));
    out
}

fn permute(items: &mut Vec<u8>, k: usize, out: &mut Vec<Perm>) {
    if k == items.len() {
        let mut perm = identity();
        perm[..items.len()].copy_from_slice(items);
        out.push(perm);
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permute(items, k + 1, out);
        items.swap(k, i);
    }
}

fn rename_set(set: ServerSet, perm: &Perm) -> u16 {
    set.iter().fold(0u16, |acc, s| acc | 1 << perm[s])
}

/// A quick digest of a few numbers (not a hash table's hash: only equal inputs must give
/// equal digests).
#[derive(Default)]
struct Digest(u64);

/// What of a server's signature (by which the canonical form chooses a renaming) depends on
/// the server alone.
#[derive(Clone, Copy, Debug)]
pub struct ServerSignature {
    /// The digest of its role, crash flag, vote, term and commit index.
    start: u64,
    /// How many votes it was granted.
    granted: u64,
    /// Its log's length, and its last term if it has entries.
    log: (u64, Option<u64>),
}

/// What of server `s`'s signature depends on it alone.
pub(super) fn signature_start(s: &RaftServer) -> ServerSignature {
    let mut h = Digest::default();
    h.add(s.role as u64 | (s.crashed as u64) << 2);
    h.add(match s.voted_for {
        None => 0,
        Some(v) if v == s.id => 1,
        Some(_) => 2,
    });
    h.add(s.current_term);
    h.add(s.commit_index as u64);
    ServerSignature {
        start: h.0,
        granted: s.votes_granted.len() as u64,
        log: (
            s.log.len() as u64,
            (!s.log.is_empty()).then(|| s.log.last_term()),
        ),
    }
}

impl Digest {
    fn add(&mut self, value: u64) {
        self.0 = mix(self.0 ^ value);
    }
}

fn mix(value: u64) -> u64 {
    (value ^ (value >> 29))
        .wrapping_mul(0xbf58_476d_1ce4_e5b9)
        .rotate_left(31)
}

/// Where encodings are written: bytes, and numbers as [`put`] writes them.
trait Sink {
    fn byte(&mut self, b: u8);
    fn num(&mut self, value: u64);
}

impl Sink for Vec<u8> {
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        self.push(b);
    }

    #[inline(always)]
    fn num(&mut self, value: u64) {
        put(self, value);
    }
}

/// The padding that lets short byte strings be copied at a fixed size.
const PAD: usize = 16;

/// How many bytes a [`Writer`] gathers before it appends them.
const WRITER_BYTES: usize = 64;

/// Appends to a vector through a buffer on the stack, a block at a time: the buffer's length
/// can stay in a register, where a vector's must be stored and loaded again around every byte
/// (a byte stored through a pointer may land anywhere, the vector's own length included).
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    buf: [u8; WRITER_BYTES],
    len: usize,
}

impl<'a> Writer<'a> {
    #[inline(always)]
    fn new(out: &'a mut Vec<u8>) -> Writer<'a> {
        Writer {
            out,
            buf: [0; WRITER_BYTES],
            len: 0,
        }
    }

    /// Appends `bytes`.
    #[inline(always)]
    fn bytes(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if end <= WRITER_BYTES {
            self.buf[self.len..end].copy_from_slice(bytes);
            self.len = end;
        } else {
            spill_with(self.out, &self.buf[..self.len], bytes);
            self.len = 0;
        }
    }

    /// Appends `padded` but its last [`PAD`] bytes.
    #[inline(always)]
    fn padded(&mut self, padded: &[u8]) {
        let len = padded.len() - PAD;
        if len <= PAD {
            let chunk = padded[..PAD].try_into().expect("PAD bytes");
            self.chunk(chunk, len);
        } else {
            self.bytes(&padded[..len]);
        }
    }

    /// Appends the first `len` bytes of `chunk` (a fixed-size copy, no call).
    #[inline(always)]
    fn chunk(&mut self, chunk: &[u8; PAD], len: usize) {
        if self.len + PAD > WRITER_BYTES {
            spill_with(self.out, &self.buf[..self.len], &[]);
            self.len = 0;
        }
        self.buf[self.len..self.len + PAD].copy_from_slice(chunk);
        self.len += len;
    }

    /// Appends what is gathered.
    #[inline(always)]
    fn finish(self) {
        // The whole buffer at once (a fixed-size copy, no call), then back to its length.
        let at = self.out.len();
        self.out.extend_from_slice(&self.buf);
        self.out.truncate(at + self.len);
    }
}

/// Appends part of a buffer and then `bytes`.
#[inline(never)]
fn spill_with(out: &mut Vec<u8>, buf: &[u8], bytes: &[u8]) {
    out.extend_from_slice(buf);
    out.extend_from_slice(bytes);
}

/// Appends a full buffer (out of line, and given the parts rather than the writer, so that
/// the writer's length is never seen through a pointer and stays in a register).
#[cold]
#[inline(never)]
fn spill(out: &mut Vec<u8>, buf: &[u8; WRITER_BYTES]) {
    out.extend_from_slice(buf);
}

impl Sink for Writer<'_> {
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        if self.len == WRITER_BYTES {
            spill(self.out, &self.buf);
            self.len = 0;
        }
        self.buf[self.len] = b;
        self.len += 1;
    }

    #[inline(always)]
    fn num(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.byte(value as u8 | 0x80);
            value >>= 7;
        }
        self.byte(value as u8);
    }
}

/// Appends `value` as a LEB128 varint.
fn put(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A number whose first byte, `first`, says more follow in `rest`; and what follows it. Out
/// of line, and given the bytes rather than the reader, so that a reader stays in registers.
#[cold]
#[inline(never)]
fn num_after(first: u8, mut rest: &[u8]) -> (u64, &[u8]) {
    let mut value = (first & 0x7f) as u64;
    let mut shift = 7;
    loop {
        let (&b, after) = rest
            .split_first()
            .expect("a canonical form is read within its length");
        rest = after;
        value |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return (value, rest);
        }
        shift += 7;
    }
}

/// How many numbers an entry is written as: its term and its command's code.
const ENTRY_NUMS: usize = 2;

/// Reads a canonical form from the front: bytes, and numbers as [`put`] writes them.
#[derive(Clone, Copy)]
struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    #[inline(always)]
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self
            .rest
            .split_first()
            .expect("a canonical form is read within its length");
        self.rest = rest;
        b
    }

    #[inline(always)]
    fn num(&mut self) -> u64 {
        // Most numbers (terms, indices, lengths) are below 0x80: one byte.
        let b = self.byte();
        if b < 0x80 {
            b as u64
        } else {
            let (value, rest) = num_after(b, self.rest);
            self.rest = rest;
            value
        }
    }

    /// Reads past `count` numbers (a number ends at its first byte below 0x80).
    #[inline(always)]
    fn skip_nums(&mut self, count: usize) {
        let mut left = count;
        while left > 0 {
            if self.byte() < 0x80 {
                left -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::moves::{self, Bounds};
    use crate::raft::ServerState;
    use crate::raft::{Action, ServerAction};
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    fn timeouts(order: &[usize]) -> Cluster {
        let mut cluster = Cluster::new(3);
        for &s in order {
            cluster
                .apply(&Action::on(s, ServerAction::Timeout))
                .expect("times out");
        }
        cluster
    }

    fn key(codec: &Codec, cluster: &Cluster) -> Vec<u8> {
        codec
            .canonical(cluster, Budget::default(), &mut Scratch::default())
            .to_vec()
    }

    #[test]
    fn a_leader_is_kept_exactly_while_another_server_could_still_lead_its_term() {
        let states: Vec<(u64, bool)> = (1..=4).flat_map(|t| [(t, false), (t, true)]).collect();
        for a in &states {
            for b in &states {
                for c in &states {
                    let servers = [*a, *b, *c];
                    let stakes = servers.map(|(term, candidate)| stake(term, candidate));
                    for (term, leader) in (1..=4).flat_map(|t| (0..3).map(move |l| (t, l))) {
                        let could_lead = |&(id, &(t, candidate)): &(usize, &(u64, bool))| {
                            id != leader && (t < term || (t == term && candidate))
                        };
                        let kept = servers.iter().enumerate().any(|s| could_lead(&s));
                        assert_eq!(
                            Codec::leader_kept(&stakes, term, leader),
                            kept,
                            "{servers:?}, leader {leader} of term {term}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn message_ids_and_order_do_not_count() {
        let a = timeouts(&[0, 1]);
        let b = timeouts(&[1, 0]);
        let ids = |c: &Cluster| c.in_flight().map(|m| (m.id, m.from)).collect::<Vec<_>>();
        assert_ne!(ids(&a), ids(&b));
        let codec = Codec::new(&Cluster::new(3), &[], false);
        assert_eq!(key(&codec, &a), key(&codec, &b));
        assert_ne!(key(&codec, &a), key(&codec, &timeouts(&[0])));
    }

    /// Three groups: every renaming of 3 servers, S0 and S1 swapped only, and every renaming
    /// of 4 servers.
    fn three_groups() -> [Codec; 3] {
        let mut with_s2_apart = vec![ServerState::default(); 3];
        with_s2_apart[2].term = 2;
        let codecs = [
            Codec::new(&Cluster::new(3), &[], true),
            Codec::new(&Cluster::from_states(with_s2_apart), &[], true),
            Codec::new(&Cluster::new(4), &[], true),
        ];
        assert_eq!(codecs.each_ref().map(Codec::symmetries), [6, 2, 24]);
        codecs
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn distinct_signatures_find_the_renaming_that_comparing_every_renaming_finds(
            // Few values, so that signatures often tie.
            values in prop::array::uniform4(0u64..6),
        ) {
            for (c, codec) in three_groups().iter().enumerate() {
                let mut signature = [0u64; MAX_SERVERS];
                signature[..codec.n].copy_from_slice(&values[..codec.n]);
                let mut tied = Vec::new();
                codec.best_renamings(&signature, &mut tied);
                match codec.ascending_renaming(&signature) {
                    Some(i) => prop_assert_eq!(tied, vec![i]),
                    None => {
                        let distinct = (0..codec.n)
                            .all(|a| (0..a).all(|b| signature[a] != signature[b]));
                        // Ties, or a group without the renaming that sorts them.
                        prop_assert!(!distinct || c == 1);
                    }
                }
            }
        }
    }

    #[test]
    fn distinct_signatures_are_sorted_at_once_when_the_group_holds_the_sorting() {
        let [three, pair, four] = three_groups();
        let of = |values: &[u64]| {
            let mut signature = [0u64; MAX_SERVERS];
            signature[..values.len()].copy_from_slice(values);
            signature
        };
        assert!(three.ascending_renaming(&of(&[5, 3, 4])).is_some());
        assert!(four.ascending_renaming(&of(&[5, 3, 4, 1])).is_some());
        assert_eq!(three.ascending_renaming(&of(&[5, 3, 5])), None, "a tie");
        // S0 and S1 may be swapped, S2 stays.
        assert_eq!(pair.ascending_renaming(&of(&[1, 2, 9])), Some(0));
        assert!(pair.ascending_renaming(&of(&[2, 1, 9])).is_some());
        assert_eq!(pair.ascending_renaming(&of(&[9, 1, 2])), None);
    }

    #[test]
    fn servers_the_start_cannot_tell_apart_are_merged_and_others_are_not() {
        let fresh = Cluster::new(3);
        let merged = Codec::new(&fresh, &[], true);
        let plain = Codec::new(&fresh, &[], false);
        assert_eq!(key(&merged, &timeouts(&[0])), key(&merged, &timeouts(&[2])));
        assert_ne!(key(&plain, &timeouts(&[0])), key(&plain, &timeouts(&[2])));
        // A start where S2 differs: only S0 and S1 may be swapped.
        let mut states = vec![ServerState::default(); 3];
        states[2].term = 2;
        let start = Cluster::from_states(states);
        let codec = Codec::new(&start, &[], true);
        assert_eq!(codec.symmetries(), 2);
        let after = |s: usize| {
            let mut c = start.clone();
            c.apply(&Action::on(s, ServerAction::Timeout))
                .expect("times out");
            c
        };
        assert_eq!(key(&codec, &after(0)), key(&codec, &after(1)));
        assert_ne!(key(&codec, &after(0)), key(&codec, &after(2)));
    }

    /// Along random walks with every kind of fault: a state decodes to one with the same
    /// canonical form, and a move taken on the decoded state and on the real one (through
    /// the renaming and message order the canonical form chose) leads to the same canonical
    /// form again.
    #[test]
    fn decoded_states_behave_like_the_states_they_stand_for() {
        decoded_states_behave_alike(None);
    }

    /// The same with the reductions, which leave dead messages, refusals that cannot matter
    /// and the history of finished terms out of the decoded state: the real state, with all
    /// of them, takes every move to the same canonical form. Walks stop at the ceiling the
    /// reductions are told no term passes (here 12 terms above the start's highest).
    #[test]
    fn reduced_states_behave_like_the_states_they_stand_for() {
        decoded_states_behave_alike(Some(12));
    }

    fn decoded_states_behave_alike(terms_above_start: Option<u64>) {
        let requests: Vec<ClientCommand> = (0..400).map(|i| Arc::from(format!("x{i}"))).collect();
        // The last starts with a link cut one way (until a random heal).
        for (name, seed, cut) in [
            ("seed-example", 1, false),
            ("figure7-a", 2, false),
            ("stale-leader", 3, false),
            ("figure8", 4, false),
            ("seed-example", 5, true),
        ] {
            let scenario = crate::load::load(name).expect("built-in");
            let mut start = scenario.cluster();
            if cut {
                let link = crate::raft::Link {
                    from: 1,
                    to: 2,
                    both_ways: false,
                };
                start.apply(&Action::Cut(link)).expect("cuts");
                assert!(Codec::new(&start, &[], true).symmetries() < 6);
            }
            let start_term = start.servers().iter().map(|s| s.current_term).max();
            let ceiling = terms_above_start.and_then(|above| Some(start_term? + above));
            let bounds = Bounds {
                max_term: ceiling.unwrap_or(50),
                max_requests: 3,
                max_crashes: 2,
                max_dups: 2,
                max_depth: None,
            };
            let mut commands: Vec<ClientCommand> = requests.clone();
            commands.extend((1..=3).map(|i| Arc::from(format!("x{i}")) as ClientCommand));
            let mut codec = Codec::new(&start, &commands, true);
            if let Some(ceiling) = ceiling {
                codec = codec.reducing(ceiling);
            }
            let mut rng = SmallRng::seed_from_u64(seed);
            let mut cluster = start.clone();
            let mut checked = 0;
            let mut dead_delivered = 0;
            for step in 0..300 {
                let action = crate::random_actions::random_action(&cluster, &mut rng, step);
                let _ = cluster.apply(&action);
                let highest = cluster.servers().iter().map(|s| s.current_term).max();
                if !cluster.violations().is_empty() || highest > ceiling.or(highest) {
                    break;
                }
                let budget = Budget::default();
                let mut order = Vec::new();
                let (canonical, perm) = codec.canonical_witness(&cluster, budget, &mut order);
                let (decoded, decoded_budget) = codec.decode(&canonical);
                assert_eq!(decoded_budget, budget);
                assert_eq!(key(&codec, &decoded), canonical, "{name} step {step}");
                let mut options = Vec::new();
                moves::moves(&decoded, budget, &bounds, true, &mut options);
                let n = cluster.servers().len();
                let mut servers = vec![0; n];
                for (server, &slot) in perm.iter().enumerate().take(n) {
                    servers[slot as usize] = server;
                }
                // What the reductions left out changes nothing when it is delivered.
                for dead in cluster
                    .in_flight()
                    .map(|m| m.id)
                    .filter(|id| !order.contains(id))
                {
                    let mut r = cluster.clone();
                    r.apply(&Action::Deliver(dead)).expect("applies");
                    assert_eq!(
                        codec.canonical(&r, budget, &mut Scratch::default()),
                        canonical,
                        "{name} step {step}: delivering dead message {dead}"
                    );
                    dead_delivered += 1;
                }
                let decoded_ids: Vec<u64> = decoded.in_flight().map(|m| m.id).collect();
                let slots: Vec<usize> = (0..n).collect();
                // The parent's messages encoded once, reused for each successor.
                let mut primed = Scratch::default();
                codec.prime(&cluster, &mut primed);
                for mv in options.iter().copied().take(12) {
                    let (on_decoded, b1) =
                        moves::action(mv, &slots, &decoded_ids, budget, &commands[400..]);
                    let (on_real, b2) =
                        moves::action(mv, &servers, &order, budget, &commands[400..]);
                    let mut d = decoded.clone();
                    let mut r = cluster.clone();
                    d.apply(&on_decoded).expect("applies");
                    r.apply(&on_real).expect("applies");
                    let fresh = codec.canonical(&r, b2, &mut Scratch::default()).to_vec();
                    assert_eq!(
                        codec.canonical(&d, b1, &mut Scratch::default()),
                        fresh,
                        "{name} step {step} move {mv:?}"
                    );
                    assert_eq!(
                        codec.canonical_child(&r, b2, &mut primed).0,
                        fresh,
                        "{name} step {step} move {mv:?}, the parent primed"
                    );
                    checked += 1;
                }
            }
            assert!(checked > 100, "{name}: only {checked} moves checked");
            if ceiling.is_some() {
                assert!(
                    dead_delivered > 10,
                    "{name}: only {dead_delivered} dead messages"
                );
            }
        }
    }
}
