//! End-to-end: Parquet and Arrow IPC tables open like table.json files. The
//! loading worker reads Parquet with HTTP range requests (footer, then row group
//! by row group), so the server sees only partial byte ranges; an Arrow stream
//! whose batches bring their own dictionaries shows every label correctly; a
//! large table.json is parsed by the worker. Partitioned tables: `e2e_partitions.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{BROWSER, Session, generated, predictions, url_query};

#[tokio::test]
async fn parquet_opens_row_group_by_row_group_over_range_requests() {
    let table = predictions(20_000, &["cat", "dog", "emu", "owl"], 0);
    let bytes = loupe_columnar::parquet_write::write_parquet_with(&table, 4_000).expect("parquet");
    let file_len = bytes.len() as u64;
    std::fs::write(generated().join("preds.parquet"), &bytes).expect("write parquet");

    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open("?table=/generated/preds.parquet").await, "ready");
    s.wait_rows(20_000, "all 20,000 rows").await;
    // The cells are the file's: a filter on a string column and on nulls.
    assert_eq!(
        s.open("?table=/generated/preds.parquet&filter=label%20%3D%3D%20%22owl%22")
            .await,
        "ready"
    );
    s.wait_rows(5_000, "owl rows").await;
    // Image structs are images (the grid shows an <img> for the image column).
    s.wait_for("document.querySelector('[role=grid] img')", "an image cell")
        .await;

    let requests: Vec<(String, Option<String>)> = s
        .log
        .lock()
        .expect("log")
        .iter()
        .filter(|(path, _)| path == "/generated/preds.parquet")
        .cloned()
        .collect();
    // Two opens; each: a probe, the footer, and the row groups (5 of them).
    assert!(requests.len() >= 2 * (2 + 5), "{requests:?}");
    for (_, range) in &requests {
        let range = range.as_deref().unwrap_or_else(|| {
            panic!("a request for the Parquet file without a Range header: {requests:?}")
        });
        let (a, b) = range
            .trim_start_matches("bytes=")
            .split_once('-')
            .expect("bytes=a-b");
        let (a, b): (u64, u64) = (a.parse().expect("start"), b.parse().expect("end"));
        assert!(
            b + 1 - a < file_len,
            "range {range} covers the whole {file_len}-byte file"
        );
    }
}

