//! The one place that changes rows and indexes.
//!
//! Every function here applies a change that `write.rs` or `delete.rs` has already checked,
//! and cannot fail: a row and every index that mentions it change together. Rollback, undo and
//! the change feed (see the roadmap) will record here.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

use super::Db;
use super::delete::Plan;
use crate::id::RowKey;
use crate::model::Model;
use crate::table::{AnyTable, Table};

impl Db {
    /// Stores a checked new row of table `t` and links it under each of its parents.
    pub(super) fn apply_insert<T: Model>(&mut self, t: usize, row: T) -> RowKey {
        let slot = &mut self.tables[t];
        let rows = typed_mut::<T>(slot.rows.as_mut());
        let key = rows.insert(row);
        let Some(row) = rows.get(key) else {
            unreachable!("the row was just inserted")
        };
        for &r in &slot.as_child {
            let relation = &mut self.relations[r];
            if let Some(parent) = relation.keys.parent_key(row) {
                // A new row comes after every other: appending keeps insertion order.
                relation.index.push(parent, key);
            }
        }
        key
    }

    /// Replaces a stored row of table `t` with a checked new value, moving it between parents
    /// where a key changed. Returns the old value.
    pub(super) fn apply_replace<T: Model>(&mut self, t: usize, key: RowKey, new: T) -> T {
        let Db {
            tables, relations, ..
        } = self;
        let rows = typed_mut::<T>(tables[t].rows.as_mut());
        let seq = rows.seq(key).unwrap_or(u64::MAX);
        let Some(stored) = rows.get_mut(key) else {
            unreachable!("a checked replace targets a stored row")
        };
        let old = std::mem::replace(stored, new);
        let rows = &tables[t].rows;
        for &r in &tables[t].as_child {
            let relation = &mut relations[r];
            let before = relation.keys.parent_key(&old);
            let after = rows.row(key).and_then(|row| relation.keys.parent_key(row));
            if before == after {
                continue;
            }
            if let Some(parent) = before {
                relation.index.detach(parent, key);
            }
            if let Some(parent) = after {
                let seq_of = |child| rows.seq(child).unwrap_or(u64::MAX);
                relation.index.insert_ordered(parent, key, seq, seq_of);
            }
        }
        old
    }

    /// Carries out a checked delete plan and returns its first row (the one asked for).
    ///
    /// Rows are only dropped at the very end, once every index agrees with the tables again:
    /// a row type whose `Drop` panics cannot leave the store half-changed.
    pub(super) fn apply_delete<T: Model>(&mut self, plan: &mut Plan) -> T {
        let Db {
            tables, relations, ..
        } = self;
        for &(r, child) in &plan.nullify {
            let relation = &relations[r];
            if let Some(row) = tables[relation.child].rows.row_mut(child) {
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
            for &r in &tables[t].as_parent {
                relations[r].index.remove_parent(key);
            }
        }
        // Surviving parents lose their deleted children: one pass over each such parent's
        // list, however many of its children go (one by one would be quadratic). Both the
        // list and the group are in insertion order, so the pass is a merge.
        let mut survivors = std::mem::take(&mut plan.survivors);
        for &(t, key) in &plan.rows {
            let rows = &tables[t].rows;
            for &r in &tables[t].as_child {
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
            relations[r].index.remove_in_order(parent, leaving);
        }
        survivors.clear();
        plan.survivors = survivors;

        for &(t, key) in &plan.rows[1..] {
            tables[t].rows.bury(key);
        }
        let (t, key) = plan.rows[0];
        let row = self.take_row(t, key);
        // Every graveyard is emptied even if a row's `Drop` panics; the first panic goes on.
        let mut first_panic = None;
        for slot in &mut self.tables {
            let dropped = panic::catch_unwind(AssertUnwindSafe(|| slot.rows.drop_buried()));
            if let Err(payload) = dropped {
                first_panic.get_or_insert(payload);
            }
        }
        if let Some(payload) = first_panic {
            panic::resume_unwind(payload);
        }
        row
    }

    /// Removes a stored row of table `t` that no row points to any more, unlinking it from its
    /// parents. The whole of a delete that cascades to nothing.
    pub(super) fn apply_delete_row<T: Model>(&mut self, t: usize, key: RowKey) -> T {
        let row = self.take_row(t, key);
        for &r in &self.tables[t].as_child {
            let relation = &mut self.relations[r];
            if let Some(parent) = relation.keys.parent_key(&row) {
                relation.index.detach(parent, key);
            }
        }
        row
    }

    fn take_row<T: Model>(&mut self, t: usize, key: RowKey) -> T {
        match typed_mut::<T>(self.tables[t].rows.as_mut()).remove(key) {
            Some(row) => row,
            None => unreachable!("a checked delete targets a stored row"),
        }
    }
}

fn typed_mut<T: Model>(rows: &mut dyn AnyTable) -> &mut Table<T> {
    let rows: &mut dyn Any = rows;
    match rows.downcast_mut() {
        Some(rows) => rows,
        None => unreachable!("a table slot holds the rows of its registered type"),
    }
}
