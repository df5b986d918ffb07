//! Turns a session into a scenario file that replays it exactly: the starting servers and
//! settings, every step taken so far (scripted or free, messages by id, hand-made messages with
//! every field), and expectations that pin the state reached, so the saved file is also a
//! regression test.

use super::{Origin, Session};
use crate::raft::{
    Action, Between, Cluster, Entry, Link, Message, Micros, Role, ServerAction, ServerId,
    ServerState, Timing,
};
use crate::scenario::format::{
    EntrySpec, ExpectSpec, FullEntry, InFlightCounts, InFlightSpec, Keyed, KindCounts, LinkSpec,
    MessagePatternSpec, OneWayLink, QuizSpec, RequestSpec, ScenarioFile, Selector, SendSpec,
    ServerRef, ServerSpec, ServersSpec, StepSpec, TimeSpec, TimingSpec,
};
use crate::scenario::{EntryPattern, Expectation, FlightCounts, MessagePattern, Step};

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
        let name = |id: ServerId| ServerRef::Name(names[id].clone());
        final_expectations(self.cluster(), &name, names)
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
                    steps.push(StepSpec::Expect(expect_spec(e, &name, names)))
                }
                (None, _) => {}
            }
        }
        let scenario = self.scenario();
        ScenarioFile {
            schema: None,
            name: format!("{} (saved)", scenario.name),
            description: scenario.description.clone(),
            bug: scenario.config.bug,
            servers: ServersSpec::List(
                scenario
                    .initial
                    .iter()
                    .enumerate()
                    .map(|(id, state)| server_spec(names[id].clone(), state, &name, names))
                    .collect(),
            ),
            unsafe_start: scenario.unsafe_start,
            max_entries_per_append: scenario.config.max_entries_per_append,
            steps,
            timing: scenario.timing.map(timing_spec),
        }
    }
}

fn server_spec(
    name: String,
    state: &ServerState,
    refer: &impl Fn(ServerId) -> ServerRef,
    names: &[String],
) -> ServerSpec {
    let keyed = |list: &[(ServerId, usize)]| {
        (!list.is_empty())
            .then(|| Keyed(list.iter().map(|&(s, i)| (names[s].clone(), i)).collect()))
    };
    ServerSpec {
        name: Some(name),
        term: Some(state.term),
        voted_for: state.voted_for.map(refer),
        log: entry_specs(state.log.entries()),
        commit_index: Some(state.commit_index),
        role: Some(state.role),
        crashed: Some(state.crashed),
        next_index: keyed(&state.next_index),
        match_index: keyed(&state.match_index),
        leader: state.leader.map(refer),
    }
}

/// Entries as a file writes them: a bare term, or `{"term", "command"}` when there is one.
fn entry_specs<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<EntrySpec> {
    entries
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
        .collect()
}

/// The steps that replay `action`: one, except for a "deliver all" stopped part-way, which is
/// that many deliveries of the oldest message.
fn action_steps(action: &Action, refer: &impl Fn(ServerId) -> ServerRef) -> Vec<StepSpec> {
    let by_id = |id| Selector {
        id: Some(id),
        ..Selector::default()
    };
    let link = |link: &Link| {
        if link.both_ways {
            LinkSpec::BothWays([refer(link.from), refer(link.to)])
        } else {
            LinkSpec::OneWay(OneWayLink {
                from: refer(link.from),
                to: refer(link.to),
            })
        }
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
        Action::Cut(l) => StepSpec::Cut(link(l)),
        Action::Restore(l) => StepSpec::Link(link(l)),
        Action::Inject { from, to, message } => {
            StepSpec::Send(send_spec(refer(*from), refer(*to), message))
        }
        Action::DeliverUpTo(count) => {
            return vec![StepSpec::Deliver(Selector::default()); *count];
        }
        Action::StartClock(timing) => StepSpec::StartClock(timing_spec(**timing)),
        Action::SetTiming(timing) => StepSpec::SetTiming(timing_spec(**timing)),
        Action::NextEvents(count) => StepSpec::NextEvents(*count as u64),
        Action::Advance(by) => StepSpec::Advance(ms(*by)),
    };
    vec![step]
}

/// A hand-made message with every field written out, so replay needs nothing from the sender.
fn send_spec(from: ServerRef, to: ServerRef, message: &Message) -> SendSpec {
    let fields = message.fields().map_entries(|e| entry_specs(e.iter()));
    SendSpec::from_parts(from, to, message.kind(), fields)
}

/// Expected entries as a file writes them: a bare term checks the term alone.
fn entry_pattern_specs(list: &[EntryPattern]) -> Vec<EntrySpec> {
    list.iter()
        .map(|p| match &p.command {
            None => EntrySpec::Term(p.term),
            Some(command) => EntrySpec::Full(FullEntry {
                term: p.term,
                command: command.clone(),
            }),
        })
        .collect()
}

