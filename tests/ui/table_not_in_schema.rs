// Rule: a store only takes rows of its schema's tables. `Blog` has no `Profile` table.

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

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "profiles")]
struct Profile {
    bio: String,
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
    db.insert(User {})?;
    db.insert(Profile { bio: String::new() })?;
    Ok(())
}
