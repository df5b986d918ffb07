//! A validated scenario: what `build.rs` makes of a file, and what the runner, the session,
//! the TUI and the export play. Server references are ids here, and every rule of the format
//! has been checked.

use crate::raft::{
    Action, Cluster, LogIndex, MessageId, MessageKind, Micros, Role, ServerAction, ServerId,
    ServerState, Term, Timing,
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
    /// How time behaves, when the clock runs from the start.
    pub timing: Option<Timing>,
}

impl Scenario {
    /// The cluster in its starting state (its clock at 0 when the scenario has timing).
    pub fn cluster(&self) -> Cluster {
        let mut cluster = Cluster::from_states(self.initial.clone());
        if let Some(timing) = self.timing {
            // A fresh cluster has no clock, so this cannot be refused.
            let _ = cluster.apply(&Action::StartClock(timing));
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

/// Matches in-flight messages; fields not given match anything.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// The id.
    pub id: Option<MessageId>,
    /// The sender.
    pub from: Option<ServerId>,
    /// The recipient.
    pub to: Option<ServerId>,
    /// The kind.
    pub kind: Option<MessageKind>,
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
    /// Its log's terms.
    pub log: Option<Vec<Term>>,
    /// Its commit index.
    pub commit_index: Option<LogIndex>,
    /// Whether it is crashed.
    pub crashed: Option<bool>,
    /// The live leaders.
    pub leaders: Option<Vec<ServerId>>,
    /// Messages in flight.
    pub in_flight: Option<usize>,
    /// The clock's reading: within [min, max] (equal ends for an exact time).
    pub time: Option<(Micros, Micros)>,
}