fn pattern_spec(
    p: &MessagePattern,
    count: Option<usize>,
    refer: &impl Fn(ServerId) -> ServerRef,
) -> MessagePatternSpec {
    let fields = p.fields.clone().map_entries(|e| entry_pattern_specs(&e));
    MessagePatternSpec::from_parts(count, p.from.map(refer), p.to.map(refer), p.kind, fields)
}

fn counts_spec(c: &FlightCounts, names: &[String]) -> InFlightSpec {
    if c.by_kind.is_empty() && c.by_from.is_empty() && c.by_to.is_empty() {
        return InFlightSpec::Count(c.total.unwrap_or_default());
    }
    let keyed = |list: &[(ServerId, usize)]| {
        (!list.is_empty())
            .then(|| Keyed(list.iter().map(|&(s, n)| (names[s].clone(), n)).collect()))
    };
    let mut kinds = KindCounts::default();
    for &(kind, n) in &c.by_kind {
        *kinds.slot(kind) = Some(n);
    }
    InFlightSpec::Counts(InFlightCounts {
        total: c.total,
        kind: (!c.by_kind.is_empty()).then_some(kinds),
        from: keyed(&c.by_from),
        to: keyed(&c.by_to),
    })
}

fn expect_spec(
    e: &Expectation,
    refer: &impl Fn(ServerId) -> ServerRef,
    names: &[String],
) -> ExpectSpec {
    let keyed = |list: &Option<Vec<(ServerId, usize)>>| {
        list.as_ref()
            .map(|l| Keyed(l.iter().map(|&(s, i)| (names[s].clone(), i)).collect()))
    };
    ExpectSpec {
        server: e.server.map(refer),
        role: e.role,
        term: e.term,
        voted_for: e.voted_for.map(|v| v.map(refer)),
        leader: e.leader.map(|v| v.map(refer)),
        log: e.log.as_deref().map(entry_pattern_specs),
        commit_index: e.commit_index,
        crashed: e.crashed,
        next_index: keyed(&e.next_index),
        match_index: keyed(&e.match_index),
        leaders: e
            .leaders
            .as_ref()
            .map(|l| l.iter().map(|&s| refer(s)).collect()),
        in_flight: e.in_flight.as_ref().map(|c| counts_spec(c, names)),
        broken: e.broken,
        messages: (!e.messages.is_empty()).then(|| {
            e.messages
                .iter()
                .map(|m| pattern_spec(&m.pattern, m.count, refer))
                .collect()
        }),
        time: e.time.map(|(min, max)| {
            if min == max {
                TimeSpec::At(ms(min))
            } else {
                TimeSpec::Between([ms(min), ms(max)])
            }
        }),
    }
}

/// Microseconds as the file's ms.
fn ms(micros: Micros) -> f64 {
    micros as f64 / 1e3
}

/// A timing as the file writes it, every field given.
fn timing_spec(t: Timing) -> TimingSpec {
    let range = |r: Between| Some([ms(r.min), ms(r.max)]);
    TimingSpec {
        election_timeout: range(t.election_timeout),
        heartbeat: Some(ms(t.heartbeat)),
        latency: range(t.latency),
        persist: range(t.persist),
        seed: Some(t.seed),
    }
}

/// Every server's state (a leader's next/match indices included) and the cluster's.
fn final_expectations(
    cluster: &Cluster,
    refer: &impl Fn(ServerId) -> ServerRef,
    names: &[String],
) -> Vec<StepSpec> {
    let mut steps: Vec<StepSpec> = cluster
        .servers()
        .iter()
        .map(|s| {
            let per_peer = |indices: &[usize]| {
                (s.role == Role::Leader)
                    .then(|| Keyed(s.peers().map(|p| (names[p].clone(), indices[p])).collect()))
            };
            StepSpec::Expect(ExpectSpec {
                server: Some(refer(s.id)),
                role: Some(s.role),
                term: Some(s.current_term),
                voted_for: Some(s.voted_for.map(refer)),
                leader: Some(s.leader_id.map(refer)),
                log: Some(entry_specs(s.log.entries())),
                commit_index: Some(s.commit_index),
                crashed: Some(s.crashed),
                next_index: per_peer(&s.next_index),
                match_index: per_peer(&s.match_index),
                ..ExpectSpec::default()
            })
        })
        .collect();
    steps.push(StepSpec::Expect(ExpectSpec {
        leaders: Some(cluster.live_leaders().map(refer).collect()),
        in_flight: Some(InFlightSpec::Count(cluster.in_flight().len())),
        time: cluster.now().map(|now| TimeSpec::At(ms(now))),
        ..ExpectSpec::default()
    }));
    steps
}
