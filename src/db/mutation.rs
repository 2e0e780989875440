//! The one place that changes rows and indexes.
//!
//! Every function here applies a change that `write.rs` or `delete.rs` has already checked,
//! and cannot fail: a row and every index that mentions it change together. Rollback, undo and
//! the change feed (see the roadmap) will record here.

use std::any::Any;

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
    pub(super) fn apply_delete<T: Model>(&mut self, plan: &Plan) -> T {
        let Db {
            tables, relations, ..
        } = self;
        for &(r, child) in &plan.nullify {
            let relation = &relations[r];
            if let Some(row) = tables[relation.child].rows.row_mut(child) {
                relation.keys.clear_key(row);
            }
            // Its entry under the deleted parent goes with the parent's list, below.
        }
        for &(t, key) in &plan.rows {
            for &r in &tables[t].as_parent {
                relations[r].index.remove_parent(key);
            }
        }
        for &(t, key) in &plan.rows[1..] {
            let slot = &mut tables[t];
            for &r in &slot.as_child {
                let relation = &mut relations[r];
                // A parent deleted too has no list left, so this only touches survivors.
                let parent = slot
                    .rows
                    .row(key)
                    .and_then(|row| relation.keys.parent_key(row));
                if let Some(parent) = parent {
                    relation.index.detach(parent, key);
                }
            }
            slot.rows.remove_row(key);
        }
        let (t, key) = plan.rows[0];
        self.apply_delete_row(t, key)
    }

    /// Removes a stored row of table `t` that no row points to any more, unlinking it from its
    /// parents. The whole of a delete that cascades to nothing.
    pub(super) fn apply_delete_row<T: Model>(&mut self, t: usize, key: RowKey) -> T {
        let slot = &mut self.tables[t];
        let Some(row) = typed_mut::<T>(slot.rows.as_mut()).remove(key) else {
            unreachable!("a checked delete targets a stored row")
        };
        for &r in &slot.as_child {
            let relation = &mut self.relations[r];
            if let Some(parent) = relation.keys.parent_key(&row) {
                relation.index.detach(parent, key);
            }
        }
        row
    }
}

fn typed_mut<T: Model>(rows: &mut dyn AnyTable) -> &mut Table<T> {
    let rows: &mut dyn Any = rows;
    match rows.downcast_mut() {
        Some(rows) => rows,
        None => unreachable!("a table slot holds the rows of its registered type"),
    }
}
