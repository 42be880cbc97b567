//! Opening one table file: Parquet row group by row group over HTTP range
//! requests (whole-file download only when the server ignores ranges), Arrow
//! IPC decoded batch by batch as it downloads, a W&B `.table.json` parsed as
//! it downloads. Every finished piece goes to the app as a table frame.

use bytes::Bytes;
use loupe_columnar::ipc::ArrowIncremental;
use loupe_columnar::parquet_read::FOOTER_LEN;
use loupe_columnar::{Format, ParquetPlan, read_columnar};
use loupe_core::Table;
use loupe_core::table::estimate_rows;

use crate::http;

/// Where the pieces go (the app, through `postMessage`).
pub trait Sink {
    /// Bytes fetched so far of `total`, and rows decoded so far (a sink may
    /// pass some on only).
    fn progress(&self, received: u64, total: Option<u64>, rows: u64);
    /// The body's last byte is in: the counts the app checks (a W&B table's
    /// size against its manifest entry), always passed on.
    fn body_done(&self, received: u64, total: Option<u64>, rows: u64) {
        self.progress(received, total, rows);
    }
    /// A decoded piece of the table, in order.
    fn part(&self, table: &Table);
    /// The first rows of the columns in view, to show before the first piece.
    fn preview(&self, table: &Table);
    /// How many rows the whole table will have (so the app makes room once).
    fn expect_rows(&self, rows: u64);
    /// Whether the app gave up on this load (checked between pieces).
    fn cancelled(&self) -> bool;
}

/// The file's tail fetched first: small Parquet metadata fits in one request.
const TAIL_GUESS: u64 = 64 * 1024;

/// Which reader a file needs. The page says it (it knows the file's name;
/// a picked local file reaches the worker as a `blob:` URL without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Parquet,
    Arrow,
    /// A W&B `.table.json` (the page hands large ones here once it has seen
    /// their header: everything else in JSON it reads itself).
    WandbJson,
}

impl FileFormat {
    /// `"parquet"`, `"arrow"` or `"json"`, as the page's `open` message names it.
    pub fn from_name(name: &str) -> Option<FileFormat> {
        match name {
            "parquet" => Some(FileFormat::Parquet),
            "arrow" => Some(FileFormat::Arrow),
            "json" => Some(FileFormat::WandbJson),
            _ => None,
        }
    }
}

/// Opens `url` as a `format` file; `in_view`: how many leading columns the
/// page shows (a wide Parquet file's first row group is fetched in those
/// columns first).
pub async fn open(
    url: &str,
    format: FileFormat,
    budget: u64,
    in_view: usize,
    sink: &impl Sink,
) -> Result<(), String> {
    match format {
        FileFormat::Parquet => open_parquet(url, budget, in_view, sink).await,
        FileFormat::WandbJson => {
            let reader = WandbTablePieces(loupe_core::StreamingTableReader::new());
            open_in_pieces(url, budget, reader, sink).await
        }
        FileFormat::Arrow => open_in_pieces(url, budget, ArrowIncremental::new(), sink).await,
    }
}

fn too_large(bytes: u64, budget: u64) -> String {
    let mb = |b: u64| format!("{:.1} MB", b as f64 / f64::from(1 << 20));
    format!(
        "the file is {}, more than the memory budget of {} (raise it with &max_mb=, or split the table into partitions)",
        mb(bytes),
        mb(budget)
    )
}

/// Streams the body of `url` to `on_chunk` (a chunk, bytes so far, the total
/// when known), refusing a file larger than `budget` before or while it arrives.
async fn read_within_budget(
    url: &str,
    budget: u64,
    mut on_chunk: impl FnMut(&[u8], u64, Option<u64>) -> Result<(), String>,
) -> Result<(), String> {
    let response = http::get(url).await?;
    let total = http::content_length(&response);
    if let Some(t) = total.filter(|t| *t > budget) {
        return Err(too_large(t, budget));
    }
    http::read_body(&response, |chunk, received| {
        if received > budget {
            return Err(too_large(received, budget));
        }
        on_chunk(chunk, received, total)
    })
    .await
}

/// Downloads the whole file (streamed, with progress) and reads it.
async fn open_whole(url: &str, budget: u64, sink: &impl Sink) -> Result<(), String> {
    let mut bytes = Vec::new();
    read_within_budget(url, budget, |chunk, received, total| {
        if bytes.is_empty() {
            bytes.reserve(total.unwrap_or(0).min(1 << 30) as usize);
        }
        bytes.extend_from_slice(chunk);
        sink.progress(received, total, 0);
        Ok(())
    })
    .await?;
    read_whole(bytes, sink)
}

