//! Arrow IPC messages framed as their bytes arrive (the stream format, which
//! is also the body of the file format, between its magic and its footer).
//!
//! Schema and dictionary messages, and small record batches, are collected
//! whole and read by arrow-rs. A large record batch whose columns are flat is
//! read column by column as its body arrives (`ProgressiveBatch`), so it is
//! converted while the download goes on and its body is never held whole.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_buffer::Buffer;
use arrow_ipc::convert::MessageBuffer;
use arrow_ipc::{Endianness, MessageHeader};
use arrow_schema::SchemaRef;
use loupe_core::ColumnData;

use crate::ColumnarError;
use crate::ipc_check::{check_batch, dictionary_schema};
use crate::ipc_progressive::{BatchLayout, ProgressiveBatch};

/// What a message decoded into.
pub(crate) enum Decoded {
    /// A record batch read whole by arrow-rs.
    Batch(RecordBatch),
    /// A record batch read progressively, already as Loupe storage.
    Columns(Vec<ColumnData>, usize),
}

enum State {
    /// Before a message's length (and its continuation marker).
    Prefix,
    /// Reading a message's metadata of this many bytes.
    Metadata(usize),
    /// Collecting a message's body of this many bytes.
    Body(MessageBuffer, usize),
    /// A large record batch read as its body arrives.
    Batch(Box<ProgressiveBatch>),
    /// After the end-of-stream marker.
    Ended,
    /// A message came before any schema (arrow-js files keep theirs only in
    /// the footer): nothing more is read.
    NoSchema,
}

/// Record batches with bodies at least this large are read as they arrive
/// (smaller ones are read whole: one call, no per-column bookkeeping).
pub(crate) const PROGRESSIVE_BYTES: usize = 1 << 20;

pub(crate) const CONTINUATION: [u8; 4] = [0xff; 4];

pub(crate) struct MessageReader {
    /// Bytes not yet framed; `pending[..pos]` are already consumed.
    pending: Vec<u8>,
    pos: usize,
    state: State,
    schema: Option<SchemaRef>,
    dictionaries: HashMap<i64, ArrayRef>,
    progressive_from: usize,
    /// Record batches read as they arrived (the rest were read whole).
    progressive_batches: usize,
    /// A file's messages may start after zero padding (arrow-rs pads its
    /// magic to 64 bytes); skipped before the first message.
    padded: bool,
}

impl MessageReader {
    pub(crate) fn new(progressive_from: usize) -> MessageReader {
        MessageReader {
            pending: Vec::new(),
            pos: 0,
            state: State::Prefix,
            schema: None,
            dictionaries: HashMap::new(),
            progressive_from,
            progressive_batches: 0,
            padded: false,
        }
    }

    /// The messages may follow zero padding (a file's, after its magic).
    pub(crate) fn expect_padding(&mut self) {
        self.padded = true;
    }

    pub(crate) fn schema(&self) -> Option<&SchemaRef> {
        self.schema.as_ref()
    }

    /// Whether a message came before the schema (a file must then be read
    /// through its footer).
    pub(crate) fn lacks_schema(&self) -> bool {
        matches!(self.state, State::NoSchema)
    }

    pub(crate) fn ended(&self) -> bool {
        matches!(self.state, State::Ended)
    }

    pub(crate) fn progressive_batches(&self) -> usize {
        self.progressive_batches
    }

    /// Bytes held and not yet read.
    pub(crate) fn held_bytes(&self) -> usize {
        let batch = match &self.state {
            State::Batch(b) => b.held_bytes(),
            _ => 0,
        };
        self.pending.len() - self.pos + batch
    }

    /// Whether the bytes so far end between messages.
    pub(crate) fn at_boundary(&self) -> bool {
        matches!(self.state, State::Prefix | State::Ended) && self.pos == self.pending.len()
    }

