//! The borrowed tree: rows as [`Row`]s (an id and a reference into the store), no clones.

use std::ops::Deref;

use super::load::Load;
use super::owned::{Loaded, Owned, OwnedTree};
use crate::db::Db;
use crate::error::NotFound;
use crate::id::Id;
use crate::model::Model;
use crate::row::Row;
use crate::schema::{HasTable, Schema};

/// A row of an eager load and what was loaded under it: `with` is a `Vec` of nodes for a
/// has-many level, an `Option` for has-one or an optional parent, a node for a required
/// parent, a tuple for several levels, `()` for none.
///
/// It derefs to its [`Row`], so a node reads as the row does: `node.id()`,
/// `node.title`, `node.has_many(..)`.
///
/// ```
/// # use relstore::{Db, Id, Model, Eager, Node, Tree};
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
/// for Node { row: user, with: posts } in &tree {
///     assert_eq!(user.id(), ann);
///     assert_eq!(posts[0].title, "hello");
/// }
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct Node<'db, T, S, W> {
    /// The row.
    pub row: Row<'db, T, S>,
    /// What was loaded under it.
    pub with: W,
}

impl<T: Model, S: Schema, W: Loaded> Node<'_, T, S, W> {
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
    /// let ann_owned = tree[0].to_owned();
    /// drop(tree);
    /// db.delete(ann)?; // the copy is the store's past, not a view of it
    /// assert_eq!((ann_owned.id, ann_owned.with[0].title.as_str()), (ann, "hello"));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn to_owned(&self) -> Owned<T, W::Owned> {
        Loaded::to_owned_tree(self)
    }
}

impl<'db, T, S, W> Deref for Node<'db, T, S, W> {
    type Target = Row<'db, T, S>;
    #[inline]
    fn deref(&self) -> &Row<'db, T, S> {
        &self.row
    }
}

impl<T: Model + std::fmt::Debug, S: Schema, W: std::fmt::Debug> std::fmt::Debug
    for Node<'_, T, S, W>
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.row.id())
            .field("row", self.row.value())
            .field("with", &self.with)
            .finish()
    }
}

/// An eager load's result borrowed from the store: one [`Node`] per parent, in the order the
/// parents were given, each with what was loaded under it.
///
/// It holds [`Row`]s, so it clones nothing and lives no longer than a borrow of the store:
/// use it inside a frame, and [`to_owned`](Tree::to_owned) it (or load an [`OwnedTree`]) to
/// keep the answer past the next write. It derefs to a slice of nodes.
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
/// db.insert(User { name: "bob".into() })?;
///
/// let tree = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
/// let counts: Vec<(&str, usize)> =
///     tree.iter().map(|user| (user.value().name.as_str(), user.with.len())).collect();
/// assert_eq!(counts, [("ann", 1), ("bob", 0)]);
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct Tree<'db, P, S, W> {
    nodes: Vec<Node<'db, P, S, W>>,
}

impl<'db, P: Model, S: Schema, W> Tree<'db, P, S, W> {
    /// Loads `spec` under each of `parents` (any iterator of rows: a table's
    /// [`iter`](crate::TableRef::iter), a filtered one, one row from [`Db::get`]).
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
    /// for name in ["ann", "bob", "cid"] {
    ///     let user = db.insert(User { name: name.into() })?;
    ///     db.insert(Post { user_id: user, title: format!("by {name}") })?;
    /// }
    ///
    /// let some_users = db.table::<User>().iter().filter(|u| u.name != "bob");
    /// let tree = Tree::load(some_users, Eager::new(PostAuthor));
    /// assert_eq!(tree.len(), 2);
    /// assert_eq!(tree[1].with[0].title, "by cid");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn load<L, I>(parents: I, spec: L) -> Self
    where
        L: Load<P, S, Tree<'db> = W>,
        I: IntoIterator<Item = Row<'db, P, S>>,
    {
        let nodes = (parents.into_iter())
            .map(|row| Node {
                row,
                with: spec.load(row),
            })
            .collect();
        Tree { nodes }
    }

    /// Loads `spec` under the rows `ids` name, in that order.
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
    /// let bob = db.insert(User { name: "bob".into() })?;
    /// db.delete(bob)?;
    ///
    /// let tree = Tree::load_ids(&db, [ann], Eager::new(PostAuthor))?;
    /// assert_eq!(tree[0].id(), ann);
    /// assert!(Tree::load_ids(&db, [ann, bob], Eager::new(PostAuthor)).is_err()); // bob is gone
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`NotFound`] for the first stale id; nothing is loaded then.
    pub fn load_ids<L, I>(db: &'db Db<S>, ids: I, spec: L) -> Result<Self, NotFound>
    where
        L: Load<P, S, Tree<'db> = W>,
        I: IntoIterator<Item = Id<P>>,
        S: HasTable<P>,
    {
        let parents: Vec<Row<'db, P, S>> = (ids.into_iter())
            .map(|id| db.get(id))
            .collect::<Result<_, _>>()?;
        Ok(Tree::load(parents, spec))
    }
}

impl<P: Model, S: Schema, W: Loaded> Tree<'_, P, S, W> {
    /// The tree with every row cloned: an [`OwnedTree`] of the same shape, free of the
    /// store. Costs what [`OwnedTree::load`] costs, plus this tree's walk.
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
    /// let owned = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor)).to_owned();
    /// let handle = std::thread::spawn(move || owned[0].with[0].title.clone());
    /// assert_eq!(handle.join().unwrap(), "hello");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn to_owned(&self) -> OwnedTree<P, W::Owned> {
        OwnedTree::from_vec(self.nodes.to_owned_tree())
    }
}

impl<'db, P, S, W> Tree<'db, P, S, W> {
    /// The nodes, as a `Vec`.
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
    /// db.insert(User { name: "ann".into() })?;
    /// let mut nodes = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor)).into_vec();
    /// nodes.sort_by_key(|user| user.with.len());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn into_vec(self) -> Vec<Node<'db, P, S, W>> {
        self.nodes
    }
}

impl<'db, P, S, W> Deref for Tree<'db, P, S, W> {
    type Target = [Node<'db, P, S, W>];
    fn deref(&self) -> &[Node<'db, P, S, W>] {
        &self.nodes
    }
}

impl<'db, P, S, W> IntoIterator for Tree<'db, P, S, W> {
    type Item = Node<'db, P, S, W>;
    type IntoIter = std::vec::IntoIter<Node<'db, P, S, W>>;
    fn into_iter(self) -> Self::IntoIter {
        self.nodes.into_iter()
    }
}

impl<'a, 'db, P, S, W> IntoIterator for &'a Tree<'db, P, S, W> {
    type Item = &'a Node<'db, P, S, W>;
    type IntoIter = std::slice::Iter<'a, Node<'db, P, S, W>>;
    fn into_iter(self) -> Self::IntoIter {
        self.nodes.iter()
    }
}

impl<P: Model + std::fmt::Debug, S: Schema, W: std::fmt::Debug> std::fmt::Debug
    for Tree<'_, P, S, W>
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.nodes).finish()
    }
}
