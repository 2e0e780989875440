//! Attack: one ordered key taken from no row to one (inline), two (a list made in creation
//! order, whichever row is older), many, one (a list until `shrink_to_fit`) and none, by each
//! kind of write; and a key held by over 1,024 rows (a chunked list) walked from both ends,
//! shrunk back row by row. Equal keys are listed oldest first, always.

/// SplitMix64, shared with the model tests.
#[allow(dead_code)] // each test uses part of it
#[path = "model/rng.rs"]
mod rng;

use relstore::{Db, Id, Model};
use rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "teams")]
pub struct Team {
    n: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "scores")]
pub struct Score {
    #[relstore(ordered)]
    points: u32,
    #[relstore(ordered)]
    team: Option<Id<Team>>,
    #[relstore(ordered, unique)]
    tag: u32,
}

relstore::belongs_to!(pub ScoreTeam: Score.team -> Team, has_many, on_delete = SetNull);
relstore::schema! { pub struct Board { teams: Team, scores: Score } relations { ScoreTeam } }

type Ids = Vec<Id<Score>>;

fn score(points: u32, tag: u32) -> Score {
    Score {
        points,
        team: None,
        tag,
    }
}

/// The rows holding `points`, by every lookup that can list them, and the integrity check.
fn at(db: &Db<Board>, points: u32) -> Ids {
    db.check_integrity().unwrap();
    let t = db.table::<Score>();
    let found: Ids = t.find(ScoreByPoints, &points).ids().collect();
    let ranged: Ids = t.range(ScoreByPoints, points..=points).ids().collect();
    let mut back: Ids = t
        .range(ScoreByPoints, points..=points)
        .ids()
        .rev()
        .collect();
    back.reverse();
    let all: Ids = t
        .range(ScoreByPoints, ..)
        .filter(|s| s.points == points)
        .map(|s| s.id())
        .collect();
    assert_eq!(
        (&ranged, &back, &all),
        (&found, &found, &found),
        "points {points}"
    );
    found
}

fn set(db: &mut Db<Board>, id: Id<Score>, points: u32) {
    db.update(id, |s| s.points = points).unwrap();
}

#[test]
fn a_key_goes_from_no_row_to_many_and_back_oldest_first() {
    let mut db = Db::<Board>::new();
    let [a, b, c, d] = [10, 20, 30, 40].map(|p| db.insert(score(p, p)).unwrap());
    assert_eq!(at(&db, 10), [a]);
    assert_eq!(at(&db, 50), []);
    let mut spent = 10..=10; // an exhausted range is empty, as std says
    assert_eq!(spent.next(), Some(10));
    assert_eq!(db.table::<Score>().range(ScoreByPoints, spent).count(), 0);
    set(&mut db, c, 10); // into one row, older: [a, c]
    assert_eq!(at(&db, 10), [a, c]);
    set(&mut db, a, 40); // into one row, newer: [a, d]
    assert_eq!((at(&db, 10), at(&db, 40)), (vec![c], vec![a, d]));
    set(&mut db, b, 10); // into a list left with one row, newer: [b, c]
    assert_eq!((at(&db, 10), at(&db, 20)), (vec![b, c], vec![]));
    db.edit(d, |s| s.points = 10).unwrap(); // last
    assert_eq!((at(&db, 10), at(&db, 40)), (vec![b, c, d], vec![a]));
    db.shrink_to_fit(); // 40's list of one goes inline
    assert_eq!((at(&db, 10), at(&db, 40)), (vec![b, c, d], vec![a]));
    db.replace(c, score(40, 30)).unwrap(); // into an inline row, older
    assert_eq!((at(&db, 10), at(&db, 40)), (vec![b, d], vec![a, c]));
    let e = db.insert(score(60, 60)).unwrap();
    db.shrink_to_fit();
    set(&mut db, b, 60); // into an inline row, newer
    assert_eq!((at(&db, 10), at(&db, 60)), (vec![d], vec![b, e]));
    db.update_many([e, d, a], |s| s.points = 70).unwrap(); // asked newest first
    assert_eq!(at(&db, 70), [a, d, e]);
    let bytes = db.write_to(Vec::new()).unwrap();
    db = Db::read_from(&bytes[..]).unwrap();
    assert_eq!(
        (at(&db, 70), at(&db, 60), at(&db, 40)),
        (vec![a, d, e], vec![b], vec![c])
    );
    db.delete(d).unwrap();
    assert_eq!(at(&db, 70), [a, e]);
    db.delete(a).unwrap();
    db.delete(e).unwrap();
    assert_eq!(at(&db, 70), []);
    assert_eq!(db.delete_where::<Score>(|s| s.points == 60).unwrap(), 1);
    db.shrink_to_fit();
    let left: Ids = db.table::<Score>().range(ScoreByPoints, ..).ids().collect();
    assert_eq!(left, [c]);
    db.delete(c).unwrap();
    assert_eq!(
        db.table::<Score>().range(ScoreByPoints, ..).rev().count(),
        0
    );
    db.check_integrity().unwrap();
}

