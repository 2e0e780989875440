//! Typed, generational row handles.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::num::NonZeroU64;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use slotmap::{Key, KeyData};

use crate::Model;

slotmap::new_key_type! {
    /// The untyped key of a row inside its table's arena. Only the store sees it.
    #[doc(hidden)]
    pub struct RowKey;
}

/// A typed, generational handle to a row of table `T`.
///
/// An `Id<User>` can only be used where a user is expected: the compiler rejects it where an
/// `Id<Post>` is asked for. After the row is deleted the handle is *stale*: every lookup with it
/// answers "not found", even once its slot in the arena holds another row, because the slot's
/// generation has moved on. Ids are small (8 bytes), `Copy`, and serializable, so rows can store
/// them as foreign keys.
///
/// Handles of different tables do not mix: `let post: Id<Post> = user;` does not compile
/// (expected `Id<Post>`, found `Id<User>`).
///
/// An id means something only to the store that handed it out (and to snapshots of that store):
/// used on another store with the same schema, it names whatever row sits in that slot there, or
/// nothing.
///
/// ```
/// use relstore::{Db, Id, Model};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize, Model)]
/// #[relstore(table = "users")]
/// struct User { name: String }
///
/// relstore::schema! { struct App { users: User } relations {} }
///
/// let mut db = Db::<App>::new();
/// let alice: Id<User> = db.insert(User { name: "alice".into() })?;
/// assert_eq!(format!("{alice:?}"), "Id<users>(1v1)");
/// db.delete(alice)?;
/// let bob = db.insert(User { name: "bob".into() })?; // reuses the slot...
/// assert!(db.get(alice).is_err()); // ...but the stale handle never reaches bob
/// assert_eq!(db.get(bob)?.name, "bob");
/// # Ok::<(), relstore::Error>(())
/// ```
pub struct Id<T> {
    /// The row's key as one word (`KeyData::as_ffi`). A key is two `u32`s (slot, version), and
    /// the compiler copies such a pair as two 4-byte halves; reading the pair back whole right
    /// after (moving a row that holds it) then stalls the CPU. One word is copied as one.
    bits: NonZeroU64,
    table: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    #[inline]
    pub(crate) fn from_key(key: RowKey) -> Self {
        Id::from_bits(key.data().as_ffi())
    }

    #[inline]
    pub(crate) fn key(self) -> RowKey {
        KeyData::from_ffi(self.bits.get()).into()
    }

    /// The handle as a `u64`, for passing through FFI, scripting layers or network messages.
    ///
    /// [`Id::from_bits`] turns it back. A made-up value is memory-safe but not a secret: it
    /// names whatever row of this table sits at that slot and generation, or none.
    #[inline]
    pub fn to_bits(self) -> u64 {
        self.bits.get()
    }

    /// Rebuilds a handle from [`Id::to_bits`]. Any `u64` is accepted: it names the row of this
    /// table at that slot and generation, if there is one. An even generation (the store never
    /// hands one out) is made odd, so `from_bits(b).to_bits()` equals `b` only for bits that
    /// came from `to_bits`.
    #[inline]
    pub fn from_bits(bits: u64) -> Self {
        // As `KeyData::from_ffi` does, the version (high half) is made odd, as every version a
        // slotmap hands out is: so the bits are never zero.
        let bits = bits | 1 << 32;
        Id {
            bits: NonZeroU64::new(bits).unwrap_or(NonZeroU64::MIN),
            table: PhantomData,
        }
    }
}

// Hand-written impls: derives would wrongly require `T: Clone`, `T: Eq` and so on.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits
    }
}
impl<T> Eq for Id<T> {}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}
impl<T> Hash for Id<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl<T: Model> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id<{}>({:?})", T::TABLE, self.key().data())
    }
}

impl<T> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.key().serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Id<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RowKey::deserialize(deserializer).map(Id::from_key)
    }
}

/// A row handle with its type erased: the table's name and the row's key.
///
/// Errors and delete plans use it to name rows of any table. It prints as `users#1v1`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnyId {
    table: &'static str,
    key: RowKey,
}

impl AnyId {
    pub(crate) fn new(table: &'static str, key: RowKey) -> Self {
        AnyId { table, key }
    }

    /// The name of the row's table ([`Model::TABLE`]).
    pub fn table(&self) -> &'static str {
        self.table
    }

    /// The typed handle, if this id belongs to table `T`, judged by the table's name
    /// ([`Model::TABLE`], unique within a schema).
    pub fn typed<T: Model>(&self) -> Option<Id<T>> {
        (self.table == T::TABLE).then(|| Id::from_key(self.key))
    }
}

impl<T: Model> From<Id<T>> for AnyId {
    fn from(id: Id<T>) -> Self {
        AnyId::new(T::TABLE, id.key())
    }
}

impl fmt::Display for AnyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{:?}", self.table, self.key.data())
    }
}

impl fmt::Debug for AnyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
