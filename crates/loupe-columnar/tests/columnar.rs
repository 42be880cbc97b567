//! Parquet and Arrow IPC reading: values, per-batch dictionaries, row groups
//! read from byte ranges, and Loupe's own Parquet written and read back.

use std::sync::Arc;

use arrow_array::builder::{StringDictionaryBuilder, StructBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_ipc::writer::{FileWriter, StreamWriter};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use bytes::Bytes;
use loupe_columnar::ipc::ArrowIncremental;
use loupe_columnar::parquet_read::FOOTER_LEN;
use loupe_columnar::parquet_write::write_parquet;
use loupe_columnar::{ParquetPlan, read_columnar, read_parquet};
use loupe_core::{ColumnData, Table, Value};

mod support;

fn dict_batch(schema: &Arc<Schema>, ids: &[i64], labels: &[Option<&str>]) -> RecordBatch {
    let mut b = StringDictionaryBuilder::<Int32Type>::new();
    for l in labels {
        match l {
            Some(s) => {
                b.append_value(s);
            }
            None => b.append_null(),
        }
    }
    RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(ids.to_vec())) as ArrayRef,
            Arc::new(b.finish()) as ArrayRef,
        ],
    )
    .expect("batch")
}

/// `id` (int) and `label` (dictionary-encoded strings).
fn id_label_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new(
            "label",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
    ]))
}

fn labels_of(t: &Table) -> Vec<Option<String>> {
    let c = t.column("label").expect("label column");
    (0..t.row_count())
        .map(|r| c.data().str_at(r).map(str::to_string))
        .collect()
}

/// Each batch brings its own dictionary (code 0 means "cat" in the first,
/// "ship" in the second): a reader that keeps the first dictionary gets the
/// second batch's labels wrong.
#[test]
fn arrow_streams_with_a_new_dictionary_per_batch_read_every_label() {
    let schema = id_label_schema();
    let first = dict_batch(
        &schema,
        &[1, 2, 3],
        &[Some("cat"), Some("dog"), Some("cat")],
    );
    let second = dict_batch(&schema, &[4, 5, 6], &[Some("ship"), None, Some("dog")]);
    let mut stream = Vec::new();
    {
        let mut w = StreamWriter::try_new(&mut stream, &schema).expect("writer");
        w.write(&first).expect("first batch");
        w.write(&second).expect("second batch");
        w.finish().expect("finish");
    }
    // The stream really carries two dictionary messages (a replacement).
    let dictionary_messages = count_dictionary_messages(&stream);
    assert_eq!(dictionary_messages, 2, "expected a replaced dictionary");
    // A stream cut inside a message is an error, never a shorter table.
    for cut in [stream.len() - 1, stream.len() / 2, 12] {
        assert!(
            read_columnar(Bytes::copy_from_slice(&stream[..cut])).is_err(),
            "cut at {cut} read as a table"
        );
    }
    let t = read_columnar(Bytes::from(stream)).expect("stream reads");
    assert_eq!(t.row_count(), 6);
    let want = ["cat", "dog", "cat", "ship", "", "dog"];
    let got = labels_of(&t);
    for (r, w) in want.iter().enumerate() {
        if r == 4 {
            assert_eq!(got[r], None, "row 4 is null");
        } else {
            assert_eq!(got[r].as_deref(), Some(*w), "row {r}");
        }
    }
    let ids: Vec<Option<f64>> = (0..6).map(|r| t.columns[0].data().f64_at(r)).collect();
    assert_eq!(ids, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0].map(Some));
}

