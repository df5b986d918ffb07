//! A persistent vector for the model's long sequences (logs, the entries a message carries,
//! the monitor's record of what was committed): a clone shares its structure, so undo
//! checkpoints, messages and snapshots cost O(1) or O(log n), not a copy.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A persistent vector (an RRB tree from `imbl`). Cloning is O(1); a clone taken before a
/// change shares everything the change did not touch.
#[derive(Clone)]
pub struct PVec<T: Clone>(imbl::Vector<T>);

impl<T: Clone> PVec<T> {
    /// An empty vector.
    pub fn new() -> PVec<T> {
        PVec(imbl::Vector::new())
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The element at `index` (0-based). O(log n).
    pub fn get(&self, index: usize) -> Option<&T> {
        self.0.get(index)
    }

    /// The first element.
    pub fn first(&self) -> Option<&T> {
        self.0.front()
    }

    /// The last element.
    pub fn last(&self) -> Option<&T> {
        self.0.back()
    }

    /// The elements in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + Clone + '_ {
        self.0.iter()
    }

    /// The elements from `start` (0-based) on, in order; empty past the end.
    /// O(log n) to start.
    pub fn iter_from(
        &self,
        start: usize,
    ) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + Clone + '_ {
        let start = start.min(self.len());
        self.0.focus().narrow(start..).into_iter()
    }

    /// The elements from `start` to before `end` (0-based, clamped to the vector), in order
    /// or reversed. O(log n) to start.
    pub fn iter_range(
        &self,
        start: usize,
        end: usize,
    ) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + Clone + '_ {
        let end = end.min(self.len());
        let start = start.min(end);
        self.0.focus().narrow(start..end).into_iter()
    }

    /// Appends one element. Amortised O(1).
    pub fn push(&mut self, value: T) {
        self.0.push_back(value);
    }

    /// Appends all of `other`: O(log n) for a long `other`, sharing its structure.
    pub fn append(&mut self, other: PVec<T>) {
        if other.len() <= SHORT {
            self.0.extend(other.0);
        } else {
            self.0.append(other.0);
        }
    }

    /// Keeps the first `len` elements. O(log n).
    pub fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }

    /// The elements from `start` (0-based) on, as a vector sharing this one's structure.
    /// O(log n).
    pub fn suffix(&self, start: usize) -> PVec<T> {
        PVec(self.0.skip(start))
    }

    /// Binary search by a key, as [`slice::binary_search_by_key`].
    pub fn binary_search_by_key<K: Ord>(
        &self,
        key: &K,
        f: impl FnMut(&T) -> K,
    ) -> Result<usize, usize> {
        self.0.binary_search_by_key(key, f)
    }

    /// Inserts `value` at `index`. O(log n).
    pub fn insert(&mut self, index: usize, value: T) {
        self.0.insert(index, value);
    }

    /// Whether the two share all their structure (then they are equal). O(1).
    pub fn shares_with(&self, other: &PVec<T>) -> bool {
        self.0.ptr_eq(&other.0)
    }
}

/// Below this many elements, appending element by element beats concatenating trees.
const SHORT: usize = 64;

impl<T: Clone> Default for PVec<T> {
    fn default() -> PVec<T> {
        PVec::new()
    }
}

impl<T: Clone + PartialEq> PartialEq for PVec<T> {
    /// Equal lengths, then shared structure (O(1)), then the elements from the back: a change
    /// is almost always at the end, so unequal vectors are told apart quickly.
    fn eq(&self, other: &PVec<T>) -> bool {
        self.len() == other.len()
            && (self.shares_with(other) || self.iter().rev().eq(other.iter().rev()))
    }
}

impl<T: Clone + Eq> Eq for PVec<T> {}

impl<T: Clone + Hash> Hash for PVec<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len().hash(state);
        for element in self.iter() {
            element.hash(state);
        }
    }
}

impl<T: Clone + fmt::Debug> fmt::Debug for PVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Clone> From<Vec<T>> for PVec<T> {
    fn from(values: Vec<T>) -> PVec<T> {
        PVec(values.into_iter().collect())
    }
}

impl<T: Clone> From<&[T]> for PVec<T> {
    fn from(values: &[T]) -> PVec<T> {
        PVec(values.iter().cloned().collect())
    }
}

impl<T: Clone> From<&Vec<T>> for PVec<T> {
    fn from(values: &Vec<T>) -> PVec<T> {
        PVec::from(values.as_slice())
    }
}

impl<T: Clone, const N: usize> From<&[T; N]> for PVec<T> {
    fn from(values: &[T; N]) -> PVec<T> {
        PVec::from(values.as_slice())
    }
}

impl<T: Clone> From<&PVec<T>> for PVec<T> {
    fn from(values: &PVec<T>) -> PVec<T> {
        values.clone()
    }
}

impl<T: Clone> FromIterator<T> for PVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> PVec<T> {
        PVec(iter.into_iter().collect())
    }
}

impl<T: Clone + PartialEq> PartialEq<[T]> for PVec<T> {
    fn eq(&self, other: &[T]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Clone + PartialEq, const N: usize> PartialEq<[T; N]> for PVec<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        *self == other[..]
    }
}

impl<T: Clone + PartialEq> PartialEq<Vec<T>> for PVec<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self == other[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_and_changes_are_seen_from_the_back() {
        let a: PVec<u32> = (0..1000).collect();
        let mut b = a.clone();
        assert!(a.shares_with(&b));
        assert_eq!(a, b);
        b.truncate(999);
        b.push(7);
        assert_ne!(a, b);
        assert!(!a.shares_with(&b));
        let rebuilt: PVec<u32> = (0..1000).collect();
        assert!(!a.shares_with(&rebuilt));
        assert_eq!(a, rebuilt, "equal without sharing");
    }

    #[test]
    fn suffix_append_and_iteration() {
        let a: PVec<u32> = (0..300).collect();
        assert_eq!(a.suffix(290), (290..300).collect::<Vec<_>>());
        assert_eq!(a.suffix(300).len(), 0);
        assert_eq!(a.suffix(999).len(), 0);
        let mut b: PVec<u32> = (0..10).collect();
        b.append(a.suffix(10));
        assert_eq!(b, a);
        let mut c: PVec<u32> = (0..295).collect();
        c.append(a.suffix(295));
        assert_eq!(c, a);
        assert_eq!(a.iter_from(298).copied().collect::<Vec<_>>(), [298, 299]);
        assert_eq!(a.iter_from(400).count(), 0);
        assert_eq!(a.iter().next_back(), Some(&299));
    }
}
