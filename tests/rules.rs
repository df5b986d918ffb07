//! One test per Figure 2 rule (and per edge case of the brief), driven through the public
//! model: `Cluster::apply` for most, the brief's `RaftNetwork`/`RaftServer` API where it reads
//! more naturally. Every test checks both the resulting state and the events that explain it.

use raftwalk::raft::event::{
    ActionName, AppendRejection, IgnoreReason, LossReason, RefusalWhy, VoteRefusal,
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
    c.apply(action.clone())
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

// ----- Term rules (§5.1) -----------------------------------------------------------------

#[test]
fn higher_term_request_vote_makes_a_leader_step_down_and_grant_in_the_same_step() {
    let mut c = elected(3);
    timeout(&mut c, 1); // S1 becomes candidate for term 3
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVote);
    let adopted = position!(
        ev,
        Event::TermAdopted {
            server: 0,
            from: 1,
            kind: K::RequestVote,
            old_term: 2,
            new_term: 3,
            was: Role::Leader,
        }
    );
    let granted = position!(
        ev,
        Event::VoteGranted {
            voter: 0,
            candidate: 1,
            term: 3,
            ..
        }
    );
    assert!(adopted < granted);
    let s0 = server(&c, 0);
    assert_eq!(
        (s0.role, s0.current_term, s0.voted_for, s0.leader_id),
        (Role::Follower, 3, Some(1), None)
    );
    let reply = envelope(&c, msg(&c, 0, 1, K::RequestVoteResponse));
    assert_eq!(
        reply.message,
        Message::RequestVoteResponse {
            term: 3,
            granted: true
        }
    );
    assert_says(
        &find!(ev, Event::TermAdopted { .. }),
        &["steps down from leader to follower", "§5.1"],
    );
    assert!(c.violations().is_empty());
}

#[test]
fn higher_term_request_vote_makes_a_candidate_step_down_and_grant() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0); // S0: term 2
    timeout(&mut c, 1); // S1: term 2
    timeout(&mut c, 1); // S1: term 3
    let latest = *msgs(&c, 1, 0, K::RequestVote).last().unwrap();
    assert_eq!(envelope(&c, latest).message.term(), 3);
    let ev = deliver(&mut c, latest);
    assert!(has!(
        ev,
        Event::TermAdopted {
            server: 0,
            old_term: 2,
            new_term: 3,
            was: Role::Candidate,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 0,
            candidate: 1,
            term: 3,
            ..
        }
    ));
    let s0 = server(&c, 0);
    assert_eq!(s0.role, Role::Follower);
    assert_eq!(s0.voted_for, Some(1));
    assert!(s0.votes_granted.is_empty());
    assert!(c.violations().is_empty());
}

#[test]
fn higher_term_append_entries_makes_a_candidate_follower_and_is_then_accepted() {
    let mut c = Cluster::from_states(vec![
        ServerState {
            role: Role::Leader,
            voted_for: Some(0),
            ..st(3, &[])
        },
        ServerState {
            role: Role::Candidate,
            ..st(2, &[])
        },
        st(3, &[]),
    ]);
    client(&mut c, 0, "a");
    let ev = deliver_msg(&mut c, 0, 1, K::AppendEntries);
    let adopted = position!(
        ev,
        Event::TermAdopted {
            server: 1,
            from: 0,
            kind: K::AppendEntries,
            old_term: 2,
            new_term: 3,
            was: Role::Candidate,
        }
    );
    let accepted = position!(
        ev,
        Event::AppendAccepted {
            follower: 1,
            leader: 0,
            term: 3,
            appended: 1,
            ..
        }
    );
    assert!(adopted < accepted);
    assert!(
        !has!(ev, Event::CandidateConcedes { .. }),
        "already a follower of term 3 when the handler runs"
    );
    let s1 = server(&c, 1);
    assert_eq!(
        (s1.role, s1.current_term, s1.voted_for, s1.leader_id),
        (Role::Follower, 3, None, Some(0))
    );
    assert_eq!(
        s1.log.entries().cloned().collect::<Vec<_>>(),
        [Entry::new(3, "a")]
    );
    assert!(c.violations().is_empty());
}

#[test]
fn stale_append_entries_is_refused_with_the_newer_term_and_the_old_leader_steps_down() {
    let mut c = elected(3);
    apply(&mut c, Action::Partition(vec![vec![0], vec![1, 2]]));
    timeout(&mut c, 1);
    deliver_all(&mut c);
    assert_eq!(server(&c, 1).role, Role::Leader);
    assert_eq!(server(&c, 1).current_term, 3);
    assert_eq!(
        server(&c, 0).role,
        Role::Leader,
        "S0 has not heard of term 3"
    );
    apply(&mut c, Action::Heal);

    heartbeat(&mut c, 0);
    let ev = deliver_msg(&mut c, 0, 1, K::AppendEntries);
    let rejected = find!(
        ev,
        Event::AppendRejected {
            follower: 1,
            leader: 0,
            term: 2,
            reason: AppendRejection::StaleTerm { own_term: 3 },
        }
    );
    assert_says(&rejected, &["§5.1", "older than its own term 3"]);
    assert_eq!(server(&c, 1).role, Role::Leader);
    assert_eq!(server(&c, 1).current_term, 3);
    let reply = msg(&c, 1, 0, K::AppendEntriesResponse);
    assert_eq!(
        envelope(&c, reply).message,
        Message::AppendEntriesResponse {
            term: 3,
            success: false,
            match_index: 0
        }
    );

    let ev = deliver(&mut c, reply);
    assert!(has!(
        ev,
        Event::TermAdopted {
            server: 0,
            from: 1,
            kind: K::AppendEntriesResponse,
            old_term: 2,
            new_term: 3,
            was: Role::Leader,
        }
    ));
    let s0 = server(&c, 0);
    assert_eq!(
        (s0.role, s0.current_term, s0.voted_for),
        (Role::Follower, 3, None)
    );
    deliver_all(&mut c);
    assert_eq!(c.live_leaders().collect::<Vec<_>>(), vec![1]);
    assert!(c.violations().is_empty());
}