/// Counts IPC messages whose flatbuffer header is a DictionaryBatch (type 2),
/// by walking the stream's length-prefixed messages.
/// A batch whose dictionary column is all nulls carries an empty dictionary
/// (arrow-rs's conversion asserts on those), and a stream of no rows still has
/// its columns' types: both read, streamed or whole.
#[test]
fn empty_dictionaries_and_empty_streams_read() {
    let schema = id_label_schema();
    let nulls = dict_batch(&schema, &[1, 2, 3], &[None, None, None]);
    let labelled = dict_batch(&schema, &[4], &[Some("cat")]);
    for batches in [vec![nulls.clone()], vec![nulls, labelled]] {
        let mut stream = Vec::new();
        let mut w = StreamWriter::try_new(&mut stream, &schema).expect("writer");
        for b in &batches {
            w.write(b).expect("batch");
        }
        w.finish().expect("finish");
        drop(w);
        let mut expected = vec![None, None, None];
        if batches.len() == 2 {
            expected.push(Some("cat".to_string()));
        }
        let t = read_columnar(Bytes::from(stream.clone())).expect("reads");
        assert_eq!(labels_of(&t), expected);
        let mut progressive = ArrowIncremental::with_progressive_from(0);
        progressive.push(&stream).expect("read as it arrives");
        assert_eq!(progressive.progressive_batches(), batches.len());
        assert_eq!(labels_of(&progressive.finish().expect("ends")), expected);
    }

    let mut stream = Vec::new();
    let mut w = StreamWriter::try_new(&mut stream, &schema).expect("writer");
    w.finish().expect("finish");
    drop(w);
    let t = read_columnar(Bytes::from(stream)).expect("no batches");
    assert_eq!(t.row_count(), 0);
    let id = t.column("id").expect("id");
    assert!(
        matches!(id.data(), ColumnData::Int { .. }),
        "{:?}",
        id.data()
    );
}

fn count_dictionary_messages(stream: &[u8]) -> usize {
    let mut pos = 0;
    let mut count = 0;
    while pos + 8 <= stream.len() {
        let word = |p: usize| u32::from_le_bytes(stream[p..p + 4].try_into().expect("4 bytes"));
        let (len, head) = if word(pos) == 0xffff_ffff {
            (word(pos + 4) as usize, pos + 8)
        } else {
            (word(pos) as usize, pos + 4)
        };
        if len == 0 {
            break;
        }
        let message = arrow_ipc::root_as_message(&stream[head..head + len]).expect("message");
        if message.header_type() == arrow_ipc::MessageHeader::DictionaryBatch {
            count += 1;
        }
        pos = head + len + message.bodyLength() as usize;
    }
    count
}

#[test]
fn arrow_files_read_like_streams() {
    let schema = id_label_schema();
    let batch = dict_batch(&schema, &[7, 8], &[Some("emu"), None]);
    let mut file = Vec::new();
    {
        let mut w = FileWriter::try_new(&mut file, &schema).expect("writer");
        w.write(&batch).expect("batch");
        w.finish().expect("finish");
    }
    let t = read_columnar(Bytes::from(file)).expect("file reads");
    assert_eq!(labels_of(&t), [Some("emu".to_string()), None]);
}

fn sample_table(rows: usize) -> Table {
    let mut json = String::from(
        r#"{"_type": "table", "columns": ["id", "split", "caption", "score", "ok", "img", "when"], "column_types": {"params": {"type_map": {"when": {"wb_type": "timestamp"}}}, "wb_type": "typedDict"}, "data": ["#,
    );
    for r in 0..rows {
        if r > 0 {
            json.push_str(", ");
        }
        let split = ["train", "valid", "test"][r % 3];
        let score = if r % 7 == 0 {
            "null".to_string()
        } else {
            format!("{}", r as f64 / 8.0)
        };
        json.push_str(&format!(
            r#"[{r}, "{split}", "caption number {r} é", {score}, {}, {{"_type": "image-file", "path": "media/images/{r}.png", "width": 4, "height": 3, "format": "png", "sha256": "x", "size": 10}}, {}]"#,
            r % 2 == 0,
            1_700_000_000_000i64 + r as i64
        ));
    }
    json.push_str("]}");
    loupe_core::read_table(json.as_bytes()).expect("sample parses")
}

fn assert_same_cells(a: &Table, b: &Table) {
    assert_eq!(a.row_count(), b.row_count());
    let names = |t: &Table| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(a), names(b));
    for (x, y) in a.columns.iter().zip(&b.columns) {
        for r in 0..a.row_count() {
            assert_eq!(
                x.data().get(r),
                y.data().get(r),
                "column {} row {r}",
                x.name
            );
        }
    }
}

