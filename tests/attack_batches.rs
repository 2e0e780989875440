//! Attack: bulk writes against unique indexes (swaps and cycles, an id given twice, nothing
//! changed, stale ids and duplicates at every position, has-one and unique duplicates side by
//! side), and ranges and queries at their edges (inverted, equal-excluded, near `u64::MAX`,
//! `&str` bounds, prefixes, `usize::MAX` windows).

use std::ops::Bound::{Excluded, Included, Unbounded};

use relstore::{Db, Id, Model, QueryError, WriteError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "players")]
pub struct Player {
    #[relstore(unique)]
    name: String,
    #[relstore(ordered, unique)]
    rank: u64,
    #[relstore(ordered)]
    title: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "badges")]
pub struct Badge {
    player: Option<Id<Player>>,
    #[relstore(unique)]
    code: u32,
}

relstore::belongs_to!(pub BadgeOf: Badge.player -> Player, has_one);
relstore::schema! { pub struct League { players: Player, badges: Badge } relations { BadgeOf } }

fn player(name: &str, rank: u64, title: &str) -> Player {
    Player {
        name: name.into(),
        rank,
        title: title.into(),
    }
}

fn league() -> (Db<League>, Vec<Id<Player>>) {
    let mut db = Db::<League>::new();
    let ids = db
        .insert_many([
            player("a", 1, "bard"),
            player("b", 2, "cleric"),
            player("c", 3, "druid"),
        ])
        .unwrap();
    (db, ids)
}

fn by_name(db: &Db<League>, name: &str) -> Option<Id<Player>> {
    db.table::<Player>()
        .get_by(PlayerByName, name)
        .map(|p| p.id())
}

fn by_rank(db: &Db<League>, rank: u64) -> Option<Id<Player>> {
    db.table::<Player>()
        .get_by(PlayerByRank, &rank)
        .map(|p| p.id())
}

#[test]
fn update_many_trades_unique_keys_in_a_cycle_on_hash_and_ordered_indexes() {
    let (mut db, ids) = league();
    let next = |n: &str| ["b", "c", "a"][(n.as_bytes()[0] - b'a') as usize].to_string();
    let n = db
        .update_many(ids.clone(), |p| {
            p.name = next(&p.name);
            p.rank = 4 - p.rank;
        })
        .unwrap();
    assert_eq!(n, 3);
    db.check_integrity().unwrap();
    assert_eq!(by_name(&db, "b"), Some(ids[0]));
    assert_eq!(by_name(&db, "c"), Some(ids[1]));
    assert_eq!(by_name(&db, "a"), Some(ids[2]));
    assert_eq!(by_rank(&db, 3), Some(ids[0]));
    assert_eq!(by_rank(&db, 2), Some(ids[1]));
    assert_eq!(by_rank(&db, 1), Some(ids[2]));
    // And back, given in the other order.
    let back: Vec<_> = ids.iter().rev().copied().collect();
    db.update_many(back, |p| p.rank = 4 - p.rank).unwrap();
    db.check_integrity().unwrap();
    assert_eq!(by_rank(&db, 1), Some(ids[0]));
}

#[test]
fn an_id_given_twice_is_changed_once_and_counted_once() {
    let (mut db, ids) = league();
    let mut calls = 0;
    let n = db
        .update_many([ids[0], ids[0], ids[1], ids[0]], |p| {
            calls += 1;
            p.rank += 10;
        })
        .unwrap();
    assert_eq!((n, calls), (2, 2));
    assert_eq!(db.get(ids[0]).unwrap().rank, 11);
    db.check_integrity().unwrap();
}

#[test]
fn an_update_many_that_changes_nothing_keeps_every_index() {
    let (mut db, ids) = league();
    assert_eq!(db.update_many(ids.clone(), |_| {}).unwrap(), 3);
    assert_eq!(db.update_many(Vec::new(), |_: &mut Player| {}).unwrap(), 0);
    db.check_integrity().unwrap();
    assert_eq!(by_name(&db, "b"), Some(ids[1]));
}

