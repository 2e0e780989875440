//! Named accessors and each relation's default filter and order (`belongs_to!`'s
//! `accessors`, `filter`, `order_by`): what they show, what keeps seeing every child (the
//! index, `has_many`, `count`, cascades, restricts, has-one checks), stable ties, and that
//! nothing is ever stale: a read after any write sees it, as there is no cache.

#[path = "model/rng.rs"]
mod rng;
#[path = "accessors/schema.rs"]
mod schema;

use std::cmp::Reverse;

use relstore::{Db, DeleteError, Eager, Error, Id, Related, Row, Tree, WriteError};

use rng::Rng;
use schema::*;

#[test]
fn has_many_accessors_filter_and_order_and_belongs_to_accessors_give_the_parent() {
    let mut db = Db::<App>::new();
    let ann = user(&mut db, "ann");
    let low = post(&mut db, ann, false, 1);
    let draft = post(&mut db, ann, true, 9);
    let high = post(&mut db, ann, false, 5);

    let ann_row = db.get(ann).unwrap();
    assert_eq!(
        ids(ann_row.posts()),
        [high, low],
        "drafts hidden, best first"
    );
    assert_eq!(ids(ann_row.posts().rev()), [low, high]);
    assert_eq!(ids(ann_row.related(PostAuthor)), [high, low]);
    assert_eq!(
        ids(db.relation(PostAuthor).related(ann).unwrap()),
        [high, low]
    );

    // A required key's parent comes without an `Option`, also for a hidden child.
    let author: Row<'_, User, App> = db.get(draft).unwrap().author();
    assert_eq!((author.id(), author.name.as_str()), (ann, "ann"));
}

#[test]
fn an_optional_key_s_accessor_is_an_option_and_a_plain_relation_shows_the_index() {
    let mut db = Db::<App>::new();
    let [ann, bob] = ["ann", "bob"].map(|name| user(&mut db, name));
    let [first, second, third] = [3, 1, 2].map(|score| post(&mut db, ann, false, score));
    for id in [third, first] {
        db.update(id, |post| post.editor_id = Some(bob)).unwrap();
    }

    assert_eq!(db.get(second).unwrap().editor().map(|e| e.id()), None);
    assert_eq!(db.get(third).unwrap().editor().map(|e| e.id()), Some(bob));
    let bob_row = db.get(bob).unwrap();
    assert_eq!(
        ids(bob_row.edited()),
        [first, third],
        "creation order, not join order"
    );
    assert_eq!(ids(bob_row.edited()), ids(bob_row.has_many(PostEditor)));
    assert_eq!(bob_row.edited().size_hint(), (2, Some(2)));
}

#[test]
fn a_has_one_accessor_hides_a_filtered_child_that_the_has_one_check_still_sees() {
    let mut db = Db::<App>::new();
    let [ann, bob] = ["ann", "bob"].map(|name| user(&mut db, name));
    let active = db
        .insert(Profile {
            user_id: ann,
            active: true,
        })
        .unwrap();
    let inactive = db
        .insert(Profile {
            user_id: bob,
            active: false,
        })
        .unwrap();

    assert_eq!(db.get(ann).unwrap().profile().map(|p| p.id()), Some(active));
    assert_eq!(db.get(bob).unwrap().profile().map(|p| p.id()), None);
    assert_eq!(
        db.get(bob).unwrap().has_one(ProfileUser).map(|p| p.id()),
        Some(inactive)
    );
    assert_eq!(db.get(inactive).unwrap().owner().id(), bob);

    let second = db.insert(Profile {
        user_id: bob,
        active: true,
    });
    assert!(
        matches!(second, Err(WriteError::HasOneTaken { existing, .. }) if existing == inactive.into()),
        "{second:?}"
    );
    db.update(inactive, |profile| profile.active = true)
        .unwrap();
    assert_eq!(
        db.get(bob).unwrap().profile().map(|p| p.id()),
        Some(inactive)
    );
}

