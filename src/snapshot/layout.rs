//! What the frames hold: the directory, slot entries and free-list runs, as the codec encodes
//! them. Changing any of these is a change of the file format (and of its version).

use serde::{Deserialize, Serialize};

/// One table's line in the directory (the first frame).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct TableEntry {
    /// [`Model::TABLE`](crate::Model::TABLE).
    pub(super) name: String,
    /// [`Model::VERSION`](crate::Model::VERSION) of the rows as saved.
    pub(super) version: u32,
    /// [`Model::SHAPE`](crate::Model::SHAPE) of the rows as saved.
    pub(super) shape: u64,
    /// Slots after slot 0: rows, free and retired.
    pub(super) slots: u32,
    /// Occupied slots.
    pub(super) rows: u32,
    /// Entries of the free list.
    pub(super) free: u32,
    /// The creation number the next row gets.
    pub(super) next_seq: u64,
    /// The version a slot created from now on starts from.
    pub(super) fresh_version: u32,
}

/// One item of a slots frame. The frame's first value is the table's position in the
/// directory; its items then cover the table's slots in order, from slot 1.
#[derive(Serialize, Deserialize)]
pub(super) enum SlotEntry<R> {
    /// An occupied slot.
    Row {
        /// Its (odd) version.
        version: u32,
        /// The row's creation number.
        seq: u64,
        /// The row.
        row: R,
    },
    /// `count` vacant slots in a row, all of the same (even) version.
    Vacant {
        /// Their version.
        version: u32,
        /// How many.
        count: u32,
    },
}

/// One item of a free frame: `count` slot indexes from `first`, each one above (`Up`) or below
/// (`Down`) the previous. The frame's first value is the table's position in the directory;
/// the runs, in order, are the free list from its head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum FreeRun {
    Up { first: u32, count: u32 },
    Down { first: u32, count: u32 },
}
