// Rule: a relation's parent table must be a table of the schema.
// `PostAuthor` points to `User`, which `Blog` does not list.

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

relstore::schema! {
    struct Blog {
        posts: Post,
    }
    relations { PostAuthor }
}

fn main() {}
