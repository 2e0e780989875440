//! Hash stores: `#[relstore(unique)]` and `#[relstore(index)]`.
//!
//! A `hashbrown::HashTable` rather than `std`'s `HashMap`: a write probes the key while it is
//! checked and inserts it once every check passed, and the table takes the hash the probe
//! computed, so a key is hashed once per insert, as a hand-written `entry` call would. The
//! hasher is `std`'s keyed SipHash (`RandomState`), so keys from a hostile file cannot be
//! chosen to collide.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use super::{IndexStore, Lookup, LookupOne, Probe, Slot, first_duplicate, join, sealed};
use crate::fk_index::{ChildKeys, Family};
use crate::id::RowKey;

/// A hash table from key to the one row holding it: `#[relstore(unique)]`.
#[derive(Clone)]
pub struct UniqueHash<K> {
    entries: HashTable<(K, RowKey)>,
    state: RandomState,
}

/// A hash table from key to the rows holding it, in creation order: `#[relstore(index)]`.
#[derive(Clone)]
pub struct MultiHash<K> {
    entries: HashTable<(K, Family)>,
    state: RandomState,
}

macro_rules! common {
    ($($store:ident),*) => {$(
        impl<K> Default for $store<K> {
            fn default() -> Self {
                $store {
                    entries: HashTable::new(),
                    state: RandomState::new(),
                }
            }
        }

        impl<K> sealed::Sealed for $store<K> {}

        impl<K> fmt::Debug for $store<K> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($store)).field("keys", &self.entries.len()).finish()
            }
        }

        /// Equal by content: the same keys, each held by the same rows in the same order.
        impl<K: Hash + Eq, > PartialEq for $store<K> {
            fn eq(&self, other: &Self) -> bool {
                self.entries.len() == other.entries.len()
                    && self.entries.iter().all(|(key, rows)| {
                        let hash = other.state.hash_one(key);
                        other.entries.find(hash, |(k, _)| k == key).is_some_and(|(_, r)| r == rows)
                    })
            }
        }

        impl<K: Hash + Eq> $store<K> {
            /// The entry of `key`, if any.
            #[inline]
            fn entry_of<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&RowsOf<Self>>
            where
                K: Borrow<Q>,
            {
                let hash = self.state.hash_one(key);
                self.entries.find(hash, |(k, _)| k.borrow() == key).map(|(_, rows)| rows)
            }
        }
    )*};
}
common!(UniqueHash, MultiHash);

/// What a hash store keeps per key.
type RowsOf<S> = <S as Rows>::Of;

/// The value side of each hash store.
trait Rows {
    type Of;
}
impl<K> Rows for UniqueHash<K> {
    type Of = RowKey;
}
impl<K> Rows for MultiHash<K> {
    type Of = Family;
}

/// Duplicates by a hash map from borrowed keys to positions.
fn hash_duplicate<'r, K: Hash + Eq + 'r>(
    keys: impl Iterator<Item = &'r K>,
) -> Option<(usize, usize)> {
    first_duplicate(keys, |seen: &mut HashMap<&K, usize>, key, at| {
        match seen.get(key) {
            Some(&earlier) => Some(earlier),
            None => seen.insert(key, at).and(None),
        }
    })
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static> IndexStore<K> for UniqueHash<K> {
    const UNIQUE: bool = true;

    #[inline]
    fn probe(&self, key: &K) -> Probe {
        let hash = self.state.hash_one(key);
        Probe {
            holder: self
                .entries
                .find(hash, |(k, _)| k == key)
                .map(|&(_, row)| row),
            hash: Some(hash),
        }
    }

    #[inline]
    fn insert(&mut self, key: K, slot: Slot<'_>, hash: Option<u64>) {
        let state = &self.state;
        let hash = hash.unwrap_or_else(|| state.hash_one(&key));
        // A checked write: the key is free (or held by a row being re-keyed away from it).
        match self
            .entries
            .entry(hash, |(k, _)| *k == key, |(k, _)| state.hash_one(k))
        {
            Entry::Occupied(mut held) => held.get_mut().1 = slot.row,
            Entry::Vacant(free) => {
                free.insert((key, slot.row));
            }
        }
    }

    #[inline]
    fn remove(&mut self, key: &K, row: RowKey, _: u64) {
        let hash = self.state.hash_one(key);
        if let Ok(entry) = self
            .entries
            .find_entry(hash, |(k, r)| k == key && *r == row)
        {
            entry.remove();
        }
    }

    fn shrink_to_fit(&mut self) {
        let state = &self.state;
        self.entries.shrink_to_fit(|(k, _)| state.hash_one(k));
    }

    fn first_duplicate<'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)>
    where
        K: 'r,
    {
        hash_duplicate(keys)
    }
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static> IndexStore<K> for MultiHash<K> {
    const UNIQUE: bool = false;

    #[inline]
    fn probe(&self, key: &K) -> Probe {
        Probe {
            holder: None,
            hash: Some(self.state.hash_one(key)),
        }
    }

    #[inline]
    fn insert(&mut self, key: K, slot: Slot<'_>, hash: Option<u64>) {
        let state = &self.state;
        let hash = hash.unwrap_or_else(|| state.hash_one(&key));
        match self
            .entries
            .entry(hash, |(k, _)| *k == key, |(k, _)| state.hash_one(k))
        {
            Entry::Occupied(mut held) => join(&mut held.get_mut().1, slot),
            Entry::Vacant(free) => {
                free.insert((key, Family::new(slot.row)));
            }
        }
    }

    #[inline]
    fn remove(&mut self, key: &K, row: RowKey, seq: u64) {
        let hash = self.state.hash_one(key);
        if let Ok(mut entry) = self.entries.find_entry(hash, |(k, _)| k == key) {
            let (_, family) = entry.get_mut();
            family.remove(row, || seq);
            if family.is_empty() {
                entry.remove();
            }
        }
    }

    fn shrink_to_fit(&mut self) {
        let state = &self.state;
        self.entries.shrink_to_fit(|(k, _)| state.hash_one(k));
        for (_, family) in &mut self.entries {
            family.shrink_to_fit();
        }
    }
}

impl<K: Borrow<Q> + Hash + Eq, Q: Hash + Eq + ?Sized> Lookup<Q> for UniqueHash<K> {
    #[inline]
    fn find(&self, key: &Q) -> ChildKeys<'_> {
        self.entry_of(key)
            .map_or_else(ChildKeys::default, ChildKeys::one)
    }
}

impl<K: Borrow<Q> + Hash + Eq, Q: Hash + Eq + ?Sized> LookupOne<Q> for UniqueHash<K> {
    #[inline]
    fn find_one(&self, key: &Q) -> Option<RowKey> {
        self.entry_of(key).copied()
    }
}

impl<K: Borrow<Q> + Hash + Eq, Q: Hash + Eq + ?Sized> Lookup<Q> for MultiHash<K> {
    #[inline]
    fn find(&self, key: &Q) -> ChildKeys<'_> {
        self.entry_of(key)
            .map_or_else(ChildKeys::default, Family::keys)
    }
}
