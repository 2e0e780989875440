//! Get a post by id (random ids) and touch a field.

use criterion::{Criterion, criterion_group, criterion_main};
use relstore_benches::fixture::{Dataset, SIZES, each, group, id, sample};
use relstore_benches::{ecs, raw, rel, sql};

fn get(c: &mut Criterion) {
    let mut g = group(c, "get");
    for n in SIZES {
        let data = Dataset::new(n);
        {
            let (store, _, posts) = raw::Store::load(data.clone());
            let ids = sample(&posts, n);
            g.bench_function(id("raw", n), |b| {
                each(b, &ids, |&k| store.posts[k].title.len())
            });
        }
        {
            let (db, _, posts) = rel::load(data.clone());
            let ids = sample(&posts, n);
            g.bench_function(id("relstore", n), |b| {
                each(b, &ids, |&k| db.get(k).expect("live id").title.len())
            });
            let table = db.table::<rel::Post>();
            g.bench_function(id("relstore_handle", n), |b| {
                // `move`: the handle (one pointer) lives in the closure, as in a local loop.
                each(b, &ids, move |&k| {
                    table.get(k).expect("live id").title.len()
                })
            });
        }
        {
            let (conn, _, posts) = sql::load(&data);
            let ids = sample(&posts, n);
            let mut stmt = conn
                .prepare("SELECT title FROM posts WHERE id = ?1")
                .unwrap();
            g.bench_function(id("sqlite", n), |b| {
                each(b, &ids, |&k| {
                    stmt.query_row([k], |r| Ok(r.get_ref(0)?.as_str()?.len()))
                        .unwrap()
                })
            });
        }
        {
            let (mut world, _, posts) = ecs::load(data);
            let ids = sample(&posts, n);
            let mut state = world.query::<&ecs::Post>();
            let query = state.query(&world);
            g.bench_function(id("bevy", n), |b| {
                each(b, &ids, |&e| query.get(e).expect("live entity").title.len())
            });
        }
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = get }
criterion_main!(benches);
