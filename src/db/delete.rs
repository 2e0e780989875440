//! Deletes: plan the whole cascade, check every restrict against it, then hand the plan to
//! [`super::mutation`].
//!
//! Planning walks the cascade with a work list, never recursion, so a chain of any length
//! deletes without growing the stack; and it changes nothing, so a blocked delete deletes
//! nothing at all.

use super::Db;
use crate::error::DeleteError;
use crate::id::{AnyId, Id, RowKey};
use crate::model::Model;
use crate::relation::{OnDelete, RelationInfo};
use crate::schema::{HasTable, Schema};
use crate::table::slot_of;

/// What a delete would do, from [`Db::delete_plan`]: the rows it would remove and the keys it
/// would set to null.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeletePlan {
    deleted: Vec<AnyId>,
    nullified: Vec<(AnyId, &'static RelationInfo)>,
}

impl DeletePlan {
    /// The rows that would be deleted: the one asked for first, then its cascade, breadth
    /// first.
    pub fn deleted(&self) -> &[AnyId] {
        &self.deleted
    }

    /// The rows whose foreign key would be set to null, with the relation of that key.
    pub fn nullified(&self) -> &[(AnyId, &'static RelationInfo)] {
        &self.nullified
    }
}

/// A plan whose row list grew past this many rows gives its buffers back after the delete.
const KEPT_ROWS: usize = 128;

/// A delete in the making, as table and relation positions. Kept in [`Db`] between deletes
/// so that its buffers are reused.
#[derive(Default)]
pub(crate) struct Plan {
    /// (table, row) to delete; the first is the row asked for.
    pub(super) rows: Vec<(usize, RowKey)>,
    /// (relation, child row) whose key is set to null.
    pub(super) nullify: Vec<(usize, RowKey)>,
    /// One bit per slot of each table, set for the rows in `rows`: membership in O(1),
    /// without hashing. A slot names one row while the plan lives (nothing is removed
    /// before the plan is applied, and every key in a row or index names a live row). The
    /// bits are cleared row by row, so a small delete in a big table stays cheap; the words
    /// stay allocated, 1 bit per slot (1/512 of a 64-byte row slot).
    marks: Vec<Vec<u64>>,
    /// (relation, surviving parent, child's insertion sequence number, child) for every
    /// deleted child of a parent that stays; used while applying.
    pub(super) survivors: Vec<(usize, RowKey, u64, RowKey)>,
}

/// The word and bit of a row's slot in [`Plan::marks`].
#[inline]
fn bit_of(key: RowKey) -> (usize, u64) {
    let (slot, _) = slot_of(key);
    (slot / 64, 1 << (slot % 64))
}

impl Plan {
    fn clear(&mut self) {
        for &(t, key) in &self.rows {
            let (word, _) = bit_of(key);
            self.marks[t][word] = 0; // every bit set in it belongs to a row in `rows`
        }
        self.rows.clear();
        self.nullify.clear();
    }

    pub(super) fn contains(&self, (t, key): (usize, RowKey)) -> bool {
        let (word, bit) = bit_of(key);
        let word = self.marks.get(t).and_then(|words| words.get(word));
        word.is_some_and(|&w| w & bit != 0)
    }

    fn add(&mut self, (t, key): (usize, RowKey)) {
        if self.marks.len() <= t {
            self.marks.resize_with(t + 1, Vec::new);
        }
        let words = &mut self.marks[t];
        let (word, bit) = bit_of(key);
        if words.len() <= word {
            words.resize(word + 1, 0);
        }
        if words[word] & bit == 0 {
            words[word] |= bit;
            self.rows.push((t, key));
        }
    }
}

impl<S: Schema> Db<S> {
    /// Deletes a row, applying every relation's on-delete policy, and returns the row.
    ///
    /// Children under [`OnDelete::Cascade`] are deleted too, to any depth; under
    /// [`OnDelete::SetNull`] their key becomes `None`; under [`OnDelete::Restrict`] the delete
    /// fails while a child exists that the same delete does not remove. All or nothing: if a
    /// restrict blocks anywhere in the cascade, nothing is deleted.
    ///
    /// # Errors
    /// [`DeleteError::Restricted`] naming the blocking relation and rows,
    /// [`DeleteError::NotFound`] for a stale id.
    ///
    /// ```
    /// # use relstore::{Db, DeleteError, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize)]
    /// # struct User { name: String }
    /// # impl Model for User { const TABLE: &'static str = "users"; }
    /// # #[derive(Clone, Serialize, Deserialize)]
    /// # struct Post { user_id: Id<User> }
    /// # impl Model for Post { const TABLE: &'static str = "posts"; }
    /// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many); // Restrict
    ///
    /// relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    ///
    /// let mut db = Db::<Blog>::new();
    /// let alice = db.insert(User { name: "alice".into() })?;
    /// let post = db.insert(Post { user_id: alice })?;
    /// assert!(matches!(db.delete(alice), Err(DeleteError::Restricted { .. })));
    /// db.delete(post)?;
    /// assert_eq!(db.delete(alice)?.name, "alice");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn delete<T: Model>(&mut self, id: Id<T>) -> Result<T, DeleteError>
    where
        S: HasTable<T>,
    {
        let t = self.delete_target(id)?;
        let key = id.key();
        let childless = (self.links[t].as_parent.iter())
            .all(|&r| self.tables.__indexes()[r].children(key).is_empty());
        if childless {
            // Nothing to plan. Inlined into the caller, so the removed row goes straight to
            // wherever it is used or dropped instead of being copied through each frame.
            return Ok(self.apply_delete_row(key));
        }
        self.delete_planned(t, key)
    }

