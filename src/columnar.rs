//! Parquet and Arrow IPC tables, and large W&B tables, loaded by the worker
//! (`crates/loupe-worker`).
//!
//! The worker is a second wasm module, started the first time such a table is
//! opened: the page's own bundle carries no arrow/parquet code, and fetching
//! (row group by row group, with range requests) and decoding happen off the
//! main thread. Pieces arrive as table frames; the main thread only copies
//! them into columns.

use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use loupe_core::Table;
use wasm_bindgen::prelude::*;

use crate::loader::Progress;
use crate::worker_client::{Client, Event, Next, SharedClient, deliver, post, retire};

thread_local! {
    static CLIENT: SharedClient = SharedClient::default();
}

/// W&B tables of at least this many bytes are parsed by the worker too,
/// unless the URL says otherwise (`&json_worker_mb=`). Smaller ones are read on
/// the page (in slices between which it answers input): for them, starting
/// the worker (its module is ~1 MB) would cost more than the parse.
const DEFAULT_JSON_WORKER_MB: f64 = 16.0;

/// The least `Content-Length` of a W&B table the worker parses.
pub fn json_worker_bytes() -> u64 {
    let mb = crate::url_state::search_param("json_worker_mb")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|mb| *mb >= 0.0)
        .unwrap_or(DEFAULT_JSON_WORKER_MB);
    (mb * f64::from(1 << 20)) as u64
}

/// A loading worker whose wasm memory grew past this many MB is let go once
/// no load waits on it, unless the URL says otherwise (`&worker_memory_mb=`).
const DEFAULT_KEEP_WORKER_MB: f64 = 256.0;

/// Whether a worker reporting `memory` bytes of wasm memory grew past what a
/// worker is kept with (`&worker_memory_mb=`, 256 by default).
pub fn worker_grown(memory: u64) -> bool {
    let keep_mb = crate::url_state::search_param("worker_memory_mb")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|mb| *mb >= 0.0)
        .unwrap_or(DEFAULT_KEEP_WORKER_MB);
    memory as f64 > keep_mb * f64::from(1 << 20)
}

/// Wasm memory never shrinks: after a large load (a 5M-row Arrow file is one
/// 400 MB record batch, decoded whole) the worker would hold its peak for the
/// rest of the session. Letting it go gives that back; the next load starts a
/// fresh one (its module is cached, ~100 ms). Done in a later task than the
/// one that shows the table.
fn retire_if_grown(client: &SharedClient, memory: u64) {
    if worker_grown(memory) {
        let client = client.clone();
        wasm_bindgen_futures::spawn_local(async move {
            crate::fetch::yield_to_browser().await;
            let _ = retire(&client);
        });
    }
}

/// Whether `url` names a Parquet or Arrow IPC file (by its extension).
pub fn is_columnar(url: &str) -> bool {
    loupe_core::manifest::is_columnar_file(url.split(['?', '#']).next().unwrap_or(url))
}

/// The worker's name for the reader `url` needs, from its file name (the
/// worker may only see a `blob:` URL).
fn format_of(url: &str) -> &'static str {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    if path.ends_with(".json") {
        "json"
    } else if path.ends_with(".parquet") || path.ends_with(".pq") {
        "parquet"
    } else {
        "arrow"
    }
}

/// A message to the worker: `open` (with the URL, its format, the memory
/// budget and how many leading columns the page shows, read first) or `cancel`.
fn request(kind: &str, id: u32, url: &str, budget: u64) -> Object {
    let m = Object::new();
    let source = crate::local_files::translate(url);
    let _ = Reflect::set(&m, &"format".into(), &format_of(url).into());
    let width = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(0.0);
    let in_view = crate::grid::columns_that_fit(width);
    let _ = Reflect::set(&m, &"in_view".into(), &JsValue::from_f64(in_view as f64));
    let _ = Reflect::set(&m, &"kind".into(), &kind.into());
    let _ = Reflect::set(&m, &"id".into(), &id.into());
    // A file picked from this computer: the worker fetches its blob URL.
    let _ = Reflect::set(&m, &"url".into(), &source.into());
    let _ = Reflect::set(&m, &"budget".into(), &JsValue::from_f64(budget as f64));
    m
}