/// A Parquet file wider than the window: after the footer, the first request
/// is for the first row group's leading columns only (those in view, shown
/// first), then its other columns, then the next row groups.
#[tokio::test]
async fn wide_parquet_fetches_the_columns_in_view_first() {
    const COLUMNS: usize = 24;
    let mut json = String::from(r#"{"_type": "table", "columns": ["#);
    json.push_str(
        &(0..COLUMNS)
            .map(|c| format!("\"c{c}\""))
            .collect::<Vec<_>>()
            .join(", "),
    );
    json.push_str(r#"], "data": ["#);
    for r in 0..8_000 {
        if r > 0 {
            json.push_str(", ");
        }
        let cells: Vec<String> = (0..COLUMNS)
            .map(|c| format!("\"row {r} column {c} {}\"", "x".repeat(c % 5)))
            .collect();
        json.push_str(&format!("[{}]", cells.join(", ")));
    }
    json.push_str("]}");
    let table = loupe_core::read_table(json.as_bytes()).expect("wide table");
    let bytes = loupe_columnar::parquet_write::write_parquet_with(&table, 4_000).expect("parquet");
    std::fs::write(generated().join("wide.parquet"), &bytes).expect("write parquet");
    let len = bytes.len() as u64;
    let meta_len =
        loupe_columnar::ParquetPlan::metadata_len(&bytes[bytes.len() - 8..], len).expect("footer");
    let plan = loupe_columnar::ParquetPlan::new(
        &bytes[(len - 8 - meta_len) as usize..bytes.len() - 8],
        len,
    )
    .expect("metadata");
    assert_eq!(plan.row_groups(), 2);

    let _one = BROWSER.lock().await;
    let s = Session::start_sized(800, 900).await;
    assert_eq!(s.open("?table=/generated/wide.parquet").await, "ready");
    s.wait_rows(8_000, "all rows").await;
    let ranges: Vec<String> = s
        .log
        .lock()
        .expect("log")
        .iter()
        .filter(|(path, _)| path == "/generated/wide.parquet")
        .filter_map(|(_, range)| range.clone())
        .collect();
    let as_header = |r: &std::ops::Range<u64>| format!("bytes={}-{}", r.start, r.end - 1);
    // Probe and footer, then the columns in view (one range: they are adjacent).
    assert!(ranges.len() >= 5, "{ranges:?}");
    let k = (1..COLUMNS)
        .find(|&k| {
            plan.ranges_of(0, 0..k)
                .iter()
                .map(as_header)
                .collect::<Vec<_>>()
                == [ranges[2].clone()]
        })
        .unwrap_or_else(|| {
            panic!(
                "request {} is not the first columns of row group 0: {ranges:?}",
                ranges[2]
            )
        });
    assert!(k < COLUMNS, "all columns fetched first");
    // Then the rest of row group 0, then row group 1.
    let rest: Vec<String> = plan
        .ranges_of(0, k..usize::MAX)
        .iter()
        .map(as_header)
        .collect();
    assert_eq!(ranges[3..3 + rest.len()], rest[..], "{ranges:?}");
    let next: Vec<String> = plan.byte_ranges(1).iter().map(as_header).collect();
    assert_eq!(ranges[3 + rest.len()..], next[..], "{ranges:?}");
    // Every column arrived.
    let headers = s
        .js("return document.querySelectorAll('[role=columnheader]').length")
        .await;
    assert_eq!(headers.as_u64(), Some(COLUMNS as u64));
}

/// A grouped view of more than 100K rows counts its categories a chunk a
/// task; the bars it shows are loupe-core's counts.
#[tokio::test]
async fn large_groups_show_the_counted_categories() {
    let table = predictions(120_000, &["cat", "dog", "emu", "owl", "ant"], 0);
    let bytes = loupe_columnar::parquet_write::write_parquet_with(&table, 40_000).expect("parquet");
    std::fs::write(generated().join("groups.parquet"), &bytes).expect("write parquet");
    let q = loupe_core::Query::from_params([("group", "id % 3")]);
    let view = loupe_core::run(&table, &q).expect("groups");
    let first = &view.groups.as_ref().expect("grouped").grouping.members[0];
    let want = |name: &str| -> Vec<(String, u64)> {
        let col = table.column(name).expect("column");
        loupe_core::ops::top_values(col, first, 5)
            .into_iter()
            .map(|(v, n)| (v, n as u64))
            .collect()
    };

    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=/generated/groups.parquet&group=id%20%25%203")
            .await,
        "ready"
    );
    s.wait_rows(3, "three groups").await;
    // The first group's label and caption cells (the first two bar charts).
    let bars = s
        .wait_for(
            "(() => { const charts = document.querySelectorAll('[aria-rowindex=\"2\"] .agg.bars'); \
               return charts.length >= 2 && charts[1].querySelector('.bar') \
               ? [...charts].slice(0, 2).map(c => [...c.querySelectorAll('.bar')].map(b => [b.dataset.value, Number(b.querySelector('.bar-count').innerText)])) : null; })()",
            "the first group's bar charts",
        )
        .await;
    let got: Vec<Vec<(String, u64)>> = serde_json::from_value(bars).expect("bars");
    assert_eq!(got, [want("label"), want("caption")]);

    // A column summary of 120K rows (the header menu) is made in steps too.
    assert_eq!(s.open("?table=/generated/groups.parquet").await, "ready");
    s.wait_rows(120_000, "every row").await;
    s.js("const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim().startsWith('score')); \
          h.querySelector('button.name').click(); return 0")
        .await;
    let line = s
        .wait_for(
            "document.querySelector('.menu-summary[data-summary=score]')?.innerText",
            "the score summary",
        )
        .await;
    let all: Vec<u32> = (0..120_000).collect();
    let summary = loupe_core::ops::summarize(table.column("score").expect("score"), &all);
    let f = loupe_core::value::format_float;
    let want = format!(
        "min {} · max {} · mean {}",
        f(summary.min.expect("min")),
        f(summary.max.expect("max")),
        f(summary.mean.expect("mean"))
    );
    let line = line.as_str().unwrap_or_default();
    assert!(
        line.contains(&want) && line.contains(&format!("{} null", summary.nulls)),
        "{line} / {want}"
    );
}

#[tokio::test]
async fn arrow_stream_with_a_dictionary_per_batch_shows_every_label() {
    // Three batches, each with its own dictionary: code 0 is "cat", then "ship", then "owl".
    let batches = [
        predictions(300, &["cat", "dog"], 0),
        predictions(300, &["ship", "cat", "truck"], 300),
        predictions(300, &["owl"], 600),
    ];
    let stream = loupe_columnar::ipc::write_arrow_stream(&batches).expect("arrow stream");
    std::fs::write(generated().join("preds.arrows"), &stream).expect("write stream");

    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open("?table=/generated/preds.arrows").await, "ready");
    s.wait_rows(900, "all batches").await;
    for (label, n) in [("cat", 250), ("ship", 100), ("owl", 300), ("dog", 150)] {
        let filter = format!("label == \"{label}\"");
        let url = format!(
            "?table=/generated/preds.arrows&filter={}",
            filter
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        );
        assert_eq!(s.open(&url).await, "ready");
        s.wait_rows(n, label).await;
    }
}

