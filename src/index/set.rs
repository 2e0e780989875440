//! A table's indexes as one value: `()` for none, a tuple of index types for some. Every
//! operation runs over each index in turn, so a table without indexes pays nothing.

use std::borrow::Borrow;

use super::{Index, IndexInfo, IndexStore, Slot};
use crate::id::RowKey;
use crate::model::Model;

/// A row whose key a unique index already gives to another row.
#[derive(Clone, Debug)]
#[doc(hidden)]
pub struct Violation {
    pub(crate) index: &'static IndexInfo,
    /// The key, as `Debug` prints it.
    pub(crate) value: String,
    /// The row holding it.
    pub(crate) holder: RowKey,
}

/// Two rows of one batch with the same key under a unique index.
#[derive(Clone, Debug)]
#[doc(hidden)]
pub struct BatchViolation {
    pub(crate) index: &'static IndexInfo,
    pub(crate) value: String,
    pub(crate) earlier: usize,
    pub(crate) later: usize,
}

/// The indexes of table `T`: [`Model::Indexes`](crate::Model::Indexes), `()` or a tuple of up
/// to 8 [`Index`] types. `#[derive(Model)]` names it; its items are the store's business.
/// Sealed: only those are index sets.
pub trait IndexSet<T: Model>: sealed::Sealed + 'static {
    /// The indexes' stores, one per index, in order.
    #[doc(hidden)]
    type Stores: Default + Clone + PartialEq + Send + Sync + 'static;
    /// Each index's key of one row, copied aside (while an edit runs).
    #[doc(hidden)]
    type Keys;
    /// What a check learnt that spares the insert after it work: each key's hash.
    #[doc(hidden)]
    type Probes: Copy;
    /// What each index is.
    const INFOS: &'static [IndexInfo];

    /// Whether `row` may be stored: no unique index gives its key to a row `skip` does not
    /// excuse.
    #[doc(hidden)]
    fn check(
        stores: &Self::Stores,
        row: &T,
        skip: &dyn Fn(RowKey) -> bool,
    ) -> Result<Self::Probes, Violation>;
    #[doc(hidden)]
    fn check_batch(rows: &[T]) -> Result<(), BatchViolation>;
    /// Indexes a stored row; `probes` from a check of this row, if one was made.
    #[doc(hidden)]
    fn insert(stores: &mut Self::Stores, row: &T, slot: Slot<'_>, probes: Option<Self::Probes>) {
        Self::insert_keys(stores, Self::save(row), slot, probes);
    }
    /// [`IndexSet::insert`] with the row's keys already copied ([`IndexSet::save`]).
    #[doc(hidden)]
    fn insert_keys(
        stores: &mut Self::Stores,
        keys: Self::Keys,
        slot: Slot<'_>,
        probes: Option<Self::Probes>,
    );
    #[doc(hidden)]
    fn remove(stores: &mut Self::Stores, row: &T, key: RowKey, seq: u64);
    /// Moves a row whose value changed from `old` to `new` under each key that changed.
    #[doc(hidden)]
    fn replace(
        stores: &mut Self::Stores,
        old: &T,
        new: &T,
        slot: Slot<'_>,
        probes: Option<Self::Probes>,
    );
    #[doc(hidden)]
    fn save(row: &T) -> Self::Keys;
    /// [`IndexSet::replace`] from keys saved before the row changed in place.
    #[doc(hidden)]
    fn rekey(stores: &mut Self::Stores, saved: Self::Keys, row: &T, slot: Slot<'_>);
    #[doc(hidden)]
    fn shrink_to_fit(stores: &mut Self::Stores);
    /// The first index whose stores differ.
    #[doc(hidden)]
    fn first_difference(a: &Self::Stores, b: &Self::Stores) -> Option<&'static IndexInfo>;
}

mod sealed {
    pub trait Sealed {}
}

impl sealed::Sealed for () {}

