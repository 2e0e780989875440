use super::family::{BIG_AT, SMALL_AT};
use super::*;
use slotmap::{Key, KeyData};

fn key(index: u32, version: u32) -> RowKey {
    KeyData::from_ffi((u64::from(version) << 32) | u64::from(index)).into()
}

/// In these tests a child's creation number is its slot.
fn seq(child: RowKey) -> u64 {
    child.data().as_ffi() & u64::from(u32::MAX)
}

/// The child created `n`-th.
fn nth(n: u64) -> RowKey {
    key(u32::try_from(n).expect("small test numbers"), 1)
}

fn list(index: &FkIndex, parent: RowKey) -> Vec<RowKey> {
    index.children(parent).collect()
}

fn is_big(index: &FkIndex, parent: RowKey) -> bool {
    matches!(index.children.get(parent), Some(Family::Big(_)))
}

/// Checks the list's shape (see `Chunked::check`) and that every way of reading it agrees
/// with `expected`.
fn check(index: &FkIndex, parent: RowKey, expected: &[RowKey]) {
    if let Some(Family::Big(chunks)) = index.children.get(parent) {
        chunks.check();
    }
    assert_eq!(list(index, parent), expected);
    let keys = index.children(parent);
    assert_eq!(keys.len(), expected.len());
    assert_eq!(keys.first(), expected.first().copied());
    let mut backwards: Vec<_> = index.children(parent).rev().collect();
    backwards.reverse();
    assert_eq!(backwards, expected);
    // From both ends at once, meeting in the middle.
    let mut keys = index.children(parent);
    let (mut front, mut back) = (Vec::new(), Vec::new());
    while keys.len() > 0 {
        let before = keys.len();
        if (front.len() + back.len()) % 3 == 0 {
            back.push(keys.next_back().expect("len says one is left"));
        } else {
            front.push(keys.next().expect("len says one is left"));
        }
        assert_eq!(keys.len(), before - 1);
    }
    assert_eq!((keys.next(), keys.next_back()), (None, None));
    back.reverse();
    front.extend(back);
    assert_eq!(front, expected);
    // Folded whole, and what is left after a few from each end.
    let push = |mut seen: Vec<RowKey>, key| {
        seen.push(key);
        seen
    };
    assert_eq!(index.children(parent).fold(Vec::new(), push), expected);
    let mut keys = index.children(parent);
    let (skip_front, skip_back) = (
        expected.len().min(300),
        expected.len().saturating_sub(300).min(700),
    );
    for _ in 0..skip_front {
        keys.next();
    }
    for _ in 0..skip_back {
        keys.next_back();
    }
    let rest = &expected[skip_front..expected.len() - skip_back];
    assert_eq!(keys.fold(Vec::new(), push), rest);
}

#[test]
fn a_family_entry_is_as_small_as_a_vec() {
    assert_eq!(size_of::<Family>(), size_of::<Vec<RowKey>>());
}

#[test]
fn a_parent_whose_slot_was_reused_a_billion_times_keeps_its_children() {
    let old_parent = key(1, (1 << 31) | 1); // a version SecondaryMap::entry would refuse
    let mut index = FkIndex::default();
    index.link_newest(old_parent, key(7, 1), seq);
    index.link(old_parent, key(8, 1), 0, |_| 1);
    assert_eq!(list(&index, old_parent), [key(8, 1), key(7, 1)]);
    index.unlink(old_parent, key(7, 1), || 7);
    index.unlink(old_parent, key(8, 1), || 8);
    assert!(index.is_childless(old_parent));
    index.link(old_parent, key(9, 1), 0, |_| 0);
    assert_eq!(list(&index, old_parent), [key(9, 1)]);
}

#[test]
fn unlinking_many_children_keeps_the_others_in_order() {
    let parent = key(1, 1);
    let mut index = FkIndex::default();
    for i in 2..10 {
        index.link_newest(parent, nth(i), seq);
    }
    index.unlink_many(parent, [2, 5, 6, 9].map(|i| (i, nth(i))));
    assert_eq!(list(&index, parent), [3, 4, 7, 8].map(nth));
    index.unlink_many(parent, [3, 4, 7, 8].map(|i| (i, nth(i))));
    assert!(index.is_childless(parent));
}

#[test]
fn children_stay_in_creation_order() {
    let parent = key(1, 1);
    let mut index = FkIndex::default();
    for i in 2..6 {
        index.link_newest(parent, nth(i), seq);
    }
    index.unlink(parent, nth(3), || 3);
    index.link(parent, nth(3), 3, seq);
    check(&index, parent, &[2, 3, 4, 5].map(nth));
}

