//! Sleep sets (Godefroid, "Partial-Order Methods for the Verification of Concurrent
//! Systems", ch. 5): fewer successors computed, the same states found at the same depths.
//!
//! Two moves are independent when they act on different servers: delivering a message to a
//! and one to b, or a's timeout and a delivery to b. Each changes only its own server, adds
//! its own messages and records its own history, so taken in either order they reach the
//! same state. When a state p tries move x and then move y, independent of x, the state
//! p·y·x is p·x·y, which the search reaches from p·x: so p·y need not try x. x "sleeps" in
//! p·y, and goes on sleeping down the path while the moves taken are independent of it.
//! Breadth first, a state found at one depth by several paths keeps only the moves that
//! sleep on every one of them; a path that finds it at a greater depth is never expanded.
//!
//! Two deliveries to the same server commute too when one of them is a RequestVote that the
//! server refused without changing (taken first, it leaves the server as it was) and the
//! other keeps what handling a RequestVote reads ([`RaftServer::request_vote_inputs`]; taken
//! first, the refusal is the same refusal). Both effects are seen, not predicted: they are
//! known for the moves already tried from a state, which is where they are used. Any two
//! moves on the same server also commute when the server's own handlers, run on copies of
//! it in both orders, end alike ([`commute`](super::commute)); the worker works that out for
//! the moves on the server of each new successor's move and hands it in with the move. The
//! argument is the same as for moves on different servers, made in the state where they
//! commute: a move x tried or asleep in p that commutes with y there sleeps in p·y, since
//! p·y·x is p·x·y.
//!
//! One exception to moves on different servers commuting: two that both add to the monitor's
//! committed history may not, since the first to commit an entry sets the term it is
//! remembered as committed in. So after a move that added to it, only moves seen to add
//! nothing go on sleeping. (The history's first leader of each term is kept by term, so two
//! new leaders commute, unless of the same term: a violation either way, at the same depth.)
//!
//! A move tried from p that leads back to a state already stored (found at p's depth or
//! before) sleeps in every successor p·y with y on another server, also those tried before
//! it: p·y·x is p·x·y, one move from a state at most as deep as p, so it is at most as deep
//! as p·y and found without it. Such a move keeps sleeping down the path while the moves
//! taken are independent of it, and the argument holds all the way: each state on the path
//! is one move deeper, and so is the state that move leads to. It never hides a shortest
//! path to a state, whose every step leads one level deeper, so the states and their depths
//! stay the same. Whether a move leads back from a state does not depend on the path to
//! it, so such moves are kept apart from the others: they sleep in a state if any path to
//! it found them (the others only if every path did), and they pass on to its successors
//! as moves found to lead back.
//!
//! Only deliveries and timeouts sleep. Drops, duplicates, crashes, restarts and requests
//! are treated as depending on every move (they change budgets or several servers), and a
//! move only sleeps while its name fits in the set (message positions below 48).

use super::canon::Perm;
use super::moves::Move;
use super::view::StateView;
#[cfg(test)]
use crate::raft::Cluster;
use crate::raft::{MAX_SERVERS, Message, RaftServer};

/// Message positions at or past this never sleep (their bit would be a timeout's).
pub(super) const MESSAGE_BITS: u32 = 48;

// Every server's timeout needs a bit after the messages'.
const _: () = assert!(MESSAGE_BITS as usize + MAX_SERVERS <= 64);

/// A set of moves not to try from a state, named as in the state's canonical form: bit k
/// for delivering the message at position k, bit 48 + s for server s's timeout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sleep(u64);

impl Sleep {
    /// No move sleeps.
    pub const NONE: Sleep = Sleep(0);

    /// Whether `mv` sleeps.
    pub fn contains(self, mv: Move) -> bool {
        bit(mv).is_some_and(|b| self.0 & (1 << b) != 0)
    }

    /// The moves that sleep in either.
    pub fn union(self, other: Sleep) -> Sleep {
        Sleep(self.0 | other.0)
    }

    /// The moves that sleep in both.
    pub fn intersect(self, other: Sleep) -> Sleep {
        Sleep(self.0 & other.0)
    }

    /// How many moves sleep.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether no move sleeps.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set of these moves (those that can sleep).
    #[cfg(test)]
    pub fn of(moves: &[Move]) -> Sleep {
        Sleep(
            moves
                .iter()
                .filter_map(|&mv| bit(mv))
                .fold(0, |s, b| s | 1 << b),
        )
    }
}

