//! Runs one operation of the indexed game on the store and on the reference, and compares the
//! outcomes: the value returned, or the error (its variant, and the index, key, rows and
//! positions it names). A refused write must change nothing: the step's check then compares
//! every row and every index lookup.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use relstore::{AnyId, Db, HasTable, Id, NotFound, WriteError};

use super::bulk;
use super::reference::{GameModel, GameRef, Why, by_game_table};
use super::schema::*;
use crate::ops::{Stats, count, message};

/// A new value for a row of any table.
#[derive(Clone, Debug)]
pub enum Row {
    Player(Player),
    Guild(Guild),
    Quest(Quest),
    Progress(Progress),
}

/// How one row is changed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum How {
    /// `db.update`, its closure writing the new value.
    Update,
    /// `db.replace`.
    Replace,
    /// `db.update`, its closure writing the new value, then panicking.
    PanicInUpdate,
    /// `db.edit` (on a copy: every table here has an index or a validator).
    Edit,
    /// `db.edit`, its closure writing the new value, then panicking.
    PanicInEdit,
}

/// What a bulk update does to each row (fields of other tables' rows are left alone; the
/// text field changes with every change).
#[derive(Clone, Debug)]
pub enum Change {
    /// Players: the level up by this much, wrapping at `LEVELS`.
    Level(u32),
    /// Players and guilds: a name that is the first of a pair becomes the second.
    Names(Vec<(String, String)>),
    /// Players and guilds: every name set to this one.
    SetName(String),
    Guild(Option<Id<Guild>>),
    /// Guilds: the tag up by this much, wrapping at `TAGS`.
    Tag(u8),
    Leader(Option<Id<Player>>),
    /// Quests: the reward up by this much.
    Reward(u32),
    /// Progress: the step up by this much, wrapping at `STEPS`.
    Step(u32),
    Quest(Id<Quest>),
    Player(Id<Player>),
    Text(String),
}

