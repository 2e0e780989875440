// Rule: two tables of a schema cannot have the same name (`Model::TABLE`).
// `Account` takes `User`'s name, "users".

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

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
struct Account {
    login: String,
}

relstore::schema! {
    struct Blog {
        users: User,
        accounts: Account,
        posts: Post,
    }
    relations { PostAuthor }
}

fn main() {}