    /// The next bytes; what they completed is added to `out`. Bytes after
    /// the end-of-stream marker are ignored (a file's footer follows it).
    pub(crate) fn push(
        &mut self,
        mut chunk: &[u8],
        out: &mut Vec<Decoded>,
    ) -> Result<(), ColumnarError> {
        // A progressive batch takes its body straight from the chunk.
        if let State::Batch(batch) = &mut self.state
            && self.pos == self.pending.len()
        {
            let n = batch.remaining().min(chunk.len());
            batch.push(&chunk[..n])?;
            chunk = &chunk[n..];
            self.finish_batch(out)?;
        }
        if matches!(self.state, State::Ended | State::NoSchema) {
            return Ok(());
        }
        self.pending.extend_from_slice(chunk);
        while self.step(out)? {}
        if self.pos == self.pending.len() {
            self.pending.clear();
            self.pos = 0;
        } else if self.pos > 0 && !matches!(self.state, State::Body(..)) {
            self.pending.drain(..self.pos);
            self.pos = 0;
        }
        Ok(())
    }

    /// Takes a finished progressive batch out.
    fn finish_batch(&mut self, out: &mut Vec<Decoded>) -> Result<(), ColumnarError> {
        if let State::Batch(batch) = &self.state
            && batch.remaining() == 0
            && let State::Batch(batch) = std::mem::replace(&mut self.state, State::Prefix)
        {
            let rows = batch.rows();
            self.progressive_batches += 1;
            out.push(Decoded::Columns(batch.finish()?, rows));
        }
        Ok(())
    }

    fn available(&self) -> &[u8] {
        &self.pending[self.pos..]
    }

    /// One framing step; false when more bytes are needed.
    fn step(&mut self, out: &mut Vec<Decoded>) -> Result<bool, ColumnarError> {
        match &mut self.state {
            State::Ended | State::NoSchema => Ok(false),
            State::Prefix => {
                if self.padded && self.schema.is_none() {
                    // Padding is whole zero words; no message starts with one.
                    let a = self.available();
                    if a.len() < 8 {
                        return Ok(false);
                    }
                    if a[..8] == [0; 8] {
                        self.pos += 8;
                        return Ok(true);
                    }
                    self.padded = false;
                }
                let a = self.available();
                if a.len() < 4 {
                    return Ok(false);
                }
                // Since format 0.15 a length follows a continuation marker;
                // older streams have the length alone.
                let (len, used) = if a[..4] == CONTINUATION {
                    if a.len() < 8 {
                        return Ok(false);
                    }
                    (i32::from_le_bytes([a[4], a[5], a[6], a[7]]), 8)
                } else {
                    (i32::from_le_bytes([a[0], a[1], a[2], a[3]]), 4)
                };
                self.pos += used;
                self.state = match usize::try_from(len) {
                    Ok(0) => State::Ended,
                    Ok(len) => State::Metadata(len),
                    Err(_) => {
                        return Err(ColumnarError::Schema(format!(
                            "an Arrow message declares a negative length ({len})"
                        )));
                    }
                };
                Ok(true)
            }
            State::Metadata(len) => {
                let len = *len;
                if self.available().len() < len {
                    return Ok(false);
                }
                let bytes = self.pending[self.pos..self.pos + len].to_vec();
                self.pos += len;
                let message = MessageBuffer::try_new(Buffer::from(bytes))?;
                if self.schema.is_none() && message.as_ref().header_type() != MessageHeader::Schema
                {
                    self.state = State::NoSchema;
                    return Ok(false);
                }
                let body_len = usize::try_from(message.as_ref().bodyLength()).map_err(|_| {
                    ColumnarError::Schema("an Arrow message declares a negative body length".into())
                })?;
                self.state = match self.progressive(&message, body_len) {
                    Some(batch) => State::Batch(Box::new(batch)),
                    None => {
                        // The body is collected in `pending` from its start.
                        self.pending.drain(..self.pos);
                        self.pos = 0;
                        // Room for the declared body at once, up to what a
                        // length from the file is trusted with.
                        let want = body_len.min(crate::RESERVE_BYTES);
                        let _ = self
                            .pending
                            .try_reserve(want.saturating_sub(self.pending.len()));
                        State::Body(message, body_len)
                    }
                };
                Ok(true)
            }
            State::Body(_, len) => {
                let len = *len;
                if self.available().len() < len {
                    return Ok(false);
                }
                let State::Body(message, _) = std::mem::replace(&mut self.state, State::Prefix)
                else {
                    return Ok(false);
                };
                // `pos` is 0 here: the body is taken without a copy.
                let rest = self.pending.split_off(self.pos + len);
                let body = std::mem::replace(&mut self.pending, rest);
                self.pos = 0;
                self.read_message(&message, Buffer::from(body), out)?;
                Ok(true)
            }
            State::Batch(batch) => {
                let n = batch.remaining().min(self.pending.len() - self.pos);
                if n == 0 && batch.remaining() > 0 {
                    return Ok(false);
                }
                batch.push(&self.pending[self.pos..self.pos + n])?;
                self.pos += n;
                self.finish_batch(out)?;
                Ok(true)
            }
        }
    }

