//! A query without an index (filter, order, limit) beside the hand-written loop: the ten
//! best-scoring players of a few guilds, ties in table order.

use std::cmp::Reverse;

use criterion::{Criterion, criterion_group, criterion_main};
use relstore_benches::fixture::{SIZES, group, id};
use relstore_benches::indexed::{self, Game, Plain, PlayerKey};
use slotmap::SlotMap;

const TOP: usize = 10;

/// The filter: one player in ten.
#[inline]
fn wanted(p: &Plain) -> bool {
    p.guild < 10
}

fn query(c: &mut Criterion) {
    let mut g = group(c, "query_top");
    for n in SIZES {
        let players = indexed::players(n);
        let mut db = relstore::Db::<Game>::new();
        db.insert_many(players.iter().cloned().map(Plain::from))
            .unwrap();
        let mut raw = SlotMap::<PlayerKey, Plain>::with_key();
        for p in players {
            raw.insert(p.into());
        }
        g.bench_function(id("raw", n), |b| {
            b.iter(|| {
                // By hand: the matches with their position (for stable ties), the k best
                // selected, then sorted.
                let mut hits: Vec<(Reverse<u64>, usize, &Plain)> = (raw.values())
                    .filter(|p| wanted(p))
                    .enumerate()
                    .map(|(i, p)| (Reverse(p.score), i, p))
                    .collect();
                if hits.len() > TOP {
                    hits.select_nth_unstable_by_key(TOP - 1, |&(s, i, _)| (s, i));
                    hits.truncate(TOP);
                }
                hits.sort_unstable_by_key(|&(s, i, _)| (s, i));
                hits.iter().map(|(_, _, p)| p.guild as u64).sum::<u64>()
            })
        });
        g.bench_function(id("relstore", n), |b| {
            b.iter(|| {
                (db.query::<Plain>())
                    .filter(|p| wanted(p))
                    .order_by_desc(|p| p.score)
                    .limit(TOP)
                    .iter()
                    .map(|p| p.guild as u64)
                    .sum::<u64>()
            })
        });
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = query }
criterion_main!(benches);
