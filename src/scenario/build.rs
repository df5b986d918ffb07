//! Turns a parsed scenario file into a checked [`Scenario`] (the types are in `script.rs`):
//! names resolved to ids, every rule of the format validated, with errors that name the field.

use super::error::ScenarioError;
use super::format::{
    EntrySpec, ExpectSpec, Goal, QuizSpec, RunUntilSpec, ScenarioFile, Selector, ServerRef,
    ServerSpec, ServersSpec, StepSpec, TimeSpec, TimingSpec,
};
use super::script::{
    Expectation, MessageFilter, MessageOp, Quiz, RunGoal, RunUntil, Scenario, Step,
};
use crate::raft::time::{Between, MS};
use crate::raft::{
    ADVANCE_CAP, Action, Entry, Log, MAX_SERVERS, Micros, Role, ServerAction, ServerId,
    ServerState, Term, Timing,
};
use std::sync::Arc;

/// The highest term a scenario may give (elections must be able to go on from there).
pub const MAX_TERM: Term = u32::MAX as Term;

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
    let timing = file
        .timing
        .as_ref()
        .map(|t| resolver.timing(t, "timing", Timing::CLASSROOM))
        .transpose()?;
    // Timed steps need the clock running where they are: from the start, or from a
    // `start_clock` step before them. What is in force there is what set_timing changes.
    let mut clock_on = timing;
    let steps = file
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| resolve_step(step, &format!("steps[{i}]"), &resolver, &mut clock_on))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario {
        name: file.name.clone(),
        description: file.description.clone(),
        names,
        initial,
        steps,
        unsafe_start: file.unsafe_start,
        timing,
    })
}

/// The longest a timed step may let pass, or wait: an hour of simulated time.
const MAX_WAIT_MS: f64 = 3_600_000.0;
/// The longest duration in a timing: a minute.
const MAX_DURATION_MS: f64 = 60_000.0;
/// The run_until bound when the file gives none.
const DEFAULT_WITHIN: Micros = 10_000 * MS;

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

