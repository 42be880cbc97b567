//! Reads a `.table.json` straight into columns.
//!
//! The `data` rows are parsed cell by cell into `ColumnBuilder`s: numbers,
//! strings and bools never become JSON trees, and strings without escapes are
//! interned straight from the input bytes. Only nested cells (lists, dicts,
//! media objects) are parsed into `Json` and turned into `Value`s.
//!
//! Two front ends share one reading core:
//! - `TableReader` reads a complete byte slice, in row slices (so a caller can
//!   yield to the browser between them);
//! - `StreamingTableReader` takes the body chunk by chunk as it arrives and keeps
//!   only the unread tail, so a large file is never held in memory whole.

use crate::column::ColumnBuilder;
use crate::error::FormatError;
use crate::json::{Json, JsonError, Number, Parser};
use crate::table::{Table, assemble, column_names, not_a_row, short_row};
use crate::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the opening `{`.
    Start,
    /// Reading top-level fields before or after `data`.
    Fields,
    /// Inside `data`; `first` is true before the first row.
    Rows { first: bool },
    /// All of the document has been read.
    Done,
}

/// What reading stopped at.
enum Stop {
    /// Read what was asked for (or everything).
    Done,
    /// The input ended inside a unit; more bytes are needed.
    NeedMore,
}

/// The reading state, independent of where the bytes live.
#[derive(Default)]
struct Core {
    stage: Option<Stage>,
    fields: Vec<(String, Json)>,
    names: Option<Vec<String>>,
    builders: Vec<ColumnBuilder>,
    rows: usize,
    /// Rows already handed out as pieces (`StreamingTableReader::take_piece`):
    /// the builders hold rows `piece_start..rows`.
    piece_start: usize,
    saw_data: bool,
}

impl Core {
    fn stage(&self) -> Stage {
        self.stage.unwrap_or(Stage::Start)
    }

