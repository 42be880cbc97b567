//! Parquet and Arrow IPC tables, loaded by the worker (`crates/loupe-worker`).
//!
//! The worker is a second wasm module, started the first time such a table is
//! opened: the page's own bundle carries no arrow/parquet code, and fetching
//! (row group by row group, with range requests) and decoding happen off the
//! main thread. Pieces arrive as table frames; the main thread only copies
//! them into columns.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Object, Reflect, Uint8Array};
use loupe_core::Table;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::loader::Progress;

/// The worker's entry, relative to the page (trunk's hook builds it there).
const WORKER_URL: &str = "worker/worker.js";

/// Whether `url` names a Parquet or Arrow IPC file (by its extension).
pub fn is_columnar(url: &str) -> bool {
    loupe_core::manifest::is_columnar_file(url.split(['?', '#']).next().unwrap_or(url))
}

/// One message from the worker.
enum Event {
    Progress {
        received: u64,
        total: Option<u64>,
        rows: u64,
    },
    Part(Vec<u8>),
    /// Rows the whole table will have.
    Size(u64),
    Done,
    Error(String),
}

/// One load's events, in arrival order, and the task waiting for the next.
#[derive(Default)]
struct Inbox {
    events: VecDeque<Event>,
    waiting: Option<Waker>,
}

type SharedInbox = Rc<RefCell<Inbox>>;

fn deliver(inbox: &SharedInbox, event: Event) {
    let mut i = inbox.borrow_mut();
    i.events.push_back(event);
    if let Some(w) = i.waiting.take() {
        w.wake();
    }
}

/// The next event of a load (a single-consumer queue; no channel crate needed).
struct Next<'a>(&'a SharedInbox);

impl Future for Next<'_> {
    type Output = Event;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Event> {
        let mut i = self.0.borrow_mut();
        match i.events.pop_front() {
            Some(e) => Poll::Ready(e),
            None => {
                i.waiting = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[derive(Default)]
struct Client {
    worker: Option<Worker>,
    ready: bool,
    /// Messages posted before the worker said it is ready.
    queued: Vec<Object>,
    routes: HashMap<u32, SharedInbox>,
    next_id: u32,
}

thread_local! {
    static CLIENT: Rc<RefCell<Client>> = Rc::new(RefCell::new(Client::default()));
}

fn get(data: &JsValue, key: &str) -> JsValue {
    Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn on_message(client: &Rc<RefCell<Client>>, event: MessageEvent) {
    let data = event.data();
    let kind = get(&data, "kind").as_string().unwrap_or_default();
    if kind == "ready" {
        let mut c = client.borrow_mut();
        c.ready = true;
        let queued = std::mem::take(&mut c.queued);
        if let Some(w) = &c.worker {
            for m in queued {
                let _ = w.post_message(&m);
            }
        }
        return;
    }
    let id = get(&data, "id").as_f64().unwrap_or(-1.0) as u32;
    let event = match kind.as_str() {
        "progress" => Event::Progress {
            received: get(&data, "received").as_f64().unwrap_or(0.0) as u64,
            total: get(&data, "total").as_f64().map(|t| t as u64),
            rows: get(&data, "rows").as_f64().unwrap_or(0.0) as u64,
        },
        "part" => Event::Part(Uint8Array::new(&get(&data, "frame")).to_vec()),
        "size" => Event::Size(get(&data, "rows").as_f64().unwrap_or(0.0) as u64),
        "done" => Event::Done,
        "error" => Event::Error(
            get(&data, "message")
                .as_string()
                .unwrap_or_else(|| "unknown error".into()),
        ),
        _ => return,
    };
    let route = client.borrow().routes.get(&id).cloned();
    if let Some(inbox) = route {
        deliver(&inbox, event);
    }
}

/// The worker failed to start (missing files, a blocked script): every load waiting on it fails.
fn on_error(client: &Rc<RefCell<Client>>, message: String) {
    let routes: Vec<SharedInbox> = {
        let mut c = client.borrow_mut();
        c.worker = None;
        c.ready = false;
        c.queued.clear();
        c.routes.drain().map(|(_, inbox)| inbox).collect()
    };
    for inbox in routes {
        deliver(
            &inbox,
            Event::Error(format!(
                "the loading worker ({WORKER_URL}) could not start: {message}"
            )),
        );
    }
}

fn start_worker(client: &Rc<RefCell<Client>>) -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(WORKER_URL, &options)
        .map_err(|e| format!("could not start the loading worker: {e:?}"))?;
    let for_messages = client.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e| on_message(&for_messages, e));
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let for_errors = client.clone();
    let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let message = e
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "its script or wasm did not load".into());
        on_error(&for_errors, message);
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    onerror.forget();
    Ok(worker)
}

fn post(client: &Rc<RefCell<Client>>, message: Object) -> Result<(), String> {
    let mut c = client.borrow_mut();
    if c.worker.is_none() {
        drop(c);
        let worker = start_worker(client)?;
        c = client.borrow_mut();
        c.worker = Some(worker);
    }
    if c.ready {
        if let Some(w) = &c.worker {
            w.post_message(&message)
                .map_err(|e| format!("could not reach the loading worker: {e:?}"))?;
        }
    } else {
        c.queued.push(message);
    }
    Ok(())
}

/// A message to the worker: `open` (with the URL and memory budget) or `cancel`.
fn request(kind: &str, id: u32, url: &str, budget: u64) -> Object {
    let m = Object::new();
    let _ = Reflect::set(&m, &"kind".into(), &kind.into());
    let _ = Reflect::set(&m, &"id".into(), &id.into());
    let _ = Reflect::set(&m, &"url".into(), &url.into());
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
            client.borrow_mut().routes.remove(&self.id);
            if !self.finished {
                let _ = post(client, request("cancel", self.id, "", 0));
            }
        });
    }
}

/// Ends every load waiting on the worker (the user cancelled); the worker is
/// told to stop each of them when its load future is dropped.
pub fn cancel_all() {
    let routes: Vec<SharedInbox> = CLIENT.with(|c| c.borrow().routes.values().cloned().collect());
    for inbox in routes {
        deliver(&inbox, Event::Error(crate::fetch::CANCELLED.into()));
    }
}

/// Loads the Parquet or Arrow table at `url` (absolute) through the worker.
pub async fn load(
    url: &str,
    budget: u64,
    progress: &dyn Fn(Progress),
    first_rows: &dyn Fn(&Table),
) -> Result<Table, String> {
    let client = CLIENT.with(Rc::clone);
    let inbox = SharedInbox::default();
    let id = {
        let mut c = client.borrow_mut();
        c.next_id += 1;
        let id = c.next_id;
        c.routes.insert(id, inbox.clone());
        id
    };
    let mut guard = CancelOnDrop {
        id,
        finished: false,
    };
    post(&client, request("open", id, url, budget))
        .map_err(|e| format!("Could not load {url}: {e}"))?;
    // Each piece is appended as it arrives (one short task per piece), so no
    // step at the end copies the whole table at once.
    let mut table: Option<Table> = None;
    let mut expected = 0usize;
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
                match &mut table {
                    Some(t) if t.row_count() > 0 => t
                        .append(part)
                        .map_err(|e| format!("Could not read {url}: {e}"))?,
                    // The first rows (or the header before them): room for
                    // every row at once, so no column doubles midway.
                    _ => {
                        let mut first = part;
                        if first.row_count() > 0 {
                            first_rows(&first);
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
            Event::Done => {
                guard.finished = true;
                return Ok(table.unwrap_or_default());
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