#[test]
fn stale_request_vote_is_refused_with_the_newer_term_and_the_candidate_steps_down() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0); // S0: candidate of term 2
    timeout(&mut c, 2);
    timeout(&mut c, 2); // S2: candidate of term 3
    let ev = deliver_msg(&mut c, 0, 2, K::RequestVote);
    let refused = find!(
        ev,
        Event::VoteRefused {
            voter: 2,
            candidate: 0,
            term: 2,
            reason: VoteRefusal::StaleTerm { own_term: 3 },
        }
    );
    assert_says(&refused, &["§5.1", "answers no with term 3"]);
    let reply = msg(&c, 2, 0, K::RequestVoteResponse);
    assert_eq!(
        envelope(&c, reply).message,
        Message::RequestVoteResponse {
            term: 3,
            granted: false
        }
    );
    let ev = deliver(&mut c, reply);
    assert!(has!(
        ev,
        Event::TermAdopted {
            server: 0,
            old_term: 2,
            new_term: 3,
            was: Role::Candidate,
            ..
        }
    ));
    let s0 = server(&c, 0);
    assert_eq!(
        (s0.role, s0.current_term, s0.voted_for),
        (Role::Follower, 3, None)
    );
    assert!(c.violations().is_empty());
}

#[test]
fn a_response_with_an_older_term_is_ignored() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    let old_yes = msg(&c, 1, 0, K::RequestVoteResponse);
    timeout(&mut c, 0); // S0 moves on to term 3
    let ev = deliver(&mut c, old_yes);
    assert_eq!(
        ev,
        vec![Event::ResponseIgnored {
            server: 0,
            from: 1,
            kind: K::RequestVoteResponse,
            term: 2,
            reason: IgnoreReason::StaleTerm { own_term: 3 },
        }]
    );
    let s0 = server(&c, 0);
    assert_eq!(
        s0.role,
        Role::Candidate,
        "a term-2 yes must not elect it in term 3"
    );
    assert_eq!(s0.votes_granted, set(&[0]));
}

#[test]
fn a_vote_reaching_a_server_that_already_won_is_ignored_for_its_role() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    deliver_msg(&mut c, 0, 2, K::RequestVote);
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 0,
            term: 2,
            ..
        }
    ));
    let before = server(&c, 0).clone();
    let ev = deliver_msg(&mut c, 2, 0, K::RequestVoteResponse);
    assert_eq!(
        ev,
        vec![Event::ResponseIgnored {
            server: 0,
            from: 2,
            kind: K::RequestVoteResponse,
            term: 2,
            reason: IgnoreReason::WrongRole(Role::Leader),
        }]
    );
    assert_eq!(server(&c, 0), &before);
}

// ----- Granting votes (§5.2, §5.4.1) -------------------------------------------------------

#[test]
fn a_duplicated_request_vote_is_granted_again_but_counted_once() {
    let mut c = Cluster::new(5);
    timeout(&mut c, 0);
    let original = msg(&c, 0, 1, K::RequestVote);
    apply(&mut c, Action::Duplicate(original));
    let ev = deliver(&mut c, original);
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 1,
            candidate: 0,
            term: 2,
            ..
        }
    ));
    let copy = *msgs(&c, 0, 1, K::RequestVote).last().unwrap();
    let ev = deliver(&mut c, copy);
    assert!(
        has!(
            ev,
            Event::VoteGranted {
                voter: 1,
                candidate: 0,
                term: 2,
                ..
            }
        ),
        "same candidate, same term: granted again: {ev:#?}"
    );
    assert_eq!(server(&c, 1).voted_for, Some(0));

    let answers = msgs(&c, 1, 0, K::RequestVoteResponse);
    assert_eq!(answers.len(), 2);
    let ev = deliver(&mut c, answers[0]);
    assert!(has!(
        ev,
        Event::VoteCounted {
            candidate: 0,
            voter: 1,
            granted: true,
            votes: 2,
            needed: 3,
            ..
        }
    ));
    let ev = deliver(&mut c, answers[1]);
    let dup = find!(
        ev,
        Event::DuplicateVoteIgnored {
            candidate: 0,
            voter: 1,
            term: 2
        }
    );
    assert_says(&dup, &["counts once", "§5.2"]);
    assert!(!has!(ev, Event::VoteCounted { .. }));
    assert_eq!(server(&c, 0).role, Role::Candidate);
    assert_eq!(server(&c, 0).votes_granted, set(&[0, 1]));
    assert!(c.violations().is_empty());
}

/// S0 (log `candidate`) asks S1 (log `voter`) for its vote; both start in term 5.
fn vote_between(candidate: &[Term], voter: &[Term]) -> Event {
    let mut c = Cluster::from_states(vec![st(5, candidate), st(5, voter), st(5, &[])]);
    timeout(&mut c, 0);
    let ev = deliver_msg(&mut c, 0, 1, K::RequestVote);
    find!(
        ev,
        Event::VoteGranted { voter: 1, .. } | Event::VoteRefused { voter: 1, .. }
    )
}

fn at(index: usize, term: Term) -> LogPosition {
    LogPosition { index, term }
}

#[test]
fn up_to_date_a_later_last_term_wins_even_with_a_shorter_log() {
    assert!(matches!(
        vote_between(&[1, 3], &[1, 1, 2]),
        Event::VoteGranted {
            candidate: 0,
            term: 6,
            ..
        }
    ));
    let refused = vote_between(&[1, 1, 1, 2], &[1, 3]);
    assert_eq!(
        refused,
        Event::VoteRefused {
            voter: 1,
            candidate: 0,
            term: 6,
            reason: VoteRefusal::LogNotUpToDate {
                candidate_last: at(4, 2),
                voter_last: at(2, 3),
            },
        }
    );
    assert_says(
        &refused,
        &["§5.4.1", "an older last term", "not up-to-date"],
    );
}

#[test]
fn up_to_date_with_the_same_last_term_the_longer_or_equal_log_wins() {
    assert!(matches!(
        vote_between(&[1, 2, 2], &[1, 2]),
        Event::VoteGranted { .. }
    ));
    let equal = vote_between(&[1, 2], &[1, 2]);
    assert!(matches!(equal, Event::VoteGranted { .. }));
    assert_says(&equal, &["as up-to-date as", "§5.4.1"]);
    let shorter = vote_between(&[1, 2], &[1, 2, 2]);
    assert!(matches!(
        shorter,
        Event::VoteRefused {
            reason: VoteRefusal::LogNotUpToDate { .. },
            ..
        }
    ));
    assert_says(
        &shorter,
        &["the same last term but a shorter log", "§5.4.1"],
    );
    assert!(matches!(
        vote_between(&[], &[1]),
        Event::VoteRefused {
            reason: VoteRefusal::LogNotUpToDate { .. },
            ..
        }
    ));
}

