//! relstore's benchmark fixtures: one module per implementation of the same users-and-posts
//! schema, and [`fixture`] for what every workload shares.
//!
//! Each bench file in `benches/` is one workload and runs every implementation side by side,
//! as `<workload>/<impl>/<N>`; `src/bin/report.rs` turns criterion's results into ratios to
//! `raw`, and `src/bin/memory.rs` measures bytes per row. See `BENCHMARKS.md`.

pub mod ecs;
pub mod fixture;
pub mod indexed;
pub mod raw;
pub mod rel;
pub mod sql;
