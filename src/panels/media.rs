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
fn resolve(value: &Value, ctx: &CellContext) -> Result<(MediaFile, String), AnyView> {
    let m = media_of(value)
        .ok_or_else(|| cell_error(format!("not a media file: {}", value.display())))?;
    let url = ctx.media_url(&m.path).map_err(cell_error)?;
    Ok((m.clone(), url))
}

/// Shows a per-cell error naming the file when the browser fails to load it.
fn load_error(failed: RwSignal<bool>, path: String) -> impl IntoView {
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