#[test]
fn a_vote_refused_for_the_log_leaves_the_vote_free_for_a_better_candidate() {
    let mut c = Cluster::from_states(vec![st(1, &[1]), st(1, &[1, 1]), st(1, &[1, 1])]);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    assert_eq!(server(&c, 1).voted_for, None);
    assert_eq!(server(&c, 1).current_term, 2);
    timeout(&mut c, 2); // S2 never got S0's request: it runs for term 2 as well
    let ev = deliver_msg(&mut c, 2, 1, K::RequestVote);
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 1,
            candidate: 2,
            term: 2,
            ..
        }
    ));
    assert_eq!(server(&c, 1).voted_for, Some(2));
}

// ----- Counting votes (§5.2) -----------------------------------------------------------------

#[test]
fn a_majority_counts_the_whole_cluster_crashed_servers_included_two_of_five_down() {
    let mut c = Cluster::new(5);
    on(&mut c, 3, ServerAction::Crash);
    on(&mut c, 4, ServerAction::Crash);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert_eq!(
        count!(
            ev,
            Event::MessageLost {
                kind: K::RequestVote,
                reason: LossReason::RecipientCrashed,
                ..
            }
        ),
        2
    );
    assert!(has!(
        ev,
        Event::VoteCounted {
            candidate: 0,
            votes: 3,
            needed: 3,
            ..
        }
    ));
    let won = find!(ev, Event::ElectionWon { .. });
    assert_eq!(
        won,
        Event::ElectionWon {
            server: 0,
            term: 2,
            votes: set(&[0, 1, 2]),
            cluster_size: 5,
        }
    );
    assert_says(&won, &["3 of 5", "a majority is 3"]);
    assert_eq!(server(&c, 0).role, Role::Leader);
    assert!(c.violations().is_empty());
}

#[test]
fn a_majority_counts_the_whole_cluster_three_of_five_down_cannot_win() {
    let mut c = Cluster::new(5);
    for s in 2..5 {
        on(&mut c, s, ServerAction::Crash);
    }
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::VoteCounted {
            candidate: 0,
            voter: 1,
            granted: true,
            votes: 2,
            needed: 3,
            ..
        }
    ));
    assert!(!has!(
        ev,
        Event::ElectionWon { .. } | Event::ElectionLost { .. }
    ));
    assert_eq!(server(&c, 0).role, Role::Candidate);
    assert_eq!(server(&c, 0).votes_granted, set(&[0, 1]));
    assert_eq!(c.in_flight().len(), 0);
}

#[test]
fn a_candidate_refused_by_a_majority_stays_candidate_and_says_so_once() {
    let mut c = Cluster::from_states(vec![
        st(1, &[]),
        st(1, &[1]),
        st(1, &[1]),
        st(1, &[1]),
        st(1, &[1]),
    ]);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert_eq!(count!(ev, Event::VoteCounted { granted: false, .. }), 4);
    assert_eq!(count!(ev, Event::ElectionLost { .. }), 1);
    let lost = find!(ev, Event::ElectionLost { .. });
    assert_eq!(
        lost,
        Event::ElectionLost {
            server: 0,
            term: 2,
            refused: set(&[1, 2, 3]),
            cluster_size: 5,
        }
    );
    assert_says(&lost, &["stays a candidate", "§5.2"]);
    let s0 = server(&c, 0);
    assert_eq!((s0.role, s0.current_term), (Role::Candidate, 2));
    assert_eq!(s0.votes_refused, set(&[1, 2, 3, 4]));
    assert!(c.violations().is_empty());
}

#[test]
fn election_lost_is_announced_once_even_if_a_yes_arrives_afterwards() {
    // S1..S3 have a longer log and refuse; S4 has an empty log and grants. FIFO delivery brings
    // the three refusals first (the election is lost at the third), then S4's yes.
    let mut c = Cluster::from_states(vec![
        st(1, &[]),
        st(1, &[1]),
        st(1, &[1]),
        st(1, &[1]),
        st(1, &[]),
    ]);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    let lost_at = position!(ev, Event::ElectionLost { .. });
    let yes_at = position!(
        ev,
        Event::VoteCounted {
            voter: 4,
            granted: true,
            ..
        }
    );
    assert!(lost_at < yes_at);
    assert_eq!(server(&c, 0).role, Role::Candidate);
    assert_eq!(count!(ev, Event::ElectionLost { .. }), 1, "{ev:#?}");
}

#[test]
fn a_candidate_counts_only_votes_of_its_current_term() {
    let mut c = Cluster::new(5);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    deliver_msg(&mut c, 0, 2, K::RequestVote);
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::VoteCounted {
            votes: 2,
            term: 2,
            ..
        }
    ));
    let stale_yes = msg(&c, 2, 0, K::RequestVoteResponse);

    let ev = timeout(&mut c, 0); // term 3: the count starts again
    assert!(has!(
        ev,
        Event::BecameCandidate {
            server: 0,
            term: 3,
            ..
        }
    ));
    assert_eq!(server(&c, 0).votes_granted, set(&[0]));
    let ev = deliver(&mut c, stale_yes);
    assert!(has!(
        ev,
        Event::ResponseIgnored {
            reason: IgnoreReason::StaleTerm { own_term: 3 },
            ..
        }
    ));
    assert_eq!(server(&c, 0).votes_granted, set(&[0]));

    let term3 = *msgs(&c, 0, 1, K::RequestVote).last().unwrap();
    deliver(&mut c, term3);
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::VoteCounted {
            voter: 1,
            term: 3,
            votes: 2,
            ..
        }
    ));
    assert_eq!(server(&c, 0).role, Role::Candidate);
    let term3 = *msgs(&c, 0, 2, K::RequestVote).last().unwrap();
    deliver(&mut c, term3);
    let ev = deliver_msg(&mut c, 2, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 0,
            term: 3,
            ..
        }
    ));
    assert!(c.violations().is_empty());
}

