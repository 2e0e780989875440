// Rule: a store only follows its schema's relations. `Blog` does not list `PostAuthor`.
// Weak message: with exactly one relation in the schema, rustc infers that one
// (`PostEditor`) and reports a type mismatch, without naming the schema.

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
relstore::belongs_to!(PostEditor: Post.editor_id -> User, has_many, on_delete = SetNull);

relstore::schema! {
    struct Blog {
        users: User,
        posts: Post,
    }
    relations { PostEditor }
}

fn main() -> Result<(), relstore::Error> {
    let mut db = relstore::Db::<Blog>::new();
    let alice = db.insert(User {})?;
    let posts = db.get(alice)?.has_many(PostAuthor);
    assert_eq!(posts.len(), 0);
    Ok(())
}
