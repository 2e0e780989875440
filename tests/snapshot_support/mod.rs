//! What the snapshot tests share (`snapshot_golden`, `snapshot_hostile`, `snapshot_alloc`):
//! the golden store and file, the file's framing taken apart and put back together (with
//! checksums and trailer recomputed, so that a crafted payload reaches the decoder), a mirror of
//! the frames' content (`src/snapshot/layout.rs`), a seeded mutator, and the oracle every
//! hostile load is judged by.
//!
//! The framing as `src/snapshot/format.rs` writes it: a 16-byte header (`RELSTORE`, format
//! version u32 LE, flags u32 LE), then frames of [kind u8, codec u8, reserved u16, len u32 LE,
//! CRC-32C u32 LE (over the 8 header bytes before it and the payload), payload], the last one a
//! trailer (kind 4) holding the frame count and the trailer's byte offset as two u64 LE.

#![allow(dead_code)] // each test file uses part of this module

use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};

use bincode::config::standard;
use relstore::{Db, Loader};
use serde::{Deserialize, Serialize};

use crate::common::*;

/// The golden file of format version 1 (see `tests/snapshot_golden.rs`).
pub const GOLDEN_V1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/v1.relstore");

pub fn golden_bytes() -> Vec<u8> {
    std::fs::read(GOLDEN_V1).unwrap_or_else(|e| {
        panic!(
            "{GOLDEN_V1}: {e} (regenerate it: RELSTORE_BLESS=1 cargo test --test snapshot_golden)"
        )
    })
}

/// The store the golden file holds, built the same way every time: rows in every table,
/// posts with and without an editor, nested categories, a pin, deletes by cascade and by
/// set-null (vacant slots, free lists that run both ways), a reused slot (version 3), a
/// comment and a category moved to another parent, and a trailing slot given back by
/// `shrink_to_fit` (a fresh version above 1).
pub fn build_golden() -> Db<App> {
    let mut db = db();
    let ann = db.insert(user("ann")).unwrap();
    let bob = db.insert(user("bob")).unwrap();
    let cy = db.insert(user("cy")).unwrap();
    let dee = db.insert(user("dee")).unwrap();
    let eve = db.insert(user("eve")).unwrap();
    db.insert(user("fay")).unwrap();
    db.insert(profile(ann, "analyst")).unwrap();
    let bob_profile = db.insert(profile(bob, "builder")).unwrap();

    let hello = db.insert(post(ann, "hello")).unwrap();
    let draft = db.insert(edited_post(bob, ann, "draft")).unwrap();
    let gone = db.insert(post(cy, "gone")).unwrap();
    let moving = db.insert(edited_post(ann, dee, "edited by dee")).unwrap();
    db.insert(post(dee, "by dee")).unwrap();
    let doomed: Vec<_> = ["x", "y", "v", "w"]
        .into_iter()
        .map(|title| db.insert(post(eve, title)).unwrap())
        .collect();
    db.insert(edited_post(eve, bob, "last")).unwrap();

    db.insert(comment(hello, bob, "first")).unwrap();
    let by_cy = db.insert(comment(hello, cy, "by cy")).unwrap();
    db.insert(comment(draft, ann, "nice")).unwrap();
    db.insert(comment(gone, ann, "on a post that goes"))
        .unwrap();
    let moved = db.insert(comment(moving, eve, "moves")).unwrap();
    db.insert(comment(draft, eve, "last")).unwrap();

    let root = db.insert(category("root", None)).unwrap();
    let mid = db.insert(category("mid", Some(root))).unwrap();
    let leaf = db.insert(category("leaf", Some(mid))).unwrap();
    let other = db.insert(category("other", Some(root))).unwrap();
    db.insert(category("other's child", Some(other))).unwrap();
    let spare = db.insert(category("spare", None)).unwrap();
    db.insert(category("last", Some(spare))).unwrap();
    let temp = db.insert(category("temp", None)).unwrap();
    db.insert(Pin { category_id: leaf }).unwrap();

    // The last category's slot is given back: categories' fresh version goes above 1.
    db.delete(temp).unwrap();
    db.shrink_to_fit();
    // cy's comment restricts cy's delete: it goes first. cy's post goes by cascade, with the
    // comment on it; dee's post goes by cascade, the post dee edited loses its editor.
    db.delete(by_cy).unwrap();
    db.delete(cy).unwrap();
    db.delete(dee).unwrap();
    db.delete(bob_profile).unwrap();
    db.delete(other).unwrap(); // and its child, by cascade
    // Posts' free list: runs down (w, v), up (x, y), and single slots.
    for i in [1, 0, 2, 3] {
        db.delete(doomed[i]).unwrap();
    }
    // Children moved to another parent.
    db.update(moved, |c| c.post_id = hello).unwrap();
    db.update(spare, |c| c.parent_id = Some(mid)).unwrap();
    // Reuses dee's slot (the users' free list's head), version 3.
    db.insert(user("gus")).unwrap();
    db.check_integrity().unwrap();
    db
}

