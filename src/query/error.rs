//! What a query can refuse: [`Query::one`](crate::Query::one) found no item, or more than one.

use std::error::Error as StdError;
use std::fmt;

/// Why [`Query::one`](crate::Query::one) gave no row: it wants exactly one, and the query
/// matched none or several. It names the table queried, and for a join the table joined.
///
/// ```
/// # use relstore::{Db, Model, QueryError};
/// # use serde::{Deserialize, Serialize};
/// # #[derive(Clone, Serialize, Deserialize, Model)]
/// # #[relstore(table = "users")]
/// # struct User { username: String }
/// relstore::schema! { struct Blog { users: User } relations {} }
///
/// let mut db = Db::<Blog>::new();
/// db.insert_many(["ann", "bob"].map(|name| User { username: name.into() }))?;
/// let error = db.query::<User>().one().err().expect("two users");
/// assert_eq!(error, QueryError::MoreThanOne { table: "users", joined: None });
/// assert_eq!(error.to_string(), "more than one row of users matched a query that wants exactly one");
/// # Ok::<(), relstore::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    /// No item matched.
    NoMatch {
        /// The table queried (for a join, the parents' table).
        table: &'static str,
        /// For a query of pairs, the second table.
        joined: Option<&'static str>,
    },
    /// At least two items matched.
    MoreThanOne {
        /// The table queried (for a join, the parents' table).
        table: &'static str,
        /// For a query of pairs, the second table.
        joined: Option<&'static str>,
    },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (count, table, joined) = match *self {
            QueryError::NoMatch { table, joined } => ("no", table, joined),
            QueryError::MoreThanOne { table, joined } => ("more than one", table, joined),
        };
        match joined {
            None => write!(f, "{count} row of {table}")?,
            Some(joined) => write!(f, "{count} pair of {table} joined with {joined}")?,
        }
        write!(f, " matched a query that wants exactly one")
    }
}

impl StdError for QueryError {}