#[test]
fn a_set_null_joins_the_null_key_in_creation_order() {
    let mut db = Db::<Board>::new();
    let t = db.insert(Team { n: 1 }).unwrap();
    let on = |tag, team| Score {
        points: 0,
        team,
        tag,
    };
    // The null key held by one newer row (inline), then by one older row.
    let x = db.insert(on(1, Some(t))).unwrap();
    let y = db.insert(on(2, None)).unwrap();
    db.delete(t).unwrap();
    let nulls =
        |db: &Db<Board>| -> Ids { db.table::<Score>().find(ScoreByTeam, &None).ids().collect() };
    assert_eq!(nulls(&db), [x, y]);
    db.delete(x).unwrap();
    db.shrink_to_fit();
    let u = db.insert(Team { n: 2 }).unwrap();
    let z = db.insert(on(3, Some(u))).unwrap();
    db.delete(u).unwrap();
    assert_eq!(nulls(&db), [y, z]);
    db.check_integrity().unwrap();
}

/// Both ends of `rows` read alternately at random against `want`, meeting once.
fn both_ends(
    mut rows: impl DoubleEndedIterator<Item = Id<Score>>,
    want: &[Id<Score>],
    rng: &mut Rng,
    what: &str,
) {
    let (mut front, mut back) = (0, want.len());
    // Long runs from one end cross the chunks of a big list before the other end moves.
    let mut run = 0;
    let mut from_front = true;
    for _ in 0..want.len() + 3 {
        if run == 0 {
            (run, from_front) = (1 + rng.below(400), rng.below(2) == 0);
        }
        run -= 1;
        let left = front < back;
        let (got, expected) = if from_front {
            front += usize::from(left);
            (rows.next(), left.then(|| want[front - 1]))
        } else {
            back -= usize::from(left);
            (rows.next_back(), left.then(|| want[back]))
        };
        assert_eq!(got, expected, "{what}: front {front}, back {back}");
    }
}

/// Every ordered lookup of the big key against the reference `model` (rows in creation
/// order, with their points).
fn check_big(db: &Db<Board>, model: &[(Id<Score>, u32)], rng: &mut Rng, what: &str) {
    db.check_integrity()
        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let t = db.table::<Score>();
    let mut sorted = model.to_vec();
    sorted.sort_by_key(|&(_, p)| p);
    let want = |keep: &dyn Fn(u32) -> bool| -> Ids {
        sorted
            .iter()
            .filter(|&&(_, p)| keep(p))
            .map(|&(id, _)| id)
            .collect()
    };
    let five = want(&|p| p == 5);
    assert_eq!(
        t.find(ScoreByPoints, &5).ids().collect::<Ids>(),
        five,
        "{what}"
    );
    both_ends(t.range(ScoreByPoints, 5..=5).ids(), &five, rng, what);
    both_ends(
        t.range(ScoreByPoints, ..).ids(),
        &want(&|_| true),
        rng,
        what,
    );
    both_ends(
        t.range(ScoreByPoints, 4..6).ids(),
        &want(&|p| (4..6).contains(&p)),
        rng,
        what,
    );
    both_ends(
        t.range(ScoreByPoints, 5..).rev().map(|s| s.id()),
        &want(&|p| p >= 5).into_iter().rev().collect::<Ids>(),
        rng,
        what,
    );
    let top: Ids = db
        .query_range(ScoreByPoints, ..=5)
        .rev()
        .limit(3)
        .ids()
        .collect();
    assert_eq!(
        top,
        want(&|p| p <= 5).into_iter().rev().take(3).collect::<Ids>(),
        "{what}"
    );
    // The unique ordered index: tags are creation order here.
    both_ends(
        t.range(ScoreByTag, ..).ids(),
        &model.iter().map(|&(id, _)| id).collect::<Ids>(),
        rng,
        what,
    );
}

#[test]
fn a_key_held_by_over_1024_rows_walks_from_both_ends_and_shrinks_back() {
    let mut rng = Rng::new(7);
    let mut db = Db::<Board>::new();
    let mut model = Vec::new();
    for tag in 0..1_300 {
        // Mostly 5; a few 4s and 6s on either side, at times in one batch.
        let points =
            [4, 6][tag as usize % 2] * u32::from(tag % 97 == 0) + 5 * u32::from(tag % 97 != 0);
        let id = db.insert(score(points, tag)).unwrap();
        model.push((id, points));
    }
    check_big(&db, &model, &mut rng, "built");
    // The oldest and a middle row leave the big key and come back to their places.
    for at in [1, 650] {
        let id = model[at].0;
        set(&mut db, id, 9);
        model[at].1 = 9;
        check_big(&db, &model, &mut rng, "moved out");
        db.update_many([id], |s| s.points = 5).unwrap();
        model[at].1 = 5;
        check_big(&db, &model, &mut rng, "moved back");
    }
    let bytes = db.write_to(Vec::new()).unwrap();
    db = Db::read_from(&bytes[..]).unwrap();
    check_big(&db, &model, &mut rng, "loaded");
    // Rows go at random until the key is held by one, then none: through the chunked list's
    // return to a plain one (below 256) and a shrink back inline.
    for left in [700, 300, 255, 40, 2, 1, 0] {
        while model.iter().filter(|&&(_, p)| p == 5).count() > left {
            let at = rng.below(model.len());
            if model[at].1 == 5 {
                db.delete(model.remove(at).0).unwrap();
            }
        }
        check_big(&db, &model, &mut rng, &format!("{left} left"));
        db.shrink_to_fit();
        check_big(&db, &model, &mut rng, &format!("{left} left, shrunk"));
    }
}
