//! A hostile snapshot cannot make a load allocate much more than the file's size: the peak of
//! live bytes during each load stays under `32 * file_len + 8 MiB` (the codec lets one decode
//! claim up to 32 times its input, at least 2 MiB; vacant slots are capped by
//! `Loader::max_vacant_slots`, here small so that the bound means something). The cases are
//! those of snapshot_hostile.rs: every truncation, every bit flip, seeded mutations
//! (`RELSTORE_SEED`, `RELSTORE_CASES`), huge claims at every position.
//!
//! Measured by a counting global allocator (one per test binary, hence this file), per thread:
//! the tests of this binary run in parallel, each counting only its own thread.

mod common;
mod snapshot_support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use relstore::{Db, LoadError, Loader, TableError};

use common::*;
use snapshot_support::*;

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(bytes: isize) {
    // `try_with`: a thread's allocations after its locals are gone are not counted.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + bytes;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        // SAFETY: forwarded to the system allocator with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Both blocks are live while the bytes move.
        add(new_size as isize);
        // SAFETY: `ptr` came from this allocator with `layout`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        add(-(layout.size() as isize));
        new
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        // SAFETY: `ptr` came from this allocator with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most bytes live at once (above those live before) while `f` runs on this thread.
fn peak_of<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get) - base;
    (out, peak.max(0) as usize)
}

fn bound(file_len: usize) -> usize {
    32 * file_len + (8 << 20)
}

/// Loads every case under the test's vacant limit; fails listing those above the bound.
fn check_all(name: &str, cases: impl IntoIterator<Item = (String, Vec<u8>)>) {
    let mut over = Vec::new();
    let (mut count, mut highest) = (0, (0, String::new()));
    for (what, bytes) in cases {
        count += 1;
        let (result, peak) = peak_of(|| load(&bytes).map(drop));
        if peak > highest.0 {
            highest = (peak, what.clone());
        }
        if peak > bound(bytes.len()) {
            over.push(format!(
                "{what}: {peak} bytes at the peak, bound {} ({result:?})\n  input: {bytes:02x?}",
                bound(bytes.len())
            ));
        }
    }
    eprintln!(
        "{name}: {count} cases, highest peak {} bytes ({})",
        highest.0, highest.1
    );
    assert!(
        over.is_empty(),
        "{name}: {} of {count} loads above the bound; the first ones:\n{}",
        over.len(),
        over[..over.len().min(5)].join("\n")
    );
}

#[test]
fn the_golden_file_loads_within_the_bound() {
    let golden = golden_bytes();
    let (db, peak) = peak_of(|| load(&golden).unwrap());
    assert_eq!(snapshot(&db), snapshot(&build_golden()));
    assert!(peak <= bound(golden.len()), "{peak}");
}

#[test]
fn truncations_and_bit_flips_stay_within_the_bound() {
    let golden = golden_bytes();
    check_all(
        "truncations",
        (0..golden.len()).map(|len| (format!("truncated to {len}"), golden[..len].to_vec())),
    );
    check_all(
        "bit flips",
        (0..golden.len() * 8).map(|bit| {
            let mut bytes = golden.clone();
            bytes[bit / 8] ^= 1 << (bit % 8);
            (format!("bit {bit} flipped"), bytes)
        }),
    );
}

#[test]
fn seeded_mutations_stay_within_the_bound() {
    let golden = golden_bytes();
    let base = base_seed();
    check_all(
        "seeded mutations",
        (0..case_count(4000)).map(|case| {
            let seed = base.wrapping_add(case as u64);
            let (bytes, log, _) = mutate(&golden, &mut Rng::new(seed));
            (
                format!("case {case}, seed {seed:#x} (RELSTORE_SEED={seed:#x} RELSTORE_CASES=1): {log:?}"),
                bytes,
            )
        }),
    );
}

#[test]
fn huge_claims_at_every_position_stay_within_the_bound() {
    let frames = golden_frames();
    let mut cases = Vec::new();
    for (f, frame) in frames.iter().enumerate() {
        for p in 0..frame.payload.len() {
            for v in HUGE_LENGTHS {
                let mut changed = frames.clone();
                changed[f].payload.splice(p..p + 1, varint(v));
                cases.push((
                    format!("frame {f}, byte {p} := varint {v:#x}"),
                    assemble(&changed),
                ));
            }
        }
    }
    check_all("huge claims", cases);
}

/// A users table of `slots` slots, all vacant in one run of `count`.
fn vacant_run_file(slots: u32, count: u32) -> Vec<u8> {
    let mut entries: Vec<TableEntry> = decode(&golden_frames()[0].payload).0;
    entries.truncate(1);
    entries[0].slots = slots;
    entries[0].rows = 0;
    entries[0].free = 0;
    let run = SlotEntry::<()>::Vacant { version: 2, count };
    assemble(&[
        Frame::new(DIRECTORY, directory(&entries)),
        Frame::new(SLOTS, items(0, &[run])),
    ])
}

#[test]
fn a_run_of_2_32_minus_1_vacant_slots_is_refused_before_allocating() {
    let bytes = vacant_run_file(u32::MAX, u32::MAX);
    let (result, peak) = peak_of(|| Db::<App>::read_from(&bytes[..]).map(drop));
    assert!(
        matches!(
            result,
            Err(LoadError::Table {
                reason: TableError::TooManyVacantSlots { .. },
                ..
            })
        ),
        "{result:?}"
    );
    assert!(peak <= bound(bytes.len()), "{peak} bytes");
    // Under the default limit a file may still claim up to 2^20 vacant slots, each costing a
    // slot's size in memory: what a 1,000-slot run costs, per slot, to say what the default
    // allows (printed; the report that added this test quotes it).
    let bytes = vacant_run_file(1000, 1000);
    let (result, peak) = peak_of(|| Loader::<App>::new().read_from(&bytes[..]).map(drop));
    result.unwrap();
    eprintln!(
        "1,000 vacant users: {peak} bytes at the peak, about {} per slot; 2^20 would be about {} MiB",
        peak / 1000,
        peak / 1000
    );
}

/// A foreign key to a far slot (2^20, no such parent) costs nothing: it is refused before an
/// index, dense by parent slot, is built for it (it once cost 32 MiB; at 2^32 - 2, an abort).
#[test]
fn a_foreign_key_to_a_far_slot_costs_nothing() {
    let mut frames = golden_frames();
    let f = frames
        .iter()
        .position(|f| f.kind == SLOTS && f.payload[0] == 5)
        .unwrap();
    // Pins: position 5; Row, version 1, seq 0; category (slot 2^20, version 1).
    frames[f].payload = [vec![5, 0, 1, 0], varint(1 << 20), vec![1]].concat();
    let bytes = assemble(&frames);
    let (result, peak) = peak_of(|| load(&bytes).map(drop));
    assert!(result.is_err());
    assert!(
        peak <= bound(bytes.len()),
        "{peak} bytes at the peak for a {}-byte file",
        bytes.len()
    );
}
