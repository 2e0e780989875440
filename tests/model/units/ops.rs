//! Runs one operation of the unit schema on the store and on the reference, and compares the
//! outcomes. Every store call runs under `catch_unwind` ([`quietly`]): the reference expects
//! an outcome *and* whether a bomb goes off, and which one.
//!
//! What the reference expects of a bomb, as the store documents it:
//! - `update` edits a clone: a panicking `Clone` leaves the store unchanged and the closure
//!   uncalled.
//! - A rejected row (insert, update or replace failing a check, or replace of a stale id) is
//!   dropped by the store: its `Drop` panic replaces the error, and the store is unchanged.
//! - `update` / `replace` whose old value's `Drop` panics: the new value is stored and every
//!   index follows it, then the panic goes on.
//! - `delete`: every planned row leaves the store and every index agrees, even if some rows'
//!   `Drop` panics; the first of those panics goes on (in plan order, the requested row
//!   last). When a cascaded row's drop panics, the requested row is dropped by the store, not
//!   returned, and its own drop's panic (if any) is swallowed.
//!
//! A bomb dropped while a panic unwinds counts itself instead of aborting the process (as bug
//! (b) of `tests/panics.rs` once did), and [`run`] fails the step.

use std::cell::Cell;
use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo, catch_unwind, resume_unwind};
use std::sync::Arc;

use relstore::{AnyId, Db, DeletePlan, HasTable, Id, Model, NotFound, WriteError};

use super::reference::{RELS, RowRef, UnitsRef, player_keys_put_back, unit_keys_put_back};
use super::schema::*;
use crate::batch::{EDIT_ROWS_PANIC, Keep, RETAIN_PANIC, retain_outcome};
use crate::ops::{
    EDIT_PANIC, EDIT_RETURNS, EditEnd, How, Stats, compare_outcome, compare_plan, count,
    count_shrink, count_sizes, edit_of_stale, edit_outcome, message, outcome, same_write_error,
    variant,
};
use crate::reference::slot;
use crate::save::{self, SaveLoad};

/// How many rows a bulk step inserts, and which of them get the template's bomb.
#[derive(Clone, Copy, Debug)]
pub struct Bulk {
    pub n: usize,
    /// Every this-many-th row is armed as the template is (0: none); the others are not.
    pub armed_every: usize,
}

/// Which keys of each unit of a chain point to the unit before it.
#[derive(Clone, Copy, Debug)]
pub struct ChainKeys {
    pub leader: bool,
    pub mentor: bool,
    pub guard: bool,
}

/// One step of a run; its `Debug` form is what a failure prints.
#[derive(Clone, Debug)]
pub enum Op {
    InsertPlayer(Player),
    InsertUnit(PlainUnit),
    UpdatePlayer(Id<Player>, Player, How),
    UpdateUnit(Id<Unit>, PlainUnit, How),
    /// `db.edit` of the player, its closure writing this value.
    EditPlayer(Id<Player>, Player, EditEnd),
    /// `db.edit` of the unit, its closure writing this value (rearming the bomb in place).
    EditUnit(Id<Unit>, PlainUnit, EditEnd),
    Delete(AnyId),
    DeletePlan(AnyId),
    /// Units like this one (each with its own label), inserted one by one.
    Fan(PlainUnit, Bulk),
    /// Units like this one, each pointing to the one inserted before it through the chain's
    /// keys; the first to the given unit.
    Chain(Id<Unit>, PlainUnit, ChainKeys, Bulk),
    /// `db.shrink_to_fit()`.
    Shrink,
    /// The store saved and loaded back; the run goes on with the loaded store.
    SaveLoad(SaveLoad<Op>),
    /// `db.row_mut` of the unit, setting its hp in place (no clone, no drop: armed bombs stay
    /// quiet).
    RowMut(Id<Unit>, u32),
    /// `db.edit_rows` over the units, each one's hp read from its owner through the store
    /// (and its leader, which reads as gone: the units are lent out); with `Some((k,
    /// write_first))`, the closure panics at the k-th unit, after writing it or not. The
    /// table is put back whole: no unit is cloned or dropped.
    EditRows(Option<(usize, bool)>),
    /// `db.insert_many` of these units, bombs and all: refused, every unit comes back (none
    /// dropped, none cloned).
    InsertMany(Vec<PlainUnit>),
    /// `db.retain` over this table (units or players): the rows it deletes are dropped in
    /// plan order, the first panicking drop goes on once all are gone.
    Retain(&'static str, Keep),
}

impl Bulk {
    /// Row `i` of the bulk: the template, with a label of its own, armed or not.
    fn row(&self, template: &PlainUnit, i: usize) -> PlainUnit {
        let armed = self.armed_every > 0 && (i + 1).is_multiple_of(self.armed_every);
        let arm = Arm {
            label: template.arm.label + i as u32,
            on_clone: armed && template.arm.on_clone,
            on_drop: armed && template.arm.on_drop,
        };
        PlainUnit {
            arm,
            hp: i as u32,
            ..*template
        }
    }
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

type Hook = Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync>;

/// While alive, panics inside [`quietly`] print nothing; every other panic (another test's,
/// or this test's own failure) goes to the hook that was there before, which is put back on
/// drop. The hook is the process's, shared by the tests running at the same time, so it is
/// not simply replaced by a no-op.
pub struct QuietPanics {
    previous: Hook,
}

impl QuietPanics {
    pub fn install() -> QuietPanics {
        let previous: Hook = panic::take_hook().into();
        let hook = previous.clone();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.get() {
                hook(info);
            }
        }));
        QuietPanics { previous }
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return; // a panicking thread cannot set the hook; this one does no harm
        }
        let previous = self.previous.clone();
        panic::set_hook(Box::new(move |info| previous(info)));
    }
}

