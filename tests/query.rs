//! `Query` over one table: every method, its edges and its one error; order stability; a
//! top-k (`order_by(..).limit(k)`) equal to a full sort then take, on random data; creation
//! order across deletes and slot reuse.

mod common;
#[path = "model/rng.rs"]
#[allow(dead_code)] // `pick` is for other tests
mod rng;

use common::*;
use relstore::{Db, Error, Id, Query, QueryError};
use rng::Rng;

fn names<'a>(rows: impl IntoIterator<Item = relstore::Row<'a, User, App>>) -> Vec<&'a str> {
    rows.into_iter().map(|u| u.value().name.as_str()).collect()
}

/// Users named after `names`, inserted in order.
fn users(names: &[&str]) -> (Db<App>, Vec<Id<User>>) {
    let mut db = db();
    let ids = db
        .insert_many(names.iter().map(|n| user(n)))
        .expect("no keys");
    (db, ids)
}

#[test]
fn a_query_without_calls_gives_every_row_in_slot_order() {
    let (db, ids) = users(&["a", "b", "c"]);
    assert_eq!(db.query::<User>().ids().collect::<Vec<_>>(), ids);
    assert_eq!(db.table::<User>().query().ids().collect::<Vec<_>>(), ids);
    assert_eq!(names(db.query::<User>().all()), ["a", "b", "c"]);
    assert_eq!(names(db.query::<User>()), ["a", "b", "c"]);
    assert_eq!(names(db.query::<User>().iter()), ["a", "b", "c"]);
}

#[test]
fn filters_all_apply() {
    let (db, _) = users(&["ann", "bob", "amy", "al"]);
    let q = db
        .query::<User>()
        .filter(|u| u.name.starts_with('a'))
        .filter(|u| u.name.len() == 3);
    assert_eq!(names(q), ["ann", "amy"]);
}

#[test]
fn order_by_is_stable_ascending_and_descending() {
    // Keys by length: ties keep slot order whichever way the sort goes.
    let (db, _) = users(&["bb", "a", "cc", "d", "eee", "ff"]);
    let asc = db.query::<User>().order_by(|u| u.name.len());
    assert_eq!(names(asc), ["a", "d", "bb", "cc", "ff", "eee"]);
    let desc = db.query::<User>().order_by_desc(|u| u.name.len());
    assert_eq!(names(desc), ["eee", "bb", "cc", "ff", "a", "d"]);
}

#[test]
fn a_second_order_breaks_the_first_one_s_ties() {
    let (db, _) = users(&["bb", "a", "cc", "d", "ab"]);
    let q = (db.query::<User>())
        .order_by(|u| u.name.len())
        .order_by_desc(|u| u.value().name.as_str());
    assert_eq!(names(q), ["d", "a", "cc", "bb", "ab"]);
}

#[test]
fn a_key_can_borrow_from_the_store() {
    let (db, _) = users(&["b", "c", "a"]);
    let q = db.query::<User>().order_by(|u| u.value().name.as_str());
    assert_eq!(names(q), ["a", "b", "c"]);
}

#[test]
fn limit_and_offset_cut_a_window_in_either_call_order() {
    let (db, _) = users(&["a", "b", "c", "d", "e"]);
    let window = |offset, limit| names(db.query::<User>().offset(offset).limit(limit));
    assert_eq!(window(1, 2), ["b", "c"]);
    assert_eq!(
        names(db.query::<User>().limit(2).offset(1)),
        ["b", "c"],
        "the call order does not matter"
    );
    assert_eq!(window(0, 0), Vec::<&str>::new());
    assert_eq!(window(4, 10), ["e"]);
    assert_eq!(window(5, 1), Vec::<&str>::new());
    assert_eq!(window(usize::MAX, usize::MAX), Vec::<&str>::new());
    assert_eq!(window(0, usize::MAX), ["a", "b", "c", "d", "e"]);
    assert_eq!(
        names(db.query::<User>().limit(1).limit(3)),
        ["a", "b", "c"],
        "a later limit replaces an earlier one"
    );
    assert_eq!(names(db.query::<User>().offset(4).offset(3)), ["d", "e"]);
    // With an order, the window is cut from the sorted rows.
    let sorted = |offset, limit| {
        names(
            (db.query::<User>()
                .order_by_desc(|u| u.value().name.as_str()))
            .offset(offset)
            .limit(limit),
        )
    };
    assert_eq!(sorted(1, 2), ["d", "c"]);
    assert_eq!(sorted(3, 5), ["b", "a"]);
    assert_eq!(sorted(5, 1), Vec::<&str>::new());
    assert_eq!(sorted(0, 0), Vec::<&str>::new());
    assert_eq!(sorted(usize::MAX, usize::MAX), Vec::<&str>::new());
    assert_eq!(
        names((db.query::<User>().order_by(|u| u.value().name.as_str())).offset(3)),
        ["d", "e"]
    );
}

