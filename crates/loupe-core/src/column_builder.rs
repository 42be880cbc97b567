//! Building a column cell by cell: the first non-null cell picks the storage,
//! ints widen to floats, low-cardinality strings are dictionary-encoded until
//! they prove otherwise, and anything that disagrees becomes `Value`s.

use crate::bitmap::Bitmap;
use crate::column::ColumnData;
use crate::json::{Json, Number};
use crate::value::{CellHint, Value};

/// A dictionary column switches to plain text once it has more distinct values
/// than this and more than half its rows are distinct (captions, ids as text).
const DICT_LIMIT: usize = 4096;

use crate::fxhash::FxMap;

/// Builds a column cell by cell, choosing the storage from what arrives:
/// the first non-null cell picks the type; ints widen to floats; anything
/// else that disagrees turns the column into `Value`s.
#[derive(Debug, Default, Clone)]
pub struct ColumnBuilder {
    state: State,
    len: usize,
}

#[derive(Debug, Default, Clone)]
enum State {
    #[default]
    Empty,
    Bool {
        values: Bitmap,
        valid: Bitmap,
    },
    Int {
        values: Vec<i64>,
        valid: Bitmap,
    },
    Float {
        values: Vec<f64>,
        valid: Bitmap,
    },
    Dict {
        index: FxMap<Box<str>, u32>,
        dict: Vec<String>,
        codes: Vec<u32>,
        valid: Bitmap,
    },
    Text {
        offsets: Vec<u32>,
        bytes: Vec<u8>,
        valid: Bitmap,
    },
    Values(Vec<Value>),
}

impl ColumnBuilder {
    pub fn new() -> Self {
        ColumnBuilder::default()
    }

    /// A builder that already holds `n` null cells.
    pub fn with_nulls(n: usize) -> Self {
        ColumnBuilder {
            state: State::Empty,
            len: n,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push_null(&mut self) {
        match &mut self.state {
            State::Empty => {}
            State::Bool { values, valid } => {
                values.push(false);
                valid.push(false);
            }
            State::Int { values, valid } => {
                values.push(0);
                valid.push(false);
            }
            State::Float { values, valid } => {
                values.push(0.0);
                valid.push(false);
            }
            State::Dict { codes, valid, .. } => {
                codes.push(0);
                valid.push(false);
            }
            State::Text {
                offsets,
                bytes,
                valid,
            } => {
                offsets.push(bytes.len() as u32);
                valid.push(false);
            }
            State::Values(v) => v.push(Value::Null),
        }
        self.len += 1;
    }

    pub fn push_bool(&mut self, b: bool) {
        if let State::Empty = self.state {
            self.state = State::Bool {
                values: Bitmap::filled(self.len, false),
                valid: Bitmap::filled(self.len, false),
            };
        }
        match &mut self.state {
            State::Bool { values, valid } => {
                values.push(b);
                valid.push(true);
                self.len += 1;
            }
            _ => self.push_other(Value::Bool(b)),
        }
    }

    pub fn push_int(&mut self, i: i64) {
        if let State::Empty = self.state {
            self.state = State::Int {
                values: vec![0; self.len],
                valid: Bitmap::filled(self.len, false),
            };
        }
        match &mut self.state {
            State::Int { values, valid } => {
                values.push(i);
                valid.push(true);
                self.len += 1;
            }
            State::Float { values, valid } => {
                values.push(i as f64);
                valid.push(true);
                self.len += 1;
            }
            _ => self.push_other(Value::Int(i)),
        }
    }

    pub fn push_float(&mut self, f: f64) {
        match &mut self.state {
            State::Empty => {
                self.state = State::Float {
                    values: vec![0.0; self.len],
                    valid: Bitmap::filled(self.len, false),
                };
            }
            State::Int { values, valid } => {
                // Widen: ints seen so far become floats (exact below 2^53).
                let widened = values.iter().map(|&i| i as f64).collect();
                self.state = State::Float {
                    values: widened,
                    valid: std::mem::take(valid),
                };
            }
            _ => {}
        }
        match &mut self.state {
            State::Float { values, valid } => {
                values.push(f);
                valid.push(true);
                self.len += 1;
            }
            _ => self.push_other(Value::Float(f)),
        }
    }

    pub fn push_str(&mut self, s: &str) {
        if let State::Empty = self.state {
            self.state = State::Dict {
                index: FxMap::default(),
                dict: Vec::new(),
                codes: vec![0; self.len],
                valid: Bitmap::filled(self.len, false),
            };
        }
        match &mut self.state {
            State::Dict {
                index,
                dict,
                codes,
                valid,
            } => {
                let code = match index.get(s) {
                    Some(&code) => code,
                    None => {
                        let code = dict.len() as u32;
                        dict.push(s.to_string());
                        index.insert(s.into(), code);
                        code
                    }
                };
                codes.push(code);
                valid.push(true);
                self.len += 1;
                if dict.len() > DICT_LIMIT && dict.len() * 2 > codes.len() {
                    self.dict_to_text();
                }
            }
            State::Text {
                offsets,
                bytes,
                valid,
            } => {
                bytes.extend_from_slice(s.as_bytes());
                offsets.push(bytes.len() as u32);
                valid.push(true);
                self.len += 1;
            }
            _ => self.push_other(Value::Str(s.to_string())),
        }
    }

    fn dict_to_text(&mut self) {
        if let State::Dict {
            dict, codes, valid, ..
        } = std::mem::take(&mut self.state)
        {
            let mut offsets = Vec::with_capacity(codes.capacity() + 1);
            let mut bytes = Vec::new();
            offsets.push(0);
            for (i, &code) in codes.iter().enumerate() {
                if valid.get(i) {
                    bytes.extend_from_slice(dict[code as usize].as_bytes());
                }
                offsets.push(bytes.len() as u32);
            }
            self.state = State::Text {
                offsets,
                bytes,
                valid,
            };
        }
    }

    /// Room for `additional` more cells (a reader that can estimate the rows to come).
    pub fn reserve(&mut self, additional: usize) {
        match &mut self.state {
            State::Empty => {}
            State::Bool { values, valid } => {
                values.reserve(additional);
                valid.reserve(additional);
            }
            State::Int { values, valid } => {
                values.reserve(additional);
                valid.reserve(additional);
            }
            State::Float { values, valid } => {
                values.reserve(additional);
                valid.reserve(additional);
            }
            State::Dict { codes, valid, .. } => {
                codes.reserve(additional);
                valid.reserve(additional);
            }
            State::Text {
                offsets,
                bytes,
                valid,
            } => {
                offsets.reserve(additional);
                bytes.reserve(crate::column::text_bytes_for(
                    bytes.len(),
                    offsets.len().saturating_sub(1),
                    additional,
                ));
                valid.reserve(additional);
            }
            State::Values(v) => v.reserve(additional),
        }
    }

    /// Drops cells from `len` on (a streaming read undoing a row cut off by the end
    /// of a chunk). Storage choices made meanwhile stay: the same cells arrive again.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        match &mut self.state {
            State::Empty => {}
            State::Bool { values, valid } => {
                values.truncate(len);
                valid.truncate(len);
            }
            State::Int { values, valid } => {
                values.truncate(len);
                valid.truncate(len);
            }
            State::Float { values, valid } => {
                values.truncate(len);
                valid.truncate(len);
            }
            State::Dict { codes, valid, .. } => {
                codes.truncate(len);
                valid.truncate(len);
            }
            State::Text {
                offsets,
                bytes,
                valid,
            } => {
                offsets.truncate(len + 1);
                bytes.truncate(offsets.last().copied().unwrap_or(0) as usize);
                valid.truncate(len);
            }
            State::Values(v) => v.truncate(len),
        }
        self.len = len;
    }

