//! The store: tables, relations and their indexes, behind one API.
//!
//! Reads live here. Writes are checked in [`write`] (insert, update), [`bulk`] (batches,
//! retain) and [`delete`], then applied by [`mutation`], the one place that changes rows and
//! indexes; [`integrity`] verifies the rules from the rows alone.

mod bulk;
mod bulk_edit;
mod delete;
mod in_place;
mod integrity;
mod mutation;
mod write;

use std::any::Any;

pub use delete::DeletePlan;
pub use in_place::RowsMut;

use crate::error::NotFound;
use crate::fk_index::FkIndex;
use crate::handle::{RelationRef, TableRef};
use crate::id::Id;
use crate::model::Model;
use crate::relation::{HasMany, HasOne, ParentRow, Relation, RelationInfo};
use crate::row::{Children, Row};
use crate::schema::{
    self, HasRelation, HasTable, RelationSlot, Schema, TableLinks, TablePos, TableVisitor,
};
use crate::table::Table;

/// An in-memory relational store: typed tables, relations kept in sync, referential integrity.
///
/// `S` is the store's schema, declared with [`schema!`](crate::schema): the tables and
/// relations are known when the program compiles, so a read goes straight to its table (close
/// to a hand-written slotmap's speed) and using a table or relation the schema lacks does not
/// compile. Create a store with [`Db::new`]. Reads hand out [`Row`]s, which deref to your struct and
/// navigate relations; writes go through [`Db::insert`], [`Db::edit`], [`Db::update`],
/// [`Db::replace`] and [`Db::delete`], which check every foreign key and keep every index in
/// sync. The one `&mut` to a stored row is the one [`Db::edit`] lends its closure, after which
/// the store checks the keys, so a foreign key can never change behind an index's back.
///
/// ```
/// use relstore::{Db, Id, Model};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "users")]
/// struct User { username: String }
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "posts")]
/// struct Post { user_id: Id<User>, title: String }
///
/// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
///
/// relstore::schema! {
///     struct Blog { users: User, posts: Post }
///     relations { PostAuthor }
/// }
///
/// let mut db = Db::<Blog>::new();
/// let alice = db.insert(User { username: "alice".into() })?;
/// let hello = db.insert(Post { user_id: alice, title: "Hello".into() })?;
///
/// for post in db.get(alice)?.has_many(PostAuthor) {
///     println!("{}", post.title);
/// }
/// let author = db.get(hello)?.belongs_to(PostAuthor); // a required key: the user itself
/// assert_eq!(author.username, "alice");
///
/// db.update(hello, |post| post.title = "Hello again".into())?;
/// db.delete(alice)?; // cascades to the posts
/// assert!(!db.contains(hello));
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct Db<S> {
    /// One typed arena per table and the foreign-key indexes, reached by type or, through
    /// the schema's dispatcher, by position.
    tables: S,
    links: Box<[TableLinks]>,
    relations: Box<[RelationSlot]>,
    /// Reused by every delete, so that a plain delete allocates nothing.
    cascade_scratch: delete::Cascade,
}

impl<S: Schema> Default for Db<S> {
    fn default() -> Self {
        Db::new()
    }
}

impl<S: Schema> Db<S> {
    /// An empty store with schema `S`.
    pub fn new() -> Self {
        let (links, relations) = schema::links::<S>();
        Db {
            tables: S::__new(),
            links,
            relations,
            cascade_scratch: delete::Cascade::default(),
        }
    }

    /// The row `id` names.
    ///
    /// # Errors
    /// [`NotFound`] for a stale id.
    #[inline]
    pub fn get<T: Model>(&self, id: Id<T>) -> Result<Row<'_, T, S>, NotFound>
    where
        S: HasTable<T>,
    {
        self.table::<T>().get(id).ok_or_else(|| NotFound::new(id))
    }

    /// Whether `id` names a row of this store.
    #[inline]
    pub fn contains<T: Model>(&self, id: Id<T>) -> bool
    where
        S: HasTable<T>,
    {
        self.rows::<T>().contains_key(id.key())
    }

    /// A typed handle on table `T`, to read rows, iterate and count.
    #[inline]
    pub fn table<T: Model>(&self) -> TableRef<'_, T, S>
    where
        S: HasTable<T>,
    {
        TableRef::new(self)
    }

    /// A typed handle on relation `R`, to navigate it both ways and count children.
    #[inline]
    pub fn relation<R: Relation>(&self, relation: R) -> RelationRef<'_, R, S>
    where
        S: HasRelation<R>,
    {
        let _ = relation; // the value only names the type
        RelationRef::new(self)
    }

