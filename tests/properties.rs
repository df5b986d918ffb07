//! Property tests for the pure Raft model.
//!
//! 1. Random runs of unforced actions on 3–5 fresh servers — partitions, links cut one way or
//!    both, and sometimes a cap on the entries an AppendEntries carries — never break a safety
//!    invariant (the model's own monitor, plus independent checks done here on every step).
//! 2. `Log::append_entries` is idempotent, places accepted entries where asked, and leaves the
//!    log alone when it rejects.
//! 3. `Cluster::apply` is deterministic.
//! 4. Counter-checks: the invariant checks can fail (forced `BecomeLeader` on two servers).
//! 5. `RaftServer::request_vote_inputs` holds all that handling a RequestVote reads: two
//!    servers alike in it, and unlike in anything else, handle the same request alike.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use raftwalk::raft::{
    Action, Cluster, ClusterConfig, Entry, Event, Link, Log, LogIndex, Message, Node, RaftServer,
    Role, ServerAction, ServerId, ServerState, Term, Violation,
};
use std::collections::BTreeMap;

// ----- Abstract operations ----------------------------------------------------------------

/// An operation as generated, before it is resolved against the cluster it is applied to.
/// Server numbers are taken modulo the cluster size and message numbers modulo the number
/// of messages in flight, so every generated sequence is valid for every cluster and
/// shrinks well.
#[derive(Clone, Debug)]
enum Op {
    Timeout(usize),
    ClientRequest(usize),
    /// A client request to the live leader if there is one (else to the given server), so
    /// that requests are not mostly refused by followers.
    ClientToLeader(usize),
    Heartbeat(usize),
    /// A heartbeat from the live leader if there is one (else from the given server).
    HeartbeatFromLeader(usize),
    Crash(usize),
    Restart(usize),
    DeliverNth(usize),
    DeliverOldest,
    DeliverAll,
    DropNth(usize),
    DuplicateNth(usize),
    /// A group label (0..3) for each of up to 5 servers.
    Partition(Vec<u8>),
    Heal,
    /// Cut the link between two servers, one way (false) or both ways (true).
    Cut(usize, usize, bool),
    /// Restore it.
    Restore(usize, usize, bool),
}

/// Deliveries dominate so that elections finish and entries get replicated; failures are
/// rarer so that the cluster spends time in interesting but recoverable states.
fn op() -> impl Strategy<Value = Op> {
    // Small ranges, taken modulo the cluster size or the number in flight, shrink to short
    // readable counterexamples.
    let server = || 0usize..5;
    let message = || 0usize..32;
    prop_oneof![
        5 => server().prop_map(Op::Timeout),
        3 => server().prop_map(Op::ClientRequest),
        6 => server().prop_map(Op::ClientToLeader),
        2 => server().prop_map(Op::Heartbeat),
        3 => server().prop_map(Op::HeartbeatFromLeader),
        2 => server().prop_map(Op::Crash),
        4 => server().prop_map(Op::Restart),
        35 => message().prop_map(Op::DeliverNth),
        10 => Just(Op::DeliverOldest),
        3 => Just(Op::DeliverAll),
        4 => message().prop_map(Op::DropNth),
        4 => message().prop_map(Op::DuplicateNth),
        2 => prop::collection::vec(0u8..3, 5).prop_map(Op::Partition),
        3 => Just(Op::Heal),
        1 => (server(), server(), any::<bool>()).prop_map(|(a, b, both)| Op::Cut(a, b, both)),
        1 => (server(), server(), any::<bool>()).prop_map(|(a, b, both)| Op::Restore(a, b, both)),
    ]
}

/// A cluster: its size and, now and then, a cap on the entries an AppendEntries carries.
#[derive(Clone, Copy, Debug)]
struct Setup {
    n: usize,
    cap: Option<usize>,
}

impl Setup {
    fn cluster(self) -> Cluster {
        let config = ClusterConfig {
            max_entries_per_append: self.cap,
            ..ClusterConfig::default()
        };
        Cluster::with_config(vec![ServerState::default(); self.n], config)
    }
}

/// A cluster and a sequence of operations.
fn run_input() -> impl Strategy<Value = (Setup, Vec<Op>)> {
    let cap = prop_oneof![3 => Just(None), 1 => (1usize..3).prop_map(Some)];
    (
        (3usize..=5, cap).prop_map(|(n, cap)| Setup { n, cap }),
        prop::collection::vec(op(), 0..=200),
    )
}