#[test]
fn a_family_turns_big_past_the_threshold_and_small_again_below_the_other() {
    let parent = key(1, 1);
    let mut index = FkIndex::default();
    let mut expected: Vec<_> = (1..=BIG_AT as u64).map(nth).collect();
    for &child in &expected {
        index.link_newest(parent, child, seq);
    }
    assert!(!is_big(&index, parent));
    let newest = BIG_AT as u64 + 1;
    index.link_newest(parent, nth(newest), seq);
    expected.push(nth(newest));
    assert!(is_big(&index, parent));
    check(&index, parent, &expected);

    // Oldest first, down to the small threshold: still big, then small.
    while expected.len() > SMALL_AT {
        let child = expected.remove(0);
        index.unlink(parent, child, || seq(child));
        assert!(is_big(&index, parent));
    }
    check(&index, parent, &expected);
    let child = expected.remove(0);
    index.unlink(parent, child, || seq(child));
    assert!(!is_big(&index, parent));
    check(&index, parent, &expected);

    // Small again, it grows big again at the same threshold, by links at their place.
    let mut n = seq(expected[0]);
    while expected.len() < BIG_AT {
        n -= 1;
        index.link(parent, nth(n), n, seq);
        expected.insert(0, nth(n));
    }
    assert!(n > 0);
    assert!(!is_big(&index, parent));
    index.link(parent, nth(0), 0, seq);
    expected.insert(0, nth(0));
    assert!(is_big(&index, parent));
    check(&index, parent, &expected);
}

/// A big family of children 1..=n, appended.
fn big_family(parent: RowKey, n: u64) -> (FkIndex, Vec<RowKey>) {
    let mut index = FkIndex::default();
    let expected: Vec<_> = (1..=n).map(nth).collect();
    for &child in &expected {
        index.link_newest(parent, child, seq);
    }
    assert!(is_big(&index, parent));
    (index, expected)
}

#[test]
fn a_big_family_loses_its_first_middle_and_last_children_in_order() {
    let parent = key(1, 1);
    let (mut index, mut expected) = big_family(parent, 5000);
    for at in [0, 2500, 4997, 1234, 0, 4000] {
        let child = expected.remove(at);
        index.unlink(parent, child, || seq(child));
        check(&index, parent, &expected);
    }
    let last = expected.pop().expect("many children");
    index.unlink(parent, last, || seq(last));
    check(&index, parent, &expected);
    // A child that is not there, and one given under a wrong number, change nothing.
    index.unlink(parent, last, || seq(last));
    index.unlink(parent, nth(99_999), || 3);
    check(&index, parent, &expected);
}

#[test]
fn a_big_family_links_a_child_at_its_place() {
    let parent = key(1, 1);
    let mut index = FkIndex::default();
    // Even numbers appended, then odd ones linked between them: chunks fill and split.
    let mut expected: Vec<_> = (1..=3000).map(|i| nth(2 * i)).collect();
    for &child in &expected {
        index.link_newest(parent, child, seq);
    }
    for i in (0..3000).rev() {
        let n = 2 * i + 1;
        index.link(parent, nth(n), n, seq);
        expected.insert(i as usize, nth(n));
        if i % 500 == 0 {
            check(&index, parent, &expected);
        }
    }
    // Past the newest, and before the oldest.
    index.link(parent, nth(10_000), 10_000, seq);
    index.link(parent, nth(0), 0, seq);
    expected.push(nth(10_000));
    expected.insert(0, nth(0));
    check(&index, parent, &expected);
}

#[test]
fn a_big_family_unlinks_many_in_one_pass() {
    let parent = key(1, 1);
    let (mut index, mut expected) = big_family(parent, 6000);
    // Whole chunks, runs across chunk ends, single children, and a stranger.
    let mut leaving: Vec<u64> = (1..=700)
        .chain(1000..1100)
        .chain((2000..6000).step_by(7))
        .collect();
    leaving.push(7000);
    index.unlink_many(parent, leaving.iter().map(|&n| (n, nth(n))));
    expected.retain(|&c| !leaving.contains(&seq(c)));
    check(&index, parent, &expected);
    // Nearly all: the rest is small.
    let leaving: Vec<_> = expected.iter().copied().skip(10).collect();
    index.unlink_many(parent, leaving.iter().map(|&c| (seq(c), c)));
    expected.truncate(10);
    assert!(!is_big(&index, parent));
    check(&index, parent, &expected);
    index.unlink_many(parent, expected.iter().map(|&c| (seq(c), c)));
    assert!(index.is_childless(parent));
}

