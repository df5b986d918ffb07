//! Compact keys: a search through interned parts stores each state as the numbers of its
//! canonical form's parts instead of the form's bytes. A form is the budget, each server's
//! bytes (by slot), the rest of the head (partition, cuts, the monitor's history) and each
//! message's bytes (in canonical order); the [`Registry`], shared by the workers, numbers
//! every such part once. A state's key is then the number of its budget-and-rest, of each
//! server, and of each message, four bytes each, in the form's order: the same form gives
//! the same key and the other way round, so the table of states finds exactly what it
//! found with forms, in keys a third as long, and a worker reads a state's parts by their
//! numbers without splitting its form.
//!
//! Numbers are given in whatever order workers meet parts, so they differ from run to run;
//! nothing but equality of keys depends on them (which state a level keeps, in which order,
//! and with which moves follows the forms), and every key of a state with the same number
//! of messages has the same length, so the memory the table counts does not depend on the
//! threads either.

use super::canon::{Codec, Split};
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::sync::RwLock;

type Map<K, V> = HashMap<K, V, FixedState>;

/// The kind of a part, kept with its bytes (the same bytes may be a server and a message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Kind {
    /// The budget's three bytes followed by the head's rest.
    Rest = 0,
    /// One server's bytes.
    Server = 1,
    /// One message's bytes.
    Message = 2,
}

/// Bytes a key gives each part.
pub(super) const PART: usize = 4;

/// Every part of every key a search made, numbered; shared by its workers (who keep their
/// own caches of it, so they seldom take its lock).
pub(super) struct Registry {
    n: usize,
    inner: RwLock<Parts>,
}

#[derive(Default)]
struct Parts {
    /// Kind and bytes → number.
    numbers: Map<Vec<u8>, u32>,
    /// Where each part's bytes (after its kind byte) lie in `bytes`.
    at: Vec<(u32, u32)>,
    bytes: Vec<u8>,
}

impl Registry {
    /// An empty registry for forms of `n` servers.
    pub fn new(n: usize) -> Registry {
        Registry {
            n,
            inner: RwLock::new(Parts::default()),
        }
    }

    /// The number of the part of kind `kind` with these bytes, given now if it has none.
    pub fn number(&self, kind: Kind, bytes: &[u8]) -> u32 {
        let key = [&[kind as u8], bytes].concat();
        if let Some(&number) = self.read().numbers.get(&key) {
            return number;
        }
        let mut parts = self.inner.write().expect("no worker panicked");
        if let Some(&number) = parts.numbers.get(&key) {
            return number;
        }
        let number = u32::try_from(parts.at.len()).expect("fewer than 2^32 parts");
        let start = parts.bytes.len() as u32;
        parts.bytes.extend_from_slice(bytes);
        parts.at.push((start, bytes.len() as u32));
        parts.numbers.insert(key, number);
        number
    }

    /// The canonical form a key stands for, into `out`.
    pub fn form(&self, key: &[u8], out: &mut Vec<u8>) {
        let parts = self.read();
        let bytes = |number: u32| {
            let (start, len) = parts.at[number as usize];
            &parts.bytes[start as usize..(start + len) as usize]
        };
        let mut numbers = numbers(key);
        out.clear();
        let rest = bytes(numbers.next().expect("a key starts with its rest"));
        let (budget, rest) = rest.split_at(3);
        out.extend_from_slice(budget);
        for number in numbers.by_ref().take(self.n) {
            out.extend_from_slice(bytes(number));
        }
        out.extend_from_slice(rest);
        let count = key.len() / PART - 1 - self.n;
        Codec::put(out, count as u64);
        for number in numbers {
            let message = bytes(number);
            Codec::put(out, message.len() as u64);
            out.extend_from_slice(message);
        }
    }

