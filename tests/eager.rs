//! Eager loading: every spec form (bare relation, `Eager`, `BelongsTo`, tuples, `()`), three
//! levels deep, per-level filter/order/offset/limit, empty and stale parents, owned trees and
//! their serialized shape. Random stores against naive loops: `eager_random.rs`.

mod common;

use common::*;
use relstore::{BelongsTo, Db, Eager, Id, NotFound, Owned, OwnedTree, Tree};

/// ann (a profile, posts p1 "b", p2 "a", p3 "c"; p2 edited by bob), bob (no posts), and
/// comments on p1 (two, by bob then ann) and p3 (one).
struct Blog {
    db: Db<App>,
    ann: Id<User>,
    bob: Id<User>,
    posts: [Id<Post>; 3],
    comments: [Id<Comment>; 3],
    profile: Id<Profile>,
}

fn blog() -> Blog {
    let mut db = db();
    let [ann, bob] = ["ann", "bob"].map(|n| db.insert(user(n)).unwrap());
    let p1 = db.insert(post(ann, "b")).unwrap();
    let p2 = db.insert(edited_post(ann, bob, "a")).unwrap();
    let p3 = db.insert(post(ann, "c")).unwrap();
    let c1 = db.insert(comment(p1, bob, "first")).unwrap();
    let c2 = db.insert(comment(p1, ann, "second")).unwrap();
    let c3 = db.insert(comment(p3, bob, "third")).unwrap();
    let profile = db.insert(common::profile(ann, "hi")).unwrap();
    Blog {
        db,
        ann,
        bob,
        posts: [p1, p2, p3],
        comments: [c1, c2, c3],
        profile,
    }
}

#[test]
fn three_levels_load_users_posts_comments_in_creation_order() {
    let b = blog();
    let spec =
        Eager::new(PostAuthor).with(Eager::new(CommentPost).with(BelongsTo::new(CommentAuthor)));
    let tree = Tree::load(b.db.table::<User>().iter(), spec);

    assert_eq!(
        tree.iter().map(|u| u.id()).collect::<Vec<_>>(),
        [b.ann, b.bob]
    );
    let posts = tree.get(0).unwrap().with();
    assert_eq!(posts.iter().map(|p| p.id()).collect::<Vec<_>>(), b.posts);
    let [c1, c2, c3] = b.comments;
    let comments = |i: usize| posts.get(i).unwrap().with();
    assert_eq!(
        comments(0).iter().map(|c| c.id()).collect::<Vec<_>>(),
        [c1, c2]
    );
    assert!(comments(1).is_empty());
    assert_eq!(comments(2).iter().map(|c| c.id()).collect::<Vec<_>>(), [c3]);
    // The third level: each comment's author.
    let authors: Vec<_> = comments(0).iter().map(|c| c.with().id()).collect();
    assert_eq!(authors, [b.bob, b.ann]);
    assert!(tree.get(1).unwrap().with().is_empty()); // bob wrote nothing
}

#[test]
fn a_bare_relation_loads_what_eager_new_loads() {
    let b = blog();
    let users = || b.db.table::<User>().iter();
    let bare = Tree::load(users(), PostAuthor).to_owned();
    let built = Tree::load(users(), Eager::new(PostAuthor)).to_owned();
    assert_eq!(bare, built);
    // And nested: `.with(CommentPost)` as a bare relation.
    let nested = Tree::load(users(), Eager::new(PostAuthor).with(CommentPost));
    let first_post = nested.get(0).unwrap().with().get(0).unwrap();
    assert_eq!(first_post.with().len(), 2);
}

