//! One Raft server: the brief's `RaftServer` with its three role transitions and Figure 2's
//! message handlers. Term rules run once for every message in [`RaftServer::handle`]; then the
//! handler for the message kind runs.

mod clone;
mod restore;

pub use restore::ServerRecord;

use super::bug::Bug;
use super::event::{
    ActionName, AppendRejection, Deviation, Event, IgnoreReason, RefusalReason, VoteRefusal,
};
use super::log::{ClientCommand, Entries, Entry, Log, Truncation};
use super::message::{Message, MessageFields, MessageKind, Outgoing};
use super::quorum::{self, VoteTally};
use super::types::{LogIndex, LogPosition, MAX_SERVERS, Role, ServerId, ServerSet, Term};

/// A server's place in the network: its id and the cluster size. Made by
/// [`RaftNetwork::create_node`](super::network::RaftNetwork::create_node).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    /// The server's id.
    pub id: ServerId,
    /// How many servers the cluster has.
    pub cluster_size: usize,
}

/// The state a scenario may give a server when the cluster is built.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerState {
    /// Current term (at least 1).
    pub term: Term,
    /// Vote in the current term.
    pub voted_for: Option<ServerId>,
    /// The log.
    pub log: Log,
    /// Commit index (at most the log's length).
    pub commit_index: LogIndex,
    /// Role. A leader starts with fresh next/match indices (but see `next_index` and
    /// `match_index`); a candidate with its own vote.
    pub role: Role,
    /// Whether it starts crashed.
    pub crashed: bool,
    /// As leader: the next_index of these followers; the others start at the leader's last
    /// index + 1.
    pub next_index: Vec<(ServerId, LogIndex)>,
    /// As leader: the match_index of these followers; the others start at 0.
    pub match_index: Vec<(ServerId, LogIndex)>,
    /// As follower: the leader it last heard from in its term.
    pub leader: Option<ServerId>,
}

impl Default for ServerState {
    fn default() -> Self {
        ServerState {
            term: 1,
            voted_for: None,
            log: Log::new(),
            commit_index: 0,
            role: Role::Follower,
            crashed: false,
            next_index: Vec::new(),
            match_index: Vec::new(),
            leader: None,
        }
    }
}

/// An outside action on one server (time, clients, failures, or the brief's methods).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ServerAction {
    /// The election timer fires.
    Timeout,
    /// A client asks to append a command.
    ClientRequest(ClientCommand),
    /// The leader sends AppendEntries to every follower.
    Heartbeat,
    /// The server crashes.
    Crash,
    /// The server restarts.
    Restart,
    /// The brief's `become_follower`, applied directly.
    BecomeFollower,
    /// The brief's `become_candidate`, applied directly.
    BecomeCandidate,
    /// The brief's `become_leader`, applied directly (may break Election Safety on purpose).
    BecomeLeader,
}

/// One Raft server. Fields are public to read (as the brief's `server0.role`); change them
/// only through the methods, which record an [`Event`] for every decision. Cloning it into
/// an existing server (`clone_from`) reuses its buffers.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RaftServer {
    /// This server's id.
    pub id: ServerId,
    /// The cluster size (peers are every other id in `0..cluster_size`).
    pub cluster_size: usize,
    /// FOLLOWER, CANDIDATE or LEADER.
    pub role: Role,
    /// Latest term seen; starts at 1.
    pub current_term: Term,
    /// Candidate voted for in the current term.
    pub voted_for: Option<ServerId>,
    /// The log.
    pub log: Log,
    /// Highest index known committed.
    pub commit_index: LogIndex,
    /// As candidate: who granted a vote this term (itself included).
    pub votes_granted: ServerSet,
    /// As candidate: who refused this term.
    pub votes_refused: ServerSet,
    /// As leader: next index to send to each server (own slot unused).
    pub next_index: [LogIndex; MAX_SERVERS],
    /// As leader: highest index known replicated on each server (own slot unused).
    pub match_index: [LogIndex; MAX_SERVERS],
    /// The leader it last heard from in its current term.
    pub leader_id: Option<ServerId>,
    /// Whether it is crashed.
    pub crashed: bool,
    /// The rule this server breaks on purpose, if any (see [`Bug`]); `None` for Raft.
    pub bug: Option<Bug>,
    /// The most entries one AppendEntries carries (`None`: everything to the end of the log),
    /// the same for the whole cluster.
    pub max_entries_per_append: Option<usize>,
    outbox: Vec<Outgoing>,
    events: Vec<Event>,
}

