//! One test per Figure 2 rule (and per edge case of the brief), driven through the public
//! model: `Cluster::apply` for most, the brief's `RaftNetwork`/`RaftServer` API where it reads
//! more naturally. Every test checks both the resulting state and the events that explain it.

use raftwalk::raft::event::{
    ActionName, AppendRejection, IgnoreReason, LossReason, RefusalReason, VoteRefusal,
};
use raftwalk::raft::log::AppendMismatch;
use raftwalk::raft::{
    Action, Cluster, DELIVER_ALL_CAP, Entry, Envelope, Event, Log, LogPosition, Message, MessageId,
    MessageKind as K, Names, NetworkError, RaftNetwork, RaftServer, Role, ServerAction, ServerId,
    ServerSet, ServerState, Term, Violation, explain,
};

// ----- Helpers ---------------------------------------------------------------------------

/// How many events match a pattern.
macro_rules! count {
    ($events:expr, $pat:pat) => {
        $events.iter().filter(|e| matches!(e, $pat)).count()
    };
}

/// Whether some event matches a pattern.
macro_rules! has {
    ($events:expr, $pat:pat) => {
        $events.iter().any(|e| matches!(e, $pat))
    };
}

/// The first event matching a pattern (panics with all events otherwise).
macro_rules! find {
    ($events:expr, $pat:pat) => {
        *$events
            .iter()
            .find(|e| matches!(e, $pat))
            .unwrap_or_else(|| panic!("no {} in {:#?}", stringify!($pat), $events))
    };
}

/// Where the first event matching a pattern is.
macro_rules! position {
    ($events:expr, $pat:pat) => {
        $events
            .iter()
            .position(|e| matches!(e, $pat))
            .unwrap_or_else(|| panic!("no {} in {:#?}", stringify!($pat), $events))
    };
}

fn apply(c: &mut Cluster, action: Action) -> Vec<Event> {
    c.apply(&action)
        .unwrap_or_else(|e| panic!("{action:?} failed: {e}"))
}

fn on(c: &mut Cluster, server: ServerId, action: ServerAction) -> Vec<Event> {
    apply(c, Action::on(server, action))
}

fn timeout(c: &mut Cluster, server: ServerId) -> Vec<Event> {
    on(c, server, ServerAction::Timeout)
}

fn client(c: &mut Cluster, server: ServerId, command: &str) -> Vec<Event> {
    on(c, server, ServerAction::ClientRequest(command.into()))
}

fn heartbeat(c: &mut Cluster, server: ServerId) -> Vec<Event> {
    on(c, server, ServerAction::Heartbeat)
}

fn deliver(c: &mut Cluster, id: MessageId) -> Vec<Event> {
    apply(c, Action::Deliver(id))
}

/// Delivers the oldest message in flight from `from` to `to` of this kind.
fn deliver_msg(c: &mut Cluster, from: ServerId, to: ServerId, kind: K) -> Vec<Event> {
    let id = msg(c, from, to, kind);
    deliver(c, id)
}

/// Drops the oldest message in flight from `from` to `to` of this kind.
fn drop_msg(c: &mut Cluster, from: ServerId, to: ServerId, kind: K) -> Vec<Event> {
    let id = msg(c, from, to, kind);
    apply(c, Action::Drop(id))
}

fn deliver_all(c: &mut Cluster) -> Vec<Event> {
    apply(c, Action::DeliverAll)
}

/// Ids of the messages in flight from `from` to `to` of this kind, oldest first.
fn msgs(c: &Cluster, from: ServerId, to: ServerId, kind: K) -> Vec<MessageId> {
    c.in_flight()
        .filter(|e| e.from == from && e.to == to && e.message.kind() == kind)
        .map(|e| e.id)
        .collect()
}

/// The oldest message in flight from `from` to `to` of this kind.
fn msg(c: &Cluster, from: ServerId, to: ServerId, kind: K) -> MessageId {
    *msgs(c, from, to, kind).first().unwrap_or_else(|| {
        panic!(
            "no {kind} {from}->{to} in flight: {:#?}",
            c.in_flight().collect::<Vec<_>>()
        )
    })
}

fn envelope(c: &Cluster, id: MessageId) -> &Envelope {
    c.network()
        .message(id)
        .unwrap_or_else(|| panic!("message #{id} is not in flight"))
}

fn ids(c: &Cluster) -> Vec<MessageId> {
    c.in_flight().map(|e| e.id).collect()
}

fn server(c: &Cluster, id: ServerId) -> &RaftServer {
    &c.servers()[id]
}

fn terms(s: &RaftServer) -> Vec<Term> {
    s.log.terms().collect()
}

fn roles(c: &Cluster) -> Vec<Role> {
    c.servers().iter().map(|s| s.role).collect()
}

/// A follower in `term` whose log has entries of these terms.
fn st(term: Term, log: &[Term]) -> ServerState {
    ServerState {
        term,
        log: Log::from_terms(log),
        ..ServerState::default()
    }
}

fn set(ids: &[ServerId]) -> ServerSet {
    ids.iter().copied().collect()
}

fn says(event: &Event) -> String {
    explain(event, Names(&[]))
}

fn assert_says(event: &Event, parts: &[&str]) {
    let text = says(event);
    for part in parts {
        assert!(text.contains(part), "{text:?} should contain {part:?}");
    }
}

/// A cluster of `n` where S0 won term 2 and everything was delivered.
fn elected(n: usize) -> Cluster {
    let mut c = Cluster::new(n);
    timeout(&mut c, 0);
    deliver_all(&mut c);
    assert_eq!(server(&c, 0).role, Role::Leader);
    assert_eq!(server(&c, 0).current_term, 2);
    assert_eq!(c.in_flight().len(), 0);
    assert!(c.violations().is_empty());
    c
}

/// A log position.
fn at(index: usize, term: Term) -> LogPosition {
    LogPosition { index, term }
}

// ----- The rules, one module each (macros above are in scope below) --------------------
mod client_requests;
mod counting_votes;
mod crash_restart;
mod edge_cases;
mod figure8;
mod granting_votes;
mod invariants;
mod network;
mod replication;
mod term_rules;