/// Files as engines write them by default — Polars' Parquet is zstd, pyarrow's
/// Feather lz4 — and DuckDB's brotli Parquet open in the browser, whose wasm
/// reader has no C codecs.
#[tokio::test]
async fn zstd_and_brotli_parquet_and_lz4_feather_open() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/loupe-columnar/tests/data/compressed");
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    for name in [
        "polars-default.parquet",
        "pyarrow-default.feather",
        "duckdb-brotli.parquet",
    ] {
        let served = generated().join(name);
        std::fs::copy(fixtures.join(name), &served).expect("copy fixture");
        let url = format!("?table=/generated/{name}");
        assert_eq!(s.open(&url).await, "ready", "{name}");
        s.wait_rows(4_000, name).await;
        // Every fourth row is a bird (tools/fixtures/compressed.py).
        let filter = url_query(&[("filter", "label == \"bird\"")]);
        assert_eq!(s.open(&format!("{url}{filter}")).await, "ready");
        s.wait_rows(1_000, name).await;
    }
}

#[tokio::test]
async fn a_file_that_is_not_parquet_is_named_in_the_error() {
    std::fs::write(generated().join("fake.parquet"), b"{\"_type\": \"table\"}").expect("write");
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open("?table=/generated/fake.parquet").await, "error");
    let alert = s
        .js("return document.querySelector('[role=alert]').innerText")
        .await;
    let alert = alert.as_str().unwrap_or_default();
    assert!(
        alert.contains("fake.parquet") && alert.contains("PAR1"),
        "{alert}"
    );
}

/// A Parquet file damaged where no check reaches (its definition levels: the
/// fuzzer found arrow-rs's decoder panicking on this one, which in wasm aborts
/// the worker) fails with an error naming the file and what stopped, and the
/// next file opens in a new worker.
#[tokio::test]
async fn a_worker_that_panics_on_a_damaged_file_names_it() {
    let regression = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/upstream-panics/parquet/def-levels-past-the-page.parquet");
    std::fs::copy(&regression, generated().join("damaged.parquet")).expect("copy");
    let fine = predictions(500, &["cat", "dog"], 0);
    let bytes = loupe_columnar::parquet_write::write_parquet(&fine).expect("parquet");
    std::fs::write(generated().join("fine.parquet"), bytes).expect("write");
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open("?table=/generated/damaged.parquet").await, "error");
    let alert = s
        .js("return document.querySelector('[role=alert]').innerText")
        .await;
    let alert = alert.as_str().unwrap_or_default();
    assert!(
        alert.contains("damaged.parquet")
            && alert.contains("internal error: offset + len out of bounds"),
        "{alert}"
    );
    assert_eq!(s.open("?table=/generated/fine.parquet").await, "ready");
    s.wait_rows(500, "the next file").await;
}

