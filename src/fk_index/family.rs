//! One parent's children: a plain list while the family is small, a chunked one once it is
//! big, so that removing or moving one child costs O(log n) however many siblings it has.

use super::ChildKeys;
use super::chunked::Chunked;
use crate::id::RowKey;

/// A small family that reaches this many children becomes big on the next link. Below it a
/// removal scans at most 8 KiB of keys; the common case (about 10) never leaves the `Vec`.
pub(super) const BIG_AT: usize = 1024;

/// A big family that falls below this many children becomes small again. Far enough below
/// [`BIG_AT`] that a family hovering at a threshold does not convert at every step: each
/// conversion is paid for by at least `BIG_AT - SMALL_AT` links or unlinks.
pub(super) const SMALL_AT: usize = 256;

const _: () = assert!(0 < SMALL_AT && SMALL_AT < BIG_AT);

/// The children of one parent, in creation order. Never empty while in the index.
///
/// Equality is by content, the children in order: the same list compares equal whichever
/// shape it has, which is what comparing an index with one rebuilt from rows needs.
#[derive(Clone)]
pub(crate) enum Family {
    /// At most [`BIG_AT`] children: appended, found by a scan.
    Small(Vec<RowKey>),
    /// More than [`SMALL_AT`]: found by creation number. Boxed so that a small family's
    /// entry in the index stays the size of a `Vec`.
    Big(Box<Chunked>),
}

impl Family {
    /// A family of one.
    pub(crate) fn new(child: RowKey) -> Self {
        Family::Small(vec![child])
    }

    /// A family of two, oldest first.
    pub(crate) fn pair(older: RowKey, newer: RowKey) -> Self {
        Family::Small(vec![older, newer])
    }

    /// The children, oldest first.
    #[inline]
    pub(crate) fn keys(&self) -> ChildKeys<'_> {
        match self {
            Family::Small(keys) => ChildKeys::flat(keys),
            Family::Big(list) => ChildKeys::chunked(list.chunks(), list.len()),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Family::Small(keys) => keys.is_empty(),
            Family::Big(list) => list.len() == 0,
        }
    }

    /// Links the newest child of its table: it goes last.
    #[inline]
    pub(crate) fn push_newest(&mut self, child: RowKey, seq_of: impl Fn(RowKey) -> u64) {
        match self {
            Family::Small(keys) if keys.len() < BIG_AT => keys.push(child),
            // Not assumed newest: a misplaced child would break every later binary search.
            _ => self.insert_big(child, seq_of(child), seq_of),
        }
    }

    /// Links `child`, number `seq`, at its place by creation number.
    pub(crate) fn insert(&mut self, child: RowKey, seq: u64, seq_of: impl Fn(RowKey) -> u64) {
        match self {
            Family::Small(keys) if keys.len() < BIG_AT => {
                let at = keys.partition_point(|&sibling| seq_of(sibling) < seq);
                keys.insert(at, child);
            }
            _ => self.insert_big(child, seq, seq_of),
        }
    }

    /// Inserts into a big family, making a full small one big first.
    #[cold]
    #[inline(never)]
    fn insert_big(&mut self, child: RowKey, seq: u64, seq_of: impl Fn(RowKey) -> u64) {
        if let Family::Small(keys) = self {
            *self = Family::Big(Box::new(Chunked::from_keys(keys, &seq_of)));
        }
        if let Family::Big(list) = self {
            list.insert(child, seq);
        }
    }

    /// Unlinks `child`; `seq` gives its creation number, asked only of a big family.
    #[inline]
    pub(crate) fn remove(&mut self, child: RowKey, seq: impl FnOnce() -> u64) {
        match self {
            Family::Small(keys) => {
                if let Some(at) = keys.iter().position(|&c| c == child) {
                    keys.remove(at);
                }
            }
            Family::Big(_) => self.remove_big(child, seq()),
        }
    }

    /// [`Family::remove`] from a big family: out of line, so that the common case's delete
    /// stays as small as it was.
    #[cold]
    #[inline(never)]
    fn remove_big(&mut self, child: RowKey, seq: u64) {
        if let Family::Big(list) = self
            && list.remove(child, seq)
        {
            self.shrink();
        }
    }

    /// Unlinks `leaving`, some of the children with their numbers, in creation order, in one
    /// pass over the list (small) or over the chunks they are in (big).
    pub(super) fn remove_sorted(&mut self, leaving: impl IntoIterator<Item = (u64, RowKey)>) {
        match self {
            Family::Small(keys) => remove_sorted_small(keys, leaving),
            Family::Big(list) => {
                list.remove_sorted(leaving);
                self.shrink();
            }
        }
    }

    /// Gives back a small family's spare room (a big one gives back its chunks as they
    /// empty).
    pub(crate) fn shrink_to_fit(&mut self) {
        if let Family::Small(keys) = self {
            keys.shrink_to_fit();
        }
    }

    /// Makes a big family that fell below [`SMALL_AT`] small again.
    fn shrink(&mut self) {
        if let Family::Big(list) = self
            && list.len() < SMALL_AT
        {
            *self = Family::Small(list.to_keys());
        }
    }
}

/// [`Family::remove_sorted`] on a plain list: O(siblings) however many leave.
fn remove_sorted_small(keys: &mut Vec<RowKey>, leaving: impl IntoIterator<Item = (u64, RowKey)>) {
    // Each run of staying children between two leaving ones moves once, as one memmove.
    let (mut kept, mut read) = (0, 0);
    for (_, child) in leaving {
        let Some(offset) = keys[read..].iter().position(|&c| c == child) else {
            break; // not a child of this parent: nothing more to remove
        };
        if kept != read {
            keys.copy_within(read..read + offset, kept);
        }
        kept += offset;
        read += offset + 1;
    }
    let tail = keys.len() - read;
    if kept != read {
        keys.copy_within(read.., kept);
    }
    keys.truncate(kept + tail);
}

impl PartialEq for Family {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Family::Small(a), Family::Small(b)) => a == b,
            _ => self.keys().eq(other.keys()),
        }
    }
}

impl Eq for Family {}

impl std::fmt::Debug for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.keys()).finish()
    }
}
