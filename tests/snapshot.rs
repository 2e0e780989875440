//! Snapshots through the public API: every row under its id, stale ids stale, the next ids
//! the same, children in order; saving to a path; errors that name what is wrong.

mod common;

use common::*;
use relstore::{Db, Id, LoadError, Loader, Model, SaveError, TableError};
use serde::{Deserialize, Serialize};

/// A store using every relation kind, with deletes (vacant slots, a free list) and a child
/// moved to another parent.
fn populated() -> (Db<App>, Vec<Id<User>>, Vec<Id<Post>>) {
    let mut db = db();
    let users: Vec<_> = (0..6)
        .map(|i| db.insert(user(&format!("user {i}"))).unwrap())
        .collect();
    let mut posts = Vec::new();
    for i in 0..12 {
        let author = users[i % 4];
        let row = if i % 3 == 0 {
            edited_post(author, users[(i + 1) % 4], &format!("post {i}"))
        } else {
            post(author, &format!("post {i}"))
        };
        posts.push(db.insert(row).unwrap());
    }
    for (i, &p) in posts.iter().enumerate().take(8) {
        db.insert(comment(p, users[(i + 2) % 3], "nice")).unwrap();
    }
    db.insert(profile(users[0], "hello")).unwrap();
    let root = db.insert(category("root", None)).unwrap();
    let games = db.insert(category("games", Some(root))).unwrap();
    db.insert(category("rpg", Some(games))).unwrap();
    db.insert(relstore_pin(games)).unwrap();
    // Holes, in an order the free list must keep: a cascade, a set-null, plain deletes.
    db.delete(users[5]).unwrap();
    db.delete(posts[10]).unwrap();
    db.delete(posts[2]).unwrap();
    db.delete(users[3]).unwrap(); // cascades to its posts and their comments; nulls editors
    // A child moved to another parent keeps its place by creation.
    db.update(posts[1], |p| p.author_id = users[2]).unwrap();
    (db, users, posts)
}

fn relstore_pin(category_id: Id<Category>) -> Pin {
    Pin { category_id }
}

fn round_trip(db: &Db<App>) -> Db<App> {
    let bytes = db.write_to(Vec::new()).unwrap();
    Db::<App>::read_from(&bytes[..]).unwrap()
}

#[test]
fn a_round_trip_keeps_every_row_id_and_answer() {
    let (db, _, _) = populated();
    let loaded = round_trip(&db);
    assert_eq!(snapshot(&loaded), snapshot(&db));
    assert!(loaded.check_integrity().is_ok());
}

#[test]
fn stale_ids_stay_stale_and_the_next_ids_are_the_same() {
    let (mut db, users, posts) = populated();
    let mut loaded = round_trip(&db);
    for id in [users[3], users[5]] {
        assert!(loaded.get(id).is_err());
    }
    for id in [posts[2], posts[10], posts[3]] {
        assert!(
            loaded.get(id).is_err(),
            "{id:?} was deleted before the save"
        );
    }
    // The same inserts on both stores hand out the same ids: slots reused in the same order,
    // under the same versions; and a stale id still names nothing afterwards.
    for i in 0..5 {
        let a = db.insert(user(&format!("new {i}"))).unwrap();
        let b = loaded.insert(user(&format!("new {i}"))).unwrap();
        assert_eq!(a, b);
        let a = db.insert(post(a, "p")).unwrap();
        let b = loaded.insert(post(b, "p")).unwrap();
        assert_eq!(a, b);
    }
    assert!(loaded.get(users[3]).is_err() && loaded.get(posts[2]).is_err());
    assert_eq!(snapshot(&loaded), snapshot(&db));
}

#[test]
fn saving_again_gives_the_same_bytes() {
    let (db, _, _) = populated();
    let bytes = db.write_to(Vec::new()).unwrap();
    let again = round_trip(&db).write_to(Vec::new()).unwrap();
    assert_eq!(bytes, again);
    assert_eq!(db.snapshot().write_to(Vec::new()).unwrap(), bytes);
}

#[test]
fn an_empty_store_round_trips() {
    let db = db();
    let loaded = round_trip(&db);
    assert_eq!(snapshot(&loaded), snapshot(&db));
}

#[test]
fn children_keep_their_order_after_a_load() {
    let (db, users, _) = populated();
    let loaded = round_trip(&db);
    for &u in &users[..3] {
        assert_eq!(
            child_ids(&loaded, PostAuthor, u),
            child_ids(&db, PostAuthor, u)
        );
    }
}

