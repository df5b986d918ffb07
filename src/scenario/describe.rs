//! Short descriptions of steps and actions, for the run output, the event log, undo's status
//! line and the export's index: `election timeout on a`, `deliver RequestVote a → b`. Every
//! action is described once, in [`describe_action`]; a scripted step that is an action is
//! described as that action.

use super::script::{Expectation, MessageFilter, RunGoal, RunUntil, Step};
use crate::raft::time::format_ms;
use crate::raft::{Action, Names, ServerAction, ServerId};

/// A short description of a step, e.g. `election timeout on a` or `deliver RequestVote S0 → S1`.
pub fn describe_step(step: &Step, names: &[String]) -> String {
    match step {
        Step::Act(action) => describe_action(action, names),
        Step::Message(op, filter) => format!("{} {}", op.verb(), describe_filter(filter, names)),
        Step::Say(text) => format!("say: {text}"),
        Step::Quiz(quiz) => format!("quiz: {}", quiz.question),
        Step::Expect(e) => format!("expect {}", describe_expectation(e, names)),
        Step::RunUntil(r) => describe_run_until(r),
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
                let cmd = crate::escape::escape(cmd);
                format!("client request \"{cmd}\" to {}", n(*server))
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

/// What a selector picks, e.g. `RequestVote a → b`, or `the oldest message`.
pub fn describe_filter(f: &MessageFilter, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
    let mut parts = Vec::new();
    if let Some(id) = f.id {
        parts.push(format!("#{id}"));
    }
    if let Some(kind) = f.kind {
        parts.push(kind.to_string());
    }
    match (f.from, f.to) {
        (Some(a), Some(b)) => parts.push(format!("{} → {}", n(a), n(b))),
        (Some(a), None) => parts.push(format!("from {}", n(a))),
        (None, Some(b)) => parts.push(format!("to {}", n(b))),
        (None, None) => {}
    }
    if parts.is_empty() {
        "the oldest message".to_string()
    } else {
        parts.join(" ")
    }
}

/// What an expectation checks, e.g. `a, role LEADER, term 9`.
pub fn describe_expectation(e: &Expectation, names: &[String]) -> String {
    let n = |id: ServerId| Names(names).of(id);
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
    if let Some(log) = &e.log {
        parts.push(format!("log {log:?}"));
    }
    if let Some(c) = e.commit_index {
        parts.push(format!("commit_index {c}"));
    }
    if let Some(c) = e.crashed {
        parts.push(if c { "crashed" } else { "running" }.to_string());
    }
    if let Some(leaders) = &e.leaders {
        let named: Vec<String> = leaders.iter().map(|&s| n(s)).collect();
        parts.push(format!("leaders [{}]", named.join(", ")));
    }
    if let Some(count) = e.in_flight {
        parts.push(format!("{count} in flight"));
    }
    if let Some(time) = e.time {
        parts.push(describe_time(time));
    }
    parts.join(", ")
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
