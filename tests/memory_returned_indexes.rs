//! Secondary indexes give memory back too: after mass deletes, `Db::shrink_to_fit` leaves a
//! store no bigger than one built from the rows that stay, measured by a counting allocator.

mod live_bytes;

use live_bytes::live;
use relstore::{Db, Model};
use serde::{Deserialize, Serialize};

/// A player under every kind of index.
#[derive(Clone, Serialize, Deserialize, Model)]
struct Player {
    #[relstore(unique)]
    name: String,
    #[relstore(ordered)]
    score: u32,
    #[relstore(index)]
    guild: u32,
    #[relstore(ordered, unique)]
    rank: u64,
}

relstore::schema! {
    struct Game { players: Player }
    relations {}
}

/// Player `n`: 1,000 scores and 100 guilds, so that many rows share each key.
fn player(n: u32) -> Player {
    Player {
        name: format!("player {n}"),
        score: n % 1_000,
        guild: n % 100,
        rank: u64::from(n),
    }
}

/// Bytes a store of players `0..n`, built fresh, holds once shrunk.
fn fresh(n: u32) -> isize {
    let before = live();
    let mut db = Db::<Game>::new();
    for i in 0..n {
        db.insert(player(i)).unwrap();
    }
    db.shrink_to_fit();
    let bytes = live() - before;
    drop(db);
    bytes
}

// One test in this binary, so that no other test allocates while it measures.
#[test]
fn shrinking_gives_back_what_the_secondary_indexes_held() {
    const KEPT: u32 = 1_000;
    let fresh = fresh(KEPT);

    let before = live();
    let mut db = Db::<Game>::new();
    // Players 0..1,000 stay, in the lowest slots, each the only row of its score; the 19,000
    // after them share those scores and guilds, and go.
    let ids: Vec<_> = (0..20 * KEPT)
        .map(|n| db.insert(player(n)).unwrap())
        .collect();
    let full = live() - before;
    for &id in &ids[KEPT as usize..] {
        db.delete(id).unwrap();
    }
    drop(ids);
    db.shrink_to_fit();
    let shrunk = live() - before;

    // The store still answers through every index.
    let players = db.table::<Player>();
    assert_eq!(players.len(), KEPT as usize);
    assert_eq!(players.find(PlayerByScore, &7).count(), 1);
    assert_eq!(players.find(PlayerByGuild, &7).count(), 10);
    assert!(players.get_by(PlayerByName, "player 999").is_some());
    assert_eq!(
        players.range(PlayerByRank, ..).next_back().unwrap().rank,
        999
    );
    assert!(db.check_integrity().is_ok());

    // Within a tenth of a fresh store: each key's list of rows, the hash tables and the
    // maps' nodes came back.
    assert!(
        shrunk <= fresh + fresh / 10,
        "shrunk to {shrunk} bytes from {full}; a fresh store of the same rows holds {fresh}"
    );
}
