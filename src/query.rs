//! Queries: the rows of a table (or a parent's children, or pairs across a relation),
//! filtered, ordered and windowed, lazily and typed.
//!
//! A [`Query`] reads like ActiveRecord's queries, with closures where those take
//! SQL fragments, and costs what a hand-written loop over the same rows costs: filters,
//! counts and windows without an order run on the source as it is read, allocating nothing.
//! Only an order collects, and `order_by(..).limit(k)` keeps the `k` smallest rather than
//! sorting everything.
//!
//! | ActiveRecord | relstore |
//! |---|---|
//! | `User.query().where('username = ?', (name,)).one()` | `db.query::<User>().filter(\|u\| u.username == name).one()?` |
//! | `User.query().all()` (creation order) | `db.query::<User>().in_creation_order().all()` |
//! | `Post.query().where('user_id = ?', (user.id,)).all()` | `db.children(PostAuthor, user.id())?.all()` (the foreign-key index, no scan) |
//! | users with posts (`JOIN posts ON ...`) | `db.query::<User>().where_has(PostAuthor)` (each user once) |
//! | each user with each post (`JOIN`, as rows) | `db.query::<User>().join(PostAuthor)`: `(user, post)` pairs |
//! | `.order_by('title DESC')` | `.order_by_desc(\|p\| p.value().title.as_str())` |
//! | `.limit(10).offset(20)` | `.limit(10).offset(20)` |
//! | `.count()`, `.exists()` | `.count()`, `.exists()` |
//!
//! A query is a description, as in SQL: every filter applies (all of them must pass), then
//! the order, then the offset and limit, whatever order the calls came in. So
//! `q.limit(5).filter(f)` is the first five items that pass `f`, and so is
//! `q.limit(5).where_has(R)`: [`where_has`](Query::where_has) and
//! [`where_has_not`](Query::where_has_not) are filters. A [`join`](Query::join) reads its
//! input query as that query stands (ordered and windowed), and starts afresh.
//!
//! A relation's default filter and order (`belongs_to!`'s `filter` and `order_by`, ActiveRecord's
//! `loader`) apply wherever a query reads the relation's children: [`Db::children`],
//! [`join`](Query::join), [`where_has`](Query::where_has) /
//! [`where_has_not`](Query::where_has_not) and, for the join rows, [`Db::through`]. A
//! query's own filters and order then apply on top (its `order_by` sorts stably, so ties keep
//! the default order). Raw navigation ([`Db::has_many`], [`Row::has_many`](crate::Row::has_many),
//! [`RelationRef::count`](crate::RelationRef::count)) still sees every child, in creation order.
//!
//! ```
//! # use relstore::{Db, Id, Model};
//! # use serde::{Deserialize, Serialize};
//! # #[derive(Clone, Serialize, Deserialize, Model)]
//! # struct User { name: String }
//! #[derive(Clone, Serialize, Deserialize, Model)]
//! struct Post { user_id: Id<User>, title: String, deleted: bool }
//!
//! relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, filter = |post| !post.deleted);
//! relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
//!
//! let mut db = Db::<Blog>::new();
//! let ann = db.insert(User { name: "ann".into() })?;
//! let bob = db.insert(User { name: "bob".into() })?;
//! db.insert(Post { user_id: ann, title: "kept".into(), deleted: false })?;
//! db.insert(Post { user_id: bob, title: "gone".into(), deleted: true })?;
//!
//! assert_eq!(db.children(PostAuthor, bob)?.count(), 0);
//! assert!(db.query::<User>().where_has(PostAuthor).ids().eq([ann]));
//! assert_eq!(db.query::<User>().join(PostAuthor).count(), 1);
//! assert_eq!(db.has_many(PostAuthor, bob)?.len(), 1); // raw navigation sees it
//! # Ok::<(), relstore::Error>(())
//! ```
//!
//! ```
//! use relstore::{Db, Id, Model};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Clone, Serialize, Deserialize, Model)]
//! #[relstore(table = "users")]
//! pub struct User { username: String }
//!
//! #[derive(Clone, Serialize, Deserialize, Model)]
//! #[relstore(table = "posts")]
//! pub struct Post { user_id: Id<User>, title: String }
//!
//! relstore::belongs_to!(pub PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
//! relstore::schema! { pub struct Blog { users: User, posts: Post } relations { PostAuthor } }
//!
//! let mut db = Db::<Blog>::new();
//! let [ann, bob, cy] = ["ann", "bob", "cy"].map(|name| db.insert(User { username: name.into() }));
//! let (ann, bob, cy) = (ann?, bob?, cy?);
//! for (user, title) in [(ann, "b"), (bob, "c"), (ann, "a")] {
//!     db.insert(Post { user_id: user, title: title.into() })?;
//! }
//!
//! let user = db.query::<User>().filter(|u| u.username == "bob").one()?;
//! assert_eq!(user.id(), bob);
//!
//! let writers: Vec<Id<User>> = db.query::<User>().where_has(PostAuthor).ids().collect();
//! assert_eq!(writers, [ann, bob]);
//!
//! let titles: Vec<&str> = db
//!     .children(PostAuthor, ann)?
//!     .order_by(|p| p.value().title.as_str())
//!     .into_iter()
//!     .map(|p| p.value().title.as_str())
//!     .collect();
//! assert_eq!(titles, ["a", "b"]);
//!
//! let pairs = db.query::<User>().join(PostAuthor).filter(|(_, post)| post.title != "c");
//! assert_eq!(pairs.count(), 2);
//! assert!(db.query::<User>().where_has_not(PostAuthor).ids().eq([cy]));
//! # Ok::<(), relstore::Error>(())
//! ```

