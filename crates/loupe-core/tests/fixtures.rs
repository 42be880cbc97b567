//! Files written by the real wandb SDK (tools/fixtures/make.py), checked value by value.

use loupe_core::value::Value;
use loupe_core::{
    BoxDomain, Document, ImageColumnInfo, Manifest, MediaKind, Table, ValueKind, parse_document,
};

fn read(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("read {full}: {e}"))
}

fn table(path: &str) -> Table {
    match parse_document(&read(path)) {
        Ok(Document::Table(t)) => t,
        other => panic!("{path}: expected a table, got {other:?}"),
    }
}

fn col(t: &Table, name: &str) -> Vec<Value> {
    let c = t.column(name).unwrap_or_else(|| panic!("no column {name}"));
    (0..c.len()).map(|r| c.get(r)).collect()
}

#[test]
fn scalar_values() {
    let t = table("value_types/v0/values.table.json");
    assert_eq!(t.row_count(), 3);
    assert_eq!(t.columns.len(), 15);
    assert_eq!(
        col(&t, "int"),
        [Value::Int(1), Value::Int(-7), Value::Int(0)]
    );
    let floats = col(&t, "float");
    assert_eq!(floats[0], Value::Float(1.5));
    assert!(matches!(floats[1], Value::Float(f) if f == 0.0 && f.is_sign_negative()));
    assert_eq!(floats[2], Value::Float(0.10000000149011612));
    assert_eq!(
        col(&t, "inf"),
        [
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Null
        ]
    );
    // The SDK writes NaN cells as null.
    assert_eq!(
        col(&t, "nan"),
        [Value::Null, Value::Float(2.5), Value::Null]
    );
    assert_eq!(
        col(&t, "bool"),
        [Value::Bool(true), Value::Bool(false), Value::Null]
    );
    assert_eq!(
        col(&t, "text"),
        [
            Value::Str("héllo 🚀".into()),
            Value::Str(String::new()),
            Value::Str("line1\nline2\t\"q\"\0".into())
        ]
    );
    assert_eq!(
        t.column("none").map(|c| c.kind()),
        Some(Some(ValueKind::Null))
    );
    assert_eq!(
        col(&t, "big"),
        [
            Value::BigInt("9223372036854775809".into()),
            Value::BigInt("18446744073709551615".into()),
            Value::BigInt("1180591620717411303424".into())
        ]
    );
}

#[test]
fn timestamps_come_from_the_column_type() {
    let t = table("value_types/v0/values.table.json");
    let when: Vec<String> = col(&t, "when").iter().map(Value::display).collect();
    assert_eq!(
        when,
        [
            "2024-01-02T03:04:05.678Z",
            "1969-12-31T23:59:59.000Z",
            "null"
        ]
    );
    let day: Vec<String> = col(&t, "day").iter().map(Value::display).collect();
    assert_eq!(
        day,
        [
            "2024-02-29T00:00:00.000Z",
            "1900-01-01T00:00:00.000Z",
            "null"
        ]
    );
    assert_eq!(
        t.column("when").and_then(|c| c.kind()),
        Some(ValueKind::Timestamp)
    );
}

#[test]
fn nested_values() {
    let t = table("value_types/v0/values.table.json");
    assert_eq!(
        col(&t, "list")[0],
        Value::List(vec![Value::Int(1), Value::Int(2), Value::Int(3)])
    );
    assert_eq!(col(&t, "list")[1], Value::List(vec![]));
    assert_eq!(
        col(&t, "dict")[0],
        Value::Dict(vec![
            ("a".into(), Value::Int(1)),
            (
                "b".into(),
                Value::List(vec![Value::Bool(true), Value::Null])
            )
        ])
    );
    let Value::Table(inner) = &col(&t, "nested_table")[0] else {
        panic!("nested table expected")
    };
    assert_eq!(inner.row_count(), 2);
    assert_eq!(
        col(inner, "k"),
        [Value::Str("a".into()), Value::Str("b".into())]
    );
    assert_eq!(col(inner, "v"), [Value::Int(1), Value::Int(2)]);
    assert_eq!(
        col(&t, "hist")[0],
        Value::Histogram {
            bins: vec![0.0, 0.5, 1.0],
            values: vec![1.0, 2.0]
        }
    );
    // Decimal is written as a float though typed pythonObject: render by shape.
    assert_eq!(col(&t, "dec")[0], Value::Float(1.1));
}

