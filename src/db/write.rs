//! Inserts and updates: check every foreign key, then hand the write to [`super::mutation`].
//!
//! Checks come before any change, so a failed write leaves the store exactly as it was.

use std::any::Any;

use super::Db;
use crate::error::WriteError;
use crate::id::{AnyId, Id, RowKey};
use crate::model::Model;

impl Db {
    /// Inserts a row and returns its id.
    ///
    /// # Errors
    /// [`WriteError::MissingParent`] if a foreign key points to no row,
    /// [`WriteError::HasOneTaken`] if a has-one parent already has its child,
    /// [`WriteError::UnknownTable`] if `T` is not in the schema. The store is unchanged.
    pub fn insert<T: Model>(&mut self, row: T) -> Result<Id<T>, WriteError> {
        let t = self.write_target::<T>()?;
        self.check_keys(t, &row, None)?;
        let key = self.apply_insert(t, row);
        Ok(Id::from_key(key))
    }

    /// Changes a row through a closure and returns what the closure returns.
    ///
    /// The closure edits a copy; the copy's foreign keys are checked before it replaces the row
    /// and the indexes follow (a changed key moves the row to its new parent's children). A
    /// failed check, or a panic in the closure, leaves the store unchanged. Costs a clone of the
    /// row; [`Db::replace`] avoids it when you have the new value at hand.
    ///
    /// # Errors
    /// [`WriteError::NotFound`] for a stale id, and the errors of [`Db::insert`].
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize)]
    /// # struct Item { name: String, gold: u32 }
    /// # impl Model for Item { const TABLE: &'static str = "items"; }
    /// let mut db = Db::builder().table::<Item>().build()?;
    /// let sword = db.insert(Item { name: "sword".into(), gold: 10 })?;
    /// let before = db.update(sword, |item| std::mem::replace(&mut item.gold, 12))?;
    /// assert_eq!((before, db.get(sword)?.gold), (10, 12));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn update<T: Model, R>(
        &mut self,
        id: Id<T>,
        change: impl FnOnce(&mut T) -> R,
    ) -> Result<R, WriteError> {
        let t = self.write_target::<T>()?;
        let mut row = self
            .rows_at::<T>(t)
            .get(id.key())
            .ok_or_else(|| WriteError::NotFound { id: id.into() })?
            .clone();
        let out = change(&mut row);
        self.replace_at(t, id, row)?;
        Ok(out)
    }

    /// Replaces a row with a new value and returns the old one.
    ///
    /// # Errors
    /// As [`Db::update`]. The store is unchanged on error.
    pub fn replace<T: Model>(&mut self, id: Id<T>, row: T) -> Result<T, WriteError> {
        let t = self.write_target::<T>()?;
        self.replace_at(t, id, row)
    }

    fn replace_at<T: Model>(&mut self, t: usize, id: Id<T>, new: T) -> Result<T, WriteError> {
        if !self.tables[t].rows.contains(id.key()) {
            return Err(WriteError::NotFound { id: id.into() });
        }
        self.check_keys(t, &new, Some(id.key()))?;
        Ok(self.apply_replace(t, id.key(), new))
    }

    /// Checks the foreign keys of `row`, a row of table `t` (`this` is its key when it is
    /// already stored): every parent exists and no has-one parent has another child.
    fn check_keys(&self, t: usize, row: &dyn Any, this: Option<RowKey>) -> Result<(), WriteError> {
        for &r in &self.tables[t].as_child {
            let relation = &self.relations[r];
            let Some(parent) = relation.keys.parent_key(row) else {
                continue;
            };
            let info = relation.info;
            if !self.tables[relation.parent].rows.contains(parent) {
                return Err(WriteError::MissingParent {
                    relation: info,
                    parent: AnyId::new(info.parent_table, parent),
                });
            }
            if info.unique
                && let Some(&existing) = relation.index.children(parent).first()
                && Some(existing) != this
            {
                return Err(WriteError::HasOneTaken {
                    relation: info,
                    parent: AnyId::new(info.parent_table, parent),
                    existing: AnyId::new(info.child_table, existing),
                    row: this.map(|key| AnyId::new(info.child_table, key)),
                });
            }
        }
        Ok(())
    }

    fn write_target<T: Model>(&self) -> Result<usize, WriteError> {
        self.table_index::<T>()
            .ok_or(WriteError::UnknownTable { table: T::TABLE })
    }
}