    /// The children of `parent` under has-many relation `R`, oldest first.
    ///
    /// Children are in the order the child rows were **created** (inserted), not the order
    /// they joined this parent: a child moved here from another parent by an update takes its
    /// place among its new siblings by its creation. Finding them is O(1), iterating them
    /// allocates nothing, and the answer is never stale: a child inserted a moment ago is
    /// there. [`Row::has_many`] and [`RelationRef::has_many`] give the same answer.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let (ann, bob) = (db.insert(User { name: "ann".into() })?, db.insert(User { name: "bob".into() })?);
    /// let old = db.insert(Post { user_id: ann, title: "old".into() })?;
    /// let mid = db.insert(Post { user_id: bob, title: "mid".into() })?;
    /// let new = db.insert(Post { user_id: bob, title: "new".into() })?;
    /// db.update(old, |post| post.user_id = bob)?; // joins bob last, but was created first
    /// let titles: Vec<&str> = db
    ///     .has_many(PostAuthor, bob)?
    ///     .map(|post| post.value().title.as_str()) // `value()`: a borrow of the store, not of `post`
    ///     .collect();
    /// assert_eq!(titles, ["old", "mid", "new"]);
    /// # let _ = (mid, new);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`NotFound`] for a stale parent id (a parent without children gives none).
    #[inline]
    pub fn has_many<R>(
        &self,
        relation: R,
        parent: Id<R::Parent>,
    ) -> Result<Children<'_, R::Child, S>, NotFound>
    where
        R: Relation<Kind = HasMany>,
        S: HasRelation<R>,
    {
        self.relation(relation).has_many(parent)
    }

    /// The one child of `parent` under has-one relation `R`, if it has one.
    ///
    /// # Errors
    /// [`NotFound`] for a stale parent id.
    #[inline]
    pub fn has_one<R>(
        &self,
        relation: R,
        parent: Id<R::Parent>,
    ) -> Result<Option<Row<'_, R::Child, S>>, NotFound>
    where
        R: Relation<Kind = HasOne>,
        S: HasRelation<R>,
    {
        self.relation(relation).has_one(parent)
    }

    /// The parent of `child` under relation `R`: its [`Row`] for a required key (`Id<_>`),
    /// `Option<Row>` for an optional one (`Option<Id<_>>`, `None` only when it is null).
    ///
    /// # Errors
    /// [`NotFound`] for a stale child id: never confused with a null key.
    #[inline]
    pub fn belongs_to<R: Relation>(
        &self,
        relation: R,
        child: Id<R::Child>,
    ) -> Result<ParentRow<'_, R, S>, NotFound>
    where
        S: HasRelation<R>,
    {
        self.relation(relation).belongs_to(child)
    }

    /// The description of every relation of the schema, in declaration order.
    pub fn relation_infos(&self) -> impl ExactSizeIterator<Item = &'static RelationInfo> + '_ {
        self.relations.iter().map(|r| r.info)
    }

    // ---- typed access, shared by the read and write paths ----

    #[inline]
    pub(crate) fn rows<T: Model>(&self) -> &Table<T>
    where
        S: HasTable<T>,
    {
        self.tables.__rows()
    }

    #[inline]
    pub(crate) fn index<R: Relation>(&self) -> &FkIndex
    where
        S: HasRelation<R>,
    {
        &self.tables.__indexes()[S::RELATION_POS]
    }

    /// Every foreign-key index compared with one rebuilt from the rows alone (now part of
    /// [`Db::check_integrity`]); kept for the tests written against it.
    #[doc(hidden)]
    pub fn __check_indexes(&self) -> Result<(), String> {
        self.check_integrity().map_err(|e| e.to_string())
    }
}

/// `row` as a child of relation `R`, if `T` is `R`'s child table. Both types are known when this
/// is compiled, so the check folds away and costs nothing at run time.
#[inline]
fn as_child<R: Relation, T: Model>(row: &T) -> Option<&R::Child> {
    (row as &dyn Any).downcast_ref()
}

/// Prints each table's name and row count: `{"users": 2, "posts": 5}`.
impl<S: Schema> std::fmt::Debug for Db<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Count<'a, S>(&'a S, usize);
        impl<S: Schema> TableVisitor<S> for Count<'_, S> {
            fn visit<T: Model>(&mut self)
            where
                S: HasTable<T>,
            {
                self.1 = <S as HasTable<T>>::__rows(self.0).len();
            }
        }
        let mut map = f.debug_map();
        for (t, table) in TablePos::all(self.links.len()).zip(&self.links) {
            let mut count = Count(&self.tables, 0);
            S::__visit_table(t, &mut count);
            map.entry(&table.name, &count.1);
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    #[derive(Clone, serde::Serialize, serde::Deserialize)]
    struct Note;
    impl crate::Model for Note {
        const TABLE: &'static str = "notes";
        const KEYS: &'static [crate::KeyField] = &[];
        type Indexes = ();
    }
    crate::schema! { struct Notes { notes: Note } relations {} }

    #[test]
    fn a_store_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::Db<Notes>>();
    }
}
