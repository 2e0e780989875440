//! The README's tour, compiled and run. Every line of the README's Rust blocks must appear
//! here (checked below), so the README cannot drift from code that builds.

#[test]
#[rustfmt::skip] // the lines must stay as the README prints them
#[allow(unused_variables)] // the README binds values to show their types
fn the_readme_tour_runs() -> Result<(), relstore::Error> {
use relstore::{Db, Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
pub struct User { #[relstore(unique)] username: String, email: String }

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
pub struct Post { user_id: Id<User>, title: String, content: String }

// `#[derive(Model)]` reads the struct once: its table name, that `user_id` is a foreign
// key (an `Id<_>` field), which the schema then requires a relation for, and that
// `username` is unique: a secondary index, `UserByUsername`, kept by the store.

// One declaration gives both sides: Post belongs to User, User has many Posts.
// (ActiveRecord's `inverse_of`, made impossible to get wrong.)
relstore::belongs_to!(pub PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);

// The schema: every table and relation, checked when the program compiles.
relstore::schema! {
    pub struct Blog {
        users: User,
        posts: Post,
    }
    relations { PostAuthor }
}

let mut db = Db::<Blog>::new();

// Creating and accessing related records.
let alice = db.insert(User { username: "alice".into(), email: "alice@example.com".into() })?;
let hello = db.insert(Post { user_id: alice, title: "Hello".into(), content: "...".into() })?;

// From the "one" side: O(1) to find, no allocation to iterate, in creation order.
for post in db.get(alice)?.has_many(PostAuthor) {
    println!("Post title: {}", post.title);
}
// From the "many" side: a required key gives the user itself (an optional one, an Option).
let author = db.get(hello)?.belongs_to(PostAuthor);
assert_eq!(author.username, "alice");

let authored = db.relation(PostAuthor);
let author = authored.belongs_to(hello)?;  // Row<User>; a stale id is an error
let count = authored.count(alice)?;        // O(1)
let users = db.table::<User>().len();
assert_eq!((author.id(), count, users), (alice, 1, 1));

// User.query().where('username = ?', ("alice",)).one(): the unique index, O(1), no scan
let user = db.query_by(UserByUsername, "alice").one()?;
// Post.query().where('user_id = ?', (user.id,)).order_by('title').limit(10).all()
let posts = db.children(PostAuthor, user.id())?.order_by(|p| p.value().title.as_str()).limit(10).all();
let writers = db.query::<User>().where_has(PostAuthor).count(); // users with posts, each once
for (user, post) in db.query::<User>().join(PostAuthor).filter(|(_, p)| p.title.starts_with("Hello")) {
    println!("{} wrote {}", user.username, post.title);
}
let oldest = db.query::<User>().in_creation_order().first();    // ActiveRecord's order
assert_eq!((posts.len(), writers, oldest.map(|u| u.id())), (1, 1, Some(alice)));

// Secondary indexes.
let alice_again = db.table::<User>().get_by(UserByUsername, "alice").map(|u| u.id()); // O(1)
let taken = db.insert(User { username: "alice".into(), email: String::new() });
assert!(matches!(taken, Err(relstore::WriteError::Unique { .. })));
assert_eq!(alice_again, Some(alice));

// Updating.
db.edit(hello, |post| post.title.push('!'))?;          // in place, no copy
assert_eq!(db.get(hello)?.title, "Hello!");
db.update(hello, |post| post.title = "Hello again".into())?; // all or nothing
assert_eq!(db.get(hello)?.title, "Hello again");
db.row_mut(hello)?.content.push_str(" (edited)");     // a view: fields by &mut, keys by &
for (id, post) in db.rows_mut::<Post>() { post.title.make_ascii_uppercase(); } // every row
assert_eq!((db.get(hello)?.title.as_str(), db.get(hello)?.content.as_str()), ("HELLO AGAIN", "... (edited)"));

// Cascading operations.
let plan = db.delete_plan(alice)?; // what would go, without doing it
assert_eq!(plan.deleted().len(), 2);
db.delete(alice)?;                 // alice and her posts
assert!(!db.contains(hello));
Ok(())
}

/// The README's "Saving and loading", in a temporary directory (the README uses relative
/// paths; no other test of this file touches files).
#[test]
#[rustfmt::skip]
fn the_readme_saving_and_loading_runs() -> Result<(), Box<dyn std::error::Error>> {
use relstore::{Db, Loader, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users", version = 1)]
pub struct UserV1 { name: String }

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users", version = 2)]
pub struct User { username: String, email: String }

relstore::schema! { pub struct BlogV1 { users: UserV1 } relations {} }
relstore::schema! { pub struct Blog { users: User } relations {} }

let dir = std::env::temp_dir().join(format!("relstore-readme-{}", std::process::id()));
std::fs::create_dir_all(&dir)?;
std::env::set_current_dir(&dir)?;
let mut old = Db::<BlogV1>::new();
let ada = old.insert(UserV1 { name: "ada".into() })?;
old.save("game.relstore")?;

let db = Loader::<Blog>::new()
    .migrate(|old: UserV1| User { username: old.name, email: String::new() })
    .load("game.relstore")?;
db.save("game.relstore")?;                    // atomic: the old file or the new, never half
let db = Db::<Blog>::load("game.relstore")?;  // checked: every key resolves, indexes rebuilt
assert_eq!(db.get(relstore::Id::<User>::from_bits(ada.to_bits()))?.username, "ada");

let snapshot = db.snapshot();                 // autosave without stalling the frame loop:
let saver = std::thread::spawn(move || snapshot.save("autosave.relstore")); // on a thread
saver.join().expect("the saver thread")?;
assert_eq!(Db::<Blog>::load("autosave.relstore")?.table::<User>().len(), 1);
std::fs::remove_dir_all(&dir)?;
Ok(())
}

/// The README's "Named accessors, default order and filter".
#[test]
#[rustfmt::skip]
fn the_readme_accessors_run() -> Result<(), relstore::Error> {
use std::cmp::Reverse;
use relstore::{Db, Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
pub struct User { username: String }

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
pub struct Post { user_id: Id<User>, title: String, draft: bool, created_at: u64 }

relstore::belongs_to!(
    pub PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade,
    filter = |post| !post.draft,                  // what `user.posts()` shows,
    order_by = |post| Reverse(post.created_at),   // and in which order: newest first
    accessors { belongs_to: PostAuthorOf::author, has_many: UserPosts::posts },
);
relstore::schema! { pub struct Blog { users: User, posts: Post } relations { PostAuthor } }

let mut db = Db::<Blog>::new();
let alice = db.insert(User { username: "alice".into() })?;
for (title, draft, created_at) in [("old", false, 1), ("draft", true, 2), ("new", false, 3)] {
    db.insert(Post { user_id: alice, title: title.into(), draft, created_at })?;
}
for post in db.get(alice)?.posts() {              // published posts, newest first
    println!("{} by {}", post.title, post.author().username);
}
let titles: Vec<&str> = db.get(alice)?.posts().map(|post| post.value().title.as_str()).collect();
assert_eq!(titles, ["new", "old"]);
assert_eq!(db.get(alice)?.has_many(PostAuthor).len(), 3);
Ok(())
}

#[test]
fn every_line_of_the_readme_s_rust_blocks_is_in_the_tour() {
    let tour = include_str!("readme.rs");
    let readme = include_str!("../README.md");
    let blocks: Vec<&str> = (readme.split("```rust").skip(1))
        .map(|block| block.split("```").next().unwrap_or(""))
        .collect();
    assert!(blocks.len() >= 5, "the README's tour has five Rust blocks");
    for line in blocks.iter().flat_map(|block| block.lines()) {
        let line = line.trim();
        assert!(
            line.is_empty() || tour.lines().any(|t| t.trim() == line),
            "README line missing from tests/readme.rs: {line}"
        );
    }
}
