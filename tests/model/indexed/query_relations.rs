//! After every step, the queries that follow relations, against the reference's answers
//! (its rows scanned for the key fields, never the store's indexes): for every relation, every
//! parent's `children` (as stored, then filtered, ordered and windowed) and `NotFound` for dead
//! parents; `where_has` and `where_has_not`; `join` pairs filtered on both sides, and a join
//! of the top parents ordered by the child's key; and `through` both ways over the progress
//! rows (player to quests, quest to players).

use std::cmp::Reverse;

use relstore::{Db, HasRelation, Id, Model, NotFound, Row};

use super::queries::{Sample, Window, pair_ids, reads, rec_ids, row_id, sorted};
use super::reference::{GameModel, GameRef};
use super::schema::*;
use crate::reference::Rec;
use crate::rng::Rng;
use crate::schema::Spec;

pub fn everything(db: &Db<Game>, r: &GameRef, rng: &mut Rng) -> Result<(), String> {
    relation::<PlayerGuild>(db, r, rng)?;
    relation::<GuildLeader>(db, r, rng)?;
    relation::<ProgressPlayer>(db, r, rng)?;
    relation::<ProgressQuest>(db, r, rng)?;
    through::<ProgressPlayer, ProgressQuest>(db, r, rng)?;
    through::<ProgressQuest, ProgressPlayer>(db, r, rng)
}

/// The rows of `children` whose key under `R` is `parent`, in creation order.
fn under<'a, R: Spec>(
    children: &[&'a Rec<R::Child>],
    parent: Id<R::Parent>,
) -> Vec<&'a Rec<R::Child>> {
    let mut rows = children.to_vec();
    rows.retain(|rec| R::parent_of(&rec.row) == Some(parent));
    rows
}

fn relation<R>(db: &Db<Game>, r: &GameRef, rng: &mut Rng) -> Result<(), String>
where
    R: Spec,
    R::Parent: Sample,
    R::Child: Sample,
    Game: HasRelation<R>,
{
    let (parents, children) = (R::Parent::of(r), R::Child::of(r));
    let name = R::NAME;
    let created = children.in_insertion_order();
    let (salt, child_salt) = (rng.next_u64(), rng.next_u64());
    let keep = move |row: &R::Parent| row.keep(salt);
    let keep_child = move |row: &R::Child| row.keep(child_salt);
    let child_key = |row: &Row<'_, R::Child, Game>| row.value().key();

    // Every parent's children as stored; then filtered, by key (either way), windowed.
    let desc = rng.chance(50);
    let window = Window::random(rng, 4);
    let tables = (R::Child::TABLE, None);
    for parent in parents.ids() {
        let what = format!("{name}: children of {parent:?}");
        let query = (db.children(R::default(), parent)).map_err(|e| format!("{what}: {e}"))?;
        let rows = under::<R>(&created, parent);
        reads(
            &what,
            || query.clone(),
            row_id,
            &rec_ids(rows.clone()),
            tables,
        )?;
        let mut rows = rows;
        rows.retain(|rec| keep_child(&rec.row));
        let rows = match desc {
            true => sorted(rows, |rec| Reverse(rec.row.key())),
            false => sorted(rows, |rec| rec.row.key()),
        };
        let want = window.cut(rec_ids(rows));
        let query = query.filter(move |row| keep_child(row.value()));
        let what = format!("{what}, filter {child_salt:#x}, desc {desc}, {window:?}");
        match desc {
            true => {
                let query = || window.apply(query.clone().order_by_desc(child_key));
                reads(&what, query, row_id, &want, tables)?
            }
            false => {
                let query = || window.apply(query.clone().order_by(child_key));
                reads(&what, query, row_id, &want, tables)?
            }
        }
    }
    for &dead in parents.dead.iter().rev().take(2) {
        let got = db.children(R::default(), dead).err();
        let want = NotFound { id: dead.into() };
        ensure_eq!(got, Some(want), "{name}: children of dead {dead:?}");
    }

    // Parents with children (filtered, windowed) and without (in creation order).
    let has = |parent: Id<R::Parent>| !under::<R>(&created, parent).is_empty();
    let window = Window::random(rng, parents.rows.len());
    let tables = (R::Parent::TABLE, None);
    let mut rows = parents.in_slot_order();
    rows.retain(|rec| keep(&rec.row) && has(rec.id));
    let query = || {
        let query = db.query::<R::Parent>().filter(move |p| keep(p.value()));
        window.apply(query.where_has(R::default()))
    };
    let what = format!("{name}: where_has, filter {salt:#x}, {window:?}");
    reads(&what, query, row_id, &window.cut(rec_ids(rows)), tables)?;
    let mut rows = parents.in_insertion_order();
    rows.retain(|rec| !has(rec.id));
    let query = || {
        let query = db.query::<R::Parent>().where_has_not(R::default());
        window.apply(query.in_creation_order())
    };
    let what = format!("{name}: where_has_not, in_creation_order, {window:?}");
    reads(&what, query, row_id, &window.cut(rec_ids(rows)), tables)?;

    // Pairs, filtered on both sides: parents in slot order, each one's children in creation
    // order.
    let window = Window::random(rng, children.rows.len());
    let tables = (R::Parent::TABLE, Some(R::Child::TABLE));
    let id = pair_ids::<R::Parent, R::Child>;
    let mut slot = parents.in_slot_order();
    slot.retain(|rec| keep(&rec.row));
    let pairs =
        (slot.iter()).flat_map(|p| under::<R>(&created, p.id).into_iter().map(|c| (p.id, c)));
    let want = window.cut(
        pairs
            .filter(|(_, c)| keep_child(&c.row))
            .map(|(p, c)| (p, c.id)),
    );
    let query = || {
        let query = db.query::<R::Parent>().filter(move |p| keep(p.value()));
        let pairs = query.join(R::default());
        window.apply(pairs.filter(move |(_, c)| keep_child(c.value())))
    };
    let what = format!("{name}: join, filters {salt:#x} {child_salt:#x}, {window:?}");
    reads(&what, query, id, &want, tables)?;

    // The join of the top `k` parents by key (ties in slot order), its pairs by the child's
    // key (ties in the join's order).
    let k = rng.below(parents.rows.len() + 2);
    let mut top = sorted(parents.in_slot_order(), |rec| Reverse(rec.row.key()));
    top.truncate(k);
    let pairs: Vec<_> = (top.iter())
        .flat_map(|p| under::<R>(&created, p.id).into_iter().map(|c| (p.id, c)))
        .collect();
    let pairs = sorted(pairs, |(_, c)| c.row.key());
    let want = window.cut(pairs.into_iter().map(|(p, c)| (p, c.id)));
    let query = || {
        let top = (db.query::<R::Parent>())
            .order_by_desc(|p| p.value().key())
            .limit(k);
        window.apply(top.join(R::default()).order_by(|(_, c)| c.value().key()))
    };
    let what = format!("{name}: join of the top {k}, by the child's key, {window:?}");
    reads(&what, query, id, &want, tables)
}

