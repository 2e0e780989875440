//! The store's one mutation surface: the only code that changes rows, and it keeps everything
//! derived from rows in step with them (creation numbers, retired slots and secondary
//! indexes, through the table's own methods; foreign-key indexes here; and, as they arrive,
//! the undo log and the change feed).
//!
//! Each method is typed: it knows the row's type, or the relation's. Code that walks
//! relations across tables it cannot name (a cascade) reaches the same typed code by
//! position, through the visitors at the end of this file. Apart from [`Db::edit`], which
//! checks the keys a closure changed, everything here applies a change that `write.rs` or
//! `delete.rs` has already checked, and cannot fail.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

use super::delete::Cascade;
use super::{Db, as_child};
use crate::error::{NotFound, WriteError};
use crate::fk_index::FkIndex;
use crate::id::{Id, RowKey};
use crate::index::IndexSet;
use crate::model::Model;
use crate::relation::{ForeignKey, Relation, parent_id};
use crate::schema::{HasRelation, HasTable, RelationVisitor, Schema, TableVisitor};
use crate::table::{Probes, Table};

mod saved_keys;
mod whole;

use saved_keys::{CompareKeys, RelinkSaved, RestoreKeys, SaveKeys, SavedKeys};

/// A panic caught while dropping rows, to resume once the store is whole again.
type Payload = Box<dyn Any + Send>;

impl<S: Schema> Db<S> {
    /// Stores a checked new row and links it under each of its parents.
    /// `probes` is what checking the row against the secondary indexes learnt, if it ran.
    #[inline]
    pub(super) fn insert_row<T: Model>(&mut self, row: T, probes: Option<Probes<T>>) -> RowKey
    where
        S: HasTable<T>,
    {
        let (rows, indexes) = self.tables.__rows_and_indexes_mut();
        let key = rows.insert_probed(row, probes);
        let rows = &*rows;
        let Some(row) = rows.get(key) else {
            unreachable!("the row was just inserted")
        };
        // A new row is the newest of its table: appending keeps creation order.
        let seq_of = |child| rows.seq(child).unwrap_or(u64::MAX);
        S::__relations(&mut EachParent {
            row,
            indexes,
            apply: |index: &mut FkIndex, parent| index.link_newest(parent, key, seq_of),
        });
        key
    }

    /// Replaces a stored row with a checked new value, moving it between parents where a key
    /// changed. Returns the old value, for the caller to drop: the store is whole by then.
    pub(super) fn replace_row<T: Model>(
        &mut self,
        key: RowKey,
        new: T,
        probes: Option<Probes<T>>,
    ) -> T
    where
        S: HasTable<T>,
    {
        let (rows, indexes) = self.tables.__rows_and_indexes_mut();
        let Some(old) = rows.replace(key, new, probes) else {
            unreachable!("a checked replace targets a stored row")
        };
        S::__relations(&mut Relink {
            rows,
            old: &old,
            key,
            indexes,
        });
        old
    }

    /// Removes a stored row that no row points to, unlinking it from its parents. The whole
    /// of a delete that cascades to nothing.
    #[inline]
    pub(super) fn remove_childless<T: Model>(&mut self, key: RowKey) -> T
    where
        S: HasTable<T>,
    {
        let (rows, indexes) = self.tables.__rows_and_indexes_mut();
        let Some(row) = rows.remove(key) else {
            unreachable!("a checked delete targets a stored row")
        };
        // The row is gone, its creation number not yet: a big family finds the row by it.
        let rows = &*rows;
        S::__relations(&mut EachParent {
            row: &row,
            indexes,
            apply: |index: &mut FkIndex, parent| {
                index.unlink(parent, key, || rows.seq_of_removed(key))
            },
        });
        row
    }

