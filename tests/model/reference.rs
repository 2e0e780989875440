//! The naive reference: each table is a `Vec` of rows in insertion order, and every relation
//! question is answered by scanning those rows. Nothing here is incremental: what a question
//! needs (a delete's parent -> children map, say) is built from the rows for that question and
//! thrown away.

use std::any::Any;
use std::cell::Cell;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::marker::PhantomData;

use relstore::{AnyId, Db, HasRelation, Id, Model, OnDelete};

use crate::check;
use crate::schema::*;

/// A live row: the id the store handed out, the value (as the reference holds it: a `T` or,
/// for a row type with side effects, plain data), and a global insertion counter.
#[derive(Clone)]
pub struct Rec<T, R = T> {
    pub id: Id<T>,
    pub row: R,
    pub seq: u64,
}

/// One table: live rows in insertion order, and the ids of every row deleted so far.
#[derive(Clone)]
pub struct RefTable<T, R = T> {
    pub rows: Vec<Rec<T, R>>,
    pub dead: Vec<Id<T>>,
    /// The slots the last `shrink_to_fit` gave back (after the last live row's), not yet
    /// handed out again: a new row there must get an id no row ever had.
    pub given_back: HashSet<u32>,
    /// The highest slot the store's table has, as far as the reference can tell: the highest
    /// slot of any id handed out, down to the last live row's at a shrink.
    pub top_slot: u32,
    /// Whether a shrink happened, and whether a row went into a new slot (above `top_slot`)
    /// since the last one.
    pub shrunk: bool,
    pub grown_since_shrink: bool,
    /// Whether the slots in `given_back` came back from two shrinks in a row (see
    /// [`Shrunk::only_older`]).
    pub given_back_twice: bool,
    /// How many of `dead` the last check saw (see `check::table`).
    pub dead_checked: Cell<usize>,
    /// Where the last check's window of older dead ids ended.
    pub dead_cursor: Cell<usize>,
}

impl<T, R> Default for RefTable<T, R> {
    fn default() -> Self {
        RefTable {
            rows: Vec::new(),
            dead: Vec::new(),
            given_back: HashSet::new(),
            top_slot: 0,
            shrunk: false,
            grown_since_shrink: false,
            given_back_twice: false,
            dead_checked: Cell::new(0),
            dead_cursor: Cell::new(0),
        }
    }
}

impl<T, R> RefTable<T, R> {
    pub fn get(&self, id: Id<T>) -> Option<&R> {
        self.rows
            .iter()
            .find(|rec| rec.id == id)
            .map(|rec| &rec.row)
    }

    /// The live rows in the order they were inserted: the order the store promises for
    /// children (a re-parented child keeps its place by insertion, it does not go last).
    pub fn in_insertion_order(&self) -> Vec<&Rec<T, R>> {
        let mut rows: Vec<&Rec<T, R>> = self.rows.iter().collect();
        rows.sort_by_key(|rec| rec.seq);
        rows
    }