/// Turns `op` into a concrete action for `cluster`; `None` when it needs a message and none
/// is in flight. `commands` numbers the client commands ("x1", "x2", ...) so every entry is
/// distinct and a misplaced entry cannot hide behind an identical one.
fn resolve(op: &Op, cluster: &Cluster, commands: &mut usize) -> Option<Action> {
    let n = cluster.servers().len();
    let nth = |k: usize| {
        let len = cluster.in_flight().len();
        (len > 0).then(|| cluster.in_flight().nth(k % len).expect("in range").id)
    };
    let on = |s: usize, action| Some(Action::on(s % n, action));
    let leader_or = |s: usize| cluster.live_leaders().next().unwrap_or(s);
    let mut command = || {
        *commands += 1;
        ServerAction::ClientRequest(format!("x{commands}").into())
    };
    match op {
        Op::Timeout(s) => on(*s, ServerAction::Timeout),
        Op::ClientRequest(s) => on(*s, command()),
        Op::ClientToLeader(s) => on(leader_or(*s), command()),
        Op::Heartbeat(s) => on(*s, ServerAction::Heartbeat),
        Op::HeartbeatFromLeader(s) => on(leader_or(*s), ServerAction::Heartbeat),
        Op::Crash(s) => on(*s, ServerAction::Crash),
        Op::Restart(s) => on(*s, ServerAction::Restart),
        Op::DeliverNth(k) => nth(*k).map(Action::Deliver),
        Op::DeliverOldest => (cluster.in_flight().len() > 0).then_some(Action::DeliverOldest),
        Op::DeliverAll => Some(Action::DeliverAll),
        Op::DropNth(k) => nth(*k).map(Action::Drop),
        Op::DuplicateNth(k) => nth(*k).map(Action::Duplicate),
        Op::Partition(labels) => {
            let mut groups: BTreeMap<u8, Vec<ServerId>> = BTreeMap::new();
            for (server, &label) in labels.iter().take(n).enumerate() {
                groups.entry(label).or_default().push(server);
            }
            Some(Action::Partition(groups.into_values().collect()))
        }
        Op::Heal => Some(Action::Heal),
        Op::Cut(a, b, both) | Op::Restore(a, b, both) => {
            let from = a % n;
            let to = if b % n == from { (from + 1) % n } else { b % n };
            let link = Link {
                from,
                to,
                both_ways: *both,
            };
            Some(match op {
                Op::Cut(..) => Action::Cut(link),
                _ => Action::Restore(link),
            })
        }
    }
}

// ----- Per-step checks --------------------------------------------------------------------

/// Everything that must hold after each step of an unforced run. `prev_terms` are the
/// servers' terms before the step.
fn check_step(cluster: &Cluster, events: &[Event], prev_terms: &[Term]) -> Result<(), String> {
    if !cluster.violations().is_empty() {
        return Err(format!("monitor violations: {:?}", cluster.violations()));
    }
    let reported: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::Violation(_)))
        .collect();
    if !reported.is_empty() {
        return Err(format!("violation events: {reported:?}"));
    }
    check_state(cluster, prev_terms)
}

/// The checks done here independently of the model's monitor.
fn check_state(cluster: &Cluster, prev_terms: &[Term]) -> Result<(), String> {
    let mut leaders: BTreeMap<Term, Vec<ServerId>> = BTreeMap::new();
    for id in cluster.live_leaders() {
        let term = cluster.servers()[id].current_term;
        leaders.entry(term).or_default().push(id);
    }
    if let Some((term, ids)) = leaders.iter().find(|(_, ids)| ids.len() > 1) {
        return Err(format!("live leaders {ids:?} share term {term}"));
    }
    for s in cluster.servers() {
        if s.commit_index > s.log.len() {
            return Err(format!(
                "server {} has commit_index {} but a log of {}",
                s.id,
                s.commit_index,
                s.log.len()
            ));
        }
        if s.current_term < prev_terms[s.id] {
            return Err(format!(
                "server {}'s term went from {} to {}",
                s.id, prev_terms[s.id], s.current_term
            ));
        }
    }
    Ok(())
}

fn terms(cluster: &Cluster) -> Vec<Term> {
    cluster.servers().iter().map(|s| s.current_term).collect()
}

