//! What `#[derive(Model)]` expands to: the table's name, the version, the keys, the shape.

use relstore::{Id, KeyField, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "users")]
struct User {
    name: String,
}

#[derive(Clone, Serialize, Deserialize, Model)]
struct BlogPost {
    user_id: Id<User>,
    #[relstore(unchecked)]
    quoted_id: Option<Id<BlogPost>>,
    title: String,
    editor_id: Option<Id<User>>,
    reviewer_id: relstore::Id<User>,
    tags: Vec<Id<User>>,
    backup_id: std::option::Option<relstore::Id<User>>,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "comments", version = 3)]
struct Comment {
    post_id: Id<BlogPost>,
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(version = 2)]
#[relstore(table = "notes")]
struct Note {
    text: String,
}

#[test]
fn the_table_is_named_by_the_attribute_or_the_struct_in_snake_case() {
    assert_eq!(User::TABLE, "users");
    assert_eq!(BlogPost::TABLE, "blog_post");
    assert_eq!(Comment::TABLE, "comments");
    assert_eq!(Note::TABLE, "notes");
}

#[test]
fn the_version_defaults_to_1() {
    assert_eq!(User::VERSION, 1);
    assert_eq!(BlogPost::VERSION, 1);
    assert_eq!(Comment::VERSION, 3);
    assert_eq!(Note::VERSION, 2);
}

#[test]
fn keys_are_the_id_fields_in_declaration_order() {
    assert_eq!(User::KEYS, []);
    assert_eq!(
        BlogPost::KEYS,
        [
            KeyField::checked("user_id"),
            KeyField::unchecked("quoted_id"),
            KeyField::checked("editor_id"),
            KeyField::checked("reviewer_id"),
            KeyField::checked("backup_id"),
        ]
    );
    assert_eq!(Comment::KEYS, [KeyField::checked("post_id")]);
}

/// The key types `belongs_to!` reads, through the hidden trait the derive implements.
#[test]
fn checked_keys_have_their_type_by_name() {
    use relstore::__private::{KeyFieldType, field_hash};
    fn key_type<M: KeyFieldType<F, User>, const F: u64>() -> &'static str {
        std::any::type_name::<M::Key>()
    }
    assert_eq!(
        key_type::<BlogPost, { field_hash("user_id") }>(),
        std::any::type_name::<Id<User>>()
    );
    assert_eq!(
        key_type::<BlogPost, { field_hash("editor_id") }>(),
        std::any::type_name::<Option<Id<User>>>()
    );
    assert_eq!(
        key_type::<BlogPost, { field_hash("backup_id") }>(),
        std::any::type_name::<Option<Id<User>>>()
    );
}

/// Each struct's fields, once as `Before` and then changed in one way. (The structs are public
/// and `User` is not: a public row may keep a key to a private one.)
mod shapes {
    use super::*;

    #[derive(Clone, Serialize, Deserialize, Model)]
    pub struct Before {
        pub user_id: Id<User>,
        pub title: String,
    }

    pub mod same {
        use super::*;
        // Spaced and qualified differently: the tokens are the same.
        #[derive(Clone, Serialize, Deserialize, Model)]
        #[relstore(table = "elsewhere", version = 9)]
        pub struct Before {
            pub user_id: Id<User>,
            pub title: String,
        }
    }

    pub mod added {
        use super::*;
        #[derive(Clone, Serialize, Deserialize, Model)]
        pub struct Before {
            pub user_id: Id<User>,
            pub title: String,
            pub body: String,
        }
    }

    pub mod renamed {
        use super::*;
        #[derive(Clone, Serialize, Deserialize, Model)]
        pub struct Before {
            pub author_id: Id<User>,
            pub title: String,
        }
    }

    pub mod retyped {
        use super::*;
        #[derive(Clone, Serialize, Deserialize, Model)]
        pub struct Before {
            pub user_id: Option<Id<User>>,
            pub title: String,
        }
    }

    pub mod reordered {
        use super::*;
        #[derive(Clone, Serialize, Deserialize, Model)]
        pub struct Before {
            pub title: String,
            pub user_id: Id<User>,
        }
    }

    pub mod removed {
        use super::*;
        #[derive(Clone, Serialize, Deserialize, Model)]
        pub struct Before {
            pub user_id: Id<User>,
        }
    }
}

