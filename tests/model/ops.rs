//! Runs one operation on the store and on the reference, and compares the outcomes: the value
//! returned, or the error (its variant, and the relation and rows it names).

use std::any::Any;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use relstore::{AnyId, Db, DeleteError, DeletePlan, HasTable, Id, NotFound, WriteError};

use crate::batch::{self, Batch, InPlace, Keep};
use crate::reference::{
    RELATIONS, RefDeleteError, RefModel, RefPlan, Reference, Shrunk, Violation, by_table,
};
use crate::save::{self, SaveLoad};
use crate::schema::{Category, Comment, Forum, Post, Profile, User};

/// A new value for a row of any table.
#[derive(Clone, Debug)]
pub enum AnyRow {
    User(User),
    Post(Post),
    Comment(Comment),
    Profile(Profile),
    Category(Category),
}

/// How an update is made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum How {
    /// `db.update` with a closure that writes the new value.
    Update,
    /// `db.replace` with the new value.
    Replace,
    /// `db.update` with a closure that writes the new value, then panics.
    PanicInUpdate,
}

impl AnyRow {
    /// The same row with its text field numbered `i`, so that the rows of a bulk differ.
    pub fn numbered(&self, i: usize) -> AnyRow {
        self.with_text(format!("bulk{i}"))
    }

    /// The row's table.
    pub fn table(&self) -> &'static str {
        use relstore::Model;
        match self {
            AnyRow::User(_) => User::TABLE,
            AnyRow::Post(_) => Post::TABLE,
            AnyRow::Comment(_) => Comment::TABLE,
            AnyRow::Profile(_) => Profile::TABLE,
            AnyRow::Category(_) => Category::TABLE,
        }
    }

    /// The same row with this text in its text field (name, title, body, bio).
    pub fn with_text(&self, text: String) -> AnyRow {
        let mut row = self.clone();
        match &mut row {
            AnyRow::User(user) => user.name = text,
            AnyRow::Post(post) => post.title = text,
            AnyRow::Comment(comment) => comment.body = text,
            AnyRow::Profile(profile) => profile.bio = text,
            AnyRow::Category(category) => category.name = text,
        }
        row
    }
}

/// Many inserts in one step, each compared with the reference, the full check once at the
/// end: how families of hundreds or thousands of rows are built without checking every row of
/// them after every insert.
#[derive(Clone, Debug)]
pub enum Bulk {
    /// `n` rows like this one (numbered): `n` children under the same parents.
    Fan(AnyRow, usize),
    /// `n` categories, each the child of the one inserted before it, the first under this one:
    /// a cascade `n` levels deep.
    Chain(Id<Category>, usize),
    /// These ops, one after the other, each compared with the reference, the full check once
    /// at the end: removals and moves of the children of a parent with thousands of them,
    /// without a full check of thousands of rows after each. The label says what it is.
    Steps(&'static str, Vec<Op>),
}

/// How the closure of a `db.edit` ends, once it has written the new value into the row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EditEnd {
    /// It returns.
    Return,
    /// It panics.
    Panic,
}

/// The payload of the deliberate panic in an edit closure.
pub const EDIT_PANIC: &str = "deliberate panic in an edit closure";

/// What an edit's closure returns, when it does.
pub const EDIT_RETURNS: u8 = 11;

