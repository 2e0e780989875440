// Rule: `#[relstore(..)]` takes `table = ".."` and `version = N` on the struct and
// `unchecked` on a key field; anything else, or one of them in the wrong place, is an error
// pointing at it.

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(name = "users")]
struct User {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(unchecked)]
struct Post {
    #[relstore(table = "posts")]
    user_id: Id<User>,
    #[relstore(cascade)]
    editor_id: Option<Id<User>>,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore]
struct Tag {
    label: String,
}

fn main() {}
