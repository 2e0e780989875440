//! Loading: frames back into tables, each through the store's one mutation surface, then
//! the indexes rebuilt and the whole store checked before anyone sees it.

use std::any::Any;
use std::io::Read;

use super::codec::{self, CodecError};
use super::error::{Corruption, LoadError, TableError};
use super::format::{FrameError, FrameReader, Kind};
use super::layout::{FreeRun, SlotEntry, TableEntry};
use super::loader::{Loader, Step};
use crate::db::Db;
use crate::model::Model;
use crate::schema::{HasTable, Schema, TablePos, TableVisitor};
use crate::table::{ImageError, SlotImage, TableImage, TableImageError};

/// Reads a snapshot into a new store.
pub(super) fn read<S: Schema, R: Read>(input: R, loader: &Loader<S>) -> Result<Db<S>, LoadError> {
    let mut frames = FrameReader::new(input).map_err(frame_error)?;
    let (kind, payload) = frames.next().map_err(frame_error)?;
    if kind != Kind::Directory {
        return Err(layout(&frames, "the first frame is not the directory"));
    }
    let entries: Vec<TableEntry> = decode_all(payload).map_err(|reason| LoadError::Corrupt {
        offset: frames.offset(),
        reason,
    })?;
    let mut db = Db::<S>::new();
    let mut loaded = vec![false; S::__TABLES.len()];
    let mut vacant_left = loader.vacant_limit();
    for (position, entry) in entries.into_iter().enumerate() {
        let table_error = |reason| LoadError::Table {
            table: entry.name.clone(),
            reason,
        };
        let name = loader.schema_name(&entry.name);
        let Some(t) = S::__TABLES.iter().position(|&table| table == name) else {
            if !loader.is_dropped(&entry.name) {
                return Err(table_error(TableError::NotInSchema));
            }
            skip(&mut frames, position as u32)?;
            continue;
        };
        if std::mem::replace(&mut loaded[t], true) {
            return Err(table_error(TableError::Duplicate));
        }
        let mut table = TableReader {
            frames: &mut frames,
            db: &mut db,
            loader,
            position: position as u32,
            entry: &entry,
            vacant_left: &mut vacant_left,
            result: Ok(()),
        };
        S::__visit_table(TablePos(t), &mut table);
        table.result?;
    }
    match frames.next().map_err(frame_error)? {
        (Kind::End, _) => {}
        _ => return Err(layout(&frames, "a frame of no table of the directory")),
    }
    // Keys first: an index is dense up to its highest parent slot, so a key to a far slot
    // must be refused before an index is built for it. The indexes are then built from
    // these rows, so only has-one is left to check (check_integrity would rebuild them).
    db.check_every_key().map_err(LoadError::Integrity)?;
    db.rebuild_indexes();
    db.check_has_one().map_err(LoadError::Integrity)?;
    Ok(db)
}

fn frame_error(e: FrameError) -> LoadError {
    match e {
        FrameError::Io(e) => LoadError::Io(e),
        FrameError::NotASnapshot => LoadError::NotASnapshot,
        FrameError::UnsupportedFormat(version) => LoadError::UnsupportedFormat { version },
        FrameError::Corrupt { offset, reason } => LoadError::Corrupt { offset, reason },
    }
}

fn layout<R: Read>(frames: &FrameReader<R>, what: &'static str) -> LoadError {
    LoadError::Corrupt {
        offset: frames.offset(),
        reason: Corruption::Layout(what),
    }
}

/// Decodes a payload that is exactly one value.
fn decode_all<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, Corruption> {
    match codec::decode(payload) {
        Ok((value, used)) if used == payload.len() => Ok(value),
        Ok(_) => Err(Corruption::Layout("a frame has bytes after its content")),
        Err(e) => Err(Corruption::Decode(e.0)),
    }
}

/// A frame of one table: its payload, where its items start (after the table's position),
/// and the input offset after it.
type TableFrame<'f> = (&'f [u8], usize, u64);

