//! Scatter plot (x/y/colour expressions) and the embedding projector (a list
//! column projected to 2-D by PCA in the core). Both draw points on a canvas in
//! category colours; hovering finds the nearest point and shows its row (and,
//! in the projector, its image).

use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::chart_data::{ScatterPoint, eval_column, keys, scatter};
use loupe_core::pca::project_2d;
use loupe_core::{Value, ValueKind};

use super::{TableChart, chart_error};
use crate::palette::class_colour;
use crate::panels::CellContext;

const W: f64 = 560.0;
const H: f64 = 320.0;
const PAD: f64 = 12.0;

#[component]
pub fn ScatterPanel(chart: TableChart) -> impl IntoView {
    let (Some(x), Some(y)) = (chart.arg("x"), chart.arg("y")) else {
        return chart_error("scatter plot: choose x= and y= (columns or expressions)".into());
    };
    match scatter(&chart.loaded.table, &chart.rows, &x, &y, chart.arg("color").as_deref()) {
        Ok(points) => view! { <PointsCanvas chart points label=format!("{y} against {x}") with_image=false /> }.into_any(),
        Err(e) => chart_error(e),
    }
}

#[component]
pub fn ProjectorPanel(chart: TableChart) -> impl IntoView {
    let Some(of) = chart.arg("of") else {
        return chart_error("embedding projector: choose a column of number lists (of=)".into());
    };
    let col = match eval_column(&chart.loaded.table, &of) {
        Ok(c) => c,
        Err(e) => return chart_error(format!("of: {e}")),
    };
    let projected = match project_2d(&col, &chart.rows) {
        Ok(p) => p,
        Err(e) => return chart_error(e),
    };
    let colour_col = match chart
        .arg("color")
        .map(|c| eval_column(&chart.loaded.table, &c))
        .transpose()
    {
        Ok(c) => c,
        Err(e) => return chart_error(format!("color: {e}")),
    };
    let points: Vec<ScatterPoint> = chart
        .rows
        .iter()
        .zip(projected)
        .filter_map(|(&row, p)| {
            let [x, y] = p?;
            Some(ScatterPoint {
                row,
                x,
                y,
                key: colour_col.as_ref().map(|c| c.get(row as usize).display()),
            })
        })
        .collect();
    view! { <PointsCanvas chart points label=format!("PCA of {of}") with_image=true /> }.into_any()
}

#[component]
fn PointsCanvas(
    chart: TableChart,
    points: Vec<ScatterPoint>,
    label: String,
    with_image: bool,
) -> impl IntoView {
    let legend_keys = keys(&points);
    let colour_of = {
        let legend_keys = legend_keys.clone();
        move |p: &ScatterPoint| {
            p.key
                .as_ref()
                .and_then(|k| legend_keys.iter().position(|x| x == k))
                .map_or("#3b5bdb", |i| class_colour(i as i64))
        }
    };
    let (lo_x, hi_x) = extent(points.iter().map(|p| p.x));
    let (lo_y, hi_y) = extent(points.iter().map(|p| p.y));
    let to_px = move |p: &ScatterPoint| {
        (
            PAD + (p.x - lo_x) / (hi_x - lo_x) * (W - 2.0 * PAD),
            H - PAD - (p.y - lo_y) / (hi_y - lo_y) * (H - 2.0 * PAD),
        )
    };
    let points = Arc::new(points);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let draw_points = points.clone();
    let draw_colour = colour_of.clone();
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        let Some(ctx) = crate::panels::context_2d(&el) else {
            return;
        };
        ctx.clear_rect(0.0, 0.0, W, H);
        for p in draw_points.iter() {
            let (x, y) = to_px(p);
            ctx.set_fill_style_str(draw_colour(p));
            ctx.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
        }
    });
    let hovered = RwSignal::new(None::<usize>);
    let hover_points = points.clone();
    let on_move = move |e: leptos::ev::MouseEvent| {
        let (mx, my) = (f64::from(e.offset_x()), f64::from(e.offset_y()));
        let nearest = hover_points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (x, y) = to_px(p);
                (i, (x - mx).powi(2) + (y - my).powi(2))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|(_, d)| *d < 100.0)
            .map(|(i, _)| i);
        hovered.set(nearest);
    };
    let tip_points = points.clone();
    let tip = move || {
        let p = tip_points.get(hovered.get()?)?.clone();
        Some(tooltip(&chart, &p, with_image))
    };
    let legend = legend_keys
        .iter()
        .enumerate()
        .take(20)
        .map(|(i, k)| view! { <span class="legend-key"><span class="swatch" style:background=class_colour(i as i64)></span>{k.clone()}</span> })
        .collect_view();
    view! {
        <figure class="whole-chart points">
            <div class="points-frame">
                <canvas node_ref=canvas width=W as u32 height=H as u32 role="img" aria-label=label.clone()
                        data-points=points.len() on:mousemove=on_move on:mouseleave=move |_| hovered.set(None)></canvas>
                {tip}
            </div>
            <figcaption>{label}" · "{points.len()}" points"<span class="chart-legend">{legend}</span></figcaption>
        </figure>
    }
}

/// The hovered row: its number, colour key, and (projector) its image.
fn tooltip(chart: &TableChart, p: &ScatterPoint, with_image: bool) -> AnyView {
    let image = with_image
        .then(|| {
            let c = chart
                .loaded
                .table
                .columns
                .iter()
                .position(|c| c.kind() == Some(ValueKind::Image))?;
            let value: Value = chart.loaded.table.columns[c].get(p.row as usize);
            let ctx = CellContext {
                media: chart.loaded.media_of(c),
                image: None,
            };
            let registry = crate::panels::current_registry();
            Some(registry.render(&value, &ctx))
        })
        .flatten();
    view! {
        <div class="point-tip" data-row=p.row>
            <span>{format!("row {}", p.row)}</span>
            {p.key.clone().map(|k| view! { <span class="tip-key">{k}</span> })}
            {image}
        </div>
    }
    .into_any()
}

fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if hi > lo {
        (lo, hi)
    } else if lo.is_finite() {
        (lo - 1.0, lo + 1.0)
    } else {
        (0.0, 1.0)
    }
}
