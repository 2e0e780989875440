//! Attack: non-unique secondary indexes whose keys hold thousands of rows (past 1,024 a key's
//! rows live in a chunked list found by creation number), churned at random by inserts,
//! batches, deletes, updates moving rows between keys, `update_many`, `delete_where`,
//! set-null deletes of the parent a key indexes, shrinks and save/load round trips. After
//! every few steps each lookup (`find`, `range` both ways, composite ranges, `get_by`) must
//! agree with a scan of a naive reference kept in creation order.

/// SplitMix64, shared with the model tests.
#[allow(dead_code)] // each test uses part of it
#[path = "model/rng.rs"]
mod rng;

use relstore::{Db, Id, Model};
use rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "guilds")]
pub struct Guild {
    n: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "units", ordered(kind, level))]
pub struct Unit {
    #[relstore(index)]
    kind: u8,
    #[relstore(ordered)]
    level: u16,
    #[relstore(index)]
    guild: Option<Id<Guild>>,
    #[relstore(unique)]
    tag: u64,
}

relstore::belongs_to!(pub UnitGuild: Unit.guild -> Guild, has_many, on_delete = SetNull);
relstore::schema! { pub struct Army { guilds: Guild, units: Unit } relations { UnitGuild } }

/// The naive reference: the live units in creation order, and the live guilds.
struct Reference {
    units: Vec<(Id<Unit>, Unit)>,
    guilds: Vec<Id<Guild>>,
    next_tag: u64,
}

impl Reference {
    fn unit(&mut self, rng: &mut Rng) -> Unit {
        self.next_tag += 1;
        Unit {
            kind: rng.below(3) as u8,
            level: rng.below(40) as u16,
            guild: self.guild(rng),
            tag: self.next_tag,
        }
    }
    fn guild(&self, rng: &mut Rng) -> Option<Id<Guild>> {
        match rng.below(self.guilds.len() + 1) {
            0 => None,
            i => Some(self.guilds[i - 1]),
        }
    }
    fn pick(&self, rng: &mut Rng) -> Option<Id<Unit>> {
        (!self.units.is_empty()).then(|| self.units[rng.below(self.units.len())].0)
    }
    fn at(&mut self, id: Id<Unit>) -> &mut Unit {
        &mut self.units.iter_mut().find(|(i, _)| *i == id).unwrap().1
    }
}

/// Ids of `units` that pass `keep`, in key order (`key`), equal keys in creation order.
fn by_key<K: Ord>(
    units: &[(Id<Unit>, Unit)],
    keep: impl Fn(&Unit) -> bool,
    key: impl Fn(&Unit) -> K,
) -> Vec<Id<Unit>> {
    let mut found: Vec<_> = units.iter().filter(|(_, u)| keep(u)).collect();
    found.sort_by_key(|(_, u)| key(u)); // stable: creation order among equals
    found.into_iter().map(|(id, _)| *id).collect()
}

fn check(db: &Db<Army>, model: &Reference, rng: &mut Rng, step: usize) {
    db.check_integrity()
        .unwrap_or_else(|e| panic!("step {step}: {e:?}"));
    let units = db.table::<Unit>();
    assert_eq!(units.len(), model.units.len(), "step {step}");
    for kind in 0..3u8 {
        let got: Vec<_> = units.find(UnitByKind, &kind).ids().collect();
        let want = by_key(&model.units, |u| u.kind == kind, |_| ());
        assert_eq!(got, want, "step {step}: find kind {kind}");
    }
    let guilds = model.guilds.iter().map(|&g| Some(g)).chain([None]);
    for guild in guilds {
        let got: Vec<_> = units.find(UnitByGuild, &guild).ids().collect();
        let want = by_key(&model.units, |u| u.guild == guild, |_| ());
        assert_eq!(got, want, "step {step}: find guild {guild:?}");
    }
    let (a, b) = (rng.below(40) as u16, rng.below(40) as u16);
    let got: Vec<_> = units.range(UnitByLevel, a..b).ids().collect();
    let want = by_key(&model.units, |u| (a..b).contains(&u.level), |u| u.level);
    assert_eq!(got, want, "step {step}: range {a}..{b}");
    let got: Vec<_> = units
        .range(UnitByLevel, a..=b)
        .rev()
        .map(|r| r.id())
        .collect();
    let mut want = by_key(&model.units, |u| (a..=b).contains(&u.level), |u| u.level);
    want.reverse();
    assert_eq!(got, want, "step {step}: range {a}..={b} backwards");
    let kind = rng.below(3) as u8;
    let got: Vec<_> = units
        .range(UnitByKindLevel, (kind, a)..=(kind, b))
        .ids()
        .collect();
    let want = by_key(
        &model.units,
        |u| u.kind == kind && (a..=b).contains(&u.level),
        |u| u.level,
    );
    assert_eq!(got, want, "step {step}: composite range");
    // Both ends of one range read alternately meet in the middle, each row once.
    let mut both = units.range(UnitByLevel, ..);
    let (mut front, mut back) = (Vec::new(), Vec::new());
    loop {
        match (both.next(), both.next_back()) {
            (None, None) => break,
            (f, b) => {
                front.extend(f.map(|r| r.id()));
                back.extend(b.map(|r| r.id()));
            }
        }
    }
    front.extend(back.into_iter().rev());
    assert_eq!(
        front,
        by_key(&model.units, |_| true, |u| u.level),
        "step {step}: both ends"
    );
    for (id, unit) in &model.units {
        let got = units.get_by(UnitByTag, &unit.tag).map(|r| r.id());
        assert_eq!(got, Some(*id), "step {step}: tag {}", unit.tag);
    }
}

