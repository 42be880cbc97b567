//! Fetching bytes with progress, and turning browser failures into clear messages.

use loupe_web::{ReadError, js_error_text};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// Why a fetch failed, worded for the alert the user reads.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The server answered with a non-2xx status.
    Http { status: u16, status_text: String },
    /// No response at all: offline, refused, or blocked by CORS (the browser hides which).
    Network(String),
    /// The response is larger than the memory budget (`&max_mb=`).
    TooLarge {
        bytes: u64,
        budget: u64,
        known_early: bool,
    },
}

thread_local! {
    static BUDGET: std::cell::Cell<u64> = const { std::cell::Cell::new(DEFAULT_BUDGET) };
    /// Bumped by "Cancel": downloads started under an older value stop.
    static GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The current load generation (see `cancel_loads`).
pub fn generation() -> u64 {
    GENERATION.with(std::cell::Cell::get)
}

/// Stops every download in flight (the user cancelled): each ends with `CANCELLED`.
pub fn cancel_loads() {
    GENERATION.with(|g| g.set(g.get() + 1));
    crate::columnar::cancel_all();
}

/// The error text of a load the user cancelled.
pub const CANCELLED: &str = "cancelled";

/// 2 GiB: about what a browser tab can hold before it is killed.
pub const DEFAULT_BUDGET: u64 = 2 << 30;

/// The most bytes one response may bring (`&max_mb=` sets it for the page).
pub fn set_budget(bytes: u64) {
    BUDGET.with(|b| b.set(bytes.max(1)));
}

pub fn budget() -> u64 {
    BUDGET.with(std::cell::Cell::get)
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Http {
                status,
                status_text,
            } => {
                write!(f, "HTTP {status}")?;
                if !status_text.is_empty() {
                    write!(f, " {status_text}")?;
                }
                if *status == 404 {
                    write!(f, " (the file does not exist at this URL)")?;
                }
                Ok(())
            }
            FetchError::Network(detail) => write!(
                f,
                "network error ({detail}): the server is unreachable, or it does not allow this page's origin (CORS)"
            ),
            FetchError::TooLarge {
                bytes,
                budget,
                known_early,
            } => write!(
                f,
                "{} {}, more than the memory budget of {} (raise it with &max_mb=, or split the table into partitions)",
                if *known_early {
                    "the file is"
                } else {
                    "the download passed"
                },
                mb(*bytes),
                mb(*budget)
            ),
        }
    }
}

/// Fetches `url`, handing each chunk to `on_chunk(chunk, received, total)` as it
/// arrives (`total` from Content-Length when the server sends it). An error from
/// `on_chunk` stops the download and is returned as `Err(Err(message))`.
pub async fn fetch_chunks(
    url: &str,
    mut on_chunk: impl FnMut(&[u8], u64, Option<u64>) -> Result<(), String>,
) -> Result<(), Result<FetchError, String>> {
    let window = web_sys::window().ok_or_else(|| Ok(FetchError::Network("no window".into())))?;
    // Files picked from this computer are fetched through their blob URLs.
    let url = &crate::local_files::translate(url);
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| Ok(FetchError::Network(js_error_text(&e))))?
        .unchecked_into();
    if !response.ok() {
        return Err(Ok(FetchError::Http {
            status: response.status(),
            status_text: response.status_text(),
        }));
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    // Refuse early when the server says how big the body is.
    let limit = budget();
    if let Some(t) = total.filter(|t| *t > limit) {
        return Err(Ok(FetchError::TooLarge {
            bytes: t,
            budget: limit,
            known_early: true,
        }));
    }
    on_chunk(&[], 0, total).map_err(Err)?;
    let Some(body) = response.body() else {
        return Ok(());
    };
    let started = generation();
    // Slices of ~20 ms: the page answers input while a big body is parsed.
    let read = loupe_web::read_stream(body, Some(20.0), |chunk, received| {
        if generation() != started {
            return Err(Err(CANCELLED.to_string()));
        }
        if received > limit {
            return Err(Ok(FetchError::TooLarge {
                bytes: received,
                budget: limit,
                known_early: false,
            }));
        }
        // An error stops the download: nothing more of it is wanted.
        on_chunk(chunk, received, total).map_err(Err)
    })
    .await;
    match read {
        Ok(()) => Ok(()),
        Err(ReadError::Lost(message)) => Err(Ok(FetchError::Network(message))),
        Err(ReadError::Stopped(stop)) => Err(stop),
    }
}

/// Fetches the whole body, calling `on_progress(received, total)` as chunks arrive.
pub async fn fetch_bytes(
    url: &str,
    on_progress: impl Fn(u64, Option<u64>),
) -> Result<Vec<u8>, FetchError> {
    let mut bytes = Vec::new();
    let result = fetch_chunks(url, |chunk, received, total| {
        if bytes.is_empty()
            && let Some(t) = total
        {
            bytes.reserve(t.min(1 << 30) as usize);
        }
        bytes.extend_from_slice(chunk);
        on_progress(received, total);
        Ok(())
    })
    .await;
    match result {
        Ok(()) => Ok(bytes),
        Err(Ok(e)) => Err(e),
        Err(Err(e)) => Err(FetchError::Network(e)),
    }
}

/// Resolves `url` against the page address (relative URLs are relative to the page).
pub fn absolute_url(url: &str) -> Result<String, String> {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(url, &base)
        .map(|u| u.href())
        .map_err(|_| format!("`{url}` is not a valid URL"))
}

/// Lets the browser paint and handle input before more work (a macrotask boundary).
pub async fn yield_to_browser() {
    loupe_web::next_task().await;
}