/// What an unforced run reached, for the sanity test.
#[derive(Default)]
struct Reached {
    leader: bool,
    commit: bool,
    follower_commit: bool,
    truncation: bool,
    next_batch: bool,
    max_term: Term,
}

/// Runs `ops` on the fresh servers of `setup`, checking every step. On failure, the error names
/// the step, the concrete actions applied so far and what broke.
fn run_checked(setup: Setup, ops: &[Op]) -> Result<Reached, String> {
    let n = setup.n;
    let mut cluster = setup.cluster();
    let mut commands = 0;
    let mut applied = Vec::new();
    let mut reached = Reached::default();
    check_step(&cluster, &[], &terms(&cluster))
        .map_err(|e| format!("fresh cluster of {n}: {e}"))?;
    for (step, op) in ops.iter().enumerate() {
        let Some(action) = resolve(op, &cluster, &mut commands) else {
            continue;
        };
        applied.push(action.clone());
        let before = terms(&cluster);
        let events = cluster
            .apply(&action)
            .map_err(|e| format!("step {step}: apply failed: {e}\nactions: {applied:#?}"))?;
        check_step(&cluster, &events, &before).map_err(|e| {
            format!(
                "step {step} (cluster of {n}): {e}\nactions: {applied:#?}\n\
                 events of the last step: {events:#?}"
            )
        })?;
        reached.leader |= cluster.live_leaders().next().is_some();
        for e in &events {
            match e {
                Event::FollowerCommitted { .. } => reached.follower_commit = true,
                Event::EntriesTruncated { .. } => reached.truncation = true,
                Event::NextBatchSent { .. } => reached.next_batch = true,
                _ => {}
            }
        }
        for s in cluster.servers() {
            reached.commit |= s.commit_index > 0;
            reached.max_term = reached.max_term.max(s.current_term);
        }
    }
    Ok(reached)
}

proptest! {
    // About 5 s in a debug build on 2 cores.
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Property 1: no unforced run breaks safety.
    #[test]
    fn unforced_runs_stay_safe((setup, ops) in run_input()) {
        if let Err(e) = run_checked(setup, &ops) {
            return Err(TestCaseError::fail(e));
        }
    }
}

proptest! {
    // Nondeterminism (hash order, shared state) would show up at once; fewer cases do.
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Property 3: the same actions on two clones give equal clusters and equal events. The
    /// clones are taken after a random prefix, so they start from a non-trivial state; the
    /// whole run is then replayed on a separately built cluster, which must end up equal too.
    #[test]
    fn apply_is_deterministic(
        (setup, prefix) in run_input(),
        suffix in prop::collection::vec(op(), 0..=100),
    ) {
        let mut commands = 0;
        let mut applied = Vec::new();
        let mut all_events = Vec::new();
        let mut a = setup.cluster();
        for op in &prefix {
            if let Some(action) = resolve(op, &a, &mut commands) {
                applied.push(action.clone());
                all_events.extend(a.apply(&action).expect("resolved actions are valid"));
            }
        }
        let mut b = a.clone();
        prop_assert_eq!(&a, &b);
        for op in &suffix {
            let Some(action) = resolve(op, &a, &mut commands) else { continue };
            applied.push(action.clone());
            let ea = a.apply(&action).expect("resolved actions are valid");
            let eb = b.apply(&action).expect("resolved actions are valid");
            prop_assert_eq!(&ea, &eb, "events differ after {:?}", action);
            prop_assert_eq!(&a, &b, "clusters differ after {:?}", action);
            all_events.extend(ea);
        }

        let mut replay = setup.cluster();
        let mut replay_events = Vec::new();
        for action in applied {
            replay_events.extend(replay.apply(&action).expect("valid on replay too"));
        }
        prop_assert_eq!(&replay_events, &all_events, "replayed events differ");
        prop_assert_eq!(&replay, &a, "replayed cluster differs");
    }
}

