// Rule: a relation's parent table must be a table of the schema.
// `PostAuthor` points to `User`, which `Blog` does not list.

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
        posts: Post,
    }
    relations { PostAuthor }
}

fn main() {}
