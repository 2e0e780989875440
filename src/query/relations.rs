//! Queries that follow relations through their foreign-key indexes, never by a scan: a
//! parent's children, parents with or without children, `(parent, child)` pairs, and
//! many-to-many through a join row. Each reads a relation's children as the relation shows
//! them ([`Related`]: its default filter and order), as the named accessors do.

mod iter;

use std::marker::PhantomData;

pub use iter::{Join, Through, WhereHas};

use super::{Order, Query};
use crate::db::Db;
use crate::error::NotFound;
use crate::fk_index::ChildKeys;
use crate::id::Id;
use crate::model::Model;
use crate::relation::{Related, Relation};
use crate::row::{Children, Row};
use crate::schema::{HasRelation, Schema};

impl<S: Schema> Db<S> {
    /// A query over the children of `parent` under relation `R`, as `R` shows them (its
    /// [default filter and order](crate::belongs_to#default-filter-and-order-activerecords-loader);
    /// creation order without one): ActiveRecord's `Post.query().where('user_id = ?', (user.id,))`,
    /// from the foreign-key index (O(1) to start, no scan of the child table). Without a
    /// default order it reads the index lazily and allocates nothing; with one, the kept
    /// children are collected and sorted when the query is made. The query's own
    /// [`order_by`](Query::order_by) sorts again, stably, so ties keep the default order.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String, likes: u32 }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// for (title, likes) in [("a", 3), ("b", 9), ("c", 5)] {
    ///     db.insert(Post { user_id: ann, title: title.into(), likes })?;
    /// }
    /// let top = db.children(PostAuthor, ann)?.filter(|p| p.likes > 4).order_by_desc(|p| p.likes).first();
    /// assert_eq!(top.map(|p| p.value().title.as_str()), Some("b"));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// With a default filter and order, the children are those the accessors show:
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// struct Post { user_id: Id<User>, title: String, draft: bool }
    ///
    /// relstore::belongs_to!(
    ///     PostAuthor: Post.user_id -> User, has_many,
    ///     filter = |post| !post.draft,
    ///     order_by = |post| post.title.as_str(),
    /// );
    /// relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    ///
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into() })?;
    /// for (title, draft) in [("b", false), ("wip", true), ("a", false)] {
    ///     db.insert(Post { user_id: ann, title: title.into(), draft })?;
    /// }
    /// let titles: Vec<&str> = db.children(PostAuthor, ann)?.into_iter().map(|p| p.value().title.as_str()).collect();
    /// assert_eq!(titles, ["a", "b"]);
    /// assert_eq!(db.has_many(PostAuthor, ann)?.len(), 3); // raw navigation sees every child
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`NotFound`] for a stale parent id (a parent without children gives an empty query).
    #[inline]
    pub fn children<R>(
        &self,
        relation: R,
        parent: Id<R::Parent>,
    ) -> Result<Query<'_, S, Related<'_, R, S>>, NotFound>
    where
        R: Relation,
        S: HasRelation<R>,
    {
        let _ = relation; // the value only names the type
        let keys = self.child_keys::<R>(parent)?;
        let children = Children::new(self, keys, self.rows());
        Ok(Query::from_source(self, Related::new(children)))
    }

    /// Many-to-many through a join row: the rows of `R::Child` under `from` (as
    /// [`Db::children`] gives them: as `from` shows them, through its default filter and
    /// order; `to`'s defaults play no part), each with its parent under `to`.
    /// Both relations have the same child type: the join row (an enrollment of a student in
    /// a course, carrying a grade). From a student, `(enrollment, course)` pairs; from a
    /// course, swap the relations for `(enrollment, student)` pairs. A join row whose `to`
    /// key is null gives no pair. Two index reads per pair, no scan.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// #[relstore(table = "students")]
    /// struct Student { name: String }
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// #[relstore(table = "courses")]
    /// struct Course { title: String }
    /// #[derive(Clone, Serialize, Deserialize, Model)]
    /// #[relstore(table = "enrollments")]
    /// struct Enrollment { student: Id<Student>, course: Id<Course>, grade: u8 }
    ///
    /// relstore::belongs_to!(EnrolledStudent: Enrollment.student -> Student, has_many, on_delete = Cascade);
    /// relstore::belongs_to!(EnrolledIn: Enrollment.course -> Course, has_many, on_delete = Cascade);
    /// relstore::schema! {
    ///     struct School { students: Student, courses: Course, enrollments: Enrollment }
    ///     relations { EnrolledStudent, EnrolledIn }
    /// }
    ///
    /// let mut db = Db::<School>::new();
    /// let ann = db.insert(Student { name: "ann".into() })?;
    /// let bob = db.insert(Student { name: "bob".into() })?;
    /// let math = db.insert(Course { title: "math".into() })?;
    /// let art = db.insert(Course { title: "art".into() })?;
    /// db.insert(Enrollment { student: ann, course: math, grade: 5 })?;
    /// db.insert(Enrollment { student: ann, course: art, grade: 3 })?;
    /// db.insert(Enrollment { student: bob, course: math, grade: 4 })?;
    ///
    /// let anns: Vec<(&str, u8)> = db.through(EnrolledStudent, EnrolledIn, ann)?
    ///     .into_iter()
    ///     .map(|(enrollment, course)| (course.value().title.as_str(), enrollment.grade))
    ///     .collect();
    /// assert_eq!(anns, [("math", 5), ("art", 3)]);
    ///
    /// let best_in_math = db.through(EnrolledIn, EnrolledStudent, math)?.order_by_desc(|(e, _)| e.grade).first();
    /// assert_eq!(best_in_math.map(|(_, student)| student.id()), Some(ann));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`NotFound`] for a stale id.
    #[inline]
    pub fn through<A, B>(
        &self,
        from: A,
        to: B,
        id: Id<A::Parent>,
    ) -> Result<Query<'_, S, Through<'_, A, B, S>>, NotFound>
    where
        A: Relation,
        B: Relation<Child = A::Child>,
        S: HasRelation<A> + HasRelation<B>,
    {
        let (_, _) = (from, to); // the values only name the types
        let keys = self.child_keys::<A>(id)?;
        let rows = Related::new(Children::new(self, keys, self.rows()));
        Ok(Query::from_source(self, Through { rows, to }))
    }

    /// The keys of `parent`'s children under `R`; an error for a stale parent. One with
    /// children is live (a deleted parent's list goes with it): only a childless one costs a
    /// lookup in its table.
    #[inline]
    fn child_keys<R: Relation>(&self, parent: Id<R::Parent>) -> Result<ChildKeys<'_>, NotFound>
    where
        S: HasRelation<R>,
    {
        let keys = self.index::<R>().children(parent.key());
        if keys.len() == 0 && !self.contains(parent) {
            return Err(NotFound::new(parent));
        }
        Ok(keys)
    }
}

