//! End-to-end: the release site (dist/) in headless Chromium, driven through chromedriver.
//! Expected values come from the demo files themselves, read with loupe-core.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use loupe_core::{Document, Table, Value, parse_document};
use serde_json::Value as Json;
use support::{BROWSER, Session, repo};

fn demo_table(path: &str) -> Table {
    let bytes = std::fs::read(repo().join("public/demo").join(path)).expect("demo file");
    match parse_document(&bytes) {
        Ok(Document::Table(t)) => t,
        _ => panic!("{path} is not a table"),
    }
}

fn header_names_js() -> &'static str {
    "return [...document.querySelectorAll('[role=columnheader]')].map(h => h.innerText.trim())"
}

async fn attr_of_grid(s: &Session, attr: &str) -> String {
    s.js(&format!(
        "return document.querySelector('[role=grid]').getAttribute('{attr}')"
    ))
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[tokio::test]
async fn start_page_lists_the_demo_tables() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open("").await, "ready");
    let links = s.js("return [...document.querySelectorAll('.demo-list a')].map(a => a.getAttribute('href'))").await;
    let links: Vec<&str> = links
        .as_array()
        .expect("array")
        .iter()
        .filter_map(Json::as_str)
        .collect();
    assert_eq!(links.len(), 4, "{links:?}");
    assert!(links[0].contains("digits.table.json"), "{links:?}");
}

#[tokio::test]
async fn every_demo_table_opens_with_all_rows_and_headers() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    for path in [
        "digits/v0/digits.table.json",
        "digit-predictions/v0/predictions.table.json",
        "digit-predictions/v1/predictions.table.json",
        "shapes/v0/shapes.table.json",
    ] {
        let expected = demo_table(path);
        assert_eq!(
            s.open(&format!("?table=demo/{path}")).await,
            "ready",
            "{path}"
        );
        assert_eq!(
            attr_of_grid(&s, "aria-rowcount").await,
            (expected.row_count() + 1).to_string(),
            "{path}"
        );
        assert_eq!(
            attr_of_grid(&s, "aria-colcount").await,
            expected.columns.len().to_string(),
            "{path}"
        );
        let names = s.js(header_names_js()).await;
        let want: Vec<&str> = expected.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, serde_json::json!(want), "{path}");
        // Virtualized: far fewer rows in the DOM than in the table.
        let rendered = s
            .js("return document.querySelectorAll('.grid-body [role=row]').length")
            .await;
        let rendered = rendered.as_u64().unwrap_or(0) as usize;
        assert!(
            rendered > 0 && rendered < 100,
            "{path}: {rendered} rows rendered"
        );
        // The first data row shows its id.
        let first_id = s
            .js("return document.querySelector('[aria-rowindex=\"2\"] [role=gridcell]').innerText.trim()")
            .await;
        assert_eq!(first_id, "0", "{path}");
        // Images load: every rendered image cell has a decoded <img>.
        s.wait_for(
            "[...document.querySelectorAll('.image-view img')].length > 0 && \
             [...document.querySelectorAll('.image-view img')].every(i => i.complete && i.naturalWidth > 0)",
            "images to decode",
        )
        .await;
    }
}

#[tokio::test]
async fn scrolling_renders_the_rows_in_view() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=demo/digit-predictions/v1/predictions.table.json")
            .await,
        "ready"
    );
    s.js("const g = document.querySelector('[role=grid]'); g.scrollTop = g.scrollHeight; return 0")
        .await;
    let last = s
        .wait_for(
            "document.querySelector('[aria-rowindex=\"1798\"]') && \
             document.querySelector('[aria-rowindex=\"1798\"] [role=gridcell]').innerText.trim()",
            "the last row",
        )
        .await;
    assert_eq!(last, "1796");
}

