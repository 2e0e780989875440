//! Memory per row: loads the same N = 1,000,000 posts (and 100,000 users) into each
//! implementation and reports the bytes it holds per post, parents and indexes included.
//! Then the peak memory of loading relstore's snapshot of those rows, against the loaded
//! store's size and the file's; and what a secondary index holds per row, beside the map a
//! programmer would keep by hand.
//!
//! ```text
//! cargo run --release --manifest-path benches/Cargo.toml --bin memory [N]
//! ```
//!
//! Rust allocations are counted by a global allocator (live bytes, as requested: malloc's own
//! rounding is not included); SQLite allocates through its own malloc wrapper, so its share is
//! read from `sqlite3_memory_used`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use relstore::Db;
use relstore_benches::fixture::Dataset;
use relstore_benches::indexed::{self, HandNamed, HandScored, Named, Plain, PlayerKey, Scored};
use relstore_benches::{ecs, raw, rel, sql};
use slotmap::SlotMap;

/// The system allocator, keeping a count of the bytes currently allocated.
struct Counting;

#[global_allocator]
static ALLOC: Counting = Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The most bytes allocated at once since the last [`reset_peak`].
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Counts `size` more bytes allocated, raising the peak if need be.
#[inline]
fn grew(size: usize) {
    let now = LIVE.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
// contract; the counter is only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // Counted as an allocation of the new size beside the old block, then the old
            // block's release: a move costs both for a moment (an in-place growth does not,
            // so this errs high).
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        new
    }
}

/// Bytes allocated right now: Rust's, plus SQLite's.
fn live() -> usize {
    // SAFETY: a plain read of SQLite's memory statistics, valid at any time.
    let sqlite = unsafe { rusqlite::ffi::sqlite3_memory_used() };
    LIVE.load(Relaxed) + usize::try_from(sqlite).unwrap_or(0)
}

