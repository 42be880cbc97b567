//! The image panel: a thumbnail with box and mask overlays that follow the
//! column's legend (class toggles, layer toggles, score threshold, mask opacity).
//! Click opens the same view large.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::{ImageFile, Value};
use wasm_bindgen::{Clamped, JsCast};

use super::{CellContext, cell_error};
use crate::image_state::{ImageColumnState, OpenImage, OpenImageRequest};
use crate::palette::{class_colour, class_rgb};

/// What the legend of an image column controls.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageControls {
    pub hidden_classes: BTreeSet<i64>,
    pub hidden_layers: BTreeSet<String>,
    /// Boxes with a score below this are hidden (boxes without scores always show).
    pub score_threshold: f64,
    pub mask_opacity: f64,
}

impl Default for ImageControls {
    fn default() -> Self {
        ImageControls {
            hidden_classes: BTreeSet::new(),
            hidden_layers: BTreeSet::new(),
            score_threshold: 0.0,
            mask_opacity: 0.5,
        }
    }
}

/// A list of images side by side (a "group all parts" summary's first
/// images of each group); any other list as a tree.
pub fn gallery(value: &Value, ctx: &CellContext) -> AnyView {
    match value {
        Value::List(items) if items.iter().all(|v| matches!(v, Value::Image(_))) => {
            let thumbs = items
                .iter()
                .map(|image| view! { <div class="thumb">{render(image, ctx)}</div> })
                .collect_view();
            view! { <div class="agg gallery">{thumbs}</div> }.into_any()
        }
        other => super::nested::tree(other, ctx),
    }
}

pub fn render(value: &Value, ctx: &CellContext) -> AnyView {
    let Value::Image(img) = value else {
        return cell_error(format!("not an image: {}", value.display()));
    };
    let url = match ctx.media_url(&img.path) {
        Ok(url) => url,
        Err(e) => return cell_error(e),
    };
    let image = Arc::new((**img).clone());
    let open = use_context::<OpenImage>();
    let request = OpenImageRequest {
        image: image.clone(),
        url: url.clone(),
        media: ctx.media.clone(),
        state: ctx.image,
    };
    view! {
        <div class="image-cell" title="click to enlarge" on:click=move |_| {
            if let Some(OpenImage(sig)) = open {
                sig.set(Some(request.clone()));
            }
        }>
            <ImageView image url media=ctx.media.clone() state=ctx.image large=false />
        </div>
    }
    .into_any()
}

/// A layer's colour, when layers stand for compared versions.
pub type LayerColour = Arc<dyn Fn(&str) -> Option<&'static str> + Send + Sync>;

