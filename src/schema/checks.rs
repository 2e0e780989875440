//! The schema's compile-time checks, called by [`schema!`](crate::schema) in `const` items:
//! a failed check is a compile error with a readable message.

use crate::index::IndexSet;
use crate::model::{KeyField, Model};
use crate::relation::{ForeignKey, OnDelete, Relation};

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Fails compilation if two of `names` are equal, with a message naming the clash:
/// "two {what} of this schema are named `{name}` ({source})".
#[doc(hidden)]
pub const fn assert_distinct(names: &[&str], what: &str, source: &str) {
    let mut i = 0;
    while i < names.len() {
        let mut j = 0;
        while j < i {
            if same(names[i], names[j]) {
                let mut message = Message::new();
                message.push("two ");
                message.push(what);
                message.push(" of this schema are named `");
                message.push(names[i]);
                message.push("` (");
                message.push(source);
                message.push(")");
                panic!("{}", message.as_str());
            }
            j += 1;
        }
        i += 1;
    }
}

/// The position of `name` in `names` (a table's or relation's position in its schema).
#[doc(hidden)]
pub const fn position(names: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < names.len() {
        if same(names[i], name) {
            return i;
        }
        i += 1;
    }
    panic!("a name missing from its own schema's list")
}

/// Fails compilation unless every checked key field of every table (`tables`: name and
/// [`Model::KEYS`](crate::Model::KEYS)) is the key of a relation (`relations`: child table,
/// key field, relation name), and every relation's key is a checked key field: a forgotten
/// relation would silently leave a key unguarded.
#[doc(hidden)]
pub const fn assert_keys_have_relations(
    tables: &[(&str, &[KeyField])],
    relations: &[(&str, &str, &str)],
) {
    let mut t = 0;
    while t < tables.len() {
        let (table, keys) = tables[t];
        let mut k = 0;
        while k < keys.len() {
            let key = keys[k];
            let mut used = false;
            let mut r = 0;
            while r < relations.len() {
                used |= same(relations[r].0, table) && same(relations[r].1, key.name);
                r += 1;
            }
            if key.checked && !used {
                let mut message = Message::new();
                message.push("field `");
                message.push(table);
                message.push(".");
                message.push(key.name);
                message.push("` is a foreign key, but no relation of this schema uses it: add its relation to `relations { .. }`, or mark the field `#[relstore(unchecked)]`");
                panic!("{}", message.as_str());
            }
            k += 1;
        }
        t += 1;
    }
    let mut r = 0;
    while r < relations.len() {
        let (child, field, name) = relations[r];
        let mut listed = false;
        let mut t = 0;
        while t < tables.len() {
            let (table, keys) = tables[t];
            let mut k = 0;
            while k < keys.len() {
                listed |= same(table, child) && same(keys[k].name, field) && keys[k].checked;
                k += 1;
            }
            t += 1;
        }
        if !listed {
            let mut message = Message::new();
            message.push("relation `");
            message.push(name);
            message.push("` guards field `");
            message.push(child);
            message.push(".");
            message.push(field);
            message.push("`, which its table does not list as a checked key (`Model::KEYS`)");
            panic!("{}", message.as_str());
        }
        r += 1;
    }
}

/// A compile-time error message: `const` code cannot format, so it is built byte by byte.
struct Message {
    bytes: [u8; 512],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message {
            bytes: [0; 512],
            len: 0,
        }
    }

    /// Appends `text`, or as much of it as fits.
    const fn push(&mut self, text: &str) {
        let text = text.as_bytes();
        let mut k = 0;
        while k < text.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = text[k];
            self.len += 1;
            k += 1;
        }
    }

    const fn as_str(&self) -> &str {
        let bytes = self.bytes.split_at(self.len).0;
        match std::str::from_utf8(bytes) {
            Ok(text) => text,
            // Cut inside a character: keep the whole ones.
            Err(cut) => match std::str::from_utf8(bytes.split_at(cut.valid_up_to()).0) {
                Ok(text) => text,
                Err(_) => "",
            },
        }
    }
}

