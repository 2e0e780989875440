//! A borrowed eager tree holds about what it keeps: a level's chunks stay within about twice
//! its rows (under three times for family sizes built to waste room), however many children
//! a filter drops (a tree that reserved each family's full size would hold 40x more here),
//! and a million children of one parent take twice their rows at most. The owned tree gives
//! back what a filter left empty too. Counted by a global allocator of live bytes, one test
//! at a time.

mod common;
mod live_bytes;

use common::*;
use std::sync::Mutex;

use relstore::{Eager, Owned, OwnedTree, Tree};

/// The byte count is the whole binary's: one test at a time, so none counts another's.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A level's entry: a `Row` (store, id, row reference) beside a unit slot.
const ENTRY: isize = 24;

#[test]
fn a_filter_that_drops_most_children_leaves_little_room_behind() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut db = common::db();
    for u in 0..200 {
        let user = db.insert(user(&format!("user {u}"))).unwrap();
        db.insert_many((0..400).map(|p| post(user, &p.to_string())))
            .unwrap();
    }
    let before = live_bytes::live();
    let spec = Eager::new(PostAuthor).filter(|p| p.title.ends_with("99"));
    let tree = Tree::load(db.table::<User>().iter(), spec);
    let held = live_bytes::live() - before;
    let kept: usize = tree.iter().map(|user| user.with().len()).sum();
    assert_eq!(kept, 200 * 4); // 99, 199, 299, 399
    // The roots (a row and a span each, 48 bytes) and the kept rows, twice over.
    let bound = 200 * 48 + 2 * 800 * ENTRY + 4096;
    assert!(
        held <= bound,
        "{held} bytes held for {kept} rows (bound {bound})"
    );
    drop(tree);

    // The owned tree, a `Vec` per user, gives back what the filter left empty.
    let before = live_bytes::live();
    let owned = OwnedTree::load(db.table::<User>().iter(), spec);
    let held = live_bytes::live() - before;
    let (user, post) = (
        size_of::<Owned<User, Vec<Owned<Post, ()>>>>(),
        size_of::<Owned<Post, ()>>(),
    );
    // Each user (and its name, under 16 bytes), twice its posts' room, and each title.
    let bound = (200 * (user + 16 + 2 * 4 * post) + 800 * 16 + 4096) as isize;
    assert!(
        held <= bound,
        "{held} bytes held by the owned tree (bound {bound})"
    );
    assert_eq!(owned.iter().map(|user| user.with.len()).sum::<usize>(), 800);
}

#[test]
fn one_big_family_holds_about_twice_its_rows() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut db = common::db();
    let ann = db.insert(user("ann")).unwrap();
    let small = db.insert(user("small")).unwrap();
    db.insert_many((0..3).map(|p| post(small, &p.to_string())))
        .unwrap();
    db.insert_many((0..1_000_000).map(|p| post(ann, &p.to_string())))
        .unwrap();
    let before = live_bytes::live();
    let tree = Tree::load([db.get(small).unwrap(), db.get(ann).unwrap()], PostAuthor);
    let held = live_bytes::live() - before;
    assert_eq!(tree.get(1).unwrap().with().len(), 1_000_000);
    let bound = 2 * 1_000_003 * ENTRY + 4096;
    assert!(
        held <= bound,
        "{held} bytes held for 1,000,003 rows (bound {bound})"
    );
}

/// Without a filter, each family's size is known before: families sized to just miss the last
/// chunk's room each start a chunk, and the level still holds under three times its rows.
#[test]
fn families_that_just_miss_each_chunk_hold_under_three_times_their_rows() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The chunk rule, replayed: a family one bigger than the last chunk's room.
    let (mut room, mut rows, mut sizes) = (0usize, 0usize, Vec::new());
    while rows < 5_000 {
        let size = room + 1;
        if room < size {
            room = rows + size;
        }
        (room, rows) = (room - size, rows + size);
        sizes.push(size);
    }
    let mut db = common::db();
    for size in &sizes {
        let user = db.insert(user("u")).unwrap();
        db.insert_many((0..*size).map(|p| post(user, &p.to_string())))
            .unwrap();
    }
    let held = |limit: usize| {
        let before = live_bytes::live();
        let tree = Tree::load(
            db.table::<User>().iter(),
            Eager::new(PostAuthor).limit(limit),
        );
        let rows: usize = tree.iter().map(|user| user.with().len()).sum();
        (live_bytes::live() - before, rows)
    };
    let ((roots, _), (all, rows)) = (held(0), held(usize::MAX));
    assert_eq!(rows, sizes.iter().sum::<usize>());
    let ratio = (all - roots) as f64 / (rows as isize * ENTRY) as f64;
    assert!(
        ratio < 3.0,
        "{rows} rows in {} families: {ratio:.2}x",
        sizes.len()
    );
}
