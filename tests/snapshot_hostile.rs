//! Hostile snapshot files: every truncation and every bit flip of the golden file, thousands of
//! seeded mutations, and crafted files whose checksums are right so that they reach the
//! decoder. Each load must give an error, or (when no checksum was recomputed) exactly the
//! original store; a file with recomputed checksums may load as another store, which must
//! then be whole (see `snapshot_support::Expect`). A panic anywhere fails the test, naming the
//! case.
//!
//! The seeded cases print their seed on failure; `RELSTORE_SEED=<seed>` replays them (or tries
//! other ones), `RELSTORE_CASES=<n>` runs more. The allocation bound of the same cases is
//! checked in `tests/snapshot_alloc.rs` (one global allocator per test binary).

mod common;
mod snapshot_support;

use relstore::{Corruption, Db, LoadError, Loader, Model, TableError};
use serde::{Deserialize, Serialize};

use common::*;
use snapshot_support::*;

/// Runs `judge` on every case; fails listing the failed ones (a few of them in full).
fn run_all(name: &str, cases: impl IntoIterator<Item = (String, Vec<u8>, Expect)>) {
    let original = snapshot(&build_golden());
    let mut failed = Vec::new();
    let mut count = 0;
    for (what, bytes, expect) in cases {
        count += 1;
        if let Err(why) = judge(&bytes, expect, &original) {
            failed.push(format!("{what} ({expect:?}): {why}\n  input: {bytes:02x?}"));
        }
    }
    eprintln!("{name}: {count} cases");
    assert!(
        failed.is_empty(),
        "{name}: {} of {count} cases failed; the first ones:\n{}",
        failed.len(),
        failed[..failed.len().min(5)].join("\n")
    );
}

#[test]
fn the_mirror_reencodes_the_golden_file_exactly() {
    // The crafted files below are only as good as this mirror of src/snapshot/layout.rs.
    let frames = golden_frames();
    assert_eq!(frames[0].kind, DIRECTORY);
    let (entries, used): (Vec<TableEntry>, _) = decode(&frames[0].payload);
    assert_eq!(used, frames[0].payload.len());
    assert_eq!(directory(&entries), frames[0].payload);
    let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "users",
            "posts",
            "comments",
            "profiles",
            "categories",
            "pins"
        ]
    );
    let mut runs = Vec::new();
    let mut vacant = 0;
    for frame in &frames[1..] {
        let (position, mut at): (u32, _) = decode(&frame.payload);
        let mut out = items::<u8>(position, &[]);
        while at < frame.payload.len() {
            let rest = &frame.payload[at..];
            let (item, used) = match (frame.kind, position) {
                (SLOTS, 0) => reencode::<SlotEntry<User>>(rest),
                (SLOTS, 1) => reencode::<SlotEntry<Post>>(rest),
                (SLOTS, 2) => reencode::<SlotEntry<Comment>>(rest),
                (SLOTS, 3) => reencode::<SlotEntry<Profile>>(rest),
                (SLOTS, 4) => reencode::<SlotEntry<Category>>(rest),
                (SLOTS, 5) => reencode::<SlotEntry<Pin>>(rest),
                (FREE, _) => {
                    runs.push(decode::<FreeRun>(rest).0);
                    reencode::<FreeRun>(rest)
                }
                other => panic!("unexpected frame {other:?}"),
            };
            if frame.kind == SLOTS && rest[0] == 1 {
                let (_, _, count): (u32, u32, u32) = decode(rest).0;
                vacant += count;
            }
            out.extend_from_slice(&item);
            at += used;
        }
        assert_eq!(out, frame.payload);
    }
    // The golden file has what the hostile cases need to start from.
    assert!(vacant >= 8, "{vacant} vacant slots");
    assert!(
        runs.contains(&FreeRun::Down { first: 9, count: 2 }),
        "{runs:?}"
    );
    assert!(
        runs.contains(&FreeRun::Up { first: 6, count: 2 }),
        "{runs:?}"
    );
    assert!(entries.iter().any(|e| e.fresh_version > 1), "{entries:?}");
}

fn reencode<T: Serialize + serde::de::DeserializeOwned>(input: &[u8]) -> (Vec<u8>, usize) {
    let (value, used): (T, _) = decode(input);
    (encode(&value), used)
}

