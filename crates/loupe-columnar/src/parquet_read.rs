//! Parquet: whole files, and row group by row group from byte ranges.
//!
//! A Parquet file ends with its metadata (`<metadata><u32 length>PAR1`), which
//! says where every column chunk of every row group lies. `ParquetPlan` reads
//! that metadata and answers which byte ranges a row group needs, so a browser
//! can fetch the footer and then one row group at a time with HTTP range
//! requests (`read_row_group` decodes from just those ranges), instead of
//! downloading the whole file before showing anything.

use std::ops::Range;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use bytes::{Buf, Bytes};
use loupe_core::Table;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::basic::Encoding;
use parquet::errors::ParquetError;
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::reader::{ChunkReader, Length};

use crate::{BatchCollector, ColumnarError};

/// Rows per decoded batch: large enough that per-batch costs vanish.
const BATCH_ROWS: usize = 64 * 1024;

/// The last 8 bytes of a Parquet file: metadata length and magic.
pub const FOOTER_LEN: u64 = 8;

/// Reads a whole Parquet file held in memory.
pub fn read_parquet(bytes: Bytes) -> Result<Table, ColumnarError> {
    let plain = ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new())?;
    check_column_chunks(plain.metadata(), bytes.len() as u64)?;
    let metadata = with_dictionaries(plain.metadata().clone())?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(bytes, metadata)
        .with_batch_size(BATCH_ROWS);
    let mut collector = BatchCollector::with_schema(builder.schema());
    collector
        .expect_rows(usize::try_from(plain.metadata().file_metadata().num_rows()).unwrap_or(0));
    for batch in builder.build()? {
        collector.push(&batch?)?;
    }
    collector.finish()
}

/// Every column chunk the metadata lists lies inside the file: arrow-rs
/// asserts that offsets and sizes are not negative (a panic, which in wasm
/// aborts the worker) and slices by them.
fn check_column_chunks(metadata: &ParquetMetaData, file_len: u64) -> Result<(), ColumnarError> {
    for (rg, group) in metadata.row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            return Err(ColumnarError::Parquet(format!(
                "damaged metadata: row group {rg} has {} rows",
                group.num_rows()
            )));
        }
        for chunk in group.columns() {
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(chunk.compressed_size()).ok())
                .and_then(|(start, len)| start.checked_add(len))
                .is_some_and(|end| end <= file_len);
            if !inside || chunk.data_page_offset() < 0 {
                return Err(ColumnarError::Parquet(format!(
                    "damaged metadata: column `{}` of row group {rg} lies outside the {file_len}-byte file",
                    chunk.column_path()
                )));
            }
        }
    }
    Ok(())
}

/// Whether every data page of a column chunk is dictionary-encoded (then its
/// strings can arrive as codes + a small dictionary instead of one string per row).
fn all_dictionary(chunk: &ColumnChunkMetaData) -> bool {
    if chunk.dictionary_page_offset().is_none() {
        return false;
    }
    match chunk.page_encoding_stats_mask() {
        Some(mask) => {
            mask.is_only(Encoding::PLAIN_DICTIONARY) || mask.is_only(Encoding::RLE_DICTIONARY)
        }
        // No statistics: only if no data page could have fallen back to PLAIN.
        None => !chunk.encodings().any(|e| e == Encoding::PLAIN),
    }
}

/// Reader metadata that asks for dictionary arrays for string columns whose
/// pages are all dictionary-encoded (labels, splits): the reader then hands over
/// codes and one small dictionary, never a string per row.
fn with_dictionaries(parsed: Arc<ParquetMetaData>) -> Result<ArrowReaderMetadata, ColumnarError> {
    let plain = ArrowReaderMetadata::try_new(parsed.clone(), ArrowReaderOptions::new())?;
    let descr = parsed.file_metadata().schema_descr();
    let Some(first_group) = parsed.row_groups().first() else {
        return Ok(plain);
    };
    let mut changed = false;
    let fields: Vec<Field> = plain
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let leaf =
                (0..descr.num_columns()).find(|&i| descr.column(i).path().string() == *f.name());
            let dictionary = matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8)
                && leaf.is_some_and(|i| all_dictionary(first_group.column(i)));
            if dictionary {
                changed = true;
                f.as_ref().clone().with_data_type(DataType::Dictionary(
                    Box::new(DataType::Int32),
                    Box::new(f.data_type().clone()),
                ))
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    if !changed {
        return Ok(plain);
    }
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        plain.schema().metadata().clone(),
    ));
    Ok(ArrowReaderMetadata::try_new(
        parsed,
        ArrowReaderOptions::new().with_schema(schema),
    )?)
}

/// What a Parquet file holds and where, from its footer.
#[derive(Debug, Clone)]
pub struct ParquetPlan {
    metadata: ArrowReaderMetadata,
    file_len: u64,
}

impl ParquetPlan {
    /// The length of the metadata that precedes the 8-byte footer `tail`.
    pub fn metadata_len(tail: &[u8], file_len: u64) -> Result<u64, ColumnarError> {
        let bad = |why: &str| ColumnarError::Schema(format!("not a Parquet file: {why}"));
        if tail.len() != FOOTER_LEN as usize || &tail[4..] != b"PAR1" {
            return Err(bad("it does not end with `PAR1`"));
        }
        let len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
        if len + FOOTER_LEN + 4 > file_len {
            return Err(bad("its footer says the metadata is longer than the file"));
        }
        Ok(len)
    }

