//! Queries that follow relations through their foreign-key indexes, never by a scan: a
//! parent's children, parents with or without children, `(parent, child)` pairs, and
//! many-to-many through a join row.

use std::fmt;
use std::iter::FusedIterator;

use super::{Order, Query};
use crate::db::Db;
use crate::error::NotFound;
use crate::fk_index::{ChildKeys, FkIndex};
use crate::id::Id;
use crate::model::Model;
use crate::relation::{ForeignKey, Relation};
use crate::row::{Children, Row};
use crate::schema::{HasRelation, Schema};

impl<S: Schema> Db<S> {
    /// A query over the children of `parent` under relation `R`, in creation order: the
    /// seed's `Post.query().where('user_id = ?', (user.id,))`, from the foreign-key index
    /// (O(1) to start, no scan of the child table).
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
    /// # Errors
    /// [`NotFound`] for a stale parent id (a parent without children gives an empty query).
    #[inline]
    pub fn children<R>(
        &self,
        relation: R,
        parent: Id<R::Parent>,
    ) -> Result<Query<'_, S, Children<'_, R::Child, S>>, NotFound>
    where
        R: Relation,
        S: HasRelation<R>,
    {
        let _ = relation; // the value only names the type
        let keys = self.child_keys::<R>(parent)?;
        Ok(Query::from_source(
            self,
            Children::new(self, keys, self.rows()),
        ))
    }

    /// Many-to-many through a join row: the rows of `R::Child` under `from` (as
    /// [`Db::children`] gives them, in creation order), each with its parent under `to`.
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
    ) -> Result<Query<'_, S, Through<'_, B, S>>, NotFound>
    where
        A: Relation,
        B: Relation<Child = A::Child>,
        S: HasRelation<A> + HasRelation<B>,
    {
        let (_, _) = (from, to); // the values only name the types
        let keys = self.child_keys::<A>(id)?;
        let rows = Children::new(self, keys, self.rows());
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
    /// Only the rows with at least one child under `R`: the seed's "users with posts",
    /// each user once. One index read per row (no child is read).
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
    #[inline]
    pub fn where_has<R>(self, relation: R) -> Query<'db, S, WhereHas<'db, I>, O>
    where
        R: Relation<Parent = P>,
        S: HasRelation<R>,
    {
        self.where_children::<R>(relation, true)
    }

    /// Only the rows without any child under `R`. One index read per row.
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
    #[inline]
    pub fn where_has_not<R>(self, relation: R) -> Query<'db, S, WhereHas<'db, I>, O>
    where
        R: Relation<Parent = P>,
        S: HasRelation<R>,
    {
        self.where_children::<R>(relation, false)
    }

    #[inline]
    fn where_children<R>(self, relation: R, has: bool) -> Query<'db, S, WhereHas<'db, I>, O>
    where
        R: Relation<Parent = P>,
        S: HasRelation<R>,
    {
        let _ = relation;
        let index = self.db().index::<R>();
        self.map_source(|source| WhereHas { source, index, has })
    }

    /// Each row with each of its children under `R`, as `(parent, child)` pairs: parents in
    /// this query's order (its filters, order and window applied first), each parent's
    /// children in creation order. A parent without children gives no pair. The result is a
    /// new query, to filter on both sides, order, window and read like any other.
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
            children: Children::new(db, ChildKeys::default(), db.rows()),
        };
        Query::from_source(db, join)
    }
}

/// The rows of a query with (or without) children under a relation; from
/// [`Query::where_has`] and [`Query::where_has_not`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
#[derive(Clone)]
pub struct WhereHas<'db, I> {
    source: I,
    index: &'db FkIndex,
    has: bool,
}

impl<'db, P: Model, S: Schema, I: Iterator<Item = Row<'db, P, S>>> Iterator for WhereHas<'db, I> {
    type Item = Row<'db, P, S>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (index, has) = (self.index, self.has);
        self.source
            .find(|row| index.is_childless(row.id().key()) != has)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.source.size_hint().1)
    }

    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(self, init: B, mut f: F) -> B {
        let (index, has) = (self.index, self.has);
        self.source.fold(init, |acc, row| {
            if index.is_childless(row.id().key()) != has {
                f(acc, row)
            } else {
                acc
            }
        })
    }
}