/// Forgets the peak: from now on it counts from what is allocated now.
fn reset_peak() {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

/// Rust's bytes allocated at most since the last [`reset_peak`].
fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// The bytes `build` leaves allocated in what it returns (kept alive until measured).
fn held<T>(build: impl FnOnce() -> T) -> usize {
    let before = live();
    let store = build();
    let bytes = live() - before;
    drop(store);
    bytes
}

fn main() {
    let n = std::env::args()
        .nth(1)
        .map_or(1_000_000, |n| n.parse().expect("N is a number"));
    let data = Dataset::new(n);
    // The ids each loader returns are dropped at once: only the store is measured.
    let measured = [
        ("raw", held(|| raw::Store::load(data.clone()).0)),
        ("relstore", held(|| rel::load(data.clone()).0)),
        ("sqlite", held(|| sql::load(&data).0)),
        ("bevy", held(|| ecs::load(data.clone()).0)),
    ];
    let strings: usize = (data.users.iter().map(|u| u.username.len() + u.email.len()))
        .chain(data.posts.iter().map(|p| p.title.len() + p.content.len()))
        .sum();

    println!(
        "### Memory per row (N = {n} posts, {} users)\n",
        data.users.len()
    );
    println!("| implementation | total | bytes per post | ratio to raw |");
    println!("|---|--:|--:|--:|");
    let raw = measured[0].1 as f64;
    for (name, bytes) in measured {
        println!(
            "| {name} | {:.1} MB | {:.1} | {:.2}x |",
            bytes as f64 / 1e6,
            bytes as f64 / n as f64,
            bytes as f64 / raw
        );
    }
    println!(
        "\nString payload (the same in every implementation): {:.1} bytes per post.",
        strings as f64 / n as f64
    );
    println!(
        "Row structs: raw::Post {} B, rel::Post {} B, ecs::Post {} B + AuthoredBy {} B, User {} B.",
        size_of::<raw::Post>(),
        size_of::<rel::Post>(),
        size_of::<ecs::Post>(),
        size_of::<ecs::AuthoredBy>(),
        size_of::<relstore_benches::fixture::User>()
    );
    snapshot_peaks(data);
    index_memory(n);
}

/// The bytes per row each index adds to a table of `n` players, in relstore (an indexed
/// table minus a plain one) and by hand (a slotmap with its map minus a bare slotmap).
fn index_memory(n: usize) {
    let players = indexed::players(n);
    let table = |f: fn(&mut Db<indexed::Game>, indexed::Player)| {
        held(|| {
            let mut db = Db::<indexed::Game>::new();
            players.iter().cloned().for_each(|p| f(&mut db, p));
            db
        })
    };
    let plain = table(|db, p| {
        db.insert(Plain::from(p)).expect("no index");
    });
    let named = table(|db, p| {
        db.insert(Named::from(p)).expect("unique names");
    });
    let scored = table(|db, p| {
        db.insert(Scored::from(p)).expect("no unique index");
    });
    let hand_plain = held(|| {
        let mut rows = SlotMap::<PlayerKey, Plain>::with_key();
        for p in players.iter().cloned() {
            rows.insert(p.into());
        }
        rows
    });
    let hand_named = held(|| {
        let mut hand = HandNamed::default();
        for p in players.iter().cloned() {
            hand.insert(p.into()).expect("unique names");
        }
        hand
    });
    let hand_scored = held(|| {
        let mut hand = HandScored::default();
        for p in players.iter().cloned() {
            hand.insert(p.into());
        }
        hand
    });
    println!("\n### Index memory (N = {n} players, about one per score)\n");
    println!("| index | relstore, bytes per row | by hand, bytes per row | ratio |");
    println!("|---|--:|--:|--:|");
    for (index, rel, hand) in [
        (
            "unique (hash), `String` name",
            named - plain,
            hand_named - hand_plain,
        ),
        (
            "ordered, `u64` score",
            scored - plain,
            hand_scored - hand_plain,
        ),
    ] {
        let (rel, hand) = (rel as f64 / n as f64, hand as f64 / n as f64);
        println!("| {index} | {rel:.1} | {hand:.1} | {:.2}x |", rel / hand);
    }
}

/// Peak memory of saving and loading relstore's snapshot of `data`, in bytes over what was
/// allocated before each step.
fn snapshot_peaks(data: Dataset) {
    let n = data.posts.len();
    let (db, users, posts) = rel::load(data);
    drop((users, posts));

    // The snapshot's copy of the rows, and the peak of taking it.
    let before = live();
    reset_peak();
    let snapshot = db.snapshot();
    let snapshot_peak = peak() - before;
    let snapshot_held = live() - before;
    drop(snapshot);

    // Saving into memory: the file is the output.
    let before = live();
    reset_peak();
    let file = db.write_to(Vec::new()).expect("the store saves");
    let save_peak = peak() - before;
    let file_len = file.len();
    drop(db);

    // Loading from the bytes in memory (they are allocated before, so not in the peak).
    let before = live();
    reset_peak();
    let loaded = Db::<rel::Blog>::read_from(&file[..]).expect("the file loads");
    let load_peak = peak() - before;
    let store = live() - before;
    assert_eq!(loaded.table::<rel::Post>().len(), n);
    drop(loaded);

    // Loading from a file on disk (`Db::load`: a 64 KiB buffered reader).
    let path = std::env::temp_dir().join(format!("relstore-memory-{}.bin", std::process::id()));
    std::fs::write(&path, &file).expect("the temporary file is written");
    drop(file);
    let before = live();
    reset_peak();
    let loaded = Db::<rel::Blog>::load(&path).expect("the file loads");
    let load_path_peak = peak() - before;
    let store_from_path = live() - before;
    drop(loaded);
    std::fs::remove_file(&path).expect("the temporary file is removed");

    let mb = |bytes: usize| bytes as f64 / 1e6;
    let bound = 2 * store + file_len;
    println!("\n### Snapshot memory (N = {n} posts)\n");
    println!("| step | peak over before | held after |");
    println!("|---|--:|--:|");
    println!(
        "| `db.snapshot()` | {:.1} MB | {:.1} MB |",
        mb(snapshot_peak),
        mb(snapshot_held)
    );
    println!(
        "| `db.write_to(Vec::new())` | {:.1} MB | {:.1} MB (the file) |",
        mb(save_peak),
        mb(file_len)
    );
    println!(
        "| `Db::read_from(&file[..])` | {:.1} MB | {:.1} MB (the store) |",
        mb(load_peak),
        mb(store)
    );
    println!(
        "| `Db::load(path)` | {:.1} MB | {:.1} MB (the store) |",
        mb(load_path_peak),
        mb(store_from_path)
    );
    println!(
        "\nLoading from memory: peak {:.1} MB + file {:.1} MB = {:.1} MB, against the bar \
         2 × store + file = {:.1} MB: ratio {:.2} (≤ 1.00: {}). Peak over the loaded store: {:.2}x.",
        mb(load_peak),
        mb(file_len),
        mb(load_peak + file_len),
        mb(bound),
        (load_peak + file_len) as f64 / bound as f64,
        if load_peak + file_len <= bound {
            "met"
        } else {
            "**MISS**"
        },
        load_peak as f64 / store as f64,
    );
}
