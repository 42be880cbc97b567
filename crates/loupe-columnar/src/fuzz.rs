//! The body of the `arrow` cargo-fuzz target (`fuzz/`), here so the same code
//! runs on stable: `tests/fuzz_regressions.rs` replays its seeds and every
//! crash the fuzzer found (`fuzz/regressions/arrow/`).

use crate::ipc::{ArrowIncremental, read_arrow};

/// Any bytes as Arrow IPC: read whole, and in chunks (sized from the first
/// byte) with every record batch read as it arrives. Either may refuse; none
/// may panic; when both read a table they agree.
pub fn arrow(data: &[u8]) {
    let whole = read_arrow(bytes::Bytes::copy_from_slice(data));
    let step = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut reader = ArrowIncremental::with_progressive_from(0);
    let mut pushed = Ok(());
    for chunk in data.chunks(step) {
        pushed = reader.push(chunk);
        if pushed.is_err() {
            break;
        }
        let _ = reader.buffered_bytes();
    }
    let chunked = pushed.and_then(|()| reader.finish());
    if let (Ok(a), Ok(b)) = (&whole, &chunked) {
        assert_eq!(
            a.row_count(),
            b.row_count(),
            "whole and chunked reads disagree"
        );
        assert_eq!(
            a.columns.len(),
            b.columns.len(),
            "whole and chunked reads disagree"
        );
        for (x, y) in a.columns.iter().zip(&b.columns) {
            for r in 0..a.row_count() {
                // Display, so NaN equals NaN.
                assert_eq!(
                    x.value(r).display(),
                    y.value(r).display(),
                    "column {} row {r} differs",
                    x.name
                );
            }
        }
    }
}
