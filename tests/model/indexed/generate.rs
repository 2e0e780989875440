//! The indexed game's generator: values from small domains (a unique key is often taken), keys
//! mostly to live rows, sometimes to deleted rows or forged ids, and bulk edits that trade
//! unique keys among rows, take one key twice, or name stale ids.

use relstore::{AnyId, Id};

use super::ops::{Change, GOp, How, Row};
use super::reference::{GameModel, GameRef};
use super::schema::*;
use crate::rng::Rng;

/// Player names: short strings over two letters (prefixes nest: "a", "ab", "aba").
pub const NAMES: [&str; 14] = [
    "a", "b", "aa", "ab", "ba", "bb", "aaa", "aab", "aba", "abb", "baa", "bab", "bba", "bbb",
];
/// Guild names.
pub const GUILD_NAMES: [&str; 6] = ["red", "rose", "blue", "blot", "gold", "grey"];
/// Guild tags are `0..TAGS`.
pub const TAGS: u8 = 7;
/// Player levels are `0..LEVELS`.
pub const LEVELS: u32 = 8;
/// Progress steps are `0..STEPS` (the validator refuses those past [`MAX_STEP`]).
pub const STEPS: u32 = MAX_STEP + 3;

/// An id no row ever has: a slot the store never reaches.
const NEVER: u64 = 1 << 32 | 70_000;

