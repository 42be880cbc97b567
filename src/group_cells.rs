//! Grouped cells: what a column shows for one group's member rows.
//! Numbers: a histogram and the mean; categories: a bar chart of counts;
//! images: a small gallery; anything else: how many values. Each is also a
//! registered group-level panel, so a column can be switched to another.

use leptos::prelude::*;
use loupe_core::ops::{Agg, aggregate, distinct_up_to, histogram, top_values};
use loupe_core::value::format_float;
use loupe_core::{Column, DataType, ValueKind};

use crate::charts::BarsChart;
use crate::panels::{CellContext, PanelRegistry};

const HISTOGRAM_BINS: usize = 12;
pub const TOP_CATEGORIES: usize = 5;
const GALLERY_IMAGES: usize = 4;

/// Integer columns with at most this many distinct values in a group are
/// categories (class ids, labels) and get a bar chart, not a histogram.
const CATEGORICAL_INTS: usize = 16;

/// The summary a column's group cell shows unless another panel is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupCellKind {
    Categories,
    Numbers,
    Gallery,
    Count,
}

pub fn default_kind(col: &Column, members: &[u32]) -> GroupCellKind {
    match col.data_type() {
        DataType::Int if distinct_up_to(col, members, CATEGORICAL_INTS + 1) <= CATEGORICAL_INTS => {
            GroupCellKind::Categories
        }
        t if t.is_numeric() => GroupCellKind::Numbers,
        DataType::String | DataType::Bool => GroupCellKind::Categories,
        DataType::Nested(ValueKind::Image) => GroupCellKind::Gallery,
        _ => GroupCellKind::Count,
    }
}

pub fn group_cell(
    col: &Column,
    members: &[u32],
    ctx: &CellContext,
    registry: &PanelRegistry,
) -> AnyView {
    match default_kind(col, members) {
        GroupCellKind::Categories => categories(col, members, ctx, registry),
        GroupCellKind::Numbers => numbers(col, members, ctx, registry),
        GroupCellKind::Gallery => gallery(col, members, ctx, registry),
        GroupCellKind::Count => count(col, members, ctx, registry),
    }
}

/// How many values the group has (any column).
pub fn count(col: &Column, members: &[u32], _: &CellContext, _: &PanelRegistry) -> AnyView {
    let n = aggregate(col, members, Agg::CountValid);
    view! { <span class="agg other">{format!("{} values", n.display())}</span> }.into_any()
}

pub fn numbers(col: &Column, members: &[u32], _: &CellContext, _: &PanelRegistry) -> AnyView {
    let mean = aggregate(col, members, Agg::Mean).as_f64();
    let Some(h) = histogram(col, members, HISTOGRAM_BINS) else {
        return view! { <span class="agg num null">"no numbers"</span> }.into_any();
    };
    let mean_text = mean.map_or_else(|| "mean —".to_string(), |m| format!("mean {}", short(m)));
    let label = format!(
        "histogram of {} values from {} to {}",
        members.len(),
        format_float(h.edges[0]),
        format_float(h.edges[h.edges.len() - 1])
    );
    let counts = h.counts.iter().map(|&c| c as f64).collect();
    view! {
        <div class="agg num">
            <BarsChart counts label />
            <span class="mean">{mean_text}</span>
        </div>
    }
    .into_any()
}

fn short(x: f64) -> String {
    if x.abs() >= 1000.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

pub fn categories(col: &Column, members: &[u32], _: &CellContext, _: &PanelRegistry) -> AnyView {
    bars(top_values(col, members, TOP_CATEGORIES))
}

/// A bar chart of the most frequent values and their counts.
pub fn bars(top: Vec<(String, usize)>) -> AnyView {
    let max = top.first().map_or(1, |(_, n)| *n).max(1) as f64;
    let bars = top
        .into_iter()
        .map(|(value, n)| {
            let pct = n as f64 / max * 100.0;
            view! {
                <div class="bar" data-value=value.clone() title=format!("{value}: {n}")>
                    <span class="bar-fill" style:width=format!("{pct:.1}%")></span>
                    <span class="bar-label">{value.clone()}</span>
                    <span class="bar-count">{n}</span>
                </div>
            }
        })
        .collect_view();
    view! { <div class="agg bars">{bars}</div> }.into_any()
}

pub fn gallery(
    col: &Column,
    members: &[u32],
    ctx: &CellContext,
    registry: &PanelRegistry,
) -> AnyView {
    let thumbs = members
        .iter()
        .take(GALLERY_IMAGES)
        .map(|&r| view! { <div class="thumb">{registry.render(&col.value(r as usize), ctx)}</div> })
        .collect_view();
    view! { <div class="agg gallery">{thumbs}</div> }.into_any()
}
