//! The writer API against the SDK's own output: artifacts rebuilt in Rust give
//! the SDK's bytes, SDK artifacts read and re-added give the same files, and
//! whatever is added comes back equal from `get`.

use std::path::{Path, PathBuf};

use loupe_core::artifact::{
    Artifact, BoxLayer, Cell, Classes, Image, JoinedTable, Mask, MediaFile, PartitionedTable,
    PixelFormat, Table, WbObject,
};
use loupe_core::json::{self, Json};
use loupe_core::media::MediaKind;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every staged file and the manifest text equal the SDK's, byte for byte.
fn assert_same_as_sdk(art: &Artifact, sdk_dir: &Path) {
    for entry in art.entries() {
        let ours = art.read_entry(&entry.path).expect("staged bytes");
        let theirs = read(&sdk_dir.join(&entry.path));
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "{}",
            entry.path
        );
    }
    let manifest = String::from_utf8(read(&sdk_dir.join("wandb_manifest.json"))).expect("utf8");
    assert_eq!(art.manifest_json(), manifest);
}

#[test]
fn composite_artifact_rebuilt_in_rust_is_byte_identical() {
    let mut art = Artifact::new("composite", "dataset");
    let left = Table::from_rows(
        ["id", "x"],
        (0..20).map(|i| vec![Cell::Int(i), Cell::Float(i as f64 * 1.5)]),
    )
    .expect("left");
    let right = Table::from_rows(
        ["id", "label"],
        (5..25).map(|i| vec![Cell::Int(i), Cell::Str(format!("l{i}"))]),
    )
    .expect("right");
    assert_eq!(art.add(left, "left").expect("add"), "left.table.json");
    art.add(right, "right").expect("add");
    let joined = JoinedTable {
        table1: "left.table.json".into(),
        table2: "right.table.json".into(),
        key1: "id".into(),
        key2: "id".into(),
    };
    art.add(joined, "joined").expect("add joined");
    for p in 0..3 {
        let part = Table::from_rows(
            ["id", "x"],
            (0..10).map(|i| vec![Cell::Int(p * 10 + i), Cell::Float(i as f64)]),
        )
        .expect("part");
        art.add(part, &format!("parts/part_{p}")).expect("add part");
    }
    art.add(
        PartitionedTable {
            parts_path: "parts".into(),
        },
        "all_parts",
    )
    .expect("add partitioned");
    assert_same_as_sdk(&art, &fixture("composite/v0"));
}

#[test]
fn int_column_names_and_empty_tables_match_the_sdk() {
    let mut art = Artifact::new("int_columns", "dataset");
    let ints = Table::from_rows(
        [0i64, 1, 2],
        [
            vec![Cell::Int(1), "a".into(), true.into()],
            vec![Cell::Int(2), "b".into(), false.into()],
        ],
    )
    .expect("ints");
    art.add(ints, "ints").expect("add");
    art.add(Table::new(Vec::<&str>::new()), "empty")
        .expect("add");
    assert_same_as_sdk(&art, &fixture("int_columns/v0"));
}

#[test]
fn sdk_artifacts_read_and_re_added_give_the_same_files() {
    for (dir, names) in [
        ("value_types/v0", &["values", "nan_in_box_scores"][..]),
        ("media/v0", &["media", "hero", "labels"][..]),
        (
            "composite/v0",
            &["left", "right", "joined", "parts/part_0"][..],
        ),
        ("int_columns/v0", &["ints", "empty"][..]),
    ] {
        let sdk = Artifact::open(fixture(dir)).expect("open fixture");
        let mut again = Artifact::new("copy", "dataset");
        if dir.starts_with("composite") {
            again
                .add(sdk.get("left").expect("left"), "left")
                .expect("add");
            again
                .add(sdk.get("right").expect("right"), "right")
                .expect("add");
        }
        for name in names {
            let obj = sdk
                .get(name)
                .unwrap_or_else(|e| panic!("{dir} {name}: {e}"));
            let path = again.add(obj, name).expect("re-add");
            assert_eq!(
                String::from_utf8(again.read_entry(&path).expect("ours")).expect("utf8"),
                String::from_utf8(read(&fixture(dir).join(&path))).expect("utf8"),
                "{dir}/{path}"
            );
        }
        // Media files land under the SDK's names with the SDK's digests.
        for entry in again.entries() {
            let sdk_entry = sdk
                .entry(&entry.path)
                .unwrap_or_else(|| panic!("{dir}: extra {}", entry.path));
            assert_eq!(entry.digest, sdk_entry.digest, "{dir}/{}", entry.path);
        }
    }
}

