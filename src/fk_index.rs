//! The foreign-key index of one relation: parent key -> its children, in creation order.

mod chunked;
mod family;

use std::iter::FusedIterator;
use std::slice;

use slotmap::SecondaryMap;

use self::chunked::Chunk;
use self::family::Family;
use crate::id::RowKey;

/// Children per parent. Derived data: it holds nothing the rows do not, and the store
/// rebuilds it from them (`Db::check_integrity` compares the two). Empty lists are dropped;
/// the map itself is dense by parent slot, 32 bytes per slot up to the highest parent with
/// children.
///
/// How a parent's list is stored is this module's business: the rest of the crate sees
/// [`ChildKeys`] and the methods below, never a slice. A family is a plain `Vec` while small
/// and a chunked list keyed by creation number once big (`family.rs`), so that removing one
/// child of 100,000 is two binary searches and a move within one chunk.
///
/// Equality is by content: two indexes listing the same children in the same order are
/// equal, however each list happens to be stored.
#[derive(Default, Clone, PartialEq, Eq, Debug)]
#[doc(hidden)]
pub struct FkIndex {
    children: SecondaryMap<RowKey, Family>,
}

impl FkIndex {
    /// The children of `parent`, oldest first; none for a parent without children.
    #[inline]
    pub(crate) fn children(&self, parent: RowKey) -> ChildKeys<'_> {
        self.children
            .get(parent)
            .map_or_else(ChildKeys::default, Family::keys)
    }

    /// Whether `parent` has no children.
    #[inline]
    pub(crate) fn is_childless(&self, parent: RowKey) -> bool {
        self.children.get(parent).is_none()
    }

    /// Links a child created after every row already in its table: it goes last. `seq_of`
    /// gives a child's creation number; only a big family asks.
    #[inline]
    pub(crate) fn link_newest(
        &mut self,
        parent: RowKey,
        child: RowKey,
        seq_of: impl Fn(RowKey) -> u64,
    ) {
        // Not `SecondaryMap::entry`: it refuses any key whose version is 2^31 or more ahead of
        // an empty slot's, i.e. a parent whose slot has been reused a billion times.
        match self.children.get_mut(parent) {
            Some(siblings) => siblings.push_newest(child, seq_of),
            None => {
                self.children.insert(parent, Family::new(child));
            }
        }
    }

    /// Links a child at its place by creation number (`seq_of` gives a sibling's).
    pub(crate) fn link(
        &mut self,
        parent: RowKey,
        child: RowKey,
        seq: u64,
        seq_of: impl Fn(RowKey) -> u64,
    ) {
        match self.children.get_mut(parent) {
            Some(siblings) => siblings.insert(child, seq, seq_of),
            None => {
                self.children.insert(parent, Family::new(child));
            }
        }
    }

    /// Unlinks one child from its parent, keeping the others' order: O(siblings) in a small
    /// family, O(log siblings) in a big one.
    ///
    /// `seq` gives the child's creation number, and is called only for a big family. A
    /// closure rather than a position map (child -> place): the callers can read the number
    /// from the table at no cost to the common case, while a map would cost every insert and
    /// every removal a hash update, and 16 bytes or more per child.
    #[inline]
    pub(crate) fn unlink(&mut self, parent: RowKey, child: RowKey, seq: impl FnOnce() -> u64) {
        if let Some(siblings) = self.children.get_mut(parent) {
            siblings.remove(child, seq);
            if siblings.is_empty() {
                self.children.remove(parent);
            }
        }
    }

    /// Unlinks `leaving`, some of `parent`'s children given in creation order with their
    /// creation numbers, in one pass: O(siblings) in a small family, O(leaving * log
    /// siblings) plus the chunks touched in a big one.
    pub(crate) fn unlink_many(
        &mut self,
        parent: RowKey,
        leaving: impl IntoIterator<Item = (u64, RowKey)>,
    ) {
        if let Some(siblings) = self.children.get_mut(parent) {
            siblings.remove_sorted(leaving);
            if siblings.is_empty() {
                self.children.remove(parent);
            }
        }
    }

    /// Forgets a deleted parent's list.
    pub(crate) fn forget_parent(&mut self, parent: RowKey) {
        self.children.remove(parent);
    }
}