#[test]
fn a_candidate_receiving_append_entries_of_its_own_term_concedes_and_takes_the_entries() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    timeout(&mut c, 1); // both candidates of term 2
    deliver_msg(&mut c, 0, 2, K::RequestVote);
    let ev = deliver_msg(&mut c, 2, 0, K::RequestVoteResponse);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 0,
            term: 2,
            ..
        }
    ));
    client(&mut c, 0, "x");
    let to_s1 = msgs(&c, 0, 1, K::AppendEntries);
    assert_eq!(
        to_s1.len(),
        2,
        "the leader's announcement and the client's entry"
    );
    assert_eq!(server(&c, 1).role, Role::Candidate);

    let ev = deliver(&mut c, to_s1[1]);
    let conceded = position!(
        ev,
        Event::CandidateConcedes {
            server: 1,
            leader: 0,
            term: 2
        }
    );
    let accepted = position!(
        ev,
        Event::AppendAccepted {
            follower: 1,
            leader: 0,
            term: 2,
            sent: 1,
            appended: 1,
            log_len: 1,
            ..
        }
    );
    assert!(conceded < accepted);
    assert_says(&ev[conceded], &["§5.2", "becomes a follower"]);
    let s1 = server(&c, 1);
    assert_eq!((s1.role, s1.current_term), (Role::Follower, 2));
    assert_eq!(s1.leader_id, Some(0));
    assert_eq!(
        s1.log.entries().cloned().collect::<Vec<_>>(),
        [Entry::new(2, "x")]
    );
    assert_eq!(
        s1.voted_for,
        Some(1),
        "its vote for itself in term 2 stands"
    );

    deliver_all(&mut c);
    assert_eq!(
        roles(&c),
        vec![Role::Leader, Role::Follower, Role::Follower]
    );
    assert_eq!(server(&c, 0).commit_index, 1);
    assert!(c.violations().is_empty());
}

#[test]
fn a_new_leader_appends_no_entry_of_its_own() {
    let mut c = Cluster::from_states(vec![st(1, &[1]), st(1, &[1]), st(1, &[1])]);
    timeout(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::BecameLeader {
            server: 0,
            term: 2,
            next_index: 2,
            ..
        }
    ));
    for s in c.servers() {
        assert_eq!(terms(s), vec![1], "S{} log changed", s.id);
    }
    assert!(!has!(ev, Event::ClientRequestAppended { .. }));
    // Without an entry of term 2 the term-1 entry cannot be committed (§5.4.2).
    assert!(has!(
        ev,
        Event::CommitWaitsForCurrentTerm {
            leader: 0,
            index: 1,
            entry_term: 1,
            current_term: 2,
            ..
        }
    ));
    assert_eq!(server(&c, 0).commit_index, 0);
    assert!(c.violations().is_empty());
}

// ----- Replication, as leader and follower (§5.3) ---------------------------------------------

#[test]
fn a_failed_append_backs_next_index_off_and_retries_at_once() {
    let mut c = Cluster::from_states(vec![
        ServerState {
            role: Role::Leader,
            ..st(4, &[1, 1, 2])
        },
        st(4, &[1, 3, 3, 3]),
        st(4, &[1, 1, 2]),
    ]);
    assert!(c.violations().is_empty());
    heartbeat(&mut c, 0);
    let ev = deliver_msg(&mut c, 0, 1, K::AppendEntries);
    assert!(has!(
        ev,
        Event::AppendRejected {
            follower: 1,
            reason: AppendRejection::Mismatch {
                prev: LogPosition { index: 3, term: 2 },
                mismatch: AppendMismatch::TermDiffers { found: 3 },
            },
            ..
        }
    ));
    let ev = deliver_msg(&mut c, 1, 0, K::AppendEntriesResponse);
    assert_eq!(
        find!(ev, Event::NextIndexBackedOff { .. }),
        Event::NextIndexBackedOff {
            leader: 0,
            follower: 1,
            from: 4,
            to: 3
        }
    );
    assert_eq!(server(&c, 0).next_index[1], 3);
    // The retry is already in flight, starting one entry earlier.
    let retry = envelope(&c, msg(&c, 0, 1, K::AppendEntries));
    assert!(matches!(
        &retry.message,
        Message::AppendEntries {
            prev_log_index: 2,
            prev_log_term: 1,
            entries,
            ..
        } if entries == &vec![Entry::of_term(2)]
    ));

    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::NextIndexBackedOff {
            follower: 1,
            from: 3,
            to: 2,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::EntriesTruncated {
            server: 1,
            leader: 0,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::MatchRecorded {
            leader: 0,
            follower: 1,
            reported: 3,
            match_index: 3,
            next_index: 4
        }
    ));
    assert_eq!(terms(server(&c, 1)), vec![1, 1, 2]);
    assert_eq!(server(&c, 0).match_index[1], 3);
    assert!(c.violations().is_empty());
}

#[test]
fn next_index_never_goes_below_one() {
    let net = RaftNetwork::new(2);
    let mut leader = RaftServer::with_state(
        net.create_node(0),
        ServerState {
            role: Role::Leader,
            ..st(2, &[1])
        },
    );
    assert_eq!(leader.next_index[1], 2);
    let no = Message::AppendEntriesResponse {
        term: 2,
        success: false,
        match_index: 0,
    };
    for expected_from in [2, 1, 1] {
        leader.handle(1, no.clone());
        let ev = leader.pending_events().to_vec();
        assert_eq!(
            ev.last(),
            Some(&Event::NextIndexBackedOff {
                leader: 0,
                follower: 1,
                from: expected_from,
                to: 1
            })
        );
        assert_eq!(leader.next_index[1], 1);
        let sent = &leader.outbox().last().unwrap().message;
        assert!(matches!(
            sent,
            Message::AppendEntries {
                prev_log_index: 0,
                prev_log_term: 0,
                ..
            }
        ));
        let mut sink = Vec::new();
        leader.take_events(&mut sink);
    }
    assert_eq!(leader.outbox().len(), 3, "one retry per rejection");
}