#[test]
fn update_many_names_the_first_refused_position_counting_duplicate_ids() {
    let (mut db, ids) = league();
    // A key held by a row outside the batch.
    let e = db
        .update_many([ids[2], ids[0]], |p| p.name = "b".into())
        .unwrap_err();
    assert_eq!(e.position, 0, "{e:?}");
    assert!(matches!(e.error, WriteError::Unique { .. }), "{e:?}");
    // A row that keeps its key while an earlier one takes it.
    let e = db.update_many([ids[0], ids[1]], |p| {
        if p.name == "a" {
            p.name = "b".into();
        }
    });
    let e = e.unwrap_err();
    assert_eq!(e.position, 1, "{e:?}");
    assert!(
        matches!(e.error, WriteError::UniqueInBatch { earlier: 0, .. }),
        "{e:?}"
    );
    // Positions count every id given, duplicates included.
    let e = db
        .update_many([ids[0], ids[0], ids[1]], |p| p.rank = 9)
        .unwrap_err();
    assert_eq!(e.position, 2, "{e:?}");
    assert!(
        matches!(e.error, WriteError::UniqueInBatch { earlier: 0, .. }),
        "{e:?}"
    );
    // A stale id before a duplicate, and after one.
    let gone = db.insert(player("gone", 50, "x")).unwrap();
    db.delete(gone).unwrap();
    let e = db.update_many([ids[0], ids[1], gone, ids[2]], |p| p.rank = 7);
    assert_eq!(e.unwrap_err().position, 1);
    let e = db.update_many([ids[0], gone, ids[1], ids[2]], |p| p.rank = 7);
    let e = e.unwrap_err();
    assert_eq!(e.position, 1);
    assert!(matches!(e.error, WriteError::NotFound(_)), "{e:?}");
    assert_eq!(e.rows.len(), 4);
    db.check_integrity().unwrap();
    assert_eq!(by_rank(&db, 1), Some(ids[0]));
}

#[test]
fn insert_many_names_the_first_refused_row_over_every_reason() {
    let (mut db, ids) = league();
    assert_eq!(db.insert_many(Vec::<Badge>::new()).unwrap(), []);
    let badge = |player: usize, code| Badge {
        player: Some(ids[player]),
        code,
    };
    // A has-one parent taken twice (1, 3) before a unique code taken twice (0, 4).
    let e = db
        .insert_many([
            badge(0, 1),
            badge(1, 2),
            badge(2, 3),
            badge(1, 4),
            badge(2, 1),
        ])
        .unwrap_err();
    assert_eq!(e.position, 3, "{e:?}");
    assert!(matches!(
        e.error,
        WriteError::HasOneTakenInBatch { earlier: 1, .. }
    ));
    // The other way round.
    let e = db
        .insert_many([badge(0, 1), badge(1, 1), badge(2, 3), badge(1, 4)])
        .unwrap_err();
    assert_eq!(e.position, 1, "{e:?}");
    assert!(matches!(
        e.error,
        WriteError::UniqueInBatch { earlier: 0, .. }
    ));
    // A row refused alone comes before a later duplicate pair.
    db.insert(Badge {
        player: None,
        code: 50,
    })
    .unwrap();
    let e = db
        .insert_many([badge(0, 1), badge(1, 50), badge(2, 1)])
        .unwrap_err();
    assert_eq!(e.position, 1, "{e:?}");
    assert!(matches!(e.error, WriteError::Unique { .. }));
    // Two unique indexes: the second's duplicate (1, 2) comes before the first's (0, 3).
    let e = db
        .insert_many([
            player("x", 10, "t"),
            player("y", 11, "t"),
            player("z", 11, "t"),
            player("x", 12, "t"),
        ])
        .unwrap_err();
    assert_eq!(e.position, 2, "{e:?}");
    assert_eq!(db.table::<Badge>().len(), 1);
    db.check_integrity().unwrap();
}

