//! Queries that follow relations: a parent's children as a query, parents with or without
//! children, `(parent, child)` joins, many-to-many through a join row both ways; stale ids;
//! and a seeded random store where every such query is compared with a naive scan.

mod common;
#[path = "model/rng.rs"]
#[allow(dead_code)] // `pick` is for other tests
mod rng;

use common::*;
use relstore::{AnyId, Db, Error, Id, Model, NotFound, QueryError, Row};
use rng::Rng;
use serde::{Deserialize, Serialize};

fn titles<'a>(posts: impl IntoIterator<Item = Row<'a, Post, App>>) -> Vec<&'a str> {
    posts
        .into_iter()
        .map(|p| p.value().title.as_str())
        .collect()
}

fn pairs<'a>(
    q: impl IntoIterator<Item = (Row<'a, User, App>, Row<'a, Post, App>)>,
) -> Vec<(String, String)> {
    (q.into_iter())
        .map(|(u, p)| (u.name.clone(), p.title.clone()))
        .collect()
}

fn user_ids<'a>(q: impl IntoIterator<Item = Row<'a, User, App>>) -> Vec<Id<User>> {
    q.into_iter().map(|u| u.id()).collect()
}

#[test]
fn a_parent_s_children_as_a_query() -> Result<(), Error> {
    let mut db = db();
    let [ann, bob] = ["ann", "bob"].map(|n| db.insert(user(n)).expect("no keys"));
    for (author, title) in [(ann, "c"), (bob, "x"), (ann, "a"), (ann, "b")] {
        db.insert(post(author, title))?;
    }
    assert_eq!(titles(db.children(PostAuthor, ann)?), ["c", "a", "b"]);
    let sorted = db
        .children(PostAuthor, ann)?
        .order_by(|p| p.value().title.as_str());
    assert_eq!(titles(sorted.offset(1)), ["b", "c"]);
    assert_eq!(
        db.children(PostAuthor, ann)?
            .filter(|p| p.title != "a")
            .count(),
        2
    );
    assert_eq!(db.children(PostAuthor, bob)?.one()?.title, "x");
    // A has-one relation's child too.
    db.insert(profile(ann, "hi"))?;
    assert_eq!(db.children(ProfileUser, ann)?.one()?.bio, "hi");
    assert_eq!(db.children(ProfileUser, bob)?.count(), 0);
    Ok(())
}

#[test]
fn a_stale_parent_is_not_found_and_a_childless_one_is_empty() -> Result<(), Error> {
    let mut db = db();
    let [ann, gone] = ["ann", "gone"].map(|n| db.insert(user(n)).expect("no keys"));
    db.insert(post(gone, "old"))?;
    db.delete(gone)?;
    let stale = NotFound {
        id: AnyId::from(gone),
    };
    assert_eq!(db.children(PostAuthor, gone).map(|q| q.count()), Err(stale));
    assert_eq!(
        db.children(ProfileUser, gone).map(|q| q.count()),
        Err(stale)
    );
    let through = db.through(CommentAuthor, CommentPost, gone);
    assert_eq!(through.map(|q| q.count()), Err(stale));
    assert_eq!(db.children(PostAuthor, ann)?.count(), 0);
    assert_eq!(db.through(CommentAuthor, CommentPost, ann)?.count(), 0);
    let one = db.children(PostAuthor, ann)?.one().err();
    assert_eq!(
        one,
        Some(QueryError::NoMatch {
            table: "posts",
            joined: None
        })
    );
    Ok(())
}

