//! Bulk edits: delete or update every row a query matched, all or nothing.
//!
//! ActiveRecord's `Post.delete_all().where(..)` and `Post.update_all(..).where(..)`: a query picks
//! the rows (its ids, or a predicate), then every row is checked before any changes.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};

use super::Db;
use super::bulk::TakenTwice;
use super::mutation::drop_each;
use crate::error::{BatchError, DeleteError, NotFound, WriteError};
use crate::id::{AnyId, Id, RowKey};
use crate::index::IndexSet;
use crate::model::Model;
use crate::row::Row;
use crate::schema::{HasTable, Schema};

impl<S: Schema> Db<S> {
    /// Deletes every row of `ids` (duplicates count once), applying every relation's
    /// on-delete policy as [`Db::delete`] does; returns how many rows were deleted in all,
    /// cascades included. All or nothing: one plan for the whole set is checked before
    /// anything changes.
    ///
    /// # Errors
    /// [`DeleteError::NotFound`] for a stale id, [`DeleteError::Restricted`] if a restrict
    /// relation blocks any of it; the store is unchanged.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Post { user: Id<User>, draft: bool }
    /// relstore::belongs_to!(PostAuthor: Post.user -> User, has_many);
    /// relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    ///
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert_many([true, false, true].map(|draft| Post { user: ann, draft }))?;
    ///
    /// // ActiveRecord's `Post.delete_all().where('draft = ?', True)`:
    /// let drafts: Vec<_> = db.table::<Post>().iter().filter(|p| p.draft).map(|p| p.id()).collect();
    /// assert_eq!(db.delete_many(drafts)?, 2);
    /// assert_eq!(db.table::<Post>().len(), 1);
    /// // A restrict anywhere refuses the whole set.
    /// assert!(db.delete_many([ann]).is_err());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn delete_many<T: Model>(
        &mut self,
        ids: impl IntoIterator<Item = Id<T>>,
    ) -> Result<usize, DeleteError>
    where
        S: HasTable<T>,
    {
        let mut plan = std::mem::take(&mut self.cascade_scratch);
        plan.clear();
        let mut result = Ok(());
        for id in ids {
            if !self.rows::<T>().contains_key(id.key()) {
                result = Err(DeleteError::NotFound(NotFound::new(id)));
                break;
            }
            plan.add((S::TABLE_POS, id.key()));
        }
        let result = match result {
            Err(error) => Err(error),
            Ok(()) if plan.rows.is_empty() => Ok(0),
            Ok(()) => self
                .plan_cascade(&mut plan)
                .map(|()| self.apply_delete_all(&mut plan)),
        };
        plan.clear();
        if plan.is_small() {
            self.cascade_scratch = plan;
        }
        result
    }

    /// Deletes every row of table `T` that `matches`: [`Db::retain`] with the test turned
    /// around, for ActiveRecord's `delete_all().where(..)`. All or nothing.
    ///
    /// # Errors
    /// As [`Db::retain`].
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct Post { draft: bool }
    /// relstore::schema! { struct Blog { posts: Post } relations {} }
    ///
    /// let mut db = Db::<Blog>::new();
    /// db.insert_many([true, false, true].map(|draft| Post { draft }))?;
    /// assert_eq!(db.delete_where::<Post>(|post| post.draft)?, 2);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn delete_where<T: Model>(
        &mut self,
        mut matches: impl FnMut(Row<'_, T, S>) -> bool,
    ) -> Result<usize, DeleteError>
    where
        S: HasTable<T>,
    {
        self.retain(|row| !matches(row))
    }

    /// Changes every row of `ids` (duplicates count once) through `change`; returns how many
    /// rows changed. All or nothing: each row is changed as a copy and every copy is checked
    /// (keys, unique indexes, the validator) against the store as it will be once all of them
    /// are stored, so rows may trade unique keys among themselves. Only then are they stored.
    ///
    /// A has-one parent must be free before the update (or the row's own): a child moving
    /// away from it in the same update does not free it.
    ///
    /// # Errors
    /// A [`BatchError`] naming the position in `ids` of the first row refused and why, with
    /// every id handed back; the store is unchanged. The first row refused is the one with the
    /// lowest position, whatever the reason (a stale id is [`WriteError::NotFound`] at its
    /// position; two rows sharing a key name the later one, as [`Db::insert_many`] does).
    ///
    /// # Panics
    /// A panic in `change`, in a row's `Clone` or in a validator goes on, and the store is
    /// unchanged. Copies and old rows are dropped one by one, each under `catch_unwind`: if a
    /// row's `Drop` panics, the others are still dropped (the store is whole by then) and the
    /// first such panic goes on, so a second one cannot abort the process.
    ///
    /// ```
    /// # use relstore::{Db, Model, WriteError};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Item {
    ///     #[relstore(unique)]
    ///     code: u32,
    ///     price: u32,
    /// }
    /// relstore::schema! { struct Shop { items: Item } relations {} }
    ///
    /// let mut db = Db::<Shop>::new();
    /// let ids = db.insert_many((1..=3).map(|code| Item { code, price: 10 }))?;
    /// // Every price up by 5, and the codes shifted by one: 1->2, 2->3, 3->4.
    /// db.update_many(ids.clone(), |item| { item.price += 5; item.code += 1 })?;
    /// assert_eq!(db.table::<Item>().get_by(ItemByCode, &4).map(|i| i.price), Some(15));
    /// // Two rows on one code: nothing changes.
    /// let refused = db.update_many(ids, |item| item.code = 7).unwrap_err();
    /// assert!(matches!(refused.error, WriteError::UniqueInBatch { .. }));
    /// assert!(db.table::<Item>().get_by(ItemByCode, &2).is_some());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn update_many<T: Model>(
        &mut self,
        ids: impl IntoIterator<Item = Id<T>>,
        mut change: impl FnMut(&mut T),
    ) -> Result<usize, BatchError<Id<T>>>
    where
        S: HasTable<T>,
    {
        let ids: Vec<Id<T>> = ids.into_iter().collect();
        let refuse = |position: usize, error: WriteError, ids: Vec<Id<T>>| BatchError {
            position,
            error,
            rows: ids,
        };
        // Copies first, each changed where it lies in `copies`: a panic in `Clone`, in
        // `change` or in a check drops copies only, one by one (see `drop_each`).
        let mut seen = HashSet::with_capacity(ids.len());
        let mut keys: Vec<(usize, RowKey)> = Vec::with_capacity(ids.len());
        let mut copies: Vec<T> = Vec::with_capacity(ids.len());
        // Every live row is copied and checked, a stale id's position noted: the first row
        // refused is whichever comes first, and a stale id does not hide the rows after it
        // from the check of the ones before (which may take keys those rows give up).
        let mut stale = None;
        let checked = panic::catch_unwind(AssertUnwindSafe(|| {
            for (position, &id) in ids.iter().enumerate() {
                let Some(row) = self.rows::<T>().get(id.key()) else {
                    stale = stale.or(Some((position, id)));
                    continue;
                };
                if seen.insert(id.key()) {
                    copies.push(row.clone());
                    keys.push((position, id.key()));
                    if let Some(copy) = copies.last_mut() {
                        change(copy);
                    }
                }
            }
            self.check_replacements(&keys, &copies, &seen).err()
        }));
        let refused = match checked {
            Ok(refused) => refused,
            Err(payload) => {
                if let Some(second) = drop_each(copies) {
                    std::mem::forget(second);
                }
                panic::resume_unwind(payload);
            }
        };
        let stale = stale.map(|(at, id)| (at, WriteError::from(NotFound::new(id))));
        if let Some((at, error)) = [refused, stale]
            .into_iter()
            .flatten()
            .min_by_key(|&(at, _)| at)
        {
            if let Some(payload) = drop_each(copies) {
                panic::resume_unwind(payload);
            }
            return Err(refuse(at, error, ids));
        }
        let count = copies.len();
        let mut old = Vec::with_capacity(count);
        for (&(_, key), copy) in keys.iter().zip(copies) {
            old.push(self.replace_row(key, copy, None));
        }
        // The store is whole: the old rows' `Drop`s run last, one by one.
        if let Some(payload) = drop_each(old) {
            panic::resume_unwind(payload);
        }
        Ok(count)
    }

    /// Changes every row of table `T` that `matches` through `change`: [`Db::update_many`]
    /// over the rows a predicate picks, for ActiveRecord's `update_all(..).where(..)`. All or
    /// nothing.
    ///
    /// # Errors
    /// As [`Db::update_many`], positions counted among the matched rows in slot order.
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct Post { draft: bool, title: String }
    /// relstore::schema! { struct Blog { posts: Post } relations {} }
    ///
    /// let mut db = Db::<Blog>::new();
    /// db.insert_many([true, false].map(|draft| Post { draft, title: "t".into() }))?;
    /// let published = db.update_where::<Post>(|post| post.draft, |post| post.draft = false)?;
    /// assert_eq!(published, 1);
    /// assert!(db.table::<Post>().iter().all(|post| !post.draft));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn update_where<T: Model>(
        &mut self,
        mut matches: impl FnMut(Row<'_, T, S>) -> bool,
        change: impl FnMut(&mut T),
    ) -> Result<usize, BatchError<Id<T>>>
    where
        S: HasTable<T>,
    {
        let ids: Vec<Id<T>> = (self.table::<T>().iter())
            .filter(|row| matches(*row))
            .map(|row| row.id())
            .collect();
        self.update_many(ids, change)
    }

    /// Checks copies that are to replace the rows at `keys` (with their positions in the
    /// caller's list), all at once, and names the first copy refused: each row's keys and
    /// validator, each unique key against the rows that stay (a key held by a row being
    /// replaced is free unless its copy keeps it, which the batch check finds), and has-one
    /// parents and unique keys shared among the copies before the first copy refused alone.
    fn check_replacements<T: Model>(
        &self,
        keys: &[(usize, RowKey)],
        copies: &[T],
        replaced: &HashSet<RowKey>,
    ) -> Result<(), (usize, WriteError)>
    where
        S: HasTable<T>,
    {
        let alone = (keys.iter().zip(copies).enumerate()).find_map(|(at, (&(_, key), copy))| {
            self.check_replacement(key, copy, replaced)
                .err()
                .map(|e| (at, e))
        });
        let checked = alone.as_ref().map_or(copies.len(), |&(at, _)| at);
        // Has-one parents taken twice among the copies.
        let mut twice = TakenTwice {
            rows: &copies[..checked],
            found: None,
        };
        S::__relations(&mut twice);
        let unique = T::Indexes::check_batch(&copies[..checked]).err().map(|v| {
            let error = WriteError::UniqueInBatch {
                index: v.index,
                value: v.value,
                earlier: keys[v.earlier].0,
            };
            (v.later, error)
        });
        let twice = twice.found.map(|(later, mut error)| {
            if let WriteError::HasOneTakenInBatch { earlier, .. } = &mut error {
                *earlier = keys[*earlier].0;
            }
            (later, error)
        });
        let first = [twice, unique, alone]
            .into_iter()
            .flatten()
            .min_by_key(|&(at, _)| at);
        match first {
            Some((at, error)) => Err((keys[at].0, error)),
            None => Ok(()),
        }
    }

    /// One copy's own checks: keys, unique keys against the rows that stay, the validator.
    fn check_replacement<T: Model>(
        &self,
        key: RowKey,
        copy: &T,
        replaced: &HashSet<RowKey>,
    ) -> Result<(), WriteError>
    where
        S: HasTable<T>,
    {
        let this = Some(key);
        self.check_keys(copy, this)?;
        if let Err(v) =
            (self.rows::<T>()).check_unique_among(copy, &|holder| replaced.contains(&holder))
        {
            return Err(super::write::unique_error::<T>(v, this));
        }
        if T::VALIDATED {
            copy.validate().map_err(|reason| WriteError::Invalid {
                table: T::TABLE,
                row: Some(AnyId::new(T::TABLE, key)),
                reason,
            })?;
        }
        Ok(())
    }
}
