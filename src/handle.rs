//! Handles on one table or one relation of a store: a value to pass around, iterate and count.
//!
//! A handle is only the store's address (the table or relation is known from the type), so
//! reading through it costs what reading through [`Db`] costs.

mod by_index;

use std::iter::FusedIterator;
use std::marker::PhantomData;

use crate::db::Db;
use crate::error::NotFound;
use crate::fk_index::{ChildKeys, FkIndex};
use crate::id::Id;
use crate::model::Model;
use crate::relation::{ForeignKey, HasMany, HasOne, ParentRow, Relation, RelationInfo, info_of};
use crate::row::{Children, Row};
use crate::schema::{HasRelation, HasTable};
use crate::table::Table;

pub use by_index::{FoundRows, IndexRows};

/// A typed handle on one table, from [`Db::table`]: get, iterate and count its rows.
#[must_use]
pub struct TableRef<'db, T, S> {
    db: &'db Db<S>,
    table: PhantomData<fn() -> T>,
}

impl<T: Model, S> std::fmt::Debug for TableRef<'_, T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TableRef({})", T::TABLE)
    }
}

impl<T, S> Clone for TableRef<'_, T, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, S> Copy for TableRef<'_, T, S> {}

impl<'db, T: Model, S: HasTable<T>> TableRef<'db, T, S> {
    #[inline]
    pub(crate) fn new(db: &'db Db<S>) -> Self {
        TableRef {
            db,
            table: PhantomData,
        }
    }

    #[inline]
    fn rows(&self) -> &'db Table<T> {
        self.db.rows()
    }

    /// The store (for queries, built in `query.rs`).
    #[inline]
    pub(crate) fn db(&self) -> &'db Db<S> {
        self.db
    }

    /// The row `id` names, or `None` for a stale id.
    #[inline]
    pub fn get(&self, id: Id<T>) -> Option<Row<'db, T, S>> {
        self.rows()
            .get(id.key())
            .map(|row| Row::new(self.db, id, row))
    }

    /// Whether `id` names a row of this table.
    #[inline]
    pub fn contains(&self, id: Id<T>) -> bool {
        self.rows().contains_key(id.key())
    }

    /// The number of rows. O(1).
    #[inline]
    pub fn len(&self) -> usize {
        self.rows().len()
    }

    /// Whether the table has no rows.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.rows().len() == 0
    }

    /// The ids of every row, in slot order (as [`TableRef::iter`] gives them), as an owned
    /// list: to change or delete rows while walking them, which a borrow of the table would
    /// not allow. One allocation, of exactly the table's length (none for an empty table);
    /// O(slots).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { hp: u32 }
    /// relstore::schema! { struct Game { players: Player } relations {} }
    ///
    /// let mut db = Db::<Game>::new();
    /// db.insert_many([Player { hp: 1 }, Player { hp: 2 }])?;
    /// for id in db.table::<Player>().ids() {
    ///     db.edit(id, |player| player.hp += 10)?;
    /// }
    /// assert!(db.table::<Player>().iter().all(|player| player.hp > 10));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn ids(&self) -> Vec<Id<T>> {
        let mut ids = Vec::with_capacity(self.len());
        ids.extend(self.rows().iter().map(|(key, _)| Id::from_key(key)));
        ids
    }

    /// The `n`-th row in slot order (the one [`TableRef::iter`] gives `n`-th), or `None` when
    /// `n` is not below [`TableRef::len`]. Allocates nothing.
    ///
    /// Cost: O(1) while the table has no empty slot (no row deleted since it was filled, or
    /// its empty slots all refilled); otherwise a walk over the slots up to the row, O(slots).
    /// To sample many rows from a table with holes, take [`TableRef::ids`] once and index it.
    ///
    /// A random row is `nth` of a random number below `len()`, from your own generator: the
    /// crate has no `rand` dependency.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "spawns")]
    /// # struct Spawn { x: i32 }
    /// relstore::schema! { struct Map { spawns: Spawn } relations {} }
    ///
    /// let mut db = Db::<Map>::new();
    /// let ids = db.insert_many((0..4).map(|x| Spawn { x }))?;
    /// db.delete(ids[1])?; // a hole: `nth` now walks the slots
    ///
    /// let spawns = db.table::<Spawn>();
    /// assert_eq!(spawns.nth(1).map(|s| s.x), Some(2));
    /// # let roll = |len: usize| len - 1; // e.g. `rng.gen_range(0..len)` with the `rand` crate
    /// let random = spawns.nth(roll(spawns.len())).map(|s| s.id());
    /// assert_eq!(random, Some(ids[3]));
    /// assert!(spawns.nth(3).is_none());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn nth(&self, n: usize) -> Option<Row<'db, T, S>> {
        let (key, row) = self.rows().nth(n)?;
        Some(Row::new(self.db, Id::from_key(key), row))
    }

    /// Every row, in slot order (not creation order: deleted rows' slots are reused).
    pub fn iter(&self) -> Rows<'db, T, S> {
        Rows {
            db: self.db,
            inner: self.rows().iter(),
        }
    }
}

