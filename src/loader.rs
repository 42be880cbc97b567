//! Loading a table URL into a core `Table`: the body streams into columns as it
//! arrives. Inside an artifact (its `wandb_manifest.json` is next to the file),
//! reference entries resolve through the catalog to other artifacts; joined
//! tables load both inputs and join them; partitioned tables load their parts.
//!
//! Every failure becomes one sentence that names the URL and what is wrong.

use std::sync::Arc;

use loupe_core::catalog::Catalog;
use loupe_core::document::document_from_json;
use loupe_core::ops::{JoinKind, join};
use loupe_core::partition_window::PartitionWindow;
use loupe_core::path::folder_of;
use loupe_core::{Document, Manifest, MediaResolver, StreamingTableReader, Table, Value, json};

use crate::fetch::{absolute_url, fetch_bytes, fetch_chunks, yield_to_browser};

mod partitioned;

pub use partitioned::load_part;

/// A table ready to show, with where each column's media live.
#[derive(Debug, Clone)]
pub struct LoadedTable {
    pub url: String,
    /// Absolute URL of the artifact folder the table was opened in, ending in `/`.
    pub root: String,
    pub table: Table,
    /// Per column: where its media paths resolve (columns of a joined table can
    /// come from different artifacts).
    pub media: Vec<Arc<MediaResolver>>,
    /// When versions are compared: their labels and each column's version.
    pub compare: Option<CompareInfo>,
    /// A partitioned table larger than the memory budget: its parts and which
    /// of them `table` holds (paged through by `partitions::PartitionPager`).
    pub partitions: Option<Arc<PartitionSource>>,
    /// The row (over all parts) of `table`'s first row: 0 unless paged.
    pub first_row: usize,
    /// The row of `table` to scroll to first (where a paged table's new part begins).
    pub start_row: usize,
    /// Set when `table` is what a scan of every part found (`&scan=1`).
    pub scanned: Option<Scanned>,
}

/// What a scan of every part of a partitioned table found.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    /// What the bar above the rows says.
    pub note: String,
    /// The rows are a summary of groups (keys, counts, means), not the
    /// table's rows: the view's filter, grouping and derived columns made it
    /// and do not run on it again; only its sort does.
    pub summary: bool,
}

/// A partitioned table opened on its own, for loading further parts later.
#[derive(Debug)]
pub struct PartitionSource {
    pub url: String,
    artifact: Artifact,
    catalog: Option<(Catalog, String)>,
    join: JoinKind,
    /// Artifact paths of the parts, in manifest order.
    pub parts: Vec<String>,
    pub window: std::sync::Mutex<PartitionWindow>,
}

#[derive(Debug, Clone)]
pub struct CompareInfo {
    pub versions: Vec<String>,
    pub key: Option<String>,
    pub column_version: Vec<Option<usize>>,
}

impl LoadedTable {
    /// The resolver of column `c` (the table's own for derived columns).
    pub fn media_of(&self, c: usize) -> Arc<MediaResolver> {
        self.media
            .get(c)
            .or_else(|| self.media.first())
            .cloned()
            .unwrap_or_else(|| Arc::new(MediaResolver::plain(&self.root)))
    }
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

/// What the URL asked to open.
#[derive(Debug, Clone, Default)]
pub struct OpenRequest {
    pub table: String,
    /// Overrides the artifact folder (default: the table file's folder).
    pub root: Option<String>,
    /// A catalog for resolving references into other artifacts.
    pub catalog: Option<String>,
    pub join: Option<JoinKind>,
    /// Other versions to compare with (`&compare=`, repeatable), matched on `key`.
    pub compare: Vec<String>,
    pub key: Option<String>,
    /// A second table to join with (`&with=`), on `on` (`key` or `key1,key2`).
    pub with: Option<String>,
    pub on: Option<String>,
    /// A filter, sort or grouping to run over every part of a partitioned
    /// table too large for memory (`&scan=1`): the table opened is its matches
    /// (sorted: the first rows of the order; grouped: a summary of the groups).
    pub scan: Option<loupe_core::query::Query>,
}

/// One artifact version: its folder, manifest (if any) and media resolver.
#[derive(Debug, Clone)]
struct Artifact {
    folder: String,
    manifest: Option<Manifest>,
    media: Arc<MediaResolver>,
}

/// Shared by every load step of one request.
struct Ctx<'a> {
    catalog: Option<(Catalog, String)>,
    join: JoinKind,
    progress: &'a dyn Fn(Progress),
    /// Files being opened right now: a joined table that (through others) joins
    /// itself is a loop, reported instead of recursing forever.
    opening: std::cell::RefCell<Vec<String>>,
    /// Shows the first rows while the rest arrives (a table opened alone).
    preview: Option<&'a dyn Fn(LoadedTable)>,
    /// Set when the table opened is partitioned and only some parts fit the budget.
    partitions: std::cell::RefCell<Option<PartitionSource>>,
    /// The query to run over every part instead of paging (`OpenRequest::scan`).
    scan: Option<loupe_core::query::Query>,
    /// What a scan found, for the bar above its matches.
    scanned: std::cell::RefCell<Option<Scanned>>,
}

