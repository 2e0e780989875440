//! A seeded generator of operations on the unit schema: inserts, updates and deletes of
//! players and units, keys mostly to live rows, sometimes to deleted or forged ids; units
//! whose bomb is armed for `Clone` or `Drop` now and then; and families of hundreds of units
//! (fans under one player or one target, chains of leaders, guards and mentors up to 1200
//! long), deleted by cascade and set-null with bombs among them.

use std::collections::VecDeque;

use relstore::{AnyId, Id, Model};

use super::ops::{Bulk, ChainKeys, Op};
use super::reference::{RELS, RowRef, UnitsRef};
use super::schema::*;
use crate::batch::Keep;
use crate::ops::{EditEnd, How};
use crate::reference::{RefDeleteError, RefTable, slot};
use crate::rng::Rng;
use crate::save::SaveLoad;

/// Bug (b) of `tests/panics.rs`, fixed: a delete whose requested row's `Drop` panics as well
/// as a cascaded row's once aborted the process. With this `true`, such a row is first defused
/// by a `replace` (whose old value's drop panics, as it may) before its delete: a way around
/// the bug, should it come back. `false`: the generator makes such deletes, and the reference
/// expects the documented behaviour (the first panic goes on, every planned row gone).
pub const KNOWN_BUG_B: bool = false;

/// How often (percent) a new or changed unit's bomb is armed for `Clone`, and for `Drop`.
const ARMED_FOR_CLONE: usize = 6;
const ARMED_FOR_DROP: usize = 8;

/// How often (per thousand) a family starts, at each step where none is in progress.
const FAMILY_PER_MILLE: usize = 6;

/// How often (percent) an ordinary step is an edit.
const EDIT_PERCENT: usize = 10;
/// How often (per thousand) an ordinary step saves the store and loads it back.
const SAVE_PER_MILLE: usize = 25;
/// How often (per thousand) an ordinary step is a `row_mut`, an `edit_rows`, an
/// `insert_many` or a `retain` (see [`Gen::batch`]).
const BATCH_PER_MILLE: usize = 30;

pub struct Gen {
    rng: Rng,
    /// The table size around which this seed hovers.
    scale: usize,
    /// The next bomb's label.
    label: u32,
    /// 1, or more while an edit is made to be refused often enough to be seen: a key of a
    /// changed row then goes to a deleted row more often (6 percent times this), and a has-one
    /// key to a parent already taken more often.
    refusals: usize,
    family: Option<Family>,
    /// A trim of the units in progress (see [`Gen::shrink`]): its steps to come.
    trim: Option<VecDeque<Trim>>,
    /// While units of a batch that should go in are made: keys to live rows only.
    clean: bool,
}

/// Hundreds of units built around one root row in a few bulk steps, then deleted with it.
struct Family {
    root: AnyId,
    steps: VecDeque<Step>,
}

/// A step of a trim (see the forum generator's `Trim`).
#[derive(Clone, Copy, Debug)]
enum Trim {
    /// The delete of the unit in the highest slot.
    Top,
    /// An insert of a unit.
    Insert,
    Shrink,
    /// The store saved and loaded back, between the shrinks and the fan.
    Save,
    /// A fan of units: as many as there are free slots and slots given back, plus one (at
    /// most [`MAX_GROW`]).
    Grow,
}

/// The most units a trim's fan inserts.
const MAX_GROW: usize = 600;

#[derive(Clone, Copy, Debug)]
enum Step {
    /// Units owned by the root player, every so often armed.
    Army(usize, usize),
    /// A chain of units from the newest unit of the root player, or from the root unit.
    Chain(ChainKeys, usize, usize),
    /// Units targeting the newest unit of the root player, or the root unit (set null when it
    /// goes), all owned by one other player, whose delete comes after the root's.
    Targets(usize),
    /// A `replace` of the root unit arming its bomb for `Drop`: with armed units in its
    /// cascade, the situation of known bug (b).
    Arm,
    /// `delete_plan` of the root.
    Plan,
    /// The delete of the root, even if restricted.
    Delete,
    /// The delete of this row once nothing restricts it: each step frees it of one mentee
    /// (at most this many) before trying again.
    Clear(AnyId, usize),
    /// `shrink_to_fit`, once the family is gone: its slots at the end of each table go back.
    Shrink,
    /// A `retain` of the units dropping this percentage of the root's children (owned by the
    /// root player, or led, guarded, mentored or targeted by the root unit): armed bombs
    /// among them.
    Thin(usize),
}

