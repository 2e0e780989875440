// Rule: a schema lists each table once, even under another field name.

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
        posts: Post,
        authors: User,
    }
    relations { PostAuthor }
}

fn main() {}
