//! In-place edits at the speed of `&mut`: rows lent as [`Fields`] views, whose keys, indexed
//! fields and validated fields are read-only. Nothing the store derives from rows (the
//! foreign-key and secondary indexes) and nothing a validator reads can change through a view,
//! so these are the one place besides the mutation surface that lends `&mut` into the tables,
//! and they need no check afterwards.

use std::iter::FusedIterator;
use std::panic::{self, AssertUnwindSafe};

use super::Db;
use crate::error::NotFound;
use crate::id::Id;
use crate::model::Fields;
use crate::schema::{HasTable, Schema};
use crate::table::{IterMut, Table};

impl<S: Schema> Db<S> {
    /// The row `id` names, as a view to edit in place: each field by `&mut`, its foreign keys
    /// by `&` (see [`Fields`]). Costs what `slotmap`'s `get_mut` costs: no copy, no check
    /// afterwards, nothing allocated.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Player { name: String, hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    ///
    /// let mut db = Db::<Game>::new();
    /// let ada = db.insert(Player { name: "ada".into(), hp: 10 })?;
    /// let player = db.row_mut(ada)?; // a `PlayerMut`, made by the derive
    /// *player.hp -= 3;
    /// player.name.push_str(" the brave");
    /// assert_eq!((db.get(ada)?.hp, db.get(ada)?.name.as_str()), (7, "ada the brave"));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`NotFound`] for a stale id.
    #[inline]
    pub fn row_mut<T: Fields>(&mut self, id: Id<T>) -> Result<T::Mut<'_>, NotFound>
    where
        S: HasTable<T>,
    {
        match self.tables.__rows_mut().get_id_mut(id) {
            Some(row) => Ok(row.fields_mut()),
            None => Err(NotFound::new(id)),
        }
    }

    /// Every row of table `T` with its id, in slot order, as views to edit in place (see
    /// [`Db::row_mut`]): a game's per-frame pass over a table at the speed of a plain
    /// slotmap's `iter_mut`.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct Player { name: String, hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// for hp in [5, 9] {
    ///     db.insert(Player { name: "p".into(), hp })?;
    /// }
    /// for (_id, player) in db.rows_mut::<Player>() {
    ///     *player.hp = (*player.hp + 2).min(10); // regenerate, capped
    /// }
    /// let hps: Vec<u32> = db.table::<Player>().iter().map(|p| p.hp).collect();
    /// assert_eq!(hps, [7, 10]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn rows_mut<T: Fields>(&mut self) -> RowsMut<'_, T>
    where
        S: HasTable<T>,
    {
        RowsMut {
            rows: self.tables.__rows_mut().iter_mut(),
        }
    }

    /// Calls `edit` with every row of table `T` as a view to edit in place (as
    /// [`Db::rows_mut`]), and with the store, to read the other tables meanwhile: a zone's
    /// regeneration rate while healing its players.
    ///
    /// While `edit` runs, table `T` is lent out: through the store it reads as empty
    /// (`db.get` of a `T` is [`NotFound`], a has-many of `T`s yields none). Read what you need
    /// of `T` itself from the view. If `edit` panics, the rows edited so far keep their edits,
    /// the table is put back whole, and the panic goes on to the caller.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Zone { regen: u32 }
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Player { zone: Id<Zone>, hp: u32 }
    /// relstore::belongs_to!(PlayerZone: Player.zone -> Zone, has_many);
    /// relstore::schema! { struct Game { zones: Zone, players: Player } relations { PlayerZone } }
    ///
    /// let mut db = Db::<Game>::new();
    /// let town = db.insert(Zone { regen: 3 })?;
    /// let wild = db.insert(Zone { regen: 0 })?;
    /// let a = db.insert(Player { zone: town, hp: 1 })?;
    /// let b = db.insert(Player { zone: wild, hp: 1 })?;
    /// db.edit_rows::<Player>(|db, _id, player| {
    ///     let regen = db.get(*player.zone).map_or(0, |zone| zone.regen);
    ///     *player.hp += regen;
    /// });
    /// assert_eq!((db.get(a)?.hp, db.get(b)?.hp), (4, 1));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Panics
    /// Only if `edit` does, as said above.
    pub fn edit_rows<T: Fields>(&mut self, mut edit: impl FnMut(&Db<S>, Id<T>, T::Mut<'_>))
    where
        S: HasTable<T>,
    {
        let mut table: Table<T> = std::mem::take(self.tables.__rows_mut());
        let this = &*self;
        let edited = panic::catch_unwind(AssertUnwindSafe(|| {
            for (key, row) in table.iter_mut() {
                edit(this, Id::from_key(key), row.fields_mut());
            }
        }));
        // Put back whatever happened: the lent-out table holds every row.
        let empty: Table<T> = std::mem::replace(self.tables.__rows_mut(), table);
        drop(empty);
        if let Err(payload) = edited {
            panic::resume_unwind(payload);
        }
    }
}

/// Every row of a table with its id, as in-place views: [`Db::rows_mut`].
#[must_use]
pub struct RowsMut<'db, T> {
    rows: IterMut<'db, T>,
}

impl<T> std::fmt::Debug for RowsMut<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowsMut")
            .field("remaining", &self.rows.len())
            .finish()
    }
}

impl<'db, T: Fields> Iterator for RowsMut<'db, T> {
    type Item = (Id<T>, T::Mut<'db>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (key, row) = self.rows.next()?;
        Some((Id::from_key(key), row.fields_mut()))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rows.size_hint()
    }
}

impl<T: Fields> ExactSizeIterator for RowsMut<'_, T> {}
impl<T: Fields> FusedIterator for RowsMut<'_, T> {}
