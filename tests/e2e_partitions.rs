//! End-to-end: partitioned tables. A dataset larger than the memory budget
//! pages part by part (evicted parts are read again), "filter all parts",
//! "sort all parts" and "group all parts" scan
//! every part, a Parquet dataset written by DuckDB opens as one table, and a
//! loading worker that grew large is let go between loads.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{BROWSER, Session, generated, predictions, url_query};

/// Rows per part of the paged datasets.
const PART_ROWS: usize = 20_000;

/// A 4-part Parquet dataset in `generated/<name>` (ids count over all parts,
/// labels alternate cat/dog), opened with room for two and a half parts.
fn paged_dataset(name: &str) -> String {
    let dir = generated().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("parts")).expect("parts folder");
    let mut part_bytes = 0;
    for p in 0..4 {
        let table = predictions(PART_ROWS, &["cat", "dog"], p * PART_ROWS);
        part_bytes = table.slice(0, PART_ROWS).heap_bytes();
        let bytes = loupe_columnar::parquet_write::write_parquet(&table).expect("parquet");
        std::fs::write(dir.join(format!("parts/part-{p}.parquet")), bytes).expect("write part");
    }
    loupe_cli::dataset::run(&dir, "parts", "predictions", "dataset").expect("loupe dataset");
    let memory_mb = 2.5 * part_bytes as f64 / f64::from(1 << 20);
    format!("?table=/generated/{name}/predictions.partitioned-table.json&memory_mb={memory_mb}")
}

/// Waits until the pager holds `parts` ("1-3": parts 1 and 2) in memory.
async fn wait_parts(s: &Session, parts: &str) {
    s.wait_for(
        &format!("document.querySelector('.partition-pager')?.dataset.parts === '{parts}'"),
        &format!("parts {parts} in memory"),
    )
    .await;
}

/// Clicks the pager's scan button ("filter all parts", "sort all parts") and
/// waits for the scan's rows.
async fn scan_all_parts(s: &Session) {
    s.js("document.querySelector('button.parts-scan').click(); return 0")
        .await;
    s.wait_for(
        "location.search.includes('scan=1') && document.querySelector('.partition-pager.scanned') ? 'yes' : ''",
        "the scan's result",
    )
    .await;
}

/// Clicks "later rows" on the pager.
async fn next_parts(s: &Session) {
    s.js("document.querySelector('button.parts-next').click(); return 0")
        .await;
}

/// A partitioned dataset larger than the memory budget (`&memory_mb=`) pages:
/// two of its four parts fit, "later rows" reads the next part and evicts the
/// first, and going back reads an evicted part again.
#[tokio::test]
async fn partitions_beyond_the_memory_budget_page_and_evicted_parts_are_read_again() {
    let table = paged_dataset("paged");
    let rows = PART_ROWS;
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&table).await, "ready");
    // `parts` in memory, the view opened at row `top` (over all parts).
    let window = async |parts: &str, top: usize| {
        wait_parts(&s, parts).await;
        s.wait_rows(2 * rows, "two parts").await;
        // The first row drawn (a few rows of overscan above the top one): row
        // numbers and ids both count over all parts.
        let first = s
            .js("const r = [...document.querySelectorAll('[role=grid] [role=row]')].find(r => Number(r.getAttribute('aria-rowindex')) >= 2); \
                 return [Number(r.children[0].innerText), Number(r.children[1].innerText)]")
            .await;
        let (label, id) = (
            first[0].as_u64().unwrap_or(0),
            first[1].as_u64().unwrap_or(1),
        );
        assert_eq!(label, id, "parts {parts}: {first}");
        assert!(
            (top.saturating_sub(10) as u64..=top as u64).contains(&label),
            "parts {parts}: the view opens at row {label}, not near {top}"
        );
    };
    window("0-2", 0).await;
    let pager = s
        .js("return document.querySelector('.parts-summary').innerText")
        .await;
    assert!(
        pager
            .as_str()
            .unwrap_or_default()
            .contains("parts 1–2 of 4"),
        "{pager}"
    );
    // "later rows": part 2 is read, part 0 evicted; the view opens where part 2 begins.
    next_parts(&s).await;
    window("1-3", 2 * rows).await;
    // Scrolling to the last row reads the next part.
    let scroll = async |to: &str| {
        s.js(&format!(
            "const g = document.querySelector('[role=grid]'); g.scrollTop = {to}; return 0"
        ))
        .await;
    };
    scroll("g.scrollHeight").await;
    window("2-4", 3 * rows).await;
    assert_eq!(
        s.js("return document.querySelector('button.parts-next').disabled")
            .await,
        serde_json::json!(true)
    );
    // Scrolling back to the first row reads the evicted part 1 again.
    scroll("0").await;
    window("1-3", 2 * rows - 20).await;
    // Part 1 was read twice (evicted, then wanted again); part 3 once.
    let reads = |part: usize| {
        s.log
            .lock()
            .expect("log")
            .iter()
            .filter(|(p, r)| {
                p.ends_with(&format!("part-{part}.parquet")) && r.as_deref() == Some("bytes=0-3")
            })
            .count()
    };
    assert_eq!((reads(0), reads(1), reads(2), reads(3)), (1, 2, 1, 1));
    assert_eq!(
        s.js("return Number(document.body.dataset.pageErrors || 0)")
            .await,
        serde_json::json!(0)
    );
}

