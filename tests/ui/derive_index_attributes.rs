// Index attributes: a plain `index` does not combine with `unique` or `ordered`; an index on
// the struct lists fields the struct has; `name` needs an index; two indexes cannot share a
// name.

use relstore::Model;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
struct A {
    #[relstore(index, unique)]
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(unique(name, nope))]
struct B {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
struct C {
    #[relstore(name = ByName)]
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(index(name, name = CByName))]
struct D {
    #[relstore(unique, name = CByName)]
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(unique)]
struct E {
    name: String,
}

fn main() {}
