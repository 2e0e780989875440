//! The second schema: players and units. One table carries several relations (owner, rival,
//! target, leader, mentor, guard), four of them to its own table; has-one relations with each
//! policy (a self-referential has-one among them); and a relation back from players to units,
//! so that cascades cross between the two tables both ways.
//!
//! A unit carries a [`Bomb`]: its `Clone` or its `Drop` panics when armed. The reference never
//! holds a bomb, only [`PlainUnit`]s (plain data saying how a unit's bomb is armed), so that
//! none of its own clones and drops can panic.

use std::cell::Cell;

use relstore::{Db, Id, Model, OnDelete};
use serde::{Deserialize, Serialize};

use crate::schema::relation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "players")]
pub struct Player {
    pub name: String,
    pub captain_id: Option<Id<Unit>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "units")]
pub struct Unit {
    pub owner_id: Id<Player>,
    pub rival_id: Option<Id<Player>>,
    pub target_id: Option<Id<Unit>>,
    pub leader_id: Option<Id<Unit>>,
    pub mentor_id: Option<Id<Unit>>,
    pub guard_id: Option<Id<Unit>>,
    pub hp: u32,
    pub bomb: Bomb,
}

/// How a bomb is armed, as plain data. `label` names the bomb in its panic's message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Arm {
    pub label: u32,
    pub on_clone: bool,
    pub on_drop: bool,
}

/// A field whose `Clone` panics when armed for it, and whose `Drop` panics when armed for it.
///
/// A `Drop` that runs while the thread is already panicking does not panic (that would abort
/// the process, whatever the store does): it counts itself in [`unwinding_drops`] instead, so
/// that the test can fail with a message where the process would have aborted.
#[derive(Debug, Serialize, Deserialize)]
pub struct Bomb {
    label: u32,
    on_clone: bool,
    on_drop: bool,
}

impl Bomb {
    pub fn new(arm: Arm) -> Bomb {
        Bomb {
            label: arm.label,
            on_clone: arm.on_clone,
            on_drop: arm.on_drop,
        }
    }

    pub fn arm(&self) -> Arm {
        Arm {
            label: self.label,
            on_clone: self.on_clone,
            on_drop: self.on_drop,
        }
    }

    /// Rearms the bomb in place (assigning a new `Bomb` would drop the old one).
    pub fn set(&mut self, arm: Arm) {
        self.label = arm.label;
        self.on_clone = arm.on_clone;
        self.on_drop = arm.on_drop;
    }
}

/// The message of a bomb's panic in `Clone`.
pub fn clone_message(label: u32) -> String {
    format!("bomb {label}: clone")
}

/// The message of a bomb's panic in `Drop`.
pub fn drop_message(label: u32) -> String {
    format!("bomb {label}: drop")
}

impl Clone for Bomb {
    fn clone(&self) -> Self {
        if self.on_clone {
            panic!("{}", clone_message(self.label));
        }
        Bomb::new(self.arm())
    }
}

thread_local! {
    static UNWINDING_DROPS: Cell<usize> = const { Cell::new(0) };
}

/// How many bombs armed for `Drop` this thread has dropped while already panicking, since the
/// last call.
pub fn unwinding_drops() -> usize {
    UNWINDING_DROPS.replace(0)
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if !self.on_drop {
            return;
        }
        if std::thread::panicking() {
            UNWINDING_DROPS.set(UNWINDING_DROPS.get() + 1);
        } else {
            panic!("{}", drop_message(self.label));
        }
    }
}

/// A unit as the reference holds it: the same fields, the bomb as an [`Arm`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlainUnit {
    pub owner_id: Id<Player>,
    pub rival_id: Option<Id<Player>>,
    pub target_id: Option<Id<Unit>>,
    pub leader_id: Option<Id<Unit>>,
    pub mentor_id: Option<Id<Unit>>,
    pub guard_id: Option<Id<Unit>>,
    pub hp: u32,
    pub arm: Arm,
}

impl PlainUnit {
    /// What a stored unit holds (reads it: no clone, no drop).
    pub fn of(unit: &Unit) -> PlainUnit {
        PlainUnit {
            owner_id: unit.owner_id,
            rival_id: unit.rival_id,
            target_id: unit.target_id,
            leader_id: unit.leader_id,
            mentor_id: unit.mentor_id,
            guard_id: unit.guard_id,
            hp: unit.hp,
            arm: unit.bomb.arm(),
        }
    }

    /// A new unit holding this, its bomb armed as said.
    pub fn build(&self) -> Unit {
        Unit {
            owner_id: self.owner_id,
            rival_id: self.rival_id,
            target_id: self.target_id,
            leader_id: self.leader_id,
            mentor_id: self.mentor_id,
            guard_id: self.guard_id,
            hp: self.hp,
            bomb: Bomb::new(self.arm),
        }
    }

    /// Writes this into `unit` field by field, rearming its bomb in place: what an update's
    /// closure does to the store's copy (replacing the whole unit would drop its bomb).
    pub fn write_into(&self, unit: &mut Unit) {
        unit.owner_id = self.owner_id;
        unit.rival_id = self.rival_id;
        unit.target_id = self.target_id;
        unit.leader_id = self.leader_id;
        unit.mentor_id = self.mentor_id;
        unit.guard_id = self.guard_id;
        unit.hp = self.hp;
        unit.bomb.set(self.arm);
    }
}

relation!(UnitOwner: Unit.owner_id -> Player, has_many, Cascade);
relation!(UnitRival: Unit.rival_id -> Player, has_one, SetNull);
relation!(UnitTarget: Unit.target_id -> Unit, has_many, SetNull);
relation!(UnitLeader: Unit.leader_id -> Unit, has_many, Cascade);
relation!(UnitMentor: Unit.mentor_id -> Unit, has_one, Restrict);
relation!(UnitGuard: Unit.guard_id -> Unit, has_one, Cascade);
relation!(PlayerCaptain: Player.captain_id -> Unit, has_one, SetNull);

/// What `db.relation_infos()` must report, in the order [`Skirmish`] declares the relations.
pub const EXPECTED_INFO: [(&str, &str, &str, &str, OnDelete, bool, bool); 7] = [
    (
        "UnitLeader",
        "units",
        "leader_id",
        "units",
        OnDelete::Cascade,
        false,
        true,
    ),
    (
        "PlayerCaptain",
        "players",
        "captain_id",
        "units",
        OnDelete::SetNull,
        true,
        true,
    ),
    (
        "UnitOwner",
        "units",
        "owner_id",
        "players",
        OnDelete::Cascade,
        false,
        false,
    ),
    (
        "UnitMentor",
        "units",
        "mentor_id",
        "units",
        OnDelete::Restrict,
        true,
        true,
    ),
    (
        "UnitTarget",
        "units",
        "target_id",
        "units",
        OnDelete::SetNull,
        false,
        true,
    ),
    (
        "UnitGuard",
        "units",
        "guard_id",
        "units",
        OnDelete::Cascade,
        true,
        true,
    ),
    (
        "UnitRival",
        "units",
        "rival_id",
        "players",
        OnDelete::SetNull,
        true,
        true,
    ),
];

relstore::schema! {
    /// The second schema under test.
    pub struct Skirmish {
        units: Unit,
        players: Player,
    }
    relations {
        UnitLeader,
        PlayerCaptain,
        UnitOwner,
        UnitMentor,
        UnitTarget,
        UnitGuard,
        UnitRival,
    }
}

/// The store under test, empty.
pub fn build() -> Db<Skirmish> {
    Db::new()
}
