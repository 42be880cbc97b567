//! Histogram of a numeric expression, and a bar chart of a categorical one.

use leptos::prelude::*;
use loupe_core::chart_data::eval_column;
use loupe_core::ops::{histogram, top_values};
use loupe_core::value::format_float;

use super::{TableChart, chart_error};
use crate::charts::BarsChart;

const BINS: usize = 30;
const TOP: usize = 30;

#[component]
pub fn HistogramPanel(chart: TableChart) -> impl IntoView {
    let Some(of) = chart.arg("of") else {
        return chart_error("histogram: choose a numeric column or expression (of=)".into());
    };
    let col = match eval_column(&chart.loaded.table, &of) {
        Ok(c) => c,
        Err(e) => return chart_error(format!("of: {e}")),
    };
    let Some(h) = histogram(&col, &chart.rows, BINS) else {
        return chart_error(format!("`{of}` has no numbers in view"));
    };
    let counts: Vec<f64> = h.counts.iter().map(|&c| c as f64).collect();
    let label = format!("histogram of {of}");
    let (lo, hi) = (h.edges[0], h.edges[h.edges.len() - 1]);
    view! {
        <figure class="whole-chart histogram">
            <BarsChart counts label />
            <figcaption>{format!("{of}: {} to {} · {} values", format_float(lo), format_float(hi), h.counts.iter().sum::<u64>())}</figcaption>
        </figure>
    }
    .into_any()
}

#[component]
pub fn BarPanel(chart: TableChart) -> impl IntoView {
    let Some(of) = chart.arg("of") else {
        return chart_error("bar chart: choose a column or expression (of=)".into());
    };
    let col = match eval_column(&chart.loaded.table, &of) {
        Ok(c) => c,
        Err(e) => return chart_error(format!("of: {e}")),
    };
    let top = top_values(&col, &chart.rows, TOP);
    let max = top.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let bars = top
        .into_iter()
        .map(|(value, n)| {
            let pct = n as f64 * 100.0 / max as f64;
            view! {
                <div class="hbar" data-value=value.clone() data-count=n>
                    <span class="hbar-label">{value.clone()}</span>
                    <span class="hbar-track"><span class="hbar-fill" style:width=format!("{pct:.1}%")></span></span>
                    <span class="hbar-count">{n}</span>
                </div>
            }
        })
        .collect_view();
    view! { <figure class="whole-chart bar" aria-label=format!("counts of {of}")>{bars}<figcaption>{format!("rows by {of}")}</figcaption></figure> }
        .into_any()
}
