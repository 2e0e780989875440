//! `belongs_to!`: a relation, its default filter and order, and its named accessors, declared
//! in one line on the child's foreign-key field.

/// Declares a relation on a child's foreign-key field, in one line.
///
/// ```text
/// belongs_to!(Vis Name: Child.field -> Parent, has_many | has_one
///     [, on_delete = Policy]
///     [, filter = |child| keep]
///     [, order_by = |child| key]
///     [, accessors { belongs_to: Trait::method, has_many | has_one: Trait::method }]
/// );
/// ```
///
/// defines a unit struct `Name` implementing [`Relation`](crate::Relation). The field must be
/// an `Id<Parent>` (required) or an `Option<Id<Parent>>` (optional) of a `Child` that derives
/// [`Model`](derive@crate::Model); the policy is one of [`OnDelete`](crate::OnDelete)'s
/// variants and defaults to `Restrict`. `Child` and `Parent` are bare type names: name a
/// generic row through a type alias (`type Tree = Node<u32>;`), or import a row from another
/// module with `use`. The options come in this order, each optional.
///
/// ```
/// use relstore::{Db, Id, Model};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "users")]
/// pub struct User { name: String }
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "posts")]
/// pub struct Post { user_id: Id<User>, editor_id: Option<Id<User>>, title: String }
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
///
/// # Named accessors
///
/// `accessors { belongs_to: PostAuthorOf::author, has_many: UserPosts::posts }` generates,
/// per side, a trait of one method with the given names, implemented for the rows of that
/// side, so that `post.author()` and `user.posts()` read as in ActiveRecord (import the trait to
/// call its method; it has `Name`'s visibility):
///
/// - `belongs_to: T::m` on `Row<Child>`: the parent, `Row<Parent>` for a required key,
///   `Option<Row<Parent>>` for an optional one ([`ParentRow`](crate::ParentRow)).
/// - `has_many: T::m` on `Row<Parent>`: the children through the default filter and order,
///   a [`Related`](crate::Related) iterator (as [`Row::related`](crate::Row::related)).
/// - `has_one: T::m` on `Row<Parent>`: `Option<Row<Child>>`, `None` also when the default
///   filter hides the one child.
///
/// Each side is optional and names its own trait (one trait for both sides could not serve a
/// self-referential relation, whose two sides are the same row type). The parent side's word
/// must be the relation's kind.
///
/// # Default filter and order (ActiveRecord's `loader`)
///
/// `filter = |post| !post.draft` (any `fn(&Child) -> bool`, closure or function) and
/// `order_by = |post| post.created_at` (a key that is `Ord`, as for
/// [`slice::sort_by_key`]; it may borrow from the row, `post.title.as_str()`; write
/// `std::cmp::Reverse(key)` for descending) set [`Relation::DEFAULT_FILTER`] and
/// [`Relation::DEFAULT_ORDER`](crate::Relation::DEFAULT_ORDER). They apply wherever children
/// are read *as the relation shows them*:
///
/// - the named accessors, [`Row::related`], [`RelationRef::related`](crate::RelationRef::related);
/// - the queries: [`Db::children`](crate::Db::children), [`Query::join`](crate::Query::join),
///   [`Db::through`](crate::Db::through) (the join rows as the first relation shows them),
///   [`Query::where_has`](crate::Query::where_has) and
///   [`where_has_not`](crate::Query::where_has_not) (a parent "has" a child only if one
///   passes the filter);
/// - eager loading: an [`Eager`](crate::Eager) level (or a bare relation) starts from the
///   children the relation shows; the level's own `filter` applies on top, and its own order,
///   if it has one, replaces the default order. A has-one child the filter hides is `None`.
///
/// Everything that keeps the data whole, and raw navigation, sees every child, in creation
/// order: the index, [`Row::has_many`](crate::Row::has_many), [`Db::has_many`](crate::Db::has_many),
/// [`Row::has_one`](crate::Row::has_one), [`RelationRef::count`](crate::RelationRef::count),
/// cascades, restricts and has-one checks. Ties in the order keep creation order.
///
/// There is no cache to configure (ActiveRecord's `cache_config`): every read goes to the live
/// index, so a child inserted, moved, deleted or set to null a moment ago is already seen.
///
/// ```
/// use std::cmp::Reverse;
/// use relstore::{Db, Id, Model};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// pub struct User { name: String }
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// pub struct Profile { user_id: Id<User>, bio: String }
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// pub struct Post { user_id: Id<User>, draft: bool, created_at: u64, title: String }
///
/// relstore::belongs_to!(
///     pub PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade,
///     filter = |post| !post.draft,
///     order_by = |post| Reverse(post.created_at), // newest first
///     accessors { belongs_to: PostAuthorOf::author, has_many: UserPosts::posts },
/// );
/// relstore::belongs_to!(
///     pub ProfileUser: Profile.user_id -> User, has_one, on_delete = Cascade,
///     accessors { has_one: UserProfile::profile },
/// );
/// relstore::schema! {
///     pub struct Blog { users: User, profiles: Profile, posts: Post }
///     relations { PostAuthor, ProfileUser }
/// }
///
/// let mut db = Db::<Blog>::new();
/// let ann = db.insert(User { name: "ann".into() })?;
/// db.insert(Profile { user_id: ann, bio: "hi".into() })?;
/// for (created_at, draft, title) in [(1, false, "old"), (2, true, "draft"), (3, false, "new")] {
///     db.insert(Post { user_id: ann, draft, created_at, title: title.into() })?;
/// }
///
/// let user = db.get(ann)?;
/// let titles: Vec<&str> = user.posts().map(|post| post.value().title.as_str()).collect();
/// assert_eq!(titles, ["new", "old"]);
/// assert_eq!(user.profile().map(|p| p.value().bio.as_str()), Some("hi"));
/// let first = user.posts().next().unwrap();
/// assert_eq!(first.author().name, "ann");
/// assert_eq!(user.has_many(PostAuthor).len(), 3); // every child, the draft too
///
/// // Queries and eager loading show what the accessors show.
/// let newest = db.children(PostAuthor, ann)?.first().map(|post| post.value().title.as_str());
/// assert_eq!(newest, Some("new"));
/// assert_eq!(db.query::<User>().join(PostAuthor).count(), 2);
/// let tree = db.query::<User>().with(relstore::Eager::new(PostAuthor).limit(1));
/// assert_eq!(tree.get(0).unwrap().with().get(0).unwrap().title, "new");
/// // Raw navigation does not.
/// assert_eq!(db.relation(PostAuthor).count(ann)?, 3);
/// # Ok::<(), relstore::Error>(())
/// ```
///
/// [`Relation::DEFAULT_FILTER`]: crate::Relation::DEFAULT_FILTER
/// [`Row::related`]: crate::Row::related
#[macro_export]
macro_rules! belongs_to {
    (
        $(#[$attr:meta])*
        $vis:vis $name:ident : $child:ident . $field:ident -> $parent:ident, $kind:ident
        $(, on_delete = $policy:ident)?
        $(, filter = $filter:expr)?
        $(, order_by = |$arg:ident $(: $arg_ty:ty)?| $order_key:expr)?
        $(, accessors { $($side:ident : $nav:ident :: $method:ident),+ $(,)? })?
        $(,)?
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
            type Key = <$child as $crate::__private::KeyFieldType<
                { $crate::__private::field_hash(stringify!($field)) },
                $parent,
            >>::Key;
            // Destructuring, not `row.field`: a field access would go through a `Deref` impl
            // of the row, which could hand out a key that changes behind the index.
            #[inline]
            fn key(row: &$child) -> &Self::Key {
                let $child { $field: key, .. } = row;
                key
            }
            #[inline]
            fn key_mut(row: &mut $child) -> &mut Self::Key {
                let $child { $field: key, .. } = row;
                key
            }
            $(
                const DEFAULT_FILTER: ::core::option::Option<fn(&$child) -> bool> =
                    ::core::option::Option::Some($filter);
            )?
            $(
                // The key's body is written out once per side rather than called as a
                // closure, so that it may borrow from the row (`post.title.as_str()`).
                const DEFAULT_ORDER: ::core::option::Option<
                    fn(&$child, &$child) -> ::core::cmp::Ordering,
                > = ::core::option::Option::Some(|a: &$child, b: &$child| {
                    let a = {
                        let $arg $(: $arg_ty)? = a;
                        $order_key
                    };
                    let b = {
                        let $arg $(: $arg_ty)? = b;
                        $order_key
                    };
                    ::core::cmp::Ord::cmp(&a, &b)
                });
            )?
        }

        $($(
            $crate::__accessor!($side, $kind, $vis, $name, $child, $parent, $nav, $method);
        )+)?
    };
}

