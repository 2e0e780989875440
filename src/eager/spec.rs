//! The spec of one level: which relation, in which direction, what to load under each row
//! found, and (on a child level) which rows to keep, in what order.

use std::cmp::Ordering;
use std::marker::PhantomData;

use super::parts::{All, By, ByKey, ByKeyDesc, Unordered, Where};
use crate::relation::Relation;

/// One level of an eager load from a parent to its children under relation `R`: a `Vec` of
/// them for a has-many relation, an `Option` for a has-one relation.
///
/// Built with [`Eager::new`], then, in any order, at most one each of
/// [`with`](Eager::with), [`filter`](Eager::filter), an order ([`order_by`](Eager::order_by),
/// [`order_by_desc`](Eager::order_by_desc) or [`sort_by`](Eager::sort_by)), and
/// [`offset`](Eager::offset) / [`limit`](Eager::limit). They apply as in SQL, to the
/// children as `R` shows them (its default filter first): filter, then order (`R`'s default
/// order when none is given, creation order without one either), then offset, then limit;
/// rows under a row (`with`) are loaded only for the rows kept. `K` is the relation's kind, `W` the spec of
/// the next level, `F` the filter and `O` the order.
///
/// ```
/// # use relstore::{Db, Id, Model, Eager, Tree};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
/// # struct User { name: String }
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
/// # struct Post { user_id: Id<User>, title: String, likes: u32 }
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "comments")]
/// # struct Comment { post_id: Id<Post>, body: String }
/// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
/// relstore::belongs_to!(CommentPost: Comment.post_id -> Post, has_many, on_delete = Cascade);
/// relstore::schema! {
///     struct Blog { users: User, posts: Post, comments: Comment }
///     relations { PostAuthor, CommentPost }
/// }
///
/// let mut db = Db::<Blog>::new();
/// let ann = db.insert(User { name: "ann".into() })?;
/// for (title, likes) in [("a", 3), ("b", 9), ("c", 0), ("d", 5)] {
///     let post = db.insert(Post { user_id: ann, title: title.into(), likes })?;
///     db.insert(Comment { post_id: post, body: format!("on {title}") })?;
/// }
///
/// // Each user's two most liked posts that have any likes, each with its comments.
/// let spec = Eager::new(PostAuthor)
///     .filter(|post| post.likes > 0)
///     .order_by_desc(|post| post.likes)
///     .limit(2)
///     .with(CommentPost);
/// let tree = Tree::load(db.table::<User>().iter(), spec);
/// let posts = tree.get(0).unwrap().with();
/// assert_eq!(posts.iter().map(|p| p.value().title.as_str()).collect::<Vec<_>>(), ["b", "d"]);
/// assert_eq!(posts.get(0).unwrap().with().get(0).unwrap().body, "on b");
/// # Ok::<(), relstore::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct Eager<R, K, W = (), F = All, O = Unordered> {
    pub(super) relation: R,
    kind: PhantomData<fn() -> K>,
    pub(super) with: W,
    pub(super) filter: F,
    pub(super) order: O,
    pub(super) offset: usize,
    pub(super) limit: usize,
}

impl<R: Relation> Eager<R, R::Kind> {
    /// The children of each parent under `relation` as it shows them (all of them, in
    /// creation order, unless it has a default filter or order), with nothing loaded under
    /// them.
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
    /// assert_eq!(tree.get(0).unwrap().with().get(0).unwrap().title, "hello");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn new(relation: R) -> Self {
        Eager {
            relation,
            kind: PhantomData,
            with: (),
            filter: All,
            order: Unordered,
            offset: 0,
            limit: usize::MAX,
        }
    }
}

impl<R, K, F, O> Eager<R, K, (), F, O> {
    /// What to load under each child: a spec of the child's relations ([`Eager`],
    /// [`BelongsTo`], a bare relation), or a tuple of them for several.
    ///
    /// ```
    /// # use relstore::{BelongsTo, Db, Id, Model, Eager, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "comments")]
    /// # struct Comment { post_id: Id<Post>, author_id: Id<User>, body: String }
    /// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// relstore::belongs_to!(CommentPost: Comment.post_id -> Post, has_many);
    /// relstore::belongs_to!(CommentAuthor: Comment.author_id -> User, has_many);
    /// # relstore::schema! {
    /// #     struct Blog { users: User, posts: Post, comments: Comment }
    /// #     relations { PostAuthor, CommentPost, CommentAuthor }
    /// # }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// let bob = db.insert(User { name: "bob".into() })?;
    /// let post = db.insert(Post { user_id: ann, title: "hello".into() })?;
    /// db.insert(Comment { post_id: post, author_id: bob, body: "hi".into() })?;
    ///
    /// // Users -> posts -> comments -> each comment's author.
    /// let spec = Eager::new(PostAuthor)
    ///     .with(Eager::new(CommentPost).with(BelongsTo::new(CommentAuthor)));
    /// let tree = Tree::load([db.get(ann)?], spec);
    /// let post = tree.get(0).unwrap().with().get(0).unwrap();
    /// let comment = post.with().get(0).unwrap();
    /// assert_eq!((comment.body.as_str(), comment.with().name.as_str()), ("hi", "bob"));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn with<W>(self, with: W) -> Eager<R, K, W, F, O> {
        Eager {
            relation: self.relation,
            kind: PhantomData,
            with,
            filter: self.filter,
            order: self.order,
            offset: self.offset,
            limit: self.limit,
        }
    }
}

