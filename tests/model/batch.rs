//! In-place views (`row_mut`, `rows_mut`, `edit_rows`), `insert_many` and `retain` on the
//! forum: each run on the store and on the reference, outcomes compared (the step's full
//! check then compares every read of the store).
//!
//! What the reference expects, as the store documents it:
//! - `row_mut` of a live row edits its text in place; of a stale id, `NotFound` and nothing
//!   changes.
//! - `rows_mut` and `edit_rows` visit every row once, in slot order (the reference sorts its
//!   rows by slot). While `edit_rows` runs, its table reads as empty through the store, the
//!   other tables as they are; a closure that panics at the k-th row leaves the edits of the
//!   rows before it (and of the k-th, if it wrote before panicking), and the table whole.
//! - `insert_many`: all or nothing. Refused: the position of the first row that cannot go in
//!   after the ones before it, one of the rules it breaks, every row handed back, the store
//!   unchanged. Accepted: the ids that one-by-one inserts would get (inserts into a second
//!   store loaded from the store's bytes), in order, the rows in creation order as given.
//! - `retain`: the predicate sees every row once, in slot order; the rows it drops are
//!   deleted at once with their cascades and set-nulls (the reference's delete of many
//!   roots); a restrict anywhere refuses the whole call; a panicking predicate changes nothing.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use relstore::{AnyId, Db, DeleteError, Fields, HasTable, Id, NotFound};

use crate::ops::{AnyRow, Stats, count, count_sizes, message, same_write_error, variant};
use crate::reference::{RELATIONS, RefDeleteError, RefModel, RefPlan, RefTable, Reference};
use crate::schema::*;

