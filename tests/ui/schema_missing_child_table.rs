// Rule: a relation's child table (the one holding the key) must be a table of the schema.
// `PostAuthor`'s key is in `Post`, which `Blog` does not list.

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
struct User {}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
struct Post {
    user_id: Id<User>,
}

relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);

relstore::schema! {
    struct Blog {
        users: User,
    }
    relations { PostAuthor }
}

fn main() {}
