//! The integrity check: every rule the store keeps, verified from the rows alone.
//!
//! Tests run it after every step; snapshot loading runs it before handing a store over.

use super::Db;
use crate::error::IntegrityError;
use crate::fk_index::FkIndex;
use crate::id::AnyId;
use crate::relation::{Relation, RelationKind, info_of, parent_id};
use crate::schema::{HasRelation, RelationVisitor, Schema};

impl<S: Schema> Db<S> {
    /// Checks every rule the store keeps: each foreign key names a row of its parent table,
    /// each has-one parent has at most one child, and each foreign-key index equals the one
    /// the rows alone give. The store keeps these itself, so an error means a bug in relstore
    /// (or, once snapshots load, a damaged file); it names the relation and the rows.
    ///
    /// Costs a pass over every child table and a rebuild of every index: O(n log n).
    ///
    /// # Errors
    /// The first broken rule found, as an [`IntegrityError`].
    ///
    /// ```
    /// # use relstore::{Db, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct Note { text: String }
    /// relstore::schema! { struct Notes { notes: Note } relations {} }
    ///
    /// let mut db = Db::<Notes>::new();
    /// db.insert(Note { text: "hello".into() })?;
    /// db.check_integrity()?;
    /// # Ok::<(), relstore::Error>(())
    /// ```
    pub fn check_integrity(&self) -> Result<(), IntegrityError> {
        for r in 0..self.relations.len() {
            let mut check = CheckRelation {
                db: self,
                result: Ok(()),
            };
            S::__visit_relation(r, &mut check);
            check.result?;
        }
        Ok(())
    }

    /// Relation `r`'s index, derived from its child rows: children in creation order.
    pub(super) fn rebuilt_index(&self, r: usize) -> FkIndex {
        let mut rebuild = Rebuild {
            db: self,
            index: FkIndex::default(),
        };
        S::__visit_relation(r, &mut rebuild);
        rebuild.index
    }
}

struct Rebuild<'a, S> {
    db: &'a Db<S>,
    index: FkIndex,
}

impl<S: Schema> RelationVisitor<S> for Rebuild<'_, S> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        let rows = self.db.rows::<R::Child>();
        let mut links: Vec<_> = (rows.iter())
            .filter_map(|(child, row)| {
                let parent = parent_id::<R>(row)?.key();
                Some((rows.seq(child)?, parent, child))
            })
            .collect();
        links.sort_unstable_by_key(|&(seq, ..)| seq);
        for (_, parent, child) in links {
            self.index.link_newest(parent, child);
        }
    }
}

struct CheckRelation<'a, S> {
    db: &'a Db<S>,
    result: Result<(), IntegrityError>,
}

impl<S: Schema> RelationVisitor<S> for CheckRelation<'_, S> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        let info = info_of::<R>();
        let parents = self.db.rows::<R::Parent>();
        for (child, row) in self.db.rows::<R::Child>().iter() {
            if let Some(parent) = parent_id::<R>(row)
                && !parents.contains_key(parent.key())
            {
                self.result = Err(IntegrityError::MissingParent {
                    relation: info,
                    child: AnyId::new(info.child_table, child),
                    parent: parent.into(),
                });
                return;
            }
        }
        let rebuilt = self.db.rebuilt_index(S::RELATION_POS);
        if R::Kind::UNIQUE {
            for (parent, _) in parents.iter() {
                let mut children = rebuilt.children(parent);
                if let (Some(first), Some(second)) = (children.next(), children.next()) {
                    self.result = Err(IntegrityError::HasOneBroken {
                        relation: info,
                        parent: AnyId::new(info.parent_table, parent),
                        children: [first, second].map(|c| AnyId::new(info.child_table, c)),
                    });
                    return;
                }
            }
        }
        if rebuilt != *self.db.index::<R>() {
            self.result = Err(IntegrityError::IndexOutOfStep { relation: info });
        }
    }
}