#[test]
fn every_truncation_is_an_error() {
    let golden = golden_bytes();
    run_all(
        "truncations",
        (0..golden.len()).map(|len| {
            (
                format!("truncated to {len} bytes"),
                golden[..len].to_vec(),
                Expect::Error,
            )
        }),
    );
    // Read in small pieces, the same.
    for len in 0..golden.len() {
        assert!(load_chunky(&golden[..len], &[1, 3, 7]).is_err(), "{len}");
    }
    let whole = load_chunky(&golden, &[1, 2, 5, 13]).unwrap();
    assert_eq!(snapshot(&whole), snapshot(&build_golden()));
}

#[test]
fn every_single_bit_flip_is_an_error() {
    let golden = golden_bytes();
    run_all(
        "bit flips",
        (0..golden.len() * 8).map(|bit| {
            let mut bytes = golden.clone();
            bytes[bit / 8] ^= 1 << (bit % 8);
            (
                format!("bit {} of byte {} flipped", bit % 8, bit / 8),
                bytes,
                Expect::Error,
            )
        }),
    );
}

#[test]
fn seeded_mutations_give_an_error_or_the_original() {
    let golden = golden_bytes();
    let base = base_seed();
    let cases = case_count(4000);
    let original = snapshot(&build_golden());
    let mut loaded = 0;
    let mut sound = 0;
    for case in 0..cases {
        let seed = base.wrapping_add(case as u64);
        let mut rng = Rng::new(seed);
        let (bytes, log, expect) = mutate(&golden, &mut rng);
        sound += usize::from(expect == Expect::Sound);
        if let Err(why) = judge(&bytes, expect, &original) {
            panic!(
                "seeded case {case} failed: {why}\n  seed {seed:#x} (replay: RELSTORE_SEED={seed:#x} \
                 RELSTORE_CASES=1 cargo test --test snapshot_hostile seeded)\n  mutations: \
                 {log:?} ({expect:?})\n  input: {bytes:02x?}"
            );
        }
        loaded += usize::from(load(&bytes).is_ok());
    }
    eprintln!(
        "{cases} seeded cases from {base:#x}: {sound} with checksums recomputed, {loaded} loaded"
    );
}

/// Every frame's payload with a huge length claim (2^40 and other extremes) written over each
/// of its bytes in turn, checksums and trailer recomputed: every length field of the file is
/// among them, and every other field too.
#[test]
fn a_huge_claim_at_every_position_of_every_payload_is_handled() {
    let frames = golden_frames();
    let mut cases = Vec::new();
    for (f, frame) in frames.iter().enumerate() {
        for p in 0..frame.payload.len() {
            for v in HUGE_LENGTHS {
                let mut changed = frames.clone();
                changed[f].payload.splice(p..p + 1, varint(v));
                cases.push((
                    format!("frame {f}, payload byte {p} := varint {v:#x}"),
                    assemble(&changed),
                    Expect::Sound,
                ));
            }
        }
    }
    run_all("huge claims", cases);
}

fn is_corrupt(result: &Result<Db<App>, LoadError>) -> bool {
    matches!(result, Err(LoadError::Corrupt { .. }))
}

