// Rule: two relations of a schema cannot have the same name (`Relation::NAME`).
// `editing::PostAuthor` is another type, but `belongs_to!` names it "PostAuthor" too.

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
    editor_id: Option<Id<User>>,
}
impl Model for Post {
    const TABLE: &'static str = "posts";
    const KEYS: &'static [KeyField] =
        &[KeyField::checked("user_id"), KeyField::checked("editor_id")];
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
