// Rule: a field written `Id<_>` is a key, so it must be relstore's `Id`; another crate's `Id`
// is imported under another name.

use relstore::Model;
use serde::{Deserialize, Serialize};

mod other {
    #[derive(Clone, serde::Serialize, serde::Deserialize)]
    pub struct Id<T>(pub u64, pub std::marker::PhantomData<T>);
}
use other::Id;

#[derive(Clone, Serialize, Deserialize, Model)]
struct User {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
struct Post {
    user_id: Id<User>,
}

fn main() {}
