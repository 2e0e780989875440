//! Secondary indexes: unique, hash, ordered and composite, kept in step with the rows on every
//! write, and every refusal changing nothing.

use relstore::{AnyId, Db, Error, Id, IndexInfo, Model, WriteError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
pub struct User {
    #[relstore(unique)]
    username: String,
    #[relstore(index)]
    country: String,
    #[relstore(ordered)]
    karma: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "quests")]
pub struct Quest {
    #[relstore(ordered, unique)]
    title: String,
}

/// A join row: one per (player, quest) pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "progress", unique(player, quest))]
pub struct Progress {
    player: Id<User>,
    quest: Id<Quest>,
    #[relstore(ordered)]
    step: u32,
}

/// A child whose key is set to null, with a (non-unique) index over that key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "items")]
pub struct Item {
    #[relstore(index)]
    owner: Option<Id<User>>,
    name: String,
}

relstore::belongs_to!(pub ProgressPlayer: Progress.player -> User, has_many, on_delete = Cascade);
relstore::belongs_to!(pub ProgressQuest: Progress.quest -> Quest, has_many, on_delete = Cascade);
relstore::belongs_to!(pub ItemOwner: Item.owner -> User, has_many, on_delete = SetNull);

relstore::schema! {
    pub struct Game { users: User, quests: Quest, progress: Progress, items: Item }
    relations { ProgressPlayer, ProgressQuest, ItemOwner }
}

fn user(name: &str, country: &str, karma: i64) -> User {
    User {
        username: name.into(),
        country: country.into(),
        karma,
    }
}

fn names<'a>(rows: impl Iterator<Item = relstore::Row<'a, User, Game>>) -> Vec<&'a str> {
    rows.map(|u| u.value().username.as_str()).collect()
}

#[test]
fn a_unique_key_finds_its_row_and_a_duplicate_is_refused() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    let alice = db.insert(user("alice", "fr", 10))?;
    let users = db.table::<User>();
    assert_eq!(
        users.get_by(UserByUsername, "alice").map(|u| u.id()),
        Some(alice)
    );
    assert!(users.get_by(UserByUsername, "bob").is_none());

    let refused = db.insert(user("alice", "de", 3)).unwrap_err();
    let WriteError::Unique {
        index,
        value,
        holder,
        row,
    } = &refused
    else {
        panic!("expected a unique violation, got {refused:?}");
    };
    assert_eq!(index.name, "UserByUsername");
    assert_eq!(index.fields, ["username"]);
    assert_eq!(value, "\"alice\"");
    assert_eq!(*holder, AnyId::from(alice));
    assert_eq!(*row, None);
    assert!(refused.to_string().contains("\"alice\""), "{refused}");
    assert_eq!(db.table::<User>().len(), 1);
    db.check_integrity()?;
    Ok(())
}

#[test]
fn updates_edits_and_replaces_move_rows_between_keys() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    let alice = db.insert(user("alice", "fr", 10))?;
    let bob = db.insert(user("bob", "fr", 5))?;

    // Taking a held key is refused, and the row stays whole.
    let refused = db.update(bob, |u| {
        u.username = "alice".into();
        u.karma = 99;
    });
    assert!(matches!(
        refused,
        Err(WriteError::Unique { row: Some(_), .. })
    ));
    assert_eq!(db.get(bob)?.value(), &user("bob", "fr", 5));

    // `edit` on an indexed row works on a copy: a refusal leaves every field as it was.
    let refused = db.edit(bob, |u| {
        u.username = "alice".into();
        u.karma = 99;
    });
    assert!(matches!(refused, Err(WriteError::Unique { .. })));
    assert_eq!(db.get(bob)?.value(), &user("bob", "fr", 5));

    db.edit(bob, |u| u.username = "robert".into())?;
    db.update(alice, |u| u.country = "de".into())?;
    db.replace(bob, user("bob", "de", 7))?;
    let users = db.table::<User>();
    assert!(users.get_by(UserByUsername, "robert").is_none());
    assert_eq!(
        users.get_by(UserByUsername, "bob").map(|u| u.id()),
        Some(bob)
    );
    assert_eq!(names(users.find(UserByCountry, "de")), ["alice", "bob"]);
    assert_eq!(users.find(UserByCountry, "fr").count(), 0);
    // A row keeps its creation order under a key whatever order it arrived in.
    db.update(alice, |u| u.country = "fr".into())?;
    db.update(alice, |u| u.country = "de".into())?;
    assert_eq!(
        names(db.table::<User>().find(UserByCountry, "de")),
        ["alice", "bob"]
    );

    // Swapping two unique keys in one replace each is fine once the first key is free.
    db.update(alice, |u| u.username = "tmp".into())?;
    db.update(bob, |u| u.username = "alice".into())?;
    db.update(alice, |u| u.username = "bob".into())?;
    let users = db.table::<User>();
    assert_eq!(
        users.get_by(UserByUsername, "bob").map(|u| u.id()),
        Some(alice)
    );
    assert_eq!(
        users.get_by(UserByUsername, "alice").map(|u| u.id()),
        Some(bob)
    );
    db.check_integrity()?;
    Ok(())
}