    /// The plan from the metadata bytes (the `metadata_len` bytes before the footer).
    pub fn new(metadata: &[u8], file_len: u64) -> Result<ParquetPlan, ColumnarError> {
        let parsed = ParquetMetaDataReader::decode_metadata(metadata)?;
        check_column_chunks(&parsed, file_len)?;
        let metadata = with_dictionaries(Arc::new(parsed))?;
        Ok(ParquetPlan { metadata, file_len })
    }

    pub fn row_groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    pub fn rows(&self) -> u64 {
        self.metadata
            .metadata()
            .row_groups()
            .iter()
            .map(|rg| rg.num_rows().max(0) as u64)
            .sum()
    }

    pub fn column_names(&self) -> Vec<String> {
        self.metadata
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The byte ranges row group `rg` is read from, adjacent ones merged.
    pub fn byte_ranges(&self, rg: usize) -> Vec<Range<u64>> {
        self.ranges_of(rg, 0..usize::MAX)
    }

    /// The byte ranges of the file's columns `columns` (top-level columns, by
    /// position: a nested column's leaves go with it) in row group `rg`,
    /// adjacent ones merged.
    pub fn ranges_of(&self, rg: usize, columns: Range<usize>) -> Vec<Range<u64>> {
        let Some(group) = self.metadata.metadata().row_groups().get(rg) else {
            return Vec::new();
        };
        let descr = self.metadata.metadata().file_metadata().schema_descr();
        let mut ranges: Vec<Range<u64>> = group
            .columns()
            .iter()
            .enumerate()
            .filter(|(leaf, _)| columns.contains(&descr.get_column_root_idx(*leaf)))
            .map(|(_, c)| {
                let (start, len) = c.byte_range();
                start..(start + len).min(self.file_len)
            })
            .collect();
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    /// How many top-level columns the file has.
    pub fn column_count(&self) -> usize {
        self.metadata.schema().fields().len()
    }

    /// An empty table with the file's columns (for showing the header before any rows).
    pub fn empty_table(&self) -> Result<Table, ColumnarError> {
        BatchCollector::with_schema(self.metadata.schema()).finish()
    }

    /// Decodes row group `rg` from the bytes of its `byte_ranges` (`(start, bytes)` pairs).
    pub fn read_row_group(
        &self,
        rg: usize,
        chunks: Vec<(u64, Bytes)>,
    ) -> Result<Table, ColumnarError> {
        self.read_columns(rg, 0..self.column_count(), chunks)
    }

    /// Decodes the top-level columns `columns` of row group `rg` from the
    /// bytes of their `ranges_of` (what is in view, before the rest).
    pub fn read_columns(
        &self,
        rg: usize,
        columns: Range<usize>,
        chunks: Vec<(u64, Bytes)>,
    ) -> Result<Table, ColumnarError> {
        if rg >= self.row_groups() {
            return Err(ColumnarError::Schema(format!(
                "row group {rg} does not exist (the file has {})",
                self.row_groups()
            )));
        }
        let sparse = SparseFile {
            chunks,
            len: self.file_len,
        };
        let roots: Vec<usize> = (0..self.column_count())
            .filter(|c| columns.contains(c))
            .collect();
        let descr = self.metadata.metadata().file_metadata().schema_descr();
        let mask = ProjectionMask::roots(descr, roots.iter().copied());
        let schema = self.metadata.schema().project(&roots)?;
        let reader =
            ParquetRecordBatchReaderBuilder::new_with_metadata(sparse, self.metadata.clone())
                .with_row_groups(vec![rg])
                .with_projection(mask)
                .with_batch_size(BATCH_ROWS)
                .build()?;
        let mut collector = BatchCollector::with_schema(&schema);
        let rows = self
            .metadata
            .metadata()
            .row_groups()
            .get(rg)
            .map_or(0, |g| g.num_rows());
        collector.expect_rows(usize::try_from(rows).unwrap_or(0));
        for batch in reader {
            collector.push(&batch?)?;
        }
        collector.finish()
    }
}

/// Parts of a file fetched by range: reads inside them succeed, reads
/// elsewhere are an error that names the missing range.
struct SparseFile {
    chunks: Vec<(u64, Bytes)>,
    len: u64,
}

impl SparseFile {
    fn slice(&self, start: u64, len: usize) -> parquet::errors::Result<Bytes> {
        let end = start + len as u64;
        self.chunks
            .iter()
            .find(|(s, b)| *s <= start && end <= s + b.len() as u64)
            .map(|(s, b)| b.slice((start - s) as usize..(end - s) as usize))
            .ok_or_else(|| {
                ParquetError::General(format!(
                    "bytes {start}..{end} were not fetched for this row group"
                ))
            })
    }
}

impl Length for SparseFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for SparseFile {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let (s, b) = self
            .chunks
            .iter()
            .find(|(s, b)| *s <= start && start <= s + b.len() as u64)
            .ok_or_else(|| {
                ParquetError::General(format!("byte {start} was not fetched for this row group"))
            })?;
        Ok(b.slice((start - s) as usize..).reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.slice(start, length)
    }
}