/// Rows read before the first rows are shown (enough to fill a screen or two).
const PREVIEW_ROWS: usize = 200;

impl Ctx<'_> {
    /// Hands `table` (the first rows of `url`) to the preview, if this file is
    /// the one the user opened (not an input of a join or a partition).
    fn show_preview(&self, url: &str, artifact: &Artifact, table: Table) {
        if let Some(preview) = self.preview
            && self.is_top_level()
        {
            preview(LoadedTable {
                url: url.to_string(),
                root: artifact.folder.clone(),
                media: vec![artifact.media.clone(); table.columns.len()],
                table,
                compare: None,
                partitions: None,
                first_row: 0,
                start_row: 0,
                scanned: None,
            });
        }
    }

    /// Whether `url` is the file the user opened (not an input of a join or a partition).
    fn is_top_level(&self) -> bool {
        self.opening.borrow().len() == 1
    }
}

/// Loads what `req` names (relative URLs resolve against the page); with
/// `compare`, every version, merged on the key.
pub async fn load_table(
    req: &OpenRequest,
    progress: impl Fn(Progress),
    preview: impl Fn(LoadedTable),
) -> Result<LoadedTable, String> {
    if let Some(other) = &req.with {
        return join_two(req, other, &progress).await;
    }
    if req.compare.is_empty() {
        return load_one(req, &progress, Some(&preview)).await;
    }
    let mut loaded = Vec::new();
    for url in std::iter::once(&req.table).chain(&req.compare) {
        loaded.push(load_one(&req.single(url), &progress, None).await?);
    }
    let versions = version_labels(&loaded);
    let tables: Vec<&Table> = loaded.iter().map(|l| &l.table).collect();
    // `&key=-` matches by row position; no key: an id column if every version has one.
    let key = match req.key.as_deref() {
        Some("-") => None,
        Some(k) => Some(k.to_string()),
        None => loupe_core::compare::detect_key(&tables),
    };
    let c = loupe_core::compare::compare(&tables, &versions, key.as_deref())
        .map_err(|e| format!("Could not compare: {e}"))?;
    // Each merged column's media resolve where its version's column did.
    let media = c
        .table
        .columns
        .iter()
        .zip(&c.column_version)
        .map(|(col, v)| {
            let v = v.unwrap_or(0);
            let base = col
                .name
                .rsplit_once('@')
                .map_or(col.name.as_str(), |(n, _)| n);
            let source = loaded[v].table.column_index(base).unwrap_or(0);
            loaded[v].media_of(source)
        })
        .collect();
    let first = &loaded[0];
    Ok(LoadedTable {
        url: first.url.clone(),
        root: first.root.clone(),
        table: c.table,
        media,
        compare: Some(CompareInfo {
            versions: c.versions,
            key: c.key,
            column_version: c.column_version,
        }),
        partitions: None,
        first_row: 0,
        start_row: 0,
        scanned: None,
    })
}

impl OpenRequest {
    /// Just a table URL (media under its folder, no catalog, compare or join).
    pub fn table(url: &str) -> OpenRequest {
        OpenRequest {
            table: url.to_string(),
            root: None,
            catalog: None,
            join: None,
            compare: Vec::new(),
            key: None,
            with: None,
            on: None,
            scan: None,
        }
    }

    /// The same sources, for one table alone (no compare, no second table).
    fn single(&self, url: &str) -> OpenRequest {
        OpenRequest {
            catalog: self.catalog.clone(),
            join: self.join,
            ..OpenRequest::table(url)
        }
    }
}

