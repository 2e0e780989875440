//! Secondary indexes: a table's rows by the value of one field or several, declared on the
//! model and kept in step with the rows by the store.
//!
//! `#[derive(Model)]` declares them (see [the derive](derive@crate::Model)): a field marked
//! `#[relstore(unique)]`, `#[relstore(index)]` or `#[relstore(ordered)]` (with `unique` for an
//! ordered unique index), or several fields at once on the struct,
//! `#[relstore(unique(player, quest))]`. Each index is a type, named `<Model>By<Field>` unless
//! given a name (`#[relstore(unique, name = ByName)]`), which lookups take:
//!
//! ```
//! use relstore::{Db, Model, WriteError};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Clone, Serialize, Deserialize, Model)]
//! #[relstore(table = "users")]
//! pub struct User {
//!     #[relstore(unique)]
//!     username: String,
//!     #[relstore(ordered)]
//!     karma: i64,
//! }
//!
//! relstore::schema! { struct Site { users: User } relations {} }
//!
//! let mut db = Db::<Site>::new();
//! db.insert(User { username: "alice".into(), karma: 10 })?;
//! db.insert(User { username: "bob".into(), karma: 3 })?;
//!
//! let users = db.table::<User>();
//! let alice = users.get_by(UserByUsername, "alice").expect("indexed");
//! assert_eq!(alice.karma, 10);
//! let top: Vec<_> = users.range(UserByKarma, 0..).rev().take(1).map(|u| u.value().username.as_str()).collect();
//! assert_eq!(top, ["alice"]);
//!
//! let taken = db.insert(User { username: "alice".into(), karma: 0 });
//! assert!(matches!(taken, Err(WriteError::Unique { .. })));
//! # Ok::<(), relstore::Error>(())
//! ```
//!
//! An index is derived data, like the foreign-key index: rebuilt from the rows when a snapshot
//! loads, and compared with the rows by [`Db::check_integrity`](crate::Db::check_integrity).
//! Indexed fields are read-only in a row's in-place view ([`Fields`](crate::Fields)), so that
//! an edit there cannot leave an index behind; they change through
//! [`Db::update`](crate::Db::update), [`Db::edit`](crate::Db::edit) or
//! [`Db::replace`](crate::Db::replace).
//!
//! # Costs
//!
//! A unique hash lookup is one hash and one probe, as a hand-kept `HashMap<K, Id>` is; an
//! insert hashes its key once (the check's hash is kept for the insert) and clones it into the
//! index. A single field's key is read by reference everywhere else; a composite key is a tuple
//! built from clones of its fields each time it is read (a check, an update comparing old and
//! new keys, a removal): cheap for ids and numbers, a copy per `String` field. An ordered index
//! is a `BTreeMap`: O(log n) to find a key, then each row in key order. A non-unique key's rows
//! are kept in creation order (a `Vec` while few, a chunked list past 1,024; an ordered key
//! held by one row holds it inline, with no list), so removing one of a key's rows is O(rows of
//! that key) while few. An index costs about what its map costs by hand: the key, the row's
//! 8-byte key, and the map's overhead; [`Db::shrink_to_fit`](crate::Db::shrink_to_fit) gives
//! spare capacity back.
//!
//! # Unique keys and `None`
//!
//! A unique index compares keys with `Eq`, so an `Option` field's `None` is one key like any
//! other: at most one row may hold it (SQL lets NULLs repeat). Index an `Option` field with a
//! non-unique `index` or `ordered` when several rows may have none.
//!
//! # Keys that panic
//!
//! An index calls the key type's `Clone`, `Hash`, `Eq` and `Ord` while it changes. For the
//! types keys are usually made of (integers, strings, ids, tuples of them) these cannot panic.
//! A key type of your own whose impls panic can leave an index out of step with the rows
//! (never memory unsafety: [`Db::check_integrity`](crate::Db::check_integrity) reports it as
//! [`IntegrityError::SecondaryIndexOutOfStep`](crate::IntegrityError::SecondaryIndexOutOfStep)),
//! as a `HashMap` whose key's `Hash` panics is left unspecified.

use std::borrow::Borrow;
use std::fmt;

use crate::model::Model;

mod bounds;
mod set;
mod store;

pub use bounds::{KeyBound, KeyRange};
pub(crate) use set::Violation;
pub use set::{IndexSet, ProbeOf};
pub use store::{
    IndexStore, Lookup, LookupOne, LookupRange, MultiHash, MultiOrdered, Probe, RangeKeys, Slot,
    UniqueHash, UniqueOrdered,
};

/// A secondary index of table `Model`: its rows by [`Index::Key`], kept in [`Index::Store`].
/// `#[derive(Model)]` writes the impls; see the [module docs](self).
pub trait Index: Copy + Send + Sync + 'static {
    /// The indexed table's row.
    type Model: Model;
    /// The key: one field's type, or a tuple of several fields' types.
    type Key: Clone + Eq + fmt::Debug + Send + Sync + 'static;
    /// The storage: [`UniqueHash`], [`MultiHash`], [`UniqueOrdered`] or [`MultiOrdered`].
    type Store: IndexStore<Self::Key>;
    /// What the index is, for errors and the integrity check.
    const INFO: IndexInfo;

    /// The row's key: borrowed from a single field, built (from copies) for several.
    fn key(row: &Self::Model) -> impl Borrow<Self::Key> + '_;

    /// This index's store among its table's.
    #[doc(hidden)]
    fn store(
        stores: &<<Self::Model as Model>::Indexes as IndexSet<Self::Model>>::Stores,
    ) -> &Self::Store;

    /// This index's store among its table's, to change.
    #[doc(hidden)]
    fn store_mut(
        stores: &mut <<Self::Model as Model>::Indexes as IndexSet<Self::Model>>::Stores,
    ) -> &mut Self::Store;
}

/// What an index is: its name, table and fields, and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IndexInfo {
    /// The index type's name, e.g. `UserByUsername`.
    pub name: &'static str,
    /// The indexed table.
    pub table: &'static str,
    /// The indexed fields, in key order.
    pub fields: &'static [&'static str],
    /// Whether a key may be held by one row only.
    pub unique: bool,
    /// Whether the keys are ordered (ranges, top-k, prefixes).
    pub ordered: bool,
}

impl IndexInfo {
    /// The description of index `I`, as a `'static` reference (what errors hold).
    pub const fn of<I: Index>() -> &'static Self {
        const { &I::INFO }
    }
}

impl fmt::Display for IndexInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}(", self.name, self.table)?;
        for (i, field) in self.fields.iter().enumerate() {
            let comma = if i == 0 { "" } else { ", " };
            write!(f, "{comma}{field}")?;
        }
        f.write_str(")")
    }
}
