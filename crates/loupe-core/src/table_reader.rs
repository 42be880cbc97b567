//! Reads a `.table.json` straight into columns, row slice by row slice.
//!
//! The `data` rows are parsed cell by cell into `ColumnBuilder`s: numbers,
//! strings and bools never become JSON trees, and strings without escapes are
//! interned straight from the input bytes. Only nested cells (lists, dicts,
//! media objects) are parsed into `Json` and turned into `Value`s. A caller can
//! stop after any number of rows (to let a browser paint) and continue.

use crate::column::ColumnBuilder;
use crate::error::FormatError;
use crate::json::{Json, JsonError, Number, Parser};
use crate::table::{Table, assemble, column_names, not_a_row, short_row};
use crate::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Reading top-level fields before `data`.
    Fields,
    /// Inside `data`; `first` is true before the first row.
    Rows { first: bool },
    /// All of the document has been read.
    Done,
}

/// An in-progress read of one table document.
pub struct TableReader<'a> {
    p: Parser<'a>,
    stage: Stage,
    fields: Vec<(String, Json)>,
    names: Option<Vec<String>>,
    builders: Vec<ColumnBuilder>,
    rows: usize,
    saw_data: bool,
}

impl<'a> TableReader<'a> {
    /// Starts reading; fails early if the bytes are not a JSON object.
    pub fn new(bytes: &'a [u8]) -> Result<Self, FormatError> {
        let mut p = Parser::new(bytes);
        p.skip_ws();
        match p.peek() {
            None => return Err(p.error("the file is empty").into()),
            Some(b'{') => p.pos += 1,
            Some(_) => {
                let json = crate::json::parse(bytes)?;
                return Err(FormatError::BadField {
                    field: "(top level)",
                    message: format!("is {}; a W&B table file holds an object", json.shape_name()),
                });
            }
        }
        let mut reader = TableReader {
            p,
            stage: Stage::Fields,
            fields: Vec::new(),
            names: None,
            builders: Vec::new(),
            rows: 0,
            saw_data: false,
        };
        reader.read_fields()?;
        Ok(reader)
    }

    /// Rows read so far.
    pub fn rows_read(&self) -> usize {
        self.rows
    }

    /// Bytes consumed and total, for a progress bar.
    pub fn progress(&self) -> (usize, usize) {
        (self.p.pos, self.p.bytes.len())
    }

