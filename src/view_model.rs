//! Turns a query result into what the grid draws: columns with cell renderers,
//! for plain views (one row per table row) and grouped views (one row per group).

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::ops::{RANK_STEP, ValueCounter};
use loupe_core::part_categories::COUNTS_TYPE;
use loupe_core::part_groups::GALLERY_TYPE;
use loupe_core::{Column, Query, View};

use crate::grid::{GridColumn, GridModel};
use crate::group_cells::{self, GroupCellKind};
use crate::image_state::ImageColumnState;
use crate::loader::LoadedTable;
use crate::panels::{CellContext, PanelRegistry};
use crate::version_charts::{VersionBars, numeric_series, rows_per_version};

/// How compared versions are laid out (`&layout=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Every column once per version (`name@v0`, `name@v1`): the default.
    #[default]
    Columns,
    /// Each column once, every version's value in it (`layout=overlay`).
    Overlay,
    /// One grid per version, scrolled together (`layout=side`).
    Side,
}

impl Layout {
    pub fn parse(s: &str) -> Layout {
        match s {
            "overlay" => Layout::Overlay,
            "side" => Layout::Side,
            _ => Layout::Columns,
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            Layout::Columns => "",
            Layout::Overlay => "overlay",
            Layout::Side => "side",
        }
    }
}

/// Everything a model is built from.
pub struct ViewInputs {
    pub loaded: Arc<LoadedTable>,
    pub query: Query,
    pub view: Arc<View>,
    pub image_states: Arc<Vec<Option<ImageColumnState>>>,
    pub registry: Arc<PanelRegistry>,
    /// Opens group `i`'s rows (a drill-down the back button undoes).
    pub on_expand: Callback<usize>,
    pub layout: Layout,
}

/// The column named `name` in the view: a derived one, else the table's.
pub fn column_in_view<'a>(
    loaded: &'a LoadedTable,
    view: &'a View,
    name: &str,
) -> Option<&'a Column> {
    view.derived
        .iter()
        .rev()
        .find(|c| c.name == name)
        .or_else(|| loaded.table.column(name))
}

