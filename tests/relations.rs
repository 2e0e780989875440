//! Navigating relations both ways, and the order in which children come back.
//!
//! The documented order is insertion order: a parent's children come back oldest first, by
//! when each row was inserted, whatever slot it sits in and whenever it joined that parent.

mod common;

use common::*;
use relstore::{Error, HasMany, OnDelete, RelationInfo};

#[test]
fn has_many_via_row_and_direct_form_agree() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let one = db.insert(post(alice, "one"))?;
    db.insert(post(bob, "other"))?;
    let two = db.insert(post(alice, "two"))?;

    let titles: Vec<_> = db
        .get(alice)?
        .has_many(PostAuthor)
        .map(|p| p.title.clone())
        .collect();
    assert_eq!(titles, ["one", "two"]);
    let ids: Vec<_> = db.has_many(PostAuthor, alice)?.map(|p| p.id()).collect();
    assert_eq!(ids, [one, two]);
    assert_eq!(
        db.get(alice)?
            .has_many(PostAuthor)
            .ids()
            .collect::<Vec<_>>(),
        [one, two]
    );
    assert_eq!(db.has_many(PostAuthor, bob)?.len(), 1);

    let carol = db.insert(user("carol"))?;
    assert_eq!(db.has_many(PostAuthor, carol)?.len(), 0);
    assert!(db.get(carol)?.has_many(PostAuthor).next().is_none());
    check_indexes(&db);
    Ok(())
}

#[test]
fn belongs_to_a_required_key() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?;
    let author = db.get(hello)?.belongs_to(PostAuthor); // no Option: the key is required
    assert_eq!((author.id(), author.name.as_str()), (alice, "alice"));
    assert_eq!(db.belongs_to(PostAuthor, hello)?.id(), alice);
    Ok(())
}

#[test]
fn belongs_to_an_optional_key_is_none_when_null() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let plain = db.insert(post(alice, "plain"))?;
    let edited = db.insert(edited_post(alice, bob, "edited"))?;

    assert!(db.get(plain)?.belongs_to(PostEditor).is_none());
    assert!(db.belongs_to(PostEditor, plain)?.is_none());
    assert_eq!(
        db.belongs_to(PostEditor, edited)?.map(|u| u.id()),
        Some(bob)
    );
    assert_eq!(
        db.get(edited)?
            .belongs_to(PostEditor)
            .map(|u| u.name.clone()),
        Some("bob".to_string())
    );

    // Setting the key to null and back moves the post out of and into bob's list.
    db.update(edited, |p| p.editor_id = None)?;
    assert!(db.belongs_to(PostEditor, edited)?.is_none());
    assert!(child_ids(&db, PostEditor, bob).is_empty());
    db.update(edited, |p| p.editor_id = Some(bob))?;
    assert_eq!(child_ids(&db, PostEditor, bob), [edited]);
    check_indexes(&db);
    Ok(())
}

#[test]
fn has_one_via_row_and_direct_form() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let bio = db.insert(profile(alice, "likes tea"))?;

    let found = db
        .get(alice)?
        .has_one(ProfileUser)
        .expect("alice has a profile");
    assert_eq!((found.id(), found.bio.as_str()), (bio, "likes tea"));
    assert_eq!(db.has_one(ProfileUser, alice)?.map(|p| p.id()), Some(bio));
    assert!(db.has_one(ProfileUser, bob)?.is_none());
    assert!(db.get(bob)?.has_one(ProfileUser).is_none());
    assert_eq!(db.belongs_to(ProfileUser, bio)?.id(), alice);

    // Moving the profile moves the has-one answer.
    db.update(bio, |p| p.user_id = bob)?;
    assert!(db.has_one(ProfileUser, alice)?.is_none());
    assert_eq!(db.has_one(ProfileUser, bob)?.map(|p| p.id()), Some(bio));
    check_indexes(&db);
    Ok(())
}

