//! One table: an arena of rows, each row's creation number, and the table's secondary
//! indexes.

mod arena;

use crate::id::{AnyId, Id, RowKey};
use crate::index::{IndexSet, Slot, Violation};
use crate::model::Model;

/// A table's secondary index stores.
pub(crate) type Stores<T> = <<T as Model>::Indexes as IndexSet<T>>::Stores;

/// What checking a row against a table's indexes learnt (each key's hash), for the insert.
pub(crate) type Probes<T> = <<T as Model>::Indexes as IndexSet<T>>::Probes;

pub(crate) use arena::{Arena, Iter, IterMut, slot_of};
pub use arena::{ImageError, SlotImage};

/// The rows of one table. Only the store's mutation surface (`db/mutation.rs`) changes it,
/// always together with the indexes.
///
/// Beside the rows, `seqs` holds each live row's creation number (its insertion sequence
/// number), by slot. It lets the foreign-key index list children in creation order and still
/// be rebuilt from the tables alone. It lives apart from the rows so that a row's slot is
/// exactly as big as in a plain slotmap: reads and scans never touch it.
///
/// The secondary indexes (`Model::Indexes`) live here too, and every method that adds, removes
/// or replaces a row keeps them in step: they cannot be forgotten by a caller. A row lent by
/// `&mut` ([`Table::get_mut`], [`Table::iter_mut`]) must not change an indexed field; the
/// views that lend rows make those fields read-only, and [`Table::modify`] re-keys after a
/// change that may touch them.
#[doc(hidden)]
pub struct Table<T: Model> {
    rows: Arena<T>,
    seqs: Vec<u64>,
    next_seq: u64,
    indexes: Stores<T>,
}

impl<T: Model> std::fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl<T: Model> Default for Table<T> {
    fn default() -> Self {
        Table::new()
    }
}

/// A table as data: every slot with its version and, for a row, its creation number; the
/// free list's order; and the counters. Enough to rebuild the table exactly: the same rows
/// under the same ids, stale ids stale, and the same ids handed out next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableImage<T> {
    /// Every slot but the unused slot 0, in order; a row comes with its creation number.
    pub slots: Vec<SlotImage<(u64, T)>>,
    /// The free slots' indexes, the next to be reused first. A vacant slot not listed is
    /// retired: never handed out again.
    pub free: Vec<u32>,
    /// The creation number the next row gets: above every row's.
    pub next_seq: u64,
    /// The version a slot created from now on starts from.
    pub fresh_version: u32,
}

impl<T: Model> Table<T> {
    /// A copy of the rows, **without secondary indexes**: what a snapshot saves, which reads
    /// rows only. A panicking `Clone` cannot abort the process (see [`Arena::clone_guarded`]).
    pub(crate) fn clone_rows_guarded(&self) -> std::thread::Result<Self> {
        Ok(Table {
            rows: self.rows.clone_guarded()?,
            seqs: self.seqs.clone(),
            next_seq: self.next_seq,
            indexes: Stores::<T>::default(),
        })
    }

    #[doc(hidden)]
    pub fn new() -> Self {
        Table {
            rows: Arena::new(),
            seqs: Vec::new(),
            next_seq: 0,
            indexes: Stores::<T>::default(),
        }
    }

    /// The secondary index stores.
    #[inline]
    pub(crate) fn indexes(&self) -> &Stores<T> {
        &self.indexes
    }

    /// Whether `row` may be stored (as `this`, when it replaces that row) without two rows
    /// sharing a key of a unique index.
    #[inline]
    pub(crate) fn check_unique(
        &self,
        row: &T,
        this: Option<RowKey>,
    ) -> Result<Probes<T>, Violation> {
        T::Indexes::check(&self.indexes, row, &|holder| Some(holder) == this)
    }

    /// [`Table::check_unique`] for rows replacing several stored ones at once: a key held by
    /// a row that `replaced` says is being replaced too is free.
    pub(crate) fn check_unique_among(
        &self,
        row: &T,
        replaced: &dyn Fn(RowKey) -> bool,
    ) -> Result<Probes<T>, Violation> {
        T::Indexes::check(&self.indexes, row, replaced)
    }

    #[inline]
    pub(crate) fn get(&self, key: RowKey) -> Option<&T> {
        self.rows.get(key)
    }

    /// A row by a key the store itself keeps (see [`Arena::get_kept`]).
    #[inline]
    pub(crate) fn get_kept(&self, key: RowKey) -> Option<(RowKey, &T)> {
        self.rows.get_kept(key)
    }

