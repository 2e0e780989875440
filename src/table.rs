//! One table: a slotmap arena of rows, each stamped with its insertion sequence number.

use std::any::Any;

use slotmap::{Key, SlotMap};

use crate::Model;
use crate::id::RowKey;

/// A row as stored: the user's struct and the order in which it was inserted.
///
/// The sequence number is what lets the foreign-key index list children in insertion order and
/// still be rebuilt from the rows alone.
#[derive(Clone)]
pub(crate) struct Entry<T> {
    pub(crate) seq: u64,
    pub(crate) row: T,
}

/// The arena of one table. Only the store mutates it, always together with its indexes.
pub(crate) struct Table<T> {
    rows: SlotMap<RowKey, Entry<T>>,
    next_seq: u64,
}

/// A slot whose generation reaches this value is retired instead of freed, so that its
/// generation counter never wraps around and an old id can never match a new row.
const LAST_VERSION: u32 = u32::MAX - 2;

impl<T> Table<T> {
    pub(crate) fn new() -> Self {
        Table {
            rows: SlotMap::with_key(),
            next_seq: 0,
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: RowKey) -> Option<&T> {
        self.rows.get(key).map(|entry| &entry.row)
    }

    #[inline]
    pub(crate) fn entry(&self, key: RowKey) -> Option<&Entry<T>> {
        self.rows.get(key)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, key: RowKey) -> Option<&mut T> {
        self.rows.get_mut(key).map(|entry| &mut entry.row)
    }

    pub(crate) fn insert(&mut self, row: T) -> RowKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.rows.insert(Entry { seq, row })
    }

    pub(crate) fn remove(&mut self, key: RowKey) -> Option<T> {
        let version = (key.data().as_ffi() >> 32) as u32;
        let entry = if version >= LAST_VERSION {
            self.rows.detach(key) // never reattached: the slot is retired for good
        } else {
            self.rows.remove(key)
        };
        entry.map(|entry| entry.row)
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn iter(&self) -> slotmap::basic::Iter<'_, RowKey, Entry<T>> {
        self.rows.iter()
    }
}

/// The type-erased face of a table: what the store needs to walk relations across tables whose
/// row types it does not know statically (cascades, set-null, index rebuilds).
pub(crate) trait AnyTable: Any + Send + Sync {
    fn contains(&self, key: RowKey) -> bool;
    fn row_count(&self) -> usize;
    fn seq(&self, key: RowKey) -> Option<u64>;
    fn row(&self, key: RowKey) -> Option<&dyn Any>;
    fn row_mut(&mut self, key: RowKey) -> Option<&mut dyn Any>;
    fn remove_row(&mut self, key: RowKey) -> bool;
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
        self.rows.get(key).map(|entry| entry.seq)
    }

    fn row(&self, key: RowKey) -> Option<&dyn Any> {
        self.get(key).map(|row| row as &dyn Any)
    }

    fn row_mut(&mut self, key: RowKey) -> Option<&mut dyn Any> {
        self.get_mut(key).map(|row| row as &mut dyn Any)
    }

    fn remove_row(&mut self, key: RowKey) -> bool {
        self.remove(key).is_some()
    }

    fn keys(&self) -> Box<dyn Iterator<Item = RowKey> + '_> {
        Box::new(self.rows.keys())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_near_version_wrap_is_retired_not_reused() {
        let mut table: Table<u8> = Table::new();
        let key = table.insert(1);
        let near_wrap: RowKey = slotmap::KeyData::from_ffi(
            (u64::from(LAST_VERSION) << 32) | (key.data().as_ffi() & 0xffff_ffff),
        )
        .into();
        // A fresh key with that version does not exist, so nothing is removed...
        assert_eq!(table.remove(near_wrap), None);
        // ...and an ordinary remove frees the slot for reuse.
        assert_eq!(table.remove(key), Some(1));
        let reused = table.insert(2);
        assert_eq!(
            reused.data().as_ffi() & 0xffff_ffff,
            key.data().as_ffi() & 0xffff_ffff
        );
        assert_ne!(reused, key);
    }

    #[test]
    fn sequence_numbers_follow_insertion_order() {
        let mut table: Table<String> = Table::new();
        let a = table.insert("a".into());
        let b = table.insert("b".into());
        table.remove(a);
        let c = table.insert("c".into()); // takes a's slot, but comes after b
        assert!(table.entry(b).unwrap().seq < table.entry(c).unwrap().seq);
    }
}