/// "Cancel" during a slow load returns to the start page and the worker stops
/// fetching: the request count stops growing.
#[tokio::test]
async fn cancel_stops_a_slow_parquet_load() {
    let table = predictions(60_000, &["cat", "dog"], 0);
    let bytes = loupe_columnar::parquet_write::write_parquet_with(&table, 5_000).expect("parquet");
    std::fs::write(generated().join("slow.parquet"), &bytes).expect("write parquet");

    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    s.client
        .goto(&format!("{}/?table=/generated/@slow/slow.parquet", s.base))
        .await
        .expect("navigate");
    s.wait_for(
        "document.querySelector('button.cancel-load') && performance.now() > 0 ? 'yes' : ''",
        "the loading view",
    )
    .await;
    // Let a few row groups arrive, then cancel.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    s.js("document.querySelector('button.cancel-load').click(); return 0")
        .await;
    assert_eq!(s.wait_state().await, "ready");
    s.wait_for(
        "document.querySelector('.start, main') ? 'yes' : ''",
        "the start page",
    )
    .await;
    let search = s.js("return location.search").await;
    assert!(
        !search.as_str().unwrap_or_default().contains("table="),
        "{search}"
    );
    let count = || {
        s.log
            .lock()
            .expect("log")
            .iter()
            .filter(|(p, _)| p.ends_with("/slow.parquet"))
            .count()
    };
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let after_cancel = count();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        count(),
        after_cancel,
        "the worker kept fetching after cancel"
    );
    assert!(
        after_cancel < 2 + 12,
        "{after_cancel} requests: the load was not cut short"
    );
    assert!(
        s.js("return document.querySelector('[role=grid]') === null")
            .await
            .as_bool()
            .unwrap_or(false)
    );
}

/// While a large table arrives, its first rows are already in a grid (the
/// page still says "loading"), the grid alone: the query bar comes with the
/// whole table, which replaces them when it is in. Every path: a table.json
/// streamed on the page, a Parquet file read by the worker, and a table.json
/// parsed by the worker.
#[tokio::test]
async fn first_rows_show_while_the_rest_arrives() {
    let table = predictions(12_000, &["cat", "dog", "emu"], 0);
    let json = loupe_core::export::view_to_table_json(
        &table,
        &loupe_core::View {
            rows: (0..table.row_count() as u32).collect(),
            ..loupe_core::View::default()
        },
        &[],
    );
    std::fs::write(generated().join("slow.table.json"), json).expect("write json");
    // Bigger, in row groups whose column chunks outgrow the slow server's
    // 16 KB step: small range requests arrive at once, and a Parquet load
    // of only those would be over between two polls of this test.
    let big = predictions(60_000, &["cat", "dog", "emu"], 0);
    let parquet = loupe_columnar::parquet_write::write_parquet_with(&big, 5_000).expect("parquet");
    std::fs::write(generated().join("preview.parquet"), parquet).expect("write parquet");

    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    // The JSON file a second time, parsed by the loading worker.
    for (file, rows) in [
        ("slow.table.json", 12_000),
        ("preview.parquet", 60_000),
        ("slow.table.json&json_worker_mb=0", 12_000),
    ] {
        s.client
            .goto(&format!("{}/?table=/generated/@slow/{file}", s.base))
            .await
            .expect("navigate");
        let early = s
            .wait_for(
                "(() => { const g = document.querySelector('[role=grid]'); \
                  return g && document.body.dataset.loupeState === 'loading' \
                    ? g.getAttribute('aria-rowcount') + ' ' + !!document.getElementById('loupe-filter') : ''; })()",
                "a grid of first rows while loading",
            )
            .await;
        let early = early.as_str().unwrap_or_default().to_string();
        let (early, filter_shown) = early.split_once(' ').unwrap_or(("0", ""));
        assert_eq!(
            filter_shown, "false",
            "{file}: the first rows come without the query bar"
        );
        let early: usize = early.parse().unwrap_or(0);
        assert!(
            early > 1 && early <= rows,
            "{file}: {early} rows shown early"
        );
        assert_eq!(s.wait_state().await, "ready", "{file}");
        s.wait_rows(rows, file).await;
        assert_eq!(
            s.js("return !!document.getElementById('loupe-filter')")
                .await,
            true,
            "{file}: the whole table comes with its query bar"
        );
    }
}

