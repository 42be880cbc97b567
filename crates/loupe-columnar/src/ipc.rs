//! Arrow IPC (file and stream formats). Streams may replace a column's
//! dictionary between record batches; each batch is converted with the
//! dictionary it arrived with and the batches are merged afterwards.

use std::io::Cursor;

use arrow_ipc::reader::FileReader;
use bytes::Bytes;
use loupe_core::Table;

use crate::ipc_stream::{Decoded, MessageReader};
use crate::{BatchCollector, ColumnarError, Format};

/// Reads a whole Arrow IPC file or stream, as if it arrived in 1 MB chunks
/// (large record batches are converted column by column without arrow-rs
/// arrays in between). A file whose messages cannot be read in order is read
/// through its footer instead.
pub fn read_arrow(bytes: Bytes) -> Result<Table, ColumnarError> {
    let mut reader = ArrowIncremental::new();
    let read = bytes
        .chunks(1 << 20)
        .try_for_each(|chunk| reader.push(chunk))
        .and_then(|()| reader.finish());
    match read {
        Err(e) if Format::sniff(&bytes) == Some(Format::ArrowFile) => {
            read_arrow_file(&bytes).map_err(|_| e)
        }
        other => other,
    }
}

/// An Arrow file read through its footer's list of record batches.
fn read_arrow_file(bytes: &[u8]) -> Result<Table, ColumnarError> {
    crate::ipc_check::check_file_blocks(bytes)?;
    let reader = FileReader::try_new(Cursor::new(bytes), None)?;
    let mut collector = BatchCollector::with_schema(&reader.schema());
    for batch in reader {
        collector.push(&batch?)?;
    }
    collector.finish()
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

/// Arrow IPC read as its bytes arrive. Record batches are decoded while the
/// rest downloads (a large one column by column as its body arrives, see
/// `ipc_progressive`), and the rows read so far can be taken out as pieces.
/// A file is read the same way: its messages are a stream between the
/// leading magic and the footer, which is only checked to be there.
pub struct ArrowIncremental {
    messages: MessageReader,
    collector: Option<BatchCollector>,
    /// The first bytes until the format is known; a file's bytes until its
    /// schema is read (all of them when it has none before its footer).
    head: Vec<u8>,
    /// A file without a schema message before its batches, read whole at the end.
    whole_file: bool,
    format: Option<Format>,
    /// The last bytes seen (a file ends with its magic).
    tail: Vec<u8>,
    rows: usize,
    /// Rows expected in all, for the collector to make room once.
    expected: usize,
    decoded: Vec<Decoded>,
}

impl Default for ArrowIncremental {
    fn default() -> Self {
        ArrowIncremental::with_progressive_from(crate::ipc_stream::PROGRESSIVE_BYTES)
    }
}

/// Bytes needed to tell an Arrow file (`ARROW1\0\0`) from a stream.
const MAGIC_LEN: usize = 8;
const FILE_MAGIC: &[u8] = b"ARROW1";

impl ArrowIncremental {
    pub fn new() -> ArrowIncremental {
        ArrowIncremental::default()
    }

    /// Reads record batches whose bodies have at least `bytes` bytes as they
    /// arrive (0: every batch of flat columns; tests use it to cover that path).
    pub fn with_progressive_from(bytes: usize) -> ArrowIncremental {
        ArrowIncremental {
            messages: MessageReader::new(bytes),
            collector: None,
            head: Vec::new(),
            whole_file: false,
            format: None,
            tail: Vec::new(),
            rows: 0,
            expected: 0,
            decoded: Vec::new(),
        }
    }

    /// Rows decoded so far (taken out or not).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Record batches read column by column as their bodies arrived (the
    /// others, small or of nested columns, were read whole once in).
    pub fn progressive_batches(&self) -> usize {
        self.messages.progressive_batches()
    }

    /// Bytes held but not yet read into columns (a message or batch body
    /// still arriving); decoded rows are not counted.
    pub fn buffered_bytes(&self) -> usize {
        self.head.len() + self.messages.held_bytes()
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
        self.keep_tail(chunk);
        match self.format {
            Some(Format::ArrowFile) if self.whole_file => {
                self.head.extend_from_slice(chunk);
                return Ok(());
            }
            Some(Format::ArrowFile) if self.messages.schema().is_none() => {
                self.head.extend_from_slice(chunk);
                return self.decode_file(chunk);
            }
            Some(_) => return self.decode(chunk),
            None => {}
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() < MAGIC_LEN {
            return Ok(());
        }
        match Format::sniff(&self.head) {
            Some(Format::ArrowStream) => {
                self.format = Some(Format::ArrowStream);
                let head = std::mem::take(&mut self.head);
                self.decode(&head)
            }
            Some(Format::ArrowFile) => {
                self.format = Some(Format::ArrowFile);
                self.messages.expect_padding();
                let head = self.head.clone();
                self.decode_file(&head[MAGIC_LEN..])
            }
            _ => Err(ColumnarError::Schema(
                "not Arrow IPC: no `ARROW1` magic or stream message at the start".into(),
            )),
        }
    }

    /// A file's bytes before its schema is known; kept in `head` in case the
    /// file has its schema only in the footer.
    fn decode_file(&mut self, bytes: &[u8]) -> Result<(), ColumnarError> {
        self.decode(bytes)?;
        if self.messages.lacks_schema() {
            self.whole_file = true;
        } else if self.messages.schema().is_some() {
            self.head = Vec::new();
        }
        Ok(())
    }

    fn keep_tail(&mut self, chunk: &[u8]) {
        let keep = FILE_MAGIC.len();
        if chunk.len() >= keep {
            self.tail.clear();
            self.tail.extend_from_slice(&chunk[chunk.len() - keep..]);
        } else {
            self.tail.extend_from_slice(chunk);
            let extra = self.tail.len().saturating_sub(keep);
            self.tail.drain(..extra);
        }
    }

    fn decode(&mut self, bytes: &[u8]) -> Result<(), ColumnarError> {
        let mut decoded = std::mem::take(&mut self.decoded);
        self.messages.push(bytes, &mut decoded)?;
        if self.messages.lacks_schema() && self.format == Some(Format::ArrowStream) {
            return Err(ColumnarError::Schema(
                "the Arrow stream has a record batch before its schema".into(),
            ));
        }
        if self.collector.is_none()
            && let Some(schema) = self.messages.schema()
        {
            let mut c = BatchCollector::with_schema(schema);
            c.expect_rows(self.expected);
            self.collector = Some(c);
        }
        for d in decoded.drain(..) {
            let collector = self.collector.as_mut().ok_or_else(|| {
                ColumnarError::Schema("Arrow record batch before the schema".into())
            })?;
            match d {
                Decoded::Batch(batch) => {
                    self.rows += batch.num_rows();
                    collector.push(&batch)?;
                }
                Decoded::Columns(columns, rows) => {
                    self.rows += rows;
                    collector.push_columns(columns, rows)?;
                }
            }
        }
        self.decoded = decoded;
        Ok(())
    }

    /// The rows decoded since the last call, as a table (`None` before any).
    pub fn take(&mut self) -> Result<Option<Table>, ColumnarError> {
        self.expected = 0;
        let Some(schema) = self.messages.schema() else {
            return Ok(None);
        };
        let fresh = BatchCollector::with_schema(schema);
        match self.collector.replace(fresh) {
            Some(c) if c.rows() > 0 => c.finish().map(Some),
            _ => Ok(None),
        }
    }

    /// The end of the bytes: the rest of the rows (a table with the header
    /// only when there are none). A file or stream cut short is an error.
    pub fn finish(self) -> Result<Table, ColumnarError> {
        let cut =
            |what: &str| ColumnarError::Schema(format!("the Arrow {what} ends early (cut short?)"));
        match self.format {
            None => return Err(cut("data")),
            Some(Format::ArrowFile) if self.whole_file => {
                return read_arrow_file(&self.head);
            }
            Some(Format::ArrowFile) => {
                if !self.messages.ended() || self.tail != FILE_MAGIC {
                    return Err(cut("file"));
                }
            }
            _ => {
                if !self.messages.at_boundary() {
                    return Err(cut("stream"));
                }
            }
        }
        match self.collector {
            Some(c) => c.finish(),
            None => Err(ColumnarError::Schema(
                "the Arrow stream holds no schema".into(),
            )),
        }
    }
}
