//! Time in the model: Figure 2's timer rules one test each, heartbeats, message and disk
//! times, ties, determinism, and manual actions on a running clock.

use raftwalk::raft::time::{Due, Interval, MS, TimerWhy};
use raftwalk::raft::{
    Action, Between, Bug, Cluster, Event, Log, MessageId, MessageKind as K, Names, NetworkError,
    Role, ServerAction, ServerId, ServerState, Timing, explain,
};

// ----- Helpers ---------------------------------------------------------------------------

/// Timing for the tests: the paper's timeouts, messages of 10–20 ms, no disk writes.
const TIMING: Timing = Timing {
    election_timeout: Between::ms(150, 300),
    heartbeat: 50 * MS,
    latency: Between::ms(10, 20),
    persist: Between::ms(0, 0),
    seed: 7,
};

fn apply(c: &mut Cluster, action: Action) -> Vec<Event> {
    c.apply(&action)
        .unwrap_or_else(|e| panic!("{action:?} failed: {e}"))
}

fn timed(n: usize, timing: Timing) -> Cluster {
    let mut c = Cluster::new(n);
    apply(&mut c, Action::StartClock(Box::new(timing)));
    c
}

fn advance_ms(c: &mut Cluster, ms: u64) -> Vec<Event> {
    apply(c, Action::Advance(ms * MS))
}

fn timer(c: &Cluster, id: ServerId) -> Option<Interval> {
    c.clock().expect("a clock").server(id).election
}

fn now(c: &Cluster) -> u64 {
    c.now().expect("a clock")
}

/// The oldest message in flight from `from` to `to` of this kind.
fn msg(c: &Cluster, from: ServerId, to: ServerId, kind: K) -> MessageId {
    c.in_flight()
        .find(|e| e.from == from && e.to == to && e.message.kind() == kind)
        .unwrap_or_else(|| panic!("no {kind} {from}->{to} in flight"))
        .id
}

fn deliver(c: &mut Cluster, from: ServerId, to: ServerId, kind: K) -> Vec<Event> {
    let id = msg(c, from, to, kind);
    apply(c, Action::Deliver(id))
}

fn resets(events: &[Event], server: ServerId) -> Vec<TimerWhy> {
    events
        .iter()
        .filter_map(|e| match *e {
            Event::TimerReset { server: s, why, .. } if s == server => Some(why),
            _ => None,
        })
        .collect()
}

/// S0 leader of term 2 on three servers, everything delivered by hand at `at` ms.
fn with_leader(at: u64) -> Cluster {
    let mut c = timed(3, TIMING);
    advance_ms(&mut c, at);
    apply(&mut c, Action::on(0, ServerAction::Timeout));
    deliver(&mut c, 0, 1, K::RequestVote);
    deliver(&mut c, 1, 0, K::RequestVoteResponse);
    assert_eq!(c.servers()[0].role, Role::Leader);
    c
}

// ----- Figure 2's timer rules -----------------------------------------------------------

#[test]
fn starting_the_clock_gives_each_follower_a_timer_drawn_from_the_range() {
    let c = timed(5, TIMING);
    for id in 0..5 {
        let t = timer(&c, id).expect("a follower has a timer");
        assert_eq!(t.start, 0);
        assert!((150 * MS..=300 * MS).contains(&t.length()), "{t:?}");
    }
    // Drawn, not all alike.
    let lengths: std::collections::BTreeSet<u64> =
        (0..5).map(|id| timer(&c, id).unwrap().length()).collect();
    assert!(lengths.len() > 1);
}

#[test]
fn granting_a_vote_restarts_the_timer() {
    let mut c = timed(3, TIMING);
    advance_ms(&mut c, 40);
    apply(&mut c, Action::on(0, ServerAction::Timeout));
    let before = timer(&c, 1).unwrap();
    let events = deliver(&mut c, 0, 1, K::RequestVote);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::VoteGranted { voter: 1, .. }))
    );
    assert_eq!(resets(&events, 1), vec![TimerWhy::GrantedVote(0)]);
    let after = timer(&c, 1).unwrap();
    assert_eq!(after.start, 40 * MS);
    assert_ne!(after, before);
}