#[test]
fn a_huge_frame_length_is_an_error() {
    let golden = golden_bytes();
    // Frame headers of the golden file, found by walking it.
    let mut at = HEADER_LEN;
    let mut starts = Vec::new();
    while at < golden.len() {
        starts.push(at);
        at += FRAME_HEADER_LEN
            + u32::from_le_bytes(golden[at + 4..at + 8].try_into().unwrap()) as usize;
    }
    // A u32 holds no 2^40: the largest claims it can make, with the checksum over whatever
    // bytes follow recomputed (the length is checked before anything is read).
    for &start in &starts {
        for len in [
            u32::MAX,
            (1 << 31) + 1,
            MAX_PAYLOAD + 1,
            MAX_PAYLOAD,
            1 << 20,
        ] {
            let mut bytes = golden.clone();
            bytes[start + 4..start + 8].copy_from_slice(&len.to_le_bytes());
            let end = (start + FRAME_HEADER_LEN + len as usize).min(bytes.len());
            let sum = crc(
                &bytes[start..start + 8],
                &bytes[start + FRAME_HEADER_LEN..end],
            );
            bytes[start + 8..start + 12].copy_from_slice(&sum.to_le_bytes());
            let result = load(&bytes);
            assert!(
                is_corrupt(&result),
                "frame at {start}, length {len:#x}: {result:?}"
            );
            if len > MAX_PAYLOAD {
                assert!(
                    matches!(
                        result,
                        Err(LoadError::Corrupt { reason: Corruption::FrameTooLarge(l), .. }) if l == len as u64
                    ),
                    "{result:?}"
                );
            }
        }
    }
    // The trailer's counts as 2^40.
    let mut frames = golden_frames();
    let trailer_at = assemble_raw(&frames).len() as u64;
    for (count, offset) in [
        (1 << 40, trailer_at),
        (frames.len() as u64, 1 << 40),
        (u64::MAX, u64::MAX),
    ] {
        let mut payload = count.to_le_bytes().to_vec();
        payload.extend_from_slice(&offset.to_le_bytes());
        frames.push(Frame::new(END, payload));
        let result = load(&assemble_raw(&frames));
        frames.pop();
        assert!(
            matches!(
                result,
                Err(LoadError::Corrupt {
                    reason: Corruption::TrailerMismatch,
                    ..
                })
            ),
            "{result:?}"
        );
    }
}

#[test]
fn a_huge_length_in_the_directory_is_an_error() {
    let frames = golden_frames();
    let golden_dir = &frames[0].payload;
    assert_eq!(golden_dir[0], 6, "six tables");
    assert_eq!(golden_dir[1], 5, "\"users\"");
    for v in HUGE_LENGTHS {
        // The number of tables.
        let mut changed = frames.clone();
        changed[0].payload = [varint(v), golden_dir[1..].to_vec()].concat();
        let result = load(&assemble(&changed));
        assert!(is_corrupt(&result), "{v:#x} tables: {result:?}");
        // The first table's name.
        let mut changed = frames.clone();
        changed[0].payload = [&golden_dir[..1], &varint(v)[..], &golden_dir[2..]].concat();
        let result = load(&assemble(&changed));
        assert!(is_corrupt(&result), "name of {v:#x} bytes: {result:?}");
    }
}

/// The golden file with the first row of table `position` replaced by `row` (encoded by hand:
/// a row entry's tag, version and creation number, then the row's fields).
fn with_first_row(position: u32, row: &[u8]) -> Vec<u8> {
    let mut frames = golden_frames();
    let f = frames
        .iter()
        .position(|f| f.kind == SLOTS && f.payload[0] as u32 == position)
        .unwrap();
    let payload = &frames[f].payload;
    // Find the first row item and its length by decoding it as the table's model.
    let mut at = 1;
    let end = loop {
        let rest = &payload[at..];
        let used = match position {
            0 => item_len::<User>(rest),
            1 => item_len::<Post>(rest),
            2 => item_len::<Comment>(rest),
            3 => item_len::<Profile>(rest),
            4 => item_len::<Category>(rest),
            _ => item_len::<Pin>(rest),
        };
        if rest[0] == 0 {
            break at + used;
        }
        at += used;
    };
    // Keep the golden row's tag, version and creation number.
    let (_, version, seq): (u32, u32, u64) = decode(&payload[at..]).0;
    let head = 1 + varint(version as u64).len() + varint(seq).len();
    let mut item = payload[at..at + head].to_vec();
    item.extend_from_slice(row);
    frames[f].payload.splice(at..end, item);
    assemble(&frames)
}

fn item_len<T: serde::de::DeserializeOwned>(input: &[u8]) -> usize {
    decode::<SlotEntry<T>>(input).1
}

/// A key as a row holds it: slot index, then version.
fn key(index: u64, version: u64) -> Vec<u8> {
    [varint(index), varint(version)].concat()
}

