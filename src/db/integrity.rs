//! The integrity check: every rule the store keeps, verified from the rows alone.
//!
//! Tests run it after every step; snapshot loading runs it before handing a store over.

use super::Db;
use crate::error::IntegrityError;
use crate::fk_index::FkIndex;
use crate::id::AnyId;
use crate::model::Model;
use crate::relation::{Relation, RelationKind, info_of, parent_id};
use crate::schema::{
    HasRelation, HasTable, RelationPos, RelationVisitor, Schema, TablePos, TableVisitor,
};

impl<S: Schema> Db<S> {
    /// Checks every rule that ties rows together: each foreign key names a row of its parent
    /// table, each has-one parent has at most one child, and each foreign-key index and each
    /// secondary index equals the one the rows alone give (so no unique key is held twice). (A table's own structure, its slots, versions and free list,
    /// is checked when it is built from an image, and kept by construction.) The store keeps these itself, so an error means a bug in relstore
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
        self.check(Scope::All)?;
        for t in TablePos::all(self.links.len()) {
            let mut check = CheckSecondary {
                db: self,
                result: Ok(()),
            };
            S::__visit_table(t, &mut check);
            check.result?;
        }
        Ok(())
    }

    /// The part of [`Db::check_integrity`] a load runs before it builds any index: every
    /// foreign key names a row (an index is dense up to its highest parent slot, so a key to
    /// a far slot must be refused before an index is built for it).
    pub(crate) fn check_every_key(&self) -> Result<(), IntegrityError> {
        self.check(Scope::Keys)
    }

    /// The rest, once [`Db::rebuild_indexes`] built the indexes from these rows: each
    /// has-one parent has at most one child.
    pub(crate) fn check_has_one(&self) -> Result<(), IntegrityError> {
        self.check(Scope::HasOne)
    }

    fn check(&self, scope: Scope) -> Result<(), IntegrityError> {
        for r in RelationPos::all(self.relations.len()) {
            let mut check = CheckRelation {
                db: self,
                scope,
                result: Ok(()),
            };
            S::__visit_relation(r, &mut check);
            check.result?;
        }
        Ok(())
    }

    /// Relation `r`'s index, derived from its child rows: children in creation order.
    pub(super) fn rebuilt_index(&self, r: RelationPos) -> FkIndex {
        let mut rebuild = Rebuild {
            db: self,
            index: FkIndex::default(),
        };
        S::__visit_relation(r, &mut rebuild);
        rebuild.index
    }
}

/// Compares one table's secondary indexes with those its rows give.
struct CheckSecondary<'a, S> {
    db: &'a Db<S>,
    result: Result<(), IntegrityError>,
}

impl<S: Schema> TableVisitor<S> for CheckSecondary<'_, S> {
    fn visit<T: Model>(&mut self)
    where
        S: HasTable<T>,
    {
        if let Some(index) = self.db.rows::<T>().index_out_of_step() {
            self.result = Err(IntegrityError::SecondaryIndexOutOfStep { index });
        }
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
            self.index
                .link_newest(parent, child, |c| rows.seq(c).unwrap_or(u64::MAX));
        }
    }
}

/// Which rules a check covers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Every rule, the indexes compared with ones rebuilt from the rows.
    All,
    /// Keys only.
    Keys,
    /// Has-one only, read from the store's own indexes (just rebuilt).
    HasOne,
}

struct CheckRelation<'a, S> {
    db: &'a Db<S>,
    scope: Scope,
    result: Result<(), IntegrityError>,
}

