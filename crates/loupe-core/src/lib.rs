//! loupe-core: the W&B table format model and in-memory tables.
//!
//! Layering: `json` (lenient reader) → `media`, `wbtype`, `value` (typed cells)
//! → `column`, `table`, `table_reader` (columnar tables) → `document`,
//! `manifest` (files of an artifact). `path` keeps media URLs inside their
//! artifact. Nothing here knows about the browser.

pub mod artifact;
pub mod bitmap;
pub mod catalog;
pub mod chart_data;
pub mod column;
pub mod column_builder;
pub mod compare;
pub mod compare_series;
pub mod concat;
pub mod document;
pub mod error;
pub mod export;
pub mod expr;
pub mod frame;
pub mod fuzz;
mod fxhash;
mod gather;
pub mod hash;
pub mod image_column;
pub mod json;
pub mod manifest;
pub mod media;
pub mod media_resolver;
pub mod ops;
pub mod part_categories;
pub mod part_groups;
pub mod part_scan;
pub mod partition_window;
pub mod path;
pub mod pca;
pub mod points3d;
pub mod query;
pub mod table;
pub mod table_reader;
pub mod time;
pub mod value;
pub mod value_key;
pub mod view_frame;
pub mod views;
pub mod wbtype;

pub use catalog::Catalog;
pub use column::{ColumnData, DataType};
pub use document::{Document, JoinedTable, PartitionedTable, parse_document};
pub use error::FormatError;
pub use image_column::{ImageColumnInfo, LegendClass};
pub use manifest::{Manifest, ManifestEntry};
pub use media::{BBox, BoxDomain, ClassSet, ImageFile, MediaFile, MediaKind};
pub use media_resolver::MediaResolver;
pub use query::{Query, QueryError, SortKey, View, run};
pub use table::{Column, Table};
pub use table_reader::{StreamingTableReader, TableReader, read_table};
pub use value::{Value, ValueKind};
pub use wbtype::WbType;
