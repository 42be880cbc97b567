//! Loupe's loading worker. The app starts it (a module worker) the first time
//! a Parquet or Arrow table, or a W&B table of more than `&json_worker_mb=`
//! (16 MB), is opened, so neither the arrow/parquet code nor the decoding and
//! parsing ever touch the page's main thread or its first download.
//!
//! Messages, app → worker: `{kind: "open", id, url, format, budget, in_view}`
//! (`format`: "parquet", "arrow" or "json"), `{kind: "close"}` (the app lets
//! a worker that grew large go),
//! `{kind: "cancel", id}`. Worker → app: `{kind: "ready"}`, then per load
//! `{kind: "progress", id, received, total, rows}`, `{kind: "part", id, frame}`
//! (a `loupe_core::frame` in a transferred `ArrayBuffer`; the first part of a
//! Parquet file is its empty table, the header), `{kind: "preview", id, frame}`
//! (a Parquet file's first row group in just its first `in_view` columns,
//! fetched before the rest), `{kind: "size", id, rows}`
//! (the rows the whole table will have, before its pieces), and finally
//! `{kind: "done", id, memory}` (the worker's wasm memory in bytes) or
//! `{kind: "error", id, message}`. A panic (arrow-rs decoders can panic on
//! damaged pages that no check before them catches; in wasm a panic aborts
//! the worker) is posted first as `{kind: "panic", message}`, so every load
//! waiting on the worker fails with what went wrong.
//!
//! Queries (`query.rs`; the page runs a second instance of this worker for
//! them): `{kind: "columns", key, rows, frame, more}` adds a column (frames
//! of its row slices, transferred; `more` until the last) to the page's table `key`;
//! `{kind: "query", id, key, rows, params}` runs the query given as URL
//! parameters (`params`: [name, value, …]) over it and answers
//! `{kind: "part", id, frame}` (a `loupe_core::view_frame`), then
//! `{kind: "done", id, memory}`, or `{kind: "error", id, message}`.
//! `{kind: "forget", key}` drops a table's columns.

mod http;
mod open;
mod query;

use std::cell::RefCell;
use std::collections::HashSet;

use js_sys::{Array, Object, Reflect, Uint8Array};
use loupe_core::Table;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    static CANCELLED: RefCell<HashSet<u32>> = RefCell::new(HashSet::new());
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

fn message(kind: &str, id: u32, fields: &[(&str, JsValue)]) -> Object {
    let m = Object::new();
    let _ = Reflect::set(&m, &"kind".into(), &kind.into());
    let _ = Reflect::set(&m, &"id".into(), &id.into());
    for (k, v) in fields {
        let _ = Reflect::set(&m, &(*k).into(), v);
    }
    m
}

fn post(m: &Object) {
    if let Some(s) = scope() {
        let _ = s.post_message(m);
    }
}

/// `{kind, id, frame}` with the bytes in a transferred buffer (the app takes
/// it as it is; nothing is copied on its side).
fn post_frame(kind: &str, id: u32, bytes: &[u8]) {
    let buffer = Uint8Array::from(bytes).buffer();
    let m = message(kind, id, &[("frame", buffer.clone().into())]);
    if let Some(s) = scope() {
        let _ = s.post_message_with_transfer(&m, &Array::of1(&buffer));
    }
}

/// Posts to the app for load `id`.
struct Post {
    id: u32,
    /// When progress was last posted (`Date.now()`, ms).
    last_progress: std::cell::Cell<f64>,
}

/// Progress is posted at most this often: every message re-renders the
/// page's progress bar, and a body arrives in hundreds of chunks.
const PROGRESS_EVERY_MS: f64 = 50.0;

impl Post {
    fn post_progress(&self, received: u64, total: Option<u64>, rows: u64) {
        self.last_progress.set(js_sys::Date::now());
        post(&message(
            "progress",
            self.id,
            &[
                ("received", JsValue::from_f64(received as f64)),
                (
                    "total",
                    total.map_or(JsValue::NULL, |t| JsValue::from_f64(t as f64)),
                ),
                ("rows", JsValue::from_f64(rows as f64)),
            ],
        ));
    }
}

impl open::Sink for Post {
    fn progress(&self, received: u64, total: Option<u64>, rows: u64) {
        let now = js_sys::Date::now();
        if now - self.last_progress.get() >= PROGRESS_EVERY_MS || Some(received) == total {
            self.post_progress(received, total, rows);
        }
    }

