//! The page's side of a Loupe worker (`crates/loupe-worker`, a module Web
//! Worker): starting it lazily, queueing messages until it is ready, routing
//! its answers by request id to the task awaiting them, and ending it.
//! Two instances run: one loads Parquet/Arrow tables (`columnar`), one runs
//! queries on large tables (`query_worker`), so a query never waits behind a
//! load and cancelling a query (ending its worker) never stops a load.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// The worker's entry, relative to the page (trunk's hook builds it there).
const WORKER_URL: &str = "worker/worker.js";

/// One message from the worker.
pub enum Event {
    Progress {
        received: u64,
        total: Option<u64>,
        rows: u64,
    },
    Part(Vec<u8>),
    /// The first rows of the columns in view, before the whole first piece.
    Preview(Vec<u8>),
    /// Rows the whole table will have.
    Size(u64),
    /// The request is answered; the worker's wasm memory (bytes, when it says).
    Done(u64),
    Error(String),
}

/// One load's events, in arrival order, and the task waiting for the next.
#[derive(Default)]
pub struct Inbox {
    events: VecDeque<Event>,
    waiting: Option<Waker>,
}

pub type SharedInbox = Rc<RefCell<Inbox>>;

pub fn deliver(inbox: &SharedInbox, event: Event) {
    let mut i = inbox.borrow_mut();
    i.events.push_back(event);
    if let Some(w) = i.waiting.take() {
        w.wake();
    }
}

/// The next event of a load (a single-consumer queue; no channel crate needed).
pub struct Next<'a>(pub &'a SharedInbox);

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
pub struct Client {
    worker: Option<Worker>,
    ready: bool,
    /// Messages (and what they transfer) posted before the worker said it is ready.
    queued: Vec<(Object, Array)>,
    routes: HashMap<u32, SharedInbox>,
    next_id: u32,
}

pub type SharedClient = Rc<RefCell<Client>>;

impl Client {
    /// A new request: its id and the inbox its answers arrive in.
    pub fn route(client: &SharedClient) -> (u32, SharedInbox) {
        let inbox = SharedInbox::default();
        let mut c = client.borrow_mut();
        c.next_id += 1;
        let id = c.next_id;
        c.routes.insert(id, inbox.clone());
        (id, inbox)
    }

    pub fn unroute(client: &SharedClient, id: u32) {
        client.borrow_mut().routes.remove(&id);
    }

    /// Whether a worker is running (or starting).
    pub fn started(client: &SharedClient) -> bool {
        client.borrow().worker.is_some()
    }

    /// Every request still waiting.
    pub fn waiting(client: &SharedClient) -> Vec<SharedInbox> {
        client.borrow().routes.values().cloned().collect()
    }
}

pub fn get(data: &JsValue, key: &str) -> JsValue {
    Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn on_message(client: &SharedClient, event: MessageEvent) {
    let data = event.data();
    let kind = get(&data, "kind").as_string().unwrap_or_default();
    if kind == "ready" {
        let mut c = client.borrow_mut();
        c.ready = true;
        let queued = std::mem::take(&mut c.queued);
        if let Some(w) = &c.worker {
            for (m, transfer) in queued {
                let _ = w.post_message_with_transfer(&m, &transfer);
            }
        }
        return;
    }
    if kind == "panic" {
        // The worker is aborting: every load and query waiting on it fails.
        let message = get(&data, "message").as_string().unwrap_or_default();
        end(
            client,
            &format!(
                "the worker stopped on an internal error: {message} (damaged data that its decoder does not check, or a bug)"
            ),
        );
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
        "preview" => Event::Preview(Uint8Array::new(&get(&data, "frame")).to_vec()),
        "size" => Event::Size(get(&data, "rows").as_f64().unwrap_or(0.0) as u64),
        "done" => Event::Done(get(&data, "memory").as_f64().unwrap_or(0.0) as u64),
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

/// Ends the worker (a running request stops at once) and fails every
/// request waiting on it with `message`; the next request starts a new one.
pub fn end(client: &SharedClient, message: &str) {
    let routes: Vec<SharedInbox> = {
        let mut c = client.borrow_mut();
        if let Some(w) = c.worker.take() {
            w.terminate();
        }
        c.ready = false;
        c.queued.clear();
        c.routes.drain().map(|(_, inbox)| inbox).collect()
    };
    for inbox in routes {
        deliver(&inbox, Event::Error(message.to_string()));
    }
}

/// Lets the worker go if no request waits on it: it is asked to close itself
/// (its teardown, and the release of its memory, happen on its own thread,
/// not in a task of the page), and the next request starts a new one.
/// Whether it was let go.
pub fn retire(client: &SharedClient) -> bool {
    let worker = {
        let mut c = client.borrow_mut();
        if !c.routes.is_empty() || !c.ready {
            return false;
        }
        c.ready = false;
        c.worker.take()
    };
    if let Some(w) = worker {
        let m = Object::new();
        let _ = Reflect::set(&m, &"kind".into(), &"close".into());
        let _ = w.post_message(&m);
    }
    true
}

/// The worker failed to start (missing files, a blocked script): every request waiting on it fails.
fn on_error(client: &SharedClient, message: String) {
    end(
        client,
        &format!("the worker ({WORKER_URL}) could not start: {message}"),
    );
}

fn start_worker(client: &SharedClient) -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(WORKER_URL, &options)
        .map_err(|e| format!("could not start the worker: {e:?}"))?;
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

/// Posts `message` (handing over the buffers in `transfer`), starting the worker if needed.
pub fn post(client: &SharedClient, message: Object, transfer: Array) -> Result<(), String> {
    let mut c = client.borrow_mut();
    if c.worker.is_none() {
        drop(c);
        let worker = start_worker(client)?;
        c = client.borrow_mut();
        c.worker = Some(worker);
    }
    if c.ready {
        if let Some(w) = &c.worker {
            w.post_message_with_transfer(&message, &transfer)
                .map_err(|e| format!("could not reach the worker: {e:?}"))?;
        }
    } else {
        c.queued.push((message, transfer));
    }
    Ok(())
}
