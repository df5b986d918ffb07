//! The incremental monitor against the reference (every check from scratch after every step),
//! over random runs: both must report the same violations, in the same order, at the same
//! step. A check made weaker — or wrong — in the incremental version shows up as a difference.

use super::InvariantMonitor;
use super::reference::ReferenceMonitor;
use crate::raft::event::Violation;
use crate::raft::log::{Entry, Log};
use crate::raft::message::{MessageFields, MessageKind};
use crate::raft::network::RaftNetwork;
use crate::raft::server::{RaftServer, ServerAction, ServerState};
use crate::raft::types::{Role, ServerId, Term};
use crate::raft::{Action, Cluster};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::collections::BTreeSet;

/// Few distinct commands, so entries of one term are often equal and sometimes not.
const COMMANDS: [&str; 3] = ["", "a", "b"];

fn entry((term, command): (Term, usize)) -> Entry {
    Entry::new(term, COMMANDS[command % COMMANDS.len()])
}

fn entries() -> impl Strategy<Value = Vec<(Term, usize)>> {
    prop::collection::vec((1u64..=4, 0usize..3), 0..6)
}

// ----- Arbitrary state changes, one server at a time ----------------------------------------

/// A change to one server's state, as no correct Raft server would necessarily make it: terms
/// may go down, votes change, commit indices jump either way, logs are appended to and cut
/// anywhere.
#[derive(Clone, Debug)]
enum Change {
    Term(Term),
    Vote(Option<ServerId>),
    Role(Role),
    /// A commit index, taken modulo the log's length + 2 (so sometimes past the end).
    Commit(usize),
    Push(Term, usize),
    /// An AppendEntries at a prev index taken modulo the log's length + 1 (always matching).
    Append(usize, Vec<(Term, usize)>),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        2 => (1u64..=6).prop_map(Change::Term),
        1 => prop::option::of(0usize..4).prop_map(Change::Vote),
        2 => prop_oneof![Just(Role::Follower), Just(Role::Candidate), Just(Role::Leader)]
            .prop_map(Change::Role),
        3 => (0usize..12).prop_map(Change::Commit),
        3 => (1u64..=5, 0usize..3).prop_map(|(t, c)| Change::Push(t, c)),
        4 => (0usize..12, entries()).prop_map(|(p, e)| Change::Append(p, e)),
    ]
}

fn apply_change(server: &mut RaftServer, change: &Change) {
    match change {
        Change::Term(term) => server.current_term = *term,
        Change::Vote(vote) => server.voted_for = vote.map(|v| v % server.cluster_size),
        Change::Role(role) => server.role = *role,
        Change::Commit(c) => server.commit_index = c % (server.log.len() + 2),
        Change::Push(term, command) => {
            server.log.push(entry((*term, *command)));
        }
        Change::Append(prev, new) => {
            let prev = prev % (server.log.len() + 1);
            let prev_term = server.log.term_at(prev).unwrap_or(0);
            let new: Vec<Entry> = new.iter().copied().map(entry).collect();
            assert!(server.log.append_entries(prev, prev_term, &new));
        }
    }
}

fn server_state() -> impl Strategy<Value = ServerState> {
    (entries(), 1u64..=5, 0usize..8, any::<bool>()).prop_map(|(log, term, commit, leader)| {
        let log = Log::from(log.into_iter().map(entry).collect::<Vec<_>>());
        ServerState {
            term,
            commit_index: commit % (log.len() + 2),
            log,
            role: if leader { Role::Leader } else { Role::Follower },
            ..ServerState::default()
        }
    })
}

type ArbitraryRun = (Vec<ServerState>, Vec<(usize, Change)>);

fn arbitrary_run() -> impl Strategy<Value = ArbitraryRun> {
    (
        prop::collection::vec(server_state(), 1..=4),
        prop::collection::vec((0usize..4, change()), 0..60),
    )
}

