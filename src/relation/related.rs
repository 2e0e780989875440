//! Related reads: a parent's children as its relation shows them, through the relation's
//! default filter and order (`belongs_to!`'s `filter` and `order_by`, ActiveRecord's `loader`).
//!
//! They read the live foreign-key index each time, as every read does: there is no relation
//! cache, so nothing here can be stale.

use std::iter::FusedIterator;

use crate::error::NotFound;
use crate::handle::RelationRef;
use crate::id::Id;
use crate::model::Model;
use crate::relation::{HasMany, HasOne, Relation};
use crate::row::{Children, Row};
use crate::schema::{HasRelation, Schema};

/// A parent's children under relation `R`, as the relation shows them: only those its
/// [default filter](Relation::DEFAULT_FILTER) keeps, in its
/// [default order](Relation::DEFAULT_ORDER); from [`Row::related`], [`RelationRef::related`]
/// and the has-many accessors [`belongs_to!`](crate::belongs_to) generates. The relation
/// queries read it too: [`Db::children`](crate::Db::children) is a query over one, and
/// [`Query::join`](crate::Query::join) and [`Db::through`](crate::Db::through) walk one per
/// parent.
///
/// Without a default order it reads the index lazily, in creation order, and allocates
/// nothing; with one, it collects the kept children into a `Vec` when created and sorts them,
/// stably (ties keep creation order). Either way it reads the store as it is when created:
/// there is no cache to go stale. To filter, order or window it further, make it a query:
/// [`Query::from_source(&db, related)`](crate::Query::from_source).
///
/// ```
/// # use relstore::{Db, Id, Model};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Serialize, Deserialize, Model)]
/// # struct User { name: String }
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// struct Post { user_id: Id<User>, draft: bool, likes: u32 }
///
/// relstore::belongs_to!(
///     PostAuthor: Post.user_id -> User, has_many,
///     filter = |post| !post.draft,
///     order_by = |post| std::cmp::Reverse(post.likes), // most liked first
/// );
/// relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
///
/// let mut db = Db::<Blog>::new();
/// let ann = db.insert(User { name: "ann".into() })?;
/// for (draft, likes) in [(false, 1), (true, 9), (false, 5)] {
///     db.insert(Post { user_id: ann, draft, likes })?;
/// }
/// let ann = db.get(ann)?;
/// let likes: Vec<u32> = ann.related(PostAuthor).map(|post| post.likes).collect();
/// assert_eq!(likes, [5, 1]);
/// assert_eq!(ann.has_many(PostAuthor).len(), 3); // `has_many` sees every child
/// let liked = relstore::Query::from_source(&db, ann.related(PostAuthor)).filter(|p| p.likes > 1);
/// assert_eq!(liked.count(), 1);
/// # Ok::<(), relstore::Error>(())
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Related<'db, R: Relation, S> {
    /// Without a default order, the index in creation order, filtered as it is read; with
    /// one, read to its end.
    index: Children<'db, R::Child, S>,
    /// With a default order, the kept children, collected and sorted; without, empty (an
    /// empty `Vec` allocates nothing). Two fields, not an enum: which one is read is decided
    /// by `R`'s constants, so a relation without defaults reads exactly as `Children` does,
    /// with no branch per row.
    sorted: std::vec::IntoIter<Row<'db, R::Child, S>>,
}

impl<'db, R: Relation, S: Schema> Related<'db, R, S> {
    /// `children` (every child of one parent, in creation order) as relation `R` shows them.
    /// The queries and eager loading start here, so that they show what the accessors show.
    #[inline]
    pub(crate) fn new(mut children: Children<'db, R::Child, S>) -> Self {
        let Some(order) = R::DEFAULT_ORDER else {
            return Related {
                index: children,
                sorted: Vec::new().into_iter(),
            };
        };
        let mut rows: Vec<_> = match R::DEFAULT_FILTER {
            Some(keep) => children.by_ref().filter(|row| keep(row.value())).collect(),
            None => children.by_ref().collect(),
        };
        rows.sort_by(|a, b| order(a.value(), b.value()));
        Related {
            index: children,
            sorted: rows.into_iter(),
        }
    }
}

/// Whether relation `R` shows `child` (its default filter keeps it). Constant `true`, folded
/// away, for a relation without a filter.
#[inline]
pub(crate) fn shows<R: Relation>(child: &R::Child) -> bool {
    R::DEFAULT_FILTER.is_none_or(|keep| keep(child))
}