#[test]
fn where_has_keeps_parents_with_children_and_where_has_not_the_others() -> Result<(), Error> {
    let mut db = db();
    let [ann, bob, cy] = ["ann", "bob", "cy"].map(|n| db.insert(user(n)).expect("no keys"));
    let p = db.insert(edited_post(bob, cy, "x"))?;
    db.insert(post(bob, "y"))?;
    db.insert(comment(p, ann, "!"))?;
    let authors = || db.query::<User>().where_has(PostAuthor);
    assert!(authors().ids().eq([bob]), "each parent once");
    assert!(
        db.query::<User>()
            .where_has_not(PostAuthor)
            .ids()
            .eq([ann, cy])
    );
    assert!(db.query::<User>().where_has(PostEditor).ids().eq([cy]));
    let both = db
        .query::<User>()
        .where_has_not(PostAuthor)
        .where_has(CommentAuthor);
    assert!(both.ids().eq([ann]));
    assert_eq!(authors().count(), 1);
    assert!(!authors().filter(|u| u.name == "ann").exists());
    // A parent whose last child goes has none again.
    db.delete(p)?;
    assert!(db.query::<User>().where_has(PostEditor).ids().eq([]));
    assert!(db.query::<User>().where_has(CommentAuthor).ids().eq([]));
    Ok(())
}

#[test]
fn a_join_pairs_each_parent_with_each_child_with_conditions_on_both() -> Result<(), Error> {
    let mut db = db();
    let [ann, bob, cy] = ["ann", "bob", "cy"].map(|n| db.insert(user(n)).expect("no keys"));
    for (author, title) in [(bob, "b1"), (ann, "a1"), (bob, "b2"), (ann, "a2")] {
        db.insert(post(author, title))?;
    }
    let all = pairs(db.query::<User>().join(PostAuthor));
    let want = [("ann", "a1"), ("ann", "a2"), ("bob", "b1"), ("bob", "b2")];
    assert_eq!(all, want.map(|(u, p)| (u.to_string(), p.to_string())));
    // cy has no post: no pair. Conditions on both sides, a window, an order.
    let some = (db.query::<User>().filter(|u| u.name != "ann"))
        .join(PostAuthor)
        .filter(|(_, p)| p.title.ends_with('2'));
    assert_eq!(pairs(some), [("bob".into(), "b2".into())]);
    let newest_first = (db.query::<User>().join(PostAuthor))
        .order_by_desc(|(_, p)| p.value().title.as_str())
        .limit(3);
    let got: Vec<String> = newest_first
        .into_iter()
        .map(|(_, p)| p.title.clone())
        .collect();
    assert_eq!(got, ["b2", "b1", "a2"]);
    // The parents' query is read as it stands: its order and window come first.
    let first_user = (db
        .query::<User>()
        .order_by_desc(|u| u.value().name.as_str()))
    .limit(2)
    .join(PostAuthor);
    assert_eq!(
        pairs(first_user),
        [("bob".into(), "b1".into()), ("bob".into(), "b2".into())],
        "cy (no posts) and bob are the two last by name"
    );
    let pair = db
        .query::<User>()
        .join(PostAuthor)
        .filter(|(_, p)| p.title == "a2")
        .one()?;
    assert_eq!((pair.0.id(), pair.1.title.as_str()), (ann, "a2"));
    let twice = db
        .query::<User>()
        .join(PostAuthor)
        .filter(|(u, _)| u.id() == bob)
        .one();
    assert_eq!(
        twice.err().map(|e| e.to_string()).as_deref(),
        Some(
            "more than one pair of users joined with posts matched a query that wants exactly one"
        )
    );
    assert_eq!(db.query::<User>().join(PostAuthor).count(), 4);
    assert!(
        !db.query::<User>()
            .filter(|u| u.id() == cy)
            .join(PostAuthor)
            .exists()
    );
    Ok(())
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "students")]
pub struct Student {
    name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "courses")]
pub struct Course {
    title: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "enrollments")]
pub struct Enrollment {
    student: Id<Student>,
    course: Id<Course>,
    grade: u8,
}

relstore::belongs_to!(pub EnrolledStudent: Enrollment.student -> Student, has_many, on_delete = Cascade);
relstore::belongs_to!(pub EnrolledIn: Enrollment.course -> Course, has_many, on_delete = Cascade);
relstore::schema! {
    pub struct School { students: Student, courses: Course, enrollments: Enrollment }
    relations { EnrolledStudent, EnrolledIn }
}

