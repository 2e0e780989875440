//! The borrowed tree, stored by level: one `Vec` per has-many level, each row beside what it
//! keeps of the level under it (its children's span in the next `Vec`, or a row inline). Its
//! nodes are views ([`Node`], [`Nodes`]) that hand out the level under them.

use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::ops::Deref;

use super::debug::{DebugLoad, Slot};
use super::load::Load;
use super::owned::Owned;
use crate::model::Model;
use crate::row::Row;
use crate::schema::Schema;

/// A row of a stored level, beside what it keeps of the level under it (spec `W`).
pub(super) type Entry<'db, T, S, W> = (Row<'db, T, S>, <W as Load<T, S>>::Slot<'db>);

/// One has-many level of a borrowed tree: every parent's children, parent after parent, and
/// the levels under them. Public only to name [`Load`]'s hidden types.
///
/// The rows sit in chunks, a parent's children in one of them, pushed in turn onto the last.
/// A chunk never grows past the capacity it is made with, so a load never copies a level.
/// When how many children a parent keeps is known before (a level without a filter), a family
/// that does not fit in the last chunk's room starts a new chunk, as big as the level so far
/// plus the family. Otherwise children are pushed as they come, and a family that fills the
/// last chunk moves, with its rows so far, to a new chunk as big as the level plus twice the
/// family. So a level takes a few allocations, copies no more than one family at a time, and
/// its chunks hold at most about three times its rows, twice in the common case, whatever
/// filters drop (`tests/memory_eager.rs`, `tests/attack_eager_levels.rs`).
#[doc(hidden)]
pub struct Level<'db, C: Model, S: Schema, W: Load<C, S>> {
    /// The full chunks, then the one being pushed onto.
    full: Vec<Vec<Entry<'db, C, S, W>>>,
    last: Vec<Entry<'db, C, S, W>>,
    /// How many rows the chunks hold, but for the family being pushed.
    rows: usize,
    /// Where a sorting level gathers one parent's children; empty between parents.
    pub(super) scratch: Vec<Row<'db, C, S>>,
    pub(super) below: W::Levels<'db>,
}

/// Where a parent's children sit in their level: a chunk, and a range of it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    chunk: usize,
    start: usize,
    end: usize,
}

/// The smallest chunk a level makes, in rows.
const FIRST_CHUNK: usize = 16;

/// One parent's children being pushed onto a level: they stay together, in one chunk.
pub(super) struct Siblings<'a, 'db, C: Model, S: Schema, W: Load<C, S>> {
    last: &'a mut Vec<Entry<'db, C, S, W>>,
    full: &'a mut Vec<Vec<Entry<'db, C, S, W>>>,
    /// Where the family starts in `last`.
    start: usize,
    /// The level's rows before this family.
    rows: usize,
}

impl<'db, C: Model, S: Schema, W: Load<C, S>> Siblings<'_, 'db, C, S, W> {
    /// Adds a child after the family's others.
    #[inline]
    pub(super) fn push(&mut self, entry: Entry<'db, C, S, W>) {
        if self.last.len() == self.last.capacity() {
            self.next_chunk();
        }
        self.last.push(entry);
    }

    /// The last chunk is full: a new one takes the family so far. A chunk the family had to
    /// itself goes (no other span names it).
    #[cold]
    #[inline(never)]
    fn next_chunk(&mut self) {
        let family = self.last.len() - self.start;
        let size = (self.rows + 2 * (family + 1)).max(FIRST_CHUNK);
        let mut chunk = Vec::with_capacity(size);
        chunk.extend(self.last.drain(self.start..));
        let full = std::mem::replace(self.last, chunk);
        if !full.is_empty() {
            self.full.push(full);
        }
        self.start = 0;
    }
}

