//! Inserts and updates: check every foreign key, then hand the write to [`super::mutation`].
//!
//! Checks come before any change, so a failed write leaves the store exactly as it was.

use super::Db;
use crate::error::{NotFound, WriteError};
use crate::id::{AnyId, Id, RowKey};
use crate::index::Violation;
use crate::model::Model;
use crate::relation::{Relation, RelationKind, info_of, parent_id};
use crate::schema::{HasRelation, HasTable, Schema};
use crate::table::Probes;

impl<S: Schema> Db<S> {
    /// Inserts a row and returns its id.
    ///
    /// # Errors
    /// [`WriteError::MissingParent`] if a foreign key points to no row,
    /// [`WriteError::HasOneTaken`] if a has-one parent already has its child. The store is
    /// unchanged.
    #[inline]
    pub fn insert<T: Model>(&mut self, row: T) -> Result<Id<T>, WriteError>
    where
        S: HasTable<T>,
    {
        let probes = self.check_row(&row, None)?;
        Ok(Id::from_key(self.insert_row(row, Some(probes))))
    }

    /// Changes a row through a closure and returns what the closure returns; all or nothing.
    ///
    /// The closure edits a copy; the copy's foreign keys are checked before it replaces the row
    /// and the indexes follow (a changed key moves the row to its new parent's children). A
    /// failed check, or a panic in the closure, leaves the store unchanged. Costs a clone of the
    /// row; [`Db::edit`] changes the row in place, and [`Db::replace`] avoids the clone when
    /// you have the new value at hand.
    ///
    /// # Errors
    /// [`WriteError::NotFound`] for a stale id, and the errors of [`Db::insert`].
    ///
    /// # Panics
    /// If the closure or the row's `Clone` panics, the panic goes on and the store is
    /// unchanged. If the old row's `Drop` panics, the new row is already stored and every
    /// index agrees with it; the panic goes on and the closure's result is lost.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "items")]
    /// # struct Item { name: String, gold: u32 }
    /// relstore::schema! { struct Shop { items: Item } relations {} }
    ///
    /// let mut db = Db::<Shop>::new();
    /// let sword = db.insert(Item { name: "sword".into(), gold: 10 })?;
    /// let before = db.update(sword, |item| std::mem::replace(&mut item.gold, 12))?;
    /// assert_eq!((before, db.get(sword)?.gold), (10, 12));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn update<T: Model, R>(
        &mut self,
        id: Id<T>,
        change: impl FnOnce(&mut T) -> R,
    ) -> Result<R, WriteError>
    where
        S: HasTable<T>,
    {
        let mut row = (self.rows::<T>().get(id.key()))
            .ok_or(NotFound::new(id))?
            .clone();
        let out = change(&mut row);
        self.replace(id, row)?;
        Ok(out)
    }

    /// Changes a row in place through a closure, with its foreign keys still guarded, and
    /// returns what the closure returns.
    ///
    /// For a row without secondary indexes or a validator, no copy is made: the closure gets
    /// the stored row (for one with them, see below). If it changes no foreign key, that is
    /// all. If it changes some, they are checked as [`Db::insert`] checks them and the row
    /// moves to its new parents. A refused key, or a panic in the closure, puts **every key
    /// back** as it was, so the indexes always agree with the rows; the row's other fields
    /// keep what the closure wrote. Use [`Db::update`] when a refused change must leave the
    /// whole row as it was.
    ///
    /// **A row with secondary indexes or a validator** is edited as [`Db::update`] edits it: on
    /// a copy, checked whole (unique keys, the validator) and stored only if accepted, so a
    /// refusal leaves every field as it was. That costs a clone of the row; the in-place views
    /// ([`Db::row_mut`], [`Db::rows_mut`]) edit the fields no index or validator reads without
    /// one.
    ///
    /// # Errors
    /// [`WriteError::NotFound`] for a stale id, and the errors of [`Db::insert`] for a changed
    /// key (with its keys put back).
    ///
    /// # Panics
    /// A panic in the closure goes on, after the keys are put back.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, WriteError};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { name: String }
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// #[relstore(table = "items")]
    /// struct Item { owner: Id<Player>, durability: u32 }
    ///
    /// relstore::belongs_to!(Owner: Item.owner -> Player, has_many);
    /// relstore::schema! { struct Game { players: Player, items: Item } relations { Owner } }
    ///
    /// let mut db = Db::<Game>::new();
    /// let ann = db.insert(Player { name: "ann".into() })?;
    /// let sword = db.insert(Item { owner: ann, durability: 10 })?;
    /// db.edit(sword, |item| item.durability -= 1)?; // in place, no clone
    ///
    /// let gone = db.insert(Player { name: "gone".into() })?;
    /// db.delete(gone)?;
    /// let refused = db.edit(sword, |item| {
    ///     item.durability = 0;
    ///     item.owner = gone; // a key to a deleted row
    /// });
    /// assert!(matches!(refused, Err(WriteError::MissingParent { .. })));
    /// let item = db.get(sword)?;
    /// assert_eq!((item.owner, item.durability), (ann, 0)); // key put back, the rest kept
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn edit<T: Model, O>(
        &mut self,
        id: Id<T>,
        change: impl FnOnce(&mut T) -> O,
    ) -> Result<O, WriteError>
    where
        S: HasTable<T>,
    {
        self.edit_row(id.key(), change)
    }

    /// Replaces a row with a new value and returns the old one.
    ///
    /// # Errors
    /// As [`Db::update`]. The store is unchanged on error.
    pub fn replace<T: Model>(&mut self, id: Id<T>, row: T) -> Result<T, WriteError>
    where
        S: HasTable<T>,
    {
        if !self.rows::<T>().contains_key(id.key()) {
            return Err(NotFound::new(id).into());
        }
        let probes = self.check_row(&row, Some(id.key()))?;
        Ok(self.replace_row(id.key(), row, Some(probes)))
    }

    /// Checks `row` before it is stored (`this` is its key when it replaces a stored row):
    /// every parent exists, no has-one parent has another child, no unique index gives its
    /// key to another row, and its model's validator accepts it. What the index check learnt
    /// (each key's hash) goes to the insert, which then does not hash again.
    #[inline]
    pub(super) fn check_row<T: Model>(
        &self,
        row: &T,
        this: Option<RowKey>,
    ) -> Result<Probes<T>, WriteError>
    where
        S: HasTable<T>,
    {
        self.check_keys(row, this)?;
        let probes = match self.rows::<T>().check_unique(row, this) {
            Ok(probes) => probes,
            Err(v) => return Err(unique_error::<T>(v, this)),
        };
        if T::VALIDATED {
            row.validate().map_err(|reason| WriteError::Invalid {
                table: T::TABLE,
                row: this.map(|key| AnyId::new(T::TABLE, key)),
                reason,
            })?;
        }
        Ok(probes)
    }

    /// Checks the foreign keys of `row` (see [`Db::check_row`]).
    #[inline]
    pub(super) fn check_keys<T: Model>(
        &self,
        row: &T,
        this: Option<RowKey>,
    ) -> Result<(), WriteError>
    where
        S: HasTable<T>,
    {
        let mut check = Check {
            db: self,
            row,
            this,
            result: Ok(()),
        };
        S::__relations(&mut check);
        check.result
    }

    /// Checks one key of a row (see [`Db::check_keys`]).
    #[inline]
    fn check_key<R: Relation>(
        &self,
        child: &R::Child,
        this: Option<RowKey>,
    ) -> Result<(), WriteError>
    where
        S: HasRelation<R>,
    {
        let Some(parent) = parent_id::<R>(child) else {
            return Ok(());
        };
        let parent = parent.key();
        if !self.rows::<R::Parent>().contains_key(parent) {
            let info = info_of::<R>();
            return Err(WriteError::MissingParent {
                relation: info,
                parent: AnyId::new(info.parent_table, parent),
            });
        }
        if R::Kind::UNIQUE
            && let Some(existing) = self.index::<R>().children(parent).first()
            && Some(existing) != this
        {
            let info = info_of::<R>();
            return Err(WriteError::HasOneTaken {
                relation: info,
                parent: AnyId::new(info.parent_table, parent),
                existing: AnyId::new(info.child_table, existing),
                row: this.map(|key| AnyId::new(info.child_table, key)),
            });
        }
        Ok(())
    }
}

/// A unique index's refusal of `row` (`this`, when stored) as a [`WriteError`].
pub(super) fn unique_error<T: Model>(v: Violation, this: Option<RowKey>) -> WriteError {
    WriteError::Unique {
        index: v.index,
        value: v.value,
        holder: AnyId::new(T::TABLE, v.holder),
        row: this.map(|key| AnyId::new(T::TABLE, key)),
    }
}

/// Checks a row's key under each relation whose child table is the row's; stops at the first
/// error.
struct Check<'a, S, T> {
    db: &'a Db<S>,
    row: &'a T,
    this: Option<RowKey>,
    result: Result<(), WriteError>,
}

impl<S: Schema, T: Model> crate::schema::RelationVisitor<S> for Check<'_, S, T> {
    #[inline]
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        if self.result.is_ok()
            && let Some(child) = super::as_child::<R, T>(self.row)
        {
            self.result = self.db.check_key::<R>(child, self.this);
        }
    }
}