    /// Pushes any value; flat values go to the typed paths.
    pub fn push_value(&mut self, value: Value) {
        match value {
            Value::Null => self.push_null(),
            Value::Bool(b) => self.push_bool(b),
            Value::Int(i) => self.push_int(i),
            Value::Float(f) => self.push_float(f),
            Value::Str(s) => self.push_str(&s),
            other => self.push_other(other),
        }
    }

    /// Pushes a cell given as parsed JSON.
    pub fn push_json(&mut self, json: &Json) {
        match json {
            Json::Null => self.push_null(),
            Json::Bool(b) => self.push_bool(*b),
            Json::Number(Number::Int(i)) => self.push_int(*i),
            Json::Number(Number::Float(f)) => self.push_float(*f),
            Json::String(s) => self.push_str(s),
            other => self.push_other(Value::from_shape(other)),
        }
    }

    /// Pushes a non-flat value, turning the column into `Value`s if it is not already.
    pub fn push_other(&mut self, value: Value) {
        if !matches!(self.state, State::Values(_)) {
            let existing = std::mem::take(&mut self.state);
            let len = self.len;
            let values = (0..len).map(|r| state_get(&existing, len, r)).collect();
            self.state = State::Values(values);
        }
        if let State::Values(v) = &mut self.state {
            v.push(value);
        }
        self.len += 1;
    }

    /// Finishes the column; `hint` (from `column_types`) marks timestamps and ndarray cells.
    pub fn finish(self, hint: &CellHint) -> ColumnData {
        let data = match self.state {
            State::Empty => ColumnData::Null(self.len),
            State::Bool { values, valid } => ColumnData::Bool { values, valid },
            State::Int { values, valid } => ColumnData::Int { values, valid },
            State::Float { values, valid } => ColumnData::Float {
                values,
                valid,
                timestamp: false,
            },
            State::Dict {
                dict, codes, valid, ..
            } => ColumnData::Dict { dict, codes, valid },
            State::Text {
                offsets,
                bytes,
                valid,
            } => ColumnData::Text {
                offsets,
                bytes,
                valid,
            },
            State::Values(v) => ColumnData::Values(v),
        };
        apply_hint(data, hint)
    }
}

