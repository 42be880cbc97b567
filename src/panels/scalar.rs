//! Panels for scalars: null, bool, numbers, timestamps, text, per-cell errors.

use leptos::prelude::*;
use loupe_core::Value;
use loupe_core::time::format_epoch_ms;

use super::{CellContext, cell_error};

/// Strings longer than this are cut, with a control to show all of it.
const TEXT_PREVIEW_CHARS: usize = 80;

pub fn null(_: &Value, _: &CellContext) -> AnyView {
    view! { <span class="null">"null"</span> }.into_any()
}

pub fn boolean(value: &Value, _: &CellContext) -> AnyView {
    let b = matches!(value, Value::Bool(true));
    view! { <span class=if b { "bool true" } else { "bool false" }>{b.to_string()}</span> }
        .into_any()
}

pub fn number(value: &Value, _: &CellContext) -> AnyView {
    let (class, title) = match value {
        Value::Float(f) if f.is_nan() => ("num nan", None),
        Value::Float(f) if f.is_infinite() => ("num inf", None),
        Value::BigInt(_) => ("num bigint", Some("integer beyond 2^63, shown exactly")),
        // An ordinary number is a bare text node: a screenful of rows is
        // hundreds of cells, and an element per cell was a third of the
        // layout objects of each new screenful (the cell sets tabular digits).
        _ => return value.display().into_any(),
    };
    view! { <span class=class title=title>{value.display()}</span> }.into_any()
}

pub fn timestamp(value: &Value, _: &CellContext) -> AnyView {
    let ms = value.as_f64().unwrap_or(f64::NAN);
    view! { <time class="ts" title=format!("{ms} ms since epoch")>{format_epoch_ms(ms)}</time> }
        .into_any()
}

pub fn text(value: &Value, _: &CellContext) -> AnyView {
    let Value::Str(s) = value else {
        return cell_error("not a string".into());
    };
    if s.chars().count() <= TEXT_PREVIEW_CHARS {
        // A bare text node, as for numbers: strings are text, never markup.
        return s.clone().into_any();
    }
    let full = s.clone();
    let preview: String = s.chars().take(TEXT_PREVIEW_CHARS).collect();
    let expanded = RwSignal::new(false);
    view! {
        <span class="text long" class:expanded=move || expanded.get()>
            {move || if expanded.get() { full.clone() } else { format!("{preview}…") }}
            <button class="link" on:click=move |ev| {
                ev.stop_propagation();
                expanded.update(|e| *e = !*e);
            }>{move || if expanded.get() { "less" } else { "more" }}</button>
        </span>
    }
    .into_any()
}

pub fn invalid(value: &Value, _: &CellContext) -> AnyView {
    cell_error(match value {
        Value::Invalid(msg) => msg.clone(),
        other => other.display(),
    })
}