#[test]
fn a_late_or_duplicated_success_never_moves_match_index_back() {
    let mut c = elected(3);
    client(&mut c, 0, "a");
    client(&mut c, 0, "b");
    let [first, second] = msgs(&c, 0, 1, K::AppendEntries)[..] else {
        panic!("two AppendEntries to S1 expected")
    };
    deliver(&mut c, second); // carries a and b
    deliver(&mut c, first); // carries a only: nothing to add, reports match 1
    let answers = msgs(&c, 1, 0, K::AppendEntriesResponse);
    assert_eq!(answers.len(), 2);
    assert!(matches!(
        envelope(&c, answers[1]).message,
        Message::AppendEntriesResponse {
            success: true,
            match_index: 1,
            ..
        }
    ));
    let newer = answers[0];
    apply(&mut c, Action::Duplicate(newer));
    let ev = deliver(&mut c, newer);
    assert!(has!(
        ev,
        Event::MatchRecorded {
            follower: 1,
            reported: 2,
            match_index: 2,
            next_index: 3,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::LeaderCommitted {
            index: 2,
            old: 0,
            ..
        }
    ));
    let ev = deliver(&mut c, answers[1]);
    let late = find!(ev, Event::MatchRecorded { .. });
    assert_eq!(
        late,
        Event::MatchRecorded {
            leader: 0,
            follower: 1,
            reported: 1,
            match_index: 2,
            next_index: 3
        }
    );
    assert_says(&late, &["late answer", "nothing moves back"]);
    let copy = *msgs(&c, 1, 0, K::AppendEntriesResponse).last().unwrap();
    deliver(&mut c, copy);
    let s0 = server(&c, 0);
    assert_eq!((s0.match_index[1], s0.next_index[1]), (2, 3));
    assert_eq!(s0.commit_index, 2);
    assert!(c.violations().is_empty());
}

#[test]
fn follower_commit_is_the_smaller_of_leader_commit_and_the_last_new_entry() {
    let net = RaftNetwork::new(2);
    let mut s1 = RaftServer::with_state(net.create_node(1), st(2, &[1, 1, 1]));
    let append = |prev: usize, entries: Vec<Entry>, leader_commit: usize| Message::AppendEntries {
        term: 2,
        leader: 0,
        prev_log_index: prev,
        prev_log_term: if prev == 0 { 0 } else { 1 },
        entries: entries.into(),
        leader_commit,
    };
    // Only index 1 is known to match the leader: entries 2 and 3 may be stale.
    s1.handle(0, append(1, vec![], 5));
    assert_eq!(s1.commit_index, 1);
    assert!(s1.pending_events().contains(&Event::FollowerCommitted {
        server: 1,
        leader: 0,
        old: 0,
        new: 1,
        leader_commit: 5
    }));
    // The leader's entry 2 replaces the stale suffix; now 2 is known to match.
    s1.handle(0, append(1, vec![Entry::new(2, "a")], 5));
    assert_eq!(terms(&s1), vec![1, 2]);
    assert_eq!(s1.commit_index, 2);
    // A message with an older leader_commit never lowers it.
    let mut sink = Vec::new();
    s1.take_events(&mut sink);
    s1.handle(0, append(0, vec![], 1));
    assert_eq!(s1.commit_index, 2);
    assert!(
        !s1.pending_events()
            .iter()
            .any(|e| matches!(e, Event::FollowerCommitted { .. }))
    );
}

#[test]
fn followers_learn_the_commit_index_from_the_next_append_entries() {
    let mut c = elected(3);
    client(&mut c, 0, "a");
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::LeaderCommitted {
            leader: 0,
            index: 1,
            ..
        }
    ));
    assert_eq!(server(&c, 0).commit_index, 1);
    assert_eq!(server(&c, 1).commit_index, 0);
    heartbeat(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert_eq!(
        count!(
            ev,
            Event::FollowerCommitted {
                new: 1,
                leader_commit: 1,
                ..
            }
        ),
        2
    );
    assert!(c.servers().iter().all(|s| s.commit_index == 1));
    assert!(c.violations().is_empty());
}

// ----- Crash, restart and refused actions ----------------------------------------------------

#[test]
fn a_crash_keeps_term_vote_and_log_and_a_restart_resets_volatile_state() {
    let mut c = elected(3);
    client(&mut c, 0, "a");
    deliver_all(&mut c);
    heartbeat(&mut c, 0);
    deliver_all(&mut c);
    let leader = server(&c, 0).clone();
    assert_eq!((leader.commit_index, leader.match_index[1]), (1, 1));

    let ev = on(&mut c, 0, ServerAction::Crash);
    assert_eq!(ev, vec![Event::Crashed { server: 0 }]);
    let s0 = server(&c, 0);
    assert!(s0.crashed);
    assert_eq!(
        (s0.current_term, s0.voted_for, &s0.log),
        (2, Some(0), &leader.log)
    );
    assert_eq!(c.live_leaders().count(), 0);

    let ev = on(&mut c, 0, ServerAction::Restart);
    assert_eq!(ev, vec![Event::Restarted { server: 0, term: 2 }]);
    let s0 = server(&c, 0);
    assert!(!s0.crashed);
    assert_eq!(s0.role, Role::Follower);
    assert_eq!(
        (s0.current_term, s0.voted_for, &s0.log),
        (2, Some(0), &leader.log)
    );
    assert_eq!(s0.commit_index, 0);
    assert_eq!(s0.leader_id, None);
    assert!(s0.next_index.iter().all(|&i| i == 0));
    assert!(s0.match_index.iter().all(|&i| i == 0));
    assert!(c.violations().is_empty());
}

#[test]
fn a_restarted_candidate_forgets_its_votes_but_not_its_own_vote() {
    let mut c = Cluster::new(5);
    timeout(&mut c, 0);
    deliver_msg(&mut c, 0, 1, K::RequestVote);
    deliver_msg(&mut c, 1, 0, K::RequestVoteResponse);
    assert_eq!(server(&c, 0).votes_granted, set(&[0, 1]));
    on(&mut c, 0, ServerAction::Crash);
    on(&mut c, 0, ServerAction::Restart);
    let s0 = server(&c, 0);
    assert_eq!(
        (s0.role, s0.current_term, s0.voted_for),
        (Role::Follower, 2, Some(0))
    );
    assert!(s0.votes_granted.is_empty());
    assert!(s0.votes_refused.is_empty());
}

#[test]
fn messages_delivered_to_a_crashed_server_are_lost() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    on(&mut c, 1, ServerAction::Crash);
    let id = msg(&c, 0, 1, K::RequestVote);
    let ev = deliver(&mut c, id);
    assert_eq!(
        ev,
        vec![Event::MessageLost {
            id,
            from: 0,
            to: 1,
            kind: K::RequestVote,
            term: 2,
            reason: LossReason::RecipientCrashed,
        }]
    );
    let s1 = server(&c, 1);
    assert_eq!((s1.current_term, s1.voted_for), (1, None));
    assert!(msgs(&c, 1, 0, K::RequestVoteResponse).is_empty());
    assert_says(&ev[0], &["lost", "crashed"]);
}

#[test]
fn a_timeout_on_a_leader_is_refused_and_changes_nothing() {
    let mut c = elected(3);
    let before = c.clone();
    let ev = timeout(&mut c, 0);
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 0,
            action: ActionName::Timeout,
            why: RefusalWhy::AlreadyLeader,
        }]
    );
    assert_eq!(c, before);
    assert_says(&ev[0], &["election timer does not run", "§5.2"]);
}

#[test]
fn a_timeout_on_a_crashed_server_is_refused_and_changes_nothing() {
    let mut c = Cluster::new(3);
    on(&mut c, 2, ServerAction::Crash);
    let before = c.clone();
    let ev = timeout(&mut c, 2);
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 2,
            action: ActionName::Timeout,
            why: RefusalWhy::Crashed,
        }]
    );
    assert_eq!(c, before);
    let ev = on(&mut c, 1, ServerAction::Restart);
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 1,
            action: ActionName::Restart,
            why: RefusalWhy::NotCrashed,
        }]
    );
    assert_eq!(c, before);
}

