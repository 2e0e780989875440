//! Printing a borrowed tree: `{:?}` of a [`Tree`](super::Tree), [`Nodes`] or [`Node`] shows
//! each row with what was loaded under it, read in place.
//!
//! The views' `Debug` cannot ask "`Load::View` is `Debug`": a tree's view lives as long as a
//! borrow of the tree, which its `Debug` impl cannot name, and a bound for every lifetime
//! would ask the store to live forever. So each spec prints its own slot, and asks only that
//! its rows be `Debug`.

use std::fmt::{Debug, Formatter, Result};
use std::marker::PhantomData;

use super::load::Load;
use super::node::{Level, Node, Span};
use super::parts::{All, Filter, Order, Unordered};
use super::spec::{BelongsTo, Eager};
use crate::id::Id;
use crate::model::Model;
use crate::relation::{HasMany, HasOne, Relation};
use crate::schema::{HasRelation, Schema};

/// A spec whose loaded rows can all be printed. Only relstore implements it, for every spec
/// over rows that are `Debug`.
#[doc(hidden)]
pub trait DebugLoad<P: Model, S: Schema>: Load<P, S> {
    /// Prints the level a row keeps as `slot`.
    fn fmt_slot<'db>(
        slot: &Self::Slot<'db>,
        levels: &Self::Levels<'db>,
        f: &mut Formatter<'_>,
    ) -> Result;
}

/// A row's slot, printable.
pub(super) struct Slot<'a, 'db, P: Model, S: Schema, W: Load<P, S>> {
    pub(super) slot: &'a W::Slot<'db>,
    pub(super) levels: &'a W::Levels<'db>,
    pub(super) row: PhantomData<fn() -> P>,
}

impl<P: Model, S: Schema, W: DebugLoad<P, S>> Debug for Slot<'_, '_, P, S, W> {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        W::fmt_slot(self.slot, self.levels, f)
    }
}

impl<R, S, W, F, O> DebugLoad<R::Parent, S> for Eager<R, HasMany, W, F, O>
where
    R: Relation<Kind = HasMany>,
    R::Child: Debug,
    S: HasRelation<R>,
    W: DebugLoad<R::Child, S>,
    F: Filter<R::Child>,
    O: Order<R::Child>,
{
    fn fmt_slot<'db>(
        span: &Span,
        level: &Level<'db, R::Child, S, W>,
        f: &mut Formatter<'_>,
    ) -> Result {
        level.nodes(span).fmt(f)
    }
}

impl<R, S, W, F, O> DebugLoad<R::Parent, S> for Eager<R, HasOne, W, F, O>
where
    R: Relation<Kind = HasOne>,
    R::Child: Debug,
    S: HasRelation<R>,
    W: DebugLoad<R::Child, S>,
    F: Filter<R::Child>,
    O: Order<R::Child>,
{
    fn fmt_slot<'db>(
        slot: &Self::Slot<'db>,
        below: &W::Levels<'db>,
        f: &mut Formatter<'_>,
    ) -> Result {
        (slot.as_ref())
            .map(|entry| Node::<R::Child, S, W>::new(entry, below))
            .fmt(f)
    }
}

impl<R, S, W> DebugLoad<R::Child, S> for BelongsTo<R, Id<R::Parent>, W>
where
    R: Relation<Key = Id<<R as Relation>::Parent>>,
    R::Parent: Debug,
    S: HasRelation<R>,
    W: DebugLoad<R::Parent, S>,
{
    fn fmt_slot<'db>(
        entry: &Self::Slot<'db>,
        below: &W::Levels<'db>,
        f: &mut Formatter<'_>,
    ) -> Result {
        Node::<R::Parent, S, W>::new(entry, below).fmt(f)
    }
}

impl<R, S, W> DebugLoad<R::Child, S> for BelongsTo<R, Option<Id<R::Parent>>, W>
where
    R: Relation<Key = Option<Id<<R as Relation>::Parent>>>,
    R::Parent: Debug,
    S: HasRelation<R>,
    W: DebugLoad<R::Parent, S>,
{
    fn fmt_slot<'db>(
        slot: &Self::Slot<'db>,
        below: &W::Levels<'db>,
        f: &mut Formatter<'_>,
    ) -> Result {
        (slot.as_ref())
            .map(|entry| Node::<R::Parent, S, W>::new(entry, below))
            .fmt(f)
    }
}

impl<R, S> DebugLoad<R::Parent, S> for R
where
    R: Relation,
    S: Schema,
    Eager<R, R::Kind, (), All, Unordered>: DebugLoad<R::Parent, S>,
{
    fn fmt_slot<'db>(
        slot: &Self::Slot<'db>,
        levels: &Self::Levels<'db>,
        f: &mut Formatter<'_>,
    ) -> Result {
        <Eager<R, R::Kind>>::fmt_slot(slot, levels, f)
    }
}

impl<P: Model, S: Schema> DebugLoad<P, S> for () {
    fn fmt_slot(_: &(), _: &(), f: &mut Formatter<'_>) -> Result {
        f.write_str("()")
    }
}

/// `DebugLoad` for tuples of up to 6 specs, printed as a tuple of their levels.
macro_rules! debug_tuples {
    ($(($($x:ident $i:tt),*))*) => {$(
        impl<P: Model, S: Schema, $($x: DebugLoad<P, S>),*> DebugLoad<P, S> for ($($x,)*) {
            fn fmt_slot<'db>(
                slot: &Self::Slot<'db>,
                levels: &Self::Levels<'db>,
                f: &mut Formatter<'_>,
            ) -> Result {
                let mut tuple = f.debug_tuple("");
                $(tuple.field(&Slot::<P, S, $x> {
                    slot: &slot.$i,
                    levels: &levels.$i,
                    row: PhantomData,
                });)*
                tuple.finish()
            }
        }
    )*};
}

debug_tuples! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
}