impl<S: Schema> RelationVisitor<S> for CheckRelation<'_, S> {
    fn visit<R: Relation>(&mut self)
    where
        S: HasRelation<R>,
    {
        let info = info_of::<R>();
        let parents = self.db.rows::<R::Parent>();
        if self.scope != Scope::HasOne {
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
        }
        let rebuilt;
        let index = match self.scope {
            Scope::Keys => return,
            Scope::HasOne => self.db.index::<R>(),
            Scope::All => {
                rebuilt = self.db.rebuilt_index(S::RELATION_POS);
                &rebuilt
            }
        };
        if R::Kind::UNIQUE {
            for (parent, _) in parents.iter() {
                let mut children = index.children(parent);
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
        if self.scope == Scope::All && *index != *self.db.index::<R>() {
            self.result = Err(IntegrityError::IndexOutOfStep { relation: info });
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use crate::error::IntegrityError;
    use crate::{Db, HasMany, Id, KeyField, Model, OnDelete, Relation};

    // By hand, as the derive and `belongs_to!` would write them.
    #[derive(Clone, Serialize, Deserialize)]
    struct User(u32);
    impl Model for User {
        const TABLE: &'static str = "users";
        const KEYS: &'static [KeyField] = &[];
        type Indexes = ();
    }

    #[derive(Clone, Serialize, Deserialize)]
    struct Post {
        user: Id<User>,
        n: u32,
    }
    impl Model for Post {
        const TABLE: &'static str = "posts";
        const KEYS: &'static [KeyField] = &[KeyField::checked("user")];
        type Indexes = ();
    }

    #[derive(Clone, Copy, Debug)]
    struct Author;
    impl Relation for Author {
        type Child = Post;
        type Parent = User;
        type Kind = HasMany;
        type Key = Id<User>;
        const NAME: &'static str = "Author";
        const FOREIGN_KEY: &'static str = "user";
        const ON_DELETE: OnDelete = OnDelete::Cascade;
        fn key(post: &Post) -> &Id<User> {
            &post.user
        }
        fn key_mut(post: &mut Post) -> &mut Id<User> {
            &mut post.user
        }
    }

    crate::schema! { struct Blog { users: User, posts: Post } relations { Author } }

    /// A store that has seen deletes, moves and slot reuse.
    fn used_store() -> (Db<Blog>, Vec<Id<User>>, Vec<Id<Post>>) {
        let mut db = Db::<Blog>::new();
        let users: Vec<_> = (0..4).map(|n| db.insert(User(n)).unwrap()).collect();
        let mut posts: Vec<_> = (0..12)
            .map(|n| {
                db.insert(Post {
                    user: users[n % 3],
                    n: n as u32,
                })
                .unwrap()
            })
            .collect();
        db.delete(posts[4]).unwrap();
        db.delete(users[2]).unwrap(); // cascades to its posts
        db.update(posts[0], |p| p.user = users[3]).unwrap();
        posts.push(
            db.insert(Post {
                user: users[1],
                n: 99,
            })
            .unwrap(),
        ); // a reused slot
        (db, users, posts)
    }

    /// A fresh store rebuilt from `db`'s table images, as a snapshot load would.
    fn restored(db: &Db<Blog>) -> Result<Db<Blog>, IntegrityError> {
        let mut copy = Db::<Blog>::new();
        copy.restore_table(db.rows::<User>().image().cloned())
            .unwrap();
        copy.restore_table(db.rows::<Post>().image().cloned())
            .unwrap();
        copy.rebuild_indexes();
        copy.check_integrity().map(|()| copy)
    }

    #[test]
    fn a_store_restored_from_images_keeps_ids_order_and_next_ids() {
        let (mut db, users, posts) = used_store();
        let mut copy = restored(&db).unwrap();
        for &post in &posts {
            assert_eq!(
                copy.get(post).ok().map(|p| p.n),
                db.get(post).ok().map(|p| p.n)
            );
        }
        for &user in &users {
            let children = |db: &Db<Blog>| -> Option<Vec<Id<Post>>> {
                Some(db.has_many(Author, user).ok()?.ids().collect())
            };
            assert_eq!(children(&copy), children(&db), "children of {user:?}");
        }
        // The next ids are the ones the original hands out.
        for n in 0..6 {
            let user = users[1];
            assert_eq!(
                copy.insert(Post { user, n }).unwrap(),
                db.insert(Post { user, n }).unwrap()
            );
        }
    }

    #[test]
    fn an_image_whose_key_names_no_row_fails_the_integrity_check() {
        let (db, users, posts) = used_store();
        let mut broken = Db::<Blog>::new();
        let mut user_image = db.rows::<User>().image().cloned();
        // Drop users[0] from the image: its posts now point to nothing.
        let slot = (users[0].to_bits() & 0xffff_ffff) as usize;
        user_image.slots[slot - 1] = crate::table::SlotImage::Vacant { version: 2 };
        broken.restore_table(user_image).unwrap();
        broken
            .restore_table(db.rows::<Post>().image().cloned())
            .unwrap();
        broken.rebuild_indexes();
        match broken.check_integrity() {
            Err(IntegrityError::MissingParent { child, parent, .. }) => {
                assert_eq!(parent, users[0].into());
                assert!(posts.iter().any(|&p| child == p.into()));
            }
            other => panic!("expected a missing parent, got {other:?}"),
        }
    }

    #[test]
    fn an_index_out_of_step_is_reported() {
        let (mut db, users, _) = used_store();
        let r = <Blog as crate::HasRelation<Author>>::RELATION_POS;
        crate::Schema::__indexes_mut(&mut db.tables)[r].forget_parent(users[1].key());
        assert!(matches!(
            db.check_integrity(),
            Err(IntegrityError::IndexOutOfStep { .. })
        ));
    }
}