/// A W&B table whose image column declares its box classes by name (the SDK's
/// `column_types`), `n` rows; box `class_id` alternates 0 ("cat") and 1 ("dog").
fn boxed_table_json(n: usize) -> String {
    let mut json = String::from(
        r#"{"_type": "table", "column_types": {"wb_type": "typedDict", "params": {"type_map": {"image": {"wb_type": "image-file", "params": {"box_class_maps": {"wb_type": "const", "params": {"val": {"truth": {"0": "cat", "1": "dog"}}}}}}}}}, "columns": ["id", "label", "score", "image"], "data": ["#,
    );
    let labels = ["cat", "dog", "emu", "owl"];
    for r in 0..n {
        if r > 0 {
            json.push_str(",\n");
        }
        let score = if r % 9 == 0 {
            "null".to_string()
        } else {
            format!("{}", (r % 100) as f64 / 100.0)
        };
        json.push_str(&format!(
            r#"[{r}, "{}", {score}, {{"_type": "image-file", "path": "media/images/{}.png", "width": 8, "height": 8, "boxes": {{"truth": [{{"position": {{"minX": 0.1, "minY": 0.1, "maxX": 0.6, "maxY": 0.7}}, "class_id": {}}}]}}}}]"#,
            labels[r % labels.len()],
            r % 4,
            r % 2
        ));
    }
    json.push_str("]}");
    json
}

/// A W&B table larger than `&json_worker_mb=` is parsed by the loading
/// worker, off the main thread: the page stops its own download at the
/// header, and the worker's pieces give the table the page's parse gives —
/// cells, box class names from the declared types, a filter's rows. Below
/// the threshold the worker module is never fetched.
#[tokio::test]
async fn a_large_table_json_is_parsed_by_the_worker() {
    const ROWS: usize = 150_000;
    let json = boxed_table_json(ROWS);
    let table = loupe_core::read_table(json.as_bytes()).expect("generated table parses");
    std::fs::write(generated().join("boxed.table.json"), &json).expect("write json");
    let filter = "label == \"owl\" and score > 0.5";
    let q = loupe_core::Query::from_params([("filter", filter)]);
    let owls = loupe_core::run(&table, &q).expect("filter").rows;
    let mb = json.len() as f64 / f64::from(1 << 20);

    let _one = BROWSER.lock().await;
    let classes_of_first_rows = "(() => { const a = document.querySelector('[aria-rowindex=\"2\"] svg.overlay rect'); \
         const b = document.querySelector('[aria-rowindex=\"3\"] svg.overlay rect'); \
         return a && b ? [a.dataset.class, b.dataset.class] : null; })()";
    for (threshold, by_worker) in [(mb / 2.0, true), (mb * 2.0, false)] {
        let s = Session::start().await;
        let url = format!("?table=/generated/boxed.table.json&json_worker_mb={threshold:.3}");
        assert_eq!(s.open(&url).await, "ready", "{url}");
        s.wait_rows(ROWS, "every row").await;
        let classes = s.wait_for(classes_of_first_rows, "row boxes").await;
        assert_eq!(classes, serde_json::json!(["cat", "dog"]), "{url}");
        let filtered = format!("{url}{}", url_query(&[("filter", filter)]));
        assert_eq!(s.open(&filtered).await, "ready", "{filtered}");
        s.wait_rows(owls.len(), "the filter's rows").await;
        let first_ids = s
            .wait_for(
                "(() => { const cells = [...document.querySelectorAll('[role=grid] [role=rowheader]')]; \
                   return cells.length >= 3 ? cells.slice(0, 3).map(c => c.innerText.trim()) : null; })()",
                "the first row numbers",
            )
            .await;
        let want: Vec<String> = owls.iter().take(3).map(u32::to_string).collect();
        assert_eq!(first_ids, serde_json::json!(want), "{filtered}");

        assert_eq!(s.worker_starts() > 0, by_worker, "{url}");
    }
}
