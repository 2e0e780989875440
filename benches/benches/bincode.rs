//! The raw bincode encode and decode of the same rows: the reference for snapshot throughput.
//! Snapshots of relstore (a later issue) add their own implementations beside `raw`.

use bincode::config::standard;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relstore_benches::fixture::{Dataset, SIZES, User, group, id};
use relstore_benches::raw;
use slotmap::SlotMap;

/// Both tables of the hand-written store, as a snapshot would hold them (the has-many index
/// is derived, so it is not encoded).
type Tables = (
    SlotMap<raw::UserKey, User>,
    SlotMap<raw::PostKey, raw::Post>,
);

fn bincode(c: &mut Criterion) {
    for n in SIZES {
        let (store, _, _) = raw::Store::load(Dataset::new(n));
        let tables = (&store.users, &store.posts);
        let bytes = bincode::serde::encode_to_vec(tables, standard()).unwrap();

        let mut g = group(c, "bincode_encode");
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(id("raw", n), |b| {
            b.iter_with_large_drop(|| bincode::serde::encode_to_vec(tables, standard()).unwrap())
        });
        g.finish();

        let mut g = group(c, "bincode_decode");
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(id("raw", n), |b| {
            b.iter_with_large_drop(|| {
                bincode::serde::decode_from_slice::<Tables, _>(&bytes, standard()).unwrap()
            })
        });
        g.finish();
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = bincode }
criterion_main!(benches);
