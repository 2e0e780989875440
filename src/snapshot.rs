//! Snapshots: saving the store to disk and loading it back.

mod atomic;
