//! Eager loading: the rows related to a set of parents, levels deep, loaded in one call into
//! a tree, either borrowed from the store ([`Tree`]) or owned and serializable ([`OwnedTree`]).
//!
//! A load is described by a typed spec, one value per level: a relation, read from the
//! parent's side ([`Eager`]: its children, has-many or has-one) or from the child's side
//! ([`BelongsTo`]: its parent), each with what to load under every row it finds (`with`), and,
//! on a child level, ActiveRecord's modifiers: [`filter`](Eager::filter),
//! [`order_by`](Eager::order_by), [`offset`](Eager::offset), [`limit`](Eager::limit). Several
//! relations at one level are a tuple of specs; a bare relation is the spec of its children
//! with nothing under them.
//!
//! A relation's default filter and order (`belongs_to!`'s `filter` and `order_by`) apply to
//! its levels as to its named accessors: an [`Eager`] level, or a bare relation, starts from
//! the children the relation shows. The level's own [`filter`](Eager::filter) applies on
//! top; its own order, if it has one, replaces the default order (which applies otherwise);
//! `offset` and `limit` count the rows left. A has-one child the default filter hides loads
//! as `None`. [`BelongsTo`] levels read the key, which no default touches.
//!
//! ```
//! # use relstore::{Db, Eager, Id, Model, Tree};
//! # use serde::{Deserialize, Serialize};
//! # #[derive(Clone, Debug, Serialize, Deserialize, Model)]
//! # struct User { name: String }
//! #[derive(Clone, Debug, Serialize, Deserialize, Model)]
//! struct Post { user_id: Id<User>, title: String, draft: bool, likes: u32 }
//!
//! relstore::belongs_to!(
//!     PostAuthor: Post.user_id -> User, has_many,
//!     filter = |post| !post.draft,
//!     order_by = |post| post.title.as_str(),
//! );
//! relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
//!
//! let mut db = Db::<Blog>::new();
//! let ann = db.insert(User { name: "ann".into() })?;
//! for (title, draft, likes) in [("c", false, 1), ("a", false, 5), ("b", true, 9)] {
//!     db.insert(Post { user_id: ann, title: title.into(), draft, likes })?;
//! }
//! let ann = db.get(ann)?;
//! // The default filter and order.
//! let tree = Tree::load([ann], Eager::new(PostAuthor));
//! let posts = tree.get(0).unwrap().with();
//! assert_eq!(posts.iter().map(|p| p.value().title.as_str()).collect::<Vec<_>>(), ["a", "c"]);
//! // The level's order replaces the default order; the draft stays hidden.
//! let tree = Tree::load([ann], Eager::new(PostAuthor).order_by(|post| post.likes));
//! let posts = tree.get(0).unwrap().with();
//! assert_eq!(posts.iter().map(|p| p.value().title.as_str()).collect::<Vec<_>>(), ["c", "a"]);
//! // The level's filter applies on top of the default one.
//! let tree = Tree::load([ann], Eager::new(PostAuthor).filter(|post| post.likes > 1));
//! assert_eq!(tree.get(0).unwrap().with().len(), 1);
//! # Ok::<(), relstore::Error>(())
//! ```
//!
//! Nothing is ever stale: every level is read from the live foreign-key indexes, at the moment
//! of the load. A [`Tree`] borrows the store, so no write can happen while it lives; an
//! [`OwnedTree`] is a copy, which later writes do not change.
//!
//! What a load costs: each parent's related rows are found through the foreign-key index in
//! O(1) (children) or read from the key (parent), as by hand. A [`Tree`] is stored by level:
//! one buffer per has-many level, whatever the number of parents, each row beside its
//! children's span in the next level's buffer (a has-one child or a parent sits inline). A
//! level's buffer grows in chunks, never copied whole (at most one family moves when a chunk
//! fills), a few allocations per level in all and at most about three times the rows, and dropping
//! the tree frees those few. Its nodes are views: [`Node::with`] hands out the
//! level under a node ([`Nodes`], read like a slice) without allocating. Nothing is cloned.
//! An [`OwnedTree`] clones every row it holds, and allocates one `Vec` per has-many level per
//! row, sized once. A level with `order_by` (or under a relation with a default order) first
//! gathers each parent's rows in a scratch `Vec` (one per level, reused from parent to
//! parent in a [`Tree`]), sorts them (stably: equal keys keep creation order), then loads
//! only the rows `offset`/`limit` keep.

mod debug;
mod from_query;
mod load;
mod node;
mod owned;
mod parts;
mod spec;
mod tree;

pub use load::Load;
pub use node::{Node, NodeIter, Nodes};
pub use owned::{Owned, OwnedTree};
pub use spec::{BelongsTo, Eager};
pub use tree::Tree;
