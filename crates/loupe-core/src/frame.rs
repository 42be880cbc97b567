//! A table as one flat byte buffer, for handing tables between wasm instances
//! (the Parquet/Arrow worker → the app) without re-parsing: numbers and codes
//! are copied as little-endian arrays, strings as lengths + bytes, and only
//! nested cells go through JSON text.
//!
//! Layout: `LOUPEFR2`, u32 column count, u64 row count, then per column its
//! name, its declared W&B type (the SDK's JSON for it, empty when none: image
//! columns' class names, timestamps and ndarray side files live there), a
//! storage tag and the storage. Frames come from our own worker, but
//! decoding still checks every length (a truncated or foreign buffer is an
//! error, never a panic).

use crate::bitmap::Bitmap;
use crate::column::ColumnData;
use crate::error::FormatError;
use crate::export::value_to_json;
use crate::json;
use crate::table::{Column, Table};
use crate::value::{CellHint, Value};
use crate::wbtype::WbType;

const MAGIC: &[u8; 8] = b"LOUPEFR2";

const NULL: u8 = 0;
const BOOL: u8 = 1;
const INT: u8 = 2;
const FLOAT: u8 = 3;
const TIMESTAMP: u8 = 4;
const DICT: u8 = 5;
const TEXT: u8 = 6;
const VALUES: u8 = 7;

/// Nested cells: JSON text, or the message of an invalid cell.
const CELL_JSON: u8 = 0;
const CELL_INVALID: u8 = 1;

/// The table as a frame.
pub fn encode(table: &Table) -> Vec<u8> {
    let columns: Vec<&Column> = table.columns.iter().collect();
    encode_columns(table.row_count(), &columns)
}

/// Some columns (each `rows` long) as a frame, without gathering them into a table first.
pub fn encode_columns(rows: usize, columns: &[&Column]) -> Vec<u8> {
    let bytes: usize = columns.iter().map(|c| c.data().heap_bytes()).sum();
    let mut out = Vec::with_capacity(bytes + 64);
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, columns.len() as u32);
    out.extend_from_slice(&(rows as u64).to_le_bytes());
    for column in columns {
        put_bytes(&mut out, column.name.as_bytes());
        let declared = column
            .declared
            .as_ref()
            .map(|t| json::to_string(&t.to_json(), false));
        put_bytes(&mut out, declared.unwrap_or_default().as_bytes());
        encode_data(&mut out, column.data());
    }
    out
}

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u32(out, bytes.len() as u32);
    out.extend_from_slice(bytes);
}

fn put_bitmap(out: &mut Vec<u8>, bits: &Bitmap) {
    put_array(out, bits.words(), u64::to_le_bytes);
}