impl<'db, C: Model, S: Schema, W: Load<C, S>> Level<'db, C, S, W> {
    /// Adds a parent's children: `fill` pushes them onto the [`Siblings`] it is given (and may
    /// load the levels under them, through `below`, and sort in `scratch`); `kept` is how
    /// many it will push, if that is known before (no filter).
    #[inline]
    pub(super) fn push(
        &mut self,
        kept: Option<usize>,
        fill: impl FnOnce(
            &mut Siblings<'_, 'db, C, S, W>,
            &mut Vec<Row<'db, C, S>>,
            &mut W::Levels<'db>,
        ),
    ) -> Span {
        // A family known not to fit starts a chunk of its own, so it never moves.
        if let Some(room) = kept.filter(|&room| self.last.capacity() - self.last.len() < room) {
            let chunk = Vec::with_capacity(self.rows + room);
            let full = std::mem::replace(&mut self.last, chunk);
            if !full.is_empty() {
                self.full.push(full);
            }
        }
        let mut siblings = Siblings {
            start: self.last.len(),
            last: &mut self.last,
            full: &mut self.full,
            rows: self.rows,
        };
        fill(&mut siblings, &mut self.scratch, &mut self.below);
        let start = siblings.start;
        let end = self.last.len();
        self.rows += end - start;
        Span {
            chunk: self.full.len(),
            start,
            end,
        }
    }

    /// Gives back the sorting scratch, here and below: the tree keeps only its rows.
    pub(super) fn finish(&mut self) {
        self.scratch = Vec::new();
        W::finish(&mut self.below);
    }

    /// The children `span` names, each with the levels under it.
    #[inline]
    pub(super) fn nodes<'t>(&'t self, span: &Span) -> Nodes<'t, 'db, C, S, W> {
        let chunk = self.full.get(span.chunk).unwrap_or(&self.last);
        let entries = chunk.get(span.start..span.end).unwrap_or(&[]);
        Nodes::new(entries, &self.below)
    }
}

impl<C: Model, S: Schema, W: Load<C, S>> Default for Level<'_, C, S, W> {
    fn default() -> Self {
        Level {
            full: Vec::new(),
            last: Vec::new(),
            rows: 0,
            scratch: Vec::new(),
            below: W::Levels::default(),
        }
    }
}

impl<C: Model, S: Schema, W: Load<C, S>> std::fmt::Debug for Level<'_, C, S, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Level")
            .field("rows", &self.rows)
            .field("chunks", &(self.full.len() + 1))
            .finish_non_exhaustive()
    }
}

/// A row of an eager load, with what was loaded under it (spec `W`): a view into a [`Tree`](super::Tree),
/// `Copy`, as cheap to pass as a reference.
///
/// It derefs to its [`Row`], so a node reads as the row does: `node.id()`, `node.title`,
/// `node.has_many(..)`. [`with`](Node::with) is what was loaded under it: [`Nodes`] for a
/// has-many level, an `Option` of a node for has-one or an optional parent, a node for a
/// required parent, a tuple for several levels.
///
/// A node is a value, not a reference: a field read through it (`&node.title`) borrows the
/// node. To keep a borrow past the node (in a `map` closure, say), read the row through
/// [`value`](Row::value), which borrows the store: `nodes.iter().map(|post|
/// post.value().title.as_str())`.
///
/// ```
/// # use relstore::{Db, Id, Model, Eager, Tree};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
/// # struct User { name: String }
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
/// # struct Post { user_id: Id<User>, title: String }
/// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
/// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
/// let mut db = Db::<Blog>::new();
/// let ann = db.insert(User { name: "ann".into() })?;
/// db.insert(Post { user_id: ann, title: "hello".into() })?;
///
/// let tree = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
/// for user in &tree {
///     assert_eq!((user.id(), user.name.as_str()), (ann, "ann"));
///     for post in user.with() {
///         assert_eq!(post.title, "hello");
///     }
/// }
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct Node<'t, 'db, T: Model, S: Schema, W: Load<T, S>> {
    entry: &'t Entry<'db, T, S, W>,
    below: &'t W::Levels<'db>,
}

impl<'t, 'db, T: Model, S: Schema, W: Load<T, S>> Node<'t, 'db, T, S, W> {
    #[inline]
    pub(super) fn new(entry: &'t Entry<'db, T, S, W>, below: &'t W::Levels<'db>) -> Self {
        Node { entry, below }
    }

