//! End-to-end: filter, sort, group, derived columns and the URL, on the demo predictions.
//! Expected answers come from running the same queries natively with loupe-core.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use loupe_core::{Query, Table, read_table, run};
use serde_json::Value as Json;
use support::{BROWSER, Session, repo, url_query};

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

#[tokio::test]
async fn wrong_guesses_grouped_by_guess_sorted_by_count() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&format!("?table={V1}")).await, "ready");
    let total = predictions().row_count();
    assert_eq!(rowcount(&s).await, total as u64 + 1);

    // 1. Filter to wrong guesses.
    s.type_filter("truth != guess", true).await;
    let wrong = native(&[("filter", "truth != guess")]).rows.len();
    s.wait_rows(wrong, "filtered rows").await;

    // 2. Group by guess from the header menu.
    header_action(&s, "guess", "group").await;
    let grouped = native(&[("filter", "truth != guess"), ("group", "guess")]);
    let groups = grouped.groups.as_ref().expect("grouped").grouping.len();
    s.wait_rows(groups, "one row per group").await;

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
    let search = s.location_search().await;
    assert!(search.contains("filter=truth != guess"), "{search}");
    assert!(search.contains("group=guess"), "{search}");
    assert!(search.contains("sort=count desc"), "{search}");

    // Expanding the largest group shows its rows; back returns to the groups.
    s.js("document.querySelector('[aria-rowindex=\"2\"] button.expand').click(); return 0")
        .await;
    s.wait_rows(first_count, "the group's rows").await;
    let search = s.location_search().await;
    assert!(
        search.contains(&format!("(guess) == {}", g.keys[0][0].display())),
        "{search}"
    );
    s.js("history.back(); return 0").await;
    s.wait_rows(groups, "back to the sorted groups").await;

    // The back button steps back through the views.
    s.js("history.back(); return 0").await;
    s.wait_rows(groups, "back to unsorted groups").await;
    s.js("history.back(); return 0").await;
    s.wait_rows(wrong, "back to the filtered rows").await;
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
    s.wait_rows(view.rows.len(), "filtered rows").await;
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
    s.type_filter("gues == 3", false).await;
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
    s.type_filter("gues == 3", true).await;
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
        s.location_search()
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
    s.wait_rows(expected, "rows with that guess").await;
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
    s.wait_rows(
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
    assert!(s.location_search().await.contains("confusion=truth, guess"));
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
    s.wait_rows(best, "rows of that cell").await;
    let search = s.location_search().await;
    assert!(
        search.contains(&format!("filter=truth == {} and guess == {}", at.0, at.1)),
        "{search}"
    );
}

/// The first rows' numbers (row headers) as the grid shows them.
async fn first_row_numbers(s: &Session, n: usize) -> Vec<String> {
    let got = s
        .js(&format!(
            "return [...document.querySelectorAll('[role=grid] [role=rowheader]')].slice(0, {n}).map(h => h.innerText.trim())"
        ))
        .await;
    got.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// `&worker_rows=1` makes the demo table "large": its queries run in the
/// query worker, and each view (rows, order, groups, derived columns, errors)
/// is the one loupe-core gives natively.
#[tokio::test]
async fn queries_run_in_the_worker_give_the_native_views() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let cases: [&[(&str, &str)]; 4] = [
        &[("filter", "truth != guess"), ("sort", "score_3 desc, id")],
        &[
            ("derive", "margin=score_3 - score_5"),
            ("sort", "margin desc"),
        ],
        &[
            ("filter", "margin > 0"),
            ("derive", "margin=score_3 - score_5"),
        ],
        &[("group", "guess"), ("sort", "count desc")],
    ];
    for params in cases {
        let url = format!("?table={V1}&worker_rows=1{}", url_query(params));
        assert_eq!(s.open(&url).await, "ready", "{url}");
        s.wait_for(
            "document.querySelector('[data-view-summary]').innerText.includes('by a worker')",
            "the worker's answer",
        )
        .await;
        let view = native(params);
        s.wait_rows(view.len(), &url).await;
        let shown = first_row_numbers(&s, 5).await;
        if view.groups.is_none() {
            let want: Vec<String> = view.rows.iter().take(5).map(u32::to_string).collect();
            assert_eq!(shown, want, "{url}");
        }
    }
    // A type error found in the worker is reported like one found on the page.
    let url = format!(
        "?table={V1}&worker_rows=1{}",
        url_query(&[("filter", "guess > 'a'")])
    );
    assert_eq!(s.open(&url).await, "ready");
    let in_worker = s
        .wait_for(
            "document.querySelector('.run-error')?.innerText",
            "run error",
        )
        .await;
    assert_eq!(s.open(&url.replace("&worker_rows=1", "")).await, "ready");
    let on_page = s
        .wait_for(
            "document.querySelector('.run-error')?.innerText",
            "run error",
        )
        .await;
    assert_eq!(in_worker, on_page);
}

/// "Cancel" ends the worker mid-query (here while it is still starting: the
/// first query of a page starts it): the view and the URL go back to the last
/// answered query, and the next query starts a new worker.
#[tokio::test]
async fn cancel_ends_a_worker_query_and_keeps_the_last_view() {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    assert_eq!(s.open(&format!("?table={V1}&worker_rows=1")).await, "ready");
    let total = predictions().row_count();
    s.wait_rows(total, "all rows").await;
    s.type_filter("truth != guess", true).await;
    let clicked = s
        .js("return await new Promise(done => { const t0 = performance.now(); (function poll() { \
               const b = document.querySelector('[data-query-running] button'); \
               if (b) { b.click(); done(true); } \
               else if (performance.now() - t0 > 5000) done(false); else setTimeout(poll, 0); })(); })")
        .await;
    assert_eq!(clicked, true, "the running query showed a Cancel button");
    s.wait_for(
        "!document.querySelector('[data-query-running]')",
        "the running bar to go",
    )
    .await;
    assert!(
        !s.location_search().await.contains("filter="),
        "{}",
        s.location_search().await
    );
    // The worker was ended: nothing arrives later to change the view.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(rowcount(&s).await, total as u64 + 1);

    s.type_filter("truth != guess", true).await;
    let wrong = native(&[("filter", "truth != guess")]).rows.len();
    s.wait_rows(wrong, "the filter, run by a new worker").await;
    s.wait_for(
        "document.querySelector('[data-view-summary]').innerText.includes('by a worker')",
        "the worker's answer",
    )
    .await;
}
