//! [`Loader`]: a load with options: migrations of old rows, dropped and renamed tables, limits.

use std::any::Any;
use std::fmt;
use std::io::{BufReader, Read};
use std::marker::PhantomData;
use std::path::Path;

use super::codec::{self, CodecError};
use super::error::LoadError;
use super::layout::SlotEntry;
use crate::db::Db;
use crate::model::Model;
use crate::schema::Schema;

/// The default of [`Loader::max_vacant_slots`]: 2^20 (1,048,576). Loaded, a vacant slot costs
/// a row's slot, and about as much again while its table is rebuilt: measured, 97 bytes at
/// the peak per vacant slot of a 48-byte row (`tests/snapshot_alloc.rs` prints it), so a file
/// claiming this many costs about 100 MB.
pub const DEFAULT_MAX_VACANT_SLOTS: u64 = 1 << 20;

/// A load with options; [`Db::load`] and [`Db::read_from`] are a `Loader` with none.
///
/// Register a migration for every older version of a model that files may still hold: the
/// old struct, derived as a [`Model`] with the same table name and its old version, and a
/// function from it to the next version. Migrations chain: a version-1 file goes through
/// 1 → 2 → 3 to reach a version-3 model.
///
/// ```
/// use relstore::{Db, Id, Loader, Model};
/// use serde::{Deserialize, Serialize};
///
/// // Version 1 of the users table had a single `name`...
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "users", version = 1)]
/// struct UserV1 { name: String }
///
/// // ...version 2 splits it.
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "users", version = 2)]
/// struct User { first: String, last: String }
///
/// relstore::schema! { struct App { users: User } relations {} }
/// relstore::schema! { struct AppV1 { users: UserV1 } relations {} }
///
/// let mut old = Db::<AppV1>::new();
/// let ada = old.insert(UserV1 { name: "Ada Lovelace".into() })?;
/// let file = old.write_to(Vec::new())?;
///
/// let db = Loader::<App>::new()
///     .migrate(|u: UserV1| {
///         let (first, last) = u.name.split_once(' ').unwrap_or((&u.name, ""));
///         User { first: first.into(), last: last.into() }
///     })
///     .read_from(&file[..])?;
/// // The same row, under the same id (ids are per table name, not per struct).
/// let ada = Id::<User>::from_bits(ada.to_bits());
/// assert_eq!(db.get(ada)?.last, "Lovelace");
///
/// // Without the migration, the load says what is missing.
/// let err = Db::<App>::read_from(&file[..]).unwrap_err();
/// assert!(err.to_string().contains("no migration from 1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Loader<S> {
    steps: Vec<Step>,
    dropped: Vec<String>,
    renamed: Vec<(String, String)>,
    max_vacant_slots: u64,
    schema: PhantomData<fn() -> S>,
}

impl<S> fmt::Debug for Loader<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loader")
            .field("migrations", &self.steps)
            .field("dropped", &self.dropped)
            .field("renamed", &self.renamed)
            .field("max_vacant_slots", &self.max_vacant_slots)
            .finish()
    }
}

impl<S: Schema> Default for Loader<S> {
    fn default() -> Self {
        Loader::new()
    }
}

/// Decodes one slot entry of an old version, its row type erased.
type DecodeOld =
    dyn Fn(&[u8]) -> Result<(SlotEntry<Box<dyn Any>>, usize), CodecError> + Send + Sync;
/// Turns a row of one version into the next, types erased.
/// `None` if the row is not the step's input type (a chain of mismatched migrations).
type Upgrade = dyn Fn(Box<dyn Any>) -> Option<Box<dyn Any>> + Send + Sync;

/// One registered migration: rows of `table` at version `from` become version `to`.
pub(super) struct Step {
    pub(super) table: &'static str,
    pub(super) from: u32,
    pub(super) to: u32,
    /// The old model's [`Model::SHAPE`], checked against the file's.
    pub(super) from_shape: u64,
    pub(super) decode: Box<DecodeOld>,
    pub(super) upgrade: Box<Upgrade>,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} v{} -> v{}", self.table, self.from, self.to)
    }
}

impl<S: Schema> Loader<S> {
    /// A load with no migrations and the default limits.
    pub fn new() -> Self {
        Loader {
            steps: Vec::new(),
            dropped: Vec::new(),
            renamed: Vec::new(),
            max_vacant_slots: DEFAULT_MAX_VACANT_SLOTS,
            schema: PhantomData,
        }
    }

