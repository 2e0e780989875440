//! The read paths allocate nothing: get, has-many, has-one, belongs-to, their typed handles,
//! `nth`; nor does a delete that cascades to nothing, nor a small cascade once buffers are
//! warm, nor an insert into a freed slot under parents whose child lists have room, nor one
//! into a reserved table, nor a retain that keeps every row, nor a query that does not sort
//! (filters, windows, counts, `first`, `where_has`, joins, `through`, also over a relation
//! with a default filter); a batch into a reserved table allocates its ids only. Counted by a
//! global allocator, on this thread only. A borrowed eager tree allocates a few buffers per
//! level, not one per row, and walking it allocates nothing.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use relstore::Error;

struct Counting;

thread_local! {
    // `const` initialisation: reading these never allocates.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to `System` unchanged; the counter is a side note.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: as for `dealloc`, and `new_size` is valid as the caller guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn note_allocation() {
    // `try_with`: during thread teardown the thread-locals may be gone; then nothing counts.
    let _ = COUNTING.try_with(|counting| {
        if counting.get() {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let out = std::hint::black_box(f());
    COUNTING.with(|c| c.set(false));
    (ALLOCATIONS.with(Cell::get), out)
}

#[test]
fn the_counter_sees_an_allocation() {
    let (n, v) = allocations(|| vec![1u8; 16]);
    assert_eq!((n, v.len()), (1, 16));
}

#[test]
fn reads_allocate_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    let bio = db.insert(profile(alice, "hi"))?;
    let gone = db.insert(user("gone"))?;
    let gone_post = db.insert(post(gone, "gone"))?;
    db.delete(gone)?;
    let posts: Vec<_> = (0..10)
        .map(|i| db.insert(post(alice, &format!("post {i}"))))
        .collect::<Result<_, _>>()?;

    let (n, total) = allocations(|| {
        let mut total = 0;
        for &id in &posts {
            let post = db.get(id).expect("live");
            total += post.title.len();
            total += post.belongs_to(PostAuthor).value().name.len();
            total += db
                .belongs_to(PostAuthor, id)
                .expect("live")
                .value()
                .name
                .len();
            total += post
                .belongs_to(PostEditor)
                .map_or(0, |u| u.value().name.len());
        }
        let user = db.get(alice).expect("live");
        for post in user.has_many(PostAuthor) {
            total += post.title.len();
        }
        for post in db.has_many(PostAuthor, alice).expect("live").rev() {
            total += post.title.len();
        }
        let profile = user.has_one(ProfileUser);
        total += usize::from(profile.is_some_and(|p| p.id() == bio));
        let profile = db.has_one(ProfileUser, alice).expect("live");
        total += usize::from(profile.is_some());
        total
    });
    assert_eq!(n, 0, "the Db and Row read paths allocated");
    assert!(total > 0);

    let (n, total) = allocations(|| {
        let table = db.table::<Post>();
        let authored = db.relation(PostAuthor);
        let profiles = db.relation(ProfileUser);
        let mut total = table.len();
        for &id in &posts {
            total += table.get(id).map_or(0, |p| p.title.len());
            total += authored.belongs_to(id).map_or(0, |u| u.value().name.len());
        }
        total += (authored.has_many(alice).expect("live"))
            .map(|p| p.value().title.len())
            .sum::<usize>();
        total += authored.count(alice).expect("live");
        total += usize::from(profiles.has_one(alice).expect("live").is_some());
        // A stale id's error is built without allocating too.
        total += usize::from(authored.has_many(gone).is_err());
        total += usize::from(authored.belongs_to(gone_post).is_err());
        total += table.iter().count();
        total
    });
    assert_eq!(n, 0, "the typed handles allocated");
    assert!(total > 0);
    Ok(())
}

#[test]
fn a_delete_that_cascades_to_nothing_allocates_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    let posts: Vec<_> = (0..4)
        .map(|i| db.insert(post(alice, &format!("post {i}"))))
        .collect::<Result<_, _>>()?;
    for &id in &posts {
        let (n, removed) = allocations(|| db.delete(id));
        let removed = removed?; // freeing the row's strings is not an allocation
        assert_eq!(n, 0, "deleting a childless {removed:?} allocated");
    }
    Ok(())
}

#[test]
fn a_small_cascade_allocates_nothing_once_its_buffers_are_warm() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let mut counts = Vec::new();
    for round in 0..4 {
        let post = db.insert(post(alice, &format!("post {round}")))?;
        for i in 0..3 {
            db.insert(comment(post, bob, &format!("comment {i}")))?;
        }
        let (n, removed) = allocations(|| db.delete(post));
        removed?;
        counts.push(n);
    }
    // The first cascade sizes the plan's buffers; later ones reuse them.
    assert_eq!(
        counts[1..],
        [0, 0, 0],
        "allocations per cascade: {counts:?}"
    );
    assert!(db.has_many(CommentAuthor, bob)?.len() == 0);
    Ok(())
}

