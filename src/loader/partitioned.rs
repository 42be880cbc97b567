//! Partitioned tables: the parts the memory budget holds read in order (the
//! rest later, on demand: `load_part`), or a filter and sort scanned over
//! every part, or a summary of its groups.

use std::sync::Arc;

use loupe_core::Table;
use loupe_core::media_resolver::MediaResolver;
use loupe_core::part_categories::CATEGORY_LIMIT;
use loupe_core::part_groups::{HISTOGRAM_GROUPS, MAX_GROUPS, PartGroups};
use loupe_core::part_scan::{PartScan, PartSink, ScanProgress};
use loupe_core::partition_window::PartitionWindow;
use loupe_core::query::{Query, SortKey};

use super::{Artifact, Ctx, Loaded, PartitionSource, Progress, Scanned, load_path};

/// A partitioned table is the concatenation of the `.table.json` (or Parquet)
/// entries under its `parts_path`, which only the manifest lists (static hosts
/// have no listing). Opened on its own, its parts are read in order while they
/// fit the memory budget (`&memory_mb=`); the rest load on demand (`PartitionSource`).
pub(super) async fn load_partitions(
    url: &str,
    artifact: &Artifact,
    parts_path: &str,
    ctx: &Ctx<'_>,
) -> Result<Loaded, String> {
    let manifest = artifact.manifest.as_ref().ok_or_else(|| {
        format!(
            "{url} is a partitioned table, so its parts must come from {}wandb_manifest.json, which could not be loaded",
            artifact.folder
        )
    })?;
    let entries = manifest.parts_of(parts_path);
    if entries.is_empty() {
        return Err(format!(
            "{url}: the manifest lists no parts under `{parts_path}/`"
        ));
    }
    let parts: Vec<String> = entries.iter().map(|e| e.path.clone()).collect();
    // Only a table shown alone pages; joins and comparisons need every row.
    let on_demand = ctx.is_top_level() && ctx.preview.is_some();
    if on_demand && let Some(query) = &ctx.scan {
        if query.is_grouped() {
            return group_partitions(url, artifact, &parts, query, ctx).await;
        }
        return scan_partitions(url, artifact, &parts, query, ctx).await;
    }
    let budget = if on_demand {
        crate::partitions::memory_budget()
    } else {
        usize::MAX
    };
    let mut window = PartitionWindow::new(entries.iter().map(|e| e.size).collect(), budget);
    let mut shown = Table::from_columns(Vec::new()).map_err(|e| e.to_string())?;
    let mut media = None;
    while let Some(next) = window.next().filter(|&p| p == 0 || window.would_fit(p)) {
        let (table, part_media) = read_part(url, artifact, &parts[next], ctx).await?;
        media.get_or_insert(part_media);
        shown = window
            .add(shown, next, table)
            .map_err(|e| format!("{url}: part `{}`: {e}", parts[next]))?
            .table;
    }
    if window.next().is_some() {
        ctx.partitions.replace(Some(PartitionSource {
            url: url.to_string(),
            artifact: artifact.clone(),
            catalog: ctx.catalog.clone(),
            join: ctx.join,
            parts,
            window: std::sync::Mutex::new(window),
        }));
    }
    Ok((shown, media.unwrap_or_default()))
}

/// Reads every part in turn into `scan` (each part dropped once taken)
/// until it stops; the first part's media resolvers, one per column.
async fn read_every_part(
    url: &str,
    artifact: &Artifact,
    parts: &[String],
    ctx: &Ctx<'_>,
    scan: &mut impl PartSink,
) -> Result<Vec<Arc<MediaResolver>>, String> {
    let mut first_media = None;
    for part in parts {
        let (table, media) = read_part(url, artifact, part, ctx).await?;
        first_media.get_or_insert(media);
        let more = scan
            .add(&table)
            .map_err(|e| format!("{url}: part `{part}`: {e}"))?;
        if !more {
            break;
        }
    }
    Ok(first_media.unwrap_or_default())
}

/// The rows of every part where the view's filter holds (sorted: the first
/// rows of its order over all parts), each part read, filtered and dropped in
/// turn, within the memory budget (`loupe_core::part_scan`).
async fn scan_partitions(
    url: &str,
    artifact: &Artifact,
    parts: &[String],
    query: &Query,
    ctx: &Ctx<'_>,
) -> Result<Loaded, String> {
    let mut scan = PartScan::over(query, crate::partitions::memory_budget());
    let part_media = read_every_part(url, artifact, parts, ctx, &mut scan).await?;
    // Each column's resolver, after the `row` column's.
    let mut media = vec![artifact.media.clone()];
    media.extend(part_media);
    let note = scan_note(&scan, query, parts.len());
    let matches = scan
        .matches()
        .ok_or_else(|| format!("{url}: no part could be read"))?;
    ctx.scanned.replace(Some(Scanned {
        note,
        summary: false,
    }));
    Ok((matches, media))
}

