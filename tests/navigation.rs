//! Navigation answers the same way from `Db`, `RelationRef` and `Row`: a stale id is
//! `NotFound`, never an empty answer that a childless parent or a null key also gives, and a
//! required key's parent comes without an `Option`.

mod common;

use common::*;
use relstore::{AnyId, NotFound};

fn not_found<T>(id: AnyId) -> Result<T, NotFound> {
    Err(NotFound { id })
}

#[test]
fn a_stale_id_is_not_found_from_the_store_and_from_a_handle() {
    let mut db = db();
    let [ann, gone] = ["ann", "gone"].map(|n| db.insert(user(n)).unwrap());
    let hello = db.insert(post(ann, "hello")).unwrap();
    let old = db.insert(post(gone, "old")).unwrap();
    db.delete(gone).unwrap(); // cascades to `old`

    assert_eq!(
        db.has_many(PostAuthor, gone).map(|c| c.len()),
        not_found(gone.into())
    );
    assert_eq!(
        db.has_one(ProfileUser, gone).map(|p| p.is_some()),
        not_found(gone.into())
    );
    assert_eq!(
        db.belongs_to(PostEditor, old).map(|e| e.is_some()),
        not_found(old.into())
    );
    assert_eq!(
        db.belongs_to(PostAuthor, old).map(|a| a.id()),
        not_found(old.into())
    );

    let authored = db.relation(PostAuthor);
    assert_eq!(
        authored.has_many(gone).map(|c| c.len()),
        not_found(gone.into())
    );
    assert_eq!(
        authored.belongs_to(old).map(|a| a.id()),
        not_found(old.into())
    );
    assert_eq!(authored.count(gone), not_found(gone.into()));
    let edited = db.relation(PostEditor);
    assert_eq!(
        edited.belongs_to(old).map(|e| e.is_some()),
        not_found(old.into())
    );

    // A live parent without children, and a null key: empty answers, not errors.
    assert_eq!(authored.count(ann), Ok(1));
    assert_eq!(db.has_many(PostEditor, ann).map(|c| c.len()), Ok(0));
    assert_eq!(db.has_one(ProfileUser, ann).map(|p| p.is_none()), Ok(true));
    assert_eq!(edited.belongs_to(hello).map(|e| e.is_none()), Ok(true));
}

#[test]
fn a_required_key_gives_its_parent_and_an_optional_one_an_option() {
    let mut db = db();
    let [ann, bob] = ["ann", "bob"].map(|n| db.insert(user(n)).unwrap());
    let hello = db.insert(edited_post(ann, bob, "hello")).unwrap();
    let row = db.get(hello).unwrap();
    // The same answers from the row, the store and the handle.
    assert_eq!(row.belongs_to(PostAuthor).id(), ann);
    assert_eq!(db.belongs_to(PostAuthor, hello).unwrap().id(), ann);
    assert_eq!(db.relation(PostAuthor).belongs_to(hello).unwrap().id(), ann);
    assert_eq!(row.belongs_to(PostEditor).map(|u| u.id()), Some(bob));
    let editor = db.relation(PostEditor).parent_of(row.value());
    assert_eq!(editor.map(|u| u.map(|u| u.id())), Ok(Some(bob)));
}

#[test]
fn a_copy_of_a_row_whose_parent_is_gone_gives_not_found_not_a_panic() {
    let mut db = db();
    let [ann, bob] = ["ann", "bob"].map(|n| db.insert(user(n)).unwrap());
    let hello = db.insert(edited_post(ann, bob, "hello")).unwrap();
    let copy = db.get(hello).unwrap().value().clone();
    db.delete(bob).unwrap(); // sets the stored post's editor to null, not the copy's
    let editor = db
        .relation(PostEditor)
        .parent_of(&copy)
        .map(|e| e.is_some());
    assert_eq!(editor, Err(NotFound { id: bob.into() }));
    let forged = post(relstore::Id::from_bits(0x7777_0000_0000_0042), "forged");
    let author = db.relation(PostAuthor).parent_of(&forged).map(|a| a.id());
    assert!(author.is_err());
    assert_eq!(
        db.relation(PostAuthor).parent_of(&copy).map(|a| a.id()),
        Ok(ann)
    );
}

#[test]
fn a_childless_parent_in_a_reused_slot_is_live_and_its_old_id_is_not() {
    let mut db = db();
    let old = db.insert(user("old")).unwrap();
    db.delete(old).unwrap();
    let new = db.insert(user("new")).unwrap(); // the same slot
    assert_eq!(db.relation(PostAuthor).count(new), Ok(0));
    assert_eq!(
        db.relation(PostAuthor).count(old),
        Err(NotFound { id: old.into() })
    );
}
