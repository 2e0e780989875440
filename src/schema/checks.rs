//! The schema's compile-time checks, called by [`schema!`](crate::schema) in `const` items:
//! a failed check is a compile error with a readable message.

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

/// A compile-time error message: `const` code cannot format, so it is built byte by byte.
struct Message {
    bytes: [u8; 256],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message {
            bytes: [0; 256],
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

/// Fails compilation if relation `R` sets a required key to null.
#[doc(hidden)]
pub const fn assert_policy<R: Relation>() {
    if matches!(R::ON_DELETE, OnDelete::SetNull) && !<R::Key as ForeignKey<R::Parent>>::OPTIONAL {
        panic!(
            "a relation with `on_delete = SetNull` needs an optional key (`Option<Id<_>>`); make the key optional or pick another policy"
        );
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
    fn a_name_too_long_for_the_message_is_cut_between_characters() {
        let long = "é".repeat(300); // 600 bytes, 2 per character
        let message = clash(&[&long, &long]).unwrap_or_default();
        let prefix = "two tables of this schema are named `";
        assert!(message.starts_with(prefix), "{message}");
        assert!(
            message.len() <= 256 && message.len() > prefix.len(),
            "{}",
            message.len()
        );
    }
}
