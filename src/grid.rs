//! The virtualized grid: only rows in view are in the DOM; sticky header,
//! resizable columns, row numbers. It renders a `GridModel` and knows nothing
//! of tables or queries: the model says what each cell shows.
//!
//! DOM contract (README): `role="grid"` with `aria-rowcount` (rows + header) and
//! `aria-colcount`; `role="columnheader"` cells whose text is the column name;
//! `role="row"` with `aria-rowindex`; `role="gridcell"` cells.

use std::sync::Arc;

use leptos::ev;
use leptos::html::Div;
use leptos::leptos_dom::helpers::window_event_listener;
use leptos::prelude::*;

/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
const OVERSCAN_ROWS: usize = 6;
/// New rows drawn per frame at most (`row_steps`): two-thirds of a screenful.
const NEW_ROWS_PER_FRAME: usize = 20;
const ROW_NUMBER_WIDTH: f64 = 64.0;
const MIN_COLUMN_WIDTH: f64 = 48.0;
/// Default column widths: plain, and thumbnails or players.
const COLUMN_WIDTH: f64 = 150.0;
const VISUAL_COLUMN_WIDTH: f64 = 132.0;

/// A cell's width: its column's variable, set on the grid.
fn column_width(column: usize) -> String {
    format!("var(--c{column})")
}

/// How many leading columns a grid `width` px wide shows at most (at default widths).
pub fn columns_that_fit(width: f64) -> usize {
    ((width - ROW_NUMBER_WIDTH) / VISUAL_COLUMN_WIDTH)
        .ceil()
        .max(1.0) as usize
}

pub type CellRenderer = Arc<dyn Fn(usize) -> AnyView + Send + Sync>;

/// One column of the grid.
#[derive(Clone)]
pub struct GridColumn {
    pub name: String,
    /// Short type label shown after the name (not part of the header's text).
    pub kind: &'static str,
    /// Tall rows (thumbnails, players).
    pub visual: bool,
    /// `Some(descending)` when the view is sorted by this column.
    pub sorted: Option<bool>,
    /// The compared version this column belongs to (its colour marks the header).
    pub version: Option<usize>,
    /// A chart across versions: shown in the merged view, not in side-by-side panes.
    pub across_versions: bool,
    /// Draws the cell of view row `i`.
    pub render: CellRenderer,
}

impl GridModel {
    /// The columns of compared version `v` plus the shared ones (key, `versions`):
    /// one pane of the side-by-side view.
    pub fn pane(&self, v: usize) -> GridModel {
        let mut pane = self.clone();
        pane.columns
            .retain(|c| c.version == Some(v) || (c.version.is_none() && !c.across_versions));
        pane
    }
}

/// What the grid shows; rebuilt by the app whenever the view changes.
#[derive(Clone)]
pub struct GridModel {
    /// Changes whenever the content changes, so rows re-render.
    pub version: u64,
    pub columns: Vec<GridColumn>,
    pub rows: usize,
    /// The label in the row-number column (the table row, or the group number).
    pub row_label: Arc<dyn Fn(usize) -> String + Send + Sync>,
}

