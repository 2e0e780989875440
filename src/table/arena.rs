//! A generational arena of our own: slotmap's layout and costs, plus what slotmap cannot
//! give a store that saves and loads itself: retired slots that stay retired, a free list whose
//! order can be read and restored (so the next ids after a load are the ones without it), and
//! trailing vacant slots that can be given back without an old id ever coming back.

use std::iter::FusedIterator;
use std::panic::{self, AssertUnwindSafe};
use std::thread;

use slotmap::{Key, KeyData};

use crate::id::RowKey;

/// A slot whose occupied version reaches this is retired when its row leaves, so that its
/// version never wraps around and an old id can never match a new row.
pub(crate) const LAST_VERSION: u32 = u32::MAX - 2;

/// No next free slot.
const END: u32 = u32::MAX;

/// A key's slot index and version: `(version << 32) | index`, the layout of slotmap's
/// `KeyData::as_ffi`, which the foreign-key index (a `SecondaryMap`) reads keys with.
/// `tests::key_layout_is_index_then_version` pins it.
#[inline]
pub(crate) fn slot_of(key: RowKey) -> (usize, u32) {
    let bits = key.data().as_ffi();
    ((bits & 0xffff_ffff) as usize, (bits >> 32) as u32)
}

#[inline]
fn key_of(index: usize, version: u32) -> RowKey {
    KeyData::from_ffi((u64::from(version) << 32) | index as u64).into()
}

/// One cell of the arena. Versions are odd while occupied and even while vacant, as in
/// slotmap; slot 0 is never used, so the first id is `1v1` and no key is all zeros.
///
/// `repr(u8)` puts the tag and the version side by side in the slot's first 8 bytes, so a
/// lookup reads one word before the row, as slotmap does. Without it the compiler hides the
/// tag in a spare bit pattern of the row (a `String`'s capacity, say), which a lookup then
/// reads from elsewhere in the slot (measured: 5% slower `get` at 1M rows), and a row with no
/// spare pattern would pay for a separate tag.
#[derive(Clone)]
#[repr(u8)]
enum Slot<T> {
    Occupied {
        version: u32,
        row: T,
    },
    /// On the free list; `next` is the next free slot's index, or `END`.
    Free {
        version: u32,
        next: u32,
    },
    /// Never handed out again: its version reached [`LAST_VERSION`] (or slot 0).
    Retired {
        version: u32,
    },
}

impl<T> Slot<T> {
    /// The slot's version, whatever its state (every state keeps it at the same offset, so
    /// this is one load).
    #[inline]
    fn version(&self) -> u32 {
        match *self {
            Slot::Occupied { version, .. }
            | Slot::Free { version, .. }
            | Slot::Retired { version } => version,
        }
    }
}

/// What one slot holds, as [`Arena::image`] reports it and [`Arena::from_image`] takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotImage<T> {
    /// A row, under the slot's (odd) version.
    Occupied {
        /// The slot's version.
        version: u32,
        /// The row.
        row: T,
    },
    /// An empty slot, free or retired (the free list says which), under its (even) version.
    Vacant {
        /// The slot's version.
        version: u32,
    },
}

/// Why [`Arena::from_image`] refused an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// A slot's version has the wrong parity for its content (odd: occupied, even: vacant).
    Version {
        /// The slot.
        slot: usize,
    },
    /// The free list names a slot that is out of range, occupied, or already listed.
    FreeList {
        /// The slot.
        slot: usize,
    },
    /// More slots than an id can address.
    TooManySlots,
}

/// Slots of `T`s addressed by generational keys.
pub(crate) struct Arena<T> {
    slots: Vec<Slot<T>>,
    /// The first free slot, or `END`; freed slots are pushed here (last freed, first reused).
    free_head: u32,
    len: usize,
    /// Retired slots after slot 0: vacant, but never reused (so not room for a new row).
    retired: usize,
    /// The version a slot created from now on starts from: above every version any slot given
    /// back by [`Arena::shrink_to_fit`] ever had, so that no old id can name a new row.
    fresh_version: u32,
}