// ----- Client requests and heartbeats ------------------------------------------------------

#[test]
fn a_client_request_on_a_non_leader_is_refused() {
    let mut c = elected(3);
    let before = c.clone();
    let ev = client(&mut c, 1, "x");
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 1,
            action: ActionName::ClientRequest,
            why: RefusalWhy::NotLeader {
                role: Role::Follower,
                leader: Some(0)
            },
        }]
    );
    assert_says(&ev[0], &["the leader it knows is S0"]);
    assert_eq!(c, before);

    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let before = c.clone();
    let ev = client(&mut c, 0, "x");
    assert_eq!(
        ev,
        vec![Event::Refused {
            server: 0,
            action: ActionName::ClientRequest,
            why: RefusalWhy::NotLeader {
                role: Role::Candidate,
                leader: None
            },
        }]
    );
    assert_eq!(c, before);
}

#[test]
fn a_client_request_on_the_leader_appends_and_sends_to_every_peer() {
    let mut c = elected(3);
    let ev = client(&mut c, 0, "set x");
    assert!(has!(
        ev,
        Event::ClientRequestAppended {
            leader: 0,
            index: 1,
            term: 2
        }
    ));
    assert_eq!(
        server(&c, 0).log.entries().cloned().collect::<Vec<_>>(),
        [Entry::new(2, "set x")]
    );
    let sent: Vec<&Envelope> = c.in_flight().collect();
    assert_eq!(sent.len(), 2);
    for (envelope, to) in sent.iter().zip([1, 2]) {
        assert_eq!((envelope.from, envelope.to), (0, to));
        assert_eq!(
            envelope.message,
            Message::AppendEntries {
                term: 2,
                leader: 0,
                prev_log_index: 0,
                prev_log_term: 0,
                entries: vec![Entry::new(2, "set x")].into(),
                leader_commit: 0,
            }
        );
    }
}

#[test]
fn a_heartbeat_carries_entries_from_each_followers_next_index() {
    let mut c = elected(3);
    client(&mut c, 0, "a");
    drop_msg(&mut c, 0, 2, K::AppendEntries);
    deliver_all(&mut c); // S1 gets "a"; S0 commits it with S1
    let s0 = server(&c, 0);
    assert_eq!((s0.next_index[1], s0.next_index[2]), (2, 1));
    let ev = heartbeat(&mut c, 0);
    assert_eq!(ev, vec![Event::HeartbeatSent { leader: 0, term: 2 }]);
    let to_s1 = envelope(&c, msg(&c, 0, 1, K::AppendEntries));
    assert_eq!(
        to_s1.message,
        Message::AppendEntries {
            term: 2,
            leader: 0,
            prev_log_index: 1,
            prev_log_term: 2,
            entries: vec![].into(),
            leader_commit: 1,
        }
    );
    let to_s2 = envelope(&c, msg(&c, 0, 2, K::AppendEntries));
    assert_eq!(
        to_s2.message,
        Message::AppendEntries {
            term: 2,
            leader: 0,
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![Entry::new(2, "a")].into(),
            leader_commit: 1,
        }
    );
    let ev = heartbeat(&mut c, 1);
    assert!(matches!(
        ev[..],
        [Event::Refused {
            server: 1,
            action: ActionName::Heartbeat,
            ..
        }]
    ));
}

// ----- The network -------------------------------------------------------------------------

#[test]
fn message_ids_increase_in_send_order() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    timeout(&mut c, 2);
    let sent: Vec<(MessageId, ServerId, ServerId)> =
        c.in_flight().map(|e| (e.id, e.from, e.to)).collect();
    assert_eq!(sent, vec![(1, 0, 1), (2, 0, 2), (3, 2, 0), (4, 2, 1)]);
}

#[test]
fn a_chosen_message_is_delivered_out_of_order() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let ev = deliver(&mut c, 2);
    assert!(has!(ev, Event::VoteGranted { voter: 2, .. }));
    assert_eq!(server(&c, 1).current_term, 1, "message #1 is still waiting");
    assert_eq!(ids(&c), vec![1, 3]);
    assert_eq!(envelope(&c, 3).from, 2);
}

#[test]
fn a_dropped_message_is_lost() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let ev = apply(&mut c, Action::Drop(1));
    assert_eq!(
        ev,
        vec![Event::MessageLost {
            id: 1,
            from: 0,
            to: 1,
            kind: K::RequestVote,
            term: 2,
            reason: LossReason::Dropped,
        }]
    );
    assert_eq!(ids(&c), vec![2]);
    assert_eq!(server(&c, 1).current_term, 1);
    assert_says(&ev[0], &["dropped on purpose"]);
}

#[test]
fn a_duplicate_gets_a_new_id_and_goes_last() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let ev = apply(&mut c, Action::Duplicate(1));
    assert_eq!(ev, vec![Event::MessageDuplicated { id: 1, copy: 3 }]);
    assert_eq!(ids(&c), vec![1, 2, 3]);
    let (original, copy) = (envelope(&c, 1), envelope(&c, 3));
    assert_eq!(
        (copy.from, copy.to, &copy.message),
        (original.from, original.to, &original.message)
    );
}

#[test]
fn deliver_all_goes_in_fifo_order() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    apply(&mut c, Action::Duplicate(1)); // in flight: #1 to S1, #2 to S2, #3 (copy) to S1
    let ev = deliver_all(&mut c);
    let voters: Vec<ServerId> = ev
        .iter()
        .filter_map(|e| match e {
            Event::VoteGranted { voter, .. } => Some(*voter),
            _ => None,
        })
        .collect();
    assert_eq!(voters, vec![1, 2, 1]);
    // Then the answers, in the order they were sent: S1's yes elects S0 (2 of 3).
    let won = position!(ev, Event::ElectionWon { .. });
    let s2_ignored = position!(
        ev,
        Event::ResponseIgnored {
            from: 2,
            reason: IgnoreReason::WrongRole(Role::Leader),
            ..
        }
    );
    assert!(won < s2_ignored);
    assert_eq!(c.in_flight().len(), 0);
    assert!(c.violations().is_empty());
}

