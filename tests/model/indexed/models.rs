//! How the reference reads each table of the indexed game: its keys, its unique keys (as
//! `Debug` prints them, as the store's errors do), its validator, its unindexed text field.

use relstore::{AnyId, Id};

use super::reference::{GameModel, GameRef, Key};
use super::schema::*;
use crate::reference::RefTable;

fn key<P: 'static>(relation: &'static str, has_one: bool, parent: Option<Id<P>>) -> Key
where
    Id<P>: Into<AnyId>,
{
    (relation, has_one, parent.map(Into::into))
}

impl GameModel for Player {
    fn of(r: &GameRef) -> &RefTable<Self> {
        &r.players
    }
    fn of_mut(r: &mut GameRef) -> &mut RefTable<Self> {
        &mut r.players
    }
    fn keys(&self) -> Vec<Key> {
        vec![key("PlayerGuild", false, self.guild)]
    }
    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        vec![("PlayerByName", format!("{:?}", self.name))]
    }
    fn invalid(&self) -> Option<String> {
        None
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.note
    }
    fn view_text<'a>(view: PlayerMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.note
    }
}

impl GameModel for Guild {
    fn of(r: &GameRef) -> &RefTable<Self> {
        &r.guilds
    }
    fn of_mut(r: &mut GameRef) -> &mut RefTable<Self> {
        &mut r.guilds
    }
    fn keys(&self) -> Vec<Key> {
        vec![key("GuildLeader", true, self.leader)]
    }
    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GuildByTag", format!("{:?}", self.tag)),
            ("GuildByName", format!("{:?}", self.name)),
        ]
    }
    fn invalid(&self) -> Option<String> {
        None
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.motto
    }
    fn view_text<'a>(view: GuildMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.motto
    }
}

impl GameModel for Quest {
    fn of(r: &GameRef) -> &RefTable<Self> {
        &r.quests
    }
    fn of_mut(r: &mut GameRef) -> &mut RefTable<Self> {
        &mut r.quests
    }
    fn keys(&self) -> Vec<Key> {
        Vec::new()
    }
    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    fn invalid(&self) -> Option<String> {
        (self.reward > MAX_REWARD).then(|| reward_refusal(self.reward))
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.title
    }
    fn view_text<'a>(view: QuestMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.title
    }
}

impl GameModel for Progress {
    fn of(r: &GameRef) -> &RefTable<Self> {
        &r.progress
    }
    fn of_mut(r: &mut GameRef) -> &mut RefTable<Self> {
        &mut r.progress
    }
    fn keys(&self) -> Vec<Key> {
        vec![
            key("ProgressPlayer", false, Some(self.player)),
            key("ProgressQuest", false, Some(self.quest)),
        ]
    }
    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        let pair = (self.player, self.quest);
        vec![("ProgressByPlayerQuest", format!("{pair:?}"))]
    }
    fn invalid(&self) -> Option<String> {
        (self.step > MAX_STEP).then(|| step_refusal(self.step))
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.note
    }
    fn view_text<'a>(view: ProgressMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.note
    }
}