#[test]
fn nan_and_infinity_in_box_scores() {
    let t = table("value_types/v0/nan_in_box_scores.table.json");
    let Value::Image(img) = &col(&t, "img")[0] else {
        panic!("image expected")
    };
    let scores = &img.box_layers[0].boxes[0].scores;
    assert_eq!(scores[0], ("inf_score".into(), f64::INFINITY));
    assert_eq!(scores[1].0, "nan_score");
    assert!(scores[1].1.is_nan());
    let info = t
        .column("img")
        .and_then(ImageColumnInfo::from_column)
        .expect("image column");
    assert_eq!(info.class_name("pred", 0), "zero");
}

#[test]
fn ndarray_columns() {
    let t = table("ndarrays/v0/arrays.table.json");
    assert_eq!(
        col(&t, "emb")[1],
        Value::List((1..=8).map(|i| Value::Float(f64::from(i))).collect())
    );
    assert_eq!(
        col(&t, "emb_big")[0],
        Value::NdArray {
            shape: vec![200],
            npz_path: Some("media/serialized_data/03e62230377ffcd87c49.npz".into())
        }
    );
    assert!(matches!(&col(&t, "matrix")[3], Value::NdArray { shape, .. } if shape == &[2, 3]));
    assert_eq!(
        t.column("matrix").and_then(|c| c.kind()),
        Some(ValueKind::NdArray)
    );
}

#[test]
fn image_with_boxes_masks_and_classes() {
    let t = table("media/v0/media.table.json");
    let Value::Image(img) = &col(&t, "image")[0] else {
        panic!("image expected")
    };
    assert_eq!(img.path, "media/images/3eea4e1da381fed3a245.png");
    assert_eq!((img.width, img.height), (Some(64.0), Some(48.0)));
    assert_eq!(img.caption.as_deref(), Some("scene 0"));
    assert_eq!(img.grouping, Some(3));
    assert_eq!(
        img.classes_path.as_deref(),
        Some("media/classes/1031628063c6c8cb6f80aa8f4475f6b0_cls.classes.json")
    );
    let names: Vec<&str> = img.box_layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["ground_truth", "predictions"]);
    let preds = &img.box_layers[1].boxes;
    assert_eq!(preds.len(), 3);
    // Relative min/max form.
    assert_eq!((preds[0].min_x, preds[0].max_y), (0.1, 0.7));
    assert_eq!(preds[0].domain, BoxDomain::Relative);
    assert_eq!(preds[0].caption.as_deref(), Some("cat 0.91"));
    assert_eq!(preds[0].primary_score(), Some(0.91));
    // Pixel middle/width/height form, normalised to corners.
    assert_eq!(preds[1].domain, BoxDomain::Pixel);
    assert_eq!(
        (
            preds[1].min_x,
            preds[1].min_y,
            preds[1].max_x,
            preds[1].max_y
        ),
        (31.0, 14.0, 49.0, 34.0)
    );
    assert_eq!(preds[2].primary_score(), None);
    assert_eq!(preds[0].to_pixels(64.0, 48.0).0, 6.4);
    let masks: Vec<(&str, &str)> = img
        .mask_layers
        .iter()
        .map(|m| (m.name.as_str(), m.path.as_str()))
        .collect();
    assert_eq!(
        masks,
        [
            (
                "from_file",
                "media/images/mask/c8258072cef992148e9e/user_mask.png"
            ),
            (
                "prediction",
                "media/images/mask/3fa51b522cfe9e1e6d3e.mask.png"
            )
        ]
    );
    let info = t
        .column("image")
        .and_then(ImageColumnInfo::from_column)
        .expect("image column");
    assert_eq!(info.class_name("predictions", 2), "dog");
    assert_eq!(info.class_name("prediction", 3), "car");
    let legend: Vec<(i64, String)> = info.legend().into_iter().map(|c| (c.id, c.name)).collect();
    assert_eq!(
        legend,
        [
            (0, "background".into()),
            (1, "cat".into()),
            (2, "dog".into()),
            (3, "car".into())
        ]
    );
    assert_eq!(info.score_keys, ["confidence", "iou"]);
}