#[test]
fn a_message_sent_across_a_partition_is_lost_at_once() {
    let mut c = Cluster::new(3);
    let ev = apply(&mut c, Action::Partition(vec![vec![0], vec![1, 2]]));
    assert!(matches!(
        ev[..],
        [Event::Partitioned {
            cluster_size: 3,
            ..
        }]
    ));
    let ev = timeout(&mut c, 0);
    assert_eq!(
        count!(
            ev,
            Event::MessageLost {
                from: 0,
                reason: LossReason::Partitioned,
                ..
            }
        ),
        2
    );
    assert_eq!(c.in_flight().len(), 0);
    // Within a group messages flow.
    timeout(&mut c, 1);
    assert_eq!(
        c.in_flight().map(|e| e.to).collect::<Vec<_>>(),
        vec![2],
        "S1's RequestVote to S0 is lost, to S2 kept"
    );
}

#[test]
fn messages_in_flight_across_a_new_partition_are_lost_and_heal_reconnects() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0); // #1 to S1, #2 to S2
    let ev = apply(&mut c, Action::Partition(vec![vec![0, 1]])); // S2 is alone
    assert!(has!(
        ev,
        Event::MessageLost {
            id: 2,
            to: 2,
            reason: LossReason::Partitioned,
            ..
        }
    ));
    assert_eq!(ids(&c), vec![1]);
    assert!(c.network().is_partitioned());
    let ev = apply(&mut c, Action::Heal);
    assert_eq!(ev, vec![Event::Healed]);
    assert!(!c.network().is_partitioned());
    timeout(&mut c, 0);
    assert_eq!(c.in_flight().len(), 3);
    assert_eq!(msgs(&c, 0, 2, K::RequestVote).len(), 1);
}

#[test]
fn a_bad_message_id_is_an_error_and_changes_nothing() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    let before = c.clone();
    for action in [Action::Deliver(42), Action::Drop(42), Action::Duplicate(42)] {
        assert_eq!(c.apply(action), Err(NetworkError::NoSuchMessage(42)));
        assert_eq!(c, before);
    }
    assert_eq!(
        c.apply(Action::on(7, ServerAction::Timeout)),
        Err(NetworkError::NoSuchServer(7))
    );
    assert_eq!(
        c.apply(Action::Partition(vec![vec![0, 5]])),
        Err(NetworkError::NoSuchServer(5))
    );
    assert_eq!(c, before);
}

#[test]
fn deliver_all_stops_at_its_cap_when_two_leaders_share_a_term() {
    let mut c = elected(3);
    let ev = on(&mut c, 1, ServerAction::BecomeLeader); // forced: S1 leader of term 2 too
    let safety = Violation::ElectionSafety {
        term: 2,
        first: 0,
        second: 1,
    };
    assert!(ev.contains(&Event::Violation(safety)));
    assert_says(
        &Event::Violation(safety),
        &["INVARIANT VIOLATED", "Election Safety", "§5.2"],
    );
    let ev = deliver_all(&mut c);
    let stopped = find!(ev, Event::DeliverAllStopped { .. });
    let Event::DeliverAllStopped {
        delivered,
        remaining,
    } = stopped
    else {
        unreachable!()
    };
    assert_eq!(delivered, DELIVER_ALL_CAP);
    assert!(remaining > 0);
    assert_eq!(remaining, c.in_flight().len());
    assert!(has!(
        ev,
        Event::AppendRejected {
            follower: 0,
            leader: 1,
            reason: AppendRejection::ReceiverIsLeader,
            ..
        }
    ));
    assert!(has!(
        ev,
        Event::NextIndexBackedOff {
            leader: 1,
            follower: 0,
            from: 1,
            to: 1
        }
    ));
    assert_eq!(count!(ev, Event::Violation(_)), 0, "already reported");
    assert_eq!(c.violations(), &[safety]);
}

#[test]
fn two_leaders_from_states_are_flagged_once_and_deliver_all_terminates() {
    let leader = ServerState {
        role: Role::Leader,
        ..st(2, &[])
    };
    let mut c = Cluster::from_states(vec![leader.clone(), leader, st(2, &[])]);
    let safety = Violation::ElectionSafety {
        term: 2,
        first: 0,
        second: 1,
    };
    assert_eq!(c.violations(), &[safety]);
    heartbeat(&mut c, 0);
    let ev = deliver_all(&mut c);
    assert_eq!(count!(ev, Event::DeliverAllStopped { .. }), 1);
    assert_eq!(count!(ev, Event::Violation(_)), 0);
    assert_eq!(c.violations(), &[safety]);
}

// ----- Invariants --------------------------------------------------------------------------

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
    c.apply(Action::on(1, ServerAction::Crash)).unwrap();
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
    c.apply(Action::on(2, ServerAction::Timeout)).unwrap();
    c.apply(Action::DeliverAll).unwrap();
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
    c.apply(Action::Partition(groups)).unwrap();
    let g = c.network().groups().to_vec();
    assert!(g[0] != g[1] && g[1] != g[2] && g[0] != g[2], "{g:?}");
    c.apply(Action::on(0, ServerAction::Timeout)).unwrap();
    c.apply(Action::DeliverAll).unwrap();
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

// ----- Figure 8 (§5.4.2) -------------------------------------------------------------------

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

// ----- The brief's six edge cases ------------------------------------------------------------

#[test]
fn edge_case_1_one_leader_per_term_even_with_two_candidates() {
    let mut c = Cluster::new(4);
    timeout(&mut c, 0);
    timeout(&mut c, 1);
    deliver_msg(&mut c, 1, 3, K::RequestVote); // S3 votes for S1 first
    let ev = deliver_all(&mut c); // S2 votes for S0: 2 of 4 each, a majority is 3
    assert!(!has!(ev, Event::ElectionWon { .. }));
    assert_eq!(
        count!(
            ev,
            Event::ElectionLost {
                server: 0,
                term: 2,
                ..
            }
        ),
        1
    );
    assert_eq!(
        count!(
            ev,
            Event::ElectionLost {
                server: 1,
                term: 2,
                ..
            }
        ),
        1
    );
    assert_eq!(roles(&c)[..2], [Role::Candidate, Role::Candidate]);
    assert_eq!(c.live_leaders().count(), 0);

    let ev = timeout(&mut c, 0);
    assert!(has!(
        ev,
        Event::BecameCandidate {
            server: 0,
            term: 3,
            ..
        }
    ));
    let ev = deliver_all(&mut c);
    assert_eq!(count!(ev, Event::BecameLeader { .. }), 1);
    assert!(has!(
        ev,
        Event::BecameLeader {
            server: 0,
            term: 3,
            ..
        }
    ));
    assert_eq!(
        roles(&c),
        vec![Role::Leader, Role::Follower, Role::Follower, Role::Follower]
    );
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}

