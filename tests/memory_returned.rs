//! Memory comes back: after mass deletes, `Db::shrink_to_fit` returns what the rows' slots,
//! creation numbers and index lists held, measured by a counting allocator.

mod common;

mod live_bytes;

use common::*;
use live_bytes::live;

// One test in this binary, so that no other test allocates while it measures.
#[test]
fn shrinking_after_mass_deletes_gives_the_memory_back() {
    let before = live();
    let mut db = db();
    // The rows that stay come first, in the lowest slots; 2,000 users with 10 posts each
    // follow, and go by cascade.
    let ann = db.insert(user("ann")).unwrap();
    let kept: Vec<_> = (0..10)
        .map(|n| db.insert(post(ann, &format!("kept {n}"))).unwrap())
        .collect();
    let users: Vec<_> = (0..2_000)
        .map(|n| db.insert(user(&format!("user {n}"))).unwrap())
        .collect();
    for (n, &u) in users.iter().enumerate() {
        for k in 0..10 {
            db.insert(post(u, &format!("post {n}.{k}"))).unwrap();
        }
    }
    let full = live() - before;
    for &u in &users {
        db.delete(u).unwrap();
    }
    let deleted = live() - before;
    db.shrink_to_fit();
    let shrunk = live() - before;
    // The test's own id lists stay until the end.
    let ids = ((kept.capacity() + users.capacity()) * 8) as isize;
    assert!(
        deleted - ids > 1_000_000,
        "the empty slots and their creation numbers stay until shrinking: {deleted} B"
    );
    assert!(
        shrunk - ids < 16 * 1024,
        "after shrinking, 11 rows should hold a few KB, not {} B (full: {full} B, after the deletes: {deleted} B)",
        shrunk - ids
    );
    db.check_integrity().unwrap();
    assert_eq!(child_ids(&db, PostAuthor, ann), kept);
    for &u in &users {
        assert!(db.get(u).is_err());
    }
}