/// One step of the run; its `Debug` form is what a failure prints.
#[derive(Clone, Debug)]
pub enum GOp {
    Insert(Row),
    Update(AnyId, Row, How),
    Delete(AnyId),
    DeleteMany(&'static str, Vec<AnyId>),
    /// `delete_where` over the table: a row goes if a hash of its id and the salt falls below
    /// the percentage.
    DeleteWhere(&'static str, u64, usize),
    UpdateMany(&'static str, Vec<AnyId>, Change),
    /// `update_where`, rows picked as `DeleteWhere` picks them.
    UpdateWhere(&'static str, u64, usize, Change),
    InsertMany(&'static str, Vec<Row>),
    /// `row_mut`, writing this text into the row's unindexed text field.
    RowMut(AnyId, String),
    /// `rows_mut` over the table (or `edit_rows`, if true), writing this text, numbered, into
    /// every row.
    RowsMut(&'static str, String, bool),
    SaveLoad,
    Shrink,
}

/// A table's row as a [`Row`], and back.
pub trait AsRow: Sized {
    fn from_row(row: Row) -> Option<Self>;
}

macro_rules! as_row {
    ($($t:ident),*) => {$(
        impl From<$t> for Row {
            fn from(row: $t) -> Row {
                Row::$t(row)
            }
        }
        impl AsRow for $t {
            fn from_row(row: Row) -> Option<Self> {
                match row {
                    Row::$t(row) => Some(row),
                    _ => None,
                }
            }
        }
    )*};
}
as_row!(Player, Guild, Quest, Progress);

impl Row {
    /// The same row with this text in its text field.
    pub fn with_text(&self, text: String) -> Row {
        let mut row = self.clone();
        match &mut row {
            Row::Player(p) => p.note = text,
            Row::Guild(g) => g.motto = text,
            Row::Quest(q) => q.title = text,
            Row::Progress(p) => p.note = text,
        }
        row
    }

    /// The row after `change` (see [`Change`]).
    pub fn changed(&self, change: &Change) -> Row {
        use super::generate::{LEVELS, STEPS, TAGS};
        let mut row = self.clone();
        match (&mut row, change) {
            (Row::Player(p), Change::Level(n)) => p.level = (p.level + n) % LEVELS,
            (Row::Player(p), Change::Names(pairs)) => p.name = renamed(&p.name, pairs),
            (Row::Player(p), Change::SetName(name)) => p.name = name.clone(),
            (Row::Player(p), Change::Guild(guild)) => p.guild = *guild,
            (Row::Guild(g), Change::Tag(n)) => g.tag = (g.tag + n) % TAGS,
            (Row::Guild(g), Change::Names(pairs)) => g.name = renamed(&g.name, pairs),
            (Row::Guild(g), Change::SetName(name)) => g.name = name.clone(),
            (Row::Guild(g), Change::Leader(leader)) => g.leader = *leader,
            (Row::Quest(q), Change::Reward(n)) => q.reward += n,
            (Row::Progress(p), Change::Step(n)) => p.step = (p.step + n) % STEPS,
            (Row::Progress(p), Change::Quest(quest)) => p.quest = *quest,
            (Row::Progress(p), Change::Player(player)) => p.player = *player,
            _ => {}
        }
        if let Change::Text(text) = change {
            return row.with_text(text.clone());
        }
        row
    }
}

fn renamed(name: &str, pairs: &[(String, String)]) -> String {
    let pair = pairs.iter().find(|(from, _)| from == name);
    pair.map_or(name, |(_, to)| to).to_string()
}

/// A table's row changed by `change`.
pub fn changed<T: GameModel + AsRow>(row: &T, change: &Change) -> T
where
    Game: HasTable<T>,
    Row: From<T>,
{
    T::from_row(Row::from(row.clone()).changed(change)).expect("a row of the same table")
}

/// Whether a predicate of `delete_where` / `update_where` picks row `id`.
pub fn picks(id: u64, salt: u64, percent: usize) -> bool {
    crate::batch::hash(id, "", salt) % 100 < percent as u64
}

pub fn run(db: &mut Db<Game>, r: &mut GameRef, op: &GOp, stats: &mut Stats) -> Result<(), String> {
    macro_rules! with_row {
        ($row:expr, $x:ident => $body:expr) => {
            match $row.clone() {
                Row::Player($x) => $body,
                Row::Guild($x) => $body,
                Row::Quest($x) => $body,
                Row::Progress($x) => $body,
            }
        };
    }
    match op {
        GOp::Insert(row) => with_row!(row, row => insert(db, r, row, stats)),
        GOp::Update(id, row, how) => {
            with_row!(row, row => update(db, r, typed(*id), row, *how, stats))
        }
        GOp::Delete(id) => {
            by_game_table!(id.table(), T => bulk::delete_many::<T>(db, r, &[*id], true, stats))
        }
        GOp::DeleteMany(table, ids) => {
            by_game_table!(table, T => bulk::delete_many::<T>(db, r, ids, false, stats))
        }
        GOp::DeleteWhere(table, salt, percent) => {
            by_game_table!(table, T => bulk::delete_where::<T>(db, r, *salt, *percent, stats))
        }
        GOp::UpdateMany(table, ids, change) => by_game_table!(table, T => {
            let ids: Vec<Id<T>> = ids.iter().map(|&id| typed(id)).collect();
            bulk::update_many::<T>(db, r, &ids, change, None, stats)
        }),
        GOp::UpdateWhere(table, salt, percent, change) => by_game_table!(table, T => {
            let rows = T::of(r).in_slot_order();
            let ids: Vec<Id<T>> = rows.iter().map(|rec| rec.id).filter(|id| picks(id.to_bits(), *salt, *percent)).collect();
            bulk::update_many::<T>(db, r, &ids, change, Some((*salt, *percent)), stats)
        }),
        GOp::InsertMany(table, rows) => by_game_table!(table, T => {
            let rows: Vec<T> = rows.iter().cloned().map(|row| T::from_row(row).expect("one table")).collect();
            bulk::insert_many::<T>(db, r, rows, stats)
        }),
        GOp::RowMut(id, text) => {
            by_game_table!(id.table(), T => row_mut::<T>(db, r, typed(*id), text, stats))
        }
        GOp::RowsMut(table, text, lent) => {
            by_game_table!(table, T => rows_mut::<T>(db, r, text, *lent, stats))
        }
        GOp::SaveLoad => {
            let bytes = crate::save::write(db)?;
            *db = crate::save::load(&bytes)?;
            count(stats, "save and load");
            Ok(())
        }
        GOp::Shrink => {
            db.shrink_to_fit();
            count(stats, "shrink");
            Ok(())
        }
    }
}

pub fn typed<T: relstore::Model>(id: AnyId) -> Id<T> {
    id.typed().expect("the op's id and row are of one table")
}

/// The variant of a write error, for the counts.
pub fn variant(e: &WriteError) -> &'static str {
    match e {
        WriteError::NotFound(_) => "NotFound",
        WriteError::MissingParent { .. } => "MissingParent",
        WriteError::HasOneTaken { .. } => "HasOneTaken",
        WriteError::HasOneTakenInBatch { .. } => "HasOneTakenInBatch",
        WriteError::Unique { .. } => "Unique",
        WriteError::UniqueInBatch { .. } => "UniqueInBatch",
        WriteError::Invalid { .. } => "Invalid",
        _ => "other error",
    }
}

/// The store's error must be one of the rules the reference found broken, naming `this` (the
/// row being changed; `None` for a new row) and `table` where it names them.
pub fn same_error(
    e: &WriteError,
    expected: &[Why],
    table: &str,
    this: Option<AnyId>,
) -> Result<(), String> {
    let why = match e.clone() {
        WriteError::NotFound(NotFound { id }) if Some(id) == this => Why::NotFound,
        WriteError::MissingParent { relation, parent } => Why::Missing {
            relation: relation.name,
            parent,
        },
        WriteError::HasOneTaken {
            relation,
            parent,
            existing,
            row,
        } if row == this => Why::Taken {
            relation: relation.name,
            parent,
            existing,
        },
        WriteError::HasOneTakenInBatch {
            relation,
            parent,
            earlier,
        } => Why::TakenInBatch {
            relation: relation.name,
            parent,
            earlier,
        },
        WriteError::Unique {
            index,
            value,
            holder,
            row,
        } if row == this && index.table == table => Why::Unique {
            index: index.name,
            value,
            holder,
        },
        WriteError::UniqueInBatch {
            index,
            value,
            earlier,
        } if index.table == table => Why::UniqueInBatch {
            index: index.name,
            value,
            earlier,
        },
        WriteError::Invalid {
            table: named,
            row,
            reason,
        } if row == this && named == table => Why::Invalid(reason.message.into_owned()),
        e => return Err(format!("store: {e:?}; reference expected {expected:?}")),
    };
    ensure!(
        expected.contains(&why),
        "store: {e:?} ({e}); reference expected {expected:?}"
    );
    Ok(())
}

fn insert<T: GameModel>(
    db: &mut Db<Game>,
    r: &mut GameRef,
    row: T,
    stats: &mut Stats,
) -> Result<(), String>
where
    Game: HasTable<T>,
{
    let expected = r.violations(&row, None, &|_| false);
    match db.insert(row.clone()) {
        Ok(id) => {
            ensure!(
                expected.is_empty(),
                "insert succeeded as {id:?}; reference expected {expected:?}"
            );
            ensure!(
                T::of(r).fresh(id),
                "insert returned {id:?}, an id already handed out"
            );
            r.insert(id, row);
            count(stats, format!("insert {} ok", T::TABLE));
        }
        Err(e) => {
            same_error(&e, &expected, T::TABLE, None)?;
            count(stats, format!("insert {} {}", T::TABLE, variant(&e)));
        }
    }
    Ok(())
}

fn update<T: GameModel>(
    db: &mut Db<Game>,
    r: &mut GameRef,
    id: Id<T>,
    new: T,
    how: How,
    stats: &mut Stats,
) -> Result<(), String>
where
    Game: HasTable<T>,
{
    let old = T::of(r).get(id).cloned();
    let verb = format!("{how:?}");
    let panics = matches!(how, How::PanicInUpdate | How::PanicInEdit);
    let mut seen = None;
    let write = |row: &mut T, seen: &mut Option<T>| {
        *seen = Some(row.clone());
        *row = new.clone();
        if panics {
            resume_unwind(Box::new("deliberate panic"));
        }
        7_u8
    };
    let got = catch_unwind(AssertUnwindSafe(|| match how {
        How::Update | How::PanicInUpdate => db.update(id, |row| write(row, &mut seen)),
        How::Edit | How::PanicInEdit => db.edit(id, |row| write(row, &mut seen)),
        How::Replace => db.replace(id, new.clone()).map(|returned| {
            seen = Some(returned);
            7
        }),
    }));
    let replaced = matches!(&got, Ok(Ok(_)));
    if how != How::Replace || replaced {
        ensure_eq!(
            seen,
            old,
            "{verb} {id:?}: the closure gets (or replace returns) the row"
        );
    }
    let Some(_) = old else {
        let not_found = WriteError::NotFound(NotFound { id: id.into() });
        ensure!(
            matches!(&got, Ok(Err(e)) if *e == not_found),
            "{verb} of stale {id:?}: store {:?}",
            got.map_err(|p| message(&*p))
        );
        count(stats, format!("{verb} NotFound"));
        return Ok(());
    };
    if panics {
        let panic = got.err().map(|p| message(&*p));
        ensure_eq!(
            panic.as_deref(),
            Some("deliberate panic"),
            "{verb} {id:?}: the panic goes on"
        );
        count(stats, format!("{verb}: row unchanged"));
        return Ok(());
    }
    let got = got.map_err(|p| format!("{verb} {id:?} panicked: {}", message(&*p)))?;
    let expected = r.violations(&new, Some(id), &|_| false);
    match got {
        Ok(out) => {
            ensure!(
                expected.is_empty() && out == 7,
                "{verb} {id:?} gave {out}; reference expected {expected:?}"
            );
            r.update(id, new);
            count(stats, format!("{verb} {} ok", T::TABLE));
        }
        Err(e) => {
            same_error(&e, &expected, T::TABLE, Some(id.into()))?;
            count(stats, format!("{verb} {}", variant(&e)));
        }
    }
    Ok(())
}

fn row_mut<T: GameModel>(
    db: &mut Db<Game>,
    r: &mut GameRef,
    id: Id<T>,
    text: &str,
    stats: &mut Stats,
) -> Result<(), String>
where
    Game: HasTable<T>,
{
    let live = T::of(r).get(id).is_some();
    match db.row_mut(id) {
        Ok(view) => {
            ensure!(live, "row_mut of stale {id:?} gave a view");
            *T::view_text(view) = text.to_string();
            let mut row = T::of(r).get(id).cloned().expect("live");
            *row.text_mut() = text.to_string();
            r.update(id, row);
            count(stats, format!("row_mut {} ok", T::TABLE));
        }
        Err(e) => {
            ensure!(!live, "row_mut of live {id:?}: {e:?}");
            ensure_eq!(e, NotFound { id: id.into() }, "row_mut of stale {id:?}");
            count(stats, "row_mut NotFound");
        }
    }
    Ok(())
}

fn rows_mut<T: GameModel>(
    db: &mut Db<Game>,
    r: &mut GameRef,
    text: &str,
    through_edit_rows: bool,
    stats: &mut Stats,
) -> Result<(), String>
where
    Game: HasTable<T>,
{
    let order: Vec<Id<T>> = T::of(r).in_slot_order().iter().map(|rec| rec.id).collect();
    let mut seen = Vec::new();
    let verb = match through_edit_rows {
        false => {
            for (i, (id, view)) in db.rows_mut::<T>().enumerate() {
                seen.push(id);
                *T::view_text(view) = format!("{text}{i}");
            }
            "rows_mut"
        }
        true => {
            // The table is lent out: through the store it reads as empty, its indexes too.
            let mut lent = true;
            db.edit_rows::<T>(|db, id, view| {
                let table = db.table::<T>();
                lent &= table.is_empty() && db.get(id).is_err();
                lent &= db.table::<Player>().get_by(PlayerByName, "a").is_none()
                    || T::TABLE != "players";
                *T::view_text(view) = format!("{text}{}", seen.len());
                seen.push(id);
            });
            ensure!(
                lent,
                "edit_rows::<{}>: the table did not read as empty",
                T::TABLE
            );
            "edit_rows"
        }
    };
    ensure_eq!(
        seen,
        order,
        "rows_mut::<{}>: every row, in slot order",
        T::TABLE
    );
    for (i, id) in order.into_iter().enumerate() {
        let mut row = T::of(r).get(id).cloned().expect("live");
        *row.text_mut() = format!("{text}{i}");
        r.update(id, row);
    }
    count(stats, format!("{verb} {} ok", T::TABLE));
    Ok(())
}