#[test]
fn parquet_written_by_loupe_reads_back_the_same_cells() {
    let table = sample_table(300);
    let bytes = write_parquet(&table).expect("writes");
    assert!(bytes.starts_with(b"PAR1"));
    let back = read_parquet(Bytes::from(bytes)).expect("reads");
    assert_same_cells(&table, &back);
    // Repeating strings stay a dictionary; media cells come back as images.
    assert!(matches!(
        back.column("split").map(|c| c.data()),
        Some(ColumnData::Dict { .. })
    ));
    assert!(matches!(
        back.column("img").map(|c| c.data().get(0)),
        Some(Value::Image(_))
    ));
}

/// What a browser does: the footer, then each row group from its byte ranges.
fn read_by_ranges(file: &[u8]) -> (Table, usize) {
    let len = file.len() as u64;
    let tail = &file[file.len() - FOOTER_LEN as usize..];
    let meta_len = ParquetPlan::metadata_len(tail, len).expect("footer");
    let meta_start = (len - FOOTER_LEN - meta_len) as usize;
    let plan = ParquetPlan::new(&file[meta_start..file.len() - FOOTER_LEN as usize], len)
        .expect("metadata");
    let mut table = plan.empty_table().expect("schema");
    let mut fetched = meta_len as usize + FOOTER_LEN as usize;
    for rg in 0..plan.row_groups() {
        let chunks: Vec<(u64, Bytes)> = plan
            .byte_ranges(rg)
            .into_iter()
            .map(|r| {
                fetched += (r.end - r.start) as usize;
                (
                    r.start,
                    Bytes::copy_from_slice(&file[r.start as usize..r.end as usize]),
                )
            })
            .collect();
        let part = plan.read_row_group(rg, chunks).expect("row group");
        table.append(part).expect("same columns");
    }
    (table, fetched)
}

#[test]
fn parquet_row_groups_read_from_their_byte_ranges_alone() {
    let table = sample_table(300_000);
    let file = write_parquet(&table).expect("writes");
    let (back, fetched) = read_by_ranges(&file);
    assert_same_cells(&table, &back);
    // Every byte read was one of the planned ranges, and they never cover the
    // file's 4-byte leading magic.
    assert!(fetched <= file.len() - 4, "{fetched} of {}", file.len());

    let len = file.len() as u64;
    let tail = &file[file.len() - 8..];
    let meta_len = ParquetPlan::metadata_len(tail, len).expect("footer");
    let plan = ParquetPlan::new(&file[(len - 8 - meta_len) as usize..file.len() - 8], len)
        .expect("metadata");
    assert!(plan.row_groups() >= 3, "{} row groups", plan.row_groups());
    assert_eq!(plan.rows(), 300_000);
    // A row group without its bytes is an error that names what is missing.
    let err = plan.read_row_group(1, Vec::new()).expect_err("no bytes");
    assert!(err.to_string().contains("not fetched"), "{err}");
}