/// Runs `f`, catching a panic as its message.
fn quietly<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    QUIET.set(true);
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.set(false);
    result.map_err(|payload| message(&*payload))
}

const DELIBERATE: &str = "deliberate panic in an update closure";

pub fn run(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    op: &Op,
    stats: &mut Stats,
) -> Result<(), String> {
    let result = match op {
        Op::InsertPlayer(row) => insert_player(db, r, row.clone(), stats).map(drop),
        Op::InsertUnit(row) => insert_unit(db, r, *row, stats).map(drop),
        Op::UpdatePlayer(id, row, how) => update_player(db, r, *id, row.clone(), *how, stats),
        Op::UpdateUnit(id, row, how) => update_unit(db, r, *id, *row, *how, stats),
        Op::EditPlayer(id, row, end) => edit_player(db, r, *id, row.clone(), *end, stats),
        Op::EditUnit(id, row, end) => edit_unit(db, r, *id, *row, *end, stats),
        Op::Shrink => {
            // Vacant slots hold no row: no bomb goes off.
            let got = quietly(|| db.shrink_to_fit());
            ensure_eq!(got, Ok(()), "shrink_to_fit");
            count_shrink(stats, r.players.shrink() + r.units.shrink());
            for &dead in &r.players.dead {
                ensure!(!db.contains(dead), "{dead:?} came back after a shrink");
            }
            for &dead in &r.units.dead {
                ensure!(!db.contains(dead), "{dead:?} came back after a shrink");
            }
            Ok(())
        }
        Op::SaveLoad(how) => save_load(db, r, how, stats),
        Op::RowMut(id, hp) => row_mut(db, r, *id, *hp, stats),
        Op::EditRows(panic_at) => edit_rows(db, r, *panic_at, stats),
        Op::InsertMany(rows) => insert_many(db, r, rows, stats),
        Op::Retain(table, keep) => retain(db, r, table, keep, stats),
        Op::Delete(id) => {
            if let Some(id) = id.typed::<Unit>() {
                delete(db, r, id, PlainUnit::of, stats)
            } else {
                delete(db, r, id.typed::<Player>().unwrap(), Player::clone, stats)
            }
        }
        Op::DeletePlan(id) => {
            let got = if let Some(id) = id.typed::<Unit>() {
                db.delete_plan(id)
            } else {
                db.delete_plan(id.typed::<Player>().unwrap())
            };
            let want = r.plan_delete(*id);
            count(stats, format!("delete_plan {}", outcome(&want)));
            if let Ok(plan) = &want {
                count_sizes(stats, "delete_plan", plan);
            }
            compare_plan(*id, got, &want)
        }
        Op::Fan(template, bulk) => {
            count(stats, "bulk fan");
            for i in 0..bulk.n {
                insert_unit(db, r, bulk.row(template, i), stats)?;
            }
            Ok(())
        }
        Op::Chain(first, template, keys, bulk) => {
            count(stats, "bulk chain");
            let mut previous = *first;
            for i in 0..bulk.n {
                let mut row = bulk.row(template, i);
                let link = |on: bool, key: &mut Option<Id<Unit>>| {
                    if on {
                        *key = Some(previous);
                    }
                };
                link(keys.leader, &mut row.leader_id);
                link(keys.mentor, &mut row.mentor_id);
                link(keys.guard, &mut row.guard_id);
                match insert_unit(db, r, row, stats)? {
                    Some(id) => previous = id,
                    None => break,
                }
            }
            Ok(())
        }
    };
    let unwinding = unwinding_drops();
    ensure!(
        unwinding == 0,
        "{unwinding} unit(s) whose Drop panics were dropped while a panic was unwinding: \
         outside this test, the process would have aborted (bug (b) of tests/panics.rs, or \
         a panicking update whose new value's drop panics)"
    );
    result
}