/// Property 1 is only worth something if its runs get somewhere: over a fixed set of generated
/// runs (deterministic seed), a good share must elect a leader and commit an entry, and some
/// must have a follower learn a commit and truncate a conflicting suffix, and some capped run
/// must send a next batch. (With this distribution: 87, 48, 36, 4 and 10 of 128.)
#[test]
fn generated_runs_reach_elections_and_commits() {
    const RUNS: usize = 128;
    let mut runner = TestRunner::deterministic();
    let strategy = run_input();
    let (mut leader, mut commit, mut follower_commit, mut truncation, mut term4) = (0, 0, 0, 0, 0);
    let mut next_batch = 0;
    for _ in 0..RUNS {
        let (setup, ops) = strategy
            .new_tree(&mut runner)
            .expect("strategy generates")
            .current();
        let reached = run_checked(setup, &ops).unwrap_or_else(|e| panic!("{e}"));
        leader += usize::from(reached.leader);
        commit += usize::from(reached.commit);
        follower_commit += usize::from(reached.follower_commit);
        truncation += usize::from(reached.truncation);
        term4 += usize::from(reached.max_term >= 4);
        next_batch += usize::from(reached.next_batch);
    }
    eprintln!(
        "of {RUNS} runs: {leader} elected a leader, {commit} committed, {follower_commit} had a \
         follower learn a commit, {truncation} truncated a log, {term4} reached term 4, \
         {next_batch} sent a capped next batch"
    );
    assert!(
        leader > RUNS / 4,
        "only {leader} of {RUNS} runs elected a leader"
    );
    assert!(
        commit >= RUNS / 8,
        "only {commit} of {RUNS} runs committed an entry"
    );
    assert!(follower_commit > 0, "no follower ever learned a commit");
    assert!(
        truncation > 0,
        "no run ever truncated a conflicting log suffix"
    );
    assert!(next_batch > 0, "no capped run ever sent a next batch");
}

// ----- Property 2: the log ----------------------------------------------------------------

/// The command of the entry at `index` with `term`. Making it a function of (index, term)
/// gives the generated logs the Log Matching precondition `try_append` relies on (it keeps an
/// existing entry whose term matches), so entries can be compared in full.
fn entry_at(index: LogIndex, term: Term) -> Entry {
    Entry::new(term, &format!("i{index}t{term}"))
}

fn log_from_terms(terms: &[Term]) -> Log {
    Log::from(
        terms
            .iter()
            .enumerate()
            .map(|(i, &t)| entry_at(i + 1, t))
            .collect::<Vec<_>>(),
    )
}

