//! End-to-end: comparing artifact versions — the merged table matched on a key,
//! per-version charts per row and per group, the over-versions strip, side by
//! side and overlaid layouts, and the confusion difference between versions.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use loupe_core::{Query, Table, read_table, run};
use support::{BROWSER, Session, repo};

const V1: &str = "demo/digit-predictions/v1/predictions.table.json";

#[tokio::test]
async fn comparing_two_versions_on_their_id() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let v0 = "demo/digit-predictions/v0/predictions.table.json";
    assert_eq!(s.open(&format!("?table={v0}&compare={V1}")).await, "ready");
    let read = |p: &str| {
        read_table(&std::fs::read(repo().join("public").join(p)).expect("demo")).expect("table")
    };
    let (a, b) = (read(v0), read(V1));
    let merged =
        loupe_core::compare::compare(&[&a, &b], &["v0".to_string(), "v1".to_string()], Some("id"))
            .expect("compare");
    s.wait_rows(merged.table.row_count(), "one row per id")
        .await;
    let headers = s.js("return [...document.querySelectorAll('[role=columnheader]')].map(h => h.innerText.trim())").await;
    // Every column once per version; after a float column's last version, its bars by version.
    let mut want: Vec<String> = Vec::new();
    for c in &merged.table.columns {
        want.push(c.name.clone());
        if let Some(base) = c.name.strip_suffix("@v1")
            && c.data_type() == loupe_core::DataType::Float
        {
            want.push(format!("{base} by version"));
        }
    }
    assert_eq!(headers, serde_json::json!(want));
    let legend = s
        .js("return [...document.querySelectorAll('.version-chip')].map(v => v.dataset.version)")
        .await;
    assert_eq!(legend, serde_json::json!(["v0", "v1"]));
    // Changed from right to wrong: an ordinary filter over version columns.
    let filter = "guess@v0 == truth@v0 and row[\"guess\"]@v1 != truth@v1";
    s.type_filter(filter, true).await;
    let expected = run(&merged.table, &Query::from_params([("filter", filter)]))
        .expect("runs")
        .rows
        .len();
    s.wait_rows(expected, "right-to-wrong rows").await;
    // In those rows v1's guess differs from v0's, and the cell says so.
    s.wait_for(
        "(() => { const h = [...document.querySelectorAll('[role=columnheader]')].findIndex(h => h.innerText.trim() === 'guess@v1'); \
         return document.querySelector(`[aria-rowindex=\"2\"] [aria-colindex=\"${h + 1}\"] .differs`) !== null; })()",
        "the changed guess is marked",
    )
    .await;
}

#[tokio::test]
async fn confusion_difference_between_compared_versions() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let v0 = "demo/digit-predictions/v0/predictions.table.json";
    assert_eq!(
        s.open(&format!(
            "?table={v0}&compare={V1}&confusion=truth@v0,%20guess@v0"
        ))
        .await,
        "ready"
    );
    s.wait_for(
        "document.querySelector('table.confusion.delta')",
        "difference matrix",
    )
    .await;
    let read = |p: &str| {
        read_table(&std::fs::read(repo().join("public").join(p)).expect("demo")).expect("table")
    };
    let (a, b) = (read(v0), read(V1));
    let all: Vec<u32> = (0..a.row_count() as u32).collect();
    let m = |t: &Table| {
        loupe_core::ops::confusion(
            t.column("truth").expect("truth"),
            t.column("guess").expect("guess"),
            &all,
        )
    };
    let (m0, m1) = (m(&a), m(&b));
    for (tl, gl) in [("3", "3"), ("3", "9"), ("8", "1")] {
        let want = m1.count(tl, gl) as i64 - m0.count(tl, gl) as i64;
        let got = s
            .js(&format!("return Number(document.querySelector('table.confusion.delta td[data-truth=\"{tl}\"][data-guess=\"{gl}\"]').dataset.delta)"))
            .await;
        assert_eq!(got.as_i64(), Some(want), "cell {tl},{gl}");
    }
}

