//! Figure 8 (§5.4.2).

use super::*;

/// Figure 8 (c), renumbered from 0: S0 leads term 4 with the term-2 entry it made in term 2;
/// S1 has it too; S2 and S3 only have the committed entry 1; S4 made a term-3 entry.
fn figure8() -> Cluster {
    let voted = |log: &[Term]| ServerState {
        voted_for: Some(0),
        commit_index: 1,
        ..st(4, log)
    };
    let c = Cluster::from_states(vec![
        ServerState {
            role: Role::Leader,
            ..voted(&[1, 2])
        },
        voted(&[1, 2]),
        voted(&[1]),
        ServerState {
            commit_index: 1,
            ..st(3, &[1])
        },
        ServerState {
            commit_index: 1,
            ..st(3, &[1, 3])
        },
    ]);
    assert!(c.violations().is_empty(), "{:?}", c.violations());
    c
}

/// S0 replicates its term-2 entry to S1 and S2 (a majority with itself), S3 and S4 cut off.
fn figure8_old_entry_on_a_majority() -> (Cluster, Vec<Event>) {
    let mut c = figure8();
    apply(&mut c, Action::Partition(vec![vec![0, 1, 2], vec![3, 4]]));
    heartbeat(&mut c, 0);
    let ev = deliver_all(&mut c);
    for s in 0..3 {
        assert_eq!(terms(server(&c, s)), vec![1, 2], "S{s}");
    }
    (c, ev)
}

#[test]
fn edge_case_4_figure8_an_old_term_entry_waits_for_an_entry_of_the_current_term() {
    let (mut c, ev) = figure8_old_entry_on_a_majority();
    let waits = find!(ev, Event::CommitWaitsForCurrentTerm { .. });
    assert_eq!(
        waits,
        Event::CommitWaitsForCurrentTerm {
            leader: 0,
            index: 2,
            entry_term: 2,
            current_term: 4,
            replicas: set(&[0, 1, 2]),
        }
    );
    assert_says(&waits, &["§5.4.2", "Figure 8", "not the current term 4"]);
    assert!(!has!(ev, Event::LeaderCommitted { .. }));
    assert_eq!(server(&c, 0).commit_index, 1);

    // A client request of term 4, once on a majority, commits both.
    client(&mut c, 0, "x");
    let ev = deliver_all(&mut c);
    let committed = find!(ev, Event::LeaderCommitted { .. });
    assert_eq!(
        committed,
        Event::LeaderCommitted {
            leader: 0,
            term: 4,
            old: 1,
            index: 3,
            replicas: set(&[0, 1, 2]),
            cluster_size: 5,
            mutant: None,
        }
    );
    assert_says(&committed, &["indexes 2 to 3", "current term 4"]);
    assert_eq!(server(&c, 0).commit_index, 3);

    apply(&mut c, Action::Heal);
    heartbeat(&mut c, 0);
    deliver_all(&mut c);
    for s in c.servers() {
        assert_eq!(terms(s), vec![1, 2, 4], "S{}", s.id);
        assert_eq!(s.commit_index, 3, "S{}", s.id);
        assert_eq!(s.current_term, 4, "S{}", s.id);
    }
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}

#[test]
fn figure8_d_the_uncommitted_old_entry_may_still_be_overwritten_safely() {
    let (mut c, _) = figure8_old_entry_on_a_majority();
    apply(&mut c, Action::Heal);
    on(&mut c, 0, ServerAction::Crash);
    timeout(&mut c, 4); // term 4: S1 and S2 already voted for S0
    let ev = deliver_all(&mut c);
    assert_eq!(
        count!(
            ev,
            Event::VoteRefused {
                candidate: 4,
                reason: VoteRefusal::AlreadyVoted { voted_for: 0 },
                ..
            }
        ),
        2
    );
    assert_eq!(server(&c, 4).role, Role::Candidate);
    timeout(&mut c, 4); // term 5: its last term 3 beats everyone's last term 2
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 4,
            term: 5,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::EntriesTruncated {
            server: 1,
            leader: 4,
            ..
        }
    ));
    for s in 1..5 {
        assert_eq!(terms(server(&c, s)), vec![1, 3], "S{s}");
    }
    // Had S0 committed index 2 above, this would lose a committed entry.
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}

#[test]
fn figure8_commit_rule_on_three_servers() {
    // The same rule on three servers: the new leader of term 3 holds a term-1 entry on all
    // three, but commits it only together with its own first entry.
    let mut c = Cluster::from_states(vec![st(2, &[1]), st(2, &[1]), st(2, &[])]);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 0,
            term: 3,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::CommitWaitsForCurrentTerm {
            index: 1,
            entry_term: 1,
            current_term: 3,
            ..
        }
    ));
    assert_eq!(server(&c, 0).commit_index, 0);
    client(&mut c, 0, "x");
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::LeaderCommitted {
            old: 0,
            index: 2,
            term: 3,
            ..
        }
    ));
    assert_eq!(server(&c, 0).commit_index, 2);
    assert!(c.violations().is_empty());
}
