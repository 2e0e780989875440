//! Memory per row: loads the same N = 1,000,000 posts (and 100,000 users) into each
//! implementation and reports the bytes it holds per post, parents and indexes included.
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

use relstore_benches::fixture::Dataset;
use relstore_benches::{ecs, raw, rel, sql};

/// The system allocator, keeping a count of the bytes currently allocated.
struct Counting;

#[global_allocator]
static ALLOC: Counting = Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
// contract; the counter is only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
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
            LIVE.fetch_sub(layout.size(), Relaxed);
            LIVE.fetch_add(new_size, Relaxed);
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
}
