//! Columnar storage: typed arrays with validity bitmaps, dictionary-encoded
//! strings, and `Value`s only for nested, media and mixed columns.
//!
//! `DataType` is the single source of truth for what a column holds; the grid,
//! the expression checker and the panels all ask it.

use std::borrow::Cow;

use crate::bitmap::Bitmap;
use crate::value::{Value, ValueKind};

pub use crate::column_builder::ColumnBuilder;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// Every cell is null.
    Null,
    Bool,
    Int,
    Float,
    /// Epoch milliseconds (from the column's declared type).
    Timestamp,
    String,
    /// Non-flat cells that all share one kind (lists, dicts, images, tables …).
    Nested(ValueKind),
    /// Cells of differing kinds.
    Mixed,
}

impl DataType {
    pub fn name(self) -> &'static str {
        match self {
            DataType::Null => "null",
            DataType::Bool => "bool",
            DataType::Int | DataType::Float => "number",
            DataType::Timestamp => "timestamp",
            DataType::String => "string",
            DataType::Nested(kind) => kind.name(),
            DataType::Mixed => "mixed",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, DataType::Int | DataType::Float | DataType::Timestamp)
    }

    /// The value kind shared by the column's non-null cells, if any.
    pub fn kind(self) -> Option<ValueKind> {
        Some(match self {
            DataType::Null => ValueKind::Null,
            DataType::Bool => ValueKind::Bool,
            DataType::Int | DataType::Float => ValueKind::Number,
            DataType::Timestamp => ValueKind::Timestamp,
            DataType::String => ValueKind::String,
            DataType::Nested(kind) => kind,
            DataType::Mixed => return None,
        })
    }
}

/// The storage of one column. All variants hold exactly `len` cells.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    Null(usize),
    Bool {
        values: Bitmap,
        valid: Bitmap,
    },
    Int {
        values: Vec<i64>,
        valid: Bitmap,
    },
    /// Floats; `timestamp` marks epoch-ms columns.
    Float {
        values: Vec<f64>,
        valid: Bitmap,
        timestamp: bool,
    },
    /// Low-cardinality strings: codes into `dict`.
    Dict {
        dict: Vec<String>,
        codes: Vec<u32>,
        valid: Bitmap,
    },
    /// High-cardinality strings: row `i` is `bytes[offsets[i]..offsets[i + 1]]`.
    Text {
        offsets: Vec<u32>,
        bytes: Vec<u8>,
        valid: Bitmap,
    },
    Values(Vec<Value>),
}

/// Bytes to reserve for `additional` more strings, after `rows` strings took
/// `bytes`. Later rows can be longer (ids gain digits), and one byte short per
/// row would double the whole buffer near the end: 1/8 more than the average.
pub(crate) fn text_bytes_for(bytes: usize, rows: usize, additional: usize) -> usize {
    let per_row = bytes as f64 / rows.max(1) as f64 * 1.125;
    (per_row * additional as f64).ceil() as usize
}

impl ColumnData {
    /// Dictionary storage; an empty dictionary gets one empty string, so every
    /// code (even under null cells) indexes it.
    pub fn dictionary(mut dict: Vec<String>, codes: Vec<u32>, valid: Bitmap) -> ColumnData {
        if dict.is_empty() {
            dict.push(String::new());
        }
        ColumnData::Dict { dict, codes, valid }
    }

    /// Room for `additional` more rows, so appending parts that are known to
    /// come (row groups, the rest of a file) never doubles and copies a column
    /// midway (at millions of rows that copy is a long main-thread task).
    pub fn reserve(&mut self, additional: usize) {
        match self {
            ColumnData::Null(_) => {}
            ColumnData::Bool { values, valid } => {
                values.reserve(additional);
                valid.reserve(additional);
            }
            ColumnData::Int { values, valid } => {
                values.reserve(additional);
                valid.reserve(additional);
            }
            ColumnData::Float { values, valid, .. } => {
                values.reserve(additional);
                valid.reserve(additional);
            }
            ColumnData::Dict { codes, valid, .. } => {
                codes.reserve(additional);
                valid.reserve(additional);
            }
            ColumnData::Text {
                offsets,
                bytes,
                valid,
            } => {
                offsets.reserve(additional);
                bytes.reserve(text_bytes_for(bytes.len(), offsets.len() - 1, additional));
                valid.reserve(additional);
            }
            ColumnData::Values(v) => v.reserve(additional),
        }
    }

    /// Gives back room reserved beyond the rows held (`reserve`'s estimate for
    /// text, or a doubling when it fell short). An allocator shrinks in place,
    /// so this copies nothing in practice.
    pub fn shrink_to_fit(&mut self) {
        match self {
            ColumnData::Null(_) => {}
            ColumnData::Bool { values, valid } => {
                values.shrink_to_fit();
                valid.shrink_to_fit();
            }
            ColumnData::Int { values, valid } => {
                values.shrink_to_fit();
                valid.shrink_to_fit();
            }
            ColumnData::Float { values, valid, .. } => {
                values.shrink_to_fit();
                valid.shrink_to_fit();
            }
            ColumnData::Dict { codes, valid, .. } => {
                codes.shrink_to_fit();
                valid.shrink_to_fit();
            }
            ColumnData::Text {
                offsets,
                bytes,
                valid,
            } => {
                offsets.shrink_to_fit();
                bytes.shrink_to_fit();
                valid.shrink_to_fit();
            }
            ColumnData::Values(v) => v.shrink_to_fit(),
        }
    }