    #[inline]
    pub(crate) fn contains_key(&self, key: RowKey) -> bool {
        self.rows.contains_key(key)
    }

    /// A row to change in place. Crate-private: only the mutation surface calls it, and it
    /// keeps the indexes in step.
    #[inline]
    pub(crate) fn get_mut(&mut self, key: RowKey) -> Option<&mut T> {
        self.rows.get_mut(key)
    }

    /// The creation number of a live row.
    #[inline]
    pub(crate) fn seq(&self, key: RowKey) -> Option<u64> {
        if !self.rows.contains_key(key) {
            return None;
        }
        self.seqs.get(slot_of(key).0).copied()
    }

    /// The creation number of the row just removed from `key`'s slot (kept until the slot
    /// is reused), for unlinking it from a big family after it left the table.
    #[inline]
    pub(crate) fn seq_of_removed(&self, key: RowKey) -> u64 {
        self.seqs.get(slot_of(key).0).copied().unwrap_or(u64::MAX)
    }

    /// Stores a row, the newest of the table, and indexes it.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, row: T) -> RowKey {
        self.insert_probed(row, None)
    }

    /// [`Table::insert`] with what [`Table::check_unique`] learnt of this row, if it ran.
    #[inline]
    pub(crate) fn insert_probed(&mut self, row: T, probes: Option<Probes<T>>) -> RowKey {
        // The keys are copied before the row moves in: the stores take them by value, and a
        // key's `Clone` runs while nothing has changed yet.
        let indexed = !<T::Indexes as IndexSet<T>>::INFOS.is_empty();
        let keys = indexed.then(|| T::Indexes::save(&row));
        let key = self.rows.insert(row);
        let (slot, _) = slot_of(key);
        if slot >= self.seqs.len() {
            self.seqs.resize(slot + 1, 0);
        }
        let seq = self.next_seq;
        self.seqs[slot] = seq;
        self.next_seq += 1;
        if let Some(keys) = keys {
            let seqs = &self.seqs;
            let slot = Slot {
                row: key,
                seq,
                newest: true,
                seq_of: &|k| seq_in(seqs, k),
            };
            T::Indexes::insert_keys(&mut self.indexes, keys, slot, probes);
        }
        key
    }

    /// Replaces a stored row, moving it in the indexes where a key changed; the old row, or
    /// `None` (and no change) when there is no such row.
    #[inline]
    pub(crate) fn replace(&mut self, key: RowKey, new: T, probes: Option<Probes<T>>) -> Option<T> {
        let stored = self.rows.get_mut(key)?;
        let old = std::mem::replace(stored, new);
        if !<T::Indexes as IndexSet<T>>::INFOS.is_empty() {
            let seqs = &self.seqs;
            let slot = Slot {
                row: key,
                seq: seq_in(seqs, key),
                newest: false,
                seq_of: &|k| seq_in(seqs, k),
            };
            T::Indexes::replace(&mut self.indexes, &old, stored, slot, probes);
        }
        Some(old)
    }

    /// Changes a stored row through `change`, then moves it in the indexes where a key
    /// changed; `None` when there is no such row. The caller has checked that the change
    /// breaks no unique index (a set-null cannot: no unique index may hold a key a relation
    /// sets to null).
    pub(crate) fn modify<O>(&mut self, key: RowKey, change: impl FnOnce(&mut T) -> O) -> Option<O> {
        let row = self.rows.get_mut(key)?;
        if <T::Indexes as IndexSet<T>>::INFOS.is_empty() {
            return Some(change(row));
        }
        let saved = T::Indexes::save(row);
        let out = change(row);
        let seqs = &self.seqs;
        let slot = Slot {
            row: key,
            seq: seq_in(seqs, key),
            newest: false,
            seq_of: &|k| seq_in(seqs, k),
        };
        T::Indexes::rekey(&mut self.indexes, saved, row, slot);
        Some(out)
    }

    /// Room for `additional` more rows without reallocating: the slots, and the creation
    /// numbers beside them. Either may have grown when the other fails; no row changes.
    pub(crate) fn try_reserve(
        &mut self,
        additional: usize,
    ) -> Result<(), std::collections::TryReserveError> {
        let new_slots = self.rows.try_reserve(additional)?;
        // `seqs` only reaches the highest slot used so far: reserve up to the arena's end.
        let wanted = self.rows.slot_count() + 1 + new_slots;
        let missing = wanted.saturating_sub(self.seqs.len());
        self.seqs.try_reserve(missing)
    }

    /// The `n`-th row in slot order (see [`Arena::nth`]).
    #[inline]
    pub(crate) fn nth(&self, n: usize) -> Option<(RowKey, &T)> {
        self.rows.nth(n)
    }

    /// Takes a row out (its slot is freed, or retired once its versions are used up). The
    /// row is out of the table before the caller drops it.
    #[inline]
    pub(crate) fn remove(&mut self, key: RowKey) -> Option<T> {
        let row = self.rows.remove(key)?;
        if !<T::Indexes as IndexSet<T>>::INFOS.is_empty() {
            T::Indexes::remove(&mut self.indexes, &row, key, seq_in(&self.seqs, key));
        }
        Some(row)
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn iter(&self) -> Iter<'_, T> {
        self.rows.iter()
    }

    /// The rows by `&mut`: only the mutation surface hands them out, as views whose keys
    /// cannot change (`Fields`).
    pub(crate) fn iter_mut(&mut self) -> IterMut<'_, T> {
        self.rows.iter_mut()
    }

    #[inline]
    pub(crate) fn get_id_mut(&mut self, id: Id<T>) -> Option<&mut T> {
        self.rows.get_mut(id.key())
    }

    /// The table as data (see [`TableImage`]), rows borrowed.
    #[cfg(test)]
    pub(crate) fn image(&self) -> TableImage<&T> {
        TableImage {
            slots: self.slot_images().collect(),
            free: self.free_list().collect(),
            next_seq: self.next_seq,
            fresh_version: self.rows.fresh_version(),
        }
    }

    /// Every slot after slot 0 as [`TableImage::slots`] lists it, without collecting them:
    /// snapshots save through it.
    pub(crate) fn slot_images(&self) -> impl Iterator<Item = SlotImage<(u64, &T)>> {
        (self.rows.image().enumerate()).map(|(i, slot)| match slot {
            SlotImage::Occupied { version, row } => SlotImage::Occupied {
                version,
                row: (self.seqs[i + 1], row),
            },
            SlotImage::Vacant { version } => SlotImage::Vacant { version },
        })
    }

    /// The free slots' indexes, the next to be reused first ([`TableImage::free`]).
    pub(crate) fn free_list(&self) -> impl Iterator<Item = u32> + '_ {
        self.rows.free_list()
    }

    /// The number of slots after slot 0 (rows, free and retired).
    pub(crate) fn slot_count(&self) -> usize {
        self.rows.slot_count()
    }

    /// [`TableImage::next_seq`].
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// [`TableImage::fresh_version`].
    pub(crate) fn fresh_version(&self) -> u32 {
        self.rows.fresh_version()
    }

    /// The table an image describes. Checks the slots and the free list (see
    /// [`ImageError`]) and that creation numbers are distinct and below `next_seq`; what
    /// crosses tables (keys) is the store's to check.
    pub(crate) fn from_image(image: TableImage<T>) -> Result<Self, TableImageError> {
        let TableImage {
            slots,
            free,
            next_seq,
            fresh_version,
        } = image;
        if next_seq == u64::MAX {
            return Err(TableImageError::NoSeqLeft);
        }
        let mut seqs = vec![0; slots.len() + 1];
        let mut seen = Vec::with_capacity(slots.len());
        let rows = slots.into_iter().enumerate().map(|(i, slot)| match slot {
            SlotImage::Occupied {
                version,
                row: (seq, row),
            } => {
                seqs[i + 1] = seq;
                seen.push((seq, i + 1));
                SlotImage::Occupied { version, row }
            }
            SlotImage::Vacant { version } => SlotImage::Vacant { version },
        });
        let rows = Arena::from_image(rows, &free, fresh_version).map_err(TableImageError::Slots)?;
        seen.sort_unstable();
        for pair in seen.windows(2) {
            if pair[0].0 == pair[1].0 {
                return Err(TableImageError::DuplicateSeq { slot: pair[1].1 });
            }
        }
        if let Some(&(seq, slot)) = seen.last()
            && seq >= next_seq
        {
            return Err(TableImageError::SeqNotBelowNext { slot });
        }
        let mut table = Table {
            rows,
            seqs,
            next_seq,
            indexes: Stores::<T>::default(),
        };
        table.index_all()?;
        Ok(table)
    }

    /// Validates every row and builds the secondary indexes from the rows, oldest first: what
    /// a loaded table needs, since a save holds rows only. A validator or a unique index the
    /// rows now break is an error naming the rows.
    fn index_all(&mut self) -> Result<(), TableImageError> {
        if <T::Indexes as IndexSet<T>>::INFOS.is_empty() && !T::VALIDATED {
            return Ok(());
        }
        let mut order: Vec<(u64, RowKey)> = (self.rows.iter())
            .map(|(key, _)| (seq_in(&self.seqs, key), key))
            .collect();
        order.sort_unstable();
        for (seq, key) in order {
            let Some(row) = self.rows.get(key) else {
                unreachable!("listed from the arena")
            };
            let id = || AnyId::new(T::TABLE, key);
            if T::VALIDATED {
                row.validate().map_err(|invalid| TableImageError::Invalid {
                    row: id(),
                    reason: invalid,
                })?;
            }
            T::Indexes::check(&self.indexes, row, &|_| false).map_err(|v| {
                TableImageError::Unique {
                    index: v.index,
                    value: v.value,
                    rows: (AnyId::new(T::TABLE, v.holder), id()),
                }
            })?;
            let seqs = &self.seqs;
            let slot = Slot {
                row: key,
                seq,
                newest: true, // oldest first: each is the newest indexed so far
                seq_of: &|k| seq_in(seqs, k),
            };
            T::Indexes::insert(&mut self.indexes, row, slot, None);
        }
        Ok(())
    }

    /// Drops the rows one by one (see [`Arena::drop_guarded`]).
    pub(crate) fn drop_guarded(self) -> Option<Box<dyn std::any::Any + Send>> {
        self.rows.drop_guarded()
    }

    /// Gives back trailing vacant slots and spare capacity; old ids stay stale.
    pub(crate) fn shrink_to_fit(&mut self) {
        let kept = self.rows.shrink_to_fit();
        self.seqs.truncate(kept);
        self.seqs.shrink_to_fit();
        T::Indexes::shrink_to_fit(&mut self.indexes);
    }

    /// Whether the secondary indexes are exactly those the rows give; the first that is not,
    /// if any (the integrity check).
    pub(crate) fn index_out_of_step(&self) -> Option<&'static crate::index::IndexInfo> {
        let mut rebuilt = Stores::<T>::default();
        let mut order: Vec<(u64, RowKey)> = (self.rows.iter())
            .map(|(key, _)| (seq_in(&self.seqs, key), key))
            .collect();
        order.sort_unstable();
        for (seq, key) in order {
            if let Some(row) = self.rows.get(key) {
                // Two rows holding one unique key: the rebuilt store would keep one of them
                // and could equal the live one; the check sees both.
                if let Err(v) = T::Indexes::check(&rebuilt, row, &|_| false) {
                    return Some(v.index);
                }
                let seqs = &self.seqs;
                let slot = Slot {
                    row: key,
                    seq,
                    newest: true,
                    seq_of: &|k| seq_in(seqs, k),
                };
                T::Indexes::insert(&mut rebuilt, row, slot, None);
            }
        }
        T::Indexes::first_difference(&self.indexes, &rebuilt)
    }
}

