//! The schema: a store's tables and relations, declared once with [`schema!`](crate::schema)
//! and checked when the program compiles.
//!
//! The macro generates a struct holding one typed arena per table, so that a read reaches its
//! table through a field, with no lookup and no downcast. Code that walks relations across
//! tables it cannot name (cascades, index rebuilds) reaches a table or a relation by its
//! position, through a dispatcher the macro generates ([`Schema::__visit_table`],
//! [`Schema::__visit_relation`]) that calls a visitor monomorphized for that table's or
//! relation's type. There is no type-erased path: every row is changed by typed code.

use crate::fk_index::FkIndex;
use crate::model::Model;
use crate::relation::{Relation, RelationInfo, info_of};
use crate::table::Table;

mod checks;

pub use checks::{assert_distinct, assert_keys_have_relations, assert_policy, position};

/// A store's set of tables and relations, declared with [`schema!`](crate::schema); the `S` of
/// [`Db<S>`](crate::Db).
///
/// Only the macro implements it; its items are the macro's business.
pub trait Schema: Sized + Send + Sync + 'static {
    #[doc(hidden)]
    /// The tables' names, by position.
    const __TABLES: &'static [&'static str];
    #[doc(hidden)]
    fn __new() -> Self;
    #[doc(hidden)]
    /// The foreign-key indexes, by relation position. They live in the schema struct, beside
    /// the tables, so that reaching one costs no load: a has-many is as direct as by hand.
    fn __indexes(&self) -> &[FkIndex];
    #[doc(hidden)]
    fn __indexes_mut(&mut self) -> &mut [FkIndex];
    #[doc(hidden)]
    /// Calls `visitor` with the type of the table at position `t`; nothing if there is none.
    fn __visit_table<V: TableVisitor<Self>>(t: TablePos, visitor: &mut V);
    #[doc(hidden)]
    /// Calls `visitor` with the type of the relation at position `r`; nothing if there is
    /// none.
    fn __visit_relation<V: RelationVisitor<Self>>(r: RelationPos, visitor: &mut V);
    #[doc(hidden)]
    /// Calls `visitor` once per relation, in declaration order.
    fn __relations<V: RelationVisitor<Self>>(visitor: &mut V);
}

/// Schemas that have a table of `T`s. [`schema!`](crate::schema) implements it for each table.
#[diagnostic::on_unimplemented(
    message = "`{T}` is not a table of schema `{Self}`",
    label = "add `{T}` to the tables of `{Self}` in its `relstore::schema!`"
)]
pub trait HasTable<T: Model>: Schema {
    #[doc(hidden)]
    /// The table's position in the schema.
    const TABLE_POS: TablePos;
    #[doc(hidden)]
    fn __rows(&self) -> &Table<T>;
    #[doc(hidden)]
    fn __rows_mut(&mut self) -> &mut Table<T>;
    #[doc(hidden)]
    /// The table and the indexes, borrowed apart: a write changes both.
    fn __rows_and_indexes_mut(&mut self) -> (&mut Table<T>, &mut [FkIndex]);
}

/// Schemas that have relation `R` (and so both of its tables). [`schema!`](crate::schema)
/// implements it for each relation.
#[diagnostic::on_unimplemented(
    message = "relation `{R}` is not part of schema `{Self}`",
    label = "add `{R}` to the relations of `{Self}` in its `relstore::schema!`"
)]
pub trait HasRelation<R: Relation>: HasTable<R::Child> + HasTable<R::Parent> {
    #[doc(hidden)]
    /// The relation's position in the schema.
    const RELATION_POS: RelationPos;
}

/// Something done to a relation of schema `S`, with the relation's type at hand.
#[doc(hidden)]
pub trait RelationVisitor<S: Schema> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>;
}

/// Something done to a table of schema `S`, with its row type at hand.
#[doc(hidden)]
pub trait TableVisitor<S: Schema> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>;
}

/// A table's position in its schema: the order `schema!` lists it in.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TablePos(pub usize);

/// A relation's position in its schema, which is also its index's position in
/// [`Schema::__indexes`].
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationPos(pub usize);

/// Lets each position index only what it is a position of.
macro_rules! index_by {
    ($($pos:ident => $item:ty),*) => {$(
        impl std::ops::Index<$pos> for [$item] {
            type Output = $item;
            #[inline]
            fn index(&self, pos: $pos) -> &$item {
                &self[pos.0]
            }
        }
        impl std::ops::IndexMut<$pos> for [$item] {
            #[inline]
            fn index_mut(&mut self, pos: $pos) -> &mut $item {
                &mut self[pos.0]
            }
        }
    )*};
}
index_by!(TablePos => TableLinks, RelationPos => RelationSlot, RelationPos => FkIndex);

