//! Attack: rows whose `Drop` panics even while the thread unwinds (the careless kind that
//! `tests/panics.rs` shows `delete` surviving). `update_many` drops several rows relstore
//! holds (the old rows once stored, or the copies of a refused or panicking batch) as one
//! `Vec`: the second panicking `Drop` runs while the first unwinds, and the process aborts,
//! where `delete_many` catches each drop. Each case runs in a child process (this same test
//! binary), since an abort cannot be caught.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, Stdio};

use relstore::{Db, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "bombs")]
pub struct Bomb {
    #[relstore(unique)]
    code: u32,
    armed: bool,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.armed {
            panic!("bomb {}: drop", self.code);
        }
    }
}

relstore::schema! { pub struct Range { bombs: Bomb } relations {} }

const CHILD: &str = "RELSTORE_ATTACK_DROP_CHILD";

/// Runs test `name` of this binary alone in a child process; whether it exited normally.
fn survives(name: &str) -> bool {
    let status = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--include-ignored", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    status.success()
}

/// Three armed bombs, in a store; `body` runs on it under `catch_unwind` in the child, which
/// then checks the store and leaks it (dropping it would panic again).
fn child(body: impl FnOnce(&mut Db<Range>, Vec<relstore::Id<Bomb>>)) {
    if std::env::var_os(CHILD).is_none() {
        return; // only in the child process
    }
    let mut db = Db::<Range>::new();
    let ids = (0..3)
        .map(|code| db.insert(Bomb { code, armed: true }).unwrap())
        .collect();
    let caught = catch_unwind(AssertUnwindSafe(|| body(&mut db, ids)));
    assert!(caught.is_err(), "a drop panicked");
    db.check_integrity().unwrap();
    std::mem::forget(db);
}

#[test]
fn child_delete_many() {
    child(|db, ids| {
        let _ = db.delete_many(ids);
    });
}

#[test]
fn child_update_many_old_rows() {
    child(|db, ids| {
        let _ = db.update_many(ids, |b| b.armed = false);
    });
}

#[test]
fn child_update_many_refused() {
    child(|db, ids| {
        // Every copy takes code 7: refused, and the armed copies are dropped.
        let _ = db.update_many(ids, |b| b.code = 7);
    });
}

#[test]
fn delete_many_survives_careless_drops() {
    assert!(survives("child_delete_many"));
}

#[test]
fn update_many_survives_careless_drops_of_the_old_rows() {
    assert!(survives("child_update_many_old_rows"));
}

#[test]
fn a_refused_update_many_survives_careless_drops_of_its_copies() {
    assert!(survives("child_update_many_refused"));
}