#[test]
fn self_referential_accessors_order_by_a_borrowed_key_and_ties_keep_creation_order() {
    let mut db = Db::<App>::new();
    let root = category(&mut db, None, 0, "root");
    let b = category(&mut db, Some(root), 2, "b");
    let a2 = category(&mut db, Some(root), 1, "a");
    let a1 = category(&mut db, Some(root), 1, "a"); // ties with a2: created later, so after it
    let z = category(&mut db, Some(root), 1, "z");
    let deep = category(&mut db, Some(a1), 0, "deep");

    let root_row = db.get(root).unwrap();
    assert_eq!(ids(root_row.children()), [a2, a1, z, b]);
    assert_eq!(ids(root_row.has_many(CategoryParent)), [b, a2, a1, z]);
    assert_eq!(root_row.parent().map(|p| p.id()), None);
    let deep_row = db.get(deep).unwrap();
    let grandparent = deep_row.parent().and_then(|parent| parent.parent());
    assert_eq!(grandparent.map(|g| g.id()), Some(root));
}

#[test]
fn ties_keep_creation_order_even_after_a_child_moves_in() {
    let mut db = Db::<App>::new();
    let [ann, bob] = ["ann", "bob"].map(|name| user(&mut db, name));
    let oldest = post(&mut db, bob, false, 7);
    let middle = post(&mut db, ann, false, 7);
    let newest = post(&mut db, ann, false, 7);
    db.update(oldest, |post| post.author_id = ann).unwrap(); // joins last, created first

    assert_eq!(ids(db.get(ann).unwrap().posts()), [oldest, middle, newest]);
}

#[test]
fn ties_keep_creation_order_in_a_big_family() {
    // Past 20 rows, where an unstable sort would no longer keep ties by chance.
    let mut db = Db::<App>::new();
    let ann = user(&mut db, "ann");
    let posts: Vec<_> = (0..200).map(|i| post(&mut db, ann, false, i % 3)).collect();
    let expected: Vec<_> = (0..3)
        .rev()
        .flat_map(|score| posts.iter().skip(score).step_by(3).copied())
        .collect();
    assert_eq!(ids(db.get(ann).unwrap().posts()), expected);
}

#[test]
fn has_many_count_and_cascades_see_every_child_in_creation_order() {
    let mut db = Db::<App>::new();
    let ann = user(&mut db, "ann");
    let posts =
        [(true, 1), (false, 2), (true, 3)].map(|(draft, score)| post(&mut db, ann, draft, score));

    assert_eq!(ids(db.get(ann).unwrap().has_many(PostAuthor)), posts);
    assert_eq!(db.relation(PostAuthor).count(ann), Ok(3));
    assert_eq!(ids(db.has_many(PostAuthor, ann).unwrap()), posts);

    db.delete(ann).unwrap(); // cascades to the drafts too
    assert!(posts.iter().all(|&id| !db.contains(id)));
    assert_eq!(db.table::<Post>().len(), 0);
}

#[test]
fn a_restrict_sees_a_hidden_child() {
    let mut db = Db::<App>::new();
    let ann = user(&mut db, "ann");
    let hello = post(&mut db, ann, false, 1);
    let hidden = db
        .insert(Comment {
            post_id: hello,
            hidden: true,
        })
        .unwrap();

    assert_eq!(db.get(hello).unwrap().comments().count(), 0);
    let refused = db.delete(hello);
    assert!(
        matches!(refused, Err(DeleteError::Restricted { child, .. }) if child == hidden.into()),
        "{refused:?}"
    );
    // The cascade from ann stops at the same hidden comment.
    assert!(matches!(
        db.delete(ann),
        Err(DeleteError::Restricted { .. })
    ));
    assert!(db.contains(hello));
}