#[test]
fn two_relations_between_the_same_tables_are_independent() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let by_alice_edited_by_bob = db.insert(edited_post(alice, bob, "a"))?;
    let by_bob_edited_by_alice = db.insert(edited_post(bob, alice, "b"))?;
    let by_alice_alone = db.insert(edited_post(alice, alice, "c"))?;

    assert_eq!(
        child_ids(&db, PostAuthor, alice),
        [by_alice_edited_by_bob, by_alice_alone]
    );
    assert_eq!(
        child_ids(&db, PostEditor, alice),
        [by_bob_edited_by_alice, by_alice_alone]
    );
    assert_eq!(child_ids(&db, PostAuthor, bob), [by_bob_edited_by_alice]);
    assert_eq!(child_ids(&db, PostEditor, bob), [by_alice_edited_by_bob]);

    // Changing the editor leaves the author's list alone.
    db.update(by_alice_edited_by_bob, |p| p.editor_id = Some(alice))?;
    assert_eq!(
        child_ids(&db, PostAuthor, alice),
        [by_alice_edited_by_bob, by_alice_alone]
    );
    assert_eq!(
        child_ids(&db, PostEditor, alice),
        [
            by_alice_edited_by_bob,
            by_bob_edited_by_alice,
            by_alice_alone
        ]
    );
    assert!(child_ids(&db, PostEditor, bob).is_empty());
    check_indexes(&db);
    Ok(())
}

#[test]
fn self_referential_trees_navigate_both_ways() -> Result<(), Error> {
    let mut db = db();
    let games = db.insert(category("games", None))?;
    let rpg = db.insert(category("rpg", Some(games)))?;
    let puzzle = db.insert(category("puzzle", Some(games)))?;
    let jrpg = db.insert(category("jrpg", Some(rpg)))?;
    let crpg = db.insert(category("crpg", Some(rpg)))?;

    assert_eq!(child_ids(&db, CategoryParent, games), [rpg, puzzle]);
    assert_eq!(child_ids(&db, CategoryParent, rpg), [jrpg, crpg]);
    assert!(child_ids(&db, CategoryParent, puzzle).is_empty());
    assert!(db.get(games)?.belongs_to(CategoryParent).is_none());
    assert_eq!(
        db.belongs_to(CategoryParent, jrpg)?.map(|c| c.id()),
        Some(rpg)
    );

    // Grandchildren through the row handles.
    let mut grandchildren = Vec::new();
    for child in db.get(games)?.has_many(CategoryParent) {
        for grandchild in child.has_many(CategoryParent) {
            grandchildren.push(grandchild.name.clone());
        }
    }
    assert_eq!(grandchildren, ["jrpg", "crpg"]);

    // And back up: the grandparent of a leaf.
    let parent = db.get(crpg)?.belongs_to(CategoryParent).unwrap();
    let grandparent = parent.belongs_to(CategoryParent).unwrap();
    assert_eq!(grandparent.name, "games");
    Ok(())
}

#[test]
fn moving_a_category_carries_its_subtree() -> Result<(), Error> {
    let mut db = db();
    let games = db.insert(category("games", None))?;
    let books = db.insert(category("books", None))?;
    let rpg = db.insert(category("rpg", Some(games)))?;
    let jrpg = db.insert(category("jrpg", Some(rpg)))?;
    let fantasy = db.insert(category("fantasy", Some(books)))?;

    db.update(rpg, |c| c.parent_id = Some(books))?;
    assert!(child_ids(&db, CategoryParent, games).is_empty());
    assert_eq!(child_ids(&db, CategoryParent, books), [rpg, fantasy]);
    assert_eq!(child_ids(&db, CategoryParent, rpg), [jrpg]);
    let grandparent = db.get(jrpg)?.belongs_to(CategoryParent).unwrap();
    assert_eq!(
        grandparent.belongs_to(CategoryParent).map(|c| c.id()),
        Some(books)
    );

    // A moved subtree goes with its new root, and leaves the old one alone.
    db.delete(books)?;
    assert_eq!(db.table::<Category>().len(), 1);
    assert!(db.contains(games));
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_row_handle_reads_as_its_struct_and_debugs_with_its_id() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let row = db.get(alice)?;
    let copy = row; // Row is Copy
    assert_eq!(row.id(), copy.id());
    assert_eq!(row.name, "alice");
    assert_eq!(row.value(), &user("alice"));
    assert_eq!(
        format!("{row:?}"),
        r#"Row { id: Id<users>(1v1), row: User { name: "alice" } }"#
    );
    Ok(())
}

