//! Saving: the store's tables as frames, table by table, rows never copied.

use std::io::Write;

use super::codec::{self, CodecError};
use super::error::SaveError;
use super::format::{FrameWriter, Kind, MAX_PAYLOAD, TARGET_PAYLOAD};
use super::layout::{FreeRun, SlotEntry, TableEntry};
use crate::db::Db;
use crate::model::Model;
use crate::schema::{HasTable, Schema, TablePos, TableVisitor};
use crate::table::{SlotImage, Table};

/// The largest encoded row: a frame closes once past [`TARGET_PAYLOAD`], so one more row of
/// this size still fits the frame's bound.
const MAX_ROW: usize = MAX_PAYLOAD - TARGET_PAYLOAD - 16;

/// Writes `db`'s tables to `out` as a snapshot; returns `out`.
pub(crate) fn write<S: Schema, W: Write>(db: &Db<S>, out: W) -> Result<W, SaveError> {
    let mut frames = FrameWriter::new(out)?;
    let mut directory = Directory {
        db,
        entries: Vec::with_capacity(S::__TABLES.len()),
    };
    for t in TablePos::all(S::__TABLES.len()) {
        S::__visit_table(t, &mut directory);
    }
    let mut buf = Vec::new();
    codec::encode(&directory.entries, &mut buf).map_err(|e| encode_error("directory", e))?;
    frames.frame(Kind::Directory, &buf)?;
    let mut tables = Tables {
        db,
        frames: &mut frames,
        buf,
        items: 0,
        position: 0,
        result: Ok(()),
    };
    for t in TablePos::all(S::__TABLES.len()) {
        tables.position = t.0 as u32;
        S::__visit_table(t, &mut tables);
        std::mem::replace(&mut tables.result, Ok(()))?;
    }
    Ok(frames.finish()?)
}

fn encode_error(table: &'static str, e: CodecError) -> SaveError {
    SaveError::Encode {
        table,
        message: e.0,
    }
}

/// Collects the directory.
struct Directory<'a, S> {
    db: &'a Db<S>,
    entries: Vec<TableEntry>,
}

impl<S: Schema> TableVisitor<S> for Directory<'_, S> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>,
    {
        let table = self.db.rows::<T>();
        // Counts fit a u32: an arena never has more slots than a u32 indexes.
        self.entries.push(TableEntry {
            name: T::TABLE.to_owned(),
            version: T::VERSION,
            shape: T::SHAPE,
            slots: table.slot_count() as u32,
            rows: table.len() as u32,
            free: table.free_list().count() as u32,
            next_seq: table.next_seq(),
            fresh_version: table.fresh_version(),
        });
    }
}

/// Writes each table's slots frames, then its free frames.
struct Tables<'a, S, W> {
    db: &'a Db<S>,
    frames: &'a mut FrameWriter<W>,
    buf: Vec<u8>,
    /// Items in `buf` since the frame's start.
    items: usize,
    /// The table's position in the directory (the schema's order).
    position: u32,
    result: Result<(), SaveError>,
}

impl<S: Schema, W: Write> TableVisitor<S> for Tables<'_, S, W> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>,
    {
        let table = self.db.rows::<T>();
        self.result = self.slots(table).and_then(|()| self.free(table));
    }
}

