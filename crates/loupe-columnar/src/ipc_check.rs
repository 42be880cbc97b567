//! Checks on Arrow IPC metadata before arrow-rs reads a message: its readers
//! slice buffers and view them as typed slices without checking, so a damaged
//! file would panic (in wasm: abort the worker) instead of failing with a
//! message. Every buffer must lie inside its body, and a buffer of fixed-width
//! values must hold whole values — in a compressed batch, once decompressed,
//! and the sizes it declares for that must be ones a codec can reach.

use arrow_schema::{DataType, Field, IntervalUnit, Schema};

use crate::ColumnarError;
use crate::ipc_stream::CONTINUATION;

fn damaged(what: String) -> ColumnarError {
    ColumnarError::Schema(format!("damaged Arrow data: {what}"))
}

/// A record batch's buffers against its body and its schema's layout.
pub(crate) fn check_batch(
    batch: arrow_ipc::RecordBatch,
    schema: &Schema,
    body: &[u8],
) -> Result<(), ColumnarError> {
    check_buffers(batch, body.len())?;
    let lengths = match batch.compression() {
        None => batch
            .buffers()
            .map(|b| b.iter().map(|b| b.length()).collect())
            .unwrap_or_default(),
        Some(_) => decompressed_lengths(batch, body)?,
    };
    let mut buffers = lengths.into_iter();
    for field in schema.fields() {
        check_layout(field.data_type(), &mut buffers)
            .map_err(|what| damaged(format!("column `{}`: {what}", field.name())))?;
    }
    Ok(())
}

/// The most a compressed buffer may declare it decompresses to, per byte of
/// it: zstd reaches at most 32Ki (a 128 KB block of one repeated byte in 4
/// bytes), LZ4 about 255. arrow-rs allocates what is declared up front.
const MOST_DECOMPRESSED_PER_BYTE: usize = 1 << 16;
/// The most a compressed batch may declare in all (wasm32 has 4 GiB).
const MOST_DECOMPRESSED_PER_BATCH: usize = 1 << 30;

/// The sizes a compressed batch's buffers decompress to, from the 8-byte
/// prefix each one starts with (-1: stored as is).
fn decompressed_lengths(
    batch: arrow_ipc::RecordBatch,
    body: &[u8],
) -> Result<Vec<i64>, ColumnarError> {
    let mut total = 0usize;
    let mut lengths = Vec::new();
    for b in batch.buffers().into_iter().flatten() {
        // check_buffers has put every buffer inside the body.
        let (start, len) = (b.offset() as usize, b.length() as usize);
        if len == 0 {
            lengths.push(0);
            continue;
        }
        let prefix = body
            .get(start..start + 8)
            .filter(|_| len >= 8)
            .and_then(|p| <[u8; 8]>::try_from(p).ok())
            .ok_or_else(|| {
                damaged(format!(
                    "a compressed buffer of {len} bytes has no 8-byte length"
                ))
            })?;
        let declared = i64::from_le_bytes(prefix);
        let out = if declared == -1 {
            len - 8
        } else {
            usize::try_from(declared)
                .ok()
                .filter(|&d| d <= (len - 8).saturating_mul(MOST_DECOMPRESSED_PER_BYTE))
                .ok_or_else(|| {
                    damaged(format!(
                        "a compressed buffer of {len} bytes declares {declared} bytes decompressed"
                    ))
                })?
        };
        total = total.saturating_add(out);
        lengths.push(out as i64);
    }
    if total > MOST_DECOMPRESSED_PER_BATCH {
        return Err(damaged(format!(
            "a compressed record batch declares {total} bytes decompressed (at most {MOST_DECOMPRESSED_PER_BATCH} are read)"
        )));
    }
    Ok(lengths)
}

/// The one-column schema a dictionary batch of dictionary `id` is read with.
pub(crate) fn dictionary_schema(schema: &Schema, id: i64) -> Result<Schema, ColumnarError> {
    #[allow(deprecated)] // arrow-rs still keys IPC dictionaries by this id
    let field = schema.fields().iter().find(|f| f.dict_id() == Some(id));
    match field.map(|f| f.data_type()) {
        Some(DataType::Dictionary(_, value)) => Ok(Schema::new(vec![Field::new(
            "",
            value.as_ref().clone(),
            true,
        )])),
        _ => Err(damaged(format!(
            "a dictionary with id {id}, which no column uses"
        ))),
    }
}

/// Bytes per value of a type's fixed-width buffer.
fn width(t: &DataType) -> Option<usize> {
    Some(match t {
        DataType::Int8 | DataType::UInt8 => 1,
        DataType::Int16 | DataType::UInt16 | DataType::Float16 => 2,
        DataType::Int32
        | DataType::UInt32
        | DataType::Float32
        | DataType::Date32
        | DataType::Time32(_)
        | DataType::Decimal32(_, _)
        | DataType::Interval(IntervalUnit::YearMonth) => 4,
        DataType::Int64
        | DataType::UInt64
        | DataType::Float64
        | DataType::Date64
        | DataType::Time64(_)
        | DataType::Timestamp(_, _)
        | DataType::Duration(_)
        | DataType::Decimal64(_, _)
        | DataType::Interval(IntervalUnit::DayTime) => 8,
        DataType::Decimal128(_, _) | DataType::Interval(IntervalUnit::MonthDayNano) => 16,
        DataType::Decimal256(_, _) => 32,
        DataType::FixedSizeBinary(n) => usize::try_from(*n).ok()?.max(1),
        _ => return None,
    })
}

