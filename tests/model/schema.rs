//! The schema under test: five tables and nine relations covering every kind (HasMany, HasOne),
//! every policy (Restrict, Cascade, SetNull), required and optional keys, two relations between
//! the same tables, and two self-referential relations.
//!
//! Each relation is declared with `relstore::belongs_to!` and, beside it, described again for the
//! reference ([`Spec`]): its policy, whether it is has-one, and how to read and clear its key.
//! The store's schema is [`Forum`].

use relstore::{Db, HasRelation, Id, Model, NotFound, OnDelete, Relation};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
pub struct User {
    pub name: String,
    pub score: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
pub struct Post {
    pub author_id: Id<User>,
    pub editor_id: Option<Id<User>>,
    pub category_id: Option<Id<Category>>,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "comments")]
pub struct Comment {
    pub post_id: Id<Post>,
    pub author_id: Id<User>,
    pub reply_to: Option<Id<Comment>>,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "profiles")]
pub struct Profile {
    pub user_id: Id<User>,
    pub featured_post_id: Option<Id<Post>>,
    pub bio: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "categories")]
pub struct Category {
    pub parent_id: Option<Id<Category>>,
    pub name: String,
}

/// A relation as the reference sees it, written independently of the store's own description.
pub trait Spec: Relation + Default {
    const POLICY: OnDelete;
    const UNIQUE: bool;
    /// The child's parent, read straight from the field.
    fn parent_of(child: &Self::Child) -> Option<Id<Self::Parent>>;
    /// Sets an optional key to `None`.
    fn set_null(child: &mut Self::Child);
    /// Sets `to`'s key to `from`'s: how a refused edit's key is put back.
    fn copy_key(from: &Self::Child, to: &mut Self::Child);
    /// The store's children of `parent`, read through every form of the API (`Err` if those
    /// forms disagree); the inner result is the store's lookup outcome.
    #[allow(clippy::type_complexity)]
    fn store_children<S: HasRelation<Self>>(
        db: &Db<S>,
        parent: Id<Self::Parent>,
    ) -> Result<Result<Vec<Id<Self::Child>>, NotFound>, String>;
}

/// Reads a foreign-key field, required or optional, without help from the store.
pub trait Key<P> {
    fn get(&self) -> Option<Id<P>>;
    fn clear(&mut self);
}
impl<P> Key<P> for Id<P> {
    fn get(&self) -> Option<Id<P>> {
        Some(*self)
    }
    fn clear(&mut self) {}
}
impl<P> Key<P> for Option<Id<P>> {
    fn get(&self) -> Option<Id<P>> {
        *self
    }
    fn clear(&mut self) {
        *self = None;
    }
}

/// Declares a relation with `relstore::belongs_to!` and, beside it, its [`Spec`]. Used by the
/// unit schema too.
macro_rules! relation {
    (@unique has_many) => { false };
    (@unique has_one) => { true };
    (@answers has_many) => { crate::check::has_many_answers::<Self, S> };
    (@answers has_one) => { crate::check::has_one_answers::<Self, S> };
    ($name:ident: $child:ident.$field:ident -> $parent:ident, $kind:ident, $policy:ident) => {
        relstore::belongs_to!(pub $name: $child.$field -> $parent, $kind, on_delete = $policy);

        impl crate::schema::Spec for $name {
            const POLICY: relstore::OnDelete = relstore::OnDelete::$policy;
            const UNIQUE: bool = relation!(@unique $kind);
            fn parent_of(child: &$child) -> Option<relstore::Id<$parent>> {
                crate::schema::Key::<$parent>::get(&child.$field)
            }
            fn set_null(child: &mut $child) {
                crate::schema::Key::<$parent>::clear(&mut child.$field)
            }
            fn copy_key(from: &$child, to: &mut $child) {
                to.$field = from.$field;
            }
            fn store_children<S: relstore::HasRelation<Self>>(
                db: &relstore::Db<S>,
                parent: relstore::Id<$parent>,
            ) -> Result<Result<Vec<relstore::Id<$child>>, relstore::NotFound>, String> {
                relation!(@answers $kind)(db, parent)
            }
        }
    };
}
pub(crate) use relation;

relation!(PostAuthor: Post.author_id -> User, has_many, Cascade);
relation!(PostEditor: Post.editor_id -> User, has_many, SetNull);
relation!(PostCategory: Post.category_id -> Category, has_many, Restrict);
relation!(CommentPost: Comment.post_id -> Post, has_many, Cascade);
relation!(CommentAuthor: Comment.author_id -> User, has_many, Restrict);
relation!(CommentReply: Comment.reply_to -> Comment, has_many, SetNull);
relation!(UserProfile: Profile.user_id -> User, has_one, Cascade);
relation!(FeaturedPost: Profile.featured_post_id -> Post, has_one, SetNull);
relation!(CategoryParent: Category.parent_id -> Category, has_many, Cascade);

/// What `db.relation_infos()` must report: (name, child table, key, parent table, policy, has-one,
/// optional), in the order [`Forum`] declares the relations.
pub const EXPECTED_INFO: [(&str, &str, &str, &str, OnDelete, bool, bool); 9] = [
    (
        "CategoryParent",
        "categories",
        "parent_id",
        "categories",
        OnDelete::Cascade,
        false,
        true,
    ),
    (
        "CommentPost",
        "comments",
        "post_id",
        "posts",
        OnDelete::Cascade,
        false,
        false,
    ),
    (
        "PostAuthor",
        "posts",
        "author_id",
        "users",
        OnDelete::Cascade,
        false,
        false,
    ),
    (
        "CommentAuthor",
        "comments",
        "author_id",
        "users",
        OnDelete::Restrict,
        false,
        false,
    ),
    (
        "UserProfile",
        "profiles",
        "user_id",
        "users",
        OnDelete::Cascade,
        true,
        false,
    ),
    (
        "PostEditor",
        "posts",
        "editor_id",
        "users",
        OnDelete::SetNull,
        false,
        true,
    ),
    (
        "FeaturedPost",
        "profiles",
        "featured_post_id",
        "posts",
        OnDelete::SetNull,
        true,
        true,
    ),
    (
        "CommentReply",
        "comments",
        "reply_to",
        "comments",
        OnDelete::SetNull,
        false,
        true,
    ),
    (
        "PostCategory",
        "posts",
        "category_id",
        "categories",
        OnDelete::Restrict,
        false,
        true,
    ),
];

relstore::schema! {
    /// The schema under test. The tables are listed in no particular order; the relations in
    /// the order `db.relation_infos()` must report them ([`EXPECTED_INFO`]).
    pub struct Forum {
        comments: Comment,
        users: User,
        categories: Category,
        posts: Post,
        profiles: Profile,
    }
    relations {
        CategoryParent,
        CommentPost,
        PostAuthor,
        CommentAuthor,
        UserProfile,
        PostEditor,
        FeaturedPost,
        CommentReply,
        PostCategory,
    }
}

/// The store under test, empty.
pub fn build() -> Db<Forum> {
    Db::new()
}
