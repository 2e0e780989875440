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
pub struct MultiOrdered<K>(BTreeMap<K, Held>);

/// The rows holding one key of a [`MultiOrdered`]. Most keys of an ordered column (a score,
/// a time) are held by one row: that row is kept inline, with no list to allocate on insert
/// or to set up on a walk; a second row makes a family.
#[doc(hidden)]
#[derive(Clone)]
pub struct Held(Holders);

#[derive(Clone)]
enum Holders {
    One(RowKey),
    Many(Family),
}

impl Held {
    /// The rows, oldest first.
    #[inline]
    fn keys(&self) -> ChildKeys<'_> {
        match &self.0 {
            Holders::One(row) => ChildKeys::one(row),
            Holders::Many(family) => family.keys(),
        }
    }

    /// Adds the row in `slot`, at its place by creation number.
    #[inline]
    fn join(&mut self, slot: Slot<'_>) {
        match &mut self.0 {
            Holders::Many(family) => join(family, slot),
            Holders::One(held) => {
                let held = *held;
                let older_first = slot.newest || (slot.seq_of)(held) < slot.seq;
                self.0 = Holders::Many(match older_first {
                    true => Family::pair(held, slot.row),
                    false => Family::pair(slot.row, held),
                });
            }
        }
    }

    /// Gives back spare room: a family of one goes back inline, a bigger one shrinks.
    fn shrink_to_fit(&mut self) {
        if let Holders::Many(family) = &mut self.0 {
            let mut rows = family.keys();
            match (rows.next(), rows.next()) {
                (Some(only), None) => self.0 = Holders::One(only),
                _ => family.shrink_to_fit(),
            }
        }
    }

    /// Takes `row`, number `seq`, out; true when no row is left. A family left with one row
    /// stays a family: its list is kept for the next row to join, as a hand-kept map's `Vec`
    /// is (equality is by content, so it still equals an index rebuilt from its rows).
    #[inline]
    fn leave(&mut self, row: RowKey, seq: u64) -> bool {
        match &mut self.0 {
            Holders::One(held) => *held == row,
            Holders::Many(family) => {
                family.remove(row, || seq);
                family.is_empty()
            }
        }
    }
}

/// Equal by content: the same rows in the same order, whatever the shape.
impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.keys().eq(other.keys())
    }
}

impl fmt::Debug for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.keys()).finish()
    }
}

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
            btree_map::Entry::Occupied(mut held) => held.get_mut().join(slot),
            btree_map::Entry::Vacant(free) => {
                free.insert(Held(Holders::One(slot.row)));
            }
        }
    }

    #[inline]
    fn remove(&mut self, key: &K, row: RowKey, seq: u64) {
        if let Some(held) = self.0.get_mut(key)
            && held.leave(row, seq)
        {
            self.0.remove(key);
        }
    }

    fn shrink_to_fit(&mut self) {
        self.0.values_mut().for_each(Held::shrink_to_fit);
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
        self.0.get(key).map_or_else(ChildKeys::default, Held::keys)
    }
}

impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized> LookupRange<Q> for UniqueOrdered<K> {
    type Keys<'a>
        = std::iter::Map<btree_map::Range<'a, K, RowKey>, fn((&'a K, &'a RowKey)) -> RowKey>
    where
        Self: 'a;
    type AllKeys<'a>
        = std::iter::Copied<btree_map::Values<'a, K, RowKey>>
    where
        Self: 'a;

    fn range(&self, range: (Bound<&Q>, Bound<&Q>)) -> Self::Keys<'_> {
        part(&self.0, range).map(|(_, &row)| row)
    }

    #[inline]
    fn all(&self) -> Self::AllKeys<'_> {
        self.0.values().copied()
    }
}

impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized> LookupRange<Q> for MultiOrdered<K> {
    type Keys<'a>
        = RangeKeys<'a, btree_map::Range<'a, K, Held>>
    where
        Self: 'a;
    type AllKeys<'a>
        = RangeKeys<'a, btree_map::Iter<'a, K, Held>>
    where
        Self: 'a;

    fn range(&self, range: (Bound<&Q>, Bound<&Q>)) -> Self::Keys<'_> {
        RangeKeys::new(part(&self.0, range))
    }

    #[inline]
    fn all(&self) -> Self::AllKeys<'_> {
        RangeKeys::new(self.0.iter())
    }
}

/// The entries of `map` in `range`; none for a range `BTreeMap::range` would panic on.
fn part<'a, K: Borrow<Q> + Ord, Q: Ord + ?Sized, V>(
    map: &'a BTreeMap<K, V>,
    range: (Bound<&Q>, Bound<&Q>),
) -> btree_map::Range<'a, K, V> {
    match bounds(range) {
        Some(bounds) => map.range::<Q, _>(bounds),
        None => btree_map::Range::default(),
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
/// creation order; walk it backwards for the highest keys first. `E` walks the map's entries:
/// all of them, or a range.
pub struct RangeKeys<'a, E> {
    entries: E,
    front: ChildKeys<'a>,
    back: ChildKeys<'a>,
}

impl<E> RangeKeys<'_, E> {
    fn new(entries: E) -> Self {
        RangeKeys {
            entries,
            front: ChildKeys::default(),
            back: ChildKeys::default(),
        }
    }
}

impl<'a, K: 'a, E: Iterator<Item = (&'a K, &'a Held)>> Iterator for RangeKeys<'a, E> {
    type Item = RowKey;

    #[inline(always)]
    fn next(&mut self) -> Option<RowKey> {
        loop {
            if let Some(row) = self.front.next() {
                return Some(row);
            }
            match self.entries.next() {
                // A key held by one row, the common case, yields it without touching `front`.
                Some((_, Held(Holders::One(row)))) => return Some(*row),
                Some((_, Held(Holders::Many(family)))) => self.front = family.keys(),
                None => return self.back.next(),
            }
        }
    }
}

impl<'a, K: 'a, E: DoubleEndedIterator<Item = (&'a K, &'a Held)>> DoubleEndedIterator
    for RangeKeys<'a, E>
{
    #[inline(always)]
    fn next_back(&mut self) -> Option<RowKey> {
        loop {
            if let Some(row) = self.back.next_back() {
                return Some(row);
            }
            match self.entries.next_back() {
                Some((_, Held(Holders::One(row)))) => return Some(*row),
                Some((_, Held(Holders::Many(family)))) => self.back = family.keys(),
                None => return self.front.next_back(),
            }
        }
    }
}

impl<E> fmt::Debug for RangeKeys<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RangeKeys").finish_non_exhaustive()
    }
}
