//! A row that knows its id and navigates relations, and the children of one parent.

use std::iter::FusedIterator;
use std::ops::Deref;

use crate::db::Db;
use crate::fk_index::ChildKeys;
use crate::id::{Id, RowKey};
use crate::model::Model;
use crate::relation::{HasMany, HasOne, ParentRow, Relation};
use crate::schema::{HasRelation, Schema};
use crate::table::Table;

/// A row read from the store: derefs to the struct, knows its id, and navigates relations.
///
/// It borrows the store, so it cannot outlive a mutation. Copying it is free.
///
/// ```
/// # use relstore::{Db, Id, Model};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Serialize, Deserialize, Model)]
/// # #[relstore(table = "categories")]
/// # struct Category { name: String, parent_id: Option<Id<Category>> }
/// relstore::belongs_to!(Parent: Category.parent_id -> Category, has_many, on_delete = Cascade);
///
/// relstore::schema! { struct Shop { categories: Category } relations { Parent } }
///
/// let mut db = Db::<Shop>::new();
/// let root = db.insert(Category { name: "games".into(), parent_id: None })?;
/// let rpg = db.insert(Category { name: "rpg".into(), parent_id: Some(root) })?;
///
/// let row = db.get(rpg)?;
/// assert_eq!(row.id(), rpg);
/// assert_eq!(row.name, "rpg"); // Deref to Category
/// assert_eq!(row.belongs_to(Parent).map(|p| p.id()), Some(root)); // an optional key
/// assert_eq!(db.get(root)?.has_many(Parent).map(|c| c.id()).collect::<Vec<_>>(), [rpg]);
/// # Ok::<(), relstore::Error>(())
/// ```
#[must_use]
pub struct Row<'db, T, S> {
    db: &'db Db<S>,
    id: Id<T>,
    row: &'db T,
}

impl<'db, T: Model, S: Schema> Row<'db, T, S> {
    #[inline]
    pub(crate) fn new(db: &'db Db<S>, id: Id<T>, row: &'db T) -> Self {
        Row { db, id, row }
    }

    /// The row's id.
    #[inline]
    pub fn id(&self) -> Id<T> {
        self.id
    }

    /// The row's struct, borrowed for as long as the store is (`Deref` borrows it only for as
    /// long as this `Row`). Use it to return a reference out of a closure:
    /// `.map(|post| post.value().title.as_str())` compiles where `post.title.as_str()` would
    /// borrow the `Row` the closure is about to drop.
    #[inline]
    pub fn value(&self) -> &'db T {
        self.row
    }

    /// The row's children under has-many relation `R`, in creation order (see
    /// [`Db::has_many`]).
    #[inline]
    pub fn has_many<R>(&self, relation: R) -> Children<'db, R::Child, S>
    where
        R: Relation<Parent = T, Kind = HasMany>,
        S: HasRelation<R>,
    {
        let _ = relation;
        let keys = self.db.index::<R>().children(self.id.key());
        Children::new(self.db, keys, self.db.rows::<R::Child>())
    }

    /// The row's one child under has-one relation `R`, if it has one.
    ///
    /// Asking a has-many relation for "the one child" does not compile: the relation's
    /// `Kind` must be [`HasOne`].
    #[inline]
    pub fn has_one<R>(&self, relation: R) -> Option<Row<'db, R::Child, S>>
    where
        R: Relation<Parent = T, Kind = HasOne>,
        S: HasRelation<R>,
    {
        let _ = relation;
        let keys = self.db.index::<R>().children(self.id.key());
        Children::new(self.db, keys, self.db.rows::<R::Child>()).next()
    }

    /// The row's parent under relation `R`: its `Row` for a required key, `Option<Row>` for
    /// an optional one (`None` only when the key is null).
    #[inline]
    pub fn belongs_to<R>(&self, relation: R) -> ParentRow<'db, R, S>
    where
        R: Relation<Child = T>,
        S: HasRelation<R>,
    {
        self.db.relation(relation).parent_of_stored(self.row)
    }
}

impl<T, S> Deref for Row<'_, T, S> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        self.row
    }
}

impl<T, S> Clone for Row<'_, T, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, S> Copy for Row<'_, T, S> {}

impl<T: Model + std::fmt::Debug, S> std::fmt::Debug for Row<'_, T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row")
            .field("id", &self.id)
            .field("row", self.row)
            .finish()
    }
}