/// The next frame, if it is of `kind` and belongs to the table at `position`. Any other
/// frame is left for the next reader.
fn next_of<R: Read>(
    frames: &mut FrameReader<R>,
    kind: Kind,
    position: u32,
) -> Result<Option<TableFrame<'_>>, LoadError> {
    let (found, payload) = frames.next().map_err(frame_error)?;
    let owner = (found == kind).then(|| codec::decode::<u32>(payload).ok());
    match owner.flatten() {
        Some((owner, used)) if owner == position => {
            Ok(Some((frames.payload(), used, frames.offset())))
        }
        _ => {
            frames.unread();
            Ok(None)
        }
    }
}

/// Skips a dropped table's frames (checked, not decoded).
fn skip<R: Read>(frames: &mut FrameReader<R>, position: u32) -> Result<(), LoadError> {
    while next_of(frames, Kind::Slots, position)?.is_some() {}
    while next_of(frames, Kind::Free, position)?.is_some() {}
    Ok(())
}

/// Loads one table: the visitor that knows its row type.
struct TableReader<'a, S, R> {
    frames: &'a mut FrameReader<R>,
    db: &'a mut Db<S>,
    loader: &'a Loader<S>,
    position: u32,
    entry: &'a TableEntry,
    vacant_left: &'a mut u64,
    result: Result<(), LoadError>,
}

impl<S: Schema, R: Read> TableVisitor<S> for TableReader<'_, S, R> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>,
    {
        self.result = self.image::<T>().and_then(|image| {
            (self.db.restore_table(image)).map_err(|e| table_error(self.entry, image_error(e)))
        });
    }
}

impl<'a, S: Schema, R: Read> TableReader<'a, S, R> {
    /// The table's image as the file has it, rows migrated to `T`.
    fn image<T: Model>(&mut self) -> Result<TableImage<T>, LoadError> {
        let entry = self.entry;
        let chain = self.chain::<T>()?;
        let slots_in_file = entry.slots as usize;
        let mut slots: Vec<SlotImage<(u64, T)>> = Vec::new();
        let mut rows = 0u32;
        while let Some((payload, mut at, _)) = next_of(self.frames, Kind::Slots, self.position)? {
            while at < payload.len() {
                let slot = slots.len() as u32 + 1;
                let row_error = |message| table_error(entry, TableError::Row { slot, message });
                let (item, used) = match &chain {
                    None => codec::decode::<SlotEntry<T>>(&payload[at..]),
                    Some(steps) => decode_migrated(steps, &payload[at..]),
                }
                .map_err(|e| row_error(e.0))?;
                at += used;
                match item {
                    SlotEntry::Row { version, seq, row } => {
                        if slots.len() >= slots_in_file {
                            return Err(table_error(entry, TableError::Slots));
                        }
                        rows += 1;
                        slots.push(SlotImage::Occupied {
                            version,
                            row: (seq, row),
                        });
                    }
                    SlotEntry::Vacant { version, count } => {
                        let count = count as usize;
                        if count > slots_in_file - slots.len() {
                            return Err(table_error(entry, TableError::Slots));
                        }
                        if count as u64 > *self.vacant_left {
                            let limit = self.loader.vacant_limit();
                            return Err(table_error(
                                entry,
                                TableError::TooManyVacantSlots { limit },
                            ));
                        }
                        *self.vacant_left -= count as u64;
                        slots.extend((0..count).map(|_| SlotImage::Vacant { version }));
                    }
                }
            }
        }
        if slots.len() != slots_in_file || rows != entry.rows {
            return Err(table_error(entry, TableError::Slots));
        }
        let free = self.free_list(slots_in_file - rows as usize)?;
        Ok(TableImage {
            slots,
            free,
            next_seq: entry.next_seq,
            fresh_version: entry.fresh_version,
        })
    }

