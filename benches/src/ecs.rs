//! The same schema in Bevy ECS: users and posts are entities, and a `#[relationship]` pair
//! shaped like Bevy's own `ChildOf`/`Children` links them (`linked_spawn`: despawning a user
//! despawns its posts).

use bevy_ecs::prelude::*;

use crate::fixture::{Dataset, PostRow};

/// A post's own data; its author is the [`AuthoredBy`] component beside it.
#[derive(Component, Clone, Debug)]
pub struct Post {
    /// See [`PostRow::title`].
    pub title: String,
    /// See [`PostRow::content`].
    pub content: String,
}

/// The post's author: the source of truth of the relationship.
#[derive(Component, Clone, Copy, Debug)]
#[relationship(relationship_target = Posts)]
pub struct AuthoredBy(pub Entity);

/// A user's posts, kept by Bevy's hooks in insertion order.
#[derive(Component, Debug)]
#[relationship_target(relationship = AuthoredBy, linked_spawn)]
pub struct Posts(Vec<Entity>);

impl Posts {
    /// The posts, oldest first.
    #[inline]
    pub fn entities(&self) -> &[Entity] {
        &self.0
    }
}

/// The components of post `row` by `user`.
#[inline]
pub fn post(user: Entity, row: PostRow) -> (Post, AuthoredBy) {
    (
        Post {
            title: row.title,
            content: row.content,
        },
        AuthoredBy(user),
    )
}

/// Loads `data` with `spawn_batch`, Bevy's bulk path, returning the world and the entities of
/// its users and posts in `data`'s order.
pub fn load(data: Dataset) -> (World, Vec<Entity>, Vec<Entity>) {
    let mut world = World::new();
    let users: Vec<Entity> = world.spawn_batch(data.users).collect();
    let posts =
        (world.spawn_batch(data.posts.into_iter().map(|row| post(users[row.user], row)))).collect();
    (world, users, posts)
}
