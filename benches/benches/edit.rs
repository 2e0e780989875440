//! In-place edits of a non-key field, the game's per-frame write: a player's hp regenerates.
//! Players belong to zones (a key the edit does not touch), drawn at random; the field is a
//! plain `u32` beside a `String`, as in a game's row. Two shapes: every row of the table
//! (`edit_all`) and one row by a random id (`edit_one`), each beside a hand-written slotmap.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relstore::{Db, Id, Model};
use relstore_benches::fixture::{Rng, SIZES, each, group, id, sample};
use serde::{Deserialize, Serialize};
use slotmap::{SlotMap, new_key_type};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "zones")]
struct Zone {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "players")]
struct Player {
    zone: Id<Zone>,
    name: String,
    hp: u32,
}

relstore::belongs_to!(PlayerZone: Player.zone -> Zone, has_many);
relstore::schema! { struct Game { zones: Zone, players: Player } relations { PlayerZone } }

new_key_type! {
    struct ZoneKey;
    struct PlayerKey;
}

/// The hand-written store's player: the same fields.
struct RawPlayer {
    #[allow(dead_code)] // the key the edit does not touch, as in relstore's row
    zone: ZoneKey,
    #[allow(dead_code)]
    name: String,
    hp: u32,
}

/// One regeneration step, the same on both sides.
#[inline]
fn regen(hp: &mut u32) {
    *hp = if *hp >= 100 { 1 } else { *hp + 1 };
}

/// The hand-written store and its player keys, relstore's store and its player ids.
type Stores = (
    SlotMap<PlayerKey, RawPlayer>,
    Vec<PlayerKey>,
    Db<Game>,
    Vec<Id<Player>>,
);

/// `n` players in `n / 100` zones, each zone drawn at random, in both stores.
fn stores(n: usize) -> Stores {
    let zones = (n / 100).max(1);
    let mut rng = Rng::new(0x2E6E);
    let mut raw_zones: SlotMap<ZoneKey, String> = SlotMap::with_key();
    let raw_zone_keys: Vec<ZoneKey> = (0..zones)
        .map(|z| raw_zones.insert(format!("zone {z}")))
        .collect();
    let mut raw = SlotMap::with_key();
    let mut db = Db::<Game>::new();
    let zone_ids: Vec<Id<Zone>> = (0..zones)
        .map(|z| {
            db.insert(Zone {
                name: format!("zone {z}"),
            })
            .expect("a zone")
        })
        .collect();
    let (mut raw_ids, mut ids) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for p in 0..n {
        let z = rng.below(zones);
        let hp = (p % 100) as u32;
        raw_ids.push(raw.insert(RawPlayer {
            zone: raw_zone_keys[z],
            name: format!("player {p}"),
            hp,
        }));
        ids.push(
            db.insert(Player {
                zone: zone_ids[z],
                name: format!("player {p}"),
                hp,
            })
            .expect("a player"),
        );
    }
    (raw, raw_ids, db, ids)
}

fn edit(c: &mut Criterion) {
    for n in SIZES {
        let (mut raw, raw_ids, mut db, ids) = stores(n);

        let mut g = group(c, "edit_all");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(id("raw", n), |b| {
            b.iter(|| {
                for player in raw.values_mut() {
                    regen(&mut player.hp);
                }
            })
        });
        g.bench_function(id("relstore", n), |b| {
            b.iter(|| {
                for (_, player) in db.rows_mut::<Player>() {
                    regen(player.hp);
                }
            })
        });
        g.finish();

        let mut g = group(c, "edit_one");
        let raw_picks = sample(&raw_ids, n);
        let picks = sample(&ids, n);
        g.bench_function(id("raw", n), |b| {
            each(b, &raw_picks, |&k| regen(&mut raw[k].hp))
        });
        g.bench_function(id("relstore", n), |b| {
            each(b, &picks, |&k| regen(db.row_mut(k).expect("live id").hp))
        });
        g.finish();
    }
}

criterion_group! { name = benches; config = relstore_benches::fixture::criterion(); targets = edit }
criterion_main!(benches);
