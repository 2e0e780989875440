//! Ordered stores: `#[relstore(ordered)]` and `#[relstore(ordered, unique)]`, on a
//! `BTreeMap`: ranges, top-k (walked backwards) and string prefixes.

use std::borrow::Borrow;
use std::collections::{BTreeMap, btree_map};
use std::fmt;
use std::ops::Bound;

use super::{
    IndexStore, Lookup, LookupOne, LookupRange, Probe, Slot, first_duplicate, join, sealed,
};
use crate::fk_index::{ChildKeys, Family};
use crate::id::RowKey;

/// An ordered map from key to the one row holding it: `#[relstore(ordered, unique)]`.
#[derive(Clone, Debug)]
pub struct UniqueOrdered<K>(BTreeMap<K, RowKey>);

/// An ordered map from key to the rows holding it, in creation order: `#[relstore(ordered)]`.
#[derive(Clone, Debug)]
pub struct MultiOrdered<K>(BTreeMap<K, Family>);

macro_rules! common {
    ($($store:ident),*) => {$(
        impl<K> Default for $store<K> {
            fn default() -> Self {
                $store(BTreeMap::new())
            }
        }

        impl<K> sealed::Sealed for $store<K> {}

        /// Equal by content: the same keys, each held by the same rows in the same order.
        impl<K: Ord> PartialEq for $store<K> {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
    )*};
}
common!(UniqueOrdered, MultiOrdered);

/// Duplicates by an ordered map from borrowed keys to positions.
fn ordered_duplicate<'r, K: Ord + 'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)> {
    first_duplicate(keys, |seen: &mut BTreeMap<&K, usize>, key, at| {
        match seen.get(key) {
            Some(&earlier) => Some(earlier),
            None => seen.insert(key, at).and(None),
        }
    })
}

impl<K: Ord + Clone + Send + Sync + 'static> IndexStore<K> for UniqueOrdered<K> {
    const UNIQUE: bool = true;

    #[inline]
    fn probe(&self, key: &K) -> Probe {
        Probe {
            holder: self.0.get(key).copied(),
            hash: None,
        }
    }

    #[inline]
    fn insert(&mut self, key: K, slot: Slot<'_>, _: Option<u64>) {
        self.0.insert(key, slot.row);
    }

    #[inline]
    fn remove(&mut self, key: &K, row: RowKey, _: u64) {
        if self.0.get(key) == Some(&row) {
            self.0.remove(key);
        }
    }

    fn shrink_to_fit(&mut self) {}

    fn first_duplicate<'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)>
    where
        K: 'r,
    {
        ordered_duplicate(keys)
    }
}

impl<K: Ord + Clone + Send + Sync + 'static> IndexStore<K> for MultiOrdered<K> {
    const UNIQUE: bool = false;

    #[inline]
    fn probe(&self, _: &K) -> Probe {
        Probe::default()
    }

    #[inline]
    fn insert(&mut self, key: K, slot: Slot<'_>, _: Option<u64>) {
        // One descent, as a hand-written `entry(..).or_default().push(..)`.
        match self.0.entry(key) {
            btree_map::Entry::Occupied(mut held) => join(held.get_mut(), slot),
            btree_map::Entry::Vacant(free) => {
                free.insert(Family::new(slot.row));
            }
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

    fn shrink_to_fit(&mut self) {}
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
        = std::iter::Map<Entries<'a, K, RowKey>, fn((&'a K, &'a RowKey)) -> RowKey>
    where
        Self: 'a;

    fn range(&self, range: (Bound<&Q>, Bound<&Q>)) -> Self::Keys<'_> {
        Entries::of(&self.0, range).map(|(_, &row)| row)
    }
}

impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized> LookupRange<Q> for MultiOrdered<K> {
    type Keys<'a>
        = RangeKeys<'a, K>
    where
        Self: 'a;

    fn range(&self, range: (Bound<&Q>, Bound<&Q>)) -> RangeKeys<'_, K> {
        RangeKeys {
            entries: Entries::of(&self.0, range),
            front: ChildKeys::default(),
            back: ChildKeys::default(),
        }
    }
}

/// The entries of a range of a map: the whole map is walked as `iter` walks it, which finds
/// each end only when it is first read (a full `range` finds both up front: a fifth of a
/// top-k's time).
#[doc(hidden)]
pub enum Entries<'a, K, V> {
    All(btree_map::Iter<'a, K, V>),
    Part(btree_map::Range<'a, K, V>),
}

impl<'a, K: Ord, V> Entries<'a, K, V> {
    fn of<Q: Ord + ?Sized>(map: &'a BTreeMap<K, V>, range: (Bound<&Q>, Bound<&Q>)) -> Self
    where
        K: Borrow<Q>,
    {
        match range {
            (Bound::Unbounded, Bound::Unbounded) => Entries::All(map.iter()),
            range => Entries::Part(match bounds(range) {
                Some(bounds) => map.range::<Q, _>(bounds),
                None => btree_map::Range::default(),
            }),
        }
    }
}

impl<'a, K, V> Iterator for Entries<'a, K, V> {
    type Item = (&'a K, &'a V);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::All(all) => all.next(),
            Entries::Part(part) => part.next(),
        }
    }
}

impl<K, V> DoubleEndedIterator for Entries<'_, K, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Entries::All(all) => all.next_back(),
            Entries::Part(part) => part.next_back(),
        }
    }
}

impl<K, V> fmt::Debug for Entries<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Entries")
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
    entries: Entries<'a, K, Family>,
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

impl<K> fmt::Debug for RangeKeys<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RangeKeys").finish_non_exhaustive()
    }
}
