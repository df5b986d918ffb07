//! Restoring a server in place from what the explorer stores of it, keeping its buffers.

use super::{Node, RaftServer};
use crate::raft::log::Entry;
use crate::raft::types::{LogIndex, MAX_SERVERS, Role, ServerId, ServerSet, Term};

/// Everything a server holds between steps but its log and the cluster's settings: what the
/// explorer stores of a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServerRecord {
    /// FOLLOWER, CANDIDATE or LEADER.
    pub role: Role,
    /// Current term.
    pub term: Term,
    /// Vote in the current term.
    pub voted_for: Option<ServerId>,
    /// Commit index.
    pub commit_index: LogIndex,
    /// Whether it is crashed.
    pub crashed: bool,
    /// As candidate: who granted a vote this term.
    pub votes_granted: ServerSet,
    /// As candidate: who refused this term.
    pub votes_refused: ServerSet,
    /// The leader it last heard from in its current term.
    pub leader_id: Option<ServerId>,
    /// As leader: next index to send to each server.
    pub next_index: [LogIndex; MAX_SERVERS],
    /// As leader: highest index known replicated on each server.
    pub match_index: [LogIndex; MAX_SERVERS],
}

impl Default for ServerRecord {
    /// A follower in term 1 that has not voted.
    fn default() -> ServerRecord {
        ServerRecord {
            role: Role::Follower,
            term: 1,
            voted_for: None,
            commit_index: 0,
            crashed: false,
            votes_granted: ServerSet::EMPTY,
            votes_refused: ServerSet::EMPTY,
            leader_id: None,
            next_index: [0; MAX_SERVERS],
            match_index: [0; MAX_SERVERS],
        }
    }
}

impl RaftServer {
    /// Becomes, in place, server `node` in the state `record` with a log of `entries` (all of
    /// it to be checked, as a new log's), between steps: nothing in its outbox, no event
    /// recorded. Keeps its buffers, and its log's storage if it holds those entries already;
    /// keeps its settings (the cluster gives them).
    pub(crate) fn restore(
        &mut self,
        node: Node,
        record: &ServerRecord,
        entries: impl IntoIterator<Item = Entry>,
    ) {
        // Every field named, so that a new one cannot be forgotten here.
        let RaftServer {
            id,
            cluster_size,
            role,
            current_term,
            voted_for,
            log,
            commit_index,
            votes_granted,
            votes_refused,
            next_index,
            match_index,
            leader_id,
            crashed,
            bug: _,
            max_entries_per_append: _,
            outbox,
            events,
        } = self;
        *id = node.id;
        *cluster_size = node.cluster_size;
        *role = record.role;
        *current_term = record.term;
        *voted_for = record.voted_for;
        log.restore(entries);
        *commit_index = record.commit_index;
        *votes_granted = record.votes_granted;
        *votes_refused = record.votes_refused;
        *next_index = record.next_index;
        *match_index = record.match_index;
        *leader_id = record.leader_id;
        *crashed = record.crashed;
        outbox.clear();
        events.clear();
    }
}
