//! Big families: remove or move one random child of a random parent, 1,000,000 posts in
//! families of 100,000 (10 parents) and, for comparison in the same run, of 10 (100,000
//! parents; the `delete` workload at 1M). Named `<workload>/<impl>/<family size>`. Timed per
//! operation in runs of 100; each run is undone untimed (deleted posts re-inserted, moved
//! posts moved back).

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use relstore_benches::fixture::{
    CHUNK, Dataset, Picks, PostRow, group, id, iter_chunked, post, shuffled, user,
};
use relstore_benches::{raw, rel};

/// Posts in every store.
const POSTS: usize = 1_000_000;

/// Children per parent: big, and the common case.
const FAMILIES: [usize; 2] = [100_000, 10];

/// Users with `family` posts each, `POSTS` in all, spread round-robin.
fn dataset(family: usize) -> Dataset {
    let parents = POSTS / family;
    Dataset {
        users: (0..parents).map(user).collect(),
        posts: (0..POSTS).map(|i| post(i, i % parents)).collect(),
    }
}

/// Each post with its author, in a random order: the victims.
fn victims<U: Copy, P: Copy>(data: &Dataset, users: &[U], posts: Vec<P>) -> Picks<(P, U)> {
    let pairs = (posts.into_iter().zip(&data.posts))
        .map(|(p, row)| (p, users[row.user]))
        .collect();
    Picks::new(shuffled(pairs))
}

/// Benchmarks deleting random posts of `store`, undoing each run with `insert`.
fn bench_remove<S, U: Copy, P: Copy>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    imp: &str,
    data: &Dataset,
    (mut store, users, posts): (S, Vec<U>, Vec<P>),
    mut delete: impl FnMut(&mut S, P),
    mut insert: impl FnMut(&mut S, U, PostRow) -> P,
) {
    let mut victims = victims(data, &users, posts);
    g.bench_function(id(imp, POSTS / users.len()), |b| {
        iter_chunked(
            b,
            &mut (&mut store, &mut victims),
            CHUNK,
            |(store, victims)| victims.refill(|(_, u)| (insert(store, u, post(0, 0)), u)),
            |(store, victims)| delete(store, victims.take().0),
        )
    });
}

/// Benchmarks moving random posts of `store` to the next parent, undoing each run by moving
/// them back.
fn bench_move<S, U: Copy, P: Copy>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    imp: &str,
    data: &Dataset,
    (mut store, users, posts): (S, Vec<U>, Vec<P>),
    relink: impl Fn(&mut S, P, U),
) {
    let parents = users.len();
    let next: Vec<_> = (0..parents).map(|i| users[(i + 1) % parents]).collect();
    // Each post with its author and the parent it moves to.
    let pairs = (posts.into_iter().zip(&data.posts))
        .map(|(p, row)| (p, users[row.user], next[row.user]))
        .collect();
    let mut moves = Picks::new(shuffled(pairs));
    g.bench_function(id(imp, POSTS / parents), |b| {
        iter_chunked(
            b,
            &mut (&mut store, &mut moves),
            CHUNK,
            |(store, moves)| {
                moves.refill(|(p, from, to)| {
                    relink(store, p, from);
                    (p, from, to)
                })
            },
            |(store, moves)| {
                let (p, _, to) = moves.take();
                relink(store, p, to);
            },
        )
    });
}

fn family(c: &mut Criterion) {
    let mut g = group(c, "family_remove");
    for family in FAMILIES {
        let data = dataset(family);
        bench_remove(
            &mut g,
            "raw",
            &data,
            raw::Store::load(data.clone()),
            |s, p| drop(s.delete_post(p).expect("live key")),
            |s, u, row| s.insert_post(u, row).expect("user exists"),
        );
        bench_remove(
            &mut g,
            "relstore",
            &data,
            rel::load(data.clone()),
            |db, p| drop(db.delete(p).expect("live id")),
            |db, u, row| db.insert(rel::post(u, row)).expect("user exists"),
        );
    }
    g.finish();

    let mut g = group(c, "family_move");
    for family in FAMILIES {
        let data = dataset(family);
        bench_move(
            &mut g,
            "raw",
            &data,
            raw::Store::load(data.clone()),
            |s, p, u| s.move_post(p, u).expect("live keys"),
        );
        bench_move(
            &mut g,
            "relstore",
            &data,
            rel::load(data.clone()),
            |db, p, u| db.update(p, |post| post.user_id = u).expect("live ids"),
        );
        // The same move without `update`'s clone of the row: what the index costs.
        bench_move(
            &mut g,
            "relstore_edit",
            &data,
            rel::load(data.clone()),
            |db, p, u| db.edit(p, |post| post.user_id = u).expect("live ids"),
        );
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = family }
criterion_main!(benches);
