//! Loads arbitrary bytes as a snapshot of a small schema (a required and an optional foreign
//! key, a has-one, a self-referential relation). It must never panic, hang or allocate
//! without bound; whatever loads must save again, and the saved file must load back to the
//! same rows under the same ids and save to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relstore::{Db, Id, Loader, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
struct User {
    name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
struct Post {
    author_id: Id<User>,
    editor_id: Option<Id<User>>,
    tags: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "profiles")]
struct Profile {
    user_id: Id<User>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "categories")]
struct Category {
    parent_id: Option<Id<Category>>,
}

relstore::belongs_to!(PostAuthor: Post.author_id -> User, has_many, on_delete = Cascade);
relstore::belongs_to!(PostEditor: Post.editor_id -> User, has_many, on_delete = SetNull);
relstore::belongs_to!(ProfileUser: Profile.user_id -> User, has_one, on_delete = Cascade);
relstore::belongs_to!(CategoryParent: Category.parent_id -> Category, has_many, on_delete = Cascade);

relstore::schema! {
    struct Small { users: User, posts: Post, profiles: Profile, categories: Category }
    relations { PostAuthor, PostEditor, ProfileUser, CategoryParent }
}

/// Vacant slots cost memory a file does not pay for: keep them few, so that an out-of-memory
/// report is a finding, not the documented limit.
const MAX_VACANT: u64 = 1 << 16;

fn rows<T: Model + Clone>(db: &Db<Small>) -> Vec<(Id<T>, T)>
where
    Small: relstore::HasTable<T>,
{
    db.table::<T>()
        .iter()
        .map(|r| (r.id(), r.value().clone()))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let loader = Loader::<Small>::new().max_vacant_slots(MAX_VACANT);
    let Ok(db) = loader.read_from(data) else {
        return;
    };
    let saved = db.write_to(Vec::new()).expect("a loaded store saves");
    let again = loader.read_from(&saved[..]).expect("its own save loads");
    assert_eq!(rows::<User>(&db), rows::<User>(&again));
    assert_eq!(rows::<Post>(&db), rows::<Post>(&again));
    assert_eq!(rows::<Profile>(&db), rows::<Profile>(&again));
    assert_eq!(rows::<Category>(&db), rows::<Category>(&again));
    assert_eq!(
        again.write_to(Vec::new()).expect("saves"),
        saved,
        "saving twice gives two files"
    );
});
