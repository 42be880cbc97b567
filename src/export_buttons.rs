//! Export what you see: the current view as CSV or as a W&B `.table.json`,
//! built by the core and handed to the browser as a download.

use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::export::{view_to_csv, view_to_table_json};
use loupe_core::{Query, View};
use wasm_bindgen::JsCast;

use crate::loader::LoadedTable;
use crate::view_model::Shared;

/// Offers `text` as a download named `filename`. The link stays in the page
/// (hidden, `a.export-link`) so the last export can be fetched again.
pub fn download(text: &str, filename: &str, mime: &str, format: &str) -> Option<()> {
    let doc = web_sys::window()?.document()?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    if let Some(old) = doc
        .query_selector(&format!("a.export-link[data-format=\"{format}\"]"))
        .ok()
        .flatten()
    {
        if let Some(href) = old.get_attribute("href") {
            let _ = web_sys::Url::revoke_object_url(&href);
        }
        old.remove();
    }
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(filename);
    a.set_class_name("export-link");
    let _ = a.set_attribute("data-format", format);
    let _ = a.set_attribute("hidden", "");
    doc.body()?.append_child(&a).ok()?;
    a.click();
    Some(())
}

#[component]
pub fn ExportButtons(
    loaded: Arc<LoadedTable>,
    view: Memo<Shared<View>>,
    query: RwSignal<Query>,
) -> impl IntoView {
    let stem = loaded
        .url
        .rsplit('/')
        .next()
        .unwrap_or("table")
        .split(['?', '#'])
        .next()
        .unwrap_or("table")
        .trim_end_matches(".json")
        .trim_end_matches(".table")
        .to_string();
    let (l1, l2) = (loaded.clone(), loaded);
    let (s1, s2) = (stem.clone(), stem);
    view! {
        <span class="export" aria-label="export the view">
            "export "
            <button class="export-csv" title="the rows in view, as CSV" on:click=move |_| {
                let hidden = query.with_untracked(|q| q.hidden.clone());
                let text = view.with_untracked(|v| view_to_csv(&l1.table, &v.0, &hidden));
                let _ = download(&text, &format!("{s1}.csv"), "text/csv", "csv");
            }>"CSV"</button>
            <button class="export-json" title="the rows in view, as a W&B table.json" on:click=move |_| {
                let hidden = query.with_untracked(|q| q.hidden.clone());
                let text = view.with_untracked(|v| view_to_table_json(&l2.table, &v.0, &hidden));
                let _ = download(&text, &format!("{s2}.view.table.json"), "application/json", "table.json");
            }>"table.json"</button>
        </span>
    }
}
