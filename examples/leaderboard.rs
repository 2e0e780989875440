//! A game's leaderboard: players with a unique name and an ordered score, in guilds.
//!
//! The top k is the score index walked from its high end (`query_range(..).rev().limit(k)`),
//! with no sort and no scan; a range of scores, a player's rank and a name prefix are index
//! ranges too. A season reset is one all-or-nothing `update_where`; the per-frame bookkeeping
//! on unindexed fields goes through `rows_mut`, at the cost of `&mut`. Each step asserts what
//! it prints. Run with `cargo run --release --example leaderboard`.

use std::error::Error;
use std::ops::Bound::{Excluded, Unbounded};

use relstore::{Db, Id, Model, WriteError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "guilds")]
struct Guild {
    #[relstore(unique)]
    name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "players")]
struct Player {
    #[relstore(ordered, unique)] // unique, and ordered for prefix search
    name: String,
    #[relstore(ordered)] // `PlayerByScore`: the leaderboard itself
    score: u32,
    guild: Option<Id<Guild>>,
    games_played: u32, // unindexed: editable in place
    last_seen: u64,
}

// A disbanded guild leaves its players guildless, not deleted.
relstore::belongs_to!(GuildMember: Player.guild -> Guild, has_many, on_delete = SetNull);

relstore::schema! {
    struct Game { guilds: Guild, players: Player }
    relations { GuildMember }
}

/// The `k` best players, best first: the score index from its high end.
fn top(db: &Db<Game>, k: usize) -> Vec<(&str, u32)> {
    db.query_range(PlayerByScore, ..)
        .rev()
        .limit(k)
        .iter()
        .map(|p| (p.value().name.as_str(), p.score))
        .collect()
}

/// A player's rank: 1 + how many score strictly more (a range count, no scan of the rest).
fn rank(db: &Db<Game>, name: &str) -> Result<usize, Box<dyn Error>> {
    let player = db.query_by(PlayerByName, name).one()?;
    let above = db.query_range(PlayerByScore, (Excluded(player.score), Unbounded));
    Ok(above.count() + 1)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut db = Db::<Game>::new();
    let owls = db.insert(Guild {
        name: "Night Owls".into(),
    })?;
    let tide = db.insert(Guild {
        name: "Tide".into(),
    })?;
    let roster = [
        ("drake", 2450, Some(owls)),
        ("dragonfly", 1830, None),
        ("ember", 3120, Some(owls)),
        ("frost", 990, Some(tide)),
        ("gale", 1460, Some(tide)),
        ("hex", 2780, Some(tide)),
        ("ion", 40, Some(owls)),
    ];
    let players = roster.map(|(name, score, guild)| Player {
        name: name.into(),
        score,
        guild,
        games_played: 0,
        last_seen: 0,
    });
    let ids = db.insert_many(players)?;
    println!(
        "{} players in {} guilds",
        ids.len(),
        db.table::<Guild>().len()
    );

    // A name is taken once: a new player or a rename onto it is refused, nothing changes.
    let copycat = Player {
        name: "ember".into(),
        score: 0,
        guild: None,
        games_played: 0,
        last_seen: 0,
    };
    let taken = db.insert(copycat).unwrap_err();
    assert!(matches!(taken, WriteError::Unique { .. }));
    println!("a second 'ember': {taken}");
    let ion = db.query_by(PlayerByName, "ion").one()?.id();
    let rename = db.update(ion, |p| p.name = "hex".into()).unwrap_err();
    assert!(matches!(rename, WriteError::Unique { .. }));

    // ---- Top k, ranges, ranks, prefixes: all index walks ----
    let podium = top(&db, 3);
    println!("\ntop 3: {podium:?}");
    assert_eq!(podium, [("ember", 3120), ("hex", 2780), ("drake", 2450)]);
    // Silver league: 1000 to 1999 points, lowest first.
    let silver: Vec<&str> = (db.query_range(PlayerByScore, 1000..2000))
        .iter()
        .map(|p| p.value().name.as_str())
        .collect();
    println!("silver league (1000..2000): {silver:?}");
    assert_eq!(silver, ["gale", "dragonfly"]);
    // The best of the players under 2000 who are in a guild: filters run on the walk.
    let best_under = (db.query_range(PlayerByScore, ..2000).rev())
        .filter(|p| p.guild.is_some())
        .first()
        .map(|p| p.value().name.as_str());
    assert_eq!(best_under, Some("gale"));
    println!("drake's rank: {}", rank(&db, "drake")?);
    assert_eq!(rank(&db, "drake")?, 3);
    let dra: Vec<&str> = (db.table::<Player>().prefix(PlayerByName, "dra"))
        .map(|p| p.value().name.as_str())
        .collect();
    println!("names starting with 'dra': {dra:?}");
    assert_eq!(dra, ["dragonfly", "drake"]);

    // A guild's own board: its members from the foreign-key index, best two.
    let tide_best: Vec<&str> = (db.children(GuildMember, tide)?)
        .order_by_desc(|p| p.score)
        .limit(2)
        .iter()
        .map(|p| p.value().name.as_str())
        .collect();
    println!("Tide's best two: {tide_best:?}");
    assert_eq!(tide_best, ["hex", "gale"]);

    // ---- A match: scores change through the store, which moves the row in the index ----
    let frost = db.query_by(PlayerByName, "frost").one()?.id();
    db.update(frost, |p| p.score += 2000)?;
    println!("\nfrost wins big: top 3 is now {:?}", top(&db, 3));
    assert_eq!(top(&db, 2), [("ember", 3120), ("frost", 2990)]);

    // ---- The frame loop: in-place edits of unindexed fields ----
    // `rows_mut` lends each row's view: `games_played` and `last_seen` by `&mut`; the name,
    // the score (indexed) and the guild (a key) by `&`, so no index can go stale here.
    for frame in 1..=3u64 {
        for (_id, player) in db.rows_mut::<Player>() {
            if *player.score > 1000 {
                *player.games_played += 1;
                *player.last_seen = frame;
            }
        }
    }
    let active = (db.query::<Player>())
        .filter(|p| p.games_played == 3)
        .count();
    println!("{active} players active over 3 frames");
    assert_eq!(active, 6);

    // ---- Season reset: every score down to a tenth, all or nothing ----
    // Player.update_all(score = score / 10).where('score > 0')
    let reset = db.update_where::<Player>(|p| p.score > 0, |p| p.score /= 10)?;
    println!(
        "\nseason reset: {reset} scores cut; top 3 {:?}",
        top(&db, 3)
    );
    assert_eq!(reset, 7);
    assert_eq!(top(&db, 3), [("ember", 312), ("frost", 299), ("hex", 278)]);
    // The stats kept through the reset.
    let ember = db.query_by(PlayerByName, "ember").one()?;
    assert_eq!((ember.games_played, ember.last_seen), (3, 3));

    // ---- A guild disbands: its players stay, guildless (set null) ----
    db.delete(owls)?;
    let guildless = db.query::<Player>().filter(|p| p.guild.is_none()).count();
    println!("Night Owls disbanded: {guildless} players without a guild");
    assert_eq!(guildless, 4);
    assert_eq!(db.table::<Player>().len(), 7);
    db.check_integrity()?;
    Ok(())
}