impl ColumnData {
    /// Stores `values` with the storage they call for; timestamps stay timestamps.
    pub fn from_values(values: impl IntoIterator<Item = Value>) -> ColumnData {
        let mut b = ColumnBuilder::new();
        let mut timestamp = false;
        for v in values {
            match v {
                Value::Timestamp(t) => {
                    timestamp = true;
                    b.push_float(t);
                }
                other => b.push_value(other),
            }
        }
        b.finish(if timestamp {
            &CellHint::Timestamp
        } else {
            &CellHint::None
        })
    }
}

/// Cell `r` of a builder state holding `len` cells, as a `Value`.
fn state_get(state: &State, len: usize, r: usize) -> Value {
    let valid = match state {
        State::Empty => false,
        State::Bool { valid, .. }
        | State::Int { valid, .. }
        | State::Float { valid, .. }
        | State::Dict { valid, .. }
        | State::Text { valid, .. } => valid.get(r),
        State::Values(_) => true,
    };
    if !valid {
        return Value::Null;
    }
    match state {
        State::Empty => Value::Null,
        State::Bool { values, .. } => Value::Bool(values.get(r)),
        State::Int { values, .. } => Value::Int(values[r]),
        State::Float { values, .. } => Value::Float(values[r]),
        State::Dict { dict, codes, .. } => Value::Str(dict[codes[r] as usize].clone()),
        State::Text { offsets, bytes, .. } => {
            let s = &bytes[offsets[r] as usize..offsets[r + 1] as usize];
            Value::Str(String::from_utf8_lossy(s).into_owned())
        }
        State::Values(v) => {
            debug_assert_eq!(v.len(), len);
            v[r].clone()
        }
    }
}

fn apply_hint(data: ColumnData, hint: &CellHint) -> ColumnData {
    match (hint, data) {
        (CellHint::Timestamp, ColumnData::Int { values, valid }) => ColumnData::Float {
            values: values.iter().map(|&i| i as f64).collect(),
            valid,
            timestamp: true,
        },
        (CellHint::Timestamp, ColumnData::Float { values, valid, .. }) => ColumnData::Float {
            values,
            valid,
            timestamp: true,
        },
        (CellHint::Timestamp, ColumnData::Values(v)) => ColumnData::Values(
            v.into_iter()
                .map(|x| match x {
                    Value::Int(i) => Value::Timestamp(i as f64),
                    Value::Float(f) => Value::Timestamp(f),
                    other => other,
                })
                .collect(),
        ),
        (CellHint::NdArray { shape, npz_path }, data)
            if matches!(data, ColumnData::Null(_) | ColumnData::Values(_)) =>
        {
            let nd = || Value::NdArray {
                shape: shape.clone(),
                npz_path: npz_path.clone(),
            };
            ColumnData::Values(match data {
                ColumnData::Null(n) => (0..n).map(|_| nd()).collect(),
                ColumnData::Values(v) => v
                    .into_iter()
                    .map(|x| if matches!(x, Value::Null) { nd() } else { x })
                    .collect(),
                _ => unreachable!("guarded above"),
            })
        }
        (_, data) => data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column::DataType;
    use crate::value::ValueKind;

    fn build(values: Vec<Value>) -> ColumnData {
        let mut b = ColumnBuilder::new();
        for v in values {
            b.push_value(v);
        }
        b.finish(&CellHint::None)
    }

    #[test]
    fn types_follow_the_cells() {
        assert_eq!(
            build(vec![Value::Null, Value::Int(1)]).data_type(),
            DataType::Int
        );
        let widened = build(vec![Value::Int(1), Value::Null, Value::Float(2.5)]);
        assert_eq!(widened.data_type(), DataType::Float);
        assert_eq!(widened.get(0), Value::Float(1.0));
        assert_eq!(widened.get(1), Value::Null);
        let mixed = build(vec![Value::Int(1), Value::Str("a".into())]);
        assert_eq!(mixed.data_type(), DataType::Mixed);
        assert_eq!(mixed.get(0), Value::Int(1));
        assert_eq!(
            build(vec![Value::Null, Value::Null]).data_type(),
            DataType::Null
        );
    }

    #[test]
    fn strings_switch_from_dictionary_to_text() {
        let n = DICT_LIMIT * 3;
        let col = build((0..n).map(|i| Value::Str(format!("s{i}"))).collect());
        assert!(matches!(col, ColumnData::Text { .. }));
        assert_eq!(col.get(n - 1), Value::Str(format!("s{}", n - 1)));
        assert_eq!(col.str_at(7), Some("s7"));
        let low = build((0..n).map(|i| Value::Str(format!("c{}", i % 10))).collect());
        assert!(matches!(&low, ColumnData::Dict { dict, .. } if dict.len() == 10));
    }

    #[test]
    fn hints_mark_timestamps_and_ndarrays() {
        let mut b = ColumnBuilder::new();
        b.push_int(0);
        b.push_null();
        let ts = b.finish(&CellHint::Timestamp);
        assert_eq!(ts.data_type(), DataType::Timestamp);
        assert_eq!(ts.get(0).display(), "1970-01-01T00:00:00.000Z");
        let nd = ColumnBuilder::with_nulls(2).finish(&CellHint::NdArray {
            shape: vec![3],
            npz_path: None,
        });
        assert_eq!(nd.data_type(), DataType::Nested(ValueKind::NdArray));
    }
}
