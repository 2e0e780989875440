//! Deletes apply each relation's policy (restrict, cascade, set null) to any depth, all or
//! nothing, and `delete_plan` previews exactly what a delete does.

mod common;

use std::collections::HashSet;

use common::*;
use relstore::{
    AnyId, Db, DeleteError, Error, HasMany, HasOne, HasRelation, HasTable, Id, Model, NotFound,
    Relation, RelationInfo,
};

fn info<R: relstore::Relation>() -> &'static RelationInfo {
    RelationInfo::of::<R>()
}

/// Alice writes two posts; bob comments on one of them; alice has a profile.
struct Blog {
    db: Db<App>,
    alice: Id<User>,
    bob: Id<User>,
    first: Id<Post>,
    second: Id<Post>,
    bobs_comment: Id<Comment>,
}

fn blog() -> Result<Blog, Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let first = db.insert(post(alice, "first"))?;
    let second = db.insert(post(alice, "second"))?;
    let bobs_comment = db.insert(comment(first, bob, "nice"))?;
    db.insert(profile(alice, "tea"))?;
    Ok(Blog {
        db,
        alice,
        bob,
        first,
        second,
        bobs_comment,
    })
}

#[test]
fn restrict_blocks_the_delete_and_deletes_nothing() -> Result<(), Error> {
    let Blog {
        mut db,
        bob,
        bobs_comment,
        ..
    } = blog()?;
    let before = snapshot(&db);
    let err = db.delete(bob).err();
    assert_eq!(
        err,
        Some(DeleteError::Restricted {
            relation: info::<CommentAuthor>(),
            parent: bob.into(),
            child: bobs_comment.into(),
        })
    );
    assert_eq!(db.delete_plan(bob).err(), err);
    assert_eq!(snapshot(&db), before);
    check_indexes(&db);

    // Without the comment, bob goes, and the row comes back.
    db.delete(bobs_comment)?;
    assert_eq!(db.delete(bob)?.name, "bob");
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_blocked_delete_leaves_no_trace_in_the_next_one() -> Result<(), Error> {
    let Blog {
        mut db,
        alice,
        bob,
        first,
        second,
        bobs_comment,
    } = blog()?;
    let bobs_post = db.insert(post(bob, "bob's"))?;
    let alices_comment = db.insert(comment(bobs_post, alice, "hi"))?;
    // The cascade from alice takes in her posts, bob's comment on one and her profile, then
    // her comment on bob's post (which stays) blocks it.
    let blocked = db.delete(alice).err();
    assert!(matches!(blocked, Some(DeleteError::Restricted { .. })));

    // The same rows are planned again, from scratch, by the next delete.
    db.delete(alices_comment)?;
    db.delete(alice)?;
    assert!(![first, second].iter().any(|&p| db.contains(p)));
    assert!(!db.contains(bobs_comment));
    assert!(db.contains(bobs_post));
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_plan_tells_apart_rows_of_two_tables_in_the_same_slot() -> Result<(), Error> {
    // 70 users each with one post, inserted in step: user i and post i sit in the same slot
    // of their tables, the last ones past the first 64 slots.
    let mut db = db();
    let mut pairs = Vec::new();
    for i in 0..70 {
        let author = db.insert(user(&format!("u{i}")))?;
        pairs.push((author, db.insert(post(author, &format!("p{i}")))?));
    }
    let (author, own) = pairs[69];
    assert_eq!(author.to_bits() & 0xffff_ffff, own.to_bits() & 0xffff_ffff);
    // Her post joins the plan after her, in the same slot of another table.
    db.delete(author)?;
    assert!(!db.contains(own));
    assert_eq!(db.table::<Post>().len(), 69);
    check_indexes(&db);
    Ok(())
}

#[test]
fn cascade_reaches_posts_comments_and_the_profile() -> Result<(), Error> {
    let Blog {
        mut db,
        alice,
        bob,
        first,
        second,
        bobs_comment,
    } = blog()?;
    let bobs_post = db.insert(post(bob, "bob's"))?;
    let kept_comment = db.insert(comment(bobs_post, bob, "mine"))?;

    let removed = db.delete(alice)?;
    assert_eq!(removed.name, "alice");
    for gone in [first, second] {
        assert!(!db.contains(gone));
    }
    assert!(
        !db.contains(bobs_comment),
        "a comment on alice's post goes with it"
    );
    assert!(db.table::<Profile>().is_empty());
    assert!(db.contains(bob) && db.contains(bobs_post) && db.contains(kept_comment));
    assert_eq!(child_ids(&db, CommentAuthor, bob), [kept_comment]);
    assert_eq!(db.table::<Post>().len(), 1);
    assert_eq!(db.table::<Comment>().len(), 1);
    check_indexes(&db);
    Ok(())
}

#[test]
fn cascade_deletes_a_whole_subtree_and_nothing_else() -> Result<(), Error> {
    let mut db = db();
    let root = db.insert(category("root", None))?;
    let a = db.insert(category("a", Some(root)))?;
    let b = db.insert(category("b", Some(root)))?;
    let a1 = db.insert(category("a1", Some(a)))?;
    let a2 = db.insert(category("a2", Some(a)))?;
    let a11 = db.insert(category("a11", Some(a1)))?;
    let b1 = db.insert(category("b1", Some(b)))?;

    db.delete(a)?;
    for gone in [a, a1, a2, a11] {
        assert!(!db.contains(gone));
    }
    assert_eq!(child_ids(&db, CategoryParent, root), [b]);
    assert_eq!(child_ids(&db, CategoryParent, b), [b1]);
    check_indexes(&db);

    db.delete(root)?;
    assert!(db.table::<Category>().is_empty());
    check_indexes(&db);
    Ok(())
}

#[test]
fn set_null_clears_the_key_and_the_rows_leave_the_index() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let edited = db.insert(edited_post(bob, alice, "edited by alice"))?;
    let also = db.insert(edited_post(bob, alice, "also"))?;
    let untouched = db.insert(edited_post(bob, bob, "bob's own"))?;

    db.delete(alice)?;
    assert_eq!(db.get(edited)?.editor_id, None);
    assert_eq!(db.get(also)?.editor_id, None);
    assert!(db.belongs_to(PostEditor, also)?.is_none());
    assert_eq!(db.get(untouched)?.editor_id, Some(bob));
    assert_eq!(child_ids(&db, PostAuthor, bob), [edited, also, untouched]);
    assert_eq!(child_ids(&db, PostEditor, bob), [untouched]);
    check_indexes(&db);

    // A user in alice's old slot inherits none of her edits.
    let carol = db.insert(user("carol"))?;
    assert_eq!(carol.to_bits() & 0xffff_ffff, alice.to_bits() & 0xffff_ffff);
    assert!(child_ids(&db, PostEditor, carol).is_empty());
    Ok(())
}

#[test]
fn a_row_both_cascaded_and_set_null_is_deleted_not_nullified() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let own = db.insert(edited_post(alice, alice, "own"))?;
    let plan = db.delete_plan(alice)?;
    assert!(plan.nullified().is_empty());
    assert!(plan.deleted().contains(&AnyId::from(own)));
    db.delete(alice)?;
    assert!(!db.contains(own));
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_restrict_deep_in_a_cascade_blocks_everything() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let root = db.insert(category("root", None))?;
    let mid = db.insert(category("mid", Some(root)))?;
    let leaf = db.insert(category("leaf", Some(mid)))?;
    db.insert(category("sibling", Some(root)))?;
    let pin = db.insert(Pin { category_id: leaf })?;
    db.insert(post(alice, "unrelated"))?;
    let before = snapshot(&db);

    let err = db.delete(root).err();
    assert_eq!(
        err,
        Some(DeleteError::Restricted {
            relation: info::<PinCategory>(),
            parent: leaf.into(),
            child: pin.into(),
        })
    );
    assert_eq!(snapshot(&db), before);
    check_indexes(&db);

    // Unpinned, the same delete goes through.
    db.delete(pin)?;
    db.delete(root)?;
    assert!(db.table::<Category>().is_empty());
    check_indexes(&db);
    Ok(())
}