#[test]
fn many_to_many_through_a_join_row_both_ways() -> Result<(), Error> {
    let mut db = Db::<School>::new();
    let [ann, bob, cy] = ["ann", "bob", "cy"].map(|n| {
        let student = Student { name: n.into() };
        db.insert(student).expect("no keys")
    });
    let [math, art] =
        ["math", "art"].map(|t| db.insert(Course { title: t.into() }).expect("no keys"));
    for (student, course, grade) in [(ann, math, 5), (bob, art, 2), (ann, art, 3), (bob, math, 4)] {
        db.insert(Enrollment {
            student,
            course,
            grade,
        })?;
    }
    let courses: Vec<(&str, u8)> = (db.through(EnrolledStudent, EnrolledIn, ann)?)
        .into_iter()
        .map(|(e, c)| (c.value().title.as_str(), e.grade))
        .collect();
    assert_eq!(courses, [("math", 5), ("art", 3)]);
    let students: Vec<(&str, u8)> = (db.through(EnrolledIn, EnrolledStudent, math)?)
        .into_iter()
        .map(|(e, s)| (s.value().name.as_str(), e.grade))
        .collect();
    assert_eq!(students, [("ann", 5), ("bob", 4)]);
    let passed = (db.through(EnrolledIn, EnrolledStudent, art)?).filter(|(e, _)| e.grade >= 3);
    assert_eq!(passed.one()?.1.id(), ann);
    assert_eq!(db.through(EnrolledStudent, EnrolledIn, cy)?.count(), 0);
    let best = (db.through(EnrolledStudent, EnrolledIn, bob)?).order_by_desc(|(e, _)| e.grade);
    assert_eq!(best.first().map(|(_, c)| c.id()), Some(math));
    db.delete(math)?; // cascades to its enrollments
    assert!(
        db.through(EnrolledStudent, EnrolledIn, ann)?
            .ids_of_right()
            .eq([art])
    );
    assert_eq!(
        db.through(EnrolledIn, EnrolledStudent, math)
            .map(|q| q.count()),
        Err(NotFound { id: math.into() })
    );
    Ok(())
}

/// The right-hand rows' ids of a pair query (a test helper, not crate API).
trait RightIds<B> {
    fn ids_of_right(self) -> impl Iterator<Item = Id<B>>;
}
impl<'db, A: Model, B: Model, S: relstore::Schema, Q> RightIds<B> for Q
where
    Q: IntoIterator<Item = (Row<'db, A, S>, Row<'db, B, S>)>,
{
    fn ids_of_right(self) -> impl Iterator<Item = Id<B>> {
        self.into_iter().map(|(_, b)| b.id())
    }
}

#[test]
fn through_an_optional_key_skips_null_keys() -> Result<(), Error> {
    let mut db = db();
    let [ann, ed] = ["ann", "ed"].map(|n| db.insert(user(n)).expect("no keys"));
    db.insert(edited_post(ann, ed, "edited"))?;
    db.insert(post(ann, "raw"))?;
    db.insert(edited_post(ann, ann, "self"))?;
    let editors: Vec<(&str, Id<User>)> = (db.through(PostAuthor, PostEditor, ann)?)
        .into_iter()
        .map(|(p, editor)| (p.value().title.as_str(), editor.id()))
        .collect();
    assert_eq!(editors, [("edited", ed), ("self", ann)]);
    assert_eq!(db.through(PostAuthor, PostEditor, ann)?.count(), 2);
    let authors: Vec<Id<User>> = db
        .through(PostEditor, PostAuthor, ed)?
        .ids_of_right()
        .collect();
    assert_eq!(authors, [ann]);
    Ok(())
}

/// A random store (users, posts with optional editors, comments; deletes and slot reuse),
/// then every relation-aware query against the same question answered by scanning the
/// tables. Replay one seed with `QUERY_SEED=n`.
#[test]
fn relation_queries_agree_with_scans_on_random_stores() {
    let seeds: Vec<u64> = match std::env::var("QUERY_SEED") {
        Ok(seed) => vec![seed.parse().expect("QUERY_SEED is a number")],
        Err(_) => (0..30).collect(),
    };
    let mut seen = [0; 3];
    for seed in seeds.iter().copied() {
        let counts = check_random_store(seed);
        for (seen, count) in seen.iter_mut().zip(counts) {
            *seen += count;
        }
    }
    // The stores are not trivially small: rows of every table were there to compare.
    if seeds.len() > 1 {
        assert!(
            seen.iter().all(|&n| n > 100),
            "users, posts, comments: {seen:?}"
        );
    }
}

