//! The same schema in relstore: users, posts, and one cascading has-many relation.

use relstore::{Db, Id, Model};
use serde::{Deserialize, Serialize};

use crate::fixture::{Dataset, PostRow, User};

/// A stored post.
#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
pub struct Post {
    /// The author.
    pub user_id: Id<User>,
    /// See [`PostRow::title`].
    pub title: String,
    /// See [`PostRow::content`].
    pub content: String,
}

relstore::belongs_to!(
    /// A post's author; deleting a user deletes its posts.
    pub PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade
);

relstore::schema! {
    /// Users and their posts.
    pub struct Blog {
        users: User,
        posts: Post,
    }
    relations { PostAuthor }
}

/// An empty store with the schema.
pub fn empty() -> Db<Blog> {
    Db::new()
}

/// The post `row` by `user`.
#[inline]
pub fn post(user: Id<User>, row: PostRow) -> Post {
    Post {
        user_id: user,
        title: row.title,
        content: row.content,
    }
}

/// Loads `data` row by row, returning the store and the ids of its users and posts in
/// `data`'s order.
pub fn load(data: Dataset) -> (Db<Blog>, Vec<Id<User>>, Vec<Id<Post>>) {
    let mut db = empty();
    let users: Vec<Id<User>> = (data.users.into_iter())
        .map(|u| db.insert(u).expect("no keys to check"))
        .collect();
    let posts = (data.posts.into_iter())
        .map(|row| db.insert(post(users[row.user], row)).expect("user exists"))
        .collect();
    (db, users, posts)
}

/// Loads `data` as two batches ([`Db::insert_many`], which reserves each table for its
/// batch), returning the same as [`load`].
pub fn load_many(data: Dataset) -> (Db<Blog>, Vec<Id<User>>, Vec<Id<Post>>) {
    let mut db = empty();
    let users = db.insert_many(data.users).expect("no keys to check");
    // `PostRow` and `Post` have one size: the map is collected in place, without a copy.
    let posts = (data.posts.into_iter()).map(|row| post(users[row.user], row));
    let posts = db.insert_many(posts).expect("users exist");
    (db, users, posts)
}
