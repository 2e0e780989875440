//! Where an index keeps its entries: a hash map or an ordered map from key to the row holding
//! it (unique) or to the rows holding it, in creation order (non-unique).

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, btree_map};
use std::hash::Hash;
use std::ops::Bound;

use crate::fk_index::{ChildKeys, Family};
use crate::id::RowKey;

/// The storage of one secondary index, as [`Index::Store`](super::Index::Store) names it:
/// [`UniqueHash`], [`MultiHash`], [`UniqueOrdered`] or [`MultiOrdered`]. Sealed: the store's
/// consistency with its rows is the crate's to keep.
pub trait IndexStore<K>:
    sealed::Sealed + Default + Clone + PartialEq + Send + Sync + 'static
{
    /// Whether a key may be held by one row only.
    const UNIQUE: bool;
    /// Whether the keys are ordered (ranges, top-k, prefixes).
    const ORDERED: bool;

    /// The row holding `key` already, if the index is unique and one does.
    #[doc(hidden)]
    fn holder(&self, key: &K) -> Option<RowKey>;
    /// Adds `row`, the newest of its table or placed by `seq` (see `seq_of`), under `key`.
    #[doc(hidden)]
    fn insert(&mut self, key: K, row: RowKey, seq: u64, seq_of: &dyn Fn(RowKey) -> u64);
    /// Removes `row` from under `key`.
    #[doc(hidden)]
    fn remove(&mut self, key: &K, row: RowKey, seq: u64);
    /// The number of distinct keys.
    #[doc(hidden)]
    fn keys_len(&self) -> usize;
    /// Gives back spare capacity.
    #[doc(hidden)]
    fn shrink_to_fit(&mut self);
    /// The positions of the first key equal to an earlier one, and of that earlier one.
    #[doc(hidden)]
    fn first_duplicate<'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)>
    where
        K: 'r;
}

