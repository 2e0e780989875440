//! Reading a table through its secondary indexes: a unique key's row, a key's rows, a range
//! of keys, a prefix of string keys. Each lookup says which index it uses, so its cost is in
//! plain sight: O(1) for a hash index, O(log n) for an ordered one, then each row read.

use std::borrow::Borrow;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::ops::Bound;

use super::TableRef;
use crate::db::Db;
use crate::fk_index::ChildKeys;
use crate::id::{Id, RowKey};
use crate::index::{Index, KeyRange, Lookup, LookupOne, LookupRange};
use crate::model::Model;
use crate::row::Row;
use crate::schema::HasTable;

impl<'db, T: Model, S: HasTable<T>> TableRef<'db, T, S> {
    /// The row holding `key` in unique index `index`, if any: O(1) for a hash index (what a
    /// hand-kept `HashMap<K, Id>` costs), O(log n) for an ordered one. `key` is anything the
    /// key borrows as: `&str` for a `String` key, a tuple for a composite one.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct User {
    ///     #[relstore(unique)]
    ///     username: String,
    /// }
    /// relstore::schema! { struct Site { users: User } relations {} }
    ///
    /// let mut db = Db::<Site>::new();
    /// let alice = db.insert(User { username: "alice".into() })?;
    /// let users = db.table::<User>();
    /// assert_eq!(users.get_by(UserByUsername, "alice").map(|u| u.id()), Some(alice));
    /// assert!(users.get_by(UserByUsername, "nobody").is_none());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn get_by<I, Q>(&self, index: I, key: &Q) -> Option<Row<'db, T, S>>
    where
        I: Index<Model = T>,
        I::Store: LookupOne<Q>,
        Q: ?Sized,
    {
        let _ = index;
        let row = self.store::<I>().find_one(key)?;
        self.row_at(row)
    }

    /// Every row holding `key` in index `index`, oldest first. For a unique index, at most
    /// one. Allocates nothing.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Monster {
    ///     #[relstore(index)]
    ///     kind: String,
    ///     hp: u32,
    /// }
    /// relstore::schema! { struct World { monsters: Monster } relations {} }
    ///
    /// let mut db = Db::<World>::new();
    /// db.insert(Monster { kind: "slime".into(), hp: 3 })?;
    /// db.insert(Monster { kind: "bat".into(), hp: 2 })?;
    /// db.insert(Monster { kind: "slime".into(), hp: 5 })?;
    ///
    /// let slimes: Vec<u32> = db.table::<Monster>().find(MonsterByKind, "slime").map(|m| m.hp).collect();
    /// assert_eq!(slimes, [3, 5]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn find<I, Q>(&self, index: I, key: &Q) -> FoundRows<'db, T, S>
    where
        I: Index<Model = T>,
        I::Store: Lookup<Q>,
        Q: ?Sized,
    {
        let _ = index;
        self.index_rows(self.store::<I>().find(key))
    }

    /// The rows whose key in ordered index `index` lies in `range`, by key (equal keys oldest
    /// first); `.rev()` gives the highest keys first, so the top k are
    /// `.range(index, ..).rev().take(k)`. O(log n) to start, then each row; an empty or
    /// inverted range gives nothing. Allocates nothing.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Score {
    ///     player: String,
    ///     #[relstore(ordered)]
    ///     points: u32,
    /// }
    /// relstore::schema! { struct Board { scores: Score } relations {} }
    ///
    /// let mut db = Db::<Board>::new();
    /// for (player, points) in [("ann", 50), ("bo", 80), ("cy", 20), ("di", 80)] {
    ///     db.insert(Score { player: player.into(), points })?;
    /// }
    /// let scores = db.table::<Score>();
    /// let middle: Vec<u32> = scores.range(ScoreByPoints, 30..=80).map(|s| s.points).collect();
    /// assert_eq!(middle, [50, 80, 80]);
    /// let top2: Vec<&str> = scores.range(ScoreByPoints, ..).rev().take(2).map(|s| s.value().player.as_str()).collect();
    /// assert_eq!(top2, ["di", "bo"]); // the highest first; equal keys newest first backwards
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn range<I, B>(&self, index: I, range: B) -> IndexRows<'db, T, S, B::Keys<'db, I::Store>>
    where
        I: Index<Model = T>,
        B: KeyRange<I::Key>,
        I::Store: LookupRange<B::Q>,
    {
        let _ = index;
        self.index_rows(range.keys(self.store::<I>()))
    }