/// Wasm memory never shrinks, so a loading worker that grew past
/// `&worker_memory_mb=` is let go once no load waits on it, and the next load
/// starts a fresh one: the first two parts of a paged dataset are read one
/// after the other by one worker, the part read later by a new one. Under the
/// limit one worker reads every part.
#[tokio::test]
async fn a_grown_loading_worker_is_let_go_once_idle() {
    let table = paged_dataset("paged-memory");
    let _one = BROWSER.lock().await;
    for (limit, starts) in [("&worker_memory_mb=0", 2), ("", 1)] {
        let s = Session::start().await;
        let url = format!("{table}{limit}");
        assert_eq!(s.open(&url).await, "ready", "{url}");
        wait_parts(&s, "0-2").await;
        next_parts(&s).await;
        wait_parts(&s, "1-3").await;
        let fetched = s.worker_starts();
        assert_eq!(fetched, starts, "{url}: worker started {fetched} times");
    }
}

/// A query worker that grew past `&worker_memory_mb=` with a table's columns
/// is let go when the page shows another table: paging a dataset whose views
/// are filtered in the query worker (`&worker_rows=1`), the next view's query
/// starts a new one. With the limit at 0 the worker module is started four
/// times (the loading worker twice, as above, and the query worker twice);
/// by default twice (one of each).
#[tokio::test]
async fn a_grown_query_worker_is_let_go_with_its_table() {
    let table = paged_dataset("paged-query-memory");
    let _one = BROWSER.lock().await;
    // Ids run on over the parts: parts 1-2 hold 1.5 parts of matches, 2-3 half a part.
    let below = PART_ROWS * 3 / 2;
    let filter = url_query(&[("filter", &format!("id < {below}")), ("worker_rows", "1")]);
    for (limit, starts) in [("&worker_memory_mb=0", 4), ("", 2)] {
        let s = Session::start().await;
        let url = format!("{table}{filter}{limit}");
        assert_eq!(s.open(&url).await, "ready", "{url}");
        wait_parts(&s, "0-2").await;
        s.wait_rows(below, "the worker's answer for parts 1-2")
            .await;
        next_parts(&s).await;
        wait_parts(&s, "1-3").await;
        s.wait_rows(PART_ROWS / 2, "the worker's answer for parts 2-3")
            .await;
        let fetched = s.worker_starts();
        assert_eq!(fetched, starts, "{url}: worker started {fetched} times");
    }
}

