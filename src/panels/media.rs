//! Panels for file-backed media: audio, html (sandboxed), video, and links for 3-D files.

use leptos::prelude::*;
use loupe_core::{MediaFile, Value};

use super::{CellContext, cell_error};

fn media_of(value: &Value) -> Option<&MediaFile> {
    match value {
        Value::Media(m) => Some(m),
        _ => None,
    }
}

/// Resolves the file URL or returns the per-cell error view.
pub(super) fn resolve(value: &Value, ctx: &CellContext) -> Result<(MediaFile, String), AnyView> {
    let m = media_of(value)
        .ok_or_else(|| cell_error(format!("not a media file: {}", value.display())))?;
    let url = ctx.media_url(&m.path).map_err(cell_error)?;
    Ok((m.clone(), url))
}

/// Shows a per-cell error naming the file when the browser fails to load it.
pub(super) fn load_error(failed: RwSignal<bool>, path: String) -> impl IntoView {
    move || {
        failed
            .get()
            .then(|| cell_error(format!("could not load {path}")))
    }
}

pub fn audio(value: &Value, ctx: &CellContext) -> AnyView {
    let (m, url) = match resolve(value, ctx) {
        Ok(ok) => ok,
        Err(view) => return view,
    };
    let failed = RwSignal::new(false);
    view! {
        <div class="media audio">
            <audio controls preload="none" src=url on:error=move |_| failed.set(true)></audio>
            {m.caption.map(|c| view! { <span class="caption">{c}</span> })}
            {load_error(failed, m.path)}
        </div>
    }
    .into_any()
}

/// HTML runs in an iframe with an empty `sandbox`: no scripts, an opaque origin,
/// no top navigation. It can never touch the app.
pub fn html(value: &Value, ctx: &CellContext) -> AnyView {
    let (m, url) = match resolve(value, ctx) {
        Ok(ok) => ok,
        Err(view) => return view,
    };
    view! {
        <div class="media html">
            <iframe sandbox="" referrerpolicy="no-referrer" src=url title=m.path.clone()></iframe>
        </div>
    }
    .into_any()
}

pub fn video(value: &Value, ctx: &CellContext) -> AnyView {
    let (m, url) = match resolve(value, ctx) {
        Ok(ok) => ok,
        Err(view) => return view,
    };
    let failed = RwSignal::new(false);
    let is_gif = m.path.to_ascii_lowercase().ends_with(".gif");
    let player = if is_gif {
        view! { <img src=url alt=m.caption.clone().unwrap_or_default() on:error=move |_| failed.set(true) /> }
            .into_any()
    } else {
        view! { <video controls preload="metadata" src=url on:error=move |_| failed.set(true)></video> }.into_any()
    };
    view! {
        <div class="media video">
            {player}
            {m.caption.map(|c| view! { <span class="caption">{c}</span> })}
            {load_error(failed, m.path)}
        </div>
    }
    .into_any()
}

/// 3-D point clouds and molecules: a link to the file until their viewers land.
pub fn file_link(value: &Value, ctx: &CellContext) -> AnyView {
    let (m, url) = match resolve(value, ctx) {
        Ok(ok) => ok,
        Err(view) => return view,
    };
    let label = m
        .caption
        .clone()
        .unwrap_or_else(|| m.path.rsplit('/').next().unwrap_or(&m.path).to_string());
    view! {
        <a class="media file-link" href=url target="_blank" rel="noopener noreferrer"
           title=format!("{} file: {}", m.kind.type_tag(), m.path)>
            {format!("{} {label}", m.kind.type_tag())}
        </a>
    }
    .into_any()
}