#[test]
fn a_filter_applies_before_the_window_whatever_the_call_order() {
    let (db, _) = users(&["a1", "b1", "a2", "b2", "a3"]);
    let q = (db.query::<User>())
        .limit(2)
        .filter(|u| u.name.starts_with('a'));
    assert_eq!(names(q), ["a1", "a2"]);
}

#[test]
fn first_count_and_exists_respect_filters_order_and_window() {
    let (db, _) = users(&["c", "a", "b", "a"]);
    let q = || db.query::<User>();
    assert_eq!(q().first().map(|u| u.value().name.as_str()), Some("c"));
    let sorted = || q().order_by(|u| u.value().name.as_str());
    let first = sorted().first().expect("rows");
    assert_eq!(
        (first.name.as_str(), first.id()),
        ("a", q().ids().nth(1).expect("4 rows")),
        "the first of equal keys"
    );
    assert_eq!(
        sorted().offset(2).first().map(|u| u.value().name.as_str()),
        Some("b")
    );
    assert_eq!(sorted().offset(4).first().map(|u| u.id()), None);
    assert_eq!(sorted().limit(0).first().map(|u| u.id()), None);
    assert_eq!(q().limit(0).first().map(|u| u.id()), None);
    assert_eq!(
        q().offset(3).first().map(|u| u.value().name.as_str()),
        Some("a")
    );
    assert!(q().filter(|u| u.name == "z").first().is_none());

    assert_eq!(q().count(), 4);
    assert_eq!(sorted().count(), 4);
    assert_eq!(q().filter(|u| u.name == "a").count(), 2);
    assert_eq!(q().offset(1).limit(2).count(), 2);
    assert_eq!(q().offset(3).limit(2).count(), 1);
    assert_eq!(q().offset(9).count(), 0);
    assert_eq!(sorted().limit(0).count(), 0);

    assert!(q().exists());
    assert!(q().offset(3).exists());
    assert!(!q().offset(4).exists());
    assert!(!q().limit(0).exists());
    assert!(!q().filter(|u| u.name == "z").exists());
    assert!(sorted().filter(|u| u.name == "b").exists());
}

#[test]
fn one_wants_exactly_one_and_names_the_table_otherwise() -> Result<(), Error> {
    let (db, ids) = users(&["ann", "bob", "bob"]);
    let ann = db.query::<User>().filter(|u| u.name == "ann").one()?;
    assert_eq!(ann.id(), ids[0]);

    let none = db.query::<User>().filter(|u| u.name == "eve").one().err();
    let none = none.expect("no eve");
    assert_eq!(
        none,
        QueryError::NoMatch {
            table: "users",
            joined: None
        }
    );
    assert_eq!(
        none.to_string(),
        "no row of users matched a query that wants exactly one"
    );
    let two = db.query::<User>().filter(|u| u.name == "bob").one().err();
    assert_eq!(
        two.map(|e| e.to_string()).as_deref(),
        Some("more than one row of users matched a query that wants exactly one")
    );
    // The window counts: one of the two bobs is one.
    let bob = (db.query::<User>().filter(|u| u.name == "bob"))
        .offset(1)
        .one()?;
    assert_eq!(bob.id(), ids[2]);
    let sorted = (db
        .query::<User>()
        .order_by_desc(|u| u.value().name.as_str()))
    .limit(1)
    .one()?;
    assert_eq!(sorted.id(), ids[1], "the first of the two bobs");
    let sorted_bobs = (db.query::<User>().order_by(|u| u.name.len()))
        .filter(|u| u.name == "bob")
        .one();
    assert!(matches!(sorted_bobs, Err(QueryError::MoreThanOne { .. })));
    // Through the umbrella error, with `?`.
    let umbrella: Error = none.into();
    assert_eq!(umbrella, Error::Query(none));
    assert_eq!(umbrella.to_string(), none.to_string());
    Ok(())
}

