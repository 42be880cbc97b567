//! Queries on large tables run in a worker (`crates/loupe-worker/src/query.rs`),
//! so filtering, sorting or grouping millions of rows never freezes the page,
//! and a query can be stopped: `cancel` ends that worker mid-query.
//!
//! The page sends the columns a query reads (a frame, transferred), once per
//! table: the worker keeps them for the next queries. The answer is the view
//! (`loupe_core::view_frame`): row numbers, groups and derived columns.
//!
//! Wasm memory never shrinks: a worker that grew past `&worker_memory_mb=`
//! with a large table is let go when the page closes that table (or queries
//! another), instead of being reused at its peak.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use loupe_core::{Query, Table, View, frame, view_frame};
use wasm_bindgen::JsValue;

use crate::fetch::CANCELLED;
use crate::url_state::search_param;
use crate::worker_client::{Client, Event, Next, SharedClient, end, post, retire};

/// Tables with at least this many rows are queried in the worker, unless the
/// URL says otherwise (`&worker_rows=`).
const DEFAULT_WORKER_ROWS: usize = 200_000;

/// Rows of a column encoded, copied out and posted in one task (a float
/// column: 2 MB).
const SLICE_ROWS: usize = 256 * 1024;

thread_local! {
    static CLIENT: SharedClient = SharedClient::default();
    /// The table whose columns the worker holds (its key) and which columns.
    static SENT: RefCell<(u32, Vec<usize>)> = const { RefCell::new((0, Vec::new())) };
    static NEXT_KEY: Cell<u32> = const { Cell::new(0) };
    /// Counts cancels: a query started before one must not go on after it.
    static CANCELS: Cell<u32> = const { Cell::new(0) };
    /// The worker's wasm memory (bytes) after its last answer.
    static MEMORY: Cell<u64> = const { Cell::new(0) };
}

/// The least rows a table needs for its queries to run in the worker.
pub fn worker_rows() -> usize {
    search_param("worker_rows")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_WORKER_ROWS)
}

/// A key for a table shown on the page (the worker holds columns by key).
pub fn new_table_key() -> u32 {
    NEXT_KEY.with(|k| {
        k.set(k.get() + 1);
        k.get()
    })
}

fn set(m: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(m, &key.into(), value);
}

fn forget_sent() {
    SENT.with(|s| *s.borrow_mut() = (0, Vec::new()));
}

/// Stops the running query (and any queued after it): they end with `CANCELLED`.
pub fn cancel() {
    CANCELS.with(|c| c.set(c.get() + 1));
    CLIENT.with(|c| end(c, CANCELLED));
    forget_sent();
}

/// The page no longer shows table `key`: the worker drops its columns, or,
/// if it grew large with them, is let go.
pub fn forget(key: u32) {
    if SENT.with(|s| s.borrow().0 == key) {
        forget_sent();
        if !let_go_if_grown() {
            let _ = CLIENT.with(|c| post(c, message("forget", key, 0), Array::new()));
        }
    }
}

/// Lets an idle worker that grew past `&worker_memory_mb=` go (the next query
/// starts a fresh one); whether it did.
fn let_go_if_grown() -> bool {
    if !crate::columnar::worker_grown(MEMORY.with(Cell::get)) {
        return false;
    }
    let gone = CLIENT.with(retire);
    if gone {
        MEMORY.with(|m| m.set(0));
    }
    gone
}

/// A message about table `key` of `rows` rows.
fn message(kind: &str, key: u32, rows: usize) -> Object {
    let m = Object::new();
    set(&m, "kind", &kind.into());
    set(&m, "key", &key.into());
    set(&m, "rows", &JsValue::from_f64(rows as f64));
    m
}

/// Runs `query` over `table` (key `key`) in the worker; `used` are the
/// columns it reads (`Query::table_columns_used`).
pub async fn run(key: u32, table: &Table, query: &Query, used: &[usize]) -> Result<View, String> {
    let client = CLIENT.with(Rc::clone);
    let cancels = CANCELS.with(Cell::get);
    if SENT.with(|s| s.borrow().0 != key) {
        // Another table replaces the one the worker holds.
        let_go_if_grown();
    }
    let missing: Vec<usize> = SENT.with(|s| {
        let mut s = s.borrow_mut();
        if s.0 != key {
            *s = (key, Vec::new());
        }
        let missing: Vec<usize> = used.iter().copied().filter(|i| !s.1.contains(i)).collect();
        s.1.extend(&missing);
        missing
    });
    // A column at a time, `SLICE_ROWS` rows a message and a task: copying
    // millions of rows out of wasm memory is never one long task. The first
    // slice waits a task too, not to add to the one that asked (a key press
    // and the view it re-renders).
    let rows = table.row_count();
    if !missing.is_empty() {
        crate::fetch::yield_to_browser().await;
    }
    for &i in &missing {
        let column = &table.columns[i];
        let slices = rows.div_ceil(SLICE_ROWS).max(1);
        for s in 0..slices {
            let part = column.slice(s * SLICE_ROWS, (s + 1) * SLICE_ROWS);
            let bytes = frame::encode_columns(part.len(), &[&part]);
            drop(part);
            let buffer = Uint8Array::from(bytes.as_slice()).buffer();
            drop(bytes);
            let m = message("columns", key, rows);
            set(&m, "frame", &buffer);
            set(&m, "more", &JsValue::from_bool(s + 1 < slices));
            if let Err(e) = post(&client, m, Array::of1(&buffer)) {
                forget_sent();
                return Err(e);
            }
            crate::fetch::yield_to_browser().await;
            if CANCELS.with(Cell::get) != cancels {
                return Err(CANCELLED.into());
            }
        }
    }
    let (id, inbox) = Client::route(&client);
    let m = message("query", key, table.row_count());
    set(&m, "id", &id.into());
    let params = Array::new();
    for (k, v) in query.computation().to_params() {
        params.push(&k.into());
        params.push(&v.into());
    }
    set(&m, "params", &params);
    let answer = match post(&client, m, Array::new()) {
        Ok(()) => {
            let mut view = Err("the query worker ended without an answer".to_string());
            loop {
                match Next(&inbox).await {
                    Event::Part(bytes) => {
                        view = view_frame::decode(&bytes, table.row_count(), &query.group)
                            .map_err(|e| format!("the query worker's answer: {e}"));
                    }
                    // After the answer: how large the worker grew.
                    Event::Done(memory) => {
                        MEMORY.with(|m| m.set(memory));
                        break view;
                    }
                    Event::Error(message) => break Err(message),
                    _ => {}
                }
            }
        }
        Err(e) => Err(e),
    };
    Client::unroute(&client, id);
    if !Client::started(&client) {
        // The worker ended (cancelled, or it failed): it holds no columns now.
        forget_sent();
    }
    answer
}
