//! `with` on a query: ActiveRecord's `User.query().where(..).with_("posts")`, typed.

use super::{Load, OwnedTree, Tree};
use crate::model::Model;
use crate::query::{Order, Query};
use crate::row::Row;
use crate::schema::Schema;

impl<'db, P, S, I, O> Query<'db, S, I, O>
where
    P: Model,
    S: Schema,
    I: Iterator<Item = Row<'db, P, S>>,
    O: Order<Row<'db, P, S>>,
{
    /// Loads `spec` under every row the query gives, in its order: a tree of borrowed rows
    /// ([`Tree::load`] over the query). One pass over the query, then each level from the
    /// live indexes: one lookup per parent, never a query per row.
    ///
    /// ```
    /// # use relstore::{Db, Eager, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)] #[relstore(table = "comments")]
    /// # struct Comment { post_id: Id<Post>, text: String }
    /// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// relstore::belongs_to!(CommentOn: Comment.post_id -> Post, has_many);
    /// relstore::schema! {
    ///     struct Blog { users: User, posts: Post, comments: Comment }
    ///     relations { PostAuthor, CommentOn }
    /// }
    ///
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// let post = db.insert(Post { user_id: ann, title: "hello".into() })?;
    /// db.insert(Comment { post_id: post, text: "nice".into() })?;
    ///
    /// // User.query().where('name = ?', 'ann').with_("posts.comments")
    /// let tree = db
    ///     .query::<User>()
    ///     .filter(|u| u.name == "ann")
    ///     .with(Eager::new(PostAuthor).with(CommentOn));
    /// let post = tree.get(0).unwrap().with().get(0).unwrap();
    /// assert_eq!(post.with().get(0).unwrap().text, "nice");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn with<L: Load<P, S>>(self, spec: L) -> Tree<'db, P, S, L> {
        Tree::load(self, spec)
    }

    /// Loads `spec` under every row the query gives, cloning the rows: a tree to send to
    /// another thread or serialize ([`OwnedTree::load`] over the query).
    ///
    /// ```
    /// # use relstore::{Db, Eager, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    ///
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "hello".into() })?;
    /// let tree = db.query::<User>().with_owned(Eager::new(PostAuthor));
    /// let json = serde_json::to_string(&tree[0]).unwrap();
    /// assert!(json.contains("hello"));
    /// std::thread::spawn(move || assert_eq!(tree.len(), 1)).join().unwrap();
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn with_owned<L: Load<P, S>>(self, spec: L) -> OwnedTree<P, L::Owned> {
        OwnedTree::load(self, spec)
    }
}