    /// Rows the storage holds before it must grow (what `reserve` made room for).
    pub fn row_capacity(&self) -> usize {
        match self {
            ColumnData::Null(n) => *n,
            ColumnData::Bool { values, .. } => values.capacity(),
            ColumnData::Int { values, .. } => values.capacity(),
            ColumnData::Float { values, .. } => values.capacity(),
            ColumnData::Dict { codes, .. } => codes.capacity(),
            ColumnData::Text { offsets, .. } => offsets.capacity().saturating_sub(1),
            ColumnData::Values(v) => v.capacity(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ColumnData::Null(n) => *n,
            ColumnData::Bool { values, .. } => values.len(),
            ColumnData::Int { values, .. } => values.len(),
            ColumnData::Float { values, .. } => values.len(),
            ColumnData::Dict { codes, .. } => codes.len(),
            ColumnData::Text { offsets, .. } => offsets.len() - 1,
            ColumnData::Values(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn data_type(&self) -> DataType {
        match self {
            ColumnData::Null(_) => DataType::Null,
            ColumnData::Bool { .. } => DataType::Bool,
            ColumnData::Int { .. } => DataType::Int,
            ColumnData::Float {
                timestamp: true, ..
            } => DataType::Timestamp,
            ColumnData::Float { .. } => DataType::Float,
            ColumnData::Dict { .. } | ColumnData::Text { .. } => DataType::String,
            ColumnData::Values(values) => {
                let mut kinds = values
                    .iter()
                    .map(Value::kind)
                    .filter(|k| *k != ValueKind::Null);
                match kinds.next() {
                    None => DataType::Null,
                    Some(first) => {
                        if kinds.all(|k| k == first) {
                            match first {
                                ValueKind::Number => DataType::Float,
                                ValueKind::String => DataType::String,
                                ValueKind::Bool => DataType::Bool,
                                ValueKind::Timestamp => DataType::Timestamp,
                                other => DataType::Nested(other),
                            }
                        } else {
                            DataType::Mixed
                        }
                    }
                }
            }
        }
    }

    pub fn is_valid(&self, row: usize) -> bool {
        match self {
            ColumnData::Null(_) => false,
            ColumnData::Bool { valid, .. }
            | ColumnData::Int { valid, .. }
            | ColumnData::Float { valid, .. }
            | ColumnData::Dict { valid, .. }
            | ColumnData::Text { valid, .. } => valid.get(row),
            ColumnData::Values(v) => !matches!(v[row], Value::Null),
        }
    }

    /// The cell as a `Value` (built on the fly for flat columns).
    pub fn get(&self, row: usize) -> Value {
        if !self.is_valid(row) {
            return Value::Null;
        }
        match self {
            ColumnData::Null(_) => Value::Null,
            ColumnData::Bool { values, .. } => Value::Bool(values.get(row)),
            ColumnData::Int { values, .. } => Value::Int(values[row]),
            ColumnData::Float {
                values,
                timestamp: true,
                ..
            } => Value::Timestamp(values[row]),
            ColumnData::Float { values, .. } => Value::Float(values[row]),
            ColumnData::Dict { .. } | ColumnData::Text { .. } => {
                Value::Str(self.str_at(row).unwrap_or_default().to_string())
            }
            ColumnData::Values(v) => v[row].clone(),
        }
    }

    /// A borrowed cell where the storage holds `Value`s, owned otherwise.
    pub fn value(&self, row: usize) -> Cow<'_, Value> {
        match self {
            ColumnData::Values(v) => Cow::Borrowed(&v[row]),
            _ => Cow::Owned(self.get(row)),
        }
    }

    /// The cell as a number (ints, floats, timestamps; `None` for null or non-numbers).
    pub fn f64_at(&self, row: usize) -> Option<f64> {
        if !self.is_valid(row) {
            return None;
        }
        match self {
            ColumnData::Int { values, .. } => Some(values[row] as f64),
            ColumnData::Float { values, .. } => Some(values[row]),
            ColumnData::Values(v) => v[row].as_f64(),
            _ => None,
        }
    }

    /// The cell as text, for string columns.
    pub fn str_at(&self, row: usize) -> Option<&str> {
        match self {
            ColumnData::Dict { dict, codes, valid } if valid.get(row) => {
                Some(&dict[codes[row] as usize])
            }
            ColumnData::Text {
                offsets,
                bytes,
                valid,
            } if valid.get(row) => {
                let s = &bytes[offsets[row] as usize..offsets[row + 1] as usize];
                // Text storage is only ever filled from `&str`.
                std::str::from_utf8(s).ok()
            }
            ColumnData::Values(v) => match &v[row] {
                Value::Str(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// Bytes held by this column (an estimate for nested values).
    pub fn heap_bytes(&self) -> usize {
        match self {
            ColumnData::Null(_) => 0,
            ColumnData::Bool { values, valid } => values.heap_bytes() + valid.heap_bytes(),
            ColumnData::Int { values, valid } => values.capacity() * 8 + valid.heap_bytes(),
            ColumnData::Float { values, valid, .. } => values.capacity() * 8 + valid.heap_bytes(),
            ColumnData::Dict { dict, codes, valid } => {
                dict.iter().map(|s| s.capacity() + 24).sum::<usize>()
                    + codes.capacity() * 4
                    + valid.heap_bytes()
            }
            ColumnData::Text {
                offsets,
                bytes,
                valid,
            } => offsets.capacity() * 4 + bytes.capacity() + valid.heap_bytes(),
            ColumnData::Values(v) => v.capacity() * std::mem::size_of::<Value>(),
        }
    }
}