// ---------------------------------------------------------------------------------------------
// Framing

pub const HEADER_LEN: usize = 16;
pub const FRAME_HEADER_LEN: usize = 12;
pub const MAX_PAYLOAD: u32 = 16 << 20;
pub const DIRECTORY: u8 = 1;
pub const SLOTS: u8 = 2;
pub const FREE: u8 = 3;
pub const END: u8 = 4;

/// One frame as the file has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub kind: u8,
    pub codec: u8,
    pub reserved: [u8; 2],
    pub payload: Vec<u8>,
}

impl Frame {
    pub fn new(kind: u8, payload: Vec<u8>) -> Frame {
        Frame {
            kind,
            codec: 0,
            reserved: [0; 2],
            payload,
        }
    }
}

/// A well-formed file's frames, the trailer included (panics on anything else: for the
/// golden file and files built by [`assemble`]).
pub fn parse(bytes: &[u8]) -> Vec<Frame> {
    assert_eq!(&bytes[..8], b"RELSTORE");
    let mut at = HEADER_LEN;
    let mut frames = Vec::new();
    while at < bytes.len() {
        let h = &bytes[at..at + FRAME_HEADER_LEN];
        let len = u32::from_le_bytes(h[4..8].try_into().unwrap()) as usize;
        let payload = bytes[at + FRAME_HEADER_LEN..at + FRAME_HEADER_LEN + len].to_vec();
        assert_eq!(
            crc(&h[..8], &payload).to_le_bytes(),
            h[8..12],
            "frame at {at}"
        );
        frames.push(Frame {
            kind: h[0],
            codec: h[1],
            reserved: [h[2], h[3]],
            payload,
        });
        at += FRAME_HEADER_LEN + len;
    }
    assert_eq!(at, bytes.len());
    frames
}

pub fn crc(header: &[u8], payload: &[u8]) -> u32 {
    crc32c::crc32c_append(crc32c::crc32c(header), payload)
}

/// One frame's bytes, with its length and checksum computed.
pub fn frame_bytes(frame: &Frame) -> Vec<u8> {
    let mut out = vec![
        frame.kind,
        frame.codec,
        frame.reserved[0],
        frame.reserved[1],
    ];
    out.extend_from_slice(&(frame.payload.len() as u32).to_le_bytes());
    let sum = crc(&out, &frame.payload);
    out.extend_from_slice(&sum.to_le_bytes());
    out.extend_from_slice(&frame.payload);
    out
}

/// A file of `frames` as given (a trailer among them is kept as it is).
pub fn assemble_raw(frames: &[Frame]) -> Vec<u8> {
    let mut out = b"RELSTORE".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for frame in frames {
        out.extend_from_slice(&frame_bytes(frame));
    }
    out
}

/// A file of `frames` (without a trailer) and a trailer that matches them: everything a
/// reader checks before decoding passes.
pub fn assemble(frames: &[Frame]) -> Vec<u8> {
    let mut out = assemble_raw(frames);
    let mut trailer = (frames.len() as u64).to_le_bytes().to_vec();
    trailer.extend_from_slice(&(out.len() as u64).to_le_bytes());
    out.extend_from_slice(&frame_bytes(&Frame::new(END, trailer)));
    out
}

/// The golden file's frames without its trailer.
pub fn golden_frames() -> Vec<Frame> {
    let mut frames = parse(&golden_bytes());
    assert_eq!(frames.pop().map(|f| f.kind), Some(END));
    frames
}

