//! Deletes: plan the whole cascade, check every restrict against it, then hand the plan to
//! [`super::mutation`].
//!
//! Planning walks the cascade with a work list, never recursion, so a chain of any length
//! deletes without growing the stack; and it changes nothing, so a blocked delete deletes
//! nothing at all.

use super::Db;
use crate::error::{DeleteError, NotFound};
use crate::id::{AnyId, Id, RowKey};
use crate::model::Model;
use crate::relation::{ForeignKey, OnDelete, Relation, RelationInfo, info_of, parent_id};
use crate::schema::{HasRelation, HasTable, RelationPos, RelationVisitor, Schema, TablePos};
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

/// A plan that grew past this many entries in any buffer gives its memory back after the
/// delete: a big cascade's buffers are not kept for the store's lifetime.
const KEPT_ROWS: usize = 128;

/// Slots per page of [`SlotSet`]: 64 words of 64 bits.
const PAGE_SLOTS: usize = 4096;

/// A delete in the making, as table and relation positions. Kept in [`Db`] between deletes
/// so that its buffers are reused.
#[derive(Default)]
pub(crate) struct Cascade {
    /// (table, row) to delete; the first is the row asked for.
    pub(super) rows: Vec<(TablePos, RowKey)>,
    /// (relation, child row) whose key is set to null.
    pub(super) nullify: Vec<(RelationPos, RowKey)>,
    /// The rows in `rows`, one set per table: membership in O(1), without hashing. A slot
    /// names one row while the plan lives (nothing is removed before the plan is applied, and
    /// every key in a row or index names a live row).
    marks: Vec<SlotSet>,
    /// (relation, surviving parent, child's creation number, child) for every deleted child
    /// of a parent that stays; used while applying.
    pub(super) survivors: Vec<(RelationPos, RowKey, u64, RowKey)>,
    /// A panic from the `Drop` of a copy made while checking a set-null against a validator:
    /// it goes on once the delete is applied, as a deleted row's would. In a `Mutex` only so
    /// that the store stays `Sync` (a payload is not); reached through `&mut`, never locked.
    copy_panic: std::sync::Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

/// A set of slot numbers: a bit per slot, in pages of 4,096 slots allocated on first use, so
/// that a row in slot 10,000,000 costs a 20 KB page table, not a 1.2 MB bitmap.
#[derive(Default)]
struct SlotSet {
    pages: Vec<Option<Box<[u64; PAGE_SLOTS / 64]>>>,
    /// Pages allocated (the page table itself is 8 bytes per 4,096 slots).
    allocated: usize,
}

impl SlotSet {
    fn contains(&self, slot: usize) -> bool {
        let (page, word, bit) = Self::place(slot);
        match self.pages.get(page) {
            Some(Some(words)) => words[word] & bit != 0,
            _ => false,
        }
    }

    /// Adds `slot`; false if it was there.
    fn insert(&mut self, slot: usize) -> bool {
        let (page, word, bit) = Self::place(slot);
        if self.pages.len() <= page {
            self.pages.resize_with(page + 1, || None);
        }
        let words = self.pages[page].get_or_insert_with(|| {
            self.allocated += 1;
            Box::new([0; PAGE_SLOTS / 64])
        });
        let fresh = words[word] & bit == 0;
        words[word] |= bit;
        fresh
    }

    /// Clears the word holding `slot`: every bit set in it belongs to a row of the plan, and
    /// all of those are being cleared.
    fn clear_word(&mut self, slot: usize) {
        let (page, word, _) = Self::place(slot);
        if let Some(Some(words)) = self.pages.get_mut(page) {
            words[word] = 0;
        }
    }

    fn page_count(&self) -> usize {
        self.allocated
    }

    #[inline]
    fn place(slot: usize) -> (usize, usize, u64) {
        let (page, within) = (slot / PAGE_SLOTS, slot % PAGE_SLOTS);
        (page, within / 64, 1 << (within % 64))
    }
}

impl Cascade {
    pub(super) fn clear(&mut self) {
        for &(t, key) in &self.rows {
            self.marks[t.0].clear_word(slot_of(key).0);
        }
        self.rows.clear();
        self.nullify.clear();
        self.survivors.clear();
        if let Some(payload) = self.take_copy_panic() {
            std::mem::forget(payload); // its `Drop` could panic again
        }
    }

