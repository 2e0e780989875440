//! Why a save or a load failed.

use std::error::Error as StdError;
use std::fmt;
use std::io;

use crate::error::IntegrityError;

/// Why a save failed. The store is unchanged; a save to a path left the previous file intact.
#[derive(Debug)]
#[non_exhaustive]
pub enum SaveError {
    /// Writing failed (the disk, the file system, or the writer given).
    Io(io::Error),
    /// A row's `Serialize` failed.
    Encode {
        /// The table.
        table: &'static str,
        /// The codec's message.
        message: String,
    },
    /// A row encodes to more than a frame can hold (16 MiB).
    RowTooLarge {
        /// The table.
        table: &'static str,
        /// The row's slot.
        slot: u32,
        /// Its encoded size in bytes.
        size: usize,
    },
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Io(e) => write!(f, "could not write the snapshot: {e}"),
            SaveError::Encode { table, message } => {
                write!(f, "could not encode a row of `{table}`: {message}")
            }
            SaveError::RowTooLarge { table, slot, size } => write!(
                f,
                "a row of `{table}` (slot {slot}) encodes to {size} bytes, more than a \
                 snapshot frame holds (16 MiB)"
            ),
        }
    }
}

impl StdError for SaveError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            SaveError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for SaveError {
    fn from(e: io::Error) -> Self {
        SaveError::Io(e)
    }
}

/// Why a load failed. No store is built; nothing else changes.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// Reading failed.
    Io(io::Error),
    /// The input is not a relstore snapshot (its first bytes are not the magic `RELSTORE`).
    NotASnapshot,
    /// The snapshot's format version is not the one this build reads: a newer relstore wrote
    /// it.
    UnsupportedFormat {
        /// The file's format version.
        version: u32,
    },
    /// The file is damaged: cut short, a checksum that does not match, or bytes the format
    /// does not allow. Nothing of it was loaded.
    Corrupt {
        /// Where in the file, in bytes.
        offset: u64,
        /// What is wrong.
        reason: Corruption,
    },
    /// A table of the file cannot be loaded into the schema.
    Table {
        /// The table's name in the file.
        table: String,
        /// Why.
        reason: TableError,
    },
    /// The rows decode, but break a rule of the schema (a foreign key naming no row, a
    /// has-one parent with two children).
    Integrity(IntegrityError),
}

/// What is wrong with a damaged file ([`LoadError::Corrupt`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Corruption {
    /// The file ends early.
    Truncated,
    /// A frame's checksum does not match its bytes.
    Checksum,
    /// A frame claims a payload above the format's bound (16 MiB).
    FrameTooLarge(u64),
    /// A frame kind this format does not have.
    UnknownFrame(u8),
    /// A frame codec this format does not have (reserved for compression).
    UnknownCodec(u8),
    /// A reserved field is not zero.
    Reserved,
    /// The trailer's counts do not match the frames before it.
    TrailerMismatch,
    /// Bytes follow the trailer.
    TrailingBytes,
    /// Frames in an order the format does not allow (the message says which).
    Layout(&'static str),
    /// A frame's content does not decode (the codec's message).
    Decode(String),
}

