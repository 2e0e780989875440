// An indexed field, and a field the validator reads, cannot change through an in-place view:
// they are `&` there, so that no index or validator can be left behind.

use relstore::{Db, Invalid, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(validate = Player::check)]
struct Player {
    #[relstore(unique)]
    name: String,
    hp: u32,
    #[relstore(unvalidated)]
    x: f32,
}

impl Player {
    fn check(&self) -> Result<(), Invalid> {
        Ok(())
    }
}

relstore::schema! { struct Game { players: Player } relations {} }

fn main() {
    let mut db = Db::<Game>::new();
    let player = db.insert(Player { name: "ann".into(), hp: 10, x: 0.0 }).unwrap();
    let view = db.row_mut(player).unwrap();
    *view.x = 1.0; // unvalidated: fine
    *view.name = "bo".into();
    *view.hp = 3;
}
