//! Short descriptions of steps and actions, for the run output, the event log, undo's status
//! line and the export's index: `election timeout on a`, `deliver RequestVote a → b`. Every
//! action is described once, in [`describe_action`]; a scripted step that is an action is
//! described as that action.

use super::script::{
    EntryPattern, Expectation, FlightCounts, MessageFilter, MessagePattern, Pick, RunGoal,
    RunUntil, Step,
};
use crate::escape::escape;
use crate::raft::time::format_ms;
use crate::raft::{Action, Entry, Message, MessageFields, Names, ServerAction, ServerId};

/// A short description of a step, e.g. `election timeout on a` or `deliver RequestVote S0 → S1`.
pub fn describe_step(step: &Step, names: &[String]) -> String {
    match step {
        Step::Act(action) => describe_action(action, names),
        Step::Message(op, filter) => format!("{} {}", op.verb(), describe_filter(filter, names)),
        Step::Send(draft) => {
            let n = |id: ServerId| Names(names).of(id);
            let given = fields_in_words(&draft.fields, |e| describe_entries(e.iter()));
            format!(
                "inject {} {} → {}: {}the rest from {}",
                draft.kind,
                n(draft.from),
                n(draft.to),
                if given.is_empty() {
                    String::new()
                } else {
                    format!("{}; ", given.join(", "))
                },
                n(draft.from)
            )
        }
        Step::Say(text) => format!("say: {text}"),
        Step::Quiz(quiz) => format!("quiz: {}", quiz.question),
        Step::Expect(e) => format!("expect {}", describe_expectation(e, names)),
        Step::RunUntil(r) => describe_run_until(r),
    }
}

/// A step as it was played: a hand-made message in full, as its action put it in flight
/// (`action`); any other step as it is written.
pub fn describe_played(step: &Step, action: Option<&Action>, names: &[String]) -> String {
    match (step, action) {
        (Step::Send(_), Some(action)) => describe_action(action, names),
        _ => describe_step(step, names),
    }
}

