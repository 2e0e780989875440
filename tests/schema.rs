//! The schema is checked when built; tables and relations missing from it are typed errors at
//! use, never panics.

mod common;

use common::*;
use relstore::{
    Db, DeleteError, Error, Id, LookupError, Model, RelationInfo, SchemaError, WriteError,
};
use serde::{Deserialize, Serialize};

fn info<R: relstore::Relation>() -> &'static RelationInfo {
    const { &RelationInfo::of::<R>() }
}

fn unknown<R: relstore::Relation>(_: R) -> Option<LookupError> {
    Some(LookupError::UnknownRelation {
        relation: info::<R>(),
    })
}

#[test]
fn a_relation_to_an_unregistered_parent_table_fails_the_build() {
    let err = Db::builder()
        .table::<Post>()
        .relation(PostAuthor)
        .build()
        .expect_err("users is missing");
    let SchemaError::UnregisteredTable { relation, table } = err else {
        panic!("{err:?}")
    };
    assert_eq!((relation, table), (info::<PostAuthor>(), "users"));
}

#[test]
fn a_relation_from_an_unregistered_child_table_fails_the_build() {
    // The parent table is registered, the child table is not (relation before tables works too).
    let err = Db::builder()
        .relation(PostAuthor)
        .table::<User>()
        .build()
        .expect_err("posts is missing");
    let SchemaError::UnregisteredTable { relation, table } = err else {
        panic!("{err:?}")
    };
    assert_eq!((relation, table), (info::<PostAuthor>(), "posts"));
}

#[test]
fn relations_may_be_registered_before_their_tables() -> Result<(), Error> {
    let mut db = Db::builder()
        .relation(PostAuthor)
        .table::<Post>()
        .table::<User>()
        .build()?;
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?;
    assert_eq!(child_ids(&db, PostAuthor, alice), [hello]);
    Ok(())
}

#[test]
fn the_same_table_type_twice_fails_the_build() {
    let err = Db::builder()
        .table::<User>()
        .table::<Post>()
        .table::<User>()
        .build()
        .err();
    assert_eq!(err, Some(SchemaError::DuplicateTable { table: "users" }));
}

/// A second type claiming the name `users`.
#[derive(Clone, Serialize, Deserialize)]
struct Account {
    login: String,
}
impl Model for Account {
    const TABLE: &'static str = "users";
}

#[test]
fn two_types_with_the_same_table_name_fail_the_build() {
    let err = Db::builder()
        .table::<User>()
        .table::<Account>()
        .build()
        .err();
    assert_eq!(err, Some(SchemaError::DuplicateTable { table: "users" }));
}

#[test]
fn the_same_relation_twice_fails_the_build() {
    let err = Db::builder()
        .table::<User>()
        .table::<Post>()
        .relation(PostAuthor)
        .relation(PostEditor)
        .relation(PostAuthor)
        .build()
        .err();
    assert_eq!(
        err,
        Some(SchemaError::DuplicateRelation {
            relation: info::<PostAuthor>()
        })
    );
}

/// Another relation type whose name is also `PostAuthor`.
mod other {
    use super::common::{Post, User};
    relstore::belongs_to!(pub PostAuthor: Post.editor_id -> User, has_many);
}

#[test]
fn two_relations_with_the_same_name_fail_the_build() {
    let err = Db::builder()
        .table::<User>()
        .table::<Post>()
        .relation(PostAuthor)
        .relation(other::PostAuthor)
        .build()
        .err();
    let Some(SchemaError::DuplicateRelation { relation }) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (relation.name, relation.foreign_key),
        ("PostAuthor", "editor_id")
    );
}

relstore::belongs_to!(AuthorSetNull: Post.author_id -> User, has_many, on_delete = SetNull);

