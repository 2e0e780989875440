// Rule: a store only follows its schema's relations. `Blog` lists none, so not `PostAuthor`.
// Weak message: with no relation in the schema, rustc reports the bound before it knows the
// relation's type, and prints "relation `_` is not part of schema `Blog`".

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
struct User {}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
struct Post {
    user_id: Id<User>,
    editor_id: Option<Id<User>>,
}

relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);

relstore::schema! {
    struct Blog {
        users: User,
        posts: Post,
    }
    relations {}
}

fn main() -> Result<(), relstore::Error> {
    let mut db = relstore::Db::<Blog>::new();
    let alice = db.insert(User {})?;
    let posts = db.get(alice)?.has_many(PostAuthor);
    assert_eq!(posts.len(), 0);
    Ok(())
}
