//! The owned tree: rows cloned beside their ids, free of the store, `Send` and `Serialize`.

use std::ops::Deref;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::load::Load;
use crate::id::Id;
use crate::model::Model;
use crate::row::Row;
use crate::schema::Schema;

/// A row of an owned eager load: its id, the row (cloned), and what was loaded under it, in
/// the shape of the borrowed [`Node::with`](super::Node::with). It derefs to the row.
///
/// It serializes as a struct of `id`, `row` and `with` (positional: a tuple of levels is a
/// tuple, a has-many level a sequence, an `Option` one is null when empty); a node with nothing
/// loaded under it has no `with`. In JSON: `{"id":…,"row":{…},"with":[{"id":…,"row":{…}}]}`.
///
/// ```
/// # use relstore::{Db, Id, Model, Eager, OwnedTree};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)] #[relstore(table = "users")]
/// # struct User { name: String }
/// # #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
/// # struct Post { user_id: Id<User>, title: String }
/// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
/// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
/// let mut db = Db::<Blog>::new();
/// let ann = db.insert(User { name: "ann".into() })?;
/// let post = db.insert(Post { user_id: ann, title: "hello".into() })?;
///
/// let tree = OwnedTree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
/// let user = &tree[0];
/// assert_eq!((user.id, user.name.as_str()), (ann, "ann")); // `name`: through Deref
/// assert_eq!(user.with[0].id, post);
/// assert_eq!(user.with[0].row, Post { user_id: ann, title: "hello".into() });
/// # Ok::<(), relstore::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Owned<T, W> {
    /// The row's id.
    pub id: Id<T>,
    /// The row, cloned.
    pub row: T,
    /// What was loaded under it.
    pub with: W,
}

impl<T: Model + std::fmt::Debug, W: std::fmt::Debug> std::fmt::Debug for Owned<T, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Owned")
            .field("id", &self.id)
            .field("row", &self.row)
            .field("with", &self.with)
            .finish()
    }
}

impl<T, W> Deref for Owned<T, W> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.row
    }
}

impl<T: Model, W: Serialize> Serialize for Owned<T, W> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        // `()` is the one zero-sized `with` (a level holds ids or Vecs): a leaf, whose `with`
        // would only print as a null.
        let leaf = size_of::<W>() == 0;
        let mut node = serializer.serialize_struct(T::TABLE, if leaf { 2 } else { 3 })?;
        node.serialize_field("id", &self.id)?;
        node.serialize_field("row", &self.row)?;
        if leaf {
            node.skip_field("with")?;
        } else {
            node.serialize_field("with", &self.with)?;
        }
        node.end()
    }
}

/// An eager load's result owned: one [`Owned`] node per parent, rows cloned, in the order the
/// parents were given. It is `Send` and `Serialize` (a sequence of nodes), so it can go to
/// another thread, a UI or a file; it is a copy, which later writes to the store do not change.
/// It derefs to a slice of nodes.
///
/// ```
/// # use relstore::{Db, Id, Model, Eager, OwnedTree};
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
/// let tree = OwnedTree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
/// db.update(ann, |user| user.name = "anna".into())?; // the tree is a copy
/// let name = std::thread::spawn(move || tree[0].name.clone()).join().unwrap();
/// assert_eq!(name, "ann");
/// # Ok::<(), relstore::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OwnedTree<P, W> {
    nodes: Vec<Owned<P, W>>,
}

impl<P: Model, W> OwnedTree<P, W> {
    /// Loads `spec` under each of `parents`, cloning every row found: what
    /// [`Tree::load`](super::Tree::load) then [`to_owned`](super::Tree::to_owned) give, without
    /// building the borrowed tree first.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, OwnedTree, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "hello".into() })?;
    ///
    /// let owned = OwnedTree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
    /// let borrowed = Tree::load(db.table::<User>().iter(), Eager::new(PostAuthor));
    /// assert_eq!(owned, borrowed.to_owned());
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn load<'db, L, S, I>(parents: I, spec: L) -> Self
    where
        S: Schema,
        L: Load<P, S, Owned = W>,
        I: IntoIterator<Item = Row<'db, P, S>>,
    {
        let nodes = (parents.into_iter())
            .map(|row| Owned::of(row, spec.load_owned(row)))
            .collect();
        OwnedTree { nodes }
    }
}

impl<P, W> OwnedTree<P, W> {
    pub(super) fn from_vec(nodes: Vec<Owned<P, W>>) -> Self {
        OwnedTree { nodes }
    }

    /// The nodes, as a `Vec`.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, OwnedTree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// db.insert(User { name: "ann".into() })?;
    /// let users = OwnedTree::load(db.table::<User>().iter(), Eager::new(PostAuthor)).into_vec();
    /// let names: Vec<String> = users.into_iter().map(|user| user.row.name).collect();
    /// assert_eq!(names, ["ann"]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn into_vec(self) -> Vec<Owned<P, W>> {
        self.nodes
    }
}

impl<T: Model, W> Owned<T, W> {
    #[inline]
    pub(super) fn of<S: Schema>(row: Row<'_, T, S>, with: W) -> Self {
        Owned {
            id: row.id(),
            row: row.value().clone(),
            with,
        }
    }
}

impl<P, W> Deref for OwnedTree<P, W> {
    type Target = [Owned<P, W>];
    fn deref(&self) -> &[Owned<P, W>] {
        &self.nodes
    }
}

impl<P, W> IntoIterator for OwnedTree<P, W> {
    type Item = Owned<P, W>;
    type IntoIter = std::vec::IntoIter<Owned<P, W>>;
    fn into_iter(self) -> Self::IntoIter {
        self.nodes.into_iter()
    }
}

impl<'a, P, W> IntoIterator for &'a OwnedTree<P, W> {
    type Item = &'a Owned<P, W>;
    type IntoIter = std::slice::Iter<'a, Owned<P, W>>;
    fn into_iter(self) -> Self::IntoIter {
        self.nodes.iter()
    }
}

impl<P: Model + std::fmt::Debug, W: std::fmt::Debug> std::fmt::Debug for OwnedTree<P, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.nodes).finish()
    }
}

impl<P: Model, W: Serialize> Serialize for OwnedTree<P, W> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        self.nodes.serialize(serializer)
    }
}