#[test]
fn nothing_is_ever_stale_reads_see_every_write_at_once() -> Result<(), Error> {
    let mut db = Db::<App>::new();
    let [ann, bob] = ["ann", "bob"].map(|name| user(&mut db, name));
    let first = post(&mut db, ann, false, 1);
    assert_eq!(ids(db.get(ann)?.posts()), [first]);

    // Insert: seen by the next read, in its place.
    let better = post(&mut db, ann, false, 2);
    assert_eq!(ids(db.get(ann)?.posts()), [better, first]);

    // Update moving a child: gone from one parent, at once in the other.
    db.update(better, |post| post.author_id = bob)?;
    assert_eq!(ids(db.get(ann)?.posts()), [first]);
    assert_eq!(ids(db.get(bob)?.posts()), [better]);
    assert_eq!(db.get(better)?.author().id(), bob);

    // Updates that change what the filter and order read.
    let third = post(&mut db, ann, false, 0);
    db.update(third, |post| post.score = 10)?;
    assert_eq!(ids(db.get(ann)?.posts()), [third, first]);
    db.update(first, |post| post.draft = true)?;
    assert_eq!(ids(db.get(ann)?.posts()), [third]);

    // Delete.
    db.delete(third)?;
    assert_eq!(ids(db.get(ann)?.posts()), []);

    // Set-null: the editor deleted, the key cleared, both sides see it.
    let editor = user(&mut db, "editor");
    db.update(better, |post| post.editor_id = Some(editor))?;
    assert_eq!(ids(db.get(editor)?.edited()), [better]);
    assert_eq!(db.get(better)?.editor().map(|e| e.id()), Some(editor));
    db.delete(editor)?;
    assert_eq!(db.get(better)?.editor().map(|e| e.id()), None);

    // A has-one child inserted, then deleted.
    let profile = db.insert(Profile {
        user_id: ann,
        active: true,
    })?;
    assert_eq!(db.get(ann)?.profile().map(|p| p.id()), Some(profile));
    db.delete(profile)?;
    assert_eq!(db.get(ann)?.profile().map(|p| p.id()), None);
    Ok(())
}

#[test]
fn a_stale_parent_is_not_found_through_the_relation_handle() {
    let mut db = Db::<App>::new();
    let gone = user(&mut db, "gone");
    db.delete(gone).unwrap();
    let related = db
        .relation(PostAuthor)
        .related(gone)
        .map(|posts| posts.count());
    assert_eq!(related, Err(relstore::NotFound { id: gone.into() }));
}

#[test]
fn related_clones_and_prints_where_it_is() {
    let mut db = Db::<App>::new();
    let ann = user(&mut db, "ann");
    let posts = [1, 2, 3].map(|score| post(&mut db, ann, false, score));
    let hello = posts[0];
    for hidden in [false, true, false] {
        db.insert(Comment {
            post_id: hello,
            hidden,
        })
        .unwrap();
    }

    let ann_row = db.get(ann).unwrap();
    let mut sorted = ann_row.posts();
    sorted.next();
    assert_eq!(ids(sorted.clone()), ids(sorted.clone()));
    assert_eq!(ids(sorted.clone()), [posts[1], posts[0]]);
    assert_eq!(
        format!("{sorted:?}"),
        r#"Related { relation: "PostAuthor", sorted: true, at_most: 2 }"#
    );
    let comments = db.get(hello).unwrap().comments();
    assert_eq!(
        format!("{comments:?}"),
        r#"Related { relation: "CommentPost", sorted: false, at_most: 3 }"#
    );
    assert_eq!(comments.size_hint(), (0, Some(3)));
}

/// Every way to read a `Related` (next, next_back, fold) agrees with the others.
fn read_all_ways<R: relstore::Relation>(related: Related<'_, R, App>) -> Vec<Id<R::Child>> {
    let forward = ids(related.clone());
    let mut backward = ids(related.clone().rev());
    backward.reverse();
    let folded = related.clone().fold(Vec::new(), |mut seen, row| {
        seen.push(row.id());
        seen
    });
    let (low, high) = related.size_hint();
    assert_eq!(forward, backward);
    assert_eq!(forward, folded);
    assert!(low <= forward.len() && high.is_some_and(|high| forward.len() <= high));
    forward
}

