//! Every decision the model makes, as a plain value. `explain.rs` turns them into sentences.

use super::bug::Bug;
use super::log::{AppendMismatch, Truncation};
use super::message::MessageKind;
use super::network::Link;
use super::time::{Micros, TimerWhy};
use super::types::{
    LogIndex, LogPosition, MAX_SERVERS, MessageId, Role, ServerId, ServerSet, Term,
};

/// Why a server refused its vote (§5.2, §5.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VoteRefusal {
    /// The candidate's term is older than the voter's.
    StaleTerm {
        /// The voter's term.
        own_term: Term,
    },
    /// The voter already voted for someone else in this term.
    AlreadyVoted {
        /// Whom it voted for.
        voted_for: ServerId,
    },
    /// The candidate's log is less up-to-date than the voter's.
    LogNotUpToDate {
        /// The candidate's last entry.
        candidate_last: LogPosition,
        /// The voter's last entry.
        voter_last: LogPosition,
    },
}

/// Why a server rejected an AppendEntries (§5.1, §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppendRejection {
    /// The leader's term is older than the receiver's.
    StaleTerm {
        /// The receiver's term.
        own_term: Term,
    },
    /// The receiver's log does not match at `prev_log_index`.
    Mismatch {
        /// The leader's `prev_log_index` and `prev_log_term`.
        prev: LogPosition,
        /// What the receiver's log has there.
        mismatch: AppendMismatch,
    },
    /// The receiver is itself a leader of the same term: two leaders in one term, which only a
    /// forced `become_leader` can cause.
    ReceiverIsLeader,
}

/// How a mutant's decision differs from Raft's (see [`Bug`]). The event of the decision the
/// bug changed carries it, so its explanation says that the rule was broken and what Raft
/// would have done; every correct decision carries `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Deviation {
    /// `vote-twice`: the voter had already voted for another candidate this term; Raft refuses.
    VotedTwice {
        /// Whom it had voted for.
        voted_for: ServerId,
    },
    /// `no-log-check`: the candidate's log is less up-to-date than the voter's (the event
    /// holds both); Raft refuses.
    SkippedLogCheck,
    /// `commit-old-term`: the entry committed by counting replicas is from an earlier term;
    /// Raft waits for an entry of the current term.
    CommittedOldTerm {
        /// The term of the entry at the committed index.
        entry_term: Term,
    },
    /// `accept-stale-term`: a follower handled an AppendEntries of an older term (the event's
    /// term); Raft rejects it for its term alone.
    ObeyedStaleLeader {
        /// The follower's own, newer term.
        own_term: Term,
    },
    /// `count-stale-votes`: a candidate counted a grant given in an earlier term; Raft
    /// ignores it.
    CountedStaleVote {
        /// The term the vote was given in.
        vote_term: Term,
    },
    /// `truncate-always`: a follower deleted entries that do not conflict with the leader's;
    /// Raft keeps them.
    TruncatedWithoutConflict {
        /// How many entries the AppendEntries carried.
        sent: usize,
    },
}

impl Deviation {
    /// The bug that made this decision.
    pub fn bug(self) -> Bug {
        match self {
            Deviation::VotedTwice { .. } => Bug::VoteTwice,
            Deviation::SkippedLogCheck => Bug::NoLogCheck,
            Deviation::CommittedOldTerm { .. } => Bug::CommitOldTerm,
            Deviation::ObeyedStaleLeader { .. } => Bug::AcceptStaleTerm,
            Deviation::CountedStaleVote { .. } => Bug::CountStaleVotes,
            Deviation::TruncatedWithoutConflict { .. } => Bug::TruncateAlways,
        }
    }
}

/// Why a response was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IgnoreReason {
    /// It carries an older term than the receiver's.
    StaleTerm {
        /// The receiver's term.
        own_term: Term,
    },
    /// The receiver's role no longer expects it (e.g. a vote reaching a leader).
    WrongRole(Role),
}

/// Why a message was lost instead of delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossReason {
    /// Someone dropped it on purpose.
    Dropped,
    /// Sender and recipient are in different partitions.
    Partitioned,
    /// The recipient is crashed.
    RecipientCrashed,
    /// The link from sender to recipient is cut.
    LinkCut,
}

/// An outside action a server can refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionName {
    /// Election timeout.
    Timeout,
    /// Client request.
    ClientRequest,
    /// Heartbeat.
    Heartbeat,
    /// Crash.
    Crash,
    /// Restart.
    Restart,
    /// The brief's `become_follower`.
    BecomeFollower,
    /// The brief's `become_candidate`.
    BecomeCandidate,
    /// The brief's `become_leader`.
    BecomeLeader,
}

