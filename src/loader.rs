//! Loading a table URL into a core `Table`: fetch, parse, convert in slices.
//!
//! Every failure becomes one sentence that names the URL and what is wrong.

use loupe_core::document::document_from_json;
use loupe_core::path::{folder_of, resolve_media_url};
use loupe_core::{Document, Manifest, Table, TableReader, Value, json};

use crate::fetch::{absolute_url, fetch_bytes, yield_to_browser};

/// Rows read between two yields to the browser (a few ms of work).
const ROWS_PER_SLICE: usize = 20_000;

/// A table ready to show, with where its media live.
#[derive(Debug, Clone)]
pub struct LoadedTable {
    pub url: String,
    /// Absolute URL of the artifact root (media paths resolve against it), ending in `/`.
    pub root: String,
    pub table: Table,
}

/// Where loading is, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    Fetching {
        received: u64,
        total: Option<u64>,
    },
    Parsing,
    /// Rows read so far, and bytes of the file consumed.
    Reading {
        rows: usize,
        bytes_done: usize,
        bytes_total: usize,
    },
}

/// Loads `url` (relative to the page); `root` overrides the artifact root.
pub async fn load_table(
    url: &str,
    root: Option<&str>,
    progress: impl Fn(Progress),
) -> Result<LoadedTable, String> {
    let abs = absolute_url(url)?;
    let root = match root {
        Some(r) => {
            let mut r = absolute_url(r)?;
            if !r.ends_with('/') {
                r.push('/');
            }
            r
        }
        None => folder_of(&abs),
    };
    let table = load_any(&abs, &root, &progress).await?;
    Ok(LoadedTable {
        url: abs,
        root,
        table,
    })
}

async fn fetch(url: &str, progress: &impl Fn(Progress)) -> Result<Vec<u8>, String> {
    fetch_bytes(url, |received, total| {
        progress(Progress::Fetching { received, total })
    })
    .await
    .map_err(|e| format!("Could not load {url}: {e}"))
}

async fn fetch_json(url: &str, progress: &impl Fn(Progress)) -> Result<json::Json, String> {
    let bytes = fetch(url, progress).await?;
    progress(Progress::Parsing);
    yield_to_browser().await;
    json::parse(&bytes).map_err(|e| format!("Could not read {url}: {e}"))
}

async fn load_any(url: &str, root: &str, progress: &impl Fn(Progress)) -> Result<Table, String> {
    let bytes = fetch(url, progress).await?;
    progress(Progress::Parsing);
    yield_to_browser().await;
    let reader = TableReader::new(&bytes).map_err(|e| format!("Could not read {url}: {e}"))?;
    // The SDK writes `_type` first, so a table is known before its rows are read.
    if reader.type_tag() == Some("table") {
        return read_in_slices(reader, progress)
            .await
            .map_err(|e| format!("Could not read {url}: {e}"));
    }
    let doc = json::parse(&bytes).map_err(|e| format!("Could not read {url}: {e}"))?;
    let not_table = |what: &str| format!("Could not open {url}: {what}");
    match document_from_json(&doc).map_err(|e| not_table(&e.to_string()))? {
        Document::Table(t) => Ok(t),
        Document::PartitionedTable(p) => load_partitions(url, root, &p.parts_path, progress).await,
        Document::Image(img) => Ok(Table::single_column("image", Value::Image(img))),
        Document::Media(m) => Ok(Table::single_column(
            m.kind.type_tag(),
            Value::Media(Box::new(m)),
        )),
        Document::JoinedTable(j) => Err(not_table(&format!(
            "it is a joined table ({} ⋈ {} on `{}`/`{}`); joined tables are not viewable yet, open {} or {} directly",
            j.table1, j.table2, j.key1, j.key2, j.table1, j.table2
        ))),
        Document::Classes(_) => Err(not_table("it is a classes file (class names), not a table")),
    }
}

/// Reads rows a slice at a time straight into columns, yielding so the page stays responsive.
async fn read_in_slices(
    mut reader: TableReader<'_>,
    progress: &impl Fn(Progress),
) -> Result<Table, String> {
    while !reader.is_done() {
        reader
            .read_rows(ROWS_PER_SLICE)
            .map_err(|e| e.to_string())?;
        let (done, total) = reader.progress();
        progress(Progress::Reading {
            rows: reader.rows_read(),
            bytes_done: done,
            bytes_total: total,
        });
        yield_to_browser().await;
    }
    reader.finish().map_err(|e| e.to_string())
}

/// A partitioned table is the concatenation of the `.table.json` entries under
/// its `parts_path`, which only the manifest lists (static hosts have no listing).
async fn load_partitions(
    url: &str,
    root: &str,
    parts_path: &str,
    progress: &impl Fn(Progress),
) -> Result<Table, String> {
    let manifest_url = format!("{root}wandb_manifest.json");
    let manifest_json = fetch_json(&manifest_url, progress).await.map_err(|e| {
        format!("{url} is a partitioned table, so its parts must come from the manifest. {e}")
    })?;
    let manifest = Manifest::from_json(&manifest_json)
        .map_err(|e| format!("Could not read {manifest_url}: {e}"))?;
    let parts = manifest.parts_of(parts_path);
    if parts.is_empty() {
        return Err(format!(
            "{url}: the manifest lists no parts under `{parts_path}/`"
        ));
    }
    let mut all: Option<Table> = None;
    for part in parts {
        let part_url = resolve_media_url(root, &part.path).map_err(|e| format!("{url}: {e}"))?;
        let bytes = fetch(&part_url, progress).await?;
        let reader =
            TableReader::new(&bytes).map_err(|e| format!("Could not read {part_url}: {e}"))?;
        let table = read_in_slices(reader, progress)
            .await
            .map_err(|e| format!("Could not read {part_url}: {e}"))?;
        match &mut all {
            None => all = Some(table),
            Some(acc) => acc.append(table).map_err(|e| format!("{part_url}: {e}"))?,
        }
    }
    all.ok_or_else(|| format!("{url}: no parts"))
}

/// Fetches and parses a classes file (`Ok(None)` if it is not one).
pub async fn load_classes(url: &str) -> Result<loupe_core::ClassSet, String> {
    let bytes = fetch_bytes(url, |_, _| {})
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    match loupe_core::parse_document(&bytes) {
        Ok(Document::Classes(set)) => Ok(set),
        Ok(other) => Err(format!(
            "{url} is a {} file, not classes",
            other.type_name()
        )),
        Err(e) => Err(format!("{url}: {e}")),
    }
}
