//! Typed generational ids: value semantics, serde, Debug, staleness, raw bits, `AnyId`.
//!
//! That an `Id<User>` is rejected where an `Id<Post>` is expected is a compile-time property;
//! it is not checked here.

mod common;

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

use common::*;
use relstore::{AnyId, DeleteError, Error, Id, NotFound, WriteError};

#[test]
fn ids_are_copy_eq_ord_and_hash() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;

    let copy = alice; // Copy: `alice` stays usable
    assert_eq!(copy, alice);
    assert_ne!(alice, bob);

    assert_eq!(alice.cmp(&alice), Ordering::Equal);
    assert_ne!(alice.cmp(&bob), Ordering::Equal);
    assert_eq!(alice.cmp(&bob), bob.cmp(&alice).reverse());
    assert_eq!(alice.partial_cmp(&bob), Some(alice.cmp(&bob)));

    let hashed: HashSet<Id<User>> = [alice, bob, copy].into_iter().collect();
    let ordered: BTreeSet<Id<User>> = [bob, alice, copy].into_iter().collect();
    assert_eq!(hashed.len(), 2);
    assert_eq!(ordered.len(), 2);
    assert!(hashed.contains(&alice) && ordered.contains(&bob));
    Ok(())
}

#[test]
fn an_id_and_an_optional_id_are_one_word() {
    assert_eq!(size_of::<Id<User>>(), 8);
    assert_eq!(size_of::<Option<Id<User>>>(), 8); // an optional key costs nothing more
}

#[test]
fn ids_round_trip_through_serde() -> Result<(), Error> {
    let config = bincode::config::standard();
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;

    let bytes = bincode::serde::encode_to_vec(alice, config).unwrap();
    let (back, read): (Id<User>, usize) =
        bincode::serde::decode_from_slice(&bytes, config).unwrap();
    assert_eq!((back, read), (alice, bytes.len()));
    assert_ne!(back, bob);
    assert_eq!(db.get(back)?.name, "alice");

    // Ids stored in rows as foreign keys round-trip with the row.
    let hello = db.insert(edited_post(alice, bob, "hello"))?;
    let stored = db.get(hello)?.value().clone();
    let bytes = bincode::serde::encode_to_vec(&stored, config).unwrap();
    let (back, _): (Post, usize) = bincode::serde::decode_from_slice(&bytes, config).unwrap();
    assert_eq!(back, stored);
    assert_eq!(back.editor_id, Some(bob));
    Ok(())
}

#[test]
fn debug_names_the_table() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?;
    assert_eq!(format!("{alice:?}"), "Id<users>(1v1)");
    assert_eq!(format!("{hello:?}"), "Id<posts>(1v1)");
    Ok(())
}

#[test]
fn a_stale_id_is_not_found_even_after_its_slot_is_reused() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    assert_eq!(db.delete(alice)?.name, "alice");

    let bob = db.insert(user("bob"))?;
    assert_eq!(
        bob.to_bits() & 0xffff_ffff,
        alice.to_bits() & 0xffff_ffff,
        "bob reuses alice's slot"
    );
    assert_ne!(bob, alice);

    let gone = NotFound { id: alice.into() };
    assert_eq!(db.get(alice).err(), Some(gone));
    assert!(!db.contains(alice));
    assert!(db.table::<User>().get(alice).is_none());
    assert!(!db.table::<User>().contains(alice));
    assert_eq!(db.has_many(PostAuthor, alice).err(), Some(gone));
    assert_eq!(db.has_one(ProfileUser, alice).err(), Some(gone));
    assert_eq!(
        db.update(alice, |u| u.name = "mallory".into()).err(),
        Some(WriteError::NotFound(NotFound { id: alice.into() }))
    );
    assert_eq!(
        db.replace(alice, user("mallory")).err(),
        Some(WriteError::NotFound(NotFound { id: alice.into() }))
    );
    assert_eq!(
        db.delete(alice).err(),
        Some(DeleteError::NotFound(NotFound { id: alice.into() }))
    );

    // The stale handle never reached bob.
    assert_eq!(db.get(bob)?.name, "bob");
    assert_eq!(db.table::<User>().len(), 1);
    check_indexes(&db);
    Ok(())
}

