// Rule: `has_one` asks a has-one relation for its one child; `PostAuthor` is has-many.

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
    }
    relations { PostAuthor }
}

fn main() -> Result<(), relstore::Error> {
    let mut db = relstore::Db::<Blog>::new();
    let alice = db.insert(User {})?;
    let post = db.get(alice)?.has_one(PostAuthor);
    assert!(post.is_none());
    Ok(())
}
