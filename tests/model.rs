//! Model-based test: random sequences of inserts, updates and deletes, run on the store and on a
//! naive reference (rows in `Vec`s, relations found by linear scan), compared after every step.
//!
//! - Schema (`model/schema.rs`): users, posts, comments, profiles, categories; nine relations
//!   covering HasMany and HasOne, Restrict, Cascade and SetNull, required and optional keys, two
//!   relations between the same tables and two self-referential ones.
//! - Operations (`model/generate.rs`, `model/ops.rs`): inserts; updates through `db.update`,
//!   `db.replace` and a panicking `db.update` closure (re-parenting, setting optional keys to
//!   `None` and back, changing plain fields); in-place edits through `db.edit` whose closure
//!   changes plain fields only, moves the row to valid parents, tries keys the store refuses
//!   (deleted parents, taken has-one parents) or panics after changing keys (the reference
//!   puts every key back and keeps the other fields as written); deletes on every table;
//!   `delete_plan`; now and then `db.shrink_to_fit()` (after which no dead id may name a row,
//!   and every new id, in a slot given back or not, must be one never handed out), at times
//!   followed by a trim: the last slots of a table churned, two shrinks in a row, then a fan of
//!   rows past every slot given back. Ids are live, deleted, or forged; now and then a burst of children under one row makes long sibling lists
//!   and cascades of more than 32 rows, and a family (bulk steps of hundreds of rows: fans of
//!   posts, comments, replies and categories, chains of categories up to 1200 deep) makes
//!   deletes of more than 128 and more than 1000 rows, cascades more than 128 levels deep and
//!   hundreds of keys set to null at once, past the size thresholds of the store's delete.
//!   Every outcome (the value returned, or the error and the relation and rows it names) is
//!   compared with the reference's.
//! - In-place views, bulk inserts and retains (`model/batch.rs`): `row_mut` of a live or
//!   stale id, `rows_mut` over a table, `edit_rows` over a table reading the others through
//!   the store (its own table reads as empty), its closure panicking at some row now and then
//!   (the rows before keep their edits, in slot order); `insert_many` of a dozen rows, often
//!   with one bad row (a key to no row, a has-one parent taken by a row or by an earlier row
//!   of the batch: refused at its position, rows handed back, store unchanged; accepted, the
//!   ids one-by-one inserts give in a store loaded from the same bytes); `retain` with a
//!   hashed predicate, over a table or a parent's children (the reference deletes all the
//!   dropped rows at once; a restrict anywhere refuses it all; a panicking predicate changes
//!   nothing). Big families: a user, comment or category given 2000-5000 children by
//!   `insert_many`, then children deleted, moved away and rows moved in one by one (one step,
//!   each compared, the full check at its end), most of them dropped by a `retain`, more
//!   inserted, and so on, before the root's delete: the root's list of children crosses any
//!   size threshold both ways.
//! - Save and load (`model/save.rs`), now and then (and between a trim's shrinks and its fan):
//!   the store written with `write_to` and read back with `Db::read_from`, the run going on
//!   with the loaded store. It must save again to the same bytes, keep every dead id stale,
//!   and hand out the ids the store would have (a probe of inserts into the store and into a
//!   second load of its bytes). Or a `db.snapshot()`, one or two more ops on the store, then
//!   the snapshot written: the store's bytes at the snapshot; the run goes on from the loaded
//!   snapshot, the reference back at that moment.
//! - After every step (`model/check.rs`): every row, count, has-many (in order), has-one and
//!   belongs-to answer, `NotFound` for dead ids (each right after its delete, then in a moving
//!   window), and `Db::check_integrity`.
//! - A second schema (`model/units/`), run through the same checks: players and units, a unit
//!   with six keys (four to its own table; has-one under each policy), players pointing back to
//!   units; units carry a bomb whose `Clone` or `Drop` panics when armed, every operation runs
//!   under `catch_unwind`, and the reference (plain data, no bombs) says which panic must come
//!   out and what the store holds afterwards. Families of hundreds of units (fans, chains of
//!   leaders, guards and mentors) are deleted with armed bombs among them. Units and players
//!   are edited in place too (no clone, no drop: an armed bomb stays quiet), the store is
//!   shrunk now and then, and saved and loaded as the forum's (a snapshot clones every unit:
//!   the first armed for `Clone` stops it). `row_mut` and `edit_rows` (panicking now and
//!   then) over armed units: nothing cloned or dropped, the lent table put back whole;
//!   `insert_many` of armed units (refused: every unit handed back, none dropped); `retain`
//!   over units or players, families' units thinned with armed bombs among them (every
//!   planned row gone, then the first panicking drop in plan order goes on).
//! - A third schema (`model/indexed/`), an indexed game: players, guilds, quests and progress
//!   rows with unique, ordered, hash and composite secondary indexes (one over an optional key
//!   a set-null relation clears; two unique ones on one table) and validators, over small
//!   value domains so that keys collide often. Inserts, updates, replaces and edits (on a
//!   copy: a refusal or a panic leaves the row whole) that break uniqueness or a validator,
//!   deletes, cascades and set-nulls that free keys, `delete_many`/`delete_where`,
//!   `update_many`/`update_where` (keys traded among the rows, one key for all, stale ids,
//!   duplicates, restricts), `insert_many` with duplicates in the batch, views of unindexed
//!   fields, shrinks, saves and loads. After every step, besides the reads above, every index
//!   lookup against the reference's naive answer: `get_by` and `find` for every key of the
//!   domains, `range` over random ranges (ascending and `.rev()`), `prefix`. And the query
//!   layer against scans and stable sorts of the reference's rows: a query per table (a
//!   filter, an order by a key with ties either way, creation order or ids breaking ties, a
//!   window), a cross product of quests past the top-k buffer's room (limits on both sides of
//!   64), `query_by`/`query_range` (`rev`, windows), each relation's `children`,
//!   `where_has`/`where_has_not` and `join`, `through` both ways, each read by `all`, a fold,
//!   `first`, `count`, `exists` and `one`; and an eager tree (guilds, leaders, players, the
//!   guild each leads, progress rows, quests) with its owned twins. Add `indexes` to run it
//!   alone.
//!
//! By default `SEEDS` seeds of `STEPS` steps each run (`UNIT_STEPS` for the units), and the run
//! must cover every kind of outcome. A failure prints its seed, step and operation; replay it
//! (or run one seed longer) with `RELSTORE_SEED=<seed> [RELSTORE_STEPS=<n>] cargo test --test
//! model` (add `units` to run the unit schema's test alone). Outcome counts: `cargo test
//! --test model -- --nocapture`. Heavier runs: more steps per seed, e.g.
//! `for s in $(seq 100 160); do RELSTORE_SEED=$s RELSTORE_STEPS=3000 cargo test --release
//! --test model || break; done`.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// `return Err(..)` from the enclosing function unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// `return Err(..)` unless `store == reference`, printing both.
macro_rules! ensure_eq {
    ($store:expr, $reference:expr, $($msg:tt)+) => {{
        let (store, reference) = (&$store, &$reference);
        if store != reference {
            return Err(format!(
                "{}\n   store: {store:?}\n   reference: {reference:?}",
                format!($($msg)+)
            ));
        }
    }};
}