/// Fixed-width items as little-endian bytes, converted a stack buffer at a
/// time and appended with one copy each: a million-row column is a tight
/// loop, where a growth check per item (or zero-filling first) cost 10+ ns an
/// item in the page's size-optimized build.
pub(crate) fn put_array<T: Copy, const W: usize>(
    out: &mut Vec<u8>,
    values: &[T],
    to_bytes: impl Fn(T) -> [u8; W],
) {
    const BUFFER: usize = 4096;
    out.reserve(values.len() * W);
    let mut buf = [0u8; BUFFER];
    for chunk in values.chunks(BUFFER / W) {
        let n = chunk.len() * W;
        for (dst, v) in buf[..n].chunks_exact_mut(W).zip(chunk) {
            dst.copy_from_slice(&to_bytes(*v));
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn encode_data(out: &mut Vec<u8>, data: &ColumnData) {
    match data {
        ColumnData::Null(_) => out.push(NULL),
        ColumnData::Bool { values, valid } => {
            out.push(BOOL);
            put_bitmap(out, values);
            put_bitmap(out, valid);
        }
        ColumnData::Int { values, valid } => {
            out.push(INT);
            put_array(out, values, i64::to_le_bytes);
            put_bitmap(out, valid);
        }
        ColumnData::Float {
            values,
            valid,
            timestamp,
        } => {
            out.push(if *timestamp { TIMESTAMP } else { FLOAT });
            put_array(out, values, f64::to_le_bytes);
            put_bitmap(out, valid);
        }
        ColumnData::Dict { dict, codes, valid } => {
            out.push(DICT);
            put_u32(out, dict.len() as u32);
            for s in dict {
                put_bytes(out, s.as_bytes());
            }
            put_array(out, codes, u32::to_le_bytes);
            put_bitmap(out, valid);
        }
        ColumnData::Text {
            offsets,
            bytes,
            valid,
        } => {
            out.push(TEXT);
            put_array(out, offsets, u32::to_le_bytes);
            put_bytes(out, bytes);
            put_bitmap(out, valid);
        }
        ColumnData::Values(values) => {
            out.push(VALUES);
            for v in values {
                match v {
                    Value::Invalid(message) => {
                        out.push(CELL_INVALID);
                        put_bytes(out, message.as_bytes());
                    }
                    other => {
                        out.push(CELL_JSON);
                        put_bytes(
                            out,
                            json::to_string(&value_to_json(other), false).as_bytes(),
                        );
                    }
                }
            }
        }
    }
}

/// Reads a frame back into a table.
pub fn decode(bytes: &[u8]) -> Result<Table, FormatError> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(bad("not a Loupe table frame"));
    }
    let ncols = r.u32()? as usize;
    let nrows = usize::try_from(r.u64()?).map_err(|_| bad("row count too large"))?;
    let mut columns = Vec::with_capacity(ncols.min(4096));
    for _ in 0..ncols {
        let name = r.string()?;
        let declared = match r.string()? {
            text if text.is_empty() => None,
            text => Some(WbType::from_json(
                &json::parse(text.as_bytes()).map_err(|_| bad("a declared type is not JSON"))?,
            )),
        };
        // Nested cells read back with their column's hint, as from the file:
        // an ndarray cell is written as `null` beside its side file's path.
        let hint = declared.as_ref().map(WbType::cell_hint).unwrap_or_default();
        let data = decode_data(&mut r, nrows, &hint)?;
        columns.push(Column::new(name, declared, data));
    }
    if r.pos != bytes.len() {
        return Err(bad("bytes left after the last column"));
    }
    Table::with_row_count(columns, nrows)
}

pub(crate) fn bad(message: &str) -> FormatError {
    FormatError::BadField {
        field: "frame",
        message: message.to_string(),
    }
}

pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| bad("cut short"))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, FormatError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, FormatError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], FormatError> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn string(&mut self) -> Result<String, FormatError> {
        std::str::from_utf8(self.bytes()?)
            .map(str::to_string)
            .map_err(|_| bad("a string is not UTF-8"))
    }

    /// `n` fixed-width little-endian items, checked for length before allocating.
    pub(crate) fn array<const W: usize, T>(
        &mut self,
        n: usize,
        from: fn([u8; W]) -> T,
    ) -> Result<Vec<T>, FormatError> {
        let raw = self.take(n.checked_mul(W).ok_or_else(|| bad("too long"))?)?;
        Ok(raw
            .chunks_exact(W)
            .map(|c| {
                let mut b = [0u8; W];
                b.copy_from_slice(c);
                from(b)
            })
            .collect())
    }

    fn bitmap(&mut self, len: usize) -> Result<Bitmap, FormatError> {
        let words = self.array(len.div_ceil(64), u64::from_le_bytes)?;
        Bitmap::from_words(words, len).ok_or_else(|| bad("bitmap length"))
    }
}

