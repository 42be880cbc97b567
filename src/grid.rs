//! The virtualized grid: only rows in view are in the DOM; sticky header,
//! resizable columns, row numbers. Cells are drawn by the panel registry.
//!
//! DOM contract (README): `role="grid"` with `aria-rowcount` (rows + header) and
//! `aria-colcount`; `role="columnheader"` cells whose text is the column name;
//! `role="row"` with `aria-rowindex`; `role="gridcell"` cells.

use std::sync::Arc;

use leptos::ev;
use leptos::html::Div;
use leptos::leptos_dom::helpers::window_event_listener;
use leptos::prelude::*;

use crate::image_state::ImageColumnState;
use crate::loader::LoadedTable;
use crate::panels::{CellContext, PanelRegistry};

/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
const OVERSCAN_ROWS: usize = 6;
const ROW_NUMBER_WIDTH: f64 = 56.0;
const MIN_COLUMN_WIDTH: f64 = 48.0;

#[component]
pub fn Grid(
    loaded: Arc<LoadedTable>,
    image_states: Vec<Option<ImageColumnState>>,
) -> impl IntoView {
    let registry =
        use_context::<Arc<PanelRegistry>>().unwrap_or_else(|| Arc::new(PanelRegistry::builtin()));
    let table = &loaded.table;
    let nrows = table.row_count();
    let ncols = table.columns.len();
    let visual = table
        .columns
        .iter()
        .any(|c| c.kind().is_some_and(|k| k.is_visual()));
    let row_height = if visual { 100.0 } else { 30.0 };
    let widths = RwSignal::new(
        table
            .columns
            .iter()
            .map(|c| {
                if c.kind().is_some_and(|k| k.is_visual()) {
                    132.0
                } else {
                    150.0
                }
            })
            .collect::<Vec<f64>>(),
    );
    let template = Memo::new(move |_| {
        widths.with(|w| {
            std::iter::once(ROW_NUMBER_WIDTH)
                .chain(w.iter().copied())
                .map(|px| format!("{px}px"))
                .collect::<Vec<_>>()
                .join(" ")
        })
    });

    // Virtualization: the visible row range follows scroll position and viewport height.
    let scroller = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0);
    let viewport = RwSignal::new(900.0);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            viewport.set(f64::from(el.client_height()));
        }
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    let range = Memo::new(move |_| {
        let first = (scroll_top.get() / row_height) as usize;
        let shown = (viewport.get() / row_height).ceil() as usize + 1;
        (
            first.saturating_sub(OVERSCAN_ROWS),
            (first + shown + OVERSCAN_ROWS).min(nrows),
        )
    });

    // Column resizing: drag a header's right edge.
    let drag = StoredValue::new(None::<(usize, f64, f64)>);
    let moving = window_event_listener(ev::mousemove, move |e| {
        if let Some((col, start_x, start_w)) = drag.get_value() {
            let w = (start_w + f64::from(e.client_x()) - start_x).max(MIN_COLUMN_WIDTH);
            widths.update(|ws| ws[col] = w);
        }
    });
    let released = window_event_listener(ev::mouseup, move |_| drag.set_value(None));
    on_cleanup(move || {
        resize.remove();
        moving.remove();
        released.remove();
    });

    let headers = table
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let name = col.name.clone();
            let kind = col.kind_label();
            view! {
                <div role="columnheader" class="cell head" aria-colindex=c + 1 data-kind=kind title=format!("{name} ({kind})")>
                    <span class="name">{name.clone()}</span>
                    <div class="resize" aria-hidden="true" on:mousedown=move |e| {
                        e.prevent_default();
                        let w = widths.with_untracked(|ws| ws[c]);
                        drag.set_value(Some((c, f64::from(e.client_x()), w)));
                    }></div>
                </div>
            }
        })
        .collect_view();

    let contexts: Arc<Vec<CellContext>> = Arc::new(
        (0..ncols)
            .map(|c| CellContext {
                root: Arc::from(loaded.root.as_str()),
                image: image_states.get(c).copied().flatten(),
            })
            .collect(),
    );
    let row_table = loaded.clone();
    let render_row = move |r: usize| {
        let cells = row_table
            .table
            .columns
            .iter()
            .zip(contexts.iter())
            .enumerate()
            .map(|(c, (col, ctx))| {
                view! {
                    <div role="gridcell" class="cell" aria-colindex=c + 1>{registry.render(&col.value(r), ctx)}</div>
                }
            })
            .collect_view();
        view! {
            <div role="row" class="row" aria-rowindex=r + 2
                 style:top=format!("{}px", r as f64 * row_height)
                 style:height=format!("{row_height}px")
                 style:grid-template-columns=move || template.get()>
                <div role="rowheader" class="cell rownum">{r}</div>
                {cells}
            </div>
        }
    };

    view! {
        <div class="grid" role="grid" aria-rowcount=nrows + 1 aria-colcount=ncols node_ref=scroller
             class:visual=visual
             on:scroll=move |e| {
                 let el: web_sys::HtmlElement = event_target(&e);
                 scroll_top.set(f64::from(el.scroll_top()));
             }>
            <div role="rowgroup" class="grid-head">
                <div role="row" class="row head" aria-rowindex=1 style:grid-template-columns=move || template.get()>
                    <div class="cell head rownum" aria-hidden="true">"#"</div>
                    {headers}
                </div>
            </div>
            <div role="rowgroup" class="grid-body" style:height=format!("{}px", nrows as f64 * row_height)>
                <For each=move || { let (a, b) = range.get(); a..b } key=|r| *r children=render_row />
            </div>
            {(nrows == 0).then(|| view! { <p class="empty">"This table has no rows."</p> })}
        </div>
    }
}