#[test]
fn the_shape_changes_with_any_field() {
    let before = shapes::Before::SHAPE;
    assert_ne!(before, 0);
    assert_eq!(shapes::same::Before::SHAPE, before);
    for changed in [
        shapes::added::Before::SHAPE,
        shapes::renamed::Before::SHAPE,
        shapes::retyped::Before::SHAPE,
        shapes::reordered::Before::SHAPE,
        shapes::removed::Before::SHAPE,
    ] {
        assert_ne!(changed, before);
    }
}

/// The documented hash, spelled out: FNV-1a over `name:type;` for each field.
#[test]
fn the_shape_is_fnv1a_of_the_fields_as_written() {
    assert_eq!(
        shapes::Before::SHAPE,
        relstore::__private::field_hash("user_id:Id < User >;title:String;")
    );
    assert_eq!(Note::SHAPE, relstore::__private::field_hash("text:String;"));
}

#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "settings")]
struct Setting<T> {
    owner_id: Id<User>,
    value: T,
}

#[derive(Clone, Serialize, Deserialize, Model)]
struct Tagged<T, const N: usize>
where
    T: Copy,
{
    owner_id: Option<Id<User>>,
    // An id in a generic field is not a key: nothing checks it.
    #[serde(bound(deserialize = "T: Deserialize<'de>"))]
    values: Vec<T>,
    width: std::marker::PhantomData<[u8; N]>,
}

#[test]
fn generic_rows_keep_their_parameters() {
    assert_eq!(Setting::<String>::TABLE, "settings");
    assert_eq!(Setting::<u32>::KEYS, [KeyField::checked("owner_id")]);
    assert_eq!(Setting::<u32>::SHAPE, Setting::<String>::SHAPE);
    assert_eq!(Setting::<Id<User>>::KEYS, [KeyField::checked("owner_id")]);
    assert_eq!(Tagged::<u8, 3>::TABLE, "tagged");
    assert_eq!(Tagged::<Id<User>, 3>::KEYS, [KeyField::checked("owner_id")]);
}

/// A row is a model whenever its parameters allow, without bounds written on them.
#[test]
fn a_generic_row_is_a_model_when_its_parameters_allow() {
    fn table<M: Model>() -> &'static str {
        M::TABLE
    }
    assert_eq!(table::<Setting<Vec<String>>>(), "settings");
}

/// A row may name itself as `Self`, and may take `r#` names.
#[derive(Clone, Serialize, Deserialize, Model)]
#[relstore(table = "nodes")]
struct Node {
    parent_id: Option<Id<Self>>,
    children: Vec<Id<Self>>,
    r#type: u8,
}

#[test]
fn self_and_raw_names() {
    assert_eq!(Node::KEYS, [KeyField::checked("parent_id")]);
}

/// The derived keys are the ones `belongs_to!` and `schema!` work with.
#[test]
fn derived_rows_make_a_store() -> Result<(), relstore::Error> {
    relstore::belongs_to!(Author: BlogPost.user_id -> User, has_many, on_delete = Cascade);
    relstore::belongs_to!(Editor: BlogPost.editor_id -> User, has_many, on_delete = SetNull);
    relstore::belongs_to!(Reviewer: BlogPost.reviewer_id -> User, has_many);
    relstore::belongs_to!(Backup: BlogPost.backup_id -> User, has_many, on_delete = SetNull);
    relstore::belongs_to!(Parent: Node.parent_id -> Node, has_many, on_delete = Cascade);
    relstore::schema! {
        struct Blog { users: User, posts: BlogPost, nodes: Node }
        relations { Author, Editor, Reviewer, Backup, Parent }
    }
    let mut db = relstore::Db::<Blog>::new();
    let alice = db.insert(User {
        name: "alice".into(),
    })?;
    let bob = db.insert(User { name: "bob".into() })?;
    let post = db.insert(BlogPost {
        user_id: alice,
        quoted_id: None,
        title: "Hello".into(),
        editor_id: Some(bob),
        reviewer_id: alice,
        tags: vec![bob],
        backup_id: None,
    })?;
    assert_eq!(
        db.get(post)?.belongs_to(Editor).map(|user| user.id()),
        Some(bob)
    );
    db.delete(bob)?;
    assert_eq!(db.get(post)?.editor_id, None);

    let root = db.insert(Node {
        parent_id: None,
        children: vec![],
        r#type: 0,
    })?;
    let leaf = db.insert(Node {
        parent_id: Some(root),
        children: vec![],
        r#type: 1,
    })?;
    db.delete(root)?;
    assert!(!db.contains(leaf));
    Ok(())
}
