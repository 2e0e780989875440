//! Snapshots: saving the whole store to disk and loading it back, every row under its id.
//!
//! A snapshot holds every table's rows with their exact ids, the versions of vacant and
//! retired slots (a stale id stays stale after a load, even after more inserts), the free
//! lists' order (the next inserts after a load get the ids they would have got without it)
//! and each row's creation number (children keep their order). Indexes are not saved: a load
//! checks the rules of [`Db::check_integrity`] (every key names a row, before any index is
//! built; every has-one holds, once they are) and rebuilds the indexes before handing the
//! store over.
//!
//! The file format is relstore's own, around the bincode codec: magic bytes and a format
//! version, a directory of tables (name, [`Model::VERSION`](crate::Model::VERSION),
//! [`Model::SHAPE`](crate::Model::SHAPE)), rows in frames of bounded size each with a CRC-32C,
//! and a trailer. A damaged or hostile file is an error, never a panic, a hang or a huge
//! allocation. The layout is documented in `docs/snapshot-format.md` in the repository.
//!
//! Saving to a path is atomic and durable ([`Db::save`]); old rows are upgraded on load by
//! migrations ([`Loader::migrate`]); a game can autosave without stalling its frame loop
//! by taking a [`Snapshot`] and encoding it on another thread.

mod atomic;
mod codec;
mod error;
mod format;
mod layout;
mod load;
mod loader;
mod save;

use std::io::{Read, Write};
use std::path::Path;

pub use error::{Corruption, LoadError, SaveError, TableError};
pub use loader::{DEFAULT_MAX_VACANT_SLOTS, Loader};

use crate::db::Db;
use crate::schema::Schema;

impl<S: Schema> Db<S> {
    /// Saves the store to the file at `path`, atomically: the snapshot is written to a
    /// temporary file beside it, flushed to disk, then renamed over `path`.
    ///
    /// `Ok` means the new file is complete and on disk (on Linux and macOS the directory is
    /// synced too; Windows cannot sync a directory, so there a power loss right after `Ok`
    /// may bring back the previous file, still whole). An error leaves the previous file as it
    /// was: complete and loadable. The store is never changed.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// # relstore::schema! { struct App { users: User } relations {} }
    /// let mut db = Db::<App>::new();
    /// let ada = db.insert(User { name: "Ada".into() })?;
    /// # let dir = std::env::temp_dir().join(format!("relstore-doc-save-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("save.relstore");
    /// db.save(&path)?;
    /// let loaded = Db::<App>::load(&path)?;
    /// assert_eq!(loaded.get(ada)?.name, "Ada"); // the same id names the same row
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SaveError::Io`] if the file system refuses (also: another process holds `path` open
    /// on Windows), [`SaveError::Encode`] if a row's `Serialize` fails,
    /// [`SaveError::RowTooLarge`] for a row that encodes to more than about 16 MiB.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SaveError> {
        atomic::write_atomically(&atomic::StdFs, path.as_ref(), |out| {
            save::write(self, out).map(drop)
        })
    }

    /// Writes a snapshot of the store to `out` and hands `out` back. Writes go straight to
    /// `out` a frame (about 64 KiB) at a time; nothing is synced (see [`Db::save`] for a file).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// # relstore::schema! { struct App { users: User } relations {} }
    /// let mut db = Db::<App>::new();
    /// let ada = db.insert(User { name: "Ada".into() })?;
    /// let bytes = db.write_to(Vec::new())?;
    /// let copy = Db::<App>::read_from(&bytes[..])?;
    /// assert_eq!(copy.get(ada)?.name, "Ada");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Db::save`]; an error of `out` is [`SaveError::Io`].
    pub fn write_to<W: Write>(&self, out: W) -> Result<W, SaveError> {
        save::write(self, out)
    }

    /// Loads the snapshot at `path` into a new store. For migrations, dropped or renamed
    /// tables, use a [`Loader`].
    ///
    /// # Errors
    /// See [`LoadError`]: the file is unreadable, not a snapshot, damaged, of another schema,
    /// or its rows break a rule. No partial store is ever returned.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        Loader::new().load(path)
    }

    /// Loads a snapshot from `input` into a new store. Reads a frame at a time; give it a
    /// buffered reader if `input` is slow to read in small pieces.
    ///
    /// # Errors
    /// As [`Db::load`].
    pub fn read_from(input: impl Read) -> Result<Self, LoadError> {
        Loader::new().read_from(input)
    }

    /// A copy of the rows as they are now, to save later, on any thread, while the store
    /// goes on changing. It costs a clone of every row (the indexes are not copied).
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// # relstore::schema! { struct App { users: User } relations {} }
    /// let mut db = Db::<App>::new();
    /// let ada = db.insert(User { name: "Ada".into() })?;
    /// let snapshot = db.snapshot();
    /// db.update(ada, |u| u.name = "Ada L.".into())?; // the frame loop goes on
    /// let bytes = std::thread::spawn(move || snapshot.write_to(Vec::new())).join().unwrap()?;
    /// assert_eq!(Db::<App>::read_from(&bytes[..])?.get(ada)?.name, "Ada");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    /// If a row's `Clone` panics, the panic goes on to the caller, after the rows cloned so
    /// far are dropped (each under `catch_unwind`, so a panicking `Drop` among them does not
    /// abort the process). The store is unchanged.
    pub fn snapshot(&self) -> Snapshot<S> {
        Snapshot {
            rows: self.clone_rows(),
        }
    }
}

