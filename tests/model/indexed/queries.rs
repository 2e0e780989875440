//! After every step, queries against the reference's answers, worked out from its rows by
//! scans and stable sorts (never through the store's indexes): a query per table with a
//! filter, an order drawn at random (a key with many ties, ascending or descending, creation
//! order or ids breaking the ties, creation order alone, none) and a window; a cross product
//! of quests, big enough for the top-k selection to cut (limits on both sides of 64); and
//! `query_by` / `query_range` (`rev`, windows) over the indexes. Every query is read every way
//! ([`reads`]). The parameters come from the check's RNG, so a replay draws the same ones.

use std::cmp::Reverse;
use std::fmt::Debug;

use relstore::query::{Order, QueryItem};
use relstore::{Db, HasTable, Id, Model, Query, QueryError, Row};

use super::check::{holding, in_range, random_range};
use super::generate::{LEVELS, NAMES, STEPS, TAGS};
use super::reference::{GameModel, GameRef};
use super::schema::*;
use crate::ops::{Stats, count};
use crate::reference::Rec;
use crate::rng::Rng;

pub fn everything(
    db: &Db<Game>,
    r: &GameRef,
    rng: &mut Rng,
    stats: &mut Stats,
) -> Result<(), String> {
    table::<Player>(db, r, rng)?;
    table::<Guild>(db, r, rng)?;
    table::<Quest>(db, r, rng)?;
    table::<Progress>(db, r, rng)?;
    cross(db, r, rng, stats)?;
    by_index(db, r, rng)
}

/// What the queries read of a table's rows: a key with many ties to order by, and a filter
/// that keeps about three rows in four, a different three for each salt.
pub trait Sample: GameModel
where
    Game: HasTable<Self>,
{
    type Key: Ord + Clone + Debug;
    fn key(&self) -> Self::Key;
    fn keep(&self, salt: u64) -> bool;
}

/// Whether a filter salted with `salt` keeps a row that hashes to `x`.
fn kept(x: u64, salt: u64) -> bool {
    (x ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 62 != 0
}

impl Sample for Player {
    type Key = u32;
    fn key(&self) -> u32 {
        self.level
    }
    fn keep(&self, salt: u64) -> bool {
        kept(u64::from(self.level) << 8 | self.name.len() as u64, salt)
    }
}

impl Sample for Guild {
    type Key = u8;
    fn key(&self) -> u8 {
        self.tag / 2
    }
    fn keep(&self, salt: u64) -> bool {
        kept(u64::from(self.tag) << 8 | self.name.len() as u64, salt)
    }
}

impl Sample for Quest {
    type Key = u32;
    fn key(&self) -> u32 {
        self.reward / 8
    }
    fn keep(&self, salt: u64) -> bool {
        kept(u64::from(self.reward) << 8 | self.title.len() as u64, salt)
    }
}

impl Sample for Progress {
    type Key = u32;
    fn key(&self) -> u32 {
        self.step
    }
    fn keep(&self, salt: u64) -> bool {
        kept(u64::from(self.step) << 8 | self.note.len() as u64, salt)
    }
}

/// An offset and a limit: none, small, about the number of items, or on either side of 64
/// (the least room of the top-k buffer, past which it cuts).
#[derive(Clone, Copy, Debug)]
pub struct Window {
    offset: usize,
    limit: Option<usize>,
}

impl Window {
    pub fn random(rng: &mut Rng, items: usize) -> Window {
        let offset = match rng.below(4) {
            0 | 1 => 0,
            2 => rng.below(3),
            _ => rng.below(items + 2),
        };
        let limit = match rng.below(5) {
            0 => None,
            1 => Some(rng.below(4)),
            2 => Some(rng.below(items + 2)),
            _ => Some([10, 63, 64, 65, 100, 129, 200][rng.below(7)]),
        };
        Window { offset, limit }
    }

    pub fn apply<'db, I, O>(self, query: Query<'db, Game, I, O>) -> Query<'db, Game, I, O>
    where
        I: Iterator,
        O: Order<I::Item>,
    {
        let query = query.offset(self.offset);
        match self.limit {
            Some(n) => query.limit(n),
            None => query,
        }
    }

    /// The reference's items within the window.
    pub fn cut<X>(self, items: impl IntoIterator<Item = X>) -> Vec<X> {
        let limit = self.limit.unwrap_or(usize::MAX);
        items.into_iter().skip(self.offset).take(limit).collect()
    }
}

