//! The parts of a spec (filters and orders): public so that they can show in its types,
//! not nameable outside the crate.

use std::cmp::Ordering;

/// Which children a level keeps.
pub trait Filter<C> {
    /// Whether it keeps every row (so a family's size is what the level keeps of it).
    const ALL: bool;
    /// Whether to keep `row`.
    fn keep(&self, row: &C) -> bool;
}

/// In what order a level lists its children.
pub trait Order<C> {
    /// Whether the level sorts at all (creation order otherwise).
    const SORTS: bool;
    /// How `a` compares with `b`.
    fn compare(&self, a: &C, b: &C) -> Ordering;
}

/// Every child (no filter).
#[derive(Clone, Copy, Debug, Default)]
pub struct All;

/// The children for which the function is true.
#[derive(Clone, Copy, Debug)]
pub struct Where<F>(pub(super) F);

/// Creation order (no sort).
#[derive(Clone, Copy, Debug, Default)]
pub struct Unordered;

/// By a key, ascending.
#[derive(Clone, Copy, Debug)]
pub struct ByKey<F>(pub(super) F);

/// By a key, descending.
#[derive(Clone, Copy, Debug)]
pub struct ByKeyDesc<F>(pub(super) F);

/// By a comparison.
#[derive(Clone, Copy, Debug)]
pub struct By<F>(pub(super) F);

impl<C> Filter<C> for All {
    const ALL: bool = true;
    #[inline]
    fn keep(&self, _: &C) -> bool {
        true
    }
}

impl<C, F: Fn(&C) -> bool> Filter<C> for Where<F> {
    const ALL: bool = false;
    #[inline]
    fn keep(&self, row: &C) -> bool {
        (self.0)(row)
    }
}

impl<C> Order<C> for Unordered {
    const SORTS: bool = false;
    #[inline]
    fn compare(&self, _: &C, _: &C) -> Ordering {
        Ordering::Equal
    }
}

impl<C, F: Fn(&C) -> K, K: Ord> Order<C> for ByKey<F> {
    const SORTS: bool = true;
    #[inline]
    fn compare(&self, a: &C, b: &C) -> Ordering {
        (self.0)(a).cmp(&(self.0)(b))
    }
}

impl<C, F: Fn(&C) -> K, K: Ord> Order<C> for ByKeyDesc<F> {
    const SORTS: bool = true;
    #[inline]
    fn compare(&self, a: &C, b: &C) -> Ordering {
        (self.0)(b).cmp(&(self.0)(a))
    }
}

impl<C, F: Fn(&C, &C) -> Ordering> Order<C> for By<F> {
    const SORTS: bool = true;
    #[inline]
    fn compare(&self, a: &C, b: &C) -> Ordering {
        (self.0)(a, b)
    }
}
