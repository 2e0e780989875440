//! The one place that changes rows and indexes.
//!
//! Every function here applies a change that `write.rs` or `delete.rs` has already checked,
//! and cannot fail: a row and every index that mentions it change together. Rollback, undo and
//! the change feed (see the roadmap) will record here.

use std::panic::{self, AssertUnwindSafe};

use super::delete::Plan;
use super::{Db, as_child};
use crate::fk_index::FkIndex;
use crate::id::{Id, RowKey};
use crate::model::Model;
use crate::relation::{Relation, parent_id};
use crate::schema::{HasRelation, HasTable, RelationVisitor, Schema};
use crate::table::Table;

impl<S: Schema> Db<S> {
    /// Stores a checked new row and links it under each of its parents.
    #[inline]
    pub(super) fn apply_insert<T: Model>(&mut self, row: T) -> RowKey
    where
        S: HasTable<T>,
    {
        let (rows, indexes) = self.tables.__rows_and_indexes_mut();
        let key = rows.insert(row);
        let Some(row) = rows.get(key) else {
            unreachable!("the row was just inserted")
        };
        // A new row comes after every other: appending keeps insertion order.
        S::__relations(&mut EachParent {
            row,
            indexes,
            apply: |index: &mut FkIndex, parent| index.push(parent, key),
        });
        key
    }

    /// Replaces a stored row with a checked new value, moving it between parents where a key
    /// changed. Returns the old value.
    pub(super) fn apply_replace<T: Model>(&mut self, key: RowKey, new: T) -> T
    where
        S: HasTable<T>,
    {
        let (rows, indexes) = self.tables.__rows_and_indexes_mut();
        let Some(stored) = rows.get_mut(key) else {
            unreachable!("a checked replace targets a stored row")
        };
        let old = std::mem::replace(stored, new);
        let mut relink = Relink {
            rows,
            old: &old,
            key,
            indexes,
        };
        S::__relations(&mut relink);
        old
    }

    /// Carries out a checked delete plan and returns its first row (the one asked for).
    ///
    /// Rows are only removed and dropped at the very end, once every index already agrees with
    /// them being gone, and all of them leave even if one's `Drop` panics: a row type whose
    /// `Drop` panics cannot leave the store half-changed.
    pub(super) fn apply_delete<T: Model>(&mut self, plan: &mut Plan) -> T
    where
        S: HasTable<T>,
    {
        let Db {
            tables,
            links,
            relations,
            ..
        } = self;
        for &(r, child) in &plan.nullify {
            let relation = &relations[r];
            if let Some(row) = tables.__table_mut(relation.child).row_mut(child) {
                relation.keys.clear_key(row);
                // Holds unless a hand-written relation's `key` and `key_mut` disagree.
                debug_assert!(
                    relation.keys.parent_key(row).is_none(),
                    "key_mut cleared another field"
                );
            }
            // Its entry under the deleted parent goes with the parent's list, next.
        }
        for &(t, key) in &plan.rows {
            for &r in &links[t].as_parent {
                tables.__indexes_mut()[r].remove_parent(key);
            }
        }
        // Surviving parents lose their deleted children: one pass over each such parent's
        // list, however many of its children go (one by one would be quadratic). Both the
        // list and the group are in insertion order, so the pass is a merge.
        let mut survivors = std::mem::take(&mut plan.survivors);
        for &(t, key) in &plan.rows {
            let rows = tables.__table(t);
            for &r in &links[t].as_child {
                let relation = &relations[r];
                let parent = rows.row(key).and_then(|row| relation.keys.parent_key(row));
                if let Some(parent) = parent.filter(|&p| !plan.contains((relation.parent, p))) {
                    let seq = rows.seq(key).unwrap_or(u64::MAX);
                    survivors.push((r, parent, seq, key));
                }
            }
        }
        survivors.sort_unstable();
        for group in survivors.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let (r, parent, ..) = group[0];
            let leaving = group.iter().map(|&(.., child)| child);
            tables.__indexes_mut()[r].remove_in_order(parent, leaving);
        }
        survivors.clear();
        plan.survivors = survivors;

        let (_, key) = plan.rows[0];
        let row = take_row::<S, T>(tables, key);
        // Every index already agrees with the rows being gone. Each row leaves its table
        // before its `Drop` runs, and every row leaves even if one's `Drop` panics; the first
        // panic goes on once the store is whole.
        let mut first_panic = None;
        for &(t, key) in &plan.rows[1..] {
            let table = tables.__table_mut(t);
            let removed = panic::catch_unwind(AssertUnwindSafe(|| table.remove_row(key)));
            if let Err(payload) = removed {
                first_panic.get_or_insert(payload);
            }
        }
        if let Some(payload) = first_panic {
            panic::resume_unwind(payload);
        }
        row
    }

    /// Removes a stored row that no row points to any more, unlinking it from its parents.
    /// The whole of a delete that cascades to nothing.
    #[inline]
    pub(super) fn apply_delete_row<T: Model>(&mut self, key: RowKey) -> T
    where
        S: HasTable<T>,
    {
        let row = take_row::<S, T>(&mut self.tables, key);
        S::__relations(&mut EachParent {
            row: &row,
            indexes: self.tables.__indexes_mut(),
            apply: |index: &mut FkIndex, parent| index.detach(parent, key),
        });
        row
    }
}

#[inline]
fn take_row<S: HasTable<T>, T: Model>(tables: &mut S, key: RowKey) -> T {
    match tables.__rows_mut().remove(key) {
        Some(row) => row,
        None => unreachable!("a checked delete targets a stored row"),
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

/// Moves a replaced row between parents in each relation where its key changed, keeping each
/// parent's children in insertion order.
struct Relink<'a, T> {
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
        if before == after {
            return;
        }
        let index = &mut self.indexes[S::RELATION_POS];
        if let Some(parent) = before {
            index.detach(parent, self.key);
        }
        if let Some(parent) = after {
            let rows = self.rows;
            let seq_of = |child| rows.seq(child).unwrap_or(u64::MAX);
            index.insert_ordered(parent, self.key, seq_of(self.key), seq_of);
        }
    }
}
