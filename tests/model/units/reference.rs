//! The naive reference of the unit schema: players and plain units in `Vec`s, every relation
//! question answered by scanning them. Deletes are planned by the forum reference's
//! [`plan_over`], from this schema's own description of its relations ([`RELS`]).

use std::collections::{HashMap, HashSet};

use relstore::{AnyId, Id, OnDelete};

use super::schema::{PlainUnit, Player, Unit};
use crate::ops::KeyChange;
use crate::reference::{
    BatchRel, Links, Rec, RefDeleteError, RefPlan, RefTable, Violation, first_refused, plan_over,
    plan_over_many,
};

/// `new` with every key put back as `old` has it: what a refused or panicking edit leaves.
pub fn unit_keys_put_back(old: &PlainUnit, new: &PlainUnit) -> PlainUnit {
    let mut kept = *new;
    for rel in &RELS {
        (rel.copy_unit)(old, &mut kept);
    }
    kept
}

/// The same for a player.
pub fn player_keys_put_back(old: &Player, new: &Player) -> Player {
    let mut kept = new.clone();
    for rel in &RELS {
        (rel.copy_player)(old, &mut kept);
    }
    kept
}

/// A row of either table, as the reference holds it.
#[derive(Clone, Copy, Debug)]
pub enum RowRef<'a> {
    Unit(&'a PlainUnit),
    Player(&'a Player),
}

/// A relation of the unit schema, written independently of the store's declarations.
pub struct Rel {
    pub name: &'static str,
    pub child_table: &'static str,
    pub policy: OnDelete,
    pub unique: bool,
    /// The key of a row of the child table (`None` for a row of the other table).
    pub key: fn(RowRef) -> Option<AnyId>,
    /// Sets the key of a plain unit or player to `None`.
    pub clear_unit: fn(&mut PlainUnit),
    pub clear_player: fn(&mut Player),
    /// Sets the key of the second unit or player to the first's (a refused edit's keys go
    /// back).
    pub copy_unit: fn(&PlainUnit, &mut PlainUnit),
    pub copy_player: fn(&Player, &mut Player),
}

fn unit_key<P: relstore::Model>(
    row: RowRef,
    key: fn(&PlainUnit) -> Option<Id<P>>,
) -> Option<AnyId> {
    match row {
        RowRef::Unit(unit) => key(unit).map(AnyId::from),
        RowRef::Player(_) => None,
    }
}

pub const RELS: [Rel; 7] = [
    Rel {
        name: "UnitOwner",
        child_table: "units",
        policy: OnDelete::Cascade,
        unique: false,
        key: |row| unit_key(row, |u| Some(u.owner_id)),
        clear_unit: |_| unreachable!("a required key"),
        clear_player: |_| {},
        copy_unit: |from, to| to.owner_id = from.owner_id,
        copy_player: |_, _| {},
    },
    Rel {
        name: "UnitRival",
        child_table: "units",
        policy: OnDelete::SetNull,
        unique: true,
        key: |row| unit_key(row, |u| u.rival_id),
        clear_unit: |u| u.rival_id = None,
        clear_player: |_| {},
        copy_unit: |from, to| to.rival_id = from.rival_id,
        copy_player: |_, _| {},
    },
    Rel {
        name: "UnitTarget",
        child_table: "units",
        policy: OnDelete::SetNull,
        unique: false,
        key: |row| unit_key(row, |u| u.target_id),
        clear_unit: |u| u.target_id = None,
        clear_player: |_| {},
        copy_unit: |from, to| to.target_id = from.target_id,
        copy_player: |_, _| {},
    },
    Rel {
        name: "UnitLeader",
        child_table: "units",
        policy: OnDelete::Cascade,
        unique: false,
        key: |row| unit_key(row, |u| u.leader_id),
        clear_unit: |u| u.leader_id = None,
        clear_player: |_| {},
        copy_unit: |from, to| to.leader_id = from.leader_id,
        copy_player: |_, _| {},
    },
    Rel {
        name: "UnitMentor",
        child_table: "units",
        policy: OnDelete::Restrict,
        unique: true,
        key: |row| unit_key(row, |u| u.mentor_id),
        clear_unit: |u| u.mentor_id = None,
        clear_player: |_| {},
        copy_unit: |from, to| to.mentor_id = from.mentor_id,
        copy_player: |_, _| {},
    },
    Rel {
        name: "UnitGuard",
        child_table: "units",
        policy: OnDelete::Cascade,
        unique: true,
        key: |row| unit_key(row, |u| u.guard_id),
        clear_unit: |u| u.guard_id = None,
        clear_player: |_| {},
        copy_unit: |from, to| to.guard_id = from.guard_id,
        copy_player: |_, _| {},
    },
    Rel {
        name: "PlayerCaptain",
        child_table: "players",
        policy: OnDelete::SetNull,
        unique: true,
        key: |row| match row {
            RowRef::Player(player) => player.captain_id.map(AnyId::from),
            RowRef::Unit(_) => None,
        },
        clear_unit: |_| {},
        clear_player: |p| p.captain_id = None,
        copy_unit: |_, _| {},
        copy_player: |from, to| to.captain_id = from.captain_id,
    },
];

#[derive(Clone, Default)]
pub struct UnitsRef {
    pub players: RefTable<Player>,
    pub units: RefTable<Unit, PlainUnit>,
    next_seq: u64,
}

impl UnitsRef {
    pub fn live(&self, id: AnyId) -> bool {
        if let Some(id) = id.typed::<Unit>() {
            self.units.get(id).is_some()
        } else if let Some(id) = id.typed::<Player>() {
            self.players.get(id).is_some()
        } else {
            unreachable!("no table {}", id.table())
        }
    }

    pub fn len(&self) -> usize {
        self.players.rows.len() + self.units.rows.len()
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn insert_unit(&mut self, id: Id<Unit>, row: PlainUnit) {
        let seq = self.seq();
        self.units.rows.push(Rec { id, row, seq });
    }

    pub fn insert_player(&mut self, id: Id<Player>, row: Player) {
        let seq = self.seq();
        self.players.rows.push(Rec { id, row, seq });
    }

    /// Replaces a row's value in place: it keeps its insertion order.
    pub fn update_unit(&mut self, id: Id<Unit>, row: PlainUnit) {
        let rec = self.units.rows.iter_mut().find(|rec| rec.id == id);
        rec.expect("a live unit").row = row;
    }

    pub fn update_player(&mut self, id: Id<Player>, row: Player) {
        let rec = self.players.rows.iter_mut().find(|rec| rec.id == id);
        rec.expect("a live player").row = row;
    }

    /// Every relation's (child, parent) pairs, children in insertion order.
    pub fn links(&self) -> Vec<Links> {
        let units = self.units.in_insertion_order();
        let players = self.players.in_insertion_order();
        RELS.iter()
            .map(|rel| {
                let pairs = if rel.child_table == "units" {
                    let key = |rec: &&Rec<Unit, PlainUnit>| {
                        (rel.key)(RowRef::Unit(&rec.row)).map(|p| (rec.id.into(), p))
                    };
                    units.iter().filter_map(key).collect()
                } else {
                    let key = |rec: &&Rec<Player>| {
                        (rel.key)(RowRef::Player(&rec.row)).map(|p| (rec.id.into(), p))
                    };
                    players.iter().filter_map(key).collect()
                };
                (rel.name, rel.policy, pairs)
            })
            .collect()
    }

    /// The keys that differ between `old` and `new`, rows of one table: each relation's name
    /// and the parent before and after.
    pub fn changed_keys(old: RowRef, new: RowRef) -> Vec<KeyChange> {
        (RELS.iter())
            .map(|rel| (rel.name, (rel.key)(old), (rel.key)(new)))
            .filter(|(_, before, after)| before != after)
            .collect()
    }

    /// Every rule that writing `row` (as row `this`, or as a new row) would break.
    pub fn write_violations(&self, row: RowRef, this: Option<AnyId>) -> Vec<Violation> {
        let mut out = Vec::new();
        for rel in &RELS {
            let Some(parent) = (rel.key)(row) else {
                continue;
            };
            if !self.live(parent) {
                out.push(Violation::Missing {
                    relation: rel.name,
                    parent,
                });
            } else if rel.unique {
                let units = self.units.rows.iter();
                let units = units.map(|rec| (AnyId::from(rec.id), RowRef::Unit(&rec.row)));
                let players = self.players.rows.iter();
                let players = players.map(|rec| (AnyId::from(rec.id), RowRef::Player(&rec.row)));
                let mut rows = units.chain(players);
                let other = rows
                    .find(|&(child, row)| (rel.key)(row) == Some(parent) && Some(child) != this);
                if let Some((existing, _)) = other {
                    out.push(Violation::Taken {
                        relation: rel.name,
                        parent,
                        existing,
                    });
                }
            }
        }
        out
    }

    /// What deleting `root` does.
    pub fn plan_delete(&self, root: AnyId) -> Result<RefPlan, RefDeleteError> {
        if !self.live(root) {
            return Err(RefDeleteError::NotFound);
        }
        plan_over(root, &self.links())
    }

    /// What deleting the live rows `roots` at once does (a `retain`).
    pub fn plan_delete_many(&self, roots: &[AnyId]) -> Result<RefPlan, RefDeleteError> {
        plan_over_many(roots, &self.links())
    }

    /// The first unit of an `insert_many` batch that the store must refuse, and every rule it
    /// breaks (see [`first_refused`]).
    pub fn unit_batch_refusal(&self, rows: &[PlainUnit]) -> Option<(usize, Vec<Violation>)> {
        let links = self.links();
        let rels: Vec<BatchRel<PlainUnit>> = (RELS.iter().zip(&links))
            .filter(|(rel, _)| rel.child_table == "units")
            .map(|(rel, (_, _, pairs))| BatchRel {
                name: rel.name,
                unique: rel.unique,
                key: Box::new(move |unit: &PlainUnit| (rel.key)(RowRef::Unit(unit))),
                taken: match rel.unique {
                    true => pairs.iter().map(|&(c, p)| (p, c)).collect(),
                    false => HashMap::new(),
                },
            })
            .collect();
        let live: HashSet<AnyId> = (self.units.ids().map(AnyId::from))
            .chain(self.players.ids().map(AnyId::from))
            .collect();
        first_refused(rows, &rels, &live)
    }

    pub fn apply(&mut self, plan: &RefPlan) {
        for &(child, relation) in &plan.nullified {
            let rel = RELS.iter().find(|rel| rel.name == relation).unwrap();
            if let Some(id) = child.typed::<Unit>() {
                let rec = self.units.rows.iter_mut().find(|rec| rec.id == id);
                (rel.clear_unit)(&mut rec.expect("a live unit").row);
            } else if let Some(id) = child.typed::<Player>() {
                let rec = self.players.rows.iter_mut().find(|rec| rec.id == id);
                (rel.clear_player)(&mut rec.expect("a live player").row);
            }
        }
        let deleted: HashSet<AnyId> = plan.deleted.iter().map(|&(id, _)| id).collect();
        (self.units.rows).retain(|rec| !deleted.contains(&rec.id.into()));
        (self.players.rows).retain(|rec| !deleted.contains(&rec.id.into()));
        for &(id, _) in &plan.deleted {
            if let Some(id) = id.typed::<Unit>() {
                self.units.dead.push(id);
            } else if let Some(id) = id.typed::<Player>() {
                self.players.dead.push(id);
            }
        }
    }
}