impl<S, W: Write> Tables<'_, S, W> {
    fn start(&mut self) {
        self.buf.clear();
        self.items = 0;
        codec::encode(&self.position, &mut self.buf).expect("a u32 encodes");
    }

    /// Counts the item just encoded; closes the frame once it is big enough.
    fn item_added(&mut self, kind: Kind) -> Result<(), SaveError> {
        self.items += 1;
        if self.buf.len() >= TARGET_PAYLOAD {
            self.frames.frame(kind, &self.buf)?;
            self.start();
        }
        Ok(())
    }

    /// Writes the last frame, unless it has no items.
    fn finish(&mut self, kind: Kind) -> Result<(), SaveError> {
        if self.items > 0 {
            self.frames.frame(kind, &self.buf)?;
        }
        Ok(())
    }

    fn slots<T: Model>(&mut self, table: &Table<T>) -> Result<(), SaveError> {
        self.start();
        let mut vacant: Option<(u32, u32)> = None;
        for (i, slot) in table.slot_images().enumerate() {
            let entry = match slot {
                SlotImage::Vacant { version } => {
                    match &mut vacant {
                        Some((v, count)) if *v == version && *count < u32::MAX => *count += 1,
                        _ => {
                            self.vacant_run(vacant.take(), T::TABLE)?;
                            vacant = Some((version, 1));
                        }
                    }
                    continue;
                }
                SlotImage::Occupied {
                    version,
                    row: (seq, row),
                } => SlotEntry::Row { version, seq, row },
            };
            self.vacant_run(vacant.take(), T::TABLE)?;
            let before = self.buf.len();
            codec::encode(&entry, &mut self.buf).map_err(|e| encode_error(T::TABLE, e))?;
            let size = self.buf.len() - before;
            if size > MAX_ROW {
                let slot = i as u32 + 1;
                return Err(SaveError::RowTooLarge {
                    table: T::TABLE,
                    slot,
                    size,
                });
            }
            self.item_added(Kind::Slots)?;
        }
        self.vacant_run(vacant, T::TABLE)?;
        self.finish(Kind::Slots)
    }

    fn vacant_run(
        &mut self,
        run: Option<(u32, u32)>,
        table: &'static str,
    ) -> Result<(), SaveError> {
        if let Some((version, count)) = run {
            let entry = SlotEntry::<()>::Vacant { version, count };
            codec::encode(&entry, &mut self.buf).map_err(|e| encode_error(table, e))?;
            self.item_added(Kind::Slots)?;
        }
        Ok(())
    }

    fn free<T: Model>(&mut self, table: &Table<T>) -> Result<(), SaveError> {
        self.start();
        let mut run: Option<FreeRun> = None;
        for index in table.free_list() {
            run = match run {
                None => Some(FreeRun::Up {
                    first: index,
                    count: 1,
                }),
                Some(current) => match extend(current, index) {
                    Some(longer) => Some(longer),
                    None => {
                        self.free_run(current, T::TABLE)?;
                        Some(FreeRun::Up {
                            first: index,
                            count: 1,
                        })
                    }
                },
            };
        }
        if let Some(current) = run {
            self.free_run(current, T::TABLE)?;
        }
        self.finish(Kind::Free)
    }

    fn free_run(&mut self, run: FreeRun, table: &'static str) -> Result<(), SaveError> {
        codec::encode(&run, &mut self.buf).map_err(|e| encode_error(table, e))?;
        self.item_added(Kind::Free)
    }
}

/// `run` with `next` appended, if `next` continues it (a run of one goes either way).
fn extend(run: FreeRun, next: u32) -> Option<FreeRun> {
    match run {
        FreeRun::Up { first, count } if count == 1 && first.checked_sub(1) == Some(next) => {
            Some(FreeRun::Down { first, count: 2 })
        }
        FreeRun::Up { first, count } if first.checked_add(count) == Some(next) => {
            Some(FreeRun::Up {
                first,
                count: count + 1,
            })
        }
        FreeRun::Down { first, count } if first.checked_sub(count) == Some(next) => {
            Some(FreeRun::Down {
                first,
                count: count + 1,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_runs_follow_consecutive_indexes_either_way() {
        let up = FreeRun::Up { first: 5, count: 1 };
        assert_eq!(extend(up, 6), Some(FreeRun::Up { first: 5, count: 2 }));
        assert_eq!(extend(up, 4), Some(FreeRun::Down { first: 5, count: 2 }));
        assert_eq!(extend(up, 7), None);
        let down = FreeRun::Down { first: 5, count: 2 };
        assert_eq!(extend(down, 3), Some(FreeRun::Down { first: 5, count: 3 }));
        assert_eq!(extend(down, 6), None);
        assert_eq!(extend(FreeRun::Down { first: 0, count: 1 }, u32::MAX), None);
    }
}
