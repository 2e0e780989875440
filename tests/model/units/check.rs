//! After every step: every read of the unit schema, compared with the reference (through the
//! forum's generic checks).

use relstore::{Db, Id};

use super::reference::UnitsRef;
use super::schema::*;
use crate::check::{relation_of, table_of};
use crate::reference::RefTable;

pub fn everything(db: &Db<Skirmish>, r: &UnitsRef) -> Result<(), String> {
    db.check_integrity()
        .map_err(|e| format!("check_integrity: {e} ({e:?})"))?;
    let same_unit = |unit: &Unit, plain: &PlainUnit| PlainUnit::of(unit) == *plain;
    table_of(db, &r.players, Player::eq)?;
    table_of(db, &r.units, same_unit)?;

    let (units, players) = (&r.units, &r.players);
    relation_of::<UnitOwner, _, _>(
        db,
        &keys(units, |u| Some(u.owner_id)),
        &units.dead,
        players,
        Player::eq,
    )?;
    relation_of::<UnitRival, _, _>(
        db,
        &keys(units, |u| u.rival_id),
        &units.dead,
        players,
        Player::eq,
    )?;
    relation_of::<UnitTarget, _, _>(
        db,
        &keys(units, |u| u.target_id),
        &units.dead,
        units,
        same_unit,
    )?;
    relation_of::<UnitLeader, _, _>(
        db,
        &keys(units, |u| u.leader_id),
        &units.dead,
        units,
        same_unit,
    )?;
    relation_of::<UnitMentor, _, _>(
        db,
        &keys(units, |u| u.mentor_id),
        &units.dead,
        units,
        same_unit,
    )?;
    relation_of::<UnitGuard, _, _>(
        db,
        &keys(units, |u| u.guard_id),
        &units.dead,
        units,
        same_unit,
    )?;
    relation_of::<PlayerCaptain, _, _>(
        db,
        &keys(players, |p| p.captain_id),
        &players.dead,
        units,
        same_unit,
    )?;
    Ok(())
}

/// Every live row of `table` with its key, in insertion order.
fn keys<T, R, P>(
    table: &RefTable<T, R>,
    key: impl Fn(&R) -> Option<Id<P>>,
) -> Vec<(Id<T>, Option<Id<P>>)> {
    (table.in_insertion_order().into_iter())
        .map(|rec| (rec.id, key(&rec.row)))
        .collect()
}
