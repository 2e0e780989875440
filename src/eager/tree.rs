//! The borrowed tree: the parents' rows beside what each keeps of the levels under it, and
//! those levels, one `Vec` per has-many level.

use super::debug::DebugLoad;
use super::load::Load;
use super::node::{Entry, Node, NodeIter, Nodes};
use super::owned::OwnedTree;
use crate::db::Db;
use crate::error::NotFound;
use crate::id::Id;
use crate::model::Model;
use crate::row::Row;
use crate::schema::{HasTable, Schema};

/// An eager load's result borrowed from the store: one node per parent, in the order the
/// parents were given, each with what spec `L` loaded under it.
///
/// It holds [`Row`]s, so it clones nothing and lives no longer than a borrow of the store:
/// use it inside a frame, and [`to_owned`](Tree::to_owned) it (or load an
/// [`OwnedTree`]) to keep the answer past the next write. It is stored by level (one `Vec`
/// per has-many level, however many parents), and read through views: [`iter`](Tree::iter)
/// and [`get`](Tree::get) give [`Node`]s, and a node's [`with`](Node::with) the level
/// under it.
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
///     tree.iter().map(|user| (user.value().name.as_str(), user.with().len())).collect();
/// assert_eq!(counts, [("ann", 1), ("bob", 0)]);
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct Tree<'db, P: Model, S: Schema, L: Load<P, S>> {
    roots: Vec<Entry<'db, P, S, L>>,
    levels: L::Levels<'db>,
}

impl<'db, P: Model, S: Schema, L: Load<P, S>> Tree<'db, P, S, L> {
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
    /// assert_eq!(tree.get(1).unwrap().with().get(0).unwrap().title, "by cid");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn load<I>(parents: I, spec: L) -> Self
    where
        I: IntoIterator<Item = Row<'db, P, S>>,
    {
        let mut levels = L::Levels::default();
        let roots = (parents.into_iter())
            .map(|row| (row, spec.load(row, &mut levels)))
            .collect();
        L::finish(&mut levels);
        Tree { roots, levels }
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
    /// assert_eq!(tree.get(0).unwrap().id(), ann);
    /// assert!(Tree::load_ids(&db, [ann, bob], Eager::new(PostAuthor)).is_err()); // bob is gone
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`NotFound`] for the first stale id; nothing is loaded then.
    pub fn load_ids<I>(db: &'db Db<S>, ids: I, spec: L) -> Result<Self, NotFound>
    where
        I: IntoIterator<Item = Id<P>>,
        S: HasTable<P>,
    {
        let parents: Vec<Row<'db, P, S>> = (ids.into_iter())
            .map(|id| db.get(id))
            .collect::<Result<_, _>>()?;
        Ok(Tree::load(parents, spec))
    }

    /// The parents' nodes, as a [`Nodes`] view (what [`iter`](Tree::iter),
    /// [`get`](Tree::get) and [`len`](Tree::len) read).
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
    /// for name in ["ann", "bob"] {
    ///     db.insert(User { name: name.into() })?;
    /// }
    ///
    /// let tree = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
    /// let users = tree.nodes(); // a `Copy` view, to hand to code that takes `Nodes`
    /// assert_eq!(users.last().unwrap().name, "bob");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn nodes(&self) -> Nodes<'_, 'db, P, S, L> {
        Nodes::new(&self.roots, &self.levels)
    }

    /// How many parents.
    #[inline]
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether there are no parents.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// The `i`-th parent's node (from 0), `None` past the end.
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
    /// let tree = Tree::load([db.get(ann)?], Eager::new(PostAuthor));
    /// let user = tree.get(0).unwrap();
    /// assert_eq!((user.id(), user.with().len()), (ann, 1));
    /// assert!(tree.get(1).is_none());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn get(&self, i: usize) -> Option<Node<'_, 'db, P, S, L>> {
        self.nodes().get(i)
    }

    /// The parents' nodes, in order.
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
    ///     db.insert(User { name: name.into() })?;
    /// }
    ///
    /// let tree = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
    /// let newest_first: Vec<&str> = tree.iter().rev().map(|u| u.value().name.as_str()).collect();
    /// assert_eq!(newest_first, ["cid", "bob", "ann"]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn iter(&self) -> NodeIter<'_, 'db, P, S, L> {
        self.nodes().iter()
    }

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
    pub fn to_owned(&self) -> OwnedTree<P, L::Owned> {
        OwnedTree::from_vec(self.nodes().to_owned())
    }
}

impl<'t, 'db, P: Model, S: Schema, L: Load<P, S>> IntoIterator for &'t Tree<'db, P, S, L> {
    type Item = Node<'t, 'db, P, S, L>;
    type IntoIter = NodeIter<'t, 'db, P, S, L>;
    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<P, S, L> std::fmt::Debug for Tree<'_, P, S, L>
where
    P: Model + std::fmt::Debug,
    S: Schema,
    L: DebugLoad<P, S>,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.nodes().fmt(f)
    }
}
