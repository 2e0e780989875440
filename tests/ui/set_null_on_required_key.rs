// Rule: `on_delete = SetNull` needs an optional key (`Option<Id<_>>`); `Post.user_id` is
// a required `Id<User>`.

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

relstore::belongs_to!(AuthorSetNull: Post.user_id -> User, has_many, on_delete = SetNull);

relstore::schema! {
    struct Blog {
        users: User,
        posts: Post,
    }
    relations { AuthorSetNull }
}

fn main() {}
