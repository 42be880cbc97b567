//! The column header menu: sort, group, hide, remove, filter by a value, summary.
//! Every item is an intent that edits the query; the core does the work.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::ops::{ColumnSummary, RANK_STEP, SummaryBuilder, summarize};
use loupe_core::query::SortKey;
use loupe_core::value::format_float;
use loupe_core::{Query, View};

use crate::loader::LoadedTable;
use crate::view_model::{Shared, column_expr, column_in_view, text_literal};

/// Which header was clicked, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct MenuAt {
    pub column: String,
    pub x: f64,
    pub y: f64,
}

#[component]
pub fn HeaderMenu(
    at: RwSignal<Option<MenuAt>>,
    query: RwSignal<Query>,
    loaded: Arc<LoadedTable>,
    view: Signal<Option<Shared<View>>>,
) -> impl IntoView {
    let close = move || at.set(None);
    move || {
        let m = at.get()?;
        let name = m.column.clone();
        let grouped = query.with(|q| q.is_grouped());
        let is_key = query.with(|q| {
            q.group
                .iter()
                .any(|g| *g == name || *g == column_expr(&name))
        });
        let is_count = grouped && name == "count";
        let is_derived = query.with(|q| q.derived.iter().any(|d| d.name == name));
        // In a grouped view only keys and `count` can order the groups.
        let sortable = !grouped || is_key || is_count;
        let expr = if grouped && is_key {
            query
                .with(|q| {
                    q.group
                        .iter()
                        .find(|g| **g == name || **g == column_expr(&name))
                        .cloned()
                })
                .unwrap_or_default()
        } else if is_count {
            "count".to_string()
        } else {
            column_expr(&name)
        };
        let sort = {
            let expr = expr.clone();
            move |descending: bool, add: bool| {
                let key = SortKey {
                    expr: expr.clone(),
                    descending,
                };
                query.update(|q| {
                    if add {
                        q.sort.retain(|k| k.expr != key.expr);
                        q.sort.push(key);
                    } else {
                        q.sort = vec![key];
                    }
                });
                close();
            }
        };
        let (s1, s2, s3) = (sort.clone(), sort.clone(), sort);
        let group_expr = column_expr(&name);
        let hide_name = name.clone();
        let remove_name = name.clone();
        let null_expr = column_expr(&name);
        let summary = RwSignal::new(None::<ColumnSummary>);
        let shown = view.with(Clone::clone);
        let summarized = !(is_count || (grouped && is_key));
        if let Some(v) = shown.filter(|_| summarized) {
            summarize_view(loaded.clone(), v, name.clone(), summary);
        }
        let summary_name = name.clone();
        let summary_view = move || {
            summary.get().map(|s| {
            let values = s
                .top
                .iter()
                .map(|(value, n)| {
let literal = text_literal(value, s.data_type);
                    let clause = format!("{} == {literal}", column_expr(&summary_name));
                    let label = format!("{value} ({n})");
                    view! {
                        <li><button class="menu-item filter-value" data-value=value.clone() on:click=move |_| {
                            query.update(|q| q.and_filter(&clause));
                            close();
                        }>{label}</button></li>
                    }
                })
                .collect_view();
            let range = match (s.min, s.max, s.mean) {
                (Some(lo), Some(hi), Some(mean)) => Some(format!(
                    "min {} · max {} · mean {}",
                    format_float(lo),
                    format_float(hi),
                    format_float(mean)
                )),
                _ => None,
            };
            view! {
                <div class="menu-summary" data-summary=s.name.clone()>
                    <p class="summary-line">{format!("{} · {} rows · {} null", s.data_type.name(), s.rows, s.nulls)}</p>
                    {range.map(|r| view! { <p class="summary-line">{r}</p> })}
                    {(!s.top.is_empty()).then(|| view! { <p class="summary-line">"filter to a value:"</p><ul class="values">{values}</ul> })}
                </div>
            }
        })
        };
        let summarizing = move || {
            (summarized && summary.with(Option::is_none))
                .then(|| view! { <p class="summary-line">"summarizing…"</p> })
        };
        // "Show as": every panel that can draw this column's values; the choice goes to the URL.
        let kind = view.with(|v| {
            let v = v.as_ref()?;
            column_in_view(&loaded, &v.0, &name)?.kind()
        });
        let show_as = (!is_count && !is_key).then(|| {
            let registry = crate::panels::current_registry();
            // Grouped views choose among group-level panels (histogram, categories, …).
            let names: Vec<&'static str> = if grouped {
                let mut n: Vec<&'static str> = registry.applicable_group(kind).iter().map(|p| p.name).collect();
                n.insert(0, "auto");
                n
            } else {
                kind.map(|k| registry.applicable(k).iter().map(|p| p.name).collect()).unwrap_or_default()
            };
            let default = names.first().copied().unwrap_or_default();
            let current = query.with(|q| q.panel_of(&name).map(str::to_string));
            let items = names
                .into_iter()
                .map(|panel| {
                    let column = name.clone();
                    let chosen = current.as_deref().unwrap_or(default) == panel;
                    view! {
                        <button role="menuitemradio" class="menu-item panel-choice" data-panel=panel
                                aria-checked=chosen.to_string() on:click=move |_| {
                                    let value = if panel == default { "" } else { panel };
                                    query.update(|q| q.set_panel(&column, value));
                                    close();
                                }>{panel}</button>
                    }
                })
                .collect_view();
            view! { <div class="show-as" role="group" aria-label="show as"><p class="summary-line">"show as:"</p>{items}</div> }
        });
        Some(view! {
            <div class="menu-backdrop" on:click=move |_| close()></div>
            <div class="header-menu" role="menu" aria-label=format!("column {name}")
                 style:left=format!("{}px", m.x) style:top=format!("{}px", m.y + 8.0)>
                <p class="menu-title">{name.clone()}</p>
                <Show when=move || sortable>
                    <button role="menuitem" class="menu-item" data-action="sort-asc" on:click={let s = s1.clone(); move |_| s(false, false)}>"Sort ascending"</button>
                    <button role="menuitem" class="menu-item" data-action="sort-desc" on:click={let s = s2.clone(); move |_| s(true, false)}>"Sort descending"</button>
                    <button role="menuitem" class="menu-item" data-action="sort-add" on:click={let s = s3.clone(); move |_| s(false, true)}>"Add as next sort key"</button>
                </Show>
                <Show when=move || !is_count && !is_key>
                    <button role="menuitem" class="menu-item" data-action="group" on:click={
                        let g = group_expr.clone();
                        move |_| {
                            query.update(|q| {
                                q.group.push(g.clone());
                                q.sort.clear();
                            });
                            close();
                        }
                    }>{if grouped { "Also group by this" } else { "Group by" }}</button>
                </Show>
                <Show when=move || grouped>
                    <button role="menuitem" class="menu-item" data-action="ungroup" on:click=move |_| {
                        query.update(|q| {
                            q.group.clear();
                            q.sort.clear();
                        });
                        close();
                    }>"Ungroup"</button>
                </Show>
                <Show when=move || !is_count && !grouped>
                    <button role="menuitem" class="menu-item" data-action="not-null" on:click={
                        let e = null_expr.clone();
                        move |_| {
                            query.update(|q| q.and_filter(&format!("{e} is not null")));
                            close();
                        }
                    }>"Filter: not null"</button>
                    <button role="menuitem" class="menu-item" data-action="hide" on:click={
                        let n = hide_name.clone();
                        move |_| {
                            query.update(|q| q.hidden.push(n.clone()));
                            close();
                        }
                    }>"Hide"</button>
                </Show>
                <Show when=move || is_derived>
                    <button role="menuitem" class="menu-item" data-action="remove" on:click={
                        let n = remove_name.clone();
                        move |_| {
                            query.update(|q| q.derived.retain(|d| d.name != n));
                            close();
                        }
                    }>"Remove column"</button>
                </Show>
                {show_as}
                {summarizing}
                {summary_view}
            </div>
        })
    }
}