#[test]
fn a_snapshot_is_the_store_when_it_was_taken() {
    let (mut db, users, _) = populated();
    let before = snapshot(&db);
    let taken = db.snapshot();
    db.delete(users[4]).unwrap();
    db.insert(user("later")).unwrap();
    let bytes = std::thread::spawn(move || taken.write_to(Vec::new()).unwrap())
        .join()
        .unwrap();
    assert_eq!(snapshot(&Db::<App>::read_from(&bytes[..]).unwrap()), before);
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("relstore-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_save_to_a_path_replaces_the_file_and_loads_back() {
    let dir = temp_dir("save");
    let path = dir.join("game.relstore");
    let (mut db, users, _) = populated();
    db.save(&path).unwrap();
    db.delete(users[4]).unwrap();
    db.save(&path).unwrap();
    assert_eq!(snapshot(&Db::<App>::load(&path).unwrap()), snapshot(&db));
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["game.relstore"], "no temporary file is left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_save_leaves_the_old_file_whole() {
    let dir = temp_dir("failed-save");
    let path = dir.join("game.relstore");
    let (db, _, _) = populated();
    db.save(&path).unwrap();
    let old = std::fs::read(&path).unwrap();

    // A row whose Serialize fails halfway through the save.
    #[derive(Clone, Deserialize, Model)]
    #[relstore(table = "bombs")]
    struct Bomb {
        armed: bool,
    }
    impl Serialize for Bomb {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            if self.armed {
                return Err(serde::ser::Error::custom("boom"));
            }
            s.serialize_bool(false)
        }
    }
    relstore::schema! { struct Bombs { bombs: Bomb } relations {} }
    let mut bombs = Db::<Bombs>::new();
    for armed in [false, false, true] {
        bombs.insert(Bomb { armed }).unwrap();
    }
    let err = bombs.save(&path).unwrap_err();
    assert!(
        matches!(&err, SaveError::Encode { table: "bombs", message } if message.contains("boom")),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), old);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["game.relstore"], "no temporary file is left behind");

    let missing = dir.join("no such dir").join("game.relstore");
    assert!(matches!(db.save(missing), Err(SaveError::Io(_))));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn what_is_not_a_snapshot_is_named() {
    assert!(matches!(
        Db::<App>::read_from(&b"{\"users\": []}"[..]),
        Err(LoadError::NotASnapshot)
    ));
    assert!(matches!(
        Db::<App>::read_from(&[][..]),
        Err(LoadError::NotASnapshot)
    ));
    let missing = std::env::temp_dir().join("relstore-no-such-file");
    assert!(matches!(Db::<App>::load(missing), Err(LoadError::Io(_))));
}

// --- Schema evolution: versions, shapes, dropped and renamed tables -----------------------

mod v1 {
    use super::*;

    #[derive(Clone, Debug, Serialize, Deserialize, Model)]
    #[relstore(table = "players", version = 1)]
    pub struct Player {
        pub name: String,
    }

    #[derive(Clone, Debug, Serialize, Deserialize, Model)]
    #[relstore(table = "scores")]
    pub struct Score {
        pub points: u32,
    }

    relstore::schema! { pub struct Game { players: Player, scores: Score } relations {} }
}

mod v2 {
    use super::*;

    #[derive(Clone, Debug, Serialize, Deserialize, Model)]
    #[relstore(table = "players", version = 2)]
    pub struct Player {
        pub name: String,
        pub level: u32,
    }

    relstore::schema! { pub struct Game { players: Player } relations {} }
}

mod v3 {
    use super::*;

    #[derive(Clone, Debug, Serialize, Deserialize, Model)]
    #[relstore(table = "players", version = 3)]
    pub struct Player {
        pub name: String,
        pub level: u32,
        pub title: String,
    }

    #[derive(Clone, Debug, Serialize, Deserialize, Model)]
    #[relstore(table = "points")]
    pub struct Points {
        pub points: u32,
    }

    #[derive(Clone, Debug, Serialize, Deserialize, Model)]
    #[relstore(table = "guilds")]
    pub struct Guild {
        pub name: String,
    }

    relstore::schema! { pub struct Game { players: Player, points: Points, guilds: Guild } relations {} }
}

fn v1_file() -> (Vec<u8>, Id<v1::Player>) {
    let mut db = Db::<v1::Game>::new();
    let gone = db
        .insert(v1::Player {
            name: "gone".into(),
        })
        .unwrap();
    let ada = db.insert(v1::Player { name: "ada".into() }).unwrap();
    db.insert(v1::Score { points: 7 }).unwrap();
    db.delete(gone).unwrap();
    (db.write_to(Vec::new()).unwrap(), ada)
}

fn table_error(err: LoadError) -> (String, TableError) {
    match err {
        LoadError::Table { table, reason } => (table, reason),
        other => panic!("expected a table error, got {other}"),
    }
}

