//! What makes a plain struct a table row, and how a row describes its fields.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Id;
use crate::index::IndexSet;

/// A plain Rust struct stored as a row of its own table.
///
/// Derive it: `#[derive(Model)]` reads the struct once and says everything the store needs to
/// know about it (see [the derive](derive@crate::Model)): the table's name, the schema
/// version, a fingerprint of the struct's shape, and which fields are foreign keys. The bounds
/// are what the store needs: `Clone` for updates that can be undone, serde for persistence,
/// `Send + Sync` so a store can be shared between threads.
///
/// ```
/// use relstore::{Id, Model};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "users")]
/// struct User { username: String, email: String }
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "posts")]
/// struct Post { user_id: Id<User>, title: String }
///
/// assert_eq!(Post::TABLE, "posts");
/// assert_eq!(Post::KEYS, [relstore::KeyField::checked("user_id")]);
/// ```
///
/// Writing the impl by hand is possible (tests do), but then [`Model::KEYS`] is yours to keep
/// true: a key field left out of it escapes the schema's check that every key has a relation.
pub trait Model: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The table's name; unique within a schema.
    const TABLE: &'static str;
    /// The version of the row's shape, for migrating saved rows; starts at 1.
    const VERSION: u32 = 1;
    /// A fingerprint of the struct's fields (names and types as written), or 0 when unknown
    /// (a hand-written impl). The derive computes it, so that a snapshot can tell that a
    /// struct changed while its [`Model::VERSION`] did not.
    const SHAPE: u64 = 0;
    /// The row's foreign-key fields (`Id<T>` and `Option<Id<T>>`), in declaration order.
    ///
    /// [`schema!`](crate::schema) refuses to compile a schema in which a checked key field has
    /// no relation: a forgotten relation would silently turn integrity off. Ids deeper inside
    /// a field (`Vec<Id<T>>`, a nested struct) are not keys: nothing checks them, like the
    /// fields declared [`KeyField::unchecked`].
    const KEYS: &'static [KeyField];
    /// The table's secondary indexes: `()` for none, or a tuple of [`Index`](crate::Index)
    /// types (the derive writes it from `#[relstore(unique)]` and the like). A hand-written
    /// impl writes `type Indexes = ();`.
    type Indexes: IndexSet<Self>;
    /// Whether [`Model::validate`] checks anything: the derive sets it with
    /// `#[relstore(validate = ..)]`. A hand-written impl that overrides `validate` must set it
    /// to `true`: the store calls `validate` only when it is. A validated row's fields are
    /// read-only in its in-place view unless marked `#[relstore(unvalidated)]`, and
    /// [`Db::edit`](crate::Db::edit) works on a copy of it.
    const VALIDATED: bool = false;

    /// Checks a row before it is stored: on insert, update, edit and replace (one by one or
    /// in bulk) and when a snapshot loads. An error refuses the write, which changes nothing.
    /// The derive calls the function `#[relstore(validate = path)]` names.
    #[inline]
    fn validate(&self) -> Result<(), Invalid> {
        Ok(())
    }
}

/// A row refused by its model's validator ([`Model::validate`]): why.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Invalid {
    /// What is wrong, in the validator's words.
    pub message: std::borrow::Cow<'static, str>,
}