#[test]
fn creation_order_survives_deletes_and_slot_reuse() -> Result<(), Error> {
    let (mut db, ids) = users(&["a", "b", "c", "d"]);
    db.delete(ids[0])?;
    db.delete(ids[2])?;
    let e = db.insert(user("e"))?; // reuses c's slot (freed last), before d's
    let f = db.insert(user("f"))?; // reuses a's slot, the first
    assert_eq!(names(db.query::<User>()), ["f", "b", "e", "d"]);
    let created = db.query::<User>().in_creation_order();
    assert_eq!(names(created), ["b", "d", "e", "f"]);
    let newest = (db.query::<User>().in_creation_order())
        .offset(1)
        .limit(2)
        .ids();
    assert!(newest.eq([ids[3], e]));
    // Creation breaks ties of an earlier key.
    let by_len_then_created = (db.query::<User>().order_by(|u| u.name.len()))
        .in_creation_order()
        .ids();
    assert!(by_len_then_created.eq([ids[1], ids[3], e, f]));
    Ok(())
}

#[test]
fn a_query_over_any_source() {
    let (db, ids) = users(&["a", "b", "c"]);
    let picked = ids.iter().rev().filter_map(|&id| db.get(id).ok());
    let q = Query::from_source(&db, picked).filter(|u| u.name != "b");
    assert_eq!(names(q.clone()), ["c", "a"]);
    assert_eq!(names(q.in_creation_order()), ["a", "c"]);
}

#[test]
fn a_query_prints_its_order_and_window() {
    let (db, _) = users(&["a"]);
    let q = db.query::<User>().order_by(|u| u.name.len()).limit(2);
    assert_eq!(
        format!("{q:?}"),
        "Query { order: Sorted(Asc(..)), offset: 0, limit: Some(2), .. }"
    );
}

/// `order_by(..).offset(o).limit(k)` gives what a full stable sort, then skip and take,
/// gives: top-k selection under many buffer fills, with many equal keys.
#[test]
fn a_top_k_is_a_full_sort_then_a_window_on_random_data() {
    for seed in 0..40 {
        let mut rng = Rng::new(seed);
        let mut db = db();
        let n = rng.below(300);
        let keys: usize = 1 + rng.below(40);
        for _ in 0..n {
            db.insert(user(&rng.below(keys).to_string()))
                .expect("no keys");
        }
        // Some holes and reused slots, so slot order is not creation order.
        for id in db.table::<User>().ids() {
            if rng.chance(20) {
                db.delete(id).expect("live");
            }
        }
        for _ in 0..rng.below(20) {
            db.insert(user(&rng.below(keys).to_string()))
                .expect("no keys");
        }
        let key = |u: &relstore::Row<'_, User, App>| u.name.parse::<usize>().expect("a number");
        let mut reference: Vec<_> = db.table::<User>().iter().collect();
        reference.sort_by_key(key); // stable
        let mut reference_desc: Vec<_> = db.table::<User>().iter().collect();
        reference_desc.sort_by_key(|u| std::cmp::Reverse(key(u)));
        for _ in 0..10 {
            let (offset, limit) = (rng.below(n + 2), rng.below(n / 4 + 3));
            let got: Vec<_> = (db.query::<User>().order_by(key))
                .offset(offset)
                .limit(limit)
                .ids()
                .collect();
            let want: Vec<_> = (reference.iter().skip(offset).take(limit))
                .map(|u| u.id())
                .collect();
            assert_eq!(got, want, "seed {seed}, offset {offset}, limit {limit}");
            let got: Vec<_> = (db.query::<User>().order_by_desc(key))
                .offset(offset)
                .limit(limit)
                .ids()
                .collect();
            let want: Vec<_> = (reference_desc.iter().skip(offset).take(limit))
                .map(|u| u.id())
                .collect();
            assert_eq!(
                got, want,
                "desc: seed {seed}, offset {offset}, limit {limit}"
            );
            let first = (db.query::<User>().order_by(key)).offset(offset).first();
            assert_eq!(first.map(|u| u.id()), want_first(&reference, offset));
        }
    }
}

fn want_first(sorted: &[relstore::Row<'_, User, App>], offset: usize) -> Option<Id<User>> {
    sorted.get(offset).map(|u| u.id())
}