/// Saves the store and loads it back in its place (see [`SaveLoad`] and `model/save.rs`).
/// Saving reads the units (no clone, no drop); a snapshot clones them, so the first unit in
/// slot order whose bomb is armed for `Clone` stops it with its panic, the store unchanged.
fn save_load(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    how: &SaveLoad<Op>,
    stats: &mut Stats,
) -> Result<(), String> {
    match how {
        SaveLoad::Store => {
            let bytes = save::write(db)?;
            let loaded = save::load(&bytes)?;
            let mut twin = save::load(&bytes)?;
            let same = save::same_next_ids(db, &mut twin, |db| probe(db, r));
            let old = std::mem::replace(db, loaded);
            discard(old, r);
            discard(twin, r);
            same?;
            count(stats, "save and load");
        }
        SaveLoad::Snapshot(then) => {
            let armed = (r.units.rows.iter())
                .filter(|rec| rec.row.arm.on_clone)
                .min_by_key(|rec| slot(rec.id));
            let snapshot = match (quietly(|| db.snapshot()), armed) {
                (Ok(snapshot), None) => snapshot,
                (Err(panic), Some(rec)) => {
                    ensure_eq!(
                        panic,
                        clone_message(rec.row.arm.label),
                        "snapshot: the clone of the first armed unit, {:?}, panics",
                        rec.id
                    );
                    count(stats, "snapshot: a unit's clone panicked");
                    return Ok(());
                }
                (Ok(snapshot), Some(rec)) => {
                    std::mem::forget(snapshot);
                    return Err(format!(
                        "snapshot: the clone of {:?} did not panic, armed as {:?}",
                        rec.id, rec.row.arm
                    ));
                }
                (Err(panic), None) => return Err(format!("snapshot panicked: {panic}")),
            };
            let at = r.clone();
            let want = save::write(db)?;
            for op in then {
                run(db, r, op, stats)?;
            }
            let bytes = (snapshot.write_to(Vec::new()))
                .map_err(|e| format!("snapshot.write_to: {e} ({e:?})"))?;
            discard(snapshot, &at);
            save::same_bytes(&bytes, &want, "the snapshot, written after more ops")?;
            let old = std::mem::replace(db, save::load(&bytes)?);
            discard(old, r);
            *r = at;
            count(stats, "snapshot, more ops, then its load");
        }
    }
    for &dead in &r.players.dead {
        ensure!(!db.contains(dead), "{dead:?} came back after a load");
    }
    for &dead in &r.units.dead {
        ensure!(!db.contains(dead), "{dead:?} came back after a load");
    }
    Ok(())
}

/// Drops a store (or a snapshot) that holds the units of `r`, unless one of them has a bomb
/// armed for `Drop`: then it is forgotten, as the run's last store is.
fn discard<T>(store: T, r: &UnitsRef) {
    if r.units.rows.iter().any(|rec| rec.row.arm.on_drop) {
        std::mem::forget(store);
    }
}

/// Inserts into both tables of `db`: for each, as many rows as the reference counts vacant
/// slots, and two more (see [`save::probe_rows`]); no bomb armed. Returns each insert's
/// outcome.
fn probe(db: &mut Db<Skirmish>, r: &UnitsRef) -> Vec<String> {
    let mut out = Vec::new();
    let mut owner = None;
    for i in 0..save::probe_rows(r.players.vacant_slots()) {
        let player = Player {
            name: format!("probe{i}"),
            captain_id: None,
        };
        let got = db.insert(player);
        out.push(format!("{got:?}"));
        owner = owner.or(got.ok());
    }
    let owner_id = owner.expect("a player with no keys goes in");
    for i in 0..save::probe_rows(r.units.vacant_slots()) {
        let unit = PlainUnit {
            owner_id,
            rival_id: None,
            target_id: None,
            leader_id: None,
            mentor_id: None,
            guard_id: None,
            hp: i as u32,
            arm: Arm::default(),
        };
        out.push(format!("{:?}", db.insert(unit.build())));
    }
    out
}

fn insert_player(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    row: Player,
    stats: &mut Stats,
) -> Result<Option<Id<Player>>, String> {
    let expected = r.write_violations(RowRef::Player(&row), None);
    match quietly(|| db.insert(row.clone())) {
        Ok(Ok(id)) => {
            ensure!(
                expected.is_empty(),
                "insert succeeded as {id:?}; reference expected {expected:?}"
            );
            ensure!(
                r.players.fresh(id),
                "insert returned {id:?}, an id already handed out"
            );
            if let Some(what) = r.players.took_slot(id) {
                count(stats, what);
            }
            r.insert_player(id, row);
            count(stats, "insert players ok");
            Ok(Some(id))
        }
        Ok(Err(e)) => {
            same_write_error(&e, &expected, None)?;
            count(stats, format!("insert players {}", variant(&e)));
            Ok(None)
        }
        Err(panic) => Err(format!("insert of a player panicked: {panic}")),
    }
}