/// Where a lookup found a slot whose version is a key's (odd) but which holds no row: the
/// arena's parity invariant (odd versions exactly on occupied slots) rules it out.
#[inline(always)]
#[allow(unsafe_code)]
fn vacant_with_odd_version<R>() -> Option<R> {
    #[cfg(debug_assertions)]
    unreachable!("an odd version on a vacant slot: the arena's parity invariant is broken");
    // SAFETY: keys carry odd versions (`KeyData::from_ffi` and `Id::from_bits` set the low
    // bit), and a slot's version is odd exactly while it is occupied: `insert` makes a
    // vacant slot's even version odd, `remove` makes it even again (or retires the slot at an
    // even version), new slots start at an odd `fresh_version`, and `from_image` refuses
    // any image that breaks the parity. Debug builds (every test) check it instead.
    #[cfg(not(debug_assertions))]
    unsafe {
        std::hint::unreachable_unchecked()
    }
}

impl<T: Clone> Arena<T> {
    /// A copy, one slot at a time. If a row's `Clone` panics, the copies made so far are
    /// dropped one by one under `catch_unwind` (a panic in a `Drop` while that panic unwound
    /// would abort the process), and the `Clone`'s panic is returned.
    pub(crate) fn clone_guarded(&self) -> thread::Result<Self> {
        let mut slots = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            match panic::catch_unwind(AssertUnwindSafe(|| slot.clone())) {
                Ok(copy) => slots.push(copy),
                Err(payload) => {
                    // Their panics are leaked unread: the `Clone`'s is the one passed on.
                    std::mem::forget(drop_each(slots));
                    return Err(payload);
                }
            }
        }
        Ok(Arena {
            slots,
            free_head: self.free_head,
            len: self.len,
            retired: self.retired,
            fresh_version: self.fresh_version,
        })
    }
}

impl<T> Arena<T> {
    /// Drops every row one by one, each under `catch_unwind`; returns the first panic (later
    /// payloads are leaked unread: dropping one may panic too).
    pub(crate) fn drop_guarded(self) -> Option<Box<dyn std::any::Any + Send>> {
        drop_each(self.slots)
    }
}

fn drop_each<T>(items: Vec<T>) -> Option<Box<dyn std::any::Any + Send>> {
    let mut first = None;
    for item in items {
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| drop(item))) {
            match first {
                None => first = Some(payload),
                Some(_) => std::mem::forget(payload),
            }
        }
    }
    first
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena::new()
    }
}