    /// Changes a row in place through `change`, then checks the keys it changed, as an insert
    /// would, and moves the row between parents. A refused key, or a panic in `change`, puts
    /// every key back as it was; the other fields keep what `change` wrote.
    ///
    /// A row with secondary indexes or a validator is edited as a copy instead, checked whole
    /// and stored only if accepted: its indexed fields could not be put back one by one, and
    /// a validator judges the whole row.
    pub(super) fn edit_row<T: Model, O>(
        &mut self,
        key: RowKey,
        change: impl FnOnce(&mut T) -> O,
    ) -> Result<O, WriteError>
    where
        S: HasTable<T>,
    {
        if T::VALIDATED || !<T::Indexes as IndexSet<T>>::INFOS.is_empty() {
            return self.update(Id::from_key(key), change);
        }
        let Some(row) = stored_mut::<S, T>(&mut self.tables, key) else {
            return Err(NotFound::new(Id::<T>::from_key(key)).into());
        };
        let mut saved = SavedKeys::default();
        S::__relations(&mut SaveKeys {
            row: &*row,
            saved: &mut saved,
        });
        // Caught so that the keys can be put back before the panic goes on.
        let out = panic::catch_unwind(AssertUnwindSafe(|| change(row)));
        let Some(row) = stored_mut::<S, T>(&mut self.tables, key) else {
            unreachable!("the closure cannot remove the row")
        };
        let mut compare = CompareKeys {
            row: &*row,
            saved: &saved,
            at: 0,
            changed: false,
        };
        S::__relations(&mut compare);
        let changed = compare.changed;
        let out = match out {
            Ok(out) => out,
            Err(payload) => {
                if changed {
                    S::__relations(&mut RestoreKeys {
                        row,
                        saved: &saved,
                        at: 0,
                    });
                }
                panic::resume_unwind(payload)
            }
        };
        if !changed {
            return Ok(out);
        }
        let Some(row) = self.rows::<T>().get(key) else {
            unreachable!("the row is still stored")
        };
        if let Err(error) = self.check_keys(row, Some(key)) {
            let Some(row) = stored_mut::<S, T>(&mut self.tables, key) else {
                unreachable!("the row is still stored")
            };
            S::__relations(&mut RestoreKeys {
                row,
                saved: &saved,
                at: 0,
            });
            return Err(error);
        }
        let (rows, indexes) = self.tables.__rows_and_indexes_mut();
        S::__relations(&mut RelinkSaved {
            rows,
            key,
            saved: &saved,
            at: 0,
            indexes,
        });
        Ok(out)
    }

    /// Makes room in table `T` for `additional` more rows (no row changes).
    pub(super) fn reserve_rows<T: Model>(
        &mut self,
        additional: usize,
    ) -> Result<(), std::collections::TryReserveError>
    where
        S: HasTable<T>,
    {
        self.tables.__rows_mut().try_reserve(additional)
    }

    /// Stores a checked batch of new rows, in order, and links each under its parents; returns
    /// their ids. The table is reserved once for the batch.
    pub(super) fn insert_rows<T: Model>(&mut self, rows: Vec<T>) -> Vec<Id<T>>
    where
        S: HasTable<T>,
    {
        // Only an optimisation: if the memory cannot be had now, the table grows as it fills,
        // as one insert at a time would.
        let _ = self.reserve_rows::<T>(rows.len());
        let mut ids = Vec::with_capacity(rows.len());
        for row in rows {
            ids.push(Id::from_key(self.insert_row(row, None)));
        }
        ids
    }

    /// Carries out a checked delete plan and returns its first row (the one asked for).
    ///
    /// Rows are only removed and dropped at the very end, once every index already agrees with
    /// them being gone, and all of them leave even if one's `Drop` panics: a row type whose
    /// `Drop` panics cannot leave the store half-changed.
    pub(super) fn apply_delete<T: Model>(&mut self, plan: &mut Cascade) -> T
    where
        S: HasTable<T>,
    {
        self.unlink_planned(plan);
        let (_, key) = plan.rows[0];
        let tables = &mut self.tables;
        let row = take_row::<S, T>(tables, key);
        // Every index already agrees with the rows being gone. Each row leaves its table
        // before its `Drop` runs, and every row leaves even if one's `Drop` panics.
        let mut drop_rows = DropRow {
            tables,
            key,
            first_panic: None,
        };
        for &(t, key) in &plan.rows[1..] {
            drop_rows.key = key;
            S::__visit_table(t, &mut drop_rows);
        }
        if let Some(payload) = drop_rows.first_panic.or_else(|| plan.take_copy_panic()) {
            // The row asked for is not handed back: drop it here, where a second panic can be
            // caught, rather than while the first one unwinds (which would abort).
            forget_panic(panic::catch_unwind(AssertUnwindSafe(|| drop(row))));
            panic::resume_unwind(payload);
        }
        row
    }

