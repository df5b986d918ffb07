//! Sound reductions of the explorer's states: what a state holds that can never change what
//! happens from it, left out of its canonical form, so that states differing only in it are
//! one state. Each rule below says why it is sound. The common argument: if a state S and a
//! state S' differ only in what a rule leaves out, every move from S is matched by a move
//! from S' (the same move, or no move at all when it acts only on what was left out) to
//! states that again differ only in what the rules leave out, and the other way round; the
//! invariants look only at the servers and the monitor's history, which the rules never leave
//! out. So S and S' reach the same violations, by paths no longer than each other's, and the
//! search stays exhaustive and breadth-first-shortest. `tests/explore.rs` checks it: with and
//! without the reductions, every mutant is caught at the same depth by the same invariant, and
//! the correct model passes.
//!
//! The rules:
//! 1. **Dead responses** ([`RaftServer::ignores_forever`], a rule of the model): a response
//!    its recipient ignores now and at any later time.
//! 2. **Refusals that cannot matter.** A candidate remembers who refused it this term only to
//!    ignore that voter's later answers of the term as duplicates. If the voter can never
//!    again answer it with a grant of the term — the voter is in a later term (its answers
//!    carry its term), or voted for someone else in this term (a vote stands for the whole
//!    term) — and no grant of the term from the voter is in flight, then whether the
//!    refusal was counted changes nothing: a later refusal is ignored or counted, and either
//!    way nothing but the record changes (a lost election is only announced). Such a record
//!    is left out, and so are refusals of the term from that voter to that candidate in
//!    flight (delivering one only sets the record). Not under `vote-twice` (a vote does not
//!    stand) nor `count-stale-votes` (the record also blocks grants of earlier terms).
//! 3. **Requests to servers in the last term.** No server's term can pass the search's
//!    ceiling: the highest term a timeout may reach or that the starting state holds (a
//!    server's term grows only by a timeout or by adopting a term some message carries). A
//!    server at the ceiling keeps its term forever. A request to it that does not change it
//!    — a RequestVote of an older term, or of its term when it voted for someone else — is
//!    answered by a refusal of the ceiling's term; if the sender is also at the ceiling and
//!    that refusal would be dead to it (rules 1 and 2: it is not a candidate, or the refusal
//!    cannot matter), the request is dead too. Likewise an AppendEntries of an older term to
//!    a server at the ceiling, from a sender now a follower at the ceiling (not under
//!    `accept-stale-term`, where a follower obeys it). Not under `vote-twice`.
//! 4. **Drops are never needed.** A message left in flight forever is the same as a message
//!    dropped, for the servers: no move depends on which other messages are in flight. So
//!    every state reached by dropping is a state with fewer messages than one reached without
//!    dropping, which can take every step it can; the search does not drop (see
//!    [`moves`](super::moves)).
//!
//! The history is reduced too: the leader recorded for a term is kept only while another
//! server could still lead that term (it is at a lower term, or a candidate in it), since
//! only a new leader of the term is ever compared with it.

use super::view::StateView;
use crate::raft::{Bug, Message, RaftServer, Role, ServerId, ServerSet, Term};

/// What a state holds that the canonical form leaves out.
#[derive(Debug, Default)]
pub struct Reduced {
    /// For each message in flight (in the network's order): whether it is dead.
    pub dead: Vec<bool>,
    /// For each server: the refusals it counted as candidate that still matter.
    pub refusals: [ServerSet; crate::raft::MAX_SERVERS],
    /// The messages rules 2 and 3 may kill once the grants in flight are known.
    pending: Vec<Pending>,
}

/// A message that meets every condition of rule 2 or 3 that does not depend on the grants in
/// flight.
#[derive(Debug)]
struct Pending {
    /// Its place among the messages.
    at: u32,
    to: ServerId,
    from: ServerId,
    /// A RequestVote (rule 3), else a refusal (rule 2).
    request: bool,
}

/// The reductions of one search.
#[derive(Clone, Copy, Debug)]
pub struct Reducer {
    /// Whether to reduce at all.
    pub enabled: bool,
    /// The mutant the servers run.
    pub bug: Option<Bug>,
    /// No server's term can ever pass this.
    pub ceiling: Term,
}

