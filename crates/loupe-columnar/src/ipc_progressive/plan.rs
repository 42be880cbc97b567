//! Where a record batch's columns lie in its body, from the message's
//! metadata, and whether they can be read as they arrive; the fixed-width
//! number readers.

use std::collections::HashMap;
use std::ops::Range;

use arrow_array::ArrayRef;
use arrow_schema::{DataType, Schema};

use crate::from_arrow::{dictionary_values, ms_per};

/// Fixed-width little-endian numbers as the body stores them.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fixed {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl Fixed {
    pub(super) fn width(self) -> usize {
        match self {
            Fixed::I8 | Fixed::U8 => 1,
            Fixed::I16 | Fixed::U16 => 2,
            Fixed::I32 | Fixed::U32 | Fixed::F32 => 4,
            Fixed::I64 | Fixed::U64 | Fixed::F64 => 8,
        }
    }

    fn int(t: &DataType) -> Option<Fixed> {
        Some(match t {
            DataType::Int8 => Fixed::I8,
            DataType::Int16 => Fixed::I16,
            DataType::Int32 => Fixed::I32,
            DataType::Int64 => Fixed::I64,
            DataType::UInt8 => Fixed::U8,
            DataType::UInt16 => Fixed::U16,
            DataType::UInt32 => Fixed::U32,
            _ => return None,
        })
    }
}

/// Appends the first `n` values of `bytes` as integers.
pub(super) fn extend_ints(f: Fixed, bytes: &[u8], n: usize, out: &mut Vec<i64>) {
    macro_rules! each {
        ($t:ty) => {{
            const W: usize = std::mem::size_of::<$t>();
            out.extend(bytes[..n * W].chunks_exact(W).map(|c| {
                let mut a = [0u8; W];
                a.copy_from_slice(c);
                <$t>::from_le_bytes(a) as i64
            }))
        }};
    }
    match f {
        Fixed::I8 => each!(i8),
        Fixed::I16 => each!(i16),
        Fixed::I32 => each!(i32),
        Fixed::I64 => each!(i64),
        Fixed::U8 => each!(u8),
        Fixed::U16 => each!(u16),
        Fixed::U32 => each!(u32),
        Fixed::U64 => each!(u64),
        Fixed::F32 => each!(f32),
        Fixed::F64 => each!(f64),
    }
}

/// Appends the first `n` values of `bytes` as floats, integers times `scale`.
pub(super) fn extend_floats(f: Fixed, scale: f64, bytes: &[u8], n: usize, out: &mut Vec<f64>) {
    macro_rules! each {
        ($t:ty, $k:expr) => {{
            const W: usize = std::mem::size_of::<$t>();
            out.extend(bytes[..n * W].chunks_exact(W).map(|c| {
                let mut a = [0u8; W];
                a.copy_from_slice(c);
                <$t>::from_le_bytes(a) as f64 * $k
            }))
        }};
    }
    match f {
        Fixed::F64 => each!(f64, 1.0),
        Fixed::F32 => each!(f32, 1.0),
        Fixed::I32 => each!(i32, scale),
        Fixed::I64 => each!(i64, scale),
        _ => {
            let mut ints = Vec::with_capacity(n);
            extend_ints(f, bytes, n, &mut ints);
            out.extend(ints.into_iter().map(|i| i as f64 * scale));
        }
    }
}

/// How one column's body buffers become Loupe storage.
#[derive(Debug)]
pub(super) enum Kind {
    Int(Fixed),
    /// Unsigned 64-bit integers: integers while they fit in i64, else
    /// floats (all of the column, as when read whole).
    U64,
    /// Floats, or integers scaled to epoch milliseconds (`timestamp`).
    Float {
        fixed: Fixed,
        scale: f64,
        timestamp: bool,
    },
    Bool,
    /// Strings with 4- or 8-byte offsets.
    Text {
        offset_width: usize,
    },
    /// Dictionary keys into this batch's dictionary of strings.
    Dict {
        keys: Fixed,
        dict: Vec<String>,
        /// Entries that are null strings (their rows are null cells).
        dict_valid: Vec<bool>,
    },
}

/// One column's place in the body.
#[derive(Debug)]
pub(super) struct ColumnPlan {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) nulls: bool,
    /// The validity bitmap (read only when the column has nulls).
    pub(super) validity: Range<usize>,
    /// Text offsets (empty for other kinds).
    pub(super) offsets: Range<usize>,
    /// Values, keys or string bytes: the buffer read row by row as it arrives.
    pub(super) main: Range<usize>,
}