/// "filter all parts" on a paged table (`&scan=1`): every part is read and
/// filtered in turn, and the matches of all four show with their row over all parts.
#[tokio::test]
async fn a_filter_runs_over_every_part_of_a_paged_table() {
    let table = paged_dataset("paged-scan");
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    // `id % 10 == 0`: 2,000 rows a part.
    let filtered = format!("{table}&filter=id%20%25%2010%20%3D%3D%200");
    assert_eq!(s.open(&filtered).await, "ready");
    s.wait_rows(2 * 2_000, "the matches in memory").await;
    scan_all_parts(&s).await;
    s.wait_rows(4 * 2_000, "the matches of all four parts")
        .await;
    let bar = s
        .js("return document.querySelector('.partition-pager .parts-summary').innerText")
        .await;
    assert!(
        bar.as_str()
            .unwrap_or_default()
            .contains("8000 rows match `id % 10 == 0` in parts 1–4 of 4"),
        "{bar}"
    );
    let headers = s
        .js("return [...document.querySelectorAll('[role=columnheader]')].slice(0, 2).map(h => h.innerText.split('\\n')[0])")
        .await;
    assert_eq!(headers, serde_json::json!(["row", "id"]));
    // The last match is row 79,990 (id 79,990) of the last part.
    s.js("const g = document.querySelector('[role=grid]'); g.scrollTop = g.scrollHeight; return 0")
        .await;
    s.wait_for(
        "[...document.querySelectorAll('[role=grid] [role=row]')].some(r => r.children[1] && r.children[1].innerText === '79990' && r.children[2].innerText === '79990')",
        "the last match, row 79990",
    )
    .await;
}

/// "sort all parts" on a paged table: every part is read and the first rows
/// of the order over all of them stay (`part_scan::TOP_ROWS`): sorted by id
/// descending, the last part's last row comes first, though paging shows the
/// first parts.
#[tokio::test]
async fn a_sort_runs_over_every_part_of_a_paged_table() {
    let table = paged_dataset("paged-sort-scan");
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let sorted = format!("{table}{}", url_query(&[("sort", "id desc")]));
    assert_eq!(s.open(&sorted).await, "ready");
    wait_parts(&s, "0-2").await;
    let label = s
        .js("return document.querySelector('button.parts-scan').innerText")
        .await;
    assert_eq!(label, serde_json::json!("sort all parts"));
    scan_all_parts(&s).await;
    s.wait_rows(10_000, "the first 10,000 rows of the order")
        .await;
    let bar = s
        .js("return document.querySelector('.partition-pager .parts-summary').innerText")
        .await;
    let want = format!(
        "the first 10000 by `id desc` of {} rows in all 4 parts",
        4 * PART_ROWS
    );
    assert!(bar.as_str().unwrap_or_default().contains(&want), "{bar}");
    let last = 4 * PART_ROWS - 1;
    s.wait_for(
        &format!("[...document.querySelectorAll('[role=grid] [role=row]')].some(r => r.children[1] && r.children[1].innerText === '{last}' && r.children[2].innerText === '{last}')"),
        "the last part's last row, first",
    )
    .await;
    // A filter typed afterwards narrows the rows kept (the link keeps the
    // scan and the memory budget); the bar offers to scan again, which reads
    // every part with the filter and the sort.
    s.type_filter("label == \"dog\"", true).await;
    let search = s.location_search().await;
    assert!(
        search.contains("scan=1") && search.contains("memory_mb="),
        "{search}"
    );
    s.wait_for(
        "document.querySelector('button.parts-rescan') ? 'yes' : ''",
        "the offer to scan again",
    )
    .await;
    s.js("document.querySelector('button.parts-rescan').click(); return 0")
        .await;
    let want = format!(
        "of {} rows matching `label == \"dog\"` in all 4 parts",
        2 * PART_ROWS
    );
    s.wait_for(
        &format!(
            "(document.querySelector('.partition-pager .parts-summary')?.innerText || '').includes({}) ? 'yes' : ''",
            serde_json::to_string(&want).expect("json")
        ),
        "the filtered scan",
    )
    .await;
    s.wait_rows(10_000, "the first 10,000 dogs of the order")
        .await;
}