#[test]
fn a_tuple_loads_several_relations_at_one_level() {
    let b = blog();
    let spec = (
        PostAuthor,
        Eager::new(ProfileUser),
        Eager::new(CommentAuthor),
        Eager::new(PostEditor),
    );
    let tree = Tree::load(b.db.table::<User>().iter(), spec);
    let (posts, profile, comments, edited) = tree.get(0).unwrap().with();
    assert_eq!(posts.len(), 3);
    assert_eq!(profile.map(|p| p.id()), Some(b.profile));
    assert_eq!(
        comments.iter().map(|c| c.id()).collect::<Vec<_>>(),
        [b.comments[1]]
    );
    assert!(edited.is_empty());
    let (posts, profile, comments, edited) = tree.get(1).unwrap().with();
    assert!(posts.is_empty() && profile.is_none());
    assert_eq!(comments.len(), 2);
    assert_eq!(
        edited.iter().map(|p| p.id()).collect::<Vec<_>>(),
        [b.posts[1]]
    );
}

#[test]
fn unit_loads_nothing_under_the_parents() {
    let b = blog();
    let tree = Tree::load(b.db.table::<User>().iter(), ());
    assert_eq!(tree.len(), 2);
    let owned = tree.to_owned();
    assert_eq!(owned[1].with, ());
}

#[test]
fn has_one_is_an_option_with_its_own_levels() {
    let b = blog();
    let spec = Eager::new(ProfileUser).with(BelongsTo::new(ProfileUser));
    let tree = Tree::load(b.db.table::<User>().iter(), spec);
    let profile = tree.get(0).unwrap().with().expect("ann has a profile");
    assert_eq!((profile.id(), profile.bio.as_str()), (b.profile, "hi"));
    assert_eq!(profile.with().id(), b.ann); // back up to the user
    assert!(tree.get(1).unwrap().with().is_none());
}

#[test]
fn has_one_modifiers_keep_or_drop_the_one_child() {
    let b = blog();
    let users = || [b.db.get(b.ann).unwrap()];
    // A macro, not a closure: the tree's type names its spec, which differs with each closure.
    macro_rules! some {
        ($tree:expr) => {
            $tree.get(0).unwrap().with().is_some()
        };
    }
    assert!(some!(Tree::load(
        users(),
        Eager::new(ProfileUser).filter(|p| p.bio == "hi")
    )));
    assert!(!some!(Tree::load(
        users(),
        Eager::new(ProfileUser).filter(|p| p.bio == "no")
    )));
    assert!(!some!(Tree::load(
        users(),
        Eager::new(ProfileUser).limit(0)
    )));
    assert!(!some!(Tree::load(
        users(),
        Eager::new(ProfileUser).offset(1)
    )));
    assert!(some!(Tree::load(
        users(),
        Eager::new(ProfileUser).order_by(|p| p.bio.len()).limit(1)
    )));
}

#[test]
fn belongs_to_loads_a_required_parent_and_an_optional_one() {
    let b = blog();
    let spec = (
        BelongsTo::new(PostAuthor).with(Eager::new(ProfileUser)),
        BelongsTo::new(PostEditor),
    );
    let tree = Tree::load(b.db.table::<Post>().iter(), spec);
    assert_eq!(tree.len(), 3);
    for node in &tree {
        let (author, _) = node.with();
        assert_eq!(author.id(), b.ann);
        assert_eq!(author.with().map(|p| p.id()), Some(b.profile));
    }
    let editors: Vec<_> = tree.iter().map(|p| p.with().1.map(|e| e.id())).collect();
    assert_eq!(editors, [None, Some(b.bob), None]);
}

#[test]
fn a_self_referential_relation_loads_both_ways() {
    let mut db = db();
    let root = db.insert(category("root", None)).unwrap();
    let kids = ["a", "b"].map(|n| db.insert(category(n, Some(root))).unwrap());
    let down = Tree::load(
        [db.get(root).unwrap()],
        Eager::new(CategoryParent).with(CategoryParent),
    );
    assert_eq!(
        (down.get(0).unwrap().with().iter())
            .map(|c| c.id())
            .collect::<Vec<_>>(),
        kids
    );
    let up = Tree::load(
        db.table::<Category>().iter(),
        BelongsTo::new(CategoryParent),
    );
    let parents: Vec<_> = up.iter().map(|c| c.with().map(|p| p.id())).collect();
    assert_eq!(parents, [None, Some(root), Some(root)]);
}