/// One named accessor of `belongs_to!`: a trait of one method, implemented for the rows of
/// the side it reads from.
#[doc(hidden)]
#[macro_export]
macro_rules! __accessor {
    (belongs_to, $kind:ident, $vis:vis, $name:ident, $child:ident, $parent:ident,
        $nav:ident, $method:ident) => {
        #[doc = concat!(
            "The named accessor `", stringify!($method), "` of relation [`", stringify!($name),
            "`]: a `", stringify!($child), "` row's `", stringify!($parent),
            "`. Generated by `relstore::belongs_to!`."
        )]
        $vis trait $nav<'db, S> {
            #[doc = concat!(
                "The row's `", stringify!($parent), "` under [`", stringify!($name),
                "`]: its row for a required key, `Option` of it for an optional one."
            )]
            fn $method(&self) -> $crate::ParentRow<'db, $name, S>;
        }
        impl<'db, S: $crate::HasRelation<$name>> $nav<'db, S> for $crate::Row<'db, $child, S> {
            #[inline]
            fn $method(&self) -> $crate::ParentRow<'db, $name, S> {
                $crate::Row::belongs_to(self, $name)
            }
        }
    };
    (has_many, has_many, $vis:vis, $name:ident, $child:ident, $parent:ident,
        $nav:ident, $method:ident) => {
        #[doc = concat!(
            "The named accessor `", stringify!($method), "` of relation [`", stringify!($name),
            "`]: a `", stringify!($parent), "` row's `", stringify!($child),
            "` rows. Generated by `relstore::belongs_to!`."
        )]
        $vis trait $nav<'db, S> {
            #[doc = concat!(
                "The row's children under [`", stringify!($name),
                "`], through the relation's default filter and order."
            )]
            fn $method(&self) -> $crate::Related<'db, $name, S>;
        }
        impl<'db, S: $crate::HasRelation<$name>> $nav<'db, S> for $crate::Row<'db, $parent, S> {
            #[inline]
            fn $method(&self) -> $crate::Related<'db, $name, S> {
                $crate::Row::related(self, $name)
            }
        }
    };
    (has_one, has_one, $vis:vis, $name:ident, $child:ident, $parent:ident,
        $nav:ident, $method:ident) => {
        #[doc = concat!(
            "The named accessor `", stringify!($method), "` of relation [`", stringify!($name),
            "`]: a `", stringify!($parent), "` row's one `", stringify!($child),
            "`. Generated by `relstore::belongs_to!`."
        )]
        $vis trait $nav<'db, S> {
            #[doc = concat!(
                "The row's one child under [`", stringify!($name),
                "`], if it has one that the relation's default filter keeps."
            )]
            fn $method(&self) -> ::core::option::Option<$crate::Row<'db, $child, S>>;
        }
        impl<'db, S: $crate::HasRelation<$name>> $nav<'db, S> for $crate::Row<'db, $parent, S> {
            #[inline]
            fn $method(&self) -> ::core::option::Option<$crate::Row<'db, $child, S>> {
                $crate::__private::related_one(self, $name)
            }
        }
    };
    ($side:ident, $kind:ident, $($rest:tt)*) => {
        ::core::compile_error!(concat!(
            "`", stringify!($side), "` is not an accessor of a `", stringify!($kind),
            "` relation: write `belongs_to: Trait::method` for the child's side and `",
            stringify!($kind), ": Trait::method` for the parent's"
        ));
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