/// Walks one column's buffers (validity first), checking that each buffer of
/// fixed-width values or offsets holds whole ones. Types not listed are left
/// to arrow-rs (the walk stops there).
fn check_layout(t: &DataType, buffers: &mut impl Iterator<Item = i64>) -> Result<(), String> {
    let mut whole = |w: usize, what: &str| match buffers.next() {
        Some(len) if usize::try_from(len).is_ok_and(|l| l % w == 0) => Ok(()),
        Some(len) => Err(format!(
            "its {what} buffer of {len} bytes holds no whole number of {w}-byte values"
        )),
        None => Err("fewer buffers than its type has".to_string()),
    };
    if let Some(w) = width(t) {
        whole(1, "validity")?;
        return whole(w, "values");
    }
    match t {
        DataType::Null => Ok(()),
        DataType::Boolean => {
            whole(1, "validity")?;
            whole(1, "values")
        }
        DataType::Utf8 | DataType::Binary => {
            whole(1, "validity")?;
            whole(4, "offsets")?;
            whole(1, "data")
        }
        DataType::LargeUtf8 | DataType::LargeBinary => {
            whole(1, "validity")?;
            whole(8, "offsets")?;
            whole(1, "data")
        }
        DataType::Dictionary(key, _) => {
            whole(1, "validity")?;
            whole(width(key).unwrap_or(1), "keys")
        }
        DataType::List(child) | DataType::Map(child, _) => {
            whole(1, "validity")?;
            whole(4, "offsets")?;
            check_layout(child.data_type(), buffers)
        }
        DataType::LargeList(child) => {
            whole(1, "validity")?;
            whole(8, "offsets")?;
            check_layout(child.data_type(), buffers)
        }
        DataType::FixedSizeList(child, _) => {
            whole(1, "validity")?;
            check_layout(child.data_type(), buffers)
        }
        DataType::Struct(fields) => {
            whole(1, "validity")?;
            for f in fields {
                check_layout(f.data_type(), buffers)?;
            }
            Ok(())
        }
        // arrow-rs slices a union's buffers by the node's length unchecked;
        // Loupe has no view of unions or run-end encoding anyway.
        DataType::Union(_, _) | DataType::RunEndEncoded(_, _) => {
            Err(format!("{t} columns are not read"))
        }
        // View types and list views: their layouts are left to arrow-rs, and
        // so are the columns after them.
        _ => {
            buffers.for_each(drop);
            Ok(())
        }
    }
}

/// Every buffer of a batch lies inside its body (arrow-rs slices them
/// without checking, and a bad offset would panic rather than fail).
fn check_buffers(batch: arrow_ipc::RecordBatch, body_len: usize) -> Result<(), ColumnarError> {
    let inside = |b: &arrow_ipc::Buffer| {
        let start = usize::try_from(b.offset()).ok();
        let len = usize::try_from(b.length()).ok();
        start
            .zip(len)
            .and_then(|(s, l)| s.checked_add(l))
            .is_some_and(|end| end <= body_len)
    };
    match batch.buffers() {
        Some(buffers) if !buffers.iter().all(inside) => Err(ColumnarError::Schema(format!(
            "an Arrow record batch points outside its {body_len}-byte body"
        ))),
        _ => Ok(()),
    }
}

/// Every block the footer lists lies inside the file, and every buffer of its
/// message inside its body: arrow-rs's file reader slices them unchecked and
/// would panic on a damaged file rather than fail.
pub(crate) fn check_file_blocks(bytes: &[u8]) -> Result<(), ColumnarError> {
    let bad = |what: &str| ColumnarError::Schema(format!("the Arrow file's footer {what}"));
    let n = bytes.len();
    let Some(tail) = bytes
        .get(n.saturating_sub(10)..)
        .and_then(|t| <[u8; 10]>::try_from(t).ok())
    else {
        return Err(bad("is missing"));
    };
    let footer_len = arrow_ipc::reader::read_footer_length(tail)?;
    let footer = n
        .checked_sub(10 + footer_len)
        .and_then(|start| bytes.get(start..n - 10))
        .ok_or_else(|| bad("is longer than the file"))?;
    let footer =
        arrow_ipc::root_as_footer(footer).map_err(|e| bad(&format!("cannot be read ({e})")))?;
    let schema = footer
        .schema()
        .ok_or_else(|| bad("has no schema"))
        .and_then(|fb| Ok(arrow_ipc::convert::try_fb_to_schema(fb)?))?;
    let blocks = footer.recordBatches().into_iter().flatten();
    for block in blocks.chain(footer.dictionaries().into_iter().flatten()) {
        let offset = usize::try_from(block.offset()).ok();
        let meta = usize::try_from(block.metaDataLength())
            .ok()
            .filter(|&m| m >= 8);
        let body = usize::try_from(block.bodyLength()).ok();
        let (Some(offset), Some(meta), Some(body)) = (offset, meta, body) else {
            return Err(bad("lists a block with a bad length"));
        };
        let message = offset
            .checked_add(meta)
            .filter(|&end| end.checked_add(body).is_some_and(|e| e <= n))
            .map(|end| &bytes[offset..end])
            .ok_or_else(|| bad("lists a block outside the file"))?;
        let message = if message[..4] == CONTINUATION {
            &message[8..]
        } else {
            &message[4..]
        };
        let message = arrow_ipc::root_as_message(message)
            .map_err(|e| bad(&format!("lists a message that cannot be read ({e})")))?;
        let body = &bytes[offset + meta..offset + meta + body];
        if let Some(batch) = message.header_as_record_batch() {
            check_batch(batch, &schema, body)?;
        }
        if let Some(dictionary) = message.header_as_dictionary_batch()
            && let Some(data) = dictionary.data()
        {
            check_batch(data, &dictionary_schema(&schema, dictionary.id())?, body)?;
        }
    }
    Ok(())
}
