// Rule: a store only follows its schema's relations. `Blog` does not list `PostAuthor`.
// (`relation_not_in_schema_*.rs`: the same mistake, in schemas whose message is weaker.)

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

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "profiles")]
struct Profile {
    user_id: Id<User>,
}

relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
relstore::belongs_to!(PostEditor: Post.editor_id -> User, has_many, on_delete = SetNull);
relstore::belongs_to!(ProfileUser: Profile.user_id -> User, has_one);

relstore::schema! {
    struct Blog {
        users: User,
        posts: Post,
        profiles: Profile,
    }
    relations { PostEditor, ProfileUser }
}

fn main() -> Result<(), relstore::Error> {
    let mut db = relstore::Db::<Blog>::new();
    let alice = db.insert(User {})?;
    let posts = db.get(alice)?.has_many(PostAuthor);
    assert_eq!(posts.len(), 0);
    Ok(())
}