/// One step of a run; its `Debug` form is what a failure prints.
#[derive(Clone, Debug)]
pub enum Op {
    Insert(AnyRow),
    Update(AnyId, AnyRow, How),
    /// `db.edit` of the row, its closure writing this value.
    Edit(AnyId, AnyRow, EditEnd),
    Delete(AnyId),
    DeletePlan(AnyId),
    Bulk(Bulk),
    /// `db.shrink_to_fit()`.
    Shrink,
    /// The store saved and loaded back; the run goes on with the loaded store.
    SaveLoad(SaveLoad<Op>),
    /// An edit through `Fields` views (`row_mut`, `rows_mut`, `edit_rows`).
    InPlace(InPlace),
    /// `db.insert_many` of these rows, all of one table.
    InsertMany(Batch),
    /// `db.retain` over this table.
    Retain(&'static str, Keep),
}

/// How often each outcome happened, to show (and assert) what the run covered.
pub type Stats = BTreeMap<String, usize>;

pub fn count(stats: &mut Stats, what: impl Into<String>) {
    *stats.entry(what.into()).or_default() += 1;
}

pub fn run(
    db: &mut Db<Forum>,
    r: &mut Reference,
    op: &Op,
    stats: &mut Stats,
) -> Result<(), String> {
    macro_rules! with_row {
        ($row:expr, $x:ident => $body:expr) => {
            match $row.clone() {
                AnyRow::User($x) => $body,
                AnyRow::Post($x) => $body,
                AnyRow::Comment($x) => $body,
                AnyRow::Profile($x) => $body,
                AnyRow::Category($x) => $body,
            }
        };
    }
    match op {
        Op::Insert(row) => with_row!(row, row => insert(db, r, row, stats).map(drop)),
        Op::Update(id, row, how) => {
            with_row!(row, row => update(db, r, typed(*id), row, *how, stats))
        }
        Op::Edit(id, row, end) => {
            with_row!(row, row => edit(db, r, typed(*id), row, *end, stats))
        }
        Op::Shrink => {
            db.shrink_to_fit();
            let shrunk = r.users.shrink()
                + r.posts.shrink()
                + r.comments.shrink()
                + r.profiles.shrink()
                + r.categories.shrink();
            count_shrink(stats, shrunk);
            // Every old id stays stale (the step's check sees the rest of the store).
            every_dead(db, r, "a shrink")
        }
        Op::SaveLoad(how) => save_load(db, r, how, stats),
        Op::Delete(id) => by_table!(id.table(), T => delete::<T>(db, r, typed(*id), stats)),
        Op::DeletePlan(id) => {
            let got = by_table!(id.table(), T => db.delete_plan(typed::<T>(*id)));
            let want = r.plan_delete(*id);
            count(stats, format!("delete_plan {}", outcome(&want)));
            if let Ok(plan) = &want {
                count_sizes(stats, "delete_plan", plan);
            }
            compare_plan(*id, got, &want)
        }
        Op::Bulk(Bulk::Fan(row, n)) => {
            count(stats, "bulk fan");
            for i in 0..*n {
                with_row!(row.numbered(i), row => {
                    insert(db, r, row, stats)?;
                });
            }
            Ok(())
        }
        Op::Bulk(Bulk::Steps(label, ops)) => {
            count(stats, *label);
            for op in ops {
                run(db, r, op, stats)?;
            }
            Ok(())
        }
        Op::InPlace(op) => batch::in_place(db, r, op, stats),
        Op::InsertMany(rows) => batch::insert_many_any(db, r, rows, stats),
        Op::Retain(table, keep) => batch::retain_any(db, r, table, keep, stats),
        Op::Bulk(Bulk::Chain(root, n)) => {
            count(stats, "bulk chain");
            let mut parent = *root;
            for i in 0..*n {
                let row = Category {
                    parent_id: Some(parent),
                    name: format!("chain{i}"),
                };
                match insert(db, r, row, stats)? {
                    Some(id) => parent = id,
                    None => break, // the root was gone: nothing to chain onto
                }
            }
            Ok(())
        }
    }
}

/// Counts the plan's sizes against the store's thresholds: a delete plan keeps its buffers up
/// to 128 rows, and marks rows in 64-slot words.
pub fn count_sizes(stats: &mut Stats, what: &str, plan: &RefPlan) {
    let rows = plan.deleted.len();
    let depth = plan.deleted.iter().map(|&(_, d)| d).max().unwrap_or(0);
    for (size, label) in [(128, "128"), (1000, "1000")] {
        if rows > size {
            count(stats, format!("{what} of more than {label} rows"));
        }
        if plan.nullified.len() > size {
            count(
                stats,
                format!("{what} setting more than {label} keys to null"),
            );
        }
        if depth > size {
            count(
                stats,
                format!("{what} cascading more than {label} levels deep"),
            );
        }
    }
}

/// Counts what a shrink gave back.
pub fn count_shrink(stats: &mut Stats, shrunk: Shrunk) {
    count(stats, "shrink");
    if shrunk.slots > 0 {
        count(stats, "shrink gave back slots");
    }
    if shrunk.only_older {
        count(
            stats,
            "shrink gave back only slots older than the previous shrink",
        );
    }
}

/// Every dead id names no row.
fn every_dead(db: &Db<Forum>, r: &Reference, after: &str) -> Result<(), String> {
    all_dead::<User>(db, r, after)?;
    all_dead::<Post>(db, r, after)?;
    all_dead::<Comment>(db, r, after)?;
    all_dead::<Profile>(db, r, after)?;
    all_dead::<Category>(db, r, after)
}

/// Every dead id of table `T` names no row.
fn all_dead<T: RefModel>(db: &Db<Forum>, r: &Reference, after: &str) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    for &dead in &T::of(r).dead {
        ensure!(!db.contains(dead), "{dead:?} came back after {after}");
    }
    Ok(())
}

