//! Bulk work: `reserve`, `insert_many` (all or nothing), `ids`, `nth`, and `retain` with every
//! on-delete policy (all or nothing), including hostile sizes.

mod common;

use std::panic::{self, AssertUnwindSafe};

use common::*;
use relstore::{Db, DeleteError, Error, Id, WriteError};

/// A store, its users and its posts.
type Populated = (Db<App>, Vec<Id<User>>, Vec<Id<Post>>);

/// A store with users, posts (some edited), a profile and categories.
fn populated() -> Result<Populated, Error> {
    let mut db = common::db();
    let users = db.insert_many((0..4).map(|i| user(&format!("user {i}"))))?;
    let posts = db.insert_many((0..12).map(|i| {
        let author = users[i % 3];
        if i % 4 == 0 {
            edited_post(author, users[3], &format!("post {i}"))
        } else {
            post(author, &format!("post {i}"))
        }
    }))?;
    db.insert(profile(users[0], "first"))?;
    let root = db.insert(category("root", None))?;
    db.insert(category("child", Some(root)))?;
    Ok((db, users, posts))
}

// ---- insert_many ----

#[test]
fn a_batch_is_inserted_in_order_and_linked_like_single_inserts() -> Result<(), Error> {
    let mut batch_db = common::db();
    let mut single_db = common::db();
    for db in [&mut batch_db, &mut single_db] {
        db.insert(user("alice"))?;
        let gone = db.insert(user("gone"))?;
        db.delete(gone)?; // a free slot, reused first
    }
    let alice = batch_db.table::<User>().ids()[0];
    let rows = |_: ()| (0..5).map(|i| post(alice, &format!("post {i}")));
    let ids = batch_db.insert_many(rows(()))?;
    let single: Vec<_> = rows(())
        .map(|p| single_db.insert(p))
        .collect::<Result<_, _>>()?;
    assert_eq!(
        ids, single,
        "the same ids as one by one, the freed slot first"
    );
    assert_eq!(snapshot(&batch_db), snapshot(&single_db));
    assert_eq!(child_ids(&batch_db, PostAuthor, alice), ids);
    check_indexes(&batch_db);
    Ok(())
}

#[test]
fn a_missing_parent_in_the_middle_refuses_the_whole_batch() -> Result<(), Error> {
    let (mut db, users, _) = populated()?;
    let gone = db.insert(user("gone"))?;
    db.delete(gone)?;
    let before = snapshot(&db);
    let mut batch: Vec<_> = (0..100).map(|i| post(users[i % 4], "new")).collect();
    batch[57].author_id = gone;
    batch[80].author_id = gone; // only the first bad row is named
    let refused = db.insert_many(batch).unwrap_err();
    assert_eq!(refused.position, 57);
    assert!(
        matches!(refused.error, WriteError::MissingParent { parent, .. } if parent == gone.into())
    );
    assert_eq!(refused.rows.len(), 100, "every row comes back");
    assert_eq!(refused.rows[57].author_id, gone);
    assert_eq!(refused.rows[3], post(users[3], "new"));
    assert_eq!(snapshot(&db), before, "nothing was inserted");
    check_indexes(&db);

    // Mended, the same rows go in.
    let mut rows = refused.rows;
    for row in &mut rows {
        row.author_id = users[0];
    }
    assert_eq!(db.insert_many(rows)?.len(), 100);
    check_indexes(&db);
    Ok(())
}

#[test]
fn an_optional_key_to_a_missing_row_refuses_the_batch() -> Result<(), Error> {
    let (mut db, users, _) = populated()?;
    let gone = db.insert(user("gone"))?;
    db.delete(gone)?;
    let before = snapshot(&db);
    let batch = vec![
        edited_post(users[0], users[1], "fine"),
        edited_post(users[0], gone, "bad editor"),
    ];
    let refused = db.insert_many(batch).unwrap_err();
    assert_eq!(refused.position, 1);
    assert_eq!(snapshot(&db), before);
    Ok(())
}