#[test]
fn edge_case_2_one_vote_per_term() {
    let mut c = Cluster::new(3);
    timeout(&mut c, 0);
    timeout(&mut c, 1); // both candidates of term 2
    let ev = deliver_msg(&mut c, 0, 2, K::RequestVote);
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 2,
            candidate: 0,
            term: 2,
            ..
        }
    ));
    let ev = deliver_msg(&mut c, 1, 2, K::RequestVote);
    let refused = find!(ev, Event::VoteRefused { .. });
    assert_eq!(
        refused,
        Event::VoteRefused {
            voter: 2,
            candidate: 1,
            term: 2,
            reason: VoteRefusal::AlreadyVoted { voted_for: 0 },
        }
    );
    assert_says(&refused, &["already voted for S0", "§5.2"]);
    assert_eq!(server(&c, 2).voted_for, Some(0));
    assert!(matches!(
        envelope(&c, msg(&c, 2, 1, K::RequestVoteResponse)).message,
        Message::RequestVoteResponse {
            term: 2,
            granted: false
        }
    ));
    // A candidate's own vote counts too: S0 refuses S1 for the same reason.
    let ev = deliver_msg(&mut c, 1, 0, K::RequestVote);
    assert!(has!(
        ev,
        Event::VoteRefused {
            voter: 0,
            reason: VoteRefusal::AlreadyVoted { voted_for: 0 },
            ..
        }
    ));
    // In a new term the vote is free again.
    timeout(&mut c, 1);
    let term3 = *msgs(&c, 1, 2, K::RequestVote).last().unwrap();
    let ev = deliver(&mut c, term3);
    assert!(has!(
        ev,
        Event::VoteGranted {
            voter: 2,
            candidate: 1,
            term: 3,
            ..
        }
    ));
    assert_eq!(server(&c, 2).voted_for, Some(1));
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}

#[test]
fn edge_case_3_only_an_up_to_date_candidate_can_win() {
    // The brief's API: S0 is one entry behind S1 and S2.
    let net = &mut RaftNetwork::new(3);
    let mut s0 = RaftServer::new(net.create_node(0), vec![Entry::of_term(1)]);
    let mut s1 = RaftServer::new(net.create_node(1), vec![Entry::of_term(1); 2]);
    let mut s2 = RaftServer::new(net.create_node(2), vec![Entry::of_term(1); 2]);

    s0.become_candidate();
    let ev = net.process_messages(&mut [&mut s0, &mut s1, &mut s2]);
    let refusal = VoteRefusal::LogNotUpToDate {
        candidate_last: at(1, 1),
        voter_last: at(2, 1),
    };
    for voter in [1, 2] {
        assert!(ev.contains(&Event::VoteRefused {
            voter,
            candidate: 0,
            term: 2,
            reason: refusal,
        }));
    }
    let refused = find!(ev, Event::VoteRefused { .. });
    assert_says(&refused, &["§5.4.1", "not up-to-date"]);
    assert_eq!(count!(ev, Event::ElectionLost { server: 0, .. }), 1);
    assert_eq!(s0.role, Role::Candidate);
    assert_eq!((s1.voted_for, s2.voted_for), (None, None));

    s1.become_candidate();
    let ev = net.process_messages(&mut [&mut s0, &mut s1, &mut s2]);
    assert!(has!(
        ev,
        Event::ElectionWon {
            server: 1,
            term: 3,
            ..
        }
    ));
    assert_eq!(
        (s0.role, s1.role, s2.role),
        (Role::Follower, Role::Leader, Role::Follower)
    );
    assert_eq!(s0.voted_for, Some(1));
    // The leader backs off and fills in S0's missing entry; it adds none of its own.
    assert!(has!(
        ev,
        Event::NextIndexBackedOff {
            leader: 1,
            follower: 0,
            from: 3,
            to: 2
        }
    ));
    assert_eq!(s0.log, s1.log);
    assert_eq!(s1.log.terms().collect::<Vec<_>>(), vec![1, 1]);
}

#[test]
fn edge_case_5_term_rules_newer_steps_down_older_is_refused_with_the_newer_term() {
    let mut c = elected(3);
    apply(&mut c, Action::Partition(vec![vec![0], vec![1, 2]]));
    timeout(&mut c, 1);
    deliver_all(&mut c); // S1 leads term 3; S0 still thinks it leads term 2
    apply(&mut c, Action::Heal);
    client(&mut c, 0, "stale");
    let ev = deliver_all(&mut c);
    assert_eq!(
        count!(
            ev,
            Event::AppendRejected {
                leader: 0,
                term: 2,
                reason: AppendRejection::StaleTerm { own_term: 3 },
                ..
            }
        ),
        2
    );
    assert!(has!(
        ev,
        Event::TermAdopted {
            server: 0,
            old_term: 2,
            new_term: 3,
            was: Role::Leader,
            ..
        }
    ));
    assert_eq!(server(&c, 0).role, Role::Follower);
    assert_eq!(server(&c, 0).current_term, 3);
    // The new leader's first entry replaces the stale one.
    client(&mut c, 1, "fresh");
    let ev = deliver_all(&mut c);
    assert!(has!(
        ev,
        Event::EntriesTruncated {
            server: 0,
            leader: 1,
            ..
        }
    ));
    assert_eq!(
        server(&c, 0).log.entries().cloned().collect::<Vec<_>>(),
        [Entry::new(3, "fresh")]
    );
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}

#[test]
fn edge_case_6_a_candidate_hearing_append_entries_of_its_term_becomes_follower() {
    // The brief's API: S0 and S1 start elections at once; FIFO delivery lets S0 win.
    let net = &mut RaftNetwork::new(3);
    let mut s0 = RaftServer::new(net.create_node(0), vec![]);
    let mut s1 = RaftServer::new(net.create_node(1), vec![]);
    let mut s2 = RaftServer::new(net.create_node(2), vec![]);
    s0.become_candidate();
    s1.become_candidate();
    let ev = net.process_messages(&mut [&mut s0, &mut s1, &mut s2]);
    let concedes = find!(ev, Event::CandidateConcedes { .. });
    assert_eq!(
        concedes,
        Event::CandidateConcedes {
            server: 1,
            leader: 0,
            term: 2
        }
    );
    assert!(
        !has!(ev, Event::TermAdopted { server: 1, .. }),
        "same term, no adoption"
    );
    assert_eq!(
        (s0.role, s1.role, s2.role),
        (Role::Leader, Role::Follower, Role::Follower)
    );
    assert_eq!((s1.current_term, s1.leader_id), (2, Some(0)));
    assert_eq!(net.in_flight().len(), 0);
}
