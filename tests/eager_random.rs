//! Eager loading against naive nested loops that read the rows (never the indexes): seeded
//! random stores, and families of every size (empty, one, a chunk's worth and one more,
//! hundreds) so that the tree's levels fill chunk after chunk.

mod common;
#[path = "model/rng.rs"]
mod rng;

use common::*;
use relstore::{BelongsTo, Db, Eager, Id, OwnedTree, Tree};
use rng::Rng;

// ---- a random store against naive nested loops ----

/// What the tests compare: each user, its kept posts (each with its comments' ids and its
/// editor) and its profile.
type Shape = Vec<(
    Id<User>,
    Vec<(Id<Post>, Vec<Id<Comment>>, Option<Id<User>>)>,
    Option<Id<Profile>>,
)>;

/// The spec's parameters, drawn per check.
#[derive(Clone, Copy, Debug)]
struct Params {
    /// Keeps the posts whose title's number is not a multiple of this (2 to 5).
    modulus: u32,
    sorted: bool,
    offset: usize,
    limit: usize,
    comments_limit: usize,
}

fn title_number(p: &Post) -> u32 {
    p.title.parse().unwrap()
}

/// The answer from the rows alone: every table scanned, children in creation order (the
/// order ids were handed out, kept by the test).
fn naive(db: &Db<App>, created: &Created, params: Params) -> Shape {
    let live_posts = || created.posts.iter().filter_map(|&p| db.get(p).ok());
    let live_comments = || created.comments.iter().filter_map(|&c| db.get(c).ok());
    (db.table::<User>().iter())
        .map(|user| {
            let mut posts: Vec<_> = live_posts()
                .filter(|p| p.author_id == user.id())
                .filter(|p| !title_number(p).is_multiple_of(params.modulus))
                .collect();
            if params.sorted {
                posts.sort_by(|a, b| a.title.cmp(&b.title)); // stable
            }
            let posts = (posts.into_iter().skip(params.offset).take(params.limit))
                .map(|p| {
                    let comments = (live_comments().filter(|c| c.post_id == p.id()))
                        .map(|c| c.id())
                        .take(params.comments_limit)
                        .collect();
                    (p.id(), comments, p.editor_id)
                })
                .collect();
            let profile = (db.table::<Profile>().iter())
                .find(|p| p.user_id == user.id())
                .map(|p| p.id());
            (user.id(), posts, profile)
        })
        .collect()
}

/// The same answer from an eager load, borrowed and owned, which must agree.
fn eager(db: &Db<App>, params: Params) -> Shape {
    let comments = Eager::new(CommentPost).limit(params.comments_limit);
    let keep = move |p: &Post| !title_number(p).is_multiple_of(params.modulus);
    let level = (comments, BelongsTo::new(PostEditor));
    let users = || db.table::<User>().iter();
    macro_rules! shape {
        ($posts:expr) => {{
            let spec = (
                $posts.offset(params.offset).limit(params.limit).with(level),
                ProfileUser,
            );
            let tree = Tree::load(users(), spec);
            assert_eq!(tree.to_owned(), OwnedTree::load(users(), spec));
            (tree.iter())
                .map(|u| {
                    let (posts, profile) = u.with();
                    let posts = (posts.iter())
                        .map(|p| {
                            let (comments, editor) = p.with();
                            let comments = comments.iter().map(|c| c.id()).collect();
                            (p.id(), comments, editor.map(|e| e.id()))
                        })
                        .collect();
                    (u.id(), posts, profile.map(|p| p.id()))
                })
                .collect()
        }};
    }
    if params.sorted {
        shape!(
            Eager::new(PostAuthor)
                .filter(keep)
                .sort_by(|a, b| a.title.cmp(&b.title))
        )
    } else {
        shape!(Eager::new(PostAuthor).filter(keep))
    }
}

