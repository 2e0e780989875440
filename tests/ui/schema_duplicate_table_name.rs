// Rule: two tables of a schema cannot have the same name (`Model::TABLE`).
// `Account` takes `User`'s name, "users".

use relstore::{Id, KeyField, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
struct User;
impl Model for User {
    const TABLE: &'static str = "users";
    const KEYS: &'static [KeyField] = &[];
}

#[derive(Clone, Serialize, Deserialize)]
struct Post {
    user_id: Id<User>,
}
impl Model for Post {
    const TABLE: &'static str = "posts";
    const KEYS: &'static [KeyField] = &[KeyField::checked("user_id")];
}

relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);

#[derive(Clone, Serialize, Deserialize)]
struct Account {
    login: String,
}
impl Model for Account {
    const TABLE: &'static str = "users";
    const KEYS: &'static [KeyField] = &[];
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
