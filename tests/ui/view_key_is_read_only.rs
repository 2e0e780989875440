// A key cannot change through an in-place view: it is `&Id<_>` there.

use relstore::{Db, Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
struct Zone {
    regen: u32,
}

#[derive(Clone, Serialize, Deserialize, Model)]
struct Player {
    zone: Id<Zone>,
    hp: u32,
}

relstore::belongs_to!(PlayerZone: Player.zone -> Zone, has_many);
relstore::schema! { struct Game { zones: Zone, players: Player } relations { PlayerZone } }

fn main() {
    let mut db = Db::<Game>::new();
    let zone = db.insert(Zone { regen: 2 }).unwrap();
    let player = db.insert(Player { zone, hp: 10 }).unwrap();
    let view = db.row_mut(player).unwrap();
    *view.zone = zone;
}