/// Runs the changes, checking after each with both monitors; returns the violations found,
/// or where the two differ.
/// Servers in these states, both monitors having checked them from scratch.
fn start(states: &[ServerState]) -> (Vec<RaftServer>, InvariantMonitor, ReferenceMonitor) {
    let network = RaftNetwork::new(states.len());
    let mut servers: Vec<RaftServer> = states
        .iter()
        .enumerate()
        .map(|(i, state)| RaftServer::with_state(network.create_node(i), state.clone()))
        .collect();
    let mut monitor = InvariantMonitor::new();
    let mut reference = ReferenceMonitor::new();
    let mut ignored = Vec::new();
    monitor.check_all(&servers, &mut ignored);
    reference.check(&servers, &mut ignored);
    for server in &mut servers {
        let _ = server.log.take_change();
    }
    (servers, monitor, reference)
}

fn compare_arbitrary((states, changes): &ArbitraryRun) -> Result<Vec<Violation>, String> {
    let (mut servers, mut monitor, mut reference) = start(states);
    let mut ignored = Vec::new();
    if monitor.violations() != reference.violations() {
        return Err(format!(
            "at the start: incremental {:?}, reference {:?}",
            monitor.violations(),
            reference.violations()
        ));
    }
    // A copy made in place of the monitor as it was a step before (the explorer's way).
    let mut copy = monitor.clone();
    for (step, (id, change)) in changes.iter().enumerate() {
        let id = id % servers.len();
        apply_change(&mut servers[id], change);
        let changed_from = servers[id].log.take_change();
        monitor.check_server(&servers, id, changed_from, &mut ignored);
        copy.clone_from(&monitor);
        if copy != monitor {
            return Err(format!(
                "after step {step}: a copy differs from the monitor"
            ));
        }
        reference.check(&servers, &mut ignored);
        if monitor.violations() != reference.violations() {
            return Err(format!(
                "after step {step} ({change:?} on S{id}):\nincremental {:?}\nreference   {:?}\nservers {servers:#?}",
                monitor.violations(),
                reference.violations()
            ));
        }
    }
    Ok(monitor.violations().to_vec())
}

// ----- Cluster runs, forced transitions included --------------------------------------------

#[derive(Clone, Debug)]
enum Op {
    Server(usize, ServerAction),
    /// A client request to the live leader if there is one (else to the given server).
    ClientToLeader(usize),
    DeliverNth(usize),
    /// Deliver-all, one delivery at a time so both monitors check after each.
    DeliverAll,
    DropNth(usize),
    DuplicateNth(usize),
    Partition(usize),
    Heal,
    /// A hand-made message (a scenario's `send`): from, to, kind, and a few fields.
    Inject(usize, usize, usize, InjectedFields),
}

/// The fields a hand-made message gives in a cluster run; the rest come from the sender.
#[derive(Clone, Debug)]
struct InjectedFields {
    term_ahead: Option<u64>,
    index: Option<usize>,
    flag: Option<bool>,
    entries: Option<Vec<(Term, usize)>>,
}

fn injected_fields() -> impl Strategy<Value = InjectedFields> {
    (
        prop::option::of(0u64..3),
        prop::option::of(0usize..6),
        prop::option::of(any::<bool>()),
        prop::option::of(entries()),
    )
        .prop_map(|(term_ahead, index, flag, mut entries)| {
            if let Some(list) = &mut entries {
                list.sort_unstable();
            }
            InjectedFields {
                term_ahead,
                index,
                flag,
                entries,
            }
        })
}

fn op() -> impl Strategy<Value = Op> {
    let server = || 0usize..5;
    let on = |action: ServerAction| server().prop_map(move |s| Op::Server(s, action.clone()));
    prop_oneof![
        4 => on(ServerAction::Timeout),
        2 => (server(), 0usize..3).prop_map(|(s, c)| Op::Server(
            s,
            ServerAction::ClientRequest(COMMANDS[c].into())
        )),
        5 => server().prop_map(Op::ClientToLeader),
        2 => on(ServerAction::Heartbeat),
        1 => on(ServerAction::Crash),
        2 => on(ServerAction::Restart),
        2 => on(ServerAction::BecomeLeader),
        1 => on(ServerAction::BecomeFollower),
        1 => on(ServerAction::BecomeCandidate),
        25 => (0usize..32).prop_map(Op::DeliverNth),
        3 => Just(Op::DeliverAll),
        3 => (0usize..32).prop_map(Op::DropNth),
        2 => (0usize..32).prop_map(Op::DuplicateNth),
        1 => (1usize..5).prop_map(Op::Partition),
        2 => Just(Op::Heal),
        3 => (server(), server(), 0usize..4, injected_fields())
            .prop_map(|(from, to, kind, fields)| Op::Inject(from, to, kind, fields)),
    ]
}

