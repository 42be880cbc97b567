//! Point clouds (`Object3D` `.pts.json`, with lidar boxes) and molecules (PDB
//! atoms) as an orbiting 3-D point view on a canvas: drag to turn it. Files
//! the core cannot read become a per-cell error naming the file, with a link.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::points3d::{PointCloud, parse_pdb, parse_pts};
use loupe_core::{MediaKind, Value};

use super::image::context_2d;
use super::media::resolve;
use super::{CellContext, cell_error};
use crate::fetch::fetch_bytes;
use crate::palette::class_colour;

const SIZE: u32 = 160;

/// The 12 edges of a W&B box given as 8 corners (bottom face, then top face).
const EDGES: [(usize, usize); 12] = [
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 0),
    (4, 5),
    (5, 6),
    (6, 7),
    (7, 4),
    (0, 4),
    (1, 5),
    (2, 6),
    (3, 7),
];

fn parse(kind: MediaKind, path: &str, bytes: &[u8]) -> Result<PointCloud, String> {
    match kind {
        MediaKind::Object3D => parse_pts(bytes).map_err(|e| e.to_string()),
        MediaKind::Molecule if path.to_ascii_lowercase().ends_with(".pdb") => {
            Ok(parse_pdb(&String::from_utf8_lossy(bytes)))
        }
        _ => Err(format!(
            "no 3-D view for .{} files (open the file instead)",
            path.rsplit('.').next().unwrap_or("")
        )),
    }
}

pub fn point_cloud(value: &Value, ctx: &CellContext) -> AnyView {
    let (m, url) = match resolve(value, ctx) {
        Ok(ok) => ok,
        Err(view) => return view,
    };
    let cloud = RwSignal::new(None::<Result<Arc<PointCloud>, String>>);
    let (kind, path, fetch_url) = (m.kind, m.path.clone(), url.clone());
    spawn_local(async move {
        let result = match fetch_bytes(&fetch_url, |_, _| {}).await {
            Err(e) => Err(format!("could not load {path}: {e}")),
            Ok(bytes) => parse(kind, &path, &bytes)
                .map(Arc::new)
                .map_err(|e| format!("{path}: {e}")),
        };
        cloud.set(Some(result));
    });
    let angles = RwSignal::new((0.6_f64, 0.35_f64));
    let last = StoredValue::new(None::<(i32, i32)>);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let (yaw, pitch) = angles.get();
        if let (Some(el), Some(Ok(c))) = (canvas.get(), cloud.get()) {
            draw(&el, &c, yaw, pitch);
        }
    });
    let link_label = m.path.rsplit('/').next().unwrap_or(&m.path).to_string();
    let path = m.path.clone();
    view! {
        <div class="media points" data-panel="point-cloud">
            {move || match cloud.get() {
                Some(Err(e)) => cell_error(e),
                Some(Ok(c)) => view! {
                    <span class="points-count" data-points=c.points.len() data-boxes=c.boxes.len()>
                        {format!("{} points", c.points.len())}
                    </span>
                }.into_any(),
                None => view! { <span class="loading">"loading…"</span> }.into_any(),
            }}
            <canvas node_ref=canvas width=SIZE height=SIZE role="img" aria-label=format!("3-D view of {path}")
                    title="drag to turn"
                    on:mousedown=move |e| last.set_value(Some((e.client_x(), e.client_y())))
                    on:mouseup=move |_| last.set_value(None)
                    on:mouseleave=move |_| last.set_value(None)
                    on:mousemove=move |e| {
                        if let Some((x, y)) = last.get_value() {
                            let (dx, dy) = (e.client_x() - x, e.client_y() - y);
                            angles.update(|(yaw, pitch)| {
                                *yaw += f64::from(dx) * 0.01;
                                *pitch = (*pitch + f64::from(dy) * 0.01).clamp(-1.5, 1.5);
                            });
                            last.set_value(Some((e.client_x(), e.client_y())));
                        }
                    }></canvas>
            <a class="file-link" href=url target="_blank" rel="noopener noreferrer">{link_label}</a>
        </div>
    }
    .into_any()
}

/// Orthographic view after turning by `yaw` (around y) and `pitch` (around x);
/// far points first so near ones stay on top.
fn draw(canvas: &web_sys::HtmlCanvasElement, c: &PointCloud, yaw: f64, pitch: f64) {
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    let size = f64::from(SIZE);
    ctx.clear_rect(0.0, 0.0, size, size);
    let all: Vec<[f64; 3]> = c
        .points
        .iter()
        .map(|p| p.xyz)
        .chain(c.boxes.iter().flat_map(|b| b.corners.iter().copied()))
        .collect();
    if all.is_empty() {
        return;
    }
    let n = all.len() as f64;
    let centre = [0, 1, 2].map(|k| all.iter().map(|p| p[k]).sum::<f64>() / n);
    let radius = all
        .iter()
        .map(|p| {
            (0..3)
                .map(|k| (p[k] - centre[k]).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .fold(1e-9, f64::max);
    // The browser's sine: Rust's would link a software one into the bundle (~3 KB gzipped).
    let (sin, cos) = (js_sys::Math::sin, js_sys::Math::cos);
    let (sy, cy, sp, cp) = (sin(yaw), cos(yaw), sin(pitch), cos(pitch));
    let project = |p: [f64; 3]| {
        let (x, y, z) = (p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]);
        let (x, z) = (x * cy + z * sy, -x * sy + z * cy);
        let (y, z) = (y * cp - z * sp, y * sp + z * cp);
        let scale = size * 0.45 / radius;
        (size / 2.0 + x * scale, size / 2.0 - y * scale, z)
    };
    let mut points: Vec<(f64, f64, f64, String)> = c
        .points
        .iter()
        .map(|p| {
            let (x, y, z) = project(p.xyz);
            let colour = match (p.rgb, p.category) {
                (Some([r, g, b]), _) => format!("rgb({r},{g},{b})"),
                (None, Some(cat)) => class_colour(cat).to_string(),
                (None, None) => "#3b5bdb".to_string(),
            };
            (x, y, z, colour)
        })
        .collect();
    points.sort_by(|a, b| a.2.total_cmp(&b.2));
    for (x, y, _, colour) in &points {
        ctx.set_fill_style_str(colour);
        ctx.fill_rect(x - 1.0, y - 1.0, 2.5, 2.5);
    }
    for b in &c.boxes {
        let colour = b.rgb.map_or("#22c55e".to_string(), |[r, g, b]| {
            format!("rgb({r},{g},{b})")
        });
        ctx.set_stroke_style_str(&colour);
        ctx.begin_path();
        for (i, j) in EDGES {
            if let (Some(&a), Some(&bb)) = (b.corners.get(i), b.corners.get(j)) {
                let (ax, ay, _) = project(a);
                let (bx, by, _) = project(bb);
                ctx.move_to(ax, ay);
                ctx.line_to(bx, by);
            }
        }
        ctx.stroke();
    }
}
