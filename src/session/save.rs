//! Turns a session into a scenario file that replays it exactly: the starting servers, every
//! step taken so far (scripted or free, messages by id), and expectations that pin the state
//! reached, so the saved file is also a regression test.

use super::{Origin, Session};
use crate::raft::{Action, Cluster, ServerAction, ServerId, ServerState};
use crate::scenario::format::{
    EntrySpec, ExpectSpec, FullEntry, QuizSpec, RequestSpec, ScenarioFile, Selector, ServerRef,
    ServerSpec, ServersSpec, StepSpec,
};
use crate::scenario::{Expectation, Step};

impl Session {
    /// The session so far, as a scenario file.
    pub fn to_scenario_file(&self) -> ScenarioFile {
        let mut file = self.script_file();
        file.steps.push(StepSpec::Say(
            "Saved here. The expectations below pin the state this session reached.".to_string(),
        ));
        file.steps.extend(self.state_expectations());
        file
    }

    /// Expectations that pin the state reached: every server's fields, the leaders and the
    /// number of messages in flight.
    pub fn state_expectations(&self) -> Vec<StepSpec> {
        let names = self.names();
        final_expectations(self.cluster(), &|id: ServerId| {
            ServerRef::Name(names[id].clone())
        })
    }

    /// The session so far as a scenario file: the starting servers and every step taken,
    /// with nothing added.
    pub fn script_file(&self) -> ScenarioFile {
        let names = self.names();
        let name = |id: ServerId| ServerRef::Name(names[id].clone());
        let mut steps = Vec::new();
        for entry in self.entries() {
            let scripted = match entry.origin {
                Origin::Script(i) => Some(&self.scenario().steps[i]),
                Origin::Free => None,
            };
            match (&entry.action, scripted) {
                (Some(action), _) => steps.extend(action_steps(action, &name)),
                (None, Some(Step::Say(text))) => steps.push(StepSpec::Say(text.clone())),
                (None, Some(Step::Quiz(q))) => steps.push(StepSpec::Quiz(QuizSpec {
                    question: q.question.clone(),
                    choices: q.choices.clone(),
                    answer: q.answer,
                    explain: q.explain.clone(),
                })),
                (None, Some(Step::Expect(e))) => {
                    steps.push(StepSpec::Expect(expect_spec(e, &name)))
                }
                (None, _) => {}
            }
        }
        ScenarioFile {
            schema: None,
            name: format!("{} (saved)", self.scenario().name),
            description: self.scenario().description.clone(),
            bug: self.scenario().bug,
            servers: ServersSpec::List(
                self.scenario()
                    .initial
                    .iter()
                    .enumerate()
                    .map(|(id, state)| server_spec(names[id].clone(), state, &name))
                    .collect(),
            ),
            steps,
            unsafe_start: self.scenario().unsafe_start,
        }
    }
}

fn server_spec(
    name: String,
    state: &ServerState,
    refer: &impl Fn(ServerId) -> ServerRef,
) -> ServerSpec {
    ServerSpec {
        name: Some(name),
        term: Some(state.term),
        voted_for: state.voted_for.map(refer),
        log: state
            .log
            .entries()
            .map(|e| {
                if e.command.is_empty() {
                    EntrySpec::Term(e.term)
                } else {
                    EntrySpec::Full(FullEntry {
                        term: e.term,
                        command: e.command.to_string(),
                    })
                }
            })
            .collect(),
        commit_index: Some(state.commit_index),
        role: Some(state.role),
        crashed: Some(state.crashed),
    }
}

/// The steps that replay `action`: one, except for a "deliver all" stopped part-way, which is
/// that many deliveries of the oldest message.
fn action_steps(action: &Action, refer: &impl Fn(ServerId) -> ServerRef) -> Vec<StepSpec> {
    let by_id = |id| Selector {
        id: Some(id),
        ..Selector::default()
    };
    let step = match action {
        Action::Server { server, action } => {
            let s = refer(*server);
            match action {
                ServerAction::Timeout => StepSpec::Timeout(s),
                ServerAction::ClientRequest(command) => StepSpec::Request(RequestSpec {
                    server: s,
                    command: command.to_string(),
                }),
                ServerAction::Heartbeat => StepSpec::Heartbeat(s),
                ServerAction::Crash => StepSpec::Crash(s),
                ServerAction::Restart => StepSpec::Restart(s),
                ServerAction::BecomeFollower => StepSpec::BecomeFollower(s),
                ServerAction::BecomeCandidate => StepSpec::BecomeCandidate(s),
                ServerAction::BecomeLeader => StepSpec::BecomeLeader(s),
            }
        }
        Action::Deliver(id) => StepSpec::Deliver(by_id(*id)),
        // The oldest message is the one with no selector at all.
        Action::DeliverOldest => StepSpec::Deliver(Selector::default()),
        Action::Drop(id) => StepSpec::Drop(by_id(*id)),
        Action::Duplicate(id) => StepSpec::Duplicate(by_id(*id)),
        Action::DeliverAll => StepSpec::DeliverAll,
        Action::Partition(groups) => StepSpec::Partition(
            groups
                .iter()
                .map(|g| g.iter().map(|&s| refer(s)).collect())
                .collect(),
        ),
        Action::Heal => StepSpec::Heal,
        Action::DeliverUpTo(count) => {
            return vec![StepSpec::Deliver(Selector::default()); *count];
        }
    };
    vec![step]
}

fn expect_spec(e: &Expectation, refer: &impl Fn(ServerId) -> ServerRef) -> ExpectSpec {
    ExpectSpec {
        server: e.server.map(refer),
        role: e.role,
        term: e.term,
        voted_for: e.voted_for.map(|v| v.map(refer)),
        log: e.log.clone(),
        commit_index: e.commit_index,
        crashed: e.crashed,
        leaders: e
            .leaders
            .as_ref()
            .map(|l| l.iter().map(|&s| refer(s)).collect()),
        in_flight: e.in_flight,
        broken: e.broken,
    }
}

fn final_expectations(cluster: &Cluster, refer: &impl Fn(ServerId) -> ServerRef) -> Vec<StepSpec> {
    let mut steps: Vec<StepSpec> = cluster
        .servers()
        .iter()
        .map(|s| {
            StepSpec::Expect(ExpectSpec {
                server: Some(refer(s.id)),
                role: Some(s.role),
                term: Some(s.current_term),
                voted_for: Some(s.voted_for.map(refer)),
                log: Some(s.log.terms().collect()),
                commit_index: Some(s.commit_index),
                crashed: Some(s.crashed),
                ..ExpectSpec::default()
            })
        })
        .collect();
    steps.push(StepSpec::Expect(ExpectSpec {
        leaders: Some(cluster.live_leaders().map(refer).collect()),
        in_flight: Some(cluster.in_flight().len()),
        ..ExpectSpec::default()
    }));
    steps
}