/// Users whose families cross every chunk boundary of a level (chunks start at 16 rows and
/// grow with the level), including one family bigger than all before it, loaded in every
/// form of the spec.
#[test]
fn families_of_every_size_load_what_naive_nested_loops_find() {
    let mut rng = Rng::new(7);
    let (mut db, mut created) = (db(), Created::default());
    let sizes = [0, 1, 15, 16, 17, 2, 0, 33, 300, 1, 0, 64, 5, 900, 3, 16];
    let more: Vec<usize> = (0..40).map(|_| rng.below(40)).collect();
    let sizes = sizes.into_iter().chain(more);
    for (n, size) in sizes.enumerate() {
        let user = db.insert(common::user(&format!("u{n}"))).unwrap();
        created.users.push(user);
        for _ in 0..size {
            let title = rng.below(12).to_string();
            let post = db.insert(post(user, &title)).unwrap();
            created.posts.push(post);
            for _ in 0..rng.below(4) {
                let c = db.insert(comment(post, user, "c")).unwrap();
                created.comments.push(c);
            }
        }
    }
    for sorted in [false, true] {
        for (offset, limit) in [(0, usize::MAX), (1, 20), (0, 16), (2, 1), (0, 0)] {
            for comments_limit in [usize::MAX, 2] {
                let params = Params {
                    modulus: 5,
                    sorted,
                    offset,
                    limit,
                    comments_limit,
                };
                let (want, got) = (naive(&db, &created, params), eager(&db, params));
                assert_eq!(got, want, "{params:?}");
            }
        }
    }
}

#[derive(Default)]
struct Created {
    users: Vec<Id<User>>,
    posts: Vec<Id<Post>>,
    comments: Vec<Id<Comment>>,
}

#[test]
fn random_stores_load_what_naive_nested_loops_find() {
    for seed in 0..24 {
        let mut rng = Rng::new(seed);
        let (mut db, mut created) = (db(), Created::default());
        let mut checks = 0;
        for step in 0..300 {
            step_randomly(&mut rng, &mut db, &mut created);
            if step % 10 == 0 {
                let params = Params {
                    modulus: 2 + rng.below(4) as u32,
                    sorted: rng.chance(50),
                    offset: rng.below(3),
                    limit: [0, 1, 2, 5, usize::MAX][rng.below(5)],
                    comments_limit: [0, 1, 3, usize::MAX][rng.below(4)],
                };
                let (want, got) = (naive(&db, &created, params), eager(&db, params));
                assert_eq!(got, want, "seed {seed} step {step} {params:?}");
                checks += 1;
            }
        }
        assert_eq!(checks, 30);
        assert!(
            !db.table::<Comment>().is_empty(),
            "seed {seed}: the store stayed too small"
        );
    }
}

/// One random write: mostly inserts, some deletes (cascading) and moves between parents.
fn step_randomly(rng: &mut Rng, db: &mut Db<App>, created: &mut Created) {
    let live = |ids: &[Id<User>], db: &Db<App>| -> Vec<Id<User>> {
        ids.iter().copied().filter(|&u| db.contains(u)).collect()
    };
    let users = live(&created.users, db);
    let posts: Vec<_> = created
        .posts
        .iter()
        .copied()
        .filter(|&p| db.contains(p))
        .collect();
    match rng.below(100) {
        0..15 => created.users.push(db.insert(user("u")).unwrap()),
        15..45 if !users.is_empty() => {
            let author = rng.pick(&users).unwrap();
            let editor = if rng.chance(30) {
                rng.pick(&users)
            } else {
                None
            };
            let title = rng.below(12).to_string();
            let row = Post {
                editor_id: editor,
                ..post(author, &title)
            };
            created.posts.push(db.insert(row).unwrap());
        }
        45..80 if !posts.is_empty() => {
            let (p, author) = (rng.pick(&posts).unwrap(), rng.pick(&users).unwrap());
            created
                .comments
                .push(db.insert(comment(p, author, "c")).unwrap());
        }
        80..85 if !users.is_empty() => {
            let u = rng.pick(&users).unwrap();
            let _ = db.insert(profile(u, "bio")); // refused when u has one
        }
        85..90 if !posts.is_empty() => {
            let (p, to) = (rng.pick(&posts).unwrap(), rng.pick(&users).unwrap());
            db.update(p, |row| row.author_id = to).unwrap();
        }
        90..95 if !posts.is_empty() => {
            db.delete(rng.pick(&posts).unwrap()).unwrap();
        }
        95..100 if !users.is_empty() => {
            let _ = db.delete(rng.pick(&users).unwrap()); // restricted while it wrote comments
        }
        _ => {}
    }
}