    pub fn ids(&self) -> impl Iterator<Item = Id<T>> + '_ {
        self.rows.iter().map(|rec| rec.id)
    }

    /// The live rows in slot order: the order in which the store's table iterates them, and
    /// in which `rows_mut`, `edit_rows` and `retain` visit them.
    pub fn in_slot_order(&self) -> Vec<&Rec<T, R>> {
        let mut rows: Vec<&Rec<T, R>> = self.rows.iter().collect();
        rows.sort_by_key(|rec| slot(rec.id));
        rows
    }

    /// Whether `id` was never handed out before: no live or dead row had it.
    pub fn fresh(&self, id: Id<T>) -> bool {
        !self.ids().any(|live| live == id) && !self.dead.contains(&id)
    }

    /// What `shrink_to_fit` gives back: every slot after the last live row's (the store never
    /// retires a slot in these runs: that takes 2^31 reuses).
    pub fn shrink(&mut self) -> Shrunk {
        let last_live = self.ids().map(slot).max().unwrap_or(0);
        let dead = self.dead.iter().map(|&id| slot(id));
        self.given_back = dead.filter(|&s| s > last_live).collect();
        let shrunk = Shrunk {
            slots: self.given_back.len(),
            only_older: self.shrunk && !self.grown_since_shrink && !self.given_back.is_empty(),
        };
        self.top_slot = last_live;
        self.given_back_twice = shrunk.only_older;
        self.shrunk = true;
        self.grown_since_shrink = false;
        shrunk
    }

    /// How many of the slots the table ever used hold no row now: free slots, and slots a
    /// shrink gave back.
    pub fn vacant_slots(&self) -> usize {
        let live: HashSet<u32> = self.ids().map(slot).collect();
        let used: HashSet<u32> = self.dead.iter().map(|&id| slot(id)).collect();
        used.difference(&live).count()
    }

    /// Notes that a new row took the slot of `id`; what to count if a shrink gave that slot
    /// back.
    pub fn took_slot(&mut self, id: Id<T>) -> Option<&'static str> {
        if slot(id) > self.top_slot {
            self.top_slot = slot(id);
            self.grown_since_shrink = true;
        }
        match self.given_back.remove(&slot(id)) {
            false => None,
            true if self.given_back_twice => {
                Some("insert into a slot given back, the last of two shrinks in a row")
            }
            true => Some("insert into a slot a shrink gave back"),
        }
    }
}

/// What a shrink of one table gave back, as the reference sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Shrunk {
    /// How many slots.
    pub slots: usize,
    /// Whether there were some, and they all came before an earlier shrink: no row went into
    /// a new slot since. A new slot after such a shrink must still get a version above every
    /// one its slot had before the earlier shrink.
    pub only_older: bool,
}

impl std::ops::Add for Shrunk {
    type Output = Shrunk;
    fn add(self, other: Shrunk) -> Shrunk {
        Shrunk {
            slots: self.slots + other.slots,
            only_older: self.only_older || other.only_older,
        }
    }
}

/// The slot an id names: the low half of its bits (the store's layout, as slotmap's).
pub fn slot<T>(id: Id<T>) -> u32 {
    id.to_bits() as u32
}

/// A table of the schema, and where the reference keeps its rows.
pub trait RefModel: Model + PartialEq + Debug {
    fn of(r: &Reference) -> &RefTable<Self>;
    fn of_mut(r: &mut Reference) -> &mut RefTable<Self>;
}

#[derive(Clone, Default)]
pub struct Reference {
    pub users: RefTable<User>,
    pub posts: RefTable<Post>,
    pub comments: RefTable<Comment>,
    pub profiles: RefTable<Profile>,
    pub categories: RefTable<Category>,
    next_seq: u64,
}

macro_rules! ref_model {
    ($($t:ident => $field:ident),*) => {$(
        impl RefModel for $t {
            fn of(r: &Reference) -> &RefTable<Self> {
                &r.$field
            }
            fn of_mut(r: &mut Reference) -> &mut RefTable<Self> {
                &mut r.$field
            }
        }
    )*};
}
ref_model!(User => users, Post => posts, Comment => comments, Profile => profiles, Category => categories);

/// Runs `$body` with `$t` naming the row type of table `$table` (a table name).
macro_rules! by_table {
    ($table:expr, $t:ident => $body:expr) => {{
        let table: &str = $table;
        if table == <$crate::schema::User as relstore::Model>::TABLE {
            type $t = $crate::schema::User;
            $body
        } else if table == <$crate::schema::Post as relstore::Model>::TABLE {
            type $t = $crate::schema::Post;
            $body
        } else if table == <$crate::schema::Comment as relstore::Model>::TABLE {
            type $t = $crate::schema::Comment;
            $body
        } else if table == <$crate::schema::Profile as relstore::Model>::TABLE {
            type $t = $crate::schema::Profile;
            $body
        } else if table == <$crate::schema::Category as relstore::Model>::TABLE {
            type $t = $crate::schema::Category;
            $body
        } else {
            unreachable!("no table {table}")
        }
    }};
}
pub(crate) use by_table;

