//! Arrow IPC (file and stream formats). Streams may replace a column's
//! dictionary between record batches; each batch is converted with the
//! dictionary it arrived with and the batches are merged afterwards.

use std::io::Cursor;

use arrow_buffer::Buffer;
use arrow_ipc::reader::{FileReader, StreamDecoder};
use bytes::Bytes;
use loupe_core::Table;

use crate::{BatchCollector, ColumnarError, Format};

/// Reads a whole Arrow IPC file or stream. Streams are decoded straight from
/// `bytes` (buffers are slices of it where alignment allows, not copies).
pub fn read_arrow(bytes: Bytes) -> Result<Table, ColumnarError> {
    if Format::sniff(&bytes) == Some(Format::ArrowFile) {
        let reader = FileReader::try_new(Cursor::new(&bytes[..]), None)?;
        let mut collector = BatchCollector::with_schema(&reader.schema());
        for batch in reader {
            collector.push(&batch?)?;
        }
        return collector.finish();
    }
    let mut decoder = StreamDecoder::new();
    let mut buffer = Buffer::from(bytes);
    let mut collector: Option<BatchCollector> = None;
    while !buffer.is_empty() {
        if let Some(batch) = decoder.decode(&mut buffer)? {
            collector
                .get_or_insert_with(|| BatchCollector::with_schema(&batch.schema()))
                .push(&batch)?;
        }
    }
    // A stream cut short inside a message is an error, not a shorter table.
    decoder.finish()?;
    match (collector, decoder.schema()) {
        (Some(c), _) => c.finish(),
        (None, Some(schema)) => BatchCollector::with_schema(&schema).finish(),
        (None, None) => Err(ColumnarError::Schema(
            "the Arrow stream holds no schema".into(),
        )),
    }
}

/// Tables as one Arrow IPC stream, a record batch each. Dictionary columns are
/// written with each table's own dictionary, so a stream of several tables
/// replaces dictionaries between batches (as streams from other writers do).
pub fn write_arrow_stream(tables: &[Table]) -> Result<Vec<u8>, ColumnarError> {
    let batches = tables
        .iter()
        .map(crate::parquet_write::to_record_batch)
        .collect::<Result<Vec<_>, _>>()?;
    let Some(first) = batches.first() else {
        return Err(ColumnarError::Schema("no tables to write".into()));
    };
    let mut out = Vec::new();
    {
        let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, &first.schema())?;
        for batch in &batches {
            writer.write(batch)?;
        }
        writer.finish()?;
    }
    Ok(out)
}
