//! Errors: one enum per family of operations, and the umbrella [`Error`].
//!
//! Every error names the table, the row and the rule involved. A failed operation changes
//! nothing.

use std::collections::TryReserveError;
use std::error::Error as StdError;
use std::fmt;

use crate::id::AnyId;
use crate::index::IndexInfo;
use crate::model::Invalid;
use crate::query::QueryError;
use crate::relation::RelationInfo;

/// No row has this id: it was deleted, or never existed. What a read of a stale id returns,
/// and what a write or delete of one carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotFound {
    /// The id looked up.
    pub id: AnyId,
}

impl NotFound {
    pub(crate) fn new(id: impl Into<AnyId>) -> Self {
        NotFound { id: id.into() }
    }
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no row {}: it was deleted or never existed", self.id)
    }
}

impl StdError for NotFound {}

/// Why an insert, update or replace failed. The store is unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// The row to change does not exist.
    NotFound(NotFound),
    /// A foreign key points to a parent that does not exist (deleted, or never existed).
    MissingParent {
        /// The relation whose key is broken.
        relation: &'static RelationInfo,
        /// The parent id the key holds.
        parent: AnyId,
    },
    /// A has-one parent already has its one child.
    HasOneTaken {
        /// The has-one relation.
        relation: &'static RelationInfo,
        /// The parent.
        parent: AnyId,
        /// The child it already has.
        existing: AnyId,
        /// The row that was to become its child (`None` for a row being inserted).
        row: Option<AnyId>,
    },
    /// Two rows of one [`Db::insert_many`](crate::Db::insert_many) batch name the same has-one
    /// parent: the later one cannot become its second child.
    HasOneTakenInBatch {
        /// The has-one relation.
        relation: &'static RelationInfo,
        /// The parent.
        parent: AnyId,
        /// The position in the batch of the earlier row, which would take the parent.
        earlier: usize,
    },
    /// A unique index already gives the row's key to another row.
    Unique {
        /// The unique index.
        index: &'static IndexInfo,
        /// The key, as `Debug` prints it.
        value: String,
        /// The row that holds it.
        holder: AnyId,
        /// The row that was to take it (`None` for a row being inserted).
        row: Option<AnyId>,
    },
    /// Two rows of one batch ([`Db::insert_many`](crate::Db::insert_many), or a bulk update)
    /// would share a key of a unique index.
    UniqueInBatch {
        /// The unique index.
        index: &'static IndexInfo,
        /// The key, as `Debug` prints it.
        value: String,
        /// The position in the batch of the earlier row, which would take the key.
        earlier: usize,
    },
    /// The row fails its model's validator ([`Model::validate`](crate::Model::validate)).
    Invalid {
        /// The table.
        table: &'static str,
        /// The row being changed (`None` for a row being inserted).
        row: Option<AnyId>,
        /// The validator's refusal.
        reason: Invalid,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::NotFound(e) => e.fmt(f),
            WriteError::MissingParent { relation, parent } => write!(
                f,
                "foreign key {}.{} = {parent} points to no row (relation {relation})",
                relation.child_table, relation.foreign_key
            ),
            WriteError::HasOneTaken {
                relation,
                parent,
                existing,
                row,
            } => {
                write!(
                    f,
                    "{parent} already has its one child {existing} under has-one relation {relation}"
                )?;
                match row {
                    Some(row) => write!(f, "; {row} cannot become a second one"),
                    None => write!(f, "; the new row cannot become a second one"),
                }
            }
            WriteError::HasOneTakenInBatch {
                relation,
                parent,
                earlier,
            } => write!(
                f,
                "row {earlier} of the batch already takes {parent} under has-one relation \
                 {relation}; a second row of the batch cannot become its child too"
            ),
            WriteError::Unique {
                index,
                value,
                holder,
                row,
            } => {
                write!(f, "{holder} already holds {value} in unique index {index}")?;
                match row {
                    Some(row) => write!(f, "; {row} cannot take it too"),
                    None => write!(f, "; the new row cannot take it too"),
                }
            }
            WriteError::UniqueInBatch {
                index,
                value,
                earlier,
            } => write!(
                f,
                "row {earlier} of the batch already takes {value} in unique index {index}; a \
                 second row of the batch cannot take it too"
            ),
            WriteError::Invalid { table, row, reason } => match row {
                Some(row) => write!(f, "{row} would fail the validator of {table}: {reason}"),
                None => write!(f, "the new row fails the validator of {table}: {reason}"),
            },
        }
    }
}

