//! The schema every integration test shares, with row builders and a full-store snapshot.
//!
//! - `User`
//! - `Post.author_id -> User` (required, has-many, cascade) and
//!   `Post.editor_id -> User` (optional, has-many, set null)
//! - `Comment.post_id -> Post` (cascade) and `Comment.author_id -> User` (restrict, the default)
//! - `Profile.user_id -> User` (has-one, cascade)
//! - `Category.parent_id -> Category` (optional, self-referential has-many, cascade)
//! - `Pin.category_id -> Category` (restrict): a pinned category cannot go, even by cascade

#![allow(dead_code)] // each test file uses part of this module

use relstore::{Children, Db, HasTable, Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
pub struct User {
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
pub struct Post {
    pub author_id: Id<User>,
    pub editor_id: Option<Id<User>>,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "comments")]
pub struct Comment {
    pub post_id: Id<Post>,
    pub author_id: Id<User>,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "profiles")]
pub struct Profile {
    pub user_id: Id<User>,
    pub bio: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "categories")]
pub struct Category {
    pub parent_id: Option<Id<Category>>,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "pins")]
pub struct Pin {
    pub category_id: Id<Category>,
}

relstore::belongs_to!(pub PostAuthor: Post.author_id -> User, has_many, on_delete = Cascade);
relstore::belongs_to!(pub PostEditor: Post.editor_id -> User, has_many, on_delete = SetNull);
relstore::belongs_to!(pub CommentPost: Comment.post_id -> Post, has_many, on_delete = Cascade);
relstore::belongs_to!(pub CommentAuthor: Comment.author_id -> User, has_many);
relstore::belongs_to!(pub ProfileUser: Profile.user_id -> User, has_one, on_delete = Cascade);
relstore::belongs_to!(
    pub CategoryParent: Category.parent_id -> Category, has_many, on_delete = Cascade
);
relstore::belongs_to!(pub PinCategory: Pin.category_id -> Category, has_many);

relstore::schema! {
    /// The whole schema.
    pub struct App {
        users: User,
        posts: Post,
        comments: Comment,
        profiles: Profile,
        categories: Category,
        pins: Pin,
    }
    relations {
        PostAuthor,
        PostEditor,
        CommentPost,
        CommentAuthor,
        ProfileUser,
        CategoryParent,
        PinCategory,
    }
}

/// An empty store with the whole schema.
pub fn db() -> Db<App> {
    Db::new()
}

pub fn user(name: &str) -> User {
    User { name: name.into() }
}

pub fn post(author_id: Id<User>, title: &str) -> Post {
    Post {
        author_id,
        editor_id: None,
        title: title.into(),
    }
}

pub fn edited_post(author_id: Id<User>, editor_id: Id<User>, title: &str) -> Post {
    Post {
        editor_id: Some(editor_id),
        ..post(author_id, title)
    }
}

pub fn comment(post_id: Id<Post>, author_id: Id<User>, body: &str) -> Comment {
    Comment {
        post_id,
        author_id,
        body: body.into(),
    }
}

pub fn profile(user_id: Id<User>, bio: &str) -> Profile {
    Profile {
        user_id,
        bio: bio.into(),
    }
}

pub fn category(name: &str, parent_id: Option<Id<Category>>) -> Category {
    Category {
        parent_id,
        name: name.into(),
    }
}

/// Asserts that every foreign-key index equals the one rebuilt from the rows.
#[track_caller]
pub fn check_indexes(db: &Db<App>) {
    if let Err(message) = db.check_integrity() {
        panic!("{message}");
    }
}

/// Everything a reader can observe: every row of every table (in iteration order) and every
/// has-many, has-one and belongs-to answer with its count.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    users: Vec<(Id<User>, User)>,
    posts: Vec<(Id<Post>, Post)>,
    comments: Vec<(Id<Comment>, Comment)>,
    profiles: Vec<(Id<Profile>, Profile)>,
    categories: Vec<(Id<Category>, Category)>,
    pins: Vec<(Id<Pin>, Pin)>,
    answers: Vec<String>,
}

fn rows<T: Model>(db: &Db<App>) -> Vec<(Id<T>, T)>
where
    App: HasTable<T>,
{
    let table = db.table::<T>();
    let rows: Vec<_> = table
        .iter()
        .map(|row| (row.id(), row.value().clone()))
        .collect();
    assert_eq!(rows.len(), table.len());
    rows
}

/// A parent's children as their count and ids, in the order the store gives them.
fn listed<C: Model>(children: Children<'_, C, App>) -> String {
    format!(
        "{} {:?}",
        children.len(),
        children.ids().collect::<Vec<_>>()
    )
}

pub fn snapshot(db: &Db<App>) -> Snapshot {
    let mut answers = Vec::new();
    for row in db.table::<User>() {
        let id = row.id();
        let profile = row.has_one(ProfileUser).map(|p| p.id());
        assert_eq!(
            profile,
            db.has_one(ProfileUser, id).unwrap().map(|p| p.id())
        );
        answers.push(format!(
            "{id:?} authored {} edited {} wrote {} profile {profile:?}",
            listed(row.has_many(PostAuthor)),
            listed(db.has_many(PostEditor, id).unwrap()),
            listed(row.has_many(CommentAuthor)),
        ));
    }
    for row in db.table::<Post>() {
        let author = Some(row.belongs_to(PostAuthor).id());
        let editor = db.belongs_to(PostEditor, row.id()).unwrap().map(|u| u.id());
        answers.push(format!(
            "{:?} author {author:?} editor {editor:?} comments {}",
            row.id(),
            listed(row.has_many(CommentPost)),
        ));
    }
    for row in db.table::<Comment>() {
        let post = Some(row.belongs_to(CommentPost).id());
        let author = Some(row.belongs_to(CommentAuthor).id());
        answers.push(format!("{:?} post {post:?} author {author:?}", row.id()));
    }
    for row in db.table::<Profile>() {
        let user = Some(row.belongs_to(ProfileUser).id());
        answers.push(format!("{:?} user {user:?}", row.id()));
    }
    for row in db.table::<Category>() {
        let parent = row.belongs_to(CategoryParent).map(|c| c.id());
        answers.push(format!(
            "{:?} parent {parent:?} children {} pins {}",
            row.id(),
            listed(row.has_many(CategoryParent)),
            listed(row.has_many(PinCategory)),
        ));
    }
    for row in db.table::<Pin>() {
        let category = Some(row.belongs_to(PinCategory).id());
        answers.push(format!("{:?} category {category:?}", row.id()));
    }
    Snapshot {
        users: rows(db),
        posts: rows(db),
        comments: rows(db),
        profiles: rows(db),
        categories: rows(db),
        pins: rows(db),
        answers,
    }
}

/// The ids of `parent`'s children under a has-many relation, in the order the store gives them.
pub fn child_ids<R>(db: &Db<App>, relation: R, parent: Id<R::Parent>) -> Vec<Id<R::Child>>
where
    R: relstore::Relation<Kind = relstore::HasMany>,
    App: relstore::HasRelation<R>,
{
    db.has_many(relation, parent)
        .expect("parent exists")
        .ids()
        .collect()
}