#[test]
fn bits_round_trip() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let bits = alice.to_bits();
    assert_ne!(bits, bob.to_bits());
    let back = Id::<User>::from_bits(bits);
    assert_eq!(back, alice);
    assert_eq!(db.get(back)?.name, "alice");
    Ok(())
}

#[test]
fn any_bits_come_back_with_the_generation_made_odd() {
    // A generation a slotmap hands out is odd, so `from_bits` makes it odd (bit 32), as
    // slotmap's own `KeyData::from_ffi` does; every other bit comes back as given.
    for bits in [
        0,
        1,
        0xffff_ffff,
        1 << 32,
        2 << 32,
        u64::MAX,
        0x1234_5678_9abc_def0,
    ] {
        assert_eq!(
            Id::<User>::from_bits(bits).to_bits(),
            bits | 1 << 32,
            "{bits:#x}"
        );
    }
}

#[test]
fn ids_order_by_slot_then_generation() -> Result<(), Error> {
    let mut db = db();
    let first = db.insert(user("first"))?;
    let second = db.insert(user("second"))?;
    db.delete(first)?;
    let reused = db.insert(user("reused"))?; // first's slot, a later generation
    assert_eq!(
        reused.to_bits() & 0xffff_ffff,
        first.to_bits() & 0xffff_ffff
    );
    assert!(first < reused, "same slot: the older generation first");
    assert!(reused < second, "the slot decides before the generation");
    Ok(())
}

#[test]
fn garbage_bits_are_simply_not_found() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let hello = db.insert(post(alice, "hello"))?;
    let before = snapshot(&db);

    // 0 is the null slot, 9 a slot never used, the last one a generation never handed out.
    let stale_version = alice.to_bits() + (2 << 32);
    for bits in [0, 9, u64::MAX, 0xdead_beef_0000_0001, stale_version] {
        let user_id = Id::<User>::from_bits(bits);
        let post_id = Id::<Post>::from_bits(bits);
        let category_id = Id::<Category>::from_bits(bits);
        assert!(matches!(db.get(user_id), Err(NotFound { .. })), "{bits:#x}");
        assert!(!db.contains(user_id));
        assert!(matches!(
            db.has_many(PostAuthor, user_id),
            Err(NotFound { .. })
        ));
        assert!(matches!(
            db.has_one(ProfileUser, user_id),
            Err(NotFound { .. })
        ));
        assert!(matches!(
            db.belongs_to(PostAuthor, post_id),
            Err(NotFound { .. })
        ));
        assert!(matches!(
            db.update(post_id, |_| ()),
            Err(WriteError::NotFound(_))
        ));
        assert!(matches!(
            db.replace(post_id, post(alice, "x")),
            Err(WriteError::NotFound(_))
        ));
        assert!(matches!(
            db.delete_plan(user_id),
            Err(DeleteError::NotFound(_))
        ));
        assert!(matches!(
            db.delete(category_id),
            Err(DeleteError::NotFound(_))
        ));
        // As a foreign key, garbage is a missing parent.
        assert!(matches!(
            db.insert(post(user_id, "x")),
            Err(WriteError::MissingParent { .. })
        ));
        assert!(matches!(
            db.update(hello, |p| p.editor_id = Some(user_id)),
            Err(WriteError::MissingParent { .. })
        ));
    }
    assert_eq!(snapshot(&db), before);
    check_indexes(&db);
    Ok(())
}

#[test]
fn any_id_names_its_table_and_types_back() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let any = AnyId::from(alice);
    assert_eq!(any.table(), "users");
    assert_eq!(any.to_string(), "users#1v1");
    assert_eq!(format!("{any:?}"), "users#1v1");
    assert_eq!(any.typed::<User>(), Some(alice));
    assert_eq!(any.typed::<Post>(), None);
    assert_ne!(any, AnyId::from(Id::<Post>::from_bits(alice.to_bits())));
    Ok(())
}