    /// Registers a migration: rows of `Old`'s table saved at `Old::VERSION` are decoded as
    /// `Old` and turned into `New` by `upgrade`. `New` is the schema's model or another old
    /// version with a migration of its own. The file's shape fingerprint for that version
    /// must be `Old::SHAPE`.
    ///
    /// # Panics
    /// If `Old` and `New` name different tables, if `Old::VERSION` is not below
    /// `New::VERSION`, or if a migration from `Old::VERSION` of that table is already
    /// registered: mistakes in the program, not in a file.
    pub fn migrate<Old: Model, New: Model>(
        mut self,
        upgrade: impl Fn(Old) -> New + Send + Sync + 'static,
    ) -> Self {
        assert_eq!(
            Old::TABLE,
            New::TABLE,
            "a migration stays within one table: give the old struct #[relstore(table = \"{}\")]",
            New::TABLE
        );
        assert!(
            Old::VERSION < New::VERSION,
            "a migration of `{}` goes from an older version to a newer one, not {} -> {}",
            Old::TABLE,
            Old::VERSION,
            New::VERSION
        );
        assert!(
            self.step(Old::TABLE, Old::VERSION).is_none(),
            "two migrations of `{}` from version {}",
            Old::TABLE,
            Old::VERSION
        );
        self.steps.push(Step {
            table: Old::TABLE,
            from: Old::VERSION,
            to: New::VERSION,
            from_shape: Old::SHAPE,
            decode: Box::new(|input| {
                let (entry, used) = codec::decode::<SlotEntry<Old>>(input)?;
                Ok((erase(entry), used))
            }),
            upgrade: Box::new(move |row| {
                let old = row.downcast::<Old>().ok()?;
                Some(Box::new(upgrade(*old)))
            }),
        });
        self
    }

    /// Declares a table of the file that the schema no longer has: its rows are skipped
    /// (their frames still checked). Without this, such a table is an error.
    pub fn drop_table(mut self, name: &str) -> Self {
        self.dropped.push(name.to_owned());
        self
    }

    /// Declares that the file's table `old` is the schema's table `new`.
    pub fn rename_table(mut self, old: &str, new: &str) -> Self {
        self.renamed.push((old.to_owned(), new.to_owned()));
        self
    }

    /// The most vacant slots (deleted rows' slots, kept so that their ids stay stale) a load
    /// accepts, over all tables; default [`DEFAULT_MAX_VACANT_SLOTS`]. A file stores a run of
    /// vacant slots in a few bytes, but each costs a slot's size in memory once loaded: this
    /// bound is what stops a small hostile file from claiming gigabytes. Raise it to load a
    /// store that kept more holes (a game that spawned and destroyed millions of
    /// projectiles): `u64::MAX` for files you trust, such as your own saves. A refused file
    /// says so ([`TableError::TooManyVacantSlots`](super::TableError::TooManyVacantSlots)); [`Db::shrink_to_fit`] before a save gives
    /// back the trailing holes.
    pub fn max_vacant_slots(mut self, limit: u64) -> Self {
        self.max_vacant_slots = limit;
        self
    }

    /// Loads the snapshot at `path` (see [`Db::load`]).
    ///
    /// # Errors
    /// See [`LoadError`].
    pub fn load(&self, path: impl AsRef<Path>) -> Result<Db<S>, LoadError> {
        let file = std::fs::File::open(path)?;
        self.read_from(BufReader::with_capacity(1 << 16, file))
    }

    /// Loads a snapshot from `input` (see [`Db::read_from`]).
    ///
    /// # Errors
    /// See [`LoadError`].
    pub fn read_from(&self, input: impl Read) -> Result<Db<S>, LoadError> {
        super::load::read(input, self)
    }

    pub(super) fn step(&self, table: &str, from: u32) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| s.table == table && s.from == from)
    }

    pub(super) fn is_dropped(&self, name: &str) -> bool {
        self.dropped.iter().any(|d| d == name)
    }

    /// The schema's name for the file's table `name`.
    pub(super) fn schema_name<'a>(&'a self, name: &'a str) -> &'a str {
        (self.renamed.iter())
            .find(|(old, _)| old == name)
            .map_or(name, |(_, new)| new)
    }

    pub(super) fn vacant_limit(&self) -> u64 {
        self.max_vacant_slots
    }
}

fn erase<T: Any>(entry: SlotEntry<T>) -> SlotEntry<Box<dyn Any>> {
    match entry {
        SlotEntry::Row { version, seq, row } => SlotEntry::Row {
            version,
            seq,
            row: Box::new(row),
        },
        SlotEntry::Vacant { version, count } => SlotEntry::Vacant { version, count },
    }
}
