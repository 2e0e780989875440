//! Bulk writes of the indexed game, on the store and on the reference: `delete` and
//! `delete_many` (a stale id anywhere refuses the set, named), `delete_where`, `update_many`
//! and `update_where` (every copy checked against the store as it will be), `insert_many`.
//! Where the store names a later row than the first refused one (see
//! [`FIRST_REFUSED`]), the run expects what it does and counts it.

use relstore::{AnyId, Db, DeleteError, HasTable, Id, NotFound};

use super::ops::{AsRow, Change, Row, changed, picks, same_error, typed, variant};
use super::reference::{FIRST_REFUSED, GameModel, GameRef, Order, Refusal};
use super::schema::Game;
use crate::ops::{Stats, count};
use crate::reference::{RefDeleteError, RefPlan};

/// `delete` of `ids[0]` (`one`), or `delete_many` of `ids`.
pub fn delete_many<T: GameModel>(
    db: &mut Db<Game>,
    r: &mut GameRef,
    ids: &[AnyId],
    one: bool,
    stats: &mut Stats,
) -> Result<(), String>
where
    Game: HasTable<T>,
{
    let typed_ids: Vec<Id<T>> = ids.iter().map(|&id| typed(id)).collect();
    let stale = ids.iter().copied().find(|&id| !r.live(id));
    let want = match stale {
        Some(_) => Err(RefDeleteError::NotFound),
        None => r.plan_delete_many(ids),
    };
    let (verb, got) = match one {
        true => ("delete", db.delete(typed_ids[0]).map(|_| 1)),
        false => ("delete_many", db.delete_many(typed_ids)),
    };
    deleted(verb, T::TABLE, got, want, stale, !one, r, stats)
}

pub fn delete_where<T: GameModel>(
    db: &mut Db<Game>,
    r: &mut GameRef,
    salt: u64,
    percent: usize,
    stats: &mut Stats,
) -> Result<(), String>
where
    Game: HasTable<T>,
{
    let rows = T::of(r).in_slot_order();
    let roots: Vec<AnyId> = (rows.iter().map(|rec| rec.id))
        .filter(|id| picks(id.to_bits(), salt, percent))
        .map(AnyId::from)
        .collect();
    let want = r.plan_delete_many(&roots);
    let got = db.delete_where::<T>(|row| picks(row.id().to_bits(), salt, percent));
    deleted("delete_where", T::TABLE, got, want, None, true, r, stats)
}

/// A delete's outcome against the reference's plan (`stale`: the first stale id asked for);
/// with `counted`, the store returned how many rows went.
#[allow(clippy::too_many_arguments)]
fn deleted(
    verb: &str,
    table: &str,
    got: Result<usize, DeleteError>,
    want: Result<RefPlan, RefDeleteError>,
    stale: Option<AnyId>,
    counted: bool,
    r: &mut GameRef,
    stats: &mut Stats,
) -> Result<(), String> {
    match (got, want) {
        (Ok(n), Ok(plan)) => {
            ensure!(
                !counted || n == plan.deleted.len(),
                "{verb}: {n} rows deleted, reference {}",
                plan.deleted.len()
            );
            count(stats, format!("{verb} {table} ok"));
            if plan.deleted.len() > 1 {
                count(stats, format!("{verb} cascaded"));
            }
            for (_, relation) in &plan.nullified {
                count(stats, format!("delete set null {relation}"));
            }
            r.apply(&plan);
        }
        (Err(DeleteError::NotFound(NotFound { id })), Err(RefDeleteError::NotFound)) => {
            ensure_eq!(Some(id), stale, "{verb}: NotFound names the first stale id");
            count(stats, format!("{verb} NotFound"));
        }
        (
            Err(DeleteError::Restricted {
                relation,
                parent,
                child,
            }),
            Err(RefDeleteError::Blocked(blockers)),
        ) => {
            let named = (relation.name, parent, child);
            ensure!(
                blockers.contains(&named),
                "{verb}: store blocked by {named:?}, reference's blockers {blockers:?}"
            );
            count(stats, format!("{verb} Restricted"));
        }
        (got, want) => return Err(format!("{verb}: store {got:?}, reference {want:?}")),
    }
    Ok(())
}