    /// Carries out a checked delete plan of any number of rows asked for (a retain), dropping
    /// every row; returns how many were deleted. Panicking `Drop`s as in
    /// [`Db::apply_delete`]: every row leaves, then the first panic goes on.
    pub(super) fn apply_delete_all(&mut self, plan: &mut Cascade) -> usize {
        self.unlink_planned(plan);
        let mut drop_rows = DropRow {
            tables: &mut self.tables,
            key: RowKey::default(),
            first_panic: None,
        };
        for &(t, key) in &plan.rows {
            drop_rows.key = key;
            S::__visit_table(t, &mut drop_rows);
        }
        if let Some(payload) = drop_rows.first_panic.or_else(|| plan.take_copy_panic()) {
            panic::resume_unwind(payload);
        }
        plan.rows.len()
    }

    /// The index side of a checked delete plan: keys set to null, deleted parents' lists
    /// forgotten, deleted children unlinked from parents that stay. The rows are still
    /// stored; the caller removes them next.
    fn unlink_planned(&mut self, plan: &mut Cascade) {
        let Db {
            tables,
            links,
            relations,
            ..
        } = self;
        // Set-nulls. The child's entry under the deleted parent goes with the parent's list.
        for &(r, child) in &plan.nullify {
            S::__visit_relation(r, &mut ClearKey { tables, child });
        }
        for &(t, key) in &plan.rows {
            for &r in &links[t].as_parent {
                tables.__indexes_mut()[r].forget_parent(key);
            }
        }
        // Surviving parents lose their deleted children: one pass over each such parent's
        // list, however many of its children go (one by one would be quadratic). Both the
        // list and the group are in creation order, so the pass is a merge.
        let mut survivors = std::mem::take(&mut plan.survivors);
        for &(t, key) in &plan.rows {
            for &r in &links[t].as_child {
                let mut read = ReadKey {
                    tables: &*tables,
                    child: key,
                    found: None,
                };
                S::__visit_relation(r, &mut read);
                if let Some((parent, seq)) = read.found
                    && !plan.contains((relations[r].parent, parent))
                {
                    survivors.push((r, parent, seq, key));
                }
            }
        }
        survivors.sort_unstable();
        for group in survivors.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let (r, parent, ..) = group[0];
            let leaving = group.iter().map(|&(.., seq, child)| (seq, child));
            tables.__indexes_mut()[r].unlink_many(parent, leaving);
        }
        survivors.clear();
        plan.survivors = survivors;
    }
}

/// The typed row of `key`, taken out of its table.
#[inline]
fn take_row<S: HasTable<T>, T: Model>(tables: &mut S, key: RowKey) -> T {
    match tables.__rows_mut().remove(key) {
        Some(row) => row,
        None => unreachable!("a checked delete targets a stored row"),
    }
}

#[inline]
fn stored_mut<S: HasTable<T>, T: Model>(tables: &mut S, key: RowKey) -> Option<&mut T> {
    tables.__rows_mut().get_mut(key)
}

/// Drops `rows` one by one, each under `catch_unwind`, so that a second panicking `Drop` does
/// not run while the first unwinds (which would abort); returns the first panic, later ones'
/// payloads leaked unread.
pub(super) fn drop_each<T>(rows: Vec<T>) -> Option<Payload> {
    let mut first = None;
    for row in rows {
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| drop(row))) {
            match first {
                None => first = Some(payload),
                Some(_) => std::mem::forget(payload),
            }
        }
    }
    first
}