/// The storage kind of a field, with the number of body buffers it has
/// (`None`: not read progressively).
fn kind_of(
    field: &arrow_schema::Field,
    dictionaries: &HashMap<i64, ArrayRef>,
) -> Option<(Kind, usize)> {
    if field
        .metadata()
        .get(crate::parquet_write::JSON_FIELD)
        .is_some_and(|v| v == "1")
    {
        return None;
    }
    let float = |fixed, scale, timestamp| {
        Some((
            Kind::Float {
                fixed,
                scale,
                timestamp,
            },
            2,
        ))
    };
    match field.data_type() {
        DataType::Float32 => float(Fixed::F32, 1.0, false),
        DataType::Float64 => float(Fixed::F64, 1.0, false),
        DataType::Timestamp(unit, _) => float(Fixed::I64, ms_per(unit), true),
        DataType::Date32 => float(Fixed::I32, 86_400_000.0, true),
        DataType::Date64 => float(Fixed::I64, 1.0, true),
        DataType::Boolean => Some((Kind::Bool, 2)),
        DataType::UInt64 => Some((Kind::U64, 2)),
        DataType::Utf8 => Some((Kind::Text { offset_width: 4 }, 3)),
        DataType::LargeUtf8 => Some((Kind::Text { offset_width: 8 }, 3)),
        DataType::Dictionary(key, value)
            if matches!(value.as_ref(), DataType::Utf8 | DataType::LargeUtf8) =>
        {
            let keys = match key.as_ref() {
                DataType::UInt64 => Fixed::U64,
                other => Fixed::int(other)?,
            };
            #[allow(deprecated)] // arrow-rs still keys IPC dictionaries by this id
            let id = field.dict_id()?;
            let (dict, dict_valid) = dictionary_values(dictionaries.get(&id)?.as_ref());
            Some((
                Kind::Dict {
                    keys,
                    dict,
                    dict_valid,
                },
                2,
            ))
        }
        other => Fixed::int(other).map(|f| (Kind::Int(f), 2)),
    }
}

/// A record batch message's layout, read from its metadata.
pub(crate) struct BatchLayout<'a> {
    pub rows: i64,
    /// Per field: rows and null count.
    pub nodes: Vec<(i64, i64)>,
    /// Per buffer: offset and length in the body.
    pub buffers: Vec<(i64, i64)>,
    pub compressed: bool,
    pub variadic: bool,
    pub schema: &'a Schema,
    pub dictionaries: &'a HashMap<i64, ArrayRef>,
    pub body_len: usize,
}

impl BatchLayout<'_> {
    /// Column plans, or `None` when this batch is better read whole: a
    /// compressed body, a column type not read here, buffers out of order.
    pub(super) fn plans(&self) -> Option<(usize, Vec<ColumnPlan>)> {
        if self.compressed || self.variadic {
            return None;
        }
        let rows = usize::try_from(self.rows).ok()?;
        let fields = self.schema.fields();
        if self.nodes.len() != fields.len() {
            return None;
        }
        let mut buffers = self.buffers.iter().map(|&(offset, len)| {
            let start = usize::try_from(offset).ok()?;
            let end = start.checked_add(usize::try_from(len).ok()?)?;
            (end <= self.body_len).then_some(start..end)
        });
        let mut plans = Vec::with_capacity(fields.len());
        let mut last_end = 0usize;
        for (field, &(length, null_count)) in fields.iter().zip(&self.nodes) {
            if usize::try_from(length).ok()? != rows {
                return None;
            }
            let (kind, count) = kind_of(field, self.dictionaries)?;
            let mut spans = Vec::with_capacity(count);
            for _ in 0..count {
                spans.push(buffers.next()??);
            }
            // Buffers must come in order for bytes to be dropped behind them.
            for s in spans.iter().filter(|s| !s.is_empty()) {
                if s.start < last_end {
                    return None;
                }
                last_end = s.end;
            }
            let nulls = null_count > 0;
            if nulls && spans[0].len() < rows.div_ceil(8) {
                return None;
            }
            let (offsets, main) = match &kind {
                Kind::Text { offset_width } => {
                    if spans[1].len() < rows.checked_add(1)?.checked_mul(*offset_width)? {
                        return None;
                    }
                    (spans[1].clone(), spans[2].clone())
                }
                Kind::Bool => {
                    if spans[1].len() < rows.div_ceil(8) {
                        return None;
                    }
                    (0..0, spans[1].clone())
                }
                Kind::U64 => {
                    if spans[1].len() < rows.checked_mul(8)? {
                        return None;
                    }
                    (0..0, spans[1].clone())
                }
                Kind::Int(f) | Kind::Float { fixed: f, .. } | Kind::Dict { keys: f, .. } => {
                    if spans[1].len() < rows.checked_mul(f.width())? {
                        return None;
                    }
                    (0..0, spans[1].clone())
                }
            };
            plans.push(ColumnPlan {
                name: field.name().clone(),
                kind,
                nulls,
                validity: spans[0].clone(),
                offsets,
                main,
            });
        }
        if buffers.next().is_some() {
            return None;
        }
        Some((rows, plans))
    }
}
