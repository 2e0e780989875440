//! The third schema of the model-based test: a game whose tables carry secondary indexes
//! (unique and not, hash and ordered, single and composite, one over an optional key a
//! set-null relation clears) and validators (`schema.rs`), over small value domains, so that
//! unique keys collide and validators refuse often. The same machinery as the forum's: a
//! seeded generator (`generate.rs`) of inserts, updates, replaces and edits (on a copy: a
//! refusal or a panic leaves the row whole), deletes with cascades and set-nulls that free
//! keys, `delete_many`/`delete_where`, `update_many`/`update_where` (keys traded among the
//! rows, one key for all, stale ids, duplicates), `insert_many` with duplicates in the batch,
//! in-place views of unindexed fields, shrinks, saves and loads; each run on the store and on
//! a naive reference (`reference.rs`) and the outcomes compared (`ops.rs`); then every read,
//! `check_integrity` and every index lookup checked (`check.rs`), then queries and index
//! queries (`queries.rs`), the queries that follow relations (`query_relations.rs`) and an
//! eager tree (`trees.rs`), each against naive scans of the reference's rows.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::ops::Stats;
use crate::rng::Rng;

mod bulk;
mod check;
mod generate;
mod models;
mod ops;
mod queries;
mod query_relations;
mod reference;
pub mod schema;
mod trees;

pub fn run(seed: u64, steps: usize, stats: &mut Stats) {
    let mut db = schema::build();
    crate::check_relation_info(&db, &schema::EXPECTED_INFO);
    let mut reference = reference::GameRef::default();
    let mut generator = generate::Gen::new(seed);
    let mut lookups = Rng::new(seed ^ 0x0100_c0b5);
    for step in 0..steps {
        let op = generator.op(&reference);
        let result = catch_unwind(AssertUnwindSafe(|| {
            ops::run(&mut db, &mut reference, &op, stats)?;
            *stats.entry("steps".into()).or_default() += 1;
            check::everything(&db, &reference, &mut lookups, stats)
        }));
        let failure = match result {
            Ok(Ok(())) => continue,
            Ok(Err(message)) => message,
            Err(panic) => format!("panicked: {}", crate::ops::message(&*panic)),
        };
        panic!(
            "indexed: seed {seed}, step {step}, op {op:?}\n{failure}\n\
             replay: RELSTORE_SEED={seed} RELSTORE_STEPS={} cargo test --test model indexes",
            step + 1
        );
    }
}

/// The indexes are described as declared.
pub fn check_index_infos() {
    let got: Vec<_> = (schema::index_infos().iter())
        .map(|i| (i.name, i.table, i.fields, i.unique, i.ordered))
        .collect();
    let want: [(&str, &str, &[&str], bool, bool); 7] = [
        ("PlayerByName", "players", &["name"], true, true),
        ("PlayerByLevel", "players", &["level"], false, true),
        ("PlayerByGuild", "players", &["guild"], false, false),
        ("GuildByTag", "guilds", &["tag"], true, true),
        ("GuildByName", "guilds", &["name"], true, false),
        (
            "ProgressByPlayerQuest",
            "progress",
            &["player", "quest"],
            true,
            false,
        ),
        (
            "ProgressByQuestStep",
            "progress",
            &["quest", "step"],
            false,
            true,
        ),
    ];
    assert_eq!(got, want);
}

/// The default run must exercise every kind of outcome.
pub fn covers_every_outcome(stats: &Stats) {
    let mut required: Vec<String> = [
        "insert players Unique",
        "insert guilds Unique",
        "insert progress Unique",
        "insert quests Invalid",
        "insert progress Invalid",
        "insert progress MissingParent",
        "insert guilds HasOneTaken",
        "Update Unique",
        "Update Invalid",
        "Replace Unique",
        "Replace Invalid",
        "Edit Unique",
        "Edit Invalid",
        "Edit HasOneTaken",
        "Edit NotFound",
        "Replace NotFound",
        "PanicInUpdate: row unchanged",
        "PanicInEdit: row unchanged",
        "delete players ok",
        "delete Restricted",
        "delete NotFound",
        "delete cascaded",
        "delete set null PlayerGuild",
        "delete set null GuildLeader",
        "delete_many players ok",
        "delete_many cascaded",
        "delete_many NotFound",
        "delete_many Restricted",
        "delete_where players ok",
        "delete_where Restricted",
        "update_many changed several rows",
        "update_many traded unique keys",
        "update_where traded unique keys",
        "update_many NotFound",
        "update_many Unique",
        "update_many UniqueInBatch",
        "update_many Invalid",
        "update_many MissingParent",
        "update_many HasOneTaken",
        "update_many HasOneTakenInBatch",
        "update_where changed several rows",
        "update_where UniqueInBatch",
        "update_where Invalid",
        "insert_many UniqueInBatch",
        "insert_many Unique",
        "insert_many Invalid",
        "insert_many HasOneTakenInBatch",
        "row_mut NotFound",
        "save and load",
        "shrink",
        "cross query: top-k cut, limit below 64",
        "cross query: top-k cut, limit 64 or more",
        "eager tree: progress rows under players under guilds",
    ]
    .map(String::from)
    .into();
    for table in ["players", "guilds", "quests", "progress"] {
        for what in [
            "insert",
            "Update",
            "Replace",
            "Edit",
            "update_many",
            "update_where",
        ] {
            required.push(format!("{what} {table} ok"));
        }
        for what in [
            "insert_many",
            "row_mut",
            "rows_mut",
            "edit_rows",
            "delete_where",
        ] {
            required.push(format!("{what} {table} ok"));
        }
    }
    let missing: Vec<_> = required
        .iter()
        .filter(|r| !stats.contains_key(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "the indexed run never covered: {missing:?}"
    );
}