impl<'db, R: Relation, S: Schema> Iterator for Related<'db, R, S> {
    type Item = Row<'db, R::Child, S>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if R::DEFAULT_ORDER.is_some() {
            return self.sorted.next();
        }
        match R::DEFAULT_FILTER {
            None => self.index.next(),
            Some(keep) => self.index.find(|row| keep(row.value())),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if R::DEFAULT_ORDER.is_some() {
            return self.sorted.size_hint();
        }
        match R::DEFAULT_FILTER {
            None => self.index.size_hint(),
            Some(_) => (0, Some(self.index.len())),
        }
    }

    /// `sum`, `for_each`, `count` and the like: [`Children`]'s counted loop, filtered.
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(self, init: B, mut f: F) -> B {
        if R::DEFAULT_ORDER.is_some() {
            return self.sorted.fold(init, f);
        }
        match R::DEFAULT_FILTER {
            None => self.index.fold(init, f),
            Some(keep) => self.index.fold(
                init,
                |acc, row| {
                    if keep(row.value()) { f(acc, row) } else { acc }
                },
            ),
        }
    }
}

impl<R: Relation, S: Schema> DoubleEndedIterator for Related<'_, R, S> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if R::DEFAULT_ORDER.is_some() {
            return self.sorted.next_back();
        }
        match R::DEFAULT_FILTER {
            None => self.index.next_back(),
            Some(keep) => self.index.rfind(|row| keep(row.value())),
        }
    }
}

impl<R: Relation, S: Schema> FusedIterator for Related<'_, R, S> {}

impl<R: Relation, S> Clone for Related<'_, R, S> {
    fn clone(&self) -> Self {
        Related {
            index: self.index.clone(),
            sorted: self.sorted.clone(),
        }
    }
}

impl<R: Relation, S: Schema> std::fmt::Debug for Related<'_, R, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Related")
            .field("relation", &R::NAME)
            .field("sorted", &R::DEFAULT_ORDER.is_some())
            .field("at_most", &(self.index.len() + self.sorted.len()))
            .finish()
    }
}

impl<'db, T: Model, S: Schema> Row<'db, T, S> {
    /// The row's children under has-many relation `R` as the relation shows them: through
    /// its default filter and order ([`Related`]). With neither, the same children as
    /// [`Row::has_many`], which always shows every child in creation order.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Post { user_id: Id<User>, title: String }
    ///
    /// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, order_by = |post| post.title.as_str());
    /// relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    ///
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "b".into() })?;
    /// db.insert(Post { user_id: ann, title: "a".into() })?;
    /// let ann = db.get(ann)?;
    /// let titles: Vec<&str> = ann.related(PostAuthor).map(|p| p.value().title.as_str()).collect();
    /// assert_eq!(titles, ["a", "b"]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn related<R>(&self, relation: R) -> Related<'db, R, S>
    where
        R: Relation<Parent = T, Kind = HasMany>,
        S: HasRelation<R>,
    {
        Related::new(self.has_many(relation))
    }
}

impl<'db, R: Relation<Kind = HasMany>, S: HasRelation<R>> RelationRef<'db, R, S> {
    /// The children of `parent` as the relation shows them (see [`Row::related`]).
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Post { user_id: Id<User>, draft: bool }
    ///
    /// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, filter = |post| !post.draft);
    /// relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    ///
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// let published = db.insert(Post { user_id: ann, draft: false })?;
    /// db.insert(Post { user_id: ann, draft: true })?;
    /// let authored = db.relation(PostAuthor);
    /// assert_eq!(authored.related(ann)?.map(|p| p.id()).collect::<Vec<_>>(), [published]);
    /// assert_eq!(authored.count(ann)?, 2); // counts see every child
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`NotFound`] for a stale parent id.
    #[inline]
    pub fn related(&self, parent: Id<R::Parent>) -> Result<Related<'db, R, S>, NotFound> {
        self.has_many(parent).map(Related::new)
    }
}

/// A has-one accessor's answer: the one child, unless the relation's default filter hides it.
#[doc(hidden)]
#[inline]
pub fn related_one<'db, R, S>(
    parent: &Row<'db, R::Parent, S>,
    relation: R,
) -> Option<Row<'db, R::Child, S>>
where
    R: Relation<Kind = HasOne>,
    S: HasRelation<R>,
{
    parent
        .has_one(relation)
        .filter(|child| shows::<R>(child.value()))
}
