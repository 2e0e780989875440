//! Schemas declared with `relstore::schema!`: what a valid schema does at run time.
//!
//! The rules a schema must follow (every relation's tables listed, every key field guarded by a
//! relation or declared unchecked, no table or relation twice, no two tables or relations with
//! the same name, no set-null on a required key) and the use of a table or relation outside
//! the schema are compile errors; `tests/ui/` pins each one's message.

mod common;

use common::*;
use relstore::{Db, Error, Id, Model, OnDelete, RelationInfo};
use serde::{Deserialize, Serialize};

fn info<R: relstore::Relation>() -> &'static RelationInfo {
    RelationInfo::of::<R>()
}

relstore::schema! {
    /// The child table before its parent, and field names unlike the tables' names.
    struct ChildFirst {
        articles: Post,
        people: User,
    }
    relations { PostAuthor, PostEditor }
}

#[test]
fn tables_may_be_listed_in_any_order() -> Result<(), Error> {
    let mut db = Db::<ChildFirst>::new();
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?;
    assert_eq!(
        db.has_many(PostAuthor, alice)?.ids().collect::<Vec<_>>(),
        [hello]
    );
    assert_eq!(db.belongs_to(PostAuthor, hello)?.id(), alice);
    // Tables are listed by their `Model::TABLE` name, in declaration order.
    assert_eq!(format!("{db:?}"), r#"{"posts": 1, "users": 1}"#);
    db.delete(alice)?; // cascades
    assert!(!db.contains(hello));
    Ok(())
}

relstore::schema! {
    struct Editors {
        users: User,
        posts: Post,
    }
    relations { PostEditor, PostAuthor }
}

#[test]
fn set_null_on_an_optional_key_builds() -> Result<(), Error> {
    assert!(info::<PostEditor>().optional);
    assert!(!info::<PostAuthor>().optional);
    let mut db = Db::<Editors>::new();
    assert_eq!(
        db.relation_infos().collect::<Vec<_>>(),
        [info::<PostEditor>(), info::<PostAuthor>()]
    );
    assert_eq!(info::<PostEditor>().on_delete, OnDelete::SetNull);
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let hello = db.insert(edited_post(alice, bob, "hello"))?;
    db.delete(bob)?;
    assert_eq!(db.get(hello)?.editor_id, None);
    Ok(())
}

/// Ids no relation guards: one declared unchecked, and ids deeper inside a field.
#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "bookmarks")]
struct Bookmark {
    #[relstore(unchecked)]
    post: Id<Post>,
    history: Vec<Id<Post>>,
}

relstore::schema! {
    struct Bookmarks {
        users: User,
        posts: Post,
        bookmarks: Bookmark,
    }
    relations { PostAuthor, PostEditor }
}

#[test]
fn unchecked_ids_are_plain_values_to_the_store() -> Result<(), Error> {
    assert_eq!(
        Bookmark::KEYS,
        [relstore::KeyField::unchecked("post")],
        "an id inside a Vec is not a key"
    );
    let mut db = Db::<Bookmarks>::new();
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?;
    let mark = db.insert(Bookmark {
        post: hello,
        history: vec![hello],
    })?;
    db.delete(hello)?; // nothing restricts, cascades or sets null
    let row = db.get(mark)?;
    assert_eq!((row.post, row.history.as_slice()), (hello, &[hello][..]));
    assert!(
        db.get(row.post).is_err(),
        "the id is stale, as any id of a deleted row"
    );
    db.edit(mark, |m| m.post = alice_post_id_that_never_existed())?; // not checked either
    db.check_integrity()?;
    Ok(())
}

fn alice_post_id_that_never_existed() -> Id<Post> {
    Id::from_bits(0xffff_0000_0000_ffff)
}

relstore::schema! {
    struct UsersOnly {
        users: User,
    }
    relations {}
}

#[test]
fn a_store_without_relations_is_a_plain_table_store() -> Result<(), Error> {
    let mut db = Db::<UsersOnly>::new();
    assert_eq!(db.relation_infos().len(), 0);
    let alice = db.insert(user("alice"))?;
    assert_eq!(format!("{db:?}"), r#"{"users": 1}"#);
    db.delete(alice)?;
    assert!(db.table::<User>().is_empty());
    Ok(())
}

#[test]
fn a_store_is_default_and_debugs_every_table_in_declaration_order() -> Result<(), Error> {
    let mut db: Db<App> = Db::default();
    assert_eq!(
        format!("{db:?}"),
        r#"{"users": 0, "posts": 0, "comments": 0, "profiles": 0, "categories": 0, "pins": 0}"#
    );
    let alice = db.insert(user("alice"))?;
    db.insert(post(alice, "one"))?;
    db.insert(post(alice, "two"))?;
    assert_eq!(
        format!("{db:?}"),
        r#"{"users": 1, "posts": 2, "comments": 0, "profiles": 0, "categories": 0, "pins": 0}"#
    );
    Ok(())
}
