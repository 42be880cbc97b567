//! The `loupe` command on real folders: a clean tree indexes with exit 0, and
//! broken tables, missing media and dangling references are each reported.

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loupe-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn loupe(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(args)
        .output()
        .expect("run loupe");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../loupe-core/tests/fixtures")
}

#[test]
fn indexes_the_demo_with_its_references() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/demo");
    let dir = scratch("demo");
    copy_dir(&demo, &dir);
    let (ok, out) = loupe(&[
        "index",
        dir.to_str().expect("utf-8"),
        "--runs",
        dir.join("runs.json").to_str().expect("utf-8"),
    ]);
    assert!(ok, "{out}");
    assert!(
        out.contains("(4 artifacts, 5 versions, 5 tables checked, 0 problems)"),
        "{out}"
    );
    // The committed demo catalog is what `loupe index` writes today.
    assert_eq!(
        std::fs::read_to_string(dir.join("loupe.json")).expect("written"),
        std::fs::read_to_string(demo.join("loupe.json")).expect("committed"),
        "public/demo/loupe.json is stale: run `cargo run -p loupe-cli -- index public/demo --runs public/demo/runs.json`"
    );
    let catalog =
        loupe_core::Catalog::parse(&std::fs::read(dir.join("loupe.json")).expect("catalog"))
            .expect("valid catalog");
    assert_eq!(
        catalog
            .version("digit-predictions:best")
            .map(|(_, v)| v.path.as_str()),
        Some("digit-predictions/v1/")
    );
    assert_eq!(
        catalog
            .runs
            .iter()
            .find(|r| r.id == "train-mlp")
            .map(|r| r.used.clone()),
        Some(vec!["digits:v0".to_string()])
    );
    // The review artifact's images live in digits:v0 and resolve through the catalog.
    let r = catalog
        .resolve("wandb-artifact://41727469666163743a31/digits.table.json")
        .expect("reference into digits");
    assert_eq!(r.folder, "digits/v0/");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reports_broken_tables_missing_media_and_dangling_references() {
    let dir = scratch("broken");
    copy_dir(&fixtures().join("media"), &dir.join("media"));
    copy_dir(&fixtures().join("composite"), &dir.join("composite"));
    // A table that is not JSON, a missing image, and a reference to an unknown artifact.
    std::fs::write(
        dir.join("composite/v0/left.table.json"),
        b"{\"_type\": \"table\", \"columns\": [",
    )
    .expect("write");
    std::fs::remove_file(dir.join("media/v0/media/images/3eea4e1da381fed3a245.png"))
        .expect("remove");
    let manifest = dir.join("composite/v0/wandb_manifest.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let text = text.replacen(
        "\"right.table.json\": {",
        "\"right.table.json\": {\"ref\": \"wandb-artifact://41727469666163743a393939/right.table.json\",",
        1,
    );
    std::fs::write(&manifest, text).expect("write");
    let (ok, out) = loupe(&["index", dir.to_str().expect("utf-8")]);
    assert!(!ok, "broken input must fail: {out}");
    assert!(
        out.contains("composite/v0/left.table.json: invalid JSON at line 1"),
        "{out}"
    );
    assert!(
        out.contains(
            "media/v0/media/images/3eea4e1da381fed3a245.png: listed in the manifest but missing"
        ),
        "{out}"
    );
    assert!(
        out.contains("names artifact id QXJ0aWZhY3Q6OTk5, which is not in the catalog"),
        "{out}"
    );
    let (ok, json) = loupe(&["check", dir.to_str().expect("utf-8"), "--json"]);
    assert!(!ok);
    let parsed = loupe_core::json::parse(json.as_bytes()).expect("--json prints JSON");
    assert!(
        parsed
            .get("problems")
            .and_then(|p| p.as_array())
            .is_some_and(|p| p.len() >= 2),
        "{json}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_validates_single_files() {
    let (ok, out) = loupe(&[
        "check",
        fixtures()
            .join("media/v0/media.table.json")
            .to_str()
            .expect("utf-8"),
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("a valid table file"), "{out}");
    let (ok, _) = loupe(&["frobnicate"]);
    assert!(!ok);
}

#[test]
fn convert_writes_an_artifact_folder_that_reads_back() {
    let dir = scratch("convert");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let csv = dir.join("preds.csv");
    std::fs::write(
        &csv,
        "id,score,label\n1,0.25,cat\n2,0.75,\"dog, big\"\n3,,cat\n",
    )
    .expect("write csv");
    let out = dir.join("preds/v0");
    let (ok, text) = loupe(&[
        "convert",
        csv.to_str().expect("utf8"),
        out.to_str().expect("utf8"),
        "--type",
        "predictions",
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("preds.table.json (3 rows)"), "{text}");
    // The folder is an artifact: `check` accepts it and the table reads back.
    let (ok, text) = loupe(&["check", out.to_str().expect("utf8")]);
    assert!(ok, "{text}");
    let table =
        loupe_core::read_table(&std::fs::read(out.join("preds.table.json")).expect("table"))
            .expect("reads");
    assert_eq!(table.row_count(), 3);
    assert_eq!(
        table.column("label").expect("label").get(1),
        loupe_core::Value::Str("dog, big".into())
    );
    assert_eq!(
        table.column("score").expect("score").get(2),
        loupe_core::Value::Null
    );
    let manifest = loupe_core::Manifest::parse(
        &std::fs::read(out.join("wandb_manifest.json")).expect("manifest"),
    )
    .expect("parses");
    assert!(manifest.entry("preds.table.json").is_some());
    // Bad input names the line.
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"a\": 1}\nnot json\n").expect("write");
    let (ok, text) = loupe(&[
        "convert",
        bad.to_str().expect("utf8"),
        dir.join("bad").to_str().expect("utf8"),
    ]);
    assert!(!ok);
    assert!(text.contains("line 2"), "{text}");
}

#[test]
fn convert_goes_to_parquet_and_back() {
    let dir = scratch("convert-parquet");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let jsonl = dir.join("preds.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\": 1, \"label\": \"cat\", \"score\": 0.5, \"tags\": [\"a\"]}\n{\"id\": 2, \"label\": \"dog\", \"score\": null, \"tags\": []}\n",
    )
    .expect("write jsonl");
    let out = dir.join("pq/v0");
    let (ok, text) = loupe(&[
        "convert",
        jsonl.to_str().expect("utf8"),
        out.to_str().expect("utf8"),
        "--to",
        "parquet",
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("preds.parquet (2 rows)"), "{text}");
    let parquet = out.join("preds.parquet");
    let manifest = loupe_core::Manifest::parse(
        &std::fs::read(out.join("wandb_manifest.json")).expect("manifest"),
    )
    .expect("parses");
    assert_eq!(
        manifest.entry("preds.parquet").and_then(|e| e.size),
        Some(std::fs::metadata(&parquet).expect("parquet written").len())
    );
    // And back: Parquet → table.json holds the same cells.
    let back = dir.join("back/v0");
    let (ok, text) = loupe(&[
        "convert",
        parquet.to_str().expect("utf8"),
        back.to_str().expect("utf8"),
    ]);
    assert!(ok, "{text}");
    let table =
        loupe_core::read_table(&std::fs::read(back.join("preds.table.json")).expect("table"))
            .expect("reads");
    assert_eq!(table.row_count(), 2);
    assert_eq!(
        table.column("label").expect("label").get(1),
        loupe_core::Value::Str("dog".into())
    );
    assert_eq!(
        table.column("score").expect("score").get(1),
        loupe_core::Value::Null
    );
    assert_eq!(
        table.column("tags").expect("tags").get(0),
        loupe_core::Value::List(vec![loupe_core::Value::Str("a".into())])
    );
}
