// Rule: an id of one table cannot be used as an id of another: `Id<User>` is not `Id<Post>`.

use relstore::{Id, KeyField, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
struct User;
impl Model for User {
    const TABLE: &'static str = "users";
    const KEYS: &'static [KeyField] = &[];
}

#[derive(Clone, Serialize, Deserialize)]
struct Post;
impl Model for Post {
    const TABLE: &'static str = "posts";
    const KEYS: &'static [KeyField] = &[];
}

relstore::schema! {
    struct App {
        users: User,
        posts: Post,
    }
    relations {}
}

fn main() -> Result<(), relstore::Error> {
    let mut db = relstore::Db::<App>::new();
    let user: Id<User> = db.insert(User)?;
    let post: Id<Post> = user;
    db.delete(post)?;
    Ok(())
}