/// The rows of a store at one moment, from [`Db::snapshot`]: save it while the store goes
/// on. The same bytes as saving the store itself at that moment.
pub struct Snapshot<S> {
    /// A store with the rows and no indexes: saving reads only rows.
    rows: Db<S>,
}

impl<S> std::fmt::Debug for Snapshot<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").finish_non_exhaustive()
    }
}

impl<S: Schema> Snapshot<S> {
    /// Saves the snapshot to `path`, atomically (see [`Db::save`]).
    ///
    /// # Errors
    /// As [`Db::save`].
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SaveError> {
        self.rows.save(path)
    }

    /// Writes the snapshot to `out` (see [`Db::write_to`]).
    ///
    /// # Errors
    /// As [`Db::write_to`].
    pub fn write_to<W: Write>(&self, out: W) -> Result<W, SaveError> {
        self.rows.write_to(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::table::{SlotImage, TableImage};
    use crate::{Db, KeyField, Model};

    #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Note(u32);
    impl Model for Note {
        const TABLE: &'static str = "notes";
        const KEYS: &'static [KeyField] = &[];
        type Indexes = ();
    }
    crate::schema! { struct Notes { notes: Note } relations {} }

    /// Slot 1 retired (its versions ran out: never on the free list again), slot 2 free.
    fn with_a_retired_slot() -> Db<Notes> {
        let mut db = Db::<Notes>::new();
        let image = TableImage {
            slots: vec![
                SlotImage::Vacant {
                    version: u32::MAX - 1,
                },
                SlotImage::Vacant { version: 4 },
                SlotImage::Occupied {
                    version: 1,
                    row: (0, Note(7)),
                },
            ],
            free: vec![2],
            next_seq: 1,
            fresh_version: 1,
        };
        db.restore_table(image).unwrap();
        db.rebuild_indexes();
        db
    }

    #[test]
    fn a_retired_slot_stays_retired_across_save_and_load_cycles() {
        let mut db = with_a_retired_slot();
        for _ in 0..2 {
            let bytes = db.write_to(Vec::new()).unwrap();
            db = Db::read_from(&bytes[..]).unwrap();
        }
        // Slot 2 (free) is reused, then a new slot 4: slot 1 is never handed out.
        let slots: Vec<u64> = (0..3)
            .map(|n| db.insert(Note(n)).unwrap().to_bits() & 0xffff_ffff)
            .collect();
        assert_eq!(slots, [2, 4, 5]);
    }
}
