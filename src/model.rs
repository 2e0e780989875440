//! What makes a plain struct a table row.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A plain Rust struct stored as a row of its own table.
///
/// Implementing it is one line: the table's name, used in errors, `Debug` output and (later)
/// snapshots. The bounds are what the store needs: `Clone` for updates that can be undone,
/// serde for persistence, `Send + Sync` so a store can be shared between threads.
///
/// ```
/// use relstore::Model;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize)]
/// struct User { username: String, email: String }
///
/// impl Model for User {
///     const TABLE: &'static str = "users";
/// }
/// ```
pub trait Model: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The table's name; unique within a schema.
    const TABLE: &'static str;
}
