//! Lists of numbers (embeddings, per-class scores, small ndarrays): a
//! sparkline, a bar chart, or a heatmap for a list of equal-length rows.
//! Lists that are not numeric fall back to the tree view. The numbers also go
//! to `data-values` / `data-shape`, so tests read what the pixels show.

use leptos::prelude::*;
use loupe_core::Value;
use loupe_core::value::format_float;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::CellContext;

const LINE: RGBColor = RGBColor(59, 91, 219);

fn numbers(value: &Value) -> Option<Vec<f64>> {
    match value {
        Value::List(items) if !items.is_empty() => items.iter().map(Value::as_f64).collect(),
        _ => None,
    }
}

/// A list of equal-length numeric lists: (rows, columns, values row-major).
fn matrix(value: &Value) -> Option<(usize, usize, Vec<f64>)> {
    let Value::List(rows) = value else {
        return None;
    };
    let rows: Vec<Vec<f64>> = rows.iter().map(numbers).collect::<Option<_>>()?;
    let cols = rows.first()?.len();
    if rows.iter().any(|r| r.len() != cols) {
        return None;
    }
    Some((rows.len(), cols, rows.concat()))
}

fn canvas_view(
    kind: &'static str,
    label: String,
    data: String,
    shape: String,
    draw: impl Fn(web_sys::HtmlCanvasElement) + 'static,
) -> AnyView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = canvas.get() {
            draw(el);
        }
    });
    view! {
        <canvas class=format!("chart {kind}") node_ref=canvas width=160 height=48 role="img"
                aria-label=label data-panel=kind data-values=data data-shape=shape></canvas>
    }
    .into_any()
}

fn text_of(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format_float(*v))
        .collect::<Vec<_>>()
        .join(",")
}

fn range(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    }
}

pub fn sparkline(value: &Value, ctx: &CellContext) -> AnyView {
    let Some(v) = numbers(value) else {
        return super::nested::tree(value, ctx);
    };
    let label = format!("line of {} numbers", v.len());
    let (data, shape) = (text_of(&v), v.len().to_string());
    canvas_view("sparkline", label, data, shape, move |el| {
        let _ = draw_line(el, &v);
    })
}

pub fn bars(value: &Value, ctx: &CellContext) -> AnyView {
    let Some(v) = numbers(value) else {
        return super::nested::tree(value, ctx);
    };
    let label = format!("bars of {} numbers", v.len());
    let (data, shape) = (text_of(&v), v.len().to_string());
    canvas_view("bars", label, data, shape, move |el| {
        let _ = draw_bars(el, &v);
    })
}

pub fn heatmap(value: &Value, ctx: &CellContext) -> AnyView {
    let Some((rows, cols, v)) = matrix(value).or_else(|| numbers(value).map(|v| (1, v.len(), v)))
    else {
        return super::nested::tree(value, ctx);
    };
    let label = format!("heatmap {rows}×{cols}");
    let (data, shape) = (text_of(&v), format!("{rows}x{cols}"));
    canvas_view("heatmap", label, data, shape, move |el| {
        let _ = draw_heatmap(el, rows, cols, &v);
    })
}

fn draw_line(canvas: web_sys::HtmlCanvasElement, v: &[f64]) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let (lo, hi) = range(v);
    let n = (v.len().max(2) - 1) as f64;
    let points: Vec<(i32, i32)> = v
        .iter()
        .enumerate()
        .map(|(i, x)| {
            (
                (2.0 + i as f64 * (w - 4.0) / n) as i32,
                (h - 2.0 - (x - lo) / (hi - lo) * (h - 4.0)) as i32,
            )
        })
        .collect();
    root.draw(&PathElement::new(points, LINE.stroke_width(1)))
        .ok()?;
    root.present().ok()
}

fn draw_bars(canvas: web_sys::HtmlCanvasElement, v: &[f64]) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let (lo, hi) = range(v);
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let y = |x: f64| h - 1 - ((x - lo) / (hi - lo) * f64::from(h - 1)) as i32;
    let n = v.len() as i32;
    for (i, x) in v.iter().enumerate() {
        let x0 = i as i32 * w / n;
        let x1 = ((i as i32 + 1) * w / n - 1).max(x0);
        let (a, b) = (y(x.max(0.0)), y(x.min(0.0)));
        root.draw(&Rectangle::new(
            [(x0, a.min(b - 1)), (x1, b)],
            LINE.filled(),
        ))
        .ok()?;
    }
    root.present().ok()
}

fn draw_heatmap(
    canvas: web_sys::HtmlCanvasElement,
    rows: usize,
    cols: usize,
    v: &[f64],
) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    let (w, h) = root.dim_in_pixel();
    let (lo, hi) = range(v);
    for r in 0..rows {
        for c in 0..cols {
            let t = (v[r * cols + c] - lo) / (hi - lo);
            // White → blue.
            let shade = |full: f64| (255.0 - t * (255.0 - full)) as u8;
            let colour = RGBColor(shade(59.0), shade(91.0), shade(219.0));
            let x0 = (c as u32 * w / cols as u32) as i32;
            let x1 = ((c as u32 + 1) * w / cols as u32) as i32;
            let y0 = (r as u32 * h / rows as u32) as i32;
            let y1 = ((r as u32 + 1) * h / rows as u32) as i32;
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], colour.filled()))
                .ok()?;
        }
    }
    root.present().ok()
}

/// Any value as its JSON text (what the SDK wrote), for inspecting the raw data.
pub fn raw_json(value: &Value, _ctx: &CellContext) -> AnyView {
    let text = loupe_core::json::to_string(&loupe_core::export::value_to_json(value), true);
    view! { <pre class="raw-json" data-panel="json">{text}</pre> }.into_any()
}
