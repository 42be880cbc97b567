//! End-to-end: the bad-input corpus (`tests/data/corpus`, made by
//! `tools/fixtures/make_corpus.py`). Every case must end "ready" (with at least
//! the expected per-cell errors) or "error" with an alert naming the problem;
//! no uncaught page error, and nothing from the data may run (a canary tries).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::Value as Json;
use support::{BROWSER, Session, repo};

#[tokio::test]
async fn every_bad_input_ends_in_a_clear_state() {
    run_corpus("").await;
}

/// The same corpus with every W&B table parsed by the loading worker (as
/// tables over 16 MB are): the same end states and the same problems named.
#[tokio::test]
async fn every_bad_input_parsed_by_the_worker_ends_in_the_same_state() {
    run_corpus("&json_worker_mb=0").await;
}

async fn run_corpus(extra: &str) {
    let _one = BROWSER.lock().await;
    let s = Session::start().await;
    let cases: Vec<Json> = serde_json::from_slice(
        &std::fs::read(repo().join("tests/data/corpus/cases.json")).expect("cases.json"),
    )
    .expect("cases");
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let file = case["file"].as_str().expect("file");
        let query = case["query"].as_str().unwrap_or_default();
        let want = case["state"].as_str().expect("state");
        // `@cors/…`: the same server under another origin (localhost vs 127.0.0.1) sends no CORS header.
        let table = match file.strip_prefix("@cors/") {
            Some(rest) => format!(
                "{}/testdata/corpus/{rest}",
                s.base.replace("127.0.0.1", "localhost")
            ),
            None => format!("testdata/corpus/{file}"),
        };
        let state = s.open(&format!("?table={table}{query}{extra}")).await;
        let problem = if state != want {
            let alert = s
                .js("const a = document.querySelector('[role=alert]'); return a ? a.innerText : ''")
                .await;
            Some(format!("state {state}, want {want} ({alert})"))
        } else if want == "error" {
            let alert = s
                .js("return document.querySelector('[role=alert]').innerText")
                .await;
            let alert = alert.as_str().unwrap_or_default().to_string();
            let words: Vec<&str> = case["expect"]
                .as_array()
                .expect("words")
                .iter()
                .filter_map(Json::as_str)
                .collect();
            let missing: Vec<&&str> = words.iter().filter(|w| !alert.contains(**w)).collect();
            (!missing.is_empty()).then(|| format!("alert lacks {missing:?}: {alert}"))
        } else {
            let min = case["expect"].as_u64().unwrap_or(0);
            // Media errors arrive after the images fail to load.
            let mut n = 0;
            for _ in 0..40 {
                n = s
                    .js("return document.querySelectorAll('.cell-error').length")
                    .await
                    .as_u64()
                    .unwrap_or(0);
                if n >= min {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let grid = s.js("return !!document.querySelector('[role=grid]')").await;
            if grid != Json::Bool(true) {
                Some("ready without a grid".to_string())
            } else {
                (n < min).then(|| format!("{n} cell errors, want at least {min}"))
            }
        };
        // Nothing in the data may run script here, and nothing may throw.
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let canary = s.js("return window.__loupe_canary === undefined").await;
        let errors = s.js("return document.body.dataset.pageErrors || '0'").await;
        let problem = problem
            .or_else(|| (canary != Json::Bool(true)).then(|| "the canary script ran".to_string()))
            .or_else(|| (errors != "0").then(|| format!("{errors} uncaught page errors")));
        if let Some(p) = problem {
            failures.push(format!("{file}{extra}: {p}"));
        }
    }
    if !extra.is_empty() {
        assert!(
            s.worker_starts() > 0,
            "no table was handed to the loading worker"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