/// Saves the store and loads it back in its place (see [`SaveLoad`] and `model/save.rs`).
fn save_load(
    db: &mut Db<Forum>,
    r: &mut Reference,
    how: &SaveLoad<Op>,
    stats: &mut Stats,
) -> Result<(), String> {
    match how {
        SaveLoad::Store => {
            let bytes = save::write(db)?;
            let loaded = save::load(&bytes)?;
            let mut twin = save::load(&bytes)?;
            save::same_next_ids(db, &mut twin, |db| probe(db, r))?;
            *db = loaded;
            count(stats, "save and load");
            let tables = [
                r.users.given_back.len(),
                r.posts.given_back.len(),
                r.comments.given_back.len(),
                r.profiles.given_back.len(),
                r.categories.given_back.len(),
            ];
            if tables.iter().any(|&n| n > 0) {
                count(stats, "save and load with slots a shrink gave back");
            }
        }
        SaveLoad::Snapshot(then) => {
            let at = r.clone();
            let snapshot = db.snapshot();
            let want = save::write(db)?;
            for op in then {
                run(db, r, op, stats)?;
            }
            let bytes = (snapshot.write_to(Vec::new()))
                .map_err(|e| format!("snapshot.write_to: {e} ({e:?})"))?;
            save::same_bytes(&bytes, &want, "the snapshot, written after more ops")?;
            *db = save::load(&bytes)?;
            *r = at;
            count(stats, "snapshot, more ops, then its load");
        }
    }
    every_dead(db, r, "a load")
}

/// Inserts into every table of `db`: for each, as many rows as the reference counts vacant
/// slots, and two more (see [`save::probe_rows`]). Returns each insert's outcome.
fn probe(db: &mut Db<Forum>, r: &Reference) -> Vec<String> {
    fn note<T: relstore::Model>(
        out: &mut Vec<String>,
        got: Result<Id<T>, WriteError>,
    ) -> Option<Id<T>> {
        out.push(format!("{got:?}"));
        got.ok()
    }
    let n = save::probe_rows;
    let mut out = Vec::new();
    let profiles = n(r.profiles.vacant_slots());
    let users: Vec<Id<User>> = (0..n(r.users.vacant_slots()).max(profiles))
        .filter_map(|i| {
            let user = User {
                name: format!("probe{i}"),
                score: 0,
            };
            note(&mut out, db.insert(user))
        })
        .collect();
    let author_id = users[0];
    let mut posts = Vec::new();
    for i in 0..n(r.posts.vacant_slots()) {
        let post = Post {
            author_id,
            editor_id: None,
            category_id: None,
            title: format!("probe{i}"),
        };
        posts.extend(note(&mut out, db.insert(post)));
    }
    for i in 0..n(r.comments.vacant_slots()) {
        let comment = Comment {
            post_id: posts[0],
            author_id,
            reply_to: None,
            body: format!("probe{i}"),
        };
        note(&mut out, db.insert(comment));
    }
    for (i, &user_id) in users.iter().take(profiles).enumerate() {
        let profile = Profile {
            user_id,
            featured_post_id: None,
            bio: format!("probe{i}"),
        };
        note(&mut out, db.insert(profile));
    }
    for i in 0..n(r.categories.vacant_slots()) {
        let category = Category {
            parent_id: None,
            name: format!("probe{i}"),
        };
        note(&mut out, db.insert(category));
    }
    out
}