/// `through(A, B, from)` for every row `from` under `A` (and two dead ones): the join rows
/// under `from` in creation order, each with its row under `B`; then filtered on the join
/// row, by the far row's key descending, windowed.
fn through<A, B>(db: &Db<Game>, r: &GameRef, rng: &mut Rng) -> Result<(), String>
where
    A: Spec,
    B: Spec<Child = A::Child>,
    A::Parent: Sample,
    A::Child: Sample,
    B::Parent: Sample,
    Game: HasRelation<A> + HasRelation<B>,
{
    let created = A::Child::of(r).in_insertion_order();
    let far = B::Parent::of(r);
    let salt = rng.next_u64();
    let window = Window::random(rng, 4);
    let tables = (A::Child::TABLE, Some(B::Parent::TABLE));
    let names = (A::NAME, B::NAME);
    let id = pair_ids::<A::Child, B::Parent>;
    for from in A::Parent::of(r).ids() {
        let rows = under::<A>(&created, from);
        let pairs: Vec<_> = (rows.iter())
            .filter_map(|rec| Some((*rec, B::parent_of(&rec.row)?)))
            .collect();
        let what = format!("through {names:?} from {from:?}");
        let query =
            (db.through(A::default(), B::default(), from)).map_err(|e| format!("{what}: {e}"))?;
        let want: Vec<_> = pairs.iter().map(|(rec, to)| (rec.id, *to)).collect();
        reads(&what, || query.clone(), id, &want, tables)?;

        let mut pairs = pairs;
        pairs.retain(|(rec, _)| rec.row.keep(salt));
        let far_key = |to: &Id<B::Parent>| far.get(*to).map(|row| Reverse(row.key()));
        let pairs = sorted(pairs, |(_, to)| far_key(to));
        let want = window.cut(pairs.into_iter().map(|(rec, to)| (rec.id, to)));
        let query = || {
            let query = query.clone().filter(move |(j, _)| j.keep(salt));
            window.apply(query.order_by_desc(|(_, to)| to.value().key()))
        };
        let what = format!("{what}, filter {salt:#x}, by the far key, {window:?}");
        reads(&what, query, id, &want, tables)?;
    }
    for &dead in A::Parent::of(r).dead.iter().rev().take(2) {
        let got = db.through(A::default(), B::default(), dead).err();
        let want = NotFound { id: dead.into() };
        ensure_eq!(got, Some(want), "through {names:?} from dead {dead:?}");
    }
    Ok(())
}
