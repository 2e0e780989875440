//! A relation's default filter and order in queries and eager loading: `children`, `join`,
//! `where_has`, `where_has_not`, `through` and `Eager` levels (has-many and has-one) show what
//! `Related` shows, while raw navigation (`has_many`, `has_one`, `count`) still sees every
//! child in creation order. The random comparison with a naive reference is in
//! `tests/accessors.rs`.

#[path = "accessors/schema.rs"]
mod schema;

use relstore::{BelongsTo, Db, Eager, Id, NotFound, OwnedTree, Query, Tree};

use schema::*;

/// ann: posts scored 1, 9 (a draft), 5, 5; bob: only a draft; cy: nothing. Best first, drafts
/// hidden, ties in creation order: ann shows [high, tie, low].
struct Fixture {
    db: Db<App>,
    ann: Id<User>,
    bob: Id<User>,
    cy: Id<User>,
    ann_posts: [Id<Post>; 4],
    bobs_draft: Id<Post>,
}

impl Fixture {
    fn new() -> Self {
        let mut db = Db::<App>::new();
        let [ann, bob, cy] = ["ann", "bob", "cy"].map(|name| user(&mut db, name));
        let ann_posts = [(false, 1), (true, 9), (false, 5), (false, 5)]
            .map(|(draft, score)| post(&mut db, ann, draft, score));
        let bobs_draft = post(&mut db, bob, true, 3);
        Fixture {
            db,
            ann,
            bob,
            cy,
            ann_posts,
            bobs_draft,
        }
    }

    /// What `Related` shows of ann's posts.
    fn ann_shown(&self) -> Vec<Id<Post>> {
        let [low, _, high, tie] = self.ann_posts;
        let shown = ids(self.db.get(self.ann).unwrap().posts());
        assert_eq!(shown, [high, tie, low]);
        shown
    }
}

#[test]
fn children_show_what_related_shows_and_has_many_sees_every_child() -> Result<(), NotFound> {
    let f = Fixture::new();
    let shown = f.ann_shown();
    assert_eq!(ids(f.db.children(PostAuthor, f.ann)?.into_iter()), shown);
    assert_eq!(f.db.children(PostAuthor, f.ann)?.count(), 3);
    assert_eq!(ids(f.db.children(PostAuthor, f.bob)?.into_iter()), []);
    assert_eq!(ids(f.db.has_many(PostAuthor, f.ann)?), f.ann_posts);
    assert_eq!(f.db.relation(PostAuthor).count(f.ann), Ok(4));

    // The query's own order sorts again, stably: ties keep the default order.
    let by_score = f.db.children(PostAuthor, f.ann)?.order_by(|p| p.score);
    assert_eq!(ids(by_score.into_iter()), [shown[2], shown[0], shown[1]]);
    // And its own filter applies on top of the default one.
    let low = f.db.children(PostAuthor, f.ann)?.filter(|p| p.score < 9);
    assert_eq!(low.count(), 3);

    // An order only, on a self-referential relation; a filter only, read lazily.
    let mut db = Db::<App>::new();
    let root = category(&mut db, None, 0, "root");
    let b = category(&mut db, Some(root), 2, "b");
    let a = category(&mut db, Some(root), 1, "a");
    let children = db.children(CategoryParent, root)?.into_iter();
    assert_eq!(ids(children), [a, b]);
    let ann = user(&mut db, "ann");
    let post = post(&mut db, ann, false, 0);
    let [shown, _] = [false, true].map(|hidden| {
        db.insert(Comment {
            post_id: post,
            hidden,
        })
        .unwrap()
    });
    assert_eq!(ids(db.children(CommentPost, post)?.into_iter()), [shown]);

    // A stale parent is still an error.
    db.delete(root).unwrap();
    assert_eq!(
        db.children(CategoryParent, root).err(),
        Some(NotFound { id: root.into() })
    );
    Ok(())
}