impl RaftServer {
    /// The brief's `RaftServer(node, log)`: a follower in term 1.
    pub fn new(node: Node, log: Vec<Entry>) -> RaftServer {
        RaftServer::with_state(
            node,
            ServerState {
                log: Log::from(log),
                ..ServerState::default()
            },
        )
    }

    /// A server starting from a given state (for scenarios). Sends nothing.
    pub fn with_state(node: Node, state: ServerState) -> RaftServer {
        let mut server = RaftServer {
            id: node.id,
            cluster_size: node.cluster_size,
            role: Role::Follower,
            current_term: state.term,
            voted_for: state.voted_for,
            log: state.log,
            commit_index: state.commit_index,
            votes_granted: ServerSet::EMPTY,
            votes_refused: ServerSet::EMPTY,
            next_index: [0; MAX_SERVERS],
            match_index: [0; MAX_SERVERS],
            leader_id: None,
            crashed: state.crashed,
            bug: None,
            max_entries_per_append: None,
            outbox: Vec::new(),
            events: Vec::new(),
        };
        match state.role {
            Role::Follower => server.leader_id = state.leader,
            Role::Candidate => {
                server.role = Role::Candidate;
                server.voted_for = Some(server.id);
                server.votes_granted = ServerSet::only(server.id);
            }
            Role::Leader => {
                // A leader won its term, so it voted for itself in it.
                server.role = Role::Leader;
                server.voted_for = Some(server.id);
                server.reset_leader_state();
                for &(peer, next) in &state.next_index {
                    server.next_index[peer] = next;
                }
                for &(peer, matched) in &state.match_index {
                    server.match_index[peer] = matched;
                }
            }
        }
        server
    }

    /// The other servers' ids.
    pub fn peers(&self) -> impl Iterator<Item = ServerId> + use<> {
        let me = self.id;
        (0..self.cluster_size).filter(move |&p| p != me)
    }

    /// Messages waiting to be taken by the network.
    pub fn outbox(&self) -> &[Outgoing] {
        &self.outbox
    }

    /// Events recorded since they were last taken.
    pub fn pending_events(&self) -> &[Event] {
        &self.events
    }

    /// Moves the recorded events to `sink`.
    pub fn take_events(&mut self, sink: &mut Vec<Event>) {
        if sink.is_empty() {
            // The usual case (one step's events into a cleared list): trade buffers rather
            // than copy; each side keeps a buffer with room.
            std::mem::swap(sink, &mut self.events);
        } else {
            sink.append(&mut self.events);
        }
    }

