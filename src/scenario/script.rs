//! A validated scenario: what `build.rs` makes of a file, and what the runner, the session,
//! the TUI and the export play. Server references are ids here, and every rule of the format
//! has been checked.

use crate::raft::{
    Action, Cluster, ClusterConfig, Entry, Envelope, Invariant, LogIndex, MessageFields, MessageId,
    MessageKind, Micros, Role, ServerAction, ServerId, ServerState, Term, Timing,
};

/// A validated scenario, ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Its title.
    pub name: String,
    /// Its longer text, if any.
    pub description: Option<String>,
    /// Server names, by id.
    pub names: Vec<String>,
    /// The servers' starting states.
    pub initial: Vec<ServerState>,
    /// The script.
    pub steps: Vec<Step>,
    /// Whether the file asked to start from a state Raft cannot reach (see `reachable.rs`).
    pub unsafe_start: bool,
    /// Settings for the whole cluster (the mutant the servers run among them).
    pub config: ClusterConfig,
    /// How time behaves, when the clock runs from the start.
    pub timing: Option<Timing>,
}

impl Scenario {
    /// The cluster in its starting state (its clock at 0 when the scenario has timing).
    pub fn cluster(&self) -> Cluster {
        let mut cluster = Cluster::with_config(self.initial.clone(), self.config.clone());
        if let Some(timing) = self.timing {
            // A fresh cluster has no clock, so this cannot be refused.
            let _ = cluster.apply(&Action::StartClock(Box::new(timing)));
        }
        cluster
    }
}

/// One step of the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A change to the cluster that the file gives in full: a timeout, a request, a crash, a
    /// partition, "deliver all", …
    Act(Action),
    /// Deliver, drop or duplicate the message a selector picks when the step plays.
    Message(MessageOp, MessageFilter),
    /// Put a hand-made message in flight; the fields not given come from the sender's state
    /// when the step plays.
    Send(MessageDraft),
    /// Narration.
    Say(String),
    /// A question for the class.
    Quiz(Quiz),
    /// Expectations.
    Expect(Expectation),
    /// Let time run until a goal is reached (resolved, when it plays, to the timed events
    /// it takes).
    RunUntil(RunUntil),
}

/// What a `run_until` step waits for, and how long it may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RunUntil {
    /// The goal.
    pub goal: RunGoal,
    /// The step fails if the goal is not reached within this much simulated time.
    pub within: Micros,
}

/// A `run_until` goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunGoal {
    /// A live leader exists.
    Leader,
    /// No message is in flight.
    Quiet,
    /// The clock reads this.
    Time(Micros),
}

impl Step {
    /// An outside action on `server`.
    pub fn on(server: ServerId, action: ServerAction) -> Step {
        Step::Act(Action::on(server, action))
    }
}

/// What a step does to the message its selector picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageOp {
    /// Deliver it.
    Deliver,
    /// Lose it.
    Drop,
    /// Put a copy of it in flight.
    Duplicate,
}

impl MessageOp {
    /// The step's name in scenario files and descriptions.
    pub fn verb(self) -> &'static str {
        match self {
            MessageOp::Deliver => "deliver",
            MessageOp::Drop => "drop",
            MessageOp::Duplicate => "duplicate",
        }
    }

    /// The action on the message with this id.
    pub fn action(self, id: MessageId) -> Action {
        match self {
            MessageOp::Deliver => Action::Deliver(id),
            MessageOp::Drop => Action::Drop(id),
            MessageOp::Duplicate => Action::Duplicate(id),
        }
    }
}

/// A question with numbered choices; `answer` counts from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quiz {
    /// The question.
    pub question: String,
    /// The choices, shown as 1), 2), …
    pub choices: Vec<String>,
    /// The right choice, counting from 1.
    pub answer: usize,
    /// Why it is right.
    pub explain: String,
}

/// A hand-made message, as a script gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageDraft {
    /// The server it comes from.
    pub from: ServerId,
    /// The recipient.
    pub to: ServerId,
    /// Its kind.
    pub kind: MessageKind,
    /// The fields given (each belongs to the kind).
    pub fields: MessageFields,
}

/// Picks an in-flight message: the matches of a pattern (and id), then one of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// The id.
    pub id: Option<MessageId>,
    /// What the message must be.
    pub pattern: MessagePattern,
    /// Which of the matches.
    pub pick: Pick,
}

impl MessageFilter {
    /// Whether `message` matches the id and the pattern.
    pub fn matches(&self, message: &Envelope) -> bool {
        self.id.is_none_or(|id| message.id == id) && self.pattern.matches(message)
    }
}

