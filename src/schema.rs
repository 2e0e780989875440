//! The schema: which tables and relations a store has, assembled once and checked when built.

use std::any::TypeId;

use crate::db::Db;
use crate::error::SchemaError;
use crate::fk_index::FkIndex;
use crate::model::Model;
use crate::relation::{KeyAccess, KeyAccessOf, OnDelete, Relation, RelationInfo, info_of};
use crate::table::{AnyTable, Table};

/// A registered table and the relations it takes part in.
pub(crate) struct TableSlot {
    pub(crate) type_id: TypeId,
    pub(crate) name: &'static str,
    pub(crate) rows: Box<dyn AnyTable>,
    /// Relations whose foreign key lives in this table's rows.
    pub(crate) as_child: Vec<usize>,
    /// Relations whose foreign key points to this table's rows.
    pub(crate) as_parent: Vec<usize>,
}

/// A registered relation, its tables' positions and its foreign-key index.
pub(crate) struct RelationSlot {
    pub(crate) type_id: TypeId,
    pub(crate) info: &'static RelationInfo,
    pub(crate) child: usize,
    pub(crate) parent: usize,
    pub(crate) keys: Box<dyn KeyAccess>,
    pub(crate) index: FkIndex,
}

struct RelationDecl {
    type_id: TypeId,
    info: &'static RelationInfo,
    child: TypeId,
    parent: TypeId,
    keys: Box<dyn KeyAccess>,
}

/// Assembles a store's schema; [`DbBuilder::build`] checks it and returns the empty store.
///
/// ```
/// use relstore::{Db, Id, Model, SchemaError};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize)]
/// struct User { name: String }
/// impl Model for User { const TABLE: &'static str = "users"; }
///
/// #[derive(Clone, Serialize, Deserialize)]
/// struct Post { user_id: Id<User> }
/// impl Model for Post { const TABLE: &'static str = "posts"; }
///
/// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
///
/// // Forgetting a table is caught when the schema is built, not at first use.
/// let err = Db::builder().table::<Post>().relation(PostAuthor).build().unwrap_err();
/// assert!(matches!(err, SchemaError::UnregisteredTable { table: "users", .. }));
/// ```
#[derive(Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct DbBuilder {
    tables: Vec<TableSlot>,
    relations: Vec<RelationDecl>,
}

impl DbBuilder {
    /// Registers table `T`.
    pub fn table<T: Model>(mut self) -> Self {
        self.tables.push(TableSlot {
            type_id: TypeId::of::<T>(),
            name: T::TABLE,
            rows: Box::new(Table::<T>::new()),
            as_child: Vec::new(),
            as_parent: Vec::new(),
        });
        self
    }

    /// Registers relation `R`; both of its tables must be registered too (in any order).
    pub fn relation<R: Relation>(mut self, relation: R) -> Self {
        let _ = relation; // the value only names the type, as at every use site
        self.relations.push(RelationDecl {
            type_id: TypeId::of::<R>(),
            info: info_of::<R>(),
            child: TypeId::of::<R::Child>(),
            parent: TypeId::of::<R::Parent>(),
            keys: Box::new(KeyAccessOf::<R>::new()),
        });
        self
    }

    /// Checks the schema and returns an empty store.
    ///
    /// # Errors
    /// A table or relation registered twice (by type or by name), a relation whose table is
    /// not registered, or [`OnDelete::SetNull`] on a required key.
    pub fn build(self) -> Result<Db, SchemaError> {
        let DbBuilder {
            mut tables,
            relations: decls,
        } = self;
        for (i, table) in tables.iter().enumerate() {
            if tables[..i]
                .iter()
                .any(|t| t.type_id == table.type_id || t.name == table.name)
            {
                return Err(SchemaError::DuplicateTable { table: table.name });
            }
        }
        let find = |type_id: TypeId| tables.iter().position(|t| t.type_id == type_id);
        let mut relations: Vec<RelationSlot> = Vec::with_capacity(decls.len());
        for decl in decls {
            let relation = decl.info;
            if relations
                .iter()
                .any(|r| r.type_id == decl.type_id || r.info.name == relation.name)
            {
                return Err(SchemaError::DuplicateRelation { relation });
            }
            let child = find(decl.child).ok_or(SchemaError::UnregisteredTable {
                relation,
                table: relation.child_table,
            })?;
            let parent = find(decl.parent).ok_or(SchemaError::UnregisteredTable {
                relation,
                table: relation.parent_table,
            })?;
            if relation.on_delete == OnDelete::SetNull && !relation.optional {
                return Err(SchemaError::SetNullOnRequiredKey { relation });
            }
            relations.push(RelationSlot {
                type_id: decl.type_id,
                info: relation,
                child,
                parent,
                keys: decl.keys,
                index: FkIndex::default(),
            });
        }
        for (r, relation) in relations.iter().enumerate() {
            tables[relation.child].as_child.push(r);
            tables[relation.parent].as_parent.push(r);
        }
        Ok(Db::from_schema(tables, relations))
    }
}