#[path = "model/batch.rs"]
mod batch;
#[path = "model/check.rs"]
mod check;
#[path = "model/generate.rs"]
mod generate;
#[path = "model/indexed/mod.rs"]
mod indexed;
#[path = "model/ops.rs"]
mod ops;
#[path = "model/reference.rs"]
mod reference;
#[path = "model/rng.rs"]
mod rng;
#[path = "model/save.rs"]
mod save;
#[path = "model/schema.rs"]
mod schema;
#[path = "model/units/mod.rs"]
mod units;

const SEEDS: u64 = 20;
const STEPS: usize = 600;
/// Steps per seed of the unit schema's run: fewer, to keep the default run fast (its tables
/// carry seven relations, and each step checks them all).
const UNIT_STEPS: usize = 400;
/// Steps per seed of the indexed game's run (`model/indexed/`).
const INDEXED_STEPS: usize = 600;

fn env(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
    )
}

/// The seeds and the steps per seed to run: `RELSTORE_SEED` and `RELSTORE_STEPS`, or the
/// defaults; and whether they are the defaults.
fn seeds_and_steps(default_steps: usize) -> (Vec<u64>, usize, bool) {
    let seed = env("RELSTORE_SEED");
    let steps = env("RELSTORE_STEPS").map_or(default_steps, |n| n as usize);
    let seeds: Vec<u64> = match seed {
        Some(seed) => vec![seed],
        None => (1..=SEEDS).collect(),
    };
    (seeds, steps, seed.is_none() && steps == default_steps)
}