/// A reader that takes a body chunk by chunk and hands its rows out in pieces.
trait PieceReader {
    fn push(&mut self, chunk: &[u8]) -> Result<(), String>;
    /// Rows read so far (handed out or not).
    fn rows(&self) -> usize;
    /// The rows read since the last piece.
    fn take(&mut self) -> Result<Option<Table>, String>;
    /// The rows left once the body has ended.
    fn finish(self) -> Result<Table, String>;
    /// Rows before the first piece goes (the grid fills as soon as it arrives).
    const FIRST_PIECE_ROWS: usize;
}

/// Arrow IPC, decoded while the body downloads (a large record batch column
/// by column as it arrives; pieces hold whole batches).
impl PieceReader for ArrowIncremental {
    fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        ArrowIncremental::push(self, chunk).map_err(|e| e.to_string())
    }
    fn rows(&self) -> usize {
        ArrowIncremental::rows(self)
    }
    fn take(&mut self) -> Result<Option<Table>, String> {
        ArrowIncremental::take(self).map_err(|e| e.to_string())
    }
    fn finish(self) -> Result<Table, String> {
        ArrowIncremental::finish(self).map_err(|e| e.to_string())
    }
    const FIRST_PIECE_ROWS: usize = PART_ROWS;
}

/// A W&B table file parsed as it downloads (core `StreamingTableReader`, the
/// reader the page uses for small files); a first small piece, so the grid
/// fills early.
struct WandbTablePieces(loupe_core::StreamingTableReader);

impl PieceReader for WandbTablePieces {
    fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.0.push(chunk).map_err(|e| e.to_string())?;
        match self.0.type_tag().filter(|t| *t != "table") {
            Some(kind) => Err(format!("it is a `{kind}` file, not a table")),
            None => Ok(()),
        }
    }
    fn rows(&self) -> usize {
        self.0.rows_read()
    }
    fn take(&mut self) -> Result<Option<Table>, String> {
        let piece = self.0.take_piece().transpose().map_err(|e| e.to_string())?;
        if piece.is_some() {
            // The next piece's columns start empty: room for all of it at once.
            self.0.reserve_rows(PART_ROWS);
        }
        Ok(piece)
    }
    fn finish(self) -> Result<Table, String> {
        self.0.finish().map_err(|e| e.to_string())
    }
    const FIRST_PIECE_ROWS: usize = PREVIEW_ROWS;
}

/// Streams `url` through `reader`, sending pieces to the app as they fill up,
/// after a row count estimated from the first rows and `Content-Length`, so
/// the app makes room once.
async fn open_in_pieces<R: PieceReader>(
    url: &str,
    budget: u64,
    mut reader: R,
    sink: &impl Sink,
) -> Result<(), String> {
    let mut announced = false;
    let mut sent = 0usize;
    let mut last = (0, None);
    read_within_budget(url, budget, |chunk, received, total| {
        last = (received, total);
        if sink.cancelled() {
            return Err("cancelled".into());
        }
        reader.push(chunk)?;
        let rows = reader.rows();
        if !announced
            && rows > 0
            && let Some(t) = total
        {
            announced = true;
            sink.expect_rows(estimate_rows(rows, received, t) as u64);
        }
        let piece_rows = if sent == 0 {
            R::FIRST_PIECE_ROWS
        } else {
            PART_ROWS
        };
        if rows - sent >= piece_rows
            && let Some(piece) = reader.take()?
        {
            sent += piece.row_count();
            send_pieces(&piece, sink);
        }
        sink.progress(received, total, rows as u64);
        Ok(())
    })
    .await?;
    sink.body_done(last.0, last.1, reader.rows() as u64);
    let rest = reader.finish()?;
    if sent == 0 {
        // A whole Arrow file (read just now), or fewer rows than one piece.
        send_in_parts(&rest, sink);
    } else if rest.row_count() > 0 {
        send_pieces(&rest, sink);
    }
    Ok(())
}

/// Rows of the columns-in-view preview (the page shows a screenful of them).
const PREVIEW_ROWS: usize = 1024;

/// Most rows per piece a reader produces and the app is handed at once.
const PART_ROWS: usize = 64 * 1024;