/// [`IndexStore::first_duplicate`] with any map from borrowed keys to positions.
fn first_duplicate<'r, K: 'r, M: Default>(
    keys: impl Iterator<Item = &'r K>,
    mut insert: impl FnMut(&mut M, &'r K, usize) -> Option<usize>,
) -> Option<(usize, usize)> {
    let mut seen = M::default();
    keys.enumerate()
        .find_map(|(later, key)| insert(&mut seen, key, later).map(|earlier| (earlier, later)))
}

/// Rows by key, found by equality: a `Q` the key borrows as (`&str` for a `String` key).
pub trait Lookup<Q: ?Sized> {
    /// The rows holding the key, in creation order.
    #[doc(hidden)]
    fn find(&self, key: &Q) -> ChildKeys<'_>;
}

/// A unique index's one row per key.
pub trait LookupOne<Q: ?Sized>: Lookup<Q> {
    /// The row holding the key.
    #[doc(hidden)]
    fn find_one(&self, key: &Q) -> Option<RowKey>;
}

/// Rows by a range of keys, in key order (ties in creation order).
pub trait LookupRange<Q: ?Sized> {
    /// The rows of a range, in key order.
    #[doc(hidden)]
    type Keys<'a>: DoubleEndedIterator<Item = RowKey>
    where
        Self: 'a;
    /// The rows whose key lies between `bounds`, by key; none for an empty or inverted range.
    #[doc(hidden)]
    fn range(&self, bounds: (Bound<&Q>, Bound<&Q>)) -> Self::Keys<'_>;
}

/// A hash map from key to the one row holding it: `#[relstore(unique)]`.
#[derive(Clone, Debug)]
pub struct UniqueHash<K>(HashMap<K, RowKey>);

/// A hash map from key to the rows holding it, in creation order: `#[relstore(index)]`.
#[derive(Clone, Debug)]
pub struct MultiHash<K>(HashMap<K, Family>);

/// An ordered map from key to the one row holding it: `#[relstore(ordered, unique)]`.
#[derive(Clone, Debug)]
pub struct UniqueOrdered<K>(BTreeMap<K, RowKey>);

/// An ordered map from key to the rows holding it, in creation order: `#[relstore(ordered)]`.
#[derive(Clone, Debug)]
pub struct MultiOrdered<K>(BTreeMap<K, Family>);

macro_rules! defaults {
    ($($store:ident),*) => {$(
        impl<K> Default for $store<K> {
            fn default() -> Self {
                $store(Default::default())
            }
        }
        impl<K> sealed::Sealed for $store<K> {}
    )*};
}
defaults!(UniqueHash, MultiHash, UniqueOrdered, MultiOrdered);

/// Equal by content: the same keys, each held by the same rows in the same order.
macro_rules! equal_by_content {
    ($($store:ident: $($bound:path),+;)*) => {$(
        impl<K: $($bound +)+> PartialEq for $store<K> {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
    )*};
}
equal_by_content! {
    UniqueHash: Hash, Eq;
    MultiHash: Hash, Eq;
    UniqueOrdered: Ord;
    MultiOrdered: Ord;
}

/// Adds `row` to a non-unique key's family.
fn join(
    family: Option<&mut Family>,
    row: RowKey,
    seq: u64,
    seq_of: &dyn Fn(RowKey) -> u64,
) -> Option<Family> {
    match family {
        Some(family) => {
            family.insert(row, seq, seq_of);
            None
        }
        None => Some(Family::new(row)),
    }
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static> IndexStore<K> for UniqueHash<K> {
    const UNIQUE: bool = true;
    const ORDERED: bool = false;
    #[inline]
    fn holder(&self, key: &K) -> Option<RowKey> {
        self.0.get(key).copied()
    }
    #[inline]
    fn insert(&mut self, key: K, row: RowKey, _: u64, _: &dyn Fn(RowKey) -> u64) {
        self.0.insert(key, row);
    }
    #[inline]
    fn remove(&mut self, key: &K, row: RowKey, _: u64) {
        if self.0.get(key) == Some(&row) {
            self.0.remove(key);
        }
    }
    fn keys_len(&self) -> usize {
        self.0.len()
    }
    fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
    fn first_duplicate<'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)>
    where
        K: 'r,
    {
        first_duplicate(keys, |seen: &mut HashMap<&K, usize>, key, at| {
            match seen.get(key) {
                Some(&earlier) => Some(earlier),
                None => seen.insert(key, at).and(None),
            }
        })
    }
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static> IndexStore<K> for MultiHash<K> {
    const UNIQUE: bool = false;
    const ORDERED: bool = false;
    fn holder(&self, _: &K) -> Option<RowKey> {
        None
    }
    #[inline]
    fn insert(&mut self, key: K, row: RowKey, seq: u64, seq_of: &dyn Fn(RowKey) -> u64) {
        if let Some(new) = join(self.0.get_mut(&key), row, seq, seq_of) {
            self.0.insert(key, new);
        }
    }
    #[inline]
    fn remove(&mut self, key: &K, row: RowKey, seq: u64) {
        if let Some(family) = self.0.get_mut(key) {
            family.remove(row, || seq);
            if family.is_empty() {
                self.0.remove(key);
            }
        }
    }
    fn keys_len(&self) -> usize {
        self.0.len()
    }
    fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
    fn first_duplicate<'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)>
    where
        K: 'r,
    {
        first_duplicate(keys, |seen: &mut HashMap<&K, usize>, key, at| {
            match seen.get(key) {
                Some(&earlier) => Some(earlier),
                None => seen.insert(key, at).and(None),
            }
        })
    }
}

impl<K: Ord + Clone + Send + Sync + 'static> IndexStore<K> for UniqueOrdered<K> {
    const UNIQUE: bool = true;
    const ORDERED: bool = true;
    #[inline]
    fn holder(&self, key: &K) -> Option<RowKey> {
        self.0.get(key).copied()
    }
    #[inline]
    fn insert(&mut self, key: K, row: RowKey, _: u64, _: &dyn Fn(RowKey) -> u64) {
        self.0.insert(key, row);
    }
    #[inline]
    fn remove(&mut self, key: &K, row: RowKey, _: u64) {
        if self.0.get(key) == Some(&row) {
            self.0.remove(key);
        }
    }
    fn keys_len(&self) -> usize {
        self.0.len()
    }
    fn shrink_to_fit(&mut self) {}
    fn first_duplicate<'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)>
    where
        K: 'r,
    {
        first_duplicate(keys, |seen: &mut BTreeMap<&K, usize>, key, at| {
            match seen.get(key) {
                Some(&earlier) => Some(earlier),
                None => seen.insert(key, at).and(None),
            }
        })
    }
}

impl<K: Ord + Clone + Send + Sync + 'static> IndexStore<K> for MultiOrdered<K> {
    const UNIQUE: bool = false;
    const ORDERED: bool = true;
    fn holder(&self, _: &K) -> Option<RowKey> {
        None
    }
    #[inline]
    fn insert(&mut self, key: K, row: RowKey, seq: u64, seq_of: &dyn Fn(RowKey) -> u64) {
        if let Some(new) = join(self.0.get_mut(&key), row, seq, seq_of) {
            self.0.insert(key, new);
        }
    }
    #[inline]
    fn remove(&mut self, key: &K, row: RowKey, seq: u64) {
        if let Some(family) = self.0.get_mut(key) {
            family.remove(row, || seq);
            if family.is_empty() {
                self.0.remove(key);
            }
        }
    }
    fn keys_len(&self) -> usize {
        self.0.len()
    }
    fn shrink_to_fit(&mut self) {}
    fn first_duplicate<'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)>
    where
        K: 'r,
    {
        first_duplicate(keys, |seen: &mut BTreeMap<&K, usize>, key, at| {
            match seen.get(key) {
                Some(&earlier) => Some(earlier),
                None => seen.insert(key, at).and(None),
            }
        })
    }
}

impl<K: Borrow<Q> + Hash + Eq, Q: Hash + Eq + ?Sized> Lookup<Q> for UniqueHash<K> {
    #[inline]
    fn find(&self, key: &Q) -> ChildKeys<'_> {
        self.0
            .get(key)
            .map_or_else(ChildKeys::default, ChildKeys::one)
    }
}

impl<K: Borrow<Q> + Hash + Eq, Q: Hash + Eq + ?Sized> LookupOne<Q> for UniqueHash<K> {
    #[inline]
    fn find_one(&self, key: &Q) -> Option<RowKey> {
        self.0.get(key).copied()
    }
}

impl<K: Borrow<Q> + Hash + Eq, Q: Hash + Eq + ?Sized> Lookup<Q> for MultiHash<K> {
    #[inline]
    fn find(&self, key: &Q) -> ChildKeys<'_> {
        self.0
            .get(key)
            .map_or_else(ChildKeys::default, Family::keys)
    }
}

impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized> Lookup<Q> for UniqueOrdered<K> {
    #[inline]
    fn find(&self, key: &Q) -> ChildKeys<'_> {
        self.0
            .get(key)
            .map_or_else(ChildKeys::default, ChildKeys::one)
    }
}

impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized> LookupOne<Q> for UniqueOrdered<K> {
    #[inline]
    fn find_one(&self, key: &Q) -> Option<RowKey> {
        self.0.get(key).copied()
    }
}

impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized> Lookup<Q> for MultiOrdered<K> {
    #[inline]
    fn find(&self, key: &Q) -> ChildKeys<'_> {
        self.0
            .get(key)
            .map_or_else(ChildKeys::default, Family::keys)
    }
}

impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized> LookupRange<Q> for UniqueOrdered<K> {
    type Keys<'a>
        = std::iter::Map<btree_map::Range<'a, K, RowKey>, fn((&'a K, &'a RowKey)) -> RowKey>
    where
        Self: 'a;
    fn range(&self, range: (Bound<&Q>, Bound<&Q>)) -> Self::Keys<'_> {
        let range = match bounds(range) {
            Some(bounds) => self.0.range::<Q, _>(bounds),
            None => btree_map::Range::default(),
        };
        range.map(|(_, &row)| row)
    }
}

impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized> LookupRange<Q> for MultiOrdered<K> {
    type Keys<'a>
        = RangeKeys<'a, K>
    where
        Self: 'a;
    fn range(&self, range: (Bound<&Q>, Bound<&Q>)) -> RangeKeys<'_, K> {
        RangeKeys {
            entries: match bounds(range) {
                Some(bounds) => self.0.range::<Q, _>(bounds),
                None => btree_map::Range::default(),
            },
            front: ChildKeys::default(),
            back: ChildKeys::default(),
        }
    }
}

/// `range`, or `None` when it is empty in a way `BTreeMap::range` would panic on (start after
/// end, or equal and both excluded).
fn bounds<'q, Q: Ord + ?Sized>(
    range: (Bound<&'q Q>, Bound<&'q Q>),
) -> Option<(Bound<&'q Q>, Bound<&'q Q>)> {
    let (start, end) = range;
    let empty = match (start, end) {
        (Bound::Included(s), Bound::Included(e)) => s > e,
        (Bound::Included(s) | Bound::Excluded(s), Bound::Excluded(e))
        | (Bound::Excluded(s), Bound::Included(e)) => s >= e,
        _ => false,
    };
    (!empty).then_some((start, end))
}

/// The rows of a range of a non-unique ordered index: in key order, each key's rows in
/// creation order; walk it backwards for the highest keys first.
pub struct RangeKeys<'a, K> {
    entries: btree_map::Range<'a, K, Family>,
    front: ChildKeys<'a>,
    back: ChildKeys<'a>,
}

impl<K> Iterator for RangeKeys<'_, K> {
    type Item = RowKey;
    #[inline]
    fn next(&mut self) -> Option<RowKey> {
        loop {
            if let Some(row) = self.front.next() {
                return Some(row);
            }
            match self.entries.next() {
                Some((_, family)) => self.front = family.keys(),
                None => return self.back.next(),
            }
        }
    }
}

impl<K> DoubleEndedIterator for RangeKeys<'_, K> {
    #[inline]
    fn next_back(&mut self) -> Option<RowKey> {
        loop {
            if let Some(row) = self.back.next_back() {
                return Some(row);
            }
            match self.entries.next_back() {
                Some((_, family)) => self.back = family.keys(),
                None => return self.front.next_back(),
            }
        }
    }
}

impl<K> std::fmt::Debug for RangeKeys<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RangeKeys").finish_non_exhaustive()
    }
}

mod sealed {
    pub trait Sealed {}
}
