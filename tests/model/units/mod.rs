//! The second schema of the model-based test: players and units (`schema.rs`), a unit carrying
//! a bomb whose `Clone` or `Drop` panics when armed; in-place edits of both (an edit neither
//! clones nor drops a unit, so no bomb goes off), `shrink_to_fit` and save-and-load as in the
//! forum's run. The same machinery as the forum's: a
//! seeded generator (`generate.rs`), each operation run on the store and on a naive reference
//! (`reference.rs`) and the outcomes compared (`ops.rs`), then every read of the store checked
//! (`check.rs`, through the forum's generic checks).

use std::panic::{AssertUnwindSafe, catch_unwind};

use relstore::Db;

use crate::ops::Stats;

mod check;
mod generate;
pub mod ops;
mod reference;
mod schema;

pub use ops::QuietPanics;

pub fn run(seed: u64, steps: usize, stats: &mut Stats) {
    let mut db = schema::build();
    crate::check_relation_info(&db, &schema::EXPECTED_INFO);
    let mut reference = reference::UnitsRef::default();
    let mut generator = generate::Gen::new(seed);
    for step in 0..steps {
        let op = generator.op(&reference);
        let result = catch_unwind(AssertUnwindSafe(|| {
            ops::run(&mut db, &mut reference, &op, stats)?;
            *stats.entry("steps".into()).or_default() += 1;
            check::everything(&db, &reference)
        }));
        let failure = match result {
            Ok(Ok(())) => continue,
            Ok(Err(message)) => message,
            Err(panic) => format!("panicked: {}", crate::ops::message(&*panic)),
        };
        panic!(
            "units: seed {seed}, step {step}, op {op:?}\n{failure}\n\
             replay: RELSTORE_SEED={seed} RELSTORE_STEPS={} cargo test --test model units",
            step + 1
        );
    }
    // Dropping the store would set off its armed bombs; the run is over.
    std::mem::forget::<Db<_>>(db);
}

/// The default run must exercise every kind of outcome.
pub fn covers_every_outcome(stats: &Stats) {
    let mut required: Vec<String> = [
        // bombs
        "insert rejected, its drop panicked",
        "update clone panicked",
        "update old value's drop panicked",
        "update rejected, its drop panicked",
        "replace old value's drop panicked",
        "replace rejected, its drop panicked",
        "update panicked in closure",
        "delete: a cascaded row's drop panicked",
        "delete: several cascaded rows' drops panicked",
        "delete: the returned row's drop panicked",
        "delete: the requested row's drop panicked after a cascaded row's",
        "delete of more than 128 rows, a drop panicked",
        // sizes
        "bulk fan",
        "bulk chain",
        "delete of more than 128 rows",
        "delete of more than 1000 rows",
        "delete cascading more than 128 levels deep",
        "delete setting more than 128 keys to null",
        // outcomes
        "insert units MissingParent",
        "insert units HasOneTaken",
        "insert players HasOneTaken",
        "update units HasOneTaken",
        "replace units MissingParent",
        "update player ok",
        "replace player ok",
        "delete units ok",
        "delete units Restricted",
        "delete units NotFound",
        "delete players ok",
        "delete players NotFound",
        "delete cascaded",
        "delete_plan ok",
        "delete_plan Restricted",
        // edits and shrinks
        "edit NotFound",
        "edit MissingParent",
        "edit HasOneTaken",
        "edit ok, no key changed",
        "edit ok, moved the row",
        "edit refused, other fields kept",
        "edit panicked in closure",
        "edit panicked after changing keys",
        "edit panicked, other fields kept",
        "edit of a unit whose clone panics",
        "edit of a unit whose drop panics",
        "shrink",
        "shrink gave back slots",
        "insert into a slot a shrink gave back",
        "shrink gave back only slots older than the previous shrink",
        "insert into a slot given back, the last of two shrinks in a row",
        // saves
        "save and load",
        "snapshot, more ops, then its load",
        "snapshot: a unit's clone panicked",
        // in-place views, insert_many, retain
        "row_mut ok",
        "row_mut NotFound",
        "edit_rows units ok",
        "edit_rows panicked in closure",
        "edit_rows of units armed for clone or drop",
        "insert_many units ok",
        "insert_many of units armed to panic",
        "insert_many units MissingParent",
        "insert_many units HasOneTaken",
        "insert_many units HasOneTakenInBatch",
        "insert_many refused, armed units handed back",
        "retain units ok",
        "retain players ok",
        "retain Restricted",
        "retain panicked in predicate",
        "retain: a deleted row's drop panicked",
        "retain cascaded",
        "retain set keys to null",
    ]
    .map(String::from)
    .into();
    for rel in reference::RELS {
        if rel.policy == relstore::OnDelete::SetNull {
            required.push(format!("delete set null {}", rel.name));
        }
        if rel.child_table == "units" {
            required.push(format!("re-parent {}", rel.name));
        }
        required.push(format!("edit re-parent {}", rel.name));
    }
    let missing: Vec<_> = required
        .iter()
        .filter(|r| !stats.contains_key(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "the unit run never covered: {missing:?}"
    );
}
