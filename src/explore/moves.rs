//! The explorer's steps: what may happen next in a state, within the search's bounds, and how
//! each becomes one model [`Action`]. Moves name servers and messages by their place in the
//! canonical form (a decoded state), so a stored path can be replayed on any state with the
//! same canonical form.

use super::canon::Budget;
use super::view::StateView;
use crate::raft::{Action, ClientCommand, Envelope, Role, ServerAction, Term};

/// How far the search may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// No election timeout takes a server past this term.
    pub max_term: Term,
    /// Client requests on a leader, in all.
    pub max_requests: u8,
    /// Crashes, in all (a crashed server may always restart).
    pub max_crashes: u8,
    /// Duplicated messages, in all.
    pub max_dups: u8,
    /// Steps from the start; `None` for no limit.
    pub max_depth: Option<usize>,
}

impl Bounds {
    /// Elections only: timeouts up to `max_term`, deliveries and drops; no requests,
    /// crashes or duplicates, no depth limit.
    pub fn election(max_term: Term) -> Bounds {
        Bounds {
            max_term,
            max_requests: 0,
            max_crashes: 0,
            max_dups: 0,
            max_depth: None,
        }
    }
}

/// One step, naming servers by slot and messages by their canonical position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Move {
    /// Deliver the message at this position.
    Deliver(u16),
    /// Lose it.
    Drop(u16),
    /// Put a copy of it in flight.
    Duplicate(u16),
    /// The server's election timer fires.
    Timeout(u8),
    /// A client request reaches the server (a leader).
    Request(u8),
    /// The server crashes.
    Crash(u8),
    /// The crashed server restarts.
    Restart(u8),
}

impl Move {
    /// The server a server move acts on.
    pub fn server(self) -> Option<usize> {
        match self {
            Move::Timeout(s) | Move::Request(s) | Move::Crash(s) | Move::Restart(s) => {
                Some(s as usize)
            }
            _ => None,
        }
    }

    /// The message position a message move acts on.
    pub fn message(self) -> Option<usize> {
        match self {
            Move::Deliver(m) | Move::Drop(m) | Move::Duplicate(m) => Some(m as usize),
            _ => None,
        }
    }
}

/// Every move possible in `cluster` (a decoded state) within `bounds`, in a fixed order:
/// messages first (by position), then servers (by slot). Of equal messages only the first is
/// offered: delivering either leads to the same state.
pub fn moves(
    cluster: &impl StateView,
    budget: Budget,
    bounds: &Bounds,
    drops: bool,
    out: &mut Vec<Move>,
) {
    out.clear();
    let mut previous: Option<&Envelope> = None;
    let numbers = cluster.message_numbers();
    for (k, envelope) in cluster.messages().enumerate() {
        let same = match numbers {
            Some(numbers) => k > 0 && numbers[k - 1] == numbers[k],
            None => previous.is_some_and(|p| {
                p.from == envelope.from && p.to == envelope.to && p.message == envelope.message
            }),
        };
        previous = Some(envelope);
        if same {
            continue;
        }
        let k = k as u16;
        out.push(Move::Deliver(k));
        if drops {
            out.push(Move::Drop(k));
        }
        if budget.dups < bounds.max_dups {
            out.push(Move::Duplicate(k));
        }
    }
    for s in cluster.servers() {
        let slot = s.id as u8;
        if s.crashed {
            out.push(Move::Restart(slot));
            continue;
        }
        if s.role != Role::Leader && s.current_term < bounds.max_term {
            out.push(Move::Timeout(slot));
        }
        if s.role == Role::Leader && budget.requests < bounds.max_requests {
            out.push(Move::Request(slot));
        }
        if budget.crashes < bounds.max_crashes {
            out.push(Move::Crash(slot));
        }
    }
}

/// The model action a move stands for, given the server each slot names (`servers[slot]`),
/// the id of the message at each position (`messages[position]`) and the request commands;
/// and the budget after it.
pub fn action(
    mv: Move,
    servers: &[usize],
    messages: &[u64],
    budget: Budget,
    requests: &[ClientCommand],
) -> (Action, Budget) {
    let mut after = budget;
    let action = match mv {
        Move::Deliver(k) => Action::Deliver(messages[k as usize]),
        Move::Drop(k) => Action::Drop(messages[k as usize]),
        Move::Duplicate(k) => {
            after.dups += 1;
            Action::Duplicate(messages[k as usize])
        }
        Move::Timeout(s) => Action::on(servers[s as usize], ServerAction::Timeout),
        Move::Request(s) => {
            let command = requests[budget.requests as usize].clone();
            after.requests += 1;
            Action::on(servers[s as usize], ServerAction::ClientRequest(command))
        }
        Move::Crash(s) => {
            after.crashes += 1;
            Action::on(servers[s as usize], ServerAction::Crash)
        }
        Move::Restart(s) => Action::on(servers[s as usize], ServerAction::Restart),
    };
    (action, after)
}