impl<R: Relation, K, W, O> Eager<R, K, W, All, O> {
    /// Keeps only the children for which `keep` is true (ActiveRecord's `where`).
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String, draft: bool }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "wip".into(), draft: true })?;
    /// db.insert(Post { user_id: ann, title: "out".into(), draft: false })?;
    ///
    /// let published = Eager::new(PostAuthor).filter(|post| !post.draft);
    /// let tree = Tree::load(db.table::<User>().iter(), published);
    /// let posts = tree.get(0).unwrap().with();
    /// assert_eq!(posts.len(), 1);
    /// assert_eq!(posts.get(0).unwrap().title, "out");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn filter<F>(self, keep: F) -> Eager<R, K, W, Where<F>, O>
    where
        F: Fn(&R::Child) -> bool,
    {
        Eager {
            relation: self.relation,
            kind: PhantomData,
            with: self.with,
            filter: Where(keep),
            order: self.order,
            offset: self.offset,
            limit: self.limit,
        }
    }
}

impl<R: Relation, K, W, F> Eager<R, K, W, F, Unordered> {
    /// Orders the children by `key`, smallest first; equal keys keep creation order.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String, likes: u32 }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "a".into(), likes: 2 })?;
    /// db.insert(Post { user_id: ann, title: "b".into(), likes: 1 })?;
    ///
    /// let tree = Tree::load([db.get(ann)?], Eager::new(PostAuthor).order_by(|p| p.likes));
    /// assert_eq!(tree.get(0).unwrap().with().get(0).unwrap().title, "b");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn order_by<G, Key>(self, key: G) -> Eager<R, K, W, F, ByKey<G>>
    where
        G: Fn(&R::Child) -> Key,
        Key: Ord,
    {
        self.ordered(ByKey(key))
    }

    /// Orders the children by `key`, largest first (`ORDER BY key DESC`); equal keys keep
    /// creation order.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model, Eager, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String, likes: u32 }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "a".into(), likes: 1 })?;
    /// db.insert(Post { user_id: ann, title: "b".into(), likes: 2 })?;
    ///
    /// let top = Eager::new(PostAuthor).order_by_desc(|p| p.likes).limit(1);
    /// let tree = Tree::load([db.get(ann)?], top);
    /// assert_eq!(tree.get(0).unwrap().with().get(0).unwrap().title, "b");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn order_by_desc<G, Key>(self, key: G) -> Eager<R, K, W, F, ByKeyDesc<G>>
    where
        G: Fn(&R::Child) -> Key,
        Key: Ord,
    {
        self.ordered(ByKeyDesc(key))
    }

    /// Orders the children by a comparison, as [`slice::sort_by`] does: for keys that borrow
    /// from the row (strings), which [`order_by`](Eager::order_by) would have to clone.
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
    /// db.insert(Post { user_id: ann, title: "zebra".into() })?;
    /// db.insert(Post { user_id: ann, title: "apple".into() })?;
    ///
    /// let by_title = Eager::new(PostAuthor).sort_by(|a, b| a.title.cmp(&b.title));
    /// let tree = Tree::load([db.get(ann)?], by_title);
    /// assert_eq!(tree.get(0).unwrap().with().get(0).unwrap().title, "apple");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn sort_by<G>(self, compare: G) -> Eager<R, K, W, F, By<G>>
    where
        G: Fn(&R::Child, &R::Child) -> Ordering,
    {
        self.ordered(By(compare))
    }

    fn ordered<O>(self, order: O) -> Eager<R, K, W, F, O> {
        Eager {
            relation: self.relation,
            kind: PhantomData,
            with: self.with,
            filter: self.filter,
            order,
            offset: self.offset,
            limit: self.limit,
        }
    }
}