#[test]
fn children_come_back_in_insertion_order_after_sibling_deletes() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let posts: Vec<_> = (0..5)
        .map(|i| db.insert(post(alice, &format!("p{i}"))))
        .collect::<Result<_, _>>()?;
    db.delete(posts[1])?;
    db.delete(posts[3])?;
    assert_eq!(
        child_ids(&db, PostAuthor, alice),
        [posts[0], posts[2], posts[4]]
    );
    db.delete(posts[0])?;
    assert_eq!(child_ids(&db, PostAuthor, alice), [posts[2], posts[4]]);
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_row_reusing_an_old_slot_still_comes_after_older_siblings() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let first = db.insert(post(alice, "first"))?;
    let second = db.insert(post(alice, "second"))?;
    let third = db.insert(post(alice, "third"))?;
    db.delete(first)?;
    let fourth = db.insert(post(alice, "fourth"))?;
    assert_eq!(
        fourth.to_bits() & 0xffff_ffff,
        first.to_bits() & 0xffff_ffff,
        "the new post takes the oldest slot"
    );
    assert_eq!(child_ids(&db, PostAuthor, alice), [second, third, fourth]);

    // Table iteration is in slot order, children are not.
    let in_slot_order: Vec<_> = db.table::<Post>().iter().map(|p| p.id()).collect();
    assert_eq!(in_slot_order, [fourth, second, third]);
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_reparented_child_takes_its_place_by_insertion_order() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let a0 = db.insert(post(alice, "a0"))?;
    let b1 = db.insert(post(bob, "b1"))?;
    let a2 = db.insert(post(alice, "a2"))?;
    let b3 = db.insert(post(bob, "b3"))?;
    let a4 = db.insert(post(alice, "a4"))?;

    // Into the middle.
    db.update(b1, |p| p.author_id = alice)?;
    assert_eq!(child_ids(&db, PostAuthor, alice), [a0, b1, a2, a4]);
    assert_eq!(child_ids(&db, PostAuthor, bob), [b3]);

    // To the front, through replace.
    db.replace(a0, post(bob, "a0"))?;
    assert_eq!(child_ids(&db, PostAuthor, bob), [a0, b3]);
    assert_eq!(child_ids(&db, PostAuthor, alice), [b1, a2, a4]);

    // To the end.
    db.update(a4, |p| p.author_id = bob)?;
    assert_eq!(child_ids(&db, PostAuthor, bob), [a0, b3, a4]);

    // And back where it came from.
    db.update(b1, |p| p.author_id = bob)?;
    assert_eq!(child_ids(&db, PostAuthor, bob), [a0, b1, b3, a4]);
    assert_eq!(child_ids(&db, PostAuthor, alice), [a2]);
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_reparented_row_in_a_reused_slot_keeps_its_insertion_place() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let old = db.insert(post(bob, "old"))?;
    let a1 = db.insert(post(alice, "a1"))?;
    db.delete(old)?;
    let young = db.insert(post(bob, "young"))?; // lowest slot, newest row
    let a2 = db.insert(post(alice, "a2"))?;
    db.update(young, |p| p.author_id = alice)?;
    assert_eq!(child_ids(&db, PostAuthor, alice), [a1, young, a2]);
    check_indexes(&db);
    Ok(())
}

#[test]
fn children_count_in_constant_time_and_iterate_from_both_ends() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let ids: Vec<_> = (0..4)
        .map(|i| db.insert(post(alice, &format!("p{i}"))))
        .collect::<Result<_, _>>()?;

    let mut children = db.has_many(PostAuthor, alice)?;
    assert_eq!(children.len(), 4);
    assert_eq!(children.size_hint(), (4, Some(4)));
    assert_eq!(children.next().map(|p| p.id()), Some(ids[0]));
    assert_eq!(children.next_back().map(|p| p.id()), Some(ids[3]));
    assert_eq!(children.len(), 2);
    let rest = children.clone();
    assert_eq!(children.next().map(|p| p.id()), Some(ids[1]));
    assert_eq!(children.next().map(|p| p.id()), Some(ids[2]));
    assert_eq!(children.len(), 0);
    assert!(children.next().is_none());
    assert!(children.next_back().is_none());
    assert!(children.next().is_none(), "fused");

    // A clone continues from where it was; ids() yields the remaining ids.
    assert_eq!(rest.ids().collect::<Vec<_>>(), [ids[1], ids[2]]);
    let reversed: Vec<_> = db
        .has_many(PostAuthor, alice)?
        .rev()
        .map(|p| p.id())
        .collect();
    assert_eq!(reversed, [ids[3], ids[2], ids[1], ids[0]]);
    let mut id_iter = db.has_many(PostAuthor, alice)?.ids();
    assert_eq!(id_iter.len(), 4);
    assert_eq!(id_iter.next_back(), Some(ids[3]));
    assert_eq!(id_iter.len(), 3);
    Ok(())
}