fn typed<T: RefModel>(id: AnyId) -> Id<T> {
    id.typed().expect("the op's id and row are of one table")
}

/// Inserts `row` into both; the store's id if it took the row.
fn insert<T: RefModel>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    row: T,
    stats: &mut Stats,
) -> Result<Option<Id<T>>, String>
where
    Forum: HasTable<T>,
{
    let expected = r.write_violations(&row, None);
    match db.insert(row.clone()) {
        Ok(id) => {
            ensure!(
                expected.is_empty(),
                "insert succeeded as {id:?}; reference expected {expected:?}"
            );
            ensure!(
                T::of(r).fresh(id),
                "insert returned {id:?}, an id already handed out"
            );
            if let Some(what) = T::of_mut(r).took_slot(id) {
                count(stats, what);
            }
            r.insert(id, row);
            count(stats, format!("insert {} ok", T::TABLE));
            Ok(Some(id))
        }
        Err(e) => {
            same_write_error(&e, &expected, None)?;
            count(stats, format!("insert {}", variant(&e)));
            Ok(None)
        }
    }
}

fn update<T: RefModel>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    id: Id<T>,
    new: T,
    how: How,
    stats: &mut Stats,
) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    let old = T::of(r).get(id).cloned();
    let expected = match old {
        None => Err(None),
        Some(_) => match r.write_violations(&new, Some(id)) {
            v if v.is_empty() => Ok(()),
            v => Err(Some(v)),
        },
    };
    let (result, panicked) = match how {
        How::Update => {
            let mut called = false;
            let result = db.update(id, |row| {
                called = true;
                *row = new.clone();
                7_u8
            });
            ensure_eq!(called, old.is_some(), "update closure called");
            ensure!(
                result.as_ref().is_err() || result == Ok(7),
                "update returned {result:?}"
            );
            (result.map(|_| ()), false)
        }
        How::Replace => {
            let result = db.replace(id, new.clone());
            if let Ok(returned) = &result {
                ensure_eq!(Some(returned), old.as_ref(), "replace returned the old row");
            }
            (result.map(|_| ()), false)
        }
        How::PanicInUpdate => {
            let caught = catch_unwind(AssertUnwindSafe(|| {
                db.update(id, |row| {
                    *row = new.clone();
                    resume_unwind(Box::new("deliberate panic in an update closure"))
                })
            }));
            match caught {
                Ok(result) => (result, false),
                Err(_) => (Ok(()), true),
            }
        }
    };
    if panicked {
        ensure!(old.is_some(), "the closure ran for stale id {id:?}");
        count(stats, "update panicked in closure");
        return Ok(()); // the step's full check shows the store unchanged
    }
    ensure!(
        how != How::PanicInUpdate || old.is_none(),
        "the panicking closure did not run"
    );
    let verb = if how == How::Replace {
        "replace"
    } else {
        "update"
    };
    match (result, expected) {
        (Ok(()), Ok(())) => {
            let old = old.unwrap();
            for rel in RELATIONS {
                let (before, after) = (rel.key_of(&old as &dyn Any), rel.key_of(&new as &dyn Any));
                match (before, after) {
                    (Some(a), Some(b)) if a != b => {
                        count(stats, format!("{verb} re-parent {}", rel.name()))
                    }
                    (Some(_), None) => count(stats, format!("{verb} key to None {}", rel.name())),
                    (None, Some(_)) => count(stats, format!("{verb} key from None {}", rel.name())),
                    _ => {}
                }
            }
            r.update(id, new);
            count(stats, format!("{verb} ok"));
        }
        (Err(WriteError::NotFound(NotFound { id: got })), Err(None)) => {
            ensure_eq!(got, AnyId::from(id), "{verb}: NotFound names the id");
            count(stats, format!("{verb} NotFound"));
        }
        (Err(e), Err(Some(expected))) => {
            same_write_error(&e, &expected, Some(id.into()))?;
            count(stats, format!("{verb} {}", variant(&e)));
        }
        (got, want) => return Err(format!("{verb} {id:?}: store {got:?}, reference {want:?}")),
    }
    Ok(())
}

