//! Slot retirement, through the public API: a slot whose versions run out is never handed
//! out again, so an id can never come back to name another row.
//!
//! Slow (2^31 inserts and deletes of one slot, about a minute in release), so ignored by
//! default: `cargo test --release --test retirement -- --ignored`. The arena's unit tests
//! check the same rule quickly, from an image whose slot is already at its last version.

use relstore::{Db, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "notes")]
struct Note {
    n: u32,
}

relstore::schema! { struct Notes { notes: Note } relations {} }

fn slot(bits: u64) -> u64 {
    bits & 0xffff_ffff
}

#[test]
#[ignore = "slow: 2^31 reuses of one slot; run with --release -- --ignored"]
fn a_slot_whose_versions_run_out_is_retired_and_no_id_comes_back() {
    let mut db = Db::<Notes>::new();
    let first = db.insert(Note { n: 0 }).unwrap();
    let mut reuses: u64 = 0;
    let mut id = first;
    loop {
        db.delete(id).unwrap();
        id = db.insert(Note { n: 1 }).unwrap();
        assert_ne!(id, first, "after {reuses} reuses the first id came back");
        if slot(id.to_bits()) != slot(first.to_bits()) {
            break; // the slot was retired: a new one was handed out
        }
        reuses += 1;
        assert!(reuses < 1 << 32, "the slot was never retired");
    }
    // Occupied versions are the odd ones up to 2^32 - 3: the slot served 2^31 - 1 rows, the
    // first and 2^31 - 2 reuses, before retiring.
    assert_eq!(reuses, (1 << 31) - 2);
    assert!(db.get(first).is_err());
    for n in 0..1000 {
        let fresh = db.insert(Note { n }).unwrap();
        assert_ne!(
            slot(fresh.to_bits()),
            slot(first.to_bits()),
            "the retired slot came back"
        );
    }
    db.check_integrity().unwrap();
}
