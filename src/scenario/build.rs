//! Turns a parsed scenario file into a checked [`Scenario`]: names resolved to ids, every
//! rule of the format validated, with errors that name the field.

use super::error::ScenarioError;
use super::format::{
    EntrySpec, ExpectSpec, QuizSpec, ScenarioFile, Selector, ServerRef, ServerSpec, ServersSpec,
    StepSpec,
};
use crate::raft::{
    Bug, Cluster, Entry, Invariant, Log, LogIndex, MAX_SERVERS, MessageId, MessageKind, Role,
    ServerAction, ServerId, ServerState, Term,
};
use std::sync::Arc;

/// The highest term a scenario may give (elections must be able to go on from there).
pub const MAX_TERM: Term = u32::MAX as Term;

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
    /// The rule the servers break on purpose, if any.
    pub bug: Option<Bug>,
    /// The script.
    pub steps: Vec<Step>,
    /// Whether the file asked to start from a state Raft cannot reach (see `reachable.rs`).
    pub unsafe_start: bool,
}

impl Scenario {
    /// The cluster in its starting state.
    pub fn cluster(&self) -> Cluster {
        Cluster::with_bug(self.initial.clone(), self.bug)
    }
}

/// One resolved step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// An outside action on a server.
    Server {
        /// The server.
        server: ServerId,
        /// The action.
        action: ServerAction,
    },
    /// Deliver the oldest matching message.
    Deliver(MessageFilter),
    /// Drop the oldest matching message.
    Drop(MessageFilter),
    /// Duplicate the oldest matching message.
    Duplicate(MessageFilter),
    /// Deliver everything.
    DeliverAll,
    /// Split the network.
    Partition(Vec<Vec<ServerId>>),
    /// Reconnect.
    Heal,
    /// Narration.
    Say(String),
    /// A question for the class.
    Quiz(Quiz),
    /// Expectations.
    Expect(Expectation),
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
    /// An invariant broken by now.
    pub broken: Option<Invariant>,
}

/// Parses and validates scenario text. `origin` names it in errors (a path or a name).
pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    // Some editors start a UTF-8 file with a byte-order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ScenarioError {
            origin: origin.to_string(),
            position: None,
            field: None,
            message:
                "empty file: a scenario is a JSON object like {\"name\": \"...\", \"servers\": 3}"
                    .to_string(),
        });
    }
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let super::format::Object(file): super::format::Object<ScenarioFile> =
        serde_path_to_error::deserialize(&mut *deserializer).map_err(|e| {
            let path = e.path().to_string();
            ScenarioError::from_json(origin, &path, e.inner()).explain_large_number(text)
        })?;
    // Text after the scenario (a second object, a stray bracket) is an error too.
    deserializer
        .end()
        .map_err(|e| ScenarioError::from_json(origin, "", &e))?;
    build(&file, origin)
}

/// Validates a parsed file.
pub fn build(file: &ScenarioFile, origin: &str) -> Result<Scenario, ScenarioError> {
    let specs: Vec<ServerSpec> = match &file.servers {
        ServersSpec::Count(n) => {
            let n = check_size(*n, origin)?;
            vec![ServerSpec::default(); n]
        }
        ServersSpec::List(list) => {
            check_size(list.len() as u64, origin)?;
            list.clone()
        }
    };
    let names = server_names(&specs, origin)?;
    let resolver = Resolver {
        names: &names,
        origin,
    };
    let initial = specs
        .iter()
        .enumerate()
        .map(|(id, spec)| server_state(id, spec, &resolver))
        .collect::<Result<Vec<_>, _>>()?;
    if !file.unsafe_start {
        super::reachable::check(&initial, &names, origin)?;
    }
    let steps = file
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| resolve_step(step, &format!("steps[{i}]"), &resolver))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario {
        name: file.name.clone(),
        description: file.description.clone(),
        names,
        initial,
        bug: file.bug,
        steps,
        unsafe_start: file.unsafe_start,
    })
}

fn check_size(n: u64, origin: &str) -> Result<usize, ScenarioError> {
    if (1..=MAX_SERVERS as u64).contains(&n) {
        Ok(n as usize)
    } else {
        Err(ScenarioError::at_field(
            origin,
            "servers",
            format!("a cluster has 1 to {MAX_SERVERS} servers, not {n}"),
        ))
    }
}