fn print_stats(name: &str, seeds: usize, steps: usize, stats: &ops::Stats) {
    let total = stats["steps"];
    println!("{name}: {seeds} seeds x {steps} steps = {total} steps:");
    for (outcome, n) in stats {
        println!("  {n:>6}  {outcome}");
    }
}

#[test]
fn random_operations_agree_with_the_reference() {
    let (seeds, steps, default) = seeds_and_steps(STEPS);
    let mut stats = ops::Stats::new();
    for &seed in &seeds {
        run(seed, steps, &mut stats);
    }
    print_stats("forum", seeds.len(), steps, &stats);
    if default {
        let total = stats["steps"];
        assert!(total >= 10_000, "only {total} steps ran");
        covers_every_outcome(&stats);
    }
}

/// The same on the unit schema (`model/units/`), whose units carry bombs: every operation runs
/// under `catch_unwind`, and the reference says which panic, if any, must come out of it.
#[test]
fn random_operations_on_units_agree_with_the_reference() {
    let (seeds, steps, default) = seeds_and_steps(UNIT_STEPS);
    let quiet = units::QuietPanics::install();
    let mut stats = ops::Stats::new();
    for &seed in &seeds {
        units::run(seed, steps, &mut stats);
    }
    drop(quiet);
    print_stats("units", seeds.len(), steps, &stats);
    if default {
        let total = stats["steps"];
        assert!(total >= 8_000, "only {total} steps ran");
        units::covers_every_outcome(&stats);
    }
}

/// The same on the indexed game (`model/indexed/`): secondary indexes, validators and bulk
/// edits, every index lookup checked after every step.
#[test]
fn random_operations_on_indexes_agree_with_the_reference() {
    indexed::check_index_infos();
    let (seeds, steps, default) = seeds_and_steps(INDEXED_STEPS);
    let mut stats = ops::Stats::new();
    for &seed in &seeds {
        indexed::run(seed, steps, &mut stats);
    }
    print_stats("indexed", seeds.len(), steps, &stats);
    if default {
        let total = stats["steps"];
        assert!(total >= 12_000, "only {total} steps ran");
        indexed::covers_every_outcome(&stats);
    }
}

fn run(seed: u64, steps: usize, stats: &mut ops::Stats) {
    let mut db = schema::build();
    check_relation_info(&db, &schema::EXPECTED_INFO);
    let mut reference = reference::Reference::default();
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
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
                format!("panicked: {}", message.unwrap_or_default())
            }
        };
        panic!(
            "seed {seed}, step {step}, op {op:?}\n{failure}\n\
             replay: RELSTORE_SEED={seed} RELSTORE_STEPS={} cargo test --test model",
            step + 1
        );
    }
}

/// The store describes each relation as the schema declares it.
fn check_relation_info<S: relstore::Schema>(
    db: &relstore::Db<S>,
    expected: &[(&str, &str, &str, &str, relstore::OnDelete, bool, bool)],
) {
    let got: Vec<_> = db
        .relation_infos()
        .map(|i| {
            (
                i.name,
                i.child_table,
                i.foreign_key,
                i.parent_table,
                i.on_delete,
                i.unique,
                i.optional,
            )
        })
        .collect();
    assert_eq!(got, expected);
}

