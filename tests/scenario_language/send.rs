//! `{"send": {...}}`: a hand-made message, every field settable, the rest from the sender.

use super::*;
use raftwalk::raft::{Entries, Entry, Envelope, Message};

/// The messages in flight at the end of `text`'s script.
fn in_flight(text: &str) -> Vec<Envelope> {
    let (cluster, _, log) = run(text);
    assert!(log.contains("inject"), "{log}");
    cluster.in_flight().cloned().collect()
}

fn entries(list: &[(u64, &str)]) -> Entries {
    list.iter()
        .map(|&(t, c)| Entry::new(t, c))
        .collect::<Vec<_>>()
        .into()
}

#[test]
fn every_field_of_every_kind_is_settable() {
    let sent = in_flight(&abc(r#"[
        {"send": {"from": "a", "to": "b", "kind": "RequestVote", "term": 7,
                  "last_log_index": 12, "last_log_term": 5}},
        {"send": {"from": "b", "to": "a", "kind": "RequestVoteResponse", "term": 7, "granted": true}},
        {"send": {"from": "a", "to": "c", "kind": "AppendEntries", "term": 7, "prev_log_index": 3,
                  "prev_log_term": 2, "entries": [4, {"term": 7, "command": "x"}], "leader_commit": 9}},
        {"send": {"from": "c", "to": "a", "kind": "AppendEntriesResponse", "term": 7,
                  "success": false, "match_index": 6}}
    ]"#));
    let messages: Vec<(usize, usize, Message)> = sent
        .into_iter()
        .map(|e| (e.from, e.to, e.message))
        .collect();
    assert_eq!(
        messages,
        [
            (
                0,
                1,
                Message::RequestVote {
                    term: 7,
                    candidate: 0,
                    last_log_index: 12,
                    last_log_term: 5
                }
            ),
            (
                1,
                0,
                Message::RequestVoteResponse {
                    term: 7,
                    granted: true
                }
            ),
            (
                0,
                2,
                Message::AppendEntries {
                    term: 7,
                    leader: 0,
                    prev_log_index: 3,
                    prev_log_term: 2,
                    entries: entries(&[(4, ""), (7, "x")]),
                    leader_commit: 9
                }
            ),
            (
                2,
                0,
                Message::AppendEntriesResponse {
                    term: 7,
                    success: false,
                    match_index: 6
                }
            ),
        ]
    );
}

#[test]
fn fields_not_given_come_from_the_senders_state() {
    // a leads term 3 with log [1, 3, 3] committed to 2; b voted for a and holds [1, 3].
    let text = r#"{"name": "t", "servers": [
        {"name": "a", "term": 3, "role": "LEADER", "log": [1, 3, 3], "commit_index": 2,
         "next_index": {"b": 3}},
        {"name": "b", "term": 3, "voted_for": "a", "log": [1, 3]},
        {"name": "c", "term": 3, "voted_for": "a", "log": [1, 3]}],
      "steps": [
        {"send": {"from": "b", "to": "c", "kind": "RequestVote"}},
        {"send": {"from": "b", "to": "a", "kind": "RequestVoteResponse"}},
        {"send": {"from": "c", "to": "b", "kind": "RequestVoteResponse"}},
        {"send": {"from": "a", "to": "b", "kind": "AppendEntries"}},
        {"send": {"from": "a", "to": "c", "kind": "AppendEntries", "prev_log_index": 1}},
        {"send": {"from": "b", "to": "a", "kind": "AppendEntriesResponse"}},
        {"send": {"from": "b", "to": "a", "kind": "AppendEntriesResponse", "success": false}},
        {"send": {"from": "b", "to": "c", "kind": "RequestVote", "last_log_index": 1}},
        {"heartbeat": "a"}]}"#;
    let sent = in_flight(text);
    let m: Vec<&Message> = sent.iter().map(|e| &e.message).collect();
    let rv = |last_log_index, last_log_term| Message::RequestVote {
        term: 3,
        candidate: 1,
        last_log_index,
        last_log_term,
    };
    // b's log ends at (2, 3); at index 1 its term is 1.
    assert_eq!(*m[0], rv(2, 3));
    assert_eq!(*m[7], rv(1, 1));
    // b voted for a in term 3, c did not vote for b.
    assert_eq!(
        *m[1],
        Message::RequestVoteResponse {
            term: 3,
            granted: true
        }
    );
    assert_eq!(
        *m[2],
        Message::RequestVoteResponse {
            term: 3,
            granted: false
        }
    );
    // What a leader sends a follower is exactly what its own heartbeat sends it.
    let heartbeat_to_b = sent
        .iter()
        .skip(8)
        .find(|e| e.to == 1)
        .expect("the heartbeat to b");
    assert_eq!(*m[3], heartbeat_to_b.message);
    assert_eq!(
        *m[3],
        Message::AppendEntries {
            term: 3,
            leader: 0,
            prev_log_index: 2,
            prev_log_term: 3,
            entries: entries(&[(3, "")]),
            leader_commit: 2
        }
    );
    // A prev_log_index given moves prev_log_term and the entries with it.
    assert_eq!(
        *m[4],
        Message::AppendEntries {
            term: 3,
            leader: 0,
            prev_log_index: 1,
            prev_log_term: 1,
            entries: entries(&[(3, ""), (3, "")]),
            leader_commit: 2
        }
    );
    // A response says success with the sender's last index, or failure with 0.
    let aer = |success, match_index| Message::AppendEntriesResponse {
        term: 3,
        success,
        match_index,
    };
    assert_eq!(*m[5], aer(true, 2));
    assert_eq!(*m[6], aer(false, 0));
}