/// The cell's `data-values` (what its per-version chart draws) in row `row` of column `name`.
async fn chart_values(s: &Session, row: usize, name: &str) -> String {
    s.js(&format!(
        "const h = [...document.querySelectorAll('[role=columnheader]')].findIndex(h => h.innerText.trim() === {}); \
         const c = document.querySelector(`[aria-rowindex=\"{}\"] [aria-colindex=\"${{h + 1}}\"] .version-bars`); \
         return c ? c.dataset.values : null",
        serde_json::to_string(name).expect("json"),
        row + 2
    ))
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[tokio::test]
async fn compared_versions_as_charts_per_row_per_group_over_versions_and_side_by_side() {
    use loupe_core::value::format_float;
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let v0 = "demo/digit-predictions/v0/predictions.table.json";
    let read = |p: &str| {
        read_table(&std::fs::read(repo().join("public").join(p)).expect("demo")).expect("table")
    };
    let (a, b) = (read(v0), read(V1));
    let versions = ["v0".to_string(), "v1".to_string()];
    let merged = loupe_core::compare::compare(&[&a, &b], &versions, Some("id")).expect("compare");
    let fmt = |v: &[Option<f64>]| {
        v.iter()
            .map(|x| x.map(format_float).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(s.open(&format!("?table={v0}&compare={V1}")).await, "ready");

    // One bar per version in a row: the two versions' score for digit 3.
    s.wait_for("document.querySelector('.version-bars')", "version bars")
        .await;
    let col = |n: &str| merged.table.column(n).expect("column");
    let want = fmt(&[
        col("score_3@v0").get(0).as_f64(),
        col("score_3@v1").get(0).as_f64(),
    ]);
    assert_eq!(chart_values(&s, 0, "score_3 by version").await, want);

    // Over versions: accuracy (the default `guess == truth`) and each score's mean.
    let all: Vec<u32> = (0..merged.table.row_count() as u32).collect();
    let accuracy = loupe_core::compare_series::mean_over_versions(
        &merged.table,
        &all,
        "guess == truth",
        &versions,
    )
    .expect("accuracy");
    assert!(
        accuracy[1] > accuracy[0],
        "epoch 5 beats epoch 1: {accuracy:?}"
    );
    let shown = s
        .js("return document.querySelector('.over-chart.custom .version-bars').dataset.values")
        .await;
    assert_eq!(shown, serde_json::json!(fmt(&accuracy)));

    // Grouped: rows per version in each group.
    assert_eq!(
        s.open(&format!("?table={v0}&compare={V1}&group=truth@v0"))
            .await,
        "ready"
    );
    let grouped = run(&merged.table, &Query::from_params([("group", "truth@v0")])).expect("groups");
    let g = grouped.groups.expect("grouped");
    let present = merged.table.column("versions").expect("versions");
    let counts: Vec<Option<f64>> = versions
        .iter()
        .map(|v| {
            Some(
                g.grouping.members[0]
                    .iter()
                    .filter(|&&r| present.get(r as usize).display().split(',').any(|x| x == v))
                    .count() as f64,
            )
        })
        .collect();
    s.wait_for("document.querySelector('.version-bars')", "group bars")
        .await;
    assert_eq!(chart_values(&s, 0, "rows by version").await, fmt(&counts));

    // Side by side: one grid per version, same rows, scrolled together; kept in the URL.
    assert_eq!(
        s.open(&format!(
            "?table={v0}&compare={V1}&filter=guess@v0%20!=%20guess@v1"
        ))
        .await,
        "ready"
    );
    s.js("document.querySelector('.layout-choice[data-layout=side]').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelectorAll('.side-by-side .pane [role=grid]').length === 2",
        "two panes",
    )
    .await;
    assert!(s.location_search().await.contains("layout=side"));
    let panes = s.js("return [...document.querySelectorAll('.side-by-side .pane')].map(p => [p.dataset.version, \
        [...p.querySelectorAll('[role=columnheader]')].map(h => h.innerText.trim()), \
        p.querySelector('[role=grid]').getAttribute('aria-rowcount')])").await;
    let changed = run(
        &merged.table,
        &Query::from_params([("filter", "guess@v0 != guess@v1")]),
    )
    .expect("runs")
    .rows
    .len();
    for (i, pane) in panes.as_array().expect("panes").iter().enumerate() {
        let (label, headers, rows) = (&pane[0], &pane[1], &pane[2]);
        assert_eq!(label, &serde_json::json!(versions[i]));
        let headers: Vec<String> = serde_json::from_value(headers.clone()).expect("names");
        assert!(
            headers.contains(&format!("guess@v{i}"))
                && !headers.contains(&format!("guess@v{}", 1 - i)),
            "{headers:?}"
        );
        assert!(
            !headers.iter().any(|h| h.ends_with(" by version")),
            "{headers:?}"
        );
        assert_eq!(rows, &serde_json::json!((changed + 1).to_string()));
    }
    s.js(
        "const g = document.querySelector('.side-by-side .pane [role=grid]'); g.scrollTop = 300; \
          g.dispatchEvent(new Event('scroll')); return 0",
    )
    .await;
    s.wait_for(
        "document.querySelectorAll('.side-by-side .pane [role=grid]')[1].scrollTop === \
                document.querySelectorAll('.side-by-side .pane [role=grid]')[0].scrollTop && \
                document.querySelectorAll('.side-by-side .pane [role=grid]')[0].scrollTop > 0",
        "panes scroll together",
    )
    .await;
    // The shared link opens side by side again.
    s.js("location.reload(); return 0").await;
    assert_eq!(s.wait_state().await, "ready");
    s.wait_for(
        "document.querySelectorAll('.side-by-side .pane [role=grid]').length === 2",
        "two panes after reload",
    )
    .await;
}

#[tokio::test]
async fn overlaid_versions_collapse_equal_values_and_draw_each_versions_boxes() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let v0 = "demo/digit-predictions/v0/predictions.table.json";
    assert_eq!(s.open(&format!("?table={v0}&compare={V1}")).await, "ready");
    s.js("document.querySelector('.layout-choice[data-layout=overlay]').click(); return 0")
        .await;
    s.wait_for(
        "location.search.includes('layout=overlay')",
        "layout in the URL",
    )
    .await;
    let headers = s.js("return [...document.querySelectorAll('[role=columnheader]')].map(h => h.innerText.trim())").await;
    let headers: Vec<String> = serde_json::from_value(headers).expect("names");
    assert_eq!(
        &headers[..5],
        ["id", "versions", "image", "truth", "guess"],
        "{headers:?}"
    );
    // Row 1 (id 0): the truth is the same in both versions, the guess is not (7, then 0).
    let read = |p: &str| {
        read_table(&std::fs::read(repo().join("public").join(p)).expect("demo")).expect("table")
    };
    let (a, b) = (read(v0), read(V1));
    let guess = |t: &Table| t.column("guess").expect("guess").get(0).display();
    assert_ne!(
        guess(&a),
        guess(&b),
        "the demo's first row changed its guess"
    );
    let cell = |name: &str| {
        format!(
            "(() => {{ const h = [...document.querySelectorAll('[role=columnheader]')].findIndex(h => h.innerText.trim() === '{name}'); \
        return document.querySelector(`[aria-rowindex=\"2\"] [aria-colindex=\"${{h + 1}}\"]`); }})()"
        )
    };
    let truth = s
        .js(&format!(
            "return !!{}.querySelector('.same')",
            cell("truth")
        ))
        .await;
    assert_eq!(truth, serde_json::json!(true));
    let stacked = s.js(&format!("return [...{}.querySelectorAll('.vval')].map(v => [v.dataset.version, v.innerText.trim()])", cell("guess"))).await;
    assert_eq!(
        stacked,
        serde_json::json!([["v0", guess(&a)], ["v1", guess(&b)]])
    );
    // The image is shown once per row.
    let imgs = s
        .js(&format!(
            "return {}.querySelectorAll('img').length",
            cell("image")
        ))
        .await;
    assert_eq!(imgs, serde_json::json!(1));

    // Detection boxes: both versions' boxes on one picture, each in its version's colour.
    let shapes = "demo/shapes/v0/shapes.table.json";
    assert_eq!(
        s.open(&format!("?table={shapes}&compare={shapes}&layout=overlay"))
            .await,
        "ready"
    );
    let t = read(shapes);
    let Some(loupe_core::Value::Image(img)) = t.column("image").map(|c| c.get(0)) else {
        panic!("image")
    };
    s.wait_for(
        "document.querySelector('[aria-rowindex=\"2\"] svg.overlay rect')",
        "boxes",
    )
    .await;
    let rects = s.js("return [...document.querySelectorAll('[aria-rowindex=\"2\"] svg.overlay rect')].map(r => [r.dataset.layer, r.getAttribute('stroke')])").await;
    let rects = rects.as_array().expect("rects").clone();
    assert_eq!(rects.len(), 2 * img.box_count(), "{rects:?}");
    for r in &rects {
        let (layer, stroke) = (
            r[0].as_str().unwrap_or_default(),
            r[1].as_str().unwrap_or_default(),
        );
        let want = if layer.ends_with("@v0") {
            "#3b82f6"
        } else if layer.ends_with("@v1") {
            "#eab308"
        } else {
            panic!("{layer}")
        };
        assert_eq!(stroke, want, "{layer}");
    }
}
