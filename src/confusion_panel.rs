//! The confusion-matrix panel: truth × guess over the rows in view, with counts
//! and row percentages; clicking a cell filters to those rows.

use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::ops::confusion;
use loupe_core::{Query, View};

use crate::loader::LoadedTable;
use crate::view_model::{Shared, column_expr, column_in_view, text_literal};

/// The default pair: `truth`/`guess`, `label`/`prediction`, or the first two columns.
pub fn default_pair(names: &[&str]) -> Option<(String, String)> {
    let find = |cands: &[&str]| {
        names
            .iter()
            .find(|n| cands.iter().any(|c| n.eq_ignore_ascii_case(c)))
            .map(|n| n.to_string())
    };
    match (
        find(&["truth", "label", "ground_truth", "target", "y"]),
        find(&["guess", "prediction", "pred", "predicted"]),
    ) {
        (Some(t), Some(g)) => Some((t, g)),
        _ => names
            .iter()
            .find(|n| n.starts_with("truth@"))
            .zip(names.iter().find(|n| n.starts_with("guess@")))
            .map(|(t, g)| (t.to_string(), g.to_string())),
    }
}

#[component]
pub fn ConfusionPanel(
    loaded: Arc<LoadedTable>,
    view: Memo<Shared<View>>,
    query: RwSignal<Query>,
) -> impl IntoView {
    move || {
        let (t_name, g_name) = query.with(|q| q.confusion.clone())?;
        let v = view.get();
        let v = &v.0;
        let (Some(tc), Some(gc)) = (
            column_in_view(&loaded, v, &t_name),
            column_in_view(&loaded, v, &g_name),
        ) else {
            return Some(
                view! { <div class="confusion-panel" role="alert">{format!("confusion matrix: no columns `{t_name}` and `{g_name}`")}</div> }
                    .into_any(),
            );
        };
        let rows: Vec<u32> = match &v.groups {
            Some(g) => g.grouping.members.iter().flatten().copied().collect(),
            None => v.rows.clone(),
        };
        let m = confusion(tc, gc, &rows);
        let (t_type, g_type) = (tc.data_type(), gc.data_type());
        let head = m
            .labels
            .iter()
            .map(|l| view! { <th scope="col">{l.clone()}</th> })
            .collect_view();
        let max = m.counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
        let body = m
            .labels
            .iter()
            .enumerate()
            .map(|(ti, tl)| {
                let row_total: usize = m.counts[ti].iter().sum();
                let cells = m
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(gi, gl)| {
                        let n = m.counts[ti][gi];
                        let pct = if row_total == 0 { 0.0 } else { n as f64 * 100.0 / row_total as f64 };
                        let clause = format!(
                            "{} == {} and {} == {}",
                            column_expr(&t_name),
                            text_literal(tl, t_type),
                            column_expr(&g_name),
                            text_literal(gl, g_type)
                        );
                        let shade = n as f64 / max;
                        view! {
                            <td class="cm-cell" class:diagonal=ti == gi data-truth=tl.clone() data-guess=gl.clone() data-count=n
                                style:background=format!("rgba(59, 130, 246, {:.3})", shade * 0.75)
                                title=format!("truth {tl}, guess {gl}: {n} ({pct:.1}% of truth {tl})")
                                on:click=move |_| query.update(|q| {
                                    q.and_filter(&clause);
                                })>
                                <span class="cm-count">{n}</span>
                                <span class="cm-pct">{format!("{pct:.0}%")}</span>
                            </td>
                        }
                    })
                    .collect_view();
                view! { <tr><th scope="row">{tl.clone()}</th>{cells}</tr> }
            })
            .collect_view();
        // Compared versions: how the matrix moved from this version to the next one.
        let delta = match (
            t_name.rsplit_once('@'),
            g_name.rsplit_once('@'),
            &loaded.compare,
        ) {
            (Some((tb, tv)), Some((gb, gv)), Some(info)) if tv == gv => info
                .versions
                .iter()
                .find(|v| v.as_str() != tv)
                .and_then(|other| {
                    let (to, go) = (
                        column_in_view(&loaded, v, &format!("{tb}@{other}"))?,
                        column_in_view(&loaded, v, &format!("{gb}@{other}"))?,
                    );
                    Some((other.clone(), tv.to_string(), confusion(to, go, &rows)))
                }),
            _ => None,
        };
        let delta_view = delta.map(|(other, this, m2)| {
            let labels: Vec<String> = {
                let mut l = m.labels.clone();
                for x in &m2.labels {
                    if !l.contains(x) {
                        l.push(x.clone());
                    }
                }
                l
            };
            let head = labels.iter().map(|l| view! { <th scope="col">{l.clone()}</th> }).collect_view();
            let body = labels
                .iter()
                .map(|tl| {
                    let cells = labels
                        .iter()
                        .map(|gl| {
                            let d = m2.count(tl, gl) as i64 - m.count(tl, gl) as i64;
                            let class = if d > 0 { "cm-delta up" } else if d < 0 { "cm-delta down" } else { "cm-delta" };
                            view! { <td class=class data-truth=tl.clone() data-guess=gl.clone() data-delta=d>{if d == 0 { String::new() } else { format!("{d:+}") }}</td> }
                        })
                        .collect_view();
                    view! { <tr><th scope="row">{tl.clone()}</th>{cells}</tr> }
                })
                .collect_view();
            view! {
                <div class="cm-delta-block">
                    <p class="cm-title">{format!("change from {this} to {other} (count in {other} − count in {this})")}</p>
                    <table class="confusion delta" role="table">
                        <thead><tr><th class="cm-corner">"truth \\ guess"</th>{head}</tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            }
        });
        let total = m.total();
        let accuracy = if total == 0 {
            0.0
        } else {
            m.correct() as f64 * 100.0 / total as f64
        };
        Some(
            view! {
                <section class="confusion-panel" aria-label="confusion matrix">
                    <p class="cm-title">
                        {format!("{t_name} (rows) × {g_name} (columns): {total} rows, {accuracy:.1}% on the diagonal")}
                        {(m.skipped > 0).then(|| format!(", {} with a null skipped", m.skipped))}
                        <button class="chip-remove" aria-label="close the confusion matrix" on:click=move |_| query.update(|q| q.confusion = None)>"×"</button>
                    </p>
                    <div class="cm-scroll">
                        <table class="confusion" role="table">
                            <thead><tr><th class="cm-corner">"truth \\ guess"</th>{head}</tr></thead>
                            <tbody>{body}</tbody>
                        </table>
                        {delta_view}
                    </div>
                </section>
            }
            .into_any(),
        )
    }
}