#[test]
fn a_huge_string_length_in_a_row_is_an_error() {
    for v in HUGE_LENGTHS {
        let claim = varint(v);
        let rows: [(u32, Vec<u8>); 5] = [
            (0, [&claim[..], b"ann"].concat()),
            (
                1,
                [key(1, 1), vec![0], claim.clone(), b"t".to_vec()].concat(),
            ),
            (2, [key(1, 1), key(1, 1), claim.clone()].concat()),
            (3, [key(1, 1), claim.clone(), b"bio".to_vec()].concat()),
            (4, [vec![0], claim.clone()].concat()),
        ];
        for (position, row) in rows {
            // The file is right but for the claim: without it, it loads.
            let result = load(&with_first_row(position, &row));
            assert!(
                matches!(
                    result,
                    Err(LoadError::Table {
                        reason: TableError::Row { .. },
                        ..
                    })
                ),
                "table {position}, a string of {v:#x} bytes: {result:?}"
            );
        }
    }
    // The same rows with an honest length load (the crafting is right).
    let honest: [(u32, Vec<u8>); 2] = [
        (0, [varint(3), b"ann".to_vec()].concat()),
        (4, [vec![0], varint(4), b"root".to_vec()].concat()),
    ];
    for (position, row) in honest {
        let result = load(&with_first_row(position, &row));
        assert!(result.is_ok(), "table {position}: {result:?}");
    }
}

// A model with vectors and nested lengths, for claims the shared schema has no field for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "bags")]
struct Bag {
    numbers: Vec<u64>,
    bytes: Vec<u8>,
    words: Vec<String>,
    text: String,
}

relstore::schema! { struct Bags { bags: Bag } relations {} }

#[test]
fn a_huge_vec_length_in_a_row_is_an_error() {
    let mut db = Db::<Bags>::new();
    db.insert(Bag {
        numbers: vec![],
        bytes: vec![],
        words: vec![String::new()],
        text: String::new(),
    })
    .unwrap();
    let file = db.write_to(Vec::new()).unwrap();
    let frames = parse(&file);
    // position 0; Row, version 1, seq 0; numbers, bytes, words (one, of length 0), text.
    assert_eq!(frames[1].payload, [0, 0, 1, 0, 0, 0, 1, 0, 0]);
    let mut frames = frames[..2].to_vec();
    for field in 4..9 {
        for v in HUGE_LENGTHS {
            frames[1].payload = [0, 0, 1, 0, 0, 0, 1, 0, 0].to_vec();
            frames[1].payload.splice(field..field + 1, varint(v));
            let bytes = assemble(&frames);
            let result = std::panic::catch_unwind(|| {
                Loader::<Bags>::new()
                    .max_vacant_slots(VACANT_LIMIT)
                    .read_from(&bytes[..])
                    .map(drop)
            })
            .unwrap_or_else(|p| panic!("byte {field} := {v:#x}: PANIC {}", panic_message(&*p)));
            assert!(
                matches!(
                    result,
                    Err(LoadError::Table {
                        reason: TableError::Row { .. },
                        ..
                    })
                ),
                "byte {field} := {v:#x}: {result:?}"
            );
        }
    }
}

/// A users table of `slots` slots, all vacant in one run of `count`, and an empty free list.
fn vacant_run_file(slots: u32, count: u32) -> Vec<u8> {
    let mut entries: Vec<TableEntry> = decode(&golden_frames()[0].payload).0;
    entries.truncate(1);
    entries[0].slots = slots;
    entries[0].rows = 0;
    entries[0].free = 0;
    let run = SlotEntry::<()>::Vacant { version: 2, count };
    assemble(&[
        Frame::new(DIRECTORY, directory(&entries)),
        Frame::new(SLOTS, items(0, &[run])),
    ])
}

#[test]
fn a_run_of_2_32_minus_1_vacant_slots_is_refused_under_the_default_limit() {
    let bytes = vacant_run_file(u32::MAX, u32::MAX);
    assert!(bytes.len() < 200);
    for result in [
        Db::<App>::read_from(&bytes[..]),
        Loader::<App>::new().read_from(&bytes[..]),
    ] {
        assert!(
            matches!(
                result,
                Err(LoadError::Table {
                    reason: TableError::TooManyVacantSlots {
                        limit: relstore::DEFAULT_MAX_VACANT_SLOTS
                    },
                    ..
                })
            ),
            "{result:?}"
        );
    }
    // Runs that add up past the limit, split over tables and items.
    let result = load(&vacant_run_file(u32::MAX, VACANT_LIMIT as u32 + 1));
    assert!(
        matches!(
            result,
            Err(LoadError::Table {
                reason: TableError::TooManyVacantSlots { .. },
                ..
            })
        ),
        "{result:?}"
    );
    // Just at the limit, a table of vacant slots loads (and answers no id).
    let db = load(&vacant_run_file(VACANT_LIMIT as u32, VACANT_LIMIT as u32)).unwrap();
    assert_eq!(db.table::<User>().len(), 0);
    // A run claiming more slots than the directory gives the table.
    let result = load(&vacant_run_file(10, 11));
    assert!(
        matches!(
            result,
            Err(LoadError::Table {
                reason: TableError::Slots,
                ..
            })
        ),
        "{result:?}"
    );
}

