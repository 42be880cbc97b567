//! loupe-core: the W&B table format model and in-memory tables.
//!
//! Layering: `json` (lenient reader) → `media`, `wbtype`, `value` (typed cells)
//! → `table`, `document`, `manifest` (files of an artifact). `path` keeps media
//! URLs inside their artifact. Nothing here knows about the browser.

pub mod document;
pub mod error;
pub mod image_column;
pub mod json;
pub mod manifest;
pub mod media;
pub mod path;
pub mod table;
pub mod time;
pub mod value;
pub mod wbtype;

pub use document::{Document, JoinedTable, PartitionedTable, parse_document};
pub use error::FormatError;
pub use image_column::{ImageColumnInfo, LegendClass};
pub use manifest::{Manifest, ManifestEntry};
pub use media::{BBox, BoxDomain, ClassSet, ImageFile, MediaFile, MediaKind};
pub use table::{Column, Table, TableBuilder};
pub use value::{Value, ValueKind};
pub use wbtype::WbType;
