//! Loading a table URL into a core `Table`: the body streams into columns as it arrives.
//!
//! Every failure becomes one sentence that names the URL and what is wrong.

use loupe_core::document::document_from_json;
use loupe_core::path::{folder_of, resolve_media_url};
use loupe_core::{Document, Manifest, StreamingTableReader, Table, Value, json};

use crate::fetch::{absolute_url, fetch_bytes, fetch_chunks, yield_to_browser};

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

async fn fetch_json(url: &str, progress: &impl Fn(Progress)) -> Result<json::Json, String> {
    let bytes = fetch_bytes(url, |received, total| {
        progress(Progress::Fetching { received, total })
    })
    .await
    .map_err(|e| format!("Could not load {url}: {e}"))?;
    progress(Progress::Parsing);
    yield_to_browser().await;
    json::parse(&bytes).map_err(|e| format!("Could not read {url}: {e}"))
}

/// Fetches a W&B file. A table streams straight into columns as its bytes arrive
/// (the body is never held whole); any other document is collected and parsed.
async fn load_any(url: &str, root: &str, progress: &impl Fn(Progress)) -> Result<Table, String> {
    let mut reader = StreamingTableReader::new();
    // Bytes kept until the `_type` is known, then only for non-table documents.
    let mut head: Option<Vec<u8>> = Some(Vec::new());
    let mut is_table = false;
    let mut streaming = true;
    let fetched = fetch_chunks(url, |chunk, received, total| {
        if let Some(h) = head.as_mut() {
            h.extend_from_slice(chunk);
        }
        if streaming {
            match reader.push(chunk) {
                Err(e) if is_table => return Err(e.to_string()),
                // Not a table (or not JSON): the whole-document path reports it.
                Err(_) => streaming = false,
                Ok(()) if !is_table && reader.header_read() => {
                    is_table = reader.type_tag() == Some("table");
                    if is_table {
                        head = None;
                    } else {
                        streaming = false;
                    }
                }
                Ok(()) => {}
            }
        }
        match (is_table, total) {
            (true, Some(t)) => progress(Progress::Reading {
                rows: reader.rows_read(),
                bytes_done: received as usize,
                bytes_total: t as usize,
            }),
            _ => progress(Progress::Fetching { received, total }),
        }
        Ok(())
    })
    .await;
    match fetched {
        Ok(()) => {}
        Err(Ok(e)) => return Err(format!("Could not load {url}: {e}")),
        Err(Err(e)) => return Err(format!("Could not read {url}: {e}")),
    }
    if is_table {
        return reader
            .finish()
            .map_err(|e| format!("Could not read {url}: {e}"));
    }
    let bytes = head.unwrap_or_default();
    progress(Progress::Parsing);
    yield_to_browser().await;
    let doc = json::parse(&bytes).map_err(|e| format!("Could not read {url}: {e}"))?;
    let not_table = |what: &str| format!("Could not open {url}: {what}");
    match document_from_json(&doc).map_err(|e| not_table(&e.to_string()))? {
        Document::Table(t) => Ok(t),
        Document::PartitionedTable(p) => {
            Box::pin(load_partitions(url, root, &p.parts_path, progress)).await
        }
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
        let table = Box::pin(load_any(&part_url, root, progress)).await?;
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