type ClusterRun = (Option<Vec<ServerState>>, usize, Vec<Op>);

fn cluster_run() -> impl Strategy<Value = ClusterRun> {
    (
        prop::option::of(prop::collection::vec(server_state(), 1..=5)),
        2usize..=5,
        prop::collection::vec(op(), 0..120),
    )
}

fn actions(op: &Op, cluster: &Cluster) -> Vec<Action> {
    let n = cluster.servers().len();
    let nth = |k: usize| {
        let len = cluster.in_flight().len();
        (len > 0).then(|| cluster.in_flight().nth(k % len).map_or(0, |m| m.id))
    };
    match op {
        Op::Server(s, action) => vec![Action::on(s % n, action.clone())],
        Op::ClientToLeader(s) => {
            let to = cluster.live_leaders().next().unwrap_or(s % n);
            vec![Action::on(to, ServerAction::ClientRequest("x".into()))]
        }
        Op::DeliverNth(k) => nth(*k).map(Action::Deliver).into_iter().collect(),
        Op::DeliverAll => vec![Action::DeliverOldest; cluster.in_flight().len().min(60)],
        Op::DropNth(k) => nth(*k).map(Action::Drop).into_iter().collect(),
        Op::DuplicateNth(k) => nth(*k).map(Action::Duplicate).into_iter().collect(),
        Op::Partition(cut) => vec![Action::Partition(vec![
            (0..cut % n).collect(),
            (cut % n..n).collect(),
        ])],
        Op::Heal => vec![Action::Heal],
        Op::Inject(from, to, kind, f) => {
            let from = from % n;
            let to = if to % n == from {
                (from + 1) % n
            } else {
                to % n
            };
            if from == to {
                return Vec::new();
            }
            let sender = &cluster.servers()[from];
            let kind = MessageKind::ALL[kind % 4];
            // Each field goes where the kind has one; the others stay unset.
            let fields = MessageFields {
                term: f.term_ahead.map(|t| sender.current_term + t),
                last_log_index: f.index,
                prev_log_index: f.index,
                match_index: f.index,
                leader_commit: f.index,
                granted: f.flag,
                success: f.flag,
                entries: f
                    .entries
                    .clone()
                    .map(|list| list.into_iter().map(entry).collect::<Vec<_>>().into()),
                ..MessageFields::default()
            };
            vec![Action::Inject {
                from,
                to,
                message: Box::new(sender.draft(to, kind, &fields)),
            }]
        }
    }
}

