//! What [`Db::edit`](crate::Db::edit)'s row keeps while its closure runs: the row's keys,
//! saved, compared, put back or followed (the row moved between parents) afterwards.

use std::any::Any;

use super::move_child;
use crate::db::as_child;
use crate::fk_index::FkIndex;
use crate::id::{Id, RowKey};
use crate::model::Model;
use crate::relation::{ForeignKey, Relation, parent_id};
use crate::schema::{HasRelation, RelationVisitor, Schema};
use crate::table::Table;

/// A row's keys (one per relation whose child table is the row's, in relation order), kept
/// while [`Db::edit_row`] runs its closure. Eight fit without allocating.
#[derive(Default)]
pub(super) struct SavedKeys {
    pub(super) inline: [Option<RowKey>; 8],
    pub(super) len: usize,
    pub(super) spilled: Vec<Option<RowKey>>,
}

impl SavedKeys {
    pub(super) fn push(&mut self, key: Option<RowKey>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = key,
            None => self.spilled.push(key),
        }
        self.len += 1;
    }

    pub(super) fn get(&self, at: usize) -> Option<RowKey> {
        match self.inline.get(at) {
            Some(&key) => key,
            None => self.spilled.get(at - self.inline.len()).copied().flatten(),
        }
    }
}

pub(super) struct SaveKeys<'a, T> {
    pub(super) row: &'a T,
    pub(super) saved: &'a mut SavedKeys,
}

impl<S: Schema, T: Model> RelationVisitor<S> for SaveKeys<'_, T> {
    #[inline]
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        if let Some(child) = as_child::<R, T>(self.row) {
            self.saved.push(parent_id::<R>(child).map(Id::key));
        }
    }
}

pub(super) struct CompareKeys<'a, T> {
    pub(super) row: &'a T,
    pub(super) saved: &'a SavedKeys,
    pub(super) at: usize,
    pub(super) changed: bool,
}

impl<S: Schema, T: Model> RelationVisitor<S> for CompareKeys<'_, T> {
    #[inline]
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        if let Some(child) = as_child::<R, T>(self.row) {
            self.changed |= parent_id::<R>(child).map(Id::key) != self.saved.get(self.at);
            self.at += 1;
        }
    }
}

/// Writes the saved keys back into the row.
pub(super) struct RestoreKeys<'a, T> {
    pub(super) row: &'a mut T,
    pub(super) saved: &'a SavedKeys,
    pub(super) at: usize,
}

impl<S: Schema, T: Model> RelationVisitor<S> for RestoreKeys<'_, T> {
    #[inline]
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        if let Some(child) = (self.row as &mut dyn Any).downcast_mut::<R::Child>() {
            R::key_mut(child).restore(self.saved.get(self.at).map(Id::from_key));
            self.at += 1;
        }
    }
}

/// Moves an edited row between parents where its key differs from the saved one.
pub(super) struct RelinkSaved<'a, T: Model> {
    pub(super) rows: &'a Table<T>,
    pub(super) key: RowKey,
    pub(super) saved: &'a SavedKeys,
    pub(super) at: usize,
    pub(super) indexes: &'a mut [FkIndex],
}

impl<S: Schema, T: Model> RelationVisitor<S> for RelinkSaved<'_, T> {
    #[inline]
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        let Some(row) = self.rows.get(self.key) else {
            return;
        };
        if let Some(child) = as_child::<R, T>(row) {
            let before = self.saved.get(self.at);
            let after = parent_id::<R>(child).map(Id::key);
            self.at += 1;
            let index = &mut self.indexes[S::RELATION_POS];
            move_child(index, self.rows, self.key, before, after);
        }
    }
}
