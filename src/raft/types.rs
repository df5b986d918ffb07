//! Small value types shared by the whole model: ids, terms, indices, roles.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A server's id: `0..n`, as in the brief's `create_node(0)`.
pub type ServerId = usize;
/// A Raft term (§5.1). Every server starts in term 1, as in the brief.
pub type Term = u64;
/// A 1-based log index, as in the paper; 0 means "before the first entry".
pub type LogIndex = usize;
/// The id the network gives a message when it is sent; increases in send order.
pub type MessageId = u64;

/// The largest cluster the model supports.
pub const MAX_SERVERS: usize = 9;

/// The three roles of Figure 4.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Role {
    /// Passive: answers requests, starts nothing.
    Follower,
    /// Asking for votes in its current term.
    Candidate,
    /// Replicates its log to everyone else.
    Leader,
}

impl Role {
    /// The brief's spelling: `FOLLOWER`, `CANDIDATE`, `LEADER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Follower => "FOLLOWER",
            Role::Candidate => "CANDIDATE",
            Role::Leader => "LEADER",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The position of a log's last entry, compared by §5.4.1's up-to-date rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LogPosition {
    /// Index of the entry (0 for an empty log).
    pub index: LogIndex,
    /// Term of the entry (0 for an empty log).
    pub term: Term,
}

impl LogPosition {
    /// §5.4.1: the log whose last entry has the later term is more up-to-date; with the same
    /// last term, the longer log is. Equal logs are "at least as up-to-date".
    pub fn at_least_as_up_to_date_as(self, other: LogPosition) -> bool {
        (self.term, self.index) >= (other.term, other.index)
    }
}

/// A set of server ids (at most [`MAX_SERVERS`]), stored as a bit mask so it is cheap to copy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerSet(u16);

impl ServerSet {
    /// The empty set.
    pub const EMPTY: ServerSet = ServerSet(0);

    /// A set holding one server.
    pub fn only(id: ServerId) -> ServerSet {
        ServerSet(1 << id)
    }

    /// The servers whose bits are set in `mask` (bit `i` for server `i`; bits from
    /// [`MAX_SERVERS`] up are left out).
    pub fn from_mask(mask: u64) -> ServerSet {
        ServerSet((mask & ((1 << MAX_SERVERS) - 1)) as u16)
    }

    /// The set as a bit mask (bit `i` for server `i`).
    pub fn bits(self) -> u16 {
        self.0
    }

    /// Adds `id`; returns false if it was already there.
    pub fn insert(&mut self, id: ServerId) -> bool {
        let had = self.contains(id);
        self.0 |= 1 << id;
        !had
    }

    /// Removes `id`; returns false if it was not there.
    pub fn remove(&mut self, id: ServerId) -> bool {
        let had = self.contains(id);
        self.0 &= !(1 << id);
        had
    }

    /// Whether `id` is in the set.
    pub fn contains(self, id: ServerId) -> bool {
        id < 16 && self.0 & (1 << id) != 0
    }

    /// How many servers are in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The ids in increasing order.
    pub fn iter(self) -> impl Iterator<Item = ServerId> {
        // One step per member (the lowest bit set, then cleared), not one per possible id:
        // the explorer renames these sets in every state it looks at.
        let mut bits = self.0;
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let id = bits.trailing_zeros() as ServerId;
            bits &= bits - 1;
            Some(id)
        })
    }
}

impl FromIterator<ServerId> for ServerSet {
    fn from_iter<I: IntoIterator<Item = ServerId>>(iter: I) -> Self {
        let mut set = ServerSet::EMPTY;
        for id in iter {
            set.insert(id);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_to_date_compares_last_term_first_then_length() {
        let pos = |index, term| LogPosition { index, term };
        // Later last term wins even with a shorter log.
        assert!(pos(3, 5).at_least_as_up_to_date_as(pos(9, 4)));
        assert!(!pos(9, 4).at_least_as_up_to_date_as(pos(3, 5)));
        // Same last term: longer or equal wins.
        assert!(pos(5, 2).at_least_as_up_to_date_as(pos(4, 2)));
        assert!(pos(4, 2).at_least_as_up_to_date_as(pos(4, 2)));
        assert!(!pos(3, 2).at_least_as_up_to_date_as(pos(4, 2)));
        // An empty log is behind any non-empty one.
        assert!(!pos(0, 0).at_least_as_up_to_date_as(pos(1, 1)));
    }

    #[test]
    fn server_set_counts_each_member_once() {
        let mut set = ServerSet::EMPTY;
        assert!(set.insert(2));
        assert!(!set.insert(2));
        assert!(set.insert(0));
        assert_eq!(set.len(), 2);
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![0, 2]);
        assert!(!set.contains(1));
    }

    #[test]
    fn server_set_lists_every_member_in_increasing_order() {
        for mask in [0u16, 1, 0b1_0000_0000, 0b1_0101_0110, 0x1ff, 0x8001] {
            let set = ServerSet(mask);
            let listed: Vec<ServerId> = set.iter().collect();
            let expected: Vec<ServerId> = (0..16).filter(|&id| mask & 1 << id != 0).collect();
            assert_eq!(listed, expected, "mask {mask:#x}");
            assert_eq!(listed.len(), set.len());
        }
    }

    #[test]
    fn a_set_from_a_mask_holds_the_servers_of_its_bits_below_the_limit() {
        for mask in [0u64, 1, 0b1_0101_0110, 0x1ff, 0x200, 0xffff_ffff_ffff_ffff] {
            let expected: ServerSet = (0..MAX_SERVERS).filter(|&s| mask & 1 << s != 0).collect();
            assert_eq!(ServerSet::from_mask(mask), expected, "mask {mask:#x}");
        }
    }
}
