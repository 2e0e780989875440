// Rule: `belongs_to!` declares a relation on a checked key: an `Id<Parent>` or
// `Option<Id<Parent>>` field of a struct that derives `Model`, not marked `unchecked`.

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
struct Post {
    #[relstore(unchecked)]
    quoted_id: Option<Id<Post>>,
    title: String,
}

relstore::belongs_to!(Quote: Post.quoted_id -> Post, has_many);

fn main() {}