/// An in-place edit through a `Fields` view.
#[derive(Clone, Debug)]
pub enum InPlace {
    /// `db.row_mut(id)`, writing this text into the row's text field.
    RowMut(AnyId, String),
    /// `db.rows_mut()` over this table, writing this text, numbered, into every row.
    RowsMut(&'static str, String),
    /// `db.edit_rows()` over this table, writing into each row a text read from other tables
    /// through the store ([`Texted::derived`]); with `Some((k, write_first))`, the closure
    /// panics at the k-th row it sees, after writing it or not.
    EditRows(&'static str, Option<(usize, bool)>),
}

/// The rows of an `insert_many`, all of one table.
#[derive(Clone, Debug)]
pub enum Batch {
    Rows(Vec<AnyRow>),
    /// `n` rows like this one, numbered (as a bulk fan's).
    Fan(AnyRow, usize),
}

impl Batch {
    pub fn rows(&self) -> Vec<AnyRow> {
        match self {
            Batch::Rows(rows) => rows.clone(),
            Batch::Fan(row, n) => (0..*n).map(|i| row.numbered(i)).collect(),
        }
    }
}

/// The predicate of a `retain`: a row goes if it is a child of `under` (any relation; every
/// row if `None`) and a hash of its id, its text and `salt` falls below `percent` out of 100.
/// With `panic_at`, it panics at the row it sees at that position instead.
#[derive(Clone, Debug)]
pub struct Keep {
    pub salt: u64,
    pub percent: usize,
    pub under: Option<AnyId>,
    pub panic_at: Option<usize>,
}

pub const EDIT_ROWS_PANIC: &str = "deliberate panic in an edit_rows closure";
pub const RETAIN_PANIC: &str = "deliberate panic in a retain predicate";

/// A hash of an id's bits and a text, mixed with a salt (FNV-1a).
pub fn hash(bits: u64, text: &str, salt: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ salt;
    for byte in bits.to_le_bytes().iter().chain(text.as_bytes()) {
        h ^= u64::from(*byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (h >> 29)
}

impl Keep {
    /// Whether the row `id` (with this text, and keys read by the forum's relations) goes.
    fn drops(&self, bits: u64, row: &dyn Any, text: &str) -> bool {
        let under = (self.under)
            .is_none_or(|parent| RELATIONS.iter().any(|rel| rel.key_of(row) == Some(parent)));
        under && hash(bits, text, self.salt) % 100 < self.percent as u64
    }

    /// Whether the unit-schema row goes: the same, its parents given.
    pub fn drops_with(&self, bits: u64, parents: &[Option<AnyId>], text: &str) -> bool {
        let under = (self.under).is_none_or(|parent| parents.contains(&Some(parent)));
        under && hash(bits, text, self.salt) % 100 < self.percent as u64
    }
}

/// A row of the forum with a text field (name, title, body, bio) that in-place edits write.
pub trait Texted: RefModel + Fields + Clone
where
    Forum: HasTable<Self>,
{
    fn text(&self) -> &str;
    fn text_mut(&mut self) -> &mut String;
    fn view_text<'a>(view: Self::Mut<'a>) -> &'a mut String
    where
        Self: 'a;
    /// The text an `edit_rows` closure writes into this row: read from other tables through
    /// the store, its own table lent out (it reads as empty).
    fn derived(db: &Db<Forum>, view: &Self::Mut<'_>) -> String;
    /// What [`Texted::derived`] must give, from the reference.
    fn ref_derived(r: &Reference, row: &Self) -> String;
    fn from_any(row: AnyRow) -> Option<Self>;
}

/// A parent's text through the store, or `lent` if its table is the one lent out (or `gone`).
fn name_of<P: Texted>(db: &Db<Forum>, id: Option<Id<P>>) -> String
where
    Forum: HasTable<P>,
{
    match id {
        None => "-".into(),
        Some(id) => db
            .get(id)
            .map_or("lent".into(), |row| row.value().text().to_string()),
    }
}

fn ref_name_of<P: Texted>(r: &Reference, id: Option<Id<P>>, lent: bool) -> String
where
    Forum: HasTable<P>,
{
    match id {
        None => "-".into(),
        Some(_) if lent => "lent".into(),
        Some(id) => P::of(r).get(id).expect("a live parent").text().to_string(),
    }
}

impl Texted for User {
    fn text(&self) -> &str {
        &self.name
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.name
    }
    fn view_text<'a>(view: UserMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.name
    }
    fn derived(db: &Db<Forum>, view: &UserMut<'_>) -> String {
        let (users, posts) = (db.table::<User>().len(), db.table::<Post>().len());
        format!("{users} users, {posts} posts, score {}", view.score)
    }
    fn ref_derived(r: &Reference, row: &User) -> String {
        format!("0 users, {} posts, score {}", r.posts.rows.len(), row.score)
    }
    fn from_any(row: AnyRow) -> Option<Self> {
        match row {
            AnyRow::User(row) => Some(row),
            _ => None,
        }
    }
}

impl Texted for Post {
    fn text(&self) -> &str {
        &self.title
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.title
    }
    fn view_text<'a>(view: PostMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.title
    }
    fn derived(db: &Db<Forum>, view: &PostMut<'_>) -> String {
        let author = name_of(db, Some(*view.author_id));
        let editor = name_of(db, *view.editor_id);
        let category = name_of(db, *view.category_id);
        format!("by {author}, edited by {editor}, in {category}")
    }
    fn ref_derived(r: &Reference, row: &Post) -> String {
        let author = ref_name_of(r, Some(row.author_id), false);
        let editor = ref_name_of(r, row.editor_id, false);
        let category = ref_name_of(r, row.category_id, false);
        format!("by {author}, edited by {editor}, in {category}")
    }
    fn from_any(row: AnyRow) -> Option<Self> {
        match row {
            AnyRow::Post(row) => Some(row),
            _ => None,
        }
    }
}

impl Texted for Comment {
    fn text(&self) -> &str {
        &self.body
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.body
    }
    fn view_text<'a>(view: CommentMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.body
    }
    fn derived(db: &Db<Forum>, view: &CommentMut<'_>) -> String {
        let post = name_of(db, Some(*view.post_id));
        let author = name_of(db, Some(*view.author_id));
        let reply_to = name_of(db, *view.reply_to);
        format!("on {post} by {author}, to {reply_to}")
    }
    fn ref_derived(r: &Reference, row: &Comment) -> String {
        let post = ref_name_of(r, Some(row.post_id), false);
        let author = ref_name_of(r, Some(row.author_id), false);
        let reply_to = ref_name_of(r, row.reply_to, true);
        format!("on {post} by {author}, to {reply_to}")
    }
    fn from_any(row: AnyRow) -> Option<Self> {
        match row {
            AnyRow::Comment(row) => Some(row),
            _ => None,
        }
    }
}

impl Texted for Profile {
    fn text(&self) -> &str {
        &self.bio
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.bio
    }
    fn view_text<'a>(view: ProfileMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.bio
    }
    fn derived(db: &Db<Forum>, view: &ProfileMut<'_>) -> String {
        let user = name_of(db, Some(*view.user_id));
        let featured = name_of(db, *view.featured_post_id);
        format!("{user}'s, featuring {featured}")
    }
    fn ref_derived(r: &Reference, row: &Profile) -> String {
        let user = ref_name_of(r, Some(row.user_id), false);
        let featured = ref_name_of(r, row.featured_post_id, false);
        format!("{user}'s, featuring {featured}")
    }
    fn from_any(row: AnyRow) -> Option<Self> {
        match row {
            AnyRow::Profile(row) => Some(row),
            _ => None,
        }
    }
}