/// Fails compilation if relation `R` sets a required key to null, or sets to null a key that
/// a unique index of the child table holds (the nulls would collide).
#[doc(hidden)]
pub const fn assert_policy<R: Relation>() {
    if !matches!(R::ON_DELETE, OnDelete::SetNull) {
        return;
    }
    if !<R::Key as ForeignKey<R::Parent>>::OPTIONAL {
        panic!(
            "a relation with `on_delete = SetNull` needs an optional key (`Option<Id<_>>`); make the key optional or pick another policy"
        );
    }
    let indexes = <<R::Child as Model>::Indexes as IndexSet<R::Child>>::INFOS;
    let mut i = 0;
    while i < indexes.len() {
        let index = &indexes[i];
        let mut f = 0;
        while index.unique && f < index.fields.len() {
            if same(index.fields[f], R::FOREIGN_KEY) {
                let mut message = Message::new();
                message.push("relation `");
                message.push(R::NAME);
                message.push("` sets `");
                message.push(R::FOREIGN_KEY);
                message.push("` to null, which unique index `");
                message.push(index.name);
                message.push("` holds: the nulls would collide; make the index non-unique or pick another policy");
                panic!("{}", message.as_str());
            }
            f += 1;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::assert_distinct;

    /// The message `assert_distinct` panics with (at run time here; in a `const` item it
    /// becomes the compile error).
    fn clash(names: &[&str]) -> Option<String> {
        let result = std::panic::catch_unwind(|| assert_distinct(names, "tables", "`TABLE`"));
        result
            .err()
            .map(|payload| match payload.downcast::<String>() {
                Ok(message) => *message,
                Err(_) => "a panic without a message".into(),
            })
    }

    #[test]
    fn a_name_clash_is_reported_by_name() {
        assert_eq!(clash(&["users", "posts"]), None);
        assert_eq!(
            clash(&["users", "posts", "users"]).as_deref(),
            Some("two tables of this schema are named `users` (`TABLE`)")
        );
    }

    #[test]
    fn a_key_without_a_relation_is_reported_by_field() {
        use super::assert_keys_have_relations;
        use crate::KeyField;
        let message = |tables: &[(&str, &[KeyField])], relations: &[(&str, &str, &str)]| {
            let result = std::panic::catch_unwind(|| assert_keys_have_relations(tables, relations));
            result
                .err()
                .and_then(|p| p.downcast::<String>().ok())
                .map(|m| *m)
        };
        let keys = [KeyField::checked("user_id"), KeyField::unchecked("seen_by")];
        let posts: &[(&str, &[KeyField])] = &[("users", &[]), ("posts", &keys)];
        assert_eq!(message(posts, &[("posts", "user_id", "PostAuthor")]), None);
        assert_eq!(
            message(posts, &[]).as_deref(),
            Some(
                "field `posts.user_id` is a foreign key, but no relation of this schema uses it: add its relation to `relations { .. }`, or mark the field `#[relstore(unchecked)]`"
            )
        );
        let on_unchecked = [
            ("posts", "user_id", "PostAuthor"),
            ("posts", "seen_by", "SeenBy"),
        ];
        assert_eq!(
            message(posts, &on_unchecked).as_deref(),
            Some(
                "relation `SeenBy` guards field `posts.seen_by`, which its table does not list as a checked key (`Model::KEYS`)"
            )
        );
    }

    #[test]
    fn a_name_too_long_for_the_message_is_cut_between_characters() {
        let long = "é".repeat(300); // 600 bytes, 2 per character: more than fits
        let message = clash(&[&long, &long]).unwrap_or_default();
        let prefix = "two tables of this schema are named `";
        assert!(message.starts_with(prefix), "{message}");
        assert!(
            message.len() <= 512 && message.len() > prefix.len(),
            "{}",
            message.len()
        );
    }
}
