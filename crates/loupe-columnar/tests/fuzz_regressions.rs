//! The `arrow` and `parquet` fuzz targets' bodies on stable: every seed, every
//! prefix of it, and every input the fuzzer ever crashed on
//! (`fuzz/regressions/<target>/`).

use std::path::Path;

#[test]
fn arrow_seeds_and_regressions() {
    assert!(replay("arrow", loupe_columnar::fuzz::arrow) >= 3);
}

#[test]
fn parquet_seeds_and_regressions() {
    assert!(replay("parquet", loupe_columnar::fuzz::parquet) >= 3);
}

/// Runs `body` on every seed and regression of `target` and on prefixes of
/// them; returns how many seeds there were.
fn replay(target: &str, body: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path
                .file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            body(&bytes);
            // Every prefix too: truncation is the commonest way files break.
            for cut in (0..bytes.len()).step_by((bytes.len() / 64).max(1)) {
                body(&bytes[..cut]);
            }
            if dir == "seeds" {
                n += 1;
            }
        }
    }
    n
}