impl<'db, T: Model, S: HasTable<T>> IntoIterator for TableRef<'db, T, S> {
    type Item = Row<'db, T, S>;
    type IntoIter = Rows<'db, T, S>;
    fn into_iter(self) -> Rows<'db, T, S> {
        self.iter()
    }
}

/// Every row of a table; from [`TableRef::iter`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Rows<'db, T, S> {
    db: &'db Db<S>,
    inner: crate::table::Iter<'db, T>,
}

impl<'db, T: Model, S: crate::Schema> Iterator for Rows<'db, T, S> {
    type Item = Row<'db, T, S>;

    #[inline]
    fn next(&mut self) -> Option<Row<'db, T, S>> {
        let (key, row) = self.inner.next()?;
        Some(Row::new(self.db, Id::from_key(key), row))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: Model, S: crate::Schema> ExactSizeIterator for Rows<'_, T, S> {}

impl<T: Model, S> std::fmt::Debug for Rows<'_, T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("table", &T::TABLE)
            .field("remaining", &self.inner.len())
            .finish()
    }
}
impl<T: Model, S: crate::Schema> FusedIterator for Rows<'_, T, S> {}

/// A typed handle on one relation, from [`Db::relation`]: its index and both of its tables,
/// found once, so that each navigation is as cheap as on hand-written slotmaps.
///
/// It answers as [`Db`] does: a stale id is an error ([`NotFound`]), never an empty answer
/// that a childless parent or a null key would also give.
///
/// ```
/// # use relstore::{Db, Id, Model};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Serialize, Deserialize, Model)]
/// # #[relstore(table = "players")]
/// # struct Player { name: String }
/// # #[derive(Clone, Serialize, Deserialize, Model)]
/// # #[relstore(table = "items")]
/// # struct Item { owner: Id<Player>, weight: u32 }
/// relstore::belongs_to!(Owner: Item.owner -> Player, has_many, on_delete = Cascade);
///
/// relstore::schema! { struct Game { players: Player, items: Item } relations { Owner } }
///
/// let mut db = Db::<Game>::new();
/// let ann = db.insert(Player { name: "ann".into() })?;
/// let items = [db.insert(Item { owner: ann, weight: 3 })?, db.insert(Item { owner: ann, weight: 4 })?];
///
/// // Once per frame:
/// let owner = db.relation(Owner);
/// for item in items {
///     assert_eq!(owner.belongs_to(item)?.id(), ann); // a required key: the parent itself
/// }
/// let load: u32 = owner.has_many(ann)?.map(|item| item.weight).sum();
/// assert_eq!(load, 7);
/// # Ok::<(), relstore::Error>(())
/// ```
#[must_use]
pub struct RelationRef<'db, R, S> {
    db: &'db Db<S>,
    relation: PhantomData<fn() -> R>,
}

impl<R: Relation, S> std::fmt::Debug for RelationRef<'_, R, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RelationRef({})", info_of::<R>())
    }
}

impl<R, S> Clone for RelationRef<'_, R, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R, S> Copy for RelationRef<'_, R, S> {}

impl<'db, R: Relation, S: HasRelation<R>> RelationRef<'db, R, S> {
    #[inline]
    pub(crate) fn new(db: &'db Db<S>) -> Self {
        RelationRef {
            db,
            relation: PhantomData,
        }
    }