    /// The row.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    ///
    /// let tree = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
    /// let user: relstore::Row<'_, User, Blog> = tree.get(0).unwrap().row();
    /// assert_eq!(user.id(), ann);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn row(&self) -> Row<'db, T, S> {
        self.entry.0
    }

    /// What was loaded under the row, as its spec says (see [`Load::View`]).
    ///
    /// ```
    /// # use relstore::{BelongsTo, Db, Id, Model, Eager, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "hello".into() })?;
    ///
    /// // Has-many: the posts.
    /// let users = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
    /// let posts = users.get(0).unwrap().with();
    /// assert_eq!(posts.get(0).unwrap().title, "hello");
    /// // A required parent: the author's node.
    /// let posts = Tree::load(db.table::<Post>().iter(), BelongsTo::new(PostAuthor));
    /// assert_eq!(posts.get(0).unwrap().with().name, "ann");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn with(&self) -> W::View<'t, 'db> {
        W::view(&self.entry.1, self.below)
    }

    /// The node and everything under it, rows cloned (see [`Owned`]).
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "hello".into() })?;
    ///
    /// let tree = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
    /// let ann_owned = tree.get(0).unwrap().to_owned();
    /// drop(tree);
    /// db.delete(ann)?; // the copy is the store's past, not a view of it
    /// assert_eq!((ann_owned.id, ann_owned.with[0].title.as_str()), (ann, "hello"));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn to_owned(&self) -> Owned<T, W::Owned> {
        Owned::of(self.entry.0, W::owned(&self.entry.1, self.below))
    }
}

impl<'db, T: Model, S: Schema, W: Load<T, S>> Deref for Node<'_, 'db, T, S, W> {
    type Target = Row<'db, T, S>;
    #[inline]
    fn deref(&self) -> &Row<'db, T, S> {
        &self.entry.0
    }
}

// By hand: a derive would ask `T`, `S` and `W` to be `Clone` too.
impl<T: Model, S: Schema, W: Load<T, S>> Clone for Node<'_, '_, T, S, W> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Model, S: Schema, W: Load<T, S>> Copy for Node<'_, '_, T, S, W> {}

impl<T, S, W> std::fmt::Debug for Node<'_, '_, T, S, W>
where
    T: Model + std::fmt::Debug,
    S: Schema,
    W: DebugLoad<T, S>,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let with = Slot::<T, S, W> {
            slot: &self.entry.1,
            levels: self.below,
            row: PhantomData,
        };
        f.debug_struct("Node")
            .field("id", &self.row().id())
            .field("row", self.row().value())
            .field("with", &with)
            .finish()
    }
}

/// The rows of a has-many level under one node (or a tree's top level), each with what was
/// loaded under it, in order: a view into a [`Tree`](super::Tree), `Copy`, read like a slice of
/// [`Node`]s (`len`, `get`, `first`, `last`, `iter`, `for .. in`).
///
/// ```
/// # use relstore::{Db, Id, Model, Eager, Tree};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
/// # struct User { name: String }
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
/// # struct Post { user_id: Id<User>, title: String }
/// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
/// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
/// let mut db = Db::<Blog>::new();
/// let ann = db.insert(User { name: "ann".into() })?;
/// for title in ["one", "two"] {
///     db.insert(Post { user_id: ann, title: title.into() })?;
/// }
///
/// let tree = Tree::load([db.get(ann)?], Eager::new(PostAuthor));
/// let posts = tree.get(0).unwrap().with();
/// assert_eq!(posts.len(), 2);
/// assert_eq!(posts.last().unwrap().title, "two");
/// let titles: Vec<&str> = posts.iter().map(|post| post.value().title.as_str()).collect();
/// assert_eq!(titles, ["one", "two"]);
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct Nodes<'t, 'db, C: Model, S: Schema, W: Load<C, S>> {
    entries: &'t [Entry<'db, C, S, W>],
    below: &'t W::Levels<'db>,
}

