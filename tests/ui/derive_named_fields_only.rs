// Rule: `#[derive(Model)]` takes structs with named fields only: a tuple struct's fields have
// no names for keys, a unit struct is written `struct Unit {}`, an enum or a union is no row.

use relstore::Model;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
struct Point(i32, i32);

#[derive(Clone, Serialize, Deserialize, Model)]
struct Unit;

#[derive(Clone, Serialize, Deserialize, Model)]
enum Shape {
    Circle,
    Square,
}

fn main() {}
