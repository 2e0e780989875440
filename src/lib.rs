//! # relstore
//!
//! An embedded, in-memory relational store for games and tools: tables of plain Rust structs
//! in generational arenas, addressed by typed generational ids, with relations declared once and
//! kept in sync by the store.
//!
//! - **Typed ids.** [`Id<User>`](Id) cannot be used for a post; a stale id never reaches
//!   another row.
//! - **Relations declared once**, on the child's foreign-key field
//!   ([`belongs_to!`]): the child's BelongsTo and the parent's [`HasMany`] or [`HasOne`]
//!   come from one declaration, so they cannot disagree.
//! - **A foreign-key index** per relation: a parent's children are found in O(1), iterated in
//!   creation order without allocating, counted in O(1).
//! - **Named accessors** (`user.posts()`, `post.author()`) declared in [`belongs_to!`], with
//!   each relation's default filter and order ([`Related`]). There is no relation cache:
//!   every read goes to the live index, so nothing is ever stale.
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
//! # Memory
//!
//! What the store holds, so that a game can budget it:
//!
//! - **A row** costs one slot of its table, `size_of::<T>()` plus 8 bytes (the slot's state
//!   and version), rounded up to `T`'s alignment: what a plain slotmap costs for rows aligned
//!   to 8 bytes (any row holding a `String`, `Vec`, `Box`, `u64` or `Id`), 4 bytes more for
//!   smaller ones. An 8-byte creation number per slot is kept beside the slots. Heap data the
//!   row owns (strings, vectors) is the row's own.
//! - **An empty slot** (its row deleted) costs the same, and stays: its version is what keeps
//!   old ids of the rows it held stale. New rows reuse empty slots first, so a table's slot
//!   count is the most rows it ever held at once. [`Db::shrink_to_fit`] gives back the empty
//!   slots after a table's last live row, and spare capacity, without bringing any old id
//!   back; iterating a table walks its slots, empty ones included.
//! - **A relation** keeps, in its foreign-key index, 32 bytes per parent slot up to the highest
//!   parent slot that has children (the index is dense by parent slot, which keeps a has-many
//!   lookup to one indexed load), plus 8 bytes per child, with a vector's spare capacity. So
//!   one parent with children in slot 1,000,000 costs 32 MB per relation. Freed slots are
//!   reused last freed first, so long-lived parents created while their table is small keep
//!   low slots and a small index.
//! - **Scratch:** a delete that cascades keeps its buffers for the next one only while they
//!   are small (128 entries each, 64 KiB of marks); a big cascade's memory goes back as soon
//!   as it is done.
//!
//! # Sharing between threads
//!
//! A `Db<S>` is `Send + Sync`: share it as any value, behind a lock for writers. Readers run in
//! parallel under a read lock; a writer takes the write lock for the length of one operation.
//!
//! ```
//! use std::sync::{Arc, RwLock};
//! # use relstore::{Db, Model};
//! # use serde::{Deserialize, Serialize};
//! # #[derive(Clone, Serialize, Deserialize, Model)]
//! # struct Note { text: String }
//! # relstore::schema! { struct Notes { notes: Note } relations {} }
//!
//! let db = Arc::new(RwLock::new(Db::<Notes>::new()));
//! let writers: Vec<_> = (0..4)
//!     .map(|i| {
//!         let db = Arc::clone(&db);
//!         std::thread::spawn(move || db.write().unwrap().insert(Note { text: format!("{i}") }))
//!     })
//!     .collect();
//! for writer in writers {
//!     writer.join().unwrap()?;
//! }
//! // Scoped threads can borrow the store directly, without an Arc.
//! let db = db.read().unwrap();
//! let db: &Db<Notes> = &db;
//! let total: usize = std::thread::scope(|scope| {
//!     let counts: Vec<_> = (0..2)
//!         .map(|half| scope.spawn(move || db.table::<Note>().iter().filter(|n| n.text.len() % 2 == half).count()))
//!         .collect();
//!     counts.into_iter().map(|c| c.join().unwrap()).sum()
//! });
//! assert_eq!(total, 4);
//! # Ok::<(), relstore::Error>(())
//! ```
//!
//! # Panics
//!
//! relstore does not panic on bad input: stale ids, missing parents and refused deletes are
//! typed errors that leave the store unchanged. Code of yours that it runs can panic: an
//! [`update`](Db::update), [`edit`](Db::edit) or [`retain`](Db::retain) closure, the iterator
//! given to [`insert_many`](Db::insert_many), and a row's `Clone` or `Drop`. Each
//! method's `# Panics` section says what such a panic leaves behind; in every case the store
//! stays consistent (every index agrees with the rows, [`Db::check_integrity`] passes) and the
//! panic goes on to the caller, where `catch_unwind` can catch it. Under `panic = "abort"`,
//! common in game release builds, any panic ends the process first, so these guarantees only
//! matter to code that unwinds.
//!
//! See `ARCHITECTURE.md` for how the pieces fit together.

// One `unsafe` block, in `table/arena.rs` (`vacant_with_odd_version`), allowed where it is:
// a lookup by a caller's id compares only the slot's version, as slotmap does, its state
// implied by the arena's parity invariant (checked in debug builds and by a unit test).
// BENCHMARKS.md has the measurement that asked for it.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

// The derive's output names `::relstore`, which must resolve in this crate's own tests too.
extern crate self as relstore;

mod db;
mod eager;
mod error;
mod fk_index;
mod handle;
mod id;
pub mod index;
mod model;
pub mod query;
mod relation;
mod row;
mod schema;
mod snapshot;
mod table;

pub use db::{Db, DeletePlan, RowsMut};
pub use eager::{BelongsTo, Eager, Load, Node, NodeIter, Nodes, Owned, OwnedTree, Tree};
pub use error::{BatchError, DeleteError, Error, IntegrityError, NotFound, WriteError};
pub use handle::{FoundRows, IndexRows, RelationRef, Rows, TableRef};
pub use id::{AnyId, Id};
pub use index::{Index, IndexInfo};
pub use model::{Fields, Invalid, KeyField, Model};
pub use query::{Query, QueryError};
pub use relation::{
    ForeignKey, HasMany, HasOne, OnDelete, ParentRow, Related, Relation, RelationInfo, RelationKind,
};
#[doc = include_str!("model_derive.md")]
pub use relstore_derive::Model;
pub use row::{Children, Row};
pub use schema::{HasRelation, HasTable, Schema};
pub use snapshot::{
    Corruption, DEFAULT_MAX_VACANT_SLOTS, LoadError, Loader, SaveError, Snapshot, TableError,
};

/// What the macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::fk_index::FkIndex;
    pub use crate::id::RowKey;
    pub use crate::model::{KeyFieldType, KeyProbe, ModelBounds, NotKey, field_hash};
    pub use crate::relation::related_one;
    pub use crate::schema::{
        RelationPos, RelationVisitor, TablePos, TableVisitor, assert_distinct,
        assert_keys_have_relations, assert_policy, position,
    };
    pub use crate::table::Table;
}
