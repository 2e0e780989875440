//! After every step: every read the store offers, compared with the reference.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;

use relstore::{
    Db, ForeignKey, HasMany, HasOne, HasRelation, HasTable, Id, Model, NotFound, ParentRow,
    Relation, Row,
};

use crate::reference::{RELATIONS, RefModel, RefTable, Reference};
use crate::schema::*;

/// Dead ids whose relation reads (has-many, has-one, belongs-to) are checked per step, newest
/// first.
const DEAD_SAMPLE: usize = 8;

/// `get` and `contains` are checked for every id that died since the last check, and for every
/// older dead id as long as a table has at most `DEAD_ALL` of them; past that, for a window of
/// `DEAD_WINDOW` older ones that moves on at each check, so that every dead id is checked again
/// now and then (after a delete of thousands of rows, checking every dead id at every step
/// would cost more than the rest of the run).
const DEAD_ALL: usize = 256;
const DEAD_WINDOW: usize = 64;

/// A slot index the store never reaches in these runs: an id that never existed.
const NEVER: u64 = (1 << 32) | 90_000;

pub fn everything(db: &Db<Forum>, r: &Reference) -> Result<(), String> {
    db.check_integrity()
        .map_err(|e| format!("check_integrity: {e} ({e:?})"))?;
    table::<User>(db, r)?;
    table::<Post>(db, r)?;
    table::<Comment>(db, r)?;
    table::<Profile>(db, r)?;
    table::<Category>(db, r)?;
    for rel in RELATIONS {
        rel.check(db, r)?;
    }
    Ok(())
}

fn lookup(e: NotFound) -> String {
    format!("unexpected lookup error: {e}")
}

/// [`table_of`] for a table of the forum, whose reference rows are of the store's own type.
fn table<T: RefModel>(db: &Db<Forum>, r: &Reference) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    table_of(db, T::of(r), T::eq)
}

/// Counts, iteration, `get` and `contains` for live, dead and never-issued ids of table `T`,
/// whose rows the reference holds as `R`s; `same` tells whether a stored row is the
/// reference's.
pub fn table_of<T, R, S>(
    db: &Db<S>,
    want: &RefTable<T, R>,
    same: impl Fn(&T, &R) -> bool,
) -> Result<(), String>
where
    T: Model + Debug,
    R: Debug,
    S: HasTable<T>,
{
    let name = T::TABLE;
    let agree = |store: Option<&T>, reference: Option<&R>, what: &dyn Fn() -> String| {
        let agreed = match (store, reference) {
            (Some(store), Some(reference)) => same(store, reference),
            (store, reference) => store.is_none() && reference.is_none(),
        };
        ensure!(
            agreed,
            "{}\n   store: {store:?}\n   reference: {reference:?}",
            what()
        );
        Ok::<(), String>(())
    };
    let table = db.table::<T>();
    ensure_eq!(table.len(), want.rows.len(), "{name}: len()");
    ensure_eq!(table.is_empty(), want.rows.is_empty(), "{name}: is_empty()");

    let by_id: HashMap<Id<T>, &R> = want.rows.iter().map(|rec| (rec.id, &rec.row)).collect();
    let mut seen = HashSet::new();
    ensure_eq!(table.iter().len(), want.rows.len(), "{name}: iter().len()");
    for row in table {
        ensure!(
            seen.insert(row.id()),
            "{name}: iter() yields {:?} twice",
            row.id()
        );
        let expected = by_id.get(&row.id()).copied();
        agree(Some(row.value()), expected, &|| {
            format!("{name}: iter() yields {:?}", row.id())
        })?;
    }
    ensure_eq!(
        seen.len(),
        want.rows.len(),
        "{name}: rows yielded by iter()"
    );

    for rec in &want.rows {
        let row = db.get(rec.id).map_err(lookup)?;
        ensure_eq!(row.id(), rec.id, "{name}: get({:?}).id()", rec.id);
        agree(Some(row.value()), Some(&rec.row), &|| {
            format!("{name}: get({:?})", rec.id)
        })?;
        ensure!(db.contains(rec.id), "{name}: contains({:?})", rec.id);
        ensure!(
            table.contains(rec.id),
            "{name}: table.contains({:?})",
            rec.id
        );
        let via_table = table.get(rec.id).map(|row| row.value());
        agree(via_table, Some(&rec.row), &|| {
            format!("{name}: table.get({:?})", rec.id)
        })?;
    }

    let never = Id::<T>::from_bits(NEVER);
    let checked = want
        .dead_checked
        .replace(want.dead.len())
        .min(want.dead.len());
    let (older, fresh) = want.dead.split_at(checked);
    let window = if older.len() <= DEAD_ALL {
        older.len()
    } else {
        DEAD_WINDOW
    };
    let start = want.dead_cursor.replace(want.dead_cursor.get() + window);
    let older = older
        .iter()
        .cycle()
        .skip(start % older.len().max(1))
        .take(window);
    for &dead in fresh.iter().chain(older).chain([&never]) {
        let got = db.get(dead).map(|row| row.id());
        let not_found = NotFound { id: dead.into() };
        ensure_eq!(got, Err(not_found), "{name}: get of dead id {dead:?}");
        ensure!(!db.contains(dead), "{name}: contains(dead {dead:?})");
        ensure!(
            table.get(dead).is_none(),
            "{name}: table.get(dead {dead:?})"
        );
        ensure!(
            !table.contains(dead),
            "{name}: table.contains(dead {dead:?})"
        );
    }
    Ok(())
}