impl<'db, P: Model, S: Schema, I, O> Query<'db, S, I, O>
where
    I: Iterator<Item = Row<'db, P, S>>,
    O: Order<Row<'db, P, S>>,
{
    /// Only the rows with at least one child under `R` as `R` shows them: ActiveRecord's "users
    /// with posts", each user once. One index read per row (no child is read); with a
    /// default filter on `R`, a row counts only if one of its children passes it, so its
    /// children are read until one does (O(children) per row).
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User> }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let [ann, bob] = ["ann", "bob"].map(|n| db.insert(User { name: n.into() }).unwrap());
    /// db.insert_many([Post { user_id: bob }, Post { user_id: bob }])?;
    /// assert!(db.query::<User>().where_has(PostAuthor).ids().eq([bob]));
    /// # let _ = ann;
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// Under a default filter, hidden children do not count:
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct Post { user_id: Id<User>, draft: bool }
    /// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, filter = |post| !post.draft);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let [ann, bob] = ["ann", "bob"].map(|n| db.insert(User { name: n.into() }).unwrap());
    /// db.insert(Post { user_id: ann, draft: true })?;
    /// db.insert(Post { user_id: bob, draft: false })?;
    /// assert!(db.query::<User>().where_has(PostAuthor).ids().eq([bob]));
    /// assert_eq!(db.relation(PostAuthor).count(ann)?, 1); // counts see the draft
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn where_has<R>(self, relation: R) -> Query<'db, S, WhereHas<'db, R, S, I>, O>
    where
        R: Relation<Parent = P>,
        S: HasRelation<R>,
    {
        self.where_children::<R>(relation, true)
    }

    /// Only the rows without any child under `R` as `R` shows them: a row whose children
    /// `R`'s default filter all hides is kept. One index read per row; with a default
    /// filter, the row's children are read until one passes (O(children) per row).
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User> }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let [ann, bob] = ["ann", "bob"].map(|n| db.insert(User { name: n.into() }).unwrap());
    /// db.insert(Post { user_id: bob })?;
    /// assert_eq!(db.query::<User>().where_has_not(PostAuthor).one()?.id(), ann);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    ///
    /// Under a default filter, a parent whose children are all hidden has none:
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct User { name: String }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # struct Post { user_id: Id<User>, draft: bool }
    /// relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many, filter = |post| !post.draft);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let [ann, bob] = ["ann", "bob"].map(|n| db.insert(User { name: n.into() }).unwrap());
    /// db.insert(Post { user_id: ann, draft: true })?;
    /// db.insert(Post { user_id: bob, draft: false })?;
    /// assert!(db.query::<User>().where_has_not(PostAuthor).ids().eq([ann]));
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn where_has_not<R>(self, relation: R) -> Query<'db, S, WhereHas<'db, R, S, I>, O>
    where
        R: Relation<Parent = P>,
        S: HasRelation<R>,
    {
        self.where_children::<R>(relation, false)
    }

    #[inline]
    fn where_children<R>(self, relation: R, has: bool) -> Query<'db, S, WhereHas<'db, R, S, I>, O>
    where
        R: Relation<Parent = P>,
        S: HasRelation<R>,
    {
        let _ = relation;
        let db = self.db();
        self.map_source(|source| WhereHas {
            source,
            db,
            has,
            relation: PhantomData,
        })
    }

    /// Each row with each of its children under `R`, as `(parent, child)` pairs: parents in
    /// this query's order (its filters, order and window applied first), each parent's
    /// children as `R` shows them (its default filter and order; creation order without). A
    /// parent without children gives no pair. The result is a new query, to filter on both
    /// sides, order, window and read like any other. Without a default order nothing is
    /// allocated; with one, each parent's kept children are collected and sorted in turn.
    ///
    /// ```
    /// # use relstore::{Db, Id, Model};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "users")]
    /// # struct User { name: String, banned: bool }
    /// # #[derive(Clone, Serialize, Deserialize, Model)]
    /// # #[relstore(table = "posts")]
    /// # struct Post { user_id: Id<User>, title: String }
    /// # relstore::belongs_to!(PostAuthor: Post.user_id -> User, has_many);
    /// # relstore::schema! { struct Blog { users: User, posts: Post } relations { PostAuthor } }
    /// let mut db = Db::<Blog>::new();
    /// let ann = db.insert(User { name: "ann".into(), banned: false })?;
    /// let eve = db.insert(User { name: "eve".into(), banned: true })?;
    /// for (user, title) in [(ann, "hi"), (eve, "spam"), (ann, "draft: x")] {
    ///     db.insert(Post { user_id: user, title: title.into() })?;
    /// }
    /// let visible: Vec<(&str, &str)> = db
    ///     .query::<User>()
    ///     .filter(|u| !u.banned)
    ///     .join(PostAuthor)
    ///     .filter(|(_, post)| !post.title.starts_with("draft"))
    ///     .into_iter()
    ///     .map(|(user, post)| (user.value().name.as_str(), post.value().title.as_str()))
    ///     .collect();
    /// assert_eq!(visible, [("ann", "hi")]);
    /// # Ok::<(), relstore::Error>(())
    /// ```
    #[inline]
    pub fn join<R>(self, relation: R) -> Query<'db, S, Join<'db, R, S, O::Iter<I>>>
    where
        R: Relation<Parent = P>,
        S: HasRelation<R>,
    {
        let _ = relation;
        let db = self.db();
        let join = Join {
            db,
            index: db.index::<R>(),
            parents: self.into_iter(),
            parent: None,
            children: Related::new(Children::new(db, ChildKeys::default(), db.rows())),
        };
        Query::from_source(db, join)
    }
}