impl RelationPos {
    /// Every relation position of a schema with `count` relations.
    pub(crate) fn all(count: usize) -> impl Iterator<Item = RelationPos> {
        (0..count).map(RelationPos)
    }
}

impl TablePos {
    /// Every table position of a schema with `count` tables.
    pub(crate) fn all(count: usize) -> impl Iterator<Item = TablePos> {
        (0..count).map(TablePos)
    }
}

/// A table's place among the relations.
pub(crate) struct TableLinks {
    pub(crate) name: &'static str,
    /// Relations whose foreign key lives in this table's rows.
    pub(crate) as_child: Vec<RelationPos>,
    /// Relations whose foreign key points to this table's rows.
    pub(crate) as_parent: Vec<RelationPos>,
}

/// A relation and its tables' positions; its index is the schema's (see
/// [`Schema::__indexes`]), at the same position.
pub(crate) struct RelationSlot {
    pub(crate) info: &'static RelationInfo,
    pub(crate) child: TablePos,
    pub(crate) parent: TablePos,
}

/// The runtime description of schema `S`: each table's relations, and each relation.
pub(crate) fn links<S: Schema>() -> (Box<[TableLinks]>, Box<[RelationSlot]>) {
    struct Slots(Vec<RelationSlot>);
    impl<S: Schema> RelationVisitor<S> for Slots {
        fn visit<R: Relation>(&mut self)
        where
            S: HasRelation<R>,
        {
            self.0.push(RelationSlot {
                info: info_of::<R>(),
                child: <S as HasTable<R::Child>>::TABLE_POS,
                parent: <S as HasTable<R::Parent>>::TABLE_POS,
            });
        }
    }
    let mut slots = Slots(Vec::new());
    S::__relations(&mut slots);
    let relations = slots.0;
    let mut tables: Vec<TableLinks> = (S::__TABLES.iter())
        .map(|&name| TableLinks {
            name,
            as_child: Vec::new(),
            as_parent: Vec::new(),
        })
        .collect();
    for (r, relation) in RelationPos::all(relations.len()).zip(&relations) {
        tables[relation.child.0].as_child.push(r);
        tables[relation.parent.0].as_parent.push(r);
    }
    (tables.into(), relations.into())
}

