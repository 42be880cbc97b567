//! End-to-end: the panel registry (switching a column's panel, kept in the URL),
//! media panels (waveform, point clouds, molecules) and whole-table panels
//! (histogram, bar, scatter, gallery, embedding projector) on the demo.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use loupe_core::{Table, Value, read_table};
use support::{BROWSER, Session, repo};

const V1: &str = "demo/digit-predictions/v1/predictions.table.json";

fn predictions() -> Table {
    read_table(&std::fs::read(repo().join("public").join(V1)).expect("demo")).expect("table")
}

#[tokio::test]
async fn a_columns_panel_is_switched_from_its_header_and_kept_in_the_url() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&format!("?table={V1}")).await, "ready");
    s.js("const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === 'embedding'); \
          h.querySelector('button.name').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('.header-menu .panel-choice[data-panel=sparkline]')",
        "show as",
    )
    .await;
    let choices = s.js("return [...document.querySelectorAll('.header-menu .panel-choice')].map(b => b.dataset.panel)").await;
    let choices: Vec<String> = serde_json::from_value(choices).expect("names");
    for want in ["tree", "sparkline", "bars", "heatmap", "json"] {
        assert!(choices.contains(&want.to_string()), "{choices:?}");
    }
    s.js("document.querySelector('.header-menu .panel-choice[data-panel=sparkline]').click(); return 0").await;
    s.wait_for(
        "document.querySelector('[aria-rowindex=\"2\"] canvas[data-panel=sparkline]')",
        "sparkline cells",
    )
    .await;
    let search = s
        .js("return new URLSearchParams(location.search).get('panel')")
        .await;
    assert_eq!(search, serde_json::json!("sparkline:embedding"));
    // The cell draws the row's vector (its numbers are on the canvas too).
    let t = predictions();
    let Value::List(first) = t.column("embedding").expect("embedding").get(0) else {
        panic!("list")
    };
    let want: Vec<String> = first
        .iter()
        .map(|v| loupe_core::value::format_float(v.as_f64().unwrap_or(f64::NAN)))
        .collect();
    let shown = s.js("return document.querySelector('[aria-rowindex=\"2\"] canvas[data-panel=sparkline]').dataset.values").await;
    assert_eq!(shown, serde_json::json!(want.join(",")));
    // The link reopens with the same panel; back to the default from the menu.
    s.js("location.reload(); return 0").await;
    assert_eq!(s.wait_state().await, "ready");
    s.wait_for(
        "document.querySelector('[aria-rowindex=\"2\"] canvas[data-panel=sparkline]')",
        "sparkline after reload",
    )
    .await;
    s.js("const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === 'embedding'); \
          h.querySelector('button.name').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('.header-menu .panel-choice[data-panel=tree]')",
        "menu",
    )
    .await;
    s.js("document.querySelector('.header-menu .panel-choice[data-panel=tree]').click(); return 0")
        .await;
    s.wait_for("!new URLSearchParams(location.search).has('panel') && !document.querySelector('canvas[data-panel=sparkline]')", "default panel").await;
}

#[tokio::test]
async fn media_panels_decode_audio_and_draw_point_clouds_and_molecules() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(
        s.open("?table=fixtures/media/v0/media.table.json").await,
        "ready"
    );
    // The fixture's tone is 2,000 samples at 8 kHz: a quarter of a second.
    let seconds = s.wait_for("(() => { const d = document.querySelector('.waveform .duration'); return d ? Number(d.dataset.duration) : null; })()", "decoded audio").await;
    assert!(
        (seconds.as_f64().unwrap_or(0.0) - 0.25).abs() < 0.01,
        "{seconds}"
    );
    let pts = std::fs::read(repo().join(
        "crates/loupe-core/tests/fixtures/media/v0/media/object3D/c18cbdc86bac7c5b8bd2.pts.json",
    ))
    .expect("pts");
    let cloud = loupe_core::points3d::parse_pts(&pts).expect("points");
    let counts = s
        .wait_for("(() => { const c = [...document.querySelectorAll('.points-count')].map(p => Number(p.dataset.points)); return c.length === 2 ? c : null; })()", "point views")
        .await;
    // The point cloud, and the water molecule's three atoms.
    assert_eq!(counts, serde_json::json!([cloud.points.len(), 3]));
}