    #[inline]
    fn index(&self) -> &'db FkIndex {
        self.db.index::<R>()
    }

    /// What the relation is.
    pub fn info(&self) -> &'static RelationInfo {
        info_of::<R>()
    }

    /// The parent of `child`: its `Row` for a required key, `Option<Row>` for an optional one
    /// (`None` only when the key is null).
    ///
    /// # Errors
    /// [`NotFound`] for a stale child id.
    #[inline]
    pub fn belongs_to(&self, child: Id<R::Child>) -> Result<ParentRow<'db, R, S>, NotFound> {
        let row =
            (self.db.rows::<R::Child>().get(child.key())).ok_or_else(|| NotFound::new(child))?;
        Ok(self.parent_of_stored(row))
    }

    /// The parent a child row's key names (see [`RelationRef::belongs_to`]). The row may be
    /// any value of the child type, a copy taken earlier or one not stored at all.
    ///
    /// # Errors
    /// [`NotFound`] naming the parent when the key names no row (a copy of a row whose
    /// parent has been deleted since, or a made-up key).
    pub fn parent_of(&self, child: &R::Child) -> Result<ParentRow<'db, R, S>, NotFound> {
        if let Some(parent) = R::key(child).parent_id()
            && !self.db.rows::<R::Parent>().contains_key(parent.key())
        {
            return Err(NotFound::new(parent));
        }
        Ok(self.parent_of_stored(child))
    }

    /// The parent of a row stored in this store, whose keys the store keeps pointing to rows.
    ///
    /// # Panics
    /// Only if a hand-written [`Relation`] breaks its contract (its key field changed
    /// behind the store's back).
    #[inline]
    pub(crate) fn parent_of_stored(&self, child: &R::Child) -> ParentRow<'db, R, S> {
        let (db, parents) = (self.db, self.db.rows::<R::Parent>());
        R::key(child).wrap(|parent| match parents.get_kept(parent.key()) {
            Some((key, row)) => Row::new(db, Id::from_key(key), row),
            None => unreachable!("a stored row's key names a stored row"),
        })
    }

    /// How many children `parent` has. O(1).
    ///
    /// # Errors
    /// [`NotFound`] for a stale parent id.
    #[inline]
    pub fn count(&self, parent: Id<R::Parent>) -> Result<usize, NotFound> {
        Ok(self.child_keys(parent)?.len())
    }

    /// The keys of `parent`'s children; an error for a stale parent. A parent with children
    /// is known to be live from the index alone (a deleted parent's list goes with it), so
    /// only a childless one costs a lookup in its table.
    #[inline]
    fn child_keys(&self, parent: Id<R::Parent>) -> Result<ChildKeys<'db>, NotFound> {
        let keys = self.index().children(parent.key());
        if keys.len() == 0 && !self.db.rows::<R::Parent>().contains_key(parent.key()) {
            return Err(NotFound::new(parent));
        }
        Ok(keys)
    }
}

impl<'db, R: Relation<Kind = HasMany>, S: HasRelation<R>> RelationRef<'db, R, S> {
    /// The children of `parent`, in creation order (see [`Db::has_many`]).
    ///
    /// # Errors
    /// [`NotFound`] for a stale parent id.
    #[inline]
    pub fn has_many(&self, parent: Id<R::Parent>) -> Result<Children<'db, R::Child, S>, NotFound> {
        let keys = self.child_keys(parent)?;
        Ok(Children::new(self.db, keys, self.db.rows::<R::Child>()))
    }
}

impl<'db, R: Relation<Kind = HasOne>, S: HasRelation<R>> RelationRef<'db, R, S> {
    /// The one child of `parent`, if it has one.
    ///
    /// # Errors
    /// [`NotFound`] for a stale parent id.
    #[inline]
    pub fn has_one(
        &self,
        parent: Id<R::Parent>,
    ) -> Result<Option<Row<'db, R::Child, S>>, NotFound> {
        let keys = self.child_keys(parent)?;
        Ok(Children::new(self.db, keys, self.db.rows::<R::Child>()).next())
    }
}
