//! A persistent vector for the model's long sequences (logs, the entries a message carries,
//! the monitor's record of what was committed): a clone shares its structure, so undo
//! checkpoints, messages and snapshots cost O(1) or O(log n), not a copy.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A persistent vector (an RRB tree from `imbl`). Cloning is O(1); a clone taken before a
/// change shares everything the change did not touch. One pointer wide (none when empty), so
/// the messages that carry one stay small.
pub struct PVec<T: Clone>(Option<Arc<imbl::Vector<T>>>);

impl<T: Clone> Clone for PVec<T> {
    fn clone(&self) -> PVec<T> {
        PVec(self.0.clone())
    }

    fn clone_from(&mut self, source: &PVec<T>) {
        // Cloned from the same vector again (the explorer copies one state over and over):
        // no reference count to touch.
        let same = match (&self.0, &source.0) {
            (Some(mine), Some(theirs)) => Arc::ptr_eq(mine, theirs),
            (mine, theirs) => mine.is_none() && theirs.is_none(),
        };
        if !same {
            self.0.clone_from(&source.0);
        }
    }
}

impl<T: Clone> PVec<T> {
    /// An empty vector.
    pub fn new() -> PVec<T> {
        PVec(None)
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |v| v.len())
    }

    /// Whether it is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `index` (0-based). O(log n).
    pub fn get(&self, index: usize) -> Option<&T> {
        self.0.as_ref()?.get(index)
    }

    /// The first element.
    pub fn first(&self) -> Option<&T> {
        self.0.as_ref()?.front()
    }

    /// The last element.
    pub fn last(&self) -> Option<&T> {
        self.0.as_ref()?.back()
    }

    /// The elements in order (or reversed).
    #[inline]
    pub fn iter(&self) -> Range<'_, T> {
        self.iter_range(0, self.len())
    }

    /// The elements from `start` (0-based) on, in order; empty past the end.
    #[inline]
    pub fn iter_from(&self, start: usize) -> Range<'_, T> {
        self.iter_range(start, self.len())
    }

    /// The elements from `start` to before `end` (0-based, clamped to the vector), in order
    /// or reversed. O(log n) to start.
    #[inline]
    pub fn iter_range(&self, start: usize, end: usize) -> Range<'_, T> {
        // Inlined, so that a short range (an empty log's, say) costs no call; a long one is
        // set up out of line.
        let end = end.min(self.len());
        let start = start.min(end);
        match &self.0 {
            Some(vector) if end - start > SHORT_RANGE => Range::long(vector, start, end),
            vector => Range(RangeInner::Short {
                vector: vector.as_deref(),
                front: start,
                back: end,
            }),
        }
    }

    /// Appends one element. Amortised O(1).
    pub fn push(&mut self, value: T) {
        self.vector_mut().push_back(value);
    }

    /// Appends all of `other`: O(log n) for a long `other`, sharing its structure.
    pub fn append(&mut self, other: PVec<T>) {
        let Some(other) = other.0 else {
            return;
        };
        if self.is_empty() {
            self.0 = Some(other);
        } else if other.len() <= SHORT {
            self.vector_mut().extend(other.iter().cloned());
        } else {
            self.vector_mut().append(Arc::unwrap_or_clone(other));
        }
    }

    /// Keeps the first `len` elements. O(log n).
    pub fn truncate(&mut self, len: usize) {
        if len == 0 {
            self.0 = None;
        } else if len < self.len() {
            self.vector_mut().truncate(len);
        }
    }

    /// The elements from `start` (0-based) on: a short suffix is copied, a long one shares
    /// this vector's structure. O(log n).
    pub fn suffix(&self, start: usize) -> PVec<T> {
        if start >= self.len() {
            PVec::new()
        } else if self.len() - start <= SHORT {
            self.iter_from(start).cloned().collect()
        } else {
            PVec(self.0.as_ref().map(|v| Arc::new(v.skip(start))))
        }
    }

    /// Binary search by a key, as [`slice::binary_search_by_key`].
    pub fn binary_search_by_key<K: Ord>(
        &self,
        key: &K,
        f: impl FnMut(&T) -> K,
    ) -> Result<usize, usize> {
        match &self.0 {
            Some(vector) => vector.binary_search_by_key(key, f),
            None => Err(0),
        }
    }

    /// Inserts `value` at `index`. O(log n).
    pub fn insert(&mut self, index: usize, value: T) {
        self.vector_mut().insert(index, value);
    }

    /// Becomes `values`, keeping its storage (and so what shares it) when it holds them
    /// already: a vector restored to the same elements over and over allocates nothing.
    pub fn set_from(&mut self, values: impl IntoIterator<Item = T>)
    where
        T: PartialEq,
    {
        let mut values = values.into_iter();
        let mut same = 0;
        while let Some(value) = values.next() {
            if self.get(same) != Some(&value) {
                let fresh = self
                    .iter_range(0, same)
                    .cloned()
                    .chain(std::iter::once(value))
                    .chain(values)
                    .collect();
                *self = fresh;
                return;
            }
            same += 1;
        }
        if same < self.len() {
            *self = self.iter_range(0, same).cloned().collect();
        }
    }

    /// Whether the two share all their structure (then they are equal). O(1).
    #[inline]
    pub fn shares_with(&self, other: &PVec<T>) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a.ptr_eq(b),
            (None, None) => true,
            _ => false,
        }
    }

    /// The vector to change, copied first (O(1)) if shared.
    fn vector_mut(&mut self) -> &mut imbl::Vector<T> {
        Arc::make_mut(self.0.get_or_insert_with(Default::default))
    }
}

