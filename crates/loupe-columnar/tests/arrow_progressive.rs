//! Record batches read column by column as their bodies arrive
//! (`ArrowIncremental`): the same cells as arrow-rs reading the whole bytes,
//! for every flat column type, nulls, dictionaries replaced between batches,
//! streams and files, at any chunking; bad bytes are errors, not cells; and
//! the body of a large batch is never held whole.

use std::sync::Arc;

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::{Int8Type, Int32Type};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float32Array, Float64Array, Int8Array, Int16Array,
    Int32Array, Int64Array, LargeStringArray, RecordBatch, StringArray, TimestampMicrosecondArray,
    UInt8Array, UInt32Array, UInt64Array,
};
use arrow_ipc::writer::{FileWriter, StreamWriter};
use arrow_schema::Schema;
use bytes::Bytes;
use loupe_columnar::ipc::{ArrowIncremental, read_arrow};
use loupe_core::{ColumnData, Table};
use proptest::prelude::*;

mod support;
use support::read_by_arrow_rs;

/// One generated row: a number, a flag, a label from a few, a free string.
#[derive(Debug, Clone)]
struct Row {
    n: Option<i64>,
    x: Option<f64>,
    flag: Option<bool>,
    label: Option<u8>,
    text: Option<String>,
}

fn row() -> impl Strategy<Value = Row> {
    (
        proptest::option::weighted(0.9, any::<i64>()),
        proptest::option::weighted(0.9, -1e9f64..1e9),
        proptest::option::weighted(0.9, any::<bool>()),
        proptest::option::weighted(0.9, 0u8..6),
        proptest::option::weighted(0.9, "[a-zé€😀 ]{0,12}"),
    )
        .prop_map(|(n, x, flag, label, text)| Row {
            n,
            x,
            flag,
            label,
            text,
        })
}

const LABELS: [&str; 6] = ["cat", "dog", "ship", "", "truck", "ünï"];

/// A record batch with a column of every flat type read progressively.
/// Its dictionaries hold every label, in an order `rotate`d by that many
/// places (so a stream's batches replace each other's dictionaries).
fn batch(rows: &[Row], rotate: usize) -> RecordBatch {
    let n = |f: fn(i64) -> i64| rows.iter().map(move |r| r.n.map(f));
    let order = StringArray::from_iter_values(
        (0..LABELS.len()).map(|i| LABELS[(i + rotate) % LABELS.len()]),
    );
    let mut dict8 = StringDictionaryBuilder::<Int8Type>::new_with_dictionary(rows.len(), &order)
        .expect("dictionary");
    let mut dict32 = StringDictionaryBuilder::<Int32Type>::new_with_dictionary(rows.len(), &order)
        .expect("dictionary");
    for r in rows {
        match r.label {
            Some(l) => {
                let text = LABELS[l as usize];
                dict8.append_value(text);
                dict32.append_value(text);
            }
            None => {
                dict8.append_null();
                dict32.append_null();
            }
        }
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "i8",
            Arc::new(Int8Array::from_iter(
                n(|v| v % 100).map(|v| v.map(|v| v as i8)),
            )),
        ),
        (
            "i16",
            Arc::new(Int16Array::from_iter(
                n(|v| v % 30_000).map(|v| v.map(|v| v as i16)),
            )),
        ),
        (
            "i32",
            Arc::new(Int32Array::from_iter(
                n(|v| v % 2_000_000_000).map(|v| v.map(|v| v as i32)),
            )),
        ),
        ("i64", Arc::new(Int64Array::from_iter(n(|v| v)))),
        (
            "u8",
            Arc::new(UInt8Array::from_iter(
                n(|v| v.rem_euclid(256)).map(|v| v.map(|v| v as u8)),
            )),
        ),
        (
            "u32",
            Arc::new(UInt32Array::from_iter(
                n(|v| v.rem_euclid(1 << 32)).map(|v| v.map(|v| v as u32)),
            )),
        ),
        (
            "u64",
            Arc::new(UInt64Array::from_iter(
                n(|v| v.rem_euclid(1 << 40)).map(|v| v.map(|v| v as u64)),
            )),
        ),
        (
            "f32",
            Arc::new(Float32Array::from_iter(
                rows.iter().map(|r| r.x.map(|x| x as f32)),
            )),
        ),
        (
            "f64",
            Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.x))),
        ),
        (
            "ts",
            Arc::new(TimestampMicrosecondArray::from_iter(n(|v| v % (1 << 50)))),
        ),
        (
            "day",
            Arc::new(Date32Array::from_iter(
                n(|v| v % 100_000).map(|v| v.map(|v| v as i32)),
            )),
        ),
        (
            "flag",
            Arc::new(BooleanArray::from_iter(rows.iter().map(|r| r.flag))),
        ),
        (
            "label",
            Arc::new(StringArray::from_iter(
                rows.iter().map(|r| r.label.map(|l| LABELS[l as usize])),
            )),
        ),
        (
            "text",
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.text.clone()))),
        ),
        (
            "large",
            Arc::new(LargeStringArray::from_iter(
                rows.iter().map(|r| r.text.clone()),
            )),
        ),
        ("dict8", Arc::new(dict8.finish())),
        ("dict32", Arc::new(dict32.finish())),
    ];
    // Every column nullable: the first batch's schema must admit later nulls.
    RecordBatch::try_from_iter_with_nullable(columns.into_iter().map(|(n, a)| (n, a, true)))
        .expect("batch")
}

