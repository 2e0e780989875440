//! The seed's users-and-posts scenario, end to end, with the seed's query forms in relstore's
//! typed API: defining the relationships, finding rows through indexes, navigating both ways
//! with named accessors, querying through relations, eager loading (borrowed, and owned as
//! JSON), bulk edits, refused writes, saving and loading, and deleting: first by hand as Python
//! ActiveRecord makes you, then with a declared cascade.
//!
//! Each step prints what it did and asserts it, so a change of behaviour fails the run.
//! Run with `cargo run --release --example blog`.

use std::cmp::Reverse;
use std::error::Error;

use relstore::{BelongsTo, Db, DeleteError, Eager, Id, Invalid, Model, WriteError};
use serde::{Deserialize, Serialize};

// ---- Defining one-to-many relationships ----------------------------------------------------

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "users", validate = User::check)]
struct User {
    #[relstore(unique)] // `UserByUsername`: a lookup by name is O(1), and names are never shared
    username: String,
    email: String,
}

impl User {
    /// The seed's `validator`, run on every write and load: a refused row changes nothing.
    fn check(&self) -> Result<(), Invalid> {
        if self.email.contains('@') {
            Ok(())
        } else {
            Err(Invalid::new("an email address needs an '@'"))
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
struct Post {
    user_id: Id<User>, // the foreign key: the one source of truth for both directions
    #[relstore(index)] // `PostByTitle`: a hash index, titles may repeat
    title: String,
    content: String,
    likes: u32,
    published: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "comments")]
struct Comment {
    post_id: Id<Post>,
    user_id: Id<User>,
    body: String,
}

// One declaration per relation gives both sides, so there is no `inverse_of` to keep in step.
// `user.posts()` shows published posts, most liked first (the seed's `loader`);
// `post.author()` is the seed's `post.user()`.
relstore::belongs_to!(
    PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade,
    filter = |post| post.published,
    order_by = |post| Reverse(post.likes),
    accessors { belongs_to: PostAuthorOf::author, has_many: UserPosts::posts },
);
relstore::belongs_to!(
    CommentPost: Comment.post_id -> Post, has_many, on_delete = Cascade,
    accessors { has_many: PostComments::comments },
);
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

fn new_user(name: &str) -> User {
    User {
        username: name.into(),
        email: format!("{name}@example.com"),
    }
}

fn new_post(user_id: Id<User>, title: &str, likes: u32, published: bool) -> Post {
    let content = format!("This is the content of '{title}'");
    let title = title.into();
    Post {
        user_id,
        title,
        content,
        likes,
        published,
    }
}

/// Every user with every post and its comments, owned and as JSON: what the saved and loaded
/// stores are compared by.
fn everything_as_json(db: &Db<Blog>) -> Result<String, serde_json::Error> {
    let tree = db
        .query::<User>()
        .with_owned(Eager::new(PostAuthor).with(CommentPost));
    serde_json::to_string(&tree)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut db = Db::<Blog>::new();

    // ---- Creating related records ----
    let [alice, bob, carol] =
        ["example_user", "bob", "carol"].map(|name| db.insert(new_user(name)));
    let (alice, bob, carol) = (alice?, bob?, carol?);
    let example = db.insert(new_post(alice, "Example Post", 5, true))?;
    let notes = db.insert(new_post(alice, "Notes to self", 0, false))?;
    let welcome = db.insert(new_post(bob, "Bob's first post", 7, true))?;
    for (post_id, user_id, body) in [
        (example, bob, "Nice post!"),
        (welcome, alice, "Welcome, Bob."),
        (welcome, carol, "Hi Bob!"),
        (example, carol, "+1"),
    ] {
        let body = body.into();
        db.insert(Comment {
            post_id,
            user_id,
            body,
        })?;
    }
    println!(
        "created {} users, {} posts, {} comments",
        db.table::<User>().len(),
        db.table::<Post>().len(),
        db.table::<Comment>().len()
    );

    // ---- Refused writes: each is an error naming what broke, and nothing changes ----
    let ghost = db.insert(new_user("ghost"))?;
    db.delete(ghost)?;
    let orphan = db.insert(new_post(ghost, "Haunted", 0, true)).unwrap_err();
    assert!(matches!(orphan, WriteError::MissingParent { .. }));
    println!("\ninsert with a deleted author: {orphan}");
    let taken = db.insert(new_user("bob")).unwrap_err();
    assert!(matches!(taken, WriteError::Unique { .. }));
    println!("a second 'bob': {taken}");
    let mut bad = new_user("dave");
    bad.email = "dave at example.com".into();
    let invalid = db.insert(bad).unwrap_err();
    assert!(matches!(invalid, WriteError::Invalid { .. }));
    println!("a bad email: {invalid}");
    assert_eq!((db.table::<User>().len(), db.table::<Post>().len()), (3, 3));

    // ---- Accessing related records: from the "one" side ----
    // user = User.query().where('username = ?', ("example_user",)).one()
    let user = db.query_by(UserByUsername, "example_user").one()?; // the unique index, no scan
    assert_eq!(user.id(), alice);
    // posts = user.posts()
    println!("\npublished posts of {}, most liked first:", user.username);
    for post in user.posts() {
        println!("  Post title: {} ({} likes)", post.title, post.likes);
    }
    assert_eq!(user.posts().count(), 1, "the draft is hidden");
    assert_eq!(
        user.has_many(PostAuthor).len(),
        2,
        "has_many sees every post"
    );

    // ---- From the "many" side ----
    // post = Post.query().where('title = ?', ("Bob's first post",)).one(); user = post.user()
    let post = db.query_by(PostByTitle, "Bob's first post").one()?;
    let author = post.author(); // a required key: the user, no Option
    assert_eq!(author.id(), bob);
    println!("author of '{}': {}", post.title, author.username);
    for comment in post.comments() {
        let commenter = comment.belongs_to(CommentAuthor);
        println!("  comment by {}: {}", commenter.username, comment.body);
    }

    // ---- Querying with relationships ----
    // Post.query().where('user_id = ?', (user.id,)).order_by('likes DESC').limit(10).all()
    let by_likes = db
        .children(PostAuthor, alice)?
        .order_by_desc(|post| post.likes)
        .limit(10)
        .all();
    let titles: Vec<&str> = by_likes.iter().map(|p| p.value().title.as_str()).collect();
    println!("\nexample_user's published posts, most liked first: {titles:?}");
    // Queries read a relation as it shows its children (published only); raw navigation
    // (`has_many`) sees every one, drafts included.
    assert_eq!(titles, ["Example Post"]);
    assert_eq!(db.has_many(PostAuthor, alice)?.len(), 2);

    // User.query().join('JOIN posts ON users.id = posts.user_id').all(): each user once
    let writers: Vec<&str> = (db.query::<User>().where_has(PostAuthor))
        .iter()
        .map(|user| user.value().username.as_str())
        .collect();
    let silent = db.query::<User>().where_has_not(PostAuthor).count();
    let pairs = db.query::<User>().join(PostAuthor).count(); // the JOIN's rows: (user, post)
    println!(
        "users with published posts: {writers:?}; {silent} without; {pairs} (user, post) pairs"
    );
    assert_eq!(
        (writers, silent, pairs),
        (vec!["example_user", "bob"], 1, 2)
    );

    // ---- Eager loading ----
    // User.query().with_("posts").all(): one lookup per user, no query per row
    let tree = db.query::<User>().with(PostAuthor);
    println!();
    for user in &tree {
        println!("User: {} ({} post(s))", user.username, user.with().len());
    }
    // User.query().where(..).with_("posts.comments"), with conditions on each level: the
    // writers' liked posts (the relation already shows published ones only; a level's filter
    // adds to that), most liked first, two at most, each with its comments and each
    // comment's author.
    let tree = db.query::<User>().where_has(PostAuthor).with(
        Eager::new(PostAuthor)
            .filter(|post| post.likes > 0)
            .order_by_desc(|post| post.likes)
            .limit(2)
            .with(Eager::new(CommentPost).with(BelongsTo::new(CommentAuthor))),
    );
    for user in &tree {
        println!("User: {}", user.username);
        for post in user.with() {
            println!("  Post: {}", post.title);
            for comment in post.with() {
                println!("    {}: {}", comment.with().username, comment.body);
            }
        }
    }
    assert_eq!(tree.len(), 2);
    let (example_user, bob_node) = (tree.get(0).unwrap(), tree.get(1).unwrap());
    assert_eq!(
        example_user.with().len(),
        1,
        "example_user's draft is filtered out"
    );
    let bobs_post = bob_node.with().first().unwrap();
    assert_eq!(bobs_post.with().get(1).unwrap().with().id(), carol);

    // An owned tree: rows cloned, free of the store, serializable for a UI or a file.
    let owned =
        (db.query_by(UserByUsername, "bob")).with_owned(Eager::new(PostAuthor).with(CommentPost));
    drop(tree); // a borrowed tree holds the store; the owned one does not
    let json = serde_json::to_string(&owned)?;
    println!("\nbob, his posts and their comments as JSON: {json}");
    let parsed: serde_json::Value = serde_json::from_str(&json)?;
    assert_eq!(parsed[0]["row"]["username"], "bob");
    assert_eq!(parsed[0]["with"][0]["with"][1]["row"]["body"], "Hi Bob!");

    // ---- Never stale: no relation cache, every read goes to the live index ----
    let before = db.get(bob)?.posts().count();
    let second = db.insert(new_post(bob, "Bob again", 9, true))?;
    let newest = db.get(bob)?.posts().next().map(|post| post.id());
    println!(
        "\nbob's posts before and after one more: {before} -> {}",
        db.get(bob)?.posts().count()
    );
    assert_eq!((before, newest), (1, Some(second)));
    assert_eq!(
        owned[0].with.len(),
        1,
        "the owned tree is a copy of the past"
    );

    // ---- Bulk edits, all or nothing ----
    // Post.update_all(published=True).where('published = ?', (False,))
    let published =
        db.update_where::<Post>(|post| !post.published, |post| post.published = true)?;
    println!(
        "published {published} draft(s); example_user now shows {}",
        db.get(alice)?.posts().count()
    );
    assert_eq!(db.get(alice)?.posts().count(), 2);
    // A bulk edit that would give two users one name is refused as a whole.
    let clash = db.update_where::<User>(
        |user| user.id() != alice,
        |user| user.username = "twin".into(),
    );
    let clash = clash.unwrap_err();
    assert!(matches!(clash.error, WriteError::UniqueInBatch { .. }));
    println!("renaming bob and carol both 'twin': {}", clash.error);
    assert!(db.query_by(UserByUsername, "carol").exists());

    // Updates go through the store, which re-checks keys and re-indexes.
    db.update(notes, |post| post.user_id = bob)?;
    let counts = (db.get(alice)?.posts().count(), db.get(bob)?.posts().count());
    println!(
        "after moving 'Notes to self' to bob: example_user has {}, bob {}",
        counts.0, counts.1
    );
    assert_eq!(counts, (1, 3));

    // ---- Saving and loading ----
    // A snapshot keeps every row under its id: ids held elsewhere (a UI, a script, another
    // file) still name the same rows after a load, and relations come back as they were.
    let path = std::env::temp_dir().join(format!("relstore-blog-{}.relstore", std::process::id()));
    db.save(&path)?; // atomic: a crash leaves the previous file or this one, never half
    let size = std::fs::metadata(&path)?.len();
    let loaded = Db::<Blog>::load(&path); // checked: every key resolves, every index rebuilt
    std::fs::remove_file(&path)?;
    let loaded = loaded?;
    println!(
        "\nsaved {size} bytes and loaded them back: {} users, {} posts, {} comments",
        loaded.table::<User>().len(),
        loaded.table::<Post>().len(),
        loaded.table::<Comment>().len(),
    );
    assert_eq!(loaded.query_by(UserByUsername, "bob").one()?.id(), bob);
    assert_eq!(
        loaded.query_by(PostByTitle, "Example Post").one()?.id(),
        example
    );
    let same_ids = |db: &Db<Blog>| -> Result<Vec<Id<Post>>, relstore::NotFound> {
        Ok(db.get(bob)?.posts().map(|post| post.id()).collect())
    };
    assert_eq!(same_ids(&loaded)?, same_ids(&db)?);
    assert_eq!(everything_as_json(&loaded)?, everything_as_json(&db)?);
    println!("the loaded store answers every query as the original does");

    // ---- Cascading operations ----
    // Deleting example_user is refused while her comment on bob's post exists (restrict), and
    // the refusal deletes nothing, not even the posts the cascade would have taken.
    let refused = db.delete(alice).unwrap_err();
    assert!(matches!(refused, DeleteError::Restricted { .. }));
    println!("\ndelete example_user: {refused}");
    assert_eq!(db.table::<Post>().len(), 4);

    // The seed's manual cascade:
    // Post.delete_all().where('user_id = ?', (user.id,)).execute(); user.delete()
    let comments = db.delete_where::<Comment>(|comment| comment.user_id == alice)?;
    let posts = db.delete_where::<Post>(|post| post.user_id == alice)?; // their comments too
    db.delete(alice)?;
    println!(
        "deleted example_user by hand: her {comments} comment(s), then {posts} row(s) of posts and comments on them"
    );
    assert_eq!((comments, posts), (1, 3));

    // The declared cascade: one call. Preview it first, then do it.
    db.delete_where::<Comment>(|comment| comment.user_id == carol)?;
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
    assert_eq!(db.table::<User>().len(), 1);
    assert!(db.table::<Post>().is_empty() && db.table::<Comment>().is_empty());
    db.check_integrity()?;
    Ok(())
}
