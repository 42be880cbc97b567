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
    loupe_web::read_stream(body, on_chunk)
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
