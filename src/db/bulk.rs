//! Bulk work: room for rows ahead of time, a batch of rows inserted as a whole, and `retain`.
//!
//! Each checks the whole of its work before anything changes, as the one-row operations do,
//! then hands it to [`super::mutation`].

use std::collections::TryReserveError;

use super::Db;
use crate::error::{BatchError, DeleteError, WriteError};
use crate::id::{AnyId, Id, RowKey};
use crate::index::IndexSet;
use crate::model::Model;
use crate::relation::{Relation, RelationKind, info_of, parent_id};
use crate::row::Row;
use crate::schema::{HasRelation, HasTable, RelationVisitor, Schema};

impl<S: Schema> Db<S> {
    /// Makes room in table `T` for `additional` more rows, so that the inserts that fill it do
    /// not reallocate the table as they go.
    ///
    /// What is reserved: the table's slots and the creation number kept beside each slot.
    /// Empty slots (of deleted rows) are reused first and count as room, so only the rest is
    /// new. What is not: the foreign-key indexes. A parent's list of children grows
    /// as children arrive, and only the rows say which parents they go to; the index's map
    /// grows with the highest parent that has children. [`Db::insert_many`] reserves for its
    /// batch by itself.
    ///
    /// # Errors
    /// The allocator's [`TryReserveError`] when the memory cannot be had; no row or id
    /// changes, though part of the room may have been taken.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "particles")]
    /// # struct Particle { x: f32, y: f32 }
    /// relstore::schema! { struct Scene { particles: Particle } relations {} }
    ///
    /// let mut db = Db::<Scene>::new();
    /// db.reserve::<Particle>(10_000)?; // one allocation now, none in the loop
    /// for i in 0..10_000 {
    ///     db.insert(Particle { x: i as f32, y: 0.0 })?;
    /// }
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn reserve<T: Model>(&mut self, additional: usize) -> Result<(), TryReserveError>
    where
        S: HasTable<T>,
    {
        self.reserve_rows::<T>(additional)
    }

