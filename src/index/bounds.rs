//! What a range over an ordered index may be written with: the key itself, a reference to it,
//! or `&str` for a `String` key, in any of std's range forms. A trait of our own, because
//! `"a".."c"` is a range of `&str` while `BTreeMap<String, _>` wants one of `str`.

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
/// a pair of [`Bound`]s), bounded by [`KeyBound`]s.
pub trait KeyRange<K> {
    /// What the key is compared as.
    type Q: Ord + ?Sized;
    /// The range's bounds.
    fn bounds(&self) -> (Bound<&Self::Q>, Bound<&Self::Q>);
}

fn map<X: KeyBound<K>, K>(bound: Bound<&X>) -> Bound<&X::Q> {
    match bound {
        Bound::Included(x) => Bound::Included(x.as_key()),
        Bound::Excluded(x) => Bound::Excluded(x.as_key()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

macro_rules! key_range {
    ($($range:ident),*) => {$(
        impl<K, X: KeyBound<K>> KeyRange<K> for $range<X> {
            type Q = X::Q;
            #[inline]
            fn bounds(&self) -> (Bound<&X::Q>, Bound<&X::Q>) {
                (map(self.start_bound()), map(self.end_bound()))
            }
        }
    )*};
}
key_range!(Range, RangeInclusive, RangeFrom, RangeTo, RangeToInclusive);

impl<K, X: KeyBound<K>> KeyRange<K> for (Bound<X>, Bound<X>) {
    type Q = X::Q;
    #[inline]
    fn bounds(&self) -> (Bound<&X::Q>, Bound<&X::Q>) {
        (map(self.0.as_ref()), map(self.1.as_ref()))
    }
}

impl<K: Borrow<K> + Ord> KeyRange<K> for RangeFull {
    type Q = K;
    #[inline]
    fn bounds(&self) -> (Bound<&K>, Bound<&K>) {
        (Bound::Unbounded, Bound::Unbounded)
    }
}