// ---------------------------------------------------------------------------------------------
// The frames' content, mirrored from src/snapshot/layout.rs (`the_mirror_reencodes_the_golden_
// file_exactly` in snapshot_hostile.rs keeps it honest)

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableEntry {
    pub name: String,
    pub version: u32,
    pub shape: u64,
    pub slots: u32,
    pub rows: u32,
    pub free: u32,
    pub next_seq: u64,
    pub fresh_version: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SlotEntry<R> {
    Row { version: u32, seq: u64, row: R },
    Vacant { version: u32, count: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FreeRun {
    Up { first: u32, count: u32 },
    Down { first: u32, count: u32 },
}

pub fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, standard()).unwrap()
}

pub fn decode<T: serde::de::DeserializeOwned>(input: &[u8]) -> (T, usize) {
    bincode::serde::decode_from_slice(input, standard()).unwrap()
}

/// A directory payload.
pub fn directory(entries: &[TableEntry]) -> Vec<u8> {
    encode(entries)
}

/// A slots or free payload: the table's position, then the items.
pub fn items<T: Serialize>(position: u32, items: &[T]) -> Vec<u8> {
    let mut out = encode(&position);
    for item in items {
        out.extend_from_slice(&encode(item));
    }
    out
}

/// bincode's varint (the standard configuration) of `v`: how every integer and every length
/// is written.
pub fn varint(v: u64) -> Vec<u8> {
    match v {
        0..=250 => vec![v as u8],
        251..=0xffff => [&[251][..], &(v as u16).to_le_bytes()].concat(),
        0x1_0000..=0xffff_ffff => [&[252][..], &(v as u32).to_le_bytes()].concat(),
        _ => [&[253][..], &v.to_le_bytes()].concat(),
    }
}

/// The lengths a hostile file claims: 2^40 above all, and other extremes.
pub const HUGE_LENGTHS: [u64; 6] = [
    1 << 40,
    u64::MAX,
    u32::MAX as u64,
    (u32::MAX as u64) + 1,
    64 << 20,
    (2 << 20) + 1,
];

/// A directory entry as the golden file has it for `name`, with counts given.
pub fn entry(name: &str, slots: u32, rows: u32, free: u32) -> TableEntry {
    let golden: Vec<TableEntry> = decode(&golden_frames()[0].payload).0;
    let mut e = golden
        .into_iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no table {name}"));
    e.slots = slots;
    e.rows = rows;
    e.free = free;
    e
}

// ---------------------------------------------------------------------------------------------
// Loading, and the oracle

/// The vacant-slot limit the hostile loads run under: far above the golden file's few, far
/// below the default, so that a run of 2^32 - 1 vacant slots costs a refusal, not gigabytes.
pub const VACANT_LIMIT: u64 = 1 << 12;

/// A reader that hands out its bytes in pieces of the sizes given, in turn: the loader must
/// not assume that a read fills its buffer.
pub struct Chunky<'a> {
    pub bytes: &'a [u8],
    pub sizes: &'a [usize],
    pub turn: usize,
}

impl Read for Chunky<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()].max(1);
        self.turn += 1;
        let n = size.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

pub fn load(bytes: &[u8]) -> Result<Db<App>, relstore::LoadError> {
    Loader::<App>::new()
        .max_vacant_slots(VACANT_LIMIT)
        .read_from(bytes)
}

pub fn load_chunky(bytes: &[u8], sizes: &[usize]) -> Result<Db<App>, relstore::LoadError> {
    Loader::<App>::new()
        .max_vacant_slots(VACANT_LIMIT)
        .read_from(Chunky {
            bytes,
            sizes,
            turn: 0,
        })
}

/// What a hostile case may give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// An error, nothing else (a truncation, a bit flip).
    Error,
    /// An error or exactly the original store (the checksums were not recomputed).
    ErrorOrOriginal,
    /// Anything but a panic; a store that loads must be whole: it answers every query, saves
    /// to a file that loads back to the same store, and takes inserts and deletes (checksums
    /// recomputed: the file may now say something else, and say it validly).
    Sound,
}