impl StdError for WriteError {}

impl From<NotFound> for WriteError {
    fn from(e: NotFound) -> Self {
        WriteError::NotFound(e)
    }
}

/// Why [`Db::insert_many`](crate::Db::insert_many) refused a batch: the first row it could
/// not insert, why, and every row of the batch handed back (nothing was inserted).
///
/// Handing the rows back lets a caller mend or drop the one bad row and try again, without
/// building a big batch twice. Converting into [`Error`] (with `?`) drops the rows and keeps
/// the position and the reason.
///
/// ```
/// # use relstore::{Db, Id, Model, WriteError};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Serialize, Deserialize, Model)]
/// # #[relstore(table = "zones")]
/// # struct Zone { name: String }
/// # #[derive(Clone, Serialize, Deserialize, Model)]
/// # #[relstore(table = "loot")]
/// # struct Loot { zone: Id<Zone>, gold: u32 }
/// relstore::belongs_to!(LootZone: Loot.zone -> Zone, has_many, on_delete = Cascade);
/// relstore::schema! { struct Level { zones: Zone, loot: Loot } relations { LootZone } }
///
/// let mut db = Db::<Level>::new();
/// let cave = db.insert(Zone { name: "cave".into() })?;
/// let gone = db.insert(Zone { name: "gone".into() })?;
/// db.delete(gone)?;
/// let batch = vec![Loot { zone: cave, gold: 1 }, Loot { zone: gone, gold: 2 }];
/// let refused = db.insert_many(batch).unwrap_err();
/// assert_eq!(refused.position, 1);
/// assert!(matches!(refused.error, WriteError::MissingParent { .. }));
/// assert_eq!(db.table::<Loot>().len(), 0); // nothing was inserted
///
/// let mut rows = refused.rows;
/// rows.retain(|loot| loot.zone != gone);
/// assert_eq!(db.insert_many(rows)?.len(), 1);
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct BatchError<T> {
    /// The position in the batch (from 0) of the first row that could not be inserted.
    pub position: usize,
    /// Why that row could not be inserted.
    pub error: WriteError,
    /// Every row of the batch, in the order given.
    pub rows: Vec<T>,
}

/// Shows the position and the error, and how many rows came back (not the rows: `T` need
/// not be `Debug`, and a batch can hold millions).
impl<T> fmt::Debug for BatchError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchError")
            .field("position", &self.position)
            .field("error", &self.error)
            .field("rows", &self.rows.len())
            .finish()
    }
}

impl<T> fmt::Display for BatchError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {} of a batch of {} was refused; nothing was inserted",
            self.position,
            self.rows.len()
        )
    }
}

impl<T> StdError for BatchError<T> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.error)
    }
}

/// Why a delete failed. Nothing was deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteError {
    /// The row to delete does not exist.
    NotFound(NotFound),
    /// A restrict relation blocks the delete: `parent` (the row asked for, or one the delete
    /// would cascade to) still has `child`, which the delete would not remove.
    Restricted {
        /// The blocking relation.
        relation: &'static RelationInfo,
        /// The row that would be deleted.
        parent: AnyId,
        /// Its child that blocks the delete.
        child: AnyId,
    },
    /// A set-null relation would leave `row` failing its model's validator
    /// ([`Model::validate`](crate::Model::validate)), its key to a deleted parent cleared.
    Invalid {
        /// The set-null relation.
        relation: &'static RelationInfo,
        /// The row whose key would be set to null.
        row: AnyId,
        /// The validator's refusal.
        reason: Invalid,
    },
}

impl fmt::Display for DeleteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeleteError::NotFound(e) => e.fmt(f),
            DeleteError::Restricted {
                relation,
                parent,
                child,
            } => {
                write!(
                    f,
                    "cannot delete {parent}: {child} still points to it through restrict relation {relation}"
                )
            }
            DeleteError::Invalid {
                relation,
                row,
                reason,
            } => write!(
                f,
                "setting {row}'s key to null (relation {relation}) would fail its validator: {reason}"
            ),
        }
    }
}

impl StdError for DeleteError {}