#[component]
pub fn Grid(
    model: Signal<GridModel>,
    /// Called with (column index, x, y) when a header is clicked (opens its menu).
    #[prop(optional)]
    on_header: Option<Callback<(usize, f64, f64)>>,
    /// Shared scroll position (top, left): grids given the same signal scroll together.
    #[prop(optional)]
    scroll_sync: Option<RwSignal<(i32, i32)>>,
    /// The row shown at the top when the rows are first drawn.
    #[prop(optional)]
    start_row: usize,
    /// Called when the user scrolls to the last row (`true`) or back to the first
    /// (`false`): a paged table loads the next or previous part.
    #[prop(optional_no_strip)]
    on_edge: Option<Callback<bool>>,
) -> impl IntoView {
    let visual = Memo::new(move |_| model.with(|m| m.columns.iter().any(|c| c.visual)));
    let row_height = move || if visual.get() { 100.0 } else { 30.0 };
    // Column widths live in the URL (`w=<px>:<column>`), so a shared link keeps them.
    let widths = RwSignal::new(crate::url_state::widths_from_url());
    let width_of = move |c: &GridColumn| {
        widths
            .with(|w| w.get(&c.name).copied())
            .unwrap_or(if c.visual {
                VISUAL_COLUMN_WIDTH
            } else {
                COLUMN_WIDTH
            })
    };
    // Column widths as CSS variables on the grid (`--c<i>`, `--rownum`), which
    // each cell's width names: a resize restyles one element, and rows are
    // flex rows of fixed-width cells (a CSS grid per row took a third more
    // layout time for each new screenful of rows).
    let column_widths = Memo::new(move |_| {
        model.with(|m| {
            let mut vars = format!("--rownum:{ROW_NUMBER_WIDTH}px");
            for (c, col) in m.columns.iter().enumerate() {
                vars.push_str(&format!(";--c{c}:{}px", width_of(col)));
            }
            vars
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
    let resize = window_event_listener(ev::resize, move |_| measure());
    // Follow the shared scroll position (set by a sibling grid).
    Effect::new(move |_| {
        let (Some(sync), Some(el)) = (scroll_sync, scroller.get()) else {
            return;
        };
        let (top, left) = sync.get();
        if el.scroll_top() != top {
            el.set_scroll_top(top);
        }
        if el.scroll_left() != left {
            el.set_scroll_left(left);
        }
    });
    // The rows are drawn in a task of their own, after the page around the
    // grid: one task building both blocked the page for ~2× as long. The
    // viewport is measured then too: reading its height while the page is
    // still being built would force a layout of all of it mid-task.
    let rows_due = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        loupe_web::next_task().await;
        measure();
        if start_row > 0
            && let Some(el) = scroller.get_untracked()
        {
            let top = start_row as f64 * row_height();
            el.set_scroll_top(top as i32);
            scroll_top.set(top);
        }
        // (The grid may be gone by then: `try_set` ignores a disposed signal.)
        let _ = rows_due.try_set(true);
    });
    // The rows wanted (with overscan) and the first one in view.
    let range = Memo::new(move |_| {
        if !rows_due.get() {
            return (0..0, 0);
        }
        let h = row_height();
        let n = model.with(|m| m.rows);
        let first = (scroll_top.get() / h) as usize;
        let shown = (viewport.get() / h).ceil() as usize + 1;
        let end = (first + shown + OVERSCAN_ROWS).min(n);
        (first.saturating_sub(OVERSCAN_ROWS).min(end)..end, first)
    });
    // The rows drawn: they follow `range` and the model's version, at most
    // NEW_ROWS_PER_FRAME new ones per frame (`row_steps` says which). When
    // some are left for later, `next_step` asks again after the next paint.
    let drawn = StoredValue::new(Vec::<crate::row_steps::RowKey>::new());
    let next_step = Trigger::new();
    let rows_to_draw = move || {
        next_step.track();
        let version = model.with(|m| m.version);
        let (wanted, first_visible) = range.get();
        let step = drawn.with_value(|d| {
            crate::row_steps::next_rows(d, version, wanted, first_visible, NEW_ROWS_PER_FRAME)
        });
        if !step.complete {
            leptos::task::spawn_local(async move {
                loupe_web::after_paint().await;
                // (The grid may be gone by then: `notify` ignores a disposed trigger.)
                next_step.notify();
            });
        }
        drawn.set_value(step.rows.clone());
        step.rows
    };

    // Keyboard: a focused cell (view row, column) moved by the arrows; Enter
    // opens what the cell holds, Ctrl/Cmd+C copies its text, Esc leaves.
    let focus = RwSignal::new(None::<(usize, usize)>);
    let copied = RwSignal::new(String::new());
    let cell_element = move |r: usize, c: usize| -> Option<web_sys::Element> {
        scroller
            .get_untracked()?
            .query_selector(&format!(
                "[aria-rowindex=\"{}\"] [role=gridcell][aria-colindex=\"{}\"]",
                r + 2,
                c + 1
            ))
            .ok()
            .flatten()
    };
    let on_key = move |e: leptos::ev::KeyboardEvent| {
        let (rows, cols) = model.with_untracked(|m| (m.rows, m.columns.len()));
        if rows == 0 || cols == 0 {
            return;
        }
        let (r, c) = focus.get_untracked().unwrap_or((0, 0));
        let page = (viewport.get_untracked() / row_height()).max(1.0) as usize;
        let next = match e.key().as_str() {
            "ArrowDown" => Some((r + 1, c)),
            "ArrowUp" => Some((r.saturating_sub(1), c)),
            "ArrowRight" => Some((r, c + 1)),
            "ArrowLeft" => Some((r, c.saturating_sub(1))),
            "PageDown" => Some((r + page, c)),
            "PageUp" => Some((r.saturating_sub(page), c)),
            "Home" => Some((r, 0)),
            "End" => Some((r, cols - 1)),
            "Escape" => {
                focus.set(None);
                return;
            }
            "Enter" => {
                // "Expand": what a click on the cell's main control would do.
                if let Some(target) = cell_element(r, c).and_then(|el| {
                    el.query_selector(".image-cell, button, summary, a, canvas")
                        .ok()
                        .flatten()
                }) && let Ok(html) =
                    wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(target)
                {
                    html.click();
                }
                None
            }
            "c" if e.ctrl_key() || e.meta_key() => {
                let text = cell_element(r, c)
                    .and_then(|el| el.text_content())
                    .unwrap_or_default();
                let text = text.trim().to_string();
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&text);
                }
                copied.set(text);
                None
            }
            _ => return,
        };
        e.prevent_default();
        if let Some((nr, nc)) = next {
            let (nr, nc) = (nr.min(rows - 1), nc.min(cols - 1));
            focus.set(Some((nr, nc)));
            // Keep the focused row in view.
            if let Some(el) = scroller.get_untracked() {
                let h = row_height();
                let top = nr as f64 * h;
                let head = 36.0;
                let st = f64::from(el.scroll_top());
                if top < st {
                    el.set_scroll_top(top as i32);
                } else if top + h > st + viewport.get_untracked() - head {
                    el.set_scroll_top((top + h - viewport.get_untracked() + head) as i32);
                }
            }
        }
    };

    // The focused cell's look follows `focus`: one effect for the grid, on
    // the two cells whose focus changed.
    let shown_focus = StoredValue::new(None::<(usize, usize)>);
    Effect::new(move |_| {
        let now = focus.get();
        let before = shown_focus.get_value();
        if before == now {
            return;
        }
        if let Some(el) = before.and_then(|(r, c)| cell_element(r, c)) {
            let _ = el.class_list().remove_1("focused");
            let _ = el.remove_attribute("aria-selected");
        }
        if let Some(el) = now.and_then(|(r, c)| cell_element(r, c)) {
            let _ = el.class_list().add_1("focused");
            let _ = el.set_attribute("aria-selected", "true");
        }
        shown_focus.set_value(now);
    });
    // A click focuses the cell it lands in (one listener for every cell).
    let on_click = move |e: leptos::ev::MouseEvent| {
        let cell = e
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .and_then(|t| t.closest("[role=gridcell]").ok().flatten());
        let index = |el: &web_sys::Element, attr: &str| {
            el.get_attribute(attr).and_then(|v| v.parse::<usize>().ok())
        };
        let at = cell.and_then(|cell| {
            let c = index(&cell, "aria-colindex")?.checked_sub(1)?;
            let r = index(&cell.parent_element()?, "aria-rowindex")?.checked_sub(2)?;
            Some((r, c))
        });
        if at.is_some() {
            focus.set(at);
        }
    };

    // Column resizing: drag a header's right edge.
    let drag = StoredValue::new(None::<(String, f64, f64)>);
    let moving = window_event_listener(ev::mousemove, move |e| {
        if let Some((name, start_x, start_w)) = drag.get_value() {
            let w = (start_w + f64::from(e.client_x()) - start_x).max(MIN_COLUMN_WIDTH);
            widths.update(|ws| {
                ws.insert(name, w);
            });
        }
    });
    let released = window_event_listener(ev::mouseup, move |_| {
        if drag.get_value().is_some() {
            let mut list: Vec<String> = widths.with_untracked(|w| {
                w.iter()
                    .map(|(name, px)| format!("{}:{name}", px.round()))
                    .collect()
            });
            list.sort();
            crate::url_state::replace_params("w", &list);
        }
        drag.set_value(None);
    });
    on_cleanup(move || {
        resize.remove();
        moving.remove();
        released.remove();
    });

    let headers = move || {
        model.with(|m| {
            m.columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    let name = col.name.clone();
                    let for_drag = col.clone();
                    view! {
                        <div role="columnheader" class="cell head" aria-colindex=c + 1 data-kind=col.kind
                             style:width=column_width(c)
                             style:box-shadow=col.version.map(|v| format!("inset 0 3px 0 {}", crate::palette::version_colour(v)))
                             aria-sort=match col.sorted { Some(true) => "descending", Some(false) => "ascending", None => "none" }
                             title=format!("{name} ({}) — click for sort, group, filter, summary", col.kind)>
                            <button class="name" on:click=move |e| {
                                if let Some(cb) = on_header {
                                    cb.run((c, f64::from(e.client_x()), f64::from(e.client_y())));
                                }
                            }>{name.clone()}</button>
                            <div class="resize" aria-hidden="true" on:mousedown=move |e| {
                                e.prevent_default();
                                let w = widths.with_untracked(|ws| ws.get(&for_drag.name).copied())
                                    .unwrap_or(if for_drag.visual { 132.0 } else { 150.0 });
                                drag.set_value(Some((for_drag.name.clone(), f64::from(e.client_x()), w)));
                            }></div>
                        </div>
                    }
                })
                .collect_view()
        })
    };

    let render_row = move |(_, r): (u64, usize)| {
        let h = row_height();
        let (cells, label) =
            model.with_untracked(|m| {
                let cells = m
                .columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    // Focus as it is now; the focus effect keeps it current. (A
                    // closure and a listener per cell made each new screenful
                    // of rows a long task.)
                    let focused = focus.get_untracked() == Some((r, c));
                    view! {
                        <div role="gridcell" class="cell" aria-colindex=c + 1 style:width=column_width(c)
                             class:focused=focused
                             aria-selected=focused.then_some("true")>{(col.render)(r)}</div>
                    }
                })
                .collect_view();
                (cells, (m.row_label)(r))
            });
        view! {
            // Stripes by row number, not `:nth-child`: rows are keyed and
            // come and go as the grid scrolls, and a sibling-position
            // selector restyles every row after each one added.
            <div role="row" class=if r % 2 == 1 { "row alt" } else { "row" } aria-rowindex=r + 2
                 style:top=format!("{}px", r as f64 * h)
                 style:height=format!("{h}px")>
                <div role="rowheader" class="cell rownum">{label}</div>
                {cells}
            </div>
        }
    };

    view! {
        <div class="grid" role="grid" node_ref=scroller tabindex="0"
             style=move || column_widths.get()
             aria-label="table (arrow keys move between cells, Enter opens, Ctrl+C copies)"
             data-copied=move || copied.get()
             on:keydown=on_key
             aria-rowcount=move || model.with(|m| m.rows) + 1
             aria-colcount=move || model.with(|m| m.columns.len())
             class:visual=move || visual.get()
             on:scroll=move |e| {
                 let el: web_sys::HtmlElement = event_target(&e);
                 let (before, top) = (scroll_top.get_untracked(), f64::from(el.scroll_top()));
                 scroll_top.set(top);
                 if let Some(edge) = on_edge {
                     let bottom = el.scroll_height() - el.client_height();
                     if top > before && top as i32 >= bottom - 2 {
                         edge.run(true);
                     } else if top < before && top <= 0.0 {
                         edge.run(false);
                     }
                 }
                 if let Some(sync) = scroll_sync {
                     let here = (el.scroll_top(), el.scroll_left());
                     if sync.get_untracked() != here {
                         sync.set(here);
                     }
                 }
             }>
            <div role="rowgroup" class="grid-head">
                <div role="row" class="row head" aria-rowindex=1>
                    <div class="cell head rownum" aria-hidden="true">"#"</div>
                    {headers}
                </div>
            </div>
            <div role="rowgroup" class="grid-body" on:click=on_click
                 style:height=move || format!("{}px", model.with(|m| m.rows) as f64 * row_height())>
                <For each=rows_to_draw
                     key=|k| *k
                     children=render_row />
            </div>
            {move || (model.with(|m| m.rows) == 0).then(|| view! { <p class="empty">"No rows in this view."</p> })}
            <span class="sr-status" role="status" aria-live="polite">
                {move || { let c = copied.get(); (!c.is_empty()).then(|| format!("copied: {c}")) }}
            </span>
        </div>
    }
}
