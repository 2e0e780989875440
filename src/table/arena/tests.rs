use super::*;

fn image_of(arena: &Arena<u8>) -> (Vec<SlotImage<u8>>, Vec<u32>) {
    let image = arena
        .image()
        .map(|slot| match slot {
            SlotImage::Occupied { version, row } => SlotImage::Occupied { version, row: *row },
            SlotImage::Vacant { version } => SlotImage::Vacant { version },
        })
        .collect();
    (image, arena.free_list().collect())
}

#[test]
fn key_layout_is_index_then_version() {
    let mut arena = Arena::new();
    let first = arena.insert(1u8);
    let second = arena.insert(2);
    assert_eq!(slot_of(first), (1, 1));
    assert_eq!(slot_of(second), (2, 1));
    // slotmap's view of the same bits: the index is the low half.
    assert_eq!(first.data().as_ffi(), (1 << 32) | 1);
    arena.remove(first);
    let reused = arena.insert(3);
    assert_eq!(slot_of(reused), (1, 3)); // odd versions are occupied
    assert_eq!(arena.get(first), None);
}

#[test]
fn reserving_counts_free_slots_as_room() {
    let mut arena = Arena::new();
    let keys: Vec<_> = (0..4u8).map(|n| arena.insert(n)).collect();
    arena.remove(keys[1]);
    arena.remove(keys[3]);
    assert_eq!(arena.try_reserve(2), Ok(0));
    assert_eq!(arena.try_reserve(5), Ok(3));
    assert!(arena.slots.capacity() >= arena.slots.len() + 3);
}

#[test]
fn the_last_freed_slot_is_reused_first() {
    let mut arena = Arena::new();
    let keys: Vec<_> = (0..4u8).map(|n| arena.insert(n)).collect();
    arena.remove(keys[1]);
    arena.remove(keys[3]);
    assert_eq!(arena.free_list().collect::<Vec<_>>(), [4, 2]);
    assert_eq!(slot_of(arena.insert(9)).0, 4);
    assert_eq!(slot_of(arena.insert(9)).0, 2);
    assert_eq!(slot_of(arena.insert(9)).0, 5);
}

#[test]
fn a_slot_at_the_last_version_is_retired_not_reused() {
    let image = vec![SlotImage::Occupied {
        version: LAST_VERSION,
        row: 1u8,
    }];
    let mut arena = Arena::from_image(image, &[], 1).unwrap();
    let key = key_of(1, LAST_VERSION);
    assert_eq!(arena.remove(key), Some(1));
    assert_eq!(arena.free_list().count(), 0, "retired, not freed");
    assert_eq!(
        arena.try_reserve(1),
        Ok(1),
        "a retired slot is no room for a row"
    );
    assert_eq!(
        slot_of(arena.insert(2)).0,
        2,
        "a new slot, not the retired one"
    );
    // And it stays retired across an image.
    let (image, free) = image_of(&arena);
    let mut again = Arena::from_image(image, &free, 1).unwrap();
    assert_eq!(again.try_reserve(1), Ok(1), "still no room after an image");
    assert_eq!(slot_of(again.insert(3)).0, 3);
}

#[test]
fn an_image_restores_keys_free_list_order_and_retired_slots() {
    let mut arena = Arena::new();
    let keys: Vec<_> = (0..6u8).map(|n| arena.insert(n)).collect();
    for &k in &[keys[4], keys[0], keys[2]] {
        arena.remove(k);
    }
    let (image, free) = image_of(&arena);
    let mut copy = Arena::from_image(image, &free, arena.fresh_version()).unwrap();
    for &k in &keys {
        assert_eq!(copy.get(k), arena.get(k));
    }
    // The next ids are the ones the original would hand out.
    for n in 0..5 {
        assert_eq!(copy.insert(n), arena.insert(n));
    }
}

#[test]
fn a_bad_image_is_refused() {
    let odd_vacant = vec![SlotImage::<u8>::Vacant { version: 3 }];
    assert_eq!(
        Arena::from_image(odd_vacant, &[], 1).err(),
        Some(ImageError::Version { slot: 1 })
    );
    let vacant = || vec![SlotImage::<u8>::Vacant { version: 2 }];
    for free in [&[0][..], &[2], &[1, 1]] {
        assert!(matches!(
            Arena::from_image(vacant(), free, 1),
            Err(ImageError::FreeList { .. })
        ));
    }
    let occupied = vec![SlotImage::Occupied {
        version: 1,
        row: 0u8,
    }];
    assert!(Arena::from_image(occupied, &[1], 1).is_err());
}

#[test]
fn shrinking_gives_back_trailing_slots_and_keeps_old_ids_stale() {
    let mut arena = Arena::new();
    let keys: Vec<_> = (0..100u8).map(|n| arena.insert(n)).collect();
    for &k in &keys[1..] {
        arena.remove(k);
    }
    assert_eq!(arena.shrink_to_fit(), 2);
    assert_eq!(arena.free_list().count(), 0);
    for _ in 0..200 {
        let key = arena.insert(7);
        assert!(keys.iter().all(|&old| old != key), "an old id came back");
    }
    assert_eq!(arena.get(keys[0]), Some(&0));
}

/// The invariant `Arena::get` relies on (in release builds, without checking it): odd
/// versions exactly on occupied slots, through random inserts, removes, shrinks and
/// image round trips, slots near their last version included.
#[test]
fn odd_versions_are_exactly_the_occupied_slots() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut arena: Arena<u32> = Arena::new();
    let mut live: Vec<RowKey> = Vec::new();
    for step in 0..20_000 {
        match next(10) {
            0..=4 => live.push(arena.insert(step)),
            5..=7 if !live.is_empty() => {
                let key = live.swap_remove(next(live.len()));
                assert!(arena.remove(key).is_some());
            }
            8 => {
                arena.shrink_to_fit();
            }
            _ => {
                let (image, free) = image_of_rows(&arena);
                // Some slots close to their last version, to cross retirement.
                let image = image
                    .into_iter()
                    .map(|slot| match slot {
                        SlotImage::Vacant { version } if next(50) == 0 => SlotImage::Vacant {
                            version: version.max(LAST_VERSION - 1),
                        },
                        other => other,
                    })
                    .collect::<Vec<_>>();
                arena = Arena::from_image(image, &free, arena.fresh_version()).unwrap();
            }
        }
        for slot in &arena.slots[1..] {
            let occupied = matches!(slot, Slot::Occupied { .. });
            assert_eq!(slot.version() % 2 == 1, occupied, "step {step}");
        }
        for &key in &live {
            assert!(arena.get(key).is_some(), "step {step}: a live key misses");
        }
    }
}

fn image_of_rows(arena: &Arena<u32>) -> (Vec<SlotImage<u32>>, Vec<u32>) {
    let image = arena
        .image()
        .map(|slot| match slot {
            SlotImage::Occupied { version, row } => SlotImage::Occupied { version, row: *row },
            SlotImage::Vacant { version } => SlotImage::Vacant { version },
        })
        .collect();
    (image, arena.free_list().collect())
}