mod sources;

pub use sources::RangeRows;
mod error;
mod order;
mod relations;
mod rows;

use std::fmt;
use std::iter::Filter;

pub use error::QueryError;
pub use order::{Asc, CreationOrder, Desc, Order, SortKey, Sorted, SortedIter, Unordered, Window};
pub use relations::{Join, Through, WhereHas};
pub use rows::{Ids, QueryItem};

use crate::db::Db;
use crate::schema::Schema;

/// A lazy query over items (rows, or pairs of rows) of one store: filter, order, window,
/// then read. See [the module docs](self) for how ActiveRecord's queries map onto it.
///
/// - `I` is the source: every row of a table ([`Db::query`]), a parent's children
///   ([`Db::children`]), pairs across a relation ([`Query::join`], [`Db::through`]), or any
///   iterator of rows ([`Query::from_source`]).
/// - `O` is the order: [`Unordered`] (the source's order, read lazily) until an
///   [`order_by`](Query::order_by) makes it [`Sorted`].
///
/// Nothing runs until the query is read ([`all`](Query::all), [`first`](Query::first),
/// [`count`](Query::count), a `for` loop, ...); reading consumes it.
#[must_use = "a query does nothing until it is read"]
pub struct Query<'db, S, I, O = Unordered> {
    db: &'db Db<S>,
    source: I,
    order: O,
    offset: usize,
    limit: Option<usize>,
}

impl<'db, S: Schema, I: Iterator> Query<'db, S, I> {
    /// A query over any iterator of items read from `db`, in the iterator's order: rows from
    /// an index, the children of several parents chained, a list of ids looked up.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Query};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # relstore::schema! { struct Blog { users: User } relations {} }
    /// let mut db = Db::<Blog>::new();
    /// let ids = db.insert_many(["ann", "bob", "cy"].map(|name| User { name: name.into() }))?;
    /// let picked = ids.iter().rev().filter_map(|&id| db.get(id).ok());
    /// let names: Vec<String> = Query::from_source(&db, picked).limit(2).into_iter().map(|u| u.name.clone()).collect();
    /// assert_eq!(names, ["cy", "bob"]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn from_source(db: &'db Db<S>, source: impl IntoIterator<IntoIter = I>) -> Self {
        Query {
            db,
            source: source.into_iter(),
            order: Unordered,
            offset: 0,
            limit: None,
        }
    }
}

impl<'db, S: Schema, I: Iterator> Query<'db, S, I> {
    /// The parts of an unordered query: store, source, offset, limit.
    fn into_parts(self) -> (&'db Db<S>, I, usize, Option<usize>) {
        (self.db, self.source, self.offset, self.limit)
    }
}