fn stream_of(batches: &[RecordBatch]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = StreamWriter::try_new(&mut out, &batches[0].schema()).expect("writer");
    for b in batches {
        w.write(b).expect("batch");
    }
    w.finish().expect("finish");
    drop(w);
    out
}

fn file_of(batches: &[RecordBatch]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = FileWriter::try_new(&mut out, &batches[0].schema()).expect("writer");
    for b in batches {
        w.write(b).expect("batch");
    }
    w.finish().expect("finish");
    drop(w);
    out
}

/// Reads `bytes` in chunks of the given sizes (cycled), every batch
/// progressively, taking the rows read so far out after every chunk whose
/// size is odd; also says how many batches were read progressively.
fn read_in_chunks(bytes: &[u8], sizes: &[usize]) -> Result<(Table, usize), String> {
    let mut reader = ArrowIncremental::with_progressive_from(0);
    let mut pieces = Vec::new();
    let mut at = 0;
    for size in sizes.iter().cycle() {
        if at >= bytes.len() {
            break;
        }
        let end = (at + size.max(&1)).min(bytes.len());
        reader.push(&bytes[at..end]).map_err(|e| e.to_string())?;
        at = end;
        if size % 2 == 1
            && let Some(piece) = reader.take().map_err(|e| e.to_string())?
        {
            pieces.push(piece);
        }
    }
    let progressive = reader.progressive_batches();
    pieces.push(reader.finish().map_err(|e| e.to_string())?);
    Ok((
        Table::concat(pieces).map_err(|e| e.to_string())?,
        progressive,
    ))
}

fn assert_same_table(read: &Table, whole: &Table) {
    assert_eq!(read.row_count(), whole.row_count());
    for (a, b) in read.columns.iter().zip(&whole.columns) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.data_type(), b.data_type(), "column {}", a.name);
        for r in 0..read.row_count() {
            assert_eq!(a.value(r), b.value(r), "column {} row {r}", a.name);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn batches_read_as_they_arrive_equal_the_whole_read(
        parts in proptest::collection::vec(proptest::collection::vec(row(), 0..120), 1..4),
        sizes in proptest::collection::vec(1usize..700, 1..6),
        as_file in any::<bool>(),
    ) {
        // A file holds one dictionary per column; a stream may replace it.
        let batches: Vec<RecordBatch> = parts
            .iter()
            .enumerate()
            .map(|(i, rows)| batch(rows, if as_file { 0 } else { i }))
            .collect();
        let bytes = if as_file { file_of(&batches) } else { stream_of(&batches) };
        let whole = read_by_arrow_rs(&bytes).expect("arrow-rs reads it");
        let (read, progressive) = read_in_chunks(&bytes, &sizes).expect("read as it arrives");
        assert_same_table(&read, &whole);
        // Whole bytes, with the default threshold (these batches are small: read by arrow-rs).
        assert_same_table(&read_arrow(Bytes::from(bytes)).expect("whole read"), &whole);
        let with_rows = parts.iter().filter(|p| !p.is_empty()).count();
        prop_assert!(progressive >= with_rows, "{progressive} of {with_rows} batches read as they arrived");
    }
}

/// Many rows of distinct strings become text storage, repeating ones a
/// dictionary, as when the batch is read whole.
#[test]
fn strings_choose_their_storage_as_when_read_whole() {
    let rows: Vec<Row> = (0..5000)
        .map(|i| Row {
            n: Some(i),
            x: None,
            flag: None,
            label: Some((i % 6) as u8),
            text: Some(format!("caption {i} ü")),
        })
        .collect();
    let bytes = stream_of(&[batch(&rows, 0)]);
    let (read, _) = read_in_chunks(&bytes, &[4096]).expect("reads");
    let whole = read_by_arrow_rs(&bytes).expect("whole");
    assert_same_table(&read, &whole);
    let storage = |name: &str| read.column(name).map(|c| c.data().clone());
    assert!(matches!(storage("text"), Some(ColumnData::Text { .. })));
    assert!(matches!(storage("label"), Some(ColumnData::Dict { .. })));
    assert!(matches!(storage("dict32"), Some(ColumnData::Dict { .. })));
}

