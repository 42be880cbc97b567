//! End-to-end: the demo catalog, an artifact's files, a joined table whose
//! second input lives in another artifact, and images resolved through references.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::Value as Json;
use support::{BROWSER, Session, repo};

fn demo_catalog() -> loupe_core::Catalog {
    loupe_core::Catalog::parse(
        &std::fs::read(repo().join("public/demo/loupe.json")).expect("catalog"),
    )
    .expect("valid")
}

#[tokio::test]
async fn catalog_lists_artifacts_by_type_with_versions_and_lineage() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open("?catalog=demo/loupe.json").await, "ready");
    let catalog = demo_catalog();
    let names = s.js("return [...document.querySelectorAll('.artifact-list .artifact')].map(a => a.dataset.artifact).sort()").await;
    let mut want: Vec<&str> = catalog.artifacts.iter().map(|a| a.name.as_str()).collect();
    want.sort();
    assert_eq!(names, serde_json::json!(want));
    let types = s
        .js("return [...document.querySelectorAll('.artifact-type')].map(t => t.dataset.type)")
        .await;
    assert_eq!(types, serde_json::json!(catalog.types()));
    // Choose a version: overview, lineage and files.
    s.js("document.querySelector('[data-version=\"digit-predictions:v1\"]').click(); return 0")
        .await;
    assert_eq!(s.wait_state().await, "ready");
    s.wait_for("document.querySelector('table.files tbody tr')", "files")
        .await;
    let lineage = s
        .js("return document.querySelector('[data-lineage]').innerText")
        .await;
    assert!(
        lineage
            .as_str()
            .unwrap_or_default()
            .contains("train a small MLP on digits"),
        "{lineage}"
    );
    let aliases = s
        .js("return document.querySelector('.overview').innerText")
        .await;
    assert!(
        aliases.as_str().unwrap_or_default().contains("best"),
        "{aliases}"
    );
    let rows = s
        .js("return document.querySelectorAll('table.files tbody tr').length")
        .await;
    let manifest = loupe_core::Manifest::parse(
        &std::fs::read(repo().join("public/demo/digit-predictions/v1/wandb_manifest.json"))
            .expect("manifest"),
    )
    .expect("manifest");
    assert_eq!(rows.as_u64(), Some(manifest.entries.len() as u64));
    // Open its table from the file list.
    s.js("document.querySelector('[data-open=\"predictions.table.json\"]').click(); return 0")
        .await;
    assert_eq!(s.wait_state().await, "ready");
    s.wait_for(
        "Number(document.querySelector('[role=grid]')?.getAttribute('aria-rowcount')) === 1798",
        "the table",
    )
    .await;
}

#[tokio::test]
async fn joined_table_with_an_input_in_another_artifact() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?catalog=demo/loupe.json&artifact=digit-review:v0")
            .await,
        "ready"
    );
    s.wait_for(
        "document.querySelector('[data-open=\"review-with-dataset.joined-table.json\"]')",
        "joined table in the files",
    )
    .await;
    let referenced = s
        .js("return document.querySelector('[data-file=\"digits.table.json\"] .ref') !== null")
        .await;
    assert_eq!(
        referenced, true,
        "the dataset table is a reference into digits:v0"
    );
    s.js("document.querySelector('[data-open=\"review-with-dataset.joined-table.json\"]').click(); return 0").await;
    assert_eq!(s.wait_state().await, "ready");
    // 60 reviewed rows, each matched to its dataset row.
    let review = loupe_core::read_table(
        &std::fs::read(repo().join("public/demo/digit-review/v0/review.table.json"))
            .expect("review"),
    )
    .expect("table");
    s.wait_for(
        &format!(
            "Number(document.querySelector('[role=grid]').getAttribute('aria-rowcount')) === {}",
            review.row_count() + 1
        ),
        "joined rows",
    )
    .await;
    let headers = s.js("return [...document.querySelectorAll('[role=columnheader]')].map(h => h.innerText.trim())").await;
    assert_eq!(
        headers,
        serde_json::json!([
            "id",
            "image",
            "truth",
            "guess",
            "confidence",
            "image_2",
            "label"
        ])
    );
    // Both image columns load: the review's (references) and the dataset's (in digits/v0).
    s.wait_for(
        "[...document.querySelectorAll('[aria-rowindex=\"2\"] .image-view img')].length === 2 && \
         [...document.querySelectorAll('[aria-rowindex=\"2\"] .image-view img')].every(i => i.complete && i.naturalWidth > 0)",
        "both images of the first row",
    )
    .await;
    let srcs = s.js("return [...document.querySelectorAll('[aria-rowindex=\"2\"] .image-view img')].map(i => i.src)").await;
    for src in srcs
        .as_array()
        .expect("srcs")
        .iter()
        .filter_map(Json::as_str)
    {
        assert!(src.contains("/demo/digits/v0/media/images/"), "{src}");
    }
    // The label of the dataset equals the review's truth.
    let cells = s.js("return [...document.querySelectorAll('[aria-rowindex=\"2\"] [role=gridcell]')].map(c => c.innerText.trim())").await;
    let cells: Vec<&str> = cells
        .as_array()
        .expect("cells")
        .iter()
        .filter_map(Json::as_str)
        .collect();
    assert_eq!(cells[2], cells[6], "truth == label: {cells:?}");
    s.screenshot("joined").await;
}

