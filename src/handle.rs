//! Handles on one table or one relation of a store: a value to pass around, iterate and count.
//!
//! A handle is only the store's address (the table or relation is known from the type), so
//! reading through it costs what reading through [`Db`] costs.

use std::iter::FusedIterator;
use std::marker::PhantomData;

use crate::db::Db;
use crate::fk_index::FkIndex;
use crate::id::Id;
use crate::model::Model;
use crate::relation::{HasMany, HasOne, Relation, RelationInfo, info_of};
use crate::row::{Children, Row};
use crate::schema::{HasRelation, HasTable};
use crate::table::Table;

/// A typed handle on one table, from [`Db::table`]: get, iterate and count its rows.
pub struct TableRef<'db, T, S> {
    db: &'db Db<S>,
    table: PhantomData<fn() -> T>,
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

    /// Every row, in slot order (not insertion order: deleted rows' slots are reused).
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
impl<T: Model, S: crate::Schema> FusedIterator for Rows<'_, T, S> {}

/// A typed handle on one relation, from [`Db::relation`]: its index and both of its tables,
/// found once, so that each navigation is as cheap as on hand-written slotmaps.
///
/// ```
/// # use relstore::{Db, Id, Model};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Serialize, Deserialize)]
/// # struct Player { name: String }
/// # impl Model for Player { const TABLE: &'static str = "players"; }
/// # #[derive(Clone, Serialize, Deserialize)]
/// # struct Item { owner: Id<Player>, weight: u32 }
/// # impl Model for Item { const TABLE: &'static str = "items"; }
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
///     assert_eq!(owner.belongs_to(item).map(|p| p.id()), Some(ann));
/// }
/// let load: u32 = owner.has_many(ann).map(|item| item.weight).sum();
/// assert_eq!(load, 7);
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct RelationRef<'db, R, S> {
    db: &'db Db<S>,
    relation: PhantomData<fn() -> R>,
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

    /// The parent of `child`; `None` when `child` is stale or its optional key is null.
    #[inline]
    pub fn belongs_to(&self, child: Id<R::Child>) -> Option<Row<'db, R::Parent, S>> {
        self.parent_of(self.child_row(child)?)
    }

    #[inline]
    pub(crate) fn child_row(&self, child: Id<R::Child>) -> Option<&'db R::Child> {
        self.db.rows::<R::Child>().get(child.key())
    }

    #[inline]
    pub(crate) fn has_parent(&self, parent: Id<R::Parent>) -> bool {
        self.db.rows::<R::Parent>().contains_key(parent.key())
    }

    /// The parent of a child row you already hold; `None` when its optional key is null.
    #[inline]
    pub fn parent_of(&self, child: &R::Child) -> Option<Row<'db, R::Parent, S>> {
        let parent = crate::relation::parent_id::<R>(child)?;
        let row = self.db.rows::<R::Parent>().get(parent.key())?;
        Some(Row::new(self.db, parent, row))
    }

    /// How many children `parent` has. O(1).
    #[inline]
    pub fn count(&self, parent: Id<R::Parent>) -> usize {
        self.index().children(parent.key()).len()
    }

    #[inline]
    fn children(&self, parent: Id<R::Parent>) -> Children<'db, R::Child, S> {
        let keys = self.index().children(parent.key());
        Children::new(self.db, keys, self.db.rows::<R::Child>())
    }
}

impl<'db, R: Relation<Kind = HasMany>, S: HasRelation<R>> RelationRef<'db, R, S> {
    /// The children of `parent`, in insertion order; none for a stale parent.
    #[inline]
    pub fn has_many(&self, parent: Id<R::Parent>) -> Children<'db, R::Child, S> {
        self.children(parent)
    }
}

impl<'db, R: Relation<Kind = HasOne>, S: HasRelation<R>> RelationRef<'db, R, S> {
    /// The one child of `parent`, if it has one; `None` for a stale parent.
    #[inline]
    pub fn has_one(&self, parent: Id<R::Parent>) -> Option<Row<'db, R::Child, S>> {
        self.children(parent).next()
    }
}
