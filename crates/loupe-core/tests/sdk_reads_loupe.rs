//! Loupe-written artifacts read back by the real `wandb` SDK (offline), through
//! `tools/sdk/read_with_sdk.py`. `cargo xtask setup` puts the SDK in
//! `tools/py`; in CI its absence is a failure, locally a loud skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use loupe_core::artifact::{
    Artifact, BoxLayer, Cell, Classes, Image, JoinedTable, Mask, MediaFile, PartitionedTable,
    PixelFormat, Table, WbObject,
};
use loupe_core::json::{self, Json};
use loupe_core::media::MediaKind;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A Python with `wandb` importable, or `None` (after saying why) outside CI.
fn sdk_python() -> Option<String> {
    let candidates = [
        std::env::var("LOUPE_PYTHON").ok(),
        Some(repo().join("tools/py/bin/python").display().to_string()),
        Some("python3".to_string()),
    ];
    for py in candidates.into_iter().flatten() {
        let ok = Command::new(&py)
            .args(["-c", "import wandb, PIL"])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(py);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the SDK round trip: `cargo xtask setup` installs wandb into tools/py"
    );
    eprintln!("SKIPPED: no Python with `wandb` (run `cargo xtask setup`)");
    None
}

fn sdk_read(py: &str, dirs: &[&Path], names: &[&str]) -> Json {
    let out = Command::new(py)
        .arg(repo().join("tools/sdk/read_with_sdk.py"))
        .args(dirs)
        .arg("--")
        .args(names)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "the SDK could not read Loupe's artifact:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json::parse(&out.stdout).expect("summary json")
}

fn at<'a>(json: &'a Json, path: &[&str]) -> &'a Json {
    path.iter().fold(json, |j, k| match k.parse::<usize>() {
        Ok(i) => &j.as_array().unwrap_or_else(|| panic!("{k} of {j:?}"))[i],
        Err(_) => j.get(k).unwrap_or_else(|| panic!("no {k} in {j:?}")),
    })
}

fn text(s: &str) -> Json {
    Json::String(s.to_string())
}

#[test]
fn the_wandb_sdk_reads_what_loupe_writes() {
    let Some(py) = sdk_python() else { return };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sdk-reads-loupe");
    let _ = std::fs::remove_dir_all(&root);

    let labels = [(0, "bg"), (1, "cat")];
    let pixels: Vec<u8> = (0..6 * 4 * 3).map(|i| (i * 5) as u8).collect();
    let image = Image::from_pixels(6, 4, PixelFormat::Rgb, &pixels)
        .expect("image")
        .with_caption("first")
        .with_boxes(
            "pred",
            BoxLayer::new(
                vec![
                    BoxLayer::fractional_box(
                        (0.1, 0.2, 0.5, 0.9),
                        1,
                        Some("cat"),
                        &[("score", 0.75)],
                    ),
                    BoxLayer::fractional_box((0.0, 0.0, 0.2, 0.2), 0, None, &[]),
                ],
                labels,
            ),
        )
        .with_mask(
            "seg",
            Mask::from_pixels(6, 4, &[1; 24], labels).expect("mask"),
        );
    let audio = MediaFile::from_bytes(MediaKind::Audio, b"RIFF$\0\0\0WAVEfmt ".to_vec(), "wav")
        .with_caption("beep");
    let mut digits = Artifact::new("digits", "dataset").with_id("QXJ0aWZhY3Q6MQ==");
    let table = Table::from_rows(
        [
            "id", "score", "name", "ok", "when", "tags", "meta", "image", "audio",
        ],
        [
            vec![
                1.into(),
                0.5.into(),
                "héllo 🚀".into(),
                true.into(),
                Cell::Timestamp(1_704_164_645_678),
                Cell::List(vec![1.into(), 2.into()]),
                Cell::Dict(vec![("a".into(), 1.into())]),
                image.into(),
                audio.into(),
            ],
            vec![
                2.into(),
                f64::INFINITY.into(),
                Cell::Null,
                false.into(),
                Cell::Null,
                Cell::List(vec![]),
                Cell::Dict(vec![("a".into(), 2.into())]),
                Cell::Null,
                Cell::Null,
            ],
        ],
    )
    .expect("table");
    digits.add(table, "samples").expect("add");
    digits.add(Classes::new(labels), "labels").expect("add");
    let labels_table =
        Table::from_rows(["id", "label"], [vec![1.into(), "one".into()]]).expect("t");
    digits.add(labels_table, "names").expect("add");
    digits
        .add(
            JoinedTable {
                table1: "samples.table.json".into(),
                table2: "names.table.json".into(),
                key1: "id".into(),
                key2: "id".into(),
            },
            "joined",
        )
        .expect("add joined");
    for p in 0..2 {
        let part = Table::from_rows(["n"], [vec![Cell::Int(p)]]).expect("part");
        digits.add(part, &format!("parts/p{p}")).expect("add part");
    }
    digits
        .add(
            PartitionedTable {
                parts_path: "parts".into(),
            },
            "all",
        )
        .expect("add partitioned");
    let digits_dir = root.join("digits/v0");
    digits.save(&digits_dir).expect("save");

    // A second artifact re-using the first one's image by reference.
    let opened = Artifact::open(&digits_dir).expect("open");
    let WbObject::Table(samples) = opened.get("samples").expect("get") else {
        panic!("table")
    };
    let img = samples.column("image").expect("column")[0].clone();
    let mut review = Artifact::new("review", "analysis");
    review
        .add(
            Table::from_rows(["image", "verdict"], [vec![img, "ok".into()]]).expect("t"),
            "review",
        )
        .expect("add");
    let review_dir = root.join("review/v0");
    review.save(&review_dir).expect("save");

    let sdk = sdk_read(&py, &[&digits_dir], &["samples", "labels", "joined", "all"]);
    let row0 = ["samples", "data", "0"];
    let cell = |i: &str| at(&sdk, &[row0[0], row0[1], row0[2], i]);
    assert_eq!(at(&sdk, &["samples", "columns", "8"]), &text("audio"));
    assert_eq!(cell("2"), &text("héllo 🚀"));
    assert_eq!(
        at(cell("4"), &["datetime"]),
        &text("2024-01-02T03:04:05.678000+00:00")
    );
    assert_eq!(at(cell("6"), &["a"]).as_i64(), Some(1));
    assert_eq!(
        at(cell("7"), &["image"]),
        &json::parse(br#"[6, 4, "RGB"]"#).expect("j")
    );
    assert_eq!(at(cell("7"), &["boxes", "pred"]).as_i64(), Some(2));
    assert_eq!(
        at(cell("7"), &["mask_layers"]),
        &json::parse(br#"["seg"]"#).expect("j")
    );
    assert_eq!(at(cell("7"), &["caption"]), &text("first"));
    assert_eq!(at(cell("8"), &["caption"]), &text("beep"));
    assert_eq!(at(&sdk, &["samples", "data", "1", "1"]), &text("inf"));
    assert_eq!(at(&sdk, &["labels", "classes", "1", "1"]), &text("cat"));
    assert_eq!(at(&sdk, &["joined", "join_key"]), &text("id"));
    assert_eq!(
        at(&sdk, &["all", "rows"]),
        &json::parse(b"[[0], [1]]").expect("j")
    );

    let sdk = sdk_read(&py, &[&review_dir, &digits_dir], &["review"]);
    assert_eq!(
        at(&sdk, &["review", "data", "0", "0", "image"]),
        &json::parse(br#"[6, 4, "RGB"]"#).expect("j"),
        "the referenced image resolves into the dataset artifact"
    );
}
