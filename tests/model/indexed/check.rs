//! After every step: every row and relation of the indexed game (the forum's generic checks),
//! `check_integrity`, and every index lookup against the reference's answer, worked out
//! naively from its rows: `get_by` and `find` for every key of the small domains (held or
//! not), `range` over a few random ranges (ascending and `.rev()`), `prefix` for the string
//! keys. Then the queries (`queries.rs`, `query_relations.rs`, `trees.rs`).

use std::ops::{Bound, RangeBounds};

use relstore::{Db, HasTable, Id, Row};

use super::generate::{GUILD_NAMES, LEVELS, NAMES, STEPS, TAGS};
use super::reference::GameRef;
use super::schema::*;
use crate::check::{relation_of, table_of};
use crate::ops::Stats;
use crate::reference::RefTable;
use crate::rng::Rng;

pub fn everything(
    db: &Db<Game>,
    r: &GameRef,
    rng: &mut Rng,
    stats: &mut Stats,
) -> Result<(), String> {
    db.check_integrity()
        .map_err(|e| format!("check_integrity: {e} ({e:?})"))?;
    table_of(db, &r.players, Player::eq)?;
    table_of(db, &r.guilds, Guild::eq)?;
    table_of(db, &r.quests, Quest::eq)?;
    table_of(db, &r.progress, Progress::eq)?;
    let (players, guilds, progress) = (&r.players, &r.guilds, &r.progress);
    let guild_of = keys(players, |p| p.guild);
    relation_of::<PlayerGuild, _, _>(db, &guild_of, &players.dead, guilds, Guild::eq)?;
    let leader_of = keys(guilds, |g| g.leader);
    relation_of::<GuildLeader, _, _>(db, &leader_of, &guilds.dead, players, Player::eq)?;
    let player_of = keys(progress, |p| Some(p.player));
    relation_of::<ProgressPlayer, _, _>(db, &player_of, &progress.dead, players, Player::eq)?;
    let quest_of = keys(progress, |p| Some(p.quest));
    relation_of::<ProgressQuest, _, _>(db, &quest_of, &progress.dead, &r.quests, Quest::eq)?;
    indexes(db, r, rng)?;
    super::queries::everything(db, r, rng, stats)?;
    super::query_relations::everything(db, r, rng)?;
    super::trees::everything(db, r, rng, stats)
}

/// Every live row of `table` with its key, in creation order.
fn keys<T, P>(
    table: &RefTable<T>,
    key: impl Fn(&T) -> Option<Id<P>>,
) -> Vec<(Id<T>, Option<Id<P>>)> {
    let rows = table.in_insertion_order().into_iter();
    rows.map(|rec| (rec.id, key(&rec.row))).collect()
}

/// The ids of the reference's rows that hold `key` (by `key_of`), in creation order.
pub(super) fn holding<T, K: PartialEq>(
    table: &RefTable<T>,
    key_of: impl Fn(&T) -> K,
    key: &K,
) -> Vec<Id<T>> {
    let rows = table.in_insertion_order().into_iter();
    rows.filter(|rec| key_of(&rec.row) == *key)
        .map(|rec| rec.id)
        .collect()
}

/// The ids of the reference's rows whose key lies in `range`, by key, ties in creation order.
pub(super) fn in_range<T, K: Ord>(
    table: &RefTable<T>,
    key_of: impl Fn(&T) -> K,
    range: &impl RangeBounds<K>,
) -> Vec<Id<T>> {
    let mut rows: Vec<_> = (table.in_insertion_order().into_iter())
        .map(|rec| (key_of(&rec.row), rec.id))
        .filter(|(key, _)| range.contains(key))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0)); // stable: ties stay in creation order
    rows.into_iter().map(|(_, id)| id).collect()
}

/// The ids of the rows a lookup gives.
pub(super) fn ids<'db, T>(rows: impl Iterator<Item = Row<'db, T, Game>>) -> Vec<Id<T>>
where
    T: relstore::Model,
    Game: HasTable<T>,
{
    rows.map(|row| row.id()).collect()
}

/// A random range over `domain` (sorted): each bound included, excluded or open, at times
/// inverted or empty.
pub(super) fn random_range<K: Clone>(rng: &mut Rng, domain: &[K]) -> (Bound<K>, Bound<K>) {
    let bound = |rng: &mut Rng| {
        let key = domain[rng.below(domain.len())].clone();
        match rng.below(3) {
            0 => Bound::Included(key),
            1 => Bound::Excluded(key),
            _ => Bound::Unbounded,
        }
    };
    (bound(rng), bound(rng))
}

/// `range` over `index` for `ranges` random ranges, ascending and backwards, against
/// [`in_range`].
macro_rules! ranges {
    ($db:expr, $t:ty, $table:expr, $index:expr, $key:expr, $domain:expr, $rng:expr) => {{
        let store = $db.table::<$t>();
        for _ in 0..3 {
            let range = random_range($rng, $domain);
            let want = in_range($table, $key, &range);
            let got = ids(store.range($index, range.clone()));
            ensure_eq!(got, want, "{:?} range {range:?}", $index);
            let mut back: Vec<_> = store
                .range($index, range.clone())
                .rev()
                .map(|row| row.id())
                .collect();
            back.reverse();
            ensure_eq!(back, want, "{:?} range {range:?}, .rev()", $index);
        }
        let all = ids(store.range($index, ..));
        ensure_eq!(all, in_range($table, $key, &(..)), "{:?} range ..", $index);
    }};
}

