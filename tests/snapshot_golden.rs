//! Golden snapshot files: `tests/golden/v<N>.relstore`, one per format version, committed, and
//! loaded by every later build. They catch an accidental change of the file format: a file
//! written today must load, with every id intact, for as long as its format version is
//! supported.
//!
//! Regenerate the current version's file (only when the format changed on purpose, together
//! with a new format version; never rewrite the file of a released version):
//!
//! ```text
//! RELSTORE_BLESS=1 cargo test --test snapshot_golden
//! ```
//!
//! That writes `tests/golden/v1.relstore` from `build_golden()` (tests/snapshot_support/mod.rs)
//! instead of comparing against it. When format version 2 comes, add `tests/golden/v2.relstore`
//! and its tests beside these: the v1 file must keep loading to the same store (the
//! byte-for-byte test moves to v2, the version the encoder then writes).

mod common;
mod snapshot_support;

use relstore::{Db, Id, LoadError, Model};

use common::*;
use snapshot_support::*;

fn blessing() -> bool {
    std::env::var_os("RELSTORE_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Writes the golden file when blessing (once, before any test reads it); the tests then check
/// what was written.
fn bless() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if !blessing() {
            return;
        }
        let bytes = build_golden().write_to(Vec::new()).unwrap();
        std::fs::create_dir_all(std::path::Path::new(GOLDEN_V1).parent().unwrap()).unwrap();
        std::fs::write(GOLDEN_V1, &bytes).unwrap();
        eprintln!("blessed {GOLDEN_V1} ({} bytes)", bytes.len());
    });
}

/// The next insert into every table, with rows that are the same in both stores.
fn next_ids(db: &mut Db<App>) -> Vec<u64> {
    let first_user = db.table::<User>().iter().next().unwrap().id();
    let first_category = db.table::<Category>().iter().next().unwrap().id();
    let u = db.insert(user("next")).unwrap();
    let p = db.insert(post(first_user, "next")).unwrap();
    let c = db.insert(comment(p, u, "next")).unwrap();
    let pr = db.insert(profile(u, "next")).unwrap();
    let cat = db.insert(category("next", Some(first_category))).unwrap();
    let pin = db.insert(Pin { category_id: cat }).unwrap();
    vec![
        u.to_bits(),
        p.to_bits(),
        c.to_bits(),
        pr.to_bits(),
        cat.to_bits(),
        pin.to_bits(),
    ]
}

fn ids<T: Model>(db: &Db<App>) -> Vec<Id<T>>
where
    App: relstore::HasTable<T>,
{
    db.table::<T>().iter().map(|r| r.id()).collect()
}

#[test]
fn the_v1_golden_file_loads_to_the_golden_store() {
    bless();
    let mut built = build_golden();
    let mut loaded = Db::<App>::load(GOLDEN_V1).unwrap_or_else(|e| {
        panic!("{GOLDEN_V1} no longer loads: {e} (an accidental format change?)")
    });
    assert_eq!(snapshot(&loaded), snapshot(&built));
    // The same ids (also in the snapshot, said again here for the reader).
    assert_eq!(ids::<User>(&loaded), ids::<User>(&built));
    assert_eq!(ids::<Post>(&loaded), ids::<Post>(&built));
    assert_eq!(ids::<Comment>(&loaded), ids::<Comment>(&built));
    assert_eq!(ids::<Category>(&loaded), ids::<Category>(&built));
    // The golden store is what the doc comment says: vacant slots, a reused slot, free lists.
    assert!(ids::<User>(&built).iter().any(|u| u.to_bits() >> 32 == 3));
    assert_eq!(ids::<User>(&built).len(), 5);
    // The next inserts get the same ids in both, and leave the same stores.
    assert_eq!(next_ids(&mut loaded), next_ids(&mut built));
    assert_eq!(snapshot(&loaded), snapshot(&built));
    // And the next after those (past the free lists, into fresh slots).
    for _ in 0..3 {
        assert_eq!(next_ids(&mut loaded), next_ids(&mut built));
    }
    assert_eq!(snapshot(&loaded), snapshot(&built));
    loaded.check_integrity().unwrap();
}

#[test]
fn saving_the_golden_store_gives_the_v1_golden_file_byte_for_byte() {
    bless();
    let bytes = build_golden().write_to(Vec::new()).unwrap();
    let golden = golden_bytes();
    if bytes != golden {
        let at = bytes.iter().zip(&golden).position(|(a, b)| a != b);
        panic!(
            "the encoder no longer writes the v1 golden file ({} bytes now, {} in the file, \
             first difference at byte {at:?}): an accidental format change? If the format \
             changed on purpose, raise the format version and add a golden file for it",
            bytes.len(),
            golden.len()
        );
    }
    // Small, so that the hostile tests can try every bit of it.
    assert!(golden.len() < 4096, "{} bytes", golden.len());
}

#[test]
fn a_future_format_version_is_refused_by_name() {
    bless();
    for version in [2u32, 3, 0x100, u32::MAX] {
        let mut bytes = golden_bytes();
        bytes[8..12].copy_from_slice(&version.to_le_bytes());
        match Db::<App>::read_from(&bytes[..]) {
            Err(e @ LoadError::UnsupportedFormat { version: v }) if v == version => {
                let message = e.to_string();
                assert!(message.contains(&version.to_string()), "{message}");
                assert!(message.contains("version 1"), "{message}");
            }
            other => panic!("format version {version}: {other:?}"),
        }
    }
    // Version 0 was never written either.
    let mut bytes = golden_bytes();
    bytes[8..12].copy_from_slice(&0u32.to_le_bytes());
    assert!(matches!(
        Db::<App>::read_from(&bytes[..]),
        Err(LoadError::UnsupportedFormat { version: 0 })
    ));
}

#[test]
fn every_golden_file_present_is_one_these_tests_know() {
    bless();
    // A golden file nobody loads protects nothing.
    let dir = std::path::Path::new(GOLDEN_V1).parent().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            ["v1.relstore"].contains(&name.as_str()),
            "tests/golden/{name} has no test in tests/snapshot_golden.rs"
        );
    }
}
