//! Compressed Parquet and Arrow IPC as engines write them — DuckDB, pyarrow
//! and Polars, each with the C codec libraries (tools/fixtures/compressed.py)
//! — read here with pure-Rust codecs (zstd: crates/zstd-ruzstd; brotli:
//! crates/brotli-decode) to the same cells as the snappy file, whose cells are
//! checked against the generator's formulas.

use bytes::Bytes;
use loupe_columnar::ipc::ArrowIncremental;
use loupe_columnar::read_columnar;
use loupe_core::{Table, Value};

const ROWS: usize = 4000;

/// Every compressed fixture and what wrote it; the snappy one is the reference.
const COMPRESSED: [&str; 10] = [
    "duckdb-zstd.parquet",
    "duckdb-brotli.parquet",
    "duckdb-gzip.parquet",
    "duckdb-lz4.parquet",
    "pyarrow-zstd-v2.parquet",
    "pyarrow-lz4.parquet",
    "polars-default.parquet",
    "pyarrow-default.feather",
    "pyarrow-zstd.arrow",
    "pyarrow-zstd.arrows",
];

fn bytes(name: &str) -> Bytes {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/compressed")
        .join(name);
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn read(name: &str) -> Table {
    read_columnar(bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Row `i` as tools/fixtures/compressed.py makes it.
fn expected_row(i: usize) -> [Value; 6] {
    let caption = format!("image {i} of the validation split ").repeat(1 + i % 2);
    [
        Value::Int(i as i64),
        if i.is_multiple_of(97) {
            Value::Null
        } else {
            Value::Float((i * 37 % 1000) as f64 / 1000.0)
        },
        Value::Str(["cat", "dog", "bird", "fish"][i % 4].to_string()),
        if i.is_multiple_of(50) {
            Value::Null
        } else {
            Value::Str(caption)
        },
        Value::Bool(i.is_multiple_of(3)),
        // 2024-01-01T00:00:00Z plus i seconds.
        Value::Timestamp(1_704_067_200_000.0 + 1000.0 * i as f64),
    ]
}

const COLUMNS: [&str; 6] = ["id", "score", "label", "caption", "flag", "at"];

#[test]
fn the_snappy_reference_holds_the_generated_rows() {
    let t = read("duckdb-snappy.parquet");
    assert_eq!(t.row_count(), ROWS);
    for (c, name) in COLUMNS.iter().enumerate() {
        let column = t.column(name).unwrap_or_else(|| panic!("column {name}"));
        for i in 0..ROWS {
            assert_eq!(column.get(i), expected_row(i)[c].clone(), "{name} row {i}");
        }
    }
}

fn assert_same_cells(name: &str, read: &Table, reference: &Table) {
    assert_eq!(read.row_count(), reference.row_count(), "{name}: rows");
    for column in COLUMNS {
        let (a, b) = match (read.column(column), reference.column(column)) {
            (Some(a), Some(b)) => (a, b),
            _ => panic!("{name}: column {column} missing"),
        };
        for r in 0..reference.row_count() {
            assert_eq!(a.get(r), b.get(r), "{name}: {column} row {r}");
        }
    }
}

#[test]
fn compressed_files_read_cell_for_cell_like_snappy() {
    let reference = read("duckdb-snappy.parquet");
    for name in COMPRESSED {
        assert_same_cells(name, &read(name), &reference);
    }
}

/// Compressed Arrow batches are not read column by column as they arrive
/// (their buffers must be whole to decompress); fed in small chunks they
/// still read whole, batch by batch, to the same cells.
#[test]
fn compressed_arrow_read_as_it_arrives_gives_the_same_cells() {
    let reference = read("duckdb-snappy.parquet");
    for name in [
        "pyarrow-default.feather",
        "pyarrow-zstd.arrow",
        "pyarrow-zstd.arrows",
    ] {
        let file = bytes(name);
        let mut reader = ArrowIncremental::with_progressive_from(0);
        for chunk in file.chunks(4093) {
            reader.push(chunk).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert_eq!(reader.progressive_batches(), 0, "{name}");
        let table = reader.finish().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_same_cells(name, &table, &reference);
    }
}

/// Where the first zstd frame of a file starts.
fn first_zstd_frame(file: &[u8]) -> usize {
    file.windows(4)
        .position(|w| w == [0x28, 0xb5, 0x2f, 0xfd])
        .expect("a zstd frame")
}

/// A damaged zstd frame is an error naming the format, not a panic or cells.
#[test]
fn a_damaged_zstd_frame_is_an_error() {
    for name in ["polars-default.parquet", "pyarrow-zstd.arrows"] {
        let mut damaged = bytes(name).to_vec();
        // Past the frame header (magic, descriptor, a size): its first block.
        let at = first_zstd_frame(&damaged) + 8;
        for b in &mut damaged[at..at + 32] {
            *b = 0xAB;
        }
        let err = read_columnar(Bytes::from(damaged)).expect_err(name);
        let text = err.to_string();
        assert!(
            text.contains("Parquet") || text.contains("Arrow"),
            "{name}: {text}"
        );
    }
}

/// A compressed Arrow buffer starts with the size it decompresses to, which
/// arrow-rs allocates up front: a size no codec reaches from that many bytes
/// is refused before anything is allocated.
#[test]
fn an_arrow_buffer_declaring_an_impossible_size_is_refused() {
    use std::sync::Arc;

    use arrow_array::{Int64Array, RecordBatch};
    use arrow_ipc::CompressionType;
    use arrow_ipc::writer::{IpcWriteOptions, StreamWriter};
    use arrow_schema::{DataType, Field, Schema};

    let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
    let column = Int64Array::from_iter_values((0..1000).map(|i| i % 10));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(column)]).expect("batch");
    let options = IpcWriteOptions::default()
        .try_with_compression(Some(CompressionType::ZSTD))
        .expect("zstd");
    let mut stream = Vec::new();
    let mut writer = StreamWriter::try_new_with_options(&mut stream, &schema, options).expect("w");
    writer.write(&batch).expect("write");
    writer.finish().expect("finish");
    drop(writer);
    let read = read_columnar(Bytes::from(stream.clone())).expect("our own zstd stream");
    assert_eq!(read.row_count(), 1000);
    assert_eq!(read.column("n").map(|c| c.get(997)), Some(Value::Int(7)));

    // The values buffer: 8000 bytes, then a zstd frame.
    let prefix = [&8000i64.to_le_bytes()[..], &[0x28, 0xb5, 0x2f, 0xfd]].concat();
    let at = stream
        .windows(prefix.len())
        .position(|w| w == prefix)
        .expect("the values buffer");
    stream[at..at + 8].copy_from_slice(&(8000i64 << 30).to_le_bytes());
    let err = read_columnar(Bytes::from(stream)).expect_err("8 TB from a few bytes");
    assert!(err.to_string().contains("declares"), "{err}");
}