/// The bit a move sleeps under, if it can sleep.
fn bit(mv: Move) -> Option<u32> {
    match mv {
        Move::Deliver(k) if (k as u32) < MESSAGE_BITS => Some(k as u32),
        Move::Timeout(s) => Some(MESSAGE_BITS + s as u32),
        _ => None,
    }
}

/// What a move tried from a state did to the server it acts on, as far as sleep sets care.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effect {
    /// It delivered a RequestVote that its recipient refused, and left the recipient exactly
    /// as it was.
    pub refused_unchanged: bool,
    /// It left what handling a RequestVote reads of the server as it was.
    pub keeps_vote_inputs: bool,
    /// It added to the monitor's committed history. Two moves that both do may not commute,
    /// even on different servers: the first to commit an entry sets the term it is
    /// remembered as committed in.
    pub commits: bool,
}

impl Effect {
    /// What delivering a message (a RequestVote if `request_vote`) did to its recipient,
    /// `before` and `after`; `commits` if it added to the committed history.
    pub fn of_delivery(
        before: &RaftServer,
        after: &RaftServer,
        request_vote: bool,
        commits: bool,
    ) -> Effect {
        let keeps_vote_inputs = before.request_vote_inputs() == after.request_vote_inputs();
        Effect {
            refused_unchanged: keeps_vote_inputs && request_vote && before == after,
            keeps_vote_inputs,
            commits,
        }
    }
}

/// The sleep-set bookkeeping of one state while its moves are tried in order.
#[derive(Default)]
pub struct SleepMoves {
    /// The state's own sleep set: moves not tried.
    asleep: u64,
    /// Moves tried so far (that can sleep).
    tried: u64,
    /// Of those, the ones whose [`Effect`] was `refused_unchanged`.
    refused_unchanged: u64,
    /// Of those, the ones whose [`Effect`] was `keeps_vote_inputs`.
    keeps_vote_inputs: u64,
    /// Of those, the ones whose [`Effect`] was `commits`.
    commits: u64,
    /// The messages that are RequestVotes, by position.
    requests_vote: u64,
    /// For each server, the bits of the moves that act on it.
    acting_on: [u64; MAX_SERVERS],
    /// Of the moves tried, those whose successor was stored already ([`SleepMoves::stored`]).
    back: u64,
    /// Of the moves asleep, those a path to the state found to lead back.
    asleep_back: u64,
    /// The successors given a sleep set so far, in order.
    children: Vec<Child>,
    /// Their message ids by canonical position, one after another.
    orders: Vec<u64>,
}

/// A successor given a sleep set, as [`SleepMoves::successor`] was asked for it, so that moves
/// found later to lead back can sleep in it too ([`SleepMoves::late`]).
struct Child {
    mv: Move,
    effect: Effect,
    perm: Perm,
    /// Where its message ids lie in [`SleepMoves::orders`].
    order: std::ops::Range<usize>,
    /// The moves on the same server that commute with `mv` here.
    commuting: u64,
}

impl SleepMoves {
    /// Starts on `state` (a decoded state), in which the moves `asleep` sleep, and so do
    /// the moves `back` found to lead back to stored states.
    pub fn start(&mut self, state: &impl StateView, asleep: Sleep, back: Sleep) {
        self.asleep = asleep.0 | back.0;
        self.asleep_back = back.0;
        self.tried = 0;
        self.back = 0;
        self.children.clear();
        self.orders.clear();
        self.refused_unchanged = 0;
        self.keeps_vote_inputs = 0;
        self.commits = 0;
        self.requests_vote = 0;
        self.acting_on = [0; MAX_SERVERS];
        for (k, envelope) in state.messages().enumerate().take(MESSAGE_BITS as usize) {
            self.acting_on[envelope.to] |= 1 << k;
            if matches!(envelope.message, Message::RequestVote { .. }) {
                self.requests_vote |= 1 << k;
            }
        }
        for s in 0..state.server_count() {
            self.acting_on[s] |= 1 << (MESSAGE_BITS as usize + s);
        }
    }

    /// Whether `mv` sleeps here (need not be tried).
    pub fn asleep(&self, mv: Move) -> bool {
        Sleep(self.asleep).contains(mv)
    }

