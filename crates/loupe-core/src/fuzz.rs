//! The bodies of the cargo-fuzz targets (`fuzz/`), kept here so the same code
//! also runs on stable: `tests/fuzz_regressions.rs` replays the seeds and every
//! crash the fuzzer ever found (`fuzz/regressions/<target>/`).

use crate::expr::{Frame, compile, eval};
use crate::{Catalog, Manifest, StreamingTableReader, parse_document, read_table};

/// Table readers: whole and streamed (split at one point) give the same answer.
pub fn table(data: &[u8]) {
    let whole = read_table(data);
    let split = data.len() / 2;
    let mut streaming = StreamingTableReader::new();
    let streamed = streaming
        .push(&data[..split])
        .and_then(|()| streaming.push(&data[split..]))
        .and_then(|()| streaming.finish());
    if let (Ok(a), Ok(b)) = (&whole, &streamed) {
        assert_eq!(
            a.row_count(),
            b.row_count(),
            "streaming and whole reads disagree"
        );
        assert_eq!(
            a.columns.len(),
            b.columns.len(),
            "streaming and whole reads disagree"
        );
    }
}

/// Manifests, catalogs (with lineage and reference resolution), documents, views files.
pub fn manifest_and_catalog(data: &[u8]) {
    if let Ok(m) = Manifest::parse(data) {
        for e in &m.entries {
            let _ = m.parts_of(&e.path);
        }
    }
    if let Ok(c) = Catalog::parse(data) {
        let _ = c.lineage(true);
        let _ = c.lineage(false);
        let _ = c.resolve("wandb-artifact://41727469666163743a31/x.png");
    }
    let _ = parse_document(data);
    let _ = crate::views::parse_views(data);
}

/// Expressions: compiled against a small table with every column type, then evaluated.
pub fn expression(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = read_table(
        br#"{"_type": "table", "columns": ["n", "f", "s", "b", "l", "img", "t"],
        "data": [[1, 1.5, "a", true, [1, 2], {"_type": "image-file", "path": "x.png", "width": 4, "height": 4,
                  "boxes": {"p": [{"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}, "class_id": 1}]}}, null],
                 [null, NaN, "", false, [], null, 5], [-3, -Infinity, "b", null, [null], null, null]]}"#,
    ) else {
        return;
    };
    let frame = Frame::of(&table);
    if let Ok((e, _)) = compile(src, &frame.schema()) {
        let _ = eval(&e, &frame);
    }
}