/// The columns in view first: the first columns of a row group read from
/// just their byte ranges (less than the row group's), the same cells as the
/// whole read; the rest read later from their own ranges.
#[test]
fn the_first_columns_of_a_row_group_read_from_their_ranges_alone() {
    let table = sample_table(5_000);
    let file = write_parquet(&table).expect("writes");
    let len = file.len() as u64;
    let tail = &file[file.len() - 8..];
    let meta_len = ParquetPlan::metadata_len(tail, len).expect("footer");
    let plan = ParquetPlan::new(&file[(len - 8 - meta_len) as usize..file.len() - 8], len)
        .expect("metadata");
    assert_eq!(plan.column_count(), 7);
    let fetch = |ranges: Vec<std::ops::Range<u64>>| -> (Vec<(u64, Bytes)>, u64) {
        let bytes = ranges.iter().map(|r| r.end - r.start).sum();
        let chunks = ranges
            .into_iter()
            .map(|r| {
                (
                    r.start,
                    Bytes::copy_from_slice(&file[r.start as usize..r.end as usize]),
                )
            })
            .collect();
        (chunks, bytes)
    };
    let (first, first_bytes) = fetch(plan.ranges_of(0, 0..3));
    let (_, all_bytes) = fetch(plan.byte_ranges(0));
    assert!(first_bytes < all_bytes, "{first_bytes} of {all_bytes}");
    let in_view = plan
        .read_columns(0, 0..3, first.clone())
        .expect("first columns");
    let whole = read_parquet(Bytes::from(file.clone())).expect("reads");
    let names: Vec<&str> = in_view.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "split", "caption"]);
    for (col, want) in in_view.columns.iter().zip(&whole.columns) {
        for r in 0..in_view.row_count() {
            assert_eq!(
                col.data().get(r),
                want.data().get(r),
                "{} row {r}",
                col.name
            );
        }
    }
    // The rest comes from its own ranges plus the ones already fetched.
    let (mut rest, _) = fetch(plan.ranges_of(0, 3..usize::MAX));
    rest.extend(first);
    let all = plan.read_row_group(0, rest).expect("whole row group");
    assert_eq!(all.columns.len(), 7);
    // Without the first columns' bytes, reading them is an error, not a panic.
    let (other, _) = fetch(plan.ranges_of(0, 3..usize::MAX));
    assert!(plan.read_columns(0, 0..3, other).is_err());
}

#[test]
fn files_that_are_neither_format_are_named_so() {
    let err = read_columnar(Bytes::from_static(b"{\"_type\": \"table\"}")).expect_err("json");
    assert!(err.to_string().contains("neither Parquet"), "{err}");
    let err = ParquetPlan::metadata_len(b"12345678", 100).expect_err("no magic");
    assert!(err.to_string().contains("PAR1"), "{err}");
    let truncated = &write_parquet(&sample_table(10)).expect("writes")[..50];
    assert!(read_columnar(Bytes::copy_from_slice(truncated)).is_err());
}