#[test]
fn a_refused_vote_leaves_the_timer_running() {
    let mut c = timed(3, TIMING);
    advance_ms(&mut c, 20);
    apply(&mut c, Action::on(0, ServerAction::Timeout));
    apply(&mut c, Action::on(2, ServerAction::Timeout));
    deliver(&mut c, 2, 1, K::RequestVote); // granted to S2
    let granted = timer(&c, 1).unwrap();
    advance_ms(&mut c, 5);
    let events = deliver(&mut c, 0, 1, K::RequestVote); // refused: it voted for S2
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::VoteRefused { voter: 1, .. }))
    );
    assert!(resets(&events, 1).is_empty());
    assert_eq!(timer(&c, 1).unwrap(), granted);
}

#[test]
fn append_entries_from_the_current_leader_restarts_the_timer() {
    let mut c = with_leader(30);
    advance_ms(&mut c, 7);
    let events = deliver(&mut c, 0, 1, K::AppendEntries);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::AppendAccepted { follower: 1, .. }))
    );
    assert_eq!(resets(&events, 1), vec![TimerWhy::HeardFromLeader(0)]);
    assert_eq!(timer(&c, 1).unwrap().start, 37 * MS);
}

#[test]
fn append_entries_whose_log_does_not_match_still_restarts_the_timer() {
    // It comes from the current leader: the timer rule does not ask whether the logs match.
    let mut c = Cluster::from_states(vec![
        ServerState {
            term: 2,
            log: Log::from_terms(&[1, 2]),
            role: Role::Leader,
            ..ServerState::default()
        },
        ServerState {
            term: 2,
            ..ServerState::default()
        },
    ]);
    apply(&mut c, Action::StartClock(Box::new(TIMING)));
    apply(&mut c, Action::on(0, ServerAction::Heartbeat));
    advance_ms(&mut c, 3);
    let events = deliver(&mut c, 0, 1, K::AppendEntries);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::AppendRejected { follower: 1, .. }))
    );
    assert_eq!(resets(&events, 1), vec![TimerWhy::HeardFromLeader(0)]);
}

#[test]
fn a_stale_append_entries_leaves_the_timer_running() {
    let mut c = with_leader(30);
    // S1 moves on to term 3 on its own; S0's AppendEntries of term 2 is stale for it.
    apply(&mut c, Action::on(1, ServerAction::Timeout));
    let own = timer(&c, 1).unwrap();
    advance_ms(&mut c, 4);
    let events = deliver(&mut c, 0, 1, K::AppendEntries);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::AppendRejected { follower: 1, .. }))
    );
    assert!(resets(&events, 1).is_empty());
    assert_eq!(timer(&c, 1).unwrap(), own);
}

/// The accept-stale-term mutant obeys a stale AppendEntries and restarts its timer; the reset
/// says that Raft would not have.
#[test]
fn a_mutant_that_obeys_a_stale_leader_says_so_when_it_restarts_its_timer() {
    let mut c = Cluster::with_bug(vec![ServerState::default(); 3], Some(Bug::AcceptStaleTerm));
    apply(&mut c, Action::StartClock(Box::new(TIMING)));
    advance_ms(&mut c, 30);
    apply(&mut c, Action::on(0, ServerAction::Timeout));
    deliver(&mut c, 0, 1, K::RequestVote);
    deliver(&mut c, 1, 0, K::RequestVoteResponse);
    assert_eq!(c.servers()[0].role, Role::Leader);
    // S2 stands twice; its term-3 RequestVote makes S1 a follower of term 3.
    apply(&mut c, Action::on(2, ServerAction::Timeout));
    apply(&mut c, Action::on(2, ServerAction::Timeout));
    let term3 = c
        .in_flight()
        .filter(|e| e.from == 2 && e.to == 1 && e.message.term() == 3)
        .map(|e| e.id)
        .next()
        .expect("S2's term-3 RequestVote");
    apply(&mut c, Action::Deliver(term3));
    assert_eq!(
        (c.servers()[1].role, c.servers()[1].current_term),
        (Role::Follower, 3)
    );
    advance_ms(&mut c, 4);
    let events = deliver(&mut c, 0, 1, K::AppendEntries);
    assert_eq!(resets(&events, 1), vec![TimerWhy::ObeyedStaleLeader(0)]);
    let reset = events
        .iter()
        .find(|e| matches!(e, Event::TimerReset { server: 1, .. }))
        .expect("a reset");
    let text = explain(reset, Names::default());
    assert!(
        text.contains("a leader of an older term — but this cluster obeys leaders of older terms"),
        "{text}"
    );
}