#[test]
fn huge_counts_in_the_free_list_are_an_error() {
    // Users: slot 1 vacant (version 2) and free.
    let mut entries: Vec<TableEntry> = decode(&golden_frames()[0].payload).0;
    entries.truncate(1);
    entries[0].slots = 1;
    entries[0].rows = 0;
    entries[0].free = 1;
    let run = SlotEntry::<()>::Vacant {
        version: 2,
        count: 1,
    };
    let file = |free: &[FreeRun], free_count: u32| {
        let mut entries = entries.clone();
        entries[0].free = free_count;
        assemble(&[
            Frame::new(DIRECTORY, directory(&entries)),
            Frame::new(SLOTS, items(0, std::slice::from_ref(&run))),
            Frame::new(FREE, items(0, free)),
        ])
    };
    assert!(load(&file(&[FreeRun::Up { first: 1, count: 1 }], 1)).is_ok());
    for (runs, free_count) in [
        (
            vec![FreeRun::Up {
                first: 1,
                count: u32::MAX,
            }],
            1,
        ),
        (
            vec![FreeRun::Up {
                first: 1,
                count: u32::MAX,
            }],
            u32::MAX,
        ),
        (
            vec![FreeRun::Down {
                first: u32::MAX,
                count: u32::MAX,
            }],
            u32::MAX,
        ),
        (vec![FreeRun::Down { first: 0, count: 2 }], 1),
        (
            vec![FreeRun::Up {
                first: u32::MAX,
                count: 2,
            }],
            1,
        ),
        (vec![FreeRun::Up { first: 0, count: 1 }], 1),
        (vec![FreeRun::Up { first: 2, count: 1 }], 1),
        (vec![FreeRun::Up { first: 1, count: 1 }; 2], 2),
        (vec![FreeRun::Up { first: 1, count: 0 }], 1),
        (vec![FreeRun::Up { first: 1, count: 1 }], 0),
    ] {
        let result = load(&file(&runs, free_count));
        assert!(
            matches!(result, Err(LoadError::Table { .. })),
            "{runs:?} of {free_count}: {result:?}"
        );
    }
}