relstore::schema! {
    /// The schema with its tables and relations declared in reverse order: the outcome of a
    /// delete must not depend on the order in which tables and relations are walked.
    struct Reversed {
        pins: Pin,
        categories: Category,
        profiles: Profile,
        comments: Comment,
        posts: Post,
        users: User,
    }
    relations {
        PinCategory,
        CategoryParent,
        ProfileUser,
        CommentAuthor,
        CommentPost,
        PostEditor,
        PostAuthor,
    }
}

/// The schemas with every table and relation of [`App`]: the tests below run on both orders.
trait Full:
    HasRelation<PostAuthor>
    + HasRelation<PostEditor>
    + HasRelation<CommentPost>
    + HasRelation<CommentAuthor>
    + HasRelation<ProfileUser>
    + HasRelation<CategoryParent>
    + HasRelation<PinCategory>
{
}
impl<S> Full for S where
    S: HasRelation<PostAuthor>
        + HasRelation<PostEditor>
        + HasRelation<CommentPost>
        + HasRelation<CommentAuthor>
        + HasRelation<ProfileUser>
        + HasRelation<CategoryParent>
        + HasRelation<PinCategory>
{
}

/// What a reader can observe of a store of either schema: every row, and each relation's
/// answers both ways (`common::snapshot` takes a `Db<App>` only).
fn state<S: Full>(db: &Db<S>) -> Vec<String> {
    fn rows<T: Model + std::fmt::Debug, S: HasTable<T>>(db: &Db<S>, out: &mut Vec<String>) {
        for row in db.table::<T>() {
            out.push(format!("{:?} {:?}", row.id(), row.value()));
        }
    }
    fn belongs<R: Relation, S: HasRelation<R>>(db: &Db<S>, relation: R, out: &mut Vec<String>) {
        let relation = db.relation(relation);
        for child in db.table::<R::Child>() {
            // Generic over the key's type: `belongs_to` gives a `Row` or an `Option<Row>`.
            let parent = relation.belongs_to(child.id()).expect("a live child");
            let parent = <R::Key as relstore::ForeignKey<_>>::into_option(parent).map(|p| p.id());
            out.push(format!("{} {:?} -> {parent:?}", R::NAME, child.id()));
        }
    }
    fn many<R, S>(db: &Db<S>, relation: R, out: &mut Vec<String>)
    where
        R: Relation<Kind = HasMany>,
        S: HasRelation<R>,
    {
        belongs(db, relation, out);
        let relation = db.relation(relation);
        for parent in db.table::<R::Parent>() {
            let children = relation.has_many(parent.id()).expect("a live parent");
            let (len, ids) = (children.len(), children.ids().collect::<Vec<_>>());
            out.push(format!("{} {:?} <- {len} {ids:?}", R::NAME, parent.id()));
        }
    }
    fn one<R, S>(db: &Db<S>, relation: R, out: &mut Vec<String>)
    where
        R: Relation<Kind = HasOne>,
        S: HasRelation<R>,
    {
        belongs(db, relation, out);
        let relation = db.relation(relation);
        for parent in db.table::<R::Parent>() {
            let child = (relation.has_one(parent.id()).expect("a live parent")).map(|c| c.id());
            out.push(format!("{} {:?} <- {child:?}", R::NAME, parent.id()));
        }
    }
    let mut out = Vec::new();
    rows::<User, S>(db, &mut out);
    rows::<Post, S>(db, &mut out);
    rows::<Comment, S>(db, &mut out);
    rows::<Profile, S>(db, &mut out);
    rows::<Category, S>(db, &mut out);
    rows::<Pin, S>(db, &mut out);
    many(db, PostAuthor, &mut out);
    many(db, PostEditor, &mut out);
    many(db, CommentPost, &mut out);
    many(db, CommentAuthor, &mut out);
    one(db, ProfileUser, &mut out);
    many(db, CategoryParent, &mut out);
    many(db, PinCategory, &mut out);
    out
}

