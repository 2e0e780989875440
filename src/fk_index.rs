//! The foreign-key index of one relation: parent key -> its children, in insertion order.

use slotmap::SecondaryMap;

use crate::id::RowKey;

/// Children per parent. Derived data: it holds nothing the rows do not, and
/// [`crate::Db`] rebuilds it from them. Empty lists are dropped, so the index costs
/// nothing for parents without children.
#[derive(Default, Clone, PartialEq, Eq, Debug)]
#[doc(hidden)]
pub struct FkIndex {
    children: SecondaryMap<RowKey, Vec<RowKey>>,
}

impl FkIndex {
    /// The children of `parent`, oldest first; empty for a parent without children.
    #[inline]
    pub(crate) fn children(&self, parent: RowKey) -> &[RowKey] {
        self.children.get(parent).map_or(&[], Vec::as_slice)
    }

    /// Appends a child inserted after every row already in its table.
    #[inline]
    pub(crate) fn push(&mut self, parent: RowKey, child: RowKey) {
        // Not `SecondaryMap::entry`: it refuses any key whose version is 2^31 or more ahead of
        // an empty slot's, i.e. a parent whose slot has been reused a billion times.
        match self.children.get_mut(parent) {
            Some(siblings) => siblings.push(child),
            None => {
                self.children.insert(parent, vec![child]);
            }
        }
    }

    /// Inserts a re-parented child at its place by insertion sequence (`seq_of` gives a
    /// sibling's sequence number).
    pub(crate) fn insert_ordered(
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

    /// Removes one child from its parent's list, keeping the others' order. O(siblings).
    pub(crate) fn detach(&mut self, parent: RowKey, child: RowKey) {
        if let Some(siblings) = self.children.get_mut(parent) {
            if let Some(at) = siblings.iter().position(|&c| c == child) {
                siblings.remove(at);
            }
            if siblings.is_empty() {
                self.children.remove(parent);
            }
        }
    }

    /// Removes `leaving`, some of `parent`'s children given in the list's own (insertion)
    /// order, in one pass over the list: O(siblings) however many leave.
    pub(crate) fn remove_in_order(
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
    pub(crate) fn remove_parent(&mut self, parent: RowKey) {
        self.children.remove(parent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use slotmap::KeyData;

    fn key(index: u32, version: u32) -> RowKey {
        KeyData::from_ffi((u64::from(version) << 32) | u64::from(index)).into()
    }

    #[test]
    fn a_parent_whose_slot_was_reused_a_billion_times_keeps_its_children() {
        let old_parent = key(1, (1 << 31) | 1); // a version SecondaryMap::entry would refuse
        let mut index = FkIndex::default();
        index.push(old_parent, key(7, 1));
        index.insert_ordered(old_parent, key(8, 1), 0, |_| 1);
        assert_eq!(index.children(old_parent), [key(8, 1), key(7, 1)]);
        index.detach(old_parent, key(7, 1));
        index.detach(old_parent, key(8, 1));
        assert!(index.children(old_parent).is_empty());
        index.insert_ordered(old_parent, key(9, 1), 0, |_| 0);
        assert_eq!(index.children(old_parent), [key(9, 1)]);
    }

    #[test]
    fn removing_children_in_order_keeps_the_others_in_order() {
        let parent = key(1, 1);
        let mut index = FkIndex::default();
        for i in 2..10 {
            index.push(parent, key(i, 1));
        }
        index.remove_in_order(parent, [2, 5, 6, 9].map(|i| key(i, 1)));
        assert_eq!(index.children(parent), [3, 4, 7, 8].map(|i| key(i, 1)));
        index.remove_in_order(parent, [3, 4, 7, 8].map(|i| key(i, 1)));
        assert!(index.children(parent).is_empty());
    }

    #[test]
    fn children_stay_in_insertion_order() {
        let parent = key(1, 1);
        let mut index = FkIndex::default();
        for i in 2..6 {
            index.push(parent, key(i, 1));
        }
        index.detach(parent, key(3, 1));
        let seq = |k: RowKey| u64::from(slotmap::Key::data(&k).as_ffi() as u32);
        index.insert_ordered(parent, key(3, 1), 3, seq);
        assert_eq!(index.children(parent), [2, 3, 4, 5].map(|i| key(i, 1)));
    }
}
