//! Relations, declared once on the child's foreign-key field; both directions follow from it.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

use crate::id::{Id, RowKey};
use crate::model::Model;

/// A foreign key from `Child` to `Parent`, declared once; the store derives both directions
/// from it: BelongsTo (child -> parent) and its inverse, [`HasMany`] or [`HasOne`]
/// (parent -> children).
///
/// Because there is one declaration, the two sides can never disagree. Declare relations with
/// [`belongs_to!`](crate::belongs_to), or implement the trait by hand. The store reads and
/// clears the key only through [`ForeignKey`], which only `Id<Parent>` and `Option<Id<Parent>>`
/// implement; a hand-written relation must return the same field from [`Relation::key`] and
/// [`Relation::key_mut`], which the macro guarantees.
///
/// ```
/// use relstore::{ForeignKey, HasMany, Id, Model, OnDelete, Relation};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize)]
/// pub struct User { name: String }
/// impl Model for User { const TABLE: &'static str = "users"; }
///
/// #[derive(Clone, Serialize, Deserialize)]
/// struct Post { user_id: Id<User>, title: String }
/// impl Model for Post { const TABLE: &'static str = "posts"; }
///
/// #[derive(Clone, Copy, Debug)]
/// struct PostAuthor;
///
/// impl Relation for PostAuthor {
///     type Child = Post;
///     type Parent = User;
///     type Kind = HasMany;
///     const NAME: &'static str = "PostAuthor";
///     const FOREIGN_KEY: &'static str = "user_id";
///     const ON_DELETE: OnDelete = OnDelete::Cascade;
///     const OPTIONAL: bool = false;
///     fn key(post: &Post) -> &impl ForeignKey<User> { &post.user_id }
///     fn key_mut(post: &mut Post) -> &mut impl ForeignKey<User> { &mut post.user_id }
/// }
/// ```
pub trait Relation: Copy + Send + Sync + 'static {
    /// The table holding the foreign key (the "many" side).
    type Child: Model;
    /// The table the key points to (the "one" side).
    type Parent: Model;
    /// [`HasMany`] or [`HasOne`]: how many children a parent may have.
    type Kind: RelationKind;
    /// The relation's name, unique within a schema; used in errors.
    const NAME: &'static str;
    /// The name of the foreign-key field in `Child`; used in errors.
    const FOREIGN_KEY: &'static str;
    /// What deleting a parent does to its children.
    const ON_DELETE: OnDelete = OnDelete::Restrict;
    /// Whether the key is optional (`Option<Id<Parent>>`): the schema allows
    /// [`OnDelete::SetNull`] on optional keys only. [`belongs_to!`](crate::belongs_to) derives
    /// it from the field. Should a hand-written value disagree with the field, a set-null
    /// delete refuses (as a restrict would) rather than leave a key to a deleted row.
    const OPTIONAL: bool;
    /// The child's foreign-key field: the same field every time, and the one
    /// [`Relation::key_mut`] returns.
    fn key(child: &Self::Child) -> &impl ForeignKey<Self::Parent>;
    /// The child's foreign-key field, to set it to null (see [`Relation::key`]).
    fn key_mut(child: &mut Self::Child) -> &mut impl ForeignKey<Self::Parent>;
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
/// (optional), and nothing else (the trait is sealed). [`Relation::key`] returns one.
pub trait ForeignKey<P>: sealed::Sealed {
    /// The parent pointed to, if any.
    fn parent_id(&self) -> Option<Id<P>>;
    /// Whether the key can be null.
    fn is_optional(&self) -> bool;
    /// Sets the key to null; does nothing on a required key.
    fn clear(&mut self);
}

impl<P> ForeignKey<P> for Id<P> {
    #[inline]
    fn parent_id(&self) -> Option<Id<P>> {
        Some(*self)
    }
    fn is_optional(&self) -> bool {
        false
    }
    fn clear(&mut self) {}
}

impl<P> ForeignKey<P> for Option<Id<P>> {
    #[inline]
    fn parent_id(&self) -> Option<Id<P>> {
        *self
    }
    fn is_optional(&self) -> bool {
        true
    }
    fn clear(&mut self) {
        *self = None;
    }
}

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
    /// [`Relation::OPTIONAL`].
    pub optional: bool,
}

impl RelationInfo {
    /// The description of relation `R`.
    pub const fn of<R: Relation>() -> Self {
        RelationInfo {
            name: R::NAME,
            child_table: R::Child::TABLE,
            foreign_key: R::FOREIGN_KEY,
            parent_table: R::Parent::TABLE,
            on_delete: R::ON_DELETE,
            unique: R::Kind::UNIQUE,
            optional: R::OPTIONAL,
        }
    }
}

/// The description of relation `R`, as a `'static` reference so that errors stay small.
pub(crate) fn info_of<R: Relation>() -> &'static RelationInfo {
    const { &RelationInfo::of::<R>() }
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