#[test]
fn file_media_cells() {
    let t = table("media/v0/media.table.json");
    let expect = [
        (
            "audio",
            MediaKind::Audio,
            "media/audio/8671e8e87b05ad80d301.wav",
            Some("a440"),
        ),
        (
            "html",
            MediaKind::Html,
            "media/html/7bc3efb22a5b93eb12b3.html",
            None,
        ),
        (
            "video",
            MediaKind::Video,
            "media/videos/37ad8c4588b2bce90e8e/clip.gif",
            Some("clip"),
        ),
        (
            "points",
            MediaKind::Object3D,
            "media/object3D/c18cbdc86bac7c5b8bd2.pts.json",
            None,
        ),
        (
            "molecule",
            MediaKind::Molecule,
            "media/molecule/fa8633ed561a7207bba4/water.pdb",
            Some("water"),
        ),
    ];
    for (name, kind, path, caption) in expect {
        let Value::Media(m) = &col(&t, name)[0] else {
            panic!("{name}: media expected")
        };
        assert_eq!(
            (m.kind, m.path.as_str(), m.caption.as_deref()),
            (kind, path, caption),
            "{name}"
        );
        assert_eq!(m.sha256.as_ref().map(String::len), Some(64));
    }
    // Every referenced file is in the manifest.
    let manifest = Manifest::parse(&read("media/v0/wandb_manifest.json")).expect("manifest");
    for (_, _, path, _) in expect {
        assert!(manifest.entry(path).is_some(), "{path} not in manifest");
    }
}

#[test]
fn standalone_image_and_classes_files() {
    let Ok(Document::Image(img)) = parse_document(&read("media/v0/hero.image-file.json")) else {
        panic!("image-file document expected")
    };
    assert_eq!(img.box_count(), 4);
    let Ok(Document::Classes(set)) = parse_document(&read("media/v0/labels.classes.json")) else {
        panic!("classes document expected")
    };
    assert_eq!(set.name_of(1), Some("cat"));
    assert_eq!(set.classes.len(), 4);
}

#[test]
fn int_column_names_and_empty_tables() {
    let t = table("int_columns/v0/ints.table.json");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["0", "1", "2"]);
    assert_eq!(
        col(&t, "1"),
        [Value::Str("a".into()), Value::Str("b".into())]
    );
    let empty = table("int_columns/v0/empty.table.json");
    assert_eq!((empty.row_count(), empty.columns.len()), (0, 0));
}

#[test]
fn joined_and_partitioned_tables() {
    let Ok(Document::JoinedTable(j)) =
        parse_document(&read("composite/v0/joined.joined-table.json"))
    else {
        panic!("joined-table expected")
    };
    assert_eq!(
        (
            j.table1.as_str(),
            j.table2.as_str(),
            j.key1.as_str(),
            j.key2.as_str()
        ),
        ("left.table.json", "right.table.json", "id", "id")
    );
    let Ok(Document::PartitionedTable(p)) =
        parse_document(&read("composite/v0/all_parts.partitioned-table.json"))
    else {
        panic!("partitioned-table expected")
    };
    let manifest = Manifest::parse(&read("composite/v0/wandb_manifest.json")).expect("manifest");
    let parts: Vec<&str> = manifest
        .parts_of(&p.parts_path)
        .iter()
        .map(|e| e.path.as_str())
        .collect();
    assert_eq!(
        parts,
        [
            "parts/part_0.table.json",
            "parts/part_1.table.json",
            "parts/part_2.table.json"
        ]
    );
    let mut all = table(&format!("composite/v0/{}", parts[0]));
    for part in &parts[1..] {
        all.append(table(&format!("composite/v0/{part}")))
            .expect("same columns");
    }
    assert_eq!(all.row_count(), 30);
    assert_eq!(col(&all, "id")[29], Value::Int(29));
}

#[test]
fn manifest_entries() {
    let m = Manifest::parse(&read("media/v0/wandb_manifest.json")).expect("manifest");
    let e = m.entry("media.table.json").expect("table entry");
    assert_eq!(e.digest.len(), 24);
    assert!(e.size.unwrap_or(0) > 1000);
    assert_eq!(e.reference, None);
    assert_eq!(m.table_paths().collect::<Vec<_>>(), ["media.table.json"]);
}