impl<'t, 'db, C: Model, S: Schema, W: Load<C, S>> Nodes<'t, 'db, C, S, W> {
    #[inline]
    pub(super) fn new(entries: &'t [Entry<'db, C, S, W>], below: &'t W::Levels<'db>) -> Self {
        Nodes { entries, below }
    }

    /// How many rows.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `i`-th row's node (from 0), `None` past the end.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// for title in ["one", "two"] {
    ///     db.insert(Post { user_id: ann, title: title.into() })?;
    /// }
    ///
    /// let tree = Tree::load([db.get(ann)?], Eager::new(PostAuthor));
    /// let posts = tree.get(0).unwrap().with();
    /// assert_eq!(posts.get(1).unwrap().title, "two");
    /// assert!(posts.get(2).is_none());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn get(&self, i: usize) -> Option<Node<'t, 'db, C, S, W>> {
        let entry = self.entries.get(i)?;
        Some(Node::new(entry, self.below))
    }

    /// The first row's node.
    #[inline]
    pub fn first(&self) -> Option<Node<'t, 'db, C, S, W>> {
        self.get(0)
    }

    /// The last row's node.
    #[inline]
    pub fn last(&self) -> Option<Node<'t, 'db, C, S, W>> {
        let entry = self.entries.last()?;
        Some(Node::new(entry, self.below))
    }

    /// The nodes, in order.
    #[inline]
    pub fn iter(&self) -> NodeIter<'t, 'db, C, S, W> {
        NodeIter {
            entries: self.entries.iter(),
            below: self.below,
        }
    }

    /// The rows and everything under them, cloned (see [`Owned`]).
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, Owned, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "hello".into() })?;
    ///
    /// let tree = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
    /// let posts: Vec<Owned<Post, ()>> = tree.get(0).unwrap().with().to_owned();
    /// assert_eq!(posts[0].title, "hello");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn to_owned(&self) -> Vec<Owned<C, W::Owned>> {
        self.iter().map(|node| node.to_owned()).collect()
    }
}

impl<C: Model, S: Schema, W: Load<C, S>> Clone for Nodes<'_, '_, C, S, W> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C: Model, S: Schema, W: Load<C, S>> Copy for Nodes<'_, '_, C, S, W> {}

impl<'t, 'db, C: Model, S: Schema, W: Load<C, S>> IntoIterator for Nodes<'t, 'db, C, S, W> {
    type Item = Node<'t, 'db, C, S, W>;
    type IntoIter = NodeIter<'t, 'db, C, S, W>;
    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<C, S, W> std::fmt::Debug for Nodes<'_, '_, C, S, W>
where
    C: Model + std::fmt::Debug,
    S: Schema,
    W: DebugLoad<C, S>,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The nodes of [`Nodes`] or a [`Tree`](super::Tree), in order; from [`Nodes::iter`] and [`Tree::iter`](super::Tree::iter).
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct NodeIter<'t, 'db, C: Model, S: Schema, W: Load<C, S>> {
    entries: std::slice::Iter<'t, Entry<'db, C, S, W>>,
    below: &'t W::Levels<'db>,
}

impl<'t, 'db, C: Model, S: Schema, W: Load<C, S>> Iterator for NodeIter<'t, 'db, C, S, W> {
    type Item = Node<'t, 'db, C, S, W>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.entries.next()?;
        Some(Node::new(entry, self.below))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl<C: Model, S: Schema, W: Load<C, S>> DoubleEndedIterator for NodeIter<'_, '_, C, S, W> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        let entry = self.entries.next_back()?;
        Some(Node::new(entry, self.below))
    }
}

impl<C: Model, S: Schema, W: Load<C, S>> ExactSizeIterator for NodeIter<'_, '_, C, S, W> {}
impl<C: Model, S: Schema, W: Load<C, S>> FusedIterator for NodeIter<'_, '_, C, S, W> {}

impl<C: Model, S: Schema, W: Load<C, S>> Clone for NodeIter<'_, '_, C, S, W> {
    fn clone(&self) -> Self {
        NodeIter {
            entries: self.entries.clone(),
            below: self.below,
        }
    }
}

impl<C: Model, S: Schema, W: Load<C, S>> std::fmt::Debug for NodeIter<'_, '_, C, S, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeIter")
            .field("remaining", &self.entries.len())
            .finish_non_exhaustive()
    }
}