/// Most bytes of columns per piece handed to the app: each piece is decoded
/// and appended to the app's table in one main-thread task, which must stay
/// well under 50 ms. A 64K-row piece of the benchmark's nine columns (~6 MB)
/// took 40-50 ms there on a two-core machine while the worker decoded beside
/// it; a wide table's 64K rows would take far longer.
const PART_BYTES: usize = 2 << 20;

/// Rows per piece of `table` for pieces of about `PART_BYTES` (reserved room
/// counts too, which only makes pieces smaller), 1K to `PART_ROWS` of them.
fn rows_per_part(table: &Table) -> usize {
    let per_row = table.heap_bytes().div_ceil(table.row_count().max(1)).max(1);
    (PART_BYTES / per_row).clamp(1024, PART_ROWS)
}

/// Hands a whole `table` to the app: its size first, then its pieces.
fn send_in_parts(table: &Table, sink: &impl Sink) {
    sink.expect_rows(table.row_count() as u64);
    send_pieces(table, sink);
}

/// `table` in pieces of `rows_per_part` rows.
fn send_pieces(table: &Table, sink: &impl Sink) {
    let n = table.row_count();
    let rows = rows_per_part(table);
    if n <= rows {
        sink.part(table);
        return;
    }
    for start in (0..n).step_by(rows) {
        sink.part(&table.slice(start, start + rows));
    }
}

fn read_whole(bytes: Vec<u8>, sink: &impl Sink) -> Result<(), String> {
    let len = bytes.len() as u64;
    let table = read_columnar(Bytes::from(bytes)).map_err(|e| e.to_string())?;
    send_in_parts(&table, sink);
    sink.progress(len, Some(len), table.row_count() as u64);
    Ok(())
}