#[test]
fn images_from_disk_are_named_and_typed_like_the_sdk() {
    let sdk = Artifact::open(fixture("media/v0")).expect("open");
    let sdk_table = std::fs::read(fixture("media/v0/media.table.json")).expect("read");
    let sdk_json = json::parse(&sdk_table).expect("json");
    let type_map = sdk_json
        .get("column_types")
        .and_then(|t| t.get("params"))
        .and_then(|p| p.get("type_map"))
        .expect("type map");
    let sdk_image = &sdk_json.get("data").and_then(Json::as_array).expect("rows")[0]
        .as_array()
        .expect("row")[1];

    let labels = [(0, "background"), (1, "cat"), (2, "dog"), (3, "car")];
    let boxes = |layer: &str| {
        BoxLayer::new(
            sdk_image
                .get("boxes")
                .and_then(|b| b.get(layer))
                .and_then(Json::as_array)
                .expect("boxes")
                .to_vec(),
            labels,
        )
    };
    let disk = fixture("media/v0/media/images/12242289edba9e389397/from_disk.png");
    let user_mask = fixture("media/v0/media/images/mask/c8258072cef992148e9e/user_mask.png");
    let image = Image::from_file(&disk)
        .expect("png")
        .with_caption("scene 0")
        .with_grouping(3)
        .with_boxes("predictions", boxes("predictions"))
        .with_boxes("ground_truth", boxes("ground_truth"))
        .with_mask(
            "prediction",
            Mask::from_pixels(2, 1, &[0, 1], labels).expect("mask"),
        )
        .with_mask("from_file", Mask::from_file(&user_mask).expect("mask"))
        .with_classes(Classes::new(labels));
    let plain = Image::from_file(&disk).expect("png");
    let mut art = Artifact::new("media", "dataset");
    let table = Table::from_rows(
        ["id", "image", "plain"],
        [vec![Cell::Int(0), image.into(), plain.into()]],
    )
    .expect("table");
    let path = art.add(table, "media").expect("add");
    let ours = json::parse(&art.read_entry(&path).expect("ours")).expect("json");
    let our_types = ours
        .get("column_types")
        .and_then(|t| t.get("params"))
        .and_then(|p| p.get("type_map"))
        .expect("types");
    for column in ["id", "image", "plain"] {
        assert_eq!(
            our_types.get(column),
            type_map.get(column),
            "type of {column}"
        );
    }
    let row = &ours.get("data").and_then(Json::as_array).expect("rows")[0];
    let plain_cell = &row.as_array().expect("row")[2];
    let sdk_plain = &sdk_json.get("data").and_then(Json::as_array).expect("rows")[0]
        .as_array()
        .expect("row")[2];
    assert_eq!(plain_cell, sdk_plain, "from-disk image cell");
    // The same classes file (named by the MD5 of Python's repr of the set) and mask copy.
    for shared in [
        "media/classes/1031628063c6c8cb6f80aa8f4475f6b0_cls.classes.json",
        "media/images/mask/c8258072cef992148e9e/user_mask.png",
        "media/images/12242289edba9e389397/from_disk.png",
    ] {
        assert_eq!(
            art.entry(shared).map(|e| &e.digest),
            sdk.entry(shared).map(|e| &e.digest),
            "{shared}"
        );
    }
}

fn sample_table() -> Table {
    let labels = [(0, "bg"), (1, "cat")];
    let pixels: Vec<u8> = (0..4 * 3 * 3).map(|i| (i * 7) as u8).collect();
    let image = Image::from_pixels(4, 3, PixelFormat::Rgb, &pixels)
        .expect("image")
        .with_caption("first")
        .with_boxes(
            "pred",
            BoxLayer::new(
                vec![BoxLayer::fractional_box(
                    (0.1, 0.2, 0.5, 0.9),
                    1,
                    Some("cat"),
                    &[("score", 0.75)],
                )],
                labels,
            ),
        )
        .with_mask(
            "seg",
            Mask::from_pixels(4, 3, &[0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1], labels).expect("mask"),
        );
    let audio = MediaFile::from_bytes(MediaKind::Audio, b"RIFF....WAVE".to_vec(), "wav")
        .with_caption("beep");
    let nested = Table::from_rows(["k", "v"], [vec!["a".into(), 1.into()]]).expect("nested");
    let mut t = Table::new([
        "id", "score", "name", "ok", "when", "tags", "meta", "image", "audio", "inner",
    ]);
    t.add_data(vec![
        Cell::Int(1),
        Cell::Float(0.5),
        "héllo 🚀".into(),
        true.into(),
        Cell::Timestamp(1_704_164_645_678),
        Cell::List(vec![1.into(), 2.into()]),
        Cell::Dict(vec![
            ("a".into(), 1.into()),
            ("b".into(), Cell::List(vec![])),
        ]),
        image.into(),
        audio.into(),
        nested.into(),
    ])
    .expect("row 1");
    t.add_data(vec![
        Cell::Int(2),
        Cell::Float(f64::INFINITY),
        Cell::Null,
        false.into(),
        Cell::Null,
        Cell::List(vec![]),
        Cell::Dict(vec![
            ("a".into(), 2.into()),
            ("b".into(), Cell::List(vec![3.into()])),
        ]),
        Cell::Null,
        Cell::Null,
        Cell::Null,
    ])
    .expect("row 2");
    t
}

