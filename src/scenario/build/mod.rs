//! Turns a parsed scenario file into a checked [`Scenario`] (the types are in `script.rs`):
//! names resolved to ids, every rule of the format validated, with errors that name the field.
//! The servers' starting states are checked here, the steps in `steps.rs`, the expectations in
//! `expect.rs`.

mod expect;
mod steps;
mod time;

use super::error::ScenarioError;
use super::format::{EntrySpec, Keyed, ScenarioFile, ServerRef, ServerSpec, ServersSpec};
use super::script::{EntryPattern, Scenario};
use crate::raft::{
    ClusterConfig, Entry, Log, LogIndex, MAX_SERVERS, Role, ServerId, ServerState, Term, Timing,
};

/// The highest term a scenario may give (elections must be able to go on from there).
pub const MAX_TERM: Term = u32::MAX as Term;

/// The highest log index a hand-made message may carry.
pub const MAX_INDEX: LogIndex = i32::MAX as LogIndex;

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
            ScenarioError::from_json(origin, &path, e.inner())
                .explain_large_number(text)
                .explain_server_number(text)
                .explain_lone_surrogate(text)
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
    let mut initial = specs
        .iter()
        .enumerate()
        .map(|(id, spec)| server_state(id, spec, &resolver))
        .collect::<Result<Vec<_>, _>>()?;
    for (id, spec) in specs.iter().enumerate() {
        leader_state(id, spec, &mut initial, &resolver)?;
    }
    if !file.unsafe_start {
        super::reachable::check(&initial, &names, origin)?;
    }
    let config = ClusterConfig {
        max_entries_per_append: match file.max_entries_per_append {
            Some(0) => {
                return Err(resolver.error(
                    "max_entries_per_append",
                    "an AppendEntries carries at least 1 entry when the leader has one to send; leave the field out for no limit",
                ));
            }
            cap => cap,
        },
        bug: file.bug,
    };
    let timing = file
        .timing
        .as_ref()
        .map(|t| resolver.timing(t, "timing", Timing::CLASSROOM))
        .transpose()?;
    // Timed steps need the clock running where they are; what is in force there is what
    // set_timing changes.
    let mut clock_on = timing;
    let steps = file
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            steps::resolve_step(step, &format!("steps[{i}]"), &resolver, &mut clock_on)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario {
        name: file.name.clone(),
        description: file.description.clone(),
        names,
        initial,
        steps,
        unsafe_start: file.unsafe_start,
        config,
        timing,
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
    let entries = r.entries(&spec.log, &at("log"), Some(term))?;
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
        ..ServerState::default()
    })
}

/// A leader's next_index and match_index for its followers, and a follower's leader: checked
/// against every server's log, so after every server's own state.
fn leader_state(
    id: ServerId,
    spec: &ServerSpec,
    states: &mut [ServerState],
    r: &Resolver,
) -> Result<(), ScenarioError> {
    let at = |field: &str| format!("servers[{id}].{field}");
    let role = states[id].role;
    if let Some(reference) = &spec.leader {
        let leader = r.server(reference, &at("leader"))?;
        let refusal = match role {
            Role::Follower if leader == id => Some("a follower does not follow itself"),
            Role::Follower => None,
            Role::Candidate => Some(
                "a candidate follows no leader: starting its election forgot the one it knew (§5.2)",
            ),
            Role::Leader if leader == id => None,
            Role::Leader => Some("a leader leads; it follows no one else"),
        };
        if let Some(why) = refusal {
            return Err(r.error(at("leader"), why));
        }
        states[id].leader = (role == Role::Follower).then_some(leader);
    }
    let next_given = spec.next_index.as_ref();
    let match_given = spec.match_index.as_ref();
    if role != Role::Leader {
        if let Some(field) = [("next_index", next_given), ("match_index", match_given)]
            .into_iter()
            .find_map(|(field, given)| given.is_some().then_some(field))
        {
            return Err(r.error(
                at(field),
                format!(
                    "only a leader keeps {field} for its followers, and {} is a {}",
                    r.names[id],
                    role.as_str().to_lowercase()
                ),
            ));
        }
        return Ok(());
    }
    let last = states[id].log.last_index();
    let followers = |given: Option<&Keyed<LogIndex>>, field: &str| {
        let list = given.map_or(Ok(Vec::new()), |k| r.keyed(k, &at(field)))?;
        match list.iter().find(|(peer, _)| *peer == id) {
            Some(_) => Err(r.error(
                at(field),
                format!("a leader keeps no {field} for itself ({})", r.names[id]),
            )),
            None => Ok(list),
        }
    };
    let next = followers(next_given, "next_index")?;
    let matched = followers(match_given, "match_index")?;
    // Errors name a follower as the file does: the keys, in order.
    let keys = |given: Option<&Keyed<LogIndex>>| {
        given.map_or(Vec::new(), |k| {
            k.0.iter().map(|(key, _)| key.clone()).collect()
        })
    };
    for (&(_, n), key) in next.iter().zip(keys(next_given)) {
        if !(1..=last + 1).contains(&n) {
            return Err(r.error(
                format!("{}.{key}", at("next_index")),
                format!(
                    "next_index runs from 1 to the leader's last index + 1 ({}), not {n}",
                    last + 1
                ),
            ));
        }
    }
    for (&(peer, m), key) in matched.iter().zip(keys(match_given)) {
        let field = format!("{}.{key}", at("match_index"));
        let has = states[peer].log.len();
        if m > has {
            return Err(r.error(
                field,
                format!(
                    "{m} is past the end of {}'s log, which has {}",
                    r.names[peer],
                    plural(has, "entry", "entries")
                ),
            ));
        }
        let n = next
            .iter()
            .find(|(p, _)| *p == peer)
            .map_or(last + 1, |&(_, n)| n);
        if m >= n {
            return Err(r.error(
                field,
                format!(
                    "match_index ({m}) must be below next_index ({n}): the leader sends from the entry after the last it knows to match"
                ),
            ));
        }
    }
    states[id].next_index = next;
    states[id].match_index = matched;
    Ok(())
}

