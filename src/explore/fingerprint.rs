//! Fingerprints of states: a 128-bit number worked out from the numbers of the parts of a
//! state's compact key (see [`compact`](super::compact)) without sorting its messages or
//! writing the key, so that a successor the table of states already holds is known for less
//! (most successors are; see [`search`](super::search)).
//!
//! A key is the number of its head's rest, of each server by slot, then of each message in
//! canonical order. The fingerprint is the sum of a 128-bit hash of each part's number with
//! its place: the rest's and the servers' by slot, every message's alike. A sum, so the
//! order of the messages does not count (a state of interned parts knows its messages'
//! numbers under the renaming its form is written under before it sorts them), but how many
//! times a message is in flight does. So the same key always gives the same fingerprint.
//!
//! The other way round holds only with high probability: if the parts' hashes behave as
//! random numbers, two different keys share a fingerprint with a chance of about one in
//! 2¹²⁸, so a search that looks up a billion successors among a billion states takes a new
//! state for a known one (and misses it) with a chance below 10⁻¹⁹. `--no-fingerprints`
//! compares whole keys instead.

use super::compact;
use hashbrown::HashTable;

/// A state's fingerprint.
pub(super) type Fingerprint = u128;

/// The place of every message in [`part`] (the head's places are 0, 1, … by slot).
pub(super) const MESSAGE: u64 = 255;

/// What a part with registry number `number` at place `place` adds to a fingerprint.
#[inline(always)]
pub(super) fn part(number: u32, place: u64) -> Fingerprint {
    let x = (number as u64) << 8 | place;
    (mix(x ^ 0x243f_6a88_85a3_08d3) as u128) << 64 | mix(x ^ 0x1319_8a2e_0370_7344) as u128
}

/// A 64-bit finalizer (every bit of the input reaches every bit of the output).
#[inline(always)]
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The fingerprint of a compact key of `n` servers.
pub(super) fn of_key(key: &[u8], n: usize) -> Fingerprint {
    compact::numbers(key)
        .enumerate()
        .map(|(i, number)| part(number, if i <= n { i as u64 } else { MESSAGE }))
        .fold(0, Fingerprint::wrapping_add)
}

/// A set of fingerprints, in two hash tables (by one bit of a fingerprint's high half) so
/// that two threads can add a level's fingerprints at once, growing one table each; each
/// filed by the fingerprints' low halves: its control bytes (one a place) answer most
/// lookups of a new state without reading a fingerprint, and a lookup of a known one reads
/// one fingerprint besides.
#[derive(Default)]
pub(super) struct Seen {
    shards: [HashTable<Fingerprint>; 2],
}

/// Which of [`Seen`]'s tables holds `fp`: a bit the tables' own probing does not read.
#[inline(always)]
fn shard(fp: Fingerprint) -> usize {
    (fp >> 64) as usize & 1
}

impl Seen {
    /// Whether the set holds `fp`.
    #[inline]
    pub(super) fn contains(&self, fp: Fingerprint) -> bool {
        let table = &self.shards[shard(fp)];
        table.find(fp as u64, |&held| held == fp).is_some()
    }

    /// Adds these fingerprints, none of which the set holds; on two threads if `parallel`.
    pub(super) fn extend(&mut self, fps: &[Fingerprint], parallel: bool) {
        let fill = |table: &mut HashTable<Fingerprint>, half: usize| {
            // About half of them fall in each table.
            table.reserve(fps.len() / 2 + 1, |&fp| fp as u64);
            for &fp in fps.iter().filter(|&&fp| shard(fp) == half) {
                table.insert_unique(fp as u64, fp, |&fp| fp as u64);
            }
        };
        super::store::fill_halves(&mut self.shards, parallel, fill);
    }

    /// How many fingerprints the set holds.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.shards.iter().map(HashTable::len).sum()
    }

    /// About how many bytes the set takes.
    pub(super) fn memory(&self) -> usize {
        let places: usize = self.shards.iter().map(HashTable::capacity).sum();
        places * (std::mem::size_of::<Fingerprint>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_finds_what_it_holds_and_nothing_else_as_it_grows() {
        let mut seen = Seen::default();
        let fp = |i: u128| i.wrapping_mul(0x1234_5678_9abc_def1_0fed_cba9_8765_4321) | 1;
        for batch in (1..5000u128).collect::<Vec<_>>().chunks(700) {
            let fps: Vec<Fingerprint> = batch.iter().map(|&i| fp(i)).collect();
            assert!(fps.iter().all(|&f| !seen.contains(f)));
            seen.extend(&fps, batch[0] % 2 == 0);
            assert!(fps.iter().all(|&f| seen.contains(f)));
        }
        assert_eq!(seen.len(), 4999);
        assert!(
            (1..5000).all(|i| seen.contains(fp(i))),
            "none lost as it grew"
        );
        assert!(!seen.contains(fp(6000)));
        assert!(seen.memory() >= 4999 * 17);
    }

    #[test]
    fn a_key_s_fingerprint_counts_its_messages_in_any_order_and_its_head_by_place() {
        let key = |numbers: &[u32]| -> Vec<u8> {
            let mut key = Vec::new();
            for &n in numbers {
                compact::push(&mut key, n);
            }
            key
        };
        // Two servers: the rest, two servers, then messages.
        let fp = |numbers: &[u32]| of_key(&key(numbers), 2);
        assert_eq!(
            fp(&[1, 2, 3, 7, 8]),
            fp(&[1, 2, 3, 8, 7]),
            "messages in any order"
        );
        assert_ne!(
            fp(&[1, 2, 3, 7, 8]),
            fp(&[1, 3, 2, 7, 8]),
            "servers by slot"
        );
        assert_ne!(fp(&[1, 2, 3, 7]), fp(&[1, 2, 3, 7, 7]), "a message twice");
        assert_ne!(
            fp(&[1, 2, 3, 7]),
            fp(&[1, 2, 7, 3]),
            "a server is not a message"
        );
    }
}
