//! Zstandard for Loupe's Parquet and Arrow readers, in pure Rust.
//!
//! parquet and arrow-ipc decode zstd through the `zstd` crate, which binds
//! the C library: it does not build for wasm32 here (no C toolchain for that
//! target), and neither crate takes a codec from outside. This crate is
//! named `zstd` and the workspace patches it in (`[patch.crates-io]`), so
//! their own zstd code paths run on [ruzstd] instead. It implements only
//! what they call — `bulk::{Compressor, Decompressor}`, two `zstd_safe`
//! functions and `compression_level_range` — with the same signatures and the same contract:
//! output goes into the destination's spare capacity, and decompressing
//! more than that is an error, which bounds what a damaged or hostile frame
//! can make us allocate.
//!
//! Compression is ruzstd's only implemented level (about zstd level 1),
//! whatever level is asked for; Loupe writes snappy Parquet and compresses
//! with zstd only in tests.

pub mod bulk;
pub mod zstd_safe;

pub use bulk::WriteBuf;

/// The levels the C library accepts (its `ZSTD_minCLevel()..=ZSTD_maxCLevel()`),
/// which arrow-ipc checks a writer's level against. Every level compresses
/// the same here (see [`bulk::Compressor::new`]).
pub fn compression_level_range() -> std::ops::RangeInclusive<i32> {
    -(1 << 17)..=22
}
