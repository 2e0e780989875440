//! The foreign-key index of one relation: parent key -> its children, in insertion order.

use slotmap::SecondaryMap;

use crate::id::RowKey;

/// Children per parent. Derived data: it holds nothing the rows do not, and
/// [`crate::Db`] rebuilds it from them. Empty lists are dropped, so the index costs
/// nothing for parents without children.
#[derive(Default, Clone, PartialEq, Eq, Debug)]
pub(crate) struct FkIndex {
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
        match self.children.entry(parent) {
            Some(entry) => entry.or_default().push(child),
            None => debug_assert!(false, "parent key of a foreign key must be valid"),
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
        if let Some(entry) = self.children.entry(parent) {
            let siblings = entry.or_default();
            let at = siblings.partition_point(|&sibling| seq_of(sibling) < seq);
            siblings.insert(at, child);
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

    /// Forgets a deleted parent's list.
    pub(crate) fn remove_parent(&mut self, parent: RowKey) {
        self.children.remove(parent);
    }
}
