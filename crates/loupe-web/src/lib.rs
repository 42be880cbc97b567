//! Browser plumbing shared by the app (main thread) and the loading worker:
//! both read response bodies chunk by chunk and word JS failures the same way.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableStreamByobReader, ReadableStreamDefaultReader};

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

/// Lets the event loop run (input, paint) before more work: `scheduler.yield()`
/// where the browser has it (no timer clamping, the continuation goes first),
/// else a zero-delay timer. Works on the main thread and in workers.
pub async fn next_task() {
    let global = js_sys::global();
    let scheduled = Reflect::get(&global, &"scheduler".into())
        .ok()
        .filter(|s| s.is_object())
        .and_then(|s| {
            let f = Reflect::get(&s, &"yield".into()).ok()?;
            f.dyn_ref::<js_sys::Function>()?.call0(&s).ok()
        })
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    let promise = scheduled.unwrap_or_else(|| {
        js_sys::Promise::new(&mut |resolve, _| {
            if let Ok(set_timeout) = Reflect::get(&global, &"setTimeout".into())
                && let Some(f) = set_timeout.dyn_ref::<js_sys::Function>()
            {
                let _ = f.call2(&global, &resolve, &JsValue::from(0));
            }
        })
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves once the browser has drawn a frame: an animation frame (whose
/// callbacks run just before that frame's style, layout and paint), then a
/// task, which runs after them. Without animation frames (a worker), a task.
pub async fn after_paint() {
    let global = js_sys::global();
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        let called = Reflect::get(&global, &"requestAnimationFrame".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .is_some_and(|f| f.call1(&global, &resolve).is_ok());
        if !called {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(frame).await;
    next_task().await;
}

/// Bytes a byte-stream read fills at most (one buffer, reused).
const READ_BYTES: u32 = 1 << 20;

/// A body's reader: a BYOB reader over one reused buffer where the body is a
/// byte stream (fetch bodies are, in Chromium), else a default reader, which
/// allocates a new buffer for every network chunk (in the peer bench that
/// read loop alone took ~25% longer on 82 MB).
enum BodyReader {
    Byob {
        reader: ReadableStreamByobReader,
        buffer: Option<js_sys::ArrayBuffer>,
    },
    Default(ReadableStreamDefaultReader),
}

impl BodyReader {
    fn new(body: ReadableStream) -> BodyReader {
        match ReadableStreamByobReader::new(&body) {
            Ok(reader) => BodyReader::Byob {
                reader,
                buffer: None,
            },
            Err(_) => BodyReader::Default(body.get_reader().unchecked_into()),
        }
    }

    /// The next read: a promise of `{done, value}`.
    fn read(&mut self) -> js_sys::Promise {
        match self {
            BodyReader::Byob { reader, buffer } => {
                // The buffer is handed over (detached) and comes back in `value`.
                let view = match buffer.take() {
                    Some(b) => Uint8Array::new(&b),
                    None => Uint8Array::new_with_length(READ_BYTES),
                };
                reader.read_with_array_buffer_view(&view)
            }
            BodyReader::Default(reader) => reader.read(),
        }
    }

    /// `value` of the last read has been copied out: its buffer is read into next.
    fn reuse(&mut self, value: &Uint8Array) {
        if let BodyReader::Byob { buffer, .. } = self {
            *buffer = value.buffer().dyn_into().ok();
        }
    }

    fn cancel(&self) {
        let _ = match self {
            BodyReader::Byob { reader, .. } => reader.cancel(),
            BodyReader::Default(reader) => reader.cancel(),
        };
    }
}

/// The most bytes handed to `read_stream`'s callback at once.
const STEP_BYTES: usize = 256 * 1024;

/// Reads `body` to its end, handing each chunk and the bytes received so far
/// to `on_chunk`; an `Err` from it cancels the download and is returned.
///
/// Chunks already buffered resolve `read()` as microtasks, so a fast network
/// would run the whole body as one task: with `slice_ms`, the loop gives the
/// event loop a turn whenever that long has passed since the last one.
pub async fn read_stream<E>(
    body: ReadableStream,
    slice_ms: Option<f64>,
    mut on_chunk: impl FnMut(&[u8], u64) -> Result<(), E>,
) -> Result<(), ReadError<E>> {
    let mut reader = BodyReader::new(body);
    let mut received = 0u64;
    let mut buf = Vec::new();
    let mut slice_start = js_sys::Date::now();
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
            reader.reuse(&array);
            // A chunk can be megabytes: handed over in steps, so a slice
            // ends close to `slice_ms` whatever the network's chunk size.
            for step in buf.chunks(STEP_BYTES) {
                received += step.len() as u64;
                if let Err(e) = on_chunk(step, received) {
                    reader.cancel();
                    return Err(ReadError::Stopped(e));
                }
                if let Some(ms) = slice_ms
                    && js_sys::Date::now() - slice_start > ms
                {
                    next_task().await;
                    slice_start = js_sys::Date::now();
                }
            }
        }
    }
}
