//! The same schema in SQLite in memory, given every advantage the issue asks for: the foreign
//! key column indexed, statements prepared once and held (callers keep them across
//! iterations), bulk inserts in one transaction.

use rusqlite::{Connection, params};

use crate::fixture::{Dataset, PostRow, User};

/// Row ids are SQLite's `INTEGER PRIMARY KEY`.
pub type RowId = i64;

const SCHEMA: &str = "
    PRAGMA foreign_keys = ON;
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        email TEXT NOT NULL
    );
    CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        content TEXT NOT NULL
    );
    CREATE INDEX posts_user_id ON posts (user_id);
";

/// The statement that inserts a user; callers prepare it once and keep it.
pub const INSERT_USER: &str = "INSERT INTO users (username, email) VALUES (?1, ?2)";
/// The statement that inserts a post.
pub const INSERT_POST: &str = "INSERT INTO posts (user_id, title, content) VALUES (?1, ?2, ?3)";

/// An empty in-memory database with the schema.
pub fn empty() -> Connection {
    let conn = Connection::open_in_memory().expect("sqlite opens in memory");
    conn.execute_batch(SCHEMA).expect("the schema is valid");
    conn
}

/// Inserts `user` with a prepared [`INSERT_USER`].
#[inline]
pub fn insert_user(stmt: &mut rusqlite::Statement<'_>, user: &User) -> RowId {
    stmt.insert(params![user.username, user.email])
        .expect("insert user")
}

/// Inserts `row` by `user` with a prepared [`INSERT_POST`].
#[inline]
pub fn insert_post(stmt: &mut rusqlite::Statement<'_>, user: RowId, row: &PostRow) -> RowId {
    stmt.insert(params![user, row.title, row.content])
        .expect("insert post")
}

/// Loads `data` in one transaction, returning the database and the ids of its users and
/// posts in `data`'s order.
pub fn load(data: &Dataset) -> (Connection, Vec<RowId>, Vec<RowId>) {
    let mut conn = empty();
    let tx = conn.transaction().expect("begin");
    let (users, posts) = {
        let mut ins_user = tx.prepare(INSERT_USER).expect("prepare");
        let mut ins_post = tx.prepare(INSERT_POST).expect("prepare");
        let users: Vec<RowId> = (data.users.iter())
            .map(|u| insert_user(&mut ins_user, u))
            .collect();
        let posts = (data.posts.iter())
            .map(|row| insert_post(&mut ins_post, users[row.user], row))
            .collect();
        (users, posts)
    };
    tx.commit().expect("commit");
    (conn, users, posts)
}