#[test]
fn a_restricted_child_removed_by_the_same_delete_through_a_cascade_does_not_block()
-> Result<(), Error> {
    fn check<S: Full>(mut db: Db<S>) -> Result<(), Error> {
        let alice = db.insert(user("alice"))?;
        let bob = db.insert(user("bob"))?;
        let own = db.insert(post(alice, "own"))?;
        // Alice's comment restricts deleting alice, but it goes with her post.
        let reply = db.insert(comment(own, alice, "reply to myself"))?;
        let bobs = db.insert(comment(own, bob, "hi"))?;

        let plan = db.delete_plan(alice)?;
        assert!(plan.deleted().contains(&AnyId::from(reply)));
        db.delete(alice)?;
        assert!(!db.contains(reply) && !db.contains(bobs) && !db.contains(own));
        assert_eq!(db.has_many(CommentAuthor, bob)?.len(), 0);
        assert_eq!(db.__check_indexes(), Ok(()));
        Ok(())
    }
    check(db())?;
    check(Db::<Reversed>::new())
}

#[test]
fn a_restricted_child_outside_the_cascade_still_blocks() -> Result<(), Error> {
    fn check<S: Full, Seen: PartialEq + std::fmt::Debug>(
        mut db: Db<S>,
        snapshot: fn(&Db<S>) -> Seen,
    ) -> Result<(), Error> {
        let alice = db.insert(user("alice"))?;
        let bob = db.insert(user("bob"))?;
        let own = db.insert(post(alice, "own"))?;
        db.insert(comment(own, alice, "reply to myself"))?;
        let bobs_post = db.insert(post(bob, "bob's"))?;
        let elsewhere = db.insert(comment(bobs_post, alice, "on bob's post"))?;
        let before = snapshot(&db);

        let Err(DeleteError::Restricted {
            relation, child, ..
        }) = db.delete(alice)
        else {
            panic!("alice's comment on bob's post blocks the delete")
        };
        assert_eq!(
            (relation, child),
            (info::<CommentAuthor>(), AnyId::from(elsewhere))
        );
        assert_eq!(snapshot(&db), before);
        Ok(())
    }
    check(db(), snapshot)?;
    check(Db::<Reversed>::new(), state)
}