#[test]
fn a_deleted_row_frees_its_keys() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    let alice = db.insert(user("alice", "fr", 10))?;
    db.delete(alice)?;
    assert!(db.table::<User>().get_by(UserByUsername, "alice").is_none());
    assert_eq!(db.table::<User>().find(UserByCountry, "fr").count(), 0);
    let again = db.insert(user("alice", "fr", 1))?;
    assert_eq!(
        db.table::<User>()
            .get_by(UserByUsername, "alice")
            .map(|u| u.id()),
        Some(again)
    );
    db.check_integrity()?;
    Ok(())
}

#[test]
fn a_composite_unique_index_refuses_a_second_join_row() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    let ann = db.insert(user("ann", "fr", 0))?;
    let quest = db.insert(Quest {
        title: "dragon".into(),
    })?;
    let first = db.insert(Progress {
        player: ann,
        quest,
        step: 1,
    })?;
    let twice = db.insert(Progress {
        player: ann,
        quest,
        step: 2,
    });
    assert!(
        matches!(&twice, Err(WriteError::Unique { index, holder, .. })
            if index.name == "ProgressByPlayerQuest" && *holder == AnyId::from(first)),
        "{twice:?}"
    );
    let progress = db.table::<Progress>();
    assert_eq!(
        progress
            .get_by(ProgressByPlayerQuest, &(ann, quest))
            .map(|p| p.id()),
        Some(first)
    );
    // Deleting the quest cascades to the join row, which leaves the index.
    db.delete(quest)?;
    assert_eq!(db.table::<Progress>().len(), 0);
    assert!(
        db.table::<Progress>()
            .get_by(ProgressByPlayerQuest, &(ann, quest))
            .is_none()
    );
    db.check_integrity()?;
    Ok(())
}

#[test]
fn set_null_moves_the_child_in_an_index_over_its_key() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    let ann = db.insert(user("ann", "fr", 0))?;
    let sword = db.insert(Item {
        owner: Some(ann),
        name: "sword".into(),
    })?;
    let items = db.table::<Item>();
    assert_eq!(
        items
            .find(ItemByOwner, &Some(ann))
            .map(|i| i.id())
            .collect::<Vec<_>>(),
        [sword]
    );
    db.delete(ann)?;
    let items = db.table::<Item>();
    assert_eq!(items.find(ItemByOwner, &Some(ann)).count(), 0);
    assert_eq!(
        items
            .find(ItemByOwner, &None)
            .map(|i| i.id())
            .collect::<Vec<_>>(),
        [sword]
    );
    db.check_integrity()?;
    Ok(())
}