impl Texted for Category {
    fn text(&self) -> &str {
        &self.name
    }
    fn text_mut(&mut self) -> &mut String {
        &mut self.name
    }
    fn view_text<'a>(view: CategoryMut<'a>) -> &'a mut String
    where
        Self: 'a,
    {
        view.name
    }
    fn derived(db: &Db<Forum>, view: &CategoryMut<'_>) -> String {
        let parent = name_of(db, *view.parent_id);
        format!(
            "under {parent}, {} categories",
            db.table::<Category>().len()
        )
    }
    fn ref_derived(r: &Reference, row: &Category) -> String {
        format!(
            "under {}, 0 categories",
            ref_name_of(r, row.parent_id, true)
        )
    }
    fn from_any(row: AnyRow) -> Option<Self> {
        match row {
            AnyRow::Category(row) => Some(row),
            _ => None,
        }
    }
}

/// Sets the text of many rows of the reference in one pass.
fn set_texts<T: Texted>(table: &mut RefTable<T>, texts: HashMap<Id<T>, String>)
where
    Forum: HasTable<T>,
{
    for rec in &mut table.rows {
        if let Some(text) = texts.get(&rec.id) {
            *rec.row.text_mut() = text.clone();
        }
    }
}

pub fn in_place(
    db: &mut Db<Forum>,
    r: &mut Reference,
    op: &InPlace,
    stats: &mut Stats,
) -> Result<(), String> {
    use crate::reference::by_table;
    match op {
        InPlace::RowMut(id, text) => {
            by_table!(id.table(), T => row_mut::<T>(db, r, id.typed().unwrap(), text, stats))
        }
        InPlace::RowsMut(table, text) => by_table!(table, T => rows_mut::<T>(db, r, text, stats)),
        InPlace::EditRows(table, panic_at) => {
            by_table!(table, T => edit_rows::<T>(db, r, *panic_at, stats))
        }
    }
}

fn row_mut<T: Texted>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    id: Id<T>,
    text: &str,
    stats: &mut Stats,
) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    let live = T::of(r).get(id).is_some();
    match db.row_mut(id) {
        Ok(view) => {
            ensure!(live, "row_mut of stale {id:?} gave a view");
            *T::view_text(view) = text.to_string();
            set_texts(T::of_mut(r), HashMap::from([(id, text.to_string())]));
            count(stats, "row_mut ok");
        }
        Err(e) => {
            ensure!(!live, "row_mut of live {id:?}: {e:?}");
            ensure_eq!(e, NotFound { id: id.into() }, "row_mut of stale {id:?}");
            count(stats, "row_mut NotFound");
        }
    }
    Ok(())
}

fn rows_mut<T: Texted>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    text: &str,
    stats: &mut Stats,
) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    let order: Vec<Id<T>> = T::of(r).in_slot_order().iter().map(|rec| rec.id).collect();
    let rows = db.rows_mut::<T>();
    ensure_eq!(rows.len(), order.len(), "rows_mut::<{}>().len()", T::TABLE);
    let mut seen = Vec::new();
    for (i, (id, view)) in rows.enumerate() {
        seen.push(id);
        *T::view_text(view) = format!("{text}{i}");
    }
    ensure_eq!(
        seen,
        order,
        "rows_mut::<{}>: every row, in slot order",
        T::TABLE
    );
    let texts = order.iter().enumerate();
    set_texts(
        T::of_mut(r),
        texts.map(|(i, &id)| (id, format!("{text}{i}"))).collect(),
    );
    count(stats, format!("rows_mut {} ok", T::TABLE));
    Ok(())
}

