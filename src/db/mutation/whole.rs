//! Work on the whole store rather than on a row: a table restored from an image, every
//! foreign-key index rebuilt from the rows, memory given back, every row cloned for a
//! snapshot.

use std::panic;

use super::Payload;
use crate::db::Db;
use crate::db::delete::Cascade;
use crate::model::Model;
use crate::schema::{HasTable, RelationPos, Schema, TablePos, TableVisitor};
use crate::table::{Table, TableImage, TableImageError};

impl<S: Schema> Db<S> {
    /// Replaces table `T` with the one `image` describes. The table builds its own secondary
    /// indexes (checking unique keys and the validator, see `Table::from_image`); the
    /// foreign-key indexes are left for [`Db::rebuild_indexes`] and the keys' check to the
    /// loader. Snapshots load through it, into a fresh store that replaces the old one only
    /// once it is whole.
    pub(crate) fn restore_table<T: Model>(
        &mut self,
        image: TableImage<T>,
    ) -> Result<(), TableImageError>
    where
        S: HasTable<T>,
    {
        *self.tables.__rows_mut() = Table::from_image(image)?;
        Ok(())
    }

    /// Rebuilds every foreign-key index from the rows alone.
    pub(crate) fn rebuild_indexes(&mut self) {
        for r in RelationPos::all(self.relations.len()) {
            let index = self.rebuilt_index(r);
            self.tables.__indexes_mut()[r] = index;
        }
    }

    /// Gives back memory the store holds beyond what its rows need: trailing vacant slots of
    /// each table, spare capacity, the foreign-key indexes' room for parents that are gone,
    /// the secondary indexes' spare room (hash tables and each key's list of rows), and
    /// scratch buffers: after mass deletes, about what a store built from the rows that stay
    /// holds. No id comes back: an id of a row that was deleted stays stale.
    ///
    /// Slots before the last live row of a table stay (each keeps its version, so that old ids
    /// keep missing): a table whose last slot is live keeps its length.
    pub fn shrink_to_fit(&mut self) {
        for t in TablePos::all(self.links.len()) {
            S::__visit_table(
                t,
                &mut Shrink {
                    tables: &mut self.tables,
                },
            );
        }
        self.rebuild_indexes();
        self.cascade_scratch = Cascade::default();
    }

    /// A new store with a clone of every table and empty indexes: what a snapshot saves.
    /// A row's panicking `Clone` is passed on once the rows copied so far are dropped, one
    /// by one, so that a panicking `Drop` among them cannot abort the process.
    pub(crate) fn clone_rows(&self) -> Db<S> {
        let mut copy = Db::new();
        let mut cloning = CloneRows {
            from: &self.tables,
            to: &mut copy.tables,
            panic: None,
        };
        for t in TablePos::all(self.links.len()) {
            S::__visit_table(t, &mut cloning);
            if let Some(payload) = cloning.panic.take() {
                for t in TablePos::all(self.links.len()) {
                    S::__visit_table(
                        t,
                        &mut DropRows {
                            tables: &mut copy.tables,
                        },
                    );
                }
                panic::resume_unwind(payload);
            }
        }
        copy
    }
}

struct Shrink<'a, S> {
    tables: &'a mut S,
}

impl<S: Schema> TableVisitor<S> for Shrink<'_, S> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>,
    {
        <S as HasTable<T>>::__rows_mut(self.tables).shrink_to_fit();
    }
}

struct CloneRows<'a, S> {
    from: &'a S,
    to: &'a mut S,
    panic: Option<Payload>,
}

impl<S: Schema> TableVisitor<S> for CloneRows<'_, S> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>,
    {
        match <S as HasTable<T>>::__rows(self.from).clone_rows_guarded() {
            Ok(rows) => *<S as HasTable<T>>::__rows_mut(self.to) = rows,
            Err(payload) => self.panic = Some(payload),
        }
    }
}

/// Empties every table, dropping its rows one by one; their panics are leaked unread.
struct DropRows<'a, S> {
    tables: &'a mut S,
}

impl<S: Schema> TableVisitor<S> for DropRows<'_, S> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>,
    {
        let rows = std::mem::take(<S as HasTable<T>>::__rows_mut(self.tables));
        std::mem::forget(rows.drop_guarded());
    }
}
