//! The `arrow` fuzz target's body on stable: every seed, every prefix of it,
//! and every input the fuzzer ever crashed on (`fuzz/regressions/arrow/`).

use std::path::Path;

#[test]
fn arrow_seeds_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join("arrow")) else {
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
            loupe_columnar::fuzz::arrow(&bytes);
            // Every prefix too: truncation is the commonest way files break.
            for cut in (0..bytes.len()).step_by((bytes.len() / 64).max(1)) {
                loupe_columnar::fuzz::arrow(&bytes[..cut]);
            }
            n += 1;
        }
    }
    assert!(n >= 3, "{n} seeds");
}