impl<I: fmt::Debug> fmt::Debug for WhereHas<'_, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhereHas")
            .field("source", &self.source)
            .field("has", &self.has)
            .finish_non_exhaustive()
    }
}

/// `(parent, child)` pairs across a relation; from [`Query::join`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Join<'db, R: Relation, S, J> {
    db: &'db Db<S>,
    index: &'db FkIndex,
    parents: J,
    /// The parent being read (none before the first), and its children left.
    parent: Option<Row<'db, R::Parent, S>>,
    children: Children<'db, R::Child, S>,
}

impl<'db, R, S, J> Iterator for Join<'db, R, S, J>
where
    R: Relation,
    S: Schema + HasRelation<R>,
    J: Iterator<Item = Row<'db, R::Parent, S>>,
{
    type Item = (Row<'db, R::Parent, S>, Row<'db, R::Child, S>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(parent) = self.parent
                && let Some(child) = self.children.next()
            {
                return Some((parent, child));
            }
            let parent = self.parents.next()?;
            let keys = self.index.children(parent.id().key());
            self.parent = Some(parent);
            self.children = Children::new(self.db, keys, self.db.rows());
        }
    }

    /// `sum`, `count`, `for_each` and the like: each parent's children by their own `fold`,
    /// a loop over the stored keys, as a hand-written nested loop would be.
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(self, init: B, mut f: F) -> B {
        let Join {
            db,
            index,
            parents,
            parent,
            children,
        } = self;
        let mut acc = init;
        if let Some(parent) = parent {
            acc = children.fold(acc, |acc, child| f(acc, (parent, child)));
        }
        parents.fold(acc, |acc, parent| {
            let keys = index.children(parent.id().key());
            let children = Children::new(db, keys, db.rows::<R::Child>());
            children.fold(acc, |acc, child| f(acc, (parent, child)))
        })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let started = self.children.len();
        match self.parents.size_hint() {
            (_, Some(0)) => (started, Some(started)),
            _ => (started, None),
        }
    }
}

impl<'db, R, S, J> FusedIterator for Join<'db, R, S, J>
where
    R: Relation,
    S: Schema + HasRelation<R>,
    J: FusedIterator<Item = Row<'db, R::Parent, S>>,
{
}

impl<R: Relation, S, J: Clone> Clone for Join<'_, R, S, J> {
    fn clone(&self) -> Self {
        Join {
            db: self.db,
            index: self.index,
            parents: self.parents.clone(),
            parent: self.parent,
            children: self.children.clone(),
        }
    }
}

impl<R: Relation, S, J> fmt::Debug for Join<'_, R, S, J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("relation", &R::NAME)
            .finish_non_exhaustive()
    }
}

/// Join rows with their parent under a second relation; from [`Db::through`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Through<'db, B: Relation, S> {
    rows: Children<'db, B::Child, S>,
    to: B,
}

impl<'db, B, S> Iterator for Through<'db, B, S>
where
    B: Relation,
    S: Schema + HasRelation<B>,
{
    type Item = (Row<'db, B::Child, S>, Row<'db, B::Parent, S>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let to = self.to;
        self.rows.find_map(|row| {
            let parent = <B::Key as ForeignKey<B::Parent>>::into_option(row.belongs_to(to));
            parent.map(|parent| (row, parent))
        })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let upper = self.rows.len();
        let lower = if <B::Key as ForeignKey<B::Parent>>::OPTIONAL {
            0
        } else {
            upper
        };
        (lower, Some(upper))
    }
}

impl<'db, B, S> FusedIterator for Through<'db, B, S>
where
    B: Relation,
    S: Schema + HasRelation<B>,
{
}

impl<B: Relation, S> Clone for Through<'_, B, S> {
    fn clone(&self) -> Self {
        Through {
            rows: self.rows.clone(),
            to: self.to,
        }
    }
}

impl<B: Relation, S> fmt::Debug for Through<'_, B, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Through")
            .field("to", &B::NAME)
            .field("rows", &self.rows)
            .finish()
    }
}