    /// Inserts a batch of rows as a whole and returns their ids, in the batch's order.
    ///
    /// All or nothing: every row's keys are checked before any row is stored, with the checks
    /// of [`Db::insert`] as if the rows were inserted one by one, with one difference: a key
    /// must name a row stored **before** the call (a row of the batch cannot be another's
    /// parent; that is for transactions). So a batch is refused when a key names no row
    /// ([`WriteError::MissingParent`]), a has-one parent already has its child
    /// ([`WriteError::HasOneTaken`]), or two rows of the batch name the same has-one parent
    /// ([`WriteError::HasOneTakenInBatch`]).
    ///
    /// Faster than one [`Db::insert`] per row: the table is reserved once for the whole
    /// batch, and ids go into a vector sized once. The rows are moved into the table from a
    /// `Vec` (a `Vec` passed in is used as it is, without a copy; any other iterator is
    /// collected into one first). Allocations: the returned ids, plus whatever the table and
    /// the parents' child lists need to grow (nothing for a reserved table whose parents'
    /// lists have room, when the rows come as a `Vec`).
    ///
    /// # Errors
    /// A [`BatchError`] naming the first row, by its position in the batch, that could not be
    /// inserted, and why; it hands back every row, in order. The store is unchanged.
    ///
    /// # Panics
    /// A panic of the iterator goes on; nothing has been inserted by then.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "zones")]
    /// # struct Zone { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "loot")]
    /// # struct Loot { zone: Id<Zone>, gold: u32 }
    /// relstore::belongs_to!(LootZone: Loot.zone -> Zone, has_many, on_delete = Cascade);
    /// relstore::schema! { struct Level { zones: Zone, loot: Loot } relations { LootZone } }
    ///
    /// let mut db = Db::<Level>::new();
    /// let zones = db.insert_many((0..10).map(|i| Zone { name: format!("zone {i}") }))?;
    /// let loot = (0..1000).map(|i| Loot { zone: zones[i % 10], gold: i as u32 });
    /// let ids = db.insert_many(loot)?;
    /// assert_eq!(ids.len(), 1000);
    /// assert_eq!(db.has_many(LootZone, zones[3])?.len(), 100);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn insert_many<T: Model>(
        &mut self,
        rows: impl IntoIterator<Item = T>,
    ) -> Result<Vec<Id<T>>, BatchError<T>>
    where
        S: HasTable<T>,
    {
        // From a `Vec`, `collect` hands back the same buffer: no copy, no allocation.
        let rows: Vec<T> = rows.into_iter().collect();
        if let Err((position, error)) = self.check_batch(&rows) {
            return Err(BatchError {
                position,
                error,
                rows,
            });
        }
        Ok(self.insert_rows(rows))
    }

    /// Deletes every row of table `T` for which `keep` returns false, applying every
    /// relation's on-delete policy as [`Db::delete`] does, and returns how many rows were
    /// deleted in all (cascaded rows of every table included).
    ///
    /// `keep` sees each row once, in slot order, as a [`Row`] (it can follow relations).
    /// All or nothing: `keep` runs over the whole table and the whole cascade is planned and
    /// checked before anything changes. If a restrict relation would block any of it (a
    /// restricted child that the same call does not delete), nothing is deleted. A row that
    /// `keep` keeps can still be deleted by a cascade from one it does not (in a table that
    /// refers to itself).
    ///
    /// Cost: one pass over the table's slots, then the cascade: O(rows deleted and their
    /// children), plus one pass over each surviving parent's list of children, however many
    /// of them go.
    ///
    /// # Errors
    /// [`DeleteError::Restricted`] naming the blocking relation and rows; the store is
    /// unchanged.
    ///
    /// # Panics
    /// A panic in `keep` goes on, and the store is unchanged: nothing is applied until `keep`
    /// has seen every row. A panic in a deleted row's `Drop` is handled as [`Db::delete`]
    /// handles it: every planned row leaves, every index agrees, then the first such panic
    /// goes on.
    ///
    /// ```
    /// # use relstore::{Db, DeleteError, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "monsters")]
    /// # struct Monster { hp: i32 }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "drops")]
    /// # struct Drop { monster: Id<Monster> }
    /// relstore::belongs_to!(DropOf: Drop.monster -> Monster, has_many, on_delete = Cascade);
    /// relstore::schema! { struct World { monsters: Monster, drops: Drop } relations { DropOf } }
    ///
    /// let mut db = Db::<World>::new();
    /// let monsters = db.insert_many([Monster { hp: 0 }, Monster { hp: 5 }, Monster { hp: -2 }])?;
    /// db.insert_many(monsters.iter().map(|&monster| Drop { monster }))?;
    ///
    /// let deleted = db.retain::<Monster>(|monster| monster.hp > 0)?;
    /// assert_eq!(deleted, 4); // two monsters and their drops
    /// assert_eq!(db.table::<Monster>().ids(), [monsters[1]]);
    /// assert_eq!(db.table::<Drop>().len(), 1);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn retain<T: Model>(
        &mut self,
        mut keep: impl FnMut(Row<'_, T, S>) -> bool,
    ) -> Result<usize, DeleteError>
    where
        S: HasTable<T>,
    {
        let mut plan = std::mem::take(&mut self.cascade_scratch);
        // A panic in `keep` drops this plan; the store has not been touched.
        plan.clear();
        for row in self.table::<T>() {
            let key = row.id().key();
            if !keep(row) {
                plan.add((S::TABLE_POS, key));
            }
        }
        let result = if plan.rows.is_empty() {
            Ok(0)
        } else {
            self.plan_cascade(&mut plan)
                .map(|()| self.apply_delete_all(&mut plan))
        };
        plan.clear();
        if plan.is_small() {
            self.cascade_scratch = plan;
        }
        result
    }

    /// Checks a batch as [`Db::insert_many`] describes: the position and reason of the first
    /// row that cannot be inserted after the ones before it.
    fn check_batch<T: Model>(&self, rows: &[T]) -> Result<(), (usize, WriteError)>
    where
        S: HasTable<T>,
    {
        let mut refused = None;
        for (position, row) in rows.iter().enumerate() {
            if let Err(error) = self.check_row(row, None) {
                refused = Some((position, error));
                break;
            }
        }
        // Has-one parents taken twice, among the rows before the first one refused above.
        let checked = refused
            .as_ref()
            .map_or(rows.len(), |&(position, _)| position);
        let mut twice = TakenTwice {
            rows: &rows[..checked],
            found: None,
        };
        S::__relations(&mut twice);
        // Unique keys taken twice, among the same rows.
        let unique = T::Indexes::check_batch(&rows[..checked]).err().map(|v| {
            let error = WriteError::UniqueInBatch {
                index: v.index,
                value: v.value,
                earlier: v.earlier,
            };
            (v.later, error)
        });
        let twice = match (twice.found, unique) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        match twice.or(refused) {
            Some(refused) => Err(refused),
            None => Ok(()),
        }
    }
}

/// Finds the first row of a batch whose has-one parent an earlier row of the batch takes.
pub(super) struct TakenTwice<'a, T> {
    pub(super) rows: &'a [T],
    /// The lowest such position found so far, over every has-one relation.
    pub(super) found: Option<(usize, WriteError)>,
}

impl<S: Schema, T: Model> RelationVisitor<S> for TakenTwice<'_, T> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        if !R::Kind::UNIQUE {
            return;
        }
        let mut parents: Vec<(RowKey, usize)> = (self.rows.iter().enumerate())
            .filter_map(|(position, row)| {
                let child = super::as_child::<R, T>(row)?;
                Some((parent_id::<R>(child)?.key(), position))
            })
            .collect();
        // By parent, then position: each run of one parent lists its rows in batch order.
        parents.sort_unstable();
        for pair in parents.windows(2) {
            let ((parent, earlier), (same, later)) = (pair[0], pair[1]);
            if parent != same || self.found.as_ref().is_some_and(|&(at, _)| at <= later) {
                continue;
            }
            let info = info_of::<R>();
            let error = WriteError::HasOneTakenInBatch {
                relation: info,
                parent: AnyId::new(info.parent_table, parent),
                earlier,
            };
            self.found = Some((later, error));
        }
    }
}