/// The streaming reader and the JSON-tree path build identical tables from every fixture.
#[test]
fn streaming_reader_matches_tree_parser() {
    for path in [
        "value_types/v0/values.table.json",
        "value_types/v0/nan_in_box_scores.table.json",
        "ndarrays/v0/arrays.table.json",
        "media/v0/media.table.json",
        "int_columns/v0/ints.table.json",
        "int_columns/v0/empty.table.json",
        "composite/v0/left.table.json",
    ] {
        let bytes = read(path);
        let streamed = loupe_core::read_table(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        // Debug text compares NaN cells as equal (they are, for this purpose).
        assert_eq!(
            format!("{streamed:?}"),
            format!("{:?}", table(path)),
            "{path}"
        );
        // Reading one row at a time gives the same table.
        let mut reader = loupe_core::TableReader::new(&bytes).expect("reader");
        while !reader.is_done() {
            reader.read_rows(1).expect("rows");
        }
        let stepped = reader.finish().expect("finish");
        assert_eq!(format!("{stepped:?}"), format!("{streamed:?}"), "{path}");
    }
}

#[test]
fn flat_columns_are_stored_columnar() {
    use loupe_core::{ColumnData, DataType};
    let t = loupe_core::read_table(&read("value_types/v0/values.table.json")).expect("table");
    let dtype = |name: &str| t.column(name).map(|c| c.data_type());
    assert_eq!(dtype("int"), Some(DataType::Int));
    assert_eq!(dtype("float"), Some(DataType::Float));
    assert_eq!(dtype("text"), Some(DataType::String));
    assert_eq!(dtype("bool"), Some(DataType::Bool));
    assert_eq!(dtype("when"), Some(DataType::Timestamp));
    // Integers beyond i64 stay exact as values; the column is still numeric.
    assert_eq!(dtype("big"), Some(DataType::Float));
    assert!(matches!(
        t.column("big").map(|c| c.data()),
        Some(ColumnData::Values(_))
    ));
    assert!(matches!(
        t.column("int").map(|c| c.data()),
        Some(ColumnData::Int { .. })
    ));
    assert!(matches!(
        t.column("text").map(|c| c.data()),
        Some(ColumnData::Dict { .. })
    ));
}

/// Feeding a file in chunks of any size gives the same table as reading it whole,
/// down to one byte at a time (every split point of every token).
#[test]
fn streaming_in_any_chunks_matches_whole_reads() {
    for path in [
        "value_types/v0/values.table.json",
        "value_types/v0/nan_in_box_scores.table.json",
        "ndarrays/v0/arrays.table.json",
        "media/v0/media.table.json",
        "int_columns/v0/ints.table.json",
        "int_columns/v0/empty.table.json",
    ] {
        let bytes = read(path);
        let whole = format!("{:?}", loupe_core::read_table(&bytes).expect("whole"));
        for size in [1usize, 2, 3, 7, 64, 1000] {
            let mut s = loupe_core::StreamingTableReader::new();
            for chunk in bytes.chunks(size) {
                s.push(chunk)
                    .unwrap_or_else(|e| panic!("{path} chunk {size}: {e}"));
            }
            let streamed = s
                .finish()
                .unwrap_or_else(|e| panic!("{path} chunk {size}: {e}"));
            assert_eq!(format!("{streamed:?}"), whole, "{path} in chunks of {size}");
        }
    }
}

/// Two chunks split at every byte boundary of each fixture (inside numbers,
/// escapes, multi-byte characters, keys …) give the same table as one read.
#[test]
fn streaming_split_at_every_byte_boundary_matches_whole_reads() {
    for path in [
        "value_types/v0/values.table.json",
        "media/v0/media.table.json",
        "int_columns/v0/ints.table.json",
    ] {
        let bytes = read(path);
        let whole = format!("{:?}", loupe_core::read_table(&bytes).expect("whole"));
        for cut in 0..=bytes.len() {
            let mut s = loupe_core::StreamingTableReader::new();
            s.push(&bytes[..cut])
                .unwrap_or_else(|e| panic!("{path} cut at {cut}: {e}"));
            s.push(&bytes[cut..])
                .unwrap_or_else(|e| panic!("{path} cut at {cut}: {e}"));
            let streamed = s
                .finish()
                .unwrap_or_else(|e| panic!("{path} cut at {cut}: {e}"));
            assert_eq!(format!("{streamed:?}"), whole, "{path} cut at byte {cut}");
        }
    }
}

/// A preview while streaming holds exactly the rows read so far, equal to
/// the first rows of the whole table, and leaves the read undisturbed.
#[test]
fn streaming_preview_is_the_first_rows_of_the_table() {
    let bytes = read("value_types/v0/values.table.json");
    let whole = loupe_core::read_table(&bytes).expect("whole");
    let mut s = loupe_core::StreamingTableReader::new();
    let mut previewed = false;
    for chunk in bytes.chunks(97) {
        s.push(chunk).expect("chunk");
        if !previewed && let Some(p) = s.preview() {
            previewed = true;
            assert_eq!(p.row_count(), s.rows_read());
            assert!(p.row_count() < whole.row_count(), "preview before the end");
            for (a, b) in p.columns.iter().zip(&whole.columns) {
                assert_eq!(a.name, b.name);
                for r in 0..p.row_count() {
                    assert_eq!(a.data().get(r), b.data().get(r), "{} row {r}", a.name);
                }
            }
        }
    }
    assert!(previewed, "no preview was ever available");
    let streamed = s.finish().expect("finishes");
    assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
}

#[test]
fn streaming_errors_keep_their_position() {
    let text = b"{\"_type\": \"table\", \"columns\": [\"a\"],\n \"data\": [[1], [2}]}";
    let whole = loupe_core::read_table(text).expect_err("malformed");
    for size in [1usize, 5, 100] {
        let mut s = loupe_core::StreamingTableReader::new();
        let mut err = None;
        for chunk in text.chunks(size) {
            if let Err(e) = s.push(chunk) {
                err = Some(e);
                break;
            }
        }
        let err = match err {
            Some(e) => e,
            None => s.finish().expect_err("malformed"),
        };
        assert_eq!(err.to_string(), whole.to_string(), "chunks of {size}");
    }
    assert!(whole.to_string().contains("line 2, column 18"), "{whole}");
    // A truncated body is an error at finish, not a silent short table.
    let mut s = loupe_core::StreamingTableReader::new();
    s.push(&text[..40]).expect("prefix is fine so far");
    assert!(
        s.finish()
            .expect_err("truncated")
            .to_string()
            .contains("end of file")
    );
}

#[test]
fn mask_coverage_reads_decoded_masks() {
    use std::collections::HashMap;
    let t = loupe_core::read_table(&read("media/v0/media.table.json")).expect("table");
    let mut masks: HashMap<String, Vec<u8>> = HashMap::new();
    masks.insert(
        "media/images/mask/3fa51b522cfe9e1e6d3e.mask.png".into(),
        vec![0, 1, 1, 2],
    );
    let query =
        |expr: &str| loupe_core::Query::from_params([("derive", format!("cov={expr}").as_str())]);
    let value = |q: &loupe_core::Query, m: Option<&dyn loupe_core::expr::MaskSource>| {
        let v = loupe_core::query::run_with_masks(&t, q, m).expect("runs");
        v.derived[0].get(0)
    };
    assert_eq!(
        value(
            &query("mask_coverage(image, 1, 'prediction')"),
            Some(&masks)
        ),
        Value::Float(0.5)
    );
    assert_eq!(
        value(
            &query("mask_coverage(image, 2, 'prediction')"),
            Some(&masks)
        ),
        Value::Float(0.25)
    );
    // The first mask layer is `from_file`, not loaded: null, as without any masks.
    assert_eq!(
        value(&query("mask_coverage(image, 1)"), Some(&masks)),
        Value::Null
    );
    assert_eq!(
        value(&query("mask_coverage(image, 1, 'prediction')"), None),
        Value::Null
    );
    let err = loupe_core::run(&t, &query("mask_coverage(id, 1)")).expect_err("not an image");
    assert!(
        err.to_string()
            .contains("argument 1 of `mask_coverage` must be image"),
        "{err}"
    );
}