    /// The rest of [`Db::delete`], for a row that other rows point to: plan, then apply.
    #[inline(never)]
    fn delete_planned<T: Model>(&mut self, t: usize, key: RowKey) -> Result<T, DeleteError>
    where
        S: HasTable<T>,
    {
        let mut plan = std::mem::take(&mut self.delete_scratch);
        let result = self
            .plan_delete(t, key, &mut plan)
            .map(|()| self.apply_delete(&mut plan));
        plan.clear();
        // Keep small buffers for the next delete; let a big cascade's go.
        if plan.rows.capacity() <= KEPT_ROWS {
            self.delete_scratch = plan;
        }
        result
    }

    /// What [`Db::delete`] would do with `id`, without doing it.
    ///
    /// # Errors
    /// The errors [`Db::delete`] would return.
    pub fn delete_plan<T: Model>(&self, id: Id<T>) -> Result<DeletePlan, DeleteError>
    where
        S: HasTable<T>,
    {
        let t = self.delete_target(id)?;
        let mut plan = Plan::default();
        self.plan_delete(t, id.key(), &mut plan)?;
        let row_id = |t: usize, key| AnyId::new(self.links[t].name, key);
        Ok(DeletePlan {
            deleted: plan.rows.iter().map(|&(t, key)| row_id(t, key)).collect(),
            nullified: plan
                .nullify
                .iter()
                .map(|&(r, key)| {
                    let relation = &self.relations[r];
                    (row_id(relation.child, key), relation.info)
                })
                .collect(),
        })
    }

    /// The position of `id`'s table, if `id` names a stored row.
    #[inline]
    fn delete_target<T: Model>(&self, id: Id<T>) -> Result<usize, DeleteError>
    where
        S: HasTable<T>,
    {
        if self.contains(id) {
            Ok(S::TABLE_POS)
        } else {
            Err(DeleteError::NotFound { id: id.into() })
        }
    }

    /// Fills `plan` with everything deleting row `key` of table `t` involves.
    fn plan_delete(&self, t: usize, key: RowKey, plan: &mut Plan) -> Result<(), DeleteError> {
        plan.clear();
        plan.add((t, key));

        // 1. The cascade, breadth first: `rows` is both the result and the work list.
        let mut next = 0;
        while let Some(&(t, key)) = plan.rows.get(next) {
            next += 1;
            for &r in &self.links[t].as_parent {
                let relation = &self.relations[r];
                if relation.info.on_delete == OnDelete::Cascade {
                    for &child in self.tables.__indexes()[r].children(key) {
                        plan.add((relation.child, child));
                    }
                }
            }
        }

        // 2. Every child that survives the cascade is restricted or set to null.
        for &(t, key) in &plan.rows {
            for &r in &self.links[t].as_parent {
                let relation = &self.relations[r];
                let policy = relation.info.on_delete;
                if policy == OnDelete::Cascade {
                    continue;
                }
                for &child in self.tables.__indexes()[r].children(key) {
                    if plan.contains((relation.child, child)) {
                        continue;
                    }
                    // A set-null whose key cannot be null (a hand-written relation whose
                    // `OPTIONAL` disagrees with its field) blocks like a restrict.
                    let clearable = || {
                        let row = self.tables.__table(relation.child).row(child);
                        row.is_some_and(|row| relation.keys.can_clear(row))
                    };
                    if policy == OnDelete::Restrict || !clearable() {
                        let info = relation.info;
                        return Err(DeleteError::Restricted {
                            relation: info,
                            parent: AnyId::new(info.parent_table, key),
                            child: AnyId::new(info.child_table, child),
                        });
                    }
                    plan.nullify.push((r, child));
                }
            }
        }
        Ok(())
    }
}