    /// The panic of a copy's `Drop` that planning caught, if any (see `copy_panic`).
    pub(super) fn take_copy_panic(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        let slot = self.copy_panic.get_mut();
        slot.unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    /// Whether the cleared plan is small enough to keep for the next delete.
    pub(super) fn is_small(&self) -> bool {
        let pages: usize = self.marks.iter().map(SlotSet::page_count).sum();
        self.rows.capacity() <= KEPT_ROWS
            && self.nullify.capacity() <= KEPT_ROWS
            && self.survivors.capacity() <= KEPT_ROWS
            && pages <= KEPT_ROWS
    }

    pub(super) fn contains(&self, (t, key): (TablePos, RowKey)) -> bool {
        self.marks
            .get(t.0)
            .is_some_and(|set| set.contains(slot_of(key).0))
    }

    /// Adds a row to delete, once.
    pub(super) fn add(&mut self, (t, key): (TablePos, RowKey)) {
        if self.marks.len() <= t.0 {
            self.marks.resize_with(t.0 + 1, SlotSet::default);
        }
        if self.marks[t.0].insert(slot_of(key).0) {
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
    /// # Panics
    /// If a removed row's `Drop` panics, the delete still completes: every planned row
    /// leaves its table, every index agrees, and then the first such panic goes on (the row
    /// asked for is dropped rather than returned). Later panics of the same delete are
    /// swallowed, their payloads leaked unread, because dropping a payload can panic too.
    /// Under `panic = "abort"` the first panic ends the process, as any panic does.
    ///
    /// ```
    /// # use relstore::{Db, DeleteError, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User> }
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
        let childless =
            (self.links[t].as_parent.iter()).all(|&r| self.tables.__indexes()[r].is_childless(key));
        if childless {
            // Nothing to plan. Inlined into the caller, so the removed row goes straight to
            // wherever it is used or dropped instead of being copied through each frame.
            return Ok(self.remove_childless(key));
        }
        self.delete_with_cascade(t, key)
    }

    /// The rest of [`Db::delete`], for a row that other rows point to: plan, then apply.
    #[inline(never)]
    fn delete_with_cascade<T: Model>(&mut self, t: TablePos, key: RowKey) -> Result<T, DeleteError>
    where
        S: HasTable<T>,
    {
        let mut plan = std::mem::take(&mut self.cascade_scratch);
        let result = self
            .collect_cascade(t, key, &mut plan)
            .map(|()| self.apply_delete(&mut plan));
        plan.clear();
        // Keep small buffers for the next delete; let a big cascade's go.
        if plan.is_small() {
            self.cascade_scratch = plan;
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
        let mut plan = Cascade::default();
        self.collect_cascade(t, id.key(), &mut plan)?;
        if let Some(payload) = plan.take_copy_panic() {
            std::panic::resume_unwind(payload); // a plan changes nothing: raise it now
        }
        let row_id = |t: TablePos, key| AnyId::new(self.links[t].name, key);
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
    fn delete_target<T: Model>(&self, id: Id<T>) -> Result<TablePos, DeleteError>
    where
        S: HasTable<T>,
    {
        if self.contains(id) {
            Ok(S::TABLE_POS)
        } else {
            Err(NotFound::new(id).into())
        }
    }

    /// Fills `plan` with everything deleting row `key` of table `t` involves.
    fn collect_cascade(
        &self,
        t: TablePos,
        key: RowKey,
        plan: &mut Cascade,
    ) -> Result<(), DeleteError> {
        plan.clear();
        plan.add((t, key));
        self.plan_cascade(plan)
    }

    /// Completes a plan that holds the rows asked for (one for a delete, any number for a
    /// retain): their cascade, then the restricts and set-nulls against the whole of it.
    pub(super) fn plan_cascade(&self, plan: &mut Cascade) -> Result<(), DeleteError> {
        // 1. The cascade, breadth first: `rows` is both the result and the work list.
        let mut next = 0;
        while let Some(&(t, key)) = plan.rows.get(next) {
            next += 1;
            for &r in &self.links[t].as_parent {
                let relation = &self.relations[r];
                if relation.info.on_delete == OnDelete::Cascade {
                    for child in self.tables.__indexes()[r].children(key) {
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
                for child in self.tables.__indexes()[r].children(key) {
                    if plan.contains((relation.child, child)) {
                        continue;
                    }
                    // The schema only allows `SetNull` on optional keys.
                    if policy == OnDelete::Restrict {
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

        // 3. A row whose key is set to null must still pass its model's validator.
        let mut copy_panic = None;
        let mut result = Ok(());
        for &(r, child) in &plan.nullify {
            let mut check = CheckNullified {
                db: self,
                plan,
                child,
                at: r,
                copy_panic: &mut copy_panic,
                result: Ok(()),
            };
            S::__visit_relation(r, &mut check);
            if let Err(error) = check.result {
                result = Err(error);
                break;
            }
        }
        if let Some(payload) = copy_panic {
            if result.is_err() {
                std::panic::resume_unwind(payload); // nothing changed
            }
            let slot = plan.copy_panic.get_mut();
            *slot.unwrap_or_else(std::sync::PoisonError::into_inner) = Some(payload);
        }
        result
    }
}

/// Validates the row `child` of relation `at` as a planned delete leaves it: a copy with every
/// key the plan sets to null cleared. Only for a validated table, and once per row: at the
/// first relation (in the table's order) under which the plan clears it.
struct CheckNullified<'a, S> {
    db: &'a Db<S>,
    plan: &'a Cascade,
    child: RowKey,
    at: RelationPos,
    /// The first panic of a copy's `Drop`, for the plan to raise once applied.
    copy_panic: &'a mut Option<Box<dyn std::any::Any + Send>>,
    result: Result<(), DeleteError>,
}

impl<S: Schema> RelationVisitor<S> for CheckNullified<'_, S> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        if !<R::Child as Model>::VALIDATED {
            return;
        }
        let Some(row) = self.db.rows::<R::Child>().get(self.child) else {
            return;
        };
        let mut copy = row.clone();
        let t = <S as HasTable<R::Child>>::TABLE_POS;
        let mut clear = ClearNullified {
            db: self.db,
            plan: self.plan,
            row: &mut copy,
            first: None,
            pos: RelationPos(0),
        };
        for &r in &self.db.links[t].as_child {
            clear.pos = r;
            S::__visit_relation(r, &mut clear);
        }
        if clear.first == Some(self.at)
            && let Err(reason) = copy.validate()
        {
            let info = info_of::<R>();
            self.result = Err(DeleteError::Invalid {
                relation: info,
                row: AnyId::new(info.child_table, self.child),
                reason,
            });
        }
        // The copy's `Drop` may panic: caught, so that the delete goes on as one whose
        // deleted row's `Drop` panics (the panic is raised once the store is whole).
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(copy)));
        if let Err(payload) = dropped {
            match self.copy_panic {
                None => *self.copy_panic = Some(payload),
                Some(_) => std::mem::forget(payload),
            }
        }
    }
}

/// Clears, in a copy of a row of table `T`, the key of each relation under which the plan
/// sets the row's key to null; notes the first such relation.
struct ClearNullified<'a, S, T> {
    db: &'a Db<S>,
    plan: &'a Cascade,
    row: &'a mut T,
    first: Option<RelationPos>,
    pos: RelationPos,
}

impl<S: Schema, T: Model> RelationVisitor<S> for ClearNullified<'_, S, T> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        if R::ON_DELETE != OnDelete::SetNull {
            return;
        }
        let Some(child) = (self.row as &mut dyn std::any::Any).downcast_mut::<R::Child>() else {
            return;
        };
        let Some(parent) = parent_id::<R>(child) else {
            return;
        };
        let parent_table = self.db.relations[self.pos].parent;
        if self.plan.contains((parent_table, parent.key())) {
            R::key_mut(child).clear();
            self.first.get_or_insert(self.pos);
        }
    }
}