/// `db.edit(id, ..)` whose closure writes `new` into the row, then returns or panics (see
/// [`edit_outcome`]).
fn edit<T: RefModel>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    id: Id<T>,
    new: T,
    end: EditEnd,
    stats: &mut Stats,
) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    let old = T::of(r).get(id).cloned();
    let mut seen = None;
    let got = catch_unwind(AssertUnwindSafe(|| {
        db.edit(id, |row| {
            seen = Some(row.clone());
            *row = new.clone();
            if end == EditEnd::Panic {
                resume_unwind(Box::new(EDIT_PANIC));
            }
            EDIT_RETURNS
        })
    }));
    ensure_eq!(seen, old, "edit {id:?}: the closure gets the stored row");
    let got = got.map_err(|payload| message(&*payload));
    let Some(old) = old else {
        return edit_of_stale(id.into(), got, stats);
    };
    let changed: Vec<KeyChange> = Reference::changed_keys(&old, &new)
        .into_iter()
        .map(|rel| (rel.name(), rel.key_of(&old), rel.key_of(&new)))
        .collect();
    let put_back = Reference::keys_put_back(&old, &new);
    let violations = r.write_violations(&new, Some(id));
    let after = edit_outcome(
        id.into(),
        &old,
        new,
        put_back,
        &changed,
        &violations,
        got,
        end,
        stats,
    )?;
    r.update(id, after);
    Ok(())
}

