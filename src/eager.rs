//! Eager loading: the rows related to a set of parents, levels deep, loaded in one call into
//! a tree, either borrowed from the store ([`Tree`]) or owned and serializable ([`OwnedTree`]).
//!
//! A load is described by a typed spec, one value per level: a relation, read from the
//! parent's side ([`Eager`]: its children, has-many or has-one) or from the child's side
//! ([`BelongsTo`]: its parent), each with what to load under every row it finds (`with`), and,
//! on a child level, the seed's modifiers: [`filter`](Eager::filter),
//! [`order_by`](Eager::order_by), [`offset`](Eager::offset), [`limit`](Eager::limit). Several
//! relations at one level are a tuple of specs; a bare relation is the spec of its children
//! with nothing under them.
//!
//! Nothing is ever stale: every level is read from the live foreign-key indexes, at the moment
//! of the load. A [`Tree`] borrows the store, so no write can happen while it lives; an
//! [`OwnedTree`] is a copy, which later writes do not change.
//!
//! What a load costs: each parent's related rows are found through the foreign-key index in
//! O(1) (children) or read from the key (parent), as by hand. A [`Tree`] allocates one `Vec` per
//! has-many level per row (and the root's), sized once, and clones nothing. An
//! [`OwnedTree`] clones every row it holds, and allocates the same `Vec`s. A level with
//! `order_by` first collects its rows into a scratch `Vec`, sorts it (stably: equal keys keep
//! creation order), then loads only the rows `offset`/`limit` keep.

mod from_query;
mod load;
mod node;
mod owned;
mod parts;
mod spec;

pub use load::Load;
pub use node::{Node, Tree};
pub use owned::{Loaded, Owned, OwnedTree};
pub use spec::{BelongsTo, Eager};
