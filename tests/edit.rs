//! `Db::edit`: in-place changes, with foreign keys still guarded.

mod common;

use std::panic::{self, AssertUnwindSafe};

use common::*;
use relstore::{NotFound, WriteError};

#[test]
fn an_edit_of_other_fields_changes_the_row_in_place() {
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    let hello = db.insert(post(ann, "hello")).unwrap();
    let len = db.edit(hello, |p| {
        p.title.push('!');
        p.title.len()
    });
    assert_eq!(len, Ok(6));
    assert_eq!(db.get(hello).unwrap().title, "hello!");
    check_indexes(&db);
}

#[test]
fn an_edit_that_moves_a_child_relinks_it_in_creation_order() {
    let mut db = db();
    let [ann, bob] = ["ann", "bob"].map(|n| db.insert(user(n)).unwrap());
    let first = db.insert(post(ann, "first")).unwrap();
    let second = db.insert(post(bob, "second")).unwrap();
    let third = db.insert(post(bob, "third")).unwrap();
    db.edit(first, |p| p.author_id = bob).unwrap();
    assert_eq!(child_ids(&db, PostAuthor, bob), [first, second, third]);
    assert!(child_ids(&db, PostAuthor, ann).is_empty());
    db.edit(second, |p| p.editor_id = Some(ann)).unwrap();
    assert_eq!(child_ids(&db, PostEditor, ann), [second]);
    db.edit(second, |p| p.editor_id = None).unwrap();
    assert!(child_ids(&db, PostEditor, ann).is_empty());
    check_indexes(&db);
}

#[test]
fn a_refused_key_is_put_back_and_the_other_fields_keep_the_edit() {
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    let gone = db.insert(user("gone")).unwrap();
    db.delete(gone).unwrap();
    let hello = db.insert(edited_post(ann, ann, "hello")).unwrap();
    let result = db.edit(hello, |p| {
        p.title = "changed".into();
        p.editor_id = None; // a valid change...
        p.author_id = gone; // ...and a refused one: both keys go back
    });
    assert!(matches!(result, Err(WriteError::MissingParent { .. })));
    let row = db.get(hello).unwrap();
    assert_eq!((row.author_id, row.editor_id), (ann, Some(ann)));
    assert_eq!(row.title, "changed");
    assert_eq!(child_ids(&db, PostEditor, ann), [hello]);
    check_indexes(&db);
}

#[test]
fn a_second_has_one_child_is_refused_in_place() {
    let mut db = db();
    let [ann, bob] = ["ann", "bob"].map(|n| db.insert(user(n)).unwrap());
    let _ann_profile = db.insert(profile(ann, "a")).unwrap();
    let bob_profile = db.insert(profile(bob, "b")).unwrap();
    let result = db.edit(bob_profile, |p| p.user_id = ann);
    assert!(matches!(result, Err(WriteError::HasOneTaken { .. })));
    assert_eq!(db.get(bob_profile).unwrap().user_id, bob);
    check_indexes(&db);
}

#[test]
fn a_panic_in_the_closure_puts_the_keys_back_and_goes_on() {
    let mut db = db();
    let [ann, bob] = ["ann", "bob"].map(|n| db.insert(user(n)).unwrap());
    let hello = db.insert(post(ann, "hello")).unwrap();
    let caught = panic::catch_unwind(AssertUnwindSafe(|| {
        db.edit(hello, |p| {
            p.author_id = bob;
            p.title = "half".into();
            panic!("in the closure");
        })
    }));
    assert!(caught.is_err());
    let row = db.get(hello).unwrap();
    assert_eq!((row.author_id, row.title.as_str()), (ann, "half"));
    assert_eq!(child_ids(&db, PostAuthor, ann), [hello]);
    check_indexes(&db);
}

#[test]
fn an_edit_of_a_stale_id_is_not_found() {
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    db.delete(ann).unwrap();
    assert_eq!(
        db.edit(ann, |u| u.name.clear()),
        Err(WriteError::NotFound(NotFound { id: ann.into() }))
    );
}