fn compare_cluster((states, n, ops): &ClusterRun) -> Result<Vec<Violation>, String> {
    let mut cluster = match states {
        Some(states) => Cluster::from_states(states.clone()),
        None => Cluster::new(*n),
    };
    let mut reference = ReferenceMonitor::new();
    let mut ignored = Vec::new();
    reference.check(cluster.servers(), &mut ignored);
    if cluster.violations() != reference.violations() {
        return Err(format!(
            "at the start: incremental {:?}, reference {:?}",
            cluster.violations(),
            reference.violations()
        ));
    }
    for (step, op) in ops.iter().enumerate() {
        for action in actions(op, &cluster) {
            cluster
                .apply(&action)
                .map_err(|e| format!("step {step}: {action:?}: {e}"))?;
            reference.check(cluster.servers(), &mut ignored);
            if cluster.violations() != reference.violations() {
                return Err(format!(
                    "after step {step} ({action:?}):\nincremental {:?}\nreference   {:?}\nservers {:#?}",
                    cluster.violations(),
                    reference.violations(),
                    cluster.servers()
                ));
            }
        }
    }
    Ok(cluster.violations().to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn incremental_checks_match_the_reference_on_arbitrary_changes(run in arbitrary_run()) {
        compare_arbitrary(&run).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn incremental_checks_match_the_reference_on_cluster_runs(run in cluster_run()) {
        compare_cluster(&run).map_err(TestCaseError::fail)?;
    }
}

/// The kind of a violation, for counting which kinds the runs above reach.
fn kind(v: &Violation) -> &'static str {
    match v {
        Violation::ElectionSafety { .. } => "ElectionSafety",
        Violation::DoubleVote { .. } => "DoubleVote",
        Violation::LogMatching { .. } => "LogMatching",
        Violation::LeaderCompleteness { .. } => "LeaderCompleteness",
        Violation::StateMachineSafety { .. } => "StateMachineSafety",
        Violation::CommittedEntryLost { .. } => "CommittedEntryLost",
        Violation::CommitBeyondLog { .. } => "CommitBeyondLog",
        Violation::TermDecreased { .. } => "TermDecreased",
    }
}

fn sample<S: Strategy>(strategy: S, runner: &mut TestRunner) -> S::Value {
    strategy
        .new_tree(runner)
        .expect("strategy generates")
        .current()
}

/// The comparisons are only worth something if the runs break every invariant often: over a
/// fixed set of runs (deterministic seed), each kind of violation must be found, by both
/// monitors alike.
#[test]
fn the_compared_runs_reach_every_kind_of_violation() {
    let mut runner = TestRunner::deterministic();
    let mut arbitrary = BTreeSet::new();
    for _ in 0..200 {
        let run = sample(arbitrary_run(), &mut runner);
        let found = compare_arbitrary(&run).unwrap_or_else(|e| panic!("{e}"));
        arbitrary.extend(found.iter().map(kind));
    }
    assert_eq!(
        arbitrary.len(),
        8,
        "arbitrary changes reached only {arbitrary:?}"
    );

    assert_reached(
        &kinds_found(&mut runner, 200, compare_cluster),
        &[
            "ElectionSafety",
            "LogMatching",
            "LeaderCompleteness",
            "StateMachineSafety",
            "CommittedEntryLost",
            "CommitBeyondLog",
        ],
        "cluster runs",
    );
}

/// The kinds of violation `compare` finds over `runs` cluster runs (failing on a mismatch).
fn kinds_found(
    runner: &mut TestRunner,
    runs: usize,
    compare: fn(&ClusterRun) -> Result<Vec<Violation>, String>,
) -> BTreeSet<&'static str> {
    let mut reached = BTreeSet::new();
    for _ in 0..runs {
        let run = sample(cluster_run(), runner);
        let found = compare(&run).unwrap_or_else(|e| panic!("{e}"));
        reached.extend(found.iter().map(kind));
    }
    reached
}

/// Every kind in `expected` was reached by `who`.
fn assert_reached(reached: &BTreeSet<&str>, expected: &[&str], who: &str) {
    for expected in expected {
        assert!(
            reached.contains(expected),
            "{who} never found {expected}: {reached:?}"
        );
    }
}

/// A differential test is only as good as its reference: a monitor that misses a check
/// must be told apart. Here the incremental monitor is fed a wrong change index (as if the
/// log had not changed), and the comparison must fail.
#[test]
fn a_missed_log_change_is_caught_by_the_comparison() {
    let state = ServerState {
        log: Log::from(vec![Entry::new(1, "a")]),
        commit_index: 1,
        ..ServerState::default()
    };
    let (mut servers, mut monitor, mut reference) = start(&[state.clone(), state]);
    let mut ignored = Vec::new();
    assert!(monitor.violations().is_empty());
    // S1 rewrites its committed entry.
    assert!(servers[1].log.append_entries(0, 0, &[Entry::new(2, "b")]));
    monitor.check_server(&servers, 1, None, &mut ignored);
    reference.check(&servers, &mut ignored);
    assert!(monitor.violations().is_empty(), "told nothing changed");
    assert_eq!(
        reference.violations(),
        &[Violation::StateMachineSafety {
            server: 1,
            index: 1
        }]
    );
    // Told where, it finds it too.
    monitor.check_server(
        &servers,
        1,
        servers[1].log.clone().take_change(),
        &mut ignored,
    );
    assert_eq!(monitor.violations(), reference.violations());
}

