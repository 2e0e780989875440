//! The foreign-key index of one relation: parent key -> its children, in creation order.

mod chunked;
mod family;

use std::iter::FusedIterator;
use std::slice;

use slotmap::SecondaryMap;

use self::chunked::Chunk;
pub(crate) use self::family::Family;
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
/// A small family's keys are one slice, all in `front`, and `rest` is `None`: walking them
/// is walking a slice, plus one test of `rest` at the end. A big family's first chunk is in
/// `front` and the others in `rest`, pulled into `front` (or into `rest.back`, from the other
/// end) as each runs out.
#[derive(Clone, Default)]
#[doc(hidden)]
pub struct ChildKeys<'a> {
    front: slice::Iter<'a, RowKey>,
    rest: Option<Rest<'a>>,
}

/// The chunks of a big family not yet in [`ChildKeys::front`]. Its methods are out of line
/// (and cold): a small family's walk only tests that there is none.
#[derive(Clone)]
struct Rest<'a> {
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
            rest: None,
        }
    }

    /// One key, for a unique index's answer.
    #[inline]
    pub(crate) fn one(key: &'a RowKey) -> Self {
        ChildKeys::flat(std::slice::from_ref(key))
    }

    /// The keys of `chunks`, `len` in all.
    fn chunked(chunks: &'a [Chunk], len: usize) -> Self {
        let Some((first, middle)) = chunks.split_first() else {
            return ChildKeys::default();
        };
        ChildKeys {
            front: first.keys().iter(),
            rest: Some(Rest {
                middle: middle.iter(),
                middle_len: len - first.keys().len(),
                back: [].iter(),
            }),
        }
    }

    /// The next run of keys stored together (a small family's whole list, or what is left
    /// of one chunk), consumed; `None` at the end. For internal iteration (`fold`): a loop
    /// over a slice is a counted loop, shorter than `next`'s.
    #[inline]
    pub(crate) fn next_slice(&mut self) -> Option<&'a [RowKey]> {
        if self.front.len() != 0 {
            return Some(std::mem::take(&mut self.front).as_slice());
        }
        self.rest.as_mut()?.next_slice()
    }

    /// The oldest child.
    #[inline]
    pub(crate) fn first(&self) -> Option<RowKey> {
        self.clone().next()
    }
}

impl<'a> Rest<'a> {
    /// [`ChildKeys::next_slice`] once `front` is used up.
    #[cold]
    #[inline(never)]
    fn next_slice(&mut self) -> Option<&'a [RowKey]> {
        if let Some(chunk) = self.middle.next() {
            self.middle_len -= chunk.keys().len();
            return Some(chunk.keys());
        }
        let back = std::mem::take(&mut self.back).as_slice();
        (!back.is_empty()).then_some(back)
    }

    /// [`ChildKeys::next`] once `front` is used up: the next chunk goes into `front`.
    #[cold]
    #[inline(never)]
    fn next(&mut self, front: &mut slice::Iter<'a, RowKey>) -> Option<RowKey> {
        match self.middle.next() {
            Some(chunk) => {
                self.middle_len -= chunk.keys().len();
                *front = chunk.keys().iter();
                front.next().copied()
            }
            None => self.back.next().copied(),
        }
    }

    /// [`ChildKeys::next_back`]: from `back`, refilled from the last chunk, then `front`.
    #[cold]
    #[inline(never)]
    fn next_back(&mut self, front: &mut slice::Iter<'a, RowKey>) -> Option<RowKey> {
        if let Some(&key) = self.back.next_back() {
            return Some(key);
        }
        match self.middle.next_back() {
            Some(chunk) => {
                self.middle_len -= chunk.keys().len();
                self.back = chunk.keys().iter();
                self.back.next_back().copied()
            }
            None => front.next_back().copied(),
        }
    }

    fn len(&self) -> usize {
        self.middle_len + self.back.len()
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
        if let Some(&key) = self.front.next() {
            return Some(key);
        }
        self.rest.as_mut()?.next(&mut self.front)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.front.len() + self.rest.as_ref().map_or(0, Rest::len);
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

impl std::fmt::Debug for ChildKeys<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildKeys")
            .field("len", &self.len())
            .finish()
    }
}

impl DoubleEndedIterator for ChildKeys<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<RowKey> {
        match &mut self.rest {
            None => self.front.next_back().copied(),
            Some(rest) => rest.next_back(&mut self.front),
        }
    }
}

impl ExactSizeIterator for ChildKeys<'_> {}
impl FusedIterator for ChildKeys<'_> {}

#[cfg(test)]
mod tests;
