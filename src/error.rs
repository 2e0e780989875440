//! Errors: one enum per family of operations, and the umbrella [`Error`].
//!
//! Every error names the table, the row and the rule involved. A failed operation changes
//! nothing.

use std::error::Error as StdError;
use std::fmt;

use crate::id::AnyId;
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
        }
    }
}

impl StdError for WriteError {}

impl From<NotFound> for WriteError {
    fn from(e: NotFound) -> Self {
        WriteError::NotFound(e)
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound(e) => e.fmt(f),
            Error::Write(e) => e.fmt(f),
            Error::Delete(e) => e.fmt(f),
            Error::Integrity(e) => e.fmt(f),
        }
    }
}

/// Transparent: `Error` displays its family's error and hands on that error's source, so a
/// report that walks the chain prints each message once.
impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::NotFound(e) => e.source(),
            Error::Write(e) => e.source(),
            Error::Delete(e) => e.source(),
            Error::Integrity(e) => e.source(),
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
    Integrity(IntegrityError)
);
