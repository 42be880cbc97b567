//! End-to-end: filter, sort, group, derived columns and the URL, on the demo predictions.
//! Expected answers come from running the same queries natively with loupe-core.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use loupe_core::{Query, Table, read_table, run};
use serde_json::Value as Json;
use support::{BROWSER, Session, repo};

const V1: &str = "demo/digit-predictions/v1/predictions.table.json";

fn predictions() -> Table {
    let bytes = std::fs::read(repo().join("public").join(V1)).expect("demo predictions");
    read_table(&bytes).expect("table")
}

fn native(params: &[(&str, &str)]) -> loupe_core::View {
    run(&predictions(), &Query::from_params(params.iter().copied())).expect("query runs natively")
}

async fn rowcount(s: &Session) -> u64 {
    let v = s
        .js("return Number(document.querySelector('[role=grid]').getAttribute('aria-rowcount'))")
        .await;
    v.as_u64().unwrap_or(0)
}

async fn wait_rowcount(s: &Session, n: usize, what: &str) {
    s.wait_for(
        &format!(
            "Number(document.querySelector('[role=grid]').getAttribute('aria-rowcount')) === {}",
            n + 1
        ),
        what,
    )
    .await;
}

async fn type_filter(s: &Session, text: &str, press_enter: bool) {
    let enter = if press_enter {
        "f.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));"
    } else {
        ""
    };
    s.js(&format!(
        "const f = document.getElementById('loupe-filter'); f.value = {}; \
         f.dispatchEvent(new Event('input', {{bubbles: true}})); {enter} return 0",
        serde_json::to_string(text).expect("json string")
    ))
    .await;
}

async fn header_action(s: &Session, column: &str, action: &str) {
    s.js(&format!(
        "const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === {}); \
         h.querySelector('button.name').click(); return 0",
        serde_json::to_string(column).expect("json string")
    ))
    .await;
    s.wait_for(
        &format!("document.querySelector('.header-menu [data-action=\"{action}\"]')"),
        "menu item",
    )
    .await;
    s.js(&format!(
        "document.querySelector('.header-menu [data-action=\"{action}\"]').click(); return 0"
    ))
    .await;
}

async fn location_search(s: &Session) -> String {
    s.js("return decodeURIComponent(location.search.replace(/\\+/g, ' '))")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn wrong_guesses_grouped_by_guess_sorted_by_count() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&format!("?table={V1}")).await, "ready");
    let total = predictions().row_count();
    assert_eq!(rowcount(&s).await, total as u64 + 1);

    // 1. Filter to wrong guesses.
    type_filter(&s, "truth != guess", true).await;
    let wrong = native(&[("filter", "truth != guess")]).rows.len();
    wait_rowcount(&s, wrong, "filtered rows").await;

    // 2. Group by guess from the header menu.
    header_action(&s, "guess", "group").await;
    let grouped = native(&[("filter", "truth != guess"), ("group", "guess")]);
    let groups = grouped.groups.as_ref().expect("grouped").grouping.len();
    wait_rowcount(&s, groups, "one row per group").await;

    // 3. Sort groups by count, descending.
    header_action(&s, "count", "sort-desc").await;
    let sorted = native(&[
        ("filter", "truth != guess"),
        ("group", "guess"),
        ("sort", "count desc"),
    ]);
    let g = &sorted.groups.as_ref().expect("grouped").grouping;
    let first_count = g.members[0].len();
    s.wait_for(
        &format!(
            "document.querySelector('[aria-rowindex=\"2\"] .count')?.innerText === '{first_count}'"
        ),
        "largest group first",
    )
    .await;
    // The first group's key and its distribution of true labels as bars.
    let key = s
        .js("return document.querySelector('[aria-rowindex=\"2\"] [aria-colindex=\"1\"] .group-key > :first-child').innerText.trim()")
        .await;
    assert_eq!(key.as_str(), Some(g.keys[0][0].display().as_str()));
    let truth_col = predictions();
    let truth = truth_col.column("truth").expect("truth");
    let want_bars = loupe_core::ops::top_values(truth, &g.members[0], 5);
    let bars = s
        .js("const h = [...document.querySelectorAll('[role=columnheader]')].findIndex(h => h.innerText.trim() === 'truth'); \
             return [...document.querySelectorAll(`[aria-rowindex=\"2\"] [aria-colindex=\"${h + 1}\"] .bar`)] \
               .map(b => [b.dataset.value, Number(b.querySelector('.bar-count').innerText)])")
        .await;
    let want: Vec<Json> = want_bars
        .iter()
        .map(|(v, n)| serde_json::json!([v, n]))
        .collect();
    assert_eq!(bars, Json::Array(want));

    s.screenshot("grouped").await;
    // The view is in the URL.
    let search = location_search(&s).await;
    assert!(search.contains("filter=truth != guess"), "{search}");
    assert!(search.contains("group=guess"), "{search}");
    assert!(search.contains("sort=count desc"), "{search}");

    // Expanding the largest group shows its rows; back returns to the groups.
    s.js("document.querySelector('[aria-rowindex=\"2\"] button.expand').click(); return 0")
        .await;
    wait_rowcount(&s, first_count, "the group's rows").await;
    let search = location_search(&s).await;
    assert!(
        search.contains(&format!("(guess) == {}", g.keys[0][0].display())),
        "{search}"
    );
    s.js("history.back(); return 0").await;
    wait_rowcount(&s, groups, "back to the sorted groups").await;

    // The back button steps back through the views.
    s.js("history.back(); return 0").await;
    wait_rowcount(&s, groups, "back to unsorted groups").await;
    s.js("history.back(); return 0").await;
    wait_rowcount(&s, wrong, "back to the filtered rows").await;
    s.screenshot("query").await;
}