/// An image with its overlays, at thumbnail or full size.
#[component]
pub fn ImageView(
    image: Arc<ImageFile>,
    url: String,
    media: Arc<loupe_core::MediaResolver>,
    state: Option<ImageColumnState>,
    large: bool,
    /// Overlaid versions: the colour of a layer (`predictions@v1` → v1's), which
    /// then replaces class colours; class names come from the layer before `@`.
    #[prop(optional)]
    layer_colour: Option<LayerColour>,
) -> impl IntoView {
    let natural = RwSignal::new(None::<(f64, f64)>);
    let failed = RwSignal::new(false);
    let declared = image
        .width
        .zip(image.height)
        .filter(|(w, h)| *w > 0.0 && *h > 0.0);
    let size = move || declared.or_else(|| natural.get());
    let controls = move || state.map(|s| s.controls.get()).unwrap_or_default();
    let path = image.path.clone();
    let caption = image.caption.clone();

    let boxes_image = image.clone();
    let boxes = move || {
        let (w, h) = size()?;
        let c = controls();
        let rects = boxes_image
            .box_layers
            .iter()
            .filter(|layer| !c.hidden_layers.contains(&layer.name))
            .flat_map(|layer| layer.boxes.iter().map(move |b| (layer.name.as_str(), b)))
            .filter(|(_, b)| !c.hidden_classes.contains(&b.class_id))
            .filter(|(_, b)| b.primary_score().is_none_or(|s| s.is_nan() || s >= c.score_threshold))
            .map(|(layer, b)| {
                let version_colour = layer_colour.as_ref().and_then(|f| f(layer));
                let base_layer = match version_colour {
                    Some(_) => layer.rsplit_once('@').map_or(layer, |(base, _)| base),
                    None => layer,
                };
                let name = state.map_or_else(|| format!("class_{}", b.class_id), |s| s.class_name(base_layer, b.class_id));
                let (x0, y0, x1, y1) = b.to_pixels(w, h);
                let score = b.primary_score();
                let label = match (&b.caption, score) {
                    (Some(cap), _) => cap.clone(),
                    (None, Some(s)) => format!("{name} {s:.2}"),
                    (None, None) => name.clone(),
                };
                let colour = version_colour.unwrap_or_else(|| class_colour(b.class_id));
                let text = large.then(|| {
                    view! { <text x=x0 y=(y0 - 2.0).max(8.0) fill=colour class="box-label">{label.clone()}</text> }
                });
                view! {
                    <rect class="box" x=x0 y=y0 width=(x1 - x0).max(0.0) height=(y1 - y0).max(0.0)
                          stroke=colour data-class=name data-layer=layer.to_string()
                          data-score=score.map(|s| s.to_string())
                          vector-effect="non-scaling-stroke">
                        <title>{format!("{layer}: {label}")}</title>
                    </rect>
                    {text}
                }
            })
            .collect_view();
        Some(view! {
            <svg class="overlay" viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none">{rects}</svg>
        })
    };

    let masks = image
        .mask_layers
        .iter()
        .map(|m| {
            let layer = m.name.clone();
            let hidden = {
                let layer = layer.clone();
                move || controls().hidden_layers.contains(&layer)
            };
            let path = m.path.clone();
            match media
                .url(&m.path)
                .map(|u| crate::local_files::translate(&u))
            {
                Ok(url) => view! {
                    <Show when=move || !hidden()>
                        <MaskLayer url=url.clone() path=path.clone() state=state />
                    </Show>
                }
                .into_any(),
                Err(e) => cell_error(e),
            }
        })
        .collect::<Vec<_>>();

    let aspect = move || {
        size()
            .map(|(w, h)| format!("{w} / {h}"))
            .unwrap_or_else(|| "1 / 1".into())
    };
    // The large view zooms (wheel, or +/−) and pans (drag); overlays move with the picture.
    let zoom = RwSignal::new(1.0_f64);
    let pan = RwSignal::new((0.0_f64, 0.0_f64));
    let drag = StoredValue::new(None::<(i32, i32)>);
    let transform = move || {
        let (x, y) = pan.get();
        large.then(|| format!("translate({x}px, {y}px) scale({})", zoom.get()))
    };
    let zoom_by = move |factor: f64| zoom.update(|z| *z = (*z * factor).clamp(1.0, 16.0));
    let zoom_controls = large.then(|| {
        view! {
            <div class="zoom-controls" role="group" aria-label="zoom">
                <button class="zoom-in" aria-label="zoom in" on:click=move |_| zoom_by(1.25)>"+"</button>
                <button class="zoom-out" aria-label="zoom out" on:click=move |_| zoom_by(0.8)>"−"</button>
                <button class="zoom-reset" on:click=move |_| { zoom.set(1.0); pan.set((0.0, 0.0)); }>"fit"</button>
                <span class="zoom-level">{move || format!("{:.0}%", zoom.get() * 100.0)}</span>
            </div>
        }
    });
    view! {
        <figure class=if large { "image-view large" } else { "image-view" }>
            {zoom_controls}
            <div class="frame" style:aspect-ratio=aspect style:transform=transform
                 on:wheel=move |e| {
                     if large {
                         e.prevent_default();
                         zoom_by(if e.delta_y() < 0.0 { 1.1 } else { 1.0 / 1.1 });
                     }
                 }
                 on:mousedown=move |e| if large { e.prevent_default(); drag.set_value(Some((e.client_x(), e.client_y()))) }
                 on:mouseup=move |_| drag.set_value(None)
                 on:mouseleave=move |_| drag.set_value(None)
                 on:mousemove=move |e| {
                     if let Some((x, y)) = drag.get_value() {
                         let (dx, dy) = (f64::from(e.client_x() - x), f64::from(e.client_y() - y));
                         pan.update(|(px, py)| { *px += dx; *py += dy; });
                         drag.set_value(Some((e.client_x(), e.client_y())));
                     }
                 }>
                <img src=url alt=caption.clone().unwrap_or_default() decoding="async"
                     on:load=move |ev| {
                         if let Some(img) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlImageElement>().ok()) {
                             natural.set(Some((f64::from(img.natural_width()), f64::from(img.natural_height()))));
                         }
                     }
                     on:error=move |_| failed.set(true) />
                {masks}
                {boxes}
            </div>
            {move || failed.get().then(|| cell_error(format!("could not load image {path}")))}
            {large.then(|| caption.map(|c| view! { <figcaption>{c}</figcaption> }))}
        </figure>
    }
}