    /// What `mv`, taken from `state` (the state started on) to `next`, did: to the
    /// monitor's committed history, and for a delivery, to the server it acts on.
    pub fn effect(&self, mv: Move, state: &impl StateView, next: &impl StateView) -> Effect {
        let commits = state.history().committed != next.history().committed;
        let (Move::Deliver(_), Some(b), Some(to)) = (mv, bit(mv), self.target(mv)) else {
            return Effect {
                commits,
                ..Effect::default()
            };
        };
        let (before, after) = (state.server(to), next.server(to));
        let request_vote = self.requests_vote & (1 << b) != 0;
        Effect::of_delivery(before, after, request_vote, commits)
    }

    /// [`SleepMoves::effect`] of a move that added nothing to the monitor's committed
    /// history, for a delivery that did `delivered` to its recipient (as
    /// [`Effect::of_delivery`] found, with `commits` false).
    pub fn effect_known(&self, mv: Move, delivered: Effect) -> Effect {
        match (mv, bit(mv)) {
            (Move::Deliver(_), Some(_)) => delivered,
            _ => Effect::default(),
        }
    }

    /// Records that `mv` was tried, with its effect.
    pub fn tried(&mut self, mv: Move, effect: Effect) {
        if let Some(b) = bit(mv) {
            self.tried |= 1 << b;
            if effect.refused_unchanged {
                self.refused_unchanged |= 1 << b;
            }
            if effect.keeps_vote_inputs {
                self.keeps_vote_inputs |= 1 << b;
            }
            if effect.commits {
                self.commits |= 1 << b;
            }
        }
    }

    /// Records that `mv`, tried, led to a state already stored.
    pub fn stored(&mut self, mv: Move) {
        if let Some(b) = bit(mv) {
            self.back |= 1 << b;
        }
    }

    /// Once every move is tried: for each successor given a sleep set (by its place among
    /// them), the moves found to lead back to stored states (here, or on a path to this
    /// state) that sleep in it, named as in it, given to `apply` unless there are none.
    pub fn late(&mut self, mut apply: impl FnMut(usize, Sleep)) {
        // Those found here were tried, those a path found are asleep here: either way they
        // sleep after the child's move exactly as the moves tried or asleep before it do.
        let back = self.back | self.asleep_back;
        for (i, child) in self.children.iter().enumerate() {
            let bits = back & self.inherited(child.mv, child.effect, child.commuting);
            if bits != 0 {
                let order = &self.orders[child.order.clone()];
                apply(i, translate(bits, &child.perm, order));
            }
        }
    }

    /// The moves other than `mv` that act on its server and were tried or sleep here, as
    /// bits: those that sleep in the successor by `mv` if [`SleepMoves::successor`] is told
    /// they commute with it (bit k: the delivery of the message at position k; bit 48 + s:
    /// server s's timeout). Those tried later are not asked about, though they may yet be
    /// found to lead back: few would sleep more (562 successors more in the bench's search).
    pub fn same_server(&self, mv: Move) -> u64 {
        match (self.target(mv), bit(mv)) {
            (Some(t), Some(b)) => self.acting_on[t] & !(1 << b) & (self.tried | self.asleep),
            _ => 0,
        }
    }

    /// The server a sleeping-capable move acts on.
    fn target(&self, mv: Move) -> Option<usize> {
        let b = bit(mv)?;
        (0..MAX_SERVERS).find(|&s| self.acting_on[s] & (1 << b) != 0)
    }

    /// The moves that go on sleeping after `mv` (tried, with `effect`), named as in this
    /// state: those on other servers, and those on the same server that commute with it
    /// (`commuting`, or seen to by their effects).
    fn inherited(&self, mv: Move, effect: Effect, commuting: u64) -> u64 {
        let (Some(t), Some(b)) = (self.target(mv), bit(mv)) else {
            return 0;
        };
        let mut elsewhere = (self.asleep | self.tried) & !self.acting_on[t];
        // Two commits need not commute: after one, only moves seen to commit nothing go on
        // sleeping (a move asleep here was not tried, so what it does is unknown).
        if effect.commits {
            elsewhere &= self.tried & !self.commits;
        }
        // A refusal that changed nothing, and a move that keeps what a refusal reads: the
        // refusal is the same before or after the other move, so the two commute.
        let mut seen = 0;
        if effect.keeps_vote_inputs {
            seen |= self.refused_unchanged;
        }
        if effect.refused_unchanged {
            seen |= self.keeps_vote_inputs;
        }
        let mut here = self.tried & seen;
        // Worked out, not seen: what asleep here commutes as well as what was tried.
        if !effect.commits {
            here |= (self.tried | self.asleep) & commuting;
        }
        elsewhere | (here & self.acting_on[t] & !(1 << b))
    }