/// A summary of the view's groups over every part (keys, exact counts, means
/// and histograms of the numeric columns, the most frequent values of the
/// text ones, the first images of the image ones): each part read, filtered,
/// grouped into running totals and dropped in turn (`loupe_core::part_groups`).
async fn group_partitions(
    url: &str,
    artifact: &Artifact,
    parts: &[String],
    query: &Query,
    ctx: &Ctx<'_>,
) -> Result<Loaded, String> {
    let mut groups = PartGroups::over(query);
    read_every_part(url, artifact, parts, ctx, &mut groups).await?;
    let summary = groups.summary().map_err(|e| format!("{url}: {e}"))?;
    let p = groups.progress();
    let keys = query.group.join("`, `");
    let which = matching(query);
    let mut note = format!(
        "{} groups of `{keys}` over {} rows{which} in parts 1–{} of {} ({} rows read): exact counts, means and histograms of the numeric columns, the most frequent values of the text ones, the first images of the image ones",
        groups.groups(),
        p.matched,
        p.parts,
        parts.len(),
        p.rows
    );
    if groups.histograms_dropped() {
        note.push_str(&format!(
            "; histograms and values only up to {HISTOGRAM_GROUPS} groups"
        ));
    }
    let many = groups.not_categories();
    if !many.is_empty() {
        note.push_str(&format!(
            "; `{}`: over {CATEGORY_LIMIT} values in a group, not counted",
            many.join("`, `")
        ));
    }
    if groups.stopped() {
        note.push_str(&format!("; stopped there: more than {MAX_GROUPS} groups"));
    }
    ctx.scanned.replace(Some(Scanned {
        note,
        summary: true,
    }));
    // The summary's images are the artifact's, as the parts' were.
    Ok((summary, vec![artifact.media.clone()]))
}

/// " matching `<filter>`" for a note, if the query filters.
fn matching(query: &Query) -> String {
    query
        .filter
        .as_ref()
        .map_or(String::new(), |f| format!(" matching `{f}`"))
}

/// What a scan found, for the bar above its rows.
fn scan_note(scan: &PartScan, query: &Query, parts: usize) -> String {
    let ScanProgress {
        parts: seen,
        rows: read,
        matched,
    } = scan.progress();
    let kept = scan.kept();
    let mut note = if scan.is_sorted() {
        let which = matching(query);
        let order = query
            .sort
            .iter()
            .map(SortKey::to_text)
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "the first {kept} by `{order}` of {matched} rows{which} in all {parts} parts ({read} rows read)"
        )
    } else {
        let filter = query.filter.as_deref().unwrap_or("true");
        format!("{matched} rows match `{filter}` in parts 1–{seen} of {parts} ({read} rows read)")
    };
    note.push_str("; `row` is each one's row over all parts");
    if scan.stopped_at_budget() {
        note.push_str("; stopped there: more matches than the memory budget holds");
    }
    note
}

/// One part of a partitioned table, with its Hive `key=value` folders as columns
/// (engines such as DuckDB, Spark and Polars leave them out of the files).
async fn read_part(
    url: &str,
    artifact: &Artifact,
    part: &str,
    ctx: &Ctx<'_>,
) -> Result<Loaded, String> {
    let (mut table, media) = Box::pin(load_path(artifact, part, ctx))
        .await
        .map_err(|e| format!("{url}: part `{part}`: {e}"))?;
    for (key, value) in loupe_core::manifest::hive_partition_values(part) {
        table.add_constant_column(&key, &value);
    }
    Ok((table, media))
}

/// Reads part `part` of a partitioned table opened on demand.
pub async fn load_part(
    source: &PartitionSource,
    part: usize,
    progress: impl Fn(Progress),
) -> Result<Table, String> {
    let path = source
        .parts
        .get(part)
        .ok_or_else(|| format!("{}: no part {part}", source.url))?;
    let ctx = Ctx {
        catalog: source.catalog.clone(),
        join: source.join,
        progress: &progress,
        opening: std::cell::RefCell::new(vec![source.url.clone()]),
        preview: None,
        partitions: std::cell::RefCell::new(None),
        scan: None,
        scanned: std::cell::RefCell::new(None),
    };
    Ok(read_part(&source.url, &source.artifact, path, &ctx)
        .await?
        .0)
}
