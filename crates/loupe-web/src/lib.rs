//! Browser plumbing shared by the app (main thread) and the loading worker:
//! both read response bodies chunk by chunk and word JS failures the same way.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableStreamDefaultReader};

/// A JS exception or rejection as one line of text.
pub fn js_error_text(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Why reading a body stopped early.
#[derive(Debug)]
pub enum ReadError<E> {
    /// The connection broke (the message says how).
    Lost(String),
    /// `on_chunk` asked to stop; the download was cancelled.
    Stopped(E),
}

/// Reads `body` to its end, handing each chunk and the bytes received so far
/// to `on_chunk`; an `Err` from it cancels the download and is returned.
pub async fn read_stream<E>(
    body: ReadableStream,
    mut on_chunk: impl FnMut(&[u8], u64) -> Result<(), E>,
) -> Result<(), ReadError<E>> {
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut received = 0u64;
    let mut buf = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|e| {
            ReadError::Lost(format!(
                "connection lost while reading: {}",
                js_error_text(&e)
            ))
        })?;
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        if let Ok(value) = Reflect::get(&chunk, &"value".into()) {
            let array: Uint8Array = value.unchecked_into();
            buf.resize(array.length() as usize, 0);
            array.copy_to(&mut buf);
            received += buf.len() as u64;
            if let Err(e) = on_chunk(&buf, received) {
                let _ = reader.cancel();
                return Err(ReadError::Stopped(e));
            }
        }
    }
}
