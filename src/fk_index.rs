//! The foreign-key index of one relation: parent key -> its children, in creation order.

use std::iter::FusedIterator;
use std::slice;

use slotmap::SecondaryMap;

use crate::id::RowKey;

/// Children per parent. Derived data: it holds nothing the rows do not, and the store
/// rebuilds it from them (`Db::check_integrity` compares the two). Empty lists are dropped;
/// the map itself is dense by parent slot, 32 bytes per slot up to the highest parent with
/// children.
///
/// How a parent's list is stored is this file's business: the rest of the crate sees
/// [`ChildKeys`] and the methods below, never a slice, so that big families can get another
/// shape without touching delete planning, has-one checks or `Children`.
#[derive(Default, Clone, PartialEq, Eq, Debug)]
#[doc(hidden)]
pub struct FkIndex {
    children: SecondaryMap<RowKey, Vec<RowKey>>,
}

impl FkIndex {
    /// The children of `parent`, oldest first; none for a parent without children.
    #[inline]
    pub(crate) fn children(&self, parent: RowKey) -> ChildKeys<'_> {
        ChildKeys(
            self.children
                .get(parent)
                .map_or(&[][..], Vec::as_slice)
                .iter(),
        )
    }

    /// Whether `parent` has no children.
    #[inline]
    pub(crate) fn is_childless(&self, parent: RowKey) -> bool {
        self.children.get(parent).is_none()
    }

    /// Links a child created after every row already in its table: it goes last.
    #[inline]
    pub(crate) fn link_newest(&mut self, parent: RowKey, child: RowKey) {
        // Not `SecondaryMap::entry`: it refuses any key whose version is 2^31 or more ahead of
        // an empty slot's, i.e. a parent whose slot has been reused a billion times.
        match self.children.get_mut(parent) {
            Some(siblings) => siblings.push(child),
            None => {
                self.children.insert(parent, vec![child]);
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
            Some(siblings) => {
                let at = siblings.partition_point(|&sibling| seq_of(sibling) < seq);
                siblings.insert(at, child);
            }
            None => {
                self.children.insert(parent, vec![child]);
            }
        }
    }

    /// Unlinks one child from its parent, keeping the others' order. O(siblings).
    pub(crate) fn unlink(&mut self, parent: RowKey, child: RowKey) {
        if let Some(siblings) = self.children.get_mut(parent) {
            if let Some(at) = siblings.iter().position(|&c| c == child) {
                siblings.remove(at);
            }
            if siblings.is_empty() {
                self.children.remove(parent);
            }
        }
    }

    /// Unlinks `leaving`, some of `parent`'s children given in creation order, in one pass
    /// over the list: O(siblings) however many leave.
    pub(crate) fn unlink_many(
        &mut self,
        parent: RowKey,
        leaving: impl IntoIterator<Item = RowKey>,
    ) {
        let Some(siblings) = self.children.get_mut(parent) else {
            return;
        };
        // Each run of staying children between two leaving ones moves once, as one memmove.
        let (mut kept, mut read) = (0, 0);
        for child in leaving {
            let Some(offset) = siblings[read..].iter().position(|&c| c == child) else {
                break; // not a child of `parent`: nothing more to remove
            };
            if kept != read {
                siblings.copy_within(read..read + offset, kept);
            }
            kept += offset;
            read += offset + 1;
        }
        let tail = siblings.len() - read;
        if kept != read {
            siblings.copy_within(read.., kept);
        }
        siblings.truncate(kept + tail);
        if siblings.is_empty() {
            self.children.remove(parent);
        }
    }

    /// Forgets a deleted parent's list.
    pub(crate) fn forget_parent(&mut self, parent: RowKey) {
        self.children.remove(parent);
    }
}

/// The keys of one parent's children, oldest first; from [`FkIndex::children`].
#[derive(Clone, Default)]
pub(crate) struct ChildKeys<'a>(slice::Iter<'a, RowKey>);

impl ChildKeys<'_> {
    /// The oldest child.
    #[inline]
    pub(crate) fn first(&self) -> Option<RowKey> {
        self.0.as_slice().first().copied()
    }
}

#[cfg(test)]
impl<'a> From<&'a [RowKey]> for ChildKeys<'a> {
    fn from(keys: &'a [RowKey]) -> Self {
        ChildKeys(keys.iter())
    }
}

impl Iterator for ChildKeys<'_> {
    type Item = RowKey;

    #[inline]
    fn next(&mut self) -> Option<RowKey> {
        self.0.next().copied()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for ChildKeys<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<RowKey> {
        self.0.next_back().copied()
    }
}

impl ExactSizeIterator for ChildKeys<'_> {}
impl FusedIterator for ChildKeys<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use slotmap::KeyData;

    fn key(index: u32, version: u32) -> RowKey {
        KeyData::from_ffi((u64::from(version) << 32) | u64::from(index)).into()
    }

    fn list(index: &FkIndex, parent: RowKey) -> Vec<RowKey> {
        index.children(parent).collect()
    }

    #[test]
    fn a_parent_whose_slot_was_reused_a_billion_times_keeps_its_children() {
        let old_parent = key(1, (1 << 31) | 1); // a version SecondaryMap::entry would refuse
        let mut index = FkIndex::default();
        index.link_newest(old_parent, key(7, 1));
        index.link(old_parent, key(8, 1), 0, |_| 1);
        assert_eq!(list(&index, old_parent), [key(8, 1), key(7, 1)]);
        index.unlink(old_parent, key(7, 1));
        index.unlink(old_parent, key(8, 1));
        assert!(index.is_childless(old_parent));
        index.link(old_parent, key(9, 1), 0, |_| 0);
        assert_eq!(list(&index, old_parent), [key(9, 1)]);
    }

    #[test]
    fn unlinking_many_children_keeps_the_others_in_order() {
        let parent = key(1, 1);
        let mut index = FkIndex::default();
        for i in 2..10 {
            index.link_newest(parent, key(i, 1));
        }
        index.unlink_many(parent, [2, 5, 6, 9].map(|i| key(i, 1)));
        assert_eq!(list(&index, parent), [3, 4, 7, 8].map(|i| key(i, 1)));
        index.unlink_many(parent, [3, 4, 7, 8].map(|i| key(i, 1)));
        assert!(index.is_childless(parent));
    }

    #[test]
    fn children_stay_in_creation_order() {
        let parent = key(1, 1);
        let mut index = FkIndex::default();
        for i in 2..6 {
            index.link_newest(parent, key(i, 1));
        }
        index.unlink(parent, key(3, 1));
        let seq = |k: RowKey| u64::from(slotmap::Key::data(&k).as_ffi() as u32);
        index.link(parent, key(3, 1), 3, seq);
        assert_eq!(list(&index, parent), [2, 3, 4, 5].map(|i| key(i, 1)));
        assert_eq!(index.children(parent).first(), Some(key(2, 1)));
        assert_eq!(index.children(parent).len(), 4);
    }
}
