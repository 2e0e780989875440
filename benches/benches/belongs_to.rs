//! From a post (random ids) to its author, and touch a field of the author.

use criterion::{Criterion, criterion_group, criterion_main};
use relstore_benches::fixture::{Dataset, SIZES, User, each, group, id, sample};
use relstore_benches::rel::PostAuthor;
use relstore_benches::{ecs, raw, rel, sql};

fn belongs_to(c: &mut Criterion) {
    let mut g = group(c, "belongs_to");
    for n in SIZES {
        let data = Dataset::new(n);
        {
            let (store, _, posts) = raw::Store::load(data.clone());
            let ids = sample(&posts, n);
            g.bench_function(id("raw", n), |b| {
                each(b, &ids, |&k| {
                    let post = &store.posts[k];
                    store.users[post.user_id].username.len()
                })
            });
        }
        {
            let (db, _, posts) = rel::load(data.clone());
            let ids = sample(&posts, n);
            g.bench_function(id("relstore", n), |b| {
                each(b, &ids, |&k| {
                    let post = db.get(k).expect("live id");
                    let user = post.belongs_to(PostAuthor); // a required key: no Option
                    user.username.len()
                })
            });
            let authored = db.relation(PostAuthor);
            g.bench_function(id("relstore_handle", n), |b| {
                // `move`: the handle (one pointer) lives in the closure, as in a local loop.
                each(b, &ids, move |&k| {
                    let user = authored.belongs_to(k).expect("live id, required key");
                    user.value().username.len()
                })
            });
        }
        {
            let (conn, _, posts) = sql::load(&data);
            let ids = sample(&posts, n);
            let mut stmt = conn
                .prepare(
                    "SELECT users.username FROM posts JOIN users ON users.id = posts.user_id \
                     WHERE posts.id = ?1",
                )
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
            let mut authored_by = world.query::<&ecs::AuthoredBy>();
            let mut users = world.query::<&User>();
            let (authored_by, users) = (authored_by.query(&world), users.query(&world));
            g.bench_function(id("bevy", n), |b| {
                each(b, &ids, |&e| {
                    let author = authored_by.get(e).expect("live entity").0;
                    users.get(author).expect("live author").username.len()
                })
            });
        }
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = belongs_to }
criterion_main!(benches);