impl Invalid {
    /// A refusal with a message.
    pub fn new(message: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Invalid {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Invalid {}

/// In-place access to a row's fields, its foreign keys read-only: what
/// [`Db::row_mut`](crate::Db::row_mut) and [`Db::rows_mut`](crate::Db::rows_mut) hand out.
///
/// `#[derive(Model)]` implements it with a view struct named after the row, `<Name>Mut<'a>`,
/// with the row's visibility: each field by `&'a mut`, except the checked keys (`Id<_>` and
/// `Option<Id<_>>` fields a relation guards), by `&'a`. An edit through the view costs what
/// an edit through `&mut` costs, because nothing the store derives from rows can change
/// there: a key changes through [`Db::edit`](crate::Db::edit) or
/// [`Db::update`](crate::Db::update), which check it and move the row between parents.
///
/// ```
/// use relstore::{Db, Fields, Id, Model};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// struct Zone { regen: u32 }
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// struct Player { zone: Id<Zone>, hp: u32 }
///
/// relstore::belongs_to!(PlayerZone: Player.zone -> Zone, has_many);
/// relstore::schema! { struct Game { zones: Zone, players: Player } relations { PlayerZone } }
///
/// let mut db = Db::<Game>::new();
/// let zone = db.insert(Zone { regen: 2 })?;
/// let player = db.insert(Player { zone, hp: 10 })?;
///
/// let view: PlayerMut<'_> = db.row_mut(player)?;
/// *view.hp += 1;                  // a field: `&mut u32`
/// assert_eq!(*view.zone, zone);   // a key: `&Id<Zone>`, read-only
/// assert_eq!(db.get(player)?.hp, 11);
/// # Ok::<(), relstore::Error>(())
/// ```
///
/// A key cannot change through the view: `*view.zone = zone` does not compile (a UI test,
/// `tests/ui/view_key_is_read_only.rs`, pins the message).
pub trait Fields: Model {
    /// The view.
    type Mut<'a>
    where
        Self: 'a;

    /// The view of this row.
    fn fields_mut(&mut self) -> Self::Mut<'_>;
}

/// A foreign-key field of a [`Model`], as [`Model::KEYS`] lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyField {
    /// The field's name.
    pub name: &'static str,
    /// Whether a relation of the schema must guard it. An unchecked key is a plain value to the
    /// store: it may name a deleted row, and deleting its target leaves it as it is.
    pub checked: bool,
}

impl KeyField {
    /// A key that a relation of the schema guards.
    pub const fn checked(name: &'static str) -> Self {
        KeyField {
            name,
            checked: true,
        }
    }

    /// A key no relation guards (`#[relstore(unchecked)]` with the derive).
    pub const fn unchecked(name: &'static str) -> Self {
        KeyField {
            name,
            checked: false,
        }
    }
}

/// The type of the key field to `Parent` whose name hashes to `FIELD` ([`field_hash`]); what
/// [`belongs_to!`](crate::belongs_to) reads to know a key's type without being told. The derive
/// implements it for each checked key field. `Parent` is a parameter, not only a part of `Key`,
/// so that the impl is no more public than the parent: a public row may then keep a key to a
/// private one (an associated type more private than its impl is a hard error, E0446).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no foreign-key field by this name to `{Parent}`",
    label = "the field must be an `Id<{Parent}>` or `Option<Id<{Parent}>>` of a struct that derives `Model` (and is not `#[relstore(unchecked)]`)"
)]
pub trait KeyFieldType<const FIELD: u64, Parent> {
    /// `Id<P>` or `Option<Id<P>>`.
    type Key;
}

/// FNV-1a, 64 bits: names a field in a const generic ([`KeyFieldType`]).
#[doc(hidden)]
pub const fn field_hash(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The bounds [`Model`] puts on a row, as one trait: the derive bounds a generic row's impl by
/// it, so that the row is a model whenever its parameters allow.
#[doc(hidden)]
pub trait ModelBounds: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {}

impl<T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static> ModelBounds for T {}

/// Whether a type is a key, `Id<_>` or `Option<Id<_>>`, under whatever name it is written:
/// `<KeyProbe<T>>::IS_KEY` finds the inherent constant below when `T` is a key (an inherent
/// item wins over a trait's), and [`NotKey`]'s otherwise. The derive checks with it that a
/// field it did not see as a key (a type alias) is not one.
#[doc(hidden)]
#[derive(Debug)]
pub struct KeyProbe<T: ?Sized>(PhantomData<T>);

/// The fallback of [`KeyProbe`]: not a key.
#[doc(hidden)]
pub trait NotKey {
    /// Not a key.
    const IS_KEY: bool = false;
}

impl<T: ?Sized> NotKey for KeyProbe<T> {}

impl<P> KeyProbe<Id<P>> {
    /// A key.
    pub const IS_KEY: bool = true;
}

impl<P> KeyProbe<Option<Id<P>>> {
    /// A key.
    pub const IS_KEY: bool = true;
}