    /// A large record batch of flat columns, to be read as it arrives.
    fn progressive(&self, message: &MessageBuffer, body_len: usize) -> Option<ProgressiveBatch> {
        let m = message.as_ref();
        if body_len < self.progressive_from || m.header_type() != MessageHeader::RecordBatch {
            return None;
        }
        let batch = m.header_as_record_batch()?;
        let layout = BatchLayout {
            rows: batch.length(),
            nodes: batch
                .nodes()?
                .iter()
                .map(|n| (n.length(), n.null_count()))
                .collect(),
            buffers: batch
                .buffers()?
                .iter()
                .map(|b| (b.offset(), b.length()))
                .collect(),
            compressed: batch.compression().is_some(),
            variadic: batch.variadicBufferCounts().is_some_and(|v| !v.is_empty()),
            schema: self.schema.as_deref()?,
            dictionaries: &self.dictionaries,
            body_len,
        };
        ProgressiveBatch::new(&layout)
    }

    fn read_message(
        &mut self,
        message: &MessageBuffer,
        body: Buffer,
        out: &mut Vec<Decoded>,
    ) -> Result<(), ColumnarError> {
        let m = message.as_ref();
        let version = m.version();
        let missing = || ColumnarError::Schema("an Arrow message comes before its schema".into());
        match m.header_type() {
            MessageHeader::Schema => {
                if self.schema.is_some() {
                    return Err(ColumnarError::Schema(
                        "the Arrow stream has a second schema message".into(),
                    ));
                }
                let fb = m.header_as_schema().ok_or_else(missing)?;
                if fb.endianness() == Endianness::Big {
                    return Err(ColumnarError::Schema(
                        "the Arrow data is big-endian, which Loupe does not read".into(),
                    ));
                }
                self.schema = Some(Arc::new(arrow_ipc::convert::try_fb_to_schema(fb)?));
            }
            MessageHeader::DictionaryBatch => {
                let schema = self.schema.as_deref().ok_or_else(missing)?;
                let batch = m.header_as_dictionary_batch().ok_or_else(missing)?;
                if let Some(data) = batch.data() {
                    check_batch(data, &dictionary_schema(schema, batch.id())?, &body)?;
                }
                arrow_ipc::reader::read_dictionary(
                    &body,
                    batch,
                    schema,
                    &mut self.dictionaries,
                    &version,
                )?;
            }
            MessageHeader::RecordBatch => {
                let schema = self.schema.clone().ok_or_else(missing)?;
                let batch = m.header_as_record_batch().ok_or_else(missing)?;
                check_batch(batch, &schema, &body)?;
                out.push(Decoded::Batch(arrow_ipc::reader::read_record_batch(
                    &body,
                    batch,
                    schema,
                    &self.dictionaries,
                    None,
                    &version,
                )?));
            }
            MessageHeader::NONE => {}
            other => {
                return Err(ColumnarError::Schema(format!(
                    "an Arrow {other:?} message, which a table stream does not hold"
                )));
            }
        }
        Ok(())
    }
}