#[test]
fn filter_order_offset_and_limit_apply_as_in_sql() {
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    // Titles with ties, created in this order.
    let titles = ["d", "b", "x", "a", "b", "c", "a"];
    let posts = titles.map(|t| db.insert(post(ann, t)).unwrap());
    // A macro, not a closure: the tree's type names its spec, which differs with each closure.
    macro_rules! load {
        ($tree:expr) => {
            ($tree.get(0).unwrap().with().iter())
                .map(|p| p.id())
                .collect::<Vec<_>>()
        };
    }
    let parents = || [db.get(ann).unwrap()];
    let by = |i: &[usize]| i.iter().map(|&i| posts[i]).collect::<Vec<_>>();

    let no_x = Eager::new(PostAuthor).filter(|p| p.title != "x");
    assert_eq!(load!(Tree::load(parents(), no_x)), by(&[0, 1, 3, 4, 5, 6]));
    // Ties keep creation order, both ways.
    let up = no_x.order_by(|p| p.title.clone());
    assert_eq!(load!(Tree::load(parents(), up)), by(&[3, 6, 1, 4, 5, 0]));
    let down = no_x.order_by_desc(|p| p.title.clone());
    assert_eq!(load!(Tree::load(parents(), down)), by(&[0, 5, 1, 4, 3, 6]));
    let cmp = no_x.sort_by(|a, b| a.title.cmp(&b.title));
    assert_eq!(load!(Tree::load(parents(), cmp)), by(&[3, 6, 1, 4, 5, 0]));
    // Offset and limit after filter and order, in either order of the calls.
    let page = no_x
        .sort_by(|a, b| a.title.cmp(&b.title))
        .limit(3)
        .offset(1);
    assert_eq!(load!(Tree::load(parents(), page)), by(&[6, 1, 4]));
    let page = Eager::new(PostAuthor).offset(5).limit(10);
    assert_eq!(load!(Tree::load(parents(), page)), by(&[5, 6]));
    let past_the_end = Eager::new(PostAuthor).offset(7);
    assert_eq!(load!(Tree::load(parents(), past_the_end)), by(&[]));
    let unordered_limit = Eager::new(PostAuthor)
        .filter(|p| p.title.as_str() < "c")
        .limit(2);
    assert_eq!(load!(Tree::load(parents(), unordered_limit)), by(&[1, 3]));
    assert_eq!(
        load!(Tree::load(parents(), Eager::new(PostAuthor).limit(0))),
        by(&[])
    );
}

#[test]
fn ties_keep_creation_order_in_a_big_family() {
    // Big enough that an unstable sort would reorder ties (small slices sort by insertion).
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    let posts: Vec<_> = (0..200)
        .map(|i| db.insert(post(ann, &(i * 7 % 3).to_string())).unwrap())
        .collect();
    let mut want = posts.clone();
    want.sort_by_key(|&p| db.get(p).unwrap().title.clone()); // stable
    let spec = Eager::new(PostAuthor).order_by(|p| p.title.clone());
    let tree = Tree::load([db.get(ann).unwrap()], spec);
    assert_eq!(
        (tree.get(0).unwrap().with().iter())
            .map(|p| p.id())
            .collect::<Vec<_>>(),
        want
    );
    let spec = Eager::new(PostAuthor).sort_by(|a, b| b.title.cmp(&a.title));
    let tree = Tree::load([db.get(ann).unwrap()], spec);
    let got: Vec<_> = tree.get(0).unwrap().with().iter().map(|p| p.id()).collect();
    // Descending, ties still oldest first.
    let mut want = posts.clone();
    want.sort_by_key(|&p| std::cmp::Reverse(db.get(p).unwrap().title.clone()));
    assert_eq!(got, want);
}