/// Decoded class ids of a mask, kept so toggles recolour without refetching.
pub struct MaskPixels {
    pub width: u32,
    pub height: u32,
    pub ids: Vec<u8>,
}

/// One mask layer: a grayscale PNG (pixel = class id) painted in class colours.
/// Class 0 is left transparent (it is the background by W&B convention).
#[component]
fn MaskLayer(url: String, path: String, state: Option<ImageColumnState>) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let pixels = StoredValue::new_local(None::<MaskPixels>);
    let loaded = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let opacity = move || state.map_or(0.5, |s| s.controls.with(|c| c.mask_opacity));

    Effect::new(move |_| {
        let hidden = state
            .map(|s| s.controls.with(|c| c.hidden_classes.clone()))
            .unwrap_or_default();
        if !loaded.get() {
            return;
        }
        let Some(canvas) = canvas.get() else { return };
        pixels.with_value(|p| {
            if let Some(p) = p {
                paint_mask(&canvas, p, &hidden);
            }
        });
    });

    let on_load = move |ev: leptos::ev::Event| {
        let Some(img) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlImageElement>().ok())
        else {
            return;
        };
        match read_mask(&img) {
            Some(p) => {
                pixels.set_value(Some(p));
                loaded.set(true);
            }
            None => failed.set(true),
        }
    };
    view! {
        <img class="mask-source" src=url crossorigin="anonymous" alt="" on:load=on_load on:error=move |_| failed.set(true) />
        <canvas class="mask" node_ref=canvas style:opacity=move || opacity().to_string()></canvas>
        {move || failed.get().then(|| cell_error(format!("could not load mask {path}")))}
    }
}

pub fn context_2d(
    canvas: &web_sys::HtmlCanvasElement,
) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// The class id of every pixel of a loaded mask image.
pub fn read_mask(img: &web_sys::HtmlImageElement) -> Option<MaskPixels> {
    let (width, height) = (img.natural_width(), img.natural_height());
    if width == 0 || height == 0 {
        return None;
    }
    let doc = web_sys::window()?.document()?;
    let scratch: web_sys::HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    scratch.set_width(width);
    scratch.set_height(height);
    let ctx = context_2d(&scratch)?;
    ctx.draw_image_with_html_image_element(img, 0.0, 0.0).ok()?;
    let rgba = ctx
        .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
        .ok()?
        .data();
    // Grayscale PNGs decode to R = G = B = the class id.
    let ids = rgba.0.chunks_exact(4).map(|px| px[0]).collect();
    Some(MaskPixels { width, height, ids })
}

fn paint_mask(canvas: &web_sys::HtmlCanvasElement, p: &MaskPixels, hidden: &BTreeSet<i64>) {
    canvas.set_width(p.width);
    canvas.set_height(p.height);
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    let mut colours = [[0u8; 4]; 256];
    for (id, c) in colours.iter_mut().enumerate().skip(1) {
        if !hidden.contains(&(id as i64)) {
            let [r, g, b] = class_rgb(id as i64);
            *c = [r, g, b, 255];
        }
    }
    let mut rgba = Vec::with_capacity(p.ids.len() * 4);
    for &id in &p.ids {
        rgba.extend_from_slice(&colours[id as usize]);
    }
    if let Ok(data) =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), p.width, p.height)
    {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}
