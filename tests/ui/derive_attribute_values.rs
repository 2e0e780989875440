// Rule: a table's name is a non-empty string, a version a number from 1, and each is given
// once.

use relstore::Model;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = users)]
struct User {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "")]
struct Post {
    title: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(version = 0)]
struct Tag {
    label: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "notes", version = 2)]
#[relstore(table = "memos")]
struct Note {
    text: String,
}

fn main() {}
