//! When two moves on the same server commute: taken in either order from a state, they reach
//! the same state. Sleep sets (see [`sleep`](super::sleep)) let such a pair sleep like two
//! moves on different servers.
//!
//! A delivery or a timeout changes only its server, adds the messages that server sends and
//! may record the server as the leader of a term; a step that leaves the server's log,
//! commit index and crash flag as they were adds nothing else to the monitor's history. So
//! when all four steps of the two orders are such quiet steps, both orders remove the same
//! two messages (or none, for a timeout), and they agree on the server after both, on the
//! messages sent (as a multiset) and on the terms the server became leader of, the two
//! states are one: equal servers, equal messages but for their ids (which the canonical
//! form does not keep), equal history. The check runs the server's own handlers on copies
//! of it, so it depends only on the server and the two inputs: what it says does not depend
//! on which steps a worker has met. It holds only where the network delivers every message
//! (no partition, cut link or clock: see [`Tables::usable`](super::interned::Tables::usable)).

use crate::raft::message::Outgoing;
use crate::raft::{Envelope, Message, RaftServer, Role, ServerAction, ServerId, Term};

/// One move on a server: its election timeout, or a message delivered to it.
#[derive(Clone, Copy, Debug)]
pub enum Input<'m> {
    /// The election timer fires.
    Timeout,
    /// This message arrives from this server.
    Deliver(ServerId, &'m Message),
}