pub struct Gen {
    rng: Rng,
}

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen {
            rng: Rng::new(seed ^ 0x1dec_5eed),
        }
    }

    pub fn op(&mut self, r: &GameRef) -> GOp {
        let roll = self.rng.below(1000);
        let table = self.table();
        let op = match roll {
            0..300 => Some(GOp::Insert(self.row(table, r, None))),
            300..500 => self.update(table, r),
            500..620 => self.target(table, r).map(GOp::Delete),
            620..680 => Some(self.delete_many(table, r)),
            680..720 => Some(GOp::DeleteWhere(table, self.rng.next_u64(), self.percent())),
            720..810 => self.update_many(table, r),
            810..850 => {
                let change = self.change(table, r, &live_ids(table, r));
                let (salt, percent) = (self.rng.next_u64(), self.percent());
                Some(GOp::UpdateWhere(table, salt, percent, change))
            }
            850..910 => Some(self.insert_many(table, r)),
            910..950 => {
                let text = self.text();
                self.target(table, r).map(|id| GOp::RowMut(id, text))
            }
            950..970 => Some(GOp::RowsMut(table, self.text(), self.rng.chance(50))),
            970..988 => Some(GOp::SaveLoad),
            _ => Some(GOp::Shrink),
        };
        op.unwrap_or_else(|| GOp::Insert(self.row("players", r, None)))
    }

    fn table(&mut self) -> &'static str {
        match self.rng.below(11) {
            0..3 => "players",
            3..5 => "guilds",
            5..7 => "quests",
            _ => "progress",
        }
    }

    fn percent(&mut self) -> usize {
        [0, 10, 30, 60, 100][self.rng.below(5)]
    }

    fn text(&mut self) -> String {
        format!("text{}", self.rng.below(1000))
    }

    /// A new row of `table`, or `base` with some fields changed.
    fn row(&mut self, table: &str, r: &GameRef, base: Option<Row>) -> Row {
        let fresh = base.is_none();
        let change = |rng: &mut Rng| fresh || rng.chance(40);
        match (table, base) {
            ("players", base) => {
                let mut p = match base {
                    Some(Row::Player(p)) => p,
                    _ => Player {
                        name: String::new(),
                        level: 0,
                        guild: None,
                        note: String::new(),
                    },
                };
                if change(&mut self.rng) {
                    p.name = self.name();
                }
                if change(&mut self.rng) {
                    p.level = self.rng.below(LEVELS as usize) as u32;
                }
                if change(&mut self.rng) {
                    p.guild = self.optional(r, 30);
                }
                if change(&mut self.rng) {
                    p.note = self.text();
                }
                Row::Player(p)
            }
            ("guilds", base) => {
                let mut g = match base {
                    Some(Row::Guild(g)) => g,
                    _ => Guild {
                        tag: 0,
                        name: String::new(),
                        leader: None,
                        motto: String::new(),
                    },
                };
                if change(&mut self.rng) {
                    g.tag = self.rng.below(TAGS as usize) as u8;
                }
                if change(&mut self.rng) {
                    g.name = self.guild_name();
                }
                if fresh || self.rng.chance(60) {
                    // Often a player who leads a guild already.
                    let leaders: Vec<_> =
                        r.guilds.rows.iter().filter_map(|g| g.row.leader).collect();
                    g.leader = match self.rng.pick(&leaders) {
                        Some(leader) if self.rng.chance(40) => Some(leader),
                        _ => self.optional(r, 40),
                    };
                }
                if change(&mut self.rng) {
                    g.motto = self.text();
                }
                Row::Guild(g)
            }
            ("quests", base) => {
                let mut q = match base {
                    Some(Row::Quest(q)) => q,
                    _ => Quest {
                        reward: 0,
                        title: String::new(),
                    },
                };
                if change(&mut self.rng) {
                    q.reward = self.rng.below(MAX_REWARD as usize + 12) as u32;
                }
                if change(&mut self.rng) {
                    q.title = self.text();
                }
                Row::Quest(q)
            }
            (_, base) => {
                let mut p = match base {
                    Some(Row::Progress(p)) => p,
                    _ => Progress {
                        player: self.key(r).unwrap_or(Id::from_bits(NEVER)),
                        quest: self.key(r).unwrap_or(Id::from_bits(NEVER)),
                        step: 0,
                        note: String::new(),
                    },
                };
                if !fresh && self.rng.chance(30) {
                    p.player = self.key(r).unwrap_or(p.player);
                }
                if !fresh && self.rng.chance(30) {
                    p.quest = self.key(r).unwrap_or(p.quest);
                }
                if change(&mut self.rng) {
                    p.step = self.rng.below(STEPS as usize) as u32;
                }
                if change(&mut self.rng) {
                    p.note = self.text();
                }
                Row::Progress(p)
            }
        }
    }

    fn name(&mut self) -> String {
        NAMES[self.rng.below(NAMES.len())].into()
    }

    fn guild_name(&mut self) -> String {
        GUILD_NAMES[self.rng.below(GUILD_NAMES.len())].into()
    }

    fn update(&mut self, table: &'static str, r: &GameRef) -> Option<GOp> {
        let id = self.target(table, r)?;
        let base = by_any(id, r);
        let base = match base {
            Some(base) => base,
            None => self.row(table, r, None),
        };
        let row = self.row(table, r, Some(base));
        let how = match self.rng.below(10) {
            0..3 => How::Update,
            3..6 => How::Replace,
            6 => How::PanicInUpdate,
            7..9 => How::Edit,
            _ => How::PanicInEdit,
        };
        Some(GOp::Update(id, row, how))
    }

    /// `delete_many` of a few rows: live, now and then a duplicate or a stale id.
    fn delete_many(&mut self, table: &'static str, r: &GameRef) -> GOp {
        let n = self.rng.below(5);
        let mut ids: Vec<AnyId> = (0..n).filter_map(|_| self.target(table, r)).collect();
        if self.rng.chance(20)
            && let Some(&first) = ids.first()
        {
            ids.push(first);
        }
        GOp::DeleteMany(table, ids)
    }

    /// `update_many` of a few rows of `table` (or all of them), each changed alike.
    fn update_many(&mut self, table: &'static str, r: &GameRef) -> Option<GOp> {
        let live = live_ids(table, r);
        let mut ids: Vec<AnyId> = match self.rng.chance(30) {
            true => live.clone(),
            false => (0..self.rng.below(5))
                .filter_map(|_| self.target(table, r))
                .collect(),
        };
        if self.rng.chance(15)
            && let Some(&first) = ids.first()
        {
            ids.push(first);
        }
        let change = self.change(table, r, &ids);
        Some(GOp::UpdateMany(table, ids, change))
    }

    /// A change for the rows `ids` of `table` (all rows of a predicate's if empty).
    fn change(&mut self, table: &str, r: &GameRef, ids: &[AnyId]) -> Change {
        let roll = self.rng.below(6);
        match table {
            "players" => match roll {
                0 => Change::Level(1 + self.rng.below(3) as u32),
                1 => Change::Names(rotation(ids, r, |row| match row {
                    Row::Player(p) => p.name.clone(),
                    _ => unreachable!(),
                })),
                2 => Change::SetName(self.name()),
                3 => Change::Guild(self.optional(r, 30)),
                _ => Change::Text(self.text()),
            },
            "guilds" => match roll {
                0 | 1 => Change::Tag(self.rng.below(TAGS as usize) as u8),
                2 => Change::Names(rotation(ids, r, |row| match row {
                    Row::Guild(g) => g.name.clone(),
                    _ => unreachable!(),
                })),
                3 => Change::SetName(self.guild_name()),
                4 => Change::Leader(self.optional(r, 30)),
                _ => Change::Text(self.text()),
            },
            "quests" => match roll {
                0..3 => Change::Reward(self.rng.below(20) as u32),
                _ => Change::Text(self.text()),
            },
            _ => match roll {
                0 | 1 => Change::Step(1 + self.rng.below(STEPS as usize - 1) as u32),
                2 => Change::Quest(self.key(r).unwrap_or(Id::from_bits(0))),
                3 => Change::Player(self.key(r).unwrap_or(Id::from_bits(0))),
                _ => Change::Text(self.text()),
            },
        }
    }

    /// `insert_many` of a few new rows; now and then one repeats an earlier one's keys.
    fn insert_many(&mut self, table: &'static str, r: &GameRef) -> GOp {
        let n = self.rng.below(6);
        let mut rows: Vec<Row> = (0..n).map(|_| self.row(table, r, None)).collect();
        if n > 1 && self.rng.chance(30) {
            let (from, to) = (self.rng.below(n), self.rng.below(n));
            rows[to] = rows[from].with_text(self.text());
        }
        GOp::InsertMany(table, rows)
    }

    /// The row an update, delete or view is aimed at: mostly live, sometimes deleted or forged.
    fn target(&mut self, table: &str, r: &GameRef) -> Option<AnyId> {
        super::reference::by_game_table!(table, T => self.id::<T>(r).map(AnyId::from))
    }

    /// A key to a row of `P`.
    fn key<P: GameModel>(&mut self, r: &GameRef) -> Option<Id<P>>
    where
        Game: relstore::HasTable<P>,
    {
        self.id(r)
    }

    fn optional<P: GameModel>(&mut self, r: &GameRef, none_percent: usize) -> Option<Id<P>>
    where
        Game: relstore::HasTable<P>,
    {
        match self.rng.chance(none_percent) {
            true => None,
            false => self.id(r),
        }
    }

    fn id<T: GameModel>(&mut self, r: &GameRef) -> Option<Id<T>>
    where
        Game: relstore::HasTable<T>,
    {
        let table = T::of(r);
        let live: Vec<Id<T>> = table.ids().collect();
        let dead = self.rng.pick(&table.dead);
        match self.rng.below(100) {
            0..8 if dead.is_some() => dead,
            8..11 => Some(Id::from_bits(
                1 << 32 | (60_000 + self.rng.below(100) as u64),
            )),
            _ => self.rng.pick(&live).or(dead),
        }
    }
}

fn live_ids(table: &str, r: &GameRef) -> Vec<AnyId> {
    super::reference::by_game_table!(table, T => T::of(r).ids().map(AnyId::from).collect())
}

/// A live row as a [`Row`].
pub fn by_any(id: AnyId, r: &GameRef) -> Option<Row> {
    super::reference::by_game_table!(id.table(), T => {
        T::of(r).get(id.typed::<T>()?).cloned().map(Row::from)
    })
}

/// Each live row's unique name to the next one's, in the order of `ids` (the last to the
/// first): a trade of keys among the rows, which an update of all of them at once allows.
fn rotation(ids: &[AnyId], r: &GameRef, name: impl Fn(&Row) -> String) -> Vec<(String, String)> {
    let names: Vec<String> = ids
        .iter()
        .filter_map(|&id| by_any(id, r))
        .map(|row| name(&row))
        .collect();
    let next = names.iter().cycle().skip(1);
    names.iter().cloned().zip(next.cloned()).collect()
}