impl<'db, S: Schema, I: Iterator, O: Order<I::Item>> Query<'db, S, I, O> {
    /// The store the query reads.
    #[inline]
    pub(crate) fn db(&self) -> &'db Db<S> {
        self.db
    }

    /// The same query over another source: how relation-aware steps wrap the source.
    #[inline]
    pub(crate) fn map_source<J: Iterator>(self, f: impl FnOnce(I) -> J) -> Query<'db, S, J, O>
    where
        O: Order<J::Item>,
    {
        Query {
            db: self.db,
            source: f(self.source),
            order: self.order,
            offset: self.offset,
            limit: self.limit,
        }
    }

    /// Only the items for which `keep` is true; with other filters, only those passing all.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { name: String, hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// db.insert_many([("ann", 0), ("bob", 7), ("cy", 9)].map(|(n, hp)| Player { name: n.into(), hp }))?;
    /// let alive = db.query::<Player>().filter(|p| p.hp > 0).filter(|p| p.name != "cy");
    /// assert_eq!(alive.one()?.name, "bob");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn filter<F>(self, keep: F) -> Query<'db, S, Filter<I, F>, O>
    where
        F: FnMut(&I::Item) -> bool,
        O: Order<I::Item>,
    {
        self.map_source(|source| source.filter(keep))
    }

    /// Ordered by `key`, smallest first; after an earlier order, `key` breaks its ties
    /// (`order_by(a).order_by(b)` is SQL's `ORDER BY a, b`). Stable: equal keys keep the
    /// source's order.
    ///
    /// The key may borrow from the store: return `row.value().field` (borrowed for as long
    /// as the store is), not `row.field` (borrowed from the closure's argument only).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { name: String, level: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// db.insert_many([("cy", 2), ("ann", 1), ("bob", 2)].map(|(n, level)| Player { name: n.into(), level }))?;
    /// let by_level = db.query::<Player>().order_by(|p| p.level).order_by(|p| p.value().name.as_str());
    /// let names: Vec<&str> = by_level.into_iter().map(|p| p.value().name.as_str()).collect();
    /// assert_eq!(names, ["ann", "bob", "cy"]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn order_by<K, F>(self, key: F) -> Query<'db, S, I, O::Then<Asc<F>>>
    where
        K: Ord,
        F: FnMut(&I::Item) -> K,
    {
        self.then_by(Asc(key))
    }

    /// Ordered by `key`, largest first (see [`Query::order_by`]). Still stable: equal keys
    /// keep the source's order.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { name: String, score: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// db.insert_many([("ann", 5), ("bob", 9), ("cy", 5)].map(|(n, score)| Player { name: n.into(), score }))?;
    /// let best = db.query::<Player>().order_by_desc(|p| p.score).limit(2);
    /// let names: Vec<&str> = best.into_iter().map(|p| p.value().name.as_str()).collect();
    /// assert_eq!(names, ["bob", "ann"]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn order_by_desc<K, F>(self, key: F) -> Query<'db, S, I, O::Then<Desc<F>>>
    where
        K: Ord,
        F: FnMut(&I::Item) -> K,
    {
        self.then_by(Desc(key))
    }

    /// Ordered by a [`SortKey`] of your own (or [`Asc`], [`Desc`], [`CreationOrder`]), after
    /// any earlier order.
    ///
    /// ```
    /// # use relstore::{Db, Model, Row, query::SortKey};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { name: String }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// struct NameLength;
    /// impl<S> SortKey<Row<'_, Player, S>> for NameLength {
    ///     type Key = usize;
    ///     fn key(&mut self, p: &Row<'_, Player, S>) -> usize { p.name.len() }
    /// }
    /// let mut db = Db::<Game>::new();
    /// db.insert_many(["bob", "al", "cyril"].map(|n| Player { name: n.into() }))?;
    /// assert_eq!(db.query::<Player>().then_by(NameLength).first().map(|p| p.value().name.as_str()), Some("al"));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn then_by<K: SortKey<I::Item>>(self, key: K) -> Query<'db, S, I, O::Then<K>> {
        Query {
            db: self.db,
            source: self.source,
            order: self.order.then(key),
            offset: self.offset,
            limit: self.limit,
        }
    }

    /// At most `n` items (SQL's `LIMIT`); a later call replaces an earlier one. With an order,
    /// only the `offset + n` smallest are ever kept and sorted.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "events")]
    /// # struct Event { at: u64 }
    /// # relstore::schema! { struct Log { events: Event } relations {} }
    /// let mut db = Db::<Log>::new();
    /// db.insert_many((0..100).map(|at| Event { at: at * 7 % 100 }))?;
    /// let latest: Vec<u64> = db.query::<Event>().order_by_desc(|e| e.at).limit(3).into_iter().map(|e| e.at).collect();
    /// assert_eq!(latest, [99, 98, 97]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` items (SQL's `OFFSET`); a later call replaces an earlier one.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "events")]
    /// # struct Event { at: u64 }
    /// # relstore::schema! { struct Log { events: Event } relations {} }
    /// let mut db = Db::<Log>::new();
    /// db.insert_many((0..10).map(|at| Event { at }))?;
    /// let (page, size) = (2, 3);
    /// let third_page: Vec<u64> = db.query::<Event>().order_by(|e| e.at).offset(page * size).limit(size)
    ///     .into_iter().map(|e| e.at).collect();
    /// assert_eq!(third_page, [6, 7, 8]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn offset(mut self, n: usize) -> Self {
        self.offset = n;
        self
    }

    /// The first item, if any. Without an order, the source is read only up to it; with
    /// one, the smallest is found in one pass, without collecting (unless there is an
    /// offset).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { name: String, hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// db.insert_many([("ann", 5), ("bob", 2), ("cy", 2)].map(|(n, hp)| Player { name: n.into(), hp }))?;
    /// let weakest = db.query::<Player>().order_by(|p| p.hp).first();
    /// assert_eq!(weakest.map(|p| p.value().name.as_str()), Some("bob")); // the first of equals
    /// assert!(db.query::<Player>().filter(|p| p.hp > 5).first().is_none());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn first(self) -> Option<I::Item> {
        self.order.first(self.source, self.offset, self.limit)
    }

    /// The one item the query matches. Reads at most two items past the offset; sorts only
    /// when the query has both an order and a window.
    ///
    /// ```
    /// # use relstore::{Db, Model, QueryError};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { username: String }
    /// # relstore::schema! { struct Blog { users: User } relations {} }
    /// let mut db = Db::<Blog>::new();
    /// let bob = db.insert(User { username: "bob".into() })?;
    /// let found = db.query::<User>().filter(|u| u.username == "bob").one()?;
    /// assert_eq!(found.id(), bob);
    /// let missing = db.query::<User>().filter(|u| u.username == "eve").one();
    /// assert_eq!(missing.err(), Some(QueryError::NoMatch { table: "users", joined: None }));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`QueryError::NoMatch`] when no item matches, [`QueryError::MoreThanOne`] when two or
    /// more do; both name the table.
    pub fn one(self) -> Result<I::Item, QueryError>
    where
        I::Item: QueryItem,
    {
        let (table, joined) = <I::Item as QueryItem>::TABLES;
        let two = if (self.offset, self.limit) == (0, None) {
            // Without a window, the order cannot change which item is the one: no sort.
            let mut items = self.source;
            (items.next(), items.next())
        } else {
            let mut items = self.into_iter();
            (items.next(), items.next())
        };
        match two {
            (Some(item), None) => Ok(item),
            (None, _) => Err(QueryError::NoMatch { table, joined }),
            (Some(_), Some(_)) => Err(QueryError::MoreThanOne { table, joined }),
        }
    }

    /// Every item, in order, as an owned list (of borrowed rows).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { username: String }
    /// # relstore::schema! { struct Blog { users: User } relations {} }
    /// let mut db = Db::<Blog>::new();
    /// let ids = db.insert_many(["ann", "bob"].map(|n| User { username: n.into() }))?;
    /// let users = db.query::<User>().all();
    /// assert_eq!(users.iter().map(|u| u.id()).collect::<Vec<_>>(), ids);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn all(self) -> Vec<I::Item> {
        self.into_iter().collect()
    }

    /// How many items the query gives. Reads the source once and never sorts (an order
    /// does not change a count); allocates nothing.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// db.insert_many((0..10).map(|hp| Player { hp }))?;
    /// assert_eq!(db.query::<Player>().filter(|p| p.hp % 2 == 0).count(), 5);
    /// assert_eq!(db.query::<Player>().offset(8).limit(5).count(), 2);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn count(self) -> usize {
        let Query {
            source,
            offset,
            limit,
            ..
        } = self;
        let available = source.count().saturating_sub(offset);
        limit.map_or(available, |limit| available.min(limit))
    }

    /// Whether the query gives any item. Stops at the first (after the offset); never sorts;
    /// allocates nothing.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// db.insert(Player { hp: 3 })?;
    /// assert!(db.query::<Player>().filter(|p| p.hp > 2).exists());
    /// assert!(!db.query::<Player>().filter(|p| p.hp > 3).exists());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn exists(mut self) -> bool {
        self.limit != Some(0) && self.source.nth(self.offset).is_some()
    }

    /// The items, lazily (the same as `into_iter`): to `map`, `zip` or `sum` them.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// db.insert_many((1..=4).map(|hp| Player { hp }))?;
    /// let total: u32 = db.query::<Player>().filter(|p| p.hp > 1).iter().map(|p| p.hp).sum();
    /// assert_eq!(total, 9);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    #[allow(clippy::should_implement_trait)] // it is implemented: IntoIterator
    pub fn iter(self) -> O::Iter<I> {
        self.into_iter()
    }
}

impl<'db, S: Schema, I: Iterator, O: Order<I::Item>> IntoIterator for Query<'db, S, I, O> {
    type Item = I::Item;
    type IntoIter = O::Iter<I>;

    #[inline]
    fn into_iter(self) -> O::Iter<I> {
        self.order.run(self.source, self.offset, self.limit)
    }
}

impl<S, I: Clone, O: Clone> Clone for Query<'_, S, I, O> {
    fn clone(&self) -> Self {
        Query {
            db: self.db,
            source: self.source.clone(),
            order: self.order.clone(),
            offset: self.offset,
            limit: self.limit,
        }
    }
}

impl<S, I, O: fmt::Debug> fmt::Debug for Query<'_, S, I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("order", &self.order)
            .field("offset", &self.offset)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}
