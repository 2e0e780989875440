// Rule: the derive sees a key by its type as written; a key behind a type alias would escape
// the schema's checks, so it is an error asking for the type to be written out.

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
struct User {
    name: String,
}

type Author = Id<User>;
type Editor = Option<Id<User>>;

#[derive(Clone, Serialize, Deserialize, Model)]
struct Post {
    author: Author,
    editor: Editor,
    title: String,
}

fn main() {}
