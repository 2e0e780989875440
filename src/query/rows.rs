//! What only a query of rows (not of pairs) can do: walk in creation order, give ids; and
//! what a query's items may be ([`QueryItem`]).

use super::{CreationOrder, Order, Query};
use crate::id::Id;
use crate::model::Model;
use crate::row::Row;
use crate::schema::{HasTable, Schema};

impl<'db, T: Model, S: Schema, I, O> Query<'db, S, I, O>
where
    I: Iterator<Item = Row<'db, T, S>>,
    O: Order<Row<'db, T, S>>,
    S: HasTable<T>,
{
    /// Ordered by creation (the order rows were inserted in, whatever slot each took), oldest
    /// first; after an earlier order, creation breaks its ties. This is the order of
    /// ActiveRecord's `.all()`; a table's own order is its slots'.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # relstore::schema! { struct Blog { users: User } relations {} }
    /// let mut db = Db::<Blog>::new();
    /// let [ann, bob] = ["ann", "bob"].map(|n| db.insert(User { name: n.into() }).unwrap());
    /// db.delete(ann)?;
    /// let cy = db.insert(User { name: "cy".into() })?; // takes ann's slot, before bob's
    /// assert!(db.query::<User>().ids().eq([cy, bob]));
    /// assert!(db.query::<User>().in_creation_order().ids().eq([bob, cy]));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn in_creation_order(self) -> Query<'db, S, I, O::Then<CreationOrder<'db, T>>> {
        let table = self.db.rows::<T>();
        self.then_by(CreationOrder { table })
    }

    /// The rows' ids, lazily.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// let ids = db.insert_many((0..4).map(|hp| Player { hp }))?;
    /// for id in db.query::<Player>().filter(|p| p.hp < 2).ids().collect::<Vec<_>>() {
    ///     db.delete(id)?;
    /// }
    /// assert!(db.query::<Player>().ids().eq(ids[2..].iter().copied()));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn ids(self) -> Ids<'db, T, S, O::Iter<I>> {
        self.into_iter().map(|row| row.id())
    }
}

/// The ids of a query's rows; from [`Query::ids`].
pub type Ids<'db, T, S, J> = std::iter::Map<J, fn(Row<'db, T, S>) -> Id<T>>;

/// What a query can give: a [`Row`], or a pair of rows from a join. Names the tables for
/// [`QueryError`](super::QueryError). Sealed.
pub trait QueryItem: sealed::Sealed {
    /// The table, and for a pair the second table.
    #[doc(hidden)]
    const TABLES: (&'static str, Option<&'static str>);
}

impl<T: Model, S> QueryItem for Row<'_, T, S> {
    const TABLES: (&'static str, Option<&'static str>) = (T::TABLE, None);
}

impl<A: Model, B: Model, S> QueryItem for (Row<'_, A, S>, Row<'_, B, S>) {
    const TABLES: (&'static str, Option<&'static str>) = (A::TABLE, Some(B::TABLE));
}

mod sealed {
    pub trait Sealed {}
    impl<T, S> Sealed for crate::Row<'_, T, S> {}
    impl<A, B, S> Sealed for (crate::Row<'_, A, S>, crate::Row<'_, B, S>) {}
}
