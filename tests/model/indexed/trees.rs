//! After every step, an eager tree against nested loops over the reference's rows: guilds
//! (filtered, in creation order), each with its leader (`BelongsTo` over an optional key) and
//! its players (filtered, ordered by level either way, offset, limit), each player with the
//! guild it leads (has-one: filtered, at times offset or limited to none) and its progress rows (by step descending, limited), each progress
//! row with its quest (`BelongsTo` over a required key). The borrowed tree's shape, ids and
//! values against the loops; `tree.to_owned()`, `OwnedTree::load`, `Query::with_owned` and
//! `Tree::load_ids` all equal, the owned rows the reference's; a dead id refused.

use std::cmp::Reverse;
use std::fmt::Debug;

use relstore::{BelongsTo, Db, Eager, Id, Model, NotFound, OwnedTree, Tree};

use super::queries::{Sample, sorted};
use super::reference::GameRef;
use super::schema::*;
use crate::ops::{Stats, count};
use crate::reference::{Rec, RefTable};
use crate::rng::Rng;

/// A progress row in a tree: its id and step, its quest's id and reward.
type ProgressShape = (Id<Progress>, u32, Id<Quest>, u32);
/// A player: id, level, the guild it leads, its progress rows.
type PlayerShape = (Id<Player>, u32, Option<Id<Guild>>, Vec<ProgressShape>);
/// A guild: id, tag, its leader's id and level, its players.
type GuildShape = (Id<Guild>, u8, Option<(Id<Player>, u32)>, Vec<PlayerShape>);

pub fn everything(
    db: &Db<Game>,
    r: &GameRef,
    rng: &mut Rng,
    stats: &mut Stats,
) -> Result<(), String> {
    let (root_salt, salt) = (rng.next_u64(), rng.next_u64());
    let desc = rng.chance(50);
    let offset = [0, 0, 1, 2][rng.below(4)];
    let limit = [0, 1, 2, 3, usize::MAX, usize::MAX][rng.below(6)];
    let steps = [0, 1, 2, usize::MAX][rng.below(4)];
    // The has-one level: kept if its filter keeps it and the window has room at 0.
    let (led_salt, led_window) = (
        rng.next_u64(),
        [(0, 1), (0, 1), (1, 1), (0, 0)][rng.below(4)],
    );
    let what = format!(
        "eager tree: guilds {root_salt:#x}, players {salt:#x} desc {desc} offset {offset} \
         limit {limit}, progress limit {steps}, led {led_salt:#x} {led_window:?}"
    );
    let level = move |player: &Player| match desc {
        true => u32::MAX - player.level,
        false => player.level,
    };
    let spec = || {
        let progress = Eager::new(ProgressPlayer)
            .order_by_desc(|row: &Progress| row.step)
            .limit(steps)
            .with(BelongsTo::new(ProgressQuest));
        let led = Eager::new(GuildLeader)
            .filter(move |guild: &Guild| guild.keep(led_salt))
            .offset(led_window.0)
            .limit(led_window.1);
        let players = Eager::new(PlayerGuild)
            .filter(move |player: &Player| player.keep(salt))
            .order_by(level)
            .offset(offset)
            .limit(limit)
            .with((progress, led));
        (players, BelongsTo::new(GuildLeader))
    };
    let roots = || {
        let guilds = db.query::<Guild>().filter(move |g| g.keep(root_salt));
        guilds.in_creation_order()
    };

    let tree = roots().with(spec());
    let got: Vec<GuildShape> = (tree.iter())
        .map(|guild| {
            let (players, leader) = guild.with();
            let leader = leader.map(|p| (p.id(), p.level));
            let players = (players.iter())
                .map(|player| {
                    let (progress, led) = player.with();
                    let progress = (progress.iter())
                        .map(|row| (row.id(), row.step, row.with().id(), row.with().reward))
                        .collect();
                    let led = led.map(|g| g.id());
                    (player.id(), player.level, led, progress)
                })
                .collect();
            (guild.id(), guild.tag, leader, players)
        })
        .collect();

    let mut guilds = r.guilds.in_insertion_order();
    guilds.retain(|g| g.row.keep(root_salt));
    let players = r.players.in_insertion_order();
    let progress = r.progress.in_insertion_order();
    let progress_of = |player: Id<Player>| -> Vec<ProgressShape> {
        let rows: Vec<&Rec<Progress>> = (progress.iter().copied())
            .filter(|rec| rec.row.player == player)
            .collect();
        let rows = sorted(rows, |rec| Reverse(rec.row.step));
        let quest = |rec: &Rec<Progress>| r.quests.get(rec.row.quest).map_or(0, |q| q.reward);
        let rows = rows.into_iter().take(steps);
        rows.map(|rec| (rec.id, rec.row.step, rec.row.quest, quest(rec)))
            .collect()
    };
    let led_by = |player: Id<Player>| {
        let led = r.guilds.rows.iter().find(|g| g.row.leader == Some(player));
        let room = led_window == (0, 1);
        led.filter(|g| room && g.row.keep(led_salt)).map(|g| g.id)
    };
    let want: Vec<GuildShape> = (guilds.iter())
        .map(|guild| {
            let leader =
                (guild.row.leader).map(|id| (id, r.players.get(id).map_or(u32::MAX, |p| p.level)));
            let members: Vec<&Rec<Player>> = (players.iter().copied())
                .filter(|p| p.row.guild == Some(guild.id) && p.row.keep(salt))
                .collect();
            let members = sorted(members, |p| level(&p.row));
            let members = members.into_iter().skip(offset).take(limit);
            let members = members
                .map(|p| (p.id, p.row.level, led_by(p.id), progress_of(p.id)))
                .collect();
            (guild.id, guild.row.tag, leader, members)
        })
        .collect();
    ensure_eq!(got, want, "{what}");
    let deep = (want.iter().flat_map(|guild| &guild.3)).any(|player| !player.3.is_empty());
    if deep {
        count(
            stats,
            "eager tree: progress rows under players under guilds",
        );
    }

    let owned = tree.to_owned();
    drop(tree);
    ensure_eq!(
        OwnedTree::load(roots(), spec()),
        owned,
        "{what}: OwnedTree::load"
    );
    ensure_eq!(roots().with_owned(spec()), owned, "{what}: with_owned");
    let ids = guilds.iter().map(|g| g.id);
    let by_ids = Tree::load_ids(db, ids, spec()).map(|tree| tree.to_owned());
    ensure_eq!(by_ids, Ok(owned.clone()), "{what}: Tree::load_ids");
    if let Some(&dead) = r.guilds.dead.last() {
        let ids = guilds.iter().map(|g| g.id).chain([dead]);
        let got = Tree::load_ids(db, ids, spec()).err();
        let want = NotFound { id: dead.into() };
        ensure_eq!(got, Some(want), "{what}: Tree::load_ids with dead {dead:?}");
    }
    owned_rows(r, &owned).map_err(|e| format!("{what}: {e}"))
}