fn insert_unit(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    row: PlainUnit,
    stats: &mut Stats,
) -> Result<Option<Id<Unit>>, String> {
    let expected = r.write_violations(RowRef::Unit(&row), None);
    match quietly(|| db.insert(row.build())) {
        Ok(Ok(id)) => {
            ensure!(
                expected.is_empty(),
                "insert succeeded as {id:?}; reference expected {expected:?}"
            );
            ensure!(
                r.units.fresh(id),
                "insert returned {id:?}, an id already handed out"
            );
            if let Some(what) = r.units.took_slot(id) {
                count(stats, what);
            }
            r.insert_unit(id, row);
            count(stats, "insert units ok");
            Ok(Some(id))
        }
        Ok(Err(e)) => {
            same_write_error(&e, &expected, None)?;
            ensure!(
                !row.arm.on_drop,
                "insert failed with {e:?}, but dropping the rejected unit did not panic"
            );
            count(stats, format!("insert units {}", variant(&e)));
            Ok(None)
        }
        Err(panic) => {
            ensure!(
                !expected.is_empty(),
                "insert of a valid unit panicked: {panic}"
            );
            ensure_eq!(
                panic,
                drop_message(row.arm.label),
                "insert rejected (reference: {expected:?}): the rejected unit's drop panics"
            );
            count(stats, "insert rejected, its drop panicked");
            Ok(None)
        }
    }
}

/// The expected outcome of a write that the reference rejects: the error is one of
/// `violations` (`NotFound` if the row does not exist), unless the rejected unit's drop panics
/// (a replace's new value; an update's edited copy, if the row exists to be copied).
fn rejected<T>(
    got: Result<Result<T, WriteError>, String>,
    id: Id<Unit>,
    exists: bool,
    violations: &[crate::reference::Violation],
    new: &PlainUnit,
    verb: &str,
    stats: &mut Stats,
) -> Result<(), String> {
    let dropped = new.arm.on_drop && (exists || verb == "replace");
    match got {
        Err(panic) => {
            ensure!(
                dropped,
                "{verb} {id:?} rejected (exists: {exists}, reference: {violations:?}) panicked: \
                 {panic}"
            );
            ensure_eq!(
                panic,
                drop_message(new.arm.label),
                "{verb} {id:?} rejected (exists: {exists}, reference: {violations:?}): \
                 only the rejected unit's drop may panic"
            );
            count(stats, format!("{verb} rejected, its drop panicked"));
        }
        Ok(Ok(_)) => {
            return Err(format!(
                "{verb} {id:?} succeeded; reference: {violations:?}"
            ));
        }
        Ok(Err(e)) => {
            ensure!(
                !dropped,
                "{verb} {id:?} failed with {e:?}, but dropping the rejected unit did not panic"
            );
            if exists {
                same_write_error(&e, violations, Some(id.into()))?;
            } else {
                ensure_eq!(
                    e,
                    WriteError::NotFound(NotFound { id: id.into() }),
                    "{verb} of a stale id"
                );
            }
            count(stats, format!("{verb} units {}", variant(&e)));
        }
    }
    Ok(())
}

fn update_unit(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    id: Id<Unit>,
    new: PlainUnit,
    how: How,
    stats: &mut Stats,
) -> Result<(), String> {
    let old = r.units.get(id).copied();
    let violations = r.write_violations(RowRef::Unit(&new), Some(id.into()));
    let mut called = false;
    match how {
        How::Replace => {
            let mut returned = None;
            let got = quietly(|| {
                db.replace(id, new.build()).map(|old| {
                    returned = Some(PlainUnit::of(&old));
                    drop(old);
                })
            });
            let Some(old) = old.filter(|_| violations.is_empty()) else {
                return rejected(got, id, old.is_some(), &violations, &new, "replace", stats);
            };
            ensure_eq!(returned, Some(old), "replace {id:?} returned the old unit");
            r.update_unit(id, new);
            accepted(got, id, &old, &new, "replace", stats)
        }
        How::Update | How::PanicInUpdate => {
            let got = quietly(|| {
                db.update(id, |unit| {
                    called = true;
                    new.write_into(unit);
                    if how == How::PanicInUpdate {
                        resume_unwind(Box::new(DELIBERATE));
                    }
                    7_u8
                })
            });
            let verb = if how == How::Update {
                "update"
            } else {
                "panicking update"
            };
            if let Some(old) = old.filter(|old| old.arm.on_clone) {
                ensure!(
                    !called,
                    "{verb} {id:?}: the closure ran, but the clone panics"
                );
                ensure_eq!(
                    got.err(),
                    Some(clone_message(old.arm.label)),
                    "{verb} {id:?}: cloning the unit panics, and nothing else"
                );
                count(stats, "update clone panicked");
                return Ok(()); // the step's full check shows the store unchanged
            }
            ensure_eq!(called, old.is_some(), "{verb} {id:?}: closure called");
            if how == How::PanicInUpdate && old.is_some() {
                ensure_eq!(got.err(), Some(DELIBERATE.to_string()), "{verb} {id:?}");
                count(stats, "update panicked in closure");
                return Ok(());
            }
            let Some(old) = old.filter(|_| violations.is_empty()) else {
                return rejected(got, id, old.is_some(), &violations, &new, verb, stats);
            };
            r.update_unit(id, new);
            accepted(got, id, &old, &new, verb, stats)
        }
    }
}