#[test]
fn ordered_indexes_answer_ranges_top_k_and_prefixes() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    for (name, karma) in [("a", 5), ("b", -3), ("c", 12), ("d", 5), ("e", 40)] {
        db.insert(user(name, "fr", karma))?;
    }
    let users = db.table::<User>();
    assert_eq!(names(users.range(UserByKarma, 0..=12)), ["a", "d", "c"]);
    assert_eq!(names(users.range(UserByKarma, ..0)), ["b"]);
    assert_eq!(names(users.range(UserByKarma, 5..)), ["a", "d", "c", "e"]);
    assert_eq!(
        names(users.range(UserByKarma, ..).rev().take(2)),
        ["e", "c"]
    );
    // Ranges a `BTreeMap` would panic on give nothing.
    #[allow(clippy::reversed_empty_ranges)]
    let inverted = users.range(UserByKarma, 10..0).count();
    assert_eq!(inverted, 0);
    use std::ops::Bound::Excluded;
    assert_eq!(
        users.range(UserByKarma, (Excluded(5), Excluded(5))).count(),
        0
    );
    assert_eq!(
        users
            .range(UserByKarma, (Excluded(5), Excluded(12)))
            .count(),
        0
    );
    assert_eq!(
        users
            .range(UserByKarma, (Excluded(4), Excluded(12)))
            .count(),
        2
    );

    for title in ["sword", "swamp", "shield", "sw", "t"] {
        db.insert(Quest {
            title: title.into(),
        })?;
    }
    let quests = db.table::<Quest>();
    let titles = |prefix: &str| -> Vec<String> {
        quests
            .prefix(QuestByTitle, prefix)
            .map(|q| q.title.clone())
            .collect()
    };
    assert_eq!(titles("sw"), ["sw", "swamp", "sword"]);
    assert_eq!(titles(""), ["shield", "sw", "swamp", "sword", "t"]);
    assert_eq!(titles("x"), Vec::<String>::new());
    let middle: Vec<_> = quests
        .range(QuestByTitle, "sw".."t")
        .map(|q| q.title.clone())
        .collect();
    assert_eq!(middle, ["sw", "swamp", "sword"]);
    Ok(())
}

#[test]
fn a_batch_is_refused_whole_for_a_duplicate_inside_it_or_against_the_store() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    db.insert(user("alice", "fr", 1))?;
    let refused = db
        .insert_many([user("x", "fr", 0), user("y", "fr", 0), user("x", "de", 0)])
        .unwrap_err();
    assert_eq!(refused.position, 2);
    assert!(
        matches!(&refused.error, WriteError::UniqueInBatch { earlier: 0, value, .. } if value == "\"x\""),
        "{:?}",
        refused.error
    );
    let refused = db
        .insert_many([user("z", "fr", 0), user("alice", "fr", 0)])
        .unwrap_err();
    assert_eq!(refused.position, 1);
    assert!(matches!(refused.error, WriteError::Unique { .. }));
    assert_eq!(db.table::<User>().len(), 1);
    db.insert_many([user("x", "fr", 0), user("y", "fr", 0)])?;
    assert_eq!(
        names(db.table::<User>().find(UserByCountry, "fr")),
        ["alice", "x", "y"]
    );
    db.check_integrity()?;
    Ok(())
}

#[test]
fn index_types_describe_themselves() {
    use relstore::Index;
    assert_eq!(
        ProgressByPlayerQuest::INFO,
        IndexInfo {
            name: "ProgressByPlayerQuest",
            table: "progress",
            fields: &["player", "quest"],
            unique: true,
            ordered: false,
        }
    );
    assert_eq!(
        ProgressByPlayerQuest::INFO.to_string(),
        "ProgressByPlayerQuest on progress(player, quest)"
    );
    assert_eq!(
        (QuestByTitle::INFO.ordered, QuestByTitle::INFO.unique),
        (true, true)
    );
    assert_eq!(
        (UserByCountry::INFO.ordered, UserByCountry::INFO.unique),
        (false, false)
    );
}

#[test]
fn a_snapshot_reloads_the_indexes() -> Result<(), Box<dyn std::error::Error>> {
    let mut db = Db::<Game>::new();
    let ann = db.insert(user("ann", "fr", 3))?;
    db.insert(user("bob", "de", 8))?;
    db.delete(ann)?;
    db.insert(user("cy", "fr", 1))?;
    let mut bytes = Vec::new();
    db.write_to(&mut bytes)?;
    let loaded = Db::<Game>::read_from(&bytes[..])?;
    loaded.check_integrity()?;
    let users = loaded.table::<User>();
    assert_eq!(names(users.find(UserByCountry, "fr")), ["cy"]);
    assert_eq!(names(users.range(UserByKarma, ..)), ["cy", "bob"]);
    assert!(users.get_by(UserByUsername, "ann").is_none());
    Ok(())
}
