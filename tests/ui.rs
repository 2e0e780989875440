//! The compile errors a user of relstore reads, pinned: each file in `tests/ui/` breaks one
//! compile-time rule (the schema's checks in `schema!`, typed ids, relation kinds) and the
//! `.stderr` beside it is the exact message rustc prints for it, our `on_unimplemented` or
//! const-panic text included. A `compile_fail` doctest only checks that *some* error happens;
//! these check that it is still the one we wrote.
//!
//! The messages depend on the compiler: they are generated with the current stable toolchain
//! (rustc 1.95) and must be refreshed after a toolchain bump, or after a change to a message:
//!
//! ```sh
//! TRYBUILD=overwrite cargo test --test ui
//! git diff tests/ui   # review: each .stderr must still show the message a user reads
//! ```

#[test]
fn compile_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