/// The outcome of an accepted update or replace of unit `old` (the new value is stored): the
/// old value's drop panics if armed, after the store took the new one.
fn accepted<T: std::fmt::Debug>(
    got: Result<Result<T, WriteError>, String>,
    id: Id<Unit>,
    old: &PlainUnit,
    new: &PlainUnit,
    verb: &str,
    stats: &mut Stats,
) -> Result<(), String> {
    if old.arm.on_drop {
        ensure_eq!(
            got.as_ref().err(),
            Some(&drop_message(old.arm.label)),
            "{verb} {id:?}: the old unit's drop panics, once the new one is stored"
        );
        count(stats, format!("{verb} old value's drop panicked"));
    } else {
        ensure!(
            matches!(got, Ok(Ok(_))),
            "{verb} {id:?}: store {got:?}, reference ok"
        );
        count(stats, format!("{verb} units ok"));
    }
    for rel in RELS.iter().filter(|rel| rel.child_table == "units") {
        let (before, after) = ((rel.key)(RowRef::Unit(old)), (rel.key)(RowRef::Unit(new)));
        match (before, after) {
            (Some(a), Some(b)) if a != b => count(stats, format!("re-parent {}", rel.name)),
            (Some(_), None) => count(stats, format!("key to None {}", rel.name)),
            _ => {}
        }
    }
    Ok(())
}

fn update_player(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    id: Id<Player>,
    new: Player,
    how: How,
    stats: &mut Stats,
) -> Result<(), String> {
    let old = r.players.get(id).cloned();
    let violations = r.write_violations(RowRef::Player(&new), Some(id.into()));
    let mut called = false;
    let got = match how {
        How::Replace => quietly(|| db.replace(id, new.clone()).map(drop)),
        How::Update | How::PanicInUpdate => quietly(|| {
            db.update(id, |player| {
                called = true;
                *player = new.clone();
                if how == How::PanicInUpdate {
                    resume_unwind(Box::new(DELIBERATE));
                }
            })
        }),
    };
    if how != How::Replace {
        ensure_eq!(called, old.is_some(), "update {id:?}: closure called");
    }
    let verb = match how {
        How::Update => "update player",
        How::Replace => "replace player",
        How::PanicInUpdate => "panicking update player",
    };
    match (got, &old) {
        (Err(panic), Some(_)) if how == How::PanicInUpdate => {
            ensure_eq!(panic, DELIBERATE, "{verb} {id:?}");
            count(stats, "update panicked in closure");
        }
        (Err(panic), _) => return Err(format!("{verb} {id:?} panicked: {panic}")),
        (Ok(Err(WriteError::NotFound(NotFound { id: got }))), None) => {
            ensure_eq!(got, AnyId::from(id), "{verb}: NotFound names the id");
            count(stats, format!("{verb} NotFound"));
        }
        (Ok(Err(e)), Some(_)) => {
            same_write_error(&e, &violations, Some(id.into()))?;
            count(stats, format!("{verb} {}", variant(&e)));
        }
        (Ok(Ok(())), Some(_)) if violations.is_empty() => {
            r.update_player(id, new);
            count(stats, format!("{verb} ok"));
        }
        (got, _) => {
            return Err(format!(
                "{verb} {id:?}: store {got:?}, reference: live {}, {violations:?}",
                old.is_some()
            ));
        }
    }
    Ok(())
}

/// `db.edit` of a unit whose closure writes `new` into it field by field (rearming its bomb in
/// place), then returns or panics (see [`edit_outcome`]). An edit neither clones nor drops
/// the unit: no bomb goes off, whatever its arming.
fn edit_unit(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    id: Id<Unit>,
    new: PlainUnit,
    end: EditEnd,
    stats: &mut Stats,
) -> Result<(), String> {
    let old = r.units.get(id).copied();
    let mut seen = None;
    let got = quietly(|| {
        db.edit(id, |unit| {
            seen = Some(PlainUnit::of(unit));
            new.write_into(unit);
            if end == EditEnd::Panic {
                resume_unwind(Box::new(EDIT_PANIC));
            }
            EDIT_RETURNS
        })
    });
    ensure_eq!(seen, old, "edit {id:?}: the closure gets the stored unit");
    let Some(old) = old else {
        return edit_of_stale(id.into(), got, stats);
    };
    let changed = UnitsRef::changed_keys(RowRef::Unit(&old), RowRef::Unit(&new));
    let put_back = unit_keys_put_back(&old, &new);
    let violations = r.write_violations(RowRef::Unit(&new), Some(id.into()));
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
    if old.arm.on_clone {
        count(stats, "edit of a unit whose clone panics");
    }
    if old.arm.on_drop {
        count(stats, "edit of a unit whose drop panics");
    }
    r.update_unit(id, after);
    Ok(())
}

/// `db.edit` of a player (see [`edit_outcome`]).
fn edit_player(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    id: Id<Player>,
    new: Player,
    end: EditEnd,
    stats: &mut Stats,
) -> Result<(), String> {
    let old = r.players.get(id).cloned();
    let mut seen = None;
    let got = quietly(|| {
        db.edit(id, |player| {
            seen = Some(player.clone());
            *player = new.clone();
            if end == EditEnd::Panic {
                resume_unwind(Box::new(EDIT_PANIC));
            }
            EDIT_RETURNS
        })
    });
    ensure_eq!(seen, old, "edit {id:?}: the closure gets the stored player");
    let Some(old) = old else {
        return edit_of_stale(id.into(), got, stats);
    };
    let changed = UnitsRef::changed_keys(RowRef::Player(&old), RowRef::Player(&new));
    let put_back = player_keys_put_back(&old, &new);
    let violations = r.write_violations(RowRef::Player(&new), Some(id.into()));
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
    r.update_player(id, after);
    Ok(())
}

