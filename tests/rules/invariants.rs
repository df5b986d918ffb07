//! Invariants.

use super::*;

#[test]
fn divergent_committed_entries_are_flagged() {
    let committed = |command: &str| ServerState {
        log: Log::from(vec![Entry::new(1, command)]),
        commit_index: 1,
        ..ServerState::default()
    };
    let c = Cluster::from_states(vec![committed("a"), committed("b"), st(1, &[])]);
    assert!(
        c.violations().contains(&Violation::StateMachineSafety {
            server: 1,
            index: 1
        }),
        "{:?}",
        c.violations()
    );
    assert!(c.violations().contains(&Violation::LogMatching {
        a: 0,
        b: 1,
        same: 1,
        index: 1
    }));
    // Reported once per pair: a step that changes S1 alone does not report (1, 0) again.
    let mut c = c;
    c.apply(&Action::on(1, ServerAction::Crash)).unwrap();
    let pairs = c
        .violations()
        .iter()
        .filter(|v| matches!(v, Violation::LogMatching { .. }))
        .count();
    assert_eq!(pairs, 1, "{:?}", c.violations());
}

#[test]
fn a_starting_leader_has_voted_for_itself_so_no_one_else_can_win_its_term() {
    let leader = ServerState {
        term: 2,
        role: Role::Leader,
        ..ServerState::default()
    };
    let voted_for_leader = ServerState {
        term: 2,
        voted_for: Some(0),
        ..ServerState::default()
    };
    let mut c = Cluster::from_states(vec![leader, voted_for_leader, st(1, &[])]);
    assert_eq!(c.servers()[0].voted_for, Some(0));
    // S2 runs for term 2 too late: S1 voted for S0, and S0 for itself, so both refuse.
    c.apply(&Action::on(2, ServerAction::Timeout)).unwrap();
    c.apply(&Action::DeliverAll).unwrap();
    assert!(c.violations().is_empty(), "{:?}", c.violations());
    assert_eq!(c.servers()[2].role, Role::Candidate);
}

#[test]
fn partitions_with_many_or_empty_groups_never_overflow() {
    let mut c = Cluster::new(3);
    let mut groups = vec![vec![0]];
    groups.extend(std::iter::repeat_n(Vec::new(), 300));
    groups.push(vec![1]);
    groups.extend(std::iter::repeat_n(vec![0], 300));
    c.apply(&Action::Partition(groups)).unwrap();
    let g = c.network().groups().to_vec();
    assert!(g[0] != g[1] && g[1] != g[2] && g[0] != g[2], "{g:?}");
    c.apply(&Action::on(0, ServerAction::Timeout)).unwrap();
    c.apply(&Action::DeliverAll).unwrap();
    assert_eq!(c.servers()[0].role, Role::Candidate, "S0 is alone");
}

#[test]
fn other_unsafe_starting_states_are_flagged() {
    let beyond = Cluster::from_states(vec![
        ServerState {
            commit_index: 2,
            ..st(1, &[1])
        },
        st(1, &[]),
        st(1, &[]),
    ]);
    assert_eq!(
        beyond.violations(),
        &[Violation::CommitBeyondLog {
            server: 0,
            commit_index: 2,
            log_len: 1
        }]
    );
    let incomplete = Cluster::from_states(vec![
        ServerState {
            role: Role::Leader,
            ..st(3, &[])
        },
        ServerState {
            commit_index: 1,
            ..st(1, &[1])
        },
        st(1, &[]),
    ]);
    assert!(
        incomplete
            .violations()
            .contains(&Violation::LeaderCompleteness {
                leader: 0,
                term: 3,
                index: 1
            }),
        "{:?}",
        incomplete.violations()
    );
}

#[test]
fn a_long_correct_run_has_no_violations() {
    let mut c = elected(5);
    client(&mut c, 0, "a");
    deliver_all(&mut c);
    apply(&mut c, Action::Partition(vec![vec![0, 1], vec![2, 3, 4]]));
    client(&mut c, 0, "lost"); // cannot commit in the minority
    deliver_all(&mut c);
    timeout(&mut c, 2);
    deliver_all(&mut c);
    assert_eq!(server(&c, 2).role, Role::Leader);
    client(&mut c, 2, "b");
    deliver_all(&mut c);
    on(&mut c, 4, ServerAction::Crash);
    apply(&mut c, Action::Heal);
    heartbeat(&mut c, 2);
    deliver_all(&mut c);
    on(&mut c, 4, ServerAction::Restart);
    client(&mut c, 2, "c");
    deliver_all(&mut c);
    heartbeat(&mut c, 2);
    deliver_all(&mut c);
    let leader_log = server(&c, 2).log.clone();
    assert_eq!(terms(server(&c, 2)), vec![2, 3, 3]);
    for s in c.servers() {
        assert_eq!(s.log, leader_log, "S{}", s.id);
        assert_eq!(s.commit_index, 3, "S{}", s.id);
    }
    assert_eq!(c.live_leaders().collect::<Vec<_>>(), vec![2]);
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}