/// A far scroll in a table of plain rows: no frame adds more than 20 rows
/// (`row_steps`), yet every row in view arrives, once, with its own values.
#[tokio::test]
async fn a_far_scroll_draws_the_rows_in_view_a_few_per_frame() {
    let rows: Vec<Json> = (0..3000)
        .map(|i| serde_json::json!([i, format!("row {i}")]))
        .collect();
    let table = serde_json::json!({"_type": "table", "columns": ["id", "name"], "data": rows});
    std::fs::create_dir_all(support::generated()).expect("generated dir");
    std::fs::write(
        support::generated().join("plain3000.table.json"),
        table.to_string(),
    )
    .expect("write table");
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=/generated/plain3000.table.json").await,
        "ready"
    );
    // Count the rows added in each frame: a counter moved by every animation
    // frame, and a mutation observer adding each new row to its frame's tally
    // (rows it has seen before are moved, not new).
    s.js("window.perFrame = {}; window.frameNo = 0; const seen = new WeakSet(document.querySelectorAll('.grid-body [role=row]')); \
          const tick = () => { frameNo += 1; requestAnimationFrame(tick); }; requestAnimationFrame(tick); \
          new MutationObserver(list => { for (const m of list) for (const n of m.addedNodes) \
            if (n.getAttribute && n.getAttribute('role') === 'row' && !seen.has(n)) { seen.add(n); perFrame[frameNo] = (perFrame[frameNo] || 0) + 1; } }) \
            .observe(document.querySelector('.grid-body'), { childList: true }); \
          const g = document.querySelector('[role=grid]'); g.scrollTop = 2000 * 30; return 0")
        .await;
    // The last row whose top is in view (the header row covers the first ~36 px).
    let expect_rows = "(() => { const g = document.querySelector('[role=grid]'); \
        const first = Math.floor(g.scrollTop / 30), last = Math.floor((g.scrollTop + g.clientHeight - 1) / 30); \
        return [first, last]; })()";
    s.wait_for(
        &format!("(() => {{ const [f, l] = {expect_rows}; return f >= 1990 && document.querySelector(`[aria-rowindex=\"${{l + 2}}\"]`) !== null; }})()"),
        "the rows at the bottom of the view",
    )
    .await;
    let [first, last] = s
        .js(&format!("return {expect_rows}"))
        .await
        .as_array()
        .expect("range")
        .iter()
        .map(|v| v.as_u64().expect("row"))
        .collect::<Vec<_>>()[..]
    else {
        panic!("two rows")
    };
    assert!(
        last - first + 1 > 20,
        "the view shows more rows than one frame draws"
    );
    let drawn = s
        .js("return [...document.querySelectorAll('.grid-body [role=row]')].map(r => [Number(r.getAttribute('aria-rowindex')), r.querySelector('[role=gridcell]').innerText.trim(), r.classList.contains('alt'), getComputedStyle(r).backgroundColor])")
        .await;
    // Striped and plain rows differ in background.
    let background = |alt: bool| -> std::collections::BTreeSet<String> {
        drawn
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| r[2].as_bool() == Some(alt))
            .map(|r| r[3].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let (striped, plain) = (background(true), background(false));
    assert!(
        striped.len() == 1 && plain.len() == 1 && striped != plain,
        "backgrounds: striped {striped:?}, plain {plain:?}"
    );
    let drawn: Vec<(u64, String)> = drawn
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            // Stripes follow the row number (odd rows), wherever the row's
            // element sits among its siblings.
            let index = r[0].as_u64().expect("index");
            assert_eq!(
                r[2].as_bool(),
                Some(index % 2 == 1),
                "row {} striped by its number",
                index - 2
            );
            (index, r[1].as_str().expect("text").to_string())
        })
        .collect();
    for row in first..=last {
        let found: Vec<_> = drawn
            .iter()
            .filter(|(index, _)| *index == row + 2)
            .collect();
        assert_eq!(found.len(), 1, "row {row} is drawn once: {drawn:?}");
        assert_eq!(found[0].1, row.to_string(), "row {row} shows its id");
    }
    let per_frame = s.js("return Object.values(perFrame)").await;
    let per_frame: Vec<u64> = per_frame
        .as_array()
        .expect("tallies")
        .iter()
        .map(|n| n.as_u64().expect("count"))
        .collect();
    assert!(
        per_frame.iter().all(|&n| n <= 20),
        "rows added per frame: {per_frame:?}"
    );
    assert!(
        per_frame.len() >= 2,
        "the screenful came in more than one frame: {per_frame:?}"
    );
}

/// Boxes of row 0 of the shapes demo, as (class name, score) from the file.
fn shapes_row0_boxes() -> Vec<(String, Option<f64>)> {
    let t = demo_table("shapes/v0/shapes.table.json");
    let col = t.column("image").expect("image column");
    let info = loupe_core::ImageColumnInfo::from_column(col).expect("image info");
    let Value::Image(img) = col.get(0) else {
        panic!("image")
    };
    img.box_layers
        .iter()
        .flat_map(|l| {
            l.boxes
                .iter()
                .map(|b| (info.class_name(&l.name, b.class_id), b.primary_score()))
        })
        .collect()
}

