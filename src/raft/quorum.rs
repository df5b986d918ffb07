//! Quorum arithmetic, in one place: majorities, vote tallies, and the commit point.

use super::types::{LogIndex, MAX_SERVERS};

/// How many servers make a majority of a cluster of `cluster_size` (crashed ones included).
pub fn majority(cluster_size: usize) -> usize {
    cluster_size / 2 + 1
}

/// Where an election stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VoteTally {
    /// A majority granted: the candidate wins.
    Won,
    /// A majority refused: the candidate cannot win this term.
    Lost,
    /// Neither yet.
    Pending,
}

/// The state of an election with `granted` and `refused` votes among `cluster_size` servers.
pub fn tally(cluster_size: usize, granted: usize, refused: usize) -> VoteTally {
    let needed = majority(cluster_size);
    if granted >= needed {
        VoteTally::Won
    } else if refused > cluster_size - needed {
        VoteTally::Lost
    } else {
        VoteTally::Pending
    }
}

/// The highest index stored on a majority, given each server's match index (the leader's own
/// last index included): the largest N such that a majority has `match_index >= N`.
pub fn majority_match(match_indices: &[LogIndex]) -> LogIndex {
    let mut sorted = [0; MAX_SERVERS];
    let n = match_indices.len().min(MAX_SERVERS);
    if n == 0 {
        return 0;
    }
    sorted[..n].copy_from_slice(&match_indices[..n]);
    sorted[..n].sort_unstable_by(|a, b| b.cmp(a));
    sorted[majority(n) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_table() {
        let table = [
            (1, 1),
            (2, 2),
            (3, 2),
            (4, 3),
            (5, 3),
            (6, 4),
            (7, 4),
            (8, 5),
            (9, 5),
        ];
        for (n, want) in table {
            assert_eq!(majority(n), want, "cluster of {n}");
        }
    }

    #[test]
    fn tally_table() {
        use VoteTally::*;
        // (cluster, granted, refused, expected)
        let table = [
            (1, 1, 0, Won),
            (3, 1, 0, Pending),
            (3, 2, 0, Won),
            (3, 1, 1, Pending),
            (3, 1, 2, Lost),
            (4, 2, 1, Pending),
            (4, 2, 2, Lost),
            (4, 3, 1, Won),
            (5, 2, 2, Pending),
            (5, 1, 3, Lost),
            (5, 3, 2, Won),
        ];
        for (n, g, r, want) in table {
            assert_eq!(tally(n, g, r), want, "n={n} granted={g} refused={r}");
        }
    }

    #[test]
    fn majority_match_table() {
        let table: [(&[LogIndex], LogIndex); 6] = [
            (&[5], 5),
            (&[5, 0, 0], 0),
            (&[5, 3, 0], 3),
            (&[5, 3, 4], 4),
            (&[7, 1, 2, 3], 2),
            (&[9, 9, 1, 1, 1], 1),
        ];
        for (matches, want) in table {
            assert_eq!(majority_match(matches), want, "{matches:?}");
        }
    }
}
