//! How each kind of spec loads one parent's level into a tree stored by level: children
//! (has-many: a span of the next level's buffer; has-one: inline), a parent (inline), several
//! levels (tuples), none (`()`).

use super::node::{Entry, Level, Node, Nodes, Span};
use super::owned::Owned;
use super::parts::{All, Filter, Order, Unordered};
use super::spec::{BelongsTo, Eager};
use crate::id::Id;
use crate::model::Model;
use crate::relation::{HasMany, HasOne, Relation, shows};
use crate::row::{Children, Row};
use crate::schema::{HasRelation, Schema};

/// A spec of what to load under each row of table `P` in store schema `S`: [`Eager`] (a
/// parent's children), [`BelongsTo`] (a child's parent), a bare relation (its children, all
/// of them), a tuple of specs (several relations at one level), or `()` (nothing).
///
/// Only relstore implements it (the trait is sealed); its methods are the loads'
/// machinery, called through [`Tree::load`](super::Tree::load) and
/// [`OwnedTree::load`](super::OwnedTree::load). Name it to write a function generic over
/// what it loads:
///
/// ```
/// use relstore::{Db, Eager, Id, Load, Model, Tree};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
/// # struct User { name: String }
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
/// # struct Post { user_id: Id<User>, title: String }
/// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
/// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
///
/// fn user_count<L: Load<User, Blog>>(db: &Db<Blog>, spec: L) -> usize {
///     Tree::load(db.table::<User>().iter(), spec).len()
/// }
///
/// let mut db = Db::<Blog>::new();
/// db.insert(User { name: "ann".into() })?;
/// assert_eq!(user_count(&db, Eager::new(PostAuthor)), 1);
/// assert_eq!(user_count(&db, ()), 1);
/// # Ok::<(), relstore::Error>(())
/// ```
pub trait Load<P: Model, S: Schema>: sealed::Sealed {
    /// What a node's [`with`](super::Node::with) gives in a borrowed tree: [`Nodes`] for a
    /// has-many level, an `Option` of a [`Node`] for has-one or an optional parent, a
    /// [`Node`] for a required parent, a tuple for several levels, `()` for none.
    type View<'t, 'db: 't>
    where
        Self: 't;
    /// What one row's level holds in an owned tree: the same shape, with `Vec`s of
    /// [`Owned`] nodes for [`Nodes`].
    type Owned;
    /// What a row keeps of its level, beside it: the span of its children in the next
    /// level's buffer (has-many), the related row inline (has-one, a parent), a tuple, `()`.
    #[doc(hidden)]
    type Slot<'db>;
    /// The buffers of this level and those under it: a `Level` per has-many level.
    #[doc(hidden)]
    type Levels<'db>: Default;
    /// Loads the level under `parent` into `levels`; what `parent` keeps of it.
    #[doc(hidden)]
    fn load<'db>(&self, parent: Row<'db, P, S>, levels: &mut Self::Levels<'db>) -> Self::Slot<'db>;
    /// Gives back what loading used and the tree does not keep (a sorting level's scratch).
    #[doc(hidden)]
    fn finish(levels: &mut Self::Levels<'_>);
    /// The level a row keeps as `slot`, seen through `levels`.
    #[doc(hidden)]
    fn view<'t, 'db: 't>(
        slot: &'t Self::Slot<'db>,
        levels: &'t Self::Levels<'db>,
    ) -> Self::View<'t, 'db>
    where
        Self: 't;
    /// The level a row keeps as `slot`, rows cloned.
    #[doc(hidden)]
    fn owned<'db>(slot: &Self::Slot<'db>, levels: &Self::Levels<'db>) -> Self::Owned;
    /// The level under `parent`, rows cloned.
    #[doc(hidden)]
    fn load_owned(&self, parent: Row<'_, P, S>) -> Self::Owned;
}

impl<R, W, F, O> Eager<R, HasMany, W, F, O>
where
    R: Relation<Kind = HasMany>,
    F: Filter<R::Child>,
    O: Order<R::Child>,
{
    /// The most children `select` can keep of `count`: fewer if the filter says no.
    #[inline]
    fn room(&self, count: usize) -> usize {
        count.saturating_sub(self.offset).min(self.limit)
    }

    /// Hands `keep` the `children` as `R` shows them, filtered, ordered, skipped and limited,
    /// in order. Sorts (by the level's order, else `R`'s default one) in `scratch`, which it
    /// leaves empty; allocates nothing else.
    #[inline]
    fn select<'db, S: Schema>(
        &self,
        children: Children<'db, R::Child, S>,
        scratch: &mut Vec<Row<'db, R::Child, S>>,
        mut keep: impl FnMut(Row<'db, R::Child, S>),
    ) {
        // `R`'s default filter first (constant `true` without one), then the level's.
        let shown = |row: &Row<'db, R::Child, S>| shows::<R>(row) && self.filter.keep(row);
        // The level's order replaces `R`'s default order; either one sorts, stably.
        if O::SORTS || R::DEFAULT_ORDER.is_some() {
            scratch.clear();
            scratch.extend(children.filter(shown));
            match R::DEFAULT_ORDER {
                Some(order) if !O::SORTS => scratch.sort_by(|a, b| order(a, b)),
                _ => scratch.sort_by(|a, b| self.order.compare(a, b)),
            }
            let kept = scratch.drain(..).skip(self.offset).take(self.limit);
            return kept.for_each(keep);
        }
        let mut room = self.room(children.len());
        let mut skip = self.offset;
        for row in children {
            if room == 0 {
                break;
            }
            if !shown(&row) {
                continue;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            keep(row);
            room -= 1;
        }
    }
}

impl<R, S, W, F, O> Load<R::Parent, S> for Eager<R, HasMany, W, F, O>
where
    R: Relation<Kind = HasMany>,
    S: HasRelation<R>,
    W: Load<R::Child, S>,
    F: Filter<R::Child>,
    O: Order<R::Child>,
{
    type View<'t, 'db: 't>
        = Nodes<'t, 'db, R::Child, S, W>
    where
        Self: 't;
    type Owned = Vec<Owned<R::Child, W::Owned>>;
    type Slot<'db> = Span;
    type Levels<'db> = Level<'db, R::Child, S, W>;

    #[inline]
    fn load<'db>(&self, parent: Row<'db, R::Parent, S>, level: &mut Self::Levels<'db>) -> Span {
        let children = parent.has_many(self.relation);
        // Without a filter, the family's count (after offset and limit) is what is kept.
        let kept = (F::ALL && R::DEFAULT_FILTER.is_none()).then(|| self.room(children.len()));
        level.push(kept, |nodes, scratch, below| {
            self.select(children, scratch, |row| {
                let slot = self.with.load(row, below);
                nodes.push((row, slot));
            });
        })
    }

    fn finish(level: &mut Self::Levels<'_>) {
        level.finish();
    }

    #[inline]
    fn view<'t, 'db: 't>(span: &'t Span, level: &'t Self::Levels<'db>) -> Self::View<'t, 'db>
    where
        Self: 't,
    {
        level.nodes(span)
    }

