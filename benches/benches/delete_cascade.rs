//! Delete one random user; the cascade deletes its ~10 posts. Each run's users are re-created
//! with 10 posts (untimed) before the next, and their new ids replace the old picks.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use relstore_benches::fixture::{
    CASCADE_CHUNK, Dataset, FANOUT, Picks, SIZES, User, group, id, iter_chunked, post, shuffled,
    user,
};
use relstore_benches::{ecs, raw, rel, sql};

/// Benchmarks `delete` on random users of `store`, undoing each run with `recreate`, which
/// inserts a user with [`FANOUT`] posts.
fn bench<S, U: Copy>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    imp: &str,
    n: usize,
    (mut store, users): (S, Vec<U>),
    mut delete: impl FnMut(&mut S, U),
    mut recreate: impl FnMut(&mut S, User) -> U,
) {
    let mut victims = Picks::new(shuffled(users));
    g.bench_function(id(imp, n), |b| {
        iter_chunked(
            b,
            &mut (&mut store, &mut victims),
            CASCADE_CHUNK,
            |(store, victims)| victims.refill(|_| recreate(store, user(0))),
            |(store, victims)| delete(store, victims.take()),
        )
    });
}

fn delete_cascade(c: &mut Criterion) {
    let mut g = group(c, "delete_cascade");
    for n in SIZES {
        let data = Dataset::new(n);
        let (store, users, _) = raw::Store::load(data.clone());
        bench(
            &mut g,
            "raw",
            n,
            (store, users),
            |s, u| drop(s.delete_user(u).expect("live key")),
            |s, row| {
                let u = s.insert_user(row);
                for i in 0..FANOUT {
                    s.insert_post(u, post(i, 0)).expect("user exists");
                }
                u
            },
        );
        let (db, users, _) = rel::load(data.clone());
        bench(
            &mut g,
            "relstore",
            n,
            (db, users),
            |db, u| drop(db.delete(u).expect("live id")),
            |db, row| {
                let u = db.insert(row).expect("no keys to check");
                for i in 0..FANOUT {
                    db.insert(rel::post(u, post(i, 0))).expect("user exists");
                }
                u
            },
        );
        let (conn, users, _) = sql::load(&data);
        let stmts = (
            conn.prepare("DELETE FROM users WHERE id = ?1").unwrap(),
            conn.prepare(sql::INSERT_USER).unwrap(),
            conn.prepare(sql::INSERT_POST).unwrap(),
        );
        bench(
            &mut g,
            "sqlite",
            n,
            (stmts, users),
            |(del, ..), u| assert_eq!(del.execute([u]).unwrap(), 1),
            |(_, ins_user, ins_post), row| {
                let u = sql::insert_user(ins_user, &row);
                for i in 0..FANOUT {
                    sql::insert_post(ins_post, u, &post(i, 0));
                }
                u
            },
        );
        let (world, users, _) = ecs::load(data);
        bench(
            &mut g,
            "bevy",
            n,
            (world, users),
            |world, u| assert!(world.despawn(u)),
            |world, row| {
                let u = world.spawn(row).id();
                for i in 0..FANOUT {
                    world.spawn(ecs::post(u, post(i, 0)));
                }
                u
            },
        );
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = delete_cascade }
criterion_main!(benches);