impl<T> Arena<T> {
    pub(crate) fn new() -> Self {
        Arena {
            slots: vec![Slot::Retired { version: 0 }],
            free_head: END,
            len: 0,
            retired: 0,
            fresh_version: 1,
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: RowKey) -> Option<&T> {
        let (index, version) = slot_of(key);
        let slot = self.slots.get(index)?;
        if slot.version() != version {
            return None;
        }
        match slot {
            Slot::Occupied { row, .. } => Some(row),
            _ => vacant_with_odd_version(),
        }
    }

    /// The row in `key`'s slot and its live key, for a key the store itself keeps (in a
    /// foreign-key index, or in a stored row's key), which names a live row by the store's
    /// invariants: only the slot's state is checked, not its version (debug builds check
    /// both). A lookup by a caller's id goes through [`Arena::get`]. Saving that one compare
    /// is 20% of a has-many over ten children; should a bug ever leave a stale key, the answer
    /// is the slot's current row under its own key, never memory unsafety.
    #[inline]
    pub(crate) fn get_kept(&self, key: RowKey) -> Option<(RowKey, &T)> {
        let (index, version) = slot_of(key);
        match self.slots.get(index) {
            Some(Slot::Occupied { version: v, row }) => {
                debug_assert_eq!(*v, version, "a key the store keeps is stale");
                Some((key_of(index, *v), row))
            }
            _ => None,
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, key: RowKey) -> Option<&mut T> {
        let (index, version) = slot_of(key);
        let slot = self.slots.get_mut(index)?;
        if slot.version() != version {
            return None;
        }
        match slot {
            Slot::Occupied { row, .. } => Some(row),
            _ => vacant_with_odd_version(),
        }
    }

    #[inline]
    pub(crate) fn contains_key(&self, key: RowKey) -> bool {
        self.get(key).is_some()
    }

    /// The number of slots after slot 0.
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len() - 1
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Room for `additional` more rows, so that as many inserts do not reallocate: free
    /// slots count, and new slots are reserved for the rest, never beyond the most slots a
    /// table can address. Returns the number of new slots that makes room for.
    pub(crate) fn try_reserve(
        &mut self,
        additional: usize,
    ) -> Result<usize, std::collections::TryReserveError> {
        let free = self.slot_count() - self.len - self.retired;
        let addressable = (END as usize).saturating_sub(self.slots.len());
        let new_slots = additional.saturating_sub(free).min(addressable);
        self.slots.try_reserve(new_slots)?;
        Ok(new_slots)
    }

    /// The `n`-th row in slot order and its key. O(1) when no slot is vacant (the `n`-th row is
    /// in slot `n + 1`), otherwise a scan over the slots up to it.
    #[inline]
    pub(crate) fn nth(&self, n: usize) -> Option<(RowKey, &T)> {
        if n >= self.len {
            return None;
        }
        if self.len == self.slot_count() {
            let index = n + 1;
            if let Some(Slot::Occupied { version, row }) = self.slots.get(index) {
                return Some((key_of(index, *version), row));
            }
        }
        self.iter().nth(n)
    }

    /// Stores `row` in the most recently freed slot, or a new one.
    #[inline]
    pub(crate) fn insert(&mut self, row: T) -> RowKey {
        self.len += 1;
        let index = self.free_head as usize;
        if let Some(slot) = self.slots.get_mut(index) {
            let Slot::Free { version, next } = *slot else {
                unreachable!("the free list holds free slots only")
            };
            self.free_head = next;
            let version = version + 1; // even (vacant) to odd (occupied)
            *slot = Slot::Occupied { version, row };
            return key_of(index, version);
        }
        let index = self.slots.len();
        assert!(index < END as usize, "a table holds at most 2^32 - 2 slots");
        let version = self.fresh_version;
        self.slots.push(Slot::Occupied { version, row });
        key_of(index, version)
    }

    /// Takes the row out; its slot is freed, or retired if its version is used up. The row is
    /// out of the arena before the caller drops it.
    #[inline]
    pub(crate) fn remove(&mut self, key: RowKey) -> Option<T> {
        let (index, version) = slot_of(key);
        let slot = self.slots.get_mut(index)?;
        if !matches!(*slot, Slot::Occupied { version: v, .. } if v == version) {
            return None;
        }
        // Odd to even: every key of the old row is stale now.
        let vacant = if version >= LAST_VERSION {
            Slot::Retired {
                version: version + 1,
            }
        } else {
            Slot::Free {
                version: version + 1,
                next: self.free_head,
            }
        };
        let Slot::Occupied { row, .. } = std::mem::replace(slot, vacant) else {
            unreachable!("checked above")
        };
        if version < LAST_VERSION {
            self.free_head = index as u32;
        } else {
            self.retired += 1;
        }
        self.len -= 1;
        Some(row)
    }

    pub(crate) fn iter(&self) -> Iter<'_, T> {
        Iter {
            slots: self.slots.iter().enumerate(),
            remaining: self.len,
        }
    }

    /// The rows, each with its key, by `&mut`, in slot order.
    pub(crate) fn iter_mut(&mut self) -> IterMut<'_, T> {
        IterMut {
            slots: self.slots.iter_mut().enumerate(),
            remaining: self.len,
        }
    }