    fn owned<'db>(span: &Span, level: &Self::Levels<'db>) -> Self::Owned {
        level.nodes(span).to_owned()
    }

    #[inline]
    fn load_owned(&self, parent: Row<'_, R::Parent, S>) -> Self::Owned {
        let children = parent.has_many(self.relation);
        let mut nodes = Vec::with_capacity(self.room(children.len()));
        self.select(children, &mut Vec::new(), |row| {
            nodes.push(Owned::of(row, self.with.load_owned(row)));
        });
        // Sized for every child; a filter that dropped most of them gives the room back.
        if nodes.capacity() > 2 * nodes.len() {
            nodes.shrink_to_fit();
        }
        nodes
    }
}

impl<R, W, F, O> Eager<R, HasOne, W, F, O>
where
    R: Relation<Kind = HasOne>,
    F: Filter<R::Child>,
{
    /// The child if `R`'s default filter and the level's filter keep it and `offset`/`limit`
    /// leave room for one.
    #[inline]
    fn select<'db, S: Schema>(
        &self,
        child: Option<Row<'db, R::Child, S>>,
    ) -> Option<Row<'db, R::Child, S>> {
        let room = self.offset == 0 && self.limit > 0;
        child.filter(|row| room && shows::<R>(row) && self.filter.keep(row))
    }
}

