//! Delete one random post, with every index upkeep, and free it. Each run's posts are
//! re-inserted (untimed) before the next, and their new ids replace the old picks.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use relstore_benches::fixture::{
    CHUNK, Dataset, Picks, PostRow, SIZES, group, id, iter_chunked, post, shuffled,
};
use relstore_benches::{ecs, raw, rel, sql};

/// Benchmarks `delete` on random posts of `store`, undoing each run with `insert`.
fn bench<S, U: Copy, P: Copy>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    imp: &str,
    data: &Dataset,
    (mut store, users, posts): (S, Vec<U>, Vec<P>),
    mut delete: impl FnMut(&mut S, P),
    mut insert: impl FnMut(&mut S, U, PostRow) -> P,
) {
    // Each post with its author, whom its re-inserted copy goes back to.
    let pairs = (posts.into_iter().zip(&data.posts))
        .map(|(p, row)| (p, users[row.user]))
        .collect();
    let mut victims = Picks::new(shuffled(pairs));
    g.bench_function(id(imp, data.posts.len()), |b| {
        iter_chunked(
            b,
            &mut (&mut store, &mut victims),
            CHUNK,
            |(store, victims)| victims.refill(|(_, u)| (insert(store, u, post(0, 0)), u)),
            |(store, victims)| delete(store, victims.take().0),
        )
    });
}

fn delete(c: &mut Criterion) {
    let mut g = group(c, "delete");
    for n in SIZES {
        let data = Dataset::new(n);
        bench(
            &mut g,
            "raw",
            &data,
            raw::Store::load(data.clone()),
            |s, p| drop(s.delete_post(p).expect("live key")),
            |s, u, row| s.insert_post(u, row).expect("user exists"),
        );
        bench(
            &mut g,
            "relstore",
            &data,
            rel::load(data.clone()),
            |db, p| drop(db.delete(p).expect("live id")),
            |db, u, row| db.insert(rel::post(u, row)).expect("user exists"),
        );
        let (conn, users, posts) = sql::load(&data);
        let stmts = (
            conn.prepare("DELETE FROM posts WHERE id = ?1").unwrap(),
            conn.prepare(sql::INSERT_POST).unwrap(),
        );
        bench(
            &mut g,
            "sqlite",
            &data,
            (stmts, users, posts),
            |(del, _), p| assert_eq!(del.execute([p]).unwrap(), 1),
            |(_, ins), u, row| sql::insert_post(ins, u, &row),
        );
        bench(
            &mut g,
            "bevy",
            &data,
            ecs::load(data.clone()),
            |world, p| assert!(world.despawn(p)),
            |world, u, row| world.spawn(ecs::post(u, row)).id(),
        );
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = delete }
criterion_main!(benches);
