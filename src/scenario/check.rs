//! Checks an `expect` step against the cluster. Values are compared as they are; only a
//! mismatch is put in words.

use super::describe::{describe_entry_patterns, describe_message, describe_pattern};
use super::script::{Expectation, FlightCounts, MessagePattern};
use crate::raft::time::format_ms_exact;
use crate::raft::{Cluster, Invariant, LogIndex, Micros, Names, RaftServer, Role, ServerId, Term};
use std::fmt;

/// An expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// What was checked, e.g. `a.role`.
    pub field: String,
    /// The expected value.
    pub expected: String,
    /// The actual value.
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.field, self.expected, self.actual
        )
    }
}

/// Checks an expectation against the cluster: what did not hold.
pub fn check(e: &Expectation, cluster: &Cluster, names: &[String]) -> Vec<Mismatch> {
    let mut out = Mismatches(Vec::new());
    if let Some(server) = e.server.and_then(|id| cluster.server(id)) {
        check_server(e, server, names, &mut out);
    }
    let n = Names(names);
    if let Some(leaders) = &e.leaders {
        let mut expected = leaders.clone();
        expected.sort_unstable();
        let actual: Vec<ServerId> = cluster.live_leaders().collect();
        let list = |ids: &Vec<ServerId>| {
            let named: Vec<String> = ids.iter().map(|&id| n.of(id)).collect();
            format!("[{}]", named.join(", "))
        };
        out.compare(|| "leaders".to_string(), &expected, &actual, list);
    }
    if let Some(counts) = &e.in_flight {
        check_counts(counts, cluster, names, &mut out);
    }
    for (i, m) in e.messages.iter().enumerate() {
        let found = cluster
            .in_flight()
            .filter(|env| m.pattern.matches(env))
            .count();
        let holds = match m.count {
            Some(count) => found == count,
            None => found > 0,
        };
        if !holds {
            let what = describe_pattern(&m.pattern, names);
            out.0.push(Mismatch {
                field: format!(
                    "messages[{i}] ({})",
                    if what.is_empty() {
                        "any message"
                    } else {
                        &what
                    }
                ),
                expected: match m.count {
                    Some(count) => format!("{count} in flight"),
                    None => "at least 1 in flight".to_string(),
                },
                actual: format!("{found}{}", near_misses(&m.pattern, cluster, names)),
            });
        }
    }
    if let Some((min, max)) = e.time {
        check_time(min, max, cluster, &mut out);
    }
    if let Some(invariant) = e.broken {
        check_broken(invariant, cluster, &mut out);
    }
    out.0
}

/// The invariant has been broken by now.
fn check_broken(invariant: Invariant, cluster: &Cluster, out: &mut Mismatches) {
    let broken: Vec<&str> = cluster
        .violations()
        .iter()
        .map(|v| v.invariant().title())
        .collect();
    if !broken.contains(&invariant.title()) {
        out.0.push(Mismatch {
            field: "broken".to_string(),
            expected: invariant.title().to_string(),
            actual: if broken.is_empty() {
                "no invariant broken".to_string()
            } else {
                broken.join(", ")
            },
        });
    }
}

/// The clock reads within [min, max]; a mismatch is shown to the microsecond.
fn check_time(min: Micros, max: Micros, cluster: &Cluster, out: &mut Mismatches) {
    let now = cluster.now();
    if now.is_none_or(|t| !(min..=max).contains(&t)) {
        out.0.push(Mismatch {
            field: "time".to_string(),
            expected: if min == max {
                format_ms_exact(min)
            } else {
                format!("{} to {}", format_ms_exact(min), format_ms_exact(max))
            },
            actual: now.map_or("no clock".to_string(), format_ms_exact),
        });
    }
}