#[test]
fn starting_an_election_restarts_the_timer() {
    let mut c = timed(3, TIMING);
    advance_ms(&mut c, 12);
    let events = apply(&mut c, Action::on(2, ServerAction::Timeout));
    assert_eq!(resets(&events, 2), vec![TimerWhy::StartedElection]);
    assert_eq!(timer(&c, 2).unwrap().start, 12 * MS);
}

#[test]
fn a_leader_has_no_election_timer_but_a_heartbeat_and_gets_a_timer_back_when_it_steps_down() {
    let mut c = with_leader(30);
    let clock = c.clock().unwrap().server(0);
    assert_eq!(clock.election, None);
    assert_eq!(
        clock.heartbeat,
        Some(Interval {
            start: 30 * MS,
            end: 80 * MS
        })
    );
    // S1 starts term 3; its RequestVote makes S0 step down.
    apply(&mut c, Action::on(1, ServerAction::Timeout));
    let events = deliver(&mut c, 1, 0, K::RequestVote);
    assert_eq!(c.servers()[0].role, Role::Follower);
    // It granted the vote too, and that is the reason given.
    assert_eq!(resets(&events, 0), vec![TimerWhy::GrantedVote(1)]);
    assert_eq!(c.clock().unwrap().server(0).heartbeat, None);
    assert!(timer(&c, 0).is_some());
}

#[test]
fn a_crashed_server_has_no_timers_and_a_restarted_one_draws_a_new_timer() {
    let mut c = timed(3, TIMING);
    apply(&mut c, Action::on(1, ServerAction::Crash));
    assert_eq!(timer(&c, 1), None);
    advance_ms(&mut c, 500);
    assert!(c.servers()[1].crashed, "a crashed server never times out");
    let events = apply(&mut c, Action::on(1, ServerAction::Restart));
    assert_eq!(resets(&events, 1), vec![TimerWhy::Restarted]);
}

// ----- Heartbeats, elections and the clock ------------------------------------------------

#[test]
fn a_timer_that_runs_out_starts_an_election_and_the_leader_heartbeats() {
    let mut c = timed(3, TIMING);
    let first = (0..3).min_by_key(|&id| timer(&c, id).unwrap().end).unwrap();
    let fires_at = timer(&c, first).unwrap().end;
    let events = apply(&mut c, Action::NextEvents(1));
    assert_eq!(now(&c), fires_at);
    assert!(matches!(
        events[0],
        Event::TimerFired { server, role: Role::Follower, .. } if server == first
    ));
    assert_eq!(c.servers()[first].role, Role::Candidate);
    // Its requests arrive 10–20 ms later.
    for m in c.clock().unwrap().messages() {
        assert!((fires_at + 10 * MS..=fires_at + 20 * MS).contains(&m.due));
    }
    // The heartbeat interval: after winning, AppendEntries every 50 ms.
    let mut sent = Vec::new();
    for _ in 0..200 {
        let events = apply(&mut c, Action::NextEvents(1));
        if events
            .iter()
            .any(|e| matches!(e, Event::HeartbeatSent { .. }))
        {
            sent.push(now(&c));
        }
    }
    assert!(sent.len() >= 3, "{sent:?}");
    assert!(sent.windows(2).all(|w| w[1] - w[0] == 50 * MS), "{sent:?}");
}

#[test]
fn with_no_faults_one_leader_is_elected_and_stays_for_ten_seconds() {
    for seed in [1, 2, 3, 42] {
        let mut c = timed(5, Timing { seed, ..TIMING });
        let mut leaders = Vec::new();
        let mut elected = 0;
        for _ in 0..100 {
            let events = advance_ms(&mut c, 100);
            elected += events
                .iter()
                .filter(|e| matches!(e, Event::BecameLeader { .. }))
                .count();
            let live: Vec<_> = c.live_leaders().collect();
            assert!(live.len() <= 1, "seed {seed}: two leaders {live:?}");
            leaders.extend(live.first().map(|&l| (l, c.servers()[l].current_term)));
        }
        assert_eq!(now(&c), 10_000 * MS);
        assert_eq!(elected, 1, "seed {seed}: one election, won once");
        leaders.dedup();
        assert_eq!(leaders.len(), 1, "seed {seed}: the same leader throughout");
        assert!(c.violations().is_empty());
    }
}