#[test]
fn table_ref_reads_counts_and_iterates() -> Result<(), Error> {
    let mut db = db();
    assert!(db.table::<User>().is_empty());
    assert_eq!(db.table::<User>().len(), 0);
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let carol = db.insert(user("carol"))?;
    db.delete(bob)?;

    let users = db.table::<User>();
    assert!(!users.is_empty());
    assert_eq!(users.len(), 2);
    assert_eq!(
        users.get(alice).map(|u| u.name.clone()),
        Some("alice".into())
    );
    assert_eq!(users.get(carol).map(|u| u.id()), Some(carol));
    assert!(users.get(bob).is_none());
    assert!(users.contains(alice) && !users.contains(bob));
    assert!(db.contains(carol) && !db.contains(bob));

    let iter = users.iter();
    assert_eq!(iter.len(), 2);
    let mut names: Vec<_> = iter.map(|u| u.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["alice", "carol"]);
    let ids: Vec<_> = users.into_iter().map(|u| u.id()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&alice) && ids.contains(&carol));

    // A row handle from the table navigates like one from `get`.
    let row = users.get(alice).unwrap();
    assert_eq!(row.has_many(PostAuthor).len(), 0);
    Ok(())
}

#[test]
fn relations_lists_every_relation_in_declaration_order() {
    let db = db();
    let names: Vec<_> = db.relation_infos().map(|r| r.name).collect();
    assert_eq!(
        names,
        [
            "PostAuthor",
            "PostEditor",
            "CommentPost",
            "CommentAuthor",
            "ProfileUser",
            "CategoryParent",
            "PinCategory"
        ]
    );
    assert_eq!(db.relation_infos().len(), 7);

    let editor = db.relation_infos().nth(1).unwrap();
    assert_eq!(editor, RelationInfo::of::<PostEditor>());
    assert_eq!(
        (editor.child_table, editor.foreign_key, editor.parent_table),
        ("posts", "editor_id", "users")
    );
    assert_eq!(
        (editor.on_delete, editor.unique, editor.optional),
        (OnDelete::SetNull, false, true)
    );
    assert_eq!(editor.to_string(), "PostEditor (posts.editor_id -> users)");

    let profile = db
        .relation_infos()
        .find(|r| r.name == "ProfileUser")
        .unwrap();
    assert_eq!(
        (profile.on_delete, profile.unique, profile.optional),
        (OnDelete::Cascade, true, false)
    );
    let restrict = db
        .relation_infos()
        .find(|r| r.name == "CommentAuthor")
        .unwrap();
    assert_eq!(
        restrict.on_delete,
        OnDelete::Restrict,
        "restrict is the default"
    );
    let tree = db.relation_infos().nth(5).unwrap();
    assert_eq!(
        (tree.child_table, tree.parent_table),
        ("categories", "categories")
    );
}

/// A relation implemented by hand works like one from the macro.
#[derive(Clone, Copy)]
struct HandWritten;
impl relstore::Relation for HandWritten {
    type Child = Post;
    type Parent = User;
    type Kind = HasMany;
    type Key = relstore::Id<User>;
    const NAME: &'static str = "HandWritten";
    const FOREIGN_KEY: &'static str = "author_id";
    fn key(post: &Post) -> &relstore::Id<User> {
        &post.author_id
    }
    fn key_mut(post: &mut Post) -> &mut relstore::Id<User> {
        &mut post.author_id
    }
}

relstore::schema! {
    struct HandWrittenSchema {
        users: User,
        posts: Post,
    }
    relations { HandWritten, PostEditor }
}

#[test]
fn a_hand_written_relation_works_like_a_declared_one() -> Result<(), Error> {
    let mut db = relstore::Db::<HandWrittenSchema>::new();
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?;
    assert_eq!(
        db.has_many(HandWritten, alice)?.ids().collect::<Vec<_>>(),
        [hello]
    );
    assert_eq!(db.belongs_to(HandWritten, hello)?.id(), alice);
    assert!(matches!(
        db.delete(alice),
        Err(relstore::DeleteError::Restricted { .. })
    ));
    Ok(())
}
