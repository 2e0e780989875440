//! How a query orders its items: not at all (the source's order, read lazily), or by keys,
//! with the window (offset and limit) cut by a top-k selection rather than a full sort.

use std::cmp::{Ordering, Reverse};
use std::fmt;
use std::iter::FusedIterator;

use crate::model::Model;
use crate::row::Row;
use crate::schema::Schema;
use crate::table::Table;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Unordered {}
    impl<K> Sealed for super::Sorted<K> {}
}

/// How a [`Query`](crate::Query) orders its items: [`Unordered`] (the source's order) or
/// [`Sorted`] by one or more [`SortKey`]s. Sealed: [`Query::order_by`](crate::Query::order_by)
/// and its siblings build it.
pub trait Order<Item>: sealed::Sealed {
    /// This order with `K` as the next key (ties on every earlier key are broken by `K`).
    type Then<K>;
    /// The items in this order, within the window.
    type Iter<I: Iterator<Item = Item>>: Iterator<Item = Item>;
    #[doc(hidden)]
    fn then<K>(self, key: K) -> Self::Then<K>;
    #[doc(hidden)]
    fn run<I: Iterator<Item = Item>>(
        self,
        source: I,
        offset: usize,
        limit: Option<usize>,
    ) -> Self::Iter<I>;
    #[doc(hidden)]
    fn first<I: Iterator<Item = Item>>(
        self,
        source: I,
        offset: usize,
        limit: Option<usize>,
    ) -> Option<Item>;
}

/// The source's own order (slot order for a table, creation order for children), read
/// lazily: a query that does not sort never collects.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unordered;

impl<Item> Order<Item> for Unordered {
    type Then<K> = Sorted<K>;
    type Iter<I: Iterator<Item = Item>> = Window<I>;

    fn then<K>(self, key: K) -> Sorted<K> {
        Sorted(key)
    }

    #[inline]
    fn run<I: Iterator<Item = Item>>(
        self,
        source: I,
        offset: usize,
        limit: Option<usize>,
    ) -> Window<I> {
        Window {
            source,
            skip: offset,
            left: limit,
        }
    }

    #[inline]
    fn first<I: Iterator<Item = Item>>(
        self,
        mut source: I,
        offset: usize,
        limit: Option<usize>,
    ) -> Option<Item> {
        if limit == Some(0) {
            return None;
        }
        source.nth(offset)
    }
}

/// The items of an unordered query within its window, read from the source as they are
/// asked for; from iterating a [`Query`](crate::Query) without an order. Without a window,
/// `fold` (and so `sum`, `count`, `for_each`) is the source's own.
#[derive(Clone, Debug)]
pub struct Window<I> {
    source: I,
    skip: usize,
    left: Option<usize>,
}

impl<I: Iterator> Iterator for Window<I> {
    type Item = I::Item;

    #[inline]
    fn next(&mut self) -> Option<I::Item> {
        if let Some(left) = &mut self.left {
            *left = left.checked_sub(1)?;
        }
        if self.skip > 0 {
            return self.source.nth(std::mem::take(&mut self.skip));
        }
        self.source.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let (lower, upper) = self.source.size_hint();
        let (lower, upper) = (
            lower.saturating_sub(self.skip),
            upper.map(|u| u.saturating_sub(self.skip)),
        );
        match self.left {
            None => (lower, upper),
            Some(left) => (lower.min(left), Some(upper.map_or(left, |u| u.min(left)))),
        }
    }

    #[inline]
    fn fold<B, F: FnMut(B, I::Item) -> B>(mut self, init: B, mut f: F) -> B {
        let mut init = init;
        if self.skip > 0 && self.left != Some(0) {
            // Take the first item of the window through `next` (which skips), the rest by
            // folding. Not by recursion: a recursive `fold` is never inlined.
            match self.next() {
                Some(item) => init = f(init, item),
                None => return init,
            }
        }
        match self.left {
            None => self.source.fold(init, f),
            Some(left) => self.source.take(left).fold(init, f),
        }
    }
}

impl<I: FusedIterator> FusedIterator for Window<I> {}

/// Sorted by the keys `K` (one [`SortKey`], or a pair of them for a second key). Stable:
/// items with equal keys keep the source's order.
#[derive(Clone, Copy, Debug)]
pub struct Sorted<K>(K);

impl<Item, K: SortKey<Item>> Order<Item> for Sorted<K> {
    type Then<K2> = Sorted<(K, K2)>;
    type Iter<I: Iterator<Item = Item>> = SortedIter<K::Key, Item>;

