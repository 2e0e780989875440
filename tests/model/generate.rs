//! A seeded generator of operations: inserts, updates and deletes on every table, with keys
//! drawn mostly from live rows, sometimes from deleted rows and forged ids.

use std::collections::{HashSet, VecDeque};

use relstore::{AnyId, Id};

use crate::batch::{Batch, InPlace, Keep};
use crate::ops::{AnyRow, Bulk, EditEnd, How, Op};
use crate::reference::{RefDeleteError, RefModel, RefTable, Reference, slot};
use crate::rng::Rng;
use crate::save::SaveLoad;
use crate::schema::*;

#[derive(Clone, Copy)]
enum Table {
    User,
    Post,
    Comment,
    Profile,
    Category,
}

/// How often each table is picked: users, posts, comments, profiles, categories.
const INSERT_WEIGHTS: [usize; 5] = [2, 4, 6, 2, 2];
const UPDATE_WEIGHTS: [usize; 5] = [1, 3, 3, 2, 2];
const DELETE_WEIGHTS: [usize; 5] = [1, 3, 3, 1, 2];
/// How often (per thousand) a family starts, at each step where none is in progress.
const FAMILY_PER_MILLE: usize = 5;
/// How often (percent) an ordinary step is an edit.
const EDIT_PERCENT: usize = 10;
/// How often (per thousand) an ordinary step saves the store and loads it back.
const SAVE_PER_MILLE: usize = 25;
/// How often (per thousand) an ordinary step is an in-place edit through views, an
/// `insert_many` or a `retain` (see [`Gen::batch`]).
const BATCH_PER_MILLE: usize = 30;
/// How often (percent) a new family is a big one (see [`Gen::big_family`]).
const BIG_FAMILY_PERCENT: usize = 20;

pub struct Gen {
    rng: Rng,
    /// The table size around which this seed hovers.
    scale: usize,
    /// How often (percent) a key goes to one of the oldest rows, which then become hubs with
    /// many children: the source of large cascades.
    hub: usize,
    /// 1, or more while an edit is made to be refused often enough to be seen: a key of a
    /// new or changed row then goes to a deleted row more often (6 percent times this), and a
    /// has-one key to a parent already taken more often.
    refusals: usize,
    /// A burst in progress: this many more children for this row, then its delete.
    burst: Option<(AnyId, usize)>,
    /// A family in progress (see [`Gen::family`]).
    family: Option<Family>,
    /// A trim in progress (see [`Trim`]): its table and its steps to come.
    trim: Option<(Table, VecDeque<Trim>)>,
    /// While rows of a batch that should go in are made: keys to live rows only.
    clean: bool,
}

/// Hundreds or thousands of rows built around one root row in a few bulk steps, then deleted
/// with it: cascades and set-nulls past every size threshold of the store's delete (a plan
/// keeps its buffers up to 128 rows; rows are marked in 64-slot words).
struct Family {
    root: AnyId,
    /// The user set as editor of the family's posts, if any.
    editor: Option<Id<User>>,
    steps: VecDeque<Step>,
    /// Whether it is a big one (see [`Gen::big_family`]).
    big: bool,
}

/// A trim: ops on the last slots of one table, with nothing else in between, right after a
/// shrink. First the row in the table's highest slot goes and a new row takes its slot (its
/// version goes up), a few times; then the rows in the highest slots go, a shrink gives their
/// slots back, more rows in the highest slots go (older slots, lower versions), and another
/// shrink gives those back; at times the store is saved and loaded back (the slots given
/// back must stay given back); then, mostly, a fan of new rows fills every free slot and goes
/// past the ones given back. Every new row must get an id no row ever had, however the
/// versions of the slots given back by the two shrinks compare.
#[derive(Clone, Copy, Debug)]
enum Trim {
    /// The delete of the row in the table's highest slot.
    Top,
    /// An insert into the table.
    Insert,
    Shrink,
    /// The store saved and loaded back, between the shrinks and the fan.
    Save,
    /// A fan of new rows: as many as the table has free slots and slots given back, plus one
    /// (at most [`MAX_GROW`]).
    Grow,
}

/// The most rows a trim's fan inserts.
const MAX_GROW: usize = 600;

/// One step of a family; turned into an op when its turn comes, against the reference as it
/// is then. Steps that grow the family are skipped once its root is gone.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// `n` posts by the root user, edited by the family's editor if it has one.
    Posts(usize),
    /// `n` comments on the root user's newest post, by the root user or someone else.
    Comments(usize),
    /// `n` replies to the root comment, on its post (set null when the comment goes).
    Replies(usize),
    /// A chain of `n` categories under the root category.
    Chain(usize),
    /// `n` categories under the newest category (the end of a chain) or under the root.
    Categories(usize, bool),
    /// A post in the newest category: it restricts the root's delete until it goes.
    Pin,
    /// The delete of the newest pinned post.
    Unpin,
    /// `delete_plan` of the root.
    Plan,
    /// The delete of the root, even if restricted.
    Delete,
    /// The delete of this row, once every row that restricts it is gone: those are deleted
    /// one by one first (at most this many), so that the family does not stay to slow down
    /// the rest of the run.
    Clear(AnyId, usize),
    /// `shrink_to_fit`, once the family is gone: its slots at the end of each table go back.
    Shrink,
    /// A big family's: `insert_many` of `n` children of the root (see [`Gen::big_family`]).
    Many(usize),
    /// A big family's: about `n` of the root's children deleted or moved to other parents,
    /// and a quarter as many rows moved in under the root, one by one, in one op.
    Churn(usize),
    /// A big family's: `retain` dropping this percentage of the root's children (with the
    /// panic of its predicate at this row, if any).
    Thin(usize, Option<usize>),
}