fn decode_data(r: &mut Reader<'_>, n: usize, hint: &CellHint) -> Result<ColumnData, FormatError> {
    Ok(match r.u8()? {
        NULL => ColumnData::Null(n),
        BOOL => ColumnData::Bool {
            values: r.bitmap(n)?,
            valid: r.bitmap(n)?,
        },
        INT => ColumnData::Int {
            values: r.array(n, i64::from_le_bytes)?,
            valid: r.bitmap(n)?,
        },
        tag @ (FLOAT | TIMESTAMP) => ColumnData::Float {
            values: r.array(n, f64::from_le_bytes)?,
            valid: r.bitmap(n)?,
            timestamp: tag == TIMESTAMP,
        },
        DICT => {
            let len = r.u32()? as usize;
            let dict = (0..len)
                .map(|_| r.string())
                .collect::<Result<Vec<_>, _>>()?;
            let codes: Vec<u32> = r.array(n, u32::from_le_bytes)?;
            if codes.iter().any(|c| *c as usize >= dict.len().max(1)) {
                return Err(bad("a dictionary code is out of range"));
            }
            ColumnData::dictionary(dict, codes, r.bitmap(n)?)
        }
        TEXT => {
            let offsets: Vec<u32> = r.array(n + 1, u32::from_le_bytes)?;
            let bytes = r.bytes()?.to_vec();
            let in_order = offsets.first() == Some(&0)
                && offsets.windows(2).all(|w| w[0] <= w[1])
                && offsets.last().is_some_and(|&e| e as usize == bytes.len());
            let on_chars = std::str::from_utf8(&bytes)
                .is_ok_and(|text| offsets.iter().all(|&o| text.is_char_boundary(o as usize)));
            if !in_order || !on_chars {
                return Err(bad("text offsets or bytes are malformed"));
            }
            ColumnData::Text {
                offsets,
                bytes,
                valid: r.bitmap(n)?,
            }
        }
        VALUES => {
            let mut values = Vec::with_capacity(n.min(1 << 20));
            for _ in 0..n {
                let tag = r.u8()?;
                let text = r.string()?;
                values.push(match tag {
                    CELL_INVALID => Value::Invalid(text),
                    _ => match json::parse(text.as_bytes()) {
                        Ok(j) => Value::from_json(&j, hint),
                        Err(e) => Value::Invalid(format!("frame cell: {e}")),
                    },
                });
            }
            ColumnData::Values(values)
        }
        other => return Err(bad(&format!("unknown column storage {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let doc = br#"{"_type": "table", "columns": ["id", "label", "caption", "score", "ok", "box", "none", "img"],
            "data": [[1, "cat", "a long caption \u00e9", 0.5, true, {"a": [1, 2]}, null,
                      {"_type": "image-file", "path": "media/images/a.png", "format": "png", "width": 8, "height": 6, "grouping": 2,
                       "classes": {"_type": "classes-file", "path": "media/classes/c.classes.json"},
                       "boxes": {"truth": [{"position": {"minX": 0.1, "minY": 0.2, "maxX": 0.5, "maxY": 0.6}, "class_id": 3, "box_caption": "cat", "scores": {"p": 0.9}},
                                           {"position": {"middle": [4, 3], "width": 2, "height": 2}, "domain": "pixel", "class_id": 1}]},
                       "masks": {"seg": {"_type": "mask", "path": "media/images/mask/m.png"}}}],
                     [2, null, "x", null, false, "text", null, null],
                     [null, "dog", null, 1.25, null, null, null, null]]}"#;
        crate::read_table(doc).expect("sample table parses")
    }

    #[test]
    fn frames_round_trip_every_cell() {
        let table = sample();
        let back = decode(&encode(&table)).expect("decodes");
        assert_eq!(back.row_count(), table.row_count());
        for (a, b) in table.columns.iter().zip(&back.columns) {
            assert_eq!(a.name, b.name);
            assert_eq!(a.data(), b.data(), "column {}", a.name);
        }
    }

    /// The SDK's declared column types (image class names per layer, ndarray
    /// side files, timestamps) travel with their columns.
    #[test]
    fn frames_keep_declared_types() {
        let fixtures: [&[u8]; 3] = [
            include_bytes!("../tests/fixtures/media/v0/media.table.json"),
            include_bytes!("../tests/fixtures/ndarrays/v0/arrays.table.json"),
            include_bytes!("../tests/fixtures/value_types/v0/values.table.json"),
        ];
        let mut images = 0;
        for doc in fixtures {
            let table = crate::read_table(doc).expect("fixture parses");
            let back = decode(&encode(&table)).expect("decodes");
            for (a, b) in table.columns.iter().zip(&back.columns) {
                assert_eq!(a.declared, b.declared, "column {}", a.name);
                // A nested table travels as its JSON cells, without its own
                // columns' declared types.
                if a.kind() != Some(crate::ValueKind::Table) {
                    assert_eq!(a.data(), b.data(), "column {}", a.name);
                }
                images += usize::from(
                    b.declared
                        .as_ref()
                        .and_then(WbType::image_info)
                        .is_some_and(|i| !i.box_class_maps.is_empty()),
                );
            }
        }
        assert!(
            images > 0,
            "no fixture declares an image column's box classes"
        );
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = encode(&sample());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut} decoded");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
    }
}