#[test]
fn the_run_output_and_the_event_log_call_it_injected() {
    let (_, log) = passes(&abc(
        r#"[{"send": {"from": "a", "to": "b", "kind": "AppendEntries", "term": 4, "leader_commit": 1}},
            {"expect": {"in_flight": 1}}]"#,
    ));
    assert!(
        log.contains(
            "step 1: inject AppendEntries a → b: term 4, prev_log_index 0, prev_log_term 0, entries [], leader_commit 1"
        ),
        "{log}"
    );
    assert!(
        log.contains("Message #1 (AppendEntries a → b, term 4) is injected: made by hand, as if a had sent it"),
        "{log}"
    );
    // The session (TUI, export) describes the played step the same way.
    let mut session = raftwalk::session::Session::new(parse_ok(&abc(
        r#"[{"send": {"from": "a", "to": "b", "kind": "RequestVoteResponse", "granted": true}}]"#,
    )));
    session.play_beat().expect("plays");
    let entry = session.entries().last().expect("played");
    assert_eq!(
        session.describe(entry),
        "inject RequestVoteResponse a → b: term 1, granted true"
    );
    assert_eq!(
        session.describe_beat(0).as_deref(),
        Some("inject RequestVoteResponse a → b: granted true; the rest from a")
    );
}

#[test]
fn receiver_rule_5_a_leader_commit_beyond_the_last_new_entry_commits_only_that_far() {
    // b holds a's first two entries; a hand-made AppendEntries carries entry 3 alone with a
    // leader commit of 5: b commits min(5, 3) = 3.
    passes(&led_by_a(
        "[1, 2, 2, 2, 2]",
        0,
        "[1, 2]",
        "[]",
        "",
        r#"[{"send": {"from": "a", "to": "b", "kind": "AppendEntries", "prev_log_index": 2,
                      "entries": [2], "leader_commit": 5}},
            {"deliver": {"to": "b"}},
            {"expect": {"server": "b", "log": [1, 2, 2], "commit_index": 3}},
            {"expect": {"messages": [{"kind": "AppendEntriesResponse", "from": "b",
                                      "success": true, "match_index": 3, "count": 1}]}}]"#,
    ));
}