    /// About how many bytes the registry takes.
    pub fn memory(&self) -> usize {
        let parts = self.read();
        parts.bytes.capacity() * 2 + parts.at.capacity() * 8 + parts.numbers.capacity() * 40
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Parts> {
        self.inner.read().expect("no worker panicked")
    }
}

/// The numbers of a key, in order: its rest, its servers by slot, its messages.
pub(super) fn numbers(key: &[u8]) -> impl Iterator<Item = u32> + '_ {
    key.chunks_exact(PART)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// Appends one part's number to a key.
pub(super) fn push(key: &mut Vec<u8>, number: u32) {
    key.extend_from_slice(&number.to_le_bytes());
}

/// Numbers by a kind and a byte string; a short string is packed with its kind into one
/// number, cheap to hash and compare (most parts of a form are a few bytes).
#[derive(Default)]
pub(super) struct ByBytes {
    short: Map<u128, u32>,
    long: Map<Vec<u8>, u32>,
    /// A long key being looked up.
    key: Vec<u8>,
}

impl ByBytes {
    /// The string's length, the kind, the string: one number, if it fits.
    fn packed(kind: u8, bytes: &[u8]) -> Option<u128> {
        let mut key = [0u8; 16];
        key.get_mut(2..2 + bytes.len())?.copy_from_slice(bytes);
        key[0] = bytes.len() as u8;
        key[1] = kind;
        Some(u128::from_le_bytes(key))
    }

    /// The number filed under `kind` and `bytes`, if any.
    pub fn get(&mut self, kind: u8, bytes: &[u8]) -> Option<u32> {
        match ByBytes::packed(kind, bytes) {
            Some(key) => self.short.get(&key).copied(),
            None => {
                self.key.clear();
                self.key.push(kind);
                self.key.extend_from_slice(bytes);
                self.long.get(&self.key[..]).copied()
            }
        }
    }

    /// Files `number` under `kind` and `bytes`.
    pub fn insert(&mut self, kind: u8, bytes: &[u8], number: u32) {
        match ByBytes::packed(kind, bytes) {
            Some(key) => self.short.insert(key, number),
            None => self.long.insert([&[kind], bytes].concat(), number),
        };
    }

    /// How many strings are filed.
    pub fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }
}

/// A worker's way from canonical forms to keys: it splits the form and numbers each part
/// through its cache of the registry.
#[derive(Default)]
pub(super) struct Compactor {
    cache: ByBytes,
    split: Split,
    rest: Vec<u8>,
}

/// Parts a worker's [`Compactor`] caches before it starts again.
const COMPACTOR_PARTS: usize = 1 << 16;

impl Compactor {
    /// The key of the canonical form `form`, into `out`.
    pub fn key(&mut self, codec: &Codec, registry: &Registry, form: &[u8], out: &mut Vec<u8>) {
        if self.cache.len() > COMPACTOR_PARTS {
            self.cache = ByBytes::default();
        }
        codec.split(form, &mut self.split);
        out.clear();
        self.rest.clear();
        self.rest.extend_from_slice(&form[..3]);
        self.rest.extend_from_slice(&form[self.split.rest.clone()]);
        let rest = std::mem::take(&mut self.rest);
        push(out, self.number(registry, Kind::Rest, &rest));
        self.rest = rest;
        for s in 0..self.split.servers.len() {
            let bytes = &form[self.split.servers[s].clone()];
            push(out, self.number(registry, Kind::Server, bytes));
        }
        for m in 0..self.split.messages.len() {
            let bytes = &form[self.split.messages[m].clone()];
            push(out, self.number(registry, Kind::Message, bytes));
        }
    }

    fn number(&mut self, registry: &Registry, kind: Kind, bytes: &[u8]) -> u32 {
        if let Some(number) = self.cache.get(kind as u8, bytes) {
            return number;
        }
        let number = registry.number(kind, bytes);
        self.cache.insert(kind as u8, bytes, number);
        number
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::canon::Budget;
    use crate::raft::{Cluster, ServerAction};

    #[test]
    fn a_key_stands_for_exactly_its_form() {
        let mut cluster = Cluster::new(3);
        let codec = Codec::new(&cluster, &[], true);
        let registry = Registry::new(3);
        let mut compactor = Compactor::default();
        let mut scratch = Default::default();
        let (mut key, mut again) = (Vec::new(), Vec::new());
        let mut keys = Vec::new();
        for action in [ServerAction::Timeout, ServerAction::Timeout] {
            for id in 0..3 {
                let form = codec.canonical(&cluster, Budget::default(), &mut scratch);
                compactor.key(&codec, &registry, form, &mut key);
                registry.form(&key, &mut again);
                assert_eq!(again, form, "the key gives back the form");
                assert_eq!(key.len(), PART * (1 + 3 + cluster.in_flight().len()));
                keys.push((key.clone(), form.to_vec()));
                cluster
                    .apply(&crate::raft::Action::on(id, action.clone()))
                    .expect("a timeout");
            }
        }
        for (a, form_a) in &keys {
            for (b, form_b) in &keys {
                assert_eq!(a == b, form_a == form_b);
            }
        }
    }
}