impl<T: Model> IndexSet<T> for () {
    type Stores = ();
    type Keys = ();
    type Probes = ();
    const INFOS: &'static [IndexInfo] = &[];
    #[inline]
    fn check(_: &(), _: &T, _: &dyn Fn(RowKey) -> bool) -> Result<(), Violation> {
        Ok(())
    }
    #[inline]
    fn check_batch(_: &[T]) -> Result<(), BatchViolation> {
        Ok(())
    }
    #[inline]
    fn insert_keys(_: &mut (), _: (), _: Slot<'_>, _: Option<()>) {}
    #[inline]
    fn remove(_: &mut (), _: &T, _: RowKey, _: u64) {}
    #[inline]
    fn replace(_: &mut (), _: &T, _: &T, _: Slot<'_>, _: Option<()>) {}
    #[inline]
    fn save(_: &T) {}
    #[inline]
    fn rekey(_: &mut (), _: (), _: &T, _: Slot<'_>) {}
    #[inline]
    fn shrink_to_fit(_: &mut ()) {}
    fn first_difference(_: &(), _: &()) -> Option<&'static IndexInfo> {
        None
    }
}

/// Names one probe's type per index in the tuple impls.
#[doc(hidden)]
pub trait ProbeOf {
    /// A key's hash, if its store hashes.
    type Probe: Copy;
}
impl<I: Index> ProbeOf for I {
    type Probe = Option<u64>;
}

/// [`IndexSet::check`] for one index: its probe, or the row holding the key.
#[inline]
fn check<I: Index>(
    store: &I::Store,
    row: &I::Model,
    skip: &dyn Fn(RowKey) -> bool,
) -> Result<Option<u64>, Violation> {
    let key = I::key(row);
    let probe = store.probe(key.borrow());
    match probe.holder {
        Some(holder) if <I::Store as IndexStore<I::Key>>::UNIQUE && !skip(holder) => {
            Err(Violation {
                index: IndexInfo::of::<I>(),
                value: format!("{:?}", key.borrow()),
                holder,
            })
        }
        _ => Ok(probe.hash),
    }
}

/// [`IndexSet::check_batch`] for one index.
fn check_batch<I: Index>(rows: &[I::Model]) -> Result<(), BatchViolation> {
    if !<I::Store as IndexStore<I::Key>>::UNIQUE {
        return Ok(());
    }
    let keys: Vec<_> = rows.iter().map(|row| I::key(row)).collect();
    match I::Store::first_duplicate(keys.iter().map(|key| key.borrow())) {
        Some((earlier, later)) => Err(BatchViolation {
            index: IndexInfo::of::<I>(),
            value: format!("{:?}", keys[later].borrow()),
            earlier,
            later,
        }),
        None => Ok(()),
    }
}

/// [`IndexSet::replace`] for one index: only a changed key moves.
#[inline]
fn replace<I: Index>(
    store: &mut I::Store,
    old: &I::Model,
    new: &I::Model,
    slot: Slot<'_>,
    hash: Option<u64>,
) {
    let (old_key, new_key) = (I::key(old), I::key(new));
    if old_key.borrow() != new_key.borrow() {
        store.remove(old_key.borrow(), slot.row, slot.seq);
        store.insert(new_key.borrow().clone(), slot, hash);
    }
}

/// [`IndexSet::rekey`] for one index.
#[inline]
fn rekey<I: Index>(store: &mut I::Store, saved: I::Key, row: &I::Model, slot: Slot<'_>) {
    let now = I::key(row);
    if *now.borrow() != saved {
        store.remove(&saved, slot.row, slot.seq);
        store.insert(now.borrow().clone(), slot, None);
    }
}

macro_rules! tuple {
    ($($index:ident $at:tt),+) => {
        impl<$($index: Index),+> sealed::Sealed for ($($index,)+) {}

        impl<T: Model, $($index: Index<Model = T>),+> IndexSet<T> for ($($index,)+) {
            type Stores = ($($index::Store,)+);
            type Keys = ($($index::Key,)+);
            type Probes = ($(<$index as ProbeOf>::Probe,)+);
            const INFOS: &'static [IndexInfo] = &[$($index::INFO),+];

            #[inline]
            fn check(
                stores: &Self::Stores,
                row: &T,
                skip: &dyn Fn(RowKey) -> bool,
            ) -> Result<Self::Probes, Violation> {
                Ok(($(check::<$index>(&stores.$at, row, skip)?,)+))
            }
            /// The first row of the batch that takes a key an earlier one took, over every index.
            fn check_batch(rows: &[T]) -> Result<(), BatchViolation> {
                let mut first: Option<BatchViolation> = None;
                $(if let Err(v) = check_batch::<$index>(rows)
                    && first.as_ref().is_none_or(|f| v.later < f.later)
                {
                    first = Some(v);
                })+
                first.map_or(Ok(()), Err)
            }
            #[inline]
            fn insert_keys(
                stores: &mut Self::Stores,
                keys: Self::Keys,
                slot: Slot<'_>,
                probes: Option<Self::Probes>,
            ) {
                $(stores.$at.insert(keys.$at, slot, probes.and_then(|p| p.$at));)+
            }
            #[inline]
            fn remove(stores: &mut Self::Stores, row: &T, key: RowKey, seq: u64) {
                $(stores.$at.remove($index::key(row).borrow(), key, seq);)+
            }
            #[inline]
            fn replace(
                stores: &mut Self::Stores,
                old: &T,
                new: &T,
                slot: Slot<'_>,
                probes: Option<Self::Probes>,
            ) {
                $(replace::<$index>(&mut stores.$at, old, new, slot, probes.and_then(|p| p.$at));)+
            }
            #[inline]
            fn save(row: &T) -> Self::Keys {
                ($($index::key(row).borrow().clone(),)+)
            }
            #[inline]
            fn rekey(stores: &mut Self::Stores, saved: Self::Keys, row: &T, slot: Slot<'_>) {
                $(rekey::<$index>(&mut stores.$at, saved.$at, row, slot);)+
            }
            fn shrink_to_fit(stores: &mut Self::Stores) {
                $(stores.$at.shrink_to_fit();)+
            }
            fn first_difference(a: &Self::Stores, b: &Self::Stores) -> Option<&'static IndexInfo> {
                $(if a.$at != b.$at {
                    return Some(IndexInfo::of::<$index>());
                })+
                None
            }
        }
    };
}

tuple!(A 0);
tuple!(A 0, B 1);
tuple!(A 0, B 1, C 2);
tuple!(A 0, B 1, C 2, D 3);
tuple!(A 0, B 1, C 2, D 3, E 4);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