#[test]
fn modifiers_apply_per_parent_at_a_nested_level() {
    let b = blog();
    // Each post's latest comment only; posts ordered by title.
    let spec = Eager::new(PostAuthor)
        .sort_by(|x, y| x.title.cmp(&y.title))
        .with(
            Eager::new(CommentPost)
                .order_by_desc(|c| c.body.clone())
                .limit(1),
        );
    let tree = Tree::load([b.db.get(b.ann).unwrap()], spec);
    let shape: Vec<_> = (tree.get(0).unwrap().with().iter())
        .map(|p| {
            (
                p.value().title.as_str(),
                (p.with().iter())
                    .map(|c| c.value().body.as_str())
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [("a", vec![]), ("b", vec!["second"]), ("c", vec!["third"])]
    );
}

#[test]
fn rows_below_a_dropped_row_are_not_loaded() {
    let b = blog();
    // Only post "c" is kept, so only its comment's author is reached.
    let spec = Eager::new(PostAuthor)
        .filter(|p| p.title == "c")
        .with(Eager::new(CommentPost).with(BelongsTo::new(CommentAuthor)));
    let tree = Tree::load([b.db.get(b.ann).unwrap()], spec).to_owned();
    assert_eq!(tree[0].with.len(), 1);
    assert_eq!(tree[0].with[0].with[0].with.id, b.bob);
}

#[test]
fn no_parents_load_an_empty_tree() {
    let db = db();
    let tree = Tree::load(
        db.table::<User>().iter(),
        Eager::new(PostAuthor).with(CommentPost),
    );
    assert!(tree.is_empty());
    assert!(tree.to_owned().is_empty());
    let owned = OwnedTree::load(db.table::<User>().iter().take(0), Eager::new(PostAuthor));
    assert!(owned.is_empty());
}

#[test]
fn a_stale_id_is_not_found_and_deleted_rows_never_show() {
    let mut b = blog();
    b.db.delete(b.posts[0]).unwrap(); // cascades to its two comments
    let tree = Tree::load_ids(&b.db, [b.ann], Eager::new(PostAuthor).with(CommentPost)).unwrap();
    let posts = tree.get(0).unwrap().with();
    assert_eq!(
        posts.iter().map(|p| p.id()).collect::<Vec<_>>(),
        b.posts[1..]
    );
    assert_eq!(posts.get(1).unwrap().with().len(), 1);
    drop(tree);

    b.db.delete(b.bob).unwrap_err(); // bob's comment restricts it
    b.db.delete(b.comments[2]).unwrap();
    b.db.delete(b.bob).unwrap();
    let stale = Tree::load_ids(&b.db, [b.ann, b.bob], Eager::new(PostAuthor));
    assert_eq!(stale.map(|t| t.len()), Err(NotFound { id: b.bob.into() }));
    let owned = OwnedTree::load(b.db.table::<User>().iter(), PostAuthor);
    assert_eq!(owned.len(), 1);
}

#[test]
fn an_owned_tree_is_a_copy_that_later_writes_leave_alone() {
    let mut b = blog();
    let spec = Eager::new(PostAuthor).with(CommentPost);
    let owned = OwnedTree::load(b.db.table::<User>().iter(), spec);
    assert_eq!(
        owned,
        Tree::load(b.db.table::<User>().iter(), spec).to_owned()
    );
    let node = (Tree::load(b.db.table::<User>().iter(), spec).get(0))
        .unwrap()
        .to_owned();
    assert_eq!(node, owned[0]);

    b.db.update(b.posts[0], |p| p.title = "changed".into())
        .unwrap();
    b.db.delete(b.ann).unwrap(); // cascades to every post and comment
    assert_eq!(owned[0].with[0].title, "b");
    assert_eq!(owned[0].with[0].row, post(b.ann, "b"));
    // Each node carries its id beside the row, and the rows below it.
    let Owned { id, row, with } = &owned[0];
    assert_eq!((*id, row), (b.ann, &user("ann")));
    assert_eq!(with[0].with[1].body, "second");

    fn send<T: Send + 'static>(_: &T) {}
    send(&owned);
}

#[test]
fn the_owned_tree_serializes_as_id_row_and_with() {
    let b = blog();
    let spec = Eager::new(PostAuthor)
        .filter(|p| p.title != "a")
        .with((CommentPost, BelongsTo::new(PostEditor)));
    let owned = OwnedTree::load([b.db.get(b.ann).unwrap()], spec);
    let json = |x: &dyn erased::Json| x.value();
    let [p1, _, p3] = b.posts;
    let [c1, c2, c3] = b.comments;
    let post_json = |id: Id<Post>, title: &str, comments: Vec<serde_json::Value>| {
        serde_json::json!({
            "id": json(&id),
            "row": json(&post(b.ann, title)),
            "with": [comments, null],
        })
    };
    let comment_json = |id: Id<Comment>, author: Id<User>, post: Id<Post>, body: &str| serde_json::json!({ "id": json(&id), "row": json(&comment(post, author, body)) });
    let expected = serde_json::json!([{
        "id": json(&b.ann),
        "row": { "name": "ann" },
        "with": [
            post_json(p1, "b", vec![comment_json(c1, b.bob, p1, "first"), comment_json(c2, b.ann, p1, "second")]),
            post_json(p3, "c", vec![comment_json(c3, b.bob, p3, "third")]),
        ],
    }]);
    assert_eq!(serde_json::to_value(&owned).unwrap(), expected);

    // A non-self-describing format gets the same fields in order; a leaf has no `with`.
    let config = bincode::config::standard();
    let leaf = OwnedTree::load([b.db.get(b.bob).unwrap()], ());
    let bytes = bincode::serde::encode_to_vec(&leaf, config).unwrap();
    let by_hand = bincode::serde::encode_to_vec(vec![(b.bob, user("bob"))], config).unwrap();
    assert_eq!(bytes, by_hand);
}

/// `serde_json::to_value` behind a trait object, so one closure takes any serializable value.
mod erased {
    pub trait Json {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}

#[test]
fn a_tree_its_nodes_and_their_levels_print_their_rows() {
    let b = blog();
    let spec = Eager::new(PostAuthor).limit(1).with(CommentPost);
    let tree = Tree::load([b.db.get(b.ann).unwrap()], spec);
    let ann = tree.get(0).unwrap();
    let printed = format!("{tree:?}");
    assert_eq!(printed, format!("[{ann:?}]"));
    assert!(printed.starts_with("[Node { id: "), "{printed}");
    for text in ["\"ann\"", "title: \"b\"", "\"first\"", "\"second\""] {
        assert!(printed.contains(text), "{text} in {printed}");
    }
    assert!(!printed.contains("\"third\""), "{printed}"); // under a post the limit drops
    assert_eq!(
        format!("{:?}", ann.with()),
        format!("{:?}", [ann.with().get(0).unwrap()])
    );

    // A tuple prints as one, a missing parent as `None`, a leaf's level as `()`.
    let spec = (Eager::new(CommentPost).limit(1), BelongsTo::new(PostEditor));
    let tree = Tree::load([b.db.get(b.posts[0]).unwrap()], spec);
    let printed = format!("{:?}", tree.get(0).unwrap().with());
    assert!(printed.starts_with("([Node { id: "), "{printed}");
    assert!(printed.ends_with("with: () }], None)"), "{printed}");
}

/// A parent given twice, or reached from several children, gets its children each time, each
/// time in its own span of the level.
#[test]
fn a_parent_reached_twice_loads_its_children_twice() {
    let b = blog();
    let [ann, bob] = [b.ann, b.bob].map(|id| b.db.get(id).unwrap());
    let spec = Eager::new(PostAuthor).with(CommentPost);
    let tree = Tree::load([ann, bob, ann], spec);
    let shape = |i: usize| tree.get(i).unwrap().to_owned();
    assert_eq!(shape(0), shape(2));
    assert_eq!(shape(0).with.len(), 3);
    assert!(shape(1).with.is_empty());

    // Every post, its author, and all of the author's posts: three copies of ann's list.
    let spec = BelongsTo::new(PostAuthor).with(PostAuthor);
    let tree = Tree::load(b.db.table::<Post>().iter(), spec);
    for post in &tree {
        let mine: Vec<_> = post.with().with().iter().map(|p| p.id()).collect();
        assert_eq!(mine, b.posts);
    }
}
