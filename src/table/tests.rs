//! Unit tests of `Table`: creation numbers, images, secondary indexes.

use super::*;

/// A row for the tests: text, as a model.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Text(String);

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text(text.into())
    }
}

impl Model for Text {
    const TABLE: &'static str = "texts";
    const KEYS: &'static [crate::KeyField] = &[];
    type Indexes = ();
}

/// A row with a unique index.
#[derive(Clone, serde::Serialize, serde::Deserialize, crate::Model)]
#[relstore(table = "named")]
struct Named {
    #[relstore(unique)]
    name: String,
}

#[test]
fn the_index_check_sees_a_unique_key_held_twice() {
    let named = |name: &str| Named { name: name.into() };
    let mut fine: Table<Named> = Table::new();
    fine.insert(named("a"));
    fine.insert(named("b"));
    assert_eq!(fine.index_out_of_step(), None);
    // `insert` stores what it is given; the store checks first, this test does not.
    let mut twice: Table<Named> = Table::new();
    twice.insert(named("a"));
    twice.insert(named("a"));
    assert_eq!(
        twice.index_out_of_step().map(|i| i.name),
        Some("NamedByName")
    );
}

#[test]
fn creation_numbers_follow_insertion_order_across_slot_reuse() {
    let mut table: Table<Text> = Table::new();
    let a = table.insert("a".into());
    let b = table.insert("b".into());
    table.remove(a);
    let c = table.insert("c".into()); // takes a's slot, but comes after b
    assert_eq!(slot_of(c).0, slot_of(a).0);
    assert!(table.seq(b).unwrap() < table.seq(c).unwrap());
    assert_eq!(table.seq(a), None);
}

fn owned(image: TableImage<&Text>) -> TableImage<Text> {
    image.cloned()
}

#[test]
fn an_image_round_trips_with_creation_numbers() {
    let mut table: Table<Text> = Table::new();
    let keys: Vec<_> = (0..5).map(|n| table.insert(Text(n.to_string()))).collect();
    table.remove(keys[1]);
    table.remove(keys[3]);
    let mut copy = Table::from_image(owned(table.image())).unwrap();
    for &k in &keys {
        assert_eq!(copy.get(k), table.get(k));
        assert_eq!(copy.seq(k), table.seq(k));
    }
    let (x, y) = (table.insert("x".into()), copy.insert("x".into()));
    assert_eq!((x, table.seq(x)), (y, copy.seq(y)));
}

#[test]
fn an_image_with_bad_creation_numbers_is_refused() {
    let mut table: Table<Text> = Table::new();
    table.insert("a".into());
    table.insert("b".into());
    let mut twice = owned(table.image());
    if let SlotImage::Occupied { row, .. } = &mut twice.slots[1] {
        row.0 = 0;
    }
    assert_eq!(
        Table::from_image(twice).err(),
        Some(TableImageError::DuplicateSeq { slot: 2 })
    );
    let mut behind = owned(table.image());
    behind.next_seq = 1;
    assert_eq!(
        Table::from_image(behind).err(),
        Some(TableImageError::SeqNotBelowNext { slot: 2 })
    );
}