#[test]
fn an_insert_into_a_freed_slot_under_parents_with_room_allocates_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let mut posts: Vec<_> = (0..4)
        .map(|i| db.insert(edited_post(alice, bob, &format!("post {i}"))))
        .collect::<Result<_, _>>()?;
    for round in 0..4 {
        // Freeing a slot in the posts table, and a place in alice's (author) and bob's
        // (editor) child lists, which keep their capacity.
        db.delete(posts.remove(0))?;
        // The row's strings are made outside the measured call.
        let row = edited_post(alice, bob, &format!("new {round}"));
        let (n, inserted) = allocations(|| db.insert(row));
        let inserted = inserted?;
        assert_eq!(n, 0, "inserting {inserted:?} in round {round} allocated");
        posts.push(inserted);
    }
    assert_eq!(child_ids(&db, PostAuthor, alice), posts);
    assert_eq!(child_ids(&db, PostEditor, bob), posts);
    check_indexes(&db);
    Ok(())
}

#[test]
fn an_edit_in_place_allocates_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let posts: Vec<_> = (0..4)
        .map(|i| db.insert(edited_post(alice, bob, &format!("post {i}"))))
        .collect::<Result<_, _>>()?;
    let (n, result) = allocations(|| {
        for &id in &posts {
            db.edit(id, |p| p.title.truncate(2))?;
        }
        // A key that changes and changes back: the lists keep their capacity.
        db.edit(posts[1], |p| p.editor_id = None)?;
        db.edit(posts[1], |p| p.editor_id = Some(bob))
    });
    result?;
    assert_eq!(n, 0, "an edit in place allocated");
    assert_eq!(child_ids(&db, PostEditor, bob), posts);
    check_indexes(&db);
    Ok(())
}

#[test]
fn in_place_edits_allocate_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    let posts: Vec<_> = (0..10)
        .map(|i| db.insert(post(alice, &format!("post {i}"))))
        .collect::<Result<_, _>>()?;
    let (n, ()) = allocations(|| {
        for &id in &posts {
            db.row_mut(id).expect("live").title.make_ascii_uppercase();
        }
        for (_, post) in db.rows_mut::<Post>() {
            post.title.make_ascii_lowercase();
        }
    });
    assert_eq!(n, 0, "row_mut and rows_mut allocated");
    assert_eq!(db.get(posts[3])?.title, "post 3");
    Ok(())
}

#[test]
fn nth_allocates_nothing_with_or_without_holes() -> Result<(), Error> {
    let mut db = common::db();
    let users = db.insert_many((0..100).map(|i| user(&i.to_string())))?;
    let (n, found) = allocations(|| {
        (0..100)
            .filter(|&i| db.table::<User>().nth(i).is_some())
            .count()
    });
    assert_eq!(
        (n, found),
        (0, 100),
        "nth on a table without holes allocated"
    );
    db.delete(users[10])?;
    db.delete(users[50])?;
    let (n, found) = allocations(|| {
        (0..100)
            .filter(|&i| db.table::<User>().nth(i).is_some())
            .count()
    });
    assert_eq!((n, found), (0, 98), "nth on a table with holes allocated");
    Ok(())
}

#[test]
fn inserts_into_a_reserved_table_allocate_nothing() -> Result<(), Error> {
    let mut db = common::db();
    db.reserve::<User>(1000)?;
    let rows: Vec<_> = (0..1000).map(|i| user(&i.to_string())).collect();
    let (n, inserted) = allocations(|| {
        let mut inserted = 0;
        for row in rows {
            db.insert(row).expect("no keys");
            inserted += 1;
        }
        inserted
    });
    assert_eq!(
        (n, inserted),
        (0, 1000),
        "inserts into a reserved table allocated"
    );
    Ok(())
}

#[test]
fn a_batch_into_a_reserved_table_allocates_only_its_ids() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    // Room in alice's and bob's child lists, and free slots in the table: children added,
    // then all but one deleted (a list that empties is dropped; one that shrinks keeps its
    // capacity).
    let warm = db.insert_many((0..200).map(|i| edited_post(alice, bob, &i.to_string())))?;
    db.retain::<Post>(|p| p.id() == warm[0])?;
    let batch: Vec<_> = (0..100)
        .map(|i| edited_post(alice, bob, &i.to_string()))
        .collect();
    let (n, ids) = allocations(|| db.insert_many(batch));
    let ids = ids.map_err(Error::from)?;
    assert_eq!(n, 1, "a batch allocated more than its ids");
    assert_eq!(child_ids(&db, PostAuthor, alice)[1..], ids);
    check_indexes(&db);
    Ok(())
}