/// Why a server refused an outside action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefusalReason {
    /// It is crashed.
    Crashed,
    /// It is not crashed (for restart).
    NotCrashed,
    /// It is already leader (a leader's election timer does not run).
    AlreadyLeader,
    /// Only a leader can do this; it knows this leader, if any.
    NotLeader {
        /// Its role.
        role: Role,
        /// The leader it last heard from.
        leader: Option<ServerId>,
    },
}

/// A broken safety property (Figure 3 and the model's own sanity rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Violation {
    /// Two servers were leader in the same term (§5.2).
    ElectionSafety {
        /// The term.
        term: Term,
        /// The first leader seen for it.
        first: ServerId,
        /// Another one.
        second: ServerId,
    },
    /// A server voted for two candidates in one term (§5.2).
    DoubleVote {
        /// The voter.
        server: ServerId,
        /// The term.
        term: Term,
        /// Its first vote.
        first: ServerId,
        /// Its second vote.
        second: ServerId,
    },
    /// Two logs hold an entry with the same index and term but differ at or before it (§5.3).
    LogMatching {
        /// One server (the lower id).
        a: ServerId,
        /// The other.
        b: ServerId,
        /// The highest index where their entries have the same term.
        same: LogIndex,
        /// The first index where their entries differ.
        index: LogIndex,
    },
    /// A leader lacks an entry committed in an earlier term (§5.4).
    LeaderCompleteness {
        /// The leader.
        leader: ServerId,
        /// Its term.
        term: Term,
        /// The committed index it lacks.
        index: LogIndex,
    },
    /// A server committed a different entry at an index than another server did (§5.4.3).
    StateMachineSafety {
        /// The server.
        server: ServerId,
        /// The index.
        index: LogIndex,
    },
    /// A server lost or changed an entry it had committed.
    CommittedEntryLost {
        /// The server.
        server: ServerId,
        /// The index.
        index: LogIndex,
    },
    /// `commit_index` is past the end of the log.
    CommitBeyondLog {
        /// The server.
        server: ServerId,
        /// Its commit index.
        commit_index: LogIndex,
        /// Its log length.
        log_len: LogIndex,
    },
    /// A server's term went down.
    TermDecreased {
        /// The server.
        server: ServerId,
        /// The old term.
        from: Term,
        /// The new, lower term.
        to: Term,
    },
}