    /// Never skipped: with a gzip-encoded body the byte count never equals
    /// `Content-Length`, and the app checks the final count.
    fn body_done(&self, received: u64, total: Option<u64>, rows: u64) {
        self.post_progress(received, total, rows);
    }

    fn part(&self, table: &Table) {
        post_frame("part", self.id, &loupe_core::frame::encode(table));
    }

    fn preview(&self, table: &Table) {
        post_frame("preview", self.id, &loupe_core::frame::encode(table));
    }

    fn expect_rows(&self, rows: u64) {
        post(&message(
            "size",
            self.id,
            &[("rows", JsValue::from_f64(rows as f64))],
        ));
    }

    fn cancelled(&self) -> bool {
        CANCELLED.with(|c| c.borrow().contains(&self.id))
    }
}

/// The size of this worker's wasm memory, which never shrinks: what a large
/// load left it holding (the app ends a worker that grew large).
fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0.0, |m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0.0, |b| f64::from(b.byte_length()))
        })
}

fn field_f64(data: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(data, &key.into()).ok()?.as_f64()
}

fn on_message(event: MessageEvent) {
    let data = event.data();
    let kind = Reflect::get(&data, &"kind".into())
        .ok()
        .and_then(|k| k.as_string());
    let id = field_f64(&data, "id").unwrap_or(0.0) as u32;
    match kind.as_deref() {
        Some("open") => {
            let url = Reflect::get(&data, &"url".into())
                .ok()
                .and_then(|u| u.as_string())
                .unwrap_or_default();
            let budget = field_f64(&data, "budget").map_or(u64::MAX, |b| b as u64);
            let in_view = field_f64(&data, "in_view").unwrap_or(0.0) as usize;
            let format = Reflect::get(&data, &"format".into())
                .ok()
                .and_then(|f| f.as_string());
            let Some(format) = format.as_deref().and_then(open::FileFormat::from_name) else {
                let what = format!("unknown file format {format:?} for {url}");
                post(&message("error", id, &[("message", what.into())]));
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let sink = Post {
                    id,
                    last_progress: std::cell::Cell::new(f64::NEG_INFINITY),
                };
                let done = match open::open(&url, format, budget, in_view, &sink).await {
                    Ok(()) => message("done", id, &[("memory", memory_bytes().into())]),
                    Err(e) => message("error", id, &[("message", e.into())]),
                };
                CANCELLED.with(|c| c.borrow_mut().remove(&id));
                post(&done);
            });
        }
        Some("cancel") => CANCELLED.with(|c| {
            c.borrow_mut().insert(id);
        }),
        Some("columns") => {
            let key = field_f64(&data, "key").unwrap_or(0.0) as u32;
            let rows = field_f64(&data, "rows").unwrap_or(0.0) as usize;
            let more = Reflect::get(&data, &"more".into()).is_ok_and(|m| m.is_truthy());
            let frame = Reflect::get(&data, &"frame".into())
                .map(|c| Uint8Array::new(&c).to_vec())
                .unwrap_or_default();
            if let Err(e) = query::add_slice(key, rows, &frame, more) {
                // The next query reports the column as missing; this says why.
                post(&message("error", id, &[("message", e.into())]));
            }
        }
        Some("query") => {
            let key = field_f64(&data, "key").unwrap_or(0.0) as u32;
            let rows = field_f64(&data, "rows").unwrap_or(0.0) as usize;
            let words: Vec<String> = Reflect::get(&data, &"params".into())
                .map(|p| {
                    Array::from(&p)
                        .iter()
                        .filter_map(|w| w.as_string())
                        .collect()
                })
                .unwrap_or_default();
            let params: Vec<(String, String)> = words
                .chunks_exact(2)
                .map(|kv| (kv[0].clone(), kv[1].clone()))
                .collect();
            match query::run_query(key, rows, &params) {
                Ok(view) => {
                    post_frame("part", id, &view);
                    post(&message("done", id, &[("memory", memory_bytes().into())]));
                }
                Err(e) => post(&message("error", id, &[("message", e.into())])),
            }
        }
        Some("forget") => query::forget(field_f64(&data, "key").unwrap_or(0.0) as u32),
        Some("close") => {
            if let Some(s) = scope() {
                s.close();
            }
        }
        _ => {}
    }
}

/// What a panic says, for the page: its message without the source path.
fn panic_text(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

#[wasm_bindgen(start)]
pub fn start() {
    let Some(s) = scope() else {
        return;
    };
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
        post(&message(
            "panic",
            0,
            &[("message", panic_text(info).into())],
        ));
    }));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    s.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();
    post(&message("ready", 0, &[]));
}