#[test]
fn equal_timeouts_and_equal_latency_split_the_vote_again_and_again() {
    // No randomness anywhere: all three time out together, each votes for itself.
    let timing = Timing {
        election_timeout: Between::ms(150, 150),
        latency: Between::ms(10, 10),
        ..TIMING
    };
    let mut c = timed(3, timing);
    let events = advance_ms(&mut c, 1_000);
    assert!(c.live_leaders().next().is_none());
    let split = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::TimerFired {
                    role: Role::Candidate,
                    ..
                }
            )
        })
        .count();
    assert!(split >= 3 * 5, "{split}");
}

#[test]
fn ties_go_arrivals_first_then_heartbeats_then_timeouts_by_id() {
    let timing = Timing {
        election_timeout: Between::ms(150, 150),
        ..TIMING
    };
    let c = timed(3, timing);
    assert_eq!(
        c.clock().unwrap().next_due(),
        Some((150 * MS, Due::Timeout(0)))
    );
    let mut c = c;
    let events = apply(&mut c, Action::NextEvents(3));
    let fired: Vec<ServerId> = events
        .iter()
        .filter_map(|e| match *e {
            Event::TimerFired { server, .. } => Some(server),
            _ => None,
        })
        .collect();
    assert_eq!(fired, vec![0, 1, 2]);
}

#[test]
fn a_reply_after_a_change_of_persistent_state_waits_for_the_disk() {
    let timing = Timing {
        latency: Between::ms(5, 5),
        persist: Between::ms(10, 10),
        ..TIMING
    };
    let mut c = timed(3, timing);
    advance_ms(&mut c, 20);
    // The request leaves at once, though the candidate writes its new term and vote.
    let events = apply(&mut c, Action::on(0, ServerAction::Timeout));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::DiskWrite { server: 0, .. }))
    );
    let request = msg(&c, 0, 1, K::RequestVote);
    assert_eq!(c.clock().unwrap().message(request).unwrap().due, 25 * MS);
    advance_ms(&mut c, 4);
    // The vote is granted at 24 ms; the answer leaves after the 10 ms write, 5 ms later arrives.
    let events = deliver(&mut c, 0, 1, K::RequestVote);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::DiskWrite { server: 1, took } if *took == 10 * MS))
    );
    let writing = c.clock().unwrap().server(1).writing.unwrap();
    assert_eq!((writing.start, writing.end), (24 * MS, 34 * MS));
    let answer = msg(&c, 1, 0, K::RequestVoteResponse);
    let times = c.clock().unwrap().message(answer).unwrap();
    assert_eq!((times.sent, times.due), (34 * MS, 39 * MS));
    // A heartbeat changes nothing on disk: its answer leaves at once.
    apply(&mut c, Action::Advance(15 * MS));
    assert_eq!(c.servers()[0].role, Role::Leader);
    let events = deliver(&mut c, 0, 2, K::AppendEntries);
    assert!(!events.iter().any(|e| matches!(e, Event::DiskWrite { .. })));
}

// ----- Manual actions on a running clock --------------------------------------------------

#[test]
fn a_message_delivered_early_or_dropped_is_no_longer_scheduled() {
    let mut c = timed(3, TIMING);
    apply(&mut c, Action::on(0, ServerAction::Timeout));
    let early = msg(&c, 0, 1, K::RequestVote);
    let dropped = msg(&c, 0, 2, K::RequestVote);
    apply(&mut c, Action::Deliver(early));
    apply(&mut c, Action::Drop(dropped));
    let clock = c.clock().unwrap();
    assert!(clock.message(early).is_none() && clock.message(dropped).is_none());
    let scheduled: Vec<MessageId> = clock.messages().map(|m| m.id).collect();
    let in_flight: Vec<MessageId> = c.in_flight().map(|e| e.id).collect();
    assert_eq!(scheduled, in_flight);
    // A duplicate is scheduled like a new send.
    let answer = msg(&c, 1, 0, K::RequestVoteResponse);
    apply(&mut c, Action::Duplicate(answer));
    assert_eq!(c.clock().unwrap().messages().len(), c.in_flight().len());
}

