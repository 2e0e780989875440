// Rule: every foreign-key field of a table has a relation in the schema, or is declared
// `#[relstore(unchecked)]`: a schema that lists the tables but forgets a relation would
// accept an item whose owner never existed.

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "players")]
struct Player {}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "items")]
struct Item {
    owner: Id<Player>,
}

relstore::belongs_to!(Owner: Item.owner -> Player, has_many);

relstore::schema! {
    struct Game {
        players: Player,
        items: Item,
    }
    relations {} // `Owner` forgotten
}

fn main() {}