/// "group all parts" on a paged table: every part is read and grouped into
/// running totals; the summary (a row per label, exact counts, means,
/// histograms drawn by the histogram panel) shows
/// ungrouped, sortable by its count.
#[tokio::test]
async fn a_grouping_runs_over_every_part_of_a_paged_table() {
    let table = paged_dataset("paged-group-scan");
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let grouped = format!("{table}{}", url_query(&[("group", "label")]));
    assert_eq!(s.open(&grouped).await, "ready");
    wait_parts(&s, "0-2").await;
    let label = s
        .js("return document.querySelector('button.parts-scan').innerText")
        .await;
    assert_eq!(label, serde_json::json!("group all parts"));
    scan_all_parts(&s).await;
    s.wait_rows(2, "a row per label").await;
    let bar = s
        .js("return document.querySelector('.partition-pager .parts-summary').innerText")
        .await;
    let want = format!(
        "2 groups of `label` over {} rows in parts 1–4 of 4",
        4 * PART_ROWS
    );
    assert!(bar.as_str().unwrap_or_default().contains(&want), "{bar}");
    let headers = s
        .js("return [...document.querySelectorAll('[role=columnheader]')].slice(0, 4).map(h => h.innerText.split('\\n')[0])")
        .await;
    assert_eq!(
        headers,
        serde_json::json!(["label", "count", "mean id", "histogram id"])
    );
    // Labels alternate by row: 40,000 of each over the four parts.
    let half = 2 * PART_ROWS;
    for label in ["cat", "dog"] {
        s.wait_for(
            &format!("[...document.querySelectorAll('[role=grid] [role=row]')].some(r => r.children[2] && r.children[1].innerText === '{label}' && r.children[2].innerText === '{half}')"),
            &format!("{label}: {half} rows"),
        )
        .await;
    }
    // Each label's ids drawn as a histogram over all four parts: cat has the
    // even ids, dog the odd ones.
    for (label, first) in [("cat", 0), ("dog", 1)] {
        let mut ids = loupe_core::ops::GrowingHistogram::default();
        (0..half).for_each(|i| ids.add((first + 2 * i) as f64));
        let bins = ids.bins().expect("ids");
        let title = format!(
            "histogram: {} bins from {} to {}",
            bins.counts.len(),
            bins.edges[0],
            bins.edges[bins.counts.len()]
        );
        s.wait_for(
            &format!("[...document.querySelectorAll('[role=grid] [role=row]')].some(r => r.children[1]?.innerText === '{label}' && r.children[4]?.querySelector('.histogram-cell')?.title === '{title}')"),
            &format!("{label}: {title}"),
        )
        .await;
    }
}