/// Which of the matching messages a selector picks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pick {
    /// The oldest.
    #[default]
    Oldest,
    /// The newest.
    Newest,
    /// The one at this position among the matches, 0-based, oldest first.
    Nth(usize),
}

/// A message in flight as a script describes it: every field given must match; fields not
/// given match anything, and a field the message's kind does not carry matches no message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessagePattern {
    /// The sender.
    pub from: Option<ServerId>,
    /// The recipient.
    pub to: Option<ServerId>,
    /// The kind.
    pub kind: Option<MessageKind>,
    /// The message's own fields, the entries as patterns.
    pub fields: MessageFields<Vec<EntryPattern>>,
}

impl MessagePattern {
    /// Whether `message` matches every field given.
    pub fn matches(&self, message: &Envelope) -> bool {
        let (want, have) = (&self.fields, message.message.fields());
        given(self.from, Some(message.from))
            && given(self.to, Some(message.to))
            && given(self.kind, Some(message.message.kind()))
            && given(want.term, have.term)
            && given(want.last_log_index, have.last_log_index)
            && given(want.last_log_term, have.last_log_term)
            && given(want.granted, have.granted)
            && given(want.prev_log_index, have.prev_log_index)
            && given(want.prev_log_term, have.prev_log_term)
            && given(want.leader_commit, have.leader_commit)
            && given(want.success, have.success)
            && given(want.match_index, have.match_index)
            && want.entries.as_ref().is_none_or(|want| {
                have.entries.is_some_and(|have| {
                    have.len() == want.len() && have.iter().zip(want).all(|(e, p)| p.matches(e))
                })
            })
    }
}

/// Whether a field given in a pattern matches what the message carries (`None`: the message's
/// kind does not carry it, so it matches nothing given).
fn given<T: PartialEq>(want: Option<T>, have: Option<T>) -> bool {
    want.is_none() || want == have
}

/// A log entry as a script expects it: a bare term checks the term alone; an entry written
/// as an object checks its command too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPattern {
    /// The term.
    pub term: Term,
    /// The command, when it is checked.
    pub command: Option<String>,
}

impl EntryPattern {
    /// Whether `entry` matches.
    pub fn matches(&self, entry: &Entry) -> bool {
        entry.term == self.term && self.command.as_deref().is_none_or(|c| *entry.command == *c)
    }
}

/// Messages that must be in flight.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageExpectation {
    /// What they are.
    pub pattern: MessagePattern,
    /// Exactly how many; `None`: at least one.
    pub count: Option<usize>,
}

/// How many messages are in flight: in all, of some kinds, from and to some servers (what is
/// not listed is not checked).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlightCounts {
    /// In all.
    pub total: Option<usize>,
    /// Of each kind listed.
    pub by_kind: Vec<(MessageKind, usize)>,
    /// From each server listed.
    pub by_from: Vec<(ServerId, usize)>,
    /// To each server listed.
    pub by_to: Vec<(ServerId, usize)>,
}

impl FlightCounts {
    /// A count of every message in flight.
    pub fn total(count: usize) -> FlightCounts {
        FlightCounts {
            total: Some(count),
            ..FlightCounts::default()
        }
    }
}

/// Resolved expectations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    /// The server the server fields are about.
    pub server: Option<ServerId>,
    /// Its role.
    pub role: Option<Role>,
    /// Its term.
    pub term: Option<Term>,
    /// Its vote.
    pub voted_for: Option<Option<ServerId>>,
    /// The leader it knows.
    pub leader: Option<Option<ServerId>>,
    /// Its log.
    pub log: Option<Vec<EntryPattern>>,
    /// Its commit index.
    pub commit_index: Option<LogIndex>,
    /// Whether it is crashed.
    pub crashed: Option<bool>,
    /// As leader: next_index of the followers listed.
    pub next_index: Option<Vec<(ServerId, LogIndex)>>,
    /// As leader: match_index of the followers listed.
    pub match_index: Option<Vec<(ServerId, LogIndex)>>,
    /// The live leaders.
    pub leaders: Option<Vec<ServerId>>,
    /// Messages in flight, counted.
    pub in_flight: Option<FlightCounts>,
    /// Messages that must be in flight.
    pub messages: Vec<MessageExpectation>,
    /// The clock's reading: within [min, max] (equal ends for an exact time).
    pub time: Option<(Micros, Micros)>,
    /// An invariant broken by now.
    pub broken: Option<Invariant>,
}