fn indexes(db: &Db<Game>, r: &GameRef, rng: &mut Rng) -> Result<(), String> {
    let (players, guilds, progress) = (&r.players, &r.guilds, &r.progress);
    let store = db.table::<Player>();

    // Unique, ordered: players by name.
    let name = |p: &Player| p.name.clone();
    let mut names: Vec<String> = NAMES.iter().map(|&n| n.into()).collect();
    names.extend(["", "c", "abba"].map(String::from));
    names.sort();
    for key in &names {
        let want = holding(players, name, key);
        let got = store.get_by(PlayerByName, key.as_str()).map(|row| row.id());
        ensure_eq!(got, want.first().copied(), "PlayerByName get_by {key:?}");
        ensure_eq!(
            ids(store.find(PlayerByName, key.as_str())),
            want,
            "PlayerByName find {key:?}"
        );
        let prefix: Vec<_> = store
            .prefix(PlayerByName, key)
            .map(|row| row.id())
            .collect();
        let from = in_range(
            players,
            name,
            &(Bound::Included(key.clone()), Bound::Unbounded),
        );
        let want: Vec<_> = (from.into_iter())
            .filter(|id| {
                players
                    .get(*id)
                    .is_some_and(|p| p.name.starts_with(key.as_str()))
            })
            .collect();
        ensure_eq!(prefix, want, "PlayerByName prefix {key:?}");
    }
    ranges!(db, Player, players, PlayerByName, name, &names, rng);
    let (a, b) = (
        names[rng.below(names.len())].as_str(),
        names[rng.below(names.len())].as_str(),
    );
    let want = in_range(players, name, &(a.to_string()..b.to_string()));
    ensure_eq!(
        ids(store.range(PlayerByName, a..b)),
        want,
        "PlayerByName range {a:?}..{b:?}"
    );

    // Ordered: players by level.
    let level = |p: &Player| p.level;
    let levels: Vec<u32> = (0..=LEVELS).collect();
    for key in &levels {
        ensure_eq!(
            ids(store.find(PlayerByLevel, key)),
            holding(players, level, key),
            "PlayerByLevel find {key}"
        );
    }
    ranges!(db, Player, players, PlayerByLevel, level, &levels, rng);
    let top = rng.below(LEVELS as usize) as u32;
    ensure_eq!(
        ids(store.range(PlayerByLevel, top..)),
        in_range(players, level, &(top..)),
        "PlayerByLevel {top}.."
    );
    ensure_eq!(
        ids(store.range(PlayerByLevel, ..=top)),
        in_range(players, level, &(..=top)),
        "PlayerByLevel ..={top}"
    );

    // Hash, over an optional key set to null: players by guild.
    let guild = |p: &Player| p.guild;
    let keys = (guilds.ids().map(Some))
        .chain(guilds.dead.iter().rev().take(3).copied().map(Some))
        .chain([None]);
    for key in keys {
        let got: Vec<_> = store.find(PlayerByGuild, &key).ids().collect();
        ensure_eq!(
            got,
            holding(players, guild, &key),
            "PlayerByGuild find {key:?}"
        );
    }

    // Unique: guilds by tag (ordered) and by name (hash).
    let store = db.table::<Guild>();
    let tag = |g: &Guild| g.tag;
    let tags: Vec<u8> = (0..=TAGS).collect();
    for key in &tags {
        let want = holding(guilds, tag, key);
        ensure_eq!(
            store.get_by(GuildByTag, key).map(|row| row.id()),
            want.first().copied(),
            "GuildByTag get_by {key}"
        );
        ensure_eq!(
            ids(store.find(GuildByTag, key)),
            want,
            "GuildByTag find {key}"
        );
    }
    ranges!(db, Guild, guilds, GuildByTag, tag, &tags, rng);
    for key in GUILD_NAMES.iter().chain(&["none"]) {
        let want = holding(guilds, |g: &Guild| g.name.clone(), &key.to_string());
        ensure_eq!(
            store.get_by(GuildByName, *key).map(|row| row.id()),
            want.first().copied(),
            "GuildByName get_by {key}"
        );
        ensure_eq!(
            ids(store.find(GuildByName, *key)),
            want,
            "GuildByName find {key}"
        );
    }

    // Composite: progress by (player, quest), unique; by (quest, step), ordered.
    let store = db.table::<Progress>();
    let pair = |p: &Progress| (p.player, p.quest);
    let player_ids = players.ids().chain(players.dead.last().copied());
    for player in player_ids {
        for quest in r.quests.ids().chain(r.quests.dead.last().copied()) {
            let key = (player, quest);
            let want = holding(progress, pair, &key);
            let got = store
                .get_by(ProgressByPlayerQuest, &key)
                .map(|row| row.id());
            ensure_eq!(
                got,
                want.first().copied(),
                "ProgressByPlayerQuest get_by {key:?}"
            );
        }
    }
    let by_step = |p: &Progress| (p.quest, p.step);
    let mut domain: Vec<_> = (r.quests.ids().chain(r.quests.dead.last().copied()))
        .flat_map(|q| (0..=STEPS).map(move |s| (q, s)))
        .collect();
    domain.sort();
    if !domain.is_empty() {
        ranges!(
            db,
            Progress,
            progress,
            ProgressByQuestStep,
            by_step,
            &domain,
            rng
        );
    }
    for quest in r.quests.ids() {
        let want = in_range(progress, by_step, &((quest, 0)..=(quest, STEPS)));
        let got = ids(store.range(ProgressByQuestStep, (quest, 0)..=(quest, STEPS)));
        ensure_eq!(
            got,
            want,
            "ProgressByQuestStep: quest {quest:?}'s rows by step"
        );
    }
    Ok(())
}