/// "group all parts" counts the values of text columns in every group and
/// draws them as bars; a column with a value per row (the captions) is left
/// out, and the note says so. Image columns show each group's first images.
#[tokio::test]
async fn a_grouping_over_every_part_counts_its_text_values() {
    let table = paged_dataset("paged-group-labels");
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let grouped = format!("{table}{}", url_query(&[("group", "score > 0.5")]));
    assert_eq!(s.open(&grouped).await, "ready");
    wait_parts(&s, "0-2").await;
    scan_all_parts(&s).await;
    // Keys true, false and null (every ninth score is null).
    s.wait_rows(3, "a row per key").await;
    let bar = s
        .js("return document.querySelector('.partition-pager .parts-summary').innerText")
        .await;
    assert!(
        bar.as_str()
            .unwrap_or_default()
            .contains("`caption`: over 64 values in a group, not counted"),
        "{bar}"
    );
    // Each part's row r: label cat/dog by r's parity, score (r % 100) / 100,
    // null when r % 9 == 0; four parts alike.
    let (mut cat, mut dog) = (0, 0);
    for r in 0..PART_ROWS {
        if r % 9 != 0 && r % 100 > 50 {
            if r % 2 == 0 { cat += 4 } else { dog += 4 }
        }
    }
    let shown = s
        .wait_for(
            "(() => { const row = [...document.querySelectorAll('[role=grid] [role=row]')].find(r => r.children[1]?.innerText === 'true'); \
               const bars = row ? [...row.querySelectorAll('.agg.bars .bar')] : []; \
               return bars.length ? bars.map(b => b.dataset.value + ' ' + b.querySelector('.bar-count').innerText) : ''; })()",
            "the true group's label bars",
        )
        .await;
    let (first, second) = if dog > cat {
        (("dog", dog), ("cat", cat))
    } else {
        (("cat", cat), ("dog", dog))
    };
    assert_eq!(
        shown,
        serde_json::json!([
            format!("{} {}", first.0, first.1),
            format!("{} {}", second.0, second.1)
        ])
    );
    let header = s
        .js("return [...document.querySelectorAll('[role=columnheader]')].map(h => h.innerText.split('\\n')[0])")
        .await;
    let header: Vec<String> = serde_json::from_value(header).unwrap_or_default();
    assert!(header.iter().any(|h| h == "top label"), "{header:?}");
    assert!(!header.iter().any(|h| h == "top caption"), "{header:?}");
    assert!(header.iter().any(|h| h == "images image"), "{header:?}");
    // The true group's first four images, in row order: rows 51-54 of the
    // first part (row r shows media/images/{r % 4}.png).
    let images = s
        .wait_for(
            "(() => { const row = [...document.querySelectorAll('[role=grid] [role=row]')].find(r => r.children[1]?.innerText === 'true'); \
               const thumbs = row ? [...row.querySelectorAll('.agg.gallery .thumb .image-cell')] : []; \
               return thumbs.length === 4 ? thumbs.map(t => t.querySelector('img')?.getAttribute('src') ?? t.innerText) : ''; })()",
            "the true group's gallery",
        )
        .await;
    let images: Vec<String> = serde_json::from_value(images).unwrap_or_default();
    let want: Vec<String> = [51, 52, 53, 55]
        .iter()
        .map(|r| format!("media/images/{}.png", r % 4))
        .collect();
    assert_eq!(images.len(), 4, "{images:?}");
    for (got, want) in images.iter().zip(&want) {
        assert!(
            got.ends_with(want.as_str()),
            "{got} is not {want}: {images:?}"
        );
    }
}

/// A Python with DuckDB (the worked example's engine), or `None` outside CI.
fn duckdb_python() -> Option<std::path::PathBuf> {
    let py = support::repo().join("tools/py/bin/python");
    let ok = std::process::Command::new(&py)
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(py);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the DuckDB worked example: `cargo xtask setup` installs duckdb into tools/py"
    );
    eprintln!("SKIPPED: no tools/py with duckdb (run `cargo xtask setup`)");
    None
}

/// The worked example of the README: DuckDB writes Hive-partitioned Parquet,
/// `loupe dataset` lists it, and the app opens it as one table whose `split`
/// column comes from the folder names.
#[tokio::test]
async fn duckdb_partitioned_parquet_opens_as_one_table() {
    let Some(py) = duckdb_python() else { return };
    let dir = generated().join("duck");
    let _ = std::fs::remove_dir_all(&dir);
    let out = std::process::Command::new(py)
        .arg(support::repo().join("tools/examples/duckdb_dataset.py"))
        .arg(&dir)
        .arg("30000")
        .output()
        .expect("run the DuckDB example");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line =
        loupe_cli::dataset::run(&dir, "parts", "predictions", "dataset").expect("loupe dataset");
    assert!(line.contains("over 3 files"), "{line}");

    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let table = "?table=/generated/duck/predictions.partitioned-table.json";
    assert_eq!(s.open(table).await, "ready");
    s.wait_rows(30_000, "every partition").await;
    assert_eq!(
        s.open(&format!("{table}&filter=split%20%3D%3D%20%22valid%22"))
            .await,
        "ready"
    );
    s.wait_rows(10_000, "the valid partition").await;
    // Every part was read with range requests.
    let parts: Vec<_> = s
        .log
        .lock()
        .expect("log")
        .iter()
        .filter(|(p, _)| p.ends_with(".parquet"))
        .cloned()
        .collect();
    assert!(parts.len() >= 2 * 3 * 3, "{parts:?}");
    assert!(parts.iter().all(|(_, r)| r.is_some()), "{parts:?}");
}
