//! Small charts drawn with plotters on a canvas (plotters-canvas backend).
//!
//! The counts are also written to `data-counts`, so tests and assistive tools
//! can read what the pixels show.

use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// Pixel size of the drawing buffer; CSS scales the element.
const WIDTH: u32 = 240;
const HEIGHT: u32 = 48;
const BAR: RGBColor = RGBColor(59, 91, 219);

/// A bar per bin, heights relative to the largest bin.
#[component]
pub fn BarsChart(counts: Vec<f64>, label: String) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let text = counts
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",");
    Effect::new(move |_| {
        if let Some(el) = canvas.get() {
            // A canvas that cannot get a 2-D context just stays blank; the label still says it all.
            let _ = draw_bars(el, &counts);
        }
    });
    view! {
        <canvas class="chart bars-chart" node_ref=canvas width=WIDTH height=HEIGHT role="img"
                aria-label=label data-counts=text></canvas>
    }
}

fn draw_bars(canvas: web_sys::HtmlCanvasElement, counts: &[f64]) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    let (w, h) = root.dim_in_pixel();
    let n = counts.len().max(1) as i32;
    let max = counts.iter().copied().fold(0.0_f64, f64::max);
    if max <= 0.0 {
        return root.present().ok();
    }
    let (w, h) = (w as i32, h as i32);
    for (i, &c) in counts.iter().enumerate() {
        let x0 = i as i32 * w / n;
        let x1 = ((i as i32 + 1) * w / n - 1).max(x0);
        let top = h - ((c / max) * f64::from(h)).round() as i32;
        if c > 0.0 {
            root.draw(&Rectangle::new(
                [(x0, top.min(h - 1)), (x1, h)],
                BAR.filled(),
            ))
            .ok()?;
        }
    }
    root.present().ok()
}