#[test]
fn ranges_at_their_edges_are_empty_or_exact_and_never_panic() {
    let mut db = Db::<League>::new();
    for (name, rank, title) in [
        ("top", u64::MAX, "émir"),
        ("next", u64::MAX - 1, "\u{10FFFF}x"),
        ("low", 0, "bard"),
        ("mid", 5, "baron"),
    ] {
        db.insert(player(name, rank, title)).unwrap();
    }
    let players = db.table::<Player>();
    let ranks = |r: (std::ops::Bound<u64>, std::ops::Bound<u64>)| -> Vec<u64> {
        players.range(PlayerByRank, r).map(|p| p.rank).collect()
    };
    assert_eq!(ranks((Included(u64::MAX), Unbounded)), [u64::MAX]);
    assert_eq!(ranks((Excluded(u64::MAX), Unbounded)), [0u64; 0]);
    assert_eq!(
        ranks((Excluded(u64::MAX - 1), Included(u64::MAX))),
        [u64::MAX]
    );
    assert_eq!(ranks((Included(5), Excluded(5))), [0u64; 0]);
    assert_eq!(ranks((Excluded(5), Excluded(5))), [0u64; 0]);
    assert_eq!(ranks((Excluded(5), Included(5))), [0u64; 0]);
    assert_eq!(ranks((Included(6), Included(5))), [0u64; 0]);
    let (hi, lo) = (9, 2);
    assert_eq!(players.range(PlayerByRank, hi..lo).count(), 0);
    let mut spent = 5..=5u64;
    spent.next();
    assert_eq!(players.range(PlayerByRank, spent).count(), 0);
    assert_eq!(
        players.range(PlayerByRank, ..).next_back().map(|p| p.rank),
        Some(u64::MAX)
    );
    let titles = |p: &str| -> Vec<String> {
        players
            .prefix(PlayerByTitle, p)
            .map(|p| p.title.clone())
            .collect()
    };
    assert_eq!(titles("").len(), 4);
    assert_eq!(titles("bar"), ["bard", "baron"]);
    assert_eq!(titles("é"), ["émir"]);
    assert_eq!(titles("\u{10FFFF}"), ["\u{10FFFF}x"]);
    assert_eq!(titles("\u{10FFFF}x!"), [""; 0]);
    let between: Vec<_> = players
        .range(PlayerByTitle, "bard".."bz")
        .map(|p| p.rank)
        .collect();
    assert_eq!(between, [0, 5]);
    assert_eq!(players.range(PlayerByTitle, "z".."a").count(), 0);
}

#[test]
fn query_windows_at_usize_max_and_one_errors() {
    let (db, ids) = league();
    let (hi, lo) = (3, 1);
    let q = || db.query::<Player>();
    assert_eq!(q().offset(usize::MAX).count(), 0);
    assert_eq!(q().offset(usize::MAX).all().len(), 0);
    assert_eq!(q().limit(usize::MAX).count(), 3);
    assert_eq!(q().offset(1).limit(usize::MAX).all().len(), 2);
    assert_eq!(
        q().order_by(|p| p.rank)
            .offset(usize::MAX)
            .limit(usize::MAX)
            .all()
            .len(),
        0
    );
    assert_eq!(
        q().order_by_desc(|p| p.rank)
            .offset(1)
            .limit(usize::MAX)
            .ids()
            .collect::<Vec<_>>(),
        [ids[1], ids[0]]
    );
    assert!(
        q().order_by(|p| p.rank)
            .offset(usize::MAX)
            .first()
            .is_none()
    );
    assert!(!q().offset(usize::MAX).exists());
    let e = q().one().unwrap_err();
    assert_eq!(
        e,
        QueryError::MoreThanOne {
            table: "players",
            joined: None
        }
    );
    let e = q().filter(|p| p.rank > 10).one().unwrap_err();
    assert_eq!(
        e,
        QueryError::NoMatch {
            table: "players",
            joined: None
        }
    );
    assert_eq!(
        q().order_by(|p| p.rank).offset(2).one().unwrap().id(),
        ids[2]
    );
    let top = db
        .query_range(PlayerByRank, ..)
        .rev()
        .offset(1)
        .limit(1)
        .one()
        .unwrap();
    assert_eq!(top.id(), ids[1]);
    assert!(db.query_by(PlayerByName, "zz").one().is_err());
    assert_eq!(db.query_range(PlayerByRank, hi..lo).count(), 0);
}