/// Something that happened, with everything needed to explain it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// The brief's `become_follower`, or a candidate/leader stepping down.
    BecameFollower {
        /// The server.
        server: ServerId,
        /// Its term.
        term: Term,
    },
    /// An election timeout (or `become_candidate`): a new term, a vote for itself, RequestVotes.
    BecameCandidate {
        /// The server.
        server: ServerId,
        /// Its new term.
        term: Term,
        /// How many peers it asks.
        peers: usize,
    },
    /// A server became leader: next_index reset, AppendEntries sent to all.
    BecameLeader {
        /// The server.
        server: ServerId,
        /// Its term.
        term: Term,
        /// The next_index it set for every follower.
        next_index: LogIndex,
        /// How many followers it has.
        peers: usize,
    },
    /// A message with a higher term made a server adopt it (and become follower).
    TermAdopted {
        /// The server.
        server: ServerId,
        /// The sender.
        from: ServerId,
        /// What was received.
        kind: MessageKind,
        /// The server's old term.
        old_term: Term,
        /// The new term.
        new_term: Term,
        /// Its role before.
        was: Role,
    },
    /// A candidate received AppendEntries of its own term: someone else won (§5.2).
    CandidateConcedes {
        /// The candidate.
        server: ServerId,
        /// The winner.
        leader: ServerId,
        /// The term.
        term: Term,
    },
    /// A vote was granted.
    VoteGranted {
        /// The voter.
        voter: ServerId,
        /// The candidate.
        candidate: ServerId,
        /// The term.
        term: Term,
        /// The candidate's last entry.
        candidate_last: LogPosition,
        /// The voter's last entry.
        voter_last: LogPosition,
        /// Set when a mutant made this decision where Raft decides otherwise.
        mutant: Option<Deviation>,
    },
    /// A vote was refused.
    VoteRefused {
        /// The voter.
        voter: ServerId,
        /// The candidate.
        candidate: ServerId,
        /// The candidate's term.
        term: Term,
        /// Why.
        reason: VoteRefusal,
    },
    /// A candidate counted an answer.
    VoteCounted {
        /// The candidate.
        candidate: ServerId,
        /// Who answered.
        voter: ServerId,
        /// The term.
        term: Term,
        /// Whether it was a yes.
        granted: bool,
        /// Votes granted so far, the candidate's own included.
        votes: usize,
        /// A majority.
        needed: usize,
        /// Set when a mutant made this decision where Raft decides otherwise.
        mutant: Option<Deviation>,
    },
    /// A second answer from the same voter in the same term, not counted again.
    DuplicateVoteIgnored {
        /// The candidate.
        candidate: ServerId,
        /// The voter.
        voter: ServerId,
        /// The term.
        term: Term,
    },
    /// A majority voted for a candidate.
    ElectionWon {
        /// The winner.
        server: ServerId,
        /// The term.
        term: Term,
        /// Who granted.
        votes: ServerSet,
        /// The cluster size.
        cluster_size: usize,
    },
    /// A majority refused a candidate; it stays candidate until its next timeout.
    ElectionLost {
        /// The candidate.
        server: ServerId,
        /// The term.
        term: Term,
        /// Who refused.
        refused: ServerSet,
        /// The cluster size.
        cluster_size: usize,
    },
    /// A follower accepted AppendEntries.
    AppendAccepted {
        /// The follower.
        follower: ServerId,
        /// The leader.
        leader: ServerId,
        /// The term.
        term: Term,
        /// The leader's prev_log_index/term.
        prev: LogPosition,
        /// Entries in the message.
        sent: usize,
        /// New entries actually appended.
        appended: usize,
        /// The follower's log length afterwards.
        log_len: LogIndex,
        /// Set when a mutant made this decision where Raft decides otherwise.
        mutant: Option<Deviation>,
    },
    /// A server rejected AppendEntries.
    AppendRejected {
        /// The receiver.
        follower: ServerId,
        /// The sender.
        leader: ServerId,
        /// The sender's term.
        term: Term,
        /// Why.
        reason: AppendRejection,
        /// Set when a mutant made this decision where Raft decides otherwise.
        mutant: Option<Deviation>,
    },
    /// A follower deleted a conflicting suffix of its log.
    EntriesTruncated {
        /// The follower.
        server: ServerId,
        /// The leader whose entry conflicted.
        leader: ServerId,
        /// What was deleted.
        truncation: Truncation,
        /// Set when a mutant made this decision where Raft decides otherwise.
        mutant: Option<Deviation>,
    },
    /// A follower learned of a higher commit index from its leader.
    FollowerCommitted {
        /// The follower.
        server: ServerId,
        /// The leader.
        leader: ServerId,
        /// Old commit index.
        old: LogIndex,
        /// New commit index.
        new: LogIndex,
        /// The leader's commit index in the message.
        leader_commit: LogIndex,
    },
    /// A leader learned how far a follower's log matches.
    MatchRecorded {
        /// The leader.
        leader: ServerId,
        /// The follower.
        follower: ServerId,
        /// The match index in the response.
        reported: LogIndex,
        /// The follower's match_index now.
        match_index: LogIndex,
        /// The follower's next_index now.
        next_index: LogIndex,
    },
    /// With a cap on the entries an AppendEntries carries, a leader whose follower still
    /// lacks entries after a success sends it the next batch at once.
    NextBatchSent {
        /// The leader.
        leader: ServerId,
        /// The follower.
        follower: ServerId,
        /// The first index sent (the follower's next_index).
        from: LogIndex,
        /// How many entries the message carries.
        entries: usize,
        /// The cap.
        cap: usize,
    },
    /// A leader backed a follower's next_index off after a rejection and retries.
    NextIndexBackedOff {
        /// The leader.
        leader: ServerId,
        /// The follower.
        follower: ServerId,
        /// Old next_index.
        from: LogIndex,
        /// New next_index.
        to: LogIndex,
    },
    /// A leader advanced its commit index.
    LeaderCommitted {
        /// The leader.
        leader: ServerId,
        /// Its term.
        term: Term,
        /// Old commit index.
        old: LogIndex,
        /// New commit index.
        index: LogIndex,
        /// Servers that store the entry at `index`.
        replicas: ServerSet,
        /// The cluster size.
        cluster_size: usize,
        /// Set when a mutant made this decision where Raft decides otherwise.
        mutant: Option<Deviation>,
    },
    /// An entry is on a majority but from an older term, so it is not committed yet (Figure 8).
    CommitWaitsForCurrentTerm {
        /// The leader.
        leader: ServerId,
        /// The index stored on a majority.
        index: LogIndex,
        /// That entry's term.
        entry_term: Term,
        /// The leader's term.
        current_term: Term,
        /// Servers that store it.
        replicas: ServerSet,
    },
    /// A response was ignored.
    ResponseIgnored {
        /// The receiver.
        server: ServerId,
        /// The sender.
        from: ServerId,
        /// Its kind.
        kind: MessageKind,
        /// Its term.
        term: Term,
        /// Why.
        reason: IgnoreReason,
    },
    /// A leader appended a client's command.
    ClientRequestAppended {
        /// The leader.
        leader: ServerId,
        /// The new entry's index.
        index: LogIndex,
        /// Its term.
        term: Term,
    },
    /// A leader sent AppendEntries to every follower.
    HeartbeatSent {
        /// The leader.
        leader: ServerId,
        /// Its term.
        term: Term,
    },
    /// A server crashed (keeps term, vote and log).
    Crashed {
        /// The server.
        server: ServerId,
    },
    /// A crashed server came back as a follower with its volatile state reset.
    Restarted {
        /// The server.
        server: ServerId,
        /// Its (kept) term.
        term: Term,
    },
    /// A server refused an outside action.
    Refused {
        /// The server.
        server: ServerId,
        /// The action.
        action: ActionName,
        /// Why.
        why: RefusalReason,
    },
    /// A message was lost.
    MessageLost {
        /// Its id.
        id: MessageId,
        /// Sender.
        from: ServerId,
        /// Recipient.
        to: ServerId,
        /// Kind.
        kind: MessageKind,
        /// The term it carries (the vote ledger tells which election a lost request was for).
        term: Term,
        /// Why.
        reason: LossReason,
    },
    /// A hand-made message was put in flight (a scenario's `send`), not sent by the server.
    MessageInjected {
        /// Its id.
        id: MessageId,
        /// The server it claims to come from.
        from: ServerId,
        /// Recipient.
        to: ServerId,
        /// Kind.
        kind: MessageKind,
        /// The term it carries.
        term: Term,
    },
    /// A message was duplicated.
    MessageDuplicated {
        /// The original.
        id: MessageId,
        /// The copy's id.
        copy: MessageId,
    },
    /// The network was split; `groups[s]` is server s's group number.
    Partitioned {
        /// Group number of each server.
        groups: [u8; MAX_SERVERS],
        /// Cluster size.
        cluster_size: usize,
    },
    /// The partition was healed and every cut link restored.
    Healed,
    /// A link was cut, one way or both.
    LinkCut {
        /// The link.
        link: Link,
    },
    /// A cut link was restored, one way or both.
    LinkRestored {
        /// The link.
        link: Link,
    },
    /// "Deliver all" stopped at its cap with messages still in flight.
    DeliverAllStopped {
        /// How many were delivered.
        delivered: usize,
        /// How many are still in flight.
        remaining: usize,
    },
    /// The clock started: from now on timers run out and messages take time to arrive.
    ClockStarted {
        /// The seed every duration is drawn with.
        seed: u64,
    },
    /// A server's election timer was started again with a fresh timeout (Figure 2).
    TimerReset {
        /// The server.
        server: ServerId,
        /// The timeout drawn.
        timeout: Micros,
        /// Why.
        why: TimerWhy,
    },
    /// A server's election timer ran out (an election timeout follows).
    TimerFired {
        /// The server.
        server: ServerId,
        /// Its term when it fired.
        term: Term,
        /// Its role when it fired: a candidate's election ended with no winner.
        role: Role,
        /// The timeout that ran out.
        timeout: Micros,
    },
    /// A server writes its persistent state to disk; its answers wait for the write.
    DiskWrite {
        /// The server.
        server: ServerId,
        /// How long the write takes.
        took: Micros,
    },
    /// The timing changed: what is drawn from now on uses the new ranges.
    TimingChanged {
        /// The shortest election timeout now.
        timeout_min: Micros,
        /// The longest.
        timeout_max: Micros,
    },
    /// Simulated time moved on.
    TimePassed {
        /// From.
        from: Micros,
        /// To.
        to: Micros,
    },
    /// An advance of the clock stopped at its cap, short of where it was asked to go.
    AdvanceStopped {
        /// Timed events that happened.
        fired: usize,
        /// The time it stopped at.
        at: Micros,
    },
    /// An invariant broke.
    Violation(Violation),
}

impl Event {
    /// How a mutant made this decision differently from Raft, if it did.
    pub fn deviation(&self) -> Option<Deviation> {
        match *self {
            Event::VoteGranted { mutant, .. }
            | Event::VoteCounted { mutant, .. }
            | Event::AppendAccepted { mutant, .. }
            | Event::AppendRejected { mutant, .. }
            | Event::EntriesTruncated { mutant, .. }
            | Event::LeaderCommitted { mutant, .. } => mutant,
            _ => None,
        }
    }
}
