//! Attack: a set-null delete writes a row (its key becomes `None`) without asking the row's
//! validator, so the store can hold a row its validator refuses; such a store saves, but its
//! snapshot does not load.

use relstore::{Db, Id, Invalid, Model, OnDelete};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "guilds")]
pub struct Guild {
    name: String,
}

/// A member must belong to a guild unless it is a guest: the validator reads the key.
#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "members", validate = Member::check)]
pub struct Member {
    guild: Option<Id<Guild>>,
    guest: bool,
}

impl Member {
    fn check(&self) -> Result<(), Invalid> {
        if self.guild.is_none() && !self.guest {
            return Err(Invalid::new("a member who is not a guest needs a guild"));
        }
        Ok(())
    }
}

relstore::belongs_to!(pub MemberGuild: Member.guild -> Guild, has_many, on_delete = SetNull);
relstore::schema! { pub struct Town { guilds: Guild, members: Member } relations { MemberGuild } }

#[test]
fn the_policy_is_set_null() {
    assert!(matches!(
        <MemberGuild as relstore::Relation>::ON_DELETE,
        OnDelete::SetNull
    ));
}

#[test]
fn a_member_without_a_guild_is_refused_on_insert_and_update() {
    let mut db = Db::<Town>::new();
    assert!(
        db.insert(Member {
            guild: None,
            guest: false
        })
        .is_err()
    );
    let g = db.insert(Guild { name: "g".into() }).unwrap();
    let m = db
        .insert(Member {
            guild: Some(g),
            guest: false,
        })
        .unwrap();
    assert!(db.update(m, |m| m.guild = None).is_err());
}

/// What a store may hold, it must be able to load back. A set-null delete either refuses
/// (the validator would refuse the nulled row) or leaves rows that load.
#[test]
fn a_set_null_delete_never_leaves_a_row_the_validator_refuses() {
    let mut db = Db::<Town>::new();
    let g = db.insert(Guild { name: "g".into() }).unwrap();
    let m = db
        .insert(Member {
            guild: Some(g),
            guest: false,
        })
        .unwrap();
    match db.delete(g) {
        // Refused: the member is untouched.
        Err(_) => assert_eq!(db.get(m).unwrap().guild, Some(g)),
        Ok(_) => {
            let member = db.get(m).unwrap();
            assert!(
                member.value().check().is_ok(),
                "the store holds a member its validator refuses: {:?}",
                member.value()
            );
        }
    }
    db.check_integrity().unwrap();
    let bytes = db.write_to(Vec::new()).unwrap();
    let loaded = Db::<Town>::read_from(&bytes[..]);
    assert!(
        loaded.is_ok(),
        "a saved store does not load: {:?}",
        loaded.err()
    );
}

/// The same through the bulk paths: `delete_many` and `retain` plan set-nulls too.
#[test]
fn bulk_deletes_never_leave_a_row_the_validator_refuses() {
    let mut db = Db::<Town>::new();
    let guilds = db
        .insert_many((0..3).map(|i| Guild {
            name: format!("g{i}"),
        }))
        .unwrap();
    for &g in &guilds {
        db.insert(Member {
            guild: Some(g),
            guest: false,
        })
        .unwrap();
    }
    let _ = db.delete_many(guilds[..2].iter().copied());
    let _ = db.delete_where::<Guild>(|_| true);
    for member in db.table::<Member>().iter() {
        assert!(member.value().check().is_ok(), "{:?}", member.value());
    }
    let bytes = db.write_to(Vec::new()).unwrap();
    assert!(Db::<Town>::read_from(&bytes[..]).is_ok());
}
