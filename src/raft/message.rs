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

impl MessageKind {
    /// Every kind, in the order of Figure 2.
    pub const ALL: [MessageKind; 4] = [
        MessageKind::RequestVote,
        MessageKind::RequestVoteResponse,
        MessageKind::AppendEntries,
        MessageKind::AppendEntriesResponse,
    ];

    /// The fields a message of this kind carries besides its sender and recipient, as named
    /// in scenario files (the sender is the candidateId / leaderId).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            MessageKind::RequestVote => &["term", "last_log_index", "last_log_term"],
            MessageKind::RequestVoteResponse => &["term", "granted"],
            MessageKind::AppendEntries => &[
                "term",
                "prev_log_index",
                "prev_log_term",
                "entries",
                "leader_commit",
            ],
            MessageKind::AppendEntriesResponse => &["term", "success", "match_index"],
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

    /// The fields the message carries, by name: its term and its kind's own fields; the
    /// others are `None`.
    pub fn fields(&self) -> MessageFields<&Entries> {
        let term = Some(self.term());
        match self {
            Message::RequestVote {
                last_log_index,
                last_log_term,
                ..
            } => MessageFields {
                term,
                last_log_index: Some(*last_log_index),
                last_log_term: Some(*last_log_term),
                ..MessageFields::default()
            },
            Message::RequestVoteResponse { granted, .. } => MessageFields {
                term,
                granted: Some(*granted),
                ..MessageFields::default()
            },
            Message::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            } => MessageFields {
                term,
                prev_log_index: Some(*prev_log_index),
                prev_log_term: Some(*prev_log_term),
                entries: Some(entries),
                leader_commit: Some(*leader_commit),
                ..MessageFields::default()
            },
            Message::AppendEntriesResponse {
                success,
                match_index,
                ..
            } => MessageFields {
                term,
                success: Some(*success),
                match_index: Some(*match_index),
                ..MessageFields::default()
            },
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

/// The fields of a message besides its sender and recipient, each optional, by name: the ones a
/// hand-made message gives (a field not given comes from the sender's state, see
/// [`RaftServer::draft`](super::server::RaftServer::draft)), the ones a message carries
/// ([`Message::fields`]), or, with the entries in another form `E`, the ones a scenario's
/// pattern or selector matches. Which fields belong to which kind is [`MessageKind::fields`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MessageFields<E = Entries> {
    /// Every kind: the sender's term.
    pub term: Option<Term>,
    /// RequestVote: the candidate's last log index.
    pub last_log_index: Option<LogIndex>,
    /// RequestVote: the candidate's last log term.
    pub last_log_term: Option<Term>,
    /// RequestVoteResponse: whether the vote is granted.
    pub granted: Option<bool>,
    /// AppendEntries: the index before the entries.
    pub prev_log_index: Option<LogIndex>,
    /// AppendEntries: the term at `prev_log_index`.
    pub prev_log_term: Option<Term>,
    /// AppendEntries: the entries.
    pub entries: Option<E>,
    /// AppendEntries: the leader's commit index.
    pub leader_commit: Option<LogIndex>,
    /// AppendEntriesResponse: whether the follower's log matched.
    pub success: Option<bool>,
    /// AppendEntriesResponse: how far the follower's log matches.
    pub match_index: Option<LogIndex>,
}

impl<E> Default for MessageFields<E> {
    /// No field given.
    fn default() -> Self {
        MessageFields {
            term: None,
            last_log_index: None,
            last_log_term: None,
            granted: None,
            prev_log_index: None,
            prev_log_term: None,
            entries: None,
            leader_commit: None,
            success: None,
            match_index: None,
        }
    }
}

impl<E> MessageFields<E> {
    /// The names of the fields given, as [`MessageKind::fields`] names them.
    pub fn names(&self) -> Vec<&'static str> {
        [
            ("term", self.term.is_some()),
            ("last_log_index", self.last_log_index.is_some()),
            ("last_log_term", self.last_log_term.is_some()),
            ("granted", self.granted.is_some()),
            ("prev_log_index", self.prev_log_index.is_some()),
            ("prev_log_term", self.prev_log_term.is_some()),
            ("entries", self.entries.is_some()),
            ("leader_commit", self.leader_commit.is_some()),
            ("success", self.success.is_some()),
            ("match_index", self.match_index.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }

    /// The same fields, the entries turned into another form by `f`.
    pub fn map_entries<F>(self, f: impl FnOnce(E) -> F) -> MessageFields<F> {
        MessageFields {
            term: self.term,
            last_log_index: self.last_log_index,
            last_log_term: self.last_log_term,
            granted: self.granted,
            prev_log_index: self.prev_log_index,
            prev_log_term: self.prev_log_term,
            entries: self.entries.map(f),
            leader_commit: self.leader_commit,
            success: self.success,
            match_index: self.match_index,
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