fn server_names(specs: &[ServerSpec], origin: &str) -> Result<Vec<String>, ScenarioError> {
    let mut names: Vec<String> = Vec::with_capacity(specs.len());
    for (id, spec) in specs.iter().enumerate() {
        let name = spec.name.clone().unwrap_or_else(|| format!("S{id}"));
        let field = format!("servers[{id}].name");
        if name.trim().is_empty() {
            return Err(ScenarioError::at_field(
                origin,
                field,
                "a name cannot be empty",
            ));
        }
        // A name is a label on screen and in every explanation; a control character in it
        // could only hide it or play tricks on the terminal.
        if let Some(c) = name.chars().find(|&c| crate::escape::is_unsafe(c)) {
            return Err(ScenarioError::at_field(
                origin,
                field,
                format!(
                    "a name is a label and cannot hold control characters, but this one holds U+{:04X}",
                    c as u32
                ),
            ));
        }
        if let Some(other) = names.iter().position(|n| *n == name) {
            return Err(ScenarioError::at_field(
                origin,
                field,
                format!("\"{name}\" is already the name of server {other}"),
            ));
        }
        names.push(name);
    }
    Ok(names)
}

fn server_state(id: usize, spec: &ServerSpec, r: &Resolver) -> Result<ServerState, ScenarioError> {
    let at = |field: &str| format!("servers[{id}].{field}");
    let term = spec.term.unwrap_or(1);
    if term == 0 {
        return Err(r.error(at("term"), "terms start at 1"));
    }
    if term > MAX_TERM {
        return Err(r.error(at("term"), format!("terms go up to {MAX_TERM}, not {term}")));
    }
    let mut entries = Vec::with_capacity(spec.log.len());
    let mut previous = 0;
    for (i, entry) in spec.log.iter().enumerate() {
        let (entry_term, command) = match entry {
            EntrySpec::Term(t) => (*t, ""),
            EntrySpec::Full(full) => (full.term, full.command.as_str()),
        };
        let field = at(&format!("log[{i}]"));
        if entry_term == 0 {
            return Err(r.error(field, "log entries have terms of 1 or more"));
        }
        if entry_term < previous {
            return Err(r.error(
                field,
                format!(
                    "term {entry_term} comes after term {previous}; terms in a log never decrease"
                ),
            ));
        }
        if entry_term > term {
            return Err(r.error(
                field,
                format!("term {entry_term} is above the server's term {term}"),
            ));
        }
        previous = entry_term;
        entries.push(Entry::new(entry_term, command));
    }
    let commit_index = spec.commit_index.unwrap_or(0);
    if commit_index > entries.len() {
        return Err(r.error(
            at("commit_index"),
            format!(
                "{commit_index} is past the end of the log, which has {}",
                plural(entries.len(), "entry", "entries")
            ),
        ));
    }
    let voted_for = match &spec.voted_for {
        None => None,
        Some(reference) => Some(r.server(reference, &at("voted_for"))?),
    };
    let role = spec.role.unwrap_or(Role::Follower);
    if role != Role::Follower && voted_for.is_some_and(|v| v != id) {
        let other = voted_for.map(|v| r.names[v].as_str()).unwrap_or_default();
        return Err(r.error(
            at("voted_for"),
            format!(
                "a {} has voted for itself in its term, not for {other}",
                role.as_str().to_lowercase()
            ),
        ));
    }
    Ok(ServerState {
        term,
        voted_for,
        log: Log::from(entries),
        commit_index,
        role,
        crashed: spec.crashed.unwrap_or(false),
    })
}

fn resolve_step(step: &StepSpec, at: &str, r: &Resolver) -> Result<Step, ScenarioError> {
    let server =
        |reference: &ServerRef, action: ServerAction, key: &str| -> Result<Step, ScenarioError> {
            Ok(Step::Server {
                server: r.server(reference, &format!("{at}.{key}"))?,
                action,
            })
        };
    Ok(match step {
        StepSpec::Timeout(s) => server(s, ServerAction::Timeout, "timeout")?,
        StepSpec::Crash(s) => server(s, ServerAction::Crash, "crash")?,
        StepSpec::Restart(s) => server(s, ServerAction::Restart, "restart")?,
        StepSpec::Heartbeat(s) => server(s, ServerAction::Heartbeat, "heartbeat")?,
        StepSpec::BecomeFollower(s) => server(s, ServerAction::BecomeFollower, "become_follower")?,
        StepSpec::BecomeCandidate(s) => {
            server(s, ServerAction::BecomeCandidate, "become_candidate")?
        }
        StepSpec::BecomeLeader(s) => server(s, ServerAction::BecomeLeader, "become_leader")?,
        StepSpec::Request(request) => server(
            &request.server,
            ServerAction::ClientRequest(Arc::from(request.command.as_str())),
            "request.server",
        )?,
        StepSpec::Deliver(sel) => Step::Deliver(r.filter(sel, &format!("{at}.deliver"))?),
        StepSpec::Drop(sel) => Step::Drop(r.filter(sel, &format!("{at}.drop"))?),
        StepSpec::Duplicate(sel) => Step::Duplicate(r.filter(sel, &format!("{at}.duplicate"))?),
        StepSpec::DeliverAll => Step::DeliverAll,
        StepSpec::Heal => Step::Heal,
        StepSpec::Partition(groups) => {
            Step::Partition(r.groups(groups, &format!("{at}.partition"))?)
        }
        StepSpec::Say(text) => Step::Say(text.clone()),
        StepSpec::Quiz(quiz) => Step::Quiz(r.quiz(quiz, &format!("{at}.quiz"))?),
        StepSpec::Expect(spec) => Step::Expect(r.expectation(spec, &format!("{at}.expect"))?),
    })
}