/// Loads `bytes` and judges the outcome; a panic anywhere (the load, or using what it gave) is
/// caught and returned as an error message naming the panic, as is a wrong outcome.
pub fn judge(bytes: &[u8], expect: Expect, original: &Snapshot) -> Result<(), String> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let loaded = match load(bytes) {
            Err(_) => return Ok(()),
            Ok(db) => db,
        };
        match expect {
            Expect::Error => Err("loaded; expected an error".into()),
            Expect::ErrorOrOriginal => {
                if snapshot(&loaded) == *original {
                    Ok(())
                } else {
                    Err("loaded a store that is not the original".into())
                }
            }
            Expect::Sound => use_fully(loaded),
        }
    }));
    match outcome {
        Ok(result) => result,
        Err(payload) => Err(format!("PANIC: {}", panic_message(&*payload))),
    }
}

/// Everything a caller may do with a loaded store, checked: the queries, a save and load
/// that gives back the same store and the same bytes, an insert into every table and deletes.
pub fn use_fully(mut db: Db<App>) -> Result<(), String> {
    let before = snapshot(&db);
    let bytes = db.write_to(Vec::new()).map_err(|e| format!("save: {e}"))?;
    let again = load(&bytes).map_err(|e| format!("its own save does not load: {e}"))?;
    if snapshot(&again) != before {
        return Err("its own save loads as another store".into());
    }
    if again.write_to(Vec::new()).map_err(|e| e.to_string())? != bytes {
        return Err("saving it twice gives two files".into());
    }
    let u = db.insert(user("new")).map_err(|e| format!("insert: {e}"))?;
    let c = db
        .insert(category("new", None))
        .map_err(|e| e.to_string())?;
    let p = db.insert(post(u, "new")).map_err(|e| e.to_string())?;
    db.insert(comment(p, u, "new")).map_err(|e| e.to_string())?;
    db.insert(profile(u, "new")).map_err(|e| e.to_string())?;
    db.insert(Pin { category_id: c })
        .map_err(|e| e.to_string())?;
    db.check_integrity().map_err(|e| e.to_string())?;
    let users: Vec<_> = db.table::<User>().iter().map(|r| r.id()).collect();
    let categories: Vec<_> = db.table::<Category>().iter().map(|r| r.id()).collect();
    let pins: Vec<_> = db.table::<Pin>().iter().map(|r| r.id()).collect();
    let comments: Vec<_> = db.table::<Comment>().iter().map(|r| r.id()).collect();
    for id in pins {
        let _ = db.delete(id);
    }
    for id in comments {
        let _ = db.delete(id);
    }
    for id in categories {
        let _ = db.delete(id);
    }
    for id in users {
        let _ = db.delete(id);
    }
    db.check_integrity().map_err(|e| e.to_string())?;
    snapshot(&db);
    Ok(())
}

pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(not a string)".into()
    }
}

/// bincode under a limit: this module decodes hostile bytes too (unlimited, a 2^40 claim
/// aborts the test).
fn limited() -> impl bincode::config::Config {
    standard().with_limit::<{ 64 << 20 }>()
}

/// The foreign keys of the rows of a slots payload, as one model.
type KeysOf = fn(&[u8]) -> Vec<u64>;

