//! "Over versions": above a comparison, one small chart per numeric column of
//! its mean in each version over the rows in view, and one for an expression
//! the user writes once without versions (default `guess == truth`: accuracy
//! by epoch). The expression lives in the URL (`&over=`); the core evaluates
//! it per version (`compare_series`).

use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::View;
use loupe_core::compare_series::mean_over_versions;

use crate::loader::LoadedTable;
use crate::url_state::{replace_param, search_param};
use crate::version_charts::{VersionBars, numeric_series};
use crate::view_model::{Shared, column_expr};

/// Rows in view: the filtered rows, or every group's members.
fn rows_in_view(view: &View) -> Vec<u32> {
    match &view.groups {
        None => view.rows.clone(),
        Some(g) => g.grouping.members.iter().flatten().copied().collect(),
    }
}

/// `guess == truth` when the versions have both columns (a classifier), else nothing.
fn default_expression(loaded: &LoadedTable) -> String {
    let has = |base: &str| {
        loaded
            .table
            .columns
            .iter()
            .any(|c| c.name.rsplit_once('@').is_some_and(|(b, _)| b == base))
    };
    if has("guess") && has("truth") {
        "guess == truth".into()
    } else {
        String::new()
    }
}

#[component]
pub fn OverVersions(loaded: Arc<LoadedTable>, view: Memo<Shared<View>>) -> impl IntoView {
    let Some(info) = loaded.compare.clone() else {
        return ().into_any();
    };
    let versions = info.versions.clone();
    let initial = search_param("over").unwrap_or_else(|| default_expression(&loaded));
    let expression = RwSignal::new(initial);
    let series = numeric_series(&loaded);
    let for_custom = (loaded.clone(), versions.clone());
    let custom = move || {
        let src = expression.get();
        if src.trim().is_empty() {
            return None;
        }
        let rows = view.with(|v| rows_in_view(&v.0));
        Some(mean_over_versions(
            &for_custom.0.table,
            &rows,
            &src,
            &for_custom.1,
        ))
    };
    let for_columns = (loaded.clone(), versions.clone());
    let column_charts = move || {
        let rows = view.with(|v| rows_in_view(&v.0));
        series
            .iter()
            .filter_map(|s| {
                let values = mean_over_versions(
                    &for_columns.0.table,
                    &rows,
                    &column_expr(&s.base),
                    &for_columns.1,
                )
                .ok()?;
                let label = format!("mean {}", s.base);
                Some(view! {
                    <figure class="over-chart" data-series=s.base.clone()>
                        <VersionBars values versions=for_columns.1.clone() label=label.clone() />
                        <figcaption>{label}</figcaption>
                    </figure>
                })
            })
            .collect_view()
    };
    let custom_versions = versions.clone();
    view! {
        <section class="over-versions" aria-label="over versions">
            <figure class="over-chart custom" data-series="expression">
                {move || match custom() {
                    None => ().into_any(),
                    Some(Ok(values)) => view! {
                        <VersionBars values versions=custom_versions.clone() label=format!("mean of {}", expression.get()) />
                    }.into_any(),
                    Some(Err(e)) => view! { <span class="cell-error" role="status">{e.message}</span> }.into_any(),
                }}
                <figcaption>
                    <label>"mean of "
                        <input class="over-expression" type="text" spellcheck="false"
                               placeholder="expression per version, e.g. guess == truth"
                               prop:value=move || expression.get()
                               on:change=move |e| {
                                   let v = event_target_value(&e);
                                   replace_param("over", &v);
                                   expression.set(v);
                               } />
                    </label>
                </figcaption>
            </figure>
            {column_charts}
        </section>
    }
    .into_any()
}