/// Audio: the player, and the waveform of the decoded sound (Web Audio) with its
/// duration. A file that does not decode still plays if the browser can.
pub fn waveform(value: &Value, ctx: &CellContext) -> AnyView {
    let (m, url) = match resolve(value, ctx) {
        Ok(ok) => ok,
        Err(view) => return view,
    };
    let decoded = RwSignal::new(None::<Result<(Vec<(f32, f32)>, f64), String>>);
    let (fetch_url, path) = (url.clone(), m.path.clone());
    leptos::task::spawn_local(async move {
        decoded.set(Some(
            decode_envelope(&fetch_url, WAVE_COLUMNS)
                .await
                .map_err(|e| format!("{path}: {e}")),
        ));
    });
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let (Some(el), Some(Ok((envelope, _)))) = (canvas.get(), decoded.get()) {
            draw_envelope(&el, &envelope);
        }
    });
    let failed = RwSignal::new(false);
    view! {
        <div class="media audio waveform" data-panel="waveform">
            <canvas class="wave" node_ref=canvas width=WAVE_COLUMNS as u32 height=36 role="img"
                    aria-label=format!("waveform of {}", m.path)></canvas>
            {move || match decoded.get() {
                Some(Ok((_, seconds))) => view! {
                    <span class="duration" data-duration=format!("{seconds:.3}")>{format!("{seconds:.2} s")}</span>
                }.into_any(),
                Some(Err(e)) => view! { <span class="cell-error" role="note">{e}</span> }.into_any(),
                None => ().into_any(),
            }}
            <audio controls preload="none" src=url on:error=move |_| failed.set(true)></audio>
            {m.caption.map(|c| view! { <span class="caption">{c}</span> })}
            {load_error(failed, m.path)}
        </div>
    }
    .into_any()
}

const WAVE_COLUMNS: usize = 160;

/// Fetches and decodes the sound; (min, max) of each of `columns` slices, and seconds.
async fn decode_envelope(url: &str, columns: usize) -> Result<(Vec<(f32, f32)>, f64), String> {
    use wasm_bindgen::JsCast;
    let bytes = crate::fetch::fetch_bytes(url, |_, _| {})
        .await
        .map_err(|e| e.to_string())?;
    let js_error = |e: wasm_bindgen::JsValue| {
        e.as_string()
            .or_else(|| {
                js_sys::Reflect::get(&e, &"message".into())
                    .ok()?
                    .as_string()
            })
            .unwrap_or_else(|| "the browser could not decode it".into())
    };
    let audio =
        web_sys::OfflineAudioContext::new_with_number_of_channels_and_length_and_sample_rate(
            1, 1, 44_100.0,
        )
        .map_err(js_error)?;
    let array = js_sys::Uint8Array::from(bytes.as_slice()).buffer();
    let promise = audio.decode_audio_data(&array).map_err(js_error)?;
    let buffer: web_sys::AudioBuffer = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| format!("not decodable audio ({})", js_error(e)))?
        .dyn_into()
        .map_err(|_| "not decodable audio".to_string())?;
    let samples = buffer.get_channel_data(0).map_err(js_error)?;
    let per = samples.len().div_ceil(columns).max(1);
    let envelope = samples
        .chunks(per)
        .map(|c| {
            c.iter()
                .fold((0.0f32, 0.0f32), |(lo, hi), &x| (lo.min(x), hi.max(x)))
        })
        .collect();
    Ok((envelope, buffer.duration()))
}

fn draw_envelope(canvas: &web_sys::HtmlCanvasElement, envelope: &[(f32, f32)]) {
    let Some(ctx) = super::image::context_2d(canvas) else {
        return;
    };
    let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.clear_rect(0.0, 0.0, w, h);
    ctx.set_fill_style_str("#3b5bdb");
    let mid = h / 2.0;
    for (i, (lo, hi)) in envelope.iter().enumerate() {
        let top = mid - f64::from(*hi) * mid;
        let bottom = mid - f64::from(*lo) * mid;
        ctx.fill_rect(
            i as f64 * w / envelope.len() as f64,
            top,
            1.0,
            (bottom - top).max(1.0),
        );
    }
}
