// Rule: `#[relstore(unchecked)]` marks a key field (`Id<_>` or `Option<Id<_>>`); `name` is
// not one, and neither is a `Vec` of ids (ids inside a field are never checked).

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
struct User {
    #[relstore(unchecked)]
    name: String,
    #[relstore(unchecked)]
    friends: Vec<Id<User>>,
}

fn main() {}