#[test]
fn join_pairs_each_parent_with_the_children_related_shows() {
    let f = Fixture::new();
    let shown = f.ann_shown();
    let pairs: Vec<_> = (f.db.query::<User>().join(PostAuthor))
        .into_iter()
        .map(|(user, post)| (user.id(), post.id()))
        .collect();
    let expected: Vec<_> = shown.iter().map(|&post| (f.ann, post)).collect();
    assert_eq!(pairs, expected, "bob's draft gives no pair");
    // `fold` (through `count`) and `next` agree.
    assert_eq!(f.db.query::<User>().join(PostAuthor).count(), 3);
    let mut join = f.db.query::<User>().join(PostAuthor).into_iter();
    join.next();
    assert_eq!(join.fold(0, |n, _| n + 1), 2);
    // A relation without defaults still pairs every child.
    assert_eq!(f.db.query::<User>().join(PostEditor).count(), 0);
}

#[test]
fn where_has_counts_only_children_the_default_filter_keeps() {
    let f = Fixture::new();
    let users = || f.db.query::<User>();
    assert!(users().where_has(PostAuthor).ids().eq([f.ann]));
    assert!(users().where_has_not(PostAuthor).ids().eq([f.bob, f.cy]));
    assert_eq!(users().where_has(PostAuthor).count(), 1, "fold agrees");
    assert_eq!(users().where_has_not(PostAuthor).count(), 2);
    // Raw navigation still sees bob's draft.
    assert_eq!(f.db.relation(PostAuthor).count(f.bob), Ok(1));
    assert_eq!(
        ids(f.db.has_many(PostAuthor, f.bob).unwrap()),
        [f.bobs_draft]
    );

    // A has-one relation's filter counts too.
    let mut db = Db::<App>::new();
    let [ann, bob] = ["ann", "bob"].map(|name| user(&mut db, name));
    for (user_id, active) in [(ann, true), (bob, false)] {
        db.insert(Profile { user_id, active }).unwrap();
    }
    assert!(db.query::<User>().where_has(ProfileUser).ids().eq([ann]));
    assert!(
        db.query::<User>()
            .where_has_not(ProfileUser)
            .ids()
            .eq([bob])
    );
}

#[test]
fn through_reads_the_join_rows_as_the_first_relation_shows_them() -> Result<(), NotFound> {
    let mut f = Fixture::new();
    let ed = user(&mut f.db, "ed");
    for post in f.ann_posts {
        f.db.update(post, |post| post.editor_id = Some(ed)).unwrap();
    }
    let shown = f.ann_shown();

    let through: Vec<_> = (f.db.through(PostAuthor, PostEditor, f.ann)?)
        .into_iter()
        .map(|(post, editor)| (post.id(), editor.id()))
        .collect();
    let expected: Vec<_> = shown.iter().map(|&post| (post, ed)).collect();
    assert_eq!(through, expected, "PostAuthor's filter and order");
    let hint =
        f.db.through(PostAuthor, PostEditor, f.ann)?
            .into_iter()
            .size_hint();
    assert_eq!(hint, (0, Some(3)), "an optional key may be null");

    // The second relation's defaults play no part: ed's edits, every one, in creation order.
    let edits: Vec<_> = (f.db.through(PostEditor, PostAuthor, ed)?)
        .into_iter()
        .map(|(post, author)| (post.id(), author.id()))
        .collect();
    let expected: Vec<_> = f.ann_posts.iter().map(|&post| (post, f.ann)).collect();
    assert_eq!(edits, expected);
    Ok(())
}