fn edit_rows<T: Texted>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    panic_at: Option<(usize, bool)>,
    stats: &mut Stats,
) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    let rows = T::of(r).in_slot_order();
    let order: Vec<Id<T>> = rows.iter().map(|rec| rec.id).collect();
    let texts: Vec<String> = rows.iter().map(|rec| T::ref_derived(r, &rec.row)).collect();
    let n = order.len();
    let panics = panic_at.filter(|&(k, _)| k < n);
    let mut seen = Vec::new();
    let mut lent = true;
    let got = catch_unwind(AssertUnwindSafe(|| {
        db.edit_rows::<T>(|db, id, view| {
            let k = seen.len();
            seen.push(id);
            lent &= db.get(id).is_err() && db.table::<T>().is_empty() && !db.contains(id);
            let text = T::derived(db, &view);
            match panics {
                Some((at, write_first)) if at == k => {
                    if write_first {
                        *T::view_text(view) = text;
                    }
                    resume_unwind(Box::new(EDIT_ROWS_PANIC))
                }
                _ => *T::view_text(view) = text,
            }
        })
    }));
    let name = T::TABLE;
    ensure!(lent, "edit_rows::<{name}>: the table did not read as empty");
    let (visited, edited) = match panics {
        Some((k, write_first)) => (k + 1, k + usize::from(write_first)),
        None => (n, n),
    };
    ensure_eq!(
        seen,
        order[..visited],
        "edit_rows::<{name}>: rows seen, in slot order"
    );
    match (got, panics) {
        (Ok(()), None) => count(stats, format!("edit_rows {name} ok")),
        (Err(payload), Some((k, _))) => {
            let panic = message(&*payload);
            ensure_eq!(
                panic,
                EDIT_ROWS_PANIC,
                "edit_rows::<{name}>: the panic goes on"
            );
            count(stats, "edit_rows panicked in closure");
            if k > 0 {
                count(stats, "edit_rows panicked, earlier rows keep their edits");
            }
        }
        (got, _) => {
            let got = got.map_err(|payload| message(&*payload));
            return Err(format!(
                "edit_rows::<{name}>: store {got:?}, reference panics at {panics:?}"
            ));
        }
    }
    let edits = order.into_iter().zip(texts).take(edited);
    set_texts(T::of_mut(r), edits.collect());
    Ok(())
}

pub fn insert_many_any(
    db: &mut Db<Forum>,
    r: &mut Reference,
    batch: &Batch,
    stats: &mut Stats,
) -> Result<(), String> {
    use crate::reference::by_table;
    let rows = batch.rows();
    let Some(table) = rows.first().map(AnyRow::table) else {
        return Ok(());
    };
    by_table!(table, T => {
        let rows: Vec<T> = rows.into_iter().map(|row| T::from_any(row).expect("one table")).collect();
        insert_many::<T>(db, r, rows, stats)
    })
}

fn insert_many<T: Texted>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    rows: Vec<T>,
    stats: &mut Stats,
) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    let refusal = r.batch_refusal(&rows);
    // The ids one-by-one inserts get, from a second store loaded from this one's bytes.
    let one_by_one: Vec<Id<T>> = match refusal {
        Some(_) => Vec::new(),
        None => {
            let mut twin = Db::<Forum>::read_from(&crate::save::write(db)?[..])
                .map_err(|e| format!("read_from: {e}"))?;
            let ids = rows.iter().map(|row| twin.insert(row.clone()));
            ids.collect::<Result<_, _>>()
                .map_err(|e| format!("one-by-one insert into the twin: {e:?}"))?
        }
    };
    let name = T::TABLE;
    match (db.insert_many(rows.clone()), refusal) {
        (Ok(ids), None) => {
            ensure_eq!(
                ids,
                one_by_one,
                "insert_many::<{name}>: the ids one by one gives"
            );
            let table = T::of(r);
            let known: HashSet<Id<T>> = table.ids().chain(table.dead.iter().copied()).collect();
            let fresh: HashSet<Id<T>> = ids.iter().copied().collect();
            ensure!(
                fresh.len() == ids.len() && fresh.is_disjoint(&known),
                "insert_many::<{name}> returned ids already handed out: {ids:?}"
            );
            for (&id, row) in ids.iter().zip(rows) {
                if let Some(what) = T::of_mut(r).took_slot(id) {
                    count(stats, format!("insert_many: {what}"));
                }
                r.insert(id, row);
            }
            count(stats, "insert_many ok");
            if ids.len() > 1000 {
                count(stats, "insert_many of more than 1000 rows");
            }
        }
        (Err(e), Some((position, violations))) => {
            ensure_eq!(
                e.position,
                position,
                "insert_many::<{name}> refused at the first bad row ({violations:?}); error {:?}",
                e.error
            );
            same_write_error(&e.error, &violations, None)?;
            ensure!(
                e.rows == rows,
                "insert_many::<{name}>: the rows handed back"
            );
            count(stats, format!("insert_many {}", variant(&e.error)));
            if position > 0 {
                count(stats, "insert_many refused after good rows");
            }
        }
        (got, want) => {
            let got = got.map(|ids| ids.len());
            return Err(format!(
                "insert_many::<{name}>: store {got:?}, reference refuses {want:?}"
            ));
        }
    }
    Ok(())
}