/// A short description of an action, worded like the scripted step that takes it.
pub fn describe_action(action: &Action, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
    match action {
        Action::Server { server, action } => match action {
            ServerAction::Timeout => format!("election timeout on {}", n(*server)),
            ServerAction::ClientRequest(cmd) if cmd.is_empty() => {
                format!("client request to {}", n(*server))
            }
            ServerAction::ClientRequest(cmd) => {
                format!("client request \"{}\" to {}", escape(cmd), n(*server))
            }
            ServerAction::Heartbeat => format!("heartbeat from {}", n(*server)),
            ServerAction::Crash => format!("crash {}", n(*server)),
            ServerAction::Restart => format!("restart {}", n(*server)),
            ServerAction::BecomeFollower => format!("{}.become_follower()", n(*server)),
            ServerAction::BecomeCandidate => format!("{}.become_candidate()", n(*server)),
            ServerAction::BecomeLeader => format!("{}.become_leader()", n(*server)),
        },
        Action::Deliver(id) => format!("deliver message #{id}"),
        Action::DeliverOldest => "deliver the oldest message".to_string(),
        Action::Drop(id) => format!("drop message #{id}"),
        Action::Duplicate(id) => format!("duplicate message #{id}"),
        Action::DeliverAll => "deliver all".to_string(),
        Action::DeliverUpTo(count) => {
            format!("deliver all, stopped after {count} deliveries")
        }
        Action::Partition(groups) => {
            let groups: Vec<String> = groups
                .iter()
                .map(|g| {
                    format!(
                        "{{{}}}",
                        g.iter().map(|&s| n(s)).collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            format!("partition {}", groups.join(" "))
        }
        Action::Heal => "heal the partition".to_string(),
        Action::Cut(link) if link.both_ways => {
            format!("cut the link between {} and {}", n(link.from), n(link.to))
        }
        Action::Cut(link) => format!("cut the link {} → {}", n(link.from), n(link.to)),
        Action::Restore(link) if link.both_ways => {
            format!(
                "restore the link between {} and {}",
                n(link.from),
                n(link.to)
            )
        }
        Action::Restore(link) => format!("restore the link {} → {}", n(link.from), n(link.to)),
        Action::Inject { from, to, message } => format!(
            "inject {} {} → {}: {}",
            message.kind(),
            n(*from),
            n(*to),
            describe_message(message)
        ),
        Action::StartClock(t) => format!(
            "start the clock (timeouts {}–{}, heartbeat {}, seed {})",
            format_ms(t.election_timeout.min),
            format_ms(t.election_timeout.max),
            format_ms(t.heartbeat),
            t.seed
        ),
        Action::SetTiming(t) => format!(
            "set the timing (timeouts {}–{}, heartbeat {}, latency {}–{})",
            format_ms(t.election_timeout.min),
            format_ms(t.election_timeout.max),
            format_ms(t.heartbeat),
            format_ms(t.latency.min),
            format_ms(t.latency.max)
        ),
        Action::NextEvents(1) => "next timed event".to_string(),
        Action::NextEvents(count) => format!("next {count} timed events"),
        Action::Advance(by) => format!("let {} pass", format_ms(*by)),
    }
}

/// Every field of a message besides its sender and recipient: `term 3, prev_log_index 4, …`.
pub fn describe_message(message: &Message) -> String {
    fields_in_words(&message.fields(), |e| describe_entries(e.iter())).join(", ")
}

/// The fields given, as `name value`, in the order of [`MessageFields`]; `entries` puts the
/// entries in words.
fn fields_in_words<E>(f: &MessageFields<E>, entries: impl Fn(&E) -> String) -> Vec<String> {
    let show = |name: &str, value: Option<String>| value.map(|v| format!("{name} {v}"));
    [
        show("term", f.term.map(|v| v.to_string())),
        show("last_log_index", f.last_log_index.map(|v| v.to_string())),
        show("last_log_term", f.last_log_term.map(|v| v.to_string())),
        show("granted", f.granted.map(|v| v.to_string())),
        show("prev_log_index", f.prev_log_index.map(|v| v.to_string())),
        show("prev_log_term", f.prev_log_term.map(|v| v.to_string())),
        show("entries", f.entries.as_ref().map(&entries)),
        show("leader_commit", f.leader_commit.map(|v| v.to_string())),
        show("success", f.success.map(|v| v.to_string())),
        show("match_index", f.match_index.map(|v| v.to_string())),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Entries as `[1, 2 "x"]`: the term, and the command when there is one.
fn describe_entries<'a>(entries: impl Iterator<Item = &'a Entry>) -> String {
    let shown: Vec<String> = entries
        .map(|e| {
            describe_entry(
                e.term,
                Some(&e.command).filter(|c| !c.is_empty()).map(|c| &**c),
            )
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

fn describe_entry(term: u64, command: Option<&str>) -> String {
    match command {
        Some(command) => format!("{term} \"{}\"", escape(command)),
        None => term.to_string(),
    }
}

/// Expected entries as `[1, 2 "x"]`: a bare term checks the term alone.
pub fn describe_entry_patterns(list: &[EntryPattern]) -> String {
    let shown: Vec<String> = list
        .iter()
        .map(|p| describe_entry(p.term, p.command.as_deref()))
        .collect();
    format!("[{}]", shown.join(", "))
}

/// What a selector picks, e.g. `RequestVote a → b`, or `the oldest message`.
pub fn describe_filter(f: &MessageFilter, names: &[String]) -> String {
    let mut text = String::new();
    if let Some(id) = f.id {
        text = format!("#{id}");
    }
    let pattern = describe_pattern(&f.pattern, names);
    if !pattern.is_empty() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&pattern);
    }
    match (f.pick, text.is_empty()) {
        (Pick::Oldest, true) => "the oldest message".to_string(),
        (Pick::Newest, true) => "the newest message".to_string(),
        (Pick::Nth(k), true) => format!("message nth {k} in flight"),
        (Pick::Oldest, false) => text,
        (Pick::Newest, false) => format!("the newest {text}"),
        (Pick::Nth(k), false) => format!("{text} (nth {k})"),
    }
}

/// A message pattern, e.g. `AppendEntriesResponse b → a, success false`; empty when it
/// matches every message.
pub fn describe_pattern(p: &MessagePattern, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
    let mut parts = Vec::new();
    if let Some(kind) = p.kind {
        parts.push(kind.to_string());
    }
    match (p.from, p.to) {
        (Some(a), Some(b)) => parts.push(format!("{} → {}", n(a), n(b))),
        (Some(a), None) => parts.push(format!("from {}", n(a))),
        (None, Some(b)) => parts.push(format!("to {}", n(b))),
        (None, None) => {}
    }
    let mut text = parts.join(" ");
    let fields = pattern_fields(p);
    if !fields.is_empty() {
        text.push_str(if text.is_empty() { "with " } else { " with " });
        text.push_str(&fields.join(", "));
    }
    text
}

/// The message fields a pattern gives, as `name value`.
fn pattern_fields(p: &MessagePattern) -> Vec<String> {
    fields_in_words(&p.fields, |e: &Vec<EntryPattern>| {
        describe_entry_patterns(e)
    })
}

/// Counts of messages in flight, e.g. `2 in flight` or `in flight: 2 AppendEntries, 1 to b`.
pub fn describe_counts(c: &FlightCounts, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
    if c.by_kind.is_empty() && c.by_from.is_empty() && c.by_to.is_empty() {
        return format!("{} in flight", c.total.unwrap_or_default());
    }
    let mut parts = Vec::new();
    if let Some(total) = c.total {
        parts.push(format!("{total} in all"));
    }
    parts.extend(
        c.by_kind
            .iter()
            .map(|(kind, count)| format!("{count} {kind}")),
    );
    parts.extend(
        c.by_from
            .iter()
            .map(|(s, count)| format!("{count} from {}", n(*s))),
    );
    parts.extend(
        c.by_to
            .iter()
            .map(|(s, count)| format!("{count} to {}", n(*s))),
    );
    format!("in flight: {}", parts.join(", "))
}

/// What an expectation checks, e.g. `a, role LEADER, term 9`.
pub fn describe_expectation(e: &Expectation, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
    let per_follower = |list: &[(ServerId, usize)]| {
        let shown: Vec<String> = list.iter().map(|(s, i)| format!("{} {i}", n(*s))).collect();
        shown.join(" ")
    };
    let mut parts = Vec::new();
    if let Some(s) = e.server {
        parts.push(n(s));
    }
    if let Some(role) = e.role {
        parts.push(format!("role {role}"));
    }
    if let Some(term) = e.term {
        parts.push(format!("term {term}"));
    }
    if let Some(v) = e.voted_for {
        parts.push(format!("voted_for {}", v.map_or("nobody".to_string(), n)));
    }
    if let Some(l) = e.leader {
        parts.push(format!("leader {}", l.map_or("none".to_string(), n)));
    }
    if let Some(log) = &e.log {
        if log.iter().all(|p| p.command.is_none()) {
            let terms: Vec<u64> = log.iter().map(|p| p.term).collect();
            parts.push(format!("log {terms:?}"));
        } else {
            parts.push(format!("log {}", describe_entry_patterns(log)));
        }
    }
    if let Some(c) = e.commit_index {
        parts.push(format!("commit_index {c}"));
    }
    if let Some(c) = e.crashed {
        parts.push(if c { "crashed" } else { "running" }.to_string());
    }
    if let Some(list) = &e.next_index {
        parts.push(format!("next_index {}", per_follower(list)));
    }
    if let Some(list) = &e.match_index {
        parts.push(format!("match_index {}", per_follower(list)));
    }
    if let Some(leaders) = &e.leaders {
        let named: Vec<String> = leaders.iter().map(|&s| n(s)).collect();
        parts.push(format!("leaders [{}]", named.join(", ")));
    }
    if let Some(counts) = &e.in_flight {
        parts.push(describe_counts(counts, names));
    }
    if let Some(time) = e.time {
        parts.push(describe_time(time));
    }
    if let Some(invariant) = e.broken {
        parts.push(format!("{invariant} broken"));
    }
    let mut text = parts.join(", ");
    for m in &e.messages {
        let what = describe_pattern(&m.pattern, names);
        let what = if what.is_empty() {
            "any message".to_string()
        } else {
            what
        };
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&match m.count {
            Some(count) => format!("{count} in flight: {what}"),
            None => format!("in flight: {what}"),
        });
    }
    text
}

/// `time 150 ms`, `time 150 ms to 300 ms`.
pub fn describe_time((min, max): (crate::raft::Micros, crate::raft::Micros)) -> String {
    if min == max {
        format!("time {}", format_ms(min))
    } else {
        format!("time {} to {}", format_ms(min), format_ms(max))
    }
}

/// `run until a leader is elected (within 10.0 s)`.
pub fn describe_run_until(r: &RunUntil) -> String {
    match r.goal {
        RunGoal::Leader => format!(
            "run until a leader is elected (within {})",
            format_ms(r.within)
        ),
        RunGoal::Quiet => format!(
            "run until no message is in flight (within {})",
            format_ms(r.within)
        ),
        RunGoal::Time(t) => format!("run until the clock reads {}", format_ms(t)),
    }
}