/// A large batch's body is dropped as its columns are read: what the reader
/// holds stays a small part of the body.
#[test]
fn a_large_batch_is_never_held_whole() {
    let rows: Vec<Row> = (0..200_000)
        .map(|i| Row {
            n: Some(i * 7),
            x: Some(i as f64 / 3.0),
            flag: Some(i % 3 == 0),
            label: Some((i % 6) as u8),
            text: Some(format!("a caption that is not short, number {i}")),
        })
        .collect();
    let batch = batch(&rows, 0);
    let bytes = stream_of(std::slice::from_ref(&batch));
    assert!(bytes.len() > 30 << 20, "body of {} bytes", bytes.len());
    let mut reader = ArrowIncremental::new();
    let mut most = 0;
    for chunk in bytes.chunks(64 << 10) {
        reader.push(chunk).expect("chunk");
        most = most.max(reader.buffered_bytes());
    }
    assert_eq!(reader.progressive_batches(), 1);
    let read = reader.finish().expect("reads");
    assert_eq!(read.row_count(), 200_000);
    assert!(most < 4 << 20, "held {most} of {} bytes", bytes.len());
}

/// Invalid UTF-8 in a string column, or a dictionary key outside its
/// dictionary, is an error naming the column, on both paths.
#[test]
fn bad_strings_and_keys_are_errors() {
    let rows: Vec<Row> = (0..3000)
        .map(|i| Row {
            n: Some(i),
            x: None,
            flag: None,
            label: Some(1),
            text: Some(format!("t{i:05}")),
        })
        .collect();
    let mut bytes = stream_of(&[batch(&rows, 0)]);
    // Corrupt one string ("t01234" → "t\xff1234") in the `text` column.
    let at = bytes
        .windows(6)
        .position(|w| w == b"t01234")
        .expect("string in the body");
    bytes[at + 1] = 0xff;
    let err = read_in_chunks(&bytes, &[1000]).expect_err("invalid UTF-8 read");
    assert!(err.contains("`text`") && err.contains("1234"), "{err}");
    assert!(read_by_arrow_rs(&bytes).is_err());
    assert!(read_arrow(Bytes::from(bytes)).is_err());

    // A key of `dict8` (one byte each) pointing past the dictionary.
    let labels: Vec<Row> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| Row {
            label: Some((i % 6) as u8),
            text: None,
            ..r.clone()
        })
        .collect();
    let b = batch(&labels, 0);
    let narrow = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            b.schema().field_with_name("dict8").expect("dict8").clone(),
        ])),
        vec![b.column_by_name("dict8").expect("dict8").clone()],
    )
    .expect("one column");
    let mut bytes = stream_of(&[narrow]);
    // Keys are the labels' places in the dictionary: 0, 1, …, 5, 0, 1, …
    let keys_at = bytes
        .windows(12)
        .position(|w| w == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5])
        .expect("keys in the body");
    bytes[keys_at + 17] = 9;
    let err = read_in_chunks(&bytes, &[512]).expect_err("bad key read");
    assert!(err.contains("`dict8`") && err.contains("row 17"), "{err}");
}

/// Cut inside a large batch's body: an error, never a shorter table.
#[test]
fn a_batch_cut_short_is_an_error() {
    let rows: Vec<Row> = (0..20_000)
        .map(|i| Row {
            n: Some(i),
            x: Some(1.5),
            flag: Some(true),
            label: None,
            text: Some("x".repeat(40)),
        })
        .collect();
    let bytes = stream_of(&[batch(&rows, 0)]);
    for cut in [bytes.len() / 3, bytes.len() - 100] {
        assert!(
            read_in_chunks(&bytes[..cut], &[8192]).is_err(),
            "cut at {cut}"
        );
    }
}

/// Another writer's stream and file (arrow-js, `tools/fixtures/arrow_js.mjs`),
/// at any chunking, equal arrow-rs's reading. The stream is read as it
/// arrives; arrow-js writes a file's schema only in its footer, so the file
/// is kept and read through the footer at its end.
#[test]
fn arrow_js_streams_and_files_read_as_they_arrive() {
    for (name, as_it_arrives) in [("arrow-js.arrows", 1), ("arrow-js.arrow", 0)] {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).expect("fixture");
        let whole = read_by_arrow_rs(&bytes).expect("arrow-rs reads it");
        assert_eq!(whole.row_count(), 1000);
        for sizes in [vec![bytes.len()], vec![1], vec![333, 64, 4097]] {
            let (read, progressive) = read_in_chunks(&bytes, &sizes).expect(name);
            assert_eq!(progressive, as_it_arrives, "{name}");
            assert_same_table(&read, &whole);
        }
        let caption = whole.column("caption").expect("caption");
        assert_eq!(caption.data().str_at(1), Some("caption 1 — ü"));
        assert_eq!(caption.data().str_at(13), None);
    }
}