/// A log, and an append_entries call on it whose prev matches often but not always.
fn log_and_call() -> impl Strategy<Value = (Log, LogIndex, Term, Vec<Entry>)> {
    (
        prop::collection::vec(1u64..=4, 0..8),
        any::<prop::sample::Index>(),
        any::<bool>(),
        0u64..=5,
        prop::collection::vec(1u64..=5, 0..5),
        any::<bool>(),
    )
        .prop_map(
            |(mut log_terms, prev, use_real_term, random_term, entry_terms, sorted)| {
                if sorted {
                    // Real Raft logs have non-decreasing terms.
                    log_terms.sort_unstable();
                }
                let log = log_from_terms(&log_terms);
                // 0..=len+2: past-the-end prevs are rejected.
                let prev_index = prev.index(log.len() + 3);
                let prev_term = match log.term_at(prev_index) {
                    Some(t) if use_real_term => t,
                    _ => random_term,
                };
                let entries = entry_terms
                    .iter()
                    .enumerate()
                    .map(|(i, &t)| entry_at(prev_index + 1 + i, t))
                    .collect();
                (log, prev_index, prev_term, entries)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn append_entries_properties((log, prev_index, prev_term, entries) in log_and_call()) {
        let mut once = log.clone();
        let accepted = once.append_entries(prev_index, prev_term, &entries);

        // Accepted exactly when the log has prev_term at prev_index (index 0 has term 0).
        prop_assert_eq!(accepted, log.term_at(prev_index) == Some(prev_term));

        if accepted {
            // The entries sit at prev_index+1.. and everything up to prev_index is kept.
            let end = prev_index + entries.len();
            prop_assert!(once.len() >= end, "log {:?} shorter than {}", once, end);
            let (now, before): (Vec<Entry>, Vec<Entry>) =
                (once.entries().cloned().collect(), log.entries().cloned().collect());
            prop_assert_eq!(&now[prev_index..end], &entries[..]);
            prop_assert_eq!(&now[..prev_index], &before[..prev_index]);
        } else {
            prop_assert_eq!(&once, &log, "a rejected call changed the log");
        }

        // Idempotent: the same call again changes nothing and gives the same answer.
        let mut twice = once.clone();
        let again = twice.append_entries(prev_index, prev_term, &entries);
        prop_assert_eq!(again, accepted);
        prop_assert_eq!(&twice, &once, "a repeated call changed the log");
    }
}

// ----- Property 4: the checks can fail -----------------------------------------------------

/// Two servers forced to lead term 1: the monitor reports Election Safety, as an event and in
/// `violations()`, and this file's own per-step check rejects the state too.
#[test]
fn forced_second_leader_breaks_election_safety() {
    let mut cluster = Cluster::new(3);
    let first = cluster
        .apply(&Action::on(0, ServerAction::BecomeLeader))
        .unwrap();
    assert!(cluster.violations().is_empty(), "one leader is fine");
    assert!(check_step(&cluster, &first, &[1, 1, 1]).is_ok());

    let before = terms(&cluster);
    let events = cluster
        .apply(&Action::on(1, ServerAction::BecomeLeader))
        .unwrap();
    let expected = Violation::ElectionSafety {
        term: 1,
        first: 0,
        second: 1,
    };
    assert_eq!(cluster.violations(), &[expected]);
    assert!(events.contains(&Event::Violation(expected)), "{events:#?}");
    let err = check_step(&cluster, &events, &before).unwrap_err();
    assert!(err.contains("ElectionSafety"), "{err}");

    // The independent check (without the monitor) also sees two live leaders of term 1.
    let err = check_state(&cluster, &before).unwrap_err();
    assert_eq!(err, "live leaders [0, 1] share term 1");
}

// ----- 5. What a RequestVote reads ----------------------------------------------------------

/// Server 0 of 3 with these inputs (term, vote, log by its entries' terms) and this rest
/// (role, commit index, leader heard from). A candidate or leader has voted for itself, so a
/// rest that names either role is taken only when the vote is its own.
fn voter(
    term: Term,
    vote: Option<ServerId>,
    log: &[Term],
    rest: (u8, usize, Option<ServerId>),
) -> RaftServer {
    let (role, commit, leader) = rest;
    let role = match role % 3 {
        1 if vote == Some(0) => Role::Candidate,
        2 if vote == Some(0) => Role::Leader,
        _ => Role::Follower,
    };
    let entries = log
        .iter()
        .enumerate()
        .map(|(i, &t)| entry_at(i + 1, t))
        .collect::<Vec<_>>();
    let state = ServerState {
        term,
        voted_for: vote,
        log: Log::from(entries),
        commit_index: commit.min(log.len()),
        role,
        leader: if role == Role::Follower { leader } else { None },
        ..ServerState::default()
    };
    RaftServer::with_state(
        Node {
            id: 0,
            cluster_size: 3,
        },
        state,
    )
}

proptest! {
    #[test]
    fn servers_alike_in_request_vote_inputs_handle_a_request_alike(
        term in 1u64..4,
        vote in prop::option::of(0usize..3),
        steps in prop::collection::vec(0u64..2, 0..4),
        a in (0u8..3, 0usize..4, prop::option::of(1usize..3)),
        b in (0u8..3, 0usize..4, prop::option::of(1usize..3)),
        candidate in 1usize..3,
        request_term in 1u64..5,
        last_log_index in 0usize..5,
        last_log_term in 0u64..5,
    ) {
        // A log's terms never decrease and never pass the server's term.
        let mut log = Vec::new();
        let mut t = 1;
        for step in steps {
            t = (t + step).min(term);
            log.push(t);
        }
        let (mut first, mut second) = (voter(term, vote, &log, a), voter(term, vote, &log, b));
        prop_assert_eq!(first.request_vote_inputs(), second.request_vote_inputs());
        let request = Message::RequestVote {
            term: request_term,
            candidate,
            last_log_index,
            last_log_term,
        };
        let (before_first, before_second) = (first.clone(), second.clone());
        first.handle(candidate, request.clone());
        second.handle(candidate, request);
        prop_assert_eq!(first.request_vote_inputs(), second.request_vote_inputs());
        prop_assert_eq!(first.outbox(), second.outbox());
        // Left as it was, or not, alike (what the explorer's sleep sets rely on).
        let unchanged = |server: &mut RaftServer, before: &RaftServer| {
            server.drain_outbox().for_each(drop);
            server.take_events(&mut Vec::new());
            *server == *before
        };
        prop_assert_eq!(unchanged(&mut first, &before_first), unchanged(&mut second, &before_second));
    }
}