    /// The free slots' indexes, next to be reused first.
    pub(crate) fn free_list(&self) -> impl Iterator<Item = u32> + '_ {
        let mut at = self.free_head;
        std::iter::from_fn(move || {
            let Slot::Free { next, .. } = *self.slots.get(at as usize)? else {
                return None;
            };
            Some(std::mem::replace(&mut at, next))
        })
    }

    /// Every slot after slot 0, as an image: enough, with [`Arena::free_list`], to rebuild the
    /// arena exactly.
    pub(crate) fn image(&self) -> impl Iterator<Item = SlotImage<&T>> {
        self.slots[1..].iter().map(|slot| match slot {
            Slot::Occupied { version, row } => SlotImage::Occupied {
                version: *version,
                row,
            },
            _ => SlotImage::Vacant {
                version: slot.version(),
            },
        })
    }

    /// The arena `image` and `free` (from [`Arena::image`] and [`Arena::free_list`]) describe:
    /// the same rows under the same keys, the same free list, and the vacant slots missing
    /// from it retired.
    pub(crate) fn from_image(
        image: impl IntoIterator<Item = SlotImage<T>>,
        free: &[u32],
        fresh_version: u32,
    ) -> Result<Self, ImageError> {
        let mut arena = Arena::new();
        arena.fresh_version = fresh_version.min(LAST_VERSION) | 1;
        let image = image.into_iter();
        // The image is in memory already (a `Vec`'s length), so this claims nothing new.
        arena.slots.reserve_exact(image.size_hint().0);
        for slot in image {
            let index = arena.slots.len();
            if index >= END as usize {
                return Err(ImageError::TooManySlots);
            }
            arena.slots.push(match slot {
                // Versions beyond these cannot be reached: a slot retires at LAST_VERSION.
                SlotImage::Occupied { version, row }
                    if version % 2 == 1 && version <= LAST_VERSION =>
                {
                    arena.len += 1;
                    Slot::Occupied { version, row }
                }
                // Retired until the free list says otherwise.
                SlotImage::Vacant { version }
                    if version % 2 == 0 && version <= LAST_VERSION + 1 =>
                {
                    Slot::Retired { version }
                }
                _ => return Err(ImageError::Version { slot: index }),
            });
        }
        // Link the free list back to front, so that `free[0]` is its head.
        for &index in free.iter().rev() {
            let slot = (arena.slots.get_mut(index as usize).filter(|_| index != 0)).ok_or(
                ImageError::FreeList {
                    slot: index as usize,
                },
            )?;
            // A free slot is vacant, listed once, and has a version left to hand out.
            let Slot::Retired { version } = *slot else {
                return Err(ImageError::FreeList {
                    slot: index as usize,
                });
            };
            if version > LAST_VERSION {
                return Err(ImageError::FreeList {
                    slot: index as usize,
                });
            }
            *slot = Slot::Free {
                version,
                next: arena.free_head,
            };
            arena.free_head = index;
        }
        // Vacant slots the free list does not name are retired.
        arena.retired = arena.slot_count() - arena.len - free.len();
        Ok(arena)
    }

    /// The version new slots start from (see [`Arena::shrink_to_fit`]).
    pub(crate) fn fresh_version(&self) -> u32 {
        self.fresh_version
    }

    /// Gives back the vacant slots at the end of the arena, and spare capacity. New slots
    /// start above every version the dropped ones had, so an id of a row that lived there
    /// stays stale. Returns the number of slots kept.
    pub(crate) fn shrink_to_fit(&mut self) -> usize {
        // Only free slots go: a retired one may have handed out versions up to LAST_VERSION.
        let keep = (self.slots.iter())
            .rposition(|slot| !matches!(slot, Slot::Free { .. }))
            .map_or(1, |last| last + 1);
        if keep < self.slots.len() {
            let highest = self.slots[keep..].iter().map(Slot::version).max();
            let highest = highest.unwrap_or(0).max(self.fresh_version);
            // Free slots' versions are even and at most LAST_VERSION - 1, so this is odd, above
            // every dropped version, and at most LAST_VERSION.
            self.fresh_version = ((highest + 1) | 1).min(LAST_VERSION);
            self.slots.truncate(keep);
            // Relink the free list without the dropped slots, keeping its order.
            let free: Vec<u32> = self.free_list().filter(|&i| (i as usize) < keep).collect();
            self.free_head = END;
            for &index in free.iter().rev() {
                let slot = &mut self.slots[index as usize];
                *slot = Slot::Free {
                    version: slot.version(),
                    next: self.free_head,
                };
                self.free_head = index;
            }
        }
        self.slots.shrink_to_fit();
        keep
    }
}

/// Every row of an arena with its key, in slot order.
pub(crate) struct Iter<'a, T> {
    slots: std::iter::Enumerate<std::slice::Iter<'a, Slot<T>>>,
    remaining: usize,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = (RowKey, &'a T);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        for (index, slot) in self.slots.by_ref() {
            if let Slot::Occupied { version, row } = slot {
                self.remaining -= 1;
                return Some((key_of(index, *version), row));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}
impl<T> FusedIterator for Iter<'_, T> {}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            slots: self.slots.clone(),
            remaining: self.remaining,
        }
    }
}

/// [`Arena::iter_mut`].
pub(crate) struct IterMut<'a, T> {
    slots: std::iter::Enumerate<std::slice::IterMut<'a, Slot<T>>>,
    remaining: usize,
}

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = (RowKey, &'a mut T);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        for (index, slot) in self.slots.by_ref() {
            if let Slot::Occupied { version, row } = slot {
                self.remaining -= 1;
                return Some((key_of(index, *version), row));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for IterMut<'_, T> {}
impl<T> FusedIterator for IterMut<'_, T> {}

#[cfg(test)]
mod tests;