#[test]
fn what_you_add_you_get_back_equal_in_memory_and_from_disk() {
    let mut art = Artifact::new("sample", "dataset");
    let table = sample_table();
    art.add(table.clone(), "samples").expect("add");
    let classes = Classes::new([(0, "bg"), (1, "cat")]);
    art.add(classes.clone(), "labels").expect("add classes");
    let WbObject::Table(back) = art.get("samples").expect("get") else {
        panic!("not a table")
    };
    assert_eq!(back.rows(), table.rows());

    let dir = temp_dir("writer-roundtrip/sample/v0");
    art.save(&dir).expect("save");
    let opened = Artifact::open(&dir).expect("open");
    assert_eq!(opened.name, "sample");
    assert_eq!(opened.artifact_type, "dataset");
    assert_eq!(opened.digest(), art.digest());
    let WbObject::Table(from_disk) = opened.get("samples.table.json").expect("get") else {
        panic!("not a table")
    };
    assert_eq!(from_disk.rows(), table.rows());
    assert_eq!(
        opened.get("labels").expect("classes"),
        WbObject::Classes(classes)
    );
    // Re-adding what was read reproduces the file exactly.
    let mut again = Artifact::new("again", "dataset");
    let path = again.add(from_disk, "samples").expect("re-add");
    assert_eq!(
        again.read_entry(&path).expect("ours"),
        opened.read_entry(&path).expect("disk")
    );
}

#[test]
fn objects_from_an_artifact_with_an_id_are_referenced_not_copied() {
    let dir = temp_dir("writer-refs");
    let mut source = Artifact::new("digits", "dataset").with_id("QXJ0aWZhY3Q6MQ==");
    source.add(sample_table(), "samples").expect("add");
    source.save(dir.join("digits/v0")).expect("save");
    let source = Artifact::open(dir.join("digits/v0")).expect("open");
    let WbObject::Table(samples) = source.get("samples").expect("get") else {
        panic!("table")
    };
    let image = samples.column("image").expect("column")[0].clone();
    let mut derived = Artifact::new("review", "analysis");
    let table =
        Table::from_rows(["image", "verdict"], [vec![image.clone(), "ok".into()]]).expect("table");
    derived.add(table, "review").expect("add");
    let Cell::Image(img) = &image else {
        panic!("image")
    };
    let image_path = img.origin().expect("origin").path.clone();
    let entry = derived.entry(&image_path).expect("ref entry");
    assert_eq!(
        entry.reference.as_deref(),
        Some(format!("wandb-artifact://41727469666163743a31/{image_path}").as_str())
    );
    assert_eq!(entry.size, 0);
    assert_eq!(
        entry.digest,
        source.entry(&image_path).expect("source entry").digest
    );
    // Saved without the image bytes, read back through the link.
    derived.save(dir.join("review/v0")).expect("save");
    assert!(!dir.join("review/v0").join(&image_path).exists());
    let mut opened = Artifact::open(dir.join("review/v0")).expect("open");
    assert!(matches!(
        opened.get("review"),
        Err(loupe_core::artifact::ArtifactError::Format { .. })
    ));
    opened.link(&source);
    let WbObject::Table(back) = opened.get("review").expect("get with link") else {
        panic!("table")
    };
    assert_eq!(back.rows()[0][0], image);
}

#[test]
fn rows_are_checked_like_the_sdk() {
    let mut t = Table::new(["n", "s"]);
    t.add_data(vec![1.into(), "a".into()]).expect("fits");
    let err = t
        .add_data(vec!["x".into(), "b".into()])
        .expect_err("string into number");
    assert_eq!(
        err.to_string(),
        "row 1, column `n`: a String value does not fit the column type None or Number"
    );
    assert!(t.add_data(vec![1.into()]).is_err());
    assert_eq!(t.rows().len(), 1, "a refused row is not added");
}
