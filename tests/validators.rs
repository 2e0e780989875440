//! A model's validator runs on every write and on load; a refusal changes nothing. A save made
//! before an index or a validator existed that breaks it now is an error on load naming the
//! rows, unless a migration fixes them.

use relstore::{Db, Error, Invalid, LoadError, Loader, Model, TableError, WriteError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "players", validate = Player::check)]
pub struct Player {
    name: String,
    hp: u32,
    max_hp: u32,
    #[relstore(unvalidated)]
    x: f32,
}

impl Player {
    fn check(&self) -> Result<(), Invalid> {
        if self.name.is_empty() {
            return Err(Invalid::new("a player needs a name"));
        }
        if self.hp > self.max_hp {
            return Err(Invalid::new(format!(
                "hp {} above max {}",
                self.hp, self.max_hp
            )));
        }
        Ok(())
    }
}

relstore::schema! { pub struct Game { players: Player } relations {} }

fn player(name: &str, hp: u32) -> Player {
    Player {
        name: name.into(),
        hp,
        max_hp: 10,
        x: 0.0,
    }
}

#[test]
fn every_write_runs_the_validator_and_a_refusal_changes_nothing() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    let refused = db.insert(player("", 1)).unwrap_err();
    assert!(
        matches!(&refused, WriteError::Invalid { table: "players", row: None, reason } if reason.message == "a player needs a name"),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("a player needs a name"));
    assert_eq!(db.table::<Player>().len(), 0);

    let ann = db.insert(player("ann", 5))?;
    let refused = db.update(ann, |p| p.hp = 11).unwrap_err();
    assert!(matches!(refused, WriteError::Invalid { row: Some(_), .. }));
    let refused = db
        .edit(ann, |p| {
            p.x = 3.0;
            p.hp = 12;
        })
        .unwrap_err();
    assert!(matches!(refused, WriteError::Invalid { .. }));
    let refused = db.replace(ann, player("ann", 99)).unwrap_err();
    assert!(matches!(refused, WriteError::Invalid { .. }));
    assert_eq!(db.get(ann)?.value(), &player("ann", 5)); // whole, `x` included

    db.edit(ann, |p| p.hp = 10)?;
    assert_eq!(db.get(ann)?.hp, 10);

    let refused = db
        .insert_many([player("bo", 1), player("cy", 20), player("", 0)])
        .unwrap_err();
    assert_eq!(refused.position, 1);
    assert!(matches!(refused.error, WriteError::Invalid { .. }));
    assert_eq!(db.table::<Player>().len(), 1);
    Ok(())
}

#[test]
fn views_lend_only_the_fields_the_validator_does_not_read() -> Result<(), Error> {
    let mut db = Db::<Game>::new();
    let ann = db.insert(player("ann", 5))?;
    let view = db.row_mut(ann)?;
    *view.x += 1.5; // unvalidated: `&mut f32`
    let hp: &u32 = view.hp; // validated: `&u32`
    assert_eq!(*hp, 5);
    assert_eq!(db.get(ann)?.x, 1.5);
    Ok(())
}

mod before {
    //! The same table, saved before its validator and its unique index existed.
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, relstore::Model)]
    #[relstore(table = "players")]
    pub struct Player {
        pub name: String,
        pub hp: u32,
        pub max_hp: u32,
        pub x: f32,
    }

    relstore::schema! { pub struct Game { players: Player } relations {} }
}

mod after {
    //! The same table with a unique index on the name.
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, relstore::Model)]
    #[relstore(table = "players")]
    pub struct Player {
        #[relstore(unique)]
        pub name: String,
        pub hp: u32,
        pub max_hp: u32,
        pub x: f32,
    }

    relstore::schema! { pub struct Game { players: Player } relations {} }
}

fn old_save(rows: &[(&str, u32)]) -> Vec<u8> {
    let mut db = Db::<before::Game>::new();
    for &(name, hp) in rows {
        db.insert(before::Player {
            name: name.into(),
            hp,
            max_hp: 10,
            x: 0.0,
        })
        .unwrap();
    }
    let mut bytes = Vec::new();
    db.write_to(&mut bytes).unwrap();
    bytes
}

#[test]
fn a_load_names_the_rows_a_new_validator_refuses() {
    let bytes = old_save(&[("ann", 5), ("bo", 50)]);
    let error = Db::<Game>::read_from(&bytes[..]).unwrap_err();
    let LoadError::Table { table, reason } = &error else {
        panic!("expected a table error, got {error:?}");
    };
    assert_eq!(table, "players");
    assert!(
        matches!(reason, TableError::Invalid { reason, .. } if reason.message == "hp 50 above max 10"),
        "{reason:?}"
    );
    assert!(error.to_string().contains("hp 50 above max 10"), "{error}");
}

#[test]
fn a_load_names_the_rows_a_new_unique_index_refuses() {
    let bytes = old_save(&[("ann", 5), ("bo", 5), ("ann", 1)]);
    let error = Db::<after::Game>::read_from(&bytes[..]).unwrap_err();
    let LoadError::Table {
        reason: TableError::Unique { index, value, rows },
        ..
    } = &error
    else {
        panic!("expected a unique violation, got {error:?}");
    };
    assert_eq!(index.name, "PlayerByName");
    assert_eq!(value, "\"ann\"");
    assert_ne!(rows.0, rows.1);
    assert!(error.to_string().contains("\"ann\""), "{error}");
}

