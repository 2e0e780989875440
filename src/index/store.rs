//! Where an index keeps its entries: a hash table or an ordered map from key to the row
//! holding it (unique) or to the rows holding it, in creation order (non-unique).

mod hashed;
mod ordered;

use crate::fk_index::ChildKeys;
use crate::id::RowKey;

pub use hashed::{MultiHash, UniqueHash};
pub use ordered::{MultiOrdered, RangeKeys, UniqueOrdered};

/// The storage of one secondary index, as [`Index::Store`](super::Index::Store) names it:
/// [`UniqueHash`], [`MultiHash`], [`UniqueOrdered`] or [`MultiOrdered`]. Sealed: the store's
/// consistency with its rows is the crate's to keep.
pub trait IndexStore<K>:
    sealed::Sealed + Default + Clone + PartialEq + Send + Sync + 'static
{
    /// Whether a key may be held by one row only.
    const UNIQUE: bool;

    /// Looks `key` up before it is inserted: the row holding it if the index is unique and
    /// one does, and the key's hash for a hash store (so that the insert that follows does
    /// not hash it again).
    #[doc(hidden)]
    fn probe(&self, key: &K) -> Probe;
    /// Adds `slot.row` under `key`; `hash` is [`Probe::hash`] from a probe of the same key, if
    /// one was made.
    #[doc(hidden)]
    fn insert(&mut self, key: K, slot: Slot<'_>, hash: Option<u64>);
    /// Removes `row` (creation number `seq`) from under `key`.
    #[doc(hidden)]
    fn remove(&mut self, key: &K, row: RowKey, seq: u64);
    /// Gives back spare capacity.
    #[doc(hidden)]
    fn shrink_to_fit(&mut self);
    /// The positions of the first key equal to an earlier one, and of that earlier one. Only
    /// a unique store is asked (a batch's duplicates are refused by unique indexes only).
    #[doc(hidden)]
    fn first_duplicate<'r>(keys: impl Iterator<Item = &'r K>) -> Option<(usize, usize)>
    where
        K: 'r,
    {
        let _ = keys;
        None
    }
}

/// What [`IndexStore::probe`] found.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Probe {
    /// The row holding the key, for a unique index.
    pub(crate) holder: Option<RowKey>,
    /// The key's hash, for a hash store.
    pub(crate) hash: Option<u64>,
}

/// A row being indexed: its key, its creation number, whether it is the newest row of its
/// table (it then goes last among rows of equal key, with no search), and how to read other
/// rows' creation numbers (to place it otherwise).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Slot<'a> {
    pub(crate) row: RowKey,
    pub(crate) seq: u64,
    pub(crate) newest: bool,
    pub(crate) seq_of: &'a dyn Fn(RowKey) -> u64,
}

impl std::fmt::Debug for Slot<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("row", &self.row)
            .field("seq", &self.seq)
            .finish()
    }
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
    /// Every row, in key order.
    #[doc(hidden)]
    type AllKeys<'a>: DoubleEndedIterator<Item = RowKey>
    where
        Self: 'a;
    /// The rows whose key lies between `bounds`, by key; none for an empty or inverted range.
    #[doc(hidden)]
    fn range(&self, bounds: (std::ops::Bound<&Q>, std::ops::Bound<&Q>)) -> Self::Keys<'_>;
    /// Every row, by key. Apart from [`LookupRange::range`] because a walk of the whole map
    /// finds each end only when it first reads there, where a range finds both up front
    /// (about a quarter of a top-k's time: 42 ns against 32 ns for ten ids).
    #[doc(hidden)]
    fn all(&self) -> Self::AllKeys<'_>;
}

/// Adds a row to a non-unique key's family: last if it is the newest row, else at its place
/// by creation number.
fn join(family: &mut crate::fk_index::Family, slot: Slot<'_>) {
    if slot.newest {
        family.push_newest(slot.row, slot.seq_of);
    } else {
        family.insert(slot.row, slot.seq, slot.seq_of);
    }
}

mod sealed {
    pub trait Sealed {}
}
