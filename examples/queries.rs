//! The seed's queries, in relstore, in brief: find one user, users with posts, posts by a user
//! (ordered, paged), users joined with their posts, and students and courses through
//! enrollments. `examples/blog.rs` walks through them at length, `examples/school.rs` the
//! many-to-many side. `cargo run --example queries`.

use relstore::{Db, Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
pub struct User {
    #[relstore(unique)]
    username: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "posts")]
pub struct Post {
    user_id: Id<User>,
    title: String,
    likes: u32,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "courses")]
pub struct Course {
    title: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "enrollments")]
pub struct Enrollment {
    student: Id<User>,
    course: Id<Course>,
    grade: u8,
}

relstore::belongs_to!(pub PostAuthor: Post.user_id -> User, has_many, on_delete = Cascade);
relstore::belongs_to!(pub Enrolled: Enrollment.student -> User, has_many, on_delete = Cascade);
relstore::belongs_to!(pub EnrolledIn: Enrollment.course -> Course, has_many, on_delete = Cascade);

relstore::schema! {
    pub struct School { users: User, posts: Post, courses: Course, enrollments: Enrollment }
    relations { PostAuthor, Enrolled, EnrolledIn }
}

fn main() -> Result<(), relstore::Error> {
    let mut db = Db::<School>::new();
    let users = ["example_user", "ann", "lurker"].map(|name| User {
        username: name.into(),
    });
    let [me, ann, _lurker] = <[Id<User>; 3]>::try_from(db.insert_many(users)?).expect("three");
    for (user_id, title, likes) in [(me, "Example Post", 3), (ann, "Hi", 9), (me, "Again", 5)] {
        let title = title.into();
        db.insert(Post {
            user_id,
            title,
            likes,
        })?;
    }

    // User.query().where('username = ?', ("example_user",)).one(): the unique index, no scan
    let user = db.query_by(UserByUsername, "example_user").one()?;
    println!("found {}", user.username);
    assert_eq!(user.id(), me);

    // Users with posts (each once), and without.
    let writers: Vec<&str> = (db.query::<User>().where_has(PostAuthor))
        .iter()
        .map(|u| u.value().username.as_str())
        .collect();
    let silent = db.query::<User>().where_has_not(PostAuthor).count();
    println!("writers: {writers:?}; {silent} without posts");
    assert_eq!((writers, silent), (vec!["example_user", "ann"], 1));

    // Post.query().where('user_id = ?', (user.id,)).order_by('likes DESC').limit(10).all()
    for post in db
        .children(PostAuthor, user.id())?
        .order_by_desc(|p| p.likes)
        .limit(10)
        .all()
    {
        println!("  {} ({} likes)", post.title, post.likes);
    }

    // Every user with every post, conditions on both sides.
    let popular = (db.query::<User>().filter(|u| u.username != "lurker"))
        .join(PostAuthor)
        .filter(|(_, post)| post.likes > 4);
    for (user, post) in popular {
        println!("{} wrote {:?}", user.username, post.title);
    }

    // Many-to-many through enrollments, both ways.
    let [math, art] = ["math", "art"].map(|t| db.insert(Course { title: t.into() }));
    let (math, art) = (math?, art?);
    for (student, course, grade) in [(me, math, 4), (ann, math, 5), (me, art, 3)] {
        db.insert(Enrollment {
            student,
            course,
            grade,
        })?;
    }
    for (enrollment, course) in db.through(Enrolled, EnrolledIn, me)? {
        println!(
            "example_user takes {} (grade {})",
            course.title, enrollment.grade
        );
    }
    let best = (db.through(EnrolledIn, Enrolled, math)?)
        .order_by_desc(|(e, _)| e.grade)
        .first()
        .map(|(_, s)| s.value().username.as_str());
    println!("best in math: {best:?}");
    assert_eq!(best, Some("ann"));
    Ok(())
}
