//! Bulk deletes and updates: every row a query picked, all or nothing.

use std::panic::{AssertUnwindSafe, catch_unwind};

use relstore::{Db, DeleteError, Error, Id, Invalid, Model, WriteError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
pub struct User {
    #[relstore(unique)]
    name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "posts", validate = Post::check)]
pub struct Post {
    #[relstore(unvalidated)]
    user: Id<User>,
    #[relstore(unique)]
    slug: u32,
    likes: i32,
}

impl Post {
    fn check(&self) -> Result<(), Invalid> {
        if self.likes < 0 {
            return Err(Invalid::new("negative likes"));
        }
        Ok(())
    }
}

/// One profile per user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "profiles")]
pub struct Profile {
    user: Id<User>,
}

relstore::belongs_to!(pub PostAuthor: Post.user -> User, has_many, on_delete = Cascade);
relstore::belongs_to!(pub ProfileOf: Profile.user -> User, has_one);

relstore::schema! {
    pub struct Blog { users: User, posts: Post, profiles: Profile }
    relations { PostAuthor, ProfileOf }
}

fn blog() -> (Db<Blog>, Vec<Id<User>>, Vec<Id<Post>>) {
    let mut db = Db::<Blog>::new();
    let users = db
        .insert_many(["ann", "bo", "cy"].map(|name| User { name: name.into() }))
        .unwrap();
    let posts = db
        .insert_many((0..6).map(|slug| Post {
            user: users[slug as usize % 3],
            slug,
            likes: slug as i32,
        }))
        .unwrap();
    (db, users, posts)
}

fn state(db: &Db<Blog>) -> Vec<(Id<Post>, Post)> {
    db.table::<Post>()
        .iter()
        .map(|p| (p.id(), p.value().clone()))
        .collect()
}

#[test]
fn delete_many_is_all_or_nothing() -> Result<(), Error> {
    let (mut db, users, posts) = blog();
    db.insert(Profile { user: users[0] })?;
    // A restrict (the profile) blocks the whole set, even the rows it does not touch.
    let refused = db.delete_many([users[1], users[0]]).unwrap_err();
    assert!(matches!(refused, DeleteError::Restricted { .. }));
    assert_eq!(db.table::<User>().len(), 3);
    // A stale id refuses the whole set too.
    db.delete(posts[5])?;
    let refused = db.delete_many([posts[0], posts[5]]).unwrap_err();
    assert!(matches!(refused, DeleteError::NotFound(_)));
    assert_eq!(db.table::<Post>().len(), 5);
    // Duplicates count once; cascades count.
    assert_eq!(db.delete_many([users[1], users[1], users[2]])?, 2 + 2 + 1);
    assert_eq!(db.table::<Post>().len(), 2);
    assert_eq!(db.delete_many(Vec::<Id<Post>>::new())?, 0);
    assert_eq!(db.delete_where::<Post>(|p| p.likes == 0)?, 1);
    db.check_integrity()?;
    Ok(())
}

#[test]
fn update_many_checks_every_copy_against_the_store_as_it_will_be() -> Result<(), Error> {
    let (mut db, users, posts) = blog();
    // Rows trade unique keys among themselves: every slug shifts by one, the last wraps.
    let n = posts.len() as u32;
    assert_eq!(
        db.update_many(posts.clone(), |p| p.slug = (p.slug + 1) % n)?,
        6
    );
    let slugs: Vec<u32> = posts.iter().map(|&id| db.get(id).unwrap().slug).collect();
    assert_eq!(slugs, [1, 2, 3, 4, 5, 0]);
    db.check_integrity()?;

    let before = state(&db);
    // Two copies on one free key: the later one is refused, naming both positions.
    let refused = db
        .update_many([posts[0], posts[1]], |p| p.slug = 9)
        .unwrap_err();
    assert_eq!(refused.position, 1);
    assert!(matches!(
        refused.error,
        WriteError::UniqueInBatch { earlier: 0, .. }
    ));
    // A key a row outside the update keeps.
    let refused = db.update_many([posts[1]], |p| p.slug = 5).unwrap_err();
    assert!(matches!(refused.error, WriteError::Unique { .. }));
    // The validator, then a key to a deleted parent.
    let refused = db.update_many(posts.clone(), |p| p.likes -= 3).unwrap_err();
    assert_eq!(refused.position, 0);
    assert!(matches!(refused.error, WriteError::Invalid { .. }));
    let gone = db.insert(User {
        name: "gone".into(),
    })?;
    db.delete(gone)?;
    let refused = db
        .update_many([posts[2], posts[3]], |p| p.user = gone)
        .unwrap_err();
    assert!(matches!(refused.error, WriteError::MissingParent { .. }));
    // A stale id, at its position; the ids come back.
    let refused = db
        .update_many([posts[0], Id::from_bits(0)], |p| p.likes += 1)
        .unwrap_err();
    assert_eq!((refused.position, refused.rows.len()), (1, 2));
    assert!(matches!(refused.error, WriteError::NotFound(_)));
    // A panic in the closure changes nothing.
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        db.update_many(posts.clone(), |p| {
            p.likes += 1;
            assert!(p.slug != 3, "boom");
        })
    }));
    assert!(panicked.is_err());
    assert_eq!(state(&db), before);

    // Moving every post to one user moves them in the foreign-key index.
    assert_eq!(db.update_where::<Post>(|_| true, |p| p.user = users[2])?, 6);
    assert_eq!(db.has_many(PostAuthor, users[2])?.len(), 6);
    assert_eq!(db.has_many(PostAuthor, users[0])?.len(), 0);
    db.check_integrity()?;
    Ok(())
}

#[test]
fn update_many_refuses_two_copies_on_one_has_one_parent() -> Result<(), Error> {
    let (mut db, users, _) = blog();
    let profiles = db.insert_many([Profile { user: users[0] }, Profile { user: users[1] }])?;
    let refused = db
        .update_many(profiles.clone(), |p| p.user = users[2])
        .unwrap_err();
    assert_eq!(refused.position, 1);
    assert!(matches!(
        refused.error,
        WriteError::HasOneTakenInBatch { earlier: 0, .. }
    ));
    assert_eq!(db.get(profiles[1])?.user, users[1]);
    db.update_many([profiles[1]], |p| p.user = users[2])?;
    assert_eq!(
        db.has_one(ProfileOf, users[2])?.map(|p| p.id()),
        Some(profiles[1])
    );
    db.check_integrity()?;
    Ok(())
}
