// Rule: an accessor names its side of the relation; a has-one relation has no `has_many` side.

use relstore::{Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
struct User {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
struct Profile {
    user_id: Id<User>,
}

relstore::belongs_to!(
    ProfileUser: Profile.user_id -> User, has_one,
    accessors { belongs_to: ProfileOwner::owner, has_many: UserProfiles::profiles },
);

fn main() {}
