//! Errors: one enum per family of operations, and the umbrella [`Error`].
//!
//! Every error names the table, the row and the rule involved. A failed operation changes
//! nothing.

use std::error::Error as StdError;
use std::fmt;

use crate::id::AnyId;
use crate::relation::RelationInfo;

/// Why a schema could not be built ([`crate::DbBuilder::build`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaError {
    /// Two tables share a type or a name.
    DuplicateTable {
        /// The table's name.
        table: &'static str,
    },
    /// Two relations share a type or a name.
    DuplicateRelation {
        /// The relation.
        relation: &'static RelationInfo,
    },
    /// A relation names a table that was not registered.
    UnregisteredTable {
        /// The relation.
        relation: &'static RelationInfo,
        /// The missing table.
        table: &'static str,
    },
    /// [`OnDelete::SetNull`](crate::OnDelete::SetNull) on a required key.
    SetNullOnRequiredKey {
        /// The relation.
        relation: &'static RelationInfo,
    },
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaError::DuplicateTable { table } => {
                write!(f, "table `{table}` is registered twice")
            }
            SchemaError::DuplicateRelation { relation } => {
                write!(f, "relation {relation} is registered twice")
            }
            SchemaError::UnregisteredTable { relation, table } => write!(
                f,
                "relation {relation} needs table `{table}`, which is not registered"
            ),
            SchemaError::SetNullOnRequiredKey { relation } => write!(
                f,
                "relation {relation} sets a required key to null on delete; make `{}` an Option or pick another policy",
                relation.foreign_key
            ),
        }
    }
}

impl StdError for SchemaError {}

/// Why a read failed: a stale or unknown id, or a table or relation not in the schema.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupError {
    /// No row has this id: it was deleted, or never existed.
    NotFound {
        /// The id looked up.
        id: AnyId,
    },
    /// The table is not part of this store's schema.
    UnknownTable {
        /// The table's name.
        table: &'static str,
    },
    /// The relation is not part of this store's schema.
    UnknownRelation {
        /// The relation.
        relation: &'static RelationInfo,
    },
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NotFound { id } => {
                write!(f, "no row {id}: it was deleted or never existed")
            }
            LookupError::UnknownTable { table } => {
                write!(f, "table `{table}` is not registered in this store")
            }
            LookupError::UnknownRelation { relation } => {
                write!(f, "relation {relation} is not registered in this store")
            }
        }
    }
}

impl StdError for LookupError {}

/// Why an insert, update or replace failed. The store is unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// The row to update does not exist.
    NotFound {
        /// The id given.
        id: AnyId,
    },
    /// The table is not part of this store's schema.
    UnknownTable {
        /// The table's name.
        table: &'static str,
    },
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
            WriteError::NotFound { id } => {
                write!(f, "no row {id}: it was deleted or never existed")
            }
            WriteError::UnknownTable { table } => {
                write!(f, "table `{table}` is not registered in this store")
            }
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

/// Why a delete failed. Nothing was deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteError {
    /// The row to delete does not exist.
    NotFound {
        /// The id given.
        id: AnyId,
    },
    /// The table is not part of this store's schema.
    UnknownTable {
        /// The table's name.
        table: &'static str,
    },
    /// A relation blocks the delete: `parent` (the row asked for, or one the delete would
    /// cascade to) still has `child`, which the delete would not remove. The relation is a
    /// restrict, or a set-null whose key cannot be null (a hand-written relation whose
    /// `OPTIONAL` disagrees with its field).
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
            DeleteError::NotFound { id } => {
                write!(f, "no row {id}: it was deleted or never existed")
            }
            DeleteError::UnknownTable { table } => {
                write!(f, "table `{table}` is not registered in this store")
            }
            DeleteError::Restricted {
                relation,
                parent,
                child,
            } => {
                write!(
                    f,
                    "cannot delete {parent}: {child} still points to it through "
                )?;
                if relation.on_delete == crate::OnDelete::SetNull {
                    write!(f, "set-null relation {relation}, whose key cannot be null")
                } else {
                    write!(f, "restrict relation {relation}")
                }
            }
        }
    }
}

impl StdError for DeleteError {}

/// Any error of this crate. Each family converts into it, so `?` works across operations.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// See [`SchemaError`].
    Schema(SchemaError),
    /// See [`LookupError`].
    Lookup(LookupError),
    /// See [`WriteError`].
    Write(WriteError),
    /// See [`DeleteError`].
    Delete(DeleteError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Schema(e) => e.fmt(f),
            Error::Lookup(e) => e.fmt(f),
            Error::Write(e) => e.fmt(f),
            Error::Delete(e) => e.fmt(f),
        }
    }
}

/// Transparent: `Error` displays its family's error and hands on that error's source, so a
/// report that walks the chain prints each message once.
impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Schema(e) => e.source(),
            Error::Lookup(e) => e.source(),
            Error::Write(e) => e.source(),
            Error::Delete(e) => e.source(),
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
    Schema(SchemaError),
    Lookup(LookupError),
    Write(WriteError),
    Delete(DeleteError)
);
