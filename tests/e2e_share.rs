//! End-to-end: exporting the view, embedding Loupe in a report, hosting under a sub-path.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use loupe_core::{Query, read_table, run};
use support::{BROWSER, Session, repo};

#[tokio::test]
async fn csv_and_table_json_exports_match_the_engine() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let path = "demo/digit-predictions/v1/predictions.table.json";
    assert_eq!(
        s.open(&format!(
            "?table={path}&filter=truth%20!%3D%20guess&sort=score_3%20desc&hide=image"
        ))
        .await,
        "ready"
    );
    let t =
        read_table(&std::fs::read(repo().join("public").join(path)).expect("demo")).expect("table");
    let q = Query::from_params([
        ("filter", "truth != guess"),
        ("sort", "score_3 desc"),
        ("hide", "image"),
    ]);
    let v = run(&t, &q).expect("runs");
    s.js("document.querySelector('button.export-csv').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('a.export-link[data-format=\"csv\"]')",
        "csv link",
    )
    .await;
    let csv = s
        .client
        .execute_async(
            "const done = arguments[0]; fetch(document.querySelector('a.export-link[data-format=\"csv\"]').href).then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .expect("read the export");
    assert_eq!(
        csv.as_str(),
        Some(loupe_core::export::view_to_csv(&t, &v, &q.hidden).as_str())
    );
    let name = s
        .js("return document.querySelector('a.export-link[data-format=\"csv\"]').download")
        .await;
    assert_eq!(name, "predictions.csv");
    s.js("document.querySelector('button.export-json').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('a.export-link[data-format=\"table.json\"]')",
        "json link",
    )
    .await;
    let json = s
        .client
        .execute_async(
            "const done = arguments[0]; fetch(document.querySelector('a.export-link[data-format=\"table.json\"]').href).then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .expect("read the export");
    let back = read_table(json.as_str().unwrap_or_default().as_bytes())
        .expect("the export is a W&B table");
    assert_eq!(back.row_count(), v.rows.len());
    assert!(
        back.column("image").is_none(),
        "hidden columns are not exported"
    );
}

#[tokio::test]
async fn embedded_in_a_report_page() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    s.client
        .goto(&format!("{}/testdata/embed-host.html", s.base))
        .await
        .expect("host page");
    let frame = "document.getElementById('loupe').contentDocument";
    s.wait_for(
        &format!("{frame}?.body?.dataset.loupeState === 'ready'"),
        "embedded Loupe ready",
    )
    .await;
    s.wait_for(
        &format!("!!{frame}.querySelector('[role=grid]')"),
        "grid in the frame",
    )
    .await;
    let chrome = s
        .js(&format!(
            "return getComputedStyle({frame}.querySelector('.query-bar')).display"
        ))
        .await;
    assert_eq!(chrome, "none", "no chrome in embed mode");
    let rows = s
        .js(&format!(
            "return {frame}.querySelector('[role=grid]').getAttribute('aria-rowcount')"
        ))
        .await;
    assert!(
        rows.as_str()
            .unwrap_or_default()
            .parse::<u32>()
            .unwrap_or(0)
            > 1
    );
    // The host page does not scroll: the grid scrolls inside the frame.
    let host = s
        .js("return document.scrollingElement.scrollHeight <= window.innerHeight")
        .await;
    assert_eq!(host, true);
    let inner = s
        .js(&format!(
            "return {frame}.scrollingElement.scrollHeight <= {frame}.defaultView.innerHeight"
        ))
        .await;
    assert_eq!(inner, true);
    // The normal UI offers the snippet for this view.
    assert_eq!(
        s.open("?table=demo/shapes/v0/shapes.table.json&filter=n_objects%20%3E%201")
            .await,
        "ready"
    );
    s.js("document.querySelector('button.embed-button').click(); return 0")
        .await;
    let snippet = s
        .wait_for("document.querySelector('.embed-snippet')?.value", "snippet")
        .await;
    let snippet = snippet.as_str().unwrap_or_default();
    assert!(
        snippet.starts_with("<iframe src=\"")
            && snippet.contains("embed=1")
            && snippet.contains("filter="),
        "{snippet}"
    );
}

#[tokio::test]
async fn works_from_a_sub_path() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("sub/path/?table=demo/digits/v0/digits.table.json")
            .await,
        "ready"
    );
    let rows = s
        .js("return document.querySelector('[role=grid]').getAttribute('aria-rowcount')")
        .await;
    assert_eq!(rows, "1798");
    s.wait_for(
        "[...document.querySelectorAll('.image-view img')].length > 0 && [...document.querySelectorAll('.image-view img')].every(i => i.complete && i.naturalWidth > 0 && i.src.includes('/sub/path/demo/'))",
        "images under the sub-path",
    )
    .await;
}