/// The fields about one server.
fn check_server(e: &Expectation, server: &RaftServer, names: &[String], out: &mut Mismatches) {
    let n = Names(names);
    let who = || n.of(server.id);
    let field = |name: &'static str| move || format!("{}.{name}", who());
    let vote = |v: &Option<ServerId>| v.map_or("nobody".to_string(), |s| n.of(s));
    if let Some(role) = &e.role {
        out.compare(field("role"), role, &server.role, Role::to_string);
    }
    if let Some(term) = &e.term {
        out.compare(field("term"), term, &server.current_term, Term::to_string);
    }
    if let Some(voted_for) = &e.voted_for {
        out.compare(field("voted_for"), voted_for, &server.voted_for, vote);
    }
    if let Some(leader) = &e.leader {
        let none = |v: &Option<ServerId>| v.map_or("none".to_string(), |s| n.of(s));
        out.compare(field("leader"), leader, &server.leader_id, none);
    }
    if let Some(log) = &e.log {
        let holds = server.log.len() == log.len()
            && server
                .log
                .entries()
                .zip(log)
                .all(|(entry, p)| p.matches(entry));
        if !holds {
            let commands = log.iter().any(|p| p.command.is_some());
            let show = |list: &[super::script::EntryPattern]| {
                if commands {
                    describe_entry_patterns(list)
                } else {
                    format!("{:?}", list.iter().map(|p| p.term).collect::<Vec<_>>())
                }
            };
            let actual: Vec<_> = server
                .log
                .entries()
                .map(|entry| super::script::EntryPattern {
                    term: entry.term,
                    command: commands.then(|| entry.command.to_string()),
                })
                .collect();
            out.0.push(Mismatch {
                field: field("log")(),
                expected: show(log),
                actual: show(&actual),
            });
        }
    }
    if let Some(commit) = &e.commit_index {
        let commit_index = &server.commit_index;
        out.compare(
            field("commit_index"),
            commit,
            commit_index,
            LogIndex::to_string,
        );
    }
    if let Some(crashed) = &e.crashed {
        out.compare(field("crashed"), crashed, &server.crashed, bool::to_string);
    }
    for (name, expected, actual) in [
        ("next_index", &e.next_index, &server.next_index),
        ("match_index", &e.match_index, &server.match_index),
    ] {
        for &(peer, index) in expected.iter().flatten() {
            let have = actual.get(peer).copied().unwrap_or_default();
            let at = || format!("{}.{name}[{}]", who(), n.of(peer));
            out.compare(at, &index, &have, LogIndex::to_string);
        }
    }
}

/// The counts of messages in flight.
fn check_counts(c: &FlightCounts, cluster: &Cluster, names: &[String], out: &mut Mismatches) {
    let n = Names(names);
    let count = |keep: &dyn Fn(&crate::raft::Envelope) -> bool| {
        cluster.in_flight().filter(|m| keep(m)).count()
    };
    if let Some(total) = &c.total {
        let actual = cluster.in_flight().len();
        out.compare(|| "in_flight".to_string(), total, &actual, usize::to_string);
    }
    for &(kind, expected) in &c.by_kind {
        let actual = count(&|m| m.message.kind() == kind);
        let at = || format!("in_flight.kind.{kind}");
        out.compare(at, &expected, &actual, usize::to_string);
    }
    for &(server, expected) in &c.by_from {
        let actual = count(&|m| m.from == server);
        let at = || format!("in_flight.from.{}", n.of(server));
        out.compare(at, &expected, &actual, usize::to_string);
    }
    for &(server, expected) in &c.by_to {
        let actual = count(&|m| m.to == server);
        let at = || format!("in_flight.to.{}", n.of(server));
        out.compare(at, &expected, &actual, usize::to_string);
    }
}

/// The messages in flight of the pattern's kind, sender and recipient (at most three), to
/// show beside a count that does not hold: `; in flight: AppendEntriesResponse b → a: term 2,
/// success false, match_index 0`.
fn near_misses(pattern: &MessagePattern, cluster: &Cluster, names: &[String]) -> String {
    let n = Names(names);
    let near = MessagePattern {
        from: pattern.from,
        to: pattern.to,
        kind: pattern.kind,
        ..MessagePattern::default()
    };
    let shown: Vec<String> = cluster
        .in_flight()
        .filter(|m| near.matches(m) && !pattern.matches(m))
        .take(3)
        .map(|m| {
            format!(
                "{} {} → {}: {}",
                m.message.kind(),
                n.of(m.from),
                n.of(m.to),
                describe_message(&m.message)
            )
        })
        .collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!("; the nearest in flight: {}", shown.join("; "))
    }
}

/// The mismatches of one expectation, each put in words only when it is found.
struct Mismatches(Vec<Mismatch>);

impl Mismatches {
    fn compare<T: PartialEq>(
        &mut self,
        field: impl FnOnce() -> String,
        expected: &T,
        actual: &T,
        show: impl Fn(&T) -> String,
    ) {
        if expected != actual {
            self.0.push(Mismatch {
                field: field(),
                expected: show(expected),
                actual: show(actual),
            });
        }
    }
}
