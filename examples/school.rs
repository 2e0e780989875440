//! Many-to-many: students and courses, joined through enrollments that carry a grade.
//!
//! The join row is a table of its own with two foreign keys; a composite unique index
//! `(student, course)` lets a student enroll in a course once, and a composite ordered index
//! `(course, grade)` gives each course's best students without a sort. `db.through` walks the
//! relation both ways. Each step asserts what it prints.
//! Run with `cargo run --release --example school`.

use std::error::Error;

use relstore::{Db, Id, Model, WriteError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "students")]
struct Student {
    #[relstore(unique)]
    name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "courses")]
struct Course {
    #[relstore(unique)]
    code: String,
    title: String,
}

/// The join row: one per student and course (`EnrollmentByStudentCourse`), ordered by grade
/// within each course (`EnrollmentByCourseGrade`).
#[derive(Clone, Debug, Serialize, Deserialize, Model)]
#[relstore(table = "enrollments", unique(student, course), ordered(course, grade))]
struct Enrollment {
    student: Id<Student>,
    course: Id<Course>,
    grade: u8, // out of 100
}

// Deleting a student or a course takes their enrollments with them.
relstore::belongs_to!(Enrolled: Enrollment.student -> Student, has_many, on_delete = Cascade);
relstore::belongs_to!(EnrolledIn: Enrollment.course -> Course, has_many, on_delete = Cascade);

relstore::schema! {
    struct School { students: Student, courses: Course, enrollments: Enrollment }
    relations { Enrolled, EnrolledIn }
}

