// Rule: an id of one table cannot be used as an id of another: `Id<User>` is not `Id<Post>`.

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
struct User {}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
struct Post {}

relstore::schema! {
    struct App {
        users: User,
        posts: Post,
    }
    relations {}
}

fn main() -> Result<(), relstore::Error> {
    let mut db = relstore::Db::<App>::new();
    let user: Id<User> = db.insert(User {})?;
    let post: Id<Post> = user;
    db.delete(post)?;
    Ok(())
}
