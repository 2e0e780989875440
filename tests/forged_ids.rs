//! Made-up ids (`Id::from_bits` of any value: slot 0, huge slots, even or exhausted
//! versions) through every API: a typed error, never a panic, never another row.

mod common;

use common::*;
use relstore::{Id, WriteError};

fn forged_ids<T>() -> Vec<Id<T>> {
    let mut bits = vec![0, 1, u64::MAX, u64::from(u32::MAX), 1 << 32, 2 << 32 | 1];
    for slot in [
        0u64,
        1,
        2,
        3,
        10_000_000,
        u64::from(u32::MAX - 1),
        u64::from(u32::MAX),
    ] {
        for version in [
            0u64,
            1,
            2,
            3,
            4,
            u64::from(u32::MAX - 2),
            u64::from(u32::MAX - 1),
            u64::from(u32::MAX),
        ] {
            bits.push(version << 32 | slot);
        }
    }
    bits.into_iter().map(Id::from_bits).collect()
}

#[test]
fn forged_ids_are_errors_everywhere() {
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    let p = db.insert(post(ann, "p")).unwrap();
    db.insert(comment(p, ann, "c")).unwrap();
    let gone = db.insert(user("gone")).unwrap();
    db.delete(gone).unwrap();
    for u in forged_ids::<User>() {
        if u == ann {
            continue;
        }
        assert!(db.get(u).is_err(), "{u:?}");
        assert!(!db.contains(u));
        assert!(db.has_many(PostAuthor, u).is_err(), "{u:?}");
        assert!(db.has_one(ProfileUser, u).is_err(), "{u:?}");
        assert!(db.relation(PostAuthor).count(u).is_err(), "{u:?}");
        assert!(db.delete_plan(u).is_err(), "{u:?}");
        assert!(db.update(u, |x| x.name.push('!')).is_err());
        assert!(db.edit(u, |x| x.name.push('!')).is_err());
        assert!(db.replace(u, user("x")).is_err());
        assert!(db.delete(u).is_err());
        // Writing a forged key is refused.
        assert!(matches!(
            db.insert(post(u, "x")),
            Err(WriteError::MissingParent { .. })
        ));
        assert!(db.edit(p, |x| x.author_id = u).is_err());
        assert!(db.update(p, |x| x.editor_id = Some(u)).is_err());
        db.check_integrity().unwrap();
    }
    for q in forged_ids::<Post>() {
        if q == p {
            continue;
        }
        assert!(db.belongs_to(PostAuthor, q).is_err());
        assert!(db.belongs_to(PostEditor, q).is_err());
    }
    assert_eq!(db.get(p).unwrap().author_id, ann);
    db.check_integrity().unwrap();
}
