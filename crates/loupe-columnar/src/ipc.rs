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

/// Arrow IPC read as its bytes arrive. A stream's record batches are decoded
/// while the rest downloads, and the rows read so far can be taken out as
/// pieces. A file keeps its schema in the footer at its end, so a file is
/// collected and read at `finish`.
#[derive(Default)]
pub struct ArrowIncremental {
    decoder: StreamDecoder,
    collector: Option<BatchCollector>,
    /// The first bytes until the format is known; all of them for a file.
    head: Vec<u8>,
    format: Option<Format>,
    rows: usize,
    /// Rows expected in all, for the collector to make room once.
    expected: usize,
}

/// Bytes needed to tell an Arrow file (`ARROW1\0\0`) from a stream.
const MAGIC_LEN: usize = 8;

impl ArrowIncremental {
    pub fn new() -> ArrowIncremental {
        ArrowIncremental::default()
    }

    /// Rows decoded so far (taken out or not; a file's only at the end).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The whole stream is expected to hold about `rows` rows (a caller's
    /// estimate from the first batch and `Content-Length`): the columns make
    /// room for them once. Pieces taken out (`take`) start from nothing again.
    pub fn expect_rows(&mut self, rows: usize) {
        self.expected = rows;
        if let Some(c) = self.collector.as_mut() {
            c.expect_rows(rows);
        }
    }

    /// The next bytes of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ColumnarError> {
        match self.format {
            Some(Format::ArrowStream) => self.decode(Buffer::from(chunk.to_vec())),
            _ => self.push_owned(chunk.to_vec()),
        }
    }

    /// `push` for bytes already owned: a stream's batches are decoded from
    /// them without another copy.
    pub fn push_owned(&mut self, chunk: Vec<u8>) -> Result<(), ColumnarError> {
        match self.format {
            Some(Format::ArrowStream) => self.decode(Buffer::from(chunk)),
            Some(_) => {
                self.head.extend_from_slice(&chunk);
                Ok(())
            }
            None => {
                self.head.extend_from_slice(&chunk);
                if self.head.len() < MAGIC_LEN {
                    return Ok(());
                }
                match Format::sniff(&self.head) {
                    Some(Format::ArrowStream) => {
                        self.format = Some(Format::ArrowStream);
                        let head = std::mem::take(&mut self.head);
                        self.decode(Buffer::from(head))
                    }
                    Some(Format::ArrowFile) => {
                        self.format = Some(Format::ArrowFile);
                        Ok(())
                    }
                    _ => Err(ColumnarError::Schema(
                        "not Arrow IPC: no `ARROW1` magic or stream message at the start".into(),
                    )),
                }
            }
        }
    }

    fn decode(&mut self, mut buffer: Buffer) -> Result<(), ColumnarError> {
        while !buffer.is_empty() {
            if let Some(batch) = self.decoder.decode(&mut buffer)? {
                self.rows += batch.num_rows();
                let expected = self.expected;
                self.collector
                    .get_or_insert_with(|| {
                        let mut c = BatchCollector::with_schema(&batch.schema());
                        c.expect_rows(expected);
                        c
                    })
                    .push(&batch)?;
            }
        }
        Ok(())
    }

    /// The rows decoded since the last call, as a table (`None` before any).
    pub fn take(&mut self) -> Result<Option<Table>, ColumnarError> {
        self.expected = 0;
        match self.collector.take() {
            Some(c) => c.finish().map(Some),
            None => Ok(None),
        }
    }

    /// The end of the bytes: the rest of the rows (a table with the header
    /// only when there are none). A file or stream cut short is an error.
    pub fn finish(mut self) -> Result<Table, ColumnarError> {
        if self.format != Some(Format::ArrowStream) {
            // A file, or fewer bytes than the magic (a stream cut short, or nothing).
            let table = read_arrow(Bytes::from(std::mem::take(&mut self.head)))?;
            self.rows = table.row_count();
            return Ok(table);
        }
        self.decoder.finish()?;
        match (self.collector, self.decoder.schema()) {
            (Some(c), _) => c.finish(),
            (None, Some(schema)) => BatchCollector::with_schema(&schema).finish(),
            (None, None) => Err(ColumnarError::Schema(
                "the Arrow stream holds no schema".into(),
            )),
        }
    }
}