    /// The successor's sleep set after `mv`, named as in the successor's canonical form:
    /// `perm` renames this state's servers to the successor's slots and `order` lists the
    /// successor's message ids by canonical position. `commuting` holds the moves of
    /// [`SleepMoves::same_server`] that commute with `mv` here. The successor is remembered,
    /// so that moves later found to lead back to stored states can sleep in it too
    /// ([`SleepMoves::late`]).
    pub fn successor(
        &mut self,
        (mv, effect, commuting): (Move, Effect, u64),
        perm: &Perm,
        order: &[u64],
    ) -> Sleep {
        let from = self.orders.len();
        self.orders.extend_from_slice(order);
        self.children.push(Child {
            mv,
            effect,
            perm: *perm,
            order: from..self.orders.len(),
            commuting,
        });
        let bits = self.inherited(mv, effect, commuting);
        translate(bits, perm, order)
    }
}

/// Moves `bits` of a state, named as in its successor: `perm` renames the state's servers to
/// the successor's slots and `order` lists the successor's message ids by canonical position
/// (the state's message at position b has id b + 1; those the move sent have larger ids).
fn translate(bits: u64, perm: &Perm, order: &[u64]) -> Sleep {
    let mut out = 0u64;
    let messages = bits & ((1 << MESSAGE_BITS) - 1);
    if messages != 0 {
        // Without a branch per message: positions past the bits get none.
        for (position, &id) in order.iter().enumerate().take(MESSAGE_BITS as usize) {
            let b = id.wrapping_sub(1);
            let asleep = (b < MESSAGE_BITS as u64) as u64 & messages >> (b & 63);
            out |= (asleep & 1) << position;
        }
    }
    let mut servers = bits >> MESSAGE_BITS;
    while servers != 0 {
        let s = servers.trailing_zeros() as usize;
        servers &= servers - 1;
        out |= 1 << (MESSAGE_BITS + perm[s] as u32);
    }
    Sleep(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_deliveries_and_timeouts_sleep() {
        assert_eq!(bit(Move::Deliver(3)), Some(3));
        assert_eq!(bit(Move::Deliver(48)), None);
        assert_eq!(bit(Move::Timeout(2)), Some(50));
        for mv in [
            Move::Drop(0),
            Move::Duplicate(0),
            Move::Crash(0),
            Move::Restart(0),
            Move::Request(0),
        ] {
            assert_eq!(bit(mv), None);
        }
    }

    /// Three servers after server 0's timeout (RequestVotes to 1 and 2 at positions 0 and 1),
    /// and the bookkeeping started on it with nothing asleep.
    fn after_a_timeout() -> (Cluster, SleepMoves) {
        use crate::raft::{Action, ServerAction};
        let mut state = Cluster::new(3);
        state
            .apply(&Action::on(0, ServerAction::Timeout))
            .expect("a timeout");
        let mut sm = SleepMoves::default();
        sm.start(&state, Sleep::NONE, Sleep::NONE);
        (state, sm)
    }

    #[test]
    fn moves_worked_out_to_commute_on_the_same_server_go_on_sleeping() {
        // Server 1's RequestVote (position 0) and its timeout act on one server.
        let (state, mut sm) = after_a_timeout();
        let identity = super::super::canon::identity();
        let deliver = Move::Deliver(0);
        let timeout_1 = Sleep::of(&[Move::Timeout(1)]);
        // Only what was tried or sleeps is asked about.
        assert_eq!(sm.same_server(deliver), 0);
        sm.start(&state, timeout_1, Sleep::NONE);
        assert_eq!(sm.same_server(deliver), timeout_1.0);
        let child = |sm: &mut SleepMoves, effect, commuting| {
            sm.tried(deliver, effect);
            sm.successor((deliver, effect, commuting), &identity, &[2, 3])
        };
        // Asleep here: it sleeps in the successor only if it commutes with the delivery.
        sm.start(&state, timeout_1, Sleep::NONE);
        assert!(child(&mut sm, Effect::default(), timeout_1.0).contains(Move::Timeout(1)));
        sm.start(&state, timeout_1, Sleep::NONE);
        assert!(child(&mut sm, Effect::default(), 0).is_empty());
        // Tried before the delivery: the same.
        sm.start(&state, Sleep::NONE, Sleep::NONE);
        sm.tried(Move::Timeout(1), Effect::default());
        assert!(child(&mut sm, Effect::default(), timeout_1.0).contains(Move::Timeout(1)));
        // After a move that commits, none of them goes on sleeping.
        sm.start(&state, timeout_1, Sleep::NONE);
        let commits = Effect {
            commits: true,
            ..Effect::default()
        };
        assert!(child(&mut sm, commits, timeout_1.0).is_empty());
    }

    #[test]
    fn a_move_found_to_lead_back_sleeps_in_the_successors_tried_before_it_too() {
        let (state, mut sm) = after_a_timeout();
        let identity = super::super::canon::identity();
        // Two new successors first: by delivering to server 1, and by server 1's timeout.
        sm.tried(Move::Deliver(0), Effect::default());
        let first = sm.successor((Move::Deliver(0), Effect::default(), 0), &identity, &[2, 3]);
        assert!(first.is_empty(), "nothing was tried before it");
        sm.tried(Move::Timeout(1), Effect::default());
        let mut perm = identity;
        perm[..3].copy_from_slice(&[1, 2, 0]);
        let second = sm.successor(
            (Move::Timeout(1), Effect::default(), 0),
            &perm,
            &[2, 1, 3, 4],
        );
        assert!(
            second.is_empty(),
            "the only move tried before acts on the same server"
        );
        // Then the delivery to server 2 and server 2's timeout lead back to stored states.
        for mv in [Move::Deliver(1), Move::Timeout(2)] {
            sm.tried(mv, Effect::default());
            sm.stored(mv);
        }
        let mut late = Vec::new();
        sm.late(|i, sleep| late.push((i, sleep)));
        // Named as in each successor: in the first, the delivery to 2 is at position 0;
        // in the second, message 2 is at position 0 and server 2 is slot 0.
        assert_eq!(
            late,
            [
                (0, Sleep::of(&[Move::Deliver(0), Move::Timeout(2)])),
                (1, Sleep::of(&[Move::Deliver(0), Move::Timeout(0)])),
            ]
        );
        // A new state starts with nothing found.
        sm.start(&state, Sleep::NONE, Sleep::NONE);
        sm.late(|_, _| panic!("no successor yet"));
    }

    #[test]
    fn moves_a_path_found_to_lead_back_pass_on_as_such() {
        let (state, mut sm) = after_a_timeout();
        let back = Sleep::of(&[Move::Deliver(0), Move::Timeout(2)]);
        sm.start(&state, Sleep::NONE, back);
        assert!(sm.asleep(Move::Deliver(0)) && sm.asleep(Move::Timeout(2)));
        // Delivering to server 2: the delivery to 1 goes on sleeping, 2's timeout wakes.
        sm.tried(Move::Deliver(1), Effect::default());
        let identity = super::super::canon::identity();
        let child = sm.successor((Move::Deliver(1), Effect::default(), 0), &identity, &[1, 3]);
        let to_one = Sleep::of(&[Move::Deliver(0)]);
        assert_eq!(child, to_one);
        let mut late = Vec::new();
        sm.late(|i, sleep| late.push((i, sleep)));
        assert_eq!(late, [(0, to_one)], "and it still leads back");
    }

    #[test]
    fn a_move_sleeps_after_an_independent_one_and_wakes_after_a_dependent_one() {
        let (state, mut sm) = after_a_timeout();
        assert_eq!(state.in_flight().len(), 2);
        sm.tried(Move::Deliver(0), Effect::default()); // to server 1
        sm.tried(Move::Timeout(2), Effect::default());
        let identity = super::super::canon::identity();
        // After delivering to server 2, the delivery to 1 sleeps; 2's timeout does not.
        let after = sm.successor((Move::Deliver(1), Effect::default(), 0), &identity, &[1, 3]);
        assert!(after.contains(Move::Deliver(0)));
        assert!(!after.contains(Move::Timeout(2)));
        assert_eq!(after.len(), 1);
        // After server 1's timeout, the delivery to 1 wakes; 2's timeout goes on sleeping.
        let after = sm.successor(
            (Move::Timeout(1), Effect::default(), 0),
            &identity,
            &[1, 2, 3, 4],
        );
        assert!(!after.contains(Move::Deliver(0)));
        assert!(after.contains(Move::Timeout(2)));
        // Renamed: server 2 becomes slot 0, and message 1 moves to position 1.
        let mut perm = identity;
        perm[..3].copy_from_slice(&[1, 2, 0]);
        let after = sm.successor((Move::Deliver(1), Effect::default(), 0), &perm, &[3, 1]);
        assert!(after.contains(Move::Deliver(1)));
        assert!(!after.contains(Move::Deliver(0)));
        // A crash wakes everything.
        assert!(
            sm.successor((Move::Crash(0), Effect::default(), 0), &identity, &[1, 2])
                .is_empty()
        );
    }

    /// Servers 0 and 2 time out (both candidates of term 2, each with its own vote):
    /// RequestVotes 0→1, 0→2, 2→0, 2→1 at positions 0 to 3.
    fn two_candidates() -> Cluster {
        use crate::raft::{Action, ServerAction};
        let mut state = Cluster::new(3);
        for s in [0, 2] {
            state
                .apply(&Action::on(s, ServerAction::Timeout))
                .expect("a timeout");
        }
        state
    }

    /// The sleep set after the second of two deliveries tried from `state` (whose own sleep
    /// set is `asleep`), each given as (position, effect). The successor keeps the other
    /// messages' order and adds the reply: ids 1, 2, 3 and 5 when position 3 goes.
    fn after_both(
        state: &Cluster,
        asleep: Sleep,
        first: (u16, Effect),
        then: (u16, Effect),
    ) -> Sleep {
        let mut sm = SleepMoves::default();
        sm.start(state, asleep, Sleep::NONE);
        sm.tried(Move::Deliver(first.0), first.1);
        sm.tried(Move::Deliver(then.0), then.1);
        let identity = super::super::canon::identity();
        sm.successor((Move::Deliver(then.0), then.1, 0), &identity, &[1, 2, 3, 5])
    }

    #[test]
    fn a_refusal_that_changed_nothing_and_a_step_keeping_what_it_reads_are_seen_as_such() {
        use crate::raft::Action;
        let state = two_candidates();
        let mut sm = SleepMoves::default();
        sm.start(&state, Sleep::NONE, Sleep::NONE);
        let ids: Vec<u64> = state.in_flight().map(|e| e.id).collect();
        let after = |k: usize| {
            let mut next = state.clone();
            next.apply(&Action::Deliver(ids[k])).expect("a delivery");
            next
        };
        // Server 0 has voted for itself in term 2: it refuses 2's request and stays as it was.
        let refused = sm.effect(Move::Deliver(2), &state, &after(2));
        assert!(refused.refused_unchanged && refused.keeps_vote_inputs);
        // Server 1 adopts term 2 and votes for 0: what a request reads has changed.
        let granted = sm.effect(Move::Deliver(0), &state, &after(0));
        assert_eq!(granted, Effect::default());
        // A timeout has no effect that sleep sets use.
        assert_eq!(
            sm.effect(Move::Timeout(1), &state, &state),
            Effect::default()
        );
    }

    #[test]
    fn two_steps_of_one_server_are_seen_to_commute_only_when_one_is_a_refusal_the_other_keeps() {
        let state = two_candidates();
        let refusal = Effect {
            refused_unchanged: true,
            keeps_vote_inputs: true,
            ..Effect::default()
        };
        let keeps = Effect {
            keeps_vote_inputs: true,
            ..Effect::default()
        };
        // Positions 0 and 3 both go to server 1.
        for (first, then, sleeps) in [
            (refusal, keeps, true),
            (keeps, refusal, true),
            (refusal, refusal, true),
            (keeps, keeps, false),
            (refusal, Effect::default(), false),
            (Effect::default(), refusal, false),
        ] {
            let after = after_both(&state, Sleep::NONE, (0, first), (3, then));
            assert_eq!(
                after.contains(Move::Deliver(0)),
                sleeps,
                "{first:?} then {then:?}"
            );
        }
    }

    #[test]
    fn moves_that_both_commit_do_not_sleep_for_each_other() {
        let state = two_candidates();
        let adds = Effect {
            commits: true,
            ..Effect::default()
        };
        // Position 2 goes to server 0, position 3 to server 1; the parent's own sleep set has
        // server 2's timeout asleep (bit 48 + 2).
        for (first, then, sleeps, timeout_sleeps) in [
            (Effect::default(), Effect::default(), true, true),
            (adds, Effect::default(), true, true),
            (Effect::default(), adds, true, false),
            (adds, adds, false, false),
        ] {
            let asleep = Sleep(1 << (MESSAGE_BITS + 2));
            let after = after_both(&state, asleep, (2, first), (3, then));
            assert!(!after.contains(Move::Deliver(1)), "never tried");
            assert_eq!(
                after.contains(Move::Deliver(2)),
                sleeps,
                "{first:?} then {then:?}"
            );
            assert_eq!(
                after.contains(Move::Timeout(2)),
                timeout_sleeps,
                "{first:?} then {then:?}"
            );
        }
    }
}