#[test]
fn a_hand_made_message_is_timed_and_one_lost_over_a_cut_link_is_forgotten() {
    let mut c = timed(3, TIMING);
    let message = c.servers()[0].draft(1, K::RequestVote, &Default::default());
    apply(
        &mut c,
        Action::Inject {
            from: 0,
            to: 1,
            message: Box::new(message),
        },
    );
    let id = c.in_flight().next().expect("injected").id;
    let times = c.clock().unwrap().message(id).expect("timed like a send");
    assert!((10 * MS..=20 * MS).contains(&times.due), "{times:?}");
    // The link 0 → 1 is cut: the message is lost on delivery, and the clock forgets it.
    apply(
        &mut c,
        Action::Cut(raftwalk::raft::Link {
            from: 0,
            to: 1,
            both_ways: false,
        }),
    );
    advance_ms(&mut c, 25);
    assert!(c.clock().unwrap().message(id).is_none());
    assert_eq!(c.clock().unwrap().messages().len(), c.in_flight().len());
}

#[test]
fn timed_actions_need_a_clock_and_something_scheduled() {
    let mut c = Cluster::new(3);
    assert_eq!(c.apply(&Action::NextEvents(1)), Err(NetworkError::NoClock));
    assert_eq!(c.apply(&Action::Advance(MS)), Err(NetworkError::NoClock));
    let mut c = timed(1, TIMING);
    apply(&mut c, Action::on(0, ServerAction::Crash));
    assert_eq!(
        c.apply(&Action::NextEvents(1)),
        Err(NetworkError::NothingScheduled)
    );
    assert_eq!(
        c.apply(&Action::StartClock(Box::new(TIMING))),
        Err(NetworkError::ClockRunning)
    );
}

#[test]
fn a_cluster_without_a_clock_waits_for_you() {
    let mut c = Cluster::new(3);
    let events = apply(&mut c, Action::on(0, ServerAction::Timeout));
    assert!(!events.iter().any(|e| matches!(e, Event::TimerReset { .. })));
    assert!(c.clock().is_none() && c.now().is_none());
}

// ----- Determinism -------------------------------------------------------------------------

fn trace(seed: u64) -> (Vec<Event>, Cluster) {
    let mut c = timed(5, Timing { seed, ..TIMING });
    let mut events = Vec::new();
    for step in 0..300 {
        let action = match step % 50 {
            10 => Action::on(step % 5, ServerAction::Crash),
            30 => Action::on((step - 20) % 5, ServerAction::Restart),
            _ => Action::NextEvents(1),
        };
        events.extend(c.apply(&action).unwrap_or_default());
    }
    (events, c)
}

#[test]
fn the_same_seed_gives_the_same_trace_and_another_seed_another() {
    let (a, ca) = trace(11);
    let (b, cb) = trace(11);
    assert_eq!(a, b);
    assert!(ca == cb);
    let (c, _) = trace(12);
    assert_ne!(a, c);
}

#[test]
fn a_clone_replays_exactly() {
    let mut c = timed(5, TIMING);
    advance_ms(&mut c, 400);
    let mut copy = c.clone();
    let a = advance_ms(&mut c, 700);
    let b = advance_ms(&mut copy, 700);
    assert_eq!(a, b);
    assert!(c == copy);
}

// ----- Random timed runs ---------------------------------------------------------------------

mod random {
    use super::*;
    use proptest::prelude::*;

