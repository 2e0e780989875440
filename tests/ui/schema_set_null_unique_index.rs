// A relation may not set to null a key that a unique index holds: the nulls would collide.

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
struct Player {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(unique(owner, slot))]
struct Item {
    owner: Option<Id<Player>>,
    slot: u8,
}

relstore::belongs_to!(ItemOwner: Item.owner -> Player, has_many, on_delete = SetNull);
relstore::schema! { struct Game { players: Player, items: Item } relations { ItemOwner } }

fn main() {}
