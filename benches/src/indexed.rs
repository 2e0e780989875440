//! Players with secondary indexes, in relstore and by hand: what the index workloads share.
//!
//! The hand-written side is what a careful programmer keeps beside a slotmap: a
//! `HashMap<String, Key>` for a unique name (the entry API: one hash per insert, refusing a
//! duplicate before the row is stored) and a `BTreeMap<u64, Vec<Key>>` for an ordered score
//! (equal scores oldest first, as relstore lists them).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use relstore::{Db, Id, Model};
use serde::{Deserialize, Serialize};
use slotmap::{SlotMap, new_key_type};

use crate::fixture::Rng;

/// A player: a unique name, an ordered score, and the rest.
#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "players")]
pub struct Player {
    /// `player{i}`: unique.
    #[relstore(unique)]
    pub name: String,
    /// Random below the player count: ordered, about one player per score.
    #[relstore(ordered)]
    pub score: u64,
    /// Random below 100.
    pub guild: u32,
    /// A sentence, as rows carry.
    pub motto: String,
}

/// The same player with only the unique name indexed.
#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "named")]
pub struct Named {
    /// Unique.
    #[relstore(unique)]
    pub name: String,
    /// Not indexed here.
    pub score: u64,
    /// Not indexed.
    pub guild: u32,
    /// Not indexed.
    pub motto: String,
}

/// The same player with only the score indexed.
#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "scored")]
pub struct Scored {
    /// Not indexed here.
    pub name: String,
    /// Ordered.
    #[relstore(ordered)]
    pub score: u64,
    /// Not indexed.
    pub guild: u32,
    /// Not indexed.
    pub motto: String,
}

/// The same player with no index: the baseline an index's upkeep is added to.
#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "plain")]
pub struct Plain {
    /// Not indexed.
    pub name: String,
    /// Not indexed.
    pub score: u64,
    /// Not indexed.
    pub guild: u32,
    /// Not indexed.
    pub motto: String,
}

relstore::schema! {
    /// Players, indexed several ways.
    pub struct Game { players: Player, named: Named, scored: Scored, plain: Plain }
    relations {}
}

/// The `i`-th of `n` players (seeded: the same in every run and implementation).
pub fn players(n: usize) -> Vec<Player> {
    let mut rng = Rng::new(0x1DE_C0DE);
    (0..n)
        .map(|i| Player {
            name: format!("player{i}"),
            score: rng.below(n) as u64,
            guild: rng.below(100) as u32,
            motto: format!("Player {i} never gives up and always reads the manual."),
        })
        .collect()
}

impl From<Player> for Named {
    fn from(p: Player) -> Self {
        Named {
            name: p.name,
            score: p.score,
            guild: p.guild,
            motto: p.motto,
        }
    }
}

impl From<Player> for Scored {
    fn from(p: Player) -> Self {
        Scored {
            name: p.name,
            score: p.score,
            guild: p.guild,
            motto: p.motto,
        }
    }
}

impl From<Player> for Plain {
    fn from(p: Player) -> Self {
        Plain {
            name: p.name,
            score: p.score,
            guild: p.guild,
            motto: p.motto,
        }
    }
}

/// relstore with every player inserted; ids in `players`' order.
pub fn load(players: Vec<Player>) -> (Db<Game>, Vec<Id<Player>>) {
    let mut db = Db::new();
    let ids = (players.into_iter())
        .map(|p| db.insert(p).expect("unique names"))
        .collect();
    (db, ids)
}

new_key_type! {
    /// A player's key.
    pub struct PlayerKey;
}

/// The hand-written store: a slotmap and the two maps kept beside it.
#[derive(Default)]
pub struct Hand {
    /// The rows.
    pub players: SlotMap<PlayerKey, Player>,
    /// Name -> key.
    pub by_name: HashMap<String, PlayerKey>,
    /// Score -> keys, oldest first.
    pub by_score: BTreeMap<u64, Vec<PlayerKey>>,
}

impl Hand {
    /// Every player inserted; keys in `players`' order.
    pub fn load(players: Vec<Player>) -> (Self, Vec<PlayerKey>) {
        let mut hand = Hand::default();
        let keys = (players.into_iter())
            .map(|p| hand.insert(p).expect("unique names"))
            .collect();
        (hand, keys)
    }

    /// Inserts a player, refusing a taken name before anything changes.
    pub fn insert(&mut self, player: Player) -> Option<PlayerKey> {
        let Entry::Vacant(slot) = self.by_name.entry(player.name.clone()) else {
            return None;
        };
        let score = player.score;
        let key = self.players.insert(player);
        slot.insert(key);
        self.by_score.entry(score).or_default().push(key);
        Some(key)
    }
}

/// A slotmap with only the name map: the hand-written side of one unique column's upkeep.
#[derive(Default)]
pub struct HandNamed {
    /// The rows.
    pub rows: SlotMap<PlayerKey, Named>,
    /// Name -> key.
    pub by_name: HashMap<String, PlayerKey>,
}

impl HandNamed {
    /// Inserts, refusing a taken name before anything changes.
    #[inline]
    pub fn insert(&mut self, row: Named) -> Option<PlayerKey> {
        let Entry::Vacant(slot) = self.by_name.entry(row.name.clone()) else {
            return None;
        };
        let key = self.rows.insert(row);
        slot.insert(key);
        Some(key)
    }

    /// Removes a row and its name.
    #[inline]
    pub fn remove(&mut self, key: PlayerKey) {
        if let Some(row) = self.rows.remove(key) {
            self.by_name.remove(&row.name);
        }
    }
}

/// A slotmap with only the score map: the hand-written side of one ordered column's upkeep.
#[derive(Default)]
pub struct HandScored {
    /// The rows.
    pub rows: SlotMap<PlayerKey, Scored>,
    /// Score -> keys, oldest first.
    pub by_score: BTreeMap<u64, Vec<PlayerKey>>,
}

impl HandScored {
    /// Inserts.
    #[inline]
    pub fn insert(&mut self, row: Scored) -> PlayerKey {
        let score = row.score;
        let key = self.rows.insert(row);
        self.by_score.entry(score).or_default().push(key);
        key
    }

    /// Removes a row and its score entry.
    #[inline]
    pub fn remove(&mut self, key: PlayerKey) {
        if let Some(row) = self.rows.remove(key)
            && let Some(keys) = self.by_score.get_mut(&row.score)
        {
            keys.retain(|&k| k != key);
            if keys.is_empty() {
                self.by_score.remove(&row.score);
            }
        }
    }
}
