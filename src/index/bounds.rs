//! What a range over an ordered index may be written with: the key itself, a reference to it,
//! or `&str` for a `String` key, in any of std's range forms. A trait of our own, because
//! `"a".."c"` is a range of `&str` while `BTreeMap<String, _>` wants one of `str`.

use super::LookupRange;
use crate::id::RowKey;
use std::borrow::Borrow;
use std::ops::{
    Bound, Range, RangeBounds, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive,
};

/// A value that bounds a range of keys `K`: `K`, `&K`, or `&str` when `K` is a `String`.
pub trait KeyBound<K> {
    /// What the key is compared as.
    type Q: Ord + ?Sized;
    /// The bound, as [`KeyBound::Q`].
    fn as_key(&self) -> &Self::Q;
}

impl<K: Ord> KeyBound<K> for K {
    type Q = K;
    #[inline]
    fn as_key(&self) -> &K {
        self
    }
}

impl<K: Ord> KeyBound<K> for &K {
    type Q = K;
    #[inline]
    fn as_key(&self) -> &K {
        self
    }
}

impl KeyBound<String> for &str {
    type Q = str;
    #[inline]
    fn as_key(&self) -> &str {
        self
    }
}

/// A range of keys `K`, in any of std's forms (`a..b`, `a..=b`, `a..`, `..b`, `..=b`, `..`,
/// a pair of [`Bound`]s), bounded by [`KeyBound`]s. Sealed: those forms are the ranges.
pub trait KeyRange<K>: sealed::Sealed {
    /// What the key is compared as.
    type Q: Ord + ?Sized;
    /// The rows of the range in an index's store: a type of its own for `..`, the whole
    /// index, which is walked without first finding both ends.
    #[doc(hidden)]
    type Keys<'a, St: LookupRange<Self::Q> + 'a>: DoubleEndedIterator<Item = RowKey>;
    /// The range's bounds.
    fn bounds(&self) -> (Bound<&Self::Q>, Bound<&Self::Q>);
    /// The rows of the range in `store`, by key.
    #[doc(hidden)]
    fn keys<'a, St: LookupRange<Self::Q>>(&self, store: &'a St) -> Self::Keys<'a, St>;
}

fn map<X: KeyBound<K>, K>(bound: Bound<&X>) -> Bound<&X::Q> {
    match bound {
        Bound::Included(x) => Bound::Included(x.as_key()),
        Bound::Excluded(x) => Bound::Excluded(x.as_key()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! key_range {
    ($($range:ident),*) => {$(
        impl<X> sealed::Sealed for $range<X> {}
        impl<K, X: KeyBound<K>> KeyRange<K> for $range<X> {
            type Q = X::Q;
            type Keys<'a, St: LookupRange<X::Q> + 'a> = St::Keys<'a>;
            #[inline]
            fn bounds(&self) -> (Bound<&X::Q>, Bound<&X::Q>) {
                (map(self.start_bound()), map(self.end_bound()))
            }
            #[inline]
            fn keys<'a, St: LookupRange<X::Q>>(&self, store: &'a St) -> St::Keys<'a> {
                store.range(self.bounds())
            }
        }
    )*};
}
key_range!(Range, RangeInclusive, RangeFrom, RangeTo, RangeToInclusive);

impl<X> sealed::Sealed for (Bound<X>, Bound<X>) {}

impl<K, X: KeyBound<K>> KeyRange<K> for (Bound<X>, Bound<X>) {
    type Q = X::Q;
    type Keys<'a, St: LookupRange<X::Q> + 'a> = St::Keys<'a>;
    #[inline]
    fn bounds(&self) -> (Bound<&X::Q>, Bound<&X::Q>) {
        (map(self.0.as_ref()), map(self.1.as_ref()))
    }
    #[inline]
    fn keys<'a, St: LookupRange<X::Q>>(&self, store: &'a St) -> St::Keys<'a> {
        store.range(self.bounds())
    }
}

impl sealed::Sealed for RangeFull {}

impl<K: Borrow<K> + Ord> KeyRange<K> for RangeFull {
    type Q = K;
    type Keys<'a, St: LookupRange<K> + 'a> = St::AllKeys<'a>;
    #[inline]
    fn bounds(&self) -> (Bound<&K>, Bound<&K>) {
        (Bound::Unbounded, Bound::Unbounded)
    }
    #[inline]
    fn keys<'a, St: LookupRange<K>>(&self, store: &'a St) -> St::AllKeys<'a> {
        store.all()
    }
}