    fn then<K2>(self, key: K2) -> Sorted<(K, K2)> {
        Sorted((self.0, key))
    }

    fn run<I: Iterator<Item = Item>>(
        mut self,
        source: I,
        offset: usize,
        limit: Option<usize>,
    ) -> SortedIter<K::Key, Item> {
        let wanted = limit.map_or(usize::MAX, |limit| offset.saturating_add(limit));
        let mut entries = smallest(source, |item| self.0.key(item), wanted).into_iter();
        if offset > 0 {
            entries.nth(offset - 1);
        }
        SortedIter { entries }
    }

    fn first<I: Iterator<Item = Item>>(
        mut self,
        source: I,
        offset: usize,
        limit: Option<usize>,
    ) -> Option<Item> {
        match (offset, limit) {
            (_, Some(0)) => None,
            // The smallest needs no buffer: `min_by` keeps the first of equal keys.
            (0, _) => (source.map(|item| (self.0.key(&item), item)))
                .min_by(|a, b| a.0.cmp(&b.0))
                .map(|(_, item)| item),
            _ => self.run(source, offset, Some(1)).next(),
        }
    }
}

/// A sort key of a query's items: what [`Query::order_by`](crate::Query::order_by) takes
/// (as [`Asc`] or [`Desc`] of a closure), or a type of your own.
pub trait SortKey<Item> {
    /// The key's type.
    type Key: Ord;
    /// The key of `item`.
    fn key(&mut self, item: &Item) -> Self::Key;
}

/// Ascending by the key a closure gives.
#[derive(Clone, Copy)]
pub struct Asc<F>(pub(crate) F);

/// Descending by the key a closure gives (equal keys still keep the source's order).
#[derive(Clone, Copy)]
pub struct Desc<F>(pub(crate) F);

impl<Item, K: Ord, F: FnMut(&Item) -> K> SortKey<Item> for Asc<F> {
    type Key = K;
    #[inline]
    fn key(&mut self, item: &Item) -> K {
        (self.0)(item)
    }
}

impl<Item, K: Ord, F: FnMut(&Item) -> K> SortKey<Item> for Desc<F> {
    type Key = Reverse<K>;
    #[inline]
    fn key(&mut self, item: &Item) -> Reverse<K> {
        Reverse((self.0)(item))
    }
}

/// A first key, then a second for ties.
impl<Item, A: SortKey<Item>, B: SortKey<Item>> SortKey<Item> for (A, B) {
    type Key = (A::Key, B::Key);
    #[inline]
    fn key(&mut self, item: &Item) -> Self::Key {
        (self.0.key(item), self.1.key(item))
    }
}

/// A row's creation number: the order rows were inserted in, whatever slot each took.
/// From [`Query::in_creation_order`](crate::Query::in_creation_order).
pub struct CreationOrder<'db, T: Model> {
    pub(crate) table: &'db Table<T>,
}

impl<'db, T: Model, S: Schema> SortKey<Row<'db, T, S>> for CreationOrder<'db, T> {
    type Key = u64;
    #[inline]
    fn key(&mut self, row: &Row<'db, T, S>) -> u64 {
        // Every row a store hands out is live, so it has a number.
        self.table.seq(row.id().key()).unwrap_or(u64::MAX)
    }
}

impl<T: Model> Clone for CreationOrder<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Model> Copy for CreationOrder<'_, T> {}

impl<F> fmt::Debug for Asc<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Asc(..)")
    }
}
impl<F> fmt::Debug for Desc<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Desc(..)")
    }
}
impl<T: Model> fmt::Debug for CreationOrder<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreationOrder({})", T::TABLE)
    }
}

/// An item with its key and its place in the source, the tie-breaker that keeps a sort
/// stable.
type Entry<K, Item> = (K, usize, Item);

fn by_key_then_place<K: Ord, Item>(a: &Entry<K, Item>, b: &Entry<K, Item>) -> Ordering {
    a.0.cmp(&b.0).then(a.1.cmp(&b.1))
}