#[test]
fn eager_has_many_levels_start_from_what_related_shows() {
    let f = Fixture::new();
    let shown = f.ann_shown();
    let [low, _, high, tie] = f.ann_posts;
    let ann = || [f.db.get(f.ann).unwrap()];
    // A macro, not a closure: the tree's type names its spec, which differs with each closure.
    macro_rules! loaded {
        ($tree:expr) => {
            ($tree.get(0).unwrap().with().iter())
                .map(|node| node.id())
                .collect::<Vec<_>>()
        };
    }

    assert_eq!(loaded!(Tree::load(ann(), Eager::new(PostAuthor))), shown);
    assert_eq!(
        loaded!(Tree::load(ann(), PostAuthor)),
        shown,
        "a bare relation"
    );
    // The level's filter applies on top of the default one.
    let tree = Tree::load(ann(), Eager::new(PostAuthor).filter(|p| p.score != 1));
    assert_eq!(loaded!(tree), [high, tie]);
    // The level's order replaces the default order; ties keep creation order.
    let tree = Tree::load(ann(), Eager::new(PostAuthor).order_by(|p| p.score));
    assert_eq!(loaded!(tree), [low, high, tie]);
    let tree = Tree::load(ann(), Eager::new(PostAuthor).order_by_desc(|p| p.score));
    assert_eq!(loaded!(tree), [high, tie, low]);
    // Offset and limit count the shown rows, in the default order.
    let tree = Tree::load(ann(), Eager::new(PostAuthor).offset(1).limit(1));
    assert_eq!(loaded!(tree), [tie]);
    // Bob's only post is a draft: an empty level.
    assert!(
        (Tree::load([f.db.get(f.bob).unwrap()], PostAuthor).get(0))
            .unwrap()
            .with()
            .is_empty()
    );

    // The owned tree, through a query, shows the same.
    let owned = f.db.query::<User>().with_owned(Eager::new(PostAuthor));
    let scores: Vec<u32> = owned[0].with.iter().map(|post| post.score).collect();
    assert_eq!(scores, [5, 5, 1]);
    assert!(
        OwnedTree::load(f.db.query::<User>(), PostAuthor)[1]
            .with
            .is_empty()
    );

    // A level without defaults loads every child in creation order, and a filter-only one
    // keeps creation order.
    let mut db = Db::<App>::new();
    let ann = user(&mut db, "ann");
    let post = post(&mut db, ann, false, 0);
    let comments = [true, false, false].map(|hidden| {
        db.insert(Comment {
            post_id: post,
            hidden,
        })
        .unwrap()
    });
    let tree = Tree::load(
        [db.get(ann).unwrap()],
        Eager::new(PostAuthor).with(CommentPost),
    );
    let post = tree.get(0).unwrap().with().get(0).unwrap();
    let loaded: Vec<_> = post.with().iter().map(|node| node.id()).collect();
    assert_eq!(loaded, comments[1..]);
}

#[test]
fn eager_has_one_levels_hide_a_filtered_child_that_has_one_still_sees() {
    let mut db = Db::<App>::new();
    let [ann, bob] = ["ann", "bob"].map(|name| user(&mut db, name));
    let [active, inactive] = [(ann, true), (bob, false)]
        .map(|(user_id, active)| db.insert(Profile { user_id, active }).unwrap());

    let tree = Tree::load(db.table::<User>().iter(), Eager::new(ProfileUser));
    let loaded: Vec<_> = tree
        .iter()
        .map(|user| user.with().map(|p| p.id()))
        .collect();
    assert_eq!(loaded, [Some(active), None]);
    let bare = Tree::load(db.table::<User>().iter(), ProfileUser);
    assert!(bare.get(1).unwrap().with().is_none());
    let owned = OwnedTree::load(db.table::<User>().iter(), Eager::new(ProfileUser));
    assert!(owned[0].with.is_some() && owned[1].with.is_none());
    // The level's filter applies on top: nothing is shown that the default filter hides.
    let spec = Eager::new(ProfileUser).filter(|_| true);
    let tree = Tree::load([db.get(bob).unwrap()], spec);
    assert!(tree.get(0).unwrap().with().is_none());
    // Raw navigation sees the inactive profile; belongs-to levels read the key.
    assert_eq!(
        db.get(bob).unwrap().has_one(ProfileUser).map(|p| p.id()),
        Some(inactive)
    );
    let owners = Tree::load(db.table::<Profile>().iter(), BelongsTo::new(ProfileUser));
    assert_eq!(owners.get(1).unwrap().with().id(), bob);
}

#[test]
fn a_query_of_related_rows_and_children_agree() -> Result<(), NotFound> {
    let f = Fixture::new();
    let related = Query::from_source(&f.db, f.db.get(f.ann).unwrap().posts());
    let children = f.db.children(PostAuthor, f.ann)?;
    assert!(related.ids().eq(children.ids()));
    Ok(())
}
