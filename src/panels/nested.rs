//! Panels for nested values: list/dict trees, nested tables, histograms, ndarrays.

use leptos::prelude::*;
use loupe_core::{Table, Value};

use super::{CellContext, cell_error};
use crate::charts::BarsChart;

/// Lists of scalars whose text is at most this long show inline, without a tree.
const INLINE_CHARS: usize = 48;
/// Rows of a nested table shown when expanded.
const NESTED_TABLE_ROWS: usize = 50;

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::List(_) | Value::Dict(_) | Value::Table(_))
}

fn inline_text(items: &[Value]) -> Option<String> {
    if !items.iter().all(is_scalar) {
        return None;
    }
    let text = format!(
        "[{}]",
        items
            .iter()
            .map(Value::display)
            .collect::<Vec<_>>()
            .join(", ")
    );
    (text.chars().count() <= INLINE_CHARS).then_some(text)
}

pub fn tree(value: &Value, _: &CellContext) -> AnyView {
    node(value)
}

/// A dict of counts (`{value: count, …}`, e.g. a "group all parts" summary's
/// most frequent values) as bars; any other dict or list as a tree.
pub fn counts(value: &Value, ctx: &CellContext) -> AnyView {
    let Value::Dict(fields) = value else {
        return tree(value, ctx);
    };
    let counted: Option<Vec<(String, usize)>> = fields
        .iter()
        .map(|(label, v)| match v {
            Value::Int(n) if *n >= 0 => Some((label.clone(), *n as usize)),
            _ => None,
        })
        .collect();
    match counted {
        Some(counted) => crate::group_cells::bars(counted),
        None => tree(value, ctx),
    }
}

/// One level of the tree; children render only when opened would be nicer, but
/// cells are small and `<details>` keeps closed content out of layout.
fn node(value: &Value) -> AnyView {
    match value {
        Value::List(items) => {
            if let Some(text) = inline_text(items) {
                return view! { <span class="list inline">{text}</span> }.into_any();
            }
            let entries = items.iter().enumerate().map(|(i, v)| (i.to_string(), v));
            branch(format!("[{} items]", items.len()), entries)
        }
        Value::Dict(fields) => branch(
            format!("{{{} keys}}", fields.len()),
            fields.iter().map(|(k, v)| (k.clone(), v)),
        ),
        Value::Table(t) => nested_table(t),
        other => view! { <span class="leaf">{other.display()}</span> }.into_any(),
    }
}

/// A collapsible level of the tree: a summary line, then `key: value` children.
fn branch<'a>(summary: String, entries: impl Iterator<Item = (String, &'a Value)>) -> AnyView {
    let children = entries
        .map(|(k, v)| view! { <li><span class="key">{k}": "</span>{node(v)}</li> })
        .collect_view();
    view! {
        <details class="tree" on:click=|ev| ev.stop_propagation()>
            <summary>{summary}</summary>
            <ul>{children}</ul>
        </details>
    }
    .into_any()
}

pub fn table(value: &Value, _: &CellContext) -> AnyView {
    match value {
        Value::Table(t) => nested_table(t),
        other => cell_error(format!("not a table: {}", other.display())),
    }
}

fn nested_table(t: &Table) -> AnyView {
    let summary = format!("table {}×{}", t.row_count(), t.columns.len());
    let head = t
        .columns
        .iter()
        .map(|c| view! { <th>{c.name.clone()}</th> })
        .collect_view();
    let rows = (0..t.row_count().min(NESTED_TABLE_ROWS))
        .map(|r| {
            let cells = t
                .columns
                .iter()
                .map(|c| view! { <td>{c.get(r).display()}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <details class="tree nested-table" on:click=|ev| ev.stop_propagation()>
            <summary>{summary}</summary>
            <table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
        </details>
    }
    .into_any()
}

pub fn histogram(value: &Value, _: &CellContext) -> AnyView {
    let Value::Histogram { bins, values } = value else {
        return cell_error("not a histogram".into());
    };
    let label = format!(
        "histogram: {} bins from {} to {}",
        values.len(),
        bins.first().copied().unwrap_or(f64::NAN),
        bins.last().copied().unwrap_or(f64::NAN)
    );
    let title = label.clone();
    view! { <div class="histogram-cell" title=title><BarsChart counts=values.clone() label /></div> }.into_any()
}

pub fn ndarray(value: &Value, _: &CellContext) -> AnyView {
    let Value::NdArray { shape, npz_path } = value else {
        return cell_error("not an ndarray".into());
    };
    let dims = shape
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("×");
    let title = npz_path.as_ref().map_or_else(
        || "data not in the table".to_string(),
        |p| format!("data in {p}"),
    );
    view! { <span class="ndarray" title=title>{format!("ndarray [{dims}]")}</span> }.into_any()
}
