//! Panics in rows' `Drop` during a cascade, in the two cases the store once got wrong (issue
//! 8, reliability finding 6; both fixed). Each test asserts the behaviour the store documents:
//! the panic reaches the caller (catchable by `catch_unwind`), every planned row is gone, and
//! every index agrees with the rows.
//!
//! - (a) A panic payload whose own `Drop` panics: the store once dropped the second payload
//!   it caught, that drop's panic escaped its loop, and the rows after it stayed in their
//!   tables while the indexes said they were gone.
//! - (b) A delete whose requested row's `Drop` panics, when a cascaded row's `Drop` panics
//!   too: the store once dropped the requested row while the cascaded row's panic unwound,
//!   which aborted the process (and every test of this binary with it).
//!
//! The rows' `Drop`s panic unconditionally (even while unwinding), as a careless `Drop` would;
//! the model-based test (`tests/model/units/`) covers the recoverable cases at random.

use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};

use relstore::{Db, Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "owners")]
pub struct Owner {
    name: String,
    /// Whether its `Drop` panics.
    armed: bool,
}
impl Drop for Owner {
    fn drop(&mut self) {
        if self.armed {
            panic!("owner {}: drop", self.name);
        }
    }
}

/// What a crate's `Drop` does.
#[derive(Clone, Copy, Serialize, Deserialize, PartialEq)]
pub enum Fuse {
    None,
    /// Panics with a message.
    Panic,
    /// Panics with a [`NastyPayload`].
    Nasty,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "crates")]
pub struct Crate {
    owner: Id<Owner>,
    fuse: Fuse,
}
impl Drop for Crate {
    fn drop(&mut self) {
        match self.fuse {
            Fuse::None => {}
            Fuse::Panic => panic!("crate: drop"),
            Fuse::Nasty => panic_any(NastyPayload),
        }
    }
}

/// A panic payload whose own `Drop` panics (unless the thread is already panicking: this
/// test is about the store's drop loop, not about aborts).
pub struct NastyPayload;
impl Drop for NastyPayload {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("a panic payload's drop");
        }
    }
}

relstore::belongs_to!(pub CrateOwner: Crate.owner -> Owner, has_many, on_delete = Cascade);

relstore::schema! {
    struct Depot { owners: Owner, crates: Crate }
    relations { CrateOwner }
}

/// An owner (its `Drop` panicking if `armed`) and one crate per fuse; their ids.
fn depot(armed: bool, fuses: &[Fuse]) -> (Db<Depot>, Id<Owner>, Vec<Id<Crate>>) {
    let mut db = Db::<Depot>::new();
    let owner = db
        .insert(Owner {
            name: "ann".into(),
            armed,
        })
        .unwrap();
    let crates = fuses
        .iter()
        .map(|&fuse| db.insert(Crate { owner, fuse }).unwrap())
        .collect();
    (db, owner, crates)
}

/// What the store documents after a delete of `owner` whose drops panicked: every planned
/// row gone, every index consistent, and the store still usable.
fn every_row_gone_and_consistent(db: &mut Db<Depot>, owner: Id<Owner>, crates: &[Id<Crate>]) {
    assert_eq!(
        db.check_integrity(),
        Ok(()),
        "every index agrees with the rows"
    );
    assert!(!db.contains(owner), "the requested row is gone");
    let left: Vec<_> = crates.iter().filter(|&&c| db.contains(c)).collect();
    assert!(
        left.is_empty(),
        "every cascaded row is gone; left: {left:?}"
    );
    assert!(db.table::<Crate>().is_empty());
    let bob = db
        .insert(Owner {
            name: "bob".into(),
            armed: false,
        })
        .unwrap();
    let fresh = db
        .insert(Crate {
            owner: bob,
            fuse: Fuse::None,
        })
        .unwrap();
    assert_eq!(db.has_many(CrateOwner, bob).unwrap().len(), 1);
    db.delete(bob).unwrap();
    assert!(!db.contains(fresh));
    assert_eq!(db.check_integrity(), Ok(()));
}

/// Bug (a), fixed.
#[test]
fn a_panic_payload_whose_drop_panics_does_not_keep_cascaded_rows_in_the_tables() {
    let fuses = [Fuse::None, Fuse::Nasty, Fuse::Nasty, Fuse::None, Fuse::None];
    let (mut db, owner, crates) = depot(false, &fuses);
    let outcome = catch_unwind(AssertUnwindSafe(|| db.delete(owner)));
    match outcome {
        Ok(_) => panic!("the crates' drops panicked, and the delete returned"),
        // Whichever payload comes out, its drop would panic: it is not dropped.
        Err(payload) => std::mem::forget(payload),
    }
    every_row_gone_and_consistent(&mut db, owner, &crates);
}

/// Bug (b), fixed.
#[test]
fn a_requested_row_whose_drop_panics_during_a_panicking_cascade_does_not_abort() {
    let fuses = [Fuse::None, Fuse::Panic, Fuse::None];
    let (mut db, owner, crates) = depot(true, &fuses);
    let outcome = catch_unwind(AssertUnwindSafe(|| db.delete(owner)));
    assert!(outcome.is_err(), "the drops' panic reaches the caller");
    every_row_gone_and_consistent(&mut db, owner, &crates);
}