/// A live child of relation `R` and its key.
pub type ChildKey<R> = (
    Id<<R as Relation>::Child>,
    Option<Id<<R as Relation>::Parent>>,
);

/// [`relation_of`] for a relation of the forum, from one scan of its child rows.
pub fn relation<R: Spec>(db: &Db<Forum>, r: &Reference) -> Result<(), String>
where
    Forum: HasRelation<R>,
    R::Child: RefModel,
    R::Parent: RefModel,
{
    let children = R::Child::of(r);
    let keys: Vec<_> = (children.in_insertion_order().into_iter())
        .map(|rec| (rec.id, R::parent_of(&rec.row)))
        .collect();
    relation_of::<R, Forum, R::Parent>(db, &keys, &children.dead, R::Parent::of(r), R::Parent::eq)
}

/// Every belongs-to answer of every live child, every has-many / has-one answer of every live
/// parent, and the errors for dead ids. `keys` is every live child with its key, in insertion
/// order; the reference holds the parents as `P`s, and `same` tells whether a stored parent
/// is the reference's.
pub fn relation_of<R, S, P>(
    db: &Db<S>,
    keys: &[ChildKey<R>],
    dead_children: &[Id<R::Child>],
    parents: &RefTable<R::Parent, P>,
    same: impl Fn(&R::Parent, &P) -> bool,
) -> Result<(), String>
where
    R: Spec<Parent: Debug>,
    S: HasRelation<R>,
    P: Debug,
{
    let name = R::NAME;
    let live_parents: HashMap<Id<R::Parent>, &P> =
        parents.rows.iter().map(|rec| (rec.id, &rec.row)).collect();
    let mut want: HashMap<Id<R::Parent>, Vec<Id<R::Child>>> = HashMap::new();
    for &(child, key) in keys {
        if let Some(parent) = key {
            ensure!(
                live_parents.contains_key(&parent),
                "reference broken: {name}: {child:?} points to dead {parent:?}"
            );
            want.entry(parent).or_default().push(child);
        }
        let got = db.belongs_to(R::default(), child);
        let got = got.map(|p| parent_of::<R, S>(p).map(|row| row.id()));
        ensure_eq!(got, Ok(key), "{name}: db.belongs_to({child:?})");
        let row = db.get(child).map_err(lookup)?;
        let got = parent_of::<R, S>(row.belongs_to(R::default()));
        if let Some(parent) = got {
            let value = live_parents.get(&parent.id()).copied();
            ensure!(
                value.is_some_and(|value| same(parent.value(), value)),
                "{name}: parent row value\n   store: {:?}\n   reference: {value:?}",
                parent.value()
            );
        }
        let got = got.map(|row| row.id());
        ensure_eq!(got, key, "{name}: get({child:?}).belongs_to()");
        let handle = db.relation(R::default());
        let got = handle.belongs_to(child);
        let got = got.map(|p| parent_of::<R, S>(p).map(|row| row.id()));
        ensure_eq!(got, Ok(key), "{name}: relation().belongs_to({child:?})");
        let got = handle.parent_of(row.value());
        let got = got.map(|p| parent_of::<R, S>(p).map(|row| row.id()));
        ensure_eq!(got, Ok(key), "{name}: relation().parent_of({child:?})");
    }

    for rec in &parents.rows {
        let expected = want.get(&rec.id).map_or(&[][..], Vec::as_slice);
        ensure!(
            !R::UNIQUE || expected.len() <= 1,
            "reference broken: {name} has-one"
        );
        let got = R::store_children(db, rec.id)?;
        let got = got.map_err(|e| format!("{name}: children of live {:?}: {e}", rec.id))?;
        ensure_eq!(got, expected, "{name}: children of {:?}, in order", rec.id);
        let count = db.relation(R::default()).count(rec.id);
        ensure_eq!(
            count,
            Ok(expected.len()),
            "{name}: relation().count({:?})",
            rec.id
        );
    }

    for &dead in parents.dead.iter().rev().take(DEAD_SAMPLE) {
        let got = R::store_children(db, dead)?;
        let not_found = NotFound { id: dead.into() };
        ensure_eq!(got, Err(not_found), "{name}: children of dead {dead:?}");
        let count = db.relation(R::default()).count(dead);
        ensure_eq!(
            count,
            Err(not_found),
            "{name}: relation().count(dead {dead:?})"
        );
    }
    for &dead in dead_children.iter().rev().take(DEAD_SAMPLE) {
        let got = db
            .belongs_to(R::default(), dead)
            .map(|p| parent_of::<R, S>(p).map(|row| row.id()));
        let not_found = NotFound { id: dead.into() };
        ensure_eq!(got, Err(not_found), "{name}: belongs_to of dead {dead:?}");
        let via_handle = db.relation(R::default()).belongs_to(dead);
        let via_handle = via_handle.map(|p| parent_of::<R, S>(p).map(|row| row.id()));
        ensure_eq!(
            via_handle,
            Err(not_found),
            "{name}: relation().belongs_to(dead {dead:?})"
        );
    }
    Ok(())
}

