//! Secondary indexes beside the maps a programmer keeps by hand: a unique lookup by name, an
//! ordered range and top-k by score, and what each indexed column adds to an insert. Top-k
//! is measured both ways the docs write it: `relstore` walks `table.range(..)` backwards,
//! `query` asks `db.query_range(..).rev().limit(k)`.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use relstore::Db;
use relstore_benches::fixture::{CHUNK, Rng, SIZES, each, group, id, iter_chunked, sample};
use relstore_benches::indexed::{
    self, Game, Hand, HandNamed, HandScored, Named, Plain, Player, PlayerByName, PlayerByScore,
    PlayerKey, Scored,
};
use slotmap::SlotMap;

/// Range starts and the width of each range: about 16 players per range.
const RANGE: u64 = 16;
/// Top-k's k.
const TOP: usize = 10;

fn reads(c: &mut Criterion) {
    for n in SIZES {
        let players = indexed::players(n);
        let names = sample(
            &players.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            n,
        )
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        let mut rng = Rng::new(0x4A11);
        let starts: Vec<u64> = (0..n).map(|_| rng.below(n) as u64).collect();
        let (hand, _) = Hand::load(players.clone());
        let (db, _) = indexed::load(players);
        let table = db.table::<Player>();

        let mut g = group(c, "index_get");
        g.bench_function(id("raw", n), |b| {
            each(b, &names, |name| {
                hand.by_name
                    .get(name.as_str())
                    .map(|&k| hand.players[k].score)
            })
        });
        g.bench_function(id("relstore", n), |b| {
            each(b, &names, |name| {
                table.get_by(PlayerByName, name.as_str()).map(|p| p.score)
            })
        });
        g.finish();

        let mut g = group(c, "index_range");
        g.bench_function(id("raw", n), |b| {
            each(b, &starts, |&x| {
                (hand.by_score.range(x..x + RANGE))
                    .flat_map(|(_, keys)| keys)
                    .map(|&k| hand.players[k].guild as u64)
                    .sum::<u64>()
            })
        });
        g.bench_function(id("relstore", n), |b| {
            each(b, &starts, |&x| {
                (table.range(PlayerByScore, x..x + RANGE))
                    .map(|p| p.guild as u64)
                    .sum::<u64>()
            })
        });
        g.finish();

        let mut g = group(c, "index_topk");
        g.bench_function(id("raw", n), |b| {
            b.iter(|| {
                (hand.by_score.iter().rev())
                    .flat_map(|(_, keys)| keys.iter().rev())
                    .take(TOP)
                    .map(|&k| hand.players[k].guild as u64)
                    .sum::<u64>()
            })
        });
        g.bench_function(id("relstore", n), |b| {
            b.iter(|| {
                (table.range(PlayerByScore, ..).rev())
                    .take(TOP)
                    .map(|p| p.guild as u64)
                    .sum::<u64>()
            })
        });
        g.bench_function(id("query", n), |b| {
            b.iter(|| {
                (db.query_range(PlayerByScore, ..).rev().limit(TOP))
                    .iter()
                    .map(|p| p.guild as u64)
                    .sum::<u64>()
            })
        });
        g.finish();
    }
}

/// Inserts rows into a store of `n`, `CHUNK` per run; each run's rows are removed, untimed,
/// before the next. The rows come from `make` (a new name each, so a unique index accepts).
fn inserts<S, K>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    imp: &str,
    n: usize,
    mut store: S,
    mut insert: impl FnMut(&mut S, Player) -> K,
    mut remove: impl FnMut(&mut S, K),
) {
    let fresh: Vec<Player> = indexed::players(CHUNK as usize)
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            p.name = format!("new{i}");
            p
        })
        .collect();
    let mut state = (Vec::<Player>::new(), Vec::<K>::new());
    g.bench_function(id(imp, n), |b| {
        iter_chunked(
            b,
            &mut (&mut store, &mut state),
            CHUNK,
            |(store, (rows, done))| {
                for k in done.drain(..) {
                    remove(store, k);
                }
                rows.clear();
                rows.extend(fresh.iter().rev().cloned());
            },
            |(store, (rows, done))| {
                let row = rows.pop().expect("a run is at most CHUNK rows");
                done.push(insert(store, row));
            },
        )
    });
}

fn upkeep(c: &mut Criterion) {
    for n in SIZES {
        let players = indexed::players(n);
        // A store of `n` rows of each table.
        let mut db = Db::<Game>::new();
        db.insert_many(players.iter().cloned().map(Named::from))
            .unwrap();
        db.insert_many(players.iter().cloned().map(Scored::from))
            .unwrap();
        db.insert_many(players.iter().cloned().map(Plain::from))
            .unwrap();
        let mut named = HandNamed::default();
        let mut scored = HandScored::default();
        let mut plain = SlotMap::<PlayerKey, Plain>::with_key();
        for p in &players {
            named.insert(Named::from(p.clone())).unwrap();
            scored.insert(Scored::from(p.clone()));
            plain.insert(Plain::from(p.clone()));
        }

        let mut g = group(c, "index_insert_plain");
        inserts(
            &mut g,
            "raw",
            n,
            &mut plain,
            |s, p| s.insert(p.into()),
            |s, k| drop(s.remove(k)),
        );
        inserts(
            &mut g,
            "relstore",
            n,
            &mut db,
            |db, p| db.insert(Plain::from(p)).unwrap(),
            |db, id| drop(db.delete(id).unwrap()),
        );
        g.finish();

        let mut g = group(c, "index_insert_unique");
        inserts(
            &mut g,
            "raw",
            n,
            &mut named,
            |s, p| s.insert(p.into()).unwrap(),
            |s, k| s.remove(k),
        );
        inserts(
            &mut g,
            "relstore",
            n,
            &mut db,
            |db, p| db.insert(Named::from(p)).unwrap(),
            |db, id| drop(db.delete(id).unwrap()),
        );
        g.finish();

        let mut g = group(c, "index_insert_ordered");
        inserts(
            &mut g,
            "raw",
            n,
            &mut scored,
            |s, p| s.insert(p.into()),
            |s, k| s.remove(k),
        );
        inserts(
            &mut g,
            "relstore",
            n,
            &mut db,
            |db, p| db.insert(Scored::from(p)).unwrap(),
            |db, id| drop(db.delete(id).unwrap()),
        );
        g.finish();
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = reads, upkeep }
criterion_main!(benches);