/// A course's mean grade, or `None` for a course nobody takes.
fn average(db: &Db<School>, course: Id<Course>) -> Result<Option<f64>, relstore::NotFound> {
    let enrollments = db.children(EnrolledIn, course)?;
    let (sum, count) = enrollments.iter().fold((0u32, 0u32), |(sum, n), e| {
        (sum + u32::from(e.grade), n + 1)
    });
    Ok((count > 0).then(|| f64::from(sum) / f64::from(count)))
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut db = Db::<School>::new();
    let students = ["ada", "ben", "cleo", "dev"].map(|name| Student { name: name.into() });
    let [ada, ben, cleo, dev] = <[Id<Student>; 4]>::try_from(db.insert_many(students)?)
        .map_err(|_| "four students inserted")?;
    let mut course = |code: &str, title: &str| {
        db.insert(Course {
            code: code.into(),
            title: title.into(),
        })
    };
    let (math, art, latin) = (
        course("M101", "Algebra")?,
        course("A101", "Drawing")?,
        course("L101", "Latin")?,
    );

    let grades = [
        (ada, math, 92),
        (ben, math, 78),
        (cleo, math, 85),
        (dev, math, 61),
        (ada, art, 70),
        (cleo, art, 95),
        (dev, art, 88),
    ];
    let rows = grades.map(|(student, course, grade)| Enrollment {
        student,
        course,
        grade,
    });
    db.insert_many(rows)?; // all or nothing: one bad row and none is stored
    println!(
        "{} students, {} courses, {} enrollments",
        db.table::<Student>().len(),
        db.table::<Course>().len(),
        db.table::<Enrollment>().len()
    );

    // ---- The composite unique index: once per (student, course) ----
    let again = Enrollment {
        student: ada,
        course: math,
        grade: 100,
    };
    let refused = db.insert(again).unwrap_err();
    assert!(matches!(refused, WriteError::Unique { .. }));
    println!("ada enrolling in algebra twice: {refused}");
    // And an O(1) lookup by the pair: "is ben taking drawing?"
    let ben_art = db
        .table::<Enrollment>()
        .get_by(EnrollmentByStudentCourse, &(ben, art));
    let ada_math = db
        .table::<Enrollment>()
        .get_by(EnrollmentByStudentCourse, &(ada, math));
    assert!(ben_art.is_none());
    assert_eq!(ada_math.map(|e| e.grade), Some(92));

    // ---- Through the join rows, both ways ----
    // ada's courses: (enrollment, course) pairs, one foreign-key lookup each way.
    println!("\nada takes:");
    for (enrollment, course) in db.through(Enrolled, EnrolledIn, ada)? {
        println!(
            "  {} {} (grade {})",
            course.code, course.title, enrollment.grade
        );
    }
    let codes: Vec<&str> = (db.through(Enrolled, EnrolledIn, ada)?)
        .iter()
        .map(|(_, course)| course.value().code.as_str())
        .collect();
    assert_eq!(codes, ["M101", "A101"]);

    // Drawing's students, best first: a query over the pairs, ordered.
    let class = (db.through(EnrolledIn, Enrolled, art)?)
        .order_by_desc(|(enrollment, _)| enrollment.grade)
        .all();
    let names: Vec<&str> = class.iter().map(|(_, s)| s.value().name.as_str()).collect();
    println!("drawing, best first: {names:?}");
    assert_eq!(names, ["cleo", "dev", "ada"]);

    // Students taking both algebra and drawing: two O(1) probes of the pair index each.
    let both: Vec<&str> = (db.query::<Student>())
        .filter(|s| {
            let taking = |course| {
                (db.table::<Enrollment>()).get_by(EnrollmentByStudentCourse, &(s.id(), course))
            };
            taking(math).is_some() && taking(art).is_some()
        })
        .iter()
        .map(|s| s.value().name.as_str())
        .collect();
    println!("taking algebra and drawing: {both:?}");
    assert_eq!(both, ["ada", "cleo", "dev"]);

    // ---- Averages per course ----
    println!();
    for course in db.query::<Course>().order_by(|c| c.value().code.as_str()) {
        match average(&db, course.id())? {
            Some(mean) => println!("{} {}: average {mean:.1}", course.code, course.title),
            None => println!("{} {}: nobody enrolled", course.code, course.title),
        }
    }
    assert_eq!(average(&db, math)?, Some(79.0));
    assert_eq!(average(&db, latin)?, None);
    let empty = db
        .query::<Course>()
        .where_has_not(EnrolledIn)
        .ids()
        .collect::<Vec<_>>();
    assert_eq!(empty, [latin]);

    // ---- Top students via the ordered (course, grade) index ----
    // The course's slice of the index, walked from the highest grade: the top k, no sort.
    let top = |db: &Db<School>, course: Id<Course>, k: usize| -> Vec<(String, u8)> {
        db.query_range(EnrollmentByCourseGrade, (course, 0)..=(course, u8::MAX))
            .rev()
            .limit(k)
            .iter()
            .map(|e| (e.belongs_to(Enrolled).name.clone(), e.grade))
            .collect()
    };
    let podium = top(&db, math, 3);
    println!("\nalgebra's top three: {podium:?}");
    assert_eq!(
        podium,
        [("ada".into(), 92), ("cleo".into(), 85), ("ben".into(), 78)]
    );
    // Who passed (70 or more) in drawing, lowest first: a range within the course.
    let passed = db
        .query_range(EnrollmentByCourseGrade, (art, 70)..=(art, u8::MAX))
        .count();
    assert_eq!(passed, 3);

    // A regrade moves the row in the ordered index at once: nothing to refresh.
    let ben_math = (db.table::<Enrollment>())
        .get_by(EnrollmentByStudentCourse, &(ben, math))
        .map(|e| e.id())
        .ok_or("ben takes algebra")?;
    db.update(ben_math, |e| e.grade = 97)?;
    let podium = top(&db, math, 1);
    println!("after ben's regrade, algebra's best: {podium:?}");
    assert_eq!(podium, [("ben".into(), 97)]);

    // ---- Cascades through the join table ----
    // Dev leaves: his enrollments go with him; the courses stay.
    let plan = db.delete_plan(dev)?;
    println!("\ndev leaving removes {:?}", plan.deleted());
    db.delete(dev)?;
    assert_eq!(db.table::<Enrollment>().len(), 5);
    assert_eq!(db.children(EnrolledIn, art)?.count(), 2);
    // Drawing is cancelled: its enrollments go, its students stay.
    let gone = db.delete_many([art])?;
    println!(
        "drawing cancelled: {gone} rows deleted, {} enrollments left",
        db.table::<Enrollment>().len()
    );
    assert_eq!(gone, 3);
    let cleo_courses = db.through(Enrolled, EnrolledIn, cleo)?.count();
    assert_eq!(cleo_courses, 1);
    db.check_integrity()?;
    Ok(())
}