#[test]
fn arrow_types_map_to_loupe_storage() {
    let mut meta = StructBuilder::from_fields(
        vec![
            Field::new("_type", DataType::Utf8, true),
            Field::new("path", DataType::Utf8, true),
        ],
        2,
    );
    for p in ["media/a.png", "media/b.png"] {
        meta.field_builder::<arrow_array::builder::StringBuilder>(0)
            .expect("_type")
            .append_value("image-file");
        meta.field_builder::<arrow_array::builder::StringBuilder>(1)
            .expect("path")
            .append_value(p);
        meta.append(true);
    }
    let image = meta.finish();
    let schema = Arc::new(Schema::new(vec![
        Field::new("t", DataType::Timestamp(TimeUnit::Microsecond, None), true),
        Field::new("x", DataType::Float64, true),
        Field::new("s", DataType::Utf8, true),
        Field::new("image", arrow_array::Array::data_type(&image).clone(), true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(TimestampMicrosecondArray::from(vec![Some(1_000_000), None])) as ArrayRef,
            Arc::new(Float64Array::from(vec![Some(0.5), None])),
            Arc::new(StringArray::from(vec![Some("a"), Some("b")])),
            Arc::new(image),
        ],
    )
    .expect("batch");
    let t = loupe_columnar::table_from_batches([&batch]).expect("converts");
    assert_eq!(t.columns[0].data().get(0), Value::Timestamp(1000.0));
    assert_eq!(t.columns[0].data().get(1), Value::Null);
    assert_eq!(t.columns[1].data().get(0), Value::Float(0.5));
    assert_eq!(t.columns[2].data().str_at(1), Some("b"));
    match t.columns[3].data().get(1) {
        Value::Image(img) => assert_eq!(img.path, "media/b.png"),
        other => panic!("expected an image, got {other:?}"),
    }
}

#[test]
fn tables_written_as_one_stream_keep_each_batchs_dictionary() {
    let a = loupe_core::read_table(
        br#"{"_type": "table", "columns": ["label"], "data": [["cat"], ["dog"]]}"#,
    )
    .expect("a");
    let b = loupe_core::read_table(
        br#"{"_type": "table", "columns": ["label"], "data": [["ship"], [null], ["cat"]]}"#,
    )
    .expect("b");
    let stream = loupe_columnar::ipc::write_arrow_stream(&[a, b]).expect("writes");
    assert_eq!(count_dictionary_messages(&stream), 2);
    let t = read_columnar(Bytes::from(stream)).expect("reads");
    assert_eq!(
        labels_of(&t),
        [Some("cat"), Some("dog"), Some("ship"), None, Some("cat")].map(|s| s.map(str::to_string))
    );
}

fn data(name: &str) -> Bytes {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Files written by DuckDB (tests/data, made with its Python package).
#[test]
fn duckdb_parquet_reads_with_snappy_and_zstd() {
    let t = read_columnar(data("duckdb-snappy.parquet")).expect("DuckDB's snappy Parquet");
    assert_eq!(t.row_count(), 1000);
    let label = t.column("label").expect("label");
    assert_eq!(label.data().str_at(4), Some("b"));
    assert_eq!(
        t.column("score").and_then(|c| c.data().f64_at(7)),
        Some(1.0)
    );
    let t = read_columnar(data("zstd.parquet")).expect("zstd, decoded by ruzstd");
    assert_eq!(t.row_count(), 10);
    for i in 0..10 {
        assert_eq!(t.column("id").map(|c| c.get(i)), Some(Value::Int(i as i64)));
        assert_eq!(
            t.column("s").map(|c| c.get(i)),
            Some(Value::Str(format!("x{i}")))
        );
    }
}

/// Arrow read as it downloads: a stream with a dictionary per batch and a
/// file (the same messages after a padded magic, a footer after them), each
/// decoded batch by batch, fed in chunks of every size from one byte to all of it, with pieces taken
/// out along the way, give the same cells as reading the whole bytes.
#[test]
fn arrow_read_in_chunks_matches_the_whole_read() {
    let tables = [sample_table(40), sample_table(25), sample_table(3)];
    let stream = loupe_columnar::ipc::write_arrow_stream(&tables).expect("stream");
    let schema = id_label_schema();
    let mut file = Vec::new();
    {
        let mut w = FileWriter::try_new(&mut file, &schema).expect("writer");
        w.write(&dict_batch(&schema, &[1, 2], &[Some("cat"), None]))
            .expect("batch");
        w.write(&dict_batch(&schema, &[3], &[Some("cat")]))
            .expect("batch");
        w.finish().expect("finish");
    }
    for bytes in [stream, file] {
        let whole = support::read_by_arrow_rs(&bytes).expect("whole");
        assert_same_cells(
            &read_columnar(Bytes::from(bytes.clone())).expect("read"),
            &whole,
        );
        for step in [bytes.len(), 1000, 64, 7, 3, 1] {
            let mut reader = loupe_columnar::ipc::ArrowIncremental::new();
            let mut pieces = Vec::new();
            for chunk in bytes.chunks(step) {
                reader.push(chunk).expect("chunk");
                if let Some(piece) = reader.take().expect("take") {
                    pieces.push(piece);
                }
            }
            // Every row is decoded before the end is known.
            assert_eq!(reader.rows(), whole.row_count(), "step {step}");
            pieces.push(reader.finish().expect("finish"));
            let read = Table::concat(pieces).expect("same columns");
            assert_same_cells(&read, &whole);
        }
        // Cut short inside a message: an error, never a shorter table.
        let mut reader = loupe_columnar::ipc::ArrowIncremental::new();
        reader.push(&bytes[..bytes.len() / 2]).expect("half");
        assert!(reader.finish().is_err(), "half a file read as a table");
    }
    let mut reader = loupe_columnar::ipc::ArrowIncremental::new();
    assert!(reader.push(b"{\"_type\": \"table\"}").is_err());
}