#[tokio::test]
async fn image_boxes_follow_class_toggles_and_score_threshold() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=demo/shapes/v0/shapes.table.json").await,
        "ready"
    );
    let expected = shapes_row0_boxes();
    let row0_rects = "document.querySelectorAll('[aria-rowindex=\"2\"] svg.overlay rect').length";
    let n = s.wait_for(row0_rects, "row 0 boxes").await;
    assert_eq!(n.as_u64(), Some(expected.len() as u64));
    // Every rect names its class, and carries the score where the box has one.
    let classes = s
        .js("return [...document.querySelectorAll('[aria-rowindex=\"2\"] svg.overlay rect')].map(r => r.dataset.class)")
        .await;
    let mut got: Vec<String> = classes
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let mut want: Vec<String> = expected.iter().map(|(c, _)| c.clone()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);

    // Toggle one class off in the legend: its boxes disappear, the others stay.
    let class = want[0].clone();
    let remaining = expected.iter().filter(|(c, _)| *c != class).count();
    s.js(&format!(
        "document.querySelector('[data-class-toggle=\"{class}\"] input').click(); return 0"
    ))
    .await;
    s.wait_for(
        &format!("{row0_rects} === {remaining}"),
        "toggled class to hide",
    )
    .await;
    let hidden = s
        .js(&format!(
            "return document.querySelectorAll('svg.overlay rect[data-class=\"{class}\"]').length"
        ))
        .await;
    assert_eq!(hidden.as_u64(), Some(0));
    // Toggle it back on.
    s.js(&format!(
        "document.querySelector('[data-class-toggle=\"{class}\"] input').click(); return 0"
    ))
    .await;
    s.wait_for(
        &format!("{row0_rects} === {}", expected.len()),
        "class to show again",
    )
    .await;

    // Raise the score threshold: scored boxes below it hide, unscored ones stay.
    let threshold = 0.9;
    let kept = expected
        .iter()
        .filter(|(_, sc)| sc.is_none_or(|v| v >= threshold))
        .count();
    s.js(&format!(
        "const r = document.querySelector('input.score-threshold'); r.value = '{threshold}'; \
         r.dispatchEvent(new Event('input', {{bubbles: true}})); return 0"
    ))
    .await;
    s.wait_for(&format!("{row0_rects} === {kept}"), "threshold to apply")
        .await;
    // Masks are painted on canvases.
    s.wait_for(
        "document.querySelectorAll('[aria-rowindex=\"2\"] canvas.mask').length === 2",
        "mask canvases",
    )
    .await;
    s.screenshot("shapes").await;
}

#[tokio::test]
async fn clicking_an_image_opens_the_large_view_with_the_same_boxes() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=demo/shapes/v0/shapes.table.json").await,
        "ready"
    );
    let n = shapes_row0_boxes().len() as u64;
    s.wait_for(
        "document.querySelector('[aria-rowindex=\"2\"] .image-cell')",
        "image cell",
    )
    .await;
    s.js("document.querySelector('[aria-rowindex=\"2\"] .image-cell').click(); return 0")
        .await;
    let big = s
        .wait_for(
            "document.querySelectorAll('[role=dialog] svg.overlay rect').length",
            "large view",
        )
        .await;
    assert_eq!(big.as_u64(), Some(n));
    // Zoom in twice and pan: the picture and its boxes move together.
    s.js("document.querySelector('[role=dialog] .zoom-in').click(); document.querySelector('[role=dialog] .zoom-in').click(); return 0").await;
    s.wait_for(
        "document.querySelector('[role=dialog] .zoom-level').innerText === '156%'",
        "zoomed",
    )
    .await;
    s.js("const f = document.querySelector('[role=dialog] .frame'); \
          f.dispatchEvent(new MouseEvent('mousedown', {clientX: 100, clientY: 100, bubbles: true})); \
          f.dispatchEvent(new MouseEvent('mousemove', {clientX: 130, clientY: 90, bubbles: true})); \
          f.dispatchEvent(new MouseEvent('mouseup', {bubbles: true})); return 0").await;
    let transform = s.wait_for("(() => { const t = document.querySelector('[role=dialog] .frame').style.transform; return t.includes('translate(30px, -10px)') ? t : null; })()", "panned").await;
    assert!(
        transform
            .as_str()
            .unwrap_or_default()
            .contains("scale(1.5625)"),
        "{transform}"
    );
    assert_eq!(
        s.js("return document.querySelectorAll('[role=dialog] .frame svg.overlay rect').length")
            .await
            .as_u64(),
        Some(n)
    );
    s.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); return 0").await;
    s.wait_for(
        "!document.querySelector('[role=dialog]')",
        "large view to close",
    )
    .await;
}