impl<'m> Input<'m> {
    /// The delivery of this message to its recipient.
    pub fn delivering(envelope: &'m Envelope) -> Input<'m> {
        Input::Deliver(envelope.from, &envelope.message)
    }
}

/// Whether inputs `x` and `y` to `server` commute (see the module's doc): each can follow
/// the other (a timeout only on a live server that is not leader and below `max_term`, as
/// the search offers it), all four steps are quiet, and both orders end alike.
pub fn commute(server: &RaftServer, x: Input<'_>, y: Input<'_>, max_term: Term) -> bool {
    let both = |first, second| {
        let (after_first, mut sent, led) = quiet_step(server, first, max_term)?;
        let (after_both, sent_too, led_too) = quiet_step(&after_first, second, max_term)?;
        sent.extend(sent_too);
        let mut leads = [led, led_too];
        leads.sort_unstable();
        Some((after_both, sent, leads))
    };
    let (Some(xy), Some(yx)) = (both(x, y), both(y, x)) else {
        return false;
    };
    xy.0 == yx.0 && xy.2 == yx.2 && same_multiset(&xy.1, &yx.1)
}

/// `input` taken by `server` alone: the server after it, what it sent and the term it became
/// leader of, if it did; `None` if the search would not offer the move or the step is not
/// quiet (it changed the log, the commit index or the crash flag).
fn quiet_step(
    server: &RaftServer,
    input: Input<'_>,
    max_term: Term,
) -> Option<(RaftServer, Vec<Outgoing>, Option<Term>)> {
    if server.crashed {
        return None;
    }
    let mut after = server.clone();
    match input {
        Input::Timeout => {
            if server.role == Role::Leader || server.current_term >= max_term {
                return None;
            }
            after.perform(&ServerAction::Timeout);
        }
        Input::Deliver(from, message) => after.handle(from, message.clone()),
    }
    let quiet = after.log == server.log
        && after.commit_index == server.commit_index
        && after.crashed == server.crashed;
    if !quiet {
        return None;
    }
    // Emptied, so that equal servers compare equal whatever they did on the way.
    after.take_events(&mut Vec::new());
    let sent: Vec<Outgoing> = after.drain_outbox().collect();
    let new_leader = after.role == Role::Leader
        && !(server.role == Role::Leader && server.current_term == after.current_term);
    let led = new_leader.then_some(after.current_term);
    Some((after, sent, led))
}

/// Whether `a` and `b` hold the same messages, each as often (a step sends a handful).
fn same_multiset(a: &[Outgoing], b: &[Outgoing]) -> bool {
    a.len() == b.len()
        && a.iter().all(|m| {
            let count = |list: &[Outgoing]| list.iter().filter(|o| *o == m).count();
            count(a) == count(b)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::{Action, Cluster};

    /// A cluster of `n` after `steps`, and its messages in flight.
    fn after(n: usize, steps: &[Action]) -> (Cluster, Vec<Envelope>) {
        let mut cluster = Cluster::new(n);
        for step in steps {
            cluster.apply(step).expect("a valid step");
        }
        let messages = cluster.in_flight().cloned().collect();
        (cluster, messages)
    }

    fn deliver(e: &Envelope) -> Input<'_> {
        Input::delivering(e)
    }

    fn timeout(s: usize) -> Action {
        Action::on(s, ServerAction::Timeout)
    }

    #[test]
    fn two_requests_for_votes_of_one_term_do_not_commute() {
        // Servers 0 and 1 both stand in term 2; server 2 votes for whichever asks first.
        let (cluster, messages) = after(3, &[timeout(0), timeout(1)]);
        let to_2: Vec<&Envelope> = messages.iter().filter(|e| e.to == 2).collect();
        assert_eq!(to_2.len(), 2);
        let voter = &cluster.servers()[2];
        assert!(!commute(voter, deliver(to_2[0]), deliver(to_2[1]), 4));
    }

    #[test]
    fn two_refusals_to_a_candidate_commute() {
        // Server 0 stands in term 2 after 1 and 2 voted for 1 in term 2: both refuse 0.
        let (mut cluster, messages) = after(3, &[timeout(1)]);
        let to_2 = messages.iter().find(|e| e.to == 2);
        let id = to_2.expect("a RequestVote to 2").id;
        cluster.apply(&Action::Deliver(id)).expect("delivered");
        cluster.apply(&timeout(0)).expect("a timeout");
        // 0's requests (term 2) to 1 and 2, both already voted for 1 in term 2.
        let requests: Vec<u64> = cluster
            .in_flight()
            .filter(|e| e.from == 0)
            .map(|e| e.id)
            .collect();
        for id in requests {
            cluster.apply(&Action::Deliver(id)).expect("delivered");
        }
        let refusals: Vec<Envelope> = cluster
            .in_flight()
            .filter(|e| {
                e.to == 0
                    && matches!(
                        e.message,
                        Message::RequestVoteResponse { granted: false, .. }
                    )
            })
            .cloned()
            .collect();
        assert_eq!(
            refusals.len(),
            2,
            "{:?}",
            cluster.in_flight().collect::<Vec<_>>()
        );
        let candidate = &cluster.servers()[0];
        assert_eq!(candidate.role, Role::Candidate);
        let (a, b) = (deliver(&refusals[0]), deliver(&refusals[1]));
        assert!(commute(candidate, a, b, 4));
        assert!(commute(candidate, b, a, 4), "the check is symmetric");
    }

    #[test]
    fn a_timeout_commutes_with_nothing_that_changes_what_it_reads() {
        // A follower in term 1 gets a RequestVote of term 2: voting first or timing out
        // first ends differently (the timeout's term and vote depend on the order).
        let (cluster, messages) = after(3, &[timeout(0)]);
        let to_1 = messages.iter().find(|e| e.to == 1).expect("a request to 1");
        let follower = &cluster.servers()[1];
        assert!(!commute(follower, deliver(to_1), Input::Timeout, 4));
        // And a timeout is never offered past the last term.
        assert!(!commute(follower, Input::Timeout, Input::Timeout, 1));
    }

    #[test]
    fn a_step_that_changes_the_log_never_commutes() {
        let (mut cluster, _) = after(3, &[timeout(0)]);
        cluster
            .apply(&Action::DeliverAll)
            .expect("every message delivered");
        let leader = &cluster.servers()[0];
        assert_eq!(leader.role, Role::Leader);
        let command = crate::explore::request_commands(1).remove(0);
        let request = Action::on(0, ServerAction::ClientRequest(command));
        cluster.apply(&request).expect("a request");
        let appends: Vec<Envelope> = cluster
            .in_flight()
            .filter(|e| e.to == 1 && matches!(e.message, Message::AppendEntries { .. }))
            .cloned()
            .collect();
        assert!(!appends.is_empty());
        let follower = &cluster.servers()[1];
        // Appending the entry changes the follower's log: not quiet, even with itself.
        let a = deliver(&appends[appends.len() - 1]);
        assert!(!commute(follower, a, a, 4));
    }

    #[test]
    fn pairs_found_to_commute_reach_one_canonical_state_in_either_order() {
        // Every state of a small search (terms up to 3, by deliveries and timeouts): for
        // every two moves on one server that the check says commute, the two orders give one
        // canonical form.
        use crate::explore::canon::{Budget, Codec, Scratch};
        let max_term = 3;
        let start = Cluster::new(3);
        let codec = Codec::new(&start, &[], true).reducing(max_term);
        let mut scratch = Scratch::default();
        let mut form = |c: &Cluster| codec.canonical(c, Budget::default(), &mut scratch).to_vec();
        let (mut seen, mut queue) = (std::collections::HashSet::new(), vec![start]);
        let mut checked = 0;
        while let Some(state) = queue.pop() {
            if seen.len() >= 3_000 || !seen.insert(form(&state)) {
                continue;
            }
            let mut moves: Vec<(usize, Action, Input<'_>)> = state
                .in_flight()
                .map(|e| (e.to, Action::Deliver(e.id), deliver(e)))
                .collect();
            for s in state.servers() {
                moves.push((s.id, timeout(s.id), Input::Timeout));
            }
            let step = |from: &Cluster, action: &Action| {
                let mut next = from.clone();
                next.apply(action).ok().map(|_| next)
            };
            for (i, (to, action, input)) in moves.iter().enumerate() {
                let server = &state.servers()[*to];
                let offered = !matches!(input, Input::Timeout) || server.current_term < max_term;
                let Some(next) = step(&state, action).filter(|_| offered) else {
                    continue;
                };
                queue.push(next.clone());
                for (other_to, other, other_input) in &moves[i + 1..] {
                    if other_to != to || !commute(server, *input, *other_input, max_term) {
                        continue;
                    }
                    let xy = step(&next, other).expect("the check offers only enabled moves");
                    let first = step(&state, other).expect("enabled");
                    let yx = step(&first, action).expect("enabled");
                    assert_eq!(
                        form(&xy),
                        form(&yx),
                        "{action:?} and {other:?} in {state:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1_000, "only {checked} pairs commute");
    }
}
