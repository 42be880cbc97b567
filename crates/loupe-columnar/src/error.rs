//! What can go wrong reading or writing columnar files.

#[derive(Debug, thiserror::Error)]
pub enum ColumnarError {
    #[error("Parquet: {0}")]
    Parquet(String),
    #[error("Arrow: {0}")]
    Arrow(String),
    /// A compression codec that is not compiled in.
    #[error(
        "the file is {0}-compressed, which Loupe does not decode (it reads snappy, gzip, lz4 and uncompressed Parquet); rewrite it with snappy, e.g. DuckDB `COPY … (FORMAT PARQUET, COMPRESSION snappy)` or Polars `write_parquet(…, compression=\"snappy\")`"
    )]
    Codec(String),
    #[error("{0}")]
    Schema(String),
    #[error(transparent)]
    Table(#[from] loupe_core::FormatError),
}

/// Codecs that need C (zstd, brotli) are not compiled in (wasm32 has no C
/// toolchain here); arrow-rs reports them as a disabled feature.
fn missing_codec(text: &str) -> Option<ColumnarError> {
    let codec = text.split("Disabled feature at compile time: ").nth(1)?;
    Some(ColumnarError::Codec(codec.trim().to_string()))
}

impl From<parquet::errors::ParquetError> for ColumnarError {
    fn from(e: parquet::errors::ParquetError) -> Self {
        let text = e.to_string();
        missing_codec(&text).unwrap_or(ColumnarError::Parquet(text))
    }
}

impl From<arrow_schema::ArrowError> for ColumnarError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        let text = e.to_string();
        missing_codec(&text).unwrap_or(ColumnarError::Arrow(text))
    }
}