/// Declares a schema: the tables of a store and the relations between them.
///
/// ```text
/// relstore::schema! {
///     [attributes] [vis] struct Name {
///         field: Model,    // one per table
///         ...
///     }
///     relations { Relation, ... }
/// }
/// ```
///
/// defines `Name` (a struct holding one arena per table, under the given field names, and the
/// relations' indexes in a field named `__relstore_fk_indexes`, a name tables cannot take) to
/// be used as [`Db<Name>`](crate::Db). The schema is checked when the program compiles: a relation whose
/// table is missing, a table or relation listed twice, two tables or relations with the same
/// name, and [`OnDelete::SetNull`](crate::OnDelete::SetNull) on a required key are all compile errors.
///
/// ```
/// use relstore::{Db, Id, Model};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "users")]
/// struct User { name: String }
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "posts")]
/// struct Post { user_id: Id<User>, title: String }
///
/// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
///
/// relstore::schema! {
///     /// Users and their posts.
///     struct Blog {
///         users: User,
///         posts: Post,
///     }
///     relations { PostAuthor }
/// }
///
/// let mut db = Db::<Blog>::new();
/// let alice = db.insert(User { name: "alice".into() })?;
/// db.insert(Post { user_id: alice, title: "Hello".into() })?;
/// assert_eq!(db.get(alice)?.has_many(PostAuthor).len(), 1);
/// # Ok::<(), relstore::Error>(())
/// ```
///
/// # Compile-time checks
///
/// Each rule is checked when the program compiles, with a message that names what is wrong:
///
/// - every relation's parent and child tables are tables of the schema
///   (`` `User` is not a table of schema `Blog` ``);
/// - every foreign-key field of a table ([`Model::KEYS`](crate::Model::KEYS)) has a relation
///   in the schema, unless declared `#[relstore(unchecked)]`
///   (`` field `items.owner` is a foreign key, but no relation of this schema uses it ``), and
///   every relation guards a checked key field;
/// - no table or relation is listed twice, and no two have the same name
///   (`` two tables of this schema are named `users` ``);
/// - [`OnDelete::SetNull`](crate::OnDelete::SetNull) is only on optional keys
///   (`Option<Id<_>>`);
/// - `db.get`, `db.insert`, `has_many` and the rest only take the schema's tables and
///   relations (`` relation `PostAuthor` is not part of schema `Blog` ``).
///
/// The crate's UI tests (`tests/ui/`) pin each message.
#[macro_export]
macro_rules! schema {
    (
        $(#[$attr:meta])*
        $vis:vis struct $schema:ident {
            $($field:ident : $table:ty),+ $(,)?
        }
        relations { $($relation:ty),* $(,)? }
    ) => {
        $(#[$attr])*
        $vis struct $schema {
            $($field: $crate::__private::Table<$table>,)+
            __relstore_fk_indexes: [
                $crate::__private::FkIndex;
                <[&str]>::len(&[$(<$relation as $crate::Relation>::NAME),*])
            ],
        }

        const _: () = {
            const TABLES: &[&str] = &[$(<$table as $crate::Model>::TABLE),+];
            const RELATIONS: &[&str] = &[$(<$relation as $crate::Relation>::NAME),*];

            impl $crate::Schema for $schema {
                const __TABLES: &'static [&'static str] = TABLES;

                fn __new() -> Self {
                    $schema {
                        $($field: $crate::__private::Table::new(),)+
                        __relstore_fk_indexes: ::std::array::from_fn(|_| ::std::default::Default::default()),
                    }
                }

                #[inline]
                fn __indexes(&self) -> &[$crate::__private::FkIndex] {
                    &self.__relstore_fk_indexes
                }

                #[inline]
                fn __indexes_mut(&mut self) -> &mut [$crate::__private::FkIndex] {
                    &mut self.__relstore_fk_indexes
                }

                #[inline]
                fn __visit_table<V: $crate::__private::TableVisitor<Self>>(t: $crate::__private::TablePos, visitor: &mut V) {
                    $(if t == <Self as $crate::HasTable<$table>>::TABLE_POS {
                        return visitor.visit::<$table>();
                    })+
                }

                #[inline]
                #[allow(unused_variables)] // a schema without relations
                fn __visit_relation<V: $crate::__private::RelationVisitor<Self>>(r: $crate::__private::RelationPos, visitor: &mut V) {
                    $(if r == <Self as $crate::HasRelation<$relation>>::RELATION_POS {
                        return visitor.visit::<$relation>();
                    })*
                }

                #[allow(unused_variables)] // a schema without relations
                #[inline]
                fn __relations<V: $crate::__private::RelationVisitor<Self>>(visitor: &mut V) {
                    $(visitor.visit::<$relation>();)*
                }
            }

            $(impl $crate::HasTable<$table> for $schema {
                const TABLE_POS: $crate::__private::TablePos = $crate::__private::TablePos(
                    $crate::__private::position(TABLES, <$table as $crate::Model>::TABLE),
                );
                #[inline]
                fn __rows(&self) -> &$crate::__private::Table<$table> {
                    &self.$field
                }
                #[inline]
                fn __rows_mut(&mut self) -> &mut $crate::__private::Table<$table> {
                    &mut self.$field
                }
                #[inline]
                fn __rows_and_indexes_mut(
                    &mut self,
                ) -> (
                    &mut $crate::__private::Table<$table>,
                    &mut [$crate::__private::FkIndex],
                ) {
                    (&mut self.$field, &mut self.__relstore_fk_indexes)
                }
            })+

            $(impl $crate::HasRelation<$relation> for $schema {
                const RELATION_POS: $crate::__private::RelationPos = $crate::__private::RelationPos(
                    $crate::__private::position(RELATIONS, <$relation as $crate::Relation>::NAME),
                );
            })*

            $crate::__private::assert_distinct(TABLES, "tables", "`Model::TABLE`");
            $crate::__private::assert_distinct(RELATIONS, "relations", "`Relation::NAME`");
            $($crate::__private::assert_policy::<$relation>();)*
            $crate::__private::assert_keys_have_relations(
                &[$((<$table as $crate::Model>::TABLE, <$table as $crate::Model>::KEYS)),+],
                &[$((
                    <<$relation as $crate::Relation>::Child as $crate::Model>::TABLE,
                    <$relation as $crate::Relation>::FOREIGN_KEY,
                    <$relation as $crate::Relation>::NAME,
                )),*],
            );
        };
    };
}