#[tokio::test]
async fn whole_table_panels_chart_the_view() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let t = predictions();
    let n = t.row_count();
    // Histogram, picked from the chart menu; its counts cover every row in view.
    assert_eq!(
        s.open(&format!("?table={V1}&filter=truth%20==%203")).await,
        "ready"
    );
    s.js("const k = document.querySelector('.chart-kind'); k.value = 'histogram'; k.dispatchEvent(new Event('change', {bubbles: true})); return 0").await;
    let counts = s.wait_for("(() => { const c = document.querySelector('.histogram canvas.bars-chart'); return c ? c.dataset.counts : null; })()", "histogram").await;
    let in_view = (0..n)
        .filter(|&r| t.column("truth").expect("truth").get(r).as_f64() == Some(3.0))
        .count();
    let total: f64 = counts
        .as_str()
        .unwrap_or_default()
        .split(',')
        .filter_map(|c| c.parse::<f64>().ok())
        .sum();
    assert_eq!(total as usize, in_view);
    assert!(
        s.js("return location.search")
            .await
            .as_str()
            .unwrap_or_default()
            .contains("chart=histogram")
    );

    // Scatter: x/y/colour from expressions.
    assert_eq!(
        s.open(&format!(
            "?table={V1}&chart=scatter&x=score_1&y=score_7%20*%202&color=truth"
        ))
        .await,
        "ready"
    );
    let points = s.wait_for("(() => { const c = document.querySelector('.whole-chart.points canvas'); return c ? Number(c.dataset.points) : null; })()", "scatter").await;
    assert_eq!(points, serde_json::json!(n));
    let legend = s
        .js("return document.querySelectorAll('.chart-legend .legend-key').length")
        .await;
    assert_eq!(legend, serde_json::json!(10));

    // Bar chart of a column's values.
    assert_eq!(
        s.open(&format!("?table={V1}&chart=bar&of=guess")).await,
        "ready"
    );
    let bars = s.wait_for("(() => { const b = [...document.querySelectorAll('.whole-chart.bar .hbar')].map(b => Number(b.dataset.count)); return b.length ? b : null; })()", "bars").await;
    let sum: f64 = bars
        .as_array()
        .expect("bars")
        .iter()
        .filter_map(|b| b.as_f64())
        .sum();
    assert_eq!(sum as usize, n);

    // Gallery in sections by the true digit.
    assert_eq!(
        s.open(&format!("?table={V1}&chart=gallery&by=truth")).await,
        "ready"
    );
    let sections = s.wait_for("(() => { const g = document.querySelectorAll('.gallery-section'); return g.length ? g.length : null; })()", "gallery").await;
    assert_eq!(sections, serde_json::json!(10));

    // The embedding projector: every row's hidden activations by PCA, coloured by truth;
    // hovering a point shows its row and image.
    assert_eq!(
        s.open(&format!("?table={V1}&chart=projector&color=truth"))
            .await,
        "ready"
    );
    let points = s.wait_for("(() => { const c = document.querySelector('.whole-chart.points canvas'); return c ? Number(c.dataset.points) : null; })()", "projector").await;
    assert_eq!(points, serde_json::json!(n));
    // Points are dense around the middle: hover a few spots until one is near a point.
    let mut row = serde_json::Value::Null;
    for (fx, fy) in [
        (0.5, 0.5),
        (0.4, 0.5),
        (0.6, 0.5),
        (0.5, 0.4),
        (0.5, 0.6),
        (0.3, 0.3),
        (0.7, 0.7),
    ] {
        s.js(&format!(
            "const c = document.querySelector('.whole-chart.points canvas'); const r = c.getBoundingClientRect(); \
             c.dispatchEvent(new MouseEvent('mousemove', {{clientX: r.left + r.width * {fx}, clientY: r.top + r.height * {fy}, bubbles: true}})); return 0"
        ))
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        row = s.js("const tip = document.querySelector('.point-tip'); return tip && tip.querySelector('img') ? Number(tip.dataset.row) : null").await;
        if !row.is_null() {
            break;
        }
    }
    assert!(row.as_u64().is_some_and(|r| (r as usize) < n), "{row}");
}

#[tokio::test]
async fn a_plugin_panel_loads_only_after_consent_and_renders() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let url = format!("?table={V1}&plugin=plugins/stars.js&panel=stars:score_3");
    // Declined: nothing runs, the column keeps its built-in panel.
    assert_eq!(s.open(&url).await, "ready");
    s.wait_for("document.querySelector('.plugin-consent')", "consent")
        .await;
    s.js("document.querySelector('.plugin-decline').click(); return 0")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        s.js("return document.querySelectorAll('.stars').length")
            .await,
        serde_json::json!(0)
    );
    // Accepted: the plugin's panel draws the chosen column.
    assert_eq!(s.open(&url).await, "ready");
    s.wait_for("document.querySelector('.plugin-accept')", "consent")
        .await;
    s.js("document.querySelector('.plugin-accept').click(); return 0")
        .await;
    let stars = s
        .wait_for("(() => { const s = document.querySelector('[aria-rowindex=\"2\"] .plugin-cell[data-plugin=stars] .stars'); return s ? String(s.dataset.stars) : null; })()", "stars")
        .await;
    let score = predictions()
        .column("score_3")
        .expect("score")
        .get(0)
        .as_f64()
        .expect("number");
    assert_eq!(
        stars,
        serde_json::json!(((score.clamp(0.0, 1.0) * 5.0).round() as i64).to_string())
    );
    // It is offered for every number column in "show as".
    s.js("const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === 'score_5'); \
          h.querySelector('button.name').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('.header-menu .panel-choice[data-panel=stars]')",
        "stars in show as",
    )
    .await;
}

#[tokio::test]
async fn a_grouped_columns_panel_is_switched_too() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&format!("?table={V1}&group=truth")).await, "ready");
    let cell = "(() => { const h = [...document.querySelectorAll('[role=columnheader]')].findIndex(h => h.innerText.trim() === 'guess'); \
                return document.querySelector(`[aria-rowindex=\"2\"] [aria-colindex=\"${h + 1}\"]`); })()";
    // Class ids default to category bars; "histogram" draws their distribution instead.
    s.wait_for(
        &format!("{cell}.querySelector('.agg.bars')"),
        "category bars",
    )
    .await;
    s.js("const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === 'guess'); \
          h.querySelector('button.name').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('.header-menu .panel-choice[data-panel=histogram]')",
        "group panels",
    )
    .await;
    s.js("document.querySelector('.header-menu .panel-choice[data-panel=histogram]').click(); return 0").await;
    s.wait_for(
        &format!("{cell}.querySelector('canvas.bars-chart') && !{cell}.querySelector('.agg.bars')"),
        "histogram",
    )
    .await;
    let search = s
        .js("return new URLSearchParams(location.search).get('panel')")
        .await;
    assert_eq!(search, serde_json::json!("histogram:guess"));
}