    /// One step of a random timed run; server and message choices are taken modulo what is
    /// there when the step plays.
    #[derive(Clone, Debug)]
    enum Op {
        Events(usize),
        Advance(u64),
        Timeout(usize),
        CrashOrRestart(usize),
        Request(usize),
        Deliver(usize),
        Drop(usize),
        Split(usize),
        Heal,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (1usize..20).prop_map(Op::Events),
            3 => (0u64..400_000).prop_map(Op::Advance),
            1 => (0usize..9).prop_map(Op::Timeout),
            1 => (0usize..9).prop_map(Op::CrashOrRestart),
            2 => (0usize..9).prop_map(Op::Request),
            1 => (0usize..64).prop_map(Op::Deliver),
            1 => (0usize..64).prop_map(Op::Drop),
            1 => (1usize..9).prop_map(Op::Split),
            1 => Just(Op::Heal),
        ]
    }

    fn timing() -> impl Strategy<Value = Timing> {
        (
            1u64..300,
            0u64..300,
            1u64..200,
            0u64..40,
            0u64..40,
            0u64..20,
            any::<u64>(),
        )
            .prop_map(
                |(min, spread, heartbeat, latency, jitter, persist, seed)| Timing {
                    election_timeout: Between::ms(min, min + spread),
                    heartbeat: heartbeat * MS,
                    latency: Between::ms(latency, latency + jitter),
                    persist: Between::ms(0, persist),
                    seed,
                },
            )
    }

    fn action(c: &Cluster, op: &Op) -> Action {
        let n = c.servers().len();
        let message = |k: usize| {
            c.in_flight()
                .nth(k % c.in_flight().len().max(1))
                .map(|m| m.id)
        };
        match *op {
            Op::Events(k) => Action::NextEvents(k),
            Op::Advance(us) => Action::Advance(us),
            Op::Timeout(s) => Action::on(s % n, ServerAction::Timeout),
            Op::CrashOrRestart(s) => Action::on(
                s % n,
                if c.servers()[s % n].crashed {
                    ServerAction::Restart
                } else {
                    ServerAction::Crash
                },
            ),
            Op::Request(s) => Action::on(s % n, ServerAction::ClientRequest("x".into())),
            Op::Deliver(k) => message(k).map_or(Action::NextEvents(1), Action::Deliver),
            Op::Drop(k) => message(k).map_or(Action::NextEvents(1), Action::Drop),
            Op::Split(k) => Action::Partition(vec![(0..k % n).collect(), (k % n..n).collect()]),
            Op::Heal => Action::Heal,
        }
    }

    /// What must hold of the clock after every step.
    fn clock_is_consistent(c: &Cluster, before: u64) -> Result<(), String> {
        let clock = c.clock().ok_or("no clock")?;
        if clock.now() < before {
            return Err(format!("time went back: {before} → {}", clock.now()));
        }
        let scheduled: Vec<MessageId> = clock.messages().map(|m| m.id).collect();
        let in_flight: Vec<MessageId> = c.in_flight().map(|e| e.id).collect();
        if scheduled != in_flight {
            return Err(format!("scheduled {scheduled:?}, in flight {in_flight:?}"));
        }
        for s in c.servers() {
            let timers = clock.server(s.id);
            let ok = match (s.crashed, s.role) {
                (true, _) => timers.election.is_none() && timers.heartbeat.is_none(),
                (false, Role::Leader) => timers.election.is_none() && timers.heartbeat.is_some(),
                (false, _) => timers.election.is_some() && timers.heartbeat.is_none(),
            };
            if !ok {
                return Err(format!(
                    "S{} ({:?}, crashed {}): {timers:?}",
                    s.id, s.role, s.crashed
                ));
            }
            for t in [timers.election, timers.heartbeat].into_iter().flatten() {
                if t.end < clock.now() {
                    return Err(format!("S{}'s timer ended in the past: {t:?}", s.id));
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Random timed runs with manual actions mixed in: safety holds, every message in flight
        /// has its times, every live server has the timer its role needs (and none in the
        /// past), time never goes back, and a copy taken half-way replays to the same end.
        #[test]
        fn random_timed_runs_stay_safe_consistent_and_replayable(
            n in 1usize..=5,
            timing in timing(),
            ops in prop::collection::vec(op(), 1..60),
        ) {
            let mut c = timed(n, timing);
            let mut copy = None;
            let mut rest = Vec::new();
            for (i, op) in ops.iter().enumerate() {
                let action = action(&c, op);
                if i == ops.len() / 2 {
                    copy = Some(c.clone());
                }
                if copy.is_some() {
                    rest.push(action.clone());
                }
                let before = now(&c);
                match c.apply(&action) {
                    Ok(_) | Err(NetworkError::NothingScheduled) => {}
                    Err(e) => return Err(TestCaseError::fail(format!("{action:?}: {e}"))),
                }
                clock_is_consistent(&c, before).map_err(TestCaseError::fail)?;
            }
            prop_assert!(c.violations().is_empty(), "{:?}", c.violations());
            let mut copy = copy.expect("taken");
            for action in &rest {
                let _ = copy.apply(action);
            }
            prop_assert!(copy == c);
        }
    }
}
