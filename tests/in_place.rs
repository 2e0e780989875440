//! In-place edits through `Fields` views: `Db::row_mut`, `Db::rows_mut`, `Db::edit_rows`.
//! Keys are read-only there (a UI test pins the compile error), so the indexes never move.

mod common;

use std::panic::{self, AssertUnwindSafe};

use common::*;
use relstore::{Db, Error, Id, Model, NotFound};
use serde::{Deserialize, Serialize};

#[test]
fn row_mut_edits_fields_in_place_and_shows_keys() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(edited_post(alice, alice, "hello"))?;
    let view = db.row_mut(hello)?;
    view.title.push('!');
    assert_eq!((*view.author_id, *view.editor_id), (alice, Some(alice)));
    assert_eq!(db.get(hello)?.title, "hello!");
    db.delete(hello)?;
    assert_eq!(db.row_mut(hello).err(), Some(NotFound { id: hello.into() }));
    check_indexes(&db);
    Ok(())
}

#[test]
fn rows_mut_visits_every_row_once_in_slot_order() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let ids: Vec<Id<Post>> = (0..50)
        .map(|i| db.insert(post(alice, &format!("{i}"))))
        .collect::<Result<_, _>>()?;
    for &id in ids.iter().step_by(3) {
        db.delete(id)?;
    }
    let in_slot_order: Vec<Id<Post>> = db.table::<Post>().iter().map(|p| p.id()).collect();
    let before = snapshot(&db);
    let mut seen = Vec::new();
    let rows = db.rows_mut::<Post>();
    assert_eq!(rows.len(), in_slot_order.len());
    for (id, post) in rows {
        seen.push(id);
        post.title.insert(0, '#');
    }
    assert_eq!(seen, in_slot_order);
    for row in db.table::<Post>() {
        assert!(row.title.starts_with('#'));
    }
    // Only the titles changed: every relation answers as before.
    assert_ne!(snapshot(&db), before);
    for (_, post) in db.rows_mut::<Post>() {
        post.title.remove(0);
    }
    assert_eq!(snapshot(&db), before);
    check_indexes(&db);
    Ok(())
}

#[test]
fn edit_rows_reads_other_tables_and_survives_a_panic() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let posts = [
        db.insert(post(alice, "a"))?,
        db.insert(post(bob, "b"))?,
        db.insert(post(alice, "c"))?,
    ];
    db.edit_rows::<Post>(|db, id, post| {
        let author = db
            .get(*post.author_id)
            .expect("another table reads as usual");
        post.title.push_str(&format!(" by {}", author.name));
        // The table being edited is lent out: it reads as empty meanwhile.
        assert!(db.get(id).is_err());
        assert_eq!(db.table::<Post>().len(), 0);
    });
    assert_eq!(db.get(posts[1])?.title, "b by bob");

    let before = snapshot(&db);
    let mut edited = 0;
    let caught = panic::catch_unwind(AssertUnwindSafe(|| {
        db.edit_rows::<Post>(|_, _, post| {
            if edited == 2 {
                panic!("boom");
            }
            post.title.push('+');
            edited += 1;
        })
    }));
    assert!(caught.is_err(), "the panic goes on to the caller");
    // The table is back whole; the two rows edited before the panic keep their edits.
    assert_eq!(db.table::<Post>().len(), 3);
    assert_ne!(snapshot(&db), before);
    let plus = db
        .table::<Post>()
        .iter()
        .filter(|p| p.title.ends_with('+'))
        .count();
    assert_eq!(plus, 2);
    check_indexes(&db);
    Ok(())
}

#[test]
fn the_view_handles_self_generics_raw_names_and_empty_rows() -> Result<(), Error> {
    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "nodes")]
    struct Node {
        parent: Option<Id<Self>>,
        r#type: String,
        children: Vec<Id<Self>>,
    }
    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "tags")]
    struct Tag {}
    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "boxes")]
    struct Boxed<T> {
        value: T,
    }
    type IntBox = Boxed<u32>;
    relstore::belongs_to!(NodeParent: Node.parent -> Node, has_many, on_delete = Cascade);
    relstore::schema! {
        struct Misc { nodes: Node, tags: Tag, boxes: IntBox }
        relations { NodeParent }
    }
    let mut db = Db::<Misc>::new();
    let root = db.insert(Node {
        parent: None,
        r#type: "root".into(),
        children: vec![],
    })?;
    let leaf = db.insert(Node {
        parent: Some(root),
        r#type: "leaf".into(),
        children: vec![],
    })?;
    let view = db.row_mut(root)?;
    view.children.push(leaf); // not a key: `Vec<Id<_>>` is a plain value
    view.r#type.push('!');
    assert_eq!(*view.parent, None);
    let tag = db.insert(Tag {})?;
    let _: TagMut<'_> = db.row_mut(tag)?;
    let boxed = db.insert(Boxed { value: 1u32 })?;
    *db.row_mut(boxed)?.value += 1;
    assert_eq!(db.get(boxed)?.value, 2);
    assert_eq!(db.get(root)?.r#type, "root!");
    Ok(())
}
