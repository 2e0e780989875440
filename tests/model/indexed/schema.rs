//! The third schema of the model-based test: a game whose every table has secondary indexes
//! or a validator, over small value domains so that unique keys collide often.
//!
//! - players: name (ordered, unique: ranges, prefixes), level (ordered), guild (hash, over an
//!   optional key a set-null relation clears);
//! - guilds: tag (ordered, unique), name (hash, unique): two unique indexes on one table;
//!   leader, a has-one key to a player (set null);
//! - quests: no index, a validator (reward at most [`MAX_REWARD`]), an unvalidated title;
//! - progress: a join row, unique per (player, quest), ordered by (quest, step), a validator
//!   (step at most [`MAX_STEP`]), an unvalidated note.

use relstore::{Db, Id, Invalid, Model, OnDelete};
use serde::{Deserialize, Serialize};

use crate::schema::relation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "players")]
pub struct Player {
    #[relstore(ordered, unique)]
    pub name: String,
    #[relstore(ordered)]
    pub level: u32,
    #[relstore(index)]
    pub guild: Option<Id<Guild>>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "guilds")]
pub struct Guild {
    #[relstore(ordered, unique)]
    pub tag: u8,
    #[relstore(unique)]
    pub name: String,
    pub leader: Option<Id<Player>>,
    pub motto: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "quests", validate = Quest::check)]
pub struct Quest {
    pub reward: u32,
    #[relstore(unvalidated)]
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(
    table = "progress",
    unique(player, quest),
    ordered(quest, step),
    validate = Progress::check
)]
pub struct Progress {
    pub player: Id<Player>,
    pub quest: Id<Quest>,
    pub step: u32,
    #[relstore(unvalidated)]
    pub note: String,
}

/// The highest reward a quest's validator accepts.
pub const MAX_REWARD: u32 = 50;
/// The highest step a progress row's validator accepts.
pub const MAX_STEP: u32 = 5;

/// What the quests' validator says of a reward, written again for the reference.
pub fn reward_refusal(reward: u32) -> String {
    format!("reward {reward} above {MAX_REWARD}")
}

/// What the progress rows' validator says of a step.
pub fn step_refusal(step: u32) -> String {
    format!("step {step} past the last, {MAX_STEP}")
}

impl Quest {
    fn check(&self) -> Result<(), Invalid> {
        match self.reward > MAX_REWARD {
            true => Err(Invalid::new(reward_refusal(self.reward))),
            false => Ok(()),
        }
    }
}

impl Progress {
    fn check(&self) -> Result<(), Invalid> {
        match self.step > MAX_STEP {
            true => Err(Invalid::new(step_refusal(self.step))),
            false => Ok(()),
        }
    }
}

relation!(PlayerGuild: Player.guild -> Guild, has_many, SetNull);
relation!(GuildLeader: Guild.leader -> Player, has_one, SetNull);
relation!(ProgressPlayer: Progress.player -> Player, has_many, Cascade);
relation!(ProgressQuest: Progress.quest -> Quest, has_many, Restrict);

/// What `db.relation_infos()` must report, in the order [`Game`] declares the relations.
pub const EXPECTED_INFO: [(&str, &str, &str, &str, OnDelete, bool, bool); 4] = [
    (
        "PlayerGuild",
        "players",
        "guild",
        "guilds",
        OnDelete::SetNull,
        false,
        true,
    ),
    (
        "GuildLeader",
        "guilds",
        "leader",
        "players",
        OnDelete::SetNull,
        true,
        true,
    ),
    (
        "ProgressPlayer",
        "progress",
        "player",
        "players",
        OnDelete::Cascade,
        false,
        false,
    ),
    (
        "ProgressQuest",
        "progress",
        "quest",
        "quests",
        OnDelete::Restrict,
        false,
        false,
    ),
];

relstore::schema! {
    /// The indexed game under test.
    pub struct Game {
        progress: Progress,
        players: Player,
        quests: Quest,
        guilds: Guild,
    }
    relations {
        PlayerGuild,
        GuildLeader,
        ProgressPlayer,
        ProgressQuest,
    }
}

/// The store under test, empty.
pub fn build() -> Db<Game> {
    Db::new()
}

/// Every index, described as the derive must describe it: (name, table, fields, unique,
/// ordered).
pub fn index_infos() -> [relstore::IndexInfo; 7] {
    use relstore::Index;
    [
        PlayerByName::INFO,
        PlayerByLevel::INFO,
        PlayerByGuild::INFO,
        GuildByTag::INFO,
        GuildByName::INFO,
        ProgressByPlayerQuest::INFO,
        ProgressByQuestStep::INFO,
    ]
}