/// An expression literal for a value shown as `text` in a column of `dtype`
/// (numbers and bools as they are, text quoted).
pub fn text_literal(text: &str, dtype: loupe_core::DataType) -> String {
    if dtype.is_numeric() || dtype == loupe_core::DataType::Bool {
        text.to_string()
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// An expression literal for a value (for drill-down filters).
pub fn literal(v: &loupe_core::Value) -> Option<String> {
    use loupe_core::Value;
    Some(match v {
        Value::Str(s) => text_literal(s, loupe_core::DataType::String),
        Value::Bool(b) => b.to_string(),
        Value::Int(_) | Value::Float(_) | Value::BigInt(_) | Value::Timestamp(_) => {
            let x = v.as_f64()?;
            if x.is_finite() {
                v.display()
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

/// The expression that names a column: the bare name when it is an identifier,
/// otherwise W&B's `row["…"]` form.
pub fn column_expr(name: &str) -> String {
    let mut chars = name.chars();
    let simple = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !matches!(
            name.to_ascii_lowercase().as_str(),
            "and" | "or" | "not" | "in" | "is" | "null" | "none" | "true" | "false" | "row"
        );
    if simple {
        name.to_string()
    } else {
        format!(
            "row[\"{}\"]",
            name.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }
}

fn sorted_by(query: &Query, name: &str) -> Option<bool> {
    let first = query.sort.first()?;
    (first.expr == name || first.expr == column_expr(name)).then_some(first.descending)
}

fn is_visual(col: &Column) -> bool {
    col.kind().is_some_and(|k| k.is_visual()) || declared_other(col) == Some(GALLERY_TYPE)
}

/// The name of a column's declared `WbType::Other` (how a summary asks for
/// its panels), if it has one.
fn declared_other(col: &Column) -> Option<&str> {
    match &col.declared {
        Some(loupe_core::wbtype::WbType::Other(name)) => Some(name),
        _ => None,
    }
}

pub fn build_model(version: u64, inputs: &ViewInputs) -> GridModel {
    match &inputs.view.groups {
        None if inputs.layout == Layout::Overlay && inputs.loaded.compare.is_some() => {
            crate::overlay::overlay_model(version, inputs)
        }
        None => plain_model(version, inputs),
        Some(_) => grouped_model(version, inputs),
    }
}

/// Columns of the table and the derived ones, minus hidden ones: `(column, context)`.
fn visible_columns(inputs: &ViewInputs) -> Vec<(usize, Option<usize>, CellContext)> {
    let hidden = |name: &str| inputs.query.hidden.iter().any(|h| h == name);
    let base = inputs
        .loaded
        .table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !hidden(&c.name))
        .map(|(i, _)| {
            let ctx = CellContext {
                media: inputs.loaded.media_of(i),
                image: inputs.image_states.get(i).copied().flatten(),
            };
            (i, None, ctx)
        });
    let derived = inputs
        .view
        .derived
        .iter()
        .enumerate()
        .filter(|(_, c)| !hidden(&c.name))
        .map(|(d, _)| {
            let ctx = CellContext {
                media: inputs.loaded.media_of(usize::MAX),
                image: None,
            };
            (0, Some(d), ctx)
        });
    base.chain(derived).collect()
}

fn column_of<'a>(
    loaded: &'a LoadedTable,
    view: &'a View,
    base: usize,
    derived: Option<usize>,
) -> &'a Column {
    match derived {
        Some(d) => &view.derived[d],
        None => &loaded.table.columns[base],
    }
}

/// The compared version a table column belongs to (`name@v1` → 1).
fn version_of(inputs: &ViewInputs, base: usize, derived: Option<usize>) -> Option<usize> {
    if derived.is_some() {
        return None;
    }
    inputs
        .loaded
        .compare
        .as_ref()?
        .column_version
        .get(base)
        .copied()
        .flatten()
}

/// For `name@vK` (K > 0): is the value different from `name@v0`'s in this row?
fn differs_from_first(
    loaded: &LoadedTable,
    col: &Column,
    row: usize,
    value: &loupe_core::Value,
) -> bool {
    let Some(info) = &loaded.compare else {
        return false;
    };
    let Some((base, version)) = col.name.rsplit_once('@') else {
        return false;
    };
    let Some(first) = info.versions.first() else {
        return false;
    };
    if version == first.as_str() {
        return false;
    }
    loaded
        .table
        .column(&format!("{base}@{first}"))
        .is_some_and(|c| c.value(row).as_ref() != value)
}

fn plain_model(version: u64, inputs: &ViewInputs) -> GridModel {
    let columns = visible_columns(inputs)
        .into_iter()
        .map(|(base, derived, ctx)| {
            let col = column_of(&inputs.loaded, &inputs.view, base, derived);
            let (loaded, view, registry) = (
                inputs.loaded.clone(),
                inputs.view.clone(),
                inputs.registry.clone(),
            );
            let chosen = chosen_panel(&inputs.query, col);
            GridColumn {
                name: col.name.clone(),
                kind: col.kind_label(),
                visual: is_visual(col),
                sorted: sorted_by(&inputs.query, &col.name),
                version: version_of(inputs, base, derived),
                across_versions: false,
                render: Arc::new(move |i| {
                    let col = column_of(&loaded, &view, base, derived);
                    let row = view.rows[i] as usize;
                    let value = col.value(row);
                    let cell = registry.render_with(chosen.as_deref(), &value, &ctx);
                    // A compared column whose value differs from the first version's is marked.
                    match differs_from_first(&loaded, col, row, &value) {
                        true => view! { <div class="differs" title="differs from the first version">{cell}</div> }.into_any(),
                        false => cell,
                    }
                }),
            }
        })
        .collect();
    let mut columns = columns;
    add_series_columns(&mut columns, inputs, false);
    let view = inputs.view.clone();
    // A paged partitioned table numbers its rows over all parts.
    let first_row = inputs.loaded.first_row;
    GridModel {
        version,
        columns,
        rows: inputs.view.rows.len(),
        row_label: Arc::new(move |i| (view.rows[i] as usize + first_row).to_string()),
    }
}

/// The column's panel: the one chosen in the view, else the one its
/// declared type asks for (a summary's counts of values draw as bars, its
/// first images as a gallery).
fn chosen_panel(query: &Query, col: &Column) -> Option<String> {
    if let Some(name) = query.panel_of(&col.name) {
        return Some(name.to_string());
    }
    match declared_other(col)? {
        COUNTS_TYPE => Some("counts".into()),
        GALLERY_TYPE => Some("gallery".into()),
        _ => None,
    }
}

/// Group `i`'s member rows, borrowed (cells are drawn per group, often).
fn members(view: &View, i: usize) -> &[u32] {
    view.groups
        .as_ref()
        .map(|g| g.grouping.members[i].as_slice())
        .unwrap_or_default()
}

/// Grouped views of at least this many rows draw each group cell in a task of
/// its own, and count a categories cell's values `COUNT_CHUNK` rows a task.
const LARGE_GROUPS_ROWS: usize = 100_000;
const COUNT_CHUNK: usize = 25_000;

fn grouped_model(version: u64, inputs: &ViewInputs) -> GridModel {
    let Some(groups) = inputs.view.groups.as_ref() else {
        return plain_model(version, inputs);
    };
    let mut columns = Vec::new();
    for (k, name) in groups.key_names.iter().enumerate() {
        let (view, registry, expand) = (
            inputs.view.clone(),
            inputs.registry.clone(),
            inputs.on_expand,
        );
        let ctx = CellContext {
            media: inputs.loaded.media_of(usize::MAX),
            image: None,
        };
        let first_key = k == 0;
        columns.push(GridColumn {
            name: name.clone(),
            kind: "group key",
            visual: false,
            sorted: sorted_by(&inputs.query, name),
            version: None,
            across_versions: false,
            render: Arc::new(move |i| {
                let key = view
                    .groups
                    .as_ref()
                    .map_or(loupe_core::Value::Null, |g| g.grouping.keys[i][k].clone());
                let button = first_key.then(|| {
                    view! {
                        <button class="expand" data-action="expand" title="show this group's rows"
                                on:click=move |_| expand.run(i)>"rows ▸"</button>
                    }
                });
                // The key has an element of its own: a scalar panel writes
                // bare text, which the button would otherwise run into.
                view! { <span class="group-key"><span class="key">{registry.render(&key, &ctx)}</span>{button}</span> }
                    .into_any()
            }),
        });
    }
    let view = inputs.view.clone();
    columns.push(GridColumn {
        name: "count".into(),
        kind: "rows",
        visual: false,
        sorted: sorted_by(&inputs.query, "count"),
        version: None,
        across_versions: false,
        render: Arc::new(move |i| {
            let n = view
                .groups
                .as_ref()
                .map_or(0, |g| g.grouping.members[i].len());
            view! { <span class="num count">{n}</span> }.into_any()
        }),
    });
    let large = groups.grouping.members.iter().map(Vec::len).sum::<usize>() >= LARGE_GROUPS_ROWS;
    for (base, derived, ctx) in visible_columns(inputs) {
        let col = column_of(&inputs.loaded, &inputs.view, base, derived);
        if groups
            .key_names
            .iter()
            .any(|k| *k == col.name || *k == column_expr(&col.name))
        {
            continue;
        }
        let (loaded, view, registry) = (
            inputs.loaded.clone(),
            inputs.view.clone(),
            inputs.registry.clone(),
        );
        let chosen = inputs.query.panel_of(&col.name).map(str::to_string);
        columns.push(GridColumn {
            name: col.name.clone(),
            kind: col.kind_label(),
            visual: is_visual(col),
            sorted: None,
            version: version_of(inputs, base, derived),
            across_versions: false,
            render: Arc::new(move |i| {
                let col = column_of(&loaded, &view, base, derived);
                if !large {
                    return registry.render_group(chosen.as_deref(), col, members(&view, i), &ctx);
                }
                let (loaded, view, registry, chosen, ctx) = (
                    loaded.clone(),
                    view.clone(),
                    registry.clone(),
                    chosen.clone(),
                    ctx.clone(),
                );
                let counted = chosen.is_none()
                    && group_cells::default_kind(col, members(&view, i))
                        == GroupCellKind::Categories;
                if counted {
                    // Categories of a large group: counted a chunk a task, drawn when done.
                    let top = RwSignal::new(None::<Vec<(String, usize)>>);
                    spawn_local(async move {
                        let col = column_of(&loaded, &view, base, derived);
                        let mut counter = ValueCounter::new(col);
                        counter.expect_rows(members(&view, i).len());
                        for chunk in members(&view, i).chunks(COUNT_CHUNK) {
                            loupe_web::next_task().await;
                            counter.add(chunk);
                        }
                        let mut ranking = counter.ranking(group_cells::TOP_CATEGORIES);
                        while !ranking.step(RANK_STEP) {
                            loupe_web::next_task().await;
                        }
                        top.set(Some(ranking.finish()));
                    });
                    return (move || top.get().map(group_cells::bars)).into_any();
                }
                // Other cells of a large group: one task per cell, so drawing
                // the groups never blocks the page for long.
                let due = RwSignal::new(false);
                spawn_local(async move {
                    loupe_web::next_task().await;
                    due.set(true);
                });
                let draw = move || {
                    let col = column_of(&loaded, &view, base, derived);
                    registry.render_group(chosen.as_deref(), col, members(&view, i), &ctx)
                };
                (move || due.get().then(&draw)).into_any()
            }),
        });
    }
    add_series_columns(&mut columns, inputs, true);
    GridModel {
        version,
        columns,
        rows: groups.grouping.len(),
        row_label: Arc::new(|i| (i + 1).to_string()),
    }
}

/// In a comparison: after each numeric column's last version, a "<name> by
/// version" column with one bar per version (a row's values, or a group's
/// means); grouped views also get "rows by version" after the count.
fn add_series_columns(columns: &mut Vec<GridColumn>, inputs: &ViewInputs, grouped: bool) {
    let Some(info) = inputs.loaded.compare.as_ref() else {
        return;
    };
    let versions = info.versions.clone();
    if grouped && let Some(at) = columns.iter().position(|c| c.name == "count") {
        let (loaded, view, versions) =
            (inputs.loaded.clone(), inputs.view.clone(), versions.clone());
        columns.insert(
            at + 1,
            GridColumn {
                name: "rows by version".into(),
                kind: "counts",
                visual: false,
                sorted: None,
                version: None,
                across_versions: true,
                render: Arc::new(move |i| {
                    let values = rows_per_version(&loaded, members(&view, i));
                    view! { <VersionBars values versions=versions.clone() label="rows by version".to_string() /> }.into_any()
                }),
            },
        );
    }
    for series in numeric_series(&inputs.loaded) {
        let last = series.columns.iter().rev().flatten().next().copied();
        let Some(last_name) = last.map(|c| inputs.loaded.table.columns[c].name.clone()) else {
            continue;
        };
        let Some(at) = columns.iter().position(|c| c.name == last_name) else {
            continue; // hidden, or a group key
        };
        let (loaded, view, versions) =
            (inputs.loaded.clone(), inputs.view.clone(), versions.clone());
        let name = series.name();
        let label = if grouped {
            format!("mean {}", series.base)
        } else {
            series.base.clone()
        };
        columns.insert(
            at + 1,
            GridColumn {
                name,
                kind: "per version",
                visual: false,
                sorted: None,
                version: None,
                across_versions: true,
                render: Arc::new(move |i| {
                    let values = if grouped {
                        series.group_means(&loaded, members(&view, i))
                    } else {
                        series.row_values(&loaded, view.rows[i] as usize)
                    };
                    view! { <VersionBars values versions=versions.clone() label=label.clone() /> }
                        .into_any()
                }),
            },
        );
    }
}

/// A shared value compared by identity, so memos update only when it is replaced.
#[derive(Clone)]
pub struct Shared<T>(pub Arc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::column_expr;

    #[test]
    fn names_become_expressions() {
        assert_eq!(column_expr("score"), "score");
        assert_eq!(column_expr("%_vegetation"), "row[\"%_vegetation\"]");
        assert_eq!(column_expr("my col"), "row[\"my col\"]");
        assert_eq!(column_expr("not"), "row[\"not\"]");
        assert_eq!(column_expr("a\"b"), "row[\"a\\\"b\"]");
        assert_eq!(column_expr("0"), "row[\"0\"]");
    }
}