#[test]
fn a_retain_that_keeps_every_row_allocates_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    db.insert_many((0..100).map(|i| post(alice, &i.to_string())))?;
    let (n, deleted) = allocations(|| db.retain::<Post>(|p| !p.title.is_empty()));
    assert_eq!((n, deleted?), (0, 0));
    Ok(())
}

/// `Related` without a default order reads the index in place, as `has_many` does.
#[test]
fn related_reads_without_a_default_order_allocate_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    for i in 0..10 {
        db.insert(post(alice, &format!("post {i}")))?;
    }
    let (n, total) = allocations(|| {
        let user = db.get(alice).expect("live");
        let forward: usize = user.related(PostAuthor).map(|p| p.title.len()).sum();
        let backward = (db.relation(PostAuthor).related(alice).expect("live"))
            .rev()
            .map(|p| p.value().title.len())
            .sum::<usize>();
        forward + backward
    });
    assert_eq!(n, 0, "related reads allocated");
    assert!(total > 0);
    Ok(())
}

#[test]
fn queries_that_do_not_sort_allocate_nothing() -> Result<(), Error> {
    let mut db = common::db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    db.insert(user("cy"))?;
    let posts: Vec<_> = (0..10)
        .map(|i| db.insert(edited_post(alice, bob, &format!("post {i}"))))
        .collect::<Result<_, _>>()?;
    for &p in &posts[..3] {
        db.insert(comment(p, bob, "!"))?;
    }
    let (n, total) = allocations(|| {
        let q = || db.query::<User>();
        let mut total = q().filter(|u| u.name.len() == 3).count();
        total += q().offset(1).limit(1).count();
        total += q().order_by(|u| u.value().name.as_str()).count();
        total += usize::from(q().filter(|u| u.name == "cy").exists());
        total += q().first().map_or(0, |u| u.name.len());
        total +=
            (q().order_by_desc(|u| u.value().name.as_str()).first()).map_or(0, |u| u.name.len());
        total += q()
            .filter(|u| u.name == "bob")
            .one()
            .map_or(0, |u| u.name.len());
        total += q().where_has(PostAuthor).count();
        total += q().where_has_not(CommentAuthor).ids().count();
        for (user, post) in q().filter(|u| u.name != "bob").join(PostAuthor).limit(5) {
            total += user.name.len() + post.title.len();
        }
        total += q()
            .join(PostAuthor)
            .filter(|(_, p)| p.title.ends_with('3'))
            .count();
        total += (db.children(PostAuthor, alice).expect("live"))
            .filter(|p| p.title.len() > 3)
            .offset(2)
            .count();
        for (comment, post) in db.through(CommentAuthor, CommentPost, bob).expect("live") {
            total += comment.body.len() + post.title.len();
        }
        total += usize::from(q().one().is_err()); // the error allocates nothing either
        total
    });
    assert_eq!(n, 0, "a query that does not sort allocated");
    assert!(total > 0);
    Ok(())
}

/// A borrowed tree is stored by level: loading one allocates a few buffers per level, however
/// many parents (22,001 `Vec`s for this tree if it held one per parent), and walking it
/// allocates nothing.
#[test]
fn a_borrowed_tree_allocates_per_level_and_its_walk_allocates_nothing() -> Result<(), Error> {
    use relstore::{Eager, Tree};
    let mut db = common::db();
    let bob = db.insert(user("bob"))?;
    for u in 0..2_000 {
        let user = db.insert(user(&format!("user {u}")))?;
        for p in 0..10 {
            let post = db.insert(post(user, &format!("post {p}")))?;
            for _ in 0..p % 4 {
                db.insert(comment(post, bob, "!"))?;
            }
        }
    }
    let spec = Eager::new(PostAuthor).with(CommentPost);
    let (n, tree) = allocations(|| Tree::load(db.table::<User>().iter(), spec));
    assert!(n <= 48, "a tree of 2,001 users allocated {n} times");
    let (n, rows) = allocations(|| {
        let mut rows = 0;
        for user in &tree {
            for post in user.with() {
                rows += 1 + post.with().iter().filter(|c| c.body == "!").count();
            }
        }
        rows
    });
    assert_eq!(
        (n, rows),
        (0, 2_000 * (10 + 13)),
        "walking the tree allocated"
    );
    Ok(())
}