/// Views of at least this many rows are summarized `SUMMARY_CHUNK` rows a task.
const LARGE_SUMMARY_ROWS: usize = 100_000;
const SUMMARY_CHUNK: usize = 50_000;

/// The summary of column `name` over the view's rows (every row of a grouped
/// view) into `out`: at once for a small view, a chunk a task for a large one
/// (stopping if the menu closes first).
fn summarize_view(
    loaded: Arc<LoadedTable>,
    view: Shared<View>,
    name: String,
    out: RwSignal<Option<ColumnSummary>>,
) {
    let rows_of = |col: &loupe_core::Column, view: &View| -> Vec<u32> {
        if view.groups.is_some() {
            (0..col.len() as u32).collect()
        } else {
            view.rows.clone()
        }
    };
    let Some(col) = column_in_view(&loaded, &view.0, &name) else {
        return;
    };
    let n = if view.0.groups.is_some() {
        col.len()
    } else {
        view.0.rows.len()
    };
    if n < LARGE_SUMMARY_ROWS {
        out.set(Some(summarize(col, &rows_of(col, &view.0))));
        return;
    }
    spawn_local(async move {
        let Some(col) = column_in_view(&loaded, &view.0, &name) else {
            return;
        };
        let rows = rows_of(col, &view.0);
        let mut steps = SummaryBuilder::new(col);
        steps.expect_rows(rows.len());
        for pass in 0..2 {
            for chunk in rows.chunks(SUMMARY_CHUNK) {
                loupe_web::next_task().await;
                if out.try_with_untracked(|_| ()).is_none() {
                    return; // the menu closed
                }
                if pass == 0 {
                    steps.add(chunk);
                } else {
                    steps.bin(chunk);
                }
            }
        }
        while !steps.rank(RANK_STEP) {
            loupe_web::next_task().await;
            if out.try_with_untracked(|_| ()).is_none() {
                return;
            }
        }
        let _ = out.try_set(Some(steps.finish()));
    });
}
