//! Found by the model test (`tests/model/indexed/`): with two unique indexes on one table,
//! `insert_many` must refuse the batch at the first row that cannot go in after the ones
//! before it, whichever index that row breaks.

use relstore::{Db, Model, WriteError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "guilds")]
pub struct Guild {
    #[relstore(unique)]
    tag: u8,
    #[relstore(unique)]
    name: String,
}

relstore::schema! { pub struct Game { guilds: Guild } relations {} }

fn guild(tag: u8, name: &str) -> Guild {
    Guild {
        tag,
        name: name.into(),
    }
}

#[test]
fn insert_many_refuses_at_the_first_duplicate_of_any_unique_index() {
    let mut db = Db::<Game>::new();
    // Row 1 takes row 0's name; row 2 takes row 0's tag. Row 1 is the first refused.
    let batch = [guild(0, "a"), guild(1, "a"), guild(0, "b")];
    let refused = db.insert_many(batch).unwrap_err();
    assert_eq!(refused.position, 1, "{:?}", refused.error);
    assert!(
        matches!(&refused.error, WriteError::UniqueInBatch { index, earlier: 0, .. } if index.name == "GuildByName"),
        "{:?}",
        refused.error
    );
}

#[test]
fn update_many_refuses_at_the_first_duplicate_of_any_unique_index() {
    let mut db = Db::<Game>::new();
    let ids = db
        .insert_many([guild(0, "a"), guild(1, "b"), guild(2, "c")])
        .unwrap();
    // The copies: (0, "a"), (1, "a"), (0, "c"). Row 1 takes row 0's name, row 2 its tag:
    // row 1 is the first refused.
    let mut n = 0;
    let refused = db
        .update_many(ids, |g| {
            n += 1;
            match n {
                2 => g.name = "a".into(),
                3 => g.tag = 0,
                _ => {}
            }
        })
        .unwrap_err();
    assert_eq!(refused.position, 1, "{:?}", refused.error);
    assert!(
        matches!(&refused.error, WriteError::UniqueInBatch { index, earlier: 0, .. } if index.name == "GuildByName"),
        "{:?}",
        refused.error
    );
}
