//! How each kind of spec loads one parent's level: children (has-many, has-one), a parent
//! (required or optional key), several levels (tuples), none (`()`).

use super::node::Node;
use super::owned::{Loaded, Owned};
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
    /// What one row's level holds in a borrowed tree.
    type Tree<'db>: Loaded<Owned = Self::Owned>;
    /// What one row's level holds in an owned tree.
    type Owned;
    /// The level under `parent`, borrowed.
    #[doc(hidden)]
    fn load<'db>(&self, parent: Row<'db, P, S>) -> Self::Tree<'db>;
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
    /// `children` as `R` shows them, then filtered, ordered, skipped and limited, each made
    /// into a node by `node` (loading under only the rows kept). One allocation without an
    /// order (the level's or `R`'s default), two with one.
    #[inline]
    fn select<'db, S: Schema, N>(
        &self,
        children: Children<'db, R::Child, S>,
        mut node: impl FnMut(Row<'db, R::Child, S>) -> N,
    ) -> Vec<N> {
        // `R`'s default filter first (constant `true` without one), then the level's.
        let keep = |row: &Row<'db, R::Child, S>| shows::<R>(row) && self.filter.keep(row);
        // The level's order replaces `R`'s default order; either one sorts, stably.
        if O::SORTS || R::DEFAULT_ORDER.is_some() {
            let mut rows: Vec<Row<'db, R::Child, S>> = children.filter(keep).collect();
            match R::DEFAULT_ORDER {
                Some(order) if !O::SORTS => rows.sort_by(|a, b| order(a, b)),
                _ => rows.sort_by(|a, b| self.order.compare(a, b)),
            }
            let kept = rows.into_iter().skip(self.offset).take(self.limit);
            return kept.map(node).collect();
        }
        // Room for every child that may be kept, so the Vec never grows.
        let room = children.len().saturating_sub(self.offset).min(self.limit);
        let mut nodes = Vec::with_capacity(room);
        if room == 0 {
            return nodes;
        }
        let mut skip = self.offset;
        for row in children {
            if !keep(&row) {
                continue;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            nodes.push(node(row));
            if nodes.len() == self.limit {
                break;
            }
        }
        nodes
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
    type Tree<'db> = Vec<Node<'db, R::Child, S, W::Tree<'db>>>;
    type Owned = Vec<Owned<R::Child, W::Owned>>;

    #[inline]
    fn load<'db>(&self, parent: Row<'db, R::Parent, S>) -> Self::Tree<'db> {
        self.select(parent.has_many(self.relation), |row| Node {
            row,
            with: self.with.load(row),
        })
    }

    #[inline]
    fn load_owned(&self, parent: Row<'_, R::Parent, S>) -> Self::Owned {
        self.select(parent.has_many(self.relation), |row| {
            Owned::of(row, self.with.load_owned(row))
        })
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
    type Tree<'db> = Option<Node<'db, R::Child, S, W::Tree<'db>>>;
    type Owned = Option<Owned<R::Child, W::Owned>>;

    #[inline]
    fn load<'db>(&self, parent: Row<'db, R::Parent, S>) -> Self::Tree<'db> {
        let row = self.select(parent.has_one(self.relation))?;
        Some(Node {
            row,
            with: self.with.load(row),
        })
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
    type Tree<'db> = Node<'db, R::Parent, S, W::Tree<'db>>;
    type Owned = Owned<R::Parent, W::Owned>;

    #[inline]
    fn load<'db>(&self, child: Row<'db, R::Child, S>) -> Self::Tree<'db> {
        let row = child.belongs_to(self.relation);
        Node {
            row,
            with: self.with.load(row),
        }
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
    type Tree<'db> = Option<Node<'db, R::Parent, S, W::Tree<'db>>>;
    type Owned = Option<Owned<R::Parent, W::Owned>>;

    #[inline]
    fn load<'db>(&self, child: Row<'db, R::Child, S>) -> Self::Tree<'db> {
        let row = child.belongs_to(self.relation)?;
        Some(Node {
            row,
            with: self.with.load(row),
        })
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
    type Tree<'db> = <Eager<R, R::Kind> as Load<R::Parent, S>>::Tree<'db>;
    type Owned = <Eager<R, R::Kind> as Load<R::Parent, S>>::Owned;

    #[inline]
    fn load<'db>(&self, parent: Row<'db, R::Parent, S>) -> Self::Tree<'db> {
        Eager::new(*self).load(parent)
    }

    #[inline]
    fn load_owned(&self, parent: Row<'_, R::Parent, S>) -> Self::Owned {
        Eager::new(*self).load_owned(parent)
    }
}

/// `Load` for `()` (nothing under the row) and tuples of up to 6 specs (several levels).
macro_rules! load_tuples {
    ($(($($x:ident),*))*) => {$(
        impl<$($x),*> sealed::Sealed for ($($x,)*) {}
        impl<P: Model, S: Schema, $($x: Load<P, S>),*> Load<P, S> for ($($x,)*) {
            type Tree<'db> = ($($x::Tree<'db>,)*);
            type Owned = ($($x::Owned,)*);

            #[inline]
            #[allow(non_snake_case, clippy::unused_unit)]
            fn load<'db>(&self, parent: Row<'db, P, S>) -> Self::Tree<'db> {
                let _ = parent; // unused by `()`
                let ($($x,)*) = self;
                ($($x.load(parent),)*)
            }

            #[inline]
            #[allow(non_snake_case, clippy::unused_unit)]
            fn load_owned(&self, parent: Row<'_, P, S>) -> Self::Owned {
                let _ = parent;
                let ($($x,)*) = self;
                ($($x.load_owned(parent),)*)
            }
        }
    )*};
}

load_tuples! {
    ()
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
}

mod sealed {
    pub trait Sealed {}
    impl<R, K, W, F, O> Sealed for super::Eager<R, K, W, F, O> {}
    impl<R, K, W> Sealed for super::BelongsTo<R, K, W> {}
    impl<R: crate::relation::Relation> Sealed for R {}
}