/// `items` sorted by `key`, stably: ties keep their order.
pub fn sorted<X, K: Ord>(mut items: Vec<X>, key: impl Fn(&X) -> K) -> Vec<X> {
    items.sort_by_key(key);
    items
}

/// The query `query` makes, read every way against `want` (its items, by `id`): `all` (item
/// by item), a fold (`Window`'s and `Join`'s own), `first`, `count`, `exists`, and `one`,
/// whose errors name `tables`.
pub fn reads<'db, I, O, X>(
    what: &str,
    query: impl Fn() -> Query<'db, Game, I, O>,
    id: impl Fn(&I::Item) -> X,
    want: &[X],
    tables: (&'static str, Option<&'static str>),
) -> Result<(), String>
where
    I: Iterator,
    I::Item: QueryItem,
    O: Order<I::Item>,
    X: PartialEq + Debug,
{
    let all: Vec<X> = query().all().iter().map(&id).collect();
    ensure_eq!(all, want, "{what}: all");
    let folded = query().iter().fold(Vec::new(), |mut items, item| {
        items.push(id(&item));
        items
    });
    ensure_eq!(folded, want, "{what}: fold");
    let first = query().first().map(|item| id(&item));
    ensure_eq!(first.as_ref(), want.first(), "{what}: first");
    ensure_eq!(query().count(), want.len(), "{what}: count");
    ensure_eq!(query().exists(), !want.is_empty(), "{what}: exists");
    let (table, joined) = tables;
    let expected = match want {
        [only] => Ok(only),
        [] => Err(QueryError::NoMatch { table, joined }),
        _ => Err(QueryError::MoreThanOne { table, joined }),
    };
    let one = query().one().map(|item| id(&item));
    ensure_eq!(one.as_ref().map_err(|e| *e), expected, "{what}: one");
    Ok(())
}

