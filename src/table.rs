//! One table: a slotmap arena of rows, and each row's insertion sequence number.

use std::any::Any;

use slotmap::{Key, SlotMap};

use crate::Model;
use crate::id::RowKey;

/// The arena of one table. Only the store mutates it, always together with its indexes.
///
/// Beside the rows, `seqs` holds each live row's insertion sequence number, by slot. It lets the
/// foreign-key index list children in insertion order and still be rebuilt from the tables
/// alone. It lives apart from the rows so that a row's slot is exactly as big as in a plain
/// slotmap: reads and scans never touch it.
#[doc(hidden)]
pub struct Table<T> {
    rows: SlotMap<RowKey, T>,
    seqs: Vec<u64>,
    next_seq: u64,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table::new()
    }
}

/// A slot whose generation reaches this value is retired instead of freed, so that its
/// generation counter never wraps around and an old id can never match a new row.
const LAST_VERSION: u32 = u32::MAX - 2;

/// A key's slot index and generation. slotmap documents no layout for `as_ffi`; this is the
/// only place that relies on it (low half: index, high half: version), and
/// `tests::key_layout_is_index_then_version` pins it.
#[inline]
pub(crate) fn slot_of(key: RowKey) -> (usize, u32) {
    let bits = key.data().as_ffi();
    ((bits & 0xffff_ffff) as usize, (bits >> 32) as u32)
}

impl<T> Table<T> {
    #[doc(hidden)]
    pub fn new() -> Self {
        Table {
            rows: SlotMap::with_key(),
            seqs: Vec::new(),
            next_seq: 0,
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: RowKey) -> Option<&T> {
        self.rows.get(key)
    }

    #[inline]
    pub(crate) fn contains_key(&self, key: RowKey) -> bool {
        self.rows.contains_key(key)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, key: RowKey) -> Option<&mut T> {
        self.rows.get_mut(key)
    }

    /// The insertion sequence number of a live row.
    #[inline]
    pub(crate) fn seq(&self, key: RowKey) -> Option<u64> {
        if !self.rows.contains_key(key) {
            return None;
        }
        self.seqs.get(slot_of(key).0).copied()
    }

    #[inline]
    pub(crate) fn insert(&mut self, row: T) -> RowKey {
        let key = self.rows.insert(row);
        let (slot, _) = slot_of(key);
        if slot >= self.seqs.len() {
            self.seqs.resize(slot + 1, 0);
        }
        self.seqs[slot] = self.next_seq;
        self.next_seq += 1;
        key
    }

    #[inline]
    pub(crate) fn remove(&mut self, key: RowKey) -> Option<T> {
        if slot_of(key).1 >= LAST_VERSION {
            self.rows.detach(key) // never reattached: the slot is retired for good
        } else {
            self.rows.remove(key)
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn iter(&self) -> slotmap::basic::Iter<'_, RowKey, T> {
        self.rows.iter()
    }
}

/// The type-erased face of a table: what the store needs to walk relations across tables whose
/// row types it does not know statically (cascades, set-null, index rebuilds).
#[doc(hidden)]
pub trait AnyTable: Any + Send + Sync {
    fn contains(&self, key: RowKey) -> bool;
    fn row_count(&self) -> usize;
    fn seq(&self, key: RowKey) -> Option<u64>;
    fn row(&self, key: RowKey) -> Option<&dyn Any>;
    fn row_mut(&mut self, key: RowKey) -> Option<&mut dyn Any>;
    /// Removes a row and drops it. The row is out of the arena before its `Drop` runs, so a
    /// panicking `Drop` leaves the table consistent.
    fn remove_row(&mut self, key: RowKey);
    fn keys(&self) -> Box<dyn Iterator<Item = RowKey> + '_>;
}

impl<T: Model> AnyTable for Table<T> {
    fn contains(&self, key: RowKey) -> bool {
        self.rows.contains_key(key)
    }

    fn row_count(&self) -> usize {
        self.len()
    }

    fn seq(&self, key: RowKey) -> Option<u64> {
        Table::seq(self, key)
    }

    fn row(&self, key: RowKey) -> Option<&dyn Any> {
        self.get(key).map(|row| row as &dyn Any)
    }

    fn row_mut(&mut self, key: RowKey) -> Option<&mut dyn Any> {
        self.get_mut(key).map(|row| row as &mut dyn Any)
    }

    fn remove_row(&mut self, key: RowKey) {
        drop(self.remove(key));
    }

    fn keys(&self) -> Box<dyn Iterator<Item = RowKey> + '_> {
        Box::new(self.rows.keys())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_layout_is_index_then_version() {
        let mut table: Table<u8> = Table::new();
        let first = table.insert(1);
        let second = table.insert(2);
        assert_eq!(slot_of(first), (1, 1)); // slot 0 is slotmap's null sentinel
        assert_eq!(slot_of(second), (2, 1));
        table.remove(first);
        let reused = table.insert(3);
        assert_eq!(slot_of(reused), (1, 3)); // odd versions are occupied
    }

    #[test]
    fn a_slot_at_the_last_version_is_retired_not_reused() {
        let mut table: Table<u8> = Table::new();
        let key = table.insert(1);
        let (slot, _) = slot_of(key);
        let near_wrap: RowKey =
            slotmap::KeyData::from_ffi((u64::from(LAST_VERSION) << 32) | slot as u64).into();
        // No live row has that version, so nothing is removed...
        assert_eq!(table.remove(near_wrap), None);
        // ...and an ordinary remove frees the slot for reuse.
        assert_eq!(table.remove(key), Some(1));
        let reused = table.insert(2);
        assert_eq!(slot_of(reused).0, slot);
        assert_ne!(reused, key);
    }

    #[test]
    fn sequence_numbers_follow_insertion_order_across_slot_reuse() {
        let mut table: Table<String> = Table::new();
        let a = table.insert("a".into());
        let b = table.insert("b".into());
        table.remove(a);
        let c = table.insert("c".into()); // takes a's slot, but comes after b
        assert_eq!(slot_of(c).0, slot_of(a).0);
        assert!(table.seq(b).unwrap() < table.seq(c).unwrap());
        assert_eq!(table.seq(a), None);
    }
}