#[tokio::test]
async fn table_whose_images_live_in_another_artifact() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=demo/digit-review/v0/review.table.json&catalog=demo/loupe.json")
            .await,
        "ready"
    );
    s.wait_for(
        "[...document.querySelectorAll('.image-view img')].length > 0 && \
         [...document.querySelectorAll('.image-view img')].every(i => i.complete && i.naturalWidth > 0 && i.src.includes('/demo/digits/v0/'))",
        "images from digits:v0",
    )
    .await;
    // Without the catalog the references cannot resolve: each cell says so, the table stays.
    assert_eq!(
        s.open("?table=demo/digit-review/v0/review.table.json")
            .await,
        "ready"
    );
    let err = s
        .wait_for(
            "document.querySelector('[aria-rowindex=\"2\"] .cell-error')?.innerText",
            "per-cell reference error",
        )
        .await;
    assert!(
        err.as_str().unwrap_or_default().contains("no catalog"),
        "{err}"
    );
    let ids = s.js("return document.querySelector('[aria-rowindex=\"2\"] [aria-colindex=\"1\"]').innerText.trim()").await;
    assert!(!ids.as_str().unwrap_or_default().is_empty());
}

#[tokio::test]
async fn lineage_graph_collapses_explodes_and_opens_nodes() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open("?catalog=demo/loupe.json").await, "ready");
    let catalog = demo_catalog();
    let collapsed = catalog.lineage(false);
    let exploded = catalog.lineage(true);
    let count = "document.querySelectorAll('svg.lineage-graph .node').length";
    let n = s.wait_for(count, "graph nodes").await;
    assert_eq!(n.as_u64(), Some(collapsed.nodes.len() as u64));
    let edges = s
        .js("return document.querySelectorAll('svg.lineage-graph .edge').length")
        .await;
    assert_eq!(edges.as_u64(), Some(collapsed.edges.len() as u64));
    s.js("document.querySelector('.explode input').click(); return 0")
        .await;
    s.wait_for(
        &format!("{count} === {}", exploded.nodes.len()),
        "exploded graph",
    )
    .await;
    assert!(exploded.nodes.len() > collapsed.nodes.len());
    // A run node names what it did; an artifact node opens that artifact.
    let runs = s.js("return [...document.querySelectorAll('svg.lineage-graph .node.run')].map(n => n.dataset.node)").await;
    assert!(
        runs.to_string().contains("train a small MLP on digits"),
        "{runs}"
    );
    s.js("document.querySelector('svg.lineage-graph .node[data-node=\"digit-review:v0\"]').dispatchEvent(new MouseEvent('click', {bubbles: true})); return 0")
        .await;
    assert_eq!(s.wait_state().await, "ready");
    let heading = s
        .wait_for(
            "document.querySelector('.version-panel h2')?.innerText",
            "version panel",
        )
        .await;
    assert_eq!(heading, "digit-review:v0");
}