impl From<NotFound> for DeleteError {
    fn from(e: NotFound) -> Self {
        DeleteError::NotFound(e)
    }
}

/// A rule of the store found broken by [`Db::check_integrity`](crate::Db::check_integrity).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntegrityError {
    /// A foreign key names no row of its parent table.
    MissingParent {
        /// The relation of the key.
        relation: &'static RelationInfo,
        /// The row holding the key.
        child: AnyId,
        /// The parent id the key holds.
        parent: AnyId,
    },
    /// A has-one parent has more than one child.
    HasOneBroken {
        /// The has-one relation.
        relation: &'static RelationInfo,
        /// The parent.
        parent: AnyId,
        /// Two of its children.
        children: [AnyId; 2],
    },
    /// A foreign-key index disagrees with the rows it is derived from.
    IndexOutOfStep {
        /// The relation whose index is wrong.
        relation: &'static RelationInfo,
    },
    /// A secondary index disagrees with the rows it is derived from.
    SecondaryIndexOutOfStep {
        /// The index.
        index: &'static IndexInfo,
    },
}

impl fmt::Display for IntegrityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntegrityError::MissingParent {
                relation,
                child,
                parent,
            } => write!(
                f,
                "{child} has {}.{} = {parent}, which names no row (relation {relation})",
                relation.child_table, relation.foreign_key
            ),
            IntegrityError::HasOneBroken {
                relation,
                parent,
                children: [first, second],
            } => write!(
                f,
                "{parent} has two children, {first} and {second}, under has-one relation {relation}"
            ),
            IntegrityError::IndexOutOfStep { relation } => write!(
                f,
                "the foreign-key index of relation {relation} disagrees with its rows"
            ),
            IntegrityError::SecondaryIndexOutOfStep { index } => {
                write!(f, "index {index} disagrees with its rows")
            }
        }
    }
}

impl StdError for IntegrityError {}

/// Any error of this crate. Each family converts into it, so `?` works across operations.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// See [`NotFound`].
    NotFound(NotFound),
    /// See [`WriteError`].
    Write(WriteError),
    /// See [`DeleteError`].
    Delete(DeleteError),
    /// See [`IntegrityError`].
    Integrity(IntegrityError),
    /// A batch refused by [`Db::insert_many`](crate::Db::insert_many): a [`BatchError`]
    /// without its rows.
    Batch {
        /// The position in the batch of the first row that could not be inserted.
        position: usize,
        /// Why.
        error: WriteError,
    },
    /// [`Db::reserve`](crate::Db::reserve) could not get the memory asked for.
    Reserve(TryReserveError),
    /// See [`QueryError`].
    Query(QueryError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(e) => e.fmt(f),
            Error::Write(e) => e.fmt(f),
            Error::Delete(e) => e.fmt(f),
            Error::Integrity(e) => e.fmt(f),
            Error::Batch { position, .. } => {
                write!(
                    f,
                    "row {position} of a batch was refused; nothing was inserted"
                )
            }
            Error::Reserve(e) => e.fmt(f),
            Error::Query(e) => e.fmt(f),
        }
    }
}

/// Transparent (but for [`Error::Batch`]): `Error` displays its family's error and hands on that error's source, so a
/// report that walks the chain prints each message once.
impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::NotFound(e) => e.source(),
            Error::Write(e) => e.source(),
            Error::Delete(e) => e.source(),
            Error::Integrity(e) => e.source(),
            // Not transparent: the position is this error's own, the reason its source.
            Error::Batch { error, .. } => Some(error),
            Error::Reserve(e) => e.source(),
            Error::Query(e) => e.source(),
        }
    }
}

macro_rules! into_error {
    ($($variant:ident($family:ident)),*) => {$(
        impl From<$family> for Error {
            fn from(e: $family) -> Self {
                Error::$variant(e)
            }
        }
    )*};
}

into_error!(
    NotFound(NotFound),
    Write(WriteError),
    Delete(DeleteError),
    Integrity(IntegrityError),
    Reserve(TryReserveError),
    Query(QueryError)
);

impl<T> From<BatchError<T>> for Error {
    /// Keeps the position and the reason; the rows are dropped.
    fn from(e: BatchError<T>) -> Self {
        Error::Batch {
            position: e.position,
            error: e.error,
        }
    }
}
