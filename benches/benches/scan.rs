//! A filtered full scan: count the posts whose title ends in 7 (a tenth of them).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relstore_benches::fixture::{Dataset, SIZES, group, id, scan_matches};
use relstore_benches::{ecs, raw, rel, sql};

fn scan(c: &mut Criterion) {
    let mut g = group(c, "scan");
    for n in SIZES {
        g.throughput(Throughput::Elements(n as u64));
        let data = Dataset::new(n);
        {
            let (store, _, _) = raw::Store::load(data.clone());
            g.bench_function(id("raw", n), |b| {
                b.iter(|| {
                    (store.posts.values())
                        .filter(|post| scan_matches(&post.title))
                        .count()
                })
            });
        }
        {
            let (db, _, _) = rel::load(data.clone());
            g.bench_function(id("relstore", n), |b| {
                b.iter(|| {
                    let posts = db.table::<rel::Post>();
                    posts
                        .iter()
                        .filter(|post| scan_matches(&post.title))
                        .count()
                })
            });
        }
        {
            let (conn, _, _) = sql::load(&data);
            let mut stmt = conn
                .prepare("SELECT count(*) FROM posts WHERE title LIKE '%7'")
                .unwrap();
            g.bench_function(id("sqlite", n), |b| {
                b.iter(|| stmt.query_row([], |r| r.get::<_, i64>(0)).unwrap())
            });
        }
        {
            let (mut world, _, _) = ecs::load(data);
            let mut posts = world.query::<&ecs::Post>();
            let posts = posts.query(&world);
            g.bench_function(id("bevy", n), |b| {
                b.iter(|| {
                    posts
                        .iter()
                        .filter(|post| scan_matches(&post.title))
                        .count()
                })
            });
        }
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = scan }
criterion_main!(benches);