/// Resolves server references against the scenario's names.
struct Resolver<'a> {
    names: &'a [String],
    origin: &'a str,
}

impl Resolver<'_> {
    /// An error about `field`, a path like `steps[3].send.term`.
    fn error(&self, field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at_field(self.origin, field, message)
    }

    fn server(&self, reference: &ServerRef, field: &str) -> Result<ServerId, ScenarioError> {
        match reference {
            ServerRef::Id(id) if (*id as usize) < self.names.len() => Ok(*id as usize),
            ServerRef::Id(id) => {
                Err(self.error(field, super::error::no_such_server(id, self.names.len())))
            }
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

    /// A server named by a key of a map: its name, or its id written as a string.
    fn key(&self, key: &str, field: &str) -> Result<ServerId, ScenarioError> {
        if let Some(id) = self.names.iter().position(|n| n == key) {
            return Ok(id);
        }
        match key.parse::<u64>() {
            Ok(id) => self.server(&ServerRef::Id(id), field),
            Err(_) => self.server(&ServerRef::Name(key.to_string()), field),
        }
    }

    /// A map keyed by servers, resolved; a server named twice (once by name, once by id) is
    /// refused.
    fn keyed<T: Copy>(
        &self,
        map: &Keyed<T>,
        field: &str,
    ) -> Result<Vec<(ServerId, T)>, ScenarioError> {
        let mut resolved: Vec<(ServerId, T)> = Vec::with_capacity(map.0.len());
        for (key, value) in &map.0 {
            let at = format!("{field}.{key}");
            let id = self.key(key, &at)?;
            if resolved.iter().any(|(other, _)| *other == id) {
                return Err(self.error(at, format!("{} is given twice", self.names[id])));
            }
            resolved.push((id, *value));
        }
        Ok(resolved)
    }

    /// Log entries: terms of 1 or more that never decrease, and at most `max_term` if given.
    fn entries(
        &self,
        list: &[EntrySpec],
        field: &str,
        max_term: Option<Term>,
    ) -> Result<Vec<Entry>, ScenarioError> {
        let mut entries = Vec::with_capacity(list.len());
        let mut previous = 0;
        for (i, entry) in list.iter().enumerate() {
            let (entry_term, command) = match entry {
                EntrySpec::Term(t) => (*t, ""),
                EntrySpec::Full(full) => (full.term, full.command.as_str()),
            };
            let field = format!("{field}[{i}]");
            if entry_term == 0 {
                return Err(self.error(field, "log entries have terms of 1 or more"));
            }
            if entry_term < previous {
                return Err(self.error(
                    field,
                    format!(
                        "term {entry_term} comes after term {previous}; terms in a log never decrease"
                    ),
                ));
            }
            if let Some(term) = max_term.filter(|&t| entry_term > t) {
                return Err(self.error(
                    field,
                    format!("term {entry_term} is above the server's term {term}"),
                ));
            }
            if entry_term > MAX_TERM {
                return Err(self.error(
                    field,
                    format!("terms go up to {MAX_TERM}, not {entry_term}"),
                ));
            }
            previous = entry_term;
            entries.push(Entry::new(entry_term, command));
        }
        Ok(entries)
    }
}

/// Entries as an expectation or a pattern reads them: a bare term checks the term; an object
/// checks the command too.
fn entry_patterns(list: &[EntrySpec]) -> Vec<EntryPattern> {
    list.iter()
        .map(|entry| match entry {
            EntrySpec::Term(term) => EntryPattern {
                term: *term,
                command: None,
            },
            EntrySpec::Full(full) => EntryPattern {
                term: full.term,
                command: Some(full.command.clone()),
            },
        })
        .collect()
}

/// "1 entry", "2 entries".
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