/// Drops a caught panic's payload without running its `Drop`, which could panic again.
fn forget_panic(caught: Result<(), Payload>) {
    if let Err(payload) = caught {
        std::mem::forget(payload);
    }
}

/// Calls `apply` with the index and the parent of `row` in each relation whose child table is
/// the row's (linking a new row, unlinking a removed one).
struct EachParent<'a, T, F> {
    row: &'a T,
    indexes: &'a mut [FkIndex],
    apply: F,
}

impl<S: Schema, T: Model, F: FnMut(&mut FkIndex, RowKey)> RelationVisitor<S>
    for EachParent<'_, T, F>
{
    #[inline]
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        if let Some(child) = as_child::<R, T>(self.row)
            && let Some(parent) = parent_id::<R>(child)
        {
            (self.apply)(&mut self.indexes[S::RELATION_POS], parent.key());
        }
    }
}

/// Moves a row between parents, keeping each parent's children in creation order.
fn move_child<T: Model>(
    index: &mut FkIndex,
    rows: &Table<T>,
    key: RowKey,
    before: Option<RowKey>,
    after: Option<RowKey>,
) {
    if before == after {
        return;
    }
    let seq_of = |child| rows.seq(child).unwrap_or(u64::MAX);
    if let Some(parent) = before {
        index.unlink(parent, key, || seq_of(key));
    }
    if let Some(parent) = after {
        index.link(parent, key, seq_of(key), seq_of);
    }
}

/// Moves a replaced row between parents in each relation where its key changed.
struct Relink<'a, T: Model> {
    rows: &'a Table<T>,
    old: &'a T,
    key: RowKey,
    indexes: &'a mut [FkIndex],
}

impl<S: Schema, T: Model> RelationVisitor<S> for Relink<'_, T> {
    #[inline]
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        let Some(old) = as_child::<R, T>(self.old) else {
            return;
        };
        let new = self.rows.get(self.key).and_then(as_child::<R, T>);
        let before = parent_id::<R>(old).map(Id::key);
        let after = new.and_then(parent_id::<R>).map(Id::key);
        let index = &mut self.indexes[S::RELATION_POS];
        move_child(index, self.rows, self.key, before, after);
    }
}

/// Sets a child's key to null under relation `R` (by position, for a set-null delete).
struct ClearKey<'a, S> {
    tables: &'a mut S,
    child: RowKey,
}

impl<S: Schema> RelationVisitor<S> for ClearKey<'_, S> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        // Through `modify`: an index may hold the key (never a unique one: the schema refuses
        // a unique index over a key that a relation sets to null).
        let rows = <S as HasTable<R::Child>>::__rows_mut(self.tables);
        rows.modify(self.child, |row| R::key_mut(row).clear());
    }
}

/// Reads a child's parent and creation number under relation `R` (by position).
struct ReadKey<'a, S> {
    tables: &'a S,
    child: RowKey,
    found: Option<(RowKey, u64)>,
}

impl<S: Schema> RelationVisitor<S> for ReadKey<'_, S> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        let rows = <S as HasTable<R::Child>>::__rows(self.tables);
        if let Some(row) = rows.get(self.child)
            && let Some(parent) = parent_id::<R>(row)
        {
            let seq = rows.seq(self.child).unwrap_or(u64::MAX);
            self.found = Some((parent.key(), seq));
        }
    }
}

/// Removes one row (by table position) and drops it, catching a panic of its `Drop`: the
/// first is kept to resume, later ones are forgotten unread (dropping a payload may panic).
struct DropRow<'a, S> {
    tables: &'a mut S,
    key: RowKey,
    first_panic: Option<Payload>,
}

impl<S: Schema> TableVisitor<S> for DropRow<'_, S> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>,
    {
        let row = <S as HasTable<T>>::__rows_mut(self.tables).remove(self.key);
        let dropped = panic::catch_unwind(AssertUnwindSafe(|| drop(row)));
        match (dropped, &self.first_panic) {
            (Err(payload), None) => self.first_panic = Some(payload),
            (caught, _) => forget_panic(caught),
        }
    }
}
