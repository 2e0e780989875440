//! Memory that can come back does, and no old id comes back with it.

mod common;

use common::*;

#[test]
fn shrinking_after_mass_deletes_keeps_old_ids_stale_and_the_store_whole() {
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    let posts: Vec<_> = (0..10_000)
        .map(|n| db.insert(post(ann, &n.to_string())).unwrap())
        .collect();
    let kept = posts[..10].to_vec();
    for &p in &posts[10..] {
        db.delete(p).unwrap();
    }
    db.shrink_to_fit();
    db.check_integrity().unwrap();
    assert_eq!(child_ids(&db, PostAuthor, ann), kept);
    for n in 0..20_000 {
        let fresh = db.insert(post(ann, &n.to_string())).unwrap();
        assert!(!posts.contains(&fresh), "an old id came back: {fresh:?}");
    }
    for &p in &posts[10..] {
        assert!(db.get(p).is_err());
    }
    db.check_integrity().unwrap();
}

#[test]
fn a_big_cascade_leaves_the_store_usable_and_whole() {
    // The delete's scratch buffers grow past what is kept; the next deletes work as before.
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    for n in 0..5_000 {
        db.insert(post(ann, &n.to_string())).unwrap();
    }
    db.delete(ann).unwrap();
    let bob = db.insert(user("bob")).unwrap();
    let hi = db.insert(post(bob, "hi")).unwrap();
    db.delete(bob).unwrap();
    assert!(db.get(hi).is_err());
    db.check_integrity().unwrap();
}