    /// Moves the waiting messages out, in the order they were sent.
    pub fn drain_outbox(&mut self) -> std::vec::Drain<'_, Outgoing> {
        self.outbox.drain(..)
    }

    // ----- The brief's three transitions -------------------------------------------------

    /// Becomes a passive follower (brief step 1). Keeps term and vote.
    pub fn become_follower(&mut self) {
        self.step_down();
        self.events.push(Event::BecameFollower {
            server: self.id,
            term: self.current_term,
        });
    }

    /// Starts an election (brief step 2, §5.2): next term, vote for itself, RequestVote to
    /// every peer. A single-server cluster wins at once.
    pub fn become_candidate(&mut self) {
        self.role = Role::Candidate;
        self.current_term = self.current_term.saturating_add(1);
        self.voted_for = Some(self.id);
        self.leader_id = None;
        self.votes_granted = ServerSet::only(self.id);
        self.votes_refused = ServerSet::EMPTY;
        self.events.push(Event::BecameCandidate {
            server: self.id,
            term: self.current_term,
            peers: self.cluster_size - 1,
        });
        let last = self.log.last_position();
        for to in self.peers() {
            self.outbox.push(Outgoing {
                to,
                message: Message::RequestVote {
                    term: self.current_term,
                    candidate: self.id,
                    last_log_index: last.index,
                    last_log_term: last.term,
                },
            });
        }
        self.count_votes(VoteTally::Pending);
    }

    /// Becomes leader (brief step 3, §5.3): next_index = last index + 1 and match_index = 0
    /// for every follower, then AppendEntries to every peer at once. No no-op entry.
    pub fn become_leader(&mut self) {
        self.role = Role::Leader;
        self.votes_granted = ServerSet::EMPTY;
        self.votes_refused = ServerSet::EMPTY;
        self.reset_leader_state();
        self.events.push(Event::BecameLeader {
            server: self.id,
            term: self.current_term,
            next_index: self.log.last_index() + 1,
            peers: self.cluster_size - 1,
        });
        self.broadcast_append_entries();
        self.advance_leader_commit(None);
    }

    // ----- Outside actions -----------------------------------------------------------------

    /// Performs an outside action, refusing (with an event) what the server cannot do now.
    pub fn perform(&mut self, action: &ServerAction) {
        let name = action_name(action);
        if self.crashed && !matches!(action, ServerAction::Restart) {
            return self.refuse(name, RefusalReason::Crashed);
        }
        match action {
            ServerAction::Timeout if self.role == Role::Leader => {
                self.refuse(name, RefusalReason::AlreadyLeader)
            }
            ServerAction::Timeout | ServerAction::BecomeCandidate => self.become_candidate(),
            ServerAction::BecomeFollower => self.become_follower(),
            ServerAction::BecomeLeader => self.become_leader(),
            ServerAction::ClientRequest(command) => self.client_request(command.clone()),
            ServerAction::Heartbeat => self.heartbeat(),
            ServerAction::Crash => self.crash(),
            ServerAction::Restart => self.restart(),
        }
    }

    /// A client request: the leader appends `{current_term, command}` and replicates it.
    pub fn client_request(&mut self, command: ClientCommand) {
        if self.role != Role::Leader {
            return self.refuse_not_leader(ActionName::ClientRequest);
        }
        let index = self.log.push(Entry {
            term: self.current_term,
            command,
        });
        self.events.push(Event::ClientRequestAppended {
            leader: self.id,
            index,
            term: self.current_term,
        });
        self.broadcast_append_entries();
        self.advance_leader_commit(None);
    }

    /// A heartbeat: the leader sends AppendEntries (with whatever each follower lacks).
    pub fn heartbeat(&mut self) {
        if self.role != Role::Leader {
            return self.refuse_not_leader(ActionName::Heartbeat);
        }
        self.events.push(Event::HeartbeatSent {
            leader: self.id,
            term: self.current_term,
        });
        self.broadcast_append_entries();
    }

    /// Crashes: keeps term, vote and log (persistent state, Figure 2).
    pub fn crash(&mut self) {
        self.crashed = true;
        self.events.push(Event::Crashed { server: self.id });
    }

    /// Restarts as a follower with volatile state reset.
    pub fn restart(&mut self) {
        if !self.crashed {
            return self.refuse(ActionName::Restart, RefusalReason::NotCrashed);
        }
        self.crashed = false;
        self.step_down();
        self.commit_index = 0;
        self.events.push(Event::Restarted {
            server: self.id,
            term: self.current_term,
        });
    }

    // ----- Incoming messages ------------------------------------------------------------

    /// Handles one message from `from`. Term rules first (§5.1), once for every kind; then the
    /// kind's handler.
    pub fn handle(&mut self, from: ServerId, message: Message) {
        let term = message.term();
        let kind = message.kind();
        // Set when a mutant handles a message of an older term as if it were current.
        let mut obeyed_stale = None;
        if term > self.current_term {
            self.events.push(Event::TermAdopted {
                server: self.id,
                from,
                kind,
                old_term: self.current_term,
                new_term: term,
                was: self.role,
            });
            self.current_term = term;
            self.voted_for = None;
            self.step_down();
        } else if term < self.current_term {
            if !self.obeys_stale(&message) {
                return self.handle_stale(from, message);
            }
            obeyed_stale = Some(term);
        }
        match message {
            Message::RequestVote {
                candidate,
                last_log_index,
                last_log_term,
                ..
            } => self.on_request_vote(
                from,
                candidate,
                LogPosition {
                    index: last_log_index,
                    term: last_log_term,
                },
            ),
            Message::RequestVoteResponse { granted, .. } => {
                self.on_vote_response(from, granted, obeyed_stale)
            }
            Message::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            } => self.on_append_entries(
                from,
                LogPosition {
                    index: prev_log_index,
                    term: prev_log_term,
                },
                entries,
                leader_commit,
                obeyed_stale,
            ),
            Message::AppendEntriesResponse {
                success,
                match_index,
                ..
            } => self.on_append_response(from, success, match_index),
        }
    }

    /// A message from an older term: requests are refused with our term, responses ignored.
    fn handle_stale(&mut self, from: ServerId, message: Message) {
        let own_term = self.current_term;
        match message {
            Message::RequestVote {
                term, candidate, ..
            } => {
                self.events.push(Event::VoteRefused {
                    voter: self.id,
                    candidate,
                    term,
                    reason: VoteRefusal::StaleTerm { own_term },
                });
                self.reply_vote(from, false);
            }
            Message::AppendEntries { term, .. } => {
                self.events.push(Event::AppendRejected {
                    follower: self.id,
                    leader: from,
                    term,
                    reason: AppendRejection::StaleTerm { own_term },
                    mutant: None,
                });
                self.reply_append(from, false, 0);
            }
            response => self.events.push(Event::ResponseIgnored {
                server: self.id,
                from,
                kind: response.kind(),
                term: response.term(),
                reason: IgnoreReason::StaleTerm { own_term },
            }),
        }
    }

    /// Everything handling a RequestVote reads of this server, besides its id and mutant: its
    /// term (§5.1), its vote (§5.2) and where its log ends (§5.4.1). Two servers alike in
    /// these handle the same RequestVote alike, and answer it alike. The explorer relies on
    /// it: a refused request and another step of the same server that keeps these commute.
    /// Keep it in step with `handle`, `handle_stale` and `on_request_vote` (a test compares
    /// servers alike in these and unlike in the rest).
    pub fn request_vote_inputs(&self) -> (Term, Option<ServerId>, LogPosition) {
        (self.current_term, self.voted_for, self.log.last_position())
    }

    /// RequestVote of our term (§5.2, §5.4.1): one vote per term, only for an up-to-date log.
    fn on_request_vote(
        &mut self,
        from: ServerId,
        candidate: ServerId,
        candidate_last: LogPosition,
    ) {
        let term = self.current_term;
        let voter_last = self.log.last_position();
        let refusal = match self.voted_for {
            Some(voted_for) if voted_for != candidate => {
                Some(VoteRefusal::AlreadyVoted { voted_for })
            }
            _ if !candidate_last.at_least_as_up_to_date_as(voter_last) => {
                Some(VoteRefusal::LogNotUpToDate {
                    candidate_last,
                    voter_last,
                })
            }
            _ => None,
        };
        // The two mutants of this rule each skip one of its checks.
        let (refusal, mutant) = match refusal {
            Some(VoteRefusal::AlreadyVoted { voted_for }) if self.bug == Some(Bug::VoteTwice) => {
                if candidate_last.at_least_as_up_to_date_as(voter_last) {
                    (None, Some(Deviation::VotedTwice { voted_for }))
                } else {
                    let reason = VoteRefusal::LogNotUpToDate {
                        candidate_last,
                        voter_last,
                    };
                    (Some(reason), None)
                }
            }
            Some(VoteRefusal::LogNotUpToDate { .. }) if self.bug == Some(Bug::NoLogCheck) => {
                (None, Some(Deviation::SkippedLogCheck))
            }
            other => (other, None),
        };
        match refusal {
            Some(reason) => self.events.push(Event::VoteRefused {
                voter: self.id,
                candidate,
                term,
                reason,
            }),
            None => {
                self.voted_for = Some(candidate);
                self.events.push(Event::VoteGranted {
                    voter: self.id,
                    candidate,
                    term,
                    candidate_last,
                    voter_last,
                    mutant,
                });
            }
        }
        self.reply_vote(from, refusal.is_none());
    }

    /// A vote answer of our term: only a candidate counts it, each voter once. `stale` is the
    /// older term of a grant that the `count-stale-votes` mutant counts anyway.
    fn on_vote_response(&mut self, from: ServerId, granted: bool, stale: Option<Term>) {
        if self.role != Role::Candidate {
            return self.ignore_for_role(from, MessageKind::RequestVoteResponse);
        }
        let term = self.current_term;
        if self.votes_granted.contains(from) || self.votes_refused.contains(from) {
            self.events.push(Event::DuplicateVoteIgnored {
                candidate: self.id,
                voter: from,
                term,
            });
            return;
        }
        let before = self.tally();
        if granted {
            self.votes_granted.insert(from);
        } else {
            self.votes_refused.insert(from);
        }
        self.events.push(Event::VoteCounted {
            candidate: self.id,
            voter: from,
            term,
            granted,
            votes: self.votes_granted.len(),
            needed: quorum::majority(self.cluster_size),
            mutant: stale.map(|vote_term| Deviation::CountedStaleVote { vote_term }),
        });
        self.count_votes(before);
    }

    fn tally(&self) -> VoteTally {
        quorum::tally(
            self.cluster_size,
            self.votes_granted.len(),
            self.votes_refused.len(),
        )
    }

    /// Checks the tally after a change (`before` is the tally before it): a win makes it
    /// leader; a loss is announced when it happens, and it stays candidate until its next
    /// timeout.
    fn count_votes(&mut self, before: VoteTally) {
        match self.tally() {
            VoteTally::Won => {
                self.events.push(Event::ElectionWon {
                    server: self.id,
                    term: self.current_term,
                    votes: self.votes_granted,
                    cluster_size: self.cluster_size,
                });
                self.become_leader();
            }
            VoteTally::Lost if before != VoteTally::Lost => {
                self.events.push(Event::ElectionLost {
                    server: self.id,
                    term: self.current_term,
                    refused: self.votes_refused,
                    cluster_size: self.cluster_size,
                });
            }
            _ => {}
        }
    }

    /// AppendEntries of our term (§5.3). A candidate concedes first (§5.2). `stale` is the
    /// older term of an AppendEntries that the `accept-stale-term` mutant obeys anyway.
    fn on_append_entries(
        &mut self,
        leader: ServerId,
        prev: LogPosition,
        entries: Entries,
        leader_commit: LogIndex,
        stale: Option<Term>,
    ) {
        let term = stale.unwrap_or(self.current_term);
        let mutant = stale.map(|_| Deviation::ObeyedStaleLeader {
            own_term: self.current_term,
        });
        let sent = entries.len();
        match self.role {
            Role::Leader => {
                self.events.push(Event::AppendRejected {
                    follower: self.id,
                    leader,
                    term,
                    reason: AppendRejection::ReceiverIsLeader,
                    mutant,
                });
                return self.reply_append(leader, false, 0);
            }
            Role::Candidate => {
                self.events.push(Event::CandidateConcedes {
                    server: self.id,
                    leader,
                    term,
                });
                self.step_down();
            }
            Role::Follower => {}
        }
        self.leader_id = Some(leader);
        if self.bug == Some(Bug::TruncateAlways) {
            self.truncate_after(leader, prev, &entries);
        }
        match self.log.try_append(prev.index, prev.term, entries) {
            Err(mismatch) => {
                self.events.push(Event::AppendRejected {
                    follower: self.id,
                    leader,
                    term,
                    reason: AppendRejection::Mismatch { prev, mismatch },
                    mutant,
                });
                self.reply_append(leader, false, 0);
            }
            Ok(report) => {
                if let Some(truncation) = report.truncated {
                    // Under accept-stale-term this deletion is the stale leader's doing.
                    self.events.push(Event::EntriesTruncated {
                        server: self.id,
                        leader,
                        truncation,
                        mutant,
                    });
                }
                let match_index = prev.index + sent;
                self.events.push(Event::AppendAccepted {
                    follower: self.id,
                    leader,
                    term,
                    prev,
                    sent,
                    appended: report.appended,
                    log_len: self.log.len(),
                    mutant,
                });
                let new_commit = leader_commit.min(match_index);
                if new_commit > self.commit_index {
                    self.events.push(Event::FollowerCommitted {
                        server: self.id,
                        leader,
                        old: self.commit_index,
                        new: new_commit,
                        leader_commit,
                    });
                    self.commit_index = new_commit;
                }
                self.reply_append(leader, true, match_index);
            }
        }
    }

    /// An AppendEntries answer of our term: only a leader uses it.
    fn on_append_response(&mut self, from: ServerId, success: bool, reported: LogIndex) {
        if self.role != Role::Leader {
            return self.ignore_for_role(from, MessageKind::AppendEntriesResponse);
        }
        if success {
            let majority_before = self.majority_index();
            // Duplicated or reordered answers never move match_index back.
            let old_match = self.match_index[from];
            let match_index = old_match.max(reported);
            self.match_index[from] = match_index;
            self.next_index[from] = match_index + 1;
            self.events.push(Event::MatchRecorded {
                leader: self.id,
                follower: from,
                reported,
                match_index,
                next_index: match_index + 1,
            });
            self.advance_leader_commit(Some(majority_before));
            // Without a cap every AppendEntries carries the log to its end, so nothing is left
            // to send; with one, the rest follows at once, a batch per success.
            if let Some(cap) = self.max_entries_per_append
                && match_index > old_match
                && match_index < self.log.last_index()
            {
                let message =
                    self.draft(from, MessageKind::AppendEntries, &MessageFields::default());
                if let Message::AppendEntries { entries, .. } = &message {
                    self.events.push(Event::NextBatchSent {
                        leader: self.id,
                        follower: from,
                        from: match_index + 1,
                        entries: entries.len(),
                        cap,
                    });
                }
                self.outbox.push(Outgoing { to: from, message });
            }
        } else {
            // Never below 1, nor below what the follower is known to match (a late failure
            // answer must not undo a later success).
            let old = self.next_index[from];
            let new = old.saturating_sub(1).max(self.match_index[from] + 1);
            self.next_index[from] = new;
            self.events.push(Event::NextIndexBackedOff {
                leader: self.id,
                follower: from,
                from: old,
                to: new,
            });
            self.send_append_entries(from);
        }
    }

    // ----- Helpers --------------------------------------------------------------------------

    /// The match index of each server, the leader's own being its last index.
    fn matches(&self) -> [LogIndex; MAX_SERVERS] {
        let mut matches = self.match_index;
        matches[self.id] = self.log.last_index();
        matches
    }

    /// The highest index stored on a majority.
    fn majority_index(&self) -> LogIndex {
        quorum::majority_match(&self.matches()[..self.cluster_size])
    }

    /// Leader's commit rule (§5.3, §5.4.2): N is committed when a majority stores it and the
    /// entry at N is from the current term. `before` is the majority index before the change
    /// that led here: an entry that must wait is announced only when the majority moved.
    fn advance_leader_commit(&mut self, before: Option<LogIndex>) {
        let matches = self.matches();
        // A hand-made answer may claim a match past the leader's own log; N is an entry the
        // leader has (Figure 2: log[N].term == currentTerm).
        let n = quorum::majority_match(&matches[..self.cluster_size]).min(self.log.last_index());
        if n <= self.commit_index {
            return;
        }
        let replicas: ServerSet = (0..self.cluster_size)
            .filter(|&s| matches[s] >= n)
            .collect();
        let entry_term = self.log.term_at(n).unwrap_or(0);
        let old_term_by_count =
            entry_term != self.current_term && self.bug == Some(Bug::CommitOldTerm);
        if entry_term == self.current_term || old_term_by_count {
            self.events.push(Event::LeaderCommitted {
                leader: self.id,
                term: self.current_term,
                old: self.commit_index,
                index: n,
                replicas,
                cluster_size: self.cluster_size,
                mutant: old_term_by_count.then_some(Deviation::CommittedOldTerm { entry_term }),
            });
            self.commit_index = n;
        } else if before != Some(n) {
            self.events.push(Event::CommitWaitsForCurrentTerm {
                leader: self.id,
                index: n,
                entry_term,
                current_term: self.current_term,
                replicas,
            });
        }
    }

    fn broadcast_append_entries(&mut self) {
        for peer in self.peers() {
            self.send_append_entries(peer);
        }
    }

    fn send_append_entries(&mut self, to: ServerId) {
        let message = self.draft(to, MessageKind::AppendEntries, &MessageFields::default());
        self.outbox.push(Outgoing { to, message });
    }

    /// The message of `kind` this server would send `to` now, with the fields given in
    /// `fields` instead of its own. What a leader sends a follower is exactly this with no
    /// field given; a scenario's hand-made message (`send`) gives some. Fields not given:
    ///
    /// - `term`: its current term;
    /// - RequestVote: `last_log_index`/`last_log_term` of its log (the term at the index given,
    ///   or its last term past its log);
    /// - RequestVoteResponse: `granted` if it voted for `to` in its term;
    /// - AppendEntries: `prev_log_index` just before `to`'s next_index as leader, else its
    ///   last index; `prev_log_term` its entry's term there (0 past its log); `entries` its
    ///   entries after `prev_log_index`, at most `max_entries_per_append`; `leader_commit` its
    ///   commit index;
    /// - AppendEntriesResponse: `success` true; `match_index` its last index on success,
    ///   else 0.
    ///
    /// The sender is the message's candidateId / leaderId.
    pub fn draft(&self, to: ServerId, kind: MessageKind, fields: &MessageFields) -> Message {
        let term = fields.term.unwrap_or(self.current_term);
        match kind {
            MessageKind::RequestVote => {
                let last_log_index = fields.last_log_index.unwrap_or(self.log.last_index());
                Message::RequestVote {
                    term,
                    candidate: self.id,
                    last_log_index,
                    last_log_term: fields.last_log_term.unwrap_or_else(|| {
                        self.log
                            .term_at(last_log_index)
                            .unwrap_or(self.log.last_term())
                    }),
                }
            }
            MessageKind::RequestVoteResponse => Message::RequestVoteResponse {
                term,
                granted: fields.granted.unwrap_or(self.voted_for == Some(to)),
            },
            MessageKind::AppendEntries => {
                let prev_log_index = fields.prev_log_index.unwrap_or(match self.role {
                    Role::Leader => self.next_index.get(to).map_or(0, |n| n.saturating_sub(1)),
                    _ => self.log.last_index(),
                });
                Message::AppendEntries {
                    term,
                    leader: self.id,
                    prev_log_index,
                    prev_log_term: fields
                        .prev_log_term
                        .unwrap_or_else(|| self.log.term_at(prev_log_index).unwrap_or(0)),
                    entries: fields
                        .entries
                        .clone()
                        .unwrap_or_else(|| self.batch_from(prev_log_index + 1)),
                    leader_commit: fields.leader_commit.unwrap_or(self.commit_index),
                }
            }
            MessageKind::AppendEntriesResponse => {
                let success = fields.success.unwrap_or(true);
                Message::AppendEntriesResponse {
                    term,
                    success,
                    match_index: fields.match_index.unwrap_or(if success {
                        self.log.last_index()
                    } else {
                        0
                    }),
                }
            }
        }
    }

    /// The entries an AppendEntries starting at `index` carries: to the end of the log, or
    /// at most `max_entries_per_append` of them.
    fn batch_from(&self, index: LogIndex) -> Entries {
        let mut entries = self.log.suffix(index);
        if let Some(cap) = self.max_entries_per_append {
            entries.truncate(cap.max(1));
        }
        entries
    }

    fn reply_vote(&mut self, to: ServerId, granted: bool) {
        self.outbox.push(Outgoing {
            to,
            message: Message::RequestVoteResponse {
                term: self.current_term,
                granted,
            },
        });
    }

    fn reply_append(&mut self, to: ServerId, success: bool, match_index: LogIndex) {
        self.outbox.push(Outgoing {
            to,
            message: Message::AppendEntriesResponse {
                term: self.current_term,
                success,
                match_index,
            },
        });
    }

    fn reset_leader_state(&mut self) {
        self.leader_id = Some(self.id);
        let next = self.log.last_index() + 1;
        self.next_index = [next; MAX_SERVERS];
        self.match_index = [0; MAX_SERVERS];
    }

    /// Becomes follower without an event of its own (the caller explains why).
    fn step_down(&mut self) {
        self.role = Role::Follower;
        self.leader_id = None;
        self.votes_granted = ServerSet::EMPTY;
        self.votes_refused = ServerSet::EMPTY;
        self.next_index = [0; MAX_SERVERS];
        self.match_index = [0; MAX_SERVERS];
    }

    /// Whether `message` (from `from`) can never change this server: delivered now or at any
    /// later time, it is only recorded as ignored. The explorer leaves such messages out of
    /// its states (delivering, dropping or duplicating one changes no server, so a state with
    /// it behaves as the state without it). Only responses qualify (a request is always
    /// answered). Why each case stays ignored, whatever happens meanwhile — terms never
    /// decrease, and a server becomes candidate only by moving to a new term:
    /// - a response of an older term is ignored (§5.1), and the server's term will stay
    ///   above it; except a vote grant under `count-stale-votes`, which counts it;
    /// - a vote response of its term to a server that is not a candidate (follower or
    ///   leader) is ignored for the role, and the server can never be candidate in that
    ///   term again (not under `count-stale-votes`, which counts a grant in a later term);
    /// - a vote response from a voter a candidate has already counted this term is ignored
    ///   as a duplicate: the counted voters only grow while it is candidate in this term,
    ///   and afterwards the two cases above apply (again not under `count-stale-votes`);
    /// - an AppendEntries response of its term to a follower is ignored for the role, and a
    ///   follower never leads the term it follows in (leading takes a candidacy, which takes
    ///   a new term);
    /// - a success of its term, to a leader, reporting no more than the leader already
    ///   knows the follower matches, when the leader's next index for it is just past that
    ///   match: it sets the match index to what it is and the next index to what it is, and
    ///   commits nothing (the match indices did not move, and every change to them, or to
    ///   the leader's log, was followed by the commit rule already). While it leads the
    ///   term, the match index only grows and the next index never leaves match + 1 once
    ///   there (a success sets it so; a failure backs off no lower than that); then the
    ///   cases above apply.
    // Inlined: the explorer asks it of every message in flight in every state it finds.
    #[inline]
    pub fn ignores_forever(&self, from: ServerId, message: &Message) -> bool {
        use std::cmp::Ordering;
        match *message {
            Message::RequestVoteResponse { term, granted } => {
                if self.bug == Some(Bug::CountStaleVotes) && granted {
                    return false;
                }
                match term.cmp(&self.current_term) {
                    Ordering::Less => true,
                    Ordering::Greater => false,
                    Ordering::Equal => match self.role {
                        Role::Follower | Role::Leader => true,
                        Role::Candidate => {
                            self.votes_granted.contains(from) || self.votes_refused.contains(from)
                        }
                    },
                }
            }
            Message::AppendEntriesResponse {
                term,
                success,
                match_index,
            } => match term.cmp(&self.current_term) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => match self.role {
                    Role::Follower => true,
                    Role::Candidate => false,
                    Role::Leader => {
                        success
                            && match_index <= self.match_index[from]
                            && self.next_index[from] == self.match_index[from] + 1
                    }
                },
            },
            Message::RequestVote { .. } | Message::AppendEntries { .. } => false,
        }
    }

    /// Whether a message of an older term is handled as if it were current: only under the
    /// two mutants that break the term rule (§5.1), each for one kind of message.
    fn obeys_stale(&self, message: &Message) -> bool {
        match (self.bug, message) {
            (Some(Bug::AcceptStaleTerm), Message::AppendEntries { .. }) => {
                self.role == Role::Follower
            }
            (Some(Bug::CountStaleVotes), Message::RequestVoteResponse { granted, .. }) => {
                *granted && self.role == Role::Candidate
            }
            _ => false,
        }
    }

    /// The `truncate-always` mutant: a matching AppendEntries deletes everything after
    /// `prev_log_index` first, where Raft deletes only from the first conflicting entry. When
    /// the first new entry conflicts, the two agree, and Raft's own rule (in `try_append`)
    /// does the deleting and reports it.
    fn truncate_after(&mut self, leader: ServerId, prev: LogPosition, entries: &Entries) {
        if self.log.check_prev(prev.index, prev.term).is_err() || self.log.len() <= prev.index {
            return;
        }
        let first_new = entries.first().map(|e| e.term);
        let old_term = self.log.term_at(prev.index + 1).unwrap_or(0);
        if first_new.is_some_and(|t| t != old_term) {
            return;
        }
        let truncation = Truncation {
            from: prev.index + 1,
            removed: self.log.len() - prev.index,
            old_term,
            new_term: first_new.unwrap_or(0),
        };
        self.log.truncate(prev.index);
        self.events.push(Event::EntriesTruncated {
            server: self.id,
            leader,
            truncation,
            mutant: Some(Deviation::TruncatedWithoutConflict {
                sent: entries.len(),
            }),
        });
    }

    fn ignore_for_role(&mut self, from: ServerId, kind: MessageKind) {
        self.events.push(Event::ResponseIgnored {
            server: self.id,
            from,
            kind,
            term: self.current_term,
            reason: IgnoreReason::WrongRole(self.role),
        });
    }

    fn refuse_not_leader(&mut self, action: ActionName) {
        self.refuse(
            action,
            RefusalReason::NotLeader {
                role: self.role,
                leader: self.leader_id,
            },
        );
    }

    fn refuse(&mut self, action: ActionName, why: RefusalReason) {
        self.events.push(Event::Refused {
            server: self.id,
            action,
            why,
        });
    }
}

fn action_name(action: &ServerAction) -> ActionName {
    match action {
        ServerAction::Timeout => ActionName::Timeout,
        ServerAction::ClientRequest(_) => ActionName::ClientRequest,
        ServerAction::Heartbeat => ActionName::Heartbeat,
        ServerAction::Crash => ActionName::Crash,
        ServerAction::Restart => ActionName::Restart,
        ServerAction::BecomeFollower => ActionName::BecomeFollower,
        ServerAction::BecomeCandidate => ActionName::BecomeCandidate,
        ServerAction::BecomeLeader => ActionName::BecomeLeader,
    }
}
