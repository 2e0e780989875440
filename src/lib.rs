//! # relstore
//!
//! An embedded, in-memory relational store for games and tools: tables of plain Rust structs
//! in slotmap arenas, addressed by typed generational ids, with relations declared once and
//! kept in sync by the store.
//!
//! - **Typed ids.** [`Id<User>`](Id) cannot be used for a post; a stale id never reaches
//!   another row.
//! - **Relations declared once**, on the child's foreign-key field
//!   ([`belongs_to!`]): the child's BelongsTo and the parent's [`HasMany`] or [`HasOne`]
//!   come from one declaration, so they cannot disagree.
//! - **A foreign-key index** per relation: a parent's children are found in O(1), iterated in
//!   insertion order without allocating, counted in O(1).
//! - **Referential integrity**: a key to a missing parent is an error; deleting a parent
//!   restricts, cascades or sets null, all or nothing ([`OnDelete`]).
//!
//! ```
//! use relstore::{Db, Id, Model};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Clone, Serialize, Deserialize, Model)]
//! #[relstore(table = "users")]
//! pub struct User { username: String, email: String }
//!
//! #[derive(Clone, Serialize, Deserialize, Model)]
//! #[relstore(table = "posts")]
//! pub struct Post { user_id: Id<User>, title: String, content: String }
//!
//! relstore::belongs_to!(pub PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
//!
//! relstore::schema! {
//!     /// The blog: users and their posts.
//!     pub struct Blog {
//!         users: User,
//!         posts: Post,
//!     }
//!     relations { PostAuthor }
//! }
//!
//! let mut db = Db::<Blog>::new();
//! let alice = db.insert(User { username: "alice".into(), email: "alice@example.com".into() })?;
//! let hello = db.insert(Post { user_id: alice, title: "Hello".into(), content: "...".into() })?;
//!
//! for post in db.get(alice)?.has_many(PostAuthor) {
//!     println!("{}", post.title);
//! }
//! let author = db.get(hello)?.belongs_to(PostAuthor); // user_id is required: no Option
//! assert_eq!(author.username, "alice");
//!
//! db.update(hello, |post| post.title = "Hello again".into())?;
//! db.delete(alice)?; // cascades to the posts
//! assert!(db.get(hello).is_err());
//! # Ok::<(), relstore::Error>(())
//! ```
//!
//! See `ARCHITECTURE.md` for how the pieces fit together.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

// The derive's output names `::relstore`, which must resolve in this crate's own tests too.
extern crate self as relstore;

mod db;
mod error;
mod fk_index;
mod handle;
mod id;
mod model;
mod relation;
mod row;
mod schema;
mod table;

pub use db::{Db, DeletePlan};
pub use error::{DeleteError, Error, IntegrityError, NotFound, WriteError};
pub use handle::{RelationRef, Rows, TableRef};
pub use id::{AnyId, Id};
pub use model::{KeyField, Model};
pub use relation::{
    ForeignKey, HasMany, HasOne, OnDelete, ParentRow, Relation, RelationInfo, RelationKind,
};
#[doc = include_str!("model_derive.md")]
pub use relstore_derive::Model;
pub use row::{Children, Row};
pub use schema::{HasRelation, HasTable, Schema};

/// What the macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::fk_index::FkIndex;
    pub use crate::id::RowKey;
    pub use crate::model::{KeyFieldType, KeyProbe, ModelBounds, NotKey, field_hash};
    pub use crate::schema::{
        RelationVisitor, TableVisitor, assert_distinct, assert_keys_have_relations, assert_policy,
        position,
    };
    pub use crate::table::Table;
}
