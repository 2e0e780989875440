//! Attack: ordered indexes whose keys are held by 0, 1, 2, many, then 1 and 0 rows again (a
//! key held by one row keeps it inline, a second row makes a list, a list left with one row
//! stays a list until `shrink_to_fit`). A seeded random walk of inserts, batches, updates,
//! replaces and edits moving rows between keys (to keys held by older and by newer rows),
//! refused writes, deletes, `delete_where`, `update_many`, cascades, set-nulls, shrinks and
//! snapshot round trips; after every step each lookup (`find`, `range` in every std form both
//! ways and with both ends read alternately, `prefix`, `query_range`) must agree with a naive
//! reference kept in creation order.

/// SplitMix64, shared with the model tests.
#[allow(dead_code)] // each test uses part of it
#[path = "model/rng.rs"]
mod rng;

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};

use relstore::index::{KeyRange, LookupRange};
use relstore::{Db, Id, Index, Model};
use rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "owners")]
pub struct Owner {
    n: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "groups")]
pub struct Group {
    n: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "entries")]
pub struct Entry {
    #[relstore(ordered)]
    score: u32,
    #[relstore(ordered)]
    name: String,
    #[relstore(ordered, unique)]
    rank: u64,
    #[relstore(ordered)]
    group: Option<Id<Group>>,
    owner: Id<Owner>,
}

relstore::belongs_to!(pub EntryOwner: Entry.owner -> Owner, has_many, on_delete = Cascade);
relstore::belongs_to!(pub EntryGroup: Entry.group -> Group, has_many, on_delete = SetNull);
relstore::schema! {
    pub struct Board { owners: Owner, groups: Group, entries: Entry }
    relations { EntryOwner, EntryGroup }
}

const SCORES: usize = 6;
const RANKS: usize = 64;
const NAMES: [&str; 8] = ["a", "aa", "ab", "abb", "b", "ba", "bab", "bb"];

/// The naive reference: the live entries in creation order, and the live parents.
#[derive(Default)]
struct Reference {
    entries: Vec<(Id<Entry>, Entry)>,
    owners: Vec<Id<Owner>>,
    groups: Vec<Id<Group>>,
}

impl Reference {
    /// The ids of the entries whose key passes `keep`, by key, equal keys in creation order.
    fn want<K: Ord>(&self, key: impl Fn(&Entry) -> K, keep: impl Fn(&K) -> bool) -> Vec<Id<Entry>> {
        let mut all: Vec<_> = self.entries.iter().map(|(id, e)| (key(e), *id)).collect();
        all.retain(|(k, _)| keep(k));
        all.sort_by(|x, y| x.0.cmp(&y.0)); // stable
        all.into_iter().map(|(_, id)| id).collect()
    }
    fn free_rank(&self, rng: &mut Rng) -> u64 {
        loop {
            let rank = rng.below(RANKS) as u64;
            if self.entries.iter().all(|(_, e)| e.rank != rank) {
                return rank;
            }
        }
    }
    /// A new entry with a rank no entry holds.
    fn entry(&self, rng: &mut Rng) -> Entry {
        let rank = self.free_rank(rng);
        Entry {
            score: rng.below(SCORES) as u32,
            name: NAMES[rng.below(NAMES.len())].to_string(),
            rank,
            group: self.group(rng),
            owner: self.owners[rng.below(self.owners.len())],
        }
    }
    fn group(&self, rng: &mut Rng) -> Option<Id<Group>> {
        match rng.below(self.groups.len() + 1) {
            0 => None,
            i => Some(self.groups[i - 1]),
        }
    }
    fn pick(&self, rng: &mut Rng) -> Option<Id<Entry>> {
        (!self.entries.is_empty()).then(|| self.entries[rng.below(self.entries.len())].0)
    }
    fn at(&mut self, id: Id<Entry>) -> &mut Entry {
        &mut self.entries.iter_mut().find(|(i, _)| *i == id).unwrap().1
    }
}

/// What a check reads: the store, the reference, the random source, the step.
struct Ctx<'a> {
    db: &'a Db<Board>,
    m: &'a Reference,
    rng: &'a mut Rng,
    what: &'a str,
}