#[tokio::test]
async fn shared_url_opens_the_same_view() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let params = [
        ("filter", "score_3 > 0.2 and truth == 3"),
        ("sort", "score_3 desc"),
    ];
    let query: String = params
        .iter()
        .map(|(k, v)| {
            format!(
                "&{k}={}",
                v.replace(' ', "%20")
                    .replace('>', "%3E")
                    .replace('=', "%3D")
            )
        })
        .collect();
    assert_eq!(s.open(&format!("?table={V1}{query}")).await, "ready");
    let view = native(&params);
    wait_rowcount(&s, view.rows.len(), "filtered rows").await;
    let first = s.js("return document.querySelector('[aria-rowindex=\"2\"] [role=rowheader]').innerText.trim()").await;
    assert_eq!(first.as_str(), Some(view.rows[0].to_string().as_str()));
    let arrow = s
        .js("return [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === 'score_3').getAttribute('aria-sort')")
        .await;
    assert_eq!(arrow, "descending");
}

#[tokio::test]
async fn expression_errors_show_inline_and_do_not_apply() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&format!("?table={V1}")).await, "ready");
    type_filter(&s, "gues == 3", false).await;
    let err = s
        .wait_for(
            "document.querySelector('.expr-error')?.innerText",
            "inline error",
        )
        .await;
    let err = err.as_str().unwrap_or_default();
    assert!(
        err.contains("unknown column `gues` (did you mean `guess`?)"),
        "{err}"
    );
    assert!(err.contains("gues == 3\n^^^^"), "{err}");
    type_filter(&s, "gues == 3", true).await;
    assert_eq!(
        rowcount(&s).await,
        predictions().row_count() as u64 + 1,
        "an invalid filter is not applied"
    );
    // A broken query in a shared URL is reported, and the table still shows.
    assert_eq!(
        s.open(&format!("?table={V1}&filter=truth%20%3E%3E%201"))
            .await,
        "ready"
    );
    let alert = s
        .wait_for(
            "document.querySelector('.run-error')?.innerText",
            "run error",
        )
        .await;
    assert!(
        alert.as_str().unwrap_or_default().contains("filter:"),
        "{alert}"
    );
}

#[tokio::test]
async fn derived_columns_hide_and_filter_by_value() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&format!("?table={V1}")).await, "ready");
    s.js("document.querySelector('button.add-column').click(); return 0")
        .await;
    s.wait_for("document.querySelector('.column-name')", "column editor")
        .await;
    s.js("const n = document.querySelector('.column-name'); n.value = 'margin'; n.dispatchEvent(new Event('input', {bubbles: true})); \
          const e = document.querySelector('.column-expr'); e.value = 'max(score_0, score_1) - min(score_0, score_1)'; \
          e.dispatchEvent(new Event('input', {bubbles: true})); document.querySelector('.column-add').click(); return 0")
        .await;
    s.wait_for("[...document.querySelectorAll('[role=columnheader]')].some(h => h.innerText.trim() === 'margin')", "derived column").await;
    assert!(
        location_search(&s)
            .await
            .contains("derive=margin=max(score_0, score_1) - min(score_0, score_1)")
    );
    // Hide a column from its menu.
    header_action(&s, "image", "hide").await;
    s.wait_for("![...document.querySelectorAll('[role=columnheader]')].some(h => h.innerText.trim() === 'image')", "hidden column").await;
    // Filter by a value from the column summary.
    s.js("const h = [...document.querySelectorAll('[role=columnheader]')].find(h => h.innerText.trim() === 'guess'); \
          h.querySelector('button.name').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('.header-menu .filter-value')",
        "summary values",
    )
    .await;
    let value = s.js("const b = document.querySelector('.header-menu .filter-value'); b.click(); return b.dataset.value").await;
    let value = value.as_str().unwrap_or_default().to_string();
    let expected = native(&[("filter", &format!("guess == {value}"))])
        .rows
        .len();
    wait_rowcount(&s, expected, "rows with that guess").await;
}

