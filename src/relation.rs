//! Relations, declared once on the child's foreign-key field; both directions follow from it.

use std::cmp::Ordering;
use std::fmt;

use crate::id::Id;
use crate::model::Model;

mod declare;
mod related;

pub use related::Related;
#[doc(hidden)]
pub use related::related_one;
pub(crate) use related::shows;

/// A foreign key from `Child` to `Parent`, declared once; the store derives both directions
/// from it: BelongsTo (child -> parent) and its inverse, [`HasMany`] or [`HasOne`]
/// (parent -> children).
///
/// Because there is one declaration, the two sides can never disagree. Declare relations with
/// [`belongs_to!`](crate::belongs_to), or implement the trait by hand. The key's type
/// ([`Relation::Key`]: `Id<Parent>` or `Option<Id<Parent>>`) is the one fact that says whether
/// the key is optional. A hand-written relation must return the same field from
/// [`Relation::key`] and [`Relation::key_mut`], and that field must not change through a
/// shared reference (no interior mutability): the macro guarantees both, reading the field
/// by destructuring so that not even a `Deref` impl can stand in for it.
///
/// ```
/// use relstore::{HasMany, Id, KeyField, Model, OnDelete, Relation};
/// use serde::{Deserialize, Serialize};
///
/// // Everything by hand, as the macros would write it.
/// #[derive(Clone, Serialize, Deserialize)]
/// pub struct User { name: String }
/// impl Model for User {
///     const TABLE: &'static str = "users";
///     const KEYS: &'static [KeyField] = &[];
///     type Indexes = ();
/// }
///
/// #[derive(Clone, Serialize, Deserialize)]
/// struct Post { user_id: Id<User>, title: String }
/// impl Model for Post {
///     const TABLE: &'static str = "posts";
///     const KEYS: &'static [KeyField] = &[KeyField::checked("user_id")];
///     type Indexes = ();
/// }
///
/// #[derive(Clone, Copy, Debug)]
/// struct PostAuthor;
///
/// impl Relation for PostAuthor {
///     type Child = Post;
///     type Parent = User;
///     type Kind = HasMany;
///     type Key = Id<User>;
///     const NAME: &'static str = "PostAuthor";
///     const FOREIGN_KEY: &'static str = "user_id";
///     const ON_DELETE: OnDelete = OnDelete::Cascade;
///     fn key(post: &Post) -> &Id<User> { &post.user_id }
///     fn key_mut(post: &mut Post) -> &mut Id<User> { &mut post.user_id }
///     // Optional: the default view (`belongs_to!`'s `filter` and `order_by`).
///     const DEFAULT_FILTER: Option<fn(&Post) -> bool> = Some(|post| !post.title.is_empty());
///     const DEFAULT_ORDER: Option<fn(&Post, &Post) -> std::cmp::Ordering> =
///         Some(|a, b| a.title.cmp(&b.title));
/// }
/// ```
pub trait Relation: Copy + Send + Sync + 'static {
    /// The table holding the foreign key (the "many" side).
    type Child: Model;
    /// The table the key points to (the "one" side).
    type Parent: Model;
    /// [`HasMany`] or [`HasOne`]: how many children a parent may have.
    type Kind: RelationKind;
    /// The key field's type: `Id<Parent>` (required) or `Option<Id<Parent>>` (optional). The
    /// schema allows [`OnDelete::SetNull`] on optional keys only.
    type Key: ForeignKey<Self::Parent>;
    /// The relation's name, unique within a schema; used in errors.
    const NAME: &'static str;
    /// The name of the foreign-key field in `Child`; used in errors.
    const FOREIGN_KEY: &'static str;
    /// What deleting a parent does to its children.
    const ON_DELETE: OnDelete = OnDelete::Restrict;
    /// The child's foreign-key field: the same field every time, and the one
    /// [`Relation::key_mut`] returns.
    fn key(child: &Self::Child) -> &Self::Key;
    /// The child's foreign-key field, for the store to set it to null (see [`Relation::key`]).
    fn key_mut(child: &mut Self::Child) -> &mut Self::Key;
    /// The children that related reads show ([`Row::related`](crate::Row::related), the
    /// named accessors, the relation queries and eager loading): those for which it returns
    /// `true`; `None` (the default) shows all. The index,
    /// [`Row::has_many`](crate::Row::has_many), counts, cascades, restricts and has-one checks
    /// see every child whatever it says. `belongs_to!`'s `filter = ...`.
    const DEFAULT_FILTER: Option<fn(&Self::Child) -> bool> = None;
    /// The order of related reads ([`Related`], the relation queries, eager levels without
    /// an order of their own); `None` (the default) keeps creation order and lets them
    /// allocate nothing. Ties keep creation order (the sort is stable).
    /// `belongs_to!`'s `order_by = |child| key`.
    #[allow(clippy::type_complexity)] // the plain type says most: a comparison, or none
    const DEFAULT_ORDER: Option<fn(&Self::Child, &Self::Child) -> Ordering> = None;
}

/// Marks a relation under which a parent has any number of children.
#[derive(Debug)]
pub enum HasMany {}

/// Marks a relation under which a parent has at most one child; a second is an error.
#[derive(Debug)]
pub enum HasOne {}

/// The inverse side of a relation: [`HasMany`] or [`HasOne`].
pub trait RelationKind: sealed::Sealed + 'static {
    /// Whether a parent may have at most one child.
    const UNIQUE: bool;
}

impl RelationKind for HasMany {
    const UNIQUE: bool = false;
}
impl RelationKind for HasOne {
    const UNIQUE: bool = true;
}