    /// The `_type` field, if it came before `data` (the SDK sorts keys, so it does).
    pub fn type_tag(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == "_type")
            .and_then(|(_, v)| v.as_str())
    }

    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Reads up to `max_rows` more rows (then any fields after `data`).
    pub fn read_rows(&mut self, max_rows: usize) -> Result<(), FormatError> {
        let mut budget = max_rows;
        while let Stage::Rows { first } = self.stage {
            if budget == 0 {
                return Ok(());
            }
            self.p.skip_ws();
            match self.p.peek() {
                Some(b']') => {
                    self.p.pos += 1;
                    self.stage = Stage::Fields;
                    self.after_value()?;
                    self.read_fields()?;
                    return Ok(());
                }
                Some(b',') if !first => {
                    self.p.pos += 1;
                    self.p.skip_ws();
                }
                None => {
                    return Err(self
                        .p
                        .error("unexpected end of file inside `data` (the file looks truncated)")
                        .into());
                }
                Some(_) if first => {}
                Some(_) => return Err(self.p.error("expected `,` or `]` between rows").into()),
            }
            self.stage = Stage::Rows { first: false };
            self.read_row()?;
            budget -= 1;
        }
        Ok(())
    }

    /// Reads everything left and builds the table.
    pub fn finish(mut self) -> Result<Table, FormatError> {
        while self.stage != Stage::Done {
            self.read_rows(usize::MAX)?;
        }
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
            for r in 0..self.rows {
                b.push_other(short_row(r, builders.len(), names.len()));
            }
            builders.push(b);
        }
        let column_types = self
            .fields
            .iter()
            .find(|(k, _)| k == "column_types")
            .map(|(_, v)| v);
        assemble(names, builders, column_types)
    }

    /// Reads `"key": value` pairs until `data` starts or the object ends.
    fn read_fields(&mut self) -> Result<(), FormatError> {
        loop {
            self.p.skip_ws();
            match self.p.peek() {
                Some(b'}') => {
                    self.p.pos += 1;
                    self.p.skip_ws();
                    if self.p.pos < self.p.bytes.len() {
                        return Err(self
                            .p
                            .error("unexpected data after the end of the JSON value")
                            .into());
                    }
                    self.stage = Stage::Done;
                    return Ok(());
                }
                Some(b'"') => {}
                None => {
                    return Err(self
                        .p
                        .error("unexpected end of file inside an object")
                        .into());
                }
                Some(_) => return Err(self.p.error("expected a string key in object").into()),
            }
            let key = self.p.string()?;
            self.p.skip_ws();
            if self.p.peek() != Some(b':') {
                return Err(self.p.error("expected `:` after object key").into());
            }
            self.p.pos += 1;
            self.p.skip_ws();
            if key == "data" && !self.saw_data {
                self.saw_data = true;
                if self.p.peek() != Some(b'[') {
                    let value = self.p.value(1)?;
                    return Err(FormatError::BadField {
                        field: "data",
                        message: format!("must be a list of rows, found {}", value.shape_name()),
                    });
                }
                self.p.pos += 1;
                self.begin_rows();
                self.stage = Stage::Rows { first: true };
                return Ok(());
            }
            let value = self.p.value(1)?;
            self.fields.push((key, value));
            self.after_value()?;
        }
    }

    /// After a field's value: `,` continues, `}` is left for `read_fields`.
    fn after_value(&mut self) -> Result<(), JsonError> {
        self.p.skip_ws();
        match self.p.peek() {
            Some(b',') => {
                self.p.pos += 1;
                Ok(())
            }
            Some(b'}') => Ok(()),
            None => Err(self.p.error("unexpected end of file inside an object")),
            Some(_) => Err(self.p.error("expected `,` or `}` in object")),
        }
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

    fn read_row(&mut self) -> Result<(), FormatError> {
        let r = self.rows;
        if self.p.peek() != Some(b'[') {
            let value = self.p.value(1)?;
            let invalid = not_a_row(r, &value);
            for b in &mut self.builders {
                b.push_other(invalid.clone());
            }
            self.rows += 1;
            return Ok(());
        }
        self.p.pos += 1;
        let known = self.names.as_ref().map(Vec::len);
        let mut cells = 0;
        self.p.skip_ws();
        if self.p.peek() == Some(b']') {
            self.p.pos += 1;
        } else {
            loop {
                self.p.skip_ws();
                if known.is_some_and(|n| cells >= n) {
                    // Extra cells beyond the named columns are read and dropped.
                    self.p.value(2)?;
                } else {
                    if cells >= self.builders.len() {
                        self.builders.push(ColumnBuilder::with_nulls(r));
                    }
                    read_cell(&mut self.p, &mut self.builders[cells])?;
                }
                cells += 1;
                self.p.skip_ws();
                match self.p.peek() {
                    Some(b',') => self.p.pos += 1,
                    Some(b']') => {
                        self.p.pos += 1;
                        break;
                    }
                    None => return Err(self.p.error("unexpected end of file inside a row").into()),
                    Some(_) => return Err(self.p.error("expected `,` or `]` in row").into()),
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
}

/// Parses one cell straight into its column.
fn read_cell(p: &mut Parser<'_>, b: &mut ColumnBuilder) -> Result<(), JsonError> {
    match p.peek() {
        Some(b'"') => {
            let s = p.string_cow()?;
            b.push_str(&s);
        }
        Some(b'-' | b'0'..=b'9') if !p.bytes[p.pos..].starts_with(b"-Infinity") => {
            match p.number()? {
                Number::Int(i) => b.push_int(i),
                Number::Float(f) => b.push_float(f),
                Number::BigInt(s) => b.push_other(Value::BigInt(s)),
            }
        }
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

/// Reads a whole table document.
pub fn read_table(bytes: &[u8]) -> Result<Table, FormatError> {
    TableReader::new(bytes)?.finish()
}