impl Gen {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let scale = 10 + rng.below(40);
        Gen {
            rng,
            scale,
            label: 1,
            refusals: 1,
            family: None,
            trim: None,
            clean: false,
        }
    }

    pub fn op(&mut self, r: &UnitsRef) -> Op {
        while self.trim.is_some() {
            if let Some(op) = self.trim(r) {
                return self.defuse(r, op, false);
            }
        }
        match self.family(r) {
            Some(op) => self.defuse(r, op, true),
            None => {
                let op = self.random(r);
                self.defuse(r, op, false)
            }
        }
    }

    /// With [`KNOWN_BUG_B`], the delete of a unit whose drop panics, when its cascade
    /// holds another such unit, becomes a `replace` that defuses the unit first (a family's
    /// delete comes again after it).
    fn defuse(&mut self, r: &UnitsRef, op: Op, in_family: bool) -> Op {
        let Op::Delete(id) = op else {
            return op;
        };
        if !KNOWN_BUG_B {
            return op;
        }
        let Some((unit, plain)) = id.typed::<Unit>().and_then(|u| Some((u, *r.units.get(u)?)))
        else {
            return op;
        };
        let armed = |row: &AnyId| {
            let other = row.typed::<Unit>().and_then(|u| r.units.get(u));
            other.is_some_and(|u| u.arm.on_drop)
        };
        let cascade_armed = match r.plan_delete(id) {
            Ok(plan) => plan.deleted[1..].iter().any(|(row, _)| armed(row)),
            Err(_) => false,
        };
        if plain.arm.on_drop && cascade_armed {
            let mut defused = plain;
            defused.arm = Arm {
                label: self.next_label(1),
                ..Arm::default()
            };
            if let Some(family) = self.family.as_mut().filter(|_| in_family) {
                family.steps.push_front(Step::Clear(id, 30));
            }
            return Op::UpdateUnit(unit, defused, How::Replace);
        }
        op
    }

    fn random(&mut self, r: &UnitsRef) -> Op {
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
        let inserts = if r.len() < 4 * self.scale { 55 } else { 28 };
        let roll = self.rng.below(100);
        let players = self.rng.chance(25);
        let op = if roll == 99 {
            self.big_delete(r)
        } else if roll == 98 && self.rng.chance(30) {
            Some(self.shrink())
        } else if roll < inserts {
            if players {
                Some(Op::InsertPlayer(self.player(r, None)))
            } else {
                self.unit(r, None).map(Op::InsertUnit)
            }
        } else if roll < inserts + 28 {
            let how = match self.rng.below(10) {
                0..=4 => How::Update,
                5..=8 => How::Replace,
                _ => How::PanicInUpdate,
            };
            if players {
                let id = self.target(&r.players);
                id.map(|id| {
                    let base = r.players.get(id).cloned();
                    Op::UpdatePlayer(id, self.player(r, base), how)
                })
            } else {
                self.target(&r.units).and_then(|id| {
                    let base = r.units.get(id).copied();
                    let mut new = self.unit(r, base)?;
                    if how == How::PanicInUpdate {
                        // Its copy is dropped while the closure's panic unwinds.
                        new.arm.on_drop = false;
                    }
                    Some(Op::UpdateUnit(id, new, how))
                })
            }
        } else {
            let id = if self.rng.chance(40) {
                self.target(&r.players).map(AnyId::from)
            } else {
                self.target(&r.units).map(AnyId::from)
            };
            id.map(if roll < 93 {
                Op::Delete
            } else {
                Op::DeletePlan
            })
        };
        op.unwrap_or_else(|| Op::InsertPlayer(self.player(r, None)))
    }

    /// Now and then, instead of an ordinary op: a `row_mut` of a live or stale unit, an
    /// `edit_rows` over the units (panicking at some unit now and then), an `insert_many` of
    /// units (bombs armed as new units' are) or a `retain` over units or players.
    fn batch(&mut self, r: &UnitsRef) -> Option<Op> {
        let roll = self.rng.below(100);
        let len = r.units.rows.len();
        Some(match roll {
            0..=19 => Op::RowMut(self.target(&r.units)?, self.rng.below(100) as u32),
            20..=44 => {
                let panic_at = self.rng.chance(35).then(|| {
                    let k = self.rng.below(len + 2);
                    (k, self.rng.chance(50))
                });
                Op::EditRows(panic_at)
            }
            45..=79 => self.insert_many(r)?,
            _ => {
                let units = self.rng.chance(70);
                let percent = match self.rng.below(10) {
                    0 => 0,
                    1..=4 => 30 + self.rng.below(40),
                    _ => 1 + self.rng.below(12),
                };
                let under = match (units, self.rng.chance(30)) {
                    (true, true) if self.rng.chance(50) => self.live(&r.players).map(AnyId::from),
                    (_, true) => self.live(&r.units).map(AnyId::from),
                    _ => None,
                };
                let panic_at = self.rng.chance(15).then(|| {
                    let rows = if units { len } else { r.players.rows.len() };
                    self.rng.below(rows + 2)
                });
                let keep = Keep {
                    salt: self.rng.next_u64(),
                    percent,
                    under,
                    panic_at,
                };
                Op::Retain(if units { "units" } else { "players" }, keep)
            }
        })
    }

    /// An `insert_many` of up to ten units, their keys to live rows (has-one parents free or
    /// not, as new units' are: a batch's units sometimes share one), bombs armed as new units'
    /// are; 40 percent of the time with one bad unit somewhere in it.
    fn insert_many(&mut self, r: &UnitsRef) -> Option<Op> {
        let n = 1 + self.rng.below(10);
        self.clean = true;
        let mut rows: Vec<PlainUnit> = (0..n).filter_map(|_| self.unit(r, None)).collect();
        self.clean = false;
        if self.rng.chance(40) {
            let at = self.rng.below(rows.len() + 1);
            let mut bad = self.unit(r, None)?;
            let earlier = rows[..at].iter().filter_map(|u| u.guard_id.or(u.mentor_id));
            let earlier: Vec<Id<Unit>> = earlier.collect();
            let dead = self.rng.pick(&r.units.dead);
            match self.rng.below(4) {
                0 if !earlier.is_empty() => bad.guard_id = self.rng.pick(&earlier),
                1 if dead.is_some() => bad.leader_id = dead,
                2 => bad.owner_id = self.forged_of(&r.players)?,
                _ => bad.mentor_id = Some(self.forged_of(&r.units)?),
            }
            rows.insert(at, bad);
        }
        (!rows.is_empty()).then_some(Op::InsertMany(rows))
    }

    /// An id of `table` that no row ever had.
    fn forged_of<T, R>(&mut self, table: &RefTable<T, R>) -> Option<Id<T>> {
        let known = self.rng.pick(&table.ids().collect::<Vec<_>>());
        let known = known.or(self.rng.pick(&table.dead))?;
        let later = 2 * (1 + self.rng.below(3) as u64);
        Some(Id::from_bits(known.to_bits().wrapping_add(later << 32)))
    }

    /// A save and load: half the time of the store itself, half the time of a snapshot
    /// (which a unit armed for `Clone` stops) taken before one or two more inserts, replaces
    /// or deletes.
    fn save_load(&mut self, r: &UnitsRef) -> Op {
        if self.rng.chance(50) {
            return Op::SaveLoad(SaveLoad::Store);
        }
        let then = (0..1 + self.rng.below(2))
            .map(|_| {
                let op = match self.rng.below(4) {
                    0 => Some(Op::InsertPlayer(self.player(r, None))),
                    1 => self.unit(r, None).map(Op::InsertUnit),
                    2 => self.target(&r.units).and_then(|id| {
                        let base = r.units.get(id).copied();
                        Some(Op::UpdateUnit(id, self.unit(r, base)?, How::Replace))
                    }),
                    _ => self.target(&r.units).map(|id| Op::Delete(id.into())),
                };
                op.unwrap_or_else(|| Op::InsertPlayer(self.player(r, None)))
            })
            .collect();
        Op::SaveLoad(SaveLoad::Snapshot(then))
    }

    /// An edit of a player or a unit (mostly live), its new value made as an update's; a
    /// third of the time its keys go to deleted rows and taken has-one parents more often (see
    /// `Gen::refusals`). Its closure writes the new value, then returns or (a quarter of the
    /// time) panics; a unit's bomb keeps whatever arming it has or gets, as an edit neither
    /// clones nor drops the row.
    fn edit(&mut self, r: &UnitsRef) -> Option<Op> {
        let end = match self.rng.chance(25) {
            true => EditEnd::Panic,
            false => EditEnd::Return,
        };
        if self.rng.chance(33) {
            self.refusals = 5;
        }
        let op = if self.rng.chance(25) {
            self.target(&r.players).map(|id| {
                let base = r.players.get(id).cloned();
                Op::EditPlayer(id, self.player(r, base), end)
            })
        } else {
            self.target(&r.units).and_then(|id| {
                let base = r.units.get(id).copied();
                Some(Op::EditUnit(id, self.unit(r, base)?, end))
            })
        };
        self.refusals = 1;
        op
    }

    /// A shrink; half the time, a trim of the units follows (as the forum's generator makes
    /// them: the last slots churned, two shrinks in a row, then a fan past them).
    fn shrink(&mut self) -> Op {
        if self.trim.is_none() && self.rng.chance(50) {
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
            self.trim = Some(steps);
        }
        Op::Shrink
    }

    /// The next op of a trim in progress.
    fn trim(&mut self, r: &UnitsRef) -> Option<Op> {
        let steps = self.trim.as_mut()?;
        let Some(step) = steps.pop_front() else {
            self.trim = None;
            return None;
        };
        let op = match step {
            Trim::Top => Op::Delete(r.units.ids().max_by_key(|&id| slot(id))?.into()),
            Trim::Insert => Op::InsertUnit(self.unit(r, None)?),
            Trim::Shrink => Op::Shrink,
            Trim::Save => Op::SaveLoad(SaveLoad::Store),
            Trim::Grow => {
                let n = (r.units.vacant_slots() + 1).min(MAX_GROW);
                let owner_id = self.live(&r.players)?;
                let template = self.template(owner_id, n);
                Op::Fan(template, Bulk { n, armed_every: 0 })
            }
        };
        Some(op)
    }

    /// Of a few players and units, the one whose delete would remove the most rows.
    fn big_delete(&mut self, r: &UnitsRef) -> Option<Op> {
        let mut candidates: Vec<AnyId> = Vec::new();
        for _ in 0..6 {
            candidates.extend(self.live(&r.players).map(AnyId::from));
            candidates.extend(self.live(&r.units).map(AnyId::from));
        }
        let sized = candidates
            .into_iter()
            .filter_map(|id| Some((r.plan_delete(id).ok()?.deleted.len(), id)));
        sized
            .max_by_key(|&(size, _)| size)
            .map(|(_, id)| Op::Delete(id))
    }

    /// Now and then, a family of hundreds of units (see the module's doc), interleaved with
    /// ordinary operations.
    fn family(&mut self, r: &UnitsRef) -> Option<Op> {
        if self.family.is_none() && self.rng.below(1000) < FAMILY_PER_MILLE {
            self.family = self.new_family(r);
        }
        if self.family.is_some() && self.rng.chance(20) {
            return None; // an ordinary operation in between
        }
        let family = self.family.as_mut()?;
        let root = family.root;
        let step = loop {
            let Some(step) = family.steps.pop_front() else {
                self.family = None;
                return None;
            };
            let target = match step {
                Step::Clear(target, _) => target,
                Step::Shrink => break step,
                _ => root,
            };
            if r.live(target) {
                break step;
            }
        };
        // The unit the family grows from: the root unit, or the root player's newest unit.
        let anchor = || -> Option<Id<Unit>> {
            if let Some(unit) = root.typed::<Unit>() {
                return Some(unit);
            }
            let player = root.typed::<Player>()?;
            let units = r.units.in_insertion_order();
            units
                .iter()
                .rev()
                .find(|u| u.row.owner_id == player)
                .map(|u| u.id)
        };
        let op = match step {
            Step::Army(n, armed_every) => {
                let owner_id = root.typed::<Player>()?;
                let template = self.template(owner_id, n);
                Op::Fan(template, Bulk { n, armed_every })
            }
            Step::Chain(keys, n, armed_every) => {
                let from = anchor()?;
                let owner_id = self.live(&r.players)?;
                let template = self.template(owner_id, n);
                Op::Chain(from, template, keys, Bulk { n, armed_every })
            }
            Step::Targets(n) => {
                let target = anchor()?;
                let owner_id = self.live(&r.players)?;
                let mut template = self.template(owner_id, n);
                template.target_id = Some(target);
                if let Some(family) = &mut self.family {
                    family.steps.push_back(Step::Clear(owner_id.into(), 30));
                }
                Op::Fan(template, Bulk { n, armed_every: 97 })
            }
            Step::Arm => {
                let unit = root.typed::<Unit>()?;
                let mut armed = *r.units.get(unit)?;
                armed.arm = Arm {
                    label: self.next_label(1),
                    on_clone: false,
                    on_drop: true,
                };
                Op::UpdateUnit(unit, armed, How::Replace)
            }
            Step::Plan => Op::DeletePlan(root),
            Step::Delete => Op::Delete(root),
            Step::Clear(target, tries) => match r.plan_delete(target) {
                Err(RefDeleteError::Blocked(blockers)) if tries > 0 => {
                    if let Some(family) = &mut self.family {
                        family.steps.push_front(Step::Clear(target, tries - 1));
                    }
                    // Only a mentor restricts: its mentee stops pointing to it.
                    let mentee = blockers[0].2.typed::<Unit>()?;
                    let mut unit = *r.units.get(mentee)?;
                    unit.mentor_id = None;
                    Op::UpdateUnit(mentee, unit, How::Replace)
                }
                _ => Op::Delete(target),
            },
            Step::Shrink => self.shrink(),
            Step::Thin(percent) => {
                let keep = Keep {
                    salt: self.rng.next_u64(),
                    percent,
                    under: Some(root),
                    panic_at: None,
                };
                Op::Retain("units", keep)
            }
        };
        Some(op)
    }

    fn new_family(&mut self, r: &UnitsRef) -> Option<Family> {
        let mut steps = VecDeque::new();
        let armed_every = |rng: &mut Rng| {
            if rng.chance(50) {
                0
            } else {
                40 + rng.below(160)
            }
        };
        let root = match self.rng.below(4) {
            0 | 1 => {
                let root = self.live(&r.players)?;
                let rng = &mut self.rng;
                steps.push_back(Step::Army(200 + rng.below(400), armed_every(rng)));
                if rng.chance(60) {
                    let keys = ChainKeys {
                        leader: true,
                        mentor: rng.chance(50),
                        guard: false,
                    };
                    steps.push_back(Step::Chain(keys, 100 + rng.below(800), armed_every(rng)));
                }
                if rng.chance(40) {
                    steps.push_back(Step::Targets(150 + rng.below(250)));
                }
                AnyId::from(root)
            }
            2 => {
                let root = self.live(&r.units)?;
                let rng = &mut self.rng;
                let keys = ChainKeys {
                    leader: rng.chance(30),
                    mentor: false,
                    guard: true,
                };
                let armed_every = 40 + rng.below(160);
                steps.push_back(Step::Chain(keys, 200 + rng.below(1000), armed_every));
                if rng.chance(50) {
                    steps.push_back(Step::Arm);
                }
                if rng.chance(30) {
                    // A short chain of mentors only: a restrict, until its end goes.
                    let keys = ChainKeys {
                        leader: false,
                        mentor: true,
                        guard: false,
                    };
                    steps.push_back(Step::Chain(keys, 2 + rng.below(10), 0));
                    steps.push_back(Step::Delete);
                }
                AnyId::from(root)
            }
            _ => {
                let root = self.live(&r.units)?;
                steps.push_back(Step::Targets(200 + self.rng.below(400)));
                AnyId::from(root)
            }
        };
        if self.rng.chance(30) {
            steps.push_back(Step::Thin(20 + self.rng.below(70)));
        }
        if self.rng.chance(30) {
            steps.push_back(Step::Plan);
        }
        steps.push_back(Step::Clear(root, 30));
        if self.rng.chance(50) {
            steps.push_back(Step::Shrink);
        }
        Some(Family { root, steps })
    }

    /// The first of `n` fresh labels.
    fn next_label(&mut self, n: usize) -> u32 {
        let label = self.label;
        self.label += n as u32;
        label
    }

    fn arm(&mut self) -> Arm {
        Arm {
            label: self.next_label(1),
            on_clone: self.rng.chance(ARMED_FOR_CLONE),
            on_drop: self.rng.chance(ARMED_FOR_DROP),
        }
    }

    /// The template of a bulk of `n` units owned by `owner_id`: no other key (has-one keys
    /// cannot be shared), its bomb armed for `Drop` (and sometimes for `Clone`).
    fn template(&mut self, owner_id: Id<Player>, n: usize) -> PlainUnit {
        PlainUnit {
            owner_id,
            rival_id: None,
            target_id: None,
            leader_id: None,
            mentor_id: None,
            guard_id: None,
            hp: 0,
            arm: Arm {
                label: self.next_label(n),
                on_clone: self.rng.chance(30),
                on_drop: true,
            },
        }
    }

    fn player(&mut self, r: &UnitsRef, base: Option<Player>) -> Player {
        let fresh = base.is_none();
        let mut player = base.unwrap_or(Player {
            name: String::new(),
            captain_id: None,
        });
        if fresh || self.rng.chance(40) {
            player.captain_id = self.has_one_parent(r, &r.units, "PlayerCaptain", 40);
        }
        if fresh || self.rng.chance(50) {
            player.name = format!("player{}", self.rng.below(1000));
        }
        player
    }

    /// A new unit, or `base` with some of its fields changed.
    fn unit(&mut self, r: &UnitsRef, base: Option<PlainUnit>) -> Option<PlainUnit> {
        let fresh = base.is_none();
        let mut unit = match base {
            Some(unit) => unit,
            None => PlainUnit {
                owner_id: self.parent(&r.players)?,
                rival_id: None,
                target_id: None,
                leader_id: None,
                mentor_id: None,
                guard_id: None,
                hp: 0,
                arm: Arm::default(),
            },
        };
        if !fresh && self.rng.chance(30) {
            unit.owner_id = self.parent(&r.players)?;
        }
        if fresh || self.rng.chance(30) {
            unit.rival_id = self.has_one_parent(r, &r.players, "UnitRival", 60);
        }
        if fresh || self.rng.chance(30) {
            unit.target_id = self.optional_parent(&r.units, 50);
        }
        if fresh || self.rng.chance(30) {
            unit.leader_id = self.optional_parent(&r.units, 50);
        }
        if fresh || self.rng.chance(30) {
            unit.mentor_id = self.has_one_parent(r, &r.units, "UnitMentor", 50);
        }
        if fresh || self.rng.chance(30) {
            unit.guard_id = self.has_one_parent(r, &r.units, "UnitGuard", 60);
        }
        if fresh || self.rng.chance(50) {
            unit.hp = self.rng.below(100) as u32;
        }
        if fresh || self.rng.chance(30) {
            unit.arm = self.arm();
        }
        Some(unit)
    }

    /// An optional has-one key: `None` now and then, else mostly a parent without a child yet
    /// (so that has-one writes succeed as well as fail).
    fn has_one_parent<T: Model, R>(
        &mut self,
        r: &UnitsRef,
        table: &RefTable<T, R>,
        relation: &str,
        none_percent: usize,
    ) -> Option<Id<T>> {
        if self.rng.chance(none_percent) {
            return None;
        }
        // While an edit is made to be refused, a parent already taken, often.
        let free_percent = 60 / self.refusals;
        let taken_percent = if self.refusals > 1 { 50 } else { 0 };
        let roll = self.rng.below(100);
        if roll < free_percent + taken_percent {
            let rel = RELS.iter().find(|rel| rel.name == relation).unwrap();
            let units = r.units.rows.iter().map(|u| RowRef::Unit(&u.row));
            let players = r.players.rows.iter().map(|p| RowRef::Player(&p.row));
            let taken: Vec<AnyId> = units.chain(players).filter_map(rel.key).collect();
            let pool: Vec<Id<T>> = if roll < free_percent {
                (table.ids())
                    .filter(|&id| !taken.contains(&id.into()))
                    .collect()
            } else {
                taken.iter().filter_map(|id| id.typed()).collect()
            };
            if let Some(id) = self.rng.pick(&pool) {
                return Some(id);
            }
        }
        self.parent(table)
    }

    fn optional_parent<T, R>(
        &mut self,
        table: &RefTable<T, R>,
        none_percent: usize,
    ) -> Option<Id<T>> {
        if self.rng.chance(none_percent) {
            None
        } else {
            self.parent(table)
        }
    }

    fn live<T, R>(&mut self, table: &RefTable<T, R>) -> Option<Id<T>> {
        let ids: Vec<Id<T>> = table.ids().collect();
        self.rng.pick(&ids)
    }

    /// A key for a new or changed row: mostly live, sometimes deleted or forged.
    fn parent<T, R>(&mut self, table: &RefTable<T, R>) -> Option<Id<T>> {
        self.id(table, 6 * self.refusals, 2)
    }

    /// The row an update or delete is aimed at.
    fn target<T, R>(&mut self, table: &RefTable<T, R>) -> Option<Id<T>> {
        self.id(table, 10, 4)
    }

    fn id<T, R>(
        &mut self,
        table: &RefTable<T, R>,
        dead_percent: usize,
        forged: usize,
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
        if roll < dead_percent + forged {
            let known = self.rng.pick(&live).or(dead)?;
            let later = 2 * (1 + self.rng.below(3) as u64);
            return Some(Id::from_bits(known.to_bits().wrapping_add(later << 32)));
        }
        self.rng.pick(&live).or(dead)
    }
}