/// The creation number of the row in `key`'s slot (the last one there, once it is gone).
#[inline]
fn seq_in(seqs: &[u64], key: RowKey) -> u64 {
    seqs.get(slot_of(key).0).copied().unwrap_or(u64::MAX)
}

#[cfg(test)]
impl<T: Clone> TableImage<&T> {
    /// The image with its rows cloned.
    pub(crate) fn cloned(&self) -> TableImage<T> {
        TableImage {
            slots: (self.slots.iter())
                .map(|slot| match slot {
                    SlotImage::Occupied {
                        version,
                        row: (seq, row),
                    } => SlotImage::Occupied {
                        version: *version,
                        row: (*seq, (*row).clone()),
                    },
                    SlotImage::Vacant { version } => SlotImage::Vacant { version: *version },
                })
                .collect(),
            free: self.free.clone(),
            next_seq: self.next_seq,
            fresh_version: self.fresh_version,
        }
    }
}

/// Why a table image was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableImageError {
    /// A slot or the free list is wrong.
    Slots(ImageError),
    /// Two rows have the same creation number; `slot` is the second.
    DuplicateSeq {
        /// The slot.
        slot: usize,
    },
    /// A row's creation number is not below the table's next one.
    SeqNotBelowNext {
        /// The slot.
        slot: usize,
    },
    /// The next creation number is the last one: the next insert would overflow it.
    NoSeqLeft,
    /// Two rows share a key of a unique index (declared after they were saved, perhaps).
    Unique {
        /// The index.
        index: &'static crate::index::IndexInfo,
        /// The key, as `Debug` prints it.
        value: String,
        /// The two rows, the older first.
        rows: (AnyId, AnyId),
    },
    /// A row fails its model's validator.
    Invalid {
        /// The row.
        row: AnyId,
        /// The validator's refusal.
        reason: crate::model::Invalid,
    },
}

#[cfg(test)]
mod tests;