impl<R, S, W, F, O> Load<R::Parent, S> for Eager<R, HasOne, W, F, O>
where
    R: Relation<Kind = HasOne>,
    S: HasRelation<R>,
    W: Load<R::Child, S>,
    F: Filter<R::Child>,
    O: Order<R::Child>,
{
    type View<'t, 'db: 't>
        = Option<Node<'t, 'db, R::Child, S, W>>
    where
        Self: 't;
    type Owned = Option<Owned<R::Child, W::Owned>>;
    type Slot<'db> = Option<Entry<'db, R::Child, S, W>>;
    type Levels<'db> = W::Levels<'db>;

    #[inline]
    fn load<'db>(
        &self,
        parent: Row<'db, R::Parent, S>,
        below: &mut W::Levels<'db>,
    ) -> Self::Slot<'db> {
        let row = self.select(parent.has_one(self.relation))?;
        Some((row, self.with.load(row, below)))
    }

    fn finish(below: &mut W::Levels<'_>) {
        W::finish(below);
    }

    #[inline]
    fn view<'t, 'db: 't>(
        slot: &'t Self::Slot<'db>,
        below: &'t W::Levels<'db>,
    ) -> Self::View<'t, 'db>
    where
        Self: 't,
    {
        slot.as_ref().map(|entry| Node::new(entry, below))
    }

    fn owned<'db>(slot: &Self::Slot<'db>, below: &W::Levels<'db>) -> Self::Owned {
        slot.as_ref()
            .map(|entry| Node::<R::Child, S, W>::new(entry, below).to_owned())
    }

    #[inline]
    fn load_owned(&self, parent: Row<'_, R::Parent, S>) -> Self::Owned {
        let row = self.select(parent.has_one(self.relation))?;
        Some(Owned::of(row, self.with.load_owned(row)))
    }
}

impl<R, S, W> Load<R::Child, S> for BelongsTo<R, Id<R::Parent>, W>
where
    R: Relation<Key = Id<<R as Relation>::Parent>>,
    S: HasRelation<R>,
    W: Load<R::Parent, S>,
{
    type View<'t, 'db: 't>
        = Node<'t, 'db, R::Parent, S, W>
    where
        Self: 't;
    type Owned = Owned<R::Parent, W::Owned>;
    type Slot<'db> = Entry<'db, R::Parent, S, W>;
    type Levels<'db> = W::Levels<'db>;

    #[inline]
    fn load<'db>(
        &self,
        child: Row<'db, R::Child, S>,
        below: &mut W::Levels<'db>,
    ) -> Self::Slot<'db> {
        let row = child.belongs_to(self.relation);
        (row, self.with.load(row, below))
    }

    fn finish(below: &mut W::Levels<'_>) {
        W::finish(below);
    }

    #[inline]
    fn view<'t, 'db: 't>(
        entry: &'t Self::Slot<'db>,
        below: &'t W::Levels<'db>,
    ) -> Self::View<'t, 'db>
    where
        Self: 't,
    {
        Node::new(entry, below)
    }

    fn owned<'db>(entry: &Self::Slot<'db>, below: &W::Levels<'db>) -> Self::Owned {
        Node::<R::Parent, S, W>::new(entry, below).to_owned()
    }

    #[inline]
    fn load_owned(&self, child: Row<'_, R::Child, S>) -> Self::Owned {
        let row = child.belongs_to(self.relation);
        Owned::of(row, self.with.load_owned(row))
    }
}

impl<R, S, W> Load<R::Child, S> for BelongsTo<R, Option<Id<R::Parent>>, W>
where
    R: Relation<Key = Option<Id<<R as Relation>::Parent>>>,
    S: HasRelation<R>,
    W: Load<R::Parent, S>,
{
    type View<'t, 'db: 't>
        = Option<Node<'t, 'db, R::Parent, S, W>>
    where
        Self: 't;
    type Owned = Option<Owned<R::Parent, W::Owned>>;
    type Slot<'db> = Option<Entry<'db, R::Parent, S, W>>;
    type Levels<'db> = W::Levels<'db>;

    #[inline]
    fn load<'db>(
        &self,
        child: Row<'db, R::Child, S>,
        below: &mut W::Levels<'db>,
    ) -> Self::Slot<'db> {
        let row = child.belongs_to(self.relation)?;
        Some((row, self.with.load(row, below)))
    }

    fn finish(below: &mut W::Levels<'_>) {
        W::finish(below);
    }

    #[inline]
    fn view<'t, 'db: 't>(
        slot: &'t Self::Slot<'db>,
        below: &'t W::Levels<'db>,
    ) -> Self::View<'t, 'db>
    where
        Self: 't,
    {
        slot.as_ref().map(|entry| Node::new(entry, below))
    }

    fn owned<'db>(slot: &Self::Slot<'db>, below: &W::Levels<'db>) -> Self::Owned {
        slot.as_ref()
            .map(|entry| Node::<R::Parent, S, W>::new(entry, below).to_owned())
    }

    #[inline]
    fn load_owned(&self, child: Row<'_, R::Child, S>) -> Self::Owned {
        let row = child.belongs_to(self.relation)?;
        Some(Owned::of(row, self.with.load_owned(row)))
    }
}