    fn type_tag(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == "_type")
            .and_then(|(_, v)| v.as_str())
    }

    /// Reads units (the opening brace, fields, rows) until `max_rows` rows were
    /// read or the input ends. With `streaming`, a unit cut off by the end of the
    /// input is undone and `NeedMore` returned; otherwise that is an error.
    fn read(
        &mut self,
        p: &mut Parser<'_>,
        mut max_rows: usize,
        streaming: bool,
    ) -> Result<Stop, FormatError> {
        loop {
            let unit_start = p.pos;
            let stage = self.stage();
            let rows_before = self.rows;
            let step = match stage {
                Stage::Done => return Ok(Stop::Done),
                Stage::Rows { .. } if max_rows == 0 => return Ok(Stop::Done),
                Stage::Start => self.open(p),
                Stage::Fields => self.field(p),
                Stage::Rows { first } => self.row(p, first),
            };
            match step {
                Ok(()) => {
                    if self.rows > rows_before {
                        max_rows -= 1;
                    }
                }
                Err(e) if streaming && e.truncated => {
                    // Undo the partial unit; it is read again when more bytes arrive.
                    p.pos = unit_start;
                    self.stage = Some(stage);
                    for b in &mut self.builders {
                        b.truncate(rows_before - self.piece_start);
                    }
                    self.rows = rows_before;
                    return Ok(Stop::NeedMore);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn open(&mut self, p: &mut Parser<'_>) -> Result<(), JsonError> {
        p.skip_ws();
        match p.peek() {
            None => Err(p.error("the file is empty")),
            Some(b'{') => {
                p.pos += 1;
                self.stage = Some(Stage::Fields);
                Ok(())
            }
            Some(_) => Err(p.error("expected `{`: a W&B table file holds an object")),
        }
    }

    /// One `"key": value` pair, the start of `data`, or the closing `}`.
    fn field(&mut self, p: &mut Parser<'_>) -> Result<(), JsonError> {
        p.skip_ws();
        if p.peek() == Some(b',') && !self.fields.is_empty()
            || self.saw_data && p.peek() == Some(b',')
        {
            p.pos += 1;
            p.skip_ws();
        }
        match p.peek() {
            Some(b'}') => {
                p.pos += 1;
                p.skip_ws();
                if p.pos < p.bytes.len() {
                    return Err(p.error("unexpected data after the end of the JSON value"));
                }
                self.stage = Some(Stage::Done);
                return Ok(());
            }
            Some(b'"') => {}
            None => return Err(p.error("unexpected end of file inside an object")),
            Some(_) => return Err(p.error("expected a string key in object")),
        }
        let key = p.string()?;
        p.skip_ws();
        match p.peek() {
            Some(b':') => p.pos += 1,
            None => return Err(p.error("unexpected end of file inside an object")),
            Some(_) => return Err(p.error("expected `:` after object key")),
        }
        p.skip_ws();
        if key == "data" && !self.saw_data {
            match p.peek() {
                Some(b'[') => {
                    p.pos += 1;
                    self.saw_data = true;
                    self.begin_rows();
                    self.stage = Some(Stage::Rows { first: true });
                    return Ok(());
                }
                None => return Err(p.error("unexpected end of file after `data`")),
                Some(_) => {
                    let value = p.value(1)?;
                    return Err(p.error(format!(
                        "`data` must be a list of rows, found {}",
                        value.shape_name()
                    )));
                }
            }
        }
        let value = p.value(1)?;
        // The value must be followed by `,` or `}`: otherwise a number cut off by a
        // chunk boundary would be taken as complete.
        p.skip_ws();
        match p.peek() {
            Some(b',' | b'}') => {}
            None => return Err(p.error("unexpected end of file inside an object")),
            Some(_) => return Err(p.error("expected `,` or `}` in object")),
        }
        self.fields.push((key, value));
        Ok(())
    }

    fn begin_rows(&mut self) {
        // Keys are sorted by the SDK, so `columns` normally precedes `data`.
        let names = self
            .fields
            .iter()
            .find(|(k, _)| k == "columns")
            .and_then(|(_, v)| column_names(Some(v)).ok());
        if let Some(names) = names {
            self.builders = names.iter().map(|_| ColumnBuilder::new()).collect();
            self.names = Some(names);
        }
    }

    /// One row (with its leading comma), or the `]` that ends `data`.
    fn row(&mut self, p: &mut Parser<'_>, first: bool) -> Result<(), JsonError> {
        p.skip_ws();
        match p.peek() {
            Some(b']') => {
                p.pos += 1;
                self.stage = Some(Stage::Fields);
                return Ok(());
            }
            Some(b',') if !first => {
                p.pos += 1;
                p.skip_ws();
            }
            None => {
                return Err(
                    p.error("unexpected end of file inside `data` (the file looks truncated)")
                );
            }
            Some(_) if first => {}
            Some(_) => return Err(p.error("expected `,` or `]` between rows")),
        }
        self.read_row(p)?;
        self.stage = Some(Stage::Rows { first: false });
        Ok(())
    }

    fn read_row(&mut self, p: &mut Parser<'_>) -> Result<(), JsonError> {
        let r = self.rows;
        if p.peek() != Some(b'[') {
            let value = p.value(1)?;
            let invalid = not_a_row(r, &value);
            for b in &mut self.builders {
                b.push_other(invalid.clone());
            }
            self.rows += 1;
            return Ok(());
        }
        p.pos += 1;
        let known = self.names.as_ref().map(Vec::len);
        let mut cells = 0;
        p.skip_ws();
        if p.peek() == Some(b']') {
            p.pos += 1;
        } else {
            loop {
                p.skip_ws();
                if known.is_some_and(|n| cells >= n) {
                    // Extra cells beyond the named columns are read and dropped.
                    p.value(2)?;
                } else {
                    if cells >= self.builders.len() {
                        self.builders
                            .push(ColumnBuilder::with_nulls(r - self.piece_start));
                    }
                    read_cell(p, &mut self.builders[cells])?;
                }
                cells += 1;
                p.skip_ws();
                match p.peek() {
                    Some(b',') => p.pos += 1,
                    Some(b']') => {
                        p.pos += 1;
                        break;
                    }
                    None => return Err(p.error("unexpected end of file inside a row")),
                    Some(_) => return Err(p.error("expected `,` or `]` in row")),
                }
            }
        }
        let ncols = known.unwrap_or(self.builders.len());
        for b in self.builders.iter_mut().skip(cells) {
            if known.is_some() {
                b.push_other(short_row(r, cells, ncols));
            } else {
                b.push_null();
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Builds the table once everything was read.
    fn finish(mut self) -> Result<Table, FormatError> {
        let field = |name: &str| self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        match field("_type").and_then(Json::as_str) {
            Some("table") => {}
            Some(other) => {
                return Err(FormatError::WrongType {
                    expected: "table".into(),
                    found: other.into(),
                });
            }
            None => return Err(FormatError::Untyped),
        }
        if !self.saw_data {
            return Err(FormatError::MissingField("data"));
        }
        let names = match self.names.take() {
            Some(names) => names,
            None => column_names(field("columns"))?,
        };
        let mut builders = std::mem::take(&mut self.builders);
        // `data` came before `columns` (never from the SDK): fit builders to the names.
        builders.truncate(names.len());
        while builders.len() < names.len() {
            let mut b = ColumnBuilder::new();
            for r in self.piece_start..self.rows {
                b.push_other(short_row(r, builders.len(), names.len()));
            }
            builders.push(b);
        }
        assemble(names, builders, self.column_types())
    }

    fn column_types(&self) -> Option<&Json> {
        self.fields
            .iter()
            .find(|(k, _)| k == "column_types")
            .map(|(_, v)| v)
    }
}

/// Parses one cell straight into its column.
fn read_cell(p: &mut Parser<'_>, b: &mut ColumnBuilder) -> Result<(), JsonError> {
    match p.peek() {
        Some(b'"') => {
            let s = p.string_cow()?;
            b.push_str(&s);
        }
        Some(b'-' | b'0'..=b'9') if !p.bytes[p.pos..].starts_with(b"-I") => match p.number()? {
            Number::Int(i) => b.push_int(i),
            Number::Float(f) => b.push_float(f),
            Number::BigInt(s) => b.push_other(Value::BigInt(s)),
        },
        Some(b'n') => {
            p.expect_word("null")?;
            b.push_null();
        }
        Some(b't') => {
            p.expect_word("true")?;
            b.push_bool(true);
        }
        Some(b'f') => {
            p.expect_word("false")?;
            b.push_bool(false);
        }
        _ => {
            let json = p.value(2)?;
            b.push_json(&json);
        }
    }
    Ok(())
}

/// An in-progress read of one complete table document.
pub struct TableReader<'a> {
    p: Parser<'a>,
    core: Core,
}

impl<'a> TableReader<'a> {
    /// Starts reading: the fields before `data` are read right away.
    pub fn new(bytes: &'a [u8]) -> Result<Self, FormatError> {
        let mut reader = TableReader {
            p: Parser::new(bytes),
            core: Core::default(),
        };
        reader.core.read(&mut reader.p, 0, false)?;
        Ok(reader)
    }

    pub fn rows_read(&self) -> usize {
        self.core.rows
    }

    /// Bytes consumed and total, for a progress bar.
    pub fn progress(&self) -> (usize, usize) {
        (self.p.pos, self.p.bytes.len())
    }

    /// The `_type` field, if it came before `data` (the SDK sorts keys, so it does).
    pub fn type_tag(&self) -> Option<&str> {
        self.core.type_tag()
    }

    pub fn is_done(&self) -> bool {
        self.core.stage() == Stage::Done
    }

    /// Reads up to `max_rows` more rows (and any fields that follow `data`).
    pub fn read_rows(&mut self, max_rows: usize) -> Result<(), FormatError> {
        self.core.read(&mut self.p, max_rows, false).map(|_| ())
    }

    /// Reads everything left and builds the table.
    pub fn finish(mut self) -> Result<Table, FormatError> {
        self.core.read(&mut self.p, usize::MAX, false)?;
        self.core.finish()
    }
}

/// Reads a whole table document.
pub fn read_table(bytes: &[u8]) -> Result<Table, FormatError> {
    TableReader::new(bytes)?.finish()
}

/// Reads a table from chunks as they arrive, keeping only the unread tail.
#[derive(Default)]
pub struct StreamingTableReader {
    core: Core,
    /// Bytes received but not yet read (at most one partial row or field).
    tail: Vec<u8>,
    bytes_in: usize,
    /// Line and column where `tail` starts, for error positions.
    origin: (usize, usize),
}

impl StreamingTableReader {
    pub fn new() -> Self {
        StreamingTableReader {
            origin: (1, 1),
            ..Default::default()
        }
    }

    /// Reads as much of `chunk` (after what is left over) as forms complete rows.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), FormatError> {
        self.bytes_in += chunk.len();
        self.tail.extend_from_slice(chunk);
        self.advance(true)
    }

    fn advance(&mut self, streaming: bool) -> Result<(), FormatError> {
        let mut p = Parser::new(&self.tail);
        if self.bytes_in != self.tail.len() {
            p.pos = 0; // a byte-order mark is only skipped at the very start
        }
        p.origin = self.origin;
        p.streaming = streaming;
        self.core.read(&mut p, usize::MAX, streaming)?;
        let consumed = p.pos;
        // Track where the next tail starts, for error positions: one pass counting
        // newlines and characters (bytes that do not continue a UTF-8 sequence).
        let read = &self.tail[..consumed];
        let (mut lines, mut col) = self.origin;
        for &b in read {
            if b == b'\n' {
                lines += 1;
                col = 1;
            } else if b & 0xC0 != 0x80 {
                col += 1;
            }
        }
        self.origin = (lines, col);
        self.tail.drain(..consumed);
        Ok(())
    }

    pub fn rows_read(&self) -> usize {
        self.core.rows
    }

    /// Bytes received so far.
    pub fn bytes_received(&self) -> usize {
        self.bytes_in
    }

    /// The `_type` field once it has been read (the SDK writes it first).
    pub fn type_tag(&self) -> Option<&str> {
        self.core.type_tag()
    }

    /// True once the fields before `data` were read: the type is then known.
    /// Room for `additional` more rows in every column (the caller estimates
    /// them from the body's size), so columns never double and copy midway.
    pub fn reserve_rows(&mut self, additional: usize) {
        for b in &mut self.core.builders {
            b.reserve(additional);
        }
    }

    /// The rows read so far as a table (column names and types known, at least
    /// one row), without disturbing the read: what a viewer shows while the
    /// rest of the body arrives. It copies those rows, so call it once, early.
    pub fn preview(&self) -> Option<Table> {
        let names = self.core.names.clone()?;
        if self.core.rows == 0 || self.core.builders.len() != names.len() {
            return None;
        }
        assemble(names, self.core.builders.clone(), self.core.column_types()).ok()
    }

    /// Hands out the rows read since the last piece as a table of their own,
    /// and goes on reading into empty columns: a reader that passes pieces on
    /// (the loading worker sends each to the page) never holds the whole table.
    /// Appending the pieces and the table `finish` returns (`Table::append`)
    /// gives the table a single read would.
    ///
    /// `None` until the document is known to be a table with its column names
    /// before `data` (as the SDK writes it), and when no row is new.
    pub fn take_piece(&mut self) -> Option<Result<Table, FormatError>> {
        let core = &mut self.core;
        let names = core.names.clone()?;
        if core.type_tag() != Some("table")
            || core.rows == core.piece_start
            || core.builders.len() != names.len()
        {
            return None;
        }
        let fresh = names.iter().map(|_| ColumnBuilder::new()).collect();
        let builders = std::mem::replace(&mut core.builders, fresh);
        core.piece_start = core.rows;
        Some(assemble(names, builders, core.column_types()))
    }

    pub fn header_read(&self) -> bool {
        matches!(self.core.stage(), Stage::Rows { .. } | Stage::Done)
            || self.core.type_tag().is_some()
    }

    /// Ends the input: anything incomplete is now an error; builds the table.
    pub fn finish(mut self) -> Result<Table, FormatError> {
        self.advance(false)?;
        if self.core.stage() != Stage::Done {
            let mut p = Parser::new(&[]);
            p.origin = self.origin;
            return Err(p
                .error("unexpected end of file (the file looks truncated)")
                .into());
        }
        self.core.finish()
    }
}
