//! Snapshot throughput beside the raw bincode encode and decode of the same rows, and the time
//! a snapshot borrows the store.
//!
//! - `bincode_encode/raw/N`: `bincode::serde::encode_to_vec` of the hand-written store's two
//!   slotmaps; `bincode_encode/relstore/N`: `db.write_to(Vec::with_capacity(file length))` of
//!   the same rows in relstore (framing and CRC-32C checksums included).
//! - `bincode_decode/raw/N`: `decode_from_slice` of raw's bytes; `bincode_decode/relstore/N`:
//!   `Db::<Blog>::read_from(&bytes[..])` of relstore's own file (checksums, table rebuild,
//!   index rebuild and the integrity check included).
//! - `snapshot/relstore/N`: `db.snapshot()`, the time the store is borrowed for a consistent
//!   image; `snapshot/raw/N`: a plain clone of raw's two slotmaps, the same copy by hand.
//!
//! Each benchmark declares its rows (users + posts) and its own output's bytes as throughput,
//! so criterion and the report give rows/s and MB/s; the files differ in size, the rows do not.

use bincode::config::standard;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use relstore::Db;
use relstore_benches::fixture::{Dataset, SIZES, User, group, id};
use relstore_benches::{raw, rel};
use slotmap::SlotMap;

/// Both tables of the hand-written store, as a snapshot would hold them (the has-many index
/// is derived, so it is not encoded).
type Tables = (
    SlotMap<raw::UserKey, User>,
    SlotMap<raw::PostKey, raw::Post>,
);

/// Samples per benchmark at 1M rows (criterion's minimum): one iteration takes 50-400 ms
/// there, so the default 25 would stretch the suite for no gain in the median.
const BIG_SAMPLES: usize = 10;

/// Rows and bytes of one iteration.
fn throughput(rows: usize, bytes: usize) -> Throughput {
    Throughput::ElementsAndBytes {
        elements: rows as u64,
        bytes: bytes as u64,
    }
}

fn bincode(c: &mut Criterion) {
    for n in SIZES {
        let data = Dataset::new(n);
        let rows = data.users.len() + data.posts.len();
        let (store, _, _) = raw::Store::load(data.clone());
        let (db, _, _) = rel::load(data);
        let tables = (&store.users, &store.posts);
        let raw_bytes = bincode::serde::encode_to_vec(tables, standard()).unwrap();
        let rel_bytes = db.write_to(Vec::new()).unwrap();
        let lean = |g: &mut criterion::BenchmarkGroup<'_, _>| {
            if n >= 1_000_000 {
                g.sample_size(BIG_SAMPLES);
                g.sampling_mode(SamplingMode::Flat);
            }
        };

        let mut g = group(c, "bincode_encode");
        lean(&mut g);
        g.throughput(throughput(rows, raw_bytes.len()));
        g.bench_function(id("raw", n), |b| {
            b.iter_with_large_drop(|| bincode::serde::encode_to_vec(tables, standard()).unwrap())
        });
        g.throughput(throughput(rows, rel_bytes.len()));
        g.bench_function(id("relstore", n), |b| {
            b.iter_with_large_drop(|| db.write_to(Vec::with_capacity(rel_bytes.len())).unwrap())
        });
        g.finish();

        let mut g = group(c, "bincode_decode");
        lean(&mut g);
        g.throughput(throughput(rows, raw_bytes.len()));
        g.bench_function(id("raw", n), |b| {
            b.iter_with_large_drop(|| {
                bincode::serde::decode_from_slice::<Tables, _>(&raw_bytes, standard()).unwrap()
            })
        });
        g.throughput(throughput(rows, rel_bytes.len()));
        g.bench_function(id("relstore", n), |b| {
            b.iter_with_large_drop(|| Db::<rel::Blog>::read_from(&rel_bytes[..]).unwrap())
        });
        g.finish();

        let mut g = group(c, "snapshot");
        lean(&mut g);
        g.throughput(Throughput::Elements(rows as u64));
        g.bench_function(id("raw", n), |b| {
            b.iter_with_large_drop(|| (store.users.clone(), store.posts.clone()))
        });
        g.bench_function(id("relstore", n), |b| {
            b.iter_with_large_drop(|| db.snapshot())
        });
        g.finish();
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = bincode }
criterion_main!(benches);
