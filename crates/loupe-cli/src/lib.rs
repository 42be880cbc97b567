//! Library side of the `loupe` command: the static file server it (and the
//! end-to-end tests) use, and `dataset` (which the end-to-end tests run on a
//! DuckDB-written dataset). The other commands live in the binary.

pub mod dataset;
pub mod static_server;