#[test]
fn delete_plan_previews_the_delete_without_changing_anything() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let p1 = db.insert(post(alice, "p1"))?;
    let p2 = db.insert(post(alice, "p2"))?;
    let c1 = db.insert(comment(p1, bob, "c1"))?;
    let c2 = db.insert(comment(p2, bob, "c2"))?;
    let bio = db.insert(profile(alice, "tea"))?;
    let edited = db.insert(edited_post(bob, alice, "edited"))?;
    let before = snapshot(&db);

    let plan = db.delete_plan(alice)?;
    assert_eq!(snapshot(&db), before, "a plan changes nothing");
    assert_eq!(plan, db.delete_plan(alice)?);

    let deleted = plan.deleted();
    assert_eq!(
        deleted[0],
        AnyId::from(alice),
        "the requested row comes first"
    );
    let expected: HashSet<AnyId> = [
        alice.into(),
        p1.into(),
        p2.into(),
        c1.into(),
        c2.into(),
        bio.into(),
    ]
    .into();
    assert_eq!(deleted.iter().copied().collect::<HashSet<_>>(), expected);
    assert_eq!(deleted.len(), expected.len(), "no row twice");
    assert_eq!(
        plan.nullified(),
        [(AnyId::from(edited), info::<PostEditor>())]
    );

    // The delete does exactly that.
    db.delete(alice)?;
    for &id in deleted {
        let gone = match id.table() {
            "users" => !db.contains(id.typed::<User>().unwrap()),
            "posts" => !db.contains(id.typed::<Post>().unwrap()),
            "comments" => !db.contains(id.typed::<Comment>().unwrap()),
            "profiles" => !db.contains(id.typed::<Profile>().unwrap()),
            other => panic!("unexpected table {other}"),
        };
        assert!(gone, "{id} was planned for deletion");
    }
    assert_eq!(db.get(edited)?.editor_id, None);
    assert_eq!(db.table::<User>().len(), 1);
    assert_eq!(db.table::<Post>().len(), 1);
    assert!(db.table::<Comment>().is_empty() && db.table::<Profile>().is_empty());
    check_indexes(&db);
    Ok(())
}

#[test]
fn delete_plan_lists_a_tree_breadth_first() -> Result<(), Error> {
    let mut db = db();
    let root = db.insert(category("root", None))?;
    let a = db.insert(category("a", Some(root)))?;
    let b = db.insert(category("b", Some(root)))?;
    let b1 = db.insert(category("b1", Some(b)))?;
    let a1 = db.insert(category("a1", Some(a)))?;
    let a11 = db.insert(category("a11", Some(a1)))?;
    let plan = db.delete_plan(root)?;
    let expected: Vec<AnyId> = [root, a, b, a1, b1, a11].map(AnyId::from).into();
    assert_eq!(plan.deleted(), expected);
    assert!(plan.nullified().is_empty());
    Ok(())
}

