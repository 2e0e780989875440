//! Every error says which table, key, rule and rows are involved, in lower case without a
//! trailing period; the families convert into `relstore::Error` with `?`.

mod common;

use std::error::Error as _;
use std::fmt::Display;

use common::*;
use relstore::{DeleteError, Error, NotFound, WriteError};

/// Asserts the message style and that the message names every one of `parts`.
#[track_caller]
fn assert_message(err: &impl Display, parts: &[&str]) -> String {
    let message = err.to_string();
    let first = message.chars().next().expect("a message");
    assert!(!first.is_uppercase(), "starts in lower case: {message}");
    assert!(!message.ends_with('.'), "no trailing period: {message}");
    assert!(!message.contains('\n'), "one line: {message}");
    for part in parts {
        assert!(message.contains(part), "{message:?} names {part:?}");
    }
    message
}

#[test]
fn lookup_errors_name_the_row() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    db.delete(alice)?;
    let err = db.get(alice).err().unwrap();
    assert_message(&err, &["users#1v1", "deleted or never existed"]);
    Ok(())
}

#[test]
fn write_errors_name_the_key_relation_and_rows() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?; // users#1v1
    let gone = db.insert(user("gone"))?; // users#2v1
    db.delete(gone)?;
    let hello = db.insert(post(alice, "hello"))?; // posts#1v1

    let err = db.insert(post(gone, "x")).err().unwrap();
    assert_message(
        &err,
        &[
            "posts.author_id",
            "users#2v1",
            "PostAuthor (posts.author_id -> users)",
        ],
    );

    db.insert(profile(alice, "tea"))?; // profiles#1v1
    let err = db.insert(profile(alice, "coffee")).err().unwrap();
    assert!(matches!(err, WriteError::HasOneTaken { row: None, .. }));
    assert_message(
        &err,
        &[
            "users#1v1",
            "profiles#1v1",
            "ProfileUser (profiles.user_id -> users)",
            "new row",
        ],
    );

    let bob = db.insert(user("bob"))?; // users#2v3
    let bobs = db.insert(profile(bob, "coffee"))?; // profiles#2v1
    let err = db.update(bobs, |p| p.user_id = alice).err().unwrap();
    assert_message(
        &err,
        &["users#1v1", "profiles#1v1", "profiles#2v1", "ProfileUser"],
    );

    db.delete(hello)?;
    let err = db.update(hello, |p| p.title.clear()).err().unwrap();
    assert_message(&err, &["posts#1v1", "deleted or never existed"]);
    Ok(())
}

#[test]
fn delete_errors_name_the_relation_and_both_rows() -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    let bob = db.insert(user("bob"))?;
    let hello = db.insert(post(alice, "hello"))?;
    db.insert(comment(hello, bob, "hi"))?;
    let err = db.delete(bob).err().unwrap();
    assert_message(
        &err,
        &[
            "users#2v1",
            "comments#1v1",
            "restrict",
            "CommentAuthor (comments.author_id -> users)",
        ],
    );

    db.delete(alice)?;
    let err = db.delete(alice).err().unwrap();
    assert_message(&err, &["users#1v1", "deleted or never existed"]);
    Ok(())
}

/// Each family, through `?`, in a function returning `relstore::Error`.
fn fail_with(family: &str) -> Result<(), Error> {
    let mut db = db();
    let alice = db.insert(user("alice"))?;
    db.delete(alice)?;
    match family {
        "lookup" => drop(db.get(alice)?),
        "write" => drop(db.insert(post(alice, "x"))?),
        "delete" => drop(db.delete(alice)?),
        _ => {}
    }
    Ok(())
}

#[test]
fn every_family_converts_into_error_with_question_mark() {
    assert!(fail_with("none").is_ok());
    assert!(matches!(
        fail_with("lookup"),
        Err(Error::NotFound(NotFound { .. }))
    ));
    assert!(matches!(
        fail_with("write"),
        Err(Error::Write(WriteError::MissingParent { .. }))
    ));
    assert!(matches!(
        fail_with("delete"),
        Err(Error::Delete(DeleteError::NotFound(_)))
    ));
}

#[test]
fn error_is_transparent_so_a_cause_chain_prints_each_message_once() {
    for family in ["lookup", "write", "delete"] {
        let err = fail_with(family).unwrap_err();
        let family_error: &dyn std::error::Error = match &err {
            Error::NotFound(e) => e,
            Error::Write(e) => e,
            Error::Delete(e) => e,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(err.to_string(), family_error.to_string());
        assert_message(&err, &[]);
        // Displaying the family error *and* returning it as the source would print it twice.
        assert!(
            err.source().is_none(),
            "{family}: no duplicate in the chain"
        );
        assert!(
            family_error.source().is_none(),
            "family errors are the root cause"
        );
    }
}

#[test]
fn errors_box_into_dyn_error_send_sync() {
    fn boxed() -> Result<(), Box<dyn std::error::Error + Send + Sync + 'static>> {
        fail_with("write")?;
        Ok(())
    }
    let err = boxed().unwrap_err();
    let inner = err.downcast_ref::<Error>().expect("a relstore error");
    assert!(matches!(inner, Error::Write(_)));
}