/// Tells the worker to stop a load nobody waits for any more (the page moved on).
struct CancelOnDrop {
    id: u32,
    finished: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        CLIENT.with(|client| {
            Client::unroute(client, self.id);
            if !self.finished {
                let _ = post(client, request("cancel", self.id, "", 0), Array::new());
            }
        });
    }
}

/// Ends every load waiting on the worker (the user cancelled); the worker is
/// told to stop each of them when its load future is dropped.
pub fn cancel_all() {
    for inbox in CLIENT.with(Client::waiting) {
        deliver(&inbox, Event::Error(crate::fetch::CANCELLED.into()));
    }
}

/// Loads the Parquet, Arrow or (large) W&B JSON table at `url` (absolute)
/// through the worker.
pub async fn load(
    url: &str,
    budget: u64,
    progress: &dyn Fn(Progress),
    first_rows: &dyn Fn(&Table),
) -> Result<Table, String> {
    let client = CLIENT.with(Rc::clone);
    let (id, inbox) = Client::route(&client);
    let mut guard = CancelOnDrop {
        id,
        finished: false,
    };
    post(&client, request("open", id, url, budget), Array::new())
        .map_err(|e| format!("Could not load {url}: {e}"))?;
    // Each piece is appended as it arrives (one short task per piece), so no
    // step at the end copies the whole table at once.
    let mut table: Option<Table> = None;
    let mut expected = 0usize;
    // Whether the first rows are on screen already (the columns in view).
    let mut previewed = false;
    loop {
        match Next(&inbox).await {
            Event::Progress {
                received,
                total,
                rows,
            } => progress(match total {
                Some(t) if rows > 0 => Progress::Reading {
                    rows: rows as usize,
                    bytes_done: received as usize,
                    bytes_total: t as usize,
                },
                _ => Progress::Fetching { received, total },
            }),
            Event::Part(frame) => {
                let part = loupe_core::frame::decode(&frame)
                    .map_err(|e| format!("Could not read {url} from the loading worker: {e}"))?;
                drop(frame);
                match &mut table {
                    Some(t) if t.row_count() > 0 => {
                        // Decoding a piece and appending it each copy its
                        // bytes: two tasks, each half as long, so a busy
                        // machine does not stretch one past 50 ms. The
                        // frame goes back to the allocator before the append.
                        crate::fetch::yield_to_browser().await;
                        t.append(part)
                            .map_err(|e| format!("Could not read {url}: {e}"))?;
                        // Pieces that queued up while the page was busy (the
                        // worker can be faster) are appended a task each.
                        crate::fetch::yield_to_browser().await;
                    }
                    // The first rows (or the header before them): room for
                    // every row at once, so no column doubles midway.
                    _ => {
                        let mut first = part;
                        if first.row_count() > 0 {
                            // Not again after a preview: building the grid
                            // anew for the other columns and a few thousand
                            // more rows costs a long task for little, and the
                            // whole table replaces the preview soon.
                            if !previewed {
                                first_rows(&first);
                            }
                            // Decoding the first piece and making room for
                            // every row are two tasks, not one long one.
                            crate::fetch::yield_to_browser().await;
                        }
                        first.reserve(expected.saturating_sub(first.row_count()));
                        table = Some(first);
                    }
                }
            }
            Event::Size(rows) => expected = rows as usize,
            Event::Preview(frame) => {
                if let Ok(preview) = loupe_core::frame::decode(&frame) {
                    first_rows(&preview);
                    previewed = true;
                }
            }
            Event::Done(memory) => {
                guard.finished = true;
                drop(guard);
                retire_if_grown(&client, memory);
                let mut table = table.unwrap_or_default();
                // The room made for every row at the first piece is an
                // estimate for text: what it over-reserved goes back, so the
                // table holds (and a partition's memory budget counts) what
                // it needs.
                table.shrink_to_fit();
                return Ok(table);
            }
            Event::Error(message) if message == crate::fetch::CANCELLED => {
                // Not finished: dropping the guard tells the worker to stop.
                return Err(message);
            }
            Event::Error(message) => {
                guard.finished = true;
                return Err(format!("Could not load {url}: {message}"));
            }
        }
    }
}