#[test]
fn deleting_a_stale_id_is_not_found() -> Result<(), Error> {
    let Blog { mut db, second, .. } = blog()?;
    db.delete(second)?;
    let before = snapshot(&db);
    let not_found = Some(DeleteError::NotFound(NotFound { id: second.into() }));
    assert_eq!(db.delete(second).err(), not_found);
    assert_eq!(db.delete_plan(second).err(), not_found);
    assert_eq!(snapshot(&db), before);
    Ok(())
}

#[test]
fn a_cycle_made_by_updates_cascade_deletes_cleanly() -> Result<(), Error> {
    let mut db = db();
    let a = db.insert(category("a", None))?;
    let b = db.insert(category("b", Some(a)))?;
    let outside = db.insert(category("outside", None))?;
    let hanging = db.insert(category("hanging", Some(b)))?;
    db.update(a, |c| c.parent_id = Some(b))?;
    assert_eq!(child_ids(&db, CategoryParent, b), [a, hanging]);
    assert_eq!(child_ids(&db, CategoryParent, a), [b]);
    check_indexes(&db);

    let plan = db.delete_plan(b)?;
    assert_eq!(plan.deleted(), [b, a, hanging].map(AnyId::from));
    db.delete(b)?;
    assert_eq!(db.table::<Category>().len(), 1);
    assert!(db.contains(outside));
    check_indexes(&db);
    Ok(())
}