#[test]
fn set_null_on_a_required_key_fails_the_build() {
    let err = Db::builder()
        .table::<User>()
        .table::<Post>()
        .relation(AuthorSetNull)
        .build()
        .err();
    assert_eq!(
        err,
        Some(SchemaError::SetNullOnRequiredKey {
            relation: info::<AuthorSetNull>()
        })
    );
}

#[test]
fn set_null_on_an_optional_key_builds() {
    assert!(info::<PostEditor>().optional);
    assert!(!info::<PostAuthor>().optional);
    let built = Db::builder()
        .table::<User>()
        .table::<Post>()
        .relation(PostEditor)
        .build();
    assert!(built.is_ok());
}

#[test]
fn an_unknown_table_is_a_typed_error_at_every_use() -> Result<(), Error> {
    let mut db = Db::builder().table::<User>().build()?;
    let alice = db.insert(user("alice"))?;
    let ghost = Id::<Post>::from_bits(alice.to_bits());
    let missing = LookupError::UnknownTable { table: "posts" };

    assert_eq!(db.get(ghost).err(), Some(missing.clone()));
    assert_eq!(db.table::<Post>().err(), Some(missing));
    assert!(!db.contains(ghost));
    assert_eq!(
        db.insert(post(alice, "hello")).err(),
        Some(WriteError::UnknownTable { table: "posts" })
    );
    assert_eq!(
        db.update(ghost, |p| p.title.clear()).err(),
        Some(WriteError::UnknownTable { table: "posts" })
    );
    assert_eq!(
        db.replace(ghost, post(alice, "hello")).err(),
        Some(WriteError::UnknownTable { table: "posts" })
    );
    assert_eq!(
        db.delete(ghost).err(),
        Some(DeleteError::UnknownTable { table: "posts" })
    );
    assert_eq!(
        db.delete_plan(ghost).err(),
        Some(DeleteError::UnknownTable { table: "posts" })
    );
    assert_eq!(db.table::<User>()?.len(), 1);
    Ok(())
}

#[test]
fn an_unknown_relation_is_a_typed_error_at_every_use() -> Result<(), Error> {
    // Tables, but only the category relation.
    let mut db = Db::builder()
        .table::<User>()
        .table::<Post>()
        .table::<Profile>()
        .table::<Category>()
        .relation(CategoryParent)
        .build()?;
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?; // no relation checks this key
    let bio = db.insert(profile(alice, "hi"))?;

    assert_eq!(db.has_many(PostAuthor, alice).err(), unknown(PostAuthor));
    assert_eq!(
        db.get(alice)?.has_many(PostAuthor).err(),
        unknown(PostAuthor)
    );
    assert_eq!(db.has_one(ProfileUser, alice).err(), unknown(ProfileUser));
    assert_eq!(
        db.get(alice)?.has_one(ProfileUser).err(),
        unknown(ProfileUser)
    );
    assert_eq!(db.belongs_to(PostEditor, hello).err(), unknown(PostEditor));
    assert_eq!(
        db.get(hello)?.belongs_to(PostAuthor).err(),
        unknown(PostAuthor)
    );
    assert_eq!(
        db.get(bio)?.belongs_to(ProfileUser).err(),
        unknown(ProfileUser)
    );

    // Unregistered relations do not restrict or cascade either.
    db.delete(alice)?;
    assert!(db.contains(hello) && db.contains(bio));

    // The unknown relation is reported before the (now stale) parent id.
    assert_eq!(db.has_many(PostAuthor, alice).err(), unknown(PostAuthor));
    assert_eq!(db.has_one(ProfileUser, alice).err(), unknown(ProfileUser));
    Ok(())
}

#[test]
fn a_store_without_relations_is_a_plain_table_store() -> Result<(), Error> {
    let mut db = Db::builder().table::<User>().build()?;
    assert_eq!(db.relations().len(), 0);
    let alice = db.insert(user("alice"))?;
    assert_eq!(format!("{db:?}"), r#"{"users": 1}"#);
    db.delete(alice)?;
    assert!(db.table::<User>()?.is_empty());
    Ok(())
}