#[test]
fn has_one_conflicts_within_a_batch_and_with_stored_rows_refuse_it() -> Result<(), Error> {
    let (mut db, users, _) = populated()?; // users[0] has a profile
    let before = snapshot(&db);

    // Two rows of the batch for the same user: the second is named, with the first.
    let twice = vec![
        profile(users[1], "a"),
        profile(users[2], "b"),
        profile(users[1], "c"),
    ];
    let refused = db.insert_many(twice).unwrap_err();
    assert_eq!(refused.position, 2);
    assert!(matches!(
        refused.error,
        WriteError::HasOneTakenInBatch { parent, earlier: 0, .. } if parent == users[1].into()
    ));
    assert_eq!(snapshot(&db), before);

    // A user that already has its profile.
    let taken = vec![profile(users[1], "a"), profile(users[0], "again")];
    let refused = db.insert_many(taken).unwrap_err();
    assert_eq!(refused.position, 1);
    assert!(matches!(
        refused.error,
        WriteError::HasOneTaken { row: None, .. }
    ));
    assert_eq!(snapshot(&db), before);

    // The first offending row wins, whichever check finds it.
    let both = vec![
        profile(users[1], "a"),
        profile(users[1], "twice, at 1"),
        profile(users[0], "taken, at 2"),
    ];
    let refused = db.insert_many(both).unwrap_err();
    assert_eq!(refused.position, 1);
    let both = vec![
        profile(users[0], "taken, at 0"),
        profile(users[1], "a"),
        profile(users[1], "twice, at 2"),
    ];
    assert_eq!(db.insert_many(both).unwrap_err().position, 0);
    assert_eq!(snapshot(&db), before);

    // Distinct free parents go in.
    let fine = vec![profile(users[1], "b"), profile(users[2], "c")];
    db.insert_many(fine)?;
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_row_cannot_name_a_row_of_its_own_batch() -> Result<(), Error> {
    // Ids are predictable: a fresh table's first row gets the id a probe store's first row
    // gets. The batch's first row will get it, but it names no row when the batch is checked.
    let will_be = common::db().insert(category("probe", None))?;
    let mut db = common::db();
    let batch = vec![category("a", None), category("b", Some(will_be))];
    let refused = db.insert_many(batch).unwrap_err();
    assert_eq!(refused.position, 1);
    assert!(matches!(refused.error, WriteError::MissingParent { .. }));
    assert_eq!(db.table::<Category>().len(), 0);
    // One by one, the same rows are accepted: a batch is checked against the store as it was
    // before the call.
    assert_eq!(db.insert(category("a", None))?, will_be);
    db.insert(category("b", Some(will_be)))?;
    check_indexes(&db);
    Ok(())
}

#[test]
fn an_empty_batch_changes_nothing_and_allocates_no_ids() -> Result<(), Error> {
    let (mut db, ..) = populated()?;
    let before = snapshot(&db);
    let ids = db.insert_many(Vec::<Post>::new())?;
    assert!(ids.is_empty());
    assert_eq!(ids.capacity(), 0);
    assert!(db.insert_many(std::iter::empty::<User>())?.is_empty());
    assert_eq!(snapshot(&db), before);
    Ok(())
}

#[test]
fn a_refused_batch_converts_into_error_keeping_its_position() -> Result<(), Error> {
    let mut db = common::db();
    let gone = db.insert(user("gone"))?;
    db.delete(gone)?;
    let run = |db: &mut Db<App>| -> Result<(), Error> {
        db.insert_many([post(gone, "x")])?;
        Ok(())
    };
    let error = run(&mut db).unwrap_err();
    assert!(matches!(
        error,
        Error::Batch {
            position: 0,
            error: WriteError::MissingParent { .. }
        }
    ));
    let text = error.to_string();
    assert!(text.contains("row 0"), "{text}");
    let source = std::error::Error::source(&error)
        .expect("the reason")
        .to_string();
    assert!(source.contains("points to no row"), "{source}");
    Ok(())
}

#[test]
fn a_panicking_iterator_inserts_nothing() -> Result<(), Error> {
    let (mut db, users, _) = populated()?;
    let before = snapshot(&db);
    let author = users[0];
    let caught = panic::catch_unwind(AssertUnwindSafe(|| {
        db.insert_many((0..10).map(|i| {
            assert!(i < 5, "the iterator fails halfway");
            post(author, "x")
        }))
    }));
    assert!(caught.is_err());
    assert_eq!(snapshot(&db), before);
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_million_rows_in_one_batch() -> Result<(), Error> {
    let mut db = common::db();
    let users = db.insert_many((0..1000).map(|i| user(&i.to_string())))?;
    let rows = (0..1_000_000).map(|i| Post {
        author_id: users[(i * 7919) % 1000],
        editor_id: None,
        title: String::new(),
    });
    let ids = db.insert_many(rows)?;
    assert_eq!(
        (ids.len(), db.table::<Post>().len()),
        (1_000_000, 1_000_000)
    );
    assert_eq!(db.has_many(PostAuthor, users[0])?.len(), 1000);
    check_indexes(&db);

    // And a million refused at the last row: nothing goes in.
    let gone = users[999];
    let mut rows: Vec<_> = (0..1_000_000)
        .map(|_| Post {
            author_id: users[1],
            editor_id: None,
            title: String::new(),
        })
        .collect();
    db.retain::<Post>(|p| p.author_id != gone)?;
    db.delete(gone)?;
    rows[999_999].author_id = gone;
    let refused = db.insert_many(rows).unwrap_err();
    assert_eq!(refused.position, 999_999);
    assert_eq!(db.table::<Post>().len(), 999_000);
    check_indexes(&db);
    Ok(())
}

// ---- reserve, ids, nth ----

#[test]
fn reserve_changes_no_row_and_refuses_the_impossible() -> Result<(), Error> {
    let (mut db, ..) = populated()?;
    let before = snapshot(&db);
    db.reserve::<Post>(1000)?;
    db.reserve::<Post>(0)?;
    assert_eq!(snapshot(&db), before);
    // More than memory can hold (the request is capped at the 2^32 slots an id can address,
    // 256 GB of post slots): a typed error, not a panic or an abort. An allocator that
    // overcommits without limit may hand out the address space instead; either way no row
    // changes.
    for huge in [usize::MAX, usize::MAX / 2, 1 << 40] {
        if let Err(error) = db.reserve::<Post>(huge) {
            assert!(matches!(Error::from(error), Error::Reserve(_)));
        }
    }
    assert_eq!(snapshot(&db), before);
    Ok(())
}

#[test]
fn ids_and_nth_walk_slot_order_across_holes() -> Result<(), Error> {
    let mut db = common::db();
    assert!(db.table::<User>().ids().is_empty());
    assert!(db.table::<User>().nth(0).is_none());
    let users = db.insert_many((0..6).map(|i| user(&i.to_string())))?;
    let table = db.table::<User>();
    assert_eq!(table.ids(), users);
    for (n, &id) in users.iter().enumerate() {
        assert_eq!(table.nth(n).map(|u| u.id()), Some(id), "dense, at {n}");
    }
    assert!(table.nth(6).is_none());
    assert!(table.nth(usize::MAX).is_none());

    db.delete(users[0])?;
    db.delete(users[3])?;
    let table = db.table::<User>();
    let left = [users[1], users[2], users[4], users[5]];
    assert_eq!(table.ids(), left);
    for (n, &id) in left.iter().enumerate() {
        assert_eq!(table.nth(n).map(|u| u.id()), Some(id), "with holes, at {n}");
        assert_eq!(
            table.nth(n).map(|u| u.id()),
            table.iter().nth(n).map(|u| u.id())
        );
    }
    assert!(table.nth(4).is_none());

    // A refilled hole: slot order, not creation order.
    let new = db.insert(user("new"))?; // takes users[3]'s slot, the last freed
    let table = db.table::<User>();
    assert_eq!(table.ids(), [users[1], users[2], new, users[4], users[5]]);
    assert_eq!(table.nth(2).map(|u| u.name.clone()), Some("new".into()));
    Ok(())
}

// ---- retain ----

#[test]
fn retain_cascades_and_sets_null_across_tables() -> Result<(), Error> {
    let mut db = common::db();
    let users = db.insert_many((0..3).map(|i| user(&format!("user {i}"))))?;
    let (kept, gone, editor) = (users[0], users[1], users[2]);
    let gone_post = db.insert(edited_post(gone, editor, "gone's"))?;
    let kept_post = db.insert(edited_post(kept, gone, "edited by gone"))?;
    let by_editor = db.insert(comment(kept_post, editor, "on kept"))?;
    db.insert(comment(gone_post, editor, "on gone's"))?;
    db.insert(profile(gone, "bye"))?;

    let deleted = db.retain::<User>(|u| u.id() != gone)?;
    // gone, its post (cascade), that post's comment (cascade), its profile (cascade).
    assert_eq!(deleted, 4);
    assert_eq!(db.table::<User>().ids(), [kept, editor]);
    assert_eq!(db.table::<Post>().ids(), [kept_post]);
    assert_eq!(db.get(kept_post)?.editor_id, None, "set null");
    assert_eq!(db.table::<Comment>().ids(), [by_editor]);
    assert_eq!(db.table::<Profile>().len(), 0);
    assert_eq!(child_ids(&db, PostEditor, editor), [] as [Id<Post>; 0]);
    check_indexes(&db);
    Ok(())
}

#[test]
fn retain_sets_null_on_survivors_of_a_many_row_delete() -> Result<(), Error> {
    let mut db = common::db();
    let users = db.insert_many((0..10).map(|i| user(&i.to_string())))?;
    let posts = db.insert_many(
        (0..100).map(|i| edited_post(users[i % 2], users[2 + i % 8], &i.to_string())),
    )?;
    // Delete every editor (users 2..10): each post survives (its author stays) but loses its
    // editor.
    let deleted = db.retain::<User>(|u| u.id() == users[0] || u.id() == users[1])?;
    assert_eq!(deleted, 8);
    for &p in &posts {
        assert_eq!(db.get(p)?.editor_id, None);
    }
    assert_eq!(child_ids(&db, PostAuthor, users[0]).len(), 50);
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_restricted_row_refuses_the_whole_retain() -> Result<(), Error> {
    let (mut db, users, posts) = populated()?;
    // users[3] edits posts (set null) and now writes a comment (restrict) on a post of users[0].
    let blocking = db.insert(comment(posts[0], users[3], "blocks"))?;
    let before = snapshot(&db);
    let refused = db.retain::<User>(|u| u.id() == users[0]);
    let Err(DeleteError::Restricted { parent, child, .. }) = refused else {
        panic!("expected a restricted retain, got {refused:?}");
    };
    assert_eq!((parent, child), (users[3].into(), blocking.into()));
    assert_eq!(snapshot(&db), before, "nothing was deleted");
    check_indexes(&db);

    // A restrict child that the same retain deletes (by cascade) does not block: deleting
    // users[0] and users[3] cascades to posts[0] and so to the comment.
    let deleted = db.retain::<User>(|u| u.id() != users[0] && u.id() != users[3])?;
    assert!(deleted >= 3);
    assert!(!db.contains(blocking));
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_restrict_deep_in_a_self_referential_cascade_refuses_the_retain() -> Result<(), Error> {
    let mut db = common::db();
    let root = db.insert(category("root", None))?;
    let mid = db.insert(category("mid", Some(root)))?;
    let leaf = db.insert(category("leaf", Some(mid)))?;
    let other = db.insert(category("other", None))?;
    db.insert(Pin { category_id: leaf })?;
    let before = snapshot(&db);
    let refused = db.retain::<Category>(|c| c.id() != root);
    assert!(matches!(refused, Err(DeleteError::Restricted { .. })));
    assert_eq!(snapshot(&db), before);

    // Unpinned, the cascade takes rows the closure kept (mid and leaf).
    db.retain::<Pin>(|_| false)?;
    assert_eq!(db.retain::<Category>(|c| c.id() != root)?, 3);
    assert_eq!(db.table::<Category>().ids(), [other]);
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_panicking_closure_leaves_the_store_unchanged() -> Result<(), Error> {
    let (mut db, users, _) = populated()?;
    let before = snapshot(&db);
    let mut seen = 0;
    let caught = panic::catch_unwind(AssertUnwindSafe(|| {
        db.retain::<User>(|u| {
            seen += 1;
            assert!(seen < 3, "the closure fails on the third row");
            u.id() == users[2]
        })
    }));
    assert!(caught.is_err());
    assert_eq!(snapshot(&db), before);
    check_indexes(&db);
    // The store still works, and so does the next retain (its scratch was dropped).
    assert_eq!(db.retain::<Pin>(|_| false)?, 0);
    db.retain::<Post>(|p| p.editor_id.is_none())?;
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_retain_that_keeps_everything_changes_nothing() -> Result<(), Error> {
    let (mut db, ..) = populated()?;
    let before = snapshot(&db);
    assert_eq!(db.retain::<User>(|_| true)?, 0);
    assert_eq!(db.retain::<Post>(|_| true)?, 0);
    assert_eq!(snapshot(&db), before);
    Ok(())
}

#[test]
fn retain_on_an_empty_table_does_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let mut calls = 0;
    assert_eq!(
        db.retain::<Post>(|_| {
            calls += 1;
            false
        })?,
        0
    );
    assert_eq!(calls, 0);
    check_indexes(&db);
    Ok(())
}

#[test]
fn the_closure_sees_every_row_once_in_slot_order_and_can_follow_relations() -> Result<(), Error> {
    let (mut db, users, _) = populated()?;
    let order = db.table::<User>().ids();
    let mut seen = Vec::new();
    // Keep users who authored something.
    db.retain::<User>(|u| {
        seen.push(u.id());
        u.has_many(PostAuthor).len() > 0
    })?;
    assert_eq!(seen, order);
    // users[3] authored nothing: gone, its edits set to null.
    assert!(!db.contains(users[3]));
    assert!(db.table::<Post>().iter().all(|p| p.editor_id.is_none()));
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_million_children_retained_away_at_once() -> Result<(), Error> {
    let mut db = common::db();
    let users = db.insert_many([user("big family"), user("small family")])?;
    let rows = (0..1_000_000).map(|i| Post {
        author_id: users[usize::from(i % 1000 == 0)],
        editor_id: (i % 3 == 0).then_some(users[1]),
        title: String::new(),
    });
    db.insert_many(rows)?;
    let start = std::time::Instant::now();
    // Every post of the big family goes; its parent stays, so its list is cut in one pass.
    let deleted = db.retain::<Post>(|p| p.author_id == users[1])?;
    let took = start.elapsed();
    assert_eq!(deleted, 999_000);
    assert_eq!(db.has_many(PostAuthor, users[0])?.len(), 0);
    assert_eq!(db.has_many(PostAuthor, users[1])?.len(), 1000);
    check_indexes(&db);
    // Linear, not quadratic: one by one this is minutes; generous for a debug build.
    assert!(took.as_secs() < 60, "took {took:?}");
    Ok(())
}
