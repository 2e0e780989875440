//! Bulk insert: load N posts and their N/10 users into an empty store. The input rows are
//! built untimed; the store and its indexes are built from them, timed; the store is dropped
//! untimed. `raw` and `relstore` insert one row at a time without reserving; `raw_many`
//! reserves both arenas and `relstore_many` inserts each table as one `insert_many` batch
//! (which reserves its table).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use relstore_benches::fixture::{Dataset, SIZES, group, id};
use relstore_benches::{ecs, raw, rel, sql};

fn bulk_insert(c: &mut Criterion) {
    let mut g = group(c, "bulk_insert");
    // One iteration loads up to a million rows: the fewest samples criterion allows.
    g.sample_size(10);
    for n in SIZES {
        g.throughput(Throughput::Elements(n as u64));
        let data = Dataset::new(n);
        let input = || data.clone();
        g.bench_function(id("raw", n), |b| {
            b.iter_batched(input, raw::Store::load, BatchSize::PerIteration)
        });
        g.bench_function(id("relstore", n), |b| {
            b.iter_batched(input, rel::load, BatchSize::PerIteration)
        });
        g.bench_function(id("raw_many", n), |b| {
            b.iter_batched(input, raw::Store::load_reserved, BatchSize::PerIteration)
        });
        g.bench_function(id("relstore_many", n), |b| {
            b.iter_batched(input, rel::load_many, BatchSize::PerIteration)
        });
        // SQLite copies the strings it is given, so it reads the input in place.
        g.bench_function(id("sqlite", n), |b| {
            b.iter_batched(|| (), |()| sql::load(&data), BatchSize::PerIteration)
        });
        g.bench_function(id("bevy", n), |b| {
            b.iter_batched(input, ecs::load, BatchSize::PerIteration)
        });
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = bulk_insert }
criterion_main!(benches);