/// The keys of one parent's children, oldest first; from [`FkIndex::children`].
///
/// A small family is one slice, walked in `front`; a big one is its first chunk in `front`,
/// the others in `middle`, pulled into `front` (or `back`, from the other end) as each runs
/// out. A small family's walk is the slice's, plus two pointer compares at its end.
#[derive(Clone, Default)]
pub(crate) struct ChildKeys<'a> {
    front: slice::Iter<'a, RowKey>,
    middle: slice::Iter<'a, Chunk>,
    /// The keys in `middle`'s chunks: `len` stays O(1).
    middle_len: usize,
    back: slice::Iter<'a, RowKey>,
}

impl<'a> ChildKeys<'a> {
    /// The keys of one list.
    #[inline]
    fn flat(keys: &'a [RowKey]) -> Self {
        ChildKeys {
            front: keys.iter(),
            ..ChildKeys::default()
        }
    }

    /// The keys of `chunks`, `len` in all.
    fn chunked(chunks: &'a [Chunk], len: usize) -> Self {
        let mut keys = ChildKeys {
            middle: chunks.iter(),
            middle_len: len,
            ..ChildKeys::default()
        };
        keys.pull_front();
        keys
    }

    /// Moves the next chunk of `middle` into `front`; false if there is none.
    #[inline]
    fn pull_front(&mut self) -> bool {
        let Some(chunk) = self.middle.next() else {
            return false;
        };
        self.middle_len -= chunk.keys().len();
        self.front = chunk.keys().iter();
        true
    }

    /// Moves the last chunk of `middle` into `back`; false if there is none.
    #[inline]
    fn pull_back(&mut self) -> bool {
        let Some(chunk) = self.middle.next_back() else {
            return false;
        };
        self.middle_len -= chunk.keys().len();
        self.back = chunk.keys().iter();
        true
    }

    /// The next run of keys stored together (a small family's whole list, or what is left
    /// of one chunk), consumed; `None` at the end. For internal iteration (`fold`): a loop
    /// over a slice is a counted loop, shorter than `next`'s, which must check for a next
    /// chunk.
    #[inline]
    pub(crate) fn next_slice(&mut self) -> Option<&'a [RowKey]> {
        if self.front.len() == 0 && !self.pull_front() {
            let back = std::mem::take(&mut self.back).as_slice();
            return (!back.is_empty()).then_some(back);
        }
        Some(std::mem::take(&mut self.front).as_slice())
    }

    /// The oldest child.
    #[inline]
    pub(crate) fn first(&self) -> Option<RowKey> {
        let mut keys = self.clone();
        keys.next()
    }
}

#[cfg(test)]
impl<'a> From<&'a [RowKey]> for ChildKeys<'a> {
    fn from(keys: &'a [RowKey]) -> Self {
        ChildKeys::flat(keys)
    }
}

impl Iterator for ChildKeys<'_> {
    type Item = RowKey;

    #[inline]
    fn next(&mut self) -> Option<RowKey> {
        loop {
            if let Some(&key) = self.front.next() {
                return Some(key);
            }
            if !self.pull_front() {
                return self.back.next().copied();
            }
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.front.len() + self.middle_len + self.back.len();
        (len, Some(len))
    }

    #[inline]
    fn fold<B, F: FnMut(B, RowKey) -> B>(mut self, init: B, mut f: F) -> B {
        let mut acc = init;
        while let Some(keys) = self.next_slice() {
            acc = keys.iter().fold(acc, |acc, &key| f(acc, key));
        }
        acc
    }
}

impl DoubleEndedIterator for ChildKeys<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<RowKey> {
        loop {
            if let Some(&key) = self.back.next_back() {
                return Some(key);
            }
            if !self.pull_back() {
                return self.front.next_back().copied();
            }
        }
    }
}

impl ExactSizeIterator for ChildKeys<'_> {}
impl FusedIterator for ChildKeys<'_> {}

#[cfg(test)]
mod tests;