impl<R, K, W, F, O> Eager<R, K, W, F, O> {
    /// Skips the first `n` children kept by the filter, in order (ActiveRecord's `offset`).
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
    /// for title in ["1", "2", "3", "4", "5"] {
    ///     db.insert(Post { user_id: ann, title: title.into() })?;
    /// }
    ///
    /// let second_page = Eager::new(PostAuthor).offset(2).limit(2);
    /// let tree = Tree::load([db.get(ann)?], second_page);
    /// let titles: Vec<&str> = tree.get(0).unwrap().with().iter().map(|p| p.value().title.as_str()).collect();
    /// assert_eq!(titles, ["3", "4"]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn offset(self, n: usize) -> Self {
        Eager { offset: n, ..self }
    }

    /// Keeps at most `n` children per parent, after filter, order and offset (ActiveRecord's
    /// `limit`).
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
    /// for title in ["old", "new"] {
    ///     db.insert(Post { user_id: ann, title: title.into() })?;
    /// }
    ///
    /// let tree = Tree::load([db.get(ann)?], Eager::new(PostAuthor).limit(1));
    /// let posts = tree.get(0).unwrap().with();
    /// assert_eq!(posts.len(), 1);
    /// assert_eq!(posts.get(0).unwrap().title, "old"); // creation order
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn limit(self, n: usize) -> Self {
        Eager { limit: n, ..self }
    }
}

/// One level of an eager load from a child to its parent under relation `R`: the parent's
/// node for a required key (`K` is `Id<_>`), an `Option` for an optional one (`None` when the
/// key is null).
///
/// ```
/// # use relstore::{BelongsTo, Db, Id, Model, Tree};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
/// # struct User { name: String }
/// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
/// # struct Post { user_id: Id<User>, editor_id: Option<Id<User>>, title: String }
/// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
/// relstore::belongs_to!(PostEditor: Post.editor_id -> User, has_many, on_delete = SetNull);
/// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor, PostEditor } }
/// let mut db = Db::<Blog>::new();
/// let ann = db.insert(User { name: "ann".into() })?;
/// db.insert(Post { user_id: ann, editor_id: None, title: "hello".into() })?;
///
/// // Every post with its author (required) and its editor (optional).
/// let spec = (BelongsTo::new(PostAuthor), BelongsTo::new(PostEditor));
/// let tree = Tree::load(db.table::<Post>().iter(), spec);
/// let (author, editor) = tree.get(0).unwrap().with();
/// assert_eq!(author.name, "ann");
/// assert!(editor.is_none());
/// # Ok::<(), relstore::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct BelongsTo<R, K, W = ()> {
    pub(super) relation: R,
    key: PhantomData<fn() -> K>,
    pub(super) with: W,
}

impl<R: Relation> BelongsTo<R, R::Key> {
    /// The parent of each child under `relation`, with nothing loaded under it.
    ///
    /// ```
    /// # use relstore::{BelongsTo, Db, Id, Model, Tree};
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
    /// let tree = Tree::load(db.table::<Post>().iter(), BelongsTo::new(PostAuthor));
    /// assert_eq!(tree.get(0).unwrap().with().name, "ann");
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn new(relation: R) -> Self {
        BelongsTo {
            relation,
            key: PhantomData,
            with: (),
        }
    }
}

impl<R, K> BelongsTo<R, K, ()> {
    /// What to load under the parent: a spec of the parent's relations, or a tuple of them.
    ///
    /// ```
    /// # use relstore::{BelongsTo, Db, Id, Model, Tree};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Debug, Serialize, Deserialize, Model)] #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// db.insert(Post { user_id: ann, title: "one".into() })?;
    /// db.insert(Post { user_id: ann, title: "two".into() })?;
    ///
    /// // Each post's author with all of the author's posts.
    /// let tree = Tree::load(db.table::<Post>().iter(), BelongsTo::new(PostAuthor).with(PostAuthor));
    /// assert_eq!(tree.get(0).unwrap().with().with().len(), 2);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn with<W>(self, with: W) -> BelongsTo<R, K, W> {
        BelongsTo {
            relation: self.relation,
            key: PhantomData,
            with,
        }
    }
}

// By hand: a derive would ask the kind marker (`HasMany`, an `Id`) to be `Clone` too.
impl<R: Clone, K, W: Clone, F: Clone, O: Clone> Clone for Eager<R, K, W, F, O> {
    fn clone(&self) -> Self {
        Eager {
            relation: self.relation.clone(),
            kind: PhantomData,
            with: self.with.clone(),
            filter: self.filter.clone(),
            order: self.order.clone(),
            offset: self.offset,
            limit: self.limit,
        }
    }
}
impl<R: Copy, K, W: Copy, F: Copy, O: Copy> Copy for Eager<R, K, W, F, O> {}

impl<R: Clone, K, W: Clone> Clone for BelongsTo<R, K, W> {
    fn clone(&self) -> Self {
        BelongsTo {
            relation: self.relation.clone(),
            key: PhantomData,
            with: self.with.clone(),
        }
    }
}
impl<R: Copy, K, W: Copy> Copy for BelongsTo<R, K, W> {}