/// The id of a row, as [`reads`] compares it.
pub fn row_id<T: Model>(row: &Row<'_, T, Game>) -> Id<T>
where
    Game: HasTable<T>,
{
    row.id()
}

/// The ids of a pair of rows, as [`reads`] compares them.
pub fn pair_ids<A: Model, B: Model>(pair: &(Row<'_, A, Game>, Row<'_, B, Game>)) -> (Id<A>, Id<B>)
where
    Game: HasTable<A> + HasTable<B>,
{
    (pair.0.id(), pair.1.id())
}

/// The ids of the reference's rows.
pub fn rec_ids<T>(recs: Vec<&Rec<T>>) -> Vec<Id<T>> {
    recs.into_iter().map(|rec| rec.id).collect()
}

/// One query over table `T`: a salted filter, an order drawn at random, a window.
fn table<T: Sample>(db: &Db<Game>, r: &GameRef, rng: &mut Rng) -> Result<(), String>
where
    Game: HasTable<T>,
{
    let rows = T::of(r);
    let salt = rng.next_u64();
    let window = Window::random(rng, rows.rows.len());
    let keep = move |row: &T| row.keep(salt);
    let mut slot = rows.in_slot_order();
    slot.retain(|rec| keep(&rec.row));
    let query = || db.query::<T>().filter(move |row| keep(row.value()));
    let key = |row: &Row<'_, T, Game>| row.value().key();
    let id = row_id::<T>;
    let tables = (T::TABLE, None);
    let want = |recs: Vec<&Rec<T>>| window.cut(rec_ids(recs));
    let what = |how: &str| format!("{} {how}, filter {salt:#x}, {window:?}", T::TABLE);
    match rng.below(7) {
        0 => reads(
            &what("in slot order"),
            || window.apply(query()),
            id,
            &want(slot),
            tables,
        ),
        1 => reads(
            &what("order_by"),
            || window.apply(query().order_by(key)),
            id,
            &want(sorted(slot, |rec| rec.row.key())),
            tables,
        ),
        2 => reads(
            &what("order_by_desc"),
            || window.apply(query().order_by_desc(key)),
            id,
            &want(sorted(slot, |rec| Reverse(rec.row.key()))),
            tables,
        ),
        3 => reads(
            &what("order_by, in_creation_order"),
            || window.apply(query().order_by(key).in_creation_order()),
            id,
            &want(sorted(slot, |rec| (rec.row.key(), rec.seq))),
            tables,
        ),
        4 => reads(
            &what("order_by_desc, in_creation_order"),
            || window.apply(query().order_by_desc(key).in_creation_order()),
            id,
            &want(sorted(slot, |rec| (Reverse(rec.row.key()), rec.seq))),
            tables,
        ),
        5 => reads(
            &what("order_by, order_by_desc(id)"),
            || window.apply(query().order_by(key).order_by_desc(|row| row.id())),
            id,
            &want(sorted(slot, |rec| (rec.row.key(), Reverse(rec.id)))),
            tables,
        ),
        _ => reads(
            &what("in_creation_order"),
            || window.apply(query().in_creation_order()),
            id,
            &want(sorted(slot, |rec| rec.seq)),
            tables,
        ),
    }
}

/// Every pair of quests (up to a thousand, from `Query::from_source`), filtered, ordered by a
/// key with many ties, windowed: the top-k selection with room to fill and cut.
fn cross(db: &Db<Game>, r: &GameRef, rng: &mut Rng, stats: &mut Stats) -> Result<(), String> {
    let quests = r.quests.in_slot_order();
    let salt = rng.next_u64();
    let window = Window::random(rng, quests.len() * quests.len());
    let keep = move |a: &Quest, b: &Quest| a.keep(salt) || b.reward < 10;
    let key = |a: &Quest, b: &Quest| (a.reward + b.reward) % 7;
    let pairs: Vec<(&Rec<Quest>, &Rec<Quest>)> = (quests.iter())
        .flat_map(|&a| quests.iter().map(move |&b| (a, b)))
        .filter(|(a, b)| keep(&a.row, &b.row))
        .collect();
    if let Some(limit) = window.limit {
        // The buffer's room (see `smallest` in `src/query/order.rs`): more pairs than it
        // holds, and the selection cuts.
        let room = window
            .offset
            .saturating_add(limit)
            .saturating_mul(2)
            .max(64);
        if pairs.len() > room {
            let side = if limit < 64 { "below 64" } else { "64 or more" };
            count(stats, format!("cross query: top-k cut, limit {side}"));
        }
    }
    let source = || {
        let table = db.table::<Quest>();
        let pairs = table
            .iter()
            .flat_map(move |a| table.iter().map(move |b| (a, b)));
        Query::from_source(db, pairs).filter(move |(a, b)| keep(a, b))
    };
    let id = pair_ids::<Quest, Quest>;
    let tables = (Quest::TABLE, Some(Quest::TABLE));
    let want = |pairs: Vec<(&Rec<Quest>, &Rec<Quest>)>| {
        window.cut(pairs.into_iter().map(|(a, b)| (a.id, b.id)))
    };
    let what = |how: &str| format!("quests x quests {how}, filter {salt:#x}, {window:?}");
    match rng.below(3) {
        0 => reads(
            &what("order_by"),
            || window.apply(source().order_by(|(a, b)| key(a, b))),
            id,
            &want(sorted(pairs, |(a, b)| key(&a.row, &b.row))),
            tables,
        ),
        1 => reads(
            &what("order_by_desc"),
            || window.apply(source().order_by_desc(|(a, b)| key(a, b))),
            id,
            &want(sorted(pairs, |(a, b)| Reverse(key(&a.row, &b.row)))),
            tables,
        ),
        _ => reads(
            &what("order_by, order_by_desc(reward)"),
            || {
                let query = source().order_by(|(a, b)| key(a, b));
                window.apply(query.order_by_desc(|(_, b)| b.value().reward))
            },
            id,
            &want(sorted(pairs, |(a, b)| {
                (key(&a.row, &b.row), Reverse(b.row.reward))
            })),
            tables,
        ),
    }
}

/// `query_by` and `query_range` (ascending and `rev`), each with a salted filter and a window.
fn by_index(db: &Db<Game>, r: &GameRef, rng: &mut Rng) -> Result<(), String> {
    let (players, guilds) = (&r.players, &r.guilds);
    let salt = rng.next_u64();
    let window = Window::random(rng, players.rows.len());
    let kept_players = |ids: Vec<Id<Player>>| {
        let rows = ids
            .into_iter()
            .filter(|&id| players.get(id).is_some_and(|p| p.keep(salt)));
        window.cut(rows)
    };
    let keep = move |p: &Row<'_, Player, Game>| p.keep(salt);
    let id = row_id::<Player>;
    let tables = (Player::TABLE, None);
    let what = |how: String| format!("{how}, filter {salt:#x}, {window:?}");

    for level in 0..=LEVELS {
        let want = kept_players(holding(players, |p| p.level, &level));
        let query = || window.apply(db.query_by(PlayerByLevel, &level).filter(keep));
        reads(
            &what(format!("query_by level {level}")),
            query,
            id,
            &want,
            tables,
        )?;
    }
    let keys = (guilds.ids().map(Some))
        .chain(guilds.dead.last().copied().map(Some))
        .chain([None]);
    for guild in keys {
        let want = kept_players(holding(players, |p| p.guild, &guild));
        let query = || window.apply(db.query_by(PlayerByGuild, &guild).filter(keep));
        reads(
            &what(format!("query_by guild {guild:?}")),
            query,
            id,
            &want,
            tables,
        )?;
    }
    let name = NAMES[rng.below(NAMES.len())];
    let want = holding(players, |p| p.name.clone(), &name.to_string());
    let query = || db.query_by(PlayerByName, name);
    reads(&format!("query_by name {name:?}"), query, id, &want, tables)?;

    // Ranges, ascending or walked backwards (the window set before `rev` applies after it).
    let levels: Vec<u32> = (0..=LEVELS).collect();
    let range = random_range(rng, &levels);
    let mut want = in_range(players, |p| p.level, &range);
    let back = rng.chance(50);
    if back {
        want.reverse();
    }
    let want = kept_players(want);
    let what_range = what(format!("query_range level {range:?}, rev {back}"));
    let query = || window.apply(db.query_range(PlayerByLevel, range).filter(keep));
    match back {
        true => reads(&what_range, || query().rev(), id, &want, tables)?,
        false => reads(&what_range, query, id, &want, tables)?,
    }
    let mut names: Vec<String> = NAMES.iter().map(|&n| n.into()).collect();
    names.sort();
    let range = random_range(rng, &names);
    let mut want = in_range(players, |p| p.name.clone(), &range);
    want.reverse();
    let want = kept_players(want);
    let query = || {
        window.apply(
            db.query_range(PlayerByName, range.clone())
                .rev()
                .filter(keep),
        )
    };
    let what_range = what(format!("query_range name {range:?}, rev"));
    reads(&what_range, query, id, &want, tables)?;

    // The top guilds by tag, and each quest's progress rows by step, highest first.
    let k = rng.below(TAGS as usize + 2);
    let mut want = in_range(guilds, |g| g.tag, &(1..));
    want.reverse();
    want.truncate(k);
    let query = || db.query_range(GuildByTag, 1u8..).rev().limit(k);
    let tables = (Guild::TABLE, None);
    reads(
        &format!("query_range tag 1.., rev, limit {k}"),
        query,
        row_id,
        &want,
        tables,
    )?;
    let salt = rng.next_u64();
    let window = Window::random(rng, 4);
    let tables = (Progress::TABLE, None);
    for quest in r.quests.ids().chain(r.quests.dead.last().copied()) {
        let (lo, hi) = ((quest, 1), (quest, STEPS - 1));
        let mut want = in_range(&r.progress, |p| (p.quest, p.step), &(lo..=hi));
        want.reverse();
        want.retain(|&id| r.progress.get(id).is_some_and(|p| p.keep(salt)));
        let want = window.cut(want);
        let query = || {
            let query = db.query_range(ProgressByQuestStep, lo..=hi).rev();
            window.apply(query.filter(|p| p.keep(salt)))
        };
        let what = format!("query_range {lo:?}..={hi:?}, rev, filter {salt:#x}, {window:?}");
        reads(&what, query, row_id, &want, tables)?;
    }
    Ok(())
}
