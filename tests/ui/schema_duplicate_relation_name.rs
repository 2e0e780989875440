// Rule: two relations of a schema cannot have the same name (`Relation::NAME`).
// `editing::PostAuthor` is another type, but `belongs_to!` names it "PostAuthor" too.

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

mod editing {
    use super::{Post, User};
    relstore::belongs_to!(pub(super) PostAuthor: Post.editor_id -> User, has_many);
}

relstore::schema! {
    struct Blog {
        users: User,
        posts: Post,
    }
    relations { PostAuthor, editing::PostAuthor }
}

fn main() {}
