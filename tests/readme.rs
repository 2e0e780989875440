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
pub struct User { username: String, email: String }

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
pub struct Post { user_id: Id<User>, title: String, content: String }

// `#[derive(Model)]` reads the struct once: its table name, and that `user_id` is a
// foreign key (an `Id<_>` field), which the schema then requires a relation for.

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

// Updating.
db.edit(hello, |post| post.title.push('!'))?;          // in place, no copy
assert_eq!(db.get(hello)?.title, "Hello!");
db.update(hello, |post| post.title = "Hello again".into())?; // all or nothing
assert_eq!(db.get(hello)?.title, "Hello again");

// Cascading operations.
let plan = db.delete_plan(alice)?; // what would go, without doing it
assert_eq!(plan.deleted().len(), 2);
db.delete(alice)?;                 // alice and her posts
assert!(!db.contains(hello));
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