/// Two open tables joined from the UI (`&with=<url>&on=<k1>[,<k2>]&join=`):
/// keys default to a column both share (`id`, a primary key …).
async fn join_two(
    req: &OpenRequest,
    other: &str,
    progress: &impl Fn(Progress),
) -> Result<LoadedTable, String> {
    if !req.compare.is_empty() {
        return Err("Choose either a second table to join (&with=) or versions to compare (&compare=), not both.".into());
    }
    let mut first = req.single(&req.table);
    first.root = req.root.clone();
    let left = load_one(&first, progress, None).await?;
    let right = load_one(&req.single(other), progress, None).await?;
    let (k1, k2) = match req.on.as_deref().map(str::trim) {
        Some(on) if !on.is_empty() => match on.split_once(',') {
            Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
            None => (on.to_string(), on.to_string()),
        },
        _ => {
            let k = loupe_core::compare::detect_key(&[&left.table, &right.table]).ok_or_else(|| {
                "To join two tables, name the key columns (&on=key or &on=left_key,right_key): they share no id column.".to_string()
            })?;
            (k.clone(), k)
        }
    };
    let kind = req.join.unwrap_or(JoinKind::Inner);
    let table = join(&left.table, &right.table, &k1, &k2, kind)
        .map_err(|e| format!("Could not join {} with {}: {e}", left.url, right.url))?;
    let media = joined_media(left.media.clone(), &right.table, right.media.clone(), &k2);
    Ok(LoadedTable {
        table,
        media,
        partitions: None,
        first_row: 0,
        start_row: 0,
        scanned: None,
        ..left
    })
}

/// Column resolvers of a join's result: the left's columns, then the right's except its key.
fn joined_media(
    mut left: Vec<Arc<MediaResolver>>,
    right: &Table,
    right_media: Vec<Arc<MediaResolver>>,
    right_key: &str,
) -> Vec<Arc<MediaResolver>> {
    left.extend(
        right
            .columns
            .iter()
            .zip(right_media)
            .filter(|(c, _)| c.name != right_key)
            .map(|(_, m)| m),
    );
    left
}

/// `v0`, `v1`, … from the version folders when they are named so and distinct,
/// otherwise by position.
fn version_labels(loaded: &[LoadedTable]) -> Vec<String> {
    let from_folder: Vec<Option<String>> = loaded
        .iter()
        .map(|l| {
            let name = l.root.trim_end_matches('/').rsplit('/').next()?.to_string();
            (name.len() > 1
                && name.starts_with('v')
                && name[1..].chars().all(|c| c.is_ascii_digit()))
            .then_some(name)
        })
        .collect();
    let mut labels: Vec<String> = from_folder.iter().flatten().cloned().collect();
    labels.sort();
    labels.dedup();
    if labels.len() == loaded.len() {
        from_folder.into_iter().flatten().collect()
    } else {
        (0..loaded.len()).map(|i| format!("v{i}")).collect()
    }
}

async fn load_one(
    req: &OpenRequest,
    progress: &impl Fn(Progress),
    preview: Option<&dyn Fn(LoadedTable)>,
) -> Result<LoadedTable, String> {
    let abs = absolute_url(&req.table)?;
    let folder = match &req.root {
        Some(r) => {
            let mut r = absolute_url(r)?;
            if !r.ends_with('/') {
                r.push('/');
            }
            r
        }
        None => folder_of(&abs),
    };
    let catalog = match &req.catalog {
        Some(url) => {
            let url = absolute_url(url)?;
            let bytes = fetch_bytes(&url, |_, _| {})
                .await
                .map_err(|e| format!("Could not load catalog {url}: {e}"))?;
            let catalog =
                Catalog::parse(&bytes).map_err(|e| format!("Could not read catalog {url}: {e}"))?;
            Some((catalog, folder_of(&url)))
        }
        None => None,
    };
    let ctx = Ctx {
        catalog,
        join: req.join.unwrap_or(JoinKind::Inner),
        progress,
        opening: std::cell::RefCell::new(Vec::new()),
        preview,
        partitions: std::cell::RefCell::new(None),
        scan: req.scan.clone(),
        scanned: std::cell::RefCell::new(None),
    };
    let artifact = open_artifact(&folder, &ctx).await;
    let (table, media) = match abs.strip_prefix(&folder) {
        // Inside the artifact: go through its manifest (references, partitions, joins).
        Some(path) if !path.is_empty() && !path.contains(['?', '#']) => {
            load_path(&artifact, path, &ctx).await?
        }
        _ => load_url(&abs, &artifact, &ctx, None).await?,
    };
    let partitions = ctx.partitions.take().map(Arc::new);
    let first_row = partitions
        .as_ref()
        .and_then(|p| p.window.lock().ok().and_then(|w| w.first_row()))
        .unwrap_or(0);
    Ok(LoadedTable {
        url: abs,
        root: artifact.folder,
        table,
        media,
        compare: None,
        partitions,
        first_row,
        start_row: 0,
        scanned: ctx.scanned.take(),
    })
}

