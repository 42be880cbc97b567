//! Fetching from inside the worker: whole bodies as a stream of chunks, and
//! byte ranges (`Range: bytes=a-b`, the form browsers send cross-origin
//! without a preflight).

use loupe_web::{ReadError, js_error_text};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response, WorkerGlobalScope};

/// A response body's bytes, or the file's total size from `Content-Range`.
pub struct Ranged {
    pub bytes: Vec<u8>,
    /// The whole file's size when the server answered with `206 Partial Content`
    /// and let us read `Content-Range`; `None` when it sent the whole file.
    pub total: Option<u64>,
}

fn scope() -> Result<WorkerGlobalScope, String> {
    js_sys::global()
        .dyn_into::<WorkerGlobalScope>()
        .map_err(|_| "not running in a worker".to_string())
}

async fn send(url: &str, range: Option<(u64, u64)>) -> Result<Response, String> {
    let init = RequestInit::new();
    let request = Request::new_with_str_and_init(url, &init).map_err(|e| js_error_text(&e))?;
    if let Some((start, end)) = range {
        request
            .headers()
            .set("Range", &format!("bytes={start}-{}", end.saturating_sub(1)))
            .map_err(|e| js_error_text(&e))?;
    }
    let response: Response = JsFuture::from(scope()?.fetch_with_request(&request))
        .await
        .map_err(|e| {
            format!(
                "network error ({}): the server is unreachable, or it does not allow this page's origin (CORS)",
                js_error_text(&e)
            )
        })?
        .unchecked_into();
    if !response.ok() {
        let mut message = format!("HTTP {}", response.status());
        if !response.status_text().is_empty() {
            message.push(' ');
            message.push_str(&response.status_text());
        }
        if response.status() == 404 {
            message.push_str(" (the file does not exist at this URL)");
        }
        return Err(message);
    }
    Ok(response)
}

/// Reads a response body chunk by chunk; `on_chunk` sees each chunk and the
/// bytes received so far, and may stop the download with an error.
pub async fn read_body(
    response: &Response,
    on_chunk: impl FnMut(&[u8], u64) -> Result<(), String>,
) -> Result<(), String> {
    let Some(body) = response.body() else {
        return Ok(());
    };
    // A worker has no page to keep responsive: no slicing.
    loupe_web::read_stream(body, None, on_chunk)
        .await
        .map_err(|e| match e {
            ReadError::Lost(message) | ReadError::Stopped(message) => message,
        })
}

/// Fetches a whole file, streaming.
pub async fn get(url: &str) -> Result<Response, String> {
    send(url, None).await
}

/// The size in a `Content-Range: bytes a-b/size` header.
fn total_of(response: &Response) -> Option<u64> {
    let value = response.headers().get("content-range").ok().flatten()?;
    value.rsplit_once('/')?.1.trim().parse().ok()
}

/// Fetches bytes `start..end` of a file. A server that ignores `Range` sends
/// the whole file (status 200): the caller then has all of it.
pub async fn get_range(url: &str, start: u64, end: u64) -> Result<Ranged, String> {
    let response = send(url, Some((start, end))).await?;
    let partial = response.status() == 206;
    let total = if partial { total_of(&response) } else { None };
    let mut bytes = Vec::new();
    read_body(&response, |chunk, _| {
        bytes.extend_from_slice(chunk);
        Ok(())
    })
    .await?;
    if partial && bytes.len() as u64 != end - start && total.is_some_and(|t| end <= t) {
        return Err(format!(
            "asked for bytes {start}..{end} and received {} bytes",
            bytes.len()
        ));
    }
    Ok(Ranged {
        bytes,
        total: if partial { total } else { None },
    })
}

/// The `Content-Length` of a response, when the server sends one.
pub fn content_length(response: &Response) -> Option<u64> {
    response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
}

/// The bytes of some ranges of a file: `(start, bytes)` in the order asked.
pub type RangeBytes = Vec<(u64, Vec<u8>)>;

/// Byte ranges being fetched in the background: started by `prefetch`, taken by
/// `wait`. The worker decodes one row group while the next one downloads.
pub struct Prefetch {
    done: js_sys::Promise,
    result: std::rc::Rc<std::cell::RefCell<Option<Result<RangeBytes, String>>>>,
}

/// Starts fetching `ranges` of `url` (one after another) in a task of its own.
pub fn prefetch(url: &str, ranges: Vec<std::ops::Range<u64>>) -> Prefetch {
    let result = std::rc::Rc::new(std::cell::RefCell::new(None));
    let mut resolve = None;
    let done = js_sys::Promise::new(&mut |r, _| resolve = Some(r));
    let (url, slot) = (url.to_string(), result.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let mut chunks = Vec::with_capacity(ranges.len());
        let mut outcome = Ok(());
        for range in ranges {
            match get_range(&url, range.start, range.end).await {
                Ok(got) => chunks.push((range.start, got.bytes)),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        *slot.borrow_mut() = Some(outcome.map(|()| chunks));
        if let Some(resolve) = resolve {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    Prefetch { done, result }
}

impl Prefetch {
    /// The ranges' bytes, `(start, bytes)` in the order asked.
    pub async fn wait(self) -> Result<RangeBytes, String> {
        let _ = JsFuture::from(self.done).await;
        self.result
            .borrow_mut()
            .take()
            .unwrap_or_else(|| Err("a prefetch ended without a result".into()))
    }
}

/// Lets tasks spawned just now start (e.g. a prefetch sends its request)
/// before this one goes on with synchronous work.
pub async fn let_spawned_tasks_start() {
    let _ = JsFuture::from(js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED)).await;
}