/// A relation with its types erased, so that deletes can walk every relation in one loop.
pub trait DynRel: Sync {
    fn name(&self) -> &'static str;
    fn child_table(&self) -> &'static str;
    fn policy(&self) -> OnDelete;
    fn unique(&self) -> bool;
    /// The key of `row` if it is a row of this relation's child table and the key is set.
    fn key_of(&self, row: &dyn Any) -> Option<AnyId>;
    /// Every (child, parent) pair, children in insertion order: one scan of the child rows.
    fn links(&self, r: &Reference) -> Vec<(AnyId, AnyId)>;
    fn set_null(&self, r: &mut Reference, child: AnyId);
    /// [`DynRel::set_null`] of each of these children, in one pass.
    fn set_null_all(&self, r: &mut Reference, children: &HashSet<AnyId>);
    /// Sets the key of `to` to the key of `from`, both rows of the child table (other rows
    /// are left alone).
    fn copy_key(&self, from: &dyn Any, to: &mut dyn Any);
    /// Compares every answer of the store about this relation with the reference.
    fn check(&self, db: &Db<Forum>, r: &Reference) -> Result<(), String>;
}

pub struct Dyn<R>(PhantomData<R>);

impl<R: Spec> DynRel for Dyn<R>
where
    Forum: HasRelation<R>,
    R::Child: RefModel,
    R::Parent: RefModel,
{
    fn name(&self) -> &'static str {
        R::NAME
    }
    fn child_table(&self) -> &'static str {
        R::Child::TABLE
    }
    fn policy(&self) -> OnDelete {
        R::POLICY
    }
    fn unique(&self) -> bool {
        R::UNIQUE
    }
    fn key_of(&self, row: &dyn Any) -> Option<AnyId> {
        row.downcast_ref::<R::Child>()
            .and_then(R::parent_of)
            .map(AnyId::from)
    }
    fn links(&self, r: &Reference) -> Vec<(AnyId, AnyId)> {
        let children = R::Child::of(r).in_insertion_order();
        let key = |rec: &&Rec<R::Child>| R::parent_of(&rec.row).map(|p| (rec.id.into(), p.into()));
        children.iter().filter_map(key).collect()
    }
    fn set_null(&self, r: &mut Reference, child: AnyId) {
        let id = child.typed::<R::Child>().expect("a child of this relation");
        let rec = R::Child::of_mut(r).rows.iter_mut().find(|rec| rec.id == id);
        R::set_null(&mut rec.expect("a live child").row);
    }
    fn set_null_all(&self, r: &mut Reference, children: &HashSet<AnyId>) {
        for rec in &mut R::Child::of_mut(r).rows {
            if children.contains(&rec.id.into()) {
                R::set_null(&mut rec.row);
            }
        }
    }
    fn copy_key(&self, from: &dyn Any, to: &mut dyn Any) {
        if let (Some(from), Some(to)) = (from.downcast_ref(), to.downcast_mut()) {
            R::copy_key(from, to);
        }
    }
    fn check(&self, db: &Db<Forum>, r: &Reference) -> Result<(), String> {
        check::relation::<R>(db, r)
    }
}

pub const RELATIONS: [&dyn DynRel; 9] = [
    &Dyn::<PostAuthor>(PhantomData),
    &Dyn::<PostEditor>(PhantomData),
    &Dyn::<PostCategory>(PhantomData),
    &Dyn::<CommentPost>(PhantomData),
    &Dyn::<CommentAuthor>(PhantomData),
    &Dyn::<CommentReply>(PhantomData),
    &Dyn::<UserProfile>(PhantomData),
    &Dyn::<FeaturedPost>(PhantomData),
    &Dyn::<CategoryParent>(PhantomData),
];

/// Why the reference expects a write to fail.
#[derive(Clone, Debug, PartialEq)]
pub enum Violation {
    Missing {
        relation: &'static str,
        parent: AnyId,
    },
    Taken {
        relation: &'static str,
        parent: AnyId,
        existing: AnyId,
    },
    /// A row of an `insert_many` batch naming the has-one parent that the row at `earlier`,
    /// before it in the batch, names too.
    TakenInBatch {
        relation: &'static str,
        parent: AnyId,
        earlier: usize,
    },
}

