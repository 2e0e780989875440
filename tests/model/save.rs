//! Save and load, for both schemas: the store written with `write_to`, read back with
//! `Db::read_from`, and the run goes on with the loaded store in its place.
//!
//! What a load must keep, and how the run sees it:
//! - every row under its id, and children in their order: the step's full check, against the
//!   reference, on the loaded store;
//! - every dead id stale: each one, right after the load (the step's check only sees a
//!   window of them);
//! - the next ids: a probe (inserts into every table, past every vacant slot and into new
//!   slots) gets the same ids from the store as it was and from a second load of the same
//!   bytes, so the free lists' order and the version new slots start from came back too;
//! - the image itself: the loaded store, saved again, gives the same bytes.

use relstore::{Db, Schema};

/// A save-and-load step of a run; `O` is the schema's op.
#[derive(Clone, Debug)]
pub enum SaveLoad<O> {
    /// `db.write_to`, then `Db::read_from`: the loaded store replaces the store.
    Store,
    /// `db.snapshot()`, then these ops on the store (checked against the reference as
    /// usual), then the snapshot written: its bytes must be the store's at the moment it was
    /// taken. Loaded, they replace the store, and the reference goes back to that moment.
    Snapshot(Vec<O>),
}

/// The most rows the probe inserts into one table.
pub const PROBE_MAX: usize = 400;

/// How many rows the probe inserts into a table with `vacant` vacant slots: every one of them
/// (up to [`PROBE_MAX`]), then two new slots.
pub fn probe_rows(vacant: usize) -> usize {
    (vacant + 2).min(PROBE_MAX)
}

/// The store's bytes.
pub fn write<S: Schema>(db: &Db<S>) -> Result<Vec<u8>, String> {
    db.write_to(Vec::new())
        .map_err(|e| format!("write_to: {e} ({e:?})"))
}

/// The store `bytes` hold; saved again, it must give the same bytes.
pub fn load<S: Schema>(bytes: &[u8]) -> Result<Db<S>, String> {
    let db = Db::<S>::read_from(bytes).map_err(|e| format!("read_from: {e} ({e:?})"))?;
    same_bytes(&write(&db)?, bytes, "the loaded store, saved again")?;
    Ok(db)
}

/// `got` must be `want`, byte for byte.
pub fn same_bytes(got: &[u8], want: &[u8], what: &str) -> Result<(), String> {
    if got == want {
        return Ok(());
    }
    let at = got.iter().zip(want).position(|(a, b)| a != b);
    Err(format!(
        "{what}: {} bytes, not the {} expected; first difference at byte {}",
        got.len(),
        want.len(),
        at.unwrap_or(got.len().min(want.len()))
    ))
}

/// `probe` (inserts, their outcomes as text) must get the same outcomes from `store` (as it
/// was saved) and `twin` (loaded from its bytes).
pub fn same_next_ids<S>(
    store: &mut Db<S>,
    twin: &mut Db<S>,
    probe: impl Fn(&mut Db<S>) -> Vec<String>,
) -> Result<(), String> {
    let (want, got) = (probe(store), probe(twin));
    let n = want.len().max(got.len());
    match (0..n).find(|&i| want.get(i) != got.get(i)) {
        None => Ok(()),
        Some(i) => Err(format!(
            "after a load, insert {i} of the probe: the loaded store gave {:?}, the store \
             without the load {:?}",
            got.get(i),
            want.get(i)
        )),
    }
}