impl Gen {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let scale = 12 + rng.below(50);
        let hub = rng.below(50);
        Gen {
            rng,
            scale,
            hub,
            refusals: 1,
            burst: None,
            family: None,
            trim: None,
            clean: false,
        }
    }

    pub fn op(&mut self, r: &Reference) -> Op {
        while self.trim.is_some() {
            if let Some(op) = self.trim(r) {
                return op;
            }
        }
        if let Some(op) = self.family(r) {
            return op;
        }
        if let Some(op) = self.burst(r) {
            return op;
        }
        if self.rng.below(1000) < SAVE_PER_MILLE {
            return self.save_load(r);
        }
        if self.rng.chance(EDIT_PERCENT)
            && let Some(op) = self.edit(r)
        {
            return op;
        }
        if self.rng.below(1000) < BATCH_PER_MILLE
            && let Some(op) = self.batch(r)
        {
            return op;
        }
        let inserts = if r.len() < 4 * self.scale { 50 } else { 22 };
        let roll = self.rng.below(100);
        let op = if roll == 99 {
            self.big_delete(r)
        } else if roll == 98 && self.rng.chance(30) {
            Some(self.shrink())
        } else if roll < inserts {
            let table = self.table(INSERT_WEIGHTS);
            self.insert(table, r)
        } else if roll < inserts + 28 {
            let table = self.table(UPDATE_WEIGHTS);
            self.update(table, r)
        } else if roll < 94 {
            let table = self.table(DELETE_WEIGHTS);
            self.any_target(table, r).map(Op::Delete)
        } else {
            let table = self.table(DELETE_WEIGHTS);
            self.any_target(table, r).map(Op::DeletePlan)
        };
        op.unwrap_or_else(|| Op::Insert(AnyRow::User(self.user())))
    }

    /// Now and then, a family: a few bulk steps that grow a root row's cascade (or its set-null
    /// dependents) to hundreds or thousands of rows, interleaved with ordinary operations, then
    /// the root's delete.
    fn family(&mut self, r: &Reference) -> Option<Op> {
        if self.family.is_none() && self.burst.is_none() && self.rng.below(1000) < FAMILY_PER_MILLE
        {
            self.family = self.new_family(r);
        }
        let big = self.family.as_ref().is_some_and(|family| family.big);
        if self.family.is_some() && !big && self.rng.chance(20) {
            // An ordinary operation in between (not in a big family: each step checks every
            // row of the store, and a big family has thousands).
            return None;
        }
        let family = self.family.as_mut()?;
        let (root, editor) = (family.root, family.editor);
        let step = loop {
            let Some(step) = family.steps.pop_front() else {
                self.family = None;
                return None;
            };
            let target = match step {
                Step::Clear(target, _) => target,
                Step::Unpin | Step::Shrink => break step,
                _ => root,
            };
            if r.live(target) {
                break step;
            }
        };
        let rng = &mut self.rng;
        let op = match step {
            Step::Posts(n) => {
                let author_id = root.typed::<User>()?;
                Op::Bulk(Bulk::Fan(
                    AnyRow::Post(Post {
                        author_id,
                        editor_id: editor,
                        category_id: None,
                        title: String::new(),
                    }),
                    n,
                ))
            }
            Step::Comments(n) => {
                let user = root.typed::<User>()?;
                let own = r.posts.in_insertion_order();
                let post_id = own.iter().rev().find(|p| p.row.author_id == user)?.id;
                let authors: Vec<_> = r.users.ids().collect();
                let author_id = match rng.pick(&authors) {
                    Some(other) if rng.chance(50) => other,
                    _ => user,
                };
                Op::Bulk(Bulk::Fan(
                    AnyRow::Comment(Comment {
                        post_id,
                        author_id,
                        reply_to: None,
                        body: String::new(),
                    }),
                    n,
                ))
            }
            Step::Replies(n) => {
                let reply_to = root.typed::<Comment>()?;
                let users: Vec<_> = r.users.ids().collect();
                Op::Bulk(Bulk::Fan(
                    AnyRow::Comment(Comment {
                        post_id: r.comments.get(reply_to)?.post_id,
                        author_id: rng.pick(&users)?,
                        reply_to: Some(reply_to),
                        body: String::new(),
                    }),
                    n,
                ))
            }
            Step::Chain(n) => Op::Bulk(Bulk::Chain(root.typed()?, n)),
            Step::Categories(n, under_newest) => {
                let newest = r.categories.in_insertion_order().last().map(|c| c.id);
                let parent = if under_newest { newest } else { root.typed() };
                Op::Bulk(Bulk::Fan(
                    AnyRow::Category(Category {
                        parent_id: Some(parent?),
                        name: String::new(),
                    }),
                    n,
                ))
            }
            Step::Pin => {
                let newest = r.categories.in_insertion_order().last().map(|c| c.id);
                let users: Vec<_> = r.users.ids().collect();
                Op::Insert(AnyRow::Post(Post {
                    author_id: rng.pick(&users)?,
                    editor_id: None,
                    category_id: Some(newest?),
                    title: "pin".into(),
                }))
            }
            Step::Unpin => {
                let posts = r.posts.in_insertion_order();
                let pin = posts.iter().rev().find(|p| p.row.title == "pin")?;
                Op::Delete(pin.id.into())
            }
            Step::Plan => Op::DeletePlan(root),
            Step::Delete => Op::Delete(root),
            Step::Clear(target, tries) => match r.plan_delete(target) {
                Err(RefDeleteError::Blocked(blockers)) if tries > 0 => {
                    family.steps.push_front(Step::Clear(target, tries - 1));
                    Op::Delete(blockers[0].2)
                }
                _ => Op::Delete(target),
            },
            Step::Shrink => self.shrink(),
            Step::Many(n) => Op::InsertMany(Batch::Fan(child_template(root, r, rng)?, n)),
            Step::Churn(n) => self.churn(root, n, r)?,
            Step::Thin(percent, panic_at) => {
                let keep = Keep {
                    salt: rng.next_u64(),
                    percent,
                    under: Some(root),
                    panic_at,
                };
                Op::Retain(child_table(root)?, keep)
            }
        };
        Some(op)
    }

    /// A big family: thousands of children under one user (posts), comment (replies) or
    /// category (categories), inserted by `insert_many`; then, a few times over, some of them
    /// deleted or moved away and other rows moved in, one by one ([`Step::Churn`]), and most
    /// of them dropped by a `retain` ([`Step::Thin`]) or more inserted: the root's list of
    /// children crosses whatever size thresholds the store's index has, both ways, and
    /// changes one child at a time while long. Then the root's delete.
    fn big_family(&mut self, r: &Reference) -> Option<Family> {
        let rng = &mut self.rng;
        let root = match rng.below(3) {
            0 => AnyId::from(rng.pick(&r.users.ids().collect::<Vec<_>>())?),
            1 => AnyId::from(rng.pick(&r.comments.ids().collect::<Vec<_>>())?),
            _ => AnyId::from(rng.pick(&r.categories.ids().collect::<Vec<_>>())?),
        };
        let mut steps = VecDeque::from([
            Step::Many(2000 + rng.below(3000)),
            Step::Churn(15 + rng.below(25)),
        ]);
        for _ in 0..1 + rng.below(2) {
            let panic_at = rng.chance(15).then(|| rng.below(3000));
            steps.push_back(Step::Thin(40 + rng.below(60), panic_at));
            steps.push_back(Step::Churn(8 + rng.below(20)));
            if rng.chance(60) {
                steps.push_back(Step::Many(100 + rng.below(2000)));
                steps.push_back(Step::Churn(8 + rng.below(20)));
            }
        }
        if rng.chance(30) {
            steps.push_back(Step::Plan);
        }
        steps.push_back(Step::Clear(root, 30));
        if let Some(comment) = root.typed::<Comment>() {
            // The replies stay (set null) when the root goes: then its post, and they with it.
            steps.push_back(Step::Clear(r.comments.get(comment)?.post_id.into(), 30));
        }
        if rng.chance(50) {
            steps.push_back(Step::Shrink);
        }
        Some(Family {
            root,
            editor: None,
            steps,
            big: true,
        })
    }

    /// A big family's churn (see [`Step::Churn`]): about `n` of the root's children deleted
    /// or moved to another parent, `n / 4` other rows moved in under the root (into the
    /// middle of its list: children are in creation order), in random order, one op.
    fn churn(&mut self, root: AnyId, n: usize, r: &Reference) -> Option<Op> {
        let children = children_of(root, r);
        let under: HashSet<AnyId> = children.iter().map(|&(id, _)| id).collect();
        let others: Vec<(AnyId, AnyRow)> = rows_of(child_table(root)?, r)
            .into_iter()
            .filter(|(id, _)| !under.contains(id))
            .collect();
        let label = match children.len() {
            0..=1000 => "bulk steps under a parent with at most 1000 children",
            _ => "bulk steps under a parent with more than 1000 children",
        };
        let mut ops = Vec::new();
        for _ in 0..n.min(children.len()) {
            let (id, row) = children[self.rng.below(children.len())].clone();
            if self.rng.chance(50) {
                ops.push(Op::Delete(id));
                continue;
            }
            let parent = match row.table() {
                "posts" => self.live::<User>(r),
                "comments" => self.live::<Comment>(r),
                _ => self.live::<Category>(r),
            };
            let moved = reparent(&row, parent?);
            ops.push(match self.rng.chance(70) {
                true => Op::Edit(id, moved, EditEnd::Return),
                false => Op::Update(id, moved, How::Update),
            });
        }
        for _ in 0..n / 4 {
            let Some((id, row)) = others.get(self.rng.below(others.len().max(1))) else {
                break;
            };
            let id = *id;
            ops.push(Op::Edit(id, reparent(row, root), EditEnd::Return));
        }
        for i in (1..ops.len()).rev() {
            ops.swap(i, self.rng.below(i + 1));
        }
        Some(Op::Bulk(Bulk::Steps(label, ops)))
    }

    /// Now and then, instead of an ordinary op: an in-place edit through views (`row_mut` of a
    /// live or stale row, `rows_mut` over a table, `edit_rows` over a table reading others,
    /// panicking at some row now and then), an `insert_many` or a `retain`.
    fn batch(&mut self, r: &Reference) -> Option<Op> {
        let roll = self.rng.below(100);
        let table = self.table(UPDATE_WEIGHTS);
        let name = table_name(table);
        let len = table_len(table, r);
        let text = format!("in place {}", self.rng.below(1000));
        Some(match roll {
            0..=19 => Op::InPlace(InPlace::RowMut(self.any_target(table, r)?, text)),
            20..=29 => Op::InPlace(InPlace::RowsMut(name, text)),
            30..=49 => {
                let panic_at = self.rng.chance(35).then(|| {
                    let k = self.rng.below(len + 2);
                    (k, self.rng.chance(50))
                });
                Op::InPlace(InPlace::EditRows(name, panic_at))
            }
            50..=79 => self.insert_many(r)?,
            _ => {
                let percent = match self.rng.below(10) {
                    0 | 1 => 0,
                    2 => 30 + self.rng.below(40),
                    _ => 1 + self.rng.below(12),
                };
                let under = match (self.rng.chance(30), table) {
                    (false, _) | (true, Table::User) => None,
                    (true, Table::Post | Table::Profile) => self.live::<User>(r),
                    (true, Table::Comment) => self.live::<Post>(r),
                    (true, Table::Category) => self.live::<Category>(r),
                };
                let panic_at = self.rng.chance(15).then(|| self.rng.below(len + 2));
                let keep = Keep {
                    salt: self.rng.next_u64(),
                    percent,
                    under,
                    panic_at,
                };
                Op::Retain(name, keep)
            }
        })
    }

    /// An `insert_many` of up to a dozen rows of one table, their keys to live rows (except
    /// profiles' half the time: their user is often taken, by a profile or an earlier row of
    /// the batch); 40 percent of the time with one bad row somewhere in it.
    fn insert_many(&mut self, r: &Reference) -> Option<Op> {
        let table = self.table(INSERT_WEIGHTS);
        let n = 1 + self.rng.below(12);
        self.clean = !matches!(table, Table::Profile) || self.rng.chance(50);
        let mut rows = Vec::new();
        for _ in 0..n {
            if let Some(Op::Insert(row)) = self.insert(table, r) {
                rows.push(row);
            }
        }
        self.clean = false;
        if self.rng.chance(40) {
            let at = self.rng.below(rows.len() + 1);
            if let Some(bad) = self.bad_row(table, r, &rows[..at]) {
                rows.insert(at, bad);
            }
        }
        (!rows.is_empty()).then_some(Op::InsertMany(Batch::Rows(rows)))
    }

    /// A row the store must refuse in a batch after `before`: a key to a deleted or forged
    /// row, or (profiles) a user that a profile or a row of `before` already takes.
    fn bad_row(&mut self, table: Table, r: &Reference, before: &[AnyRow]) -> Option<AnyRow> {
        Some(match table {
            Table::User => return None,
            Table::Post => {
                let mut post = self.post(r, None)?;
                match self.rng.below(3) {
                    0 => post.author_id = self.missing(r)?,
                    1 => post.editor_id = Some(self.missing(r)?),
                    _ => post.category_id = Some(self.missing(r)?),
                }
                AnyRow::Post(post)
            }
            Table::Comment => {
                let mut comment = self.comment(r, None)?;
                match self.rng.below(3) {
                    0 => comment.post_id = self.missing(r)?,
                    1 => comment.author_id = self.missing(r)?,
                    _ => comment.reply_to = Some(self.missing(r)?),
                }
                AnyRow::Comment(comment)
            }
            Table::Category => {
                let mut category = self.category(r, None);
                category.parent_id = Some(self.missing(r)?);
                AnyRow::Category(category)
            }
            Table::Profile => {
                let mut profile = self.profile(r, None)?;
                let earlier: Vec<Id<User>> = (before.iter())
                    .filter_map(|row| match row {
                        AnyRow::Profile(p) => Some(p.user_id),
                        _ => None,
                    })
                    .collect();
                let taken: Vec<Id<User>> = r.profiles.rows.iter().map(|p| p.row.user_id).collect();
                profile.user_id = match self.rng.below(3) {
                    0 if !earlier.is_empty() => self.rng.pick(&earlier)?,
                    1 if !taken.is_empty() => self.rng.pick(&taken)?,
                    _ => self.missing(r)?,
                };
                AnyRow::Profile(profile)
            }
        })
    }

    /// An id of table `T` that names no row: a deleted one, or a forged one.
    fn missing<T: RefModel>(&mut self, r: &Reference) -> Option<Id<T>> {
        let table = T::of(r);
        match self.rng.pick(&table.dead) {
            Some(dead) if self.rng.chance(60) => Some(dead),
            dead => {
                let live: Vec<Id<T>> = table.ids().collect();
                let known = self.rng.pick(&live).or(dead)?;
                Some(self.forged(known))
            }
        }
    }

    /// A family around a random live user, category or comment (see [`Gen::family`]).
    fn new_family(&mut self, r: &Reference) -> Option<Family> {
        if self.rng.chance(BIG_FAMILY_PERCENT) {
            return self.big_family(r);
        }
        let rng = &mut self.rng;
        let mut steps = VecDeque::new();
        let mut editor = None;
        let mut last = None;
        let root = match rng.below(4) {
            0 | 1 => {
                let users: Vec<Id<User>> = r.users.ids().collect();
                let root = rng.pick(&users)?;
                if rng.chance(50) {
                    editor = rng.pick(&users).filter(|&e| e != root);
                }
                steps.push_back(Step::Posts(200 + rng.below(400)));
                for _ in 0..rng.below(3) {
                    steps.push_back(Step::Comments(150 + rng.below(450)));
                }
                if let Some(editor) = editor.filter(|_| rng.chance(50)) {
                    steps.push_back(Step::Clear(editor.into(), 30));
                }
                AnyId::from(root)
            }
            2 => {
                let categories: Vec<Id<Category>> = r.categories.ids().collect();
                let root = rng.pick(&categories)?;
                let chain = rng.chance(70);
                if chain {
                    steps.push_back(Step::Chain(150 + rng.below(1050)));
                }
                if !chain || rng.chance(50) {
                    steps.push_back(Step::Categories(50 + rng.below(400), chain));
                }
                if rng.chance(30) {
                    steps.extend([Step::Pin, Step::Delete, Step::Unpin]);
                }
                AnyId::from(root)
            }
            _ => {
                let comments: Vec<Id<Comment>> = r.comments.ids().collect();
                let root = rng.pick(&comments)?;
                steps.push_back(Step::Replies(200 + rng.below(400)));
                // After the root goes (its replies' keys set to null), its post (and they with
                // it).
                let post = r.comments.get(root)?.post_id;
                last = Some(post.into());
                AnyId::from(root)
            }
        };
        if rng.chance(30) {
            steps.push_back(Step::Plan);
        }
        steps.push_back(Step::Clear(root, 30));
        steps.extend(last.map(|last| Step::Clear(last, 30)));
        if rng.chance(50) {
            steps.push_back(Step::Shrink);
        }
        Some(Family {
            root,
            editor,
            steps,
            big: false,
        })
    }

    /// A shrink; half the time, a trim follows (see [`Trim`]).
    fn shrink(&mut self) -> Op {
        if self.trim.is_none() && self.rng.chance(50) {
            let table =
                [Table::User, Table::Post, Table::Comment, Table::Category][self.rng.below(4)];
            let mut steps = VecDeque::new();
            for _ in 0..1 + self.rng.below(3) {
                steps.extend([Trim::Top, Trim::Insert]);
            }
            steps.extend((0..1 + self.rng.below(4)).map(|_| Trim::Top));
            steps.push_back(Trim::Shrink);
            steps.extend((0..1 + self.rng.below(6)).map(|_| Trim::Top));
            steps.push_back(Trim::Shrink);
            if self.rng.chance(50) {
                steps.push_back(Trim::Save);
            }
            if self.rng.chance(70) {
                steps.push_back(Trim::Grow);
            }
            self.trim = Some((table, steps));
        }
        Op::Shrink
    }

    /// The next op of a trim in progress (see [`Trim`]).
    fn trim(&mut self, r: &Reference) -> Option<Op> {
        fn highest<T: RefModel>(r: &Reference) -> Option<AnyId> {
            T::of(r).ids().max_by_key(|&id| slot(id)).map(AnyId::from)
        }
        let (table, steps) = self.trim.as_mut()?;
        let table = *table;
        let Some(step) = steps.pop_front() else {
            self.trim = None;
            return None;
        };
        let op = match step {
            Trim::Top => {
                let top = match table {
                    Table::User => highest::<User>(r),
                    Table::Post => highest::<Post>(r),
                    Table::Comment => highest::<Comment>(r),
                    Table::Profile => highest::<Profile>(r),
                    Table::Category => highest::<Category>(r),
                };
                Op::Delete(top?)
            }
            Trim::Insert => self.insert(table, r)?,
            Trim::Shrink => Op::Shrink,
            Trim::Save => Op::SaveLoad(SaveLoad::Store),
            Trim::Grow => {
                let n = match table {
                    Table::User => r.users.vacant_slots(),
                    Table::Post => r.posts.vacant_slots(),
                    Table::Comment => r.comments.vacant_slots(),
                    Table::Profile => r.profiles.vacant_slots(),
                    Table::Category => r.categories.vacant_slots(),
                };
                let Op::Insert(row) = self.insert(table, r)? else {
                    return None;
                };
                Op::Bulk(Bulk::Fan(row, (n + 1).min(MAX_GROW)))
            }
        };
        Some(op)
    }

    /// A save and load: half the time of the store itself, half the time of a snapshot
    /// taken before one or two more inserts, updates or deletes.
    fn save_load(&mut self, r: &Reference) -> Op {
        if self.rng.chance(50) {
            return Op::SaveLoad(SaveLoad::Store);
        }
        let then = (0..1 + self.rng.below(2))
            .map(|_| {
                let op = match self.rng.below(3) {
                    0 => {
                        let table = self.table(INSERT_WEIGHTS);
                        self.insert(table, r)
                    }
                    1 => {
                        let table = self.table(UPDATE_WEIGHTS);
                        self.update(table, r)
                    }
                    _ => {
                        let table = self.table(DELETE_WEIGHTS);
                        self.any_target(table, r).map(Op::Delete)
                    }
                };
                op.unwrap_or_else(|| Op::Insert(AnyRow::User(self.user())))
            })
            .collect();
        Op::SaveLoad(SaveLoad::Snapshot(then))
    }

    /// Now and then, a burst: many children for one user, post or category in a row, then the
    /// delete of that row. It makes long sibling lists and cascades of more than 32 rows.
    fn burst(&mut self, r: &Reference) -> Option<Op> {
        if self.burst.is_none() && self.rng.chance(1) {
            let root = match self.rng.below(3) {
                0 => self.live::<User>(r),
                1 => self.live::<Post>(r),
                _ => self.live::<Category>(r),
            };
            self.burst = root.map(|root| (root, 30 + self.rng.below(30)));
        }
        let (root, left) = self.burst.take()?;
        if left == 0 || !r.live(root) {
            return Some(Op::Delete(root));
        }
        self.burst = Some((root, left - 1));
        let title = format!("burst{left}");
        let row = if let Some(user) = root.typed::<User>() {
            let own: Vec<_> = r
                .posts
                .rows
                .iter()
                .filter(|p| p.row.author_id == user)
                .map(|p| p.id)
                .collect();
            match self.rng.pick(&own) {
                Some(post_id) if self.rng.chance(60) => AnyRow::Comment(Comment {
                    post_id,
                    author_id: user,
                    reply_to: None,
                    body: title,
                }),
                _ => AnyRow::Post(Post {
                    author_id: user,
                    editor_id: None,
                    category_id: None,
                    title,
                }),
            }
        } else if let Some(post_id) = root.typed::<Post>() {
            let author_id = r.posts.get(post_id)?.author_id;
            AnyRow::Comment(Comment {
                post_id,
                author_id,
                reply_to: None,
                body: title,
            })
        } else {
            let under = root.typed::<Category>()?;
            AnyRow::Category(Category {
                parent_id: Some(under),
                name: title,
            })
        };
        Some(Op::Insert(row))
    }

    /// Of a few users, categories and posts, the one whose delete would remove the most rows
    /// without being restricted.
    fn big_delete(&mut self, r: &Reference) -> Option<Op> {
        let mut candidates: Vec<AnyId> = Vec::new();
        for _ in 0..6 {
            candidates.extend(self.live::<User>(r));
            candidates.extend(self.live::<Category>(r));
            candidates.extend(self.live::<Post>(r));
        }
        let sized = candidates
            .into_iter()
            .filter_map(|id| Some((r.plan_delete(id).ok()?.deleted.len(), id)));
        sized
            .max_by_key(|&(size, _)| size)
            .map(|(_, id)| Op::Delete(id))
    }

    /// A random live row of table `T`.
    fn live<T: RefModel>(&mut self, r: &Reference) -> Option<AnyId> {
        let ids: Vec<Id<T>> = T::of(r).ids().collect();
        self.rng.pick(&ids).map(AnyId::from)
    }

    /// A table, picked with weights in the order users, posts, comments, profiles, categories.
    fn table(&mut self, weights: [usize; 5]) -> Table {
        const TABLES: [Table; 5] = [
            Table::User,
            Table::Post,
            Table::Comment,
            Table::Profile,
            Table::Category,
        ];
        let mut roll = self.rng.below(weights.iter().sum());
        for (table, weight) in TABLES.into_iter().zip(weights) {
            if roll < weight {
                return table;
            }
            roll -= weight;
        }
        unreachable!()
    }

    fn insert(&mut self, table: Table, r: &Reference) -> Option<Op> {
        let row = match table {
            Table::User => AnyRow::User(self.user()),
            Table::Post => AnyRow::Post(self.post(r, None)?),
            Table::Comment => AnyRow::Comment(self.comment(r, None)?),
            Table::Profile => AnyRow::Profile(self.profile(r, None)?),
            Table::Category => AnyRow::Category(self.category(r, None)),
        };
        Some(Op::Insert(row))
    }

    /// An update of a live row (mostly), a deleted one or a forged id; the new value starts
    /// from the current one and changes some fields, keys included.
    fn update(&mut self, table: Table, r: &Reference) -> Option<Op> {
        let how = match self.rng.below(10) {
            0..=4 => How::Update,
            5..=8 => How::Replace,
            _ => How::PanicInUpdate,
        };
        self.update_op(table, r, how, None)
    }

    /// An edit, made as an update is (see [`Gen::update`]); a third of the time its keys go to
    /// deleted rows and taken has-one parents more often (see `Gen::refusals`), and its text
    /// field changes more often, so that a refused or panicking edit has other fields to keep.
    fn edit(&mut self, r: &Reference) -> Option<Op> {
        let table = self.table(UPDATE_WEIGHTS);
        let end = match self.rng.chance(25) {
            true => EditEnd::Panic,
            false => EditEnd::Return,
        };
        if self.rng.chance(33) {
            self.refusals = 5;
        }
        let op = self.update_op(table, r, How::Update, Some(end));
        self.refusals = 1;
        match op? {
            Op::Edit(id, row, end) if self.rng.chance(50) => {
                let text = format!("edited{}", self.rng.below(1000));
                Some(Op::Edit(id, row.with_text(text), end))
            }
            op => Some(op),
        }
    }

    /// [`Gen::update`]'s op: an update made `how`, or an edit if `edit` says how it ends.
    fn update_op(
        &mut self,
        table: Table,
        r: &Reference,
        how: How,
        edit: Option<EditEnd>,
    ) -> Option<Op> {
        fn base<T: RefModel + Clone>(r: &Reference, id: Id<T>) -> Option<T> {
            T::of(r).get(id).cloned()
        }
        let (id, row) = match table {
            Table::User => {
                let id = self.target::<User>(r)?;
                let mut row = base(r, id).unwrap_or_else(|| self.user());
                row.score = self.rng.below(1000) as u32;
                (id.into(), AnyRow::User(row))
            }
            Table::Post => {
                let id = self.target::<Post>(r)?;
                (id.into(), AnyRow::Post(self.post(r, base(r, id))?))
            }
            Table::Comment => {
                let id = self.target::<Comment>(r)?;
                (id.into(), AnyRow::Comment(self.comment(r, base(r, id))?))
            }
            Table::Profile => {
                let id = self.target::<Profile>(r)?;
                (id.into(), AnyRow::Profile(self.profile(r, base(r, id))?))
            }
            Table::Category => {
                let id = self.target::<Category>(r)?;
                (id.into(), AnyRow::Category(self.category(r, base(r, id))))
            }
        };
        Some(match edit {
            Some(end) => Op::Edit(id, row, end),
            None => Op::Update(id, row, how),
        })
    }

    fn user(&mut self) -> User {
        let name = format!("user{}", self.rng.below(1000));
        let score = self.rng.below(1000) as u32;
        User { name, score }
    }

    /// A new post, or `base` with some of its fields changed.
    fn post(&mut self, r: &Reference, base: Option<Post>) -> Option<Post> {
        let fresh = base.is_none();
        let mut post = match base {
            Some(post) => post,
            None => Post {
                author_id: self.parent(r)?,
                editor_id: None,
                category_id: None,
                title: String::new(),
            },
        };
        if !fresh && self.rng.chance(35) {
            post.author_id = self.parent(r)?;
        }
        if fresh || self.rng.chance(35) {
            post.editor_id = self.optional_parent(r, 40);
        }
        if fresh || self.rng.chance(35) {
            post.category_id = self.optional_parent(r, 40);
        }
        if fresh || self.rng.chance(50) {
            post.title = format!("post{}", self.rng.below(1000));
        }
        Some(post)
    }

    fn comment(&mut self, r: &Reference, base: Option<Comment>) -> Option<Comment> {
        let fresh = base.is_none();
        let mut comment = match base {
            Some(comment) => comment,
            None => Comment {
                post_id: self.parent(r)?,
                author_id: self.parent(r)?,
                reply_to: None,
                body: String::new(),
            },
        };
        if !fresh && self.rng.chance(30) {
            comment.post_id = self.parent(r)?;
        }
        if fresh || self.rng.chance(30) {
            // Often the post's own author, so that deleting a user can cascade past the
            // restrict on the comments' author.
            let post_author = r.posts.get(comment.post_id).map(|post| post.author_id);
            comment.author_id = match post_author {
                Some(author) if self.rng.chance(60) => author,
                _ => self.parent(r)?,
            };
        }
        if fresh || self.rng.chance(30) {
            comment.reply_to = self.optional_parent(r, 50);
        }
        if fresh || self.rng.chance(50) {
            comment.body = format!("comment{}", self.rng.below(1000));
        }
        Some(comment)
    }

    fn profile(&mut self, r: &Reference, base: Option<Profile>) -> Option<Profile> {
        let fresh = base.is_none();
        let mut profile = match base {
            Some(profile) => profile,
            None => Profile {
                user_id: self.parent(r)?,
                featured_post_id: None,
                bio: String::new(),
            },
        };
        // Often a parent that is still free, so that has-one writes succeed as well as fail.
        let taken = |r: &Reference| -> Vec<AnyId> {
            let links = r.profiles.rows.iter();
            links
                .flat_map(|p| {
                    [
                        Some(p.row.user_id.into()),
                        p.row.featured_post_id.map(AnyId::from),
                    ]
                })
                .flatten()
                .collect()
        };
        if fresh || self.rng.chance(35) {
            let taken = taken(r);
            let free: Vec<_> = r
                .users
                .ids()
                .filter(|u| !taken.contains(&(*u).into()))
                .collect();
            profile.user_id = match self.rng.pick(&free) {
                Some(user) if self.rng.chance(60 / self.refusals) => user,
                _ => self.parent(r)?,
            };
        }
        if fresh || self.rng.chance(35) {
            let taken = taken(r);
            let free: Vec<_> = r
                .posts
                .ids()
                .filter(|p| !taken.contains(&(*p).into()))
                .collect();
            profile.featured_post_id = match self.rng.pick(&free) {
                Some(post) if self.rng.chance(40 / self.refusals) => Some(post),
                _ => self.optional_parent(r, 40),
            };
        }
        if fresh || self.rng.chance(50) {
            profile.bio = format!("bio{}", self.rng.below(1000));
        }
        Some(profile)
    }

    /// Categories may point to themselves or to a descendant: cycles are allowed.
    fn category(&mut self, r: &Reference, base: Option<Category>) -> Category {
        let fresh = base.is_none();
        let mut category = base.unwrap_or(Category {
            parent_id: None,
            name: String::new(),
        });
        if fresh || self.rng.chance(40) {
            category.parent_id = self.optional_parent(r, 30);
        }
        if fresh || self.rng.chance(50) {
            category.name = format!("category{}", self.rng.below(1000));
        }
        category
    }

    /// A key for a new or changed row: mostly a live row, sometimes a deleted one or a forged
    /// id; `None` if the table never had a row.
    fn parent<T: RefModel>(&mut self, r: &Reference) -> Option<Id<T>> {
        let table = T::of(r);
        if self.rng.chance(self.hub) && !table.rows.is_empty() {
            let oldest = self.rng.below(table.rows.len().min(3));
            return Some(table.rows[oldest].id);
        }
        self.id(table, 6 * self.refusals, 2)
    }

    fn optional_parent<T: RefModel>(
        &mut self,
        r: &Reference,
        none_percent: usize,
    ) -> Option<Id<T>> {
        if self.rng.chance(none_percent) {
            None
        } else {
            self.parent(r)
        }
    }

    fn any_target(&mut self, table: Table, r: &Reference) -> Option<AnyId> {
        match table {
            Table::User => self.target::<User>(r).map(AnyId::from),
            Table::Post => self.target::<Post>(r).map(AnyId::from),
            Table::Comment => self.target::<Comment>(r).map(AnyId::from),
            Table::Profile => self.target::<Profile>(r).map(AnyId::from),
            Table::Category => self.target::<Category>(r).map(AnyId::from),
        }
    }

    /// The row an update or delete is aimed at.
    fn target<T: RefModel>(&mut self, r: &Reference) -> Option<Id<T>> {
        self.id(T::of(r), 10, 4)
    }

    fn id<T>(
        &mut self,
        table: &RefTable<T>,
        dead_percent: usize,
        forged_percent: usize,
    ) -> Option<Id<T>> {
        let roll = self.rng.below(100);
        let live: Vec<Id<T>> = table.ids().collect();
        if self.clean {
            return self.rng.pick(&live);
        }
        let dead = self.rng.pick(&table.dead);
        if roll < dead_percent && dead.is_some() {
            return dead;
        }
        if roll < dead_percent + forged_percent {
            let known = self.rng.pick(&live).or(dead)?;
            return Some(self.forged(known));
        }
        self.rng.pick(&live).or(dead)
    }

    /// An id the store did not hand out (yet): a slot it never used, or a later generation of
    /// a slot it did use. Whether it names a live row is for the reference to say.
    fn forged<T>(&mut self, known: Id<T>) -> Id<T> {
        if self.rng.chance(50) {
            Id::from_bits((1 << 32) | (60_000 + self.rng.below(1000) as u64))
        } else {
            let later = 2 * (1 + self.rng.below(3) as u64);
            Id::from_bits(known.to_bits().wrapping_add(later << 32))
        }
    }
}

