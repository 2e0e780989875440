//! Eager loading: every user with its posts, each with its comments (1,000 users, 10,000
//! posts, 30,000 comments, each child's parent drawn at random, so families are scattered
//! through their tables), built into a tree of the same shape by each side.
//!
//! - `eager`: the borrowed tree. `relstore` is `Tree::load`; `raw` is the same shape built by
//!   hand-written nested loops over the same store (`user.has_many(..)` collected into nested
//!   `Vec`s), the baseline; `sqlite` answers with three prepared queries (users, posts,
//!   comments) assembled through hash maps, its best form, copying the text out as it must.
//! - `eager_owned`: the owned tree (rows cloned). `relstore` is `OwnedTree::load`, `raw` the
//!   same nested collects by hand, cloning the same rows.

use std::collections::HashMap;

use criterion::{Criterion, criterion_group, criterion_main};
use relstore::{Db, Eager, Id, Model, OwnedTree, Row, Tree};
use relstore_benches::fixture::{Dataset, Rng, User, group, id};
use relstore_benches::rel::{Post, PostAuthor, post};
use relstore_benches::sql;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

const USERS: usize = 1_000;
const POSTS: usize = USERS * 10;
const COMMENTS: usize = POSTS * 3;

/// A comment on a post.
#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "comments")]
pub struct Comment {
    post_id: Id<Post>,
    body: String,
}

relstore::belongs_to!(CommentPost: Comment.post_id -> Post, has_many, on_delete = Cascade);

relstore::schema! {
    struct Forum { users: User, posts: Post, comments: Comment }
    relations { PostAuthor, CommentPost }
}

/// The comments' posts (positions in the dataset's posts) and bodies, in insertion order.
fn comments() -> Vec<(usize, String)> {
    let mut rng = Rng::new(0xC0_33E7);
    (0..COMMENTS)
        .map(|i| {
            (
                rng.below(POSTS),
                format!("Comment {i} on a post, about fifty bytes long."),
            )
        })
        .collect()
}

fn load_relstore(data: &Dataset, comments: &[(usize, String)]) -> Db<Forum> {
    let mut db = Db::<Forum>::new();
    let users: Vec<_> = (data.users.iter())
        .map(|u| db.insert(u.clone()).expect("no keys"))
        .collect();
    let posts: Vec<_> = (data.posts.iter())
        .map(|row| {
            db.insert(post(users[row.user], row.clone()))
                .expect("user exists")
        })
        .collect();
    for (p, body) in comments {
        let comment = Comment {
            post_id: posts[*p],
            body: body.clone(),
        };
        db.insert(comment).expect("post exists");
    }
    db
}

fn load_sqlite(data: &Dataset, comments: &[(usize, String)]) -> Connection {
    let (mut conn, _, posts) = sql::load(data);
    conn.execute_batch(
        "CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            body TEXT NOT NULL
        );
        CREATE INDEX comments_post_id ON comments (post_id);",
    )
    .expect("schema");
    let tx = conn.transaction().expect("begin");
    {
        let mut insert =
            (tx.prepare("INSERT INTO comments (post_id, body) VALUES (?1, ?2)")).expect("prepare");
        for (p, body) in comments {
            insert.execute((posts[*p], body)).expect("insert comment");
        }
    }
    tx.commit().expect("commit");
    conn
}

/// A user as SQLite's answer holds it.
struct SqlUser {
    id: i64,
    username: String,
    email: String,
    posts: Vec<SqlPost>,
}

struct SqlPost {
    id: i64,
    title: String,
    content: String,
    comments: Vec<(i64, String)>,
}

type HandTree<'db> = Vec<(
    Row<'db, User, Forum>,
    Vec<(Row<'db, Post, Forum>, Vec<Row<'db, Comment, Forum>>)>,
)>;

type HandOwned = Vec<(
    Id<User>,
    User,
    Vec<(Id<Post>, Post, Vec<(Id<Comment>, Comment)>)>,
)>;

