//! What can go wrong reading or writing columnar files.

#[derive(Debug, thiserror::Error)]
pub enum ColumnarError {
    #[error("Parquet: {0}")]
    Parquet(String),
    #[error("Arrow: {0}")]
    Arrow(String),
    /// A compression codec that is not compiled in.
    #[error(
        "the file is {0}-compressed, which Loupe does not decode (it reads zstd, snappy, gzip, lz4, brotli and uncompressed Parquet); rewrite it with one of those, e.g. DuckDB `COPY … (FORMAT PARQUET, COMPRESSION zstd)`"
    )]
    Codec(String),
    #[error("{0}")]
    Schema(String),
    #[error(transparent)]
    Table(#[from] loupe_core::FormatError),
}

/// Parquet codecs without a decoder: LZO has no arrow-rs codec at all; a
/// codec whose feature a build leaves out is reported as a disabled feature.
fn missing_codec(text: &str) -> Option<ColumnarError> {
    let disabled = || text.split("Disabled feature at compile time: ").nth(1);
    let unknown = || {
        let rest = text.split("The codec type ").nth(1)?;
        rest.split(" is not supported").next()
    };
    let codec = disabled().or_else(unknown)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::errors::ParquetError;

    #[test]
    fn codecs_without_a_decoder_are_named() {
        // What parquet's create_codec returns for LZO, and for a codec whose
        // feature a build leaves out.
        let lzo = ColumnarError::from(ParquetError::NYI(
            "The codec type LZO is not supported yet".into(),
        ));
        assert!(
            matches!(&lzo, ColumnarError::Codec(c) if c == "LZO"),
            "{lzo:?}"
        );
        assert!(
            lzo.to_string().starts_with("the file is LZO-compressed"),
            "{lzo}"
        );
        let off = ColumnarError::from(ParquetError::General(
            "Disabled feature at compile time: zstd".into(),
        ));
        assert!(
            matches!(&off, ColumnarError::Codec(c) if c == "zstd"),
            "{off:?}"
        );
        let other = ColumnarError::from(ParquetError::General("bad page".into()));
        assert!(matches!(other, ColumnarError::Parquet(_)), "{other:?}");
    }
}