/// The default run must exercise every kind of outcome, so that a change to the generator
/// cannot quietly stop testing something.
fn covers_every_outcome(stats: &ops::Stats) {
    let mut required = vec![
        "update panicked in closure".to_string(),
        "update NotFound".into(),
        "replace NotFound".into(),
        "update MissingParent".into(),
        "replace MissingParent".into(),
        "update HasOneTaken".into(),
        "replace HasOneTaken".into(),
        "insert MissingParent".into(),
        "insert HasOneTaken".into(),
        "delete cascaded".into(),
        "delete of more than 32 rows".into(),
        "delete of more than 128 rows".into(),
        "delete of more than 1000 rows".into(),
        "delete cascading more than 128 levels deep".into(),
        "delete setting more than 128 keys to null".into(),
        "delete_plan of more than 128 rows".into(),
        "delete_plan ok".into(),
        "delete_plan Restricted".into(),
        "delete_plan NotFound".into(),
        "edit NotFound".into(),
        "edit MissingParent".into(),
        "edit HasOneTaken".into(),
        "edit ok, no key changed".into(),
        "edit ok, moved the row".into(),
        "edit refused, other fields kept".into(),
        "edit panicked in closure".into(),
        "edit panicked after changing keys".into(),
        "edit panicked, other fields kept".into(),
        "shrink".into(),
        "shrink gave back slots".into(),
        "insert into a slot a shrink gave back".into(),
        "shrink gave back only slots older than the previous shrink".into(),
        "insert into a slot given back, the last of two shrinks in a row".into(),
        "save and load".into(),
        "save and load with slots a shrink gave back".into(),
        "snapshot, more ops, then its load".into(),
        // in-place views, insert_many, retain
        "row_mut ok".into(),
        "row_mut NotFound".into(),
        "edit_rows panicked in closure".into(),
        "edit_rows panicked, earlier rows keep their edits".into(),
        "insert_many ok".into(),
        "insert_many MissingParent".into(),
        "insert_many HasOneTaken".into(),
        "insert_many HasOneTakenInBatch".into(),
        "insert_many refused after good rows".into(),
        "insert_many of more than 1000 rows".into(),
        "retain Restricted".into(),
        "retain panicked in predicate".into(),
        "retain cascaded".into(),
        "retain set keys to null".into(),
        "retain deleted nothing".into(),
        "retain of more than 1000 rows".into(),
        // big families
        "bulk steps under a parent with more than 1000 children".into(),
        "bulk steps under a parent with at most 1000 children".into(),
    ];
    for table in ["users", "posts", "comments", "profiles", "categories"] {
        required.push(format!("rows_mut {table} ok"));
        required.push(format!("edit_rows {table} ok"));
        required.push(format!("retain {table} ok"));
        required.push(format!("insert {table} ok"));
        required.push(format!("delete {table} ok"));
        required.push(format!("delete {table} NotFound"));
    }
    for table in ["users", "categories"] {
        required.push(format!("delete {table} Restricted"));
    }
    for rel in reference::RELATIONS {
        required.push(format!("update re-parent {}", rel.name()));
        required.push(format!("edit re-parent {}", rel.name()));
        if rel.policy() == relstore::OnDelete::SetNull {
            required.push(format!("delete set null {}", rel.name()));
        }
    }
    for rel in [
        "PostEditor",
        "PostCategory",
        "CommentReply",
        "FeaturedPost",
        "CategoryParent",
    ] {
        required.push(format!("update key to None {rel}"));
        required.push(format!("replace key to None {rel}"));
        required.push(format!("edit key to None {rel}"));
    }
    let missing: Vec<_> = required
        .iter()
        .filter(|r| !stats.contains_key(*r))
        .collect();
    assert!(missing.is_empty(), "the run never covered: {missing:?}");
}