fn table_name(table: Table) -> &'static str {
    use relstore::Model;
    match table {
        Table::User => User::TABLE,
        Table::Post => Post::TABLE,
        Table::Comment => Comment::TABLE,
        Table::Profile => Profile::TABLE,
        Table::Category => Category::TABLE,
    }
}

fn table_len(table: Table, r: &Reference) -> usize {
    match table {
        Table::User => r.users.rows.len(),
        Table::Post => r.posts.rows.len(),
        Table::Comment => r.comments.rows.len(),
        Table::Profile => r.profiles.rows.len(),
        Table::Category => r.categories.rows.len(),
    }
}

/// The table of a big family's children: posts of a user, replies to a comment, categories
/// under a category.
fn child_table(root: AnyId) -> Option<&'static str> {
    use relstore::Model;
    match root.table() {
        "users" => Some(Post::TABLE),
        "comments" => Some(Comment::TABLE),
        "categories" => Some(Category::TABLE),
        _ => None,
    }
}

/// A child of a big family's root, to number in a fan.
fn child_template(root: AnyId, r: &Reference, rng: &mut Rng) -> Option<AnyRow> {
    if let Some(author_id) = root.typed::<User>() {
        return Some(AnyRow::Post(Post {
            author_id,
            editor_id: None,
            category_id: None,
            title: String::new(),
        }));
    }
    if let Some(reply_to) = root.typed::<Comment>() {
        let users: Vec<_> = r.users.ids().collect();
        return Some(AnyRow::Comment(Comment {
            post_id: r.comments.get(reply_to)?.post_id,
            author_id: rng.pick(&users)?,
            reply_to: Some(reply_to),
            body: String::new(),
        }));
    }
    Some(AnyRow::Category(Category {
        parent_id: Some(root.typed()?),
        name: String::new(),
    }))
}