/// The children of one parent under a has-many relation, in creation order; from
/// [`Db::has_many`] or [`Row::has_many`]. Reads the foreign-key index in place: no allocation,
/// O(1) to start, [`len`](ExactSizeIterator::len) is O(1).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Children<'db, C: Model, S> {
    db: &'db Db<S>,
    keys: ChildKeys<'db>,
    rows: &'db Table<C>,
}

impl<'db, C: Model, S: Schema> Children<'db, C, S> {
    #[inline]
    pub(crate) fn new(db: &'db Db<S>, keys: ChildKeys<'db>, rows: &'db Table<C>) -> Self {
        Children { db, keys, rows }
    }

    /// The remaining children's ids, without reading their rows.
    pub fn ids(self) -> impl ExactSizeIterator<Item = Id<C>> + DoubleEndedIterator + 'db {
        self.keys.map(Id::from_key)
    }

    /// The row of `key`. The index only holds live children, so `None` means a bug; it ends
    /// the iteration rather than panicking. (Skipping to the next key instead puts a second
    /// loop in every caller's loop and costs a has-many about 15%.)
    #[inline]
    fn row(&mut self, key: RowKey) -> Option<Row<'db, C, S>> {
        let Some((key, row)) = self.rows.get_kept(key) else {
            self.keys = Default::default();
            return None;
        };
        Some(Row::new(self.db, Id::from_key(key), row))
    }
}

impl<'db, C: Model, S: Schema> Iterator for Children<'db, C, S> {
    type Item = Row<'db, C, S>;

    #[inline]
    fn next(&mut self) -> Option<Row<'db, C, S>> {
        let key = self.keys.next()?;
        self.row(key)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.keys.size_hint()
    }

    /// `sum`, `for_each`, `count` and the like: a counted loop over each run of stored keys,
    /// as over a slice. Ends, like `next`, at a key without a row.
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(mut self, init: B, mut f: F) -> B {
        let mut acc = init;
        while let Some(keys) = self.keys.next_slice() {
            for &key in keys {
                let Some((key, row)) = self.rows.get_kept(key) else {
                    return acc;
                };
                acc = f(acc, Row::new(self.db, Id::from_key(key), row));
            }
        }
        acc
    }
}

impl<C: Model, S: Schema> DoubleEndedIterator for Children<'_, C, S> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let key = self.keys.next_back()?;
        self.row(key)
    }
}

impl<C: Model, S: Schema> ExactSizeIterator for Children<'_, C, S> {}
impl<C: Model, S: Schema> FusedIterator for Children<'_, C, S> {}

impl<C: Model, S> std::fmt::Debug for Children<'_, C, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Children")
            .field("remaining", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl<C: Model, S> Clone for Children<'_, C, S> {
    fn clone(&self) -> Self {
        Children {
            db: self.db,
            keys: self.keys.clone(),
            rows: self.rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Children;
    use crate::{Db, Model};

    #[derive(Clone, serde::Serialize, serde::Deserialize)]
    struct Note(u32);
    impl Model for Note {
        const TABLE: &'static str = "notes";
        const KEYS: &'static [crate::KeyField] = &[];
        type Indexes = ();
    }
    crate::schema! { struct Notes { notes: Note } relations {} }

    #[test]
    fn a_key_without_a_row_ends_the_children_for_good() {
        // Only a bug can put such a key in an index; build the list by hand.
        let mut db = Db::<Notes>::new();
        let [first, gone, last] = [1, 2, 3].map(|n| db.insert(Note(n)).unwrap());
        db.delete(gone).unwrap();
        let keys = [first.key(), gone.key(), last.key()];

        let mut forward = Children::new(&db, keys[..].into(), db.rows::<Note>());
        assert_eq!(forward.next().map(|note| note.0), Some(1));
        assert!(forward.next().is_none());
        assert!(
            forward.next().is_none(),
            "fused: the row after the gap is not reached"
        );

        let mut backward = Children::new(&db, keys[..].into(), db.rows::<Note>());
        assert_eq!(backward.next_back().map(|note| note.0), Some(3));
        assert!(backward.next_back().is_none());
        assert!(backward.next().is_none());

        let folded = Children::new(&db, keys[..].into(), db.rows::<Note>()).fold(
            Vec::new(),
            |mut seen, note| {
                seen.push(note.0);
                seen
            },
        );
        assert_eq!(folded, [1], "fold stops at the gap too");
    }
}