/// A deleted row as the reference holds it.
#[derive(Debug, PartialEq)]
enum Plain {
    Unit(PlainUnit),
    Player(Player),
}

impl From<PlainUnit> for Plain {
    fn from(unit: PlainUnit) -> Self {
        Plain::Unit(unit)
    }
}
impl From<Player> for Plain {
    fn from(player: Player) -> Self {
        Plain::Player(player)
    }
}

fn delete<T: Model, P: Into<Plain>>(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    id: Id<T>,
    plain: fn(&T) -> P,
    stats: &mut Stats,
) -> Result<(), String>
where
    Skirmish: HasTable<T>,
{
    let any = AnyId::from(id);
    let want = r.plan_delete(any);
    let plan: Result<DeletePlan, _> = db.delete_plan(id);
    compare_plan(any, plan.clone(), &want)?;
    let mut returned = None;
    let got = quietly(|| {
        db.delete(id).map(|row| {
            returned = Some(plain(&row).into());
            drop(row);
        })
    });
    let want = match want {
        Err(e) => {
            let got = got.map_err(|panic| format!("delete {any:?} panicked: {panic}"))?;
            let want = Err(e);
            compare_outcome(any, got.as_ref().map(|_| ()), &want)?;
            count(stats, format!("delete {} {}", T::TABLE, outcome(&want)));
            return Ok(());
        }
        Ok(want) => want,
    };
    // The store's order of the rows, checked against the reference by `compare_plan`.
    let order = plan.map_err(|e| format!("{e:?}"))?.deleted().to_vec();
    let armed = |row: &AnyId| {
        let unit = r.units.get(row.typed::<Unit>()?)?;
        unit.arm.on_drop.then_some(unit.arm.label)
    };
    let cascade: Vec<u32> = order[1..].iter().filter_map(armed).collect();
    let own = armed(&any);
    let first = cascade.first().copied().or(own).map(drop_message);
    match got {
        Ok(Ok(())) => ensure!(
            first.is_none(),
            "delete {any:?} returned without a panic; expected {first:?}"
        ),
        Ok(Err(e)) => return Err(format!("delete {any:?}: store {e:?}, reference {want:?}")),
        Err(panic) => ensure_eq!(
            Some(panic),
            first,
            "delete {any:?}: the first panic of a row's drop goes on (rows whose drop \
             panics, in plan order: {cascade:?}, then the requested row's: {own:?})"
        ),
    }
    if cascade.is_empty() {
        let row = match any.typed::<Unit>() {
            Some(unit) => r.units.get(unit).map(|u| Plain::Unit(*u)),
            None => r
                .players
                .get(any.typed().unwrap())
                .cloned()
                .map(Plain::Player),
        };
        ensure_eq!(returned, row, "delete {any:?} returned the row");
    } else {
        ensure!(
            returned.is_none(),
            "delete {any:?} returned although a cascaded row's drop panicked"
        );
    }
    count(stats, format!("delete {} ok", T::TABLE));
    count_sizes(stats, "delete", &want);
    if want.deleted.len() > 1 {
        count(stats, "delete cascaded");
    }
    if !cascade.is_empty() {
        count(stats, "delete: a cascaded row's drop panicked");
        if cascade.len() > 1 {
            count(stats, "delete: several cascaded rows' drops panicked");
        }
        if want.deleted.len() > 128 {
            count(stats, "delete of more than 128 rows, a drop panicked");
        }
        if own.is_some() {
            count(
                stats,
                "delete: the requested row's drop panicked after a cascaded row's",
            );
        }
    } else if own.is_some() {
        count(stats, "delete: the returned row's drop panicked");
    }
    for (_, relation) in &want.nullified {
        count(stats, format!("delete set null {relation}"));
    }
    let largest = stats.entry("largest delete (rows)".into()).or_default();
    *largest = (*largest).max(want.deleted.len());
    r.apply(&want);
    Ok(())
}

fn row_mut(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    id: Id<Unit>,
    hp: u32,
    stats: &mut Stats,
) -> Result<(), String> {
    let old = r.units.get(id).copied();
    let got = quietly(|| db.row_mut(id).map(|view| *view.hp = hp))?;
    match (got, old) {
        (Ok(()), Some(old)) => {
            r.update_unit(id, PlainUnit { hp, ..old });
            count(stats, "row_mut ok");
        }
        (Err(e), None) => {
            ensure_eq!(e, NotFound { id: id.into() }, "row_mut of stale {id:?}");
            count(stats, "row_mut NotFound");
        }
        (got, old) => return Err(format!("row_mut {id:?}: store {got:?}, reference {old:?}")),
    }
    Ok(())
}

