//! What can go wrong reading or writing columnar files.

#[derive(Debug, thiserror::Error)]
pub enum ColumnarError {
    #[error("Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("{0}")]
    Schema(String),
    #[error(transparent)]
    Table(#[from] loupe_core::FormatError),
}