pub fn retain_any(
    db: &mut Db<Forum>,
    r: &mut Reference,
    table: &str,
    keep: &Keep,
    stats: &mut Stats,
) -> Result<(), String> {
    use crate::reference::by_table;
    by_table!(table, T => retain::<T>(db, r, keep, stats))
}

fn retain<T: Texted>(
    db: &mut Db<Forum>,
    r: &mut Reference,
    keep: &Keep,
    stats: &mut Stats,
) -> Result<(), String>
where
    Forum: HasTable<T>,
{
    let name = T::TABLE;
    let rows = T::of(r).in_slot_order();
    let order: Vec<Id<T>> = rows.iter().map(|rec| rec.id).collect();
    let roots: Vec<AnyId> = (rows.iter())
        .filter(|rec| keep.drops(rec.id.to_bits(), &rec.row, rec.row.text()))
        .map(|rec| rec.id.into())
        .collect();
    let n = order.len();
    let panics = keep.panic_at.filter(|&k| k < n);
    let want = r.plan_delete_many(&roots);
    let mut seen = Vec::new();
    let got = catch_unwind(AssertUnwindSafe(|| {
        db.retain::<T>(|row| {
            if panics == Some(seen.len()) {
                resume_unwind(Box::new(RETAIN_PANIC));
            }
            seen.push(row.id());
            !keep.drops(row.id().to_bits(), row.value(), row.value().text())
        })
    }));
    let visited = panics.unwrap_or(n);
    ensure_eq!(
        seen,
        order[..visited],
        "retain::<{name}>: rows seen, in slot order"
    );
    let got = match (got, panics) {
        (Err(payload), Some(_)) => {
            let panic = message(&*payload);
            ensure_eq!(panic, RETAIN_PANIC, "retain::<{name}>: the panic goes on");
            count(stats, "retain panicked in predicate");
            return Ok(()); // the step's full check shows the store unchanged
        }
        (Ok(got), None) => got,
        (got, _) => {
            let got = got.map_err(|payload| message(&*payload));
            return Err(format!(
                "retain::<{name}>: store {got:?}, reference panics at {panics:?}"
            ));
        }
    };
    retained(got, want, &roots, &format!("retain {name}"), r, stats)
}

/// A retain's outcome against the reference's plan of the delete of `roots` (the forum's).
fn retained(
    got: Result<usize, DeleteError>,
    want: Result<RefPlan, RefDeleteError>,
    roots: &[AnyId],
    what: &str,
    r: &mut Reference,
    stats: &mut Stats,
) -> Result<(), String> {
    let plan = retain_outcome(got, want, roots, what, stats)?;
    if let Some(plan) = plan {
        r.apply(&plan);
    }
    Ok(())
}

/// Compares a retain's outcome with the reference's plan and counts it; the plan to apply
/// to the reference if the rows went.
pub fn retain_outcome(
    got: Result<usize, DeleteError>,
    want: Result<RefPlan, RefDeleteError>,
    roots: &[AnyId],
    what: &str,
    stats: &mut Stats,
) -> Result<Option<RefPlan>, String> {
    match (got, want) {
        (Ok(deleted), Ok(plan)) => {
            ensure_eq!(deleted, plan.deleted.len(), "{what}: rows deleted in all");
            count(stats, format!("{what} ok"));
            if roots.is_empty() {
                count(stats, "retain deleted nothing");
            }
            if plan.deleted.len() > roots.len() {
                count(stats, "retain cascaded");
            }
            if !plan.nullified.is_empty() {
                count(stats, "retain set keys to null");
            }
            count_sizes(stats, "retain", &plan);
            if plan.deleted.len() > 1000 {
                count(stats, "retain of more than 1000 rows");
            }
            Ok(Some(plan))
        }
        (
            Err(DeleteError::Restricted {
                relation,
                parent,
                child,
            }),
            Err(RefDeleteError::Blocked(blockers)),
        ) => {
            let named = (relation.name, parent, child);
            ensure!(
                blockers.contains(&named),
                "{what}: store blocked by {named:?}, reference's blockers {blockers:?}"
            );
            count(stats, "retain Restricted");
            Ok(None)
        }
        (got, want) => Err(format!("{what}: store {got:?}, reference {want:?}")),
    }
}