#[tokio::test]
async fn the_release_page_forbids_inline_script() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=demo/shapes/v0/shapes.table.json").await,
        "ready"
    );
    let csp = s
        .js("return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')?.content || ''")
        .await;
    let csp = csp.as_str().unwrap_or_default();
    assert!(csp.contains("script-src 'self' 'sha256-"), "{csp}");
    assert!(
        !csp.split(';')
            .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")),
        "{csp}"
    );
    // Script injected into the page by content does not run.
    let ran = s
        .js("const el = document.createElement('script'); el.textContent = 'window.__injected = 1'; \
             document.head.appendChild(el); return window.__injected === 1")
        .await;
    assert_eq!(ran, false, "inline script must be blocked by the policy");
}

#[tokio::test]
async fn named_views_save_rename_export_import_and_ship_with_the_catalog() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let v1 = "demo/digit-predictions/v1/predictions.table.json";
    assert_eq!(
        s.open(&format!("?table={v1}&filter=truth%20!=%20guess"))
            .await,
        "ready"
    );
    s.js("localStorage.clear(); return 0").await;
    s.js("document.querySelector('.views-button').click(); return 0")
        .await;
    s.wait_for("document.querySelector('.views-panel')", "views panel")
        .await;
    s.js("const i = document.querySelector('.view-name'); i.value = 'mistakes'; i.dispatchEvent(new Event('input', {bubbles: true})); \
          document.querySelector('.save-view button[type=submit]').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('.saved-view[data-view=mistakes]')",
        "saved",
    )
    .await;
    let stored = s
        .js("return JSON.parse(localStorage.getItem('loupe.views')).views[0].search")
        .await;
    assert!(
        stored.as_str().unwrap_or_default().contains("filter="),
        "{stored}"
    );
    // Rename, then export: the file holds the renamed view.
    s.js(
        "document.querySelector('.saved-view[data-view=mistakes] .rename-view').click(); return 0",
    )
    .await;
    s.wait_for("document.querySelector('.rename-input')", "rename box")
        .await;
    s.js("const r = document.querySelector('.rename-input'); r.value = 'wrong guesses'; r.dispatchEvent(new Event('change', {bubbles: true})); return 0").await;
    s.wait_for(
        "document.querySelector('.saved-view[data-view=\"wrong guesses\"]')",
        "renamed",
    )
    .await;
    s.js("document.querySelector('.export-views').click(); return 0")
        .await;
    let exported = s
        .wait_for("(() => { const a = document.querySelector('a.export-link[data-format=views]'); if (!a) return null; \
                   const x = new XMLHttpRequest(); x.open('GET', a.href, false); x.send(); return x.responseText; })()", "export")
        .await;
    let views = loupe_core::views::parse_views(exported.as_str().unwrap_or_default().as_bytes())
        .expect("a views file");
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].name, "wrong guesses");
    // Delete it, then import the file back.
    s.js("document.querySelector('.saved-view .delete-view').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelectorAll('.saved-view').length === 0",
        "deleted",
    )
    .await;
    s.js(&format!(
        "const dt = new DataTransfer(); dt.items.add(new File([{}], 'views.json', {{type: 'application/json'}})); \
         const i = document.querySelector('.import-views input'); i.files = dt.files; i.dispatchEvent(new Event('change', {{bubbles: true}})); return 0",
        serde_json::to_string(exported.as_str().unwrap_or_default()).expect("json")
    ))
    .await;
    s.wait_for(
        "document.querySelector('.saved-view[data-view=\"wrong guesses\"]')",
        "imported",
    )
    .await;
    // Opening it shows the saved view.
    s.js("document.querySelector('.saved-view .open-view').click(); return 0")
        .await;
    assert_eq!(s.wait_state().await, "ready");
    let filter = s
        .js("return new URLSearchParams(location.search).get('filter')")
        .await;
    assert_eq!(filter, serde_json::json!("truth != guess"));

    // The demo catalog ships views, listed in the artifact browser.
    assert_eq!(s.open("?catalog=demo/loupe.json").await, "ready");
    let shipped = s
        .js("return [...document.querySelectorAll('.shipped-view')].map(a => a.dataset.view)")
        .await;
    let catalog = loupe_core::Catalog::parse(
        &std::fs::read(repo().join("public/demo/loupe.json")).expect("catalog"),
    )
    .expect("valid");
    let want: Vec<&str> = catalog.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(shipped, serde_json::json!(want));
    s.js("document.querySelector('.shipped-view').click(); return 0")
        .await;
    s.wait_for("location.search.includes('group=')", "the shipped view")
        .await;
    assert_eq!(s.wait_state().await, "ready");
}