#[test]
fn a_request_vote_with_chosen_last_log_fields_tests_the_up_to_date_rule() {
    // c's log ends at (2, 2): a claim of (9, 1) is less up-to-date (older last term), a claim
    // of (1, 2)... is shorter with the same term; (1, 3) wins with a later term.
    let text = r#"{"name": "t", "servers": [{"name": "a", "term": 3}, {"name": "b", "term": 3},
        {"name": "c", "term": 2, "log": [1, 2]}],
      "steps": [
        {"send": {"from": "a", "to": "c", "kind": "RequestVote", "last_log_index": 9, "last_log_term": 1}},
        {"deliver": {"to": "c"}},
        {"expect": {"server": "c", "term": 3, "voted_for": null}},
        {"expect": {"messages": [{"from": "c", "to": "a", "granted": false}]}},
        {"send": {"from": "b", "to": "c", "kind": "RequestVote", "last_log_index": 1, "last_log_term": 3}},
        {"deliver": {"to": "c"}},
        {"expect": {"server": "c", "voted_for": "b"}},
        {"expect": {"messages": [{"from": "c", "to": "b", "kind": "RequestVoteResponse", "term": 3, "granted": true}]}}]}"#;
    let (_, log) = passes(text);
    assert!(log.contains("not up-to-date (§5.4.1)"), "{log}");
}

#[test]
fn a_response_for_an_arbitrary_index_moves_match_index_and_commits() {
    // a leads term 2 with five entries; b claims a match up to 4: a commits 4 with b.
    passes(&led_by_a(
        "[1, 2, 2, 2, 2]",
        0,
        "[1, 2, 2, 2]",
        "[]",
        "",
        r#"[{"send": {"from": "b", "to": "a", "kind": "AppendEntriesResponse", "match_index": 4}},
            {"deliver": {}},
            {"expect": {"server": "a", "match_index": {"b": 4}, "next_index": {"b": 5}, "commit_index": 4}}]"#,
    ));
}

#[test]
fn a_claimed_match_past_the_leaders_log_commits_only_what_the_leader_has() {
    passes(&led_by_a(
        "[1, 2]",
        0,
        "[1, 2]",
        "[]",
        "",
        r#"[{"send": {"from": "b", "to": "a", "kind": "AppendEntriesResponse", "match_index": 9}},
            {"deliver": {}},
            {"expect": {"server": "a", "match_index": {"b": 9}, "commit_index": 2}}]"#,
    ));
}

#[test]
fn a_hand_made_message_is_lost_at_send_across_a_partition_or_a_cut_link() {
    let (_, log) = passes(&abc(r#"[{"partition": [["a"], ["b", "c"]]},
            {"send": {"from": "a", "to": "b", "kind": "RequestVote"}},
            {"cut": {"from": "b", "to": "c"}},
            {"send": {"from": "b", "to": "c", "kind": "RequestVote"}},
            {"send": {"from": "c", "to": "b", "kind": "RequestVote"}},
            {"expect": {"in_flight": 1, "messages": [{"from": "c", "to": "b"}]}}]"#));
    assert!(
        log.contains(
            "Message #1 (RequestVote a → b) is lost: the two are in different partitions."
        ),
        "{log}"
    );
    assert!(
        log.contains(
            "Message #2 (RequestVote b → c) is lost: the link between them is cut that way."
        ),
        "{log}"
    );
}

#[test]
fn the_export_calls_it_injected_in_its_index_and_its_frames() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let scenario = parse_ok(&abc(
        r#"[{"send": {"from": "a", "to": "b", "kind": "AppendEntries", "leader_commit": 3}},
            {"say": "a hand-made AppendEntries is on its way to b."}]"#,
    ));
    let written =
        raftwalk::export::export(scenario, raftwalk::export::Format::Txt, dir.path(), 120, 40)
            .expect("exports");
    let index = std::fs::read_to_string(dir.path().join("index.md")).expect("an index");
    assert!(
        index.contains("inject AppendEntries a → b: leader_commit 3; the rest from a"),
        "{index}"
    );
    let frames: String = written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).expect("a frame"))
        .collect();
    assert!(frames.contains("is injected"), "{frames}");
}