/// What deleting a parent does to the children that point to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OnDelete {
    /// The delete fails while children exist (unless they are deleted by the same delete).
    #[default]
    Restrict,
    /// The children are deleted too, through their own relations' policies, to any depth.
    /// Self-referential keys may form cycles (a row may even be its own parent); a cascade
    /// through a cycle deletes each row once.
    Cascade,
    /// The children's optional key is set to null.
    SetNull,
}

/// A field that holds a foreign key to `P`: `Id<P>` (required) or `Option<Id<P>>`
/// (optional), and nothing else (the trait is sealed). [`Relation::Key`] is one.
pub trait ForeignKey<P>: sealed::Sealed + Copy + Send + Sync + 'static {
    /// Whether the key can be null: the one place this fact is written.
    const OPTIONAL: bool;
    /// What navigating to the parent gives: `X` for a required key, `Option<X>` for an
    /// optional one (`None` when it is null).
    type Wrap<X>;
    /// `f` of the parent, wrapped as [`ForeignKey::Wrap`] says.
    fn wrap<X>(&self, f: impl FnOnce(Id<P>) -> X) -> Self::Wrap<X>;
    /// A navigation's answer as an `Option`, for code generic over the relation:
    /// `<R::Key as ForeignKey<_>>::into_option(db.belongs_to(R, id)?)`.
    fn into_option<X>(wrapped: Self::Wrap<X>) -> Option<X>;
    /// The parent pointed to, if any.
    fn parent_id(&self) -> Option<Id<P>>;
    /// Sets the key to null; does nothing on a required key (the schema only lets
    /// [`OnDelete::SetNull`] clear optional ones).
    fn clear(&mut self);
    /// Points the key back at `parent` (or null): how an edit puts a refused key back.
    #[doc(hidden)]
    fn restore(&mut self, parent: Option<Id<P>>);
}

impl<P: 'static> ForeignKey<P> for Id<P> {
    const OPTIONAL: bool = false;
    type Wrap<X> = X;
    #[inline]
    fn wrap<X>(&self, f: impl FnOnce(Id<P>) -> X) -> X {
        f(*self)
    }
    #[inline]
    fn into_option<X>(wrapped: X) -> Option<X> {
        Some(wrapped)
    }
    #[inline]
    fn parent_id(&self) -> Option<Id<P>> {
        Some(*self)
    }
    fn clear(&mut self) {}
    fn restore(&mut self, parent: Option<Id<P>>) {
        // A required key always held a parent.
        if let Some(parent) = parent {
            *self = parent;
        }
    }
}

impl<P: 'static> ForeignKey<P> for Option<Id<P>> {
    const OPTIONAL: bool = true;
    type Wrap<X> = Option<X>;
    #[inline]
    fn wrap<X>(&self, f: impl FnOnce(Id<P>) -> X) -> Option<X> {
        self.map(f)
    }
    #[inline]
    fn into_option<X>(wrapped: Option<X>) -> Option<X> {
        wrapped
    }
    #[inline]
    fn parent_id(&self) -> Option<Id<P>> {
        *self
    }
    fn clear(&mut self) {
        *self = None;
    }
    fn restore(&mut self, parent: Option<Id<P>>) {
        *self = parent;
    }
}

/// What navigating from a child to its parent under `R` gives: the parent's `Row` for a
/// required key, `Option<Row>` for an optional one.
pub type ParentRow<'db, R, S> = <<R as Relation>::Key as ForeignKey<<R as Relation>::Parent>>::Wrap<
    crate::Row<'db, <R as Relation>::Parent, S>,
>;

/// The parent `child` points to under relation `R`, if any.
#[inline]
pub(crate) fn parent_id<R: Relation>(child: &R::Child) -> Option<Id<R::Parent>> {
    R::key(child).parent_id()
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::HasMany {}
    impl Sealed for super::HasOne {}
    impl<P> Sealed for crate::Id<P> {}
    impl<P> Sealed for Option<crate::Id<P>> {}
}

/// What a relation is, as data: its name, tables, key and rules. Errors carry it.
///
/// It prints as `PostAuthor (posts.user_id -> users)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RelationInfo {
    /// [`Relation::NAME`].
    pub name: &'static str,
    /// The child table's name.
    pub child_table: &'static str,
    /// [`Relation::FOREIGN_KEY`].
    pub foreign_key: &'static str,
    /// The parent table's name.
    pub parent_table: &'static str,
    /// [`Relation::ON_DELETE`].
    pub on_delete: OnDelete,
    /// Whether the relation is [`HasOne`].
    pub unique: bool,
    /// Whether the key is optional (from [`Relation::Key`]).
    pub optional: bool,
}

impl RelationInfo {
    /// The description of relation `R`.
    pub const fn of<R: Relation>() -> &'static Self {
        const { &RelationInfo::describe::<R>() }
    }

    const fn describe<R: Relation>() -> Self {
        RelationInfo {
            name: R::NAME,
            child_table: R::Child::TABLE,
            foreign_key: R::FOREIGN_KEY,
            parent_table: R::Parent::TABLE,
            on_delete: R::ON_DELETE,
            unique: R::Kind::UNIQUE,
            optional: <R::Key as ForeignKey<R::Parent>>::OPTIONAL,
        }
    }
}

/// The description of relation `R` (see [`RelationInfo::of`]).
pub(crate) fn info_of<R: Relation>() -> &'static RelationInfo {
    RelationInfo::of::<R>()
}

impl fmt::Display for RelationInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}.{} -> {})",
            self.name, self.child_table, self.foreign_key, self.parent_table
        )
    }
}