/// `range` over `index` read forwards, backwards, from both ends at random, and through
/// `query_range` (backwards, with an offset and a limit), against the reference by `key`.
fn case<I, B>(c: &mut Ctx<'_>, index: I, key: fn(&Entry) -> I::Key, range: B)
where
    I: Index<Model = Entry> + Debug,
    I::Key: Ord,
    B: KeyRange<I::Key> + RangeBounds<I::Key> + Clone + Debug,
    I::Store: LookupRange<B::Q>,
{
    let want = c.m.want(key, |k| range.contains(k));
    let (t, at) = (
        c.db.table::<Entry>(),
        format!("{}: {index:?} {range:?}", c.what),
    );
    assert_eq!(ids(t.range(index, range.clone())), want, "{at} forwards");
    let mut backward = ids(t.range(index, range.clone()).rev());
    backward.reverse();
    assert_eq!(backward, want, "{at} backwards");
    // Both ends, alternately at random, meet once; then both ends stay empty.
    let mut both = t.range(index, range.clone());
    let (mut front, mut back) = (0, want.len());
    for _ in 0..want.len() + 3 {
        let left = front < back;
        let (got, expected) = if c.rng.below(2) == 0 {
            front += usize::from(left);
            (both.next(), left.then(|| want[front - 1]))
        } else {
            back -= usize::from(left);
            (both.next_back(), left.then(|| want[back]))
        };
        assert_eq!(got.map(|r| r.id()), expected, "{at} both ends");
    }
    let (skip, take) = (c.rng.below(3), c.rng.below(4));
    let query =
        c.db.query_range(index, range)
            .rev()
            .offset(skip)
            .limit(take);
    let expected: Vec<_> = want.iter().rev().skip(skip).take(take).copied().collect();
    assert_eq!(
        query.ids().collect::<Vec<_>>(),
        expected,
        "{at} query_range, rev"
    );
}

/// Every std range form over `index` between `a` and `b` (in either order: inverted and
/// empty ranges included), and every pair of `Bound`s.
fn forms<I>(c: &mut Ctx<'_>, index: I, key: fn(&Entry) -> I::Key, a: I::Key, b: I::Key)
where
    I: Index<Model = Entry> + Debug,
    I::Key: Ord,
    I::Store: LookupRange<I::Key>,
{
    case(c, index, key, a.clone()..b.clone());
    case(c, index, key, a.clone()..=b.clone());
    case(c, index, key, a.clone()..);
    case(c, index, key, ..b.clone());
    case(c, index, key, ..=b.clone());
    case(c, index, key, ..);
    let ends = |k: &I::Key| {
        [
            Bound::Included(k.clone()),
            Bound::Excluded(k.clone()),
            Bound::Unbounded,
        ]
    };
    for start in ends(&a) {
        for end in ends(&b) {
            case(c, index, key, (start.clone(), end));
        }
    }
}

fn check(db: &Db<Board>, m: &Reference, rng: &mut Rng, what: &str) {
    db.check_integrity()
        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let t = db.table::<Entry>();
    assert_eq!(t.len(), m.entries.len(), "{what}");
    for score in 0..=SCORES as u32 {
        let want = m.want(|e| e.score, |k| *k == score);
        assert_eq!(ids(t.find(EntryByScore, &score)), want, "{what}: {score}");
    }
    for (_, e) in &m.entries {
        let got = t.get_by(EntryByRank, &e.rank).map(|r| r.value().clone());
        assert_eq!(got.as_ref(), Some(e), "{what}");
    }
    let (a, b) = (rng.below(SCORES + 2) as u32, rng.below(SCORES + 2) as u32);
    let (ra, rb) = (rng.below(RANKS) as u64, rng.below(RANKS) as u64);
    let groups: Vec<_> = [None]
        .into_iter()
        .chain(m.groups.iter().map(|&g| Some(g)))
        .collect();
    let (ga, gb) = (
        groups[rng.below(groups.len())],
        groups[rng.below(groups.len())],
    );
    let (na, nb) = (NAMES[rng.below(NAMES.len())], NAMES[rng.below(NAMES.len())]);
    let c = &mut Ctx { db, m, rng, what };
    forms(c, EntryByScore, |e| e.score, a, b);
    forms(c, EntryByRank, |e| e.rank, ra, rb);
    forms(c, EntryByGroup, |e| e.group, ga, gb);
    forms(
        c,
        EntryByName,
        |e| e.name.clone(),
        na.to_string(),
        nb.to_string(),
    );
    // `&str` bounds for `String` keys give what `String` bounds give.
    let owned = ids(t.range(EntryByName, na.to_string()..=nb.to_string()));
    assert_eq!(
        ids(t.range(EntryByName, na..=nb)),
        owned,
        "{what}: {na:?}..={nb:?}"
    );
    let owned = (
        Bound::Excluded(na.to_string()),
        Bound::Included(nb.to_string()),
    );
    let owned = ids(t.range(EntryByName, owned));
    let borrowed = ids(t.range(EntryByName, (Bound::Excluded(na), Bound::Included(nb))));
    assert_eq!(borrowed, owned, "{what}: ({na:?}, {nb:?}]");
    for prefix in ["", "a", "ab", "b", "bab", "c"] {
        let want = m.want(|e| e.name.clone(), |k| k.starts_with(prefix));
        let got = ids(t.prefix(EntryByName, prefix));
        assert_eq!(got, want, "{what}: prefix {prefix:?}");
    }
}

fn ids<'db>(rows: impl Iterator<Item = relstore::Row<'db, Entry, Board>>) -> Vec<Id<Entry>> {
    rows.map(|r| r.id()).collect()
}

/// One random step on `db` and `m`.
fn step(db: &mut Db<Board>, m: &mut Reference, rng: &mut Rng) -> &'static str {
    let crowded = m.entries.len() >= 40;
    match rng.below(100) {
        0..22 if !crowded => {
            let entry = m.entry(rng);
            let id = db.insert(entry.clone()).unwrap();
            m.entries.push((id, entry));
            "insert"
        }
        22..30 if !crowded => {
            // Ranks free in the store, at times one twice in the batch: then refused.
            let batch: Vec<_> = (0..rng.below(9)).map(|_| m.entry(rng)).collect();
            let mut ranks: Vec<_> = batch.iter().map(|e| e.rank).collect();
            ranks.sort_unstable();
            ranks.dedup();
            let result = db.insert_many(batch.clone());
            if ranks.len() == batch.len() {
                m.entries.extend(result.unwrap().into_iter().zip(batch));
            } else {
                assert!(result.is_err(), "a batch sharing a rank is refused");
            }
            "insert_many"
        }
        0..48 => {
            // A row moves: to a key held by older rows, by newer ones, by none, or stays.
            let Some(id) = m.pick(rng) else {
                return "update (none)";
            };
            let old = m.at(id).clone();
            let mut new = m.entry(rng);
            (new.rank, new.owner) = (old.rank, old.owner);
            if rng.below(6) == 0 {
                // A rank another row holds: refused, and no index moves.
                let taken = m.entries[rng.below(m.entries.len())].1.rank;
                new.rank = taken;
                if taken != old.rank {
                    assert!(db.replace(id, new).is_err());
                    return "refused replace";
                }
            }
            match rng.below(3) {
                0 => drop(db.replace(id, new.clone()).unwrap()),
                1 => db.update(id, |e| *e = new.clone()).unwrap(),
                _ => db.edit(id, |e| *e = new.clone()).unwrap(),
            }
            *m.at(id) = new;
            "update"
        }
        48..58 => {
            let Some(id) = m.pick(rng) else {
                return "delete (none)";
            };
            db.delete(id).unwrap();
            m.entries.retain(|(i, _)| *i != id);
            "delete"
        }
        58..61 => {
            let score = rng.below(SCORES) as u32;
            let count = db.delete_where::<Entry>(|e| e.score == score).unwrap();
            let before = m.entries.len();
            m.entries.retain(|(_, e)| e.score != score);
            assert_eq!(count, before - m.entries.len());
            "delete_where"
        }
        61..71 => {
            // Some rows move to one score and name at once, trading ranks among themselves.
            let ids: Vec<_> = m
                .entries
                .iter()
                .map(|(id, _)| *id)
                .filter(|_| rng.below(3) == 0)
                .collect();
            let ranks: Vec<_> = ids.iter().map(|&id| m.at(id).rank).collect();
            let (score, name) = (rng.below(SCORES) as u32, NAMES[rng.below(NAMES.len())]);
            let mut at = 0;
            db.update_many(ids.iter().copied(), |e| {
                e.score = score;
                e.name = name.to_string();
                e.rank = ranks[(at + 1) % ranks.len()];
                at += 1;
            })
            .unwrap();
            for (at, &id) in ids.iter().enumerate() {
                let e = m.at(id);
                e.score = score;
                e.name = name.to_string();
                e.rank = ranks[(at + 1) % ranks.len()];
            }
            "update_many"
        }
        71..74 => {
            let owner = m.owners.remove(0);
            db.delete(owner).unwrap();
            m.entries.retain(|(_, e)| e.owner != owner);
            m.owners.push(db.insert(Owner { n: 0 }).unwrap());
            "cascade"
        }
        74..80 => {
            // The rows of the oldest group move to the `None` key at once.
            let group = m.groups.remove(0);
            db.delete(group).unwrap();
            for (_, e) in &mut m.entries {
                if e.group == Some(group) {
                    e.group = None;
                }
            }
            m.groups.push(db.insert(Group { n: 0 }).unwrap());
            "set-null"
        }
        80..90 => {
            db.shrink_to_fit();
            "shrink_to_fit"
        }
        _ => {
            let bytes = db.write_to(Vec::new()).unwrap();
            *db = Db::read_from(&bytes[..]).unwrap();
            "save and load"
        }
    }
}

fn run(seed: u64, steps: usize) {
    let mut rng = Rng::new(seed);
    let mut db = Db::<Board>::new();
    let mut m = Reference::default();
    for n in 0..3 {
        m.owners.push(db.insert(Owner { n }).unwrap());
        m.groups.push(db.insert(Group { n }).unwrap());
    }
    for at in 0..steps {
        let what = step(&mut db, &mut m, &mut rng);
        let what = format!("seed {seed} step {at} after {what}");
        check(&db, &m, &mut rng, &what);
    }
}

#[test]
fn ordered_keys_held_by_none_one_and_many_rows_agree_with_a_scan() {
    for seed in 1..=6 {
        run(seed, 300);
    }
}