/// The hp an `edit_rows` closure gives a unit: its owner's name's length, plus 100 if it has
/// a leader (which reads as gone: the units are lent out).
fn derived_hp(owner_name: Option<&str>, leader_seen: bool) -> u32 {
    owner_name.map_or(0, |name| name.len() as u32) + if leader_seen { 100 } else { 0 }
}

fn edit_rows(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    panic_at: Option<(usize, bool)>,
    stats: &mut Stats,
) -> Result<(), String> {
    let rows = r.units.in_slot_order();
    let order: Vec<Id<Unit>> = rows.iter().map(|rec| rec.id).collect();
    let hps: Vec<u32> = (rows.iter())
        .map(|rec| {
            let owner = r.players.get(rec.row.owner_id).map(|p| p.name.as_str());
            derived_hp(owner, rec.row.leader_id.is_some())
        })
        .collect();
    let armed = rows
        .iter()
        .any(|rec| rec.row.arm.on_clone || rec.row.arm.on_drop);
    let n = order.len();
    let panics = panic_at.filter(|&(k, _)| k < n);
    let mut seen = Vec::new();
    let mut lent = true;
    let got = quietly(|| {
        db.edit_rows::<Unit>(|db, id, view| {
            let k = seen.len();
            seen.push(id);
            lent &= db.get(id).is_err() && db.table::<Unit>().is_empty();
            let owner = db.get(*view.owner_id).ok().map(|p| p.value().name.as_str());
            let leader = view.leader_id.is_some_and(|leader| db.get(leader).is_err());
            let hp = derived_hp(owner, leader);
            match panics {
                Some((at, write_first)) if at == k => {
                    if write_first {
                        *view.hp = hp;
                    }
                    resume_unwind(Box::new(EDIT_ROWS_PANIC))
                }
                _ => *view.hp = hp,
            }
        })
    });
    ensure!(lent, "edit_rows::<Unit>: the units did not read as empty");
    let (visited, edited) = match panics {
        Some((k, write_first)) => (k + 1, k + usize::from(write_first)),
        None => (n, n),
    };
    ensure_eq!(
        seen,
        order[..visited],
        "edit_rows::<Unit>: units seen, in slot order"
    );
    match (got, panics) {
        (Ok(()), None) => count(stats, "edit_rows units ok"),
        (Err(panic), Some(_)) => {
            ensure_eq!(
                panic,
                EDIT_ROWS_PANIC,
                "edit_rows::<Unit>: the panic goes on"
            );
            count(stats, "edit_rows panicked in closure");
        }
        (got, _) => {
            return Err(format!(
                "edit_rows::<Unit>: store {got:?}, reference panics at {panics:?}"
            ));
        }
    }
    if armed {
        count(stats, "edit_rows of units armed for clone or drop");
    }
    for (&id, &hp) in order.iter().zip(&hps).take(edited) {
        let old = *r.units.get(id).expect("a live unit");
        r.update_unit(id, PlainUnit { hp, ..old });
    }
    Ok(())
}

fn insert_many(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    rows: &[PlainUnit],
    stats: &mut Stats,
) -> Result<(), String> {
    let refusal = r.unit_batch_refusal(rows);
    // The ids one-by-one inserts get, from a second store loaded from this one's bytes (its
    // units unarmed: only the ids matter).
    let one_by_one: Vec<Id<Unit>> = match refusal {
        Some(_) => Vec::new(),
        None => {
            let bytes = save::write(db)?;
            let mut twin =
                Db::<Skirmish>::read_from(&bytes[..]).map_err(|e| format!("read_from: {e}"))?;
            let ids = (rows.iter())
                .map(|row| {
                    let arm = Arm::default();
                    twin.insert(PlainUnit { arm, ..*row }.build())
                })
                .collect::<Result<_, _>>();
            discard(twin, r);
            ids.map_err(|e| format!("one-by-one insert into the twin: {e:?}"))?
        }
    };
    let armed = rows.iter().any(|u| u.arm.on_clone || u.arm.on_drop);
    let units: Vec<Unit> = rows.iter().map(PlainUnit::build).collect();
    match (quietly(|| db.insert_many(units))?, refusal) {
        (Ok(ids), None) => {
            ensure_eq!(
                ids,
                one_by_one,
                "insert_many of units: the ids one by one gives"
            );
            let known: HashSet<Id<Unit>> = (r.units.ids())
                .chain(r.units.dead.iter().copied())
                .collect();
            let fresh: HashSet<Id<Unit>> = ids.iter().copied().collect();
            ensure!(
                fresh.len() == ids.len() && fresh.is_disjoint(&known),
                "insert_many of units returned ids already handed out: {ids:?}"
            );
            for (&id, &row) in ids.iter().zip(rows) {
                r.units.took_slot(id);
                r.insert_unit(id, row);
            }
            count(stats, "insert_many units ok");
            if armed {
                count(stats, "insert_many of units armed to panic");
            }
        }
        (Err(e), Some((position, violations))) => {
            let back: Vec<PlainUnit> = e.rows.iter().map(PlainUnit::of).collect();
            // Handed back whole; dropping an armed one would panic: those are forgotten.
            for unit in e.rows {
                if unit.bomb.arm().on_drop {
                    std::mem::forget(unit);
                }
            }
            ensure_eq!(
                e.position,
                position,
                "insert_many of units refused at the first bad row ({violations:?}); error {:?}",
                e.error
            );
            same_write_error(&e.error, &violations, None)?;
            ensure!(back == rows, "insert_many of units: the units handed back");
            count(stats, format!("insert_many units {}", variant(&e.error)));
            if armed {
                count(stats, "insert_many refused, armed units handed back");
            }
        }
        (got, want) => {
            let got = got.map(|ids| ids.len()).map_err(|e| (e.position, e.error));
            return Err(format!(
                "insert_many of units: store {got:?}, reference refuses {want:?}"
            ));
        }
    }
    Ok(())
}

