//! The schema of the accessor tests: a relation for each way a related read can go (filter
//! and order, neither, a filter only, has-one, an order only on a self-referential key),
//! with row builders.

use std::cmp::Reverse;

use relstore::{Db, Id, Model, Row};
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
    pub draft: bool,
    pub score: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "comments")]
pub struct Comment {
    pub post_id: Id<Post>,
    pub hidden: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "profiles")]
pub struct Profile {
    pub user_id: Id<User>,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "categories")]
pub struct Category {
    pub parent_id: Option<Id<Category>>,
    pub rank: u32,
    pub name: String,
}

pub fn is_published(post: &Post) -> bool {
    !post.draft
}

// Filter and order: a sorted, filtered `Related`; the filter a function, not a closure.
relstore::belongs_to!(
    pub PostAuthor: Post.author_id -> User, has_many, on_delete = Cascade,
    filter = is_published,
    order_by = |post: &Post| Reverse(post.score),
    accessors { belongs_to: PostAuthorOf::author, has_many: UserPosts::posts },
);
// Neither, on an optional key: the index as it is.
relstore::belongs_to!(
    pub PostEditor: Post.editor_id -> User, has_many, on_delete = SetNull,
    accessors { belongs_to: PostEditorOf::editor, has_many: UserEdits::edited },
);
// A filter only, under a restrict: the index filtered lazily.
relstore::belongs_to!(
    pub CommentPost: Comment.post_id -> Post, has_many,
    filter = |comment| !comment.hidden,
    accessors { has_many: PostComments::comments },
);
relstore::belongs_to!(
    pub ProfileUser: Profile.user_id -> User, has_one, on_delete = Cascade,
    filter = |profile| profile.active,
    accessors { belongs_to: ProfileOwner::owner, has_one: UserProfile::profile },
);
// An order only, by a key that borrows from the row, on a self-referential relation.
relstore::belongs_to!(
    pub CategoryParent: Category.parent_id -> Category, has_many, on_delete = Cascade,
    order_by = |category| (category.rank, category.name.as_str()),
    accessors { belongs_to: ParentOf::parent, has_many: ChildrenOf::children },
);

relstore::schema! {
    pub struct App {
        users: User,
        posts: Post,
        comments: Comment,
        profiles: Profile,
        categories: Category,
    }
    relations { PostAuthor, PostEditor, CommentPost, ProfileUser, CategoryParent }
}

pub fn user(db: &mut Db<App>, name: &str) -> Id<User> {
    db.insert(User { name: name.into() }).unwrap()
}

pub fn post(db: &mut Db<App>, author_id: Id<User>, draft: bool, score: u32) -> Id<Post> {
    let editor_id = None;
    (db.insert(Post {
        author_id,
        editor_id,
        draft,
        score,
    }))
    .unwrap()
}

pub fn category(
    db: &mut Db<App>,
    parent_id: Option<Id<Category>>,
    rank: u32,
    name: &str,
) -> Id<Category> {
    let name = name.into();
    db.insert(Category {
        parent_id,
        rank,
        name,
    })
    .unwrap()
}

pub fn ids<'db, T: Model>(rows: impl Iterator<Item = Row<'db, T, App>>) -> Vec<Id<T>> {
    rows.map(|row| row.id()).collect()
}
