//! Attack: rows whose `Clone` or `Drop` panics, and a validator that panics, in a table with
//! unique, ordered, hash and composite indexes over a set-null key and beside a cascade.
//! After every caught panic the store must pass `check_integrity` and every lookup must agree
//! with a scan. The `Drop`s here panic only when the thread is not already panicking (a
//! recoverable panic); `attack_drop_abort.rs` has the careless kind.

use std::panic::{AssertUnwindSafe, catch_unwind};

use relstore::{Db, Id, Invalid, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "miners")]
pub struct Miner {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "veins")]
pub struct Vein {
    depth: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Fuse {
    Calm,
    /// `Clone` panics.
    Clone,
    /// `Drop` panics (unless the thread is panicking already).
    Drop,
}

#[derive(Debug, Serialize, Deserialize, Model)]
#[relstore(table = "gems", ordered(owner, value), validate = Gem::check)]
pub struct Gem {
    #[relstore(unique)]
    name: String,
    #[relstore(ordered)]
    value: u32,
    #[relstore(index)]
    owner: Option<Id<Miner>>,
    vein: Id<Vein>,
    fuse: Fuse,
}

impl Gem {
    /// Panics on a gem named "boom": a validator with a bug.
    fn check(&self) -> Result<(), Invalid> {
        assert_ne!(self.name, "boom", "validator: boom");
        Ok(())
    }
}

impl Clone for Gem {
    fn clone(&self) -> Self {
        assert_ne!(self.fuse, Fuse::Clone, "clone: {}", self.name);
        Gem {
            name: self.name.clone(),
            fuse: self.fuse,
            ..*self
        }
    }
}

impl Drop for Gem {
    fn drop(&mut self) {
        if self.fuse == Fuse::Drop && !std::thread::panicking() {
            panic!("drop: {}", self.name);
        }
    }
}

relstore::belongs_to!(pub GemOwner: Gem.owner -> Miner, has_many, on_delete = SetNull);
relstore::belongs_to!(pub GemVein: Gem.vein -> Vein, has_many, on_delete = Cascade);
relstore::schema! {
    pub struct Mine { miners: Miner, veins: Vein, gems: Gem }
    relations { GemOwner, GemVein }
}

fn gem(name: &str, value: u32, owner: Option<Id<Miner>>, vein: Id<Vein>, fuse: Fuse) -> Gem {
    Gem {
        name: name.into(),
        value,
        owner,
        vein,
        fuse,
    }
}

/// A mine: two miners, two veins, 40 gems (every fifth with `fuse`), their ids.
/// A mine and its miners, veins and gems.
type Dug = (Db<Mine>, [Id<Miner>; 2], [Id<Vein>; 2], Vec<Id<Gem>>);

fn mine(fuse: Fuse) -> Dug {
    let mut db = Db::<Mine>::new();
    let miners = [0, 1].map(|i| {
        db.insert(Miner {
            name: format!("m{i}"),
        })
        .unwrap()
    });
    let veins = [0, 1].map(|depth| db.insert(Vein { depth }).unwrap());
    let gems = (0..40u32)
        .map(|i| {
            let fuse = if i % 5 == 2 { fuse } else { Fuse::Calm };
            let owner = (i % 3 != 0).then_some(miners[i as usize % 2]);
            let g = gem(&format!("g{i}"), i % 7, owner, veins[i as usize % 2], fuse);
            db.insert(g).unwrap()
        })
        .collect();
    (db, miners, veins, gems)
}

/// The integrity check, and every index lookup against a scan.
fn agrees(db: &Db<Mine>) {
    db.check_integrity().unwrap();
    let gems = db.table::<Gem>();
    let mut by_value: Vec<_> = gems.iter().map(|g| (g.value, g.id())).collect();
    by_value.sort_by_key(|&(value, _)| value);
    let ranged: Vec<_> = gems
        .range(GemByValue, ..)
        .map(|g| (g.value, g.id()))
        .collect();
    assert_eq!(ranged.len(), by_value.len());
    for g in gems.iter() {
        assert_eq!(
            gems.get_by(GemByName, g.name.as_str()).map(|r| r.id()),
            Some(g.id())
        );
        assert!(gems.find(GemByOwner, &g.owner).any(|r| r.id() == g.id()));
        let key = (g.owner, g.value);
        assert!(
            gems.range(GemByOwnerValue, key..=key)
                .any(|r| r.id() == g.id())
        );
    }
    for (value, _) in by_value {
        let scan = gems.iter().filter(|g| g.value == value).count();
        assert_eq!(gems.range(GemByValue, value..=value).count(), scan);
    }
}

fn names(db: &Db<Mine>) -> Vec<(String, u32, Option<Id<Miner>>)> {
    let gems = db.table::<Gem>();
    gems.iter()
        .map(|g| (g.name.clone(), g.value, g.owner))
        .collect()
}

#[test]
fn a_panicking_clone_in_update_edit_and_update_many_changes_nothing() {
    let (mut db, miners, _, gems) = mine(Fuse::Clone);
    let before = names(&db);
    let armed = gems[2];
    let r = catch_unwind(AssertUnwindSafe(|| {
        db.update(armed, |g| g.name = "x".into())
    }));
    assert!(r.is_err());
    let r = catch_unwind(AssertUnwindSafe(|| db.edit(armed, |g| g.value = 99)));
    assert!(r.is_err());
    let r = catch_unwind(AssertUnwindSafe(|| {
        db.update_many(gems.iter().copied(), |g| g.owner = Some(miners[0]))
    }));
    assert!(r.is_err());
    assert_eq!(names(&db), before);
    agrees(&db);
}

#[test]
fn a_panic_in_update_many_change_changes_nothing() {
    let (mut db, _, _, gems) = mine(Fuse::Calm);
    let before = names(&db);
    let mut n = 0;
    let r = catch_unwind(AssertUnwindSafe(|| {
        db.update_many(gems.iter().copied(), |g| {
            n += 1;
            assert!(n < 17, "change: 17th");
            g.value += 1;
            g.name.push('!');
        })
    }));
    assert!(r.is_err());
    assert_eq!(names(&db), before);
    agrees(&db);
}

#[test]
fn a_panicking_validator_changes_nothing() {
    let (mut db, _, veins, gems) = mine(Fuse::Calm);
    let before = names(&db);
    let boom = || gem("boom", 1, None, veins[0], Fuse::Calm);
    assert!(catch_unwind(AssertUnwindSafe(|| db.insert(boom()))).is_err());
    let batch = vec![gem("new", 1, None, veins[0], Fuse::Calm), boom()];
    assert!(catch_unwind(AssertUnwindSafe(|| db.insert_many(batch))).is_err());
    let r = catch_unwind(AssertUnwindSafe(|| db.replace(gems[1], boom())));
    assert!(r.is_err());
    let r = catch_unwind(AssertUnwindSafe(|| {
        // The 30th copy is refused by a panic, after earlier copies traded names.
        let mut n = 0;
        db.update_many(gems.iter().copied(), |g| {
            n += 1;
            g.name = if n == 30 {
                "boom".into()
            } else {
                format!("g{}", 40 - n)
            };
        })
    }));
    assert!(r.is_err());
    assert_eq!(names(&db), before);
    agrees(&db);
}

#[test]
fn a_panicking_drop_of_the_old_row_leaves_the_new_one_indexed() {
    let (mut db, miners, _, gems) = mine(Fuse::Drop);
    let armed = gems[7];
    let r = catch_unwind(AssertUnwindSafe(|| {
        db.update(armed, |g| {
            g.fuse = Fuse::Calm;
            g.name = "renamed".into();
            g.value = 100;
            g.owner = Some(miners[1]);
        })
    }));
    assert!(r.is_err());
    agrees(&db);
    let gems_ref = db.table::<Gem>();
    assert_eq!(
        gems_ref.get_by(GemByName, "renamed").map(|g| g.id()),
        Some(armed)
    );
    assert!(gems_ref.get_by(GemByName, "g7").is_none());
    // update_many: every armed gem trades its name with the next gem and disarms.
    let ids: Vec<_> = gems.iter().copied().filter(|&g| g != armed).collect();
    let old: Vec<String> = ids
        .iter()
        .map(|&g| db.get(g).unwrap().name.clone())
        .collect();
    let mut at = 0;
    let r = catch_unwind(AssertUnwindSafe(|| {
        db.update_many(ids.iter().copied(), |g| {
            g.fuse = Fuse::Calm;
            g.name = old[(at + 1) % old.len()].clone();
            g.value += 3;
            at += 1;
        })
    }));
    assert!(r.is_err(), "an old gem's drop panics");
    agrees(&db);
    for (i, &id) in ids.iter().enumerate() {
        assert_eq!(db.get(id).unwrap().name, old[(i + 1) % old.len()]);
    }
    assert!(db.table::<Gem>().iter().all(|g| g.fuse == Fuse::Calm));
}

#[test]
fn panicking_drops_in_cascades_and_set_nulls_leave_every_index_agreeing() {
    let (mut db, miners, veins, _) = mine(Fuse::Drop);
    // The miner's gems get a null owner (an indexed key, in a composite index too). The
    // set-null is checked against the gems' validator on copies, whose drops panic: the
    // delete is applied whole, then the first such panic goes on.
    let r = catch_unwind(AssertUnwindSafe(|| db.delete(miners[0])));
    assert!(r.is_err());
    assert!(!db.contains(miners[0]));
    agrees(&db);
    assert_eq!(
        db.table::<Gem>().find(GemByOwner, &Some(miners[0])).count(),
        0
    );
    // The vein's gems go, some of their drops panicking.
    let r = catch_unwind(AssertUnwindSafe(|| db.delete(veins[0])));
    assert!(r.is_err());
    agrees(&db);
    assert!(db.table::<Gem>().iter().all(|g| g.vein == veins[1]));
    let r = catch_unwind(AssertUnwindSafe(|| db.delete_where::<Gem>(|g| g.value < 3)));
    assert!(r.is_err());
    agrees(&db);
    assert!(db.table::<Gem>().iter().all(|g| g.value >= 3));
    std::mem::forget(db); // armed gems are left: their drops would fail the test
}

#[test]
fn a_panicking_predicate_in_retain_delete_where_or_update_where_changes_nothing() {
    let (mut db, _, _, _) = mine(Fuse::Calm);
    let before = names(&db);
    let mut n = 0;
    let r = catch_unwind(AssertUnwindSafe(|| {
        db.delete_where::<Gem>(|g| {
            n += 1;
            assert!(n < 20);
            g.value < 4
        })
    }));
    assert!(r.is_err());
    let r = catch_unwind(AssertUnwindSafe(|| {
        db.update_where::<Gem>(|g| g.value > 100 || panic!("where"), |g| g.value = 0)
    }));
    assert!(r.is_err());
    assert_eq!(names(&db), before);
    agrees(&db);
}
