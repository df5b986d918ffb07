//! The four RPC messages of Figure 2, and the envelope the network wraps them in.

use super::log::Entries;
use super::types::{LogIndex, MessageId, ServerId, Term};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A Raft message. Every message carries its sender's term (edge case 5 of the brief).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    /// A candidate asks for a vote (§5.2).
    RequestVote {
        /// The candidate's term.
        term: Term,
        /// The candidate asking.
        candidate: ServerId,
        /// Index of the candidate's last log entry (§5.4.1).
        last_log_index: LogIndex,
        /// Term of the candidate's last log entry (§5.4.1).
        last_log_term: Term,
    },
    /// The answer to a RequestVote.
    RequestVoteResponse {
        /// The voter's current term.
        term: Term,
        /// Whether the vote was granted.
        granted: bool,
    },
    /// A leader replicates entries, or asserts its leadership with none (§5.3).
    AppendEntries {
        /// The leader's term.
        term: Term,
        /// The leader sending.
        leader: ServerId,
        /// Index of the entry just before the new ones.
        prev_log_index: LogIndex,
        /// Term of that entry.
        prev_log_term: Term,
        /// The entries to store (empty for a heartbeat): a suffix of the leader's log, shared
        /// with it rather than copied.
        entries: Entries,
        /// The leader's commit index.
        leader_commit: LogIndex,
    },
    /// The answer to an AppendEntries.
    AppendEntriesResponse {
        /// The follower's current term.
        term: Term,
        /// Whether the follower's log matched at `prev_log_index`.
        success: bool,
        /// On success, `prev_log_index` + number of entries: how far the follower's log is
        /// now known to match the leader's. 0 on failure.
        match_index: LogIndex,
    },
}

/// The kind of a message, without its fields.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum MessageKind {
    /// [`Message::RequestVote`]
    RequestVote,
    /// [`Message::RequestVoteResponse`]
    RequestVoteResponse,
    /// [`Message::AppendEntries`]
    AppendEntries,
    /// [`Message::AppendEntriesResponse`]
    AppendEntriesResponse,
}

impl MessageKind {
    /// The name used in scenario files and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::RequestVote => "RequestVote",
            MessageKind::RequestVoteResponse => "RequestVoteResponse",
            MessageKind::AppendEntries => "AppendEntries",
            MessageKind::AppendEntriesResponse => "AppendEntriesResponse",
        }
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Message {
    /// The sender's term, carried by every message.
    pub fn term(&self) -> Term {
        match *self {
            Message::RequestVote { term, .. }
            | Message::RequestVoteResponse { term, .. }
            | Message::AppendEntries { term, .. }
            | Message::AppendEntriesResponse { term, .. } => term,
        }
    }

    /// The message's kind.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::RequestVote { .. } => MessageKind::RequestVote,
            Message::RequestVoteResponse { .. } => MessageKind::RequestVoteResponse,
            Message::AppendEntries { .. } => MessageKind::AppendEntries,
            Message::AppendEntriesResponse { .. } => MessageKind::AppendEntriesResponse,
        }
    }
}

/// A message a server wants sent, waiting in its outbox until the network takes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Outgoing {
    /// The recipient.
    pub to: ServerId,
    /// The message.
    pub message: Message,
}

/// A message in flight: the network's id for it, its sender and its recipient.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Envelope {
    /// Stable id, increasing in send order.
    pub id: MessageId,
    /// The sender.
    pub from: ServerId,
    /// The recipient.
    pub to: ServerId,
    /// The message.
    pub message: Message,
}