#[tokio::test]
async fn local_files_open_without_hosting_by_picking_or_dropping() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let t = read_table(
        &std::fs::read(repo().join("public/demo/digits/v0/digits.table.json")).expect("digits"),
    )
    .expect("table");
    let Some(loupe_core::Value::Image(img)) = t.column("image").map(|c| c.get(0)) else {
        panic!("image")
    };
    let image_name = img.path.rsplit('/').next().expect("file name").to_string();
    // Files as the browser would hand them over: the table and its first image, flat.
    let make_files = format!(
        "const get = async (p, n) => new File([await (await fetch(p)).blob()], n); \
         window.__files = [await get('demo/digits/v0/digits.table.json', 'digits.table.json'), \
                           await get('demo/digits/v0/{}', '{image_name}')];",
        img.path
    );
    // The last round's table is parsed by the loading worker (every JSON
    // table is, at `&json_worker_mb=0`): it reads the file by its blob URL too.
    for (how, page) in [("pick", ""), ("drop", ""), ("drop", "?json_worker_mb=0")] {
        assert_eq!(s.open(page).await, "ready");
        s.js(&format!(
            "(async () => {{ {make_files} window.__ready = true; }})(); return 0"
        ))
        .await;
        s.wait_for("window.__ready === true", "files made").await;
        let action = match how {
            "pick" => {
                "const dt = new DataTransfer(); window.__files.forEach(f => dt.items.add(f)); \
                       const i = document.querySelector('.pick-files'); i.files = dt.files; \
                       i.dispatchEvent(new Event('change', {bubbles: true})); return 0"
            }
            _ => {
                "const dt = new DataTransfer(); window.__files.forEach(f => dt.items.add(f)); \
                  document.body.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true})); return 0"
            }
        };
        s.js(action).await;
        s.wait_for(&format!("Number(document.querySelector('[role=grid]') && document.querySelector('[role=grid]').getAttribute('aria-rowcount')) === {}", t.row_count() + 1), how).await;
        let src = s
            .wait_for("(() => { const i = document.querySelector('[aria-rowindex=\"2\"] img'); return i && i.complete && i.naturalWidth > 0 ? i.src : null; })()", "the image from the dropped file")
            .await;
        assert!(
            src.as_str().unwrap_or_default().starts_with("blob:"),
            "{how}{page}: {src}"
        );
    }
    assert!(s.worker_starts() > 0, "the worker read the last table");

    // A Parquet file from disk: the worker reads it by its blob URL as well.
    let parquet = loupe_columnar::parquet_write::write_parquet_with(&t, 500).expect("parquet");
    std::fs::write(support::generated().join("digits.parquet"), parquet).expect("write");
    assert_eq!(s.open("").await, "ready");
    s.js("(async () => { window.__files = [new File([await (await fetch('/generated/digits.parquet')).blob()], 'digits.parquet')]; \
          window.__parquet = true; })(); return 0")
        .await;
    s.wait_for("window.__parquet === true", "the Parquet file made")
        .await;
    s.js("const dt = new DataTransfer(); window.__files.forEach(f => dt.items.add(f)); \
          document.body.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true})); return 0")
        .await;
    s.wait_rows(t.row_count(), "the dropped Parquet file's rows")
        .await;
}

#[tokio::test]
async fn column_widths_chart_png_and_media_download_are_one_click_away() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let v1 = "demo/digit-predictions/v1/predictions.table.json";
    assert_eq!(s.open(&format!("?table={v1}")).await, "ready");
    // Drag the `truth` header's edge 60px wider: the width goes to the URL and survives a reload.
    s.js("const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === 'truth'); \
          const r = h.querySelector('.resize'); const b = r.getBoundingClientRect(); \
          r.dispatchEvent(new MouseEvent('mousedown', {clientX: b.left, clientY: b.top, bubbles: true})); \
          window.dispatchEvent(new MouseEvent('mousemove', {clientX: b.left + 60, clientY: b.top, bubbles: true})); \
          window.dispatchEvent(new MouseEvent('mouseup', {bubbles: true})); return 0")
        .await;
    let w = s
        .wait_for(
            "new URLSearchParams(location.search).getAll('w').find(w => w.endsWith(':truth'))",
            "width in the URL",
        )
        .await;
    assert_eq!(w, serde_json::json!("210:truth"));
    s.js("location.reload(); return 0").await;
    assert_eq!(s.wait_state().await, "ready");
    let width = s
        .wait_for("(() => { const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === 'truth'); return h ? Math.round(h.getBoundingClientRect().width) : null; })()", "header")
        .await;
    assert_eq!(width, serde_json::json!(210));
    // A chart downloads as PNG.
    assert_eq!(
        s.open(&format!("?table={v1}&chart=histogram&of=score_3"))
            .await,
        "ready"
    );
    s.wait_for("document.querySelector('.table-panel canvas')", "chart")
        .await;
    s.js("document.querySelector('.chart-png').click(); return 0")
        .await;
    let href = s.wait_for("(() => { const a = document.querySelector('a.chart-png-link'); return a ? a.href.slice(0, 22) : null; })()", "png link").await;
    assert_eq!(href, serde_json::json!("data:image/png;base64,"));
    // The large image view offers the file.
    s.js("document.querySelector('[aria-rowindex=\"2\"] .image-cell').click(); return 0")
        .await;
    let link = s.wait_for("(() => { const a = document.querySelector('[role=dialog] a.download-media'); return a ? a.getAttribute('href') : null; })()", "download link").await;
    assert!(
        link.as_str().unwrap_or_default().contains("/media/images/"),
        "{link}"
    );
}