    /// The free list: `entry.free` indexes, at most `vacant` (checked before a run is
    /// expanded, so a run cannot claim more memory than the slots already hold).
    fn free_list(&mut self, vacant: usize) -> Result<Vec<u32>, LoadError> {
        let entry = self.entry;
        let expected = entry.free as usize;
        if expected > vacant {
            return Err(table_error(entry, TableError::Slots));
        }
        let mut free = Vec::with_capacity(expected);
        while let Some((payload, mut at, offset)) = next_of(self.frames, Kind::Free, self.position)?
        {
            while at < payload.len() {
                let (run, used) =
                    codec::decode::<FreeRun>(&payload[at..]).map_err(|e| LoadError::Corrupt {
                        offset,
                        reason: Corruption::Decode(e.0),
                    })?;
                at += used;
                let (first, count, down) = match run {
                    FreeRun::Up { first, count } => (first, count, false),
                    FreeRun::Down { first, count } => (first, count, true),
                };
                let last = if down {
                    first.checked_sub(count.saturating_sub(1))
                } else {
                    first.checked_add(count.saturating_sub(1))
                };
                if count as usize > expected - free.len() || last.is_none() {
                    return Err(table_error(entry, TableError::Slots));
                }
                free.extend((0..count).map(|i| if down { first - i } else { first + i }));
            }
        }
        if free.len() != expected {
            return Err(table_error(entry, TableError::Slots));
        }
        Ok(free)
    }

    /// How the file's rows become `T`s: `None` if they are `T`s already, else the chain of
    /// migrations from the file's version.
    fn chain<T: Model>(&self) -> Result<Option<Vec<&'a Step>>, LoadError> {
        let entry = self.entry;
        let error = |reason| table_error(entry, reason);
        if entry.version == T::VERSION {
            return if shapes_differ(entry.shape, T::SHAPE) {
                Err(error(TableError::ShapeChanged {
                    version: entry.version,
                }))
            } else {
                Ok(None)
            };
        }
        if entry.version > T::VERSION {
            return Err(error(TableError::NewerVersion {
                file: entry.version,
                model: T::VERSION,
            }));
        }
        let mut steps: Vec<&'a Step> = Vec::new();
        let mut version = entry.version;
        while version < T::VERSION {
            let step =
                (self.loader.step(T::TABLE, version)).ok_or(error(TableError::NoMigration {
                    from: version,
                    to: T::VERSION,
                }))?;
            steps.push(step);
            version = step.to;
        }
        if version != T::VERSION || shapes_differ(entry.shape, steps[0].from_shape) {
            return Err(error(TableError::ShapeChanged {
                version: entry.version,
            }));
        }
        Ok(Some(steps))
    }
}

/// Whether two shape fingerprints tell a change (0 is unknown: a hand-written model).
fn shapes_differ(file: u64, model: u64) -> bool {
    file != 0 && model != 0 && file != model
}

fn table_error(entry: &TableEntry, reason: TableError) -> LoadError {
    LoadError::Table {
        table: entry.name.clone(),
        reason,
    }
}

fn image_error(e: TableImageError) -> TableError {
    let (slot, rule) = match e {
        TableImageError::Unique { index, value, rows } => {
            return TableError::Unique { index, value, rows };
        }
        TableImageError::Invalid { row, reason } => return TableError::Invalid { row, reason },
        TableImageError::Slots(ImageError::Version { slot }) => {
            (slot, "its version does not fit its content")
        }
        TableImageError::Slots(ImageError::FreeList { slot }) => {
            (slot, "the free list names it twice, or it is not vacant")
        }
        TableImageError::Slots(ImageError::TooManySlots) => (0, "more slots than an id addresses"),
        TableImageError::DuplicateSeq { slot } => (slot, "two rows share its creation number"),
        TableImageError::SeqNotBelowNext { slot } => {
            (slot, "its creation number is not below the next one")
        }
        TableImageError::NoSeqLeft => (0, "the next creation number is the last one"),
    };
    TableError::Image { slot, rule }
}

/// Decodes one slot entry of an old version and runs its row through the migrations.
fn decode_migrated<T: Model>(
    steps: &[&Step],
    input: &[u8],
) -> Result<(SlotEntry<T>, usize), CodecError> {
    let (entry, used) = (steps[0].decode)(input)?;
    let entry = match entry {
        SlotEntry::Row { version, seq, row } => {
            let mut row: Box<dyn Any> = row;
            for step in steps {
                row = (step.upgrade)(row).ok_or_else(mismatch)?;
            }
            let row = *row.downcast::<T>().map_err(|_| mismatch())?;
            SlotEntry::Row { version, seq, row }
        }
        SlotEntry::Vacant { version, count } => SlotEntry::Vacant { version, count },
    };
    Ok((entry, used))
}

fn mismatch() -> CodecError {
    CodecError("a migration's output is not the next one's input (or the model)".into())
}
