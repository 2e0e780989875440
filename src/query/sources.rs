//! Where a query's rows come from: a whole table, or a secondary index, which picks the rows
//! in O(1) or O(log n) for the query to filter, order and window. The index used is in the
//! method's name.

use super::Query;
use crate::db::Db;
use crate::handle::{FoundRows, IndexRows, Rows, TableRef};
use crate::index::{Index, KeyRange, Lookup, LookupRange};
use crate::model::Model;
use crate::schema::{HasTable, Schema};

/// The rows of a range `B` of index `I`.
pub type RangeRows<'db, I, B, S> = IndexRows<
    'db,
    <I as Index>::Model,
    S,
    <B as KeyRange<<I as Index>::Key>>::Keys<'db, <I as Index>::Store>,
>;

impl<S: Schema> Db<S> {
    /// A query over the rows holding `key` in index `index` (oldest first): ActiveRecord's
    /// `User.query().where('username = ?', ..)` on an indexed column, found in O(1) (a hash index) or O(log n) (an ordered one) rather
    /// than by a scan.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct User {
    ///     #[relstore(unique)]
    ///     username: String,
    ///     #[relstore(index)]
    ///     country: String,
    /// }
    /// relstore::schema! { struct Site { users: User } relations {} }
    ///
    /// let mut db = Db::<Site>::new();
    /// let ann = db.insert(User { username: "ann".into(), country: "fr".into() })?;
    /// db.insert(User { username: "bo".into(), country: "fr".into() })?;
    ///
    /// assert_eq!(db.query_by(UserByUsername, "ann").one()?.id(), ann);
    /// let french = db.query_by(UserByCountry, "fr").filter(|u| u.username != "ann").count();
    /// assert_eq!(french, 1);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn query_by<I, Q>(&self, index: I, key: &Q) -> Query<'_, S, FoundRows<'_, I::Model, S>>
    where
        I: Index,
        I::Model: Model,
        S: HasTable<I::Model>,
        I::Store: Lookup<Q>,
        Q: ?Sized,
    {
        Query::from_source(self, self.table::<I::Model>().find(index, key))
    }

    /// A query over the rows whose key in ordered index `index` lies in `range`, by key
    /// (equal keys oldest first): ranges and top-k without a scan or a sort.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Score {
    ///     #[relstore(ordered)]
    ///     points: u32,
    ///     player: String,
    /// }
    /// relstore::schema! { struct Board { scores: Score } relations {} }
    ///
    /// let mut db = Db::<Board>::new();
    /// for (points, player) in [(10, "ann"), (30, "bo"), (20, "cy")] {
    ///     db.insert(Score { points, player: player.into() })?;
    /// }
    /// let between: Vec<u32> = db.query_range(ScoreByPoints, 15..).iter().map(|s| s.points).collect();
    /// assert_eq!(between, [20, 30]);
    /// // Top-k: the index walked backwards, highest first.
    /// let best = db.query_range(ScoreByPoints, ..).rev().filter(|s| s.player != "bo").first();
    /// assert_eq!(best.map(|s| s.points), Some(20));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn query_range<I, B>(&self, index: I, range: B) -> Query<'_, S, RangeRows<'_, I, B, S>>
    where
        I: Index,
        S: HasTable<I::Model>,
        B: KeyRange<I::Key>,
        I::Store: LookupRange<B::Q>,
    {
        Query::from_source(self, self.table::<I::Model>().range(index, range))
    }
}

impl<'db, S: Schema, I: DoubleEndedIterator> Query<'db, S, I> {
    /// The same query with its source walked backwards: from an ordered index
    /// ([`Db::query_range`]), the highest keys first, so `.rev().limit(k)` is the top k
    /// without a sort. Filters, offset and limit apply to the reversed rows.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Score {
    ///     #[relstore(ordered)]
    ///     points: u32,
    /// }
    /// relstore::schema! { struct Board { scores: Score } relations {} }
    ///
    /// let mut db = Db::<Board>::new();
    /// db.insert_many([5, 50, 20, 40].map(|points| Score { points }))?;
    /// let top: Vec<u32> = db.query_range(ScoreByPoints, ..).rev().limit(2).iter().map(|s| s.points).collect();
    /// assert_eq!(top, [50, 40]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn rev(self) -> Query<'db, S, std::iter::Rev<I>> {
        let (db, source, offset, limit) = self.into_parts();
        let mut query = Query::from_source(db, source.rev());
        query.offset = offset;
        query.limit = limit;
        query
    }
}

impl<S: Schema> Db<S> {
    /// A query over every row of table `T`, in slot order (see
    /// [`Query::in_creation_order`] for the order rows were inserted in).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { username: String }
    /// # relstore::schema! { struct Blog { users: User } relations {} }
    /// let mut db = Db::<Blog>::new();
    /// db.insert(User { username: "example_user".into() })?;
    /// // User.query().where('username = ?', ("example_user",)).one()
    /// let user = db.query::<User>().filter(|u| u.username == "example_user").one()?;
    /// assert_eq!(user.username, "example_user");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn query<T: Model>(&self) -> Query<'_, S, Rows<'_, T, S>>
    where
        S: HasTable<T>,
    {
        self.table::<T>().query()
    }
}

impl<'db, T: Model, S: HasTable<T>> TableRef<'db, T, S> {
    /// A query over every row of the table, in slot order (as [`Db::query`]).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "players")]
    /// # struct Player { hp: u32 }
    /// # relstore::schema! { struct Game { players: Player } relations {} }
    /// let mut db = Db::<Game>::new();
    /// db.insert_many((0..5).map(|hp| Player { hp }))?;
    /// let players = db.table::<Player>();
    /// assert_eq!(players.query().filter(|p| p.hp >= 3).count(), 2);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn query(self) -> Query<'db, S, Rows<'db, T, S>> {
        Query::from_source(self.db(), self.iter())
    }
}