/// A key an edit changed: the relation's name, and the parent before and after.
pub type KeyChange = (&'static str, Option<AnyId>, Option<AnyId>);

/// The outcome of `db.edit` of the stale `id` (`got`, a panic as its message): `NotFound`.
pub fn edit_of_stale(
    id: AnyId,
    got: Result<Result<u8, WriteError>, String>,
    stats: &mut Stats,
) -> Result<(), String> {
    let not_found = WriteError::NotFound(NotFound { id });
    ensure!(
        matches!(&got, Ok(Err(e)) if *e == not_found),
        "edit of stale {id:?}: store {got:?}, reference {not_found:?}"
    );
    count(stats, "edit NotFound");
    Ok(())
}

/// What `db.edit` of live row `id` must do, whose closure saw `old`, wrote `new` and then
/// returned [`EDIT_RETURNS`] or panicked with [`EDIT_PANIC`] (`end`), as `Db::edit` documents
/// it; `got` is the store's outcome (a panic as its message). Returns the value the row holds
/// afterwards:
/// - no key changed (`changed` empty): `Ok`, and the row is `new`;
/// - keys changed, none refused (`violations` empty: the reference's check of `new` as row
///   `id`): `Ok`, the row is `new` and moves to its new parents;
/// - keys changed, one refused: that error, every key put back, the other fields as written
///   (`put_back`);
/// - a panic: it goes on, and the row is `put_back` (keys changed or not).
#[allow(clippy::too_many_arguments)]
pub fn edit_outcome<R: PartialEq + Debug>(
    id: AnyId,
    old: &R,
    new: R,
    put_back: R,
    changed: &[KeyChange],
    violations: &[Violation],
    got: Result<Result<u8, WriteError>, String>,
    end: EditEnd,
    stats: &mut Stats,
) -> Result<R, String> {
    let names: Vec<_> = changed.iter().map(|&(name, ..)| name).collect();
    let got = match (got, end) {
        (Err(panic), EditEnd::Panic) => {
            ensure_eq!(
                panic,
                EDIT_PANIC,
                "edit {id:?}: the closure's panic goes on"
            );
            count(stats, "edit panicked in closure");
            if !changed.is_empty() {
                count(stats, "edit panicked after changing keys");
            }
            if put_back != *old {
                count(stats, "edit panicked, other fields kept");
            }
            return Ok(put_back);
        }
        (Ok(got), EditEnd::Return) => got,
        (got, end) => {
            return Err(format!(
                "edit {id:?}: store {got:?}, the closure's end {end:?}"
            ));
        }
    };
    // No key changed: nothing to check.
    let violations = if changed.is_empty() { &[] } else { violations };
    match got {
        Ok(out) if violations.is_empty() => {
            ensure_eq!(out, EDIT_RETURNS, "edit {id:?}: the closure's result");
            for &(name, before, after) in changed {
                match (before, after) {
                    (Some(_), Some(_)) => count(stats, format!("edit re-parent {name}")),
                    (Some(_), None) => count(stats, format!("edit key to None {name}")),
                    _ => count(stats, format!("edit key from None {name}")),
                }
            }
            count(
                stats,
                match changed.is_empty() {
                    true => "edit ok, no key changed",
                    false => "edit ok, moved the row",
                },
            );
            Ok(new)
        }
        Err(e) if !violations.is_empty() => {
            same_write_error(&e, violations, Some(id))?;
            count(stats, format!("edit {}", variant(&e)));
            if put_back != *old {
                count(stats, "edit refused, other fields kept");
            }
            Ok(put_back)
        }
        got => Err(format!(
            "edit {id:?}: store {got:?}, reference {violations:?} (keys changed: {names:?})"
        )),
    }
}

/// A panic payload's message (bombs and the deliberate panics use strings).
pub fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else if let Some(message) = payload.downcast_ref::<&str>() {
        message.to_string()
    } else {
        "<a payload that is not a string>".into()
    }
}

pub fn variant(e: &WriteError) -> &'static str {
    match e {
        WriteError::MissingParent { .. } => "MissingParent",
        WriteError::HasOneTaken { .. } => "HasOneTaken",
        WriteError::NotFound(_) => "NotFound",
        WriteError::HasOneTakenInBatch { .. } => "HasOneTakenInBatch",
        _ => "other error",
    }
}

/// The store's write error must be one of the violations the reference found (which one, when
/// there are several, depends on the store's checking order).
pub fn same_write_error(
    e: &WriteError,
    expected: &[Violation],
    this: Option<AnyId>,
) -> Result<(), String> {
    let matches = match e {
        WriteError::MissingParent { relation, parent } => expected.contains(&Violation::Missing {
            relation: relation.name,
            parent: *parent,
        }),
        WriteError::HasOneTaken {
            relation,
            parent,
            existing,
            row,
        } => {
            *row == this
                && expected.contains(&Violation::Taken {
                    relation: relation.name,
                    parent: *parent,
                    existing: *existing,
                })
        }
        WriteError::HasOneTakenInBatch {
            relation,
            parent,
            earlier,
        } => expected.contains(&Violation::TakenInBatch {
            relation: relation.name,
            parent: *parent,
            earlier: *earlier,
        }),
        _ => false,
    };
    ensure!(
        matches,
        "store: {e:?} ({e}); reference expected {expected:?}"
    );
    Ok(())
}

