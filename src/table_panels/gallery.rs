//! Image gallery: the images of the view in a grid with their overlays,
//! optionally in sections by a column or expression (`by=`).

use leptos::prelude::*;
use loupe_core::chart_data::eval_column;

use super::{TableChart, chart_error};
use crate::panels::CellContext;

/// Images per section (the grid shows the rest).
const PER_SECTION: usize = 24;
const SECTIONS: usize = 12;

#[component]
pub fn GalleryPanel(chart: TableChart) -> impl IntoView {
    let Some(of) = chart.arg("of") else {
        return chart_error("image gallery: choose an image column (of=)".into());
    };
    let Some(c) = chart.loaded.table.column_index(&of) else {
        return chart_error(format!("of: no image column `{of}`"));
    };
    let by = match chart
        .arg("by")
        .map(|b| eval_column(&chart.loaded.table, &b))
        .transpose()
    {
        Ok(b) => b,
        Err(e) => return chart_error(format!("by: {e}")),
    };
    // Sections in first-appearance order.
    let mut sections: Vec<(String, Vec<u32>)> = Vec::new();
    for &r in chart.rows.iter() {
        let key = by
            .as_ref()
            .map_or_else(String::new, |b| b.get(r as usize).display());
        match sections.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rows)) => rows.push(r),
            None => sections.push((key, vec![r])),
        }
    }
    let registry = crate::panels::current_registry();
    let ctx = CellContext {
        media: chart.loaded.media_of(c),
        image: None,
    };
    let column = &chart.loaded.table.columns[c];
    let body = sections
        .into_iter()
        .take(SECTIONS)
        .map(|(key, rows)| {
            let n = rows.len();
            let thumbs = rows
                .into_iter()
                .take(PER_SECTION)
                .map(|r| view! { <div class="thumb" data-row=r>{registry.render(&column.get(r as usize), &ctx)}</div> })
                .collect_view();
            let title = if key.is_empty() { format!("{n} images") } else { format!("{key} · {n}") };
            view! { <section class="gallery-section" data-key=key.clone()><h4>{title}</h4><div class="thumbs">{thumbs}</div></section> }
        })
        .collect_view();
    view! { <figure class="whole-chart gallery">{body}</figure> }.into_any()
}
