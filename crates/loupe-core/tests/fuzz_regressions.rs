//! The fuzz targets' bodies on stable: every seed and every input the fuzzer
//! ever crashed on (`fuzz/regressions/<target>/`, added when a crash is fixed)
//! must pass. `cargo xtask fuzz` runs the real fuzzer (nightly + cargo-fuzz).

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path
                .file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            run(&bytes);
            // Every prefix too: truncation is the commonest way files break.
            for cut in (0..bytes.len()).step_by((bytes.len() / 16).max(1)) {
                run(&bytes[..cut]);
            }
            n += 1;
        }
    }
    n
}

#[test]
fn table_seeds_and_regressions() {
    assert!(replay("table", loupe_core::fuzz::table) > 10);
}

#[test]
fn manifest_and_catalog_seeds_and_regressions() {
    assert!(replay("manifest", loupe_core::fuzz::manifest_and_catalog) >= 3);
}

#[test]
fn expression_seeds_and_regressions() {
    assert!(replay("expression", loupe_core::fuzz::expression) >= 3);
}
