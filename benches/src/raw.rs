//! The physical-limit proxy: what a careful programmer writes by hand with `slotmap` and a
//! `SecondaryMap<_, Vec<_>>` child index, with the same semantics as relstore (the parent must
//! exist, children listed in insertion order, deleting a user deletes its posts) and nothing
//! more: no type erasure, no lookups by type, no insertion sequence.

use serde::{Deserialize, Serialize};
use slotmap::{SecondaryMap, SlotMap, new_key_type};

use crate::fixture::{Dataset, PostRow, User};

new_key_type! {
    /// A user's key.
    pub struct UserKey;
    /// A post's key.
    pub struct PostKey;
}

/// A stored post.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Post {
    /// The author.
    pub user_id: UserKey,
    /// See [`PostRow::title`].
    pub title: String,
    /// See [`PostRow::content`].
    pub content: String,
}

/// Two arenas and the has-many index.
#[derive(Default)]
pub struct Store {
    /// The parents.
    pub users: SlotMap<UserKey, User>,
    /// The children.
    pub posts: SlotMap<PostKey, Post>,
    /// Each user's posts, oldest first; users without posts have no entry.
    pub posts_of: SecondaryMap<UserKey, Vec<PostKey>>,
}

impl Store {
    /// Loads `data` row by row without reserving (as relstore's one-by-one `insert` does),
    /// returning the store and the keys of its users and posts in `data`'s order.
    pub fn load(data: Dataset) -> (Self, Vec<UserKey>, Vec<PostKey>) {
        Self::load_into(Store::default(), data)
    }

    /// [`Store::load`] after reserving both arenas for `data`, as relstore's `insert_many`
    /// does (not the child index: relstore does not reserve its index either).
    pub fn load_reserved(data: Dataset) -> (Self, Vec<UserKey>, Vec<PostKey>) {
        let mut store = Store::default();
        store.users.reserve(data.users.len());
        store.posts.reserve(data.posts.len());
        Self::load_into(store, data)
    }

    fn load_into(mut store: Store, data: Dataset) -> (Self, Vec<UserKey>, Vec<PostKey>) {
        let users: Vec<UserKey> = data
            .users
            .into_iter()
            .map(|u| store.insert_user(u))
            .collect();
        let posts = (data.posts.into_iter())
            .map(|row| {
                store
                    .insert_post(users[row.user], row)
                    .expect("user exists")
            })
            .collect();
        (store, users, posts)
    }

    /// Inserts a user.
    #[inline]
    pub fn insert_user(&mut self, user: User) -> UserKey {
        self.users.insert(user)
    }

    /// Inserts a post by `user`, or `None` if the user does not exist.
    #[inline]
    pub fn insert_post(&mut self, user: UserKey, row: PostRow) -> Option<PostKey> {
        if !self.users.contains_key(user) {
            return None;
        }
        let siblings = self.posts_of.entry(user)?.or_default();
        let key = self.posts.insert(Post {
            user_id: user,
            title: row.title,
            content: row.content,
        });
        siblings.push(key);
        Some(key)
    }

    /// Deletes a post and its index entry, keeping its siblings' order.
    #[inline]
    pub fn delete_post(&mut self, key: PostKey) -> Option<Post> {
        let post = self.posts.remove(key)?;
        if let Some(siblings) = self.posts_of.get_mut(post.user_id) {
            if let Some(at) = siblings.iter().position(|&k| k == key) {
                siblings.remove(at);
            }
            if siblings.is_empty() {
                self.posts_of.remove(post.user_id);
            }
        }
        Some(post)
    }

    /// Moves a post to `user`'s list, or `None` if the post or the user does not exist. Like
    /// [`Store::delete_post`], a linear search and a `Vec::remove` in the old list; the new
    /// list gets it last (this store keeps lists in joining order, having no creation numbers).
    #[inline]
    pub fn move_post(&mut self, key: PostKey, user: UserKey) -> Option<()> {
        if !self.users.contains_key(user) {
            return None;
        }
        let post = self.posts.get_mut(key)?;
        let old = std::mem::replace(&mut post.user_id, user);
        if let Some(siblings) = self.posts_of.get_mut(old) {
            if let Some(at) = siblings.iter().position(|&k| k == key) {
                siblings.remove(at);
            }
            if siblings.is_empty() {
                self.posts_of.remove(old);
            }
        }
        self.posts_of.entry(user)?.or_default().push(key);
        Some(())
    }

    /// Deletes a user and, cascading, its posts.
    #[inline]
    pub fn delete_user(&mut self, key: UserKey) -> Option<User> {
        let user = self.users.remove(key)?;
        for post in self.posts_of.remove(key).unwrap_or_default() {
            self.posts.remove(post);
        }
        Some(user)
    }
}