/// The `wanted` smallest items by `key`, sorted, ties in source order. Keeps at most
/// `2 * wanted` entries (at least 64; never the whole input when `wanted` is small): when the
/// buffer is full, a selection keeps the `wanted` smallest, and from then on an item whose key
/// is not below the `wanted`-th smallest so far is passed over with one comparison, as a
/// heap's top would pass it. O(n) comparisons plus a few selections and a sort of `wanted`.
pub(crate) fn smallest<Item, K: Ord>(
    source: impl Iterator<Item = Item>,
    mut key: impl FnMut(&Item) -> K,
    wanted: usize,
) -> Vec<Entry<K, Item>> {
    if wanted == 0 {
        return Vec::new();
    }
    let room = wanted.saturating_mul(2).max(64);
    let mut entries: Vec<Entry<K, Item>> = Vec::with_capacity(source.size_hint().0.min(room));
    // Whether `entries[wanted - 1]` is the `wanted`-th smallest so far (every entry before it
    // is not greater): a later item is only wanted if its key is below that one's.
    let mut cut = false;
    for (place, item) in source.enumerate() {
        let item_key = key(&item);
        if cut && item_key >= entries[wanted - 1].0 {
            continue;
        }
        if entries.len() == room {
            keep_smallest(&mut entries, wanted);
            cut = true;
            if item_key >= entries[wanted - 1].0 {
                continue;
            }
        }
        entries.push((item_key, place, item));
    }
    keep_smallest(&mut entries, wanted);
    entries.sort_unstable_by(by_key_then_place);
    entries
}

/// Keeps the `wanted` smallest entries, the greatest of them at `wanted - 1`.
fn keep_smallest<K: Ord, Item>(entries: &mut Vec<Entry<K, Item>>, wanted: usize) {
    if entries.len() > wanted {
        entries.select_nth_unstable_by(wanted - 1, by_key_then_place);
        entries.truncate(wanted);
    }
}

/// The items of a sorted query, within its window; from iterating a [`Query`](crate::Query)
/// that has an order. The sort is done when the query is first read.
pub struct SortedIter<K, Item> {
    entries: std::vec::IntoIter<Entry<K, Item>>,
}

impl<K, Item> Iterator for SortedIter<K, Item> {
    type Item = Item;

    #[inline]
    fn next(&mut self) -> Option<Item> {
        self.entries.next().map(|(_, _, item)| item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl<K, Item> DoubleEndedIterator for SortedIter<K, Item> {
    fn next_back(&mut self) -> Option<Item> {
        self.entries.next_back().map(|(_, _, item)| item)
    }
}

impl<K, Item> ExactSizeIterator for SortedIter<K, Item> {}
impl<K, Item> FusedIterator for SortedIter<K, Item> {}

impl<K, Item> fmt::Debug for SortedIter<K, Item> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SortedIter")
            .field("remaining", &self.entries.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{Window, smallest};

    #[test]
    fn a_window_read_by_next_or_by_fold_is_skip_then_take() {
        let limits = [None, Some(0), Some(1), Some(3), Some(9), Some(usize::MAX)];
        for len in 0..6 {
            for skip in [0, 1, 2, 5, 6, usize::MAX] {
                for left in limits {
                    let want: Vec<u32> = (0..len)
                        .skip(skip)
                        .take(left.unwrap_or(usize::MAX))
                        .collect();
                    let window = || Window {
                        source: 0..len,
                        skip,
                        left,
                    };
                    let by_next: Vec<u32> = std::iter::from_fn({
                        let mut w = window();
                        move || w.next()
                    })
                    .collect();
                    let by_fold = window().fold(Vec::new(), |mut v, x| {
                        v.push(x);
                        v
                    });
                    assert_eq!(
                        (&by_next, &by_fold),
                        (&want, &want),
                        "{len} {skip} {left:?}"
                    );
                    let (lower, upper) = window().size_hint();
                    assert!(lower <= want.len() && upper.is_none_or(|u| u >= want.len()));
                }
            }
        }
    }

    #[test]
    fn the_smallest_are_those_of_a_stable_sort_whatever_the_buffer_size() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let items: Vec<u32> = (0..500)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 20) as u32
            })
            .collect();
        let mut sorted: Vec<(u32, usize)> = items.iter().copied().zip(0..).collect();
        sorted.sort_by_key(|&(key, _)| key);
        for wanted in [0, 1, 2, 3, 7, 64, 250, 499, 500, 501, usize::MAX] {
            let got: Vec<(u32, usize)> = smallest(items.iter().copied().zip(0..), |i| i.0, wanted)
                .into_iter()
                .map(|(_, _, item)| item)
                .collect();
            assert_eq!(got, sorted[..wanted.min(500)], "wanted {wanted}");
        }
    }
}
