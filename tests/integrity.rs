//! Writes check every foreign key first; a failed write, or a panicking update, changes
//! nothing.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::*;
use relstore::{AnyId, Error, Id, NotFound, RelationInfo, WriteError};

fn info<R: relstore::Relation>() -> &'static RelationInfo {
    RelationInfo::of::<R>()
}

/// A store with two users, alice's post with one comment, her profile, a category, and a
/// deleted user's stale id.
struct Populated {
    db: relstore::Db<App>,
    alice: Id<User>,
    hello: Id<Post>,
    gone: Id<User>,
}

fn populated() -> Result<Populated, Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let gone = db.insert(user("gone"))?;
    db.insert(user("bob"))?;
    let hello = db.insert(post(alice, "hello"))?;
    db.insert(comment(hello, alice, "first"))?;
    db.insert(profile(alice, "tea"))?;
    db.insert(category("root", None))?;
    db.delete(gone)?;
    Ok(Populated {
        db,
        alice,
        hello,
        gone,
    })
}

fn missing_parent<R: relstore::Relation>(_: R, parent: Id<R::Parent>) -> Option<WriteError> {
    Some(WriteError::MissingParent {
        relation: info::<R>(),
        parent: parent.into(),
    })
}

#[test]
fn insert_with_a_stale_parent_fails_and_changes_nothing() -> Result<(), Error> {
    let Populated {
        mut db,
        alice,
        hello,
        gone,
    } = populated()?;
    let before = snapshot(&db);

    let err = db.insert(post(gone, "orphan")).err();
    assert_eq!(err, missing_parent(PostAuthor, gone));
    let err = db.insert(edited_post(alice, gone, "orphan")).err();
    assert_eq!(err, missing_parent(PostEditor, gone));
    let err = db.insert(comment(hello, gone, "orphan")).err();
    assert_eq!(err, missing_parent(CommentAuthor, gone));
    let err = db.insert(profile(gone, "orphan")).err();
    assert_eq!(err, missing_parent(ProfileUser, gone));

    let never = Id::<Category>::from_bits(0x0000_0001_0000_0063);
    let err = db.insert(category("orphan", Some(never))).err();
    assert_eq!(err, missing_parent(CategoryParent, never));

    assert_eq!(snapshot(&db), before);
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_missing_parent_error_names_table_relation_and_key() -> Result<(), Error> {
    let Populated { mut db, gone, .. } = populated()?;
    let Err(WriteError::MissingParent { relation, parent }) = db.insert(post(gone, "orphan"))
    else {
        panic!("expected a missing parent")
    };
    assert_eq!(
        (relation.name, relation.child_table, relation.foreign_key),
        ("PostAuthor", "posts", "author_id")
    );
    assert_eq!(
        (parent.table(), parent.typed::<User>()),
        ("users", Some(gone))
    );
    Ok(())
}

#[test]
fn one_bad_key_fails_the_write_even_when_the_others_are_fine() -> Result<(), Error> {
    let Populated {
        mut db,
        alice,
        hello,
        gone,
    } = populated()?;
    let before = snapshot(&db);
    assert_eq!(
        db.insert(comment(hello, gone, "x")).err(),
        missing_parent(CommentAuthor, gone)
    );
    assert_eq!(
        db.update(hello, |p| (p.author_id, p.editor_id) = (alice, Some(gone)))
            .err(),
        missing_parent(PostEditor, gone)
    );
    assert_eq!(snapshot(&db), before);
    Ok(())
}

#[test]
fn update_or_replace_with_a_stale_parent_fails_and_changes_nothing() -> Result<(), Error> {
    let Populated {
        mut db,
        alice,
        hello,
        gone,
    } = populated()?;
    let before = snapshot(&db);

    let err = db
        .update(hello, |p| {
            p.title = "changed".into();
            p.author_id = gone;
        })
        .err();
    assert_eq!(err, missing_parent(PostAuthor, gone));
    let err = db.replace(hello, edited_post(alice, gone, "changed")).err();
    assert_eq!(err, missing_parent(PostEditor, gone));

    assert_eq!(snapshot(&db), before);
    assert_eq!(db.get(hello)?.title, "hello");
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_second_has_one_child_is_refused_on_insert() -> Result<(), Error> {
    let Populated { mut db, alice, .. } = populated()?;
    let existing = db.has_one(ProfileUser, alice)?.unwrap().id();
    let before = snapshot(&db);

    let err = db.insert(profile(alice, "coffee")).err();
    assert_eq!(
        err,
        Some(WriteError::HasOneTaken {
            relation: info::<ProfileUser>(),
            parent: alice.into(),
            existing: existing.into(),
            row: None,
        })
    );
    assert_eq!(snapshot(&db), before);
    Ok(())
}

#[test]
fn a_second_has_one_child_is_refused_on_update_and_replace() -> Result<(), Error> {
    let Populated { mut db, alice, .. } = populated()?;
    let bob = db.insert(user("bob2"))?;
    let alices = db.has_one(ProfileUser, alice)?.unwrap().id();
    let bobs = db.insert(profile(bob, "coffee"))?;
    let before = snapshot(&db);

    let taken = Some(WriteError::HasOneTaken {
        relation: info::<ProfileUser>(),
        parent: alice.into(),
        existing: alices.into(),
        row: Some(AnyId::from(bobs)),
    });
    assert_eq!(db.update(bobs, |p| p.user_id = alice).err(), taken);
    assert_eq!(db.replace(bobs, profile(alice, "coffee")).err(), taken);
    assert_eq!(snapshot(&db), before);

    // Once alice's profile is gone, bob's may move over.
    db.delete(alices)?;
    db.update(bobs, |p| p.user_id = alice)?;
    assert_eq!(db.has_one(ProfileUser, alice)?.map(|p| p.id()), Some(bobs));
    assert!(db.has_one(ProfileUser, bob)?.is_none());
    check_indexes(&db);
    Ok(())
}

#[test]
fn resaving_a_has_one_child_under_its_own_parent_is_fine() -> Result<(), Error> {
    let Populated { mut db, alice, .. } = populated()?;
    let bio = db.has_one(ProfileUser, alice)?.unwrap().id();
    db.update(bio, |p| p.bio = "green tea".into())?;
    let old = db.replace(bio, profile(alice, "black tea"))?;
    assert_eq!(old.bio, "green tea");
    assert_eq!(
        db.has_one(ProfileUser, alice)?.map(|p| p.bio.clone()),
        Some("black tea".into())
    );
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_panicking_update_leaves_the_row_unchanged() -> Result<(), Error> {
    let Populated {
        mut db,
        alice,
        hello,
        ..
    } = populated()?;
    let bob = db.insert(user("bob2"))?;
    let before = snapshot(&db);

    let outcome = catch_unwind(AssertUnwindSafe(|| {
        db.update(hello, |p| {
            p.title = "half done".into();
            p.author_id = bob;
            panic!("boom");
        })
    }));
    assert!(outcome.is_err(), "the panic reaches the caller");
    assert_eq!(snapshot(&db), before);
    assert_eq!(child_ids(&db, PostAuthor, alice), [hello]);

    // The store is still fully usable.
    db.update(hello, |p| p.title = "after".into())?;
    assert_eq!(db.get(hello)?.title, "after");
    check_indexes(&db);
    Ok(())
}

#[test]
fn update_returns_the_closures_value_and_replace_the_old_row() -> Result<(), Error> {
    let Populated {
        mut db,
        alice,
        hello,
        ..
    } = populated()?;
    let old_title = db.update(hello, |p| std::mem::replace(&mut p.title, "new".into()))?;
    assert_eq!(old_title, "hello");
    assert_eq!(db.get(hello)?.title, "new");

    let old = db.replace(hello, post(alice, "newer"))?;
    assert_eq!(old, post(alice, "new"));
    assert_eq!(*db.get(hello)?.value(), post(alice, "newer"));
    Ok(())
}

#[test]
fn updates_that_keep_the_key_keep_the_childs_place() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let posts: Vec<_> = (0..3)
        .map(|i| db.insert(post(alice, &format!("p{i}"))))
        .collect::<Result<_, _>>()?;

    db.update(posts[0], |p| p.title = "edited".into())?;
    db.update(posts[1], |p| p.editor_id = Some(bob))?; // another relation's key
    db.replace(posts[0], post(alice, "replaced"))?;
    db.update(posts[2], |p| p.author_id = alice)?; // rewritten with the same value
    assert_eq!(child_ids(&db, PostAuthor, alice), posts);
    check_indexes(&db);
    Ok(())
}

#[test]
fn writes_to_a_stale_row_are_not_found() -> Result<(), Error> {
    let Populated {
        mut db,
        alice,
        hello,
        ..
    } = populated()?;
    db.delete(hello)?;
    let before = snapshot(&db);
    let not_found = Some(WriteError::NotFound(NotFound { id: hello.into() }));
    assert_eq!(db.update(hello, |p| p.title.clear()).err(), not_found);
    assert_eq!(db.replace(hello, post(alice, "x")).err(), not_found);
    assert_eq!(snapshot(&db), before);
    Ok(())
}

#[test]
fn a_category_may_point_to_itself_and_still_be_deleted() -> Result<(), Error> {
    let mut db = db();
    let root = db.insert(category("root", None))?;
    db.update(root, |c| c.parent_id = Some(root))?;
    assert_eq!(child_ids(&db, CategoryParent, root), [root]);
    assert_eq!(
        db.belongs_to(CategoryParent, root)?.map(|c| c.id()),
        Some(root)
    );
    check_indexes(&db);
    db.delete(root)?;
    assert!(db.table::<Category>().is_empty());
    check_indexes(&db);
    Ok(())
}