mod indexed {
    use relstore::Model;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Serialize, Deserialize, Model)]
    pub struct Player {
        #[relstore(unique)]
        pub name: String,
        #[relstore(index)]
        pub guild: u32,
        #[relstore(ordered)]
        pub score: u64,
        #[relstore(ordered, unique)]
        pub tag: String,
    }

    relstore::schema! { pub struct Game { players: Player } relations {} }
}

#[test]
fn index_lookups_allocate_nothing() -> Result<(), Error> {
    use indexed::*;
    let mut db = relstore::Db::<Game>::new();
    db.insert_many((0..50).map(|i| Player {
        name: format!("p{i}"),
        guild: i % 5,
        score: u64::from(i % 7),
        tag: format!("t{i:02}"),
    }))?;
    let (n, total) = allocations(|| {
        let players = db.table::<Player>();
        let mut total = 0;
        total += players
            .get_by(PlayerByName, "p7")
            .map_or(0, |p| p.score as usize);
        total += usize::from(players.get_by(PlayerByName, "nobody").is_none());
        total += players.find(PlayerByGuild, &3).count();
        total += players
            .range(PlayerByScore, 2..5)
            .map(|p| p.guild as usize)
            .sum::<usize>();
        total += players.range(PlayerByScore, ..).rev().take(3).count();
        total += players.range(PlayerByTag, "t1".."t3").count();
        total += players.prefix(PlayerByTag, "t4").count();
        total += db
            .query_by(PlayerByGuild, &2)
            .filter(|p| p.score > 1)
            .count();
        total += db
            .query_range(PlayerByScore, 3..)
            .rev()
            .limit(4)
            .iter()
            .count();
        total
    });
    assert_eq!(n, 0, "index lookups allocated");
    assert!(total > 0);
    Ok(())
}

/// A default filter costs a test per child, never an allocation: `Related`, `children`,
/// `join`, `where_has`, `where_has_not` and `through` over a filtered relation.
mod filtered {
    use relstore::{Db, Error, Id, Model, Query};
    use serde::{Deserialize, Serialize};

    use super::allocations;

    #[derive(Clone, Serialize, Deserialize, Model)]
    struct Shelf {
        name: String,
    }
    #[derive(Clone, Serialize, Deserialize, Model)]
    struct Book {
        shelf: Id<Shelf>,
        reader: Option<Id<Shelf>>,
        lent: bool,
    }
    relstore::belongs_to!(OnShelf: Book.shelf -> Shelf, has_many, filter = |book| !book.lent);
    relstore::belongs_to!(ReadAt: Book.reader -> Shelf, has_many, on_delete = SetNull);
    relstore::schema! { struct Library { shelves: Shelf, books: Book } relations { OnShelf, ReadAt } }

    #[test]
    fn queries_over_a_filtered_relation_allocate_nothing() -> Result<(), Error> {
        let mut db = Db::<Library>::new();
        let shelves = ["a", "b", "c"].map(|name| db.insert(Shelf { name: name.into() }));
        let [a, b, _] = shelves.map(|shelf| shelf.unwrap());
        for i in 0..10 {
            let (lent, reader) = (i % 3 == 0, Some(b));
            db.insert(Book {
                shelf: a,
                reader,
                lent,
            })?;
        }
        db.insert(Book {
            shelf: b,
            reader: None,
            lent: true,
        })?;
        let (n, total) = allocations(|| {
            let shelf = db.get(a).expect("live");
            let mut total = shelf.related(OnShelf).count();
            total += Query::from_source(&db, shelf.related(OnShelf))
                .first()
                .map_or(0, |_| 1);
            total += db
                .children(OnShelf, a)
                .expect("live")
                .filter(|b| b.reader.is_some())
                .count();
            total += db.query::<Shelf>().where_has(OnShelf).count();
            total += db.query::<Shelf>().where_has_not(OnShelf).ids().count();
            total += db.query::<Shelf>().join(OnShelf).count();
            for (shelf, book) in db.query::<Shelf>().join(OnShelf).limit(4) {
                total += shelf.name.len() + usize::from(book.lent);
            }
            for (book, reader) in db.through(OnShelf, ReadAt, a).expect("live") {
                total += usize::from(!book.lent) + reader.name.len();
            }
            total
        });
        assert_eq!(n, 0, "a query over a filtered relation allocated");
        assert_eq!(total, 6 + 1 + 6 + 1 + 2 + 6 + 4 + 6 + 6);
        Ok(())
    }
}