    /// The rows whose string key in ordered index `index` starts with `prefix`, by key.
    /// O(log n) to start, then each row; allocates nothing. It walks forwards only: for the
    /// highest keys first, or for [`IndexRows::ids`], bound a [`range`](Self::range) by the
    /// prefix and its successor (`"sw".."sx"`).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Item {
    ///     #[relstore(ordered, unique)]
    ///     name: String,
    /// }
    /// relstore::schema! { struct Shop { items: Item } relations {} }
    ///
    /// let mut db = Db::<Shop>::new();
    /// for name in ["sword", "shield", "staff", "axe", "swordfish"] {
    ///     db.insert(Item { name: name.into() })?;
    /// }
    /// let names: Vec<&str> = db.table::<Item>().prefix(ItemByName, "sw").map(|i| i.value().name.as_str()).collect();
    /// assert_eq!(names, ["sword", "swordfish"]);
    /// let last = db.table::<Item>().range(ItemByName, "sw".."sx").next_back();
    /// assert_eq!(last.map(|i| i.value().name.as_str()), Some("swordfish"));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn prefix<'p, I>(
        &self,
        index: I,
        prefix: &'p str,
    ) -> impl Iterator<Item = Row<'db, T, S>> + use<'db, 'p, T, S, I>
    where
        I: Index<Model = T>,
        I::Key: Borrow<str>,
        I::Store: LookupRange<str>,
    {
        let _ = index;
        let start = (Bound::Included(prefix), Bound::Unbounded);
        let rows = self.index_rows(self.store::<I>().range(start));
        // Keys at or after the prefix that start with it come first: stop at the first that
        // does not.
        rows.take_while(move |row| I::key(row.value()).borrow().borrow().starts_with(prefix))
    }

    /// `I`'s store.
    #[inline]
    fn store<I: Index<Model = T>>(&self) -> &'db I::Store {
        I::store(self.db.rows::<T>().indexes())
    }

    #[inline]
    fn row_at(&self, key: RowKey) -> Option<Row<'db, T, S>> {
        let (key, row) = self.db.rows::<T>().get_kept(key)?;
        Some(Row::new(self.db, Id::from_key(key), row))
    }

    #[inline]
    fn index_rows<K: Iterator<Item = RowKey>>(&self, keys: K) -> IndexRows<'db, T, S, K> {
        IndexRows {
            db: self.db,
            keys,
            ended: false,
            _row: PhantomData,
        }
    }
}

/// The rows holding one key of a secondary index, oldest first; from [`TableRef::find`] and
/// [`Db::query_by`](crate::Db::query_by).
pub type FoundRows<'db, T, S> = IndexRows<'db, T, S, ChildKeys<'db>>;

/// Rows found through a secondary index; from [`TableRef::find`] and [`TableRef::range`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct IndexRows<'db, T, S, K> {
    db: &'db Db<S>,
    keys: K,
    /// Set when a listed key had no live row: the walk has ended for good (fused).
    ended: bool,
    _row: PhantomData<&'db T>,
}

impl<'db, T: Model, S: HasTable<T>, K: Iterator<Item = RowKey>> IndexRows<'db, T, S, K> {
    /// The rows' ids, without reading the rows.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Monster {
    ///     #[relstore(index)]
    ///     kind: String,
    /// }
    /// relstore::schema! { struct World { monsters: Monster } relations {} }
    ///
    /// let mut db = Db::<World>::new();
    /// let slime = db.insert(Monster { kind: "slime".into() })?;
    /// let ids: Vec<_> = db.table::<Monster>().find(MonsterByKind, "slime").ids().collect();
    /// assert_eq!(ids, [slime]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn ids(self) -> std::iter::Map<K, fn(RowKey) -> Id<T>> {
        self.keys.map(Id::from_key)
    }

    /// The row of a key the index lists. An index lists live rows only; should it ever list
    /// another (a key type whose `Hash` or `Ord` panicked mid-update, see the `index` module),
    /// the walk ends there rather than panic.
    #[inline(always)]
    fn row(&mut self, key: RowKey) -> Option<Row<'db, T, S>> {
        match self.db.rows::<T>().get_kept(key) {
            Some((key, row)) => Some(Row::new(self.db, Id::from_key(key), row)),
            None => {
                self.ended = true;
                None
            }
        }
    }
}

impl<'db, T: Model, S: HasTable<T>, K: Iterator<Item = RowKey>> Iterator
    for IndexRows<'db, T, S, K>
{
    type Item = Row<'db, T, S>;

    #[inline(always)]
    fn next(&mut self) -> Option<Row<'db, T, S>> {
        if self.ended {
            return None;
        }
        let key = self.keys.next()?;
        self.row(key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.keys.size_hint()
    }
}

impl<T: Model, S: HasTable<T>, K: DoubleEndedIterator<Item = RowKey>> DoubleEndedIterator
    for IndexRows<'_, T, S, K>
{
    #[inline(always)]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        let key = self.keys.next_back()?;
        self.row(key)
    }
}

impl<T: Model, S: HasTable<T>, K: ExactSizeIterator<Item = RowKey>> ExactSizeIterator
    for IndexRows<'_, T, S, K>
{
}

impl<T: Model, S: HasTable<T>, K: FusedIterator<Item = RowKey>> FusedIterator
    for IndexRows<'_, T, S, K>
{
}

impl<T: Model, S, K> std::fmt::Debug for IndexRows<'_, T, S, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexRows")
            .field("table", &T::TABLE)
            .finish_non_exhaustive()
    }
}