/// The footer first, then each row group from its own byte ranges.
async fn open_parquet(
    url: &str,
    budget: u64,
    in_view: usize,
    sink: &impl Sink,
) -> Result<(), String> {
    // A 4-byte probe: is it Parquet, how long is it, does the server do ranges?
    let probe = http::get_range(url, 0, 4).await?;
    let Some(len) = probe.total else {
        // No ranges (or `Content-Range` hidden by CORS): all of it, at once.
        if probe.bytes.len() > 4 {
            if probe.bytes.len() as u64 > budget {
                return Err(too_large(probe.bytes.len() as u64, budget));
            }
            return read_whole(probe.bytes, sink);
        }
        return open_whole(url, budget, sink).await;
    };
    if Format::sniff(&probe.bytes) != Some(Format::Parquet) {
        return Err("not a Parquet file: it does not start with `PAR1`".into());
    }
    if len > budget {
        return Err(too_large(len, budget));
    }
    let mut fetched = probe.bytes.len() as u64;
    let tail_start = len.saturating_sub(TAIL_GUESS);
    let tail = http::get_range(url, tail_start, len).await?.bytes;
    fetched += tail.len() as u64;
    let footer = tail
        .get(tail.len().saturating_sub(FOOTER_LEN as usize)..)
        .ok_or("the file is shorter than a Parquet footer")?;
    let meta_len = ParquetPlan::metadata_len(footer, len).map_err(|e| e.to_string())?;
    let meta_start = len - FOOTER_LEN - meta_len;
    let metadata = if meta_start >= tail_start {
        tail[(meta_start - tail_start) as usize..tail.len() - FOOTER_LEN as usize].to_vec()
    } else {
        // Metadata larger than the guess: fetch the rest of it.
        let mut head = http::get_range(url, meta_start, tail_start).await?.bytes;
        fetched += head.len() as u64;
        head.extend_from_slice(&tail[..tail.len() - FOOTER_LEN as usize]);
        head
    };
    let plan = ParquetPlan::new(&metadata, len).map_err(|e| e.to_string())?;
    sink.part(&plan.empty_table().map_err(|e| e.to_string())?);
    sink.expect_rows(plan.rows());
    sink.progress(fetched, Some(len), 0);
    let mut rows = 0u64;
    let as_chunks = |got: Vec<(u64, Vec<u8>)>, fetched: &mut u64| -> Vec<(u64, Bytes)> {
        got.into_iter()
            .map(|(start, bytes)| {
                *fetched += bytes.len() as u64;
                (start, Bytes::from(bytes))
            })
            .collect()
    };
    // A wide table: the columns in view of the first row group first, shown
    // as a preview; the first row group's other columns follow.
    let mut first_columns: Vec<(u64, Bytes)> = Vec::new();
    let mut first_ranges = plan.byte_ranges(0);
    if in_view > 0 && in_view < plan.column_count() && plan.row_groups() > 0 {
        let got = http::prefetch(url, plan.ranges_of(0, 0..in_view))
            .wait()
            .await?;
        first_columns = as_chunks(got, &mut fetched);
        let preview = plan
            .read_columns(0, 0..in_view, first_columns.clone())
            .map_err(|e| format!("row group 0: {e}"))?;
        sink.preview(&preview.slice(0, preview.row_count().min(PREVIEW_ROWS)));
        sink.progress(fetched, Some(len), 0);
        first_ranges = plan.ranges_of(0, in_view..usize::MAX);
    }
    // Row group `rg + 1` downloads while `rg` is decoded (at most two in memory).
    let mut next = (plan.row_groups() > 0).then(|| http::prefetch(url, first_ranges));
    for rg in 0..plan.row_groups() {
        let Some(pending) = next.take() else { break };
        let got = pending.wait().await?;
        if sink.cancelled() {
            return Ok(());
        }
        if rg + 1 < plan.row_groups() {
            next = Some(http::prefetch(url, plan.byte_ranges(rg + 1)));
            http::let_spawned_tasks_start().await;
        }
        let mut chunks = as_chunks(got, &mut fetched);
        chunks.append(&mut first_columns);
        let table = plan
            .read_row_group(rg, chunks)
            .map_err(|e| format!("row group {rg}: {e}"))?;
        rows += table.row_count() as u64;
        send_pieces(&table, sink);
        sink.progress(fetched, Some(len), rows);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// Records the frames a load hands the app.
    #[derive(Default)]
    struct Frames(RefCell<Vec<Vec<u8>>>);

    impl Sink for Frames {
        fn progress(&self, _: u64, _: Option<u64>, _: u64) {}
        fn part(&self, table: &Table) {
            self.0.borrow_mut().push(loupe_core::frame::encode(table));
        }
        fn preview(&self, _: &Table) {}
        fn expect_rows(&self, _: u64) {}
        fn cancelled(&self) -> bool {
            false
        }
    }

    /// A W&B table of `rows` rows: an id and `texts` text columns of ~40 bytes a cell.
    fn table(rows: usize, texts: usize) -> Table {
        let mut json = String::from(r#"{"_type": "table", "columns": ["id""#);
        for c in 0..texts {
            json.push_str(&format!(r#", "t{c}""#));
        }
        json.push_str(r#"], "data": ["#);
        for r in 0..rows {
            json.push_str(if r == 0 { "[" } else { ", [" });
            json.push_str(&r.to_string());
            for c in 0..texts {
                json.push_str(&format!(r#", "row {r} of column {c}, some words here""#));
            }
            json.push(']');
        }
        json.push_str("]}");
        loupe_core::table_reader::read_table(json.as_bytes()).expect("a valid table")
    }

    fn sent(table: &Table) -> Vec<Table> {
        let frames = Frames::default();
        send_pieces(table, &frames);
        frames
            .0
            .into_inner()
            .iter()
            .map(|f| loupe_core::frame::decode(f).expect("a frame the app reads"))
            .collect()
    }

    #[test]
    fn pieces_of_a_wide_table_stay_near_the_byte_budget_and_keep_every_row() {
        let wide = table(20_000, 20);
        let pieces = sent(&wide);
        assert!(pieces.len() > 1, "~16 MB must not go as one piece");
        let frames: Vec<usize> = pieces
            .iter()
            .map(|p| loupe_core::frame::encode(p).len())
            .collect();
        assert!(
            frames.iter().all(|&b| b <= PART_BYTES * 5 / 4),
            "frames of {frames:?} bytes"
        );
        let mut joined = pieces[0].clone();
        for p in &pieces[1..] {
            joined.append(p.clone()).expect("same columns");
        }
        assert_eq!(joined, wide);
    }

    #[test]
    fn a_narrow_table_goes_in_pieces_of_at_most_part_rows() {
        let narrow = table(PART_ROWS * 2 + 5, 0);
        let rows: Vec<usize> = sent(&narrow).iter().map(Table::row_count).collect();
        assert_eq!(rows, [PART_ROWS, PART_ROWS, 5]);
    }

    #[test]
    fn huge_rows_still_go_a_thousand_or_so_at_a_time() {
        // ~4 KB a row: 2 MB would be 500 rows; pieces keep 1024, or the
        // messages' own cost would dominate.
        assert_eq!(rows_per_part(&table(3000, 100)), 1024);
    }
}