#[test]
fn random_writes_match_a_naive_filter_and_stable_sort() {
    const USERS: usize = 4;
    for seed in 0..20 {
        let mut rng = Rng::new(seed);
        let mut db = Db::<App>::new();
        let users: Vec<_> = (0..USERS)
            .map(|i| user(&mut db, &format!("u{i}")))
            .collect();
        let hub = post(&mut db, users[0], false, 0);
        // The reference: every live post and comment, in creation order.
        let mut posts: Vec<(Id<Post>, Post)> = vec![(hub, db.get(hub).unwrap().value().clone())];
        let mut comments: Vec<(Id<Comment>, bool)> = Vec::new();

        for step in 0..300 {
            let author_id = rng.pick(&users).unwrap();
            let (draft, score) = (rng.chance(30), rng.below(4) as u32);
            match rng.below(5) {
                0 | 1 => {
                    let id = post(&mut db, author_id, draft, score);
                    posts.push((id, db.get(id).unwrap().value().clone()));
                }
                2 if posts.len() > 1 => {
                    let i = 1 + rng.below(posts.len() - 1); // the hub stays
                    db.update(posts[i].0, |post| {
                        (post.author_id, post.draft, post.score) = (author_id, draft, score);
                    })
                    .unwrap();
                    posts[i].1 = db.get(posts[i].0).unwrap().value().clone();
                }
                3 if posts.len() > 1 => {
                    let i = 1 + rng.below(posts.len() - 1);
                    db.delete(posts.remove(i).0).unwrap();
                }
                _ if rng.chance(30) && !comments.is_empty() => {
                    let i = rng.below(comments.len());
                    db.delete(comments.remove(i).0).unwrap();
                }
                _ => {
                    let hidden = rng.chance(40);
                    comments.push((
                        db.insert(Comment {
                            post_id: hub,
                            hidden,
                        })
                        .unwrap(),
                        hidden,
                    ));
                }
            }

            let mut shown_posts = Vec::new();
            for &parent in &users {
                let mut expected: Vec<_> = (posts.iter())
                    .filter(|(_, post)| post.author_id == parent && !post.draft)
                    .collect();
                expected.sort_by_key(|(_, post)| Reverse(post.score)); // stable
                let expected: Vec<_> = expected.into_iter().map(|(id, _)| *id).collect();
                shown_posts.push(expected.clone());
                let user = db.get(parent).unwrap();
                assert_eq!(
                    read_all_ways(user.posts()),
                    expected,
                    "seed {seed}, step {step}"
                );
                let every: Vec<_> = (posts.iter())
                    .filter(|(_, post)| post.author_id == parent)
                    .map(|(id, _)| *id)
                    .collect();
                assert_eq!(
                    ids(user.has_many(PostAuthor)),
                    every,
                    "seed {seed}, step {step}"
                );
            }
            let shown: Vec<_> = comments
                .iter()
                .filter(|(_, hidden)| !hidden)
                .map(|(id, _)| *id)
                .collect();
            let hub_row = db.get(hub).unwrap();
            assert_eq!(
                read_all_ways(hub_row.comments()),
                shown,
                "seed {seed}, step {step}"
            );
            assert_eq!(db.relation(CommentPost).count(hub), Ok(comments.len()));
            check_queries_and_eager(&db, &users, &posts, &shown_posts, (hub, &shown));
        }
    }
}