fn eager(c: &mut Criterion) {
    let data = Dataset::new(POSTS);
    let comments = comments();
    let db = load_relstore(&data, &comments);
    let spec = Eager::new(PostAuthor).with(CommentPost);

    let mut g = group(c, "eager");
    g.bench_function(id("raw", USERS), |b| {
        b.iter(|| -> HandTree<'_> {
            (db.table::<User>().iter())
                .map(|user| {
                    let posts = (user.has_many(PostAuthor))
                        .map(|post| (post, post.has_many(CommentPost).collect()))
                        .collect();
                    (user, posts)
                })
                .collect()
        })
    });
    g.bench_function(id("relstore", USERS), |b| {
        b.iter(|| Tree::load(db.table::<User>().iter(), spec))
    });
    let conn = load_sqlite(&data, &comments);
    let mut queries = [
        "SELECT id, username, email FROM users",
        "SELECT id, user_id, title, content FROM posts",
        "SELECT id, post_id, body FROM comments",
    ]
    .map(|sql| conn.prepare(sql).expect("prepare"));
    g.bench_function(id("sqlite", USERS), |b| {
        b.iter(|| sqlite_tree(&mut queries))
    });
    g.finish();

    let mut g = group(c, "eager_owned");
    g.bench_function(id("raw", USERS), |b| {
        b.iter(|| -> HandOwned {
            (db.table::<User>().iter())
                .map(|user| {
                    let posts = (user.has_many(PostAuthor))
                        .map(|post| {
                            let comments = (post.has_many(CommentPost))
                                .map(|c| (c.id(), c.value().clone()))
                                .collect();
                            (post.id(), post.value().clone(), comments)
                        })
                        .collect();
                    (user.id(), user.value().clone(), posts)
                })
                .collect()
        })
    });
    g.bench_function(id("relstore", USERS), |b| {
        b.iter(|| OwnedTree::load(db.table::<User>().iter(), spec))
    });
    g.finish();

    // Both sides answer the same, field by field.
    let tree = Tree::load(db.table::<User>().iter(), spec);
    let sql = sqlite_tree(&mut queries);
    assert_eq!(tree.len(), sql.len());
    for (i, (user, sql_user)) in tree.iter().zip(&sql).enumerate() {
        assert_eq!(sql_user.id, i as i64 + 1);
        assert_eq!(
            (&user.username, &user.email),
            (&sql_user.username, &sql_user.email)
        );
        assert_eq!(user.with().len(), sql_user.posts.len());
        for (post, sql_post) in user.with().iter().zip(&sql_user.posts) {
            assert_eq!(
                (&post.title, &post.content),
                (&sql_post.title, &sql_post.content)
            );
            let bodies = post.with().iter().map(|c| &c.value().body);
            assert!(bodies.eq(sql_post.comments.iter().map(|(_, body)| body)));
            assert!(sql_post.id > 0 && sql_post.comments.iter().all(|&(id, _)| id > 0));
        }
    }
}

/// Every user with its posts with their comments, from three prepared queries (users, posts,
/// comments) assembled through hash maps from id to position.
fn sqlite_tree(queries: &mut [rusqlite::Statement<'_>; 3]) -> Vec<SqlUser> {
    let [users, posts, comments] = queries;
    let mut tree: Vec<SqlUser> = Vec::new();
    let mut user_at = HashMap::new();
    let mut rows = users.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let id: i64 = row.get(0).unwrap();
        user_at.insert(id, tree.len());
        tree.push(SqlUser {
            id,
            username: row.get(1).unwrap(),
            email: row.get(2).unwrap(),
            posts: Vec::new(),
        });
    }
    let mut post_at = HashMap::new();
    let mut rows = posts.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let (id, user): (i64, i64) = (row.get(0).unwrap(), row.get(1).unwrap());
        let u = user_at[&user];
        let user_posts = &mut tree[u].posts;
        post_at.insert(id, (u, user_posts.len()));
        user_posts.push(SqlPost {
            id,
            title: row.get(2).unwrap(),
            content: row.get(3).unwrap(),
            comments: Vec::new(),
        });
    }
    let mut rows = comments.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let (u, p) = post_at[&row.get::<_, i64>(1).unwrap()];
        let comment = (row.get(0).unwrap(), row.get(2).unwrap());
        tree[u].posts[p].comments.push(comment);
    }
    tree
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = eager }
criterion_main!(benches);