fn run(seed: u64, steps: usize) {
    let mut rng = Rng::new(seed);
    let mut db = Db::<Army>::new();
    let mut model = Reference {
        units: Vec::new(),
        guilds: Vec::new(),
        next_tag: 0,
    };
    for n in 0..2 {
        model.guilds.push(db.insert(Guild { n }).unwrap());
    }
    for step in 0..steps {
        match rng.below(100) {
            0..30 => {
                let unit = model.unit(&mut rng);
                let id = db.insert(unit.clone()).unwrap();
                model.units.push((id, unit));
            }
            30..40 => {
                let batch: Vec<_> = (0..rng.below(300)).map(|_| model.unit(&mut rng)).collect();
                let ids = db.insert_many(batch.clone()).unwrap();
                model.units.extend(ids.into_iter().zip(batch));
            }
            40..55 => {
                if let Some(id) = model.pick(&mut rng) {
                    db.delete(id).unwrap();
                    model.units.retain(|(i, _)| *i != id);
                }
            }
            55..75 => {
                if let Some(id) = model.pick(&mut rng) {
                    let (kind, level) = (rng.below(3) as u8, rng.below(40) as u16);
                    let guild = model.guild(&mut rng);
                    let change = |u: &mut Unit| {
                        u.kind = kind;
                        u.level = level;
                        u.guild = guild;
                    };
                    if rng.below(2) == 0 {
                        db.update(id, change).unwrap();
                    } else {
                        db.edit(id, change).unwrap();
                    }
                    change(model.at(id));
                }
            }
            75..82 => {
                // Many rows move to one kind, and trade tags among themselves.
                let n = rng.below(model.units.len().min(600) + 1);
                let start = rng.below(model.units.len().saturating_sub(n) + 1);
                let ids: Vec<_> = model.units[start..start + n].iter().map(|u| u.0).collect();
                let tags: Vec<_> = model.units[start..start + n]
                    .iter()
                    .map(|u| u.1.tag)
                    .collect();
                let kind = rng.below(3) as u8;
                let mut at = 0;
                db.update_many(ids.iter().copied(), |u| {
                    u.kind = kind;
                    u.level = (u.level + 1) % 40;
                    u.tag = tags[(at + 1) % tags.len()];
                    at += 1;
                })
                .unwrap();
                for (at, id) in ids.iter().enumerate() {
                    let u = model.at(*id);
                    u.kind = kind;
                    u.level = (u.level + 1) % 40;
                    u.tag = tags[(at + 1) % tags.len()];
                }
            }
            82..86 => {
                let (kind, below) = (rng.below(3) as u8, rng.below(8) as u16);
                let gone = |u: &Unit| u.kind == kind && u.level < below;
                let count = db.delete_where::<Unit>(|u| gone(u.value())).unwrap();
                let before = model.units.len();
                model.units.retain(|(_, u)| !gone(u));
                assert_eq!(count, before - model.units.len());
            }
            86..89 => {
                // A guild goes: its units' keys become null (a big family moves at once).
                if let Some(&guild) = model.guilds.first() {
                    db.delete(guild).unwrap();
                    model.guilds.remove(0);
                    for (_, u) in &mut model.units {
                        if u.guild == Some(guild) {
                            u.guild = None;
                        }
                    }
                }
                let n = step as u32;
                model.guilds.push(db.insert(Guild { n }).unwrap());
            }
            89..92 => db.shrink_to_fit(),
            92..94 => {
                let bytes = db.write_to(Vec::new()).unwrap();
                db = Db::read_from(&bytes[..]).unwrap();
            }
            _ => check(&db, &model, &mut rng, step),
        }
    }
    check(&db, &model, &mut rng, steps);
    let biggest = (0..3u8)
        .map(|k| db.table::<Unit>().find(UnitByKind, &k).count())
        .max();
    assert!(
        biggest > Some(1024),
        "seed {seed}: no big family ({biggest:?})"
    );
}

#[test]
fn big_non_unique_families_agree_with_a_scan() {
    for seed in 1..=3 {
        run(seed, 700);
    }
}