/// Resolves server references against the scenario's names.
struct Resolver<'a> {
    names: &'a [String],
    origin: &'a str,
}

impl Resolver<'_> {
    fn error(&self, field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at_field(self.origin, field, message)
    }

    fn server(&self, reference: &ServerRef, field: &str) -> Result<ServerId, ScenarioError> {
        match reference {
            ServerRef::Id(id) if (*id as usize) < self.names.len() => Ok(*id as usize),
            ServerRef::Id(id) => Err(self.error(
                field,
                format!(
                    "there is no server {id}: ids run from 0 to {}",
                    self.names.len() - 1
                ),
            )),
            ServerRef::Name(name) => self.names.iter().position(|n| n == name).ok_or_else(|| {
                self.error(
                    field,
                    format!(
                        "no server is named \"{name}\" (the names are {})",
                        self.names.join(", ")
                    ),
                )
            }),
        }
    }

    fn filter(&self, sel: &Selector, field: &str) -> Result<MessageFilter, ScenarioError> {
        let resolve = |reference: &Option<ServerRef>, key: &str| {
            reference
                .as_ref()
                .map(|s| self.server(s, &format!("{field}.{key}")))
                .transpose()
        };
        Ok(MessageFilter {
            id: sel.id,
            from: resolve(&sel.from, "from")?,
            to: resolve(&sel.to, "to")?,
            kind: sel.kind,
        })
    }

    fn groups(
        &self,
        groups: &[Vec<ServerRef>],
        field: &str,
    ) -> Result<Vec<Vec<ServerId>>, ScenarioError> {
        let mut seen = vec![false; self.names.len()];
        let mut resolved = Vec::with_capacity(groups.len());
        for (g, group) in groups.iter().enumerate() {
            let mut ids = Vec::with_capacity(group.len());
            for (i, reference) in group.iter().enumerate() {
                let at = format!("{field}[{g}][{i}]");
                let id = self.server(reference, &at)?;
                if std::mem::replace(&mut seen[id], true) {
                    return Err(
                        self.error(at, format!("{} is in more than one group", self.names[id]))
                    );
                }
                ids.push(id);
            }
            resolved.push(ids);
        }
        Ok(resolved)
    }

    fn quiz(&self, spec: &QuizSpec, field: &str) -> Result<Quiz, ScenarioError> {
        let count = spec.choices.len();
        if !(2..=9).contains(&count) {
            return Err(self.error(
                format!("{field}.choices"),
                format!(
                    "a quiz has 2 to 9 choices (the class answers with a number key), not {count}"
                ),
            ));
        }
        if !(1..=count).contains(&spec.answer) {
            return Err(self.error(
                format!("{field}.answer"),
                format!(
                    "the answer is the number of a choice, 1 to {count}, not {}",
                    spec.answer
                ),
            ));
        }
        Ok(Quiz {
            question: spec.question.clone(),
            choices: spec.choices.clone(),
            answer: spec.answer,
            explain: spec.explain.clone(),
        })
    }

    fn expectation(&self, spec: &ExpectSpec, field: &str) -> Result<Expectation, ScenarioError> {
        let server = spec
            .server
            .as_ref()
            .map(|s| self.server(s, &format!("{field}.server")))
            .transpose()?;
        let voted_for = match &spec.voted_for {
            None => None,
            Some(None) => Some(None),
            Some(Some(reference)) => {
                Some(Some(self.server(reference, &format!("{field}.voted_for"))?))
            }
        };
        let leaders = spec
            .leaders
            .as_ref()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, s)| self.server(s, &format!("{field}.leaders[{i}]")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let expectation = Expectation {
            server,
            role: spec.role,
            term: spec.term,
            voted_for,
            log: spec.log.clone(),
            commit_index: spec.commit_index,
            crashed: spec.crashed,
            leaders,
            in_flight: spec.in_flight,
            broken: spec.broken,
        };
        let has_server_fields = expectation.role.is_some()
            || expectation.term.is_some()
            || expectation.voted_for.is_some()
            || expectation.log.is_some()
            || expectation.commit_index.is_some()
            || expectation.crashed.is_some();
        if has_server_fields && server.is_none() {
            return Err(self.error(
                field,
                "role, term, voted_for, log, commit_index and crashed need \"server\" to say which server",
            ));
        }
        if !has_server_fields
            && expectation.leaders.is_none()
            && expectation.in_flight.is_none()
            && expectation.broken.is_none()
        {
            return Err(self.error(field, "this expect checks nothing"));
        }
        Ok(expectation)
    }
}

/// "1 entry", "2 entries".
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
