//! Decoded segmentation masks for `mask_coverage`: fetched and decoded in the
//! browser (the core reads them through `MaskSource`), only when a query asks.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::{Query, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::loader::LoadedTable;
use crate::panels::read_mask;

/// Masks loaded per query run at most (each is a fetch and a decode).
const MAX_MASKS: usize = 5_000;

/// Mask path → class id per pixel.
pub type Masks = Arc<HashMap<String, Vec<u8>>>;

/// True if any expression of the query asks for mask coverage.
pub fn wants_masks(q: &Query) -> bool {
    let uses = |s: &str| s.contains("mask_coverage");
    q.filter.as_deref().is_some_and(uses)
        || q.sort.iter().any(|k| uses(&k.expr))
        || q.group.iter().any(|g| uses(g))
        || q.derived.iter().any(|d| uses(&d.expr))
}

/// Fetches and decodes one mask PNG.
async fn decode(url: &str) -> Result<Vec<u8>, String> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let img: web_sys::HtmlImageElement = doc
        .create_element("img")
        .map_err(|_| "cannot create an image")?
        .dyn_into()
        .map_err(|_| "not an image element")?;
    img.set_cross_origin(Some("anonymous"));
    img.set_src(url);
    JsFuture::from(img.decode())
        .await
        .map_err(|_| format!("could not decode mask {url}"))?;
    read_mask(&img)
        .map(|p| p.ids)
        .ok_or_else(|| format!("could not read mask {url}"))
}

/// Loads every mask of the table's image columns into `store` (once), updating
/// it in batches so the view fills in as masks arrive.
pub fn load_all(loaded: Arc<LoadedTable>, store: RwSignal<Masks>) {
    let mut wanted: Vec<(String, String)> = Vec::new();
    // Masks repeat across rows and layers: fetch each path once.
    let mut seen = std::collections::HashSet::new();
    for (c, col) in loaded.table.columns.iter().enumerate() {
        let media = loaded.media_of(c);
        for v in col.nested_values().unwrap_or_default() {
            if let Value::Image(img) = v {
                for m in &img.mask_layers {
                    if let Ok(url) = media.url(&m.path)
                        && seen.insert(m.path.clone())
                    {
                        wanted.push((m.path.clone(), crate::local_files::translate(&url)));
                    }
                }
            }
        }
    }
    wanted.truncate(MAX_MASKS);
    spawn_local(async move {
        let mut batch = Vec::new();
        let total = wanted.len();
        for (i, (path, url)) in wanted.into_iter().enumerate() {
            // A mask that fails to load leaves its cells null; the rest still count.
            if let Ok(ids) = decode(&url).await {
                batch.push((path, ids));
            }
            if batch.len() >= 32 || i + 1 == total {
                let done = std::mem::take(&mut batch);
                store.update(|m| {
                    let m = Arc::make_mut(m);
                    m.extend(done);
                });
            }
        }
    });
}