#[test]
fn migrations_chain_across_versions_and_keep_ids() {
    let (file, ada) = v1_file();
    let db = Loader::<v3::Game>::new()
        .migrate(|p: v1::Player| v2::Player {
            name: p.name,
            level: 1,
        })
        .migrate(|p: v2::Player| v3::Player {
            title: format!("{} the first", p.name),
            name: p.name,
            level: p.level,
        })
        .rename_table("scores", "points")
        .read_from(&file[..])
        .unwrap();
    let ada = Id::<v3::Player>::from_bits(ada.to_bits());
    assert_eq!(db.get(ada).unwrap().title, "ada the first");
    assert_eq!(db.table::<v3::Player>().len(), 1);
    assert_eq!(db.table::<v3::Points>().iter().next().unwrap().points, 7);
    assert_eq!(
        db.table::<v3::Guild>().len(),
        0,
        "a table the file lacks loads empty"
    );
}

#[test]
fn a_missing_migration_or_table_is_an_error_naming_it() {
    let (file, _) = v1_file();
    let (table, reason) = table_error(
        Loader::<v3::Game>::new()
            .migrate(|p: v1::Player| v2::Player {
                name: p.name,
                level: 1,
            })
            .rename_table("scores", "points")
            .read_from(&file[..])
            .unwrap_err(),
    );
    assert_eq!(table, "players");
    assert_eq!(reason, TableError::NoMigration { from: 2, to: 3 });

    // The file's `scores` has no table in v2's schema.
    let (table, reason) = table_error(
        Loader::<v2::Game>::new()
            .migrate(|p: v1::Player| v2::Player {
                name: p.name,
                level: 1,
            })
            .read_from(&file[..])
            .unwrap_err(),
    );
    assert_eq!(
        (table.as_str(), reason),
        ("scores", TableError::NotInSchema)
    );
    let dropped = Loader::<v2::Game>::new()
        .migrate(|p: v1::Player| v2::Player {
            name: p.name,
            level: 1,
        })
        .drop_table("scores")
        .read_from(&file[..])
        .unwrap();
    assert_eq!(dropped.table::<v2::Player>().len(), 1);
}

#[test]
fn a_newer_file_or_a_changed_struct_is_refused() {
    let mut db = Db::<v2::Game>::new();
    db.insert(v2::Player {
        name: "bo".into(),
        level: 3,
    })
    .unwrap();
    let v2_file = db.write_to(Vec::new()).unwrap();
    let (_, reason) = table_error(Db::<v1::Game>::read_from(&v2_file[..]).unwrap_err());
    assert_eq!(reason, TableError::NewerVersion { file: 2, model: 1 });

    // Same table, same version, other fields: the shape fingerprint tells.
    mod changed {
        use super::*;
        #[derive(Clone, Debug, Serialize, Deserialize, Model)]
        #[relstore(table = "players", version = 2)]
        pub struct Player {
            pub name: String,
            pub level: u64,
        }
        relstore::schema! { pub struct Game { players: Player } relations {} }
    }
    let (_, reason) = table_error(Db::<changed::Game>::read_from(&v2_file[..]).unwrap_err());
    assert_eq!(reason, TableError::ShapeChanged { version: 2 });
}

#[test]
fn a_file_that_breaks_a_rule_is_refused_naming_the_rule() {
    // Two schemas over the same tables, one without the relation: a file written without
    // integrity (an unchecked key to nothing) must not load where the key is checked.
    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "owners")]
    struct Owner {}
    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "items")]
    struct Item {
        owner: Id<Owner>,
    }
    #[derive(Clone, Serialize, Deserialize, Model)]
    #[relstore(table = "items")]
    struct LooseItem {
        #[relstore(unchecked)]
        owner: Id<Owner>,
    }
    relstore::belongs_to!(ItemOwner: Item.owner -> Owner, has_many);
    relstore::schema! { struct Checked { owners: Owner, items: Item } relations { ItemOwner } }
    relstore::schema! { struct Loose { owners: Owner, items: LooseItem } relations {} }

    let mut loose = Db::<Loose>::new();
    let owner = loose.insert(Owner {}).unwrap();
    loose.insert(LooseItem { owner }).unwrap();
    loose.delete(owner).unwrap();
    let file = loose.write_to(Vec::new()).unwrap();
    // Same names, fields and types: the same shape, so the rows decode, and the check that
    // ends every load finds the key naming nothing.
    match Db::<Checked>::read_from(&file[..]) {
        Err(LoadError::Integrity(e)) => {
            let message = e.to_string();
            assert!(
                message.contains("items#1v1") && message.contains("owners#1v1"),
                "{message}"
            );
        }
        other => panic!("expected an integrity error, got {other:?}"),
    }
}