/// Why a table of the file cannot be loaded ([`LoadError::Table`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableError {
    /// The schema has no table of this name, and the load did not declare it dropped or
    /// renamed ([`Loader::drop_table`](super::Loader::drop_table),
    /// [`Loader::rename_table`](super::Loader::rename_table)).
    NotInSchema,
    /// The file's rows are of an older version of the model and no migration from it was
    /// registered ([`Loader::migrate`](super::Loader::migrate)).
    NoMigration {
        /// The version in the file.
        from: u32,
        /// The model's version.
        to: u32,
    },
    /// The file's rows are of a newer version of the model than this program's.
    NewerVersion {
        /// The version in the file.
        file: u32,
        /// The model's version.
        model: u32,
    },
    /// The struct's fields changed but its version did not: the file's shape fingerprint is
    /// not the model's. Raise the model's version and register a migration.
    ShapeChanged {
        /// The version, in the file and in the model.
        version: u32,
    },
    /// The file lists the table twice.
    Duplicate,
    /// A row does not decode as the model (the codec's message).
    Row {
        /// The row's slot.
        slot: u32,
        /// The codec's message.
        message: String,
    },
    /// The slots do not add up to the directory's counts.
    Slots,
    /// More vacant slots than the load allows (see
    /// [`Loader::max_vacant_slots`](super::Loader::max_vacant_slots)).
    TooManyVacantSlots {
        /// The limit.
        limit: u64,
    },
    /// The table image breaks a rule: a slot's version does not fit its content, the free
    /// list names a slot twice or an occupied one, two rows share a creation number, or a
    /// creation number is not below the next one.
    Image {
        /// The slot involved.
        slot: usize,
        /// The rule, in words.
        rule: &'static str,
    },
    /// Two rows share a key of a unique index, which perhaps did not exist when the file was
    /// saved: fix the rows in a migration ([`Loader::migrate`](super::Loader::migrate)).
    Unique {
        /// The index.
        index: &'static crate::IndexInfo,
        /// The key, as `Debug` prints it.
        value: String,
        /// The two rows, the older first.
        rows: (crate::AnyId, crate::AnyId),
    },
    /// A row fails its model's validator ([`Model::validate`](crate::Model::validate)), which
    /// perhaps did not exist when the file was saved: fix it in a migration.
    Invalid {
        /// The row.
        row: crate::AnyId,
        /// The validator's refusal.
        reason: crate::Invalid,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "could not read the snapshot: {e}"),
            LoadError::NotASnapshot => write!(f, "not a relstore snapshot (no RELSTORE magic)"),
            LoadError::UnsupportedFormat { version } => write!(
                f,
                "snapshot format version {version} is not supported (this build reads version {})",
                super::format::FORMAT_VERSION
            ),
            LoadError::Corrupt { offset, reason } => {
                write!(f, "the snapshot is damaged at byte {offset}: {reason}")
            }
            LoadError::Table { table, reason } => {
                write!(
                    f,
                    "table `{table}` of the snapshot cannot be loaded: {reason}"
                )
            }
            LoadError::Integrity(e) => write!(f, "the snapshot breaks a rule: {e}"),
        }
    }
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Corruption::Truncated => write!(f, "the file ends early"),
            Corruption::Checksum => write!(f, "a frame's checksum does not match"),
            Corruption::FrameTooLarge(len) => {
                write!(f, "a frame claims {len} bytes, above the format's bound")
            }
            Corruption::UnknownFrame(kind) => write!(f, "unknown frame kind {kind}"),
            Corruption::UnknownCodec(codec) => write!(f, "unknown frame codec {codec}"),
            Corruption::Reserved => write!(f, "a reserved field is not zero"),
            Corruption::TrailerMismatch => write!(f, "the trailer does not match the frames"),
            Corruption::TrailingBytes => write!(f, "bytes follow the trailer"),
            Corruption::Layout(what) => write!(f, "{what}"),
            Corruption::Decode(message) => write!(f, "a frame does not decode: {message}"),
        }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableError::NotInSchema => write!(
                f,
                "the schema has no such table (declare it dropped or renamed to load the file)"
            ),
            TableError::NoMigration { from, to } => {
                write!(
                    f,
                    "its rows are version {from}, the model is version {to}, and no migration from {from} is registered"
                )
            }
            TableError::NewerVersion { file, model } => write!(
                f,
                "its rows are version {file}, newer than the model's version {model}"
            ),
            TableError::ShapeChanged { version } => write!(
                f,
                "the model's fields changed but its version ({version}) did not: raise \
                 the version and register a migration"
            ),
            TableError::Duplicate => write!(f, "the file lists it twice"),
            TableError::Row { slot, message } => {
                write!(f, "the row in slot {slot} does not decode: {message}")
            }
            TableError::Slots => write!(f, "its slots do not match the directory"),
            TableError::TooManyVacantSlots { limit } => write!(
                f,
                "more than {limit} vacant slots (raise Loader::max_vacant_slots if you trust the file)"
            ),
            TableError::Image { slot, rule } => write!(f, "slot {slot}: {rule}"),
            TableError::Unique { index, value, rows } => write!(
                f,
                "rows {} and {} share the key {value} of unique index {index} (fix them in a migration)",
                rows.0, rows.1
            ),
            TableError::Invalid { row, reason } => write!(
                f,
                "row {row} fails its model's validator: {reason} (fix it in a migration)"
            ),
        }
    }
}

impl StdError for LoadError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            LoadError::Io(e) => Some(e),
            LoadError::Integrity(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for LoadError {
    fn from(e: io::Error) -> Self {
        LoadError::Io(e)
    }
}