/// Reads and clears a relation's key on type-erased child rows, for the parts of the store
/// that walk relations generically (cascades, set-null, index rebuilds).
pub(crate) trait KeyAccess: Send + Sync {
    fn parent_key(&self, child: &dyn Any) -> Option<RowKey>;
    /// Whether the key can be set to null (what the field is, whatever `OPTIONAL` says).
    fn can_clear(&self, child: &dyn Any) -> bool;
    fn clear_key(&self, child: &mut dyn Any);
}

pub(crate) struct KeyAccessOf<R>(PhantomData<fn() -> R>);

impl<R> KeyAccessOf<R> {
    pub(crate) fn new() -> Self {
        KeyAccessOf(PhantomData)
    }
}

impl<R: Relation> KeyAccess for KeyAccessOf<R> {
    #[inline]
    fn parent_key(&self, child: &dyn Any) -> Option<RowKey> {
        child
            .downcast_ref::<R::Child>()
            .and_then(parent_id::<R>)
            .map(Id::key)
    }

    fn can_clear(&self, child: &dyn Any) -> bool {
        child
            .downcast_ref::<R::Child>()
            .is_some_and(|child| R::key(child).is_optional())
    }

    fn clear_key(&self, child: &mut dyn Any) {
        if let Some(child) = child.downcast_mut::<R::Child>() {
            R::key_mut(child).clear();
        }
    }
}

/// What the macros need to know about a key field's type.
pub mod key_type {
    use crate::Id;

    /// What kind of key a field type is, as a constant.
    pub trait KeyType {
        /// Whether the key can be null.
        const OPTIONAL: bool;
    }
    impl<P> KeyType for Id<P> {
        const OPTIONAL: bool = false;
    }
    impl<P> KeyType for Option<Id<P>> {
        const OPTIONAL: bool = true;
    }

    /// Whether the field that `field` reads is an optional key; lets the macro find out
    /// without being told the field's type.
    pub const fn key_is_optional<C, K: KeyType>(field: fn(&C) -> &K) -> bool {
        let _ = field;
        K::OPTIONAL
    }
}

/// Declares a relation on a child's foreign-key field, in one line.
///
/// `belongs_to!(Vis Name: Child.field -> Parent, has_many | has_one [, on_delete = Policy])`
/// defines a unit struct `Name` implementing [`Relation`]. The field must be an `Id<Parent>`
/// (required) or an `Option<Id<Parent>>` (optional); the policy is one of [`OnDelete`]'s
/// variants and defaults to `Restrict`.
///
/// ```
/// use relstore::{Db, Id, Model};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize)]
/// pub struct User { name: String }
/// impl Model for User { const TABLE: &'static str = "users"; }
///
/// #[derive(Clone, Serialize, Deserialize)]
/// pub struct Post { user_id: Id<User>, editor_id: Option<Id<User>>, title: String }
/// impl Model for Post { const TABLE: &'static str = "posts"; }
///
/// relstore::belongs_to!(pub PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
/// relstore::belongs_to!(pub PostEditor: Post.editor_id -> User, has_many, on_delete = SetNull);
///
/// relstore::schema! {
///     pub struct Blog { users: User, posts: Post }
///     relations { PostAuthor, PostEditor }
/// }
///
/// let mut db = Db::<Blog>::new();
/// let alice = db.insert(User { name: "alice".into() })?;
/// db.insert(Post { user_id: alice, editor_id: Some(alice), title: "Hello".into() })?;
/// assert_eq!(db.get(alice)?.has_many(PostAuthor).len(), 1);
/// # Ok::<(), relstore::Error>(())
/// ```
#[macro_export]
macro_rules! belongs_to {
    (
        $(#[$attr:meta])*
        $vis:vis $name:ident : $child:ident . $field:ident -> $parent:ident, $kind:ident
        $(, on_delete = $policy:ident)? $(,)?
    ) => {
        $(#[$attr])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        $vis struct $name;

        impl $crate::Relation for $name {
            type Child = $child;
            type Parent = $parent;
            type Kind = $crate::__relation_kind!($kind);
            const NAME: &'static str = stringify!($name);
            const FOREIGN_KEY: &'static str = stringify!($field);
            const ON_DELETE: $crate::OnDelete = $crate::__on_delete!($($policy)?);
            const OPTIONAL: bool =
                $crate::__private::key_is_optional::<$child, _>(|row: &$child| &row.$field);
            #[inline]
            fn key(row: &$child) -> &impl $crate::ForeignKey<$parent> {
                &row.$field
            }
            #[inline]
            fn key_mut(row: &mut $child) -> &mut impl $crate::ForeignKey<$parent> {
                &mut row.$field
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __relation_kind {
    (has_many) => {
        $crate::HasMany
    };
    (has_one) => {
        $crate::HasOne
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __on_delete {
    () => {
        $crate::OnDelete::Restrict
    };
    ($policy:ident) => {
        $crate::OnDelete::$policy
    };
}
