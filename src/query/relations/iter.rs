//! The iterators the relation queries read: parents with or without children
//! ([`WhereHas`]), `(parent, child)` pairs ([`Join`]), join rows with their far parent
//! ([`Through`]). Each reads children through [`Related`], as the relation shows them.

use std::fmt;
use std::iter::FusedIterator;
use std::marker::PhantomData;

use crate::db::Db;
use crate::fk_index::FkIndex;
use crate::id::Id;
use crate::relation::{ForeignKey, Related, Relation, shows};
use crate::row::{Children, Row};
use crate::schema::{HasRelation, Schema};

/// The rows of a query with (or without) children under relation `R`, as `R` shows them;
/// from [`Query::where_has`](crate::Query::where_has) and [`Query::where_has_not`](crate::Query::where_has_not).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct WhereHas<'db, R, S, I> {
    pub(super) source: I,
    pub(super) db: &'db Db<S>,
    pub(super) has: bool,
    pub(super) relation: PhantomData<fn() -> R>,
}

impl<R: Relation, S: HasRelation<R>, I> WhereHas<'_, R, S, I> {
    /// Whether `parent` has a child that `R` shows: one index read without a default filter;
    /// with one, the children read until one passes.
    #[inline]
    fn keeps(db: &Db<S>, has: bool, parent: Id<R::Parent>) -> bool {
        let index = db.index::<R>();
        let shown = if R::DEFAULT_FILTER.is_none() {
            !index.is_childless(parent.key())
        } else {
            let keys = index.children(parent.key());
            Children::new(db, keys, db.rows::<R::Child>()).any(|child| shows::<R>(child.value()))
        };
        shown == has
    }
}

impl<'db, R, S, I> Iterator for WhereHas<'db, R, S, I>
where
    R: Relation,
    S: HasRelation<R>,
    I: Iterator<Item = Row<'db, R::Parent, S>>,
{
    type Item = Row<'db, R::Parent, S>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (db, has) = (self.db, self.has);
        self.source.find(|row| Self::keeps(db, has, row.id()))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.source.size_hint().1)
    }

    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(self, init: B, mut f: F) -> B {
        let (db, has) = (self.db, self.has);
        self.source.fold(init, |acc, row| {
            if Self::keeps(db, has, row.id()) {
                f(acc, row)
            } else {
                acc
            }
        })
    }
}

impl<R, S, I: Clone> Clone for WhereHas<'_, R, S, I> {
    fn clone(&self) -> Self {
        WhereHas {
            source: self.source.clone(),
            db: self.db,
            has: self.has,
            relation: PhantomData,
        }
    }
}

impl<R: Relation, S, I: fmt::Debug> fmt::Debug for WhereHas<'_, R, S, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhereHas")
            .field("relation", &R::NAME)
            .field("source", &self.source)
            .field("has", &self.has)
            .finish_non_exhaustive()
    }
}

/// `(parent, child)` pairs across a relation; from [`Query::join`](crate::Query::join).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Join<'db, R: Relation, S, J> {
    pub(super) db: &'db Db<S>,
    pub(super) index: &'db FkIndex,
    pub(super) parents: J,
    /// The parent being read (none before the first), and its children left.
    pub(super) parent: Option<Row<'db, R::Parent, S>>,
    pub(super) children: Related<'db, R, S>,
}

impl<'db, R, S, J> Iterator for Join<'db, R, S, J>
where
    R: Relation,
    S: Schema + HasRelation<R>,
    J: Iterator<Item = Row<'db, R::Parent, S>>,
{
    type Item = (Row<'db, R::Parent, S>, Row<'db, R::Child, S>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(parent) = self.parent
                && let Some(child) = self.children.next()
            {
                return Some((parent, child));
            }
            let parent = self.parents.next()?;
            let keys = self.index.children(parent.id().key());
            self.parent = Some(parent);
            self.children = Related::new(Children::new(self.db, keys, self.db.rows()));
        }
    }

    /// `sum`, `count`, `for_each` and the like: each parent's children by their own `fold`,
    /// a loop over the stored keys (filtered by `R`'s default filter, if any), as a
    /// hand-written nested loop would be.
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(self, init: B, mut f: F) -> B {
        let Join {
            db,
            index,
            parents,
            parent,
            children,
        } = self;
        let mut acc = init;
        if let Some(parent) = parent {
            acc = children.fold(acc, |acc, child| f(acc, (parent, child)));
        }
        parents.fold(acc, |acc, parent| {
            let keys = index.children(parent.id().key());
            let children = Related::<R, S>::new(Children::new(db, keys, db.rows()));
            children.fold(acc, |acc, child| f(acc, (parent, child)))
        })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let (low, high) = self.children.size_hint();
        match self.parents.size_hint() {
            (_, Some(0)) => (low, high),
            _ => (low, None),
        }
    }
}

impl<'db, R, S, J> FusedIterator for Join<'db, R, S, J>
where
    R: Relation,
    S: Schema + HasRelation<R>,
    J: FusedIterator<Item = Row<'db, R::Parent, S>>,
{
}

impl<R: Relation, S, J: Clone> Clone for Join<'_, R, S, J> {
    fn clone(&self) -> Self {
        Join {
            db: self.db,
            index: self.index,
            parents: self.parents.clone(),
            parent: self.parent,
            children: self.children.clone(),
        }
    }
}

impl<R: Relation, S, J> fmt::Debug for Join<'_, R, S, J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("relation", &R::NAME)
            .finish_non_exhaustive()
    }
}

/// Join rows under relation `A` (as `A` shows them) with their parent under relation `B`;
/// from [`Db::through`](crate::Db::through).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Through<'db, A: Relation, B, S> {
    pub(super) rows: Related<'db, A, S>,
    pub(super) to: B,
}

impl<'db, A, B, S> Iterator for Through<'db, A, B, S>
where
    A: Relation,
    B: Relation<Child = A::Child>,
    S: Schema + HasRelation<B>,
{
    type Item = (Row<'db, B::Child, S>, Row<'db, B::Parent, S>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let to = self.to;
        self.rows.find_map(|row| {
            let parent = <B::Key as ForeignKey<B::Parent>>::into_option(row.belongs_to(to));
            parent.map(|parent| (row, parent))
        })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let (low, high) = self.rows.size_hint();
        let low = if <B::Key as ForeignKey<B::Parent>>::OPTIONAL {
            0
        } else {
            low
        };
        (low, high)
    }
}

impl<'db, A, B, S> FusedIterator for Through<'db, A, B, S>
where
    A: Relation,
    B: Relation<Child = A::Child>,
    S: Schema + HasRelation<B>,
{
}

impl<A: Relation, B: Copy, S> Clone for Through<'_, A, B, S> {
    fn clone(&self) -> Self {
        Through {
            rows: self.rows.clone(),
            to: self.to,
        }
    }
}

impl<A: Relation, B: Relation, S: Schema> fmt::Debug for Through<'_, A, B, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Through")
            .field("from", &A::NAME)
            .field("to", &B::NAME)
            .field("rows", &self.rows)
            .finish()
    }
}