#[tokio::test]
async fn missing_file_is_an_error_with_status_and_url() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open("?table=testdata/nope.table.json").await, "error");
    let alert = s
        .js("return document.querySelector('[role=alert]').innerText")
        .await;
    let alert = alert.as_str().unwrap_or_default();
    assert!(alert.contains("404"), "{alert}");
    assert!(alert.contains("/testdata/nope.table.json"), "{alert}");
}

#[tokio::test]
async fn malformed_and_truncated_files_name_the_position() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=testdata/malformed.table.json").await,
        "error"
    );
    let alert = s
        .js("return document.querySelector('[role=alert]').innerText")
        .await;
    let alert = alert.as_str().unwrap_or_default().to_string();
    assert!(alert.contains("malformed.table.json"), "{alert}");
    assert!(alert.contains("line 1, column 54"), "{alert}");
    assert_eq!(
        s.open("?table=testdata/truncated.table.json").await,
        "error"
    );
    let alert = s
        .js("return document.querySelector('[role=alert]').innerText")
        .await;
    assert!(
        alert.as_str().unwrap_or_default().contains("end of file"),
        "{alert}"
    );
}

/// JS for the grid cell at 1-based `aria-rowindex` (header = 1) and `aria-colindex`.
fn cell_at(row: u32, col: u32) -> String {
    format!("document.querySelector('[aria-rowindex=\"{row}\"] [aria-colindex=\"{col}\"]')")
}

#[tokio::test]
async fn broken_media_cells_fail_alone() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=testdata/broken-media.table.json&root=demo/shapes/v0/")
            .await,
        "ready"
    );
    assert_eq!(attr_of_grid(&s, "aria-rowcount").await, "6");
    let cell = |row: u32| {
        format!("document.querySelector('[aria-rowindex=\"{row}\"] [aria-colindex=\"2\"]')")
    };
    // Row 0 renders its image; row 1's file is missing; row 2 tries to leave the artifact.
    s.wait_for(
        &format!("{}.querySelector('img').naturalWidth > 0", cell(2)),
        "good image",
    )
    .await;
    let missing = s
        .wait_for(
            &format!("{}.querySelector('.cell-error')?.innerText", cell(3)),
            "missing image error",
        )
        .await;
    assert!(
        missing
            .as_str()
            .unwrap_or_default()
            .contains("does-not-exist.png"),
        "{missing}"
    );
    let escape = s.js(&format!("return {}.innerText", cell(4))).await;
    assert!(
        escape
            .as_str()
            .unwrap_or_default()
            .contains("leaves the artifact"),
        "{escape}"
    );
    assert_eq!(
        s.js(&format!(
            "return {}.querySelectorAll('img').length",
            cell(4)
        ))
        .await,
        0
    );
    let no_path = s.js(&format!("return {}.innerText", cell(5))).await;
    assert!(
        no_path.as_str().unwrap_or_default().contains("no `path`"),
        "{no_path}"
    );
    let short = s.js(&format!("return {}.innerText", cell_at(6, 3))).await;
    assert!(
        short
            .as_str()
            .unwrap_or_default()
            .contains("row 4 has 2 cells"),
        "{short}"
    );
}