// ----- Clusters rebuilt from their history ---------------------------------------------------

/// Runs the ops, rebuilding the cluster from its servers, network and monitor history after
/// every step (as the explorer rebuilds every state it expands) until a violation, and from
/// then on without rebuilding (a state that breaks an invariant is never rebuilt); the cluster
/// must report after every step exactly what the reference reports. Returns every violation.
fn compare_restored((states, n, ops): &ClusterRun) -> Result<Vec<Violation>, String> {
    let mut cluster = match states {
        Some(states) => Cluster::from_states(states.clone()),
        None => Cluster::new(*n),
    };
    let mut reference = ReferenceMonitor::new();
    let mut ignored = Vec::new();
    reference.check(cluster.servers(), &mut ignored);
    if !cluster.violations().is_empty() {
        return Ok(Vec::new());
    }
    let mut rebuilding = true;
    for (step, op) in ops.iter().enumerate() {
        for action in actions(op, &cluster) {
            let events = cluster
                .apply(&action)
                .map_err(|e| format!("step {step}: {action:?}: {e}"))?;
            reference.check(cluster.servers(), &mut ignored);
            let found: Vec<Violation> = events
                .iter()
                .filter_map(|e| match e {
                    crate::raft::Event::Violation(v) => Some(*v),
                    _ => None,
                })
                .collect();
            // Rebuilt clusters forget what they reported before: only new reports count.
            let reported = if rebuilding {
                found
            } else {
                cluster.violations().to_vec()
            };
            if reported != reference.violations() {
                return Err(format!(
                    "after step {step} ({action:?}):\nrestored  {reported:?}\nreference {:?}\nservers {:#?}",
                    reference.violations(),
                    cluster.servers()
                ));
            }
            rebuilding &= reported.is_empty();
            if !rebuilding {
                continue;
            }
            cluster = Cluster::restored(
                cluster.servers().to_vec(),
                cluster.network().clone(),
                cluster.monitor_history(),
                cluster.config().clone(),
            );
        }
    }
    Ok(reference.violations().to_vec())
}

/// Over a fixed set of random runs (deterministic seed), rebuilt clusters report what the
/// reference does; and the comparison is worth something only if they go on to break the
/// invariants that depend on the history (who led a term, what was committed, how far each
/// server had committed), which they do.
#[test]
fn a_cluster_rebuilt_from_its_history_reports_what_the_reference_does() {
    let mut runner = TestRunner::deterministic();
    assert_reached(
        &kinds_found(&mut runner, 700, compare_restored),
        &[
            "ElectionSafety",
            "LeaderCompleteness",
            "StateMachineSafety",
            "CommittedEntryLost",
        ],
        "rebuilt clusters",
    );
}

/// How far each server had committed is history too: a restarted server's commit index is 0,
/// yet the entries it had committed must stay. A monitor rebuilt after the restart still
/// catches their loss.
#[test]
fn a_rebuilt_monitor_remembers_how_far_a_restarted_server_had_committed() {
    let state = ServerState {
        log: Log::from(vec![Entry::new(1, "a")]),
        commit_index: 1,
        ..ServerState::default()
    };
    let (mut servers, monitor, mut reference) = start(&[state.clone(), state]);
    let mut ignored = Vec::new();
    // S1 restarts: its commit index goes back to 0.
    servers[1].commit_index = 0;
    let mut monitor = monitor;
    monitor.check_server(&servers, 1, None, &mut ignored);
    reference.check(&servers, &mut ignored);
    let mut rebuilt = InvariantMonitor::restored(&servers, monitor.history());
    // Then loses the entry it had committed.
    assert!(servers[1].log.append_entries(0, 0, &[Entry::new(2, "b")]));
    let change = servers[1].log.take_change();
    rebuilt.check_server(&servers, 1, change, &mut ignored);
    reference.check(&servers, &mut ignored);
    let lost = Violation::CommittedEntryLost {
        server: 1,
        index: 1,
    };
    assert_eq!(reference.violations(), &[lost]);
    assert_eq!(rebuilt.violations(), &[lost]);
}