/// Every field of every directory entry, and of every slot item and free run, set to each
/// extreme value, checksums recomputed: the decoder sees values of the right type that the
/// rest of the loader must check.
#[test]
fn extreme_values_in_every_field_are_handled() {
    const U32S: [u32; 8] = [
        0,
        1,
        2,
        3,
        u32::MAX,
        u32::MAX - 1,
        u32::MAX - 2,
        u32::MAX - 3,
    ];
    const U64S: [u64; 6] = [0, 1, u64::MAX, u64::MAX - 1, 1 << 40, u32::MAX as u64];
    let frames = golden_frames();
    let entries: Vec<TableEntry> = decode(&frames[0].payload).0;
    let mut cases = Vec::new();
    let mut push =
        |what: String, frames: &[Frame]| cases.push((what, assemble(frames), Expect::Sound));
    for t in 0..entries.len() {
        for field in 0..8 {
            for (&v32, &v64) in U32S.iter().zip(U64S.iter().cycle()) {
                let mut e = entries.clone();
                let x = &mut e[t];
                match field {
                    0 => {
                        x.name = ["users", "posts", "", "pins\0", "Users"][v32 as usize % 5].into()
                    }
                    1 => x.version = v32,
                    2 => x.shape = v64,
                    3 => x.slots = v32,
                    4 => x.rows = v32,
                    5 => x.free = v32,
                    6 => x.next_seq = v64,
                    _ => x.fresh_version = v32,
                }
                let mut changed = frames.clone();
                changed[0].payload = directory(&e);
                push(
                    format!("table {t} field {field} := {v32:#x}/{v64:#x}"),
                    &changed,
                );
            }
        }
    }
    for (f, frame) in frames.iter().enumerate().skip(1) {
        let (position, mut at): (u32, _) = decode(&frame.payload);
        let mut item = 0;
        while at < frame.payload.len() {
            let rest = &frame.payload[at..];
            let used = if frame.kind == FREE {
                decode::<FreeRun>(rest).1
            } else {
                [
                    item_len::<User>,
                    item_len::<Post>,
                    item_len::<Comment>,
                    item_len::<Profile>,
                    item_len::<Category>,
                    item_len::<Pin>,
                ][position as usize](rest)
            };
            for (&v32, &v64) in U32S.iter().zip(U64S.iter().cycle()) {
                for which in 0..2 {
                    let replacement = match (frame.kind, rest[0]) {
                        (FREE, tag) => {
                            let (first, count) = match decode::<FreeRun>(rest).0 {
                                FreeRun::Up { first, count } | FreeRun::Down { first, count } => {
                                    (first, count)
                                }
                            };
                            let (first, count) = if which == 0 {
                                (v32, count)
                            } else {
                                (first, v32)
                            };
                            [
                                varint(tag as u64),
                                varint(first as u64),
                                varint(count as u64),
                            ]
                            .concat()
                        }
                        (_, 1) => {
                            let (_, version, count): (u32, u32, u32) = decode(rest).0;
                            let (version, count) = if which == 0 {
                                (v32, count)
                            } else {
                                (version, v32)
                            };
                            [vec![1], varint(version as u64), varint(count as u64)].concat()
                        }
                        _ => {
                            let (_, version, seq): (u32, u32, u64) = decode(rest).0;
                            let head =
                                varint(0).len() + varint(version as u64).len() + varint(seq).len();
                            let (version, seq) = if which == 0 {
                                (v32, seq)
                            } else {
                                (version, v64)
                            };
                            [
                                vec![0],
                                varint(version as u64),
                                varint(seq),
                                rest[head..used].to_vec(),
                            ]
                            .concat()
                        }
                    };
                    let mut changed = frames.clone();
                    changed[f].payload.splice(at..at + used, replacement);
                    push(
                        format!("frame {f} item {item} field {which} := {v32:#x}/{v64:#x}"),
                        &changed,
                    );
                }
            }
            at += used;
            item += 1;
        }
    }
    run_all("extreme fields", cases);
}

#[test]
fn an_input_that_fails_midway_is_an_io_error() {
    struct Failing<'a>(&'a [u8]);
    impl std::io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = buf.len().min(self.0.len()).min(5);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let golden = golden_bytes();
    for len in 0..golden.len() {
        let result = Db::<App>::read_from(Failing(&golden[..len]));
        assert!(matches!(result, Err(LoadError::Io(_))), "{len}: {result:?}");
    }
}

/// A foreign key naming slot 2^32 - 2 of its parent table (there is no such row): the load
/// refuses it (MissingParent) before building any index, whose map is dense by parent slot
/// (it once asked for 2^32 * 32 bytes first, and the process aborted).
#[test]
fn a_foreign_key_to_a_far_slot_is_refused_without_allocating_for_it() {
    // The first post's author: slot 2^32 - 2, version 1.
    let bytes = with_first_row(
        1,
        &[
            key(u32::MAX as u64 - 1, 1),
            vec![0],
            varint(1),
            b"t".to_vec(),
        ]
        .concat(),
    );
    let result = load(&bytes);
    assert!(matches!(result, Err(LoadError::Integrity(_))), "{result:?}");
}

/// A file may say that the next row's creation number is u64::MAX: no store reaches that,
/// and the next insert would overflow it, so the load refuses it.
#[test]
fn a_creation_number_at_its_end_is_refused_or_survives_an_insert() {
    let frames = golden_frames();
    let mut entries: Vec<TableEntry> = decode(&frames[0].payload).0;
    entries[0].next_seq = u64::MAX;
    let mut changed = frames.clone();
    changed[0].payload = directory(&entries);
    let bytes = assemble(&changed);
    if let Ok(mut db) = load(&bytes) {
        let inserted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            db.insert(user("one too many")).map(drop)
        }));
        assert!(
            matches!(inserted, Ok(Err(_))),
            "the insert after loading next_seq = u64::MAX: {:?}",
            inserted.map_err(|p| panic_message(&*p))
        );
    }
}