#[tokio::test]
async fn sdk_media_fixture_renders_every_kind() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=fixtures/media/v0/media.table.json").await,
        "ready"
    );
    let iframe_sandbox = s
        .js("return document.querySelector('.media.html iframe').getAttribute('sandbox')")
        .await;
    assert_eq!(
        iframe_sandbox, "",
        "html must be sandboxed without allow-same-origin or scripts"
    );
    assert_eq!(
        s.js("return document.querySelectorAll('audio[controls]').length")
            .await,
        1
    );
    assert_eq!(
        s.js("return document.querySelectorAll('a.file-link').length")
            .await,
        2
    );
    // The SDK fixture's html file carries a script; it must not have run anywhere we can see.
    assert_eq!(s.js("return window.__pwned === undefined").await, true);
    // Classes come from column_types: box names resolved.
    let names = s
        .wait_for(
            "[...document.querySelectorAll('[aria-rowindex=\"2\"] [aria-colindex=\"2\"] svg.overlay rect')].map(r => r.dataset.class).sort().join(',')",
            "boxes",
        )
        .await;
    assert_eq!(names, "car,cat,cat,dog");
    assert_eq!(
        s.open("?table=fixtures/value_types/v0/values.table.json")
            .await,
        "ready"
    );
    let row0 = s
        .js("return [...document.querySelectorAll('[aria-rowindex=\"2\"] [role=gridcell]')].map(c => c.innerText.trim())")
        .await;
    let row0: Vec<&str> = row0
        .as_array()
        .expect("array")
        .iter()
        .filter_map(Json::as_str)
        .collect();
    assert_eq!(row0[0..4], ["1", "1.5", "∞", "null"]);
    assert_eq!(row0[7], "9223372036854775809");
    assert_eq!(row0[8], "2024-01-02T03:04:05.678Z");
}

#[tokio::test]
async fn the_keyboard_moves_between_cells_opens_copies_and_finds_the_filter() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=demo/shapes/v0/shapes.table.json").await,
        "ready"
    );
    let key = |k: &str, ctrl: bool| {
        format!(
            "const g = document.querySelector('[role=grid]'); g.focus(); \
             g.dispatchEvent(new KeyboardEvent('keydown', {{key: '{k}', ctrlKey: {ctrl}, bubbles: true}})); return 0"
        )
    };
    for k in [
        "ArrowDown",
        "ArrowDown",
        "ArrowRight",
        "ArrowRight",
        "ArrowLeft",
    ] {
        s.js(&key(k, false)).await;
    }
    let focused = s
        .wait_for("(() => { const c = document.querySelector('[role=gridcell].focused'); return c ? [c.closest('[role=row]').getAttribute('aria-rowindex'), c.getAttribute('aria-colindex'), c.getAttribute('aria-selected')] : null; })()", "focused cell")
        .await;
    assert_eq!(focused, serde_json::json!(["4", "2", "true"]));
    // Ctrl+C copies the focused cell's text (an image cell has none: move to `id`).
    s.js(&key("ArrowLeft", false)).await;
    s.js(&key("c", true)).await;
    let copied = s
        .wait_for(
            "document.querySelector('[role=grid]').dataset.copied",
            "copied",
        )
        .await;
    assert_eq!(copied, serde_json::json!("2"), "row 3's id");
    // A click focuses the cell it lands in; the one focused before is not.
    s.js("const c = document.querySelector('[aria-rowindex=\"5\"] [role=gridcell][aria-colindex=\"3\"]'); (c.querySelector('*') || c).click(); return 0")
        .await;
    let focused = s
        .wait_for("(() => { const f = [...document.querySelectorAll('[role=gridcell].focused, [role=gridcell][aria-selected]')]; return f.length === 1 && f[0].classList.contains('focused') ? [f[0].closest('[role=row]').getAttribute('aria-rowindex'), f[0].getAttribute('aria-colindex')] : null; })()", "clicked cell focused")
        .await;
    assert_eq!(focused, serde_json::json!(["5", "3"]));
    // Every cell lines up with its column's header.
    let misaligned = s
        .js("const heads = [...document.querySelectorAll('[role=columnheader]')]; \
             return [...document.querySelectorAll('[role=gridcell]')].filter(c => { \
               const h = heads[Number(c.getAttribute('aria-colindex')) - 1].getBoundingClientRect(), r = c.getBoundingClientRect(); \
               return Math.abs(h.left - r.left) > 0.5 || Math.abs(h.width - r.width) > 0.5; }).length")
        .await;
    assert_eq!(misaligned, serde_json::json!(0));
    s.js(&key("ArrowLeft", false)).await;
    s.js(&key("ArrowLeft", false)).await;
    // Enter on an image opens the large view; Esc closes it.
    s.js(&key("ArrowRight", false)).await;
    s.js(&key("Enter", false)).await;
    s.wait_for("document.querySelector('[role=dialog]')", "large view")
        .await;
    s.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); return 0").await;
    s.wait_for("!document.querySelector('[role=dialog]')", "closed")
        .await;
    // `/` jumps to the filter.
    s.js("document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true})); return 0").await;
    s.wait_for(
        "document.activeElement && document.activeElement.id === 'loupe-filter'",
        "filter focused",
    )
    .await;
}