#[tokio::test]
async fn mask_coverage_filters_by_segmentation() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    // Rows whose ground truth has a square (class 1) have square pixels in their mask.
    let bytes =
        std::fs::read(repo().join("public/demo/shapes/v0/shapes.table.json")).expect("shapes");
    let t = read_table(&bytes).expect("table");
    let col = t.column("image").expect("image");
    let with_square = (0..t.row_count())
        .filter(|&r| match col.get(r) {
            loupe_core::Value::Image(img) => img
                .box_layers
                .iter()
                .any(|l| l.name == "ground_truth" && l.boxes.iter().any(|b| b.class_id == 1)),
            _ => false,
        })
        .count();
    assert!(with_square > 0 && with_square < t.row_count());
    assert_eq!(
        s.open("?table=demo/shapes/v0/shapes.table.json&filter=mask_coverage(image,%201,%20%27ground_truth%27)%20%3E%200").await,
        "ready"
    );
    wait_rowcount(
        &s,
        with_square,
        "rows with square pixels once masks are decoded",
    )
    .await;
    // Coverage as a derived column: a fraction, never null once loaded.
    assert_eq!(
        s.open("?table=demo/shapes/v0/shapes.table.json&derive=sq%3Dmask_coverage(image,%201,%20%27ground_truth%27)&sort=sq%20desc").await,
        "ready"
    );
    let top = s
        .wait_for(
            "(() => { const h = [...document.querySelectorAll('[role=columnheader]')].findIndex(h => h.innerText.trim() === 'sq'); \
             const c = document.querySelector(`[aria-rowindex=\"2\"] [aria-colindex=\"${h + 1}\"]`); \
             return c && c.innerText.trim() !== 'null' && Number(c.innerText) > 0 ? Number(c.innerText) : 0; })()",
            "a coverage fraction",
        )
        .await;
    let top = top.as_f64().unwrap_or(0.0);
    assert!(top > 0.0 && top <= 1.0, "{top}");
}

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
    wait_rowcount(&s, merged.table.row_count(), "one row per id").await;
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
    type_filter(&s, filter, true).await;
    let expected = run(&merged.table, &Query::from_params([("filter", filter)]))
        .expect("runs")
        .rows
        .len();
    wait_rowcount(&s, expected, "right-to-wrong rows").await;
    // In those rows v1's guess differs from v0's, and the cell says so.
    s.wait_for(
        "(() => { const h = [...document.querySelectorAll('[role=columnheader]')].findIndex(h => h.innerText.trim() === 'guess@v1'); \
         return document.querySelector(`[aria-rowindex=\"2\"] [aria-colindex=\"${h + 1}\"] .differs`) !== null; })()",
        "the changed guess is marked",
    )
    .await;
}

#[tokio::test]
async fn confusion_matrix_counts_and_filters_on_click() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&format!("?table={V1}")).await, "ready");
    s.js("document.querySelector('button.toggle-confusion').click(); return 0")
        .await;
    s.wait_for(
        "document.querySelector('table.confusion')",
        "confusion matrix",
    )
    .await;
    assert!(location_search(&s).await.contains("confusion=truth, guess"));
    let t = predictions();
    let all: Vec<u32> = (0..t.row_count() as u32).collect();
    let m = loupe_core::ops::confusion(
        t.column("truth").expect("truth"),
        t.column("guess").expect("guess"),
        &all,
    );
    let cells = s
        .js("return document.querySelectorAll('table.confusion td.cm-cell').length")
        .await;
    assert_eq!(
        cells.as_u64(),
        Some((m.labels.len() * m.labels.len()) as u64)
    );
    // The most confused off-diagonal pair.
    let (mut best, mut at) = (0, (String::new(), String::new()));
    for (ti, tl) in m.labels.iter().enumerate() {
        for (gi, gl) in m.labels.iter().enumerate() {
            if ti != gi && m.counts[ti][gi] > best {
                best = m.counts[ti][gi];
                at = (tl.clone(), gl.clone());
            }
        }
    }
    let sel = format!(
        "table.confusion td[data-truth=\"{}\"][data-guess=\"{}\"]",
        at.0, at.1
    );
    let shown = s
        .js(&format!(
            "return Number(document.querySelector('{sel}').dataset.count)"
        ))
        .await;
    assert_eq!(shown.as_u64(), Some(best as u64));
    s.js(&format!(
        "document.querySelector('{sel}').click(); return 0"
    ))
    .await;
    wait_rowcount(&s, best, "rows of that cell").await;
    let search = location_search(&s).await;
    assert!(
        search.contains(&format!("filter=truth == {} and guess == {}", at.0, at.1)),
        "{search}"
    );
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
    assert!(location_search(&s).await.contains("layout=side"));
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
