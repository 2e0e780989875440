//! Schemas declared with `relstore::schema!`: what a valid schema does at run time.
//!
//! The rules a schema must follow (every relation's tables listed, no table or relation twice,
//! no two tables or relations with the same name, no set-null on a required key) and the use of
//! a table or relation outside the schema are compile errors now; the `compile_fail` examples
//! under "Compile-time checks" in the `schema!` docs cover them.

mod common;

use common::*;
use relstore::{Db, Error, OnDelete, RelationInfo};

fn info<R: relstore::Relation>() -> &'static RelationInfo {
    const { &RelationInfo::of::<R>() }
}

relstore::schema! {
    /// The child table before its parent, and field names unlike the tables' names.
    struct ChildFirst {
        articles: Post,
        people: User,
    }
    relations { PostAuthor }
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
    assert_eq!(
        db.belongs_to(PostAuthor, hello)?.map(|u| u.id()),
        Some(alice)
    );
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
    relations { PostEditor }
}

#[test]
fn set_null_on_an_optional_key_builds() -> Result<(), Error> {
    assert!(info::<PostEditor>().optional);
    assert!(!info::<PostAuthor>().optional);
    let mut db = Db::<Editors>::new();
    assert_eq!(
        db.relation_infos().collect::<Vec<_>>(),
        [info::<PostEditor>()]
    );
    assert_eq!(info::<PostEditor>().on_delete, OnDelete::SetNull);
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let hello = db.insert(edited_post(alice, bob, "hello"))?;
    db.delete(bob)?;
    assert_eq!(db.get(hello)?.editor_id, None);
    Ok(())
}

relstore::schema! {
    /// Tables, but only the category relation.
    struct CategoriesOnly {
        users: User,
        posts: Post,
        profiles: Profile,
        categories: Category,
    }
    relations { CategoryParent }
}

#[test]
fn relations_outside_the_schema_do_not_check_restrict_or_cascade() -> Result<(), Error> {
    let mut db = Db::<CategoriesOnly>::new();
    assert_eq!(
        db.relation_infos().collect::<Vec<_>>(),
        [info::<CategoryParent>()]
    );
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?; // no relation checks this key
    let bio = db.insert(profile(alice, "hi"))?;

    // Unregistered relations do not restrict or cascade either.
    db.delete(alice)?;
    assert!(db.contains(hello) && db.contains(bio));
    assert_eq!(db.get(hello)?.author_id, alice);

    // The relation that is in the schema still cascades.
    let games = db.insert(category("games", None))?;
    let rpg = db.insert(category("rpg", Some(games)))?;
    db.delete(games)?;
    assert!(!db.contains(rpg));
    assert_eq!(db.__check_indexes(), Ok(()));
    Ok(())
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