/// What the reference expects a delete (or a delete plan) to do.
#[derive(Debug)]
pub struct RefPlan {
    /// Every row deleted, with its distance from the requested row along cascade relations.
    pub deleted: Vec<(AnyId, usize)>,
    /// Surviving children whose key is set to null, with the relation's name.
    pub nullified: Vec<(AnyId, &'static str)>,
}

#[derive(Debug)]
pub enum RefDeleteError {
    NotFound,
    /// Every (relation, parent, child) that blocks the delete.
    Blocked(Vec<(&'static str, AnyId, AnyId)>),
}

impl Reference {
    pub fn live(&self, id: AnyId) -> bool {
        by_table!(id.table(), T => T::of(self).get(id.typed::<T>().unwrap()).is_some())
    }

    pub fn len(&self) -> usize {
        self.users.rows.len()
            + self.posts.rows.len()
            + self.comments.rows.len()
            + self.profiles.rows.len()
            + self.categories.rows.len()
    }

    pub fn insert<T: RefModel>(&mut self, id: Id<T>, row: T) {
        let seq = self.next_seq;
        self.next_seq += 1;
        T::of_mut(self).rows.push(Rec { id, row, seq });
    }

    /// Replaces a row's value in place: it keeps its insertion order. Returns the old value.
    pub fn update<T: RefModel>(&mut self, id: Id<T>, row: T) -> T {
        let rec = T::of_mut(self).rows.iter_mut().find(|rec| rec.id == id);
        std::mem::replace(&mut rec.expect("a live row").row, row)
    }

    fn remove(&mut self, id: AnyId) {
        by_table!(id.table(), T => {
            let id = id.typed::<T>().unwrap();
            let table = T::of_mut(self);
            let at = table.rows.iter().position(|rec| rec.id == id).expect("a live row");
            table.rows.remove(at);
            table.dead.push(id);
        })
    }

    /// Removes many rows at once (one pass over each table, in place of one `remove` each:
    /// a retain or a big cascade would otherwise be quadratic); each goes to its table's dead
    /// ids in the order given.
    fn remove_many(&mut self, ids: &[AnyId]) {
        fn from<T: RefModel>(r: &mut Reference, gone: &HashSet<AnyId>, ids: &[AnyId]) {
            let table = T::of_mut(r);
            table.rows.retain(|rec| !gone.contains(&rec.id.into()));
            table
                .dead
                .extend(ids.iter().filter_map(|id| id.typed::<T>()));
        }
        let gone: HashSet<AnyId> = ids.iter().copied().collect();
        from::<User>(self, &gone, ids);
        from::<Post>(self, &gone, ids);
        from::<Comment>(self, &gone, ids);
        from::<Profile>(self, &gone, ids);
        from::<Category>(self, &gone, ids);
    }

    /// `new` with every key put back as `old` has it: what a refused or panicking edit leaves.
    pub fn keys_put_back<T: RefModel>(old: &T, new: &T) -> T {
        let mut kept = new.clone();
        for rel in RELATIONS {
            rel.copy_key(old, &mut kept);
        }
        kept
    }

    /// The relations whose key differs between `old` and `new`, rows of one table.
    pub fn changed_keys<T: RefModel>(old: &T, new: &T) -> Vec<&'static dyn DynRel> {
        let (old, new): (&dyn Any, &dyn Any) = (old, new);
        RELATIONS
            .into_iter()
            .filter(|rel| rel.key_of(old) != rel.key_of(new))
            .collect()
    }

    /// Every rule that writing `row` (as row `this`, or as a new row) would break.
    pub fn write_violations<T: RefModel>(&self, row: &T, this: Option<Id<T>>) -> Vec<Violation> {
        let this = this.map(AnyId::from);
        let mut out = Vec::new();
        for rel in RELATIONS.iter().filter(|rel| rel.child_table() == T::TABLE) {
            let Some(parent) = rel.key_of(row) else {
                continue;
            };
            if !self.live(parent) {
                out.push(Violation::Missing {
                    relation: rel.name(),
                    parent,
                });
            } else if rel.unique() {
                let other = rel
                    .links(self)
                    .into_iter()
                    .find(|&(child, p)| p == parent && Some(child) != this);
                if let Some((existing, _)) = other {
                    out.push(Violation::Taken {
                        relation: rel.name(),
                        parent,
                        existing,
                    });
                }
            }
        }
        out
    }

    /// What deleting `root` does (see [`plan_over`]), from one scan of every relation's rows.
    pub fn plan_delete(&self, root: AnyId) -> Result<RefPlan, RefDeleteError> {
        if !self.live(root) {
            return Err(RefDeleteError::NotFound);
        }
        let links: Vec<_> = RELATIONS
            .iter()
            .map(|rel| (rel.name(), rel.policy(), rel.links(self)))
            .collect();
        plan_over(root, &links)
    }

    /// What deleting the live rows `roots` at once does (a `retain`; see [`plan_over_many`]).
    pub fn plan_delete_many(&self, roots: &[AnyId]) -> Result<RefPlan, RefDeleteError> {
        let links: Vec<_> = RELATIONS
            .iter()
            .map(|rel| (rel.name(), rel.policy(), rel.links(self)))
            .collect();
        plan_over_many(roots, &links)
    }

    /// The first row of an `insert_many` batch of `T`s that the store must refuse, and every
    /// rule it breaks (see [`first_refused`]).
    pub fn batch_refusal<T: RefModel>(&self, rows: &[T]) -> Option<(usize, Vec<Violation>)> {
        let rels: Vec<BatchRel<T>> = (RELATIONS.iter())
            .filter(|rel| rel.child_table() == T::TABLE)
            .map(|rel| BatchRel {
                name: rel.name(),
                unique: rel.unique(),
                key: Box::new(move |row: &T| rel.key_of(row as &dyn Any)),
                taken: match rel.unique() {
                    true => rel.links(self).into_iter().map(|(c, p)| (p, c)).collect(),
                    false => HashMap::new(),
                },
            })
            .collect();
        let live: HashSet<AnyId> = (self.users.ids().map(AnyId::from))
            .chain(self.posts.ids().map(AnyId::from))
            .chain(self.comments.ids().map(AnyId::from))
            .chain(self.profiles.ids().map(AnyId::from))
            .chain(self.categories.ids().map(AnyId::from))
            .collect();
        first_refused(rows, &rels, &live)
    }

    pub fn apply(&mut self, plan: &RefPlan) {
        if plan.nullified.len() < 8 {
            for &(child, relation) in &plan.nullified {
                let rel = RELATIONS.iter().find(|rel| rel.name() == relation).unwrap();
                rel.set_null(self, child);
            }
        } else {
            // One pass over each child table, not one scan per key.
            for rel in RELATIONS {
                let children: HashSet<AnyId> = (plan.nullified.iter())
                    .filter(|&&(_, name)| name == rel.name())
                    .map(|&(child, _)| child)
                    .collect();
                if !children.is_empty() {
                    rel.set_null_all(self, &children);
                }
            }
        }
        match plan.deleted.as_slice() {
            [(id, _)] => self.remove(*id),
            many => self.remove_many(&many.iter().map(|&(id, _)| id).collect::<Vec<_>>()),
        }
    }
}

/// How a [`BatchRel`] reads a row's key.
pub type KeyFn<'a, R> = Box<dyn Fn(&R) -> Option<AnyId> + 'a>;

/// A relation of a batch's table, for [`first_refused`]: its name, whether it is has-one,
/// the key of a row, and (has-one) each parent's existing child.
pub struct BatchRel<'a, R> {
    pub name: &'static str,
    pub unique: bool,
    pub key: KeyFn<'a, R>,
    pub taken: HashMap<AnyId, AnyId>,
}

/// The first row of an `insert_many` batch that the store must refuse, as `Db::insert_many`
/// documents it (each row checked as if the ones before it had been inserted, a key naming
/// only a row stored before the call), with every rule that row breaks: a key to no live row,
/// a has-one parent with a child already, or one that an earlier row of the batch names (the
/// nearest such row: the rows before the first refused one do not conflict among themselves).
pub fn first_refused<R>(
    rows: &[R],
    rels: &[BatchRel<'_, R>],
    live: &HashSet<AnyId>,
) -> Option<(usize, Vec<Violation>)> {
    let mut in_batch: HashMap<(&str, AnyId), usize> = HashMap::new();
    for (position, row) in rows.iter().enumerate() {
        let mut broken = Vec::new();
        for rel in rels {
            let Some(parent) = (rel.key)(row) else {
                continue;
            };
            if !live.contains(&parent) {
                broken.push(Violation::Missing {
                    relation: rel.name,
                    parent,
                });
            } else if rel.unique {
                if let Some(&existing) = rel.taken.get(&parent) {
                    broken.push(Violation::Taken {
                        relation: rel.name,
                        parent,
                        existing,
                    });
                } else if let Some(&earlier) = in_batch.get(&(rel.name, parent)) {
                    broken.push(Violation::TakenInBatch {
                        relation: rel.name,
                        parent,
                        earlier,
                    });
                }
            }
        }
        if !broken.is_empty() {
            return Some((position, broken));
        }
        for rel in rels.iter().filter(|rel| rel.unique) {
            if let Some(parent) = (rel.key)(row) {
                in_batch.insert((rel.name, parent), position);
            }
        }
    }
    None
}

/// A relation's name and policy, and its (child, parent) pairs, children in insertion order.
pub type Links = (&'static str, OnDelete, Vec<(AnyId, AnyId)>);

/// What deleting the live row `root` does, given every relation's [`Links`]: the closure of `root` over cascade relations, breadth first, each row with
/// its distance from `root`; then every surviving child of a deleted row is a blocker
/// (Restrict) or is set to null (SetNull). Worked out from the pairs alone, from scratch, each
/// time.
pub fn plan_over(root: AnyId, links: &[Links]) -> Result<RefPlan, RefDeleteError> {
    plan_over_many(&[root], links)
}

/// What deleting the live rows `roots` at once does (a `retain`): [`plan_over`] from all of
/// them, each at depth 0, in the order given; a row reached from several is deleted once.
pub fn plan_over_many(roots: &[AnyId], links: &[Links]) -> Result<RefPlan, RefDeleteError> {
    let mut cascades: HashMap<AnyId, Vec<AnyId>> = HashMap::new();
    for (_, policy, pairs) in links {
        if *policy == OnDelete::Cascade {
            for &(child, parent) in pairs {
                cascades.entry(parent).or_default().push(child);
            }
        }
    }
    let mut depth = HashMap::new();
    let mut deleted = Vec::new();
    for &root in roots {
        if let Entry::Vacant(entry) = depth.entry(root) {
            entry.insert(0);
            deleted.push((root, 0));
        }
    }
    let mut next = 0;
    while let Some(&(row, level)) = deleted.get(next) {
        next += 1;
        for &child in cascades.get(&row).into_iter().flatten() {
            if let Entry::Vacant(entry) = depth.entry(child) {
                entry.insert(level + 1);
                deleted.push((child, level + 1));
            }
        }
    }
    let mut blockers = Vec::new();
    let mut nullified = Vec::new();
    for (name, policy, pairs) in links {
        for &(child, parent) in pairs {
            if !depth.contains_key(&parent) || depth.contains_key(&child) {
                continue;
            }
            match policy {
                OnDelete::Restrict => blockers.push((*name, parent, child)),
                OnDelete::SetNull => nullified.push((child, *name)),
                OnDelete::Cascade => unreachable!("a cascade's children are deleted"),
            }
        }
    }
    if blockers.is_empty() {
        Ok(RefPlan { deleted, nullified })
    } else {
        Err(RefDeleteError::Blocked(blockers))
    }
}