#[tokio::test]
async fn two_open_tables_join_from_the_ui_by_key_columns() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let preds = "demo/digit-predictions/v1/predictions.table.json";
    assert_eq!(s.open(&format!("?table={preds}")).await, "ready");
    // Choose the other table and the key (the form proposes `id`) and join.
    s.js("document.querySelector('.join-button').click(); return 0")
        .await;
    s.wait_for("document.querySelector('form.join-form')", "join form")
        .await;
    s.js("const i = document.querySelector('form.join-form input[name=with]'); \
          i.value = 'demo/digits/v0/digits.table.json'; i.dispatchEvent(new Event('input', {bubbles: true})); \
          document.querySelector('form.join-form button[type=submit]').click(); return 0")
        .await;
    s.wait_for("location.search.includes('with=')", "join in the URL")
        .await;
    assert_eq!(s.wait_state().await, "ready");
    let search = s
        .js("return new URLSearchParams(location.search).get('on')")
        .await;
    assert_eq!(search, serde_json::json!("id"));
    let headers = s.js("return [...document.querySelectorAll('[role=columnheader]')].map(h => h.innerText.trim())").await;
    let headers: Vec<String> = serde_json::from_value(headers).expect("names");
    assert!(
        headers.ends_with(&["image_2".to_string(), "label".to_string()]),
        "{headers:?}"
    );
    assert_eq!(headers[0], "id");
    // A filter across both tables: the dataset's label against the model's guess.
    let table = |p: &str| {
        loupe_core::read_table(&std::fs::read(repo().join("public").join(p)).expect("read"))
            .expect("table")
    };
    let (p, d) = (table(preds), table("demo/digits/v0/digits.table.json"));
    let joined =
        loupe_core::ops::join(&p, &d, "id", "id", loupe_core::ops::JoinKind::Inner).expect("join");
    let mut q = loupe_core::Query::default();
    q.and_filter(r#"row["label"] != row["guess"]"#);
    let wrong = loupe_core::run(&joined, &q).expect("run").rows.len();
    assert!(wrong > 0 && wrong < joined.row_count());
    s.js(&format!(
        "location.search = location.search + '&filter=' + encodeURIComponent({}); return 0",
        serde_json::json!(r#"row["label"] != row["guess"]"#)
    ))
    .await;
    assert_eq!(s.wait_state().await, "ready");
    s.wait_for(
        &format!(
            "Number(document.querySelector('[role=grid]').getAttribute('aria-rowcount')) === {}",
            wrong + 1
        ),
        "rows where the label differs from the guess",
    )
    .await;
    // Keys that do not exist are named in the alert.
    assert_eq!(
        s.open(&format!(
            "?table={preds}&with=demo/digits/v0/digits.table.json&on=id,nope"
        ))
        .await,
        "error"
    );
    let alert = s
        .js("return document.querySelector('[role=alert]').innerText")
        .await;
    assert!(
        alert.as_str().unwrap_or_default().contains("nope"),
        "{alert}"
    );
}

#[tokio::test]
async fn versions_are_compared_from_the_artifact_browser_and_the_key_can_change() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?catalog=demo/loupe.json&artifact=digit-predictions:v0")
            .await,
        "ready"
    );
    s.wait_for(
        "document.querySelector('[data-file=\"predictions.table.json\"] a[data-compare=\"v1\"]')",
        "compare link",
    )
    .await;
    s.js("document.querySelector('[data-file=\"predictions.table.json\"] a[data-compare=\"v1\"]').click(); return 0").await;
    s.wait_for("location.search.includes('compare=')", "compare URL")
        .await;
    assert_eq!(s.wait_state().await, "ready");
    s.wait_for(
        "document.querySelectorAll('.version-chip').length === 2",
        "two versions",
    )
    .await;
    let key = s
        .js("return document.querySelector('.compare-key-select').value")
        .await;
    assert_eq!(key, serde_json::json!("id"), "the id column is detected");
    // Match by row position instead: the choice goes to the URL and reloads.
    s.js(
        "const k = document.querySelector('.compare-key-select'); k.value = '-'; \
          k.dispatchEvent(new Event('change', {bubbles: true})); return 0",
    )
    .await;
    s.wait_for(
        "new URLSearchParams(location.search).get('key') === '-'",
        "key in the URL",
    )
    .await;
    assert_eq!(s.wait_state().await, "ready");
    s.wait_for("document.querySelector('.compare-key-select') && document.querySelector('.compare-key-select').value === '-'", "position matching").await;
    let headers = s.js("return [...document.querySelectorAll('[role=columnheader]')].map(h => h.innerText.trim()).slice(0, 2)").await;
    assert_eq!(headers, serde_json::json!(["row", "versions"]));
}

/// Served gzip-encoded (a CDN's `Content-Encoding`), a table's body is longer
/// than its `Content-Length`: it opens whole and matches its manifest size,
/// whether the page or the loading worker parses it.
#[tokio::test]
async fn a_gzip_encoded_artifact_opens_on_the_page_and_in_the_worker() {
    let digits = std::fs::read(support::repo().join("public/demo/digits/v0/digits.table.json"))
        .expect("demo digits");
    let rows = loupe_core::read_table(&digits).expect("table").row_count();
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    for extra in ["", "&json_worker_mb=0"] {
        let url = format!("?table=/demo-gzip/digits/v0/digits.table.json{extra}");
        let state = s.open(&url).await;
        let alert = s
            .js("const a = document.querySelector('[role=alert]'); return a ? a.innerText : ''")
            .await;
        assert_eq!(state, "ready", "{url}: {alert}");
        s.wait_rows(rows, &url).await;
    }
    assert!(s.worker_starts() > 0, "the worker parsed the table");
}