/// The parents of a unit or a player, in the order of [`RELS`].
fn parents(row: RowRef) -> Vec<Option<AnyId>> {
    RELS.iter().map(|rel| (rel.key)(row)).collect()
}

fn retain(
    db: &mut Db<Skirmish>,
    r: &mut UnitsRef,
    table: &str,
    keep: &Keep,
    stats: &mut Stats,
) -> Result<(), String> {
    // Each row: its id, parents and text (a unit's hp, a player's name), in slot order.
    let rows: Vec<(AnyId, u64, Vec<Option<AnyId>>, String)> = if table == "units" {
        (r.units.in_slot_order().into_iter())
            .map(|rec| {
                let row = RowRef::Unit(&rec.row);
                (
                    rec.id.into(),
                    rec.id.to_bits(),
                    parents(row),
                    rec.row.hp.to_string(),
                )
            })
            .collect()
    } else {
        (r.players.in_slot_order().into_iter())
            .map(|rec| {
                let row = RowRef::Player(&rec.row);
                (
                    rec.id.into(),
                    rec.id.to_bits(),
                    parents(row),
                    rec.row.name.clone(),
                )
            })
            .collect()
    };
    let roots: Vec<AnyId> = (rows.iter())
        .filter(|(_, bits, parents, text)| keep.drops_with(*bits, parents, text))
        .map(|&(id, ..)| id)
        .collect();
    let order: Vec<AnyId> = rows.iter().map(|&(id, ..)| id).collect();
    let panics = keep.panic_at.filter(|&k| k < order.len());
    let want = r.plan_delete_many(&roots);
    let mut seen: Vec<AnyId> = Vec::new();
    let mut predicate = |id: AnyId, bits: u64, parents: Vec<Option<AnyId>>, text: String| {
        if panics == Some(seen.len()) {
            resume_unwind(Box::new(RETAIN_PANIC));
        }
        seen.push(id);
        !keep.drops_with(bits, &parents, &text)
    };
    let got = quietly(|| {
        if table == "units" {
            db.retain::<Unit>(|row| {
                let plain = PlainUnit::of(row.value());
                let (id, bits) = (row.id().into(), row.id().to_bits());
                predicate(
                    id,
                    bits,
                    parents(RowRef::Unit(&plain)),
                    plain.hp.to_string(),
                )
            })
        } else {
            db.retain::<Player>(|row| {
                let player = row.value();
                let text = player.name.clone();
                let (id, bits) = (row.id().into(), row.id().to_bits());
                predicate(id, bits, parents(RowRef::Player(player)), text)
            })
        }
    });
    let visited = panics.unwrap_or(order.len());
    ensure_eq!(
        seen,
        order[..visited],
        "retain::<{table}>: rows seen, in slot order"
    );
    if panics.is_some() {
        let panic = got.err();
        ensure_eq!(
            panic.as_deref(),
            Some(RETAIN_PANIC),
            "retain::<{table}>: the predicate's panic goes on, nothing else"
        );
        count(stats, "retain panicked in predicate");
        return Ok(()); // the step's full check shows the store unchanged
    }
    // Every planned row is dropped, in plan order: the first whose drop panics names the
    // panic that goes on (once every row is gone).
    let first = want.as_ref().ok().and_then(|plan| {
        plan.deleted.iter().find_map(|&(id, _)| {
            let unit = r.units.get(id.typed::<Unit>()?)?;
            unit.arm.on_drop.then(|| drop_message(unit.arm.label))
        })
    });
    let got = match (got, first) {
        (Ok(got), None) => got,
        (Err(panic), Some(first)) => {
            ensure_eq!(
                panic,
                first,
                "retain::<{table}>: the first panicking drop goes on"
            );
            count(stats, "retain: a deleted row's drop panicked");
            let plan = want.as_ref().map_err(|e| format!("{e:?}"))?;
            Ok(plan.deleted.len())
        }
        (got, first) => {
            return Err(format!(
                "retain::<{table}>: store {got:?}, reference: the drop panic {first:?} of {want:?}"
            ));
        }
    };
    if let Some(plan) = retain_outcome(got, want, &roots, &format!("retain {table}"), stats)? {
        r.apply(&plan);
    }
    Ok(())
}