/// Checks one random store; its users, posts and comments, counted.
fn check_random_store(seed: u64) -> [usize; 3] {
    let mut rng = Rng::new(seed);
    let mut db = db();
    // Every post and comment ever inserted, in creation order (the reference's children order).
    let (mut posts, mut comments) = (Vec::new(), Vec::new());
    let mut users = Vec::new();
    for step in 0..(40 + rng.below(200)) {
        let live: Vec<Id<User>> = db.table::<User>().ids();
        match rng.below(10) {
            0..=1 => users.push(db.insert(user(&format!("u{}", rng.below(8)))).expect("ok")),
            2..=5 if !live.is_empty() => {
                let author = live[rng.below(live.len())];
                let editor = rng.chance(50).then(|| live[rng.below(live.len())]);
                let title = format!("t{}", rng.below(6));
                let row = Post {
                    author_id: author,
                    editor_id: editor,
                    title,
                };
                posts.push(db.insert(row).expect("live parents"));
            }
            6..=7 if !live.is_empty() => {
                let live_posts = db.table::<Post>().ids();
                if let Some(&p) = live_posts.get(rng.below(live_posts.len().max(1))) {
                    let author = live[rng.below(live.len())];
                    comments.push(
                        db.insert(comment(p, author, &step.to_string()))
                            .expect("ok"),
                    );
                }
            }
            8 => {
                let all_posts = db.table::<Post>().ids();
                if let Some(&p) = all_posts.get(rng.below(all_posts.len().max(1))) {
                    db.delete(p).expect("posts cascade to comments");
                }
            }
            _ => {
                // A user goes with everything under them, unless a comment of theirs
                // restricts it.
                if let Some(&u) = live.get(rng.below(live.len().max(1))) {
                    let _ = db.delete(u);
                }
            }
        }
    }
    check_indexes(&db);
    let ctx = format!("seed {seed}");
    let user_rows: Vec<Row<'_, User, App>> = db.table::<User>().iter().collect();
    let post_rows = |author: Id<User>| -> Vec<Id<Post>> {
        (posts.iter().copied())
            .filter(|&p| db.get(p).is_ok_and(|p| p.author_id == author))
            .collect()
    };

    // where_has / where_has_not, every relation with users as parents.
    let has_post = |u: Id<User>| db.table::<Post>().iter().any(|p| p.author_id == u);
    let has_edit = |u: Id<User>| db.table::<Post>().iter().any(|p| p.editor_id == Some(u));
    let has_comment = |u: Id<User>| db.table::<Comment>().iter().any(|c| c.author_id == u);
    let scan = |keep: &dyn Fn(Id<User>) -> bool| -> Vec<Id<User>> {
        user_rows
            .iter()
            .map(|u| u.id())
            .filter(|&u| keep(u))
            .collect()
    };
    assert_eq!(
        user_ids(db.query::<User>().where_has(PostAuthor)),
        scan(&has_post),
        "{ctx}"
    );
    assert_eq!(
        user_ids(db.query::<User>().where_has_not(PostAuthor)),
        scan(&|u| !has_post(u)),
        "{ctx}"
    );
    assert_eq!(
        user_ids(db.query::<User>().where_has(PostEditor)),
        scan(&has_edit),
        "{ctx}"
    );
    let q = db
        .query::<User>()
        .where_has(CommentAuthor)
        .where_has_not(PostEditor);
    assert_eq!(
        user_ids(q),
        scan(&|u| has_comment(u) && !has_edit(u)),
        "{ctx}"
    );
    assert_eq!(
        db.query::<User>().where_has(PostAuthor).count(),
        scan(&has_post).len(),
        "{ctx}"
    );

    // Children, as a query, for every user.
    for user in &user_rows {
        let u = user.id();
        let want = post_rows(u);
        let got: Vec<_> = db.children(PostAuthor, u).expect("live").ids().collect();
        assert_eq!(got, want, "{ctx}: children of {u:?}");
        let t = "t1";
        let got: Vec<_> = (db.children(PostAuthor, u).expect("live"))
            .filter(|p| p.title.as_str() > t)
            .order_by_desc(|p| p.value().title.as_str())
            .limit(2)
            .ids()
            .collect();
        let mut want: Vec<_> = (want.iter().map(|&p| db.get(p).expect("live")))
            .filter(|p| p.title.as_str() > t)
            .collect();
        want.sort_by(|a, b| b.title.cmp(&a.title));
        let want: Vec<_> = want.iter().take(2).map(|p| p.id()).collect();
        assert_eq!(got, want, "{ctx}: sorted children of {u:?}");

        // Many-to-many: the posts a user commented on, with the comment; and back.
        let got: Vec<_> = (db.through(CommentAuthor, CommentPost, u).expect("live"))
            .into_iter()
            .map(|(c, p)| (c.id(), p.id()))
            .collect();
        let want: Vec<_> = (comments.iter().filter_map(|&c| db.get(c).ok()))
            .filter(|c| c.author_id == u)
            .map(|c| (c.id(), c.post_id))
            .collect();
        assert_eq!(got, want, "{ctx}: commented by {u:?}");
        // Through an optional key: the user's posts that have an editor, with the editor.
        let got: Vec<_> = (db.through(PostAuthor, PostEditor, u).expect("live"))
            .into_iter()
            .map(|(p, e)| (p.id(), e.id()))
            .collect();
        let want: Vec<_> = (post_rows(u).iter().map(|&p| db.get(p).expect("live")))
            .filter_map(|p| p.editor_id.map(|e| (p.id(), e)))
            .collect();
        assert_eq!(got, want, "{ctx}: edited posts of {u:?}");
    }
    for post in db.table::<Post>().iter() {
        let got: Vec<_> = (db
            .through(CommentPost, CommentAuthor, post.id())
            .expect("live"))
        .into_iter()
        .map(|(c, u)| (c.id(), u.id()))
        .collect();
        let want: Vec<_> = (comments.iter().filter_map(|&c| db.get(c).ok()))
            .filter(|c| c.post_id == post.id())
            .map(|c| (c.id(), c.author_id))
            .collect();
        assert_eq!(got, want, "{ctx}: commenters of {:?}", post.id());
    }

    // A join with conditions on both sides and a window.
    let name = format!("u{}", rng.below(8));
    let (offset, limit) = (rng.below(4), rng.below(6));
    let got: Vec<_> = (db.query::<User>().filter(|u| u.name != name))
        .join(PostAuthor)
        .filter(|(_, p)| p.title != "t0")
        .offset(offset)
        .limit(limit)
        .into_iter()
        .map(|(u, p)| (u.id(), p.id()))
        .collect();
    let want: Vec<_> = (user_rows.iter().filter(|u| u.name != name))
        .flat_map(|u| post_rows(u.id()).into_iter().map(move |p| (u.id(), p)))
        .filter(|&(_, p)| db.get(p).expect("live").title != "t0")
        .skip(offset)
        .take(limit)
        .collect();
    assert_eq!(got, want, "{ctx}: join");
    let joined = db.query::<User>().join(PostAuthor).count();
    assert_eq!(joined, db.table::<Post>().len(), "{ctx}: every post once");

    // Stale users: not found, never an empty answer.
    for &u in &users {
        if !db.contains(u) {
            assert_eq!(
                db.children(PostAuthor, u).map(|q| q.count()),
                Err(NotFound { id: u.into() }),
                "{ctx}"
            );
        }
    }
    [
        db.table::<User>().len(),
        db.table::<Post>().len(),
        db.table::<Comment>().len(),
    ]
}