/// A bare relation: its children as it shows them (its default filter and order), nothing
/// under them.
impl<R, S> Load<R::Parent, S> for R
where
    R: Relation,
    S: Schema,
    Eager<R, R::Kind, (), All, Unordered>: Load<R::Parent, S>,
{
    type View<'t, 'db: 't>
        = <Eager<R, R::Kind> as Load<R::Parent, S>>::View<'t, 'db>
    where
        Self: 't;
    type Owned = <Eager<R, R::Kind> as Load<R::Parent, S>>::Owned;
    type Slot<'db> = <Eager<R, R::Kind> as Load<R::Parent, S>>::Slot<'db>;
    type Levels<'db> = <Eager<R, R::Kind> as Load<R::Parent, S>>::Levels<'db>;

    #[inline]
    fn load<'db>(
        &self,
        parent: Row<'db, R::Parent, S>,
        levels: &mut Self::Levels<'db>,
    ) -> Self::Slot<'db> {
        Eager::new(*self).load(parent, levels)
    }

    fn finish(levels: &mut Self::Levels<'_>) {
        <Eager<R, R::Kind>>::finish(levels);
    }

    #[inline]
    fn view<'t, 'db: 't>(
        slot: &'t Self::Slot<'db>,
        levels: &'t Self::Levels<'db>,
    ) -> Self::View<'t, 'db>
    where
        Self: 't,
    {
        <Eager<R, R::Kind>>::view(slot, levels)
    }

    fn owned<'db>(slot: &Self::Slot<'db>, levels: &Self::Levels<'db>) -> Self::Owned {
        <Eager<R, R::Kind>>::owned(slot, levels)
    }

    #[inline]
    fn load_owned(&self, parent: Row<'_, R::Parent, S>) -> Self::Owned {
        Eager::new(*self).load_owned(parent)
    }
}

/// `Load` for `()` (nothing under the row) and tuples of up to 6 specs (several levels), each
/// spec named with its position.
macro_rules! load_tuples {
    ($(($($x:ident $i:tt),*))*) => {$(
        impl<$($x),*> sealed::Sealed for ($($x,)*) {}
        impl<P: Model, S: Schema, $($x: Load<P, S>),*> Load<P, S> for ($($x,)*) {
            type View<'t, 'db: 't> = ($($x::View<'t, 'db>,)*) where Self: 't;
            type Owned = ($($x::Owned,)*);
            type Slot<'db> = ($($x::Slot<'db>,)*);
            type Levels<'db> = ($($x::Levels<'db>,)*);

            #[inline]
            #[allow(clippy::unused_unit)]
            fn load<'db>(
                &self,
                parent: Row<'db, P, S>,
                levels: &mut Self::Levels<'db>,
            ) -> Self::Slot<'db> {
                let _ = (parent, &levels); // unused by `()`
                ($(self.$i.load(parent, &mut levels.$i),)*)
            }

            #[allow(clippy::unused_unit)]
            fn finish(levels: &mut Self::Levels<'_>) {
                let _ = &levels;
                $($x::finish(&mut levels.$i);)*
            }

            #[inline]
            #[allow(clippy::unused_unit)]
            fn view<'t, 'db: 't>(
                slot: &'t Self::Slot<'db>,
                levels: &'t Self::Levels<'db>,
            ) -> Self::View<'t, 'db>
            where
                Self: 't,
            {
                let _ = (slot, levels);
                ($($x::view(&slot.$i, &levels.$i),)*)
            }

            #[allow(clippy::unused_unit)]
            fn owned<'db>(slot: &Self::Slot<'db>, levels: &Self::Levels<'db>) -> Self::Owned {
                let _ = (slot, levels);
                ($($x::owned(&slot.$i, &levels.$i),)*)
            }

            #[inline]
            #[allow(clippy::unused_unit)]
            fn load_owned(&self, parent: Row<'_, P, S>) -> Self::Owned {
                let _ = parent;
                ($(self.$i.load_owned(parent),)*)
            }
        }
    )*};
}

load_tuples! {
    ()
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
}

mod sealed {
    pub trait Sealed {}
    impl<R, K, W, F, O> Sealed for super::Eager<R, K, W, F, O> {}
    impl<R, K, W> Sealed for super::BelongsTo<R, K, W> {}
    impl<R: crate::relation::Relation> Sealed for R {}
}