/// Reads the version's manifest if it has one (plain folders work too).
async fn open_artifact(folder: &str, ctx: &Ctx<'_>) -> Artifact {
    let url = format!("{folder}wandb_manifest.json");
    let manifest = match fetch_bytes(&url, |_, _| {}).await {
        Ok(bytes) => Manifest::parse(&bytes).ok(),
        Err(_) => None,
    };
    let media = match &manifest {
        Some(m) => MediaResolver::with_manifest(
            folder,
            m,
            ctx.catalog.as_ref().map(|(c, base)| (c, base.as_str())),
        ),
        None => MediaResolver::plain(folder).allow_origins(
            ctx.catalog
                .as_ref()
                .map_or(&[][..], |(c, _)| c.allowed_origins.as_slice()),
        ),
    };
    Artifact {
        folder: folder.to_string(),
        manifest,
        media: Arc::new(media),
    }
}

type Loaded = (Table, Vec<Arc<MediaResolver>>);

/// Loads the artifact path `path`, following a reference entry to the artifact
/// that holds the bytes (whose own paths then resolve against it).
async fn load_path(artifact: &Artifact, path: &str, ctx: &Ctx<'_>) -> Result<Loaded, String> {
    let url = artifact.media.url(path)?;
    if artifact.media.is_reference(path) {
        let target = open_artifact(&folder_of(&url), ctx).await;
        let target_path = url.strip_prefix(&target.folder).unwrap_or(path).to_string();
        return Box::pin(load_path(&target, &target_path, ctx)).await;
    }
    // The manifest's size of the entry: a body of another size means the file
    // changed after the manifest was written (or arrived cut short).
    let expected = artifact
        .manifest
        .as_ref()
        .and_then(|m| m.entry(path))
        .and_then(|e| e.size);
    load_url(&url, artifact, ctx, expected).await
}

/// Fetches a W&B file. A table streams straight into columns as its bytes arrive
/// (the body is never held whole); any other document is collected and parsed.
async fn load_url(
    url: &str,
    artifact: &Artifact,
    ctx: &Ctx<'_>,
    expected_size: Option<u64>,
) -> Result<Loaded, String> {
    if ctx.opening.borrow().iter().any(|u| u == url) {
        return Err(format!(
            "{url} refers to itself (through its inputs): a loop of joined or partitioned tables"
        ));
    }
    ctx.opening.borrow_mut().push(url.to_string());
    let result = load_url_once(url, artifact, ctx, expected_size).await;
    ctx.opening.borrow_mut().retain(|u| u != url);
    result
}