/// The rows of a slots payload that decode as `T`, up to the first item that does not.
fn rows<T: serde::de::DeserializeOwned>(payload: &[u8]) -> impl Iterator<Item = T> + '_ {
    let mut at = match bincode::serde::decode_from_slice::<u32, _>(payload, limited()) {
        Ok((_, used)) => used,
        Err(_) => payload.len(),
    };
    std::iter::from_fn(move || {
        loop {
            let (item, used): (SlotEntry<T>, _) =
                bincode::serde::decode_from_slice(payload.get(at..)?, limited()).ok()?;
            at += used;
            if let SlotEntry::Row { row, .. } = item {
                return Some(row);
            }
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Seeded mutations

/// xorshift64*: small, seeded, good enough to pick mutations.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so that nearby seeds start far apart (and never at 0).
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// In `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The base seed: `RELSTORE_SEED` (decimal or 0x-hex), else a fixed one.
pub fn base_seed() -> u64 {
    match std::env::var("RELSTORE_SEED") {
        Ok(s) => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("RELSTORE_SEED={s} is not a number"))
        }
        Err(_) => 0x5eed_2e15_7023_0001,
    }
}

/// How many seeded cases: `RELSTORE_CASES`, else `default`.
pub fn case_count(default: usize) -> usize {
    std::env::var("RELSTORE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

const U32_EXTREMES: [u32; 9] = [
    0,
    1,
    2,
    u32::MAX,
    u32::MAX - 1,
    u32::MAX - 2,
    1 << 31,
    16 << 20,
    (16 << 20) + 1,
];

const U64_EXTREMES: [u64; 7] = [0, 1, u64::MAX, 1 << 40, 1 << 32, u32::MAX as u64, 1 << 63];

/// A mutated copy of `original` (the golden file), what was done to it, and what the load may
/// give. One to three mutations; those that recompute checksums make the case `Sound`.
pub fn mutate(original: &[u8], rng: &mut Rng) -> (Vec<u8>, Vec<String>, Expect) {
    let mut bytes = original.to_vec();
    let mut log = Vec::new();
    let mut expect = Expect::ErrorOrOriginal;
    for _ in 0..1 + rng.below(3) {
        let (what, fixed) = mutate_once(&mut bytes, rng);
        log.push(what);
        if fixed {
            expect = Expect::Sound;
        }
    }
    (bytes, log, expect)
}

/// One mutation; returns what it did and whether it recomputed checksums.
fn mutate_once(bytes: &mut Vec<u8>, rng: &mut Rng) -> (String, bool) {
    let len = bytes.len().max(1);
    match rng.below(14) {
        0 => {
            let at = rng.below(len).min(bytes.len().saturating_sub(1));
            let x = (rng.next() as u8).max(1);
            if let Some(b) = bytes.get_mut(at) {
                *b ^= x;
            }
            (format!("xor byte {at} with {x:#04x}"), false)
        }
        1 => {
            let at = rng.below(bytes.len() + 1);
            let run: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
            let what = format!("insert {run:02x?} at {at}");
            bytes.splice(at..at, run);
            (what, false)
        }
        2 => {
            let at = rng.below(len).min(bytes.len());
            let end = (at + 1 + rng.below(16)).min(bytes.len());
            bytes.drain(at..end);
            (format!("delete bytes {at}..{end}"), false)
        }
        3 => {
            let v = *rng.pick(&U32_EXTREMES);
            let at = rng.below(len.saturating_sub(3).max(1));
            overwrite(bytes, at, &v.to_le_bytes());
            (format!("u32 {v:#x} at {at}"), false)
        }
        4 => {
            let v = *rng.pick(&U64_EXTREMES);
            let at = rng.below(len.saturating_sub(7).max(1));
            overwrite(bytes, at, &v.to_le_bytes());
            (format!("u64 {v:#x} at {at}"), false)
        }
        5..=7 => frame_mutation(bytes, rng),
        _ => payload_mutation(bytes, rng),
    }
}

fn overwrite(bytes: &mut [u8], at: usize, value: &[u8]) {
    for (i, &b) in value.iter().enumerate() {
        if let Some(slot) = bytes.get_mut(at + i) {
            *slot = b;
        }
    }
}

/// Frames as found in `bytes` (best effort: stops at the first frame that does not fit):
/// each one's start and total length.
fn frame_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut at = HEADER_LEN;
    while at + FRAME_HEADER_LEN <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let total = FRAME_HEADER_LEN + len;
        if at + total > bytes.len() {
            break;
        }
        spans.push((at, total));
        at += total;
    }
    spans
}

/// Recomputes the checksum of the frame at `at` over whatever its length field now covers
/// (as much as there is).
fn fix_crc(bytes: &mut [u8], at: usize) {
    if at + FRAME_HEADER_LEN > bytes.len() {
        return;
    }
    let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
    let end = (at + FRAME_HEADER_LEN).saturating_add(len).min(bytes.len());
    let sum = crc(&bytes[at..at + 8], &bytes[at + FRAME_HEADER_LEN..end]);
    bytes[at + 8..at + 12].copy_from_slice(&sum.to_le_bytes());
}

/// Rewrites the last frame as a trailer matching the frames before it.
fn fix_trailer(bytes: &mut Vec<u8>) -> bool {
    let spans = frame_spans(bytes);
    let Some(&(last, _)) = spans.last() else {
        return false;
    };
    bytes.truncate(last);
    let mut trailer = ((spans.len() - 1) as u64).to_le_bytes().to_vec();
    trailer.extend_from_slice(&(last as u64).to_le_bytes());
    bytes.extend_from_slice(&frame_bytes(&Frame::new(END, trailer)));
    true
}

/// Frames duplicated, swapped, dropped, their length or kind changed; sometimes the
/// checksums and the trailer recomputed after.
fn frame_mutation(bytes: &mut Vec<u8>, rng: &mut Rng) -> (String, bool) {
    let spans = frame_spans(bytes);
    if spans.is_empty() {
        return ("no frames left to mutate".into(), false);
    }
    let (a, a_len) = *rng.pick(&spans);
    let (b, b_len) = *rng.pick(&spans);
    let mut fixed = false;
    let what = match rng.below(6) {
        0 => {
            let copy = bytes[a..a + a_len].to_vec();
            bytes.splice(b..b, copy);
            format!("copy frame at {a} to {b}")
        }
        1 if a != b => {
            let (first, first_len, second, second_len) = if a < b {
                (a, a_len, b, b_len)
            } else {
                (b, b_len, a, a_len)
            };
            let x = bytes[first..first + first_len].to_vec();
            let y = bytes[second..second + second_len].to_vec();
            bytes.splice(second..second + second_len, x);
            bytes.splice(first..first + first_len, y);
            format!("swap frames at {first} and {second}")
        }
        2 => {
            bytes.drain(a..a + a_len);
            format!("drop frame at {a}")
        }
        3 => {
            let v = if rng.below(2) == 0 {
                *rng.pick(&U32_EXTREMES)
            } else {
                let old = u32::from_le_bytes(bytes[a + 4..a + 8].try_into().unwrap());
                old.wrapping_add(rng.below(33) as u32).wrapping_sub(16)
            };
            bytes[a + 4..a + 8].copy_from_slice(&v.to_le_bytes());
            fix_crc(bytes, a);
            fixed = true;
            format!("length of frame at {a} := {v:#x}, checksum fixed")
        }
        4 => {
            let kind = rng.below(6) as u8;
            bytes[a] = kind;
            fix_crc(bytes, a);
            fixed = true;
            format!("kind of frame at {a} := {kind}, checksum fixed")
        }
        _ => format!("frame at {a} left alone"),
    };
    if rng.below(2) == 0 && fix_trailer(bytes) {
        fixed = true;
        return (format!("{what}; trailer fixed"), fixed);
    }
    (what, fixed)
}

/// A frame's payload changed (bytes flipped, inserted, deleted, a varint made huge), then its
/// length and checksum recomputed, and the trailer: the decoder gets to see it.
fn payload_mutation(bytes: &mut Vec<u8>, rng: &mut Rng) -> (String, bool) {
    let spans = frame_spans(bytes);
    // Not the trailer: that one has no decoder behind it.
    let Some(&(at, total)) = spans.get(rng.below(spans.len().saturating_sub(1).max(1))) else {
        return ("no frames left to mutate".into(), false);
    };
    let mut payload = bytes[at + FRAME_HEADER_LEN..at + total].to_vec();
    let p = rng.below(payload.len() + 1);
    let what = match rng.below(5) {
        0 => {
            if p < payload.len() {
                payload[p] ^= (rng.next() as u8).max(1);
            }
            format!("payload of frame at {at}: byte {p} changed")
        }
        1 => {
            let v = *rng.pick(&HUGE_LENGTHS);
            let claim = varint(v);
            let replace = (p + rng.below(2)).min(payload.len());
            payload.splice(p..replace, claim);
            format!("payload of frame at {at}: varint {v:#x} at {p}")
        }
        2 => {
            let v = *rng.pick(&U64_EXTREMES);
            let claim = varint(v);
            let replace = (p + rng.below(2)).min(payload.len());
            payload.splice(p..replace, claim);
            format!("payload of frame at {at}: varint {v:#x} at {p}")
        }
        3 => {
            let run: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
            let what = format!("payload of frame at {at}: {run:02x?} inserted at {p}");
            payload.splice(p..p, run);
            what
        }
        _ => {
            let end = (p + 1 + rng.below(8)).min(payload.len());
            payload.drain(p..end);
            format!("payload of frame at {at}: bytes {p}..{end} deleted")
        }
    };
    let frame = Frame {
        kind: bytes[at],
        codec: bytes[at + 1],
        reserved: [bytes[at + 2], bytes[at + 3]],
        payload,
    };
    bytes.splice(at..at + total, frame_bytes(&frame));
    fix_trailer(bytes);
    (format!("{what}; checksums fixed"), true)
}