mod v2 {
    //! Version 2: a validator and a unique name; a migration from version 1 mends old rows.
    use relstore::Invalid;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, relstore::Model)]
    #[relstore(table = "players", version = 2, validate = Player::check)]
    pub struct Player {
        #[relstore(unique)]
        pub name: String,
        pub hp: u32,
        pub max_hp: u32,
        pub x: f32,
    }

    impl Player {
        fn check(&self) -> Result<(), Invalid> {
            if self.hp > self.max_hp {
                return Err(Invalid::new("hp above max"));
            }
            Ok(())
        }
    }

    relstore::schema! { pub struct Game { players: Player } relations {} }
}

#[test]
fn a_migration_fixes_the_rows_before_they_are_checked() -> Result<(), Box<dyn std::error::Error>> {
    let bytes = old_save(&[("ann", 5), ("bo", 50), ("ann", 1)]);
    // Without a mending migration the rows are refused, named.
    let plain = Loader::<v2::Game>::new()
        .migrate(|p: before::Player| v2::Player {
            name: p.name,
            hp: p.hp,
            max_hp: p.max_hp,
            x: p.x,
        })
        .read_from(&bytes[..]);
    assert!(matches!(
        plain,
        Err(LoadError::Table {
            reason: TableError::Invalid { .. },
            ..
        })
    ));

    // Migrations are `Fn`: a mutex keeps the names seen so far.
    let seen = std::sync::Mutex::new(std::collections::HashSet::new());
    let db = Loader::<v2::Game>::new()
        .migrate(move |p: before::Player| {
            let mut name = p.name;
            while !seen.lock().unwrap().insert(name.clone()) {
                name.push('\'');
            }
            v2::Player {
                name,
                hp: p.hp.min(p.max_hp),
                max_hp: p.max_hp,
                x: p.x,
            }
        })
        .read_from(&bytes[..])?;
    db.check_integrity()?;
    let players = db.table::<v2::Player>();
    assert_eq!(
        players.get_by(v2::PlayerByName, "bo").map(|p| p.hp),
        Some(10)
    );
    assert_eq!(
        players.get_by(v2::PlayerByName, "ann'").map(|p| p.hp),
        Some(1)
    );
    Ok(())
}

mod two_keys {
    //! A member needs a guild or a mentor: each key alone may be set to null, not both.
    use relstore::{Id, Invalid, Model};
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, Serialize, Deserialize, Model)]
    #[relstore(table = "guilds")]
    pub struct Guild {
        pub name: String,
    }

    #[derive(Clone, Debug, Serialize, Deserialize, Model)]
    #[relstore(table = "members", validate = Member::check)]
    pub struct Member {
        pub guild: Option<Id<Guild>>,
        pub mentor: Option<Id<Member>>,
    }

    impl Member {
        fn check(&self) -> Result<(), Invalid> {
            if self.guild.is_none() && self.mentor.is_none() {
                return Err(Invalid::new("a member needs a guild or a mentor"));
            }
            Ok(())
        }
    }

    relstore::belongs_to!(pub MemberGuild: Member.guild -> Guild, has_many, on_delete = SetNull);
    relstore::belongs_to!(pub MemberMentor: Member.mentor -> Member, has_many, on_delete = SetNull);
    relstore::schema! {
        pub struct Town { guilds: Guild, members: Member }
        relations { MemberGuild, MemberMentor }
    }
}

#[test]
fn a_set_null_that_would_break_the_validator_refuses_the_delete() -> Result<(), Error> {
    use relstore::DeleteError;
    use two_keys::*;
    let mut db = Db::<Town>::new();
    let guild = db.insert(Guild { name: "g".into() })?;
    let other = db.insert(Guild { name: "h".into() })?;
    let mentor = db.insert(Member {
        guild: Some(other),
        mentor: None,
    })?;
    let pupil = db.insert(Member {
        guild: Some(guild),
        mentor: Some(mentor),
    })?;
    // Either key alone may go: the pupil keeps the other.
    let mut alone = Db::<Town>::read_from(&db.write_to(Vec::new()).unwrap()[..]).unwrap();
    alone.delete(guild)?;
    assert_eq!(alone.get(pupil)?.guild, None);
    // The mentor's own guild cannot go: the mentor would have neither.
    let refused = db.delete(other).unwrap_err();
    assert!(
        matches!(&refused, DeleteError::Invalid { row, .. } if *row == relstore::AnyId::from(mentor)),
        "{refused:?}"
    );
    assert!(
        refused
            .to_string()
            .contains("a member needs a guild or a mentor")
    );
    // Once the pupil has lost its guild, its mentor cannot go.
    let mut db = alone;
    let refused = db.delete_many([mentor]).unwrap_err(); // the pupil has no guild any more
    assert!(
        matches!(&refused, DeleteError::Invalid { row, .. } if *row == relstore::AnyId::from(pupil)),
        "{refused:?}"
    );
    assert_eq!(db.get(pupil)?.mentor, Some(mentor));
    let mut both = Db::<Town>::new();
    let g = both.insert(Guild { name: "g".into() })?;
    let m = both.insert(Member {
        guild: Some(g),
        mentor: None,
    })?;
    let p = both.insert(Member {
        guild: Some(g),
        mentor: Some(m),
    })?;
    // Deleting the guild clears both members' guild; the mentor has no mentor: refused.
    assert!(matches!(both.delete(g), Err(DeleteError::Invalid { .. })));
    assert_eq!(both.get(p)?.guild, Some(g));
    db.check_integrity()?;
    Ok(())
}
