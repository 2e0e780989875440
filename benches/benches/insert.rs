//! Insert one post under a random user, with every index upkeep (the parent check and the
//! has-many index). The rows are built untimed; the store takes them over, timed.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use relstore_benches::fixture::{
    CHUNK, Dataset, Picks, PostRow, SIZES, group, id, iter_chunked, post, shuffled,
};
use relstore_benches::{ecs, raw, rel, sql};

/// A store, the parents to insert under, rows ready to insert, and what was inserted (to be
/// deleted, untimed, before the next run).
struct Inserts<S, U, P> {
    store: S,
    parents: Picks<U>,
    rows: Vec<PostRow>,
    inserted: Vec<P>,
}

/// Benchmarks `insert` into `store`, undoing each run with `delete`.
fn bench<S, U: Copy, P>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    imp: &str,
    n: usize,
    (store, users): (S, Vec<U>),
    mut insert: impl FnMut(&mut S, U, PostRow) -> P,
    mut delete: impl FnMut(&mut S, P),
) {
    let mut state = Inserts {
        store,
        parents: Picks::new(shuffled(users)),
        rows: Vec::new(),
        inserted: Vec::new(),
    };
    g.bench_function(id(imp, n), |b| {
        iter_chunked(
            b,
            &mut state,
            CHUNK,
            |s| {
                for p in s.inserted.drain(..) {
                    delete(&mut s.store, p);
                }
                s.parents.refill(|u| u);
                s.rows
                    .extend((s.rows.len()..CHUNK as usize).map(|i| post(i, 0)));
            },
            |s| {
                let row = s.rows.pop().expect("a run is at most CHUNK rows");
                let p = insert(&mut s.store, s.parents.take(), row);
                s.inserted.push(p);
            },
        )
    });
}

fn insert(c: &mut Criterion) {
    let mut g = group(c, "insert");
    for n in SIZES {
        let data = Dataset::new(n);
        let (store, users, _) = raw::Store::load(data.clone());
        bench(
            &mut g,
            "raw",
            n,
            (store, users),
            |s, u, row| s.insert_post(u, row).expect("user exists"),
            |s, p| drop(s.delete_post(p).expect("live key")),
        );
        let (db, users, _) = rel::load(data.clone());
        bench(
            &mut g,
            "relstore",
            n,
            (db, users),
            |db, u, row| db.insert(rel::post(u, row)).expect("user exists"),
            |db, p| drop(db.delete(p).expect("live id")),
        );
        let (conn, users, _) = sql::load(&data);
        let stmts = (
            conn.prepare(sql::INSERT_POST).unwrap(),
            conn.prepare("DELETE FROM posts WHERE id = ?1").unwrap(),
        );
        bench(
            &mut g,
            "sqlite",
            n,
            (stmts, users),
            |(ins, _), u, row| sql::insert_post(ins, u, &row),
            |(_, del), p| assert_eq!(del.execute([p]).unwrap(), 1),
        );
        let (world, users, _) = ecs::load(data);
        bench(
            &mut g,
            "bevy",
            n,
            (world, users),
            |world, u, row| world.spawn(ecs::post(u, row)).id(),
            |world, p| assert!(world.despawn(p)),
        );
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = insert }
criterion_main!(benches);
