//! The bodies of the `arrow` and `parquet` cargo-fuzz targets (`fuzz/`),
//! here so the same code runs on stable: `tests/fuzz_regressions.rs` replays
//! their seeds and every crash the fuzzer found (`fuzz/regressions/<target>/`).

use crate::ipc::{ArrowIncremental, read_arrow};
use crate::parquet_read::{FOOTER_LEN, ParquetPlan, read_parquet};

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
        assert_same_cells(a, b, "whole and chunked reads disagree");
    }
}

/// Two reads of the same bytes give the same table.
fn assert_same_cells(a: &loupe_core::Table, b: &loupe_core::Table, what: &str) {
    assert_eq!(a.row_count(), b.row_count(), "{what}");
    assert_eq!(a.columns.len(), b.columns.len(), "{what}");
    for (x, y) in a.columns.iter().zip(&b.columns) {
        for r in 0..a.row_count() {
            // Display, so NaN equals NaN.
            assert_eq!(
                x.value(r).display(),
                y.value(r).display(),
                "{what}: column {} row {r} differs",
                x.name
            );
        }
    }
}

/// Any bytes as Parquet: read whole, and as the browser reads it (the
/// footer's metadata, then each row group from just its byte ranges). Either
/// may refuse; none may panic; when both read a table they agree.
pub fn parquet(data: &[u8]) {
    let whole = read_parquet(bytes::Bytes::copy_from_slice(data));
    let by_ranges = parquet_by_ranges(data);
    if let (Ok(a), Some(b)) = (&whole, &by_ranges) {
        assert_same_cells(a, b, "whole and ranged reads disagree");
    }
}

/// The table read row group by row group from byte ranges, `None` if any
/// step refuses.
fn parquet_by_ranges(data: &[u8]) -> Option<loupe_core::Table> {
    let len = data.len() as u64;
    let tail = data.get(data.len().checked_sub(FOOTER_LEN as usize)?..)?;
    let meta_len = ParquetPlan::metadata_len(tail, len).ok()?;
    let meta_start = len.checked_sub(FOOTER_LEN + meta_len)? as usize;
    let plan =
        ParquetPlan::new(data.get(meta_start..data.len() - FOOTER_LEN as usize)?, len).ok()?;
    let mut table = plan.empty_table().ok()?;
    for rg in 0..plan.row_groups() {
        let chunks = plan
            .byte_ranges(rg)
            .into_iter()
            .map(|r| {
                let piece = data.get(r.start as usize..r.end as usize)?;
                Some((r.start, bytes::Bytes::copy_from_slice(piece)))
            })
            .collect::<Option<Vec<_>>>()?;
        table.append(plan.read_row_group(rg, chunks).ok()?).ok()?;
    }
    Some(table)
}
