//! Compared versions as charts (plotters on a canvas), in each version's colour:
//! a row's value per version (bars, or a sparkline from three versions on), a
//! group's mean and row count per version, and an aggregate per version over the
//! whole view. Values are also written to `data-values` so tests and assistive
//! tools read what the pixels show.

use leptos::prelude::*;
use loupe_core::compare::PRESENT_COLUMN;
use loupe_core::ops::{Agg, aggregate};
use loupe_core::value::format_float;
use loupe_core::{Column, DataType};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use crate::loader::LoadedTable;
use crate::palette::version_rgb;

const WIDTH: u32 = 120;
const HEIGHT: u32 = 40;

/// A column compared across versions: its base name and the table column of each version.
#[derive(Debug, Clone)]
pub struct VersionSeries {
    pub base: String,
    pub columns: Vec<Option<usize>>,
}

/// Every column compared across versions, in order of first appearance.
pub fn versioned_columns(loaded: &LoadedTable) -> Vec<VersionSeries> {
    let Some(info) = &loaded.compare else {
        return Vec::new();
    };
    let mut out: Vec<VersionSeries> = Vec::new();
    for (c, col) in loaded.table.columns.iter().enumerate() {
        let (Some(v), Some((base, _))) = (
            info.column_version.get(c).copied().flatten(),
            col.name.rsplit_once('@'),
        ) else {
            continue;
        };
        match out.iter_mut().find(|s| s.base == base) {
            Some(s) => s.columns[v] = Some(c),
            None => {
                let mut columns = vec![None; info.versions.len()];
                columns[v] = Some(c);
                out.push(VersionSeries {
                    base: base.to_string(),
                    columns,
                });
            }
        }
    }
    out
}

/// The float columns (scores, losses, probabilities) held by at least two
/// compared versions. Integer columns are left out: in predictions they are
/// mostly class ids, whose bars would mean nothing.
pub fn numeric_series(loaded: &LoadedTable) -> Vec<VersionSeries> {
    let mut out = versioned_columns(loaded);
    out.retain(|s| s.is_float(loaded) && s.columns.iter().flatten().count() >= 2);
    out
}

impl VersionSeries {
    /// Every version's column stores floats.
    pub fn is_float(&self, loaded: &LoadedTable) -> bool {
        self.columns
            .iter()
            .flatten()
            .all(|&c| loaded.table.columns[c].data_type() == DataType::Float)
    }

    /// The grid column's name.
    pub fn name(&self) -> String {
        format!("{} by version", self.base)
    }

    /// Each version's value in table row `row`.
    pub fn row_values(&self, loaded: &LoadedTable, row: usize) -> Vec<Option<f64>> {
        self.columns
            .iter()
            .map(|c| c.and_then(|c| loaded.table.columns[c].value(row).as_f64()))
            .collect()
    }

    /// Each version's mean over `members`.
    pub fn group_means(&self, loaded: &LoadedTable, members: &[u32]) -> Vec<Option<f64>> {
        self.columns
            .iter()
            .map(|c| {
                c.and_then(|c| aggregate(&loaded.table.columns[c], members, Agg::Mean).as_f64())
            })
            .collect()
    }
}

/// How many of `members` each version holds (from the `versions` column).
pub fn rows_per_version(loaded: &LoadedTable, members: &[u32]) -> Vec<Option<f64>> {
    let Some(info) = &loaded.compare else {
        return Vec::new();
    };
    let present: Option<&Column> = loaded.table.column(PRESENT_COLUMN);
    info.versions
        .iter()
        .map(|v| {
            let n = members
                .iter()
                .filter(|&&r| {
                    present
                        .and_then(|c| c.data().str_at(r as usize))
                        .is_some_and(|s| s.split(',').any(|x| x == v))
                })
                .count();
            Some(n as f64)
        })
        .collect()
}

/// One bar per version (a sparkline from three versions on), in version colours.
#[component]
pub fn VersionBars(
    values: Vec<Option<f64>>,
    versions: Vec<String>,
    label: String,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let text = values
        .iter()
        .map(|v| v.map(format_float).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(",");
    let spoken = versions
        .iter()
        .zip(&values)
        .map(|(v, x)| format!("{v} {}", x.map_or("—".to_string(), short)))
        .collect::<Vec<_>>()
        .join(", ");
    let line = values.len() >= 3;
    let for_draw = values.clone();
    Effect::new(move |_| {
        if let Some(el) = canvas.get() {
            // A canvas without a 2-D context stays blank; data-values and the label still say it.
            let _ = if line {
                draw_line(el, &for_draw)
            } else {
                draw_bars(el, &for_draw)
            };
        }
    });
    let numbers = (!line).then(|| {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let colour = crate::palette::version_colour(i);
                view! { <span class="vnum" style:color=colour>{v.map_or("—".to_string(), short)}</span> }
            })
            .collect_view()
    });
    view! {
        <span class="version-bars" data-values=text>
            <canvas class="chart" node_ref=canvas width=WIDTH height=HEIGHT role="img"
                    aria-label=format!("{label}: {spoken}")></canvas>
            <span class="vnums">{numbers}</span>
        </span>
    }
}

/// Short numbers for cells: 3 significant digits.
pub fn short(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{x:.0}")
    } else if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// Bars from 0 (or the smallest value, when negative) to each value.
fn draw_bars(canvas: web_sys::HtmlCanvasElement, values: &[Option<f64>]) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let (lo, hi) = range(values);
    let y = |x: f64| h - 1 - (((x - lo) / (hi - lo)) * f64::from(h - 1)).round() as i32;
    let n = values.len().max(1) as i32;
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v else { continue };
        let x0 = i as i32 * w / n + 2;
        let x1 = ((i as i32 + 1) * w / n - 2).max(x0);
        let (top, bottom) = (y(v.max(0.0).max(lo)), y(v.min(0.0).max(lo)));
        let [r, g, b] = version_rgb(i);
        root.draw(&Rectangle::new(
            [(x0, top.min(bottom - 1)), (x1, bottom)],
            RGBColor(r, g, b).filled(),
        ))
        .ok()?;
    }
    root.present().ok()
}

/// A line through the versions' values, each point in its version's colour.
fn draw_line(canvas: web_sys::HtmlCanvasElement, values: &[Option<f64>]) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let (lo, hi) = range(values);
    let n = values.len().max(2) as i32;
    let point = |i: usize, v: f64| {
        (
            4 + i as i32 * (w - 8) / (n - 1),
            h - 4 - (((v - lo) / (hi - lo)) * f64::from(h - 8)).round() as i32,
        )
    };
    let points: Vec<(i32, i32)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| point(i, v)))
        .collect();
    root.draw(&PathElement::new(
        points,
        RGBColor(110, 114, 128).stroke_width(1),
    ))
    .ok()?;
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let [r, g, b] = version_rgb(i);
            root.draw(&Circle::new(point(i, *v), 3, RGBColor(r, g, b).filled()))
                .ok()?;
        }
    }
    root.present().ok()
}

/// The value range to scale to, always including 0 for bars and never empty.
fn range(values: &[Option<f64>]) -> (f64, f64) {
    let finite = values.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi > lo { (lo, hi) } else { (lo, lo + 1.0) }
}