impl Reducer {
    /// Fills `out` for this state.
    pub fn reduce(&self, state: &impl StateView, out: &mut Reduced) {
        out.dead.clear();
        for s in state.servers() {
            out.refusals[s.id] = s.votes_refused;
        }
        if !self.enabled {
            out.dead.extend(state.messages().map(|_| false));
            return;
        }
        // Each server looked up once (a state of interned parts finds it through two tables).
        let first = state.server(0);
        let mut servers = [first; crate::raft::MAX_SERVERS];
        for (id, s) in servers
            .iter_mut()
            .enumerate()
            .take(state.server_count())
            .skip(1)
        {
            *s = state.server(id);
        }
        let refusals_matter = !matches!(self.bug, Some(Bug::VoteTwice | Bug::CountStaleVotes));
        // One look at each message's kind: rule 1, the grants of each candidate's term in
        // flight (rule 2), and what of rules 2 and 3 does not depend on those grants; the
        // messages that are left wait for them in `pending`.
        let mut grants = [ServerSet::EMPTY; crate::raft::MAX_SERVERS];
        out.pending.clear();
        for (at, e) in state.messages().enumerate() {
            let (to, from) = (servers[e.to], servers[e.from]);
            let mut dead = to.ignores_forever(e.from, &e.message);
            let pending = |request| Pending {
                at: at as u32,
                to: e.to,
                from: e.from,
                request,
            };
            match e.message {
                _ if dead => {}
                Message::RequestVoteResponse {
                    term,
                    granted: true,
                } => {
                    if term == to.current_term {
                        grants[e.to].insert(e.from);
                    }
                }
                // Rule 2 (rule 1 found this very refusal alive, so only rule 2 can kill it).
                Message::RequestVoteResponse {
                    term,
                    granted: false,
                } => {
                    if refusals_matter && to.current_term == term && to.role == Role::Candidate {
                        out.pending.push(pending(false));
                    }
                }
                // Rule 3.
                Message::RequestVote {
                    term, candidate, ..
                } => {
                    if self.bug != Some(Bug::VoteTwice)
                        && to.current_term == self.ceiling
                        && from.current_term == self.ceiling
                        && (term < self.ceiling || to.voted_for.is_some_and(|x| x != candidate))
                    {
                        out.pending.push(pending(true));
                    }
                }
                Message::AppendEntries { term, .. } => {
                    dead = self.bug != Some(Bug::AcceptStaleTerm)
                        && term < self.ceiling
                        && to.current_term == self.ceiling
                        && from.current_term == self.ceiling
                        && from.role == Role::Follower;
                }
                Message::AppendEntriesResponse { .. } => {}
            }
            out.dead.push(dead);
        }
        // Rule 2: whether `voter`'s refusal can matter to candidate `c`.
        let matters = |c: &RaftServer, voter: ServerId| -> bool {
            if !refusals_matter || c.role != Role::Candidate {
                return true;
            }
            let v = servers[voter];
            let term = c.current_term;
            let never_grants = v.current_term > term
                || (v.current_term == term && v.voted_for.is_some_and(|x| x != c.id));
            !never_grants || grants[c.id].contains(voter)
        };
        if refusals_matter {
            for c in state.servers().filter(|s| s.role == Role::Candidate) {
                let mut kept = ServerSet::EMPTY;
                for v in c.votes_refused.iter() {
                    if matters(c, v) {
                        kept.insert(v);
                    }
                }
                out.refusals[c.id] = kept;
            }
        }
        // A refusal of the term `term` from `voter` to `c`: dead now and forever?
        let refusal_dead = |c: &RaftServer, voter: ServerId, term: Term| -> bool {
            let refusal = Message::RequestVoteResponse {
                term,
                granted: false,
            };
            c.ignores_forever(voter, &refusal)
                || (c.current_term == term && c.role == Role::Candidate && !matters(c, voter))
        };
        for p in &out.pending {
            out.dead[p.at as usize] = if p.request {
                refusal_dead(servers[p.from], p.to, self.ceiling)
            } else {
                !matters(servers[p.to], p.from)
            };
        }
    }
}