#[test]
fn large_cascades_visit_each_row_once() -> Result<(), Error> {
    // A 100-long cycle: the cascade comes back to the first row after many rows.
    let mut db = db();
    let first = db.insert(category("c0", None))?;
    let mut last = first;
    for i in 1..100 {
        last = db.insert(category(&format!("c{i}"), Some(last)))?;
    }
    db.update(first, |c| c.parent_id = Some(last))?;
    let plan = db.delete_plan(first)?;
    assert_eq!(plan.deleted().len(), 100);
    db.delete(first)?;
    assert!(db.table::<Category>().is_empty());

    // 40 posts each with alice's own comment: the restricted comments all go with the posts;
    // 40 posts by bob she edited are set to null.
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    for i in 0..40 {
        let own = db.insert(post(alice, &format!("own {i}")))?;
        db.insert(comment(own, alice, "me"))?;
        db.insert(edited_post(bob, alice, &format!("edited {i}")))?;
    }
    let plan = db.delete_plan(alice)?;
    assert_eq!((plan.deleted().len(), plan.nullified().len()), (81, 40));
    db.delete(alice)?;
    assert!(db.table::<Comment>().is_empty());
    assert_eq!(db.table::<Post>().len(), 40);
    assert_eq!(db.has_many(PostEditor, bob)?.len(), 0);
    assert!(db.table::<Post>().iter().all(|p| p.editor_id.is_none()));
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_chain_of_a_million_categories_cascade_deletes_from_its_root() -> Result<(), Error> {
    const LEN: usize = 1_000_000;
    let mut db = db();
    let root = db.insert(category("root", None))?;
    let mut tip = root;
    for _ in 1..LEN {
        tip = db.insert(category("", Some(tip)))?;
    }
    assert_eq!(db.table::<Category>().len(), LEN);
    let removed = db.delete(root)?;
    assert_eq!(removed.name, "root");
    assert!(db.table::<Category>().is_empty());
    assert!(!db.contains(tip));
    check_indexes(&db);
    Ok(())
}

mod drop_panics {
    //! A row type whose `Drop` panics, to show that a cascade drops rows only once the store is
    //! consistent again.
    use relstore::{Db, Error, HasRelation, Id, Model};
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "owners")]
    pub struct Owner {
        pub name: String,
    }

    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "bombs")]
    pub struct Bomb {
        pub owner: Id<Owner>,
        pub holder: Id<Owner>,
        pub armed: bool,
    }
    impl Drop for Bomb {
        fn drop(&mut self) {
            if self.armed && !std::thread::panicking() {
                panic!("boom");
            }
        }
    }

    relstore::belongs_to!(pub BombOwner: Bomb.owner -> Owner, has_many, on_delete = Cascade);
    relstore::belongs_to!(pub BombHolder: Bomb.holder -> Owner, has_many, on_delete = Cascade);

    static TRACKED_DROPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// Counts its drops.
    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "tracked")]
    pub struct Tracked {
        pub owner: Id<Owner>,
    }
    impl Drop for Tracked {
        fn drop(&mut self) {
            TRACKED_DROPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    relstore::belongs_to!(pub TrackedOwner: Tracked.owner -> Owner, has_many, on_delete = Cascade);

    /// Deletes an owner of one armed bomb and 10 tracked rows; all 10 must be dropped.
    fn every_other_cascaded_row_is_dropped<S>() -> Result<(), Error>
    where
        S: HasRelation<BombOwner> + HasRelation<BombHolder> + HasRelation<TrackedOwner>,
    {
        let mut db = Db::<S>::new();
        let ann = db.insert(Owner { name: "ann".into() })?;
        db.insert(Bomb {
            owner: ann,
            holder: ann,
            armed: true,
        })?;
        for _ in 0..10 {
            db.insert(Tracked { owner: ann })?;
        }
        let before = TRACKED_DROPS.load(std::sync::atomic::Ordering::SeqCst);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| db.delete(ann)));
        assert!(outcome.is_err(), "the bomb's drop panicked");
        let dropped = TRACKED_DROPS.load(std::sync::atomic::Ordering::SeqCst) - before;
        assert_eq!(
            dropped, 10,
            "every other cascaded row was dropped all the same"
        );
        assert!(db.table::<Tracked>().is_empty() && db.table::<Bomb>().is_empty());
        assert_eq!(db.__check_indexes(), Ok(()));
        Ok(())
    }

    #[test]
    fn a_panicking_drop_does_not_keep_other_rows_alive() -> Result<(), Error> {
        // Rows leave in plan order, which follows the order of the relations: the tracked
        // rows come before the bomb in one schema and after it in the other.
        relstore::schema! {
            struct TrackedFirst { owners: Owner, bombs: Bomb, tracked: Tracked }
            relations { TrackedOwner, BombOwner, BombHolder }
        }
        relstore::schema! {
            struct TrackedLast { owners: Owner, bombs: Bomb, tracked: Tracked }
            relations { BombOwner, BombHolder, TrackedOwner }
        }
        every_other_cascaded_row_is_dropped::<TrackedFirst>()?;
        every_other_cascaded_row_is_dropped::<TrackedLast>()
    }

    #[test]
    fn a_row_whose_drop_panics_during_a_cascade_leaves_the_store_consistent() -> Result<(), Error> {
        relstore::schema! {
            struct Bombs {
                owners: Owner,
                bombs: Bomb,
            }
            relations { BombOwner, BombHolder }
        }
        let mut db = Db::<Bombs>::new();
        let ann = db.insert(Owner { name: "ann".into() })?;
        let bob = db.insert(Owner { name: "bob".into() })?;
        let bomb = |armed| Bomb {
            owner: ann,
            holder: bob,
            armed,
        };
        let safe = db.insert(bomb(false))?;
        let armed = db.insert(bomb(true))?;
        let also_safe = db.insert(bomb(false))?;

        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| db.delete(ann)));
        assert!(outcome.is_err(), "the armed row's drop panicked");

        // The delete had finished its work before any row was dropped.
        assert_eq!(db.__check_indexes(), Ok(()));
        assert!(!db.contains(ann));
        for id in [safe, armed, also_safe] {
            assert!(!db.contains(id));
        }
        assert_eq!(db.has_many(BombHolder, bob)?.len(), 0);
        // And the store keeps working.
        let next = db.insert(Bomb {
            owner: bob,
            holder: bob,
            armed: false,
        })?;
        assert_eq!(
            db.has_many(BombHolder, bob)?.ids().collect::<Vec<_>>(),
            [next]
        );
        db.delete(bob)?;
        assert!(!db.contains(next));
        Ok(())
    }
}

#[test]
fn a_cascade_removing_many_children_of_one_surviving_parent_keeps_the_others_in_order()
-> Result<(), Error> {
    // Every comment of the post goes; bob's other comments, interleaved with them, stay.
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let doomed = db.insert(post(alice, "doomed"))?;
    let kept = db.insert(post(alice, "kept"))?;
    let mut survivors = Vec::new();
    for i in 0..20_000 {
        db.insert(comment(doomed, bob, &format!("gone {i}")))?;
        if i % 1000 == 0 {
            survivors.push(db.insert(comment(kept, bob, &format!("kept {i}")))?);
        }
    }
    db.delete(doomed)?;
    let left: Vec<_> = db.has_many(CommentAuthor, bob)?.ids().collect();
    assert_eq!(left, survivors);
    check_indexes(&db);
    Ok(())
}
