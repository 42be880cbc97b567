//! loupe-columnar: Parquet and Arrow IPC tables for Loupe.
//!
//! Reads both formats into `loupe_core::Table`s (through arrow-rs), plans and
//! reads Parquet row group by row group from byte ranges (so a browser can
//! fetch only the parts it shows), and writes tables as Parquet. Pure Rust,
//! no web dependencies: the CLI uses it natively, the app in a worker's wasm.

mod error;
pub mod from_arrow;
pub mod fuzz;
pub mod ipc;
mod ipc_check;
mod ipc_progressive;
mod ipc_stream;
pub mod parquet_read;
pub mod parquet_write;

pub use error::ColumnarError;
pub use from_arrow::{BatchCollector, table_from_batches};
pub use parquet_read::{ParquetPlan, read_parquet};

/// The most memory reserved up front for a length read from a file, before
/// the bytes it announces arrive (a damaged length would claim gigabytes).
pub(crate) const RESERVE_BYTES: usize = 256 << 20;

/// A columnar file format, recognized by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    /// Arrow IPC file (`ARROW1` … `ARROW1`).
    ArrowFile,
    /// Arrow IPC stream (a sequence of messages).
    ArrowStream,
}

impl Format {
    /// The format of `bytes` from their first bytes (`None`: neither).
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"PAR1") {
            Some(Format::Parquet)
        } else if bytes.starts_with(b"ARROW1") {
            Some(Format::ArrowFile)
        } else if bytes.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
            // The stream format's continuation marker before each message.
            Some(Format::ArrowStream)
        } else {
            None
        }
    }
}

/// Reads a whole Parquet or Arrow file.
pub fn read_columnar(bytes: bytes::Bytes) -> Result<loupe_core::Table, ColumnarError> {
    match Format::sniff(&bytes) {
        Some(Format::Parquet) => read_parquet(bytes),
        Some(Format::ArrowFile | Format::ArrowStream) => ipc::read_arrow(bytes),
        None => Err(ColumnarError::Schema(
            "neither Parquet (`PAR1`) nor Arrow IPC (`ARROW1` or a stream message) at the start of the file".into(),
        )),
    }
}