fn resolve_step(
    step: &StepSpec,
    at: &str,
    r: &Resolver,
    clock_on: &mut Option<Timing>,
) -> Result<Step, ScenarioError> {
    let needs_clock = |key: &str| {
        if clock_on.is_some() {
            Ok(())
        } else {
            Err(r.error(
                format!("{at}.{key}"),
                "time is off here: give the scenario \"timing\", or put a start_clock step before this one",
            ))
        }
    };
    let server =
        |reference: &ServerRef, action: ServerAction, key: &str| -> Result<Step, ScenarioError> {
            Ok(Step::on(
                r.server(reference, &format!("{at}.{key}"))?,
                action,
            ))
        };
    let message = |op: MessageOp, sel: &Selector| -> Result<Step, ScenarioError> {
        Ok(Step::Message(
            op,
            r.filter(sel, &format!("{at}.{}", op.verb()))?,
        ))
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
        StepSpec::Deliver(sel) => message(MessageOp::Deliver, sel)?,
        StepSpec::Drop(sel) => message(MessageOp::Drop, sel)?,
        StepSpec::Duplicate(sel) => message(MessageOp::Duplicate, sel)?,
        StepSpec::DeliverAll => Step::Act(Action::DeliverAll),
        StepSpec::Heal => Step::Act(Action::Heal),
        StepSpec::Partition(groups) => Step::Act(Action::Partition(
            r.groups(groups, &format!("{at}.partition"))?,
        )),
        StepSpec::Say(text) => Step::Say(text.clone()),
        StepSpec::Quiz(quiz) => Step::Quiz(r.quiz(quiz, &format!("{at}.quiz"))?),
        StepSpec::Expect(spec) => {
            if spec.time.is_some() {
                needs_clock("expect.time")?;
            }
            Step::Expect(r.expectation(spec, &format!("{at}.expect"))?)
        }
        StepSpec::StartClock(spec) => {
            if clock_on.is_some() {
                return Err(r.error(
                    format!("{at}.start_clock"),
                    "the clock runs already (from the scenario's \"timing\" or an earlier start_clock)",
                ));
            }
            let timing = r.timing(spec, &format!("{at}.start_clock"), Timing::CLASSROOM)?;
            *clock_on = Some(timing);
            Step::Act(Action::StartClock(timing))
        }
        StepSpec::SetTiming(spec) => {
            needs_clock("set_timing")?;
            let current = clock_on.unwrap_or(Timing::CLASSROOM);
            let timing = r.timing(spec, &format!("{at}.set_timing"), current)?;
            *clock_on = Some(timing);
            Step::Act(Action::SetTiming(timing))
        }
        StepSpec::Advance(ms) => {
            needs_clock("advance")?;
            Step::Act(Action::Advance(r.ms(
                *ms,
                &format!("{at}.advance"),
                MAX_WAIT_MS,
            )?))
        }
        StepSpec::NextEvents(count) => {
            needs_clock("next_events")?;
            if !(1..=ADVANCE_CAP as u64).contains(count) {
                return Err(r.error(
                    format!("{at}.next_events"),
                    format!("from 1 to {ADVANCE_CAP} events, not {count}"),
                ));
            }
            Step::Act(Action::NextEvents(*count as usize))
        }
        StepSpec::RunUntil(spec) => {
            needs_clock("run_until")?;
            Step::RunUntil(r.run_until(spec, &format!("{at}.run_until"))?)
        }
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
            time: spec
                .time
                .as_ref()
                .map(|t| self.time_check(t, &format!("{field}.time")))
                .transpose()?,
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
            && expectation.time.is_none()
        {
            return Err(self.error(field, "this expect checks nothing"));
        }
        Ok(expectation)
    }

    /// A number of ms, to the µs: finite, not negative, at most `max`.
    fn ms(&self, value: f64, field: &str, max: f64) -> Result<Micros, ScenarioError> {
        if !value.is_finite() || !(0.0..=max).contains(&value) {
            return Err(self.error(field, format!("a time in ms from 0 to {max}, not {value}")));
        }
        Ok((value * 1e3).round() as Micros)
    }

    /// A [min, max] range of ms.
    fn range(&self, [min, max]: [f64; 2], field: &str) -> Result<Between, ScenarioError> {
        let (min, max) = (
            self.ms(min, &format!("{field}[0]"), MAX_DURATION_MS)?,
            self.ms(max, &format!("{field}[1]"), MAX_DURATION_MS)?,
        );
        if min > max {
            return Err(self.error(field, "a range is [min, max], the smaller first"));
        }
        Ok(Between { min, max })
    }

    /// A timing; what `spec` leaves out comes from `default`.
    fn timing(
        &self,
        spec: &TimingSpec,
        field: &str,
        default: Timing,
    ) -> Result<Timing, ScenarioError> {
        let range = |value: Option<[f64; 2]>, key: &str, default: Between| {
            value.map_or(Ok(default), |v| self.range(v, &format!("{field}.{key}")))
        };
        let election_timeout = range(
            spec.election_timeout,
            "election_timeout",
            default.election_timeout,
        )?;
        if election_timeout.min == 0 {
            return Err(self.error(
                format!("{field}.election_timeout"),
                "an election timeout is more than 0 ms: one of 0 would start elections without end",
            ));
        }
        let heartbeat = spec.heartbeat.map_or(Ok(default.heartbeat), |h| {
            self.ms(h, &format!("{field}.heartbeat"), MAX_DURATION_MS)
        })?;
        if heartbeat == 0 {
            return Err(self.error(
                format!("{field}.heartbeat"),
                "a heartbeat interval is more than 0 ms",
            ));
        }
        Ok(Timing {
            election_timeout,
            heartbeat,
            latency: range(spec.latency, "latency", default.latency)?,
            persist: range(spec.persist, "persist", default.persist)?,
            seed: spec.seed.unwrap_or(default.seed),
        })
    }

    fn run_until(&self, spec: &RunUntilSpec, field: &str) -> Result<RunUntil, ScenarioError> {
        let goal = |g: Goal| match g {
            Goal::Leader => RunGoal::Leader,
            Goal::Quiet => RunGoal::Quiet,
        };
        match spec {
            RunUntilSpec::Goal(g) => Ok(RunUntil {
                goal: goal(*g),
                within: DEFAULT_WITHIN,
            }),
            RunUntilSpec::Full(full) => {
                let within = full
                    .within
                    .map(|w| self.ms(w, &format!("{field}.within"), MAX_WAIT_MS))
                    .transpose()?;
                match (full.until, full.time) {
                    (Some(g), None) => Ok(RunUntil {
                        goal: goal(g),
                        within: within.unwrap_or(DEFAULT_WITHIN),
                    }),
                    (None, Some(time)) if within.is_none() => Ok(RunUntil {
                        goal: RunGoal::Time(self.ms(
                            time,
                            &format!("{field}.time"),
                            MAX_WAIT_MS,
                        )?),
                        within: MAX_WAIT_MS as Micros * MS,
                    }),
                    (None, Some(_)) => Err(self.error(
                        format!("{field}.within"),
                        "a run until a time needs no bound: the time is one",
                    )),
                    _ => Err(self.error(
                        field,
                        "give either \"until\" (\"leader\" or \"quiet\") or \"time\"",
                    )),
                }
            }
        }
    }

    fn time_check(&self, spec: &TimeSpec, field: &str) -> Result<(Micros, Micros), ScenarioError> {
        match *spec {
            TimeSpec::At(ms) => {
                let at = self.ms(ms, field, MAX_WAIT_MS)?;
                Ok((at, at))
            }
            TimeSpec::Between(range) => {
                let (min, max) = (
                    self.ms(range[0], &format!("{field}[0]"), MAX_WAIT_MS)?,
                    self.ms(range[1], &format!("{field}[1]"), MAX_WAIT_MS)?,
                );
                if min > max {
                    return Err(self.error(field, "a range is [min, max], the smaller first"));
                }
                Ok((min, max))
            }
        }
    }
}

/// "1 entry", "2 entries".
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