async fn load_url_once(
    url: &str,
    artifact: &Artifact,
    ctx: &Ctx<'_>,
    expected_size: Option<u64>,
) -> Result<Loaded, String> {
    let progress = ctx.progress;
    let own = |t: Table| {
        let media = vec![artifact.media.clone(); t.columns.len()];
        (t, media)
    };
    if crate::columnar::is_columnar(url) {
        // Parquet / Arrow: fetched and decoded by the worker, off this thread.
        // The first piece can be 64K rows: the preview needs a screenful.
        let first_rows = |t: &Table| ctx.show_preview(url, artifact, t.slice(0, PREVIEW_ROWS));
        return crate::columnar::load(url, crate::fetch::budget(), progress, &first_rows)
            .await
            .map(own);
    }
    let mut received_bytes = 0u64;
    let worker_bytes = crate::columnar::json_worker_bytes();
    // Set when the header shows a table larger than `worker_bytes` (by its
    // `Content-Length`: compressed, when the server gzips): the download stops
    // here and the loading worker reads it instead.
    let mut handoff = false;
    let mut reader = StreamingTableReader::new();
    // Bytes kept until the `_type` is known, then only for non-table documents.
    let mut head: Option<Vec<u8>> = Some(Vec::new());
    let mut is_table = false;
    let mut streaming = true;
    let mut previewed = false;
    let mut reserved = false;
    let fetched = fetch_chunks(url, |chunk, received, total| {
        received_bytes = received;
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
                        if total.is_some_and(|t| t >= worker_bytes) {
                            handoff = true;
                            return Err(HANDOFF.into());
                        }
                    } else {
                        streaming = false;
                    }
                }
                Ok(()) => {}
            }
        }
        // Once the first rows show how many bytes a row takes, make room for
        // the whole file's rows (estimated from Content-Length) in one step.
        if is_table
            && !reserved
            && let Some(t) = total
            && reader.rows_read() >= 4096
        {
            reserved = true;
            let rows = reader.rows_read();
            let estimate = loupe_core::table::estimate_rows(rows, received, t);
            reader.reserve_rows(estimate.saturating_sub(rows));
        }
        if is_table
            && !previewed
            && reader.rows_read() >= PREVIEW_ROWS
            && let Some(first) = reader.preview()
        {
            previewed = true;
            ctx.show_preview(url, artifact, first);
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
    if handoff {
        return load_json_in_worker(url, ctx, artifact, expected_size)
            .await
            .map(own);
    }
    match fetched {
        Ok(()) => {}
        Err(Ok(e)) => return Err(format!("Could not load {url}: {e}")),
        Err(Err(e)) => return Err(format!("Could not read {url}: {e}")),
    }
    check_size(url, received_bytes, expected_size)?;
    if is_table {
        return reader
            .finish()
            .map(own)
            .map_err(|e| format!("Could not read {url}: {e}"));
    }
    let bytes = head.unwrap_or_default();
    progress(Progress::Parsing);
    yield_to_browser().await;
    let doc = json::parse(&bytes).map_err(|e| format!("Could not read {url}: {e}"))?;
    let not_table = |what: &str| format!("Could not open {url}: {what}");
    match document_from_json(&doc).map_err(|e| not_table(&e.to_string()))? {
        Document::Table(t) => Ok(own(t)),
        Document::PartitionedTable(p) => {
            partitioned::load_partitions(url, artifact, &p.parts_path, ctx).await
        }
        Document::JoinedTable(j) => {
            let (left, left_media) = Box::pin(load_path(artifact, &j.table1, ctx))
                .await
                .map_err(|e| format!("{url}: its table1 `{}`: {e}", j.table1))?;
            let (right, right_media) = Box::pin(load_path(artifact, &j.table2, ctx))
                .await
                .map_err(|e| format!("{url}: its table2 `{}`: {e}", j.table2))?;
            let joined = join(&left, &right, &j.key1, &j.key2, ctx.join)
                .map_err(|e| not_table(&e.to_string()))?;
            Ok((
                joined,
                joined_media(left_media, &right, right_media, &j.key2),
            ))
        }
        Document::Image(img) => Ok(own(Table::single_column("image", Value::Image(img)))),
        Document::Media(m) => Ok(own(Table::single_column(
            m.kind.type_tag(),
            Value::Media(Box::new(m)),
        ))),
        Document::Classes(_) => Err(not_table("it is a classes file (class names), not a table")),
    }
}

/// Why a page download stopped when the loading worker takes over.
const HANDOFF: &str = "read by the loading worker";

/// A large W&B table read by the loading worker (`WandbTablePieces` there):
/// the parse runs off the main thread, which only appends the pieces it sends.
async fn load_json_in_worker(
    url: &str,
    ctx: &Ctx<'_>,
    artifact: &Artifact,
    expected_size: Option<u64>,
) -> Result<Table, String> {
    let received = std::cell::Cell::new(0u64);
    let progress = |p: Progress| {
        match p {
            Progress::Fetching { received: r, .. } => received.set(r),
            Progress::Reading { bytes_done, .. } => received.set(bytes_done as u64),
            Progress::Parsing => {}
        }
        (ctx.progress)(p);
    };
    let first_rows = |t: &Table| ctx.show_preview(url, artifact, t.slice(0, PREVIEW_ROWS));
    let table = crate::columnar::load(url, crate::fetch::budget(), &progress, &first_rows).await?;
    check_size(url, received.get(), expected_size)?;
    Ok(table)
}

/// A body of another size than the manifest's entry: the file changed after
/// the manifest was written (or arrived cut short).
fn check_size(url: &str, received: u64, expected: Option<u64>) -> Result<(), String> {
    match expected.filter(|s| *s > 0 && *s != received) {
        Some(want) => Err(format!(
            "{url} has {received} bytes but the artifact's manifest says {want}: the file changed after the manifest was written, or arrived cut short. Retry, or download the artifact again."
        )),
        None => Ok(()),
    }
}

/// Fetches and parses a classes file.
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