/// Every row of the table, with its id.
fn rows_of(table: &str, r: &Reference) -> Vec<(AnyId, AnyRow)> {
    match table {
        "posts" => (r.posts.rows.iter())
            .map(|p| (p.id.into(), AnyRow::Post(p.row.clone())))
            .collect(),
        "comments" => (r.comments.rows.iter())
            .map(|c| (c.id.into(), AnyRow::Comment(c.row.clone())))
            .collect(),
        _ => (r.categories.rows.iter())
            .map(|c| (c.id.into(), AnyRow::Category(c.row.clone())))
            .collect(),
    }
}

/// The root's children in its big family's relation, with their values.
fn children_of(root: AnyId, r: &Reference) -> Vec<(AnyId, AnyRow)> {
    if let Some(user) = root.typed::<User>() {
        let posts = r.posts.rows.iter().filter(|p| p.row.author_id == user);
        return posts
            .map(|p| (p.id.into(), AnyRow::Post(p.row.clone())))
            .collect();
    }
    if let Some(comment) = root.typed::<Comment>() {
        let replies = r
            .comments
            .rows
            .iter()
            .filter(|c| c.row.reply_to == Some(comment));
        return (replies.map(|c| (c.id.into(), AnyRow::Comment(c.row.clone())))).collect();
    }
    let Some(category) = root.typed::<Category>() else {
        return Vec::new();
    };
    let under = r
        .categories
        .rows
        .iter()
        .filter(|c| c.row.parent_id == Some(category));
    (under.map(|c| (c.id.into(), AnyRow::Category(c.row.clone())))).collect()
}

/// The row moved under `parent` in its big family's relation (author, reply, parent).
fn reparent(row: &AnyRow, parent: AnyId) -> AnyRow {
    let mut row = row.clone();
    match &mut row {
        AnyRow::Post(post) => post.author_id = parent.typed().expect("a user"),
        AnyRow::Comment(comment) => comment.reply_to = parent.typed(),
        AnyRow::Category(category) => category.parent_id = parent.typed(),
        _ => unreachable!("no big family of {row:?}"),
    }
    row
}
