// Rule: a store only takes rows of its schema's tables. `Blog` has no `Profile` table.

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

#[derive(Clone, Serialize, Deserialize)]
struct Profile {
    bio: String,
}
impl Model for Profile {
    const TABLE: &'static str = "profiles";
    const KEYS: &'static [KeyField] = &[];
}

relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);

relstore::schema! {
    struct Blog {
        users: User,
        posts: Post,
    }
    relations { PostAuthor }
}

fn main() -> Result<(), relstore::Error> {
    let mut db = relstore::Db::<Blog>::new();
    db.insert(User)?;
    db.insert(Profile { bio: String::new() })?;
    Ok(())
}
