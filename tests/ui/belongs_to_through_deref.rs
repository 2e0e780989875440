// Rule: a relation's key is a field of the child itself, read by destructuring: a field
// reached through the child's `Deref` (which could hand out a key that changes behind the
// index, e.g. through a `OnceLock`) is refused.

use std::ops::Deref;
use std::sync::OnceLock;

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "players")]
struct Player {}

#[derive(Clone, Serialize, Deserialize)]
struct Inner {
    owner: Id<Player>,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "items")]
struct Item {
    #[serde(skip)]
    inner: OnceLock<Inner>,
}

impl Deref for Item {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        self.inner.get().expect("set")
    }
}

relstore::belongs_to!(Owner: Item.owner -> Player, has_many);

fn main() {}