/// The queries and eager loading over relations with defaults, against the reference: every
/// live post in creation order, each user's posts as `PostAuthor` shows them (`shown_posts`,
/// by user), the hub's shown comments.
fn check_queries_and_eager(
    db: &Db<App>,
    users: &[Id<User>],
    posts: &[(Id<Post>, Post)],
    shown_posts: &[Vec<Id<Post>>],
    (hub, shown_comments): (Id<Post>, &[Id<Comment>]),
) {
    let mut pairs = Vec::new();
    let mut writers = Vec::new();
    for (&user, shown) in users.iter().zip(shown_posts) {
        let children = db.children(PostAuthor, user).unwrap();
        assert_eq!(ids(children.into_iter()), *shown, "children");
        assert_eq!(db.children(PostAuthor, user).unwrap().count(), shown.len());
        pairs.extend(shown.iter().map(|&post| (user, post)));
        if !shown.is_empty() {
            writers.push(user);
        }
    }
    let join = db.query::<User>().join(PostAuthor).into_iter();
    assert_eq!(
        join.map(|(u, p)| (u.id(), p.id())).collect::<Vec<_>>(),
        pairs,
        "join"
    );
    assert_eq!(db.query::<User>().join(PostAuthor).count(), pairs.len());
    let has: Vec<_> = db.query::<User>().where_has(PostAuthor).ids().collect();
    assert_eq!(has, writers, "where_has");
    let has_not: Vec<_> = db.query::<User>().where_has_not(PostAuthor).ids().collect();
    let silent: Vec<_> = users
        .iter()
        .filter(|u| !writers.contains(u))
        .copied()
        .collect();
    assert_eq!(has_not, silent, "where_has_not");
    let commented: Vec<_> = db.query::<Post>().where_has(CommentPost).ids().collect();
    let expected: &[Id<Post>] = if shown_comments.is_empty() {
        &[]
    } else {
        &[hub]
    };
    assert_eq!(commented, expected, "where_has under a filter only");

    // Users -> posts (default filter and order) -> comments (default filter), borrowed and
    // owned; and a level with its own order, which replaces the default order.
    let spec = Eager::new(PostAuthor).with(CommentPost);
    let tree = Tree::load(db.table::<User>().iter(), spec);
    let owned = db.query::<User>().with_owned(spec);
    for (i, shown) in shown_posts.iter().enumerate() {
        let posts = tree.get(i).unwrap().with();
        let loaded: Vec<_> = posts.iter().map(|post| post.id()).collect();
        assert_eq!(loaded, *shown, "eager");
        assert_eq!(owned[i].with.len(), shown.len(), "owned eager");
        for (node, owned) in posts.iter().zip(&owned[i].with) {
            let expected: &[Id<Comment>] = if node.id() == hub {
                shown_comments
            } else {
                &[]
            };
            let comments: Vec<_> = node.with().iter().map(|comment| comment.id()).collect();
            assert_eq!(comments, expected, "eager comments");
            assert_eq!(owned.with.len(), expected.len());
        }
    }
    let by_score = Eager::new(PostAuthor).order_by(|post| post.score).limit(2);
    let tree = Tree::load(db.table::<User>().iter(), by_score);
    for (i, &user) in users.iter().enumerate() {
        let mut expected: Vec<_> = (posts.iter())
            .filter(|(_, post)| post.author_id == user && !post.draft)
            .collect();
        expected.sort_by_key(|(_, post)| post.score); // stable: ties in creation order
        let expected: Vec<_> = expected.iter().take(2).map(|(id, _)| *id).collect();
        let loaded: Vec<_> = (tree.get(i).unwrap().with().iter())
            .map(|post| post.id())
            .collect();
        assert_eq!(loaded, expected, "eager with its own order");
    }
}

/// A private relation's accessors are private traits (the relation's visibility), and work.
mod private {
    use relstore::{Db, Id, Model};
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Serialize, Deserialize, Model)]
    struct Zone {
        name: String,
    }
    #[derive(Clone, Serialize, Deserialize, Model)]
    struct Spawn {
        zone: Id<Zone>,
    }
    relstore::belongs_to!(
        SpawnZone: Spawn.zone -> Zone, has_many,
        accessors { belongs_to: SpawnZoneOf::zone, has_many: ZoneSpawns::spawns }
    );
    relstore::schema! { struct Map { zones: Zone, spawns: Spawn } relations { SpawnZone } }

    #[test]
    fn private_accessors_work() {
        let mut db = Db::<Map>::new();
        let zone = db
            .insert(Zone {
                name: "north".into(),
            })
            .unwrap();
        let spawn = db.insert(Spawn { zone }).unwrap();
        assert_eq!(db.get(spawn).unwrap().zone().name, "north");
        let spawns: Vec<_> = db.get(zone).unwrap().spawns().map(|s| s.id()).collect();
        assert_eq!(spawns, [spawn]);
    }
}