#[test]
fn a_big_family_is_forgotten_with_its_parent() {
    let parent = key(1, 1);
    let (mut index, _) = big_family(parent, 3000);
    index.forget_parent(parent);
    assert!(index.is_childless(parent));
    check(&index, parent, &[]);
    assert_eq!(index, FkIndex::default());
}

#[test]
fn indexes_are_equal_by_content_whatever_their_shape() {
    let parent = key(1, 1);
    // Big, then shrunk to 500 children: big still (above SMALL_AT).
    let (mut big, _) = big_family(parent, 2000);
    for n in 501..=2000 {
        big.unlink(parent, nth(n), || n);
    }
    assert!(is_big(&big, parent));
    // The same 500, appended: small.
    let mut small = FkIndex::default();
    for n in 1..=500 {
        small.link_newest(parent, nth(n), seq);
    }
    assert!(!is_big(&small, parent));
    assert_eq!(big, small);
    assert_eq!(small, big);
    // Big and chunked differently: appended, or linked newest-first at their places.
    let (appended, _) = big_family(parent, 4000);
    let mut placed = FkIndex::default();
    for n in (1..=4000).rev() {
        placed.link(parent, nth(n), n, seq);
    }
    assert_eq!(appended, placed);
    // One child more, or a child less, or another child: not equal.
    small.link_newest(parent, nth(501), seq);
    assert_ne!(big, small);
    small.unlink(parent, nth(501), || 501);
    small.unlink(parent, nth(250), || 250);
    assert_ne!(big, small);
    small.link(parent, nth(250 + (1 << 20)), 250, seq);
    assert_ne!(big, small);
}

/// xorshift64: the model test's moves, the same in every run.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// Random links (newest and at a place), unlinks (one and many) on one parent whose family
/// grows past the big threshold and falls below the small one, several times, checked after
/// every step against a sorted `Vec` of (creation number, child).
#[test]
fn one_family_follows_a_sorted_vec_through_random_links_and_unlinks() {
    let parent = key(1, 1);
    for seed in [0x9E37_79B9_7F4A_7C15, 42, 7] {
        let mut rng = XorShift(seed);
        let mut index = FkIndex::default();
        let mut model: Vec<(u64, RowKey)> = Vec::new();
        let mut newest = 1u64 << 20; // linked at a place below it, appended above
        let (mut was_big, mut conversions) = (false, 0);
        for step in 0..20_000 {
            // Phases of growth and decay: the family crosses both thresholds both ways.
            let growing = (step / 4000) % 2 == 0;
            // Out of 100: link newest below the first, at a place below the second, unlink
            // one below the third, else many.
            let [newest_below, place_below, one_below] = match growing {
                true => [55, 80, 99],
                false => [10, 20, 97],
            };
            let roll = rng.below(100);
            match roll {
                _ if model.is_empty() || roll < newest_below => {
                    newest += 1 + rng.below(3) as u64;
                    index.link_newest(parent, nth(newest), seq);
                    model.push((newest, nth(newest)));
                }
                _ if roll < place_below => {
                    let n = rng.below(1 << 20) as u64;
                    if model.binary_search_by_key(&n, |&(s, _)| s).is_err() {
                        index.link(parent, nth(n), n, seq);
                        let at = model.partition_point(|&(s, _)| s < n);
                        model.insert(at, (n, nth(n)));
                    }
                }
                _ if roll < one_below => {
                    let (n, child) = model.remove(rng.below(model.len()));
                    index.unlink(parent, child, || n);
                }
                _ => {
                    // A random sorted subset, up to a twentieth, plus one that is not there.
                    let mut leaving: Vec<_> = (0..=rng.below(model.len() / 20 + 1))
                        .map(|_| model[rng.below(model.len())])
                        .collect();
                    leaving.sort_unstable();
                    leaving.dedup();
                    leaving.push((newest + 1, nth(newest + 1)));
                    index.unlink_many(parent, leaving.iter().copied());
                    model.retain(|entry| leaving.binary_search(entry).is_err());
                }
            }
            let expected: Vec<_> = model.iter().map(|&(_, child)| child).collect();
            if step % 16 == 0 || expected.len() < 2 * SMALL_AT {
                check(&index, parent, &expected);
            } else {
                assert_eq!(index.children(parent).len(), expected.len());
                assert!(index.children(parent).eq(expected.iter().copied()));
            }
            let big = is_big(&index, parent);
            assert!(!big || model.len() >= SMALL_AT, "big below the threshold");
            assert!(big || model.len() <= BIG_AT, "small above the threshold");
            conversions += usize::from(big != was_big);
            was_big = big;
        }
        assert!(conversions >= 4, "seed {seed}: {conversions} conversions");
    }
}