/// Every row of the owned tree is the reference's row of its id.
fn owned_rows<W>(r: &GameRef, tree: &OwnedTree<Guild, W>) -> Result<(), String>
where
    W: Levels,
{
    for guild in tree.iter() {
        same(&r.guilds, guild.id, &guild.row)?;
        guild.with.check(r)?;
    }
    Ok(())
}

/// The levels under a guild of the owned tree, checked against the reference's rows.
trait Levels {
    fn check(&self, r: &GameRef) -> Result<(), String>;
}

type OwnedProgress = relstore::Owned<Progress, relstore::Owned<Quest, ()>>;
type OwnedPlayer =
    relstore::Owned<Player, (Vec<OwnedProgress>, Option<relstore::Owned<Guild, ()>>)>;

impl Levels for (Vec<OwnedPlayer>, Option<relstore::Owned<Player, ()>>) {
    fn check(&self, r: &GameRef) -> Result<(), String> {
        let (players, leader) = self;
        if let Some(leader) = leader {
            same(&r.players, leader.id, &leader.row)?;
        }
        for player in players {
            same(&r.players, player.id, &player.row)?;
            let (progress, led) = &player.with;
            if let Some(led) = led {
                same(&r.guilds, led.id, &led.row)?;
            }
            for row in progress {
                same(&r.progress, row.id, &row.row)?;
                same(&r.quests, row.with.id, &row.with.row)?;
            }
        }
        Ok(())
    }
}

fn same<T: Model + PartialEq + Debug>(
    table: &RefTable<T>,
    id: Id<T>,
    row: &T,
) -> Result<(), String> {
    ensure_eq!(Some(row), table.get(id), "owned tree: row {id:?}");
    Ok(())
}
