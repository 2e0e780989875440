//! Big families through the public API: a parent with 20,000 children loses them one by one,
//! at random, by delete, cascade and move, and its list stays in creation order throughout.

mod common;

use common::*;
use relstore::{Db, Id};

/// xorshift64: the same moves in every run.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// A parent's children as the reference keeps them: (creation number, id), sorted.
type Family<T> = Vec<(u64, Id<T>)>;

fn ids<T: Copy>(family: &[(u64, T)]) -> Vec<T> {
    family.iter().map(|&(_, id)| id).collect()
}

fn insert_sorted<T>(family: &mut Family<T>, entry: (u64, Id<T>)) {
    let at = family.partition_point(|&(seq, _)| seq < entry.0);
    family.insert(at, entry);
}

#[track_caller]
fn check_posts(db: &Db<App>, author: Id<User>, expected: &Family<Post>) {
    let listed: Vec<_> = db.has_many(PostAuthor, author).unwrap().ids().collect();
    assert_eq!(listed, ids(expected));
}

#[track_caller]
fn check_comments(db: &Db<App>, author: Id<User>, expected: &Family<Comment>) {
    let listed: Vec<_> = db.has_many(CommentAuthor, author).unwrap().ids().collect();
    assert_eq!(listed, ids(expected));
}

#[test]
fn a_parent_of_twenty_thousand_loses_random_children_in_creation_order() {
    let mut db = db();
    let [ann, bob, cat] = ["ann", "bob", "cat"].map(|n| db.insert(user(n)).unwrap());
    let mut seq = 0..;
    let mut anns: Family<Post> = Vec::new();
    let mut bobs: Family<Post> = Vec::new();
    let mut cats: Family<Comment> = Vec::new();
    // Comments by cat, per post of ann's: deleting the post cascades to them.
    let mut comments_on: Vec<(Id<Post>, Vec<Id<Comment>>)> = Vec::new();
    for i in 0..20_000 {
        let id = db.insert(post(ann, &format!("post {i}"))).unwrap();
        anns.push((seq.next().unwrap(), id));
        if i % 50 == 0 {
            // Bob's posts interleave with ann's in creation order.
            let id = db.insert(post(bob, "bob's")).unwrap();
            bobs.push((seq.next().unwrap(), id));
        }
    }
    let mut comment_seq = 0..;
    for &(_, on) in anns.iter().step_by(40) {
        let written: Vec<_> = (0..8)
            .map(|_| db.insert(comment(on, cat, "hi")).unwrap())
            .collect();
        cats.extend(written.iter().map(|&id| (comment_seq.next().unwrap(), id)));
        comments_on.push((on, written));
    }
    check_posts(&db, ann, &anns);
    check_comments(&db, cat, &cats);
    check_indexes(&db);

    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let mut step = 0;
    while anns.len() > 100 {
        step += 1;
        let roll = rng.below(100);
        if roll < 70 {
            // Delete one of ann's posts; one with comments cascades to cat's.
            let (_, gone) = anns.remove(rng.below(anns.len()));
            db.delete(gone).unwrap();
            if let Some(at) = comments_on.iter().position(|&(on, _)| on == gone) {
                let (_, written) = comments_on.swap_remove(at);
                cats.retain(|(_, id)| !written.contains(id));
            }
        } else if roll < 85 {
            // Move one of ann's posts to bob: it goes to its place among bob's.
            let moved = anns.remove(rng.below(anns.len()));
            db.update(moved.1, |p| p.author_id = bob).unwrap();
            insert_sorted(&mut bobs, moved);
        } else if roll < 95 && !bobs.is_empty() {
            // Move one of bob's back, in place: to its place among ann's.
            let moved = bobs.remove(rng.below(bobs.len()));
            db.edit(moved.1, |p| p.author_id = ann).unwrap();
            insert_sorted(&mut anns, moved);
        } else {
            // Delete the newest or the oldest.
            let (_, gone) = match rng.below(2) {
                0 => anns.remove(0),
                _ => anns.pop().unwrap(),
            };
            db.delete(gone).unwrap();
            if let Some(at) = comments_on.iter().position(|&(on, _)| on == gone) {
                let (_, written) = comments_on.swap_remove(at);
                cats.retain(|(_, id)| !written.contains(id));
            }
        }
        if step % 100 == 0 || anns.len() < 400 {
            check_posts(&db, ann, &anns);
            check_posts(&db, bob, &bobs);
            check_comments(&db, cat, &cats);
            let mut back: Vec<_> = (db.has_many(PostAuthor, ann).unwrap().rev())
                .map(|p| p.id())
                .collect();
            back.reverse();
            assert_eq!(back, ids(&anns));
        }
        if step % 500 == 0 {
            check_indexes(&db);
        }
    }
    check_posts(&db, ann, &anns);
    check_posts(&db, bob, &bobs);
    check_comments(&db, cat, &cats);
    check_indexes(&db);
}