/// Below this many elements, copying element by element beats splitting or concatenating
/// trees (which copies whole chunks of 64).
const SHORT: usize = 64;

/// Below this many elements, looking each up beats setting up a focus (which clones the
/// tree's root).
const SHORT_RANGE: usize = 16;

/// An iterator over a range of a [`PVec`], from either end.
#[derive(Clone)]
pub struct Range<'a, T: Clone>(RangeInner<'a, T>);

#[derive(Clone)]
enum RangeInner<'a, T: Clone> {
    Short {
        vector: Option<&'a imbl::Vector<T>>,
        front: usize,
        back: usize,
    },
    /// Boxed: a focus is large, and short ranges are moved around often.
    Long(Box<imbl::vector::Iter<'a, T, imbl::shared_ptr::DefaultSharedPtr>>),
}

impl<'a, T: Clone> Range<'a, T> {
    /// The elements of `vector` from `start` to before `end`, through a focus.
    #[inline(never)]
    fn long(vector: &'a imbl::Vector<T>, start: usize, end: usize) -> Range<'a, T> {
        Range(RangeInner::Long(Box::new(
            vector.focus().narrow(start..end).into_iter(),
        )))
    }

    /// Takes the next element from the front or from the back.
    #[inline]
    fn take_one(&mut self, from_back: bool) -> Option<&'a T> {
        match &mut self.0 {
            RangeInner::Short {
                vector,
                front,
                back,
            } => {
                if front == back {
                    return None;
                }
                let index = if from_back {
                    *back -= 1;
                    *back
                } else {
                    *front += 1;
                    *front - 1
                };
                vector.and_then(|v| v.get(index))
            }
            RangeInner::Long(iter) if from_back => iter.next_back(),
            RangeInner::Long(iter) => iter.next(),
        }
    }
}

impl<'a, T: Clone> Iterator for Range<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        self.take_one(false)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = match &self.0 {
            RangeInner::Short { front, back, .. } => back - front,
            RangeInner::Long(iter) => iter.len(),
        };
        (len, Some(len))
    }
}

impl<T: Clone> DoubleEndedIterator for Range<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.take_one(true)
    }
}

impl<T: Clone> ExactSizeIterator for Range<'_, T> {}

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
        values.into_iter().collect()
    }
}

impl<T: Clone> From<&[T]> for PVec<T> {
    fn from(values: &[T]) -> PVec<T> {
        values.iter().cloned().collect()
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
        let vector: imbl::Vector<T> = iter.into_iter().collect();
        PVec((!vector.is_empty()).then(|| Arc::new(vector)))
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

    #[test]
    fn set_from_keeps_the_storage_of_equal_elements_only() {
        let mut a: PVec<u32> = (0..100).collect();
        let b = a.clone();
        a.set_from(0..100);
        assert!(a.shares_with(&b), "same elements: same storage");
        for values in [0..50, 0..150, 1..101, 0..0] {
            let mut c = b.clone();
            c.set_from(values.clone());
            assert_eq!(c, values.collect::<Vec<_>>());
        }
        let mut d: PVec<u32> = PVec::new();
        d.set_from(3..5);
        assert_eq!(d, [3, 4]);
        d.set_from(0..0);
        assert!(d.is_empty() && d.0.is_none(), "empty holds nothing");
    }
}