/// `update_many` of `ids`, or `update_where` with this predicate (`ids` are the rows it picks,
/// in slot order).
pub fn update_many<T: GameModel + AsRow>(
    db: &mut Db<Game>,
    r: &mut GameRef,
    ids: &[Id<T>],
    change: &Change,
    predicate: Option<(u64, usize)>,
    stats: &mut Stats,
) -> Result<(), String>
where
    Game: HasTable<T>,
    Row: From<T>,
{
    let apply = |row: &T| changed(row, change);
    let order = if FIRST_REFUSED {
        Order::FirstRefused
    } else {
        Order::Store
    };
    let want = r.update_many_refusal(ids, &apply, order);
    if !FIRST_REFUSED && want != r.update_many_refusal(ids, &apply, Order::FirstRefused) {
        count(
            stats,
            "update_many: refused past the first refused row (known)",
        );
    }
    let (verb, got) = match predicate {
        None => (
            "update_many",
            db.update_many(ids.to_vec(), |row| *row = apply(row)),
        ),
        Some((salt, percent)) => {
            let picked = |row: relstore::Row<'_, T, Game>| picks(row.id().to_bits(), salt, percent);
            (
                "update_where",
                db.update_where::<T>(picked, |row| *row = apply(row)),
            )
        }
    };
    match (got, want) {
        (Ok(n), Ok(rows)) => {
            ensure_eq!(n, rows.len(), "{verb}: rows changed");
            count(stats, format!("{verb} {} ok", T::TABLE));
            if rows.len() > 1 && rows.iter().any(|(id, row)| T::of(r).get(*id) != Some(row)) {
                count(stats, format!("{verb} changed several rows"));
            }
            // A row took a unique key another row of the update held before.
            let held = |id: Id<T>| T::of(r).get(id).map_or(Vec::new(), T::unique_keys);
            let traded = rows.iter().any(|(id, row)| {
                let mine = held(*id);
                let others = rows.iter().filter(|(other, _)| other != id);
                let taken = row
                    .unique_keys()
                    .into_iter()
                    .filter(|key| !mine.contains(key));
                taken
                    .into_iter()
                    .any(|key| others.clone().any(|(other, _)| held(*other).contains(&key)))
            });
            if traded {
                count(stats, format!("{verb} traded unique keys"));
            }
            for (id, row) in rows {
                r.update(id, row);
            }
        }
        (Err(e), Err((position, why))) => {
            ensure_eq!(
                e.position,
                position,
                "{verb}: refused at ({:?}; reference {why:?})",
                e.error
            );
            ensure!(e.rows == ids, "{verb}: the ids handed back");
            same_error(&e.error, &why, T::TABLE, Some(ids[position].into()))?;
            count(stats, format!("{verb} {}", variant(&e.error)));
        }
        (got, want) => {
            let got = got.map_err(|e| (e.position, e.error));
            return Err(format!("{verb}: store {got:?}, reference {want:?}"));
        }
    }
    Ok(())
}

pub fn insert_many<T: GameModel>(
    db: &mut Db<Game>,
    r: &mut GameRef,
    rows: Vec<T>,
    stats: &mut Stats,
) -> Result<(), String>
where
    Game: HasTable<T>,
{
    let order = if FIRST_REFUSED {
        Order::FirstRefused
    } else {
        Order::Store
    };
    let want: Option<Refusal> = r.insert_many_refusal(&rows, order);
    if !FIRST_REFUSED && want != r.insert_many_refusal(&rows, Order::FirstRefused) {
        count(
            stats,
            "insert_many: refused past the first refused row (known)",
        );
    }
    match (db.insert_many(rows.clone()), want) {
        (Ok(ids), None) => {
            ensure_eq!(ids.len(), rows.len(), "insert_many: ids");
            for (id, row) in ids.into_iter().zip(rows) {
                ensure!(
                    T::of(r).fresh(id),
                    "insert_many returned {id:?}, an id already handed out"
                );
                r.insert(id, row);
            }
            count(stats, format!("insert_many {} ok", T::TABLE));
        }
        (Err(e), Some((position, why))) => {
            ensure_eq!(
                e.position,
                position,
                "insert_many: refused at ({:?}; reference {why:?})",
                e.error
            );
            ensure!(e.rows == rows, "insert_many: the rows handed back");
            same_error(&e.error, &why, T::TABLE, None)?;
            count(stats, format!("insert_many {}", variant(&e.error)));
        }
        (got, want) => {
            let got = got.map_err(|e| (e.position, e.error));
            return Err(format!("insert_many: store {got:?}, reference {want:?}"));
        }
    }
    Ok(())
}
