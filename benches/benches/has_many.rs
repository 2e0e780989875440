//! From a user (random ids) to its posts (10 on average: authors are drawn at random),
//! touching a field of each.

use criterion::{Criterion, criterion_group, criterion_main};
use relstore_benches::fixture::{Dataset, SIZES, each, group, id, sample};
use relstore_benches::rel::PostAuthor;
use relstore_benches::{ecs, raw, rel, sql};

fn has_many(c: &mut Criterion) {
    let mut g = group(c, "has_many");
    for n in SIZES {
        let data = Dataset::new(n);
        let n_users = data.users.len();
        {
            let (store, users, _) = raw::Store::load(data.clone());
            let ids = sample(&users, n_users);
            g.bench_function(id("raw", n), |b| {
                each(b, &ids, |&k| {
                    let posts = store.posts_of.get(k).map_or(&[][..], Vec::as_slice);
                    posts
                        .iter()
                        .map(|&p| store.posts[p].title.len())
                        .sum::<usize>()
                })
            });
        }
        {
            let (db, users, _) = rel::load(data.clone());
            let ids = sample(&users, n_users);
            g.bench_function(id("relstore", n), |b| {
                each(b, &ids, |&k| {
                    let user = db.get(k).expect("live id");
                    let posts = user.has_many(PostAuthor);
                    posts.map(|post| post.title.len()).sum::<usize>()
                })
            });
            let authored = db.relation(PostAuthor);
            g.bench_function(id("relstore_handle", n), |b| {
                // `move`: the handle (one pointer) lives in the closure, as in a local loop.
                each(b, &ids, move |&k| {
                    let posts = authored.has_many(k).expect("live id");
                    posts.map(|post| post.value().title.len()).sum::<usize>()
                })
            });
        }
        {
            let (conn, users, _) = sql::load(&data);
            let ids = sample(&users, n_users);
            let mut stmt = conn
                .prepare("SELECT title FROM posts WHERE user_id = ?1")
                .unwrap();
            g.bench_function(id("sqlite", n), |b| {
                each(b, &ids, |&k| {
                    let mut rows = stmt.query([k]).unwrap();
                    let mut sum = 0;
                    while let Some(row) = rows.next().unwrap() {
                        sum += row.get_ref(0).unwrap().as_str().unwrap().len();
                    }
                    sum
                })
            });
        }
        {
            let (mut world, users, _) = ecs::load(data);
            let ids = sample(&users, n_users);
            let mut posts_of = world.query::<&ecs::Posts>();
            let mut posts = world.query::<&ecs::Post>();
            let (posts_of, posts) = (posts_of.query(&world), posts.query(&world));
            g.bench_function(id("bevy", n), |b| {
                each(b, &ids, |&e| {
                    let children = posts_of.get(e).map_or(&[][..], ecs::Posts::entities);
                    children
                        .iter()
                        .map(|&p| posts.get(p).expect("live post").title.len())
                        .sum::<usize>()
                })
            });
        }
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = has_many }
criterion_main!(benches);