fn delete<T: RefModel>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    id: Id<T>,
    stats: &mut Stats,
) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    let want = r.plan_delete(id.into());
    compare_plan(id.into(), db.delete_plan(id), &want)?;
    let got = db.delete(id);
    compare_outcome(id.into(), got.as_ref().map(|_| ()), &want)?;
    count(stats, format!("delete {} {}", T::TABLE, outcome(&want)));
    if let (Ok(row), Ok(plan)) = (got, want) {
        ensure_eq!(Some(&row), T::of(r).get(id), "delete returned the row");
        if plan.deleted.len() > 1 {
            count(stats, "delete cascaded");
        }
        if plan.deleted.len() > 32 {
            count(stats, "delete of more than 32 rows");
        }
        count_sizes(stats, "delete", &plan);
        let largest = stats.entry("largest delete (rows)".into()).or_default();
        *largest = (*largest).max(plan.deleted.len());
        for (_, relation) in &plan.nullified {
            count(stats, format!("delete set null {relation}"));
        }
        r.apply(&plan);
    }
    Ok(())
}

pub fn outcome(want: &Result<RefPlan, RefDeleteError>) -> &'static str {
    match want {
        Ok(_) => "ok",
        Err(RefDeleteError::NotFound) => "NotFound",
        Err(RefDeleteError::Blocked(_)) => "Restricted",
    }
}

/// A delete's error (or success) against the reference's.
pub fn compare_outcome(
    id: AnyId,
    got: Result<(), &DeleteError>,
    want: &Result<RefPlan, RefDeleteError>,
) -> Result<(), String> {
    match (got, want) {
        (Ok(()), Ok(_)) => Ok(()),
        (Err(DeleteError::NotFound(NotFound { id: got })), Err(RefDeleteError::NotFound)) => {
            ensure_eq!(*got, id, "DeleteError::NotFound names the id");
            Ok(())
        }
        (
            Err(DeleteError::Restricted {
                relation,
                parent,
                child,
            }),
            Err(RefDeleteError::Blocked(blockers)),
        ) => {
            let named = (relation.name, *parent, *child);
            ensure!(
                blockers.contains(&named),
                "delete {id:?}: store blocked by {named:?}, reference's blockers {blockers:?}"
            );
            Ok(())
        }
        (got, want) => Err(format!("delete {id:?}: store {got:?}, reference {want:?}")),
    }
}

/// A delete plan: the same rows deleted (the requested one first, then breadth first) and the
/// same keys nullified, each once.
pub fn compare_plan(
    id: AnyId,
    got: Result<DeletePlan, DeleteError>,
    want: &Result<RefPlan, RefDeleteError>,
) -> Result<(), String> {
    compare_outcome(id, got.as_ref().map(|_| ()), want)?;
    let (Ok(got), Ok(want)) = (got, want) else {
        return Ok(());
    };
    let deleted = got.deleted();
    ensure_eq!(
        deleted.first(),
        Some(&id),
        "delete_plan: the requested row comes first"
    );
    let got_set: HashSet<_> = deleted.iter().copied().collect();
    let want_set: HashSet<_> = want.deleted.iter().map(|&(id, _)| id).collect();
    ensure_eq!(
        got_set.len(),
        deleted.len(),
        "delete_plan: rows deleted twice in {deleted:?}"
    );
    ensure_eq!(got_set, want_set, "delete_plan {id:?}: rows deleted");
    let depth = |row: &AnyId| {
        want.deleted
            .iter()
            .find(|(id, _)| id == row)
            .map(|&(_, d)| d)
    };
    let depths: Vec<_> = deleted.iter().map(depth).collect();
    ensure!(
        depths.is_sorted(),
        "delete_plan {id:?}: not breadth first: {deleted:?} at depths {depths:?}"
    );

    let nullified: Vec<_> = got
        .nullified()
        .iter()
        .map(|&(id, info)| (id, info.name))
        .collect();
    let got_set: HashSet<_> = nullified.iter().copied().collect();
    let want_set: HashSet<_> = want.nullified.iter().copied().collect();
    ensure_eq!(
        got_set.len(),
        nullified.len(),
        "delete_plan: keys nullified twice in {nullified:?}"
    );
    ensure_eq!(got_set, want_set, "delete_plan {id:?}: keys set to null");
    Ok(())
}