/// A navigation's answer to a child's parent (a `Row` for a required key, an `Option<Row>`
/// for an optional one), as an `Option`.
fn parent_of<'db, R: Relation, S>(answer: ParentRow<'db, R, S>) -> Option<Row<'db, R::Parent, S>> {
    <R::Key as ForeignKey<R::Parent>>::into_option(answer)
}

/// A has-many parent's children through `db.has_many` (ids, rows, backwards, `len`) and
/// `row.has_many`; every child yielded must point to the parent.
#[allow(clippy::type_complexity)]
pub fn has_many_answers<R, S>(
    db: &Db<S>,
    parent: Id<R::Parent>,
) -> Result<Result<Vec<Id<R::Child>>, NotFound>, String>
where
    R: Spec + Relation<Kind = HasMany>,
    S: HasRelation<R>,
{
    let name = R::NAME;
    let children = match db.has_many(R::default(), parent) {
        Ok(children) => children,
        Err(e) => {
            ensure!(
                db.get(parent).is_err(),
                "{name}: has_many failed for live {parent:?}"
            );
            let via_handle = db.relation(R::default()).has_many(parent).err();
            ensure_eq!(
                via_handle,
                Some(e),
                "{name}: relation().has_many({parent:?}) vs db.has_many"
            );
            return Ok(Err(e));
        }
    };
    let len = children.len();
    let ids: Vec<_> = children.clone().ids().collect();
    let mut rows = Vec::new();
    for row in children.clone() {
        let key = R::parent_of(row.value());
        ensure_eq!(
            key,
            Some(parent),
            "{name}: child {:?} yielded under {parent:?}",
            row.id()
        );
        rows.push(row.id());
    }
    let mut backwards: Vec<_> = children.rev().map(|row| row.id()).collect();
    backwards.reverse();
    let row = db.get(parent).map_err(lookup)?;
    let via_row: Vec<_> = row.has_many(R::default()).map(|row| row.id()).collect();
    ensure_eq!(len, ids.len(), "{name}: has_many({parent:?}).len()");
    ensure_eq!(rows, ids, "{name}: has_many({parent:?}) rows vs ids()");
    ensure_eq!(backwards, ids, "{name}: has_many({parent:?}) backwards");
    ensure_eq!(
        via_row,
        ids,
        "{name}: get({parent:?}).has_many() vs db.has_many"
    );
    let handle = db.relation(R::default());
    let via_handle: Vec<_> = (handle.has_many(parent).map_err(lookup)?)
        .map(|row| row.id())
        .collect();
    ensure_eq!(via_handle, ids, "{name}: relation().has_many({parent:?})");
    Ok(Ok(ids))
}

/// A has-one parent's child through `db.has_one` and `row.has_one`.
#[allow(clippy::type_complexity)]
pub fn has_one_answers<R, S>(
    db: &Db<S>,
    parent: Id<R::Parent>,
) -> Result<Result<Vec<Id<R::Child>>, NotFound>, String>
where
    R: Spec + Relation<Kind = HasOne>,
    S: HasRelation<R>,
{
    let name = R::NAME;
    let one = match db.has_one(R::default(), parent) {
        Ok(one) => one,
        Err(e) => {
            ensure!(
                db.get(parent).is_err(),
                "{name}: has_one failed for live {parent:?}"
            );
            let via_handle = db.relation(R::default()).has_one(parent).err();
            ensure_eq!(
                via_handle,
                Some(e),
                "{name}: relation().has_one({parent:?}) vs db.has_one"
            );
            return Ok(Err(e));
        }
    };
    if let Some(child) = one {
        let key = R::parent_of(child.value());
        ensure_eq!(
            key,
            Some(parent),
            "{name}: child {:?} of {parent:?}",
            child.id()
        );
    }
    let one = one.map(|row| row.id());
    let row = db.get(parent).map_err(lookup)?;
    let via_row = row.has_one(R::default()).map(|row| row.id());
    ensure_eq!(
        via_row,
        one,
        "{name}: get({parent:?}).has_one() vs db.has_one"
    );
    let handle = db.relation(R::default());
    let via_handle = handle.has_one(parent).map_err(lookup)?.map(|row| row.id());
    ensure_eq!(via_handle, one, "{name}: relation().has_one({parent:?})");
    Ok(Ok(one.into_iter().collect()))
}
