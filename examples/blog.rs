//! The seed's users-and-posts scenario, end to end: defining the relationships, navigating both
//! ways, creating related records, querying through relations, and deleting: first by hand as
//! Python ActiveRecord makes you, then with a declared cascade.
//!
//! Run with `cargo run --release --example blog`.

use relstore::{Db, DeleteError, Id, Model};
use serde::{Deserialize, Serialize};

// ---- Defining one-to-many relationships ----------------------------------------------------

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
struct User {
    username: String,
    email: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
struct Post {
    user_id: Id<User>, // the foreign key: the one source of truth for both directions
    title: String,
    content: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "comments")]
struct Comment {
    post_id: Id<Post>,
    user_id: Id<User>,
    body: String,
}

// One line per relation gives both sides: `post.belongs_to(PostAuthor)` and
// `user.has_many(PostAuthor)`. There is no `inverse_of` to keep in step.
relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
relstore::belongs_to!(CommentPost: Comment.post_id -> Post, has_many, on_delete = Cascade);
// A user's comments on other people's posts must not vanish silently: restrict.
relstore::belongs_to!(CommentAuthor: Comment.user_id -> User, has_many, on_delete = Restrict);

// The schema: every table and relation, checked when the program compiles.
relstore::schema! {
    struct Blog {
        users: User,
        posts: Post,
        comments: Comment,
    }
    relations { PostAuthor, CommentPost, CommentAuthor }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut db = Db::<Blog>::new();

    // ---- Creating related records ----
    let alice = db.insert(User {
        username: "example_user".into(),
        email: "alice@example.com".into(),
    })?;
    let bob = db.insert(User {
        username: "bob".into(),
        email: "bob@example.com".into(),
    })?;
    let carol = db.insert(User {
        username: "carol".into(),
        email: "carol@example.com".into(),
    })?;
    println!("created users {alice:?}, {bob:?}, {carol:?}");

    let mut posts = Vec::new();
    for (author, title) in [
        (alice, "Example Post"),
        (alice, "New Post"),
        (bob, "Bob's first post"),
    ] {
        let post = db.insert(Post {
            user_id: author,
            title: title.into(),
            content: format!("This is the content of '{title}'"),
        })?;
        posts.push(post);
    }
    db.insert(Comment {
        post_id: posts[0],
        user_id: bob,
        body: "Nice post!".into(),
    })?;
    db.insert(Comment {
        post_id: posts[2],
        user_id: alice,
        body: "Welcome, Bob.".into(),
    })?;
    db.insert(Comment {
        post_id: posts[2],
        user_id: carol,
        body: "Hi Bob!".into(),
    })?;
    println!(
        "created {} posts and {} comments",
        posts.len(),
        db.table::<Comment>().len()
    );

    // Integrity: a post for a user that does not exist is refused, and nothing changes.
    let ghost = db.insert(User {
        username: "ghost".into(),
        email: "ghost@example.com".into(),
    })?;
    db.delete(ghost)?;
    let refused = db.insert(Post {
        user_id: ghost,
        title: "Haunted".into(),
        content: String::new(),
    });
    println!("insert with a deleted author: {}", refused.unwrap_err());

    // ---- Accessing related records: from the "one" side ----
    let user = db.get(alice)?;
    println!("\nposts of {}:", user.username);
    for post in user.has_many(PostAuthor) {
        println!("  Post title: {}", post.title);
    }

    // ---- From the "many" side ----
    let post = db.get(posts[2])?;
    let author = post.belongs_to(PostAuthor); // a required key: the user, no Option
    println!("author of '{}': {}", post.title, author.username);
    for comment in post.has_many(CommentPost) {
        let commenter = comment.belongs_to(CommentAuthor);
        println!("  comment by {}: {}", commenter.username, comment.body);
    }

    // ---- Querying with relationships ----
    let users = db.table::<User>();
    let with_posts: Vec<&str> = users
        .iter()
        .filter(|user| user.has_many(PostAuthor).len() > 0)
        .map(|user| user.value().username.as_str())
        .collect();
    println!("\nusers with at least one post: {with_posts:?}");
    let titles: Vec<&str> = db
        .has_many(PostAuthor, bob)?
        .map(|post| post.value().title.as_str())
        .collect();
    println!("posts by bob: {titles:?}");

    // Updates go through the store, which re-checks keys and re-indexes.
    db.update(posts[1], |post| post.user_id = bob)?;
    println!(
        "after moving 'New Post' to bob: alice has {}, bob has {} posts",
        db.has_many(PostAuthor, alice)?.len(),
        db.has_many(PostAuthor, bob)?.len()
    );

    // ---- Saving and loading ----
    // A snapshot keeps every row under its id: ids held elsewhere (a UI, a script, another
    // file) still name the same rows after a load, and relations come back as they were.
    let path = std::env::temp_dir().join(format!("relstore-blog-{}.relstore", std::process::id()));
    db.save(&path)?; // atomic: a crash leaves the previous file or this one, never half
    let size = std::fs::metadata(&path)?.len();
    let loaded = Db::<Blog>::load(&path)?; // checked: every key resolves, every index rebuilt
    std::fs::remove_file(&path)?;
    let titles: Vec<&str> = loaded
        .has_many(PostAuthor, bob)?
        .map(|post| post.value().title.as_str())
        .collect();
    println!(
        "\nsaved {size} bytes and loaded them back: {} users, {} posts; bob's posts (same id) {titles:?}",
        loaded.table::<User>().len(),
        loaded.table::<Post>().len(),
    );
    assert_eq!(loaded.get(posts[1])?.title, db.get(posts[1])?.title);

    // ---- Cascading operations ----
    // Deleting alice is refused while her comment on bob's post exists (restrict), and the
    // refusal deletes nothing at all, not even the posts the cascade would have taken.
    match db.delete(alice) {
        Err(e @ DeleteError::Restricted { .. }) => println!("\ndelete alice: {e}"),
        other => println!("\nunexpected: {other:?}"),
    }
    // The seed's manual cascade: delete what points at the user, then the user.
    let her_comments: Vec<Id<Comment>> = db.has_many(CommentAuthor, alice)?.ids().collect();
    for comment in her_comments {
        db.delete(comment)?;
    }
    let her_posts: Vec<Id<Post>> = db.has_many(PostAuthor, alice)?.ids().collect();
    for post in her_posts {
        db.delete(post)?;
    }
    db.delete(alice)?;
    println!(
        "deleted alice by hand: {} posts left",
        db.table::<Post>().len()
    );

    // The declared cascade: one call. Preview it first, then do it.
    let comments = db.has_many(CommentAuthor, carol)?.ids().collect::<Vec<_>>();
    for comment in comments {
        db.delete(comment)?;
    }
    let plan = db.delete_plan(bob)?;
    println!("deleting bob would remove {:?}", plan.deleted());
    let bob_row = db.delete(bob)?;
    println!(
        "deleted {}: {} users, {} posts, {} comments left",
        bob_row.username,
        db.table::<User>().len(),
        db.table::<Post>().len(),
        db.table::<Comment>().len()
    );
    Ok(())
}
