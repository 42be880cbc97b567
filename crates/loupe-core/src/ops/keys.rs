//! Join keys straight from column storage. Numbers match by value (`1` and
//! `1.0`, `-0.0` and `0.0`), strings by content, other values by their
//! debug form; null matches nothing. The same rules as `join_key`, without
//! formatting a `String` per row.

use std::borrow::Cow;

use crate::column::ColumnData;
use crate::table::Column;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValue<'a> {
    /// f64 bits of the number (+ 0.0, so -0.0 == 0.0).
    Num(u64),
    Str(Cow<'a, str>),
    Other(String),
}

impl std::hash::Hash for KeyValue<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            // Whole numbers as f64 end in dozens of zero bits, and a multiplicative
            // hash (Fx) keeps low bits low: every key would land in one bucket.
            // Mixing all bits first (murmur3's finalizer) spreads them.
            KeyValue::Num(bits) => {
                let mut h = *bits;
                h ^= h >> 33;
                h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
                h ^= h >> 33;
                h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
                h ^= h >> 33;
                state.write_u64(h);
            }
            KeyValue::Str(s) => {
                state.write_u8(1);
                state.write(s.as_bytes());
            }
            KeyValue::Other(s) => {
                state.write_u8(2);
                state.write(s.as_bytes());
            }
        }
    }
}

fn num(x: f64) -> KeyValue<'static> {
    KeyValue::Num((x + 0.0).to_bits())
}

/// The key of every row of `column` (`None` for null).
pub fn column_keys(column: &Column) -> Vec<Option<KeyValue<'_>>> {
    let keys = Keys::of(column);
    (0..column.len()).map(|r| keys.at(r)).collect()
}

/// Reads keys row by row without building them all first (a join touches each once).
pub struct Keys<'a> {
    data: &'a ColumnData,
}

impl<'a> Keys<'a> {
    pub fn of(column: &'a Column) -> Keys<'a> {
        Keys {
            data: column.data(),
        }
    }

    #[inline]
    pub fn at(&self, i: usize) -> Option<KeyValue<'a>> {
        let data = self.data;
        if !data.is_valid(i) {
            return None;
        }
        match data {
            ColumnData::Int { values, .. } => Some(num(values[i] as f64)),
            ColumnData::Float { values, .. } => Some(num(values[i])),
            ColumnData::Dict { dict, codes, .. } => Some(KeyValue::Str(Cow::Borrowed(
                dict[codes[i] as usize].as_str(),
            ))),
            ColumnData::Text { .. } => data.str_at(i).map(|s| KeyValue::Str(Cow::Borrowed(s))),
            _ => match data.get(i) {
                crate::value::Value::Null => None,
                crate::value::Value::Str(s) => Some(KeyValue::Str(Cow::Owned(s))),
                other => Some(match other.as_f64() {
                    Some(x) => num(x),
                    None => KeyValue::Other(crate::value_key::value_key(&other)),
                }),
            },
        }
    }
}
