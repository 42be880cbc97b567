//! Whole-table panels over the current view (`&chart=`): histogram, bar chart,
//! scatter plot, image gallery and the embedding projector. Each takes its
//! inputs (`of=`, `x=`, `y=`, `color=`, `by=`) as expressions or column names,
//! all in the URL. To add one: a file here with a component taking `TableChart`,
//! and one entry in `KINDS` and in `body`.

mod charts;
mod gallery;
mod scatter;

use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::{DataType, Query, ValueKind, View};

use crate::loader::LoadedTable;
use crate::view_model::Shared;

/// (name, label, the arguments it takes).
const KINDS: [(&str, &str, &[&str]); 5] = [
    ("histogram", "histogram", &["of"]),
    ("bar", "bar chart", &["of"]),
    ("scatter", "scatter plot", &["x", "y", "color"]),
    ("gallery", "image gallery", &["of", "by"]),
    ("projector", "embedding projector", &["of", "color"]),
];

/// What a whole-table panel draws from.
#[derive(Clone)]
pub struct TableChart {
    pub loaded: Arc<LoadedTable>,
    /// The rows in view (a grouped view's members).
    pub rows: Arc<Vec<u32>>,
    pub args: Vec<(String, String)>,
}

impl TableChart {
    pub fn arg(&self, name: &str) -> Option<String> {
        self.args
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

fn rows_in_view(view: &View) -> Vec<u32> {
    match &view.groups {
        None => view.rows.clone(),
        Some(g) => g.grouping.members.iter().flatten().copied().collect(),
    }
}

/// A sensible default for an argument: the first column of a fitting type.
fn default_arg(loaded: &LoadedTable, kind: &str, arg: &str) -> Option<String> {
    let cols = &loaded.table.columns;
    let numeric = cols.iter().filter(|c| c.data_type().is_numeric());
    let pick = match (kind, arg) {
        ("histogram", "of") => numeric
            .clone()
            .find(|c| c.data_type() == DataType::Float)
            .or(numeric.clone().next()),
        ("bar", "of") => cols
            .iter()
            .find(|c| matches!(c.data_type(), DataType::String | DataType::Bool))
            .or(numeric.clone().nth(1)),
        ("scatter", "x") => numeric.clone().find(|c| c.data_type() == DataType::Float),
        ("scatter", "y") => numeric
            .clone()
            .filter(|c| c.data_type() == DataType::Float)
            .nth(1),
        ("gallery", "of") => cols.iter().find(|c| c.kind() == Some(ValueKind::Image)),
        ("projector", "of") => cols.iter().find(|c| c.kind() == Some(ValueKind::List)),
        _ => None,
    };
    pick.map(|c| c.name.clone())
}

#[component]
pub fn TablePanel(
    loaded: Arc<LoadedTable>,
    view: Memo<Shared<View>>,
    query: RwSignal<Query>,
) -> impl IntoView {
    let kind = Memo::new(move |_| query.with(|q| q.chart.clone()));
    let picker = move |e: leptos::ev::Event| {
        let k = event_target_value(&e);
        query.update(|q| {
            q.chart = (!k.is_empty()).then_some(k);
            q.chart_args.clear();
        });
    };
    let options = KINDS
        .iter()
        .map(|(name, label, _)| view! { <option value=*name selected=move || kind.get().as_deref() == Some(*name)>{*label}</option> })
        .collect_view();
    let for_inputs = loaded.clone();
    let inputs = move || {
        let k = kind.get()?;
        let (_, _, args) = KINDS.iter().find(|(n, _, _)| *n == k)?;
        Some(
            args.iter()
                .map(|arg| {
                    let current = query.with(|q| q.chart_arg(arg).map(str::to_string));
                    let placeholder = default_arg(&for_inputs, &k, arg).unwrap_or_else(|| "expression".into());
                    view! {
                        <label class="chart-arg">{format!("{arg} ")}
                            <input type="text" spellcheck="false" data-arg=*arg placeholder=placeholder
                                   prop:value=current.unwrap_or_default()
                                   on:change=move |e| {
                                       let v = event_target_value(&e);
                                       query.update(|q| q.set_chart_arg(arg, &v));
                                   } />
                        </label>
                    }
                })
                .collect_view(),
        )
    };
    let body = move || {
        let k = kind.get()?;
        let (_, _, names) = KINDS.iter().find(|(n, _, _)| *n == k)?;
        let args: Vec<(String, String)> = names
            .iter()
            .filter_map(|a| {
                let v = query
                    .with(|q| q.chart_arg(a).map(str::to_string))
                    .or_else(|| default_arg(&loaded, &k, a))?;
                Some((a.to_string(), v))
            })
            .collect();
        let chart = TableChart {
            loaded: loaded.clone(),
            rows: Arc::new(view.with(|v| rows_in_view(&v.0))),
            args,
        };
        Some(match k.as_str() {
            "histogram" => view! { <charts::HistogramPanel chart /> }.into_any(),
            "bar" => view! { <charts::BarPanel chart /> }.into_any(),
            "scatter" => view! { <scatter::ScatterPanel chart /> }.into_any(),
            "gallery" => view! { <gallery::GalleryPanel chart /> }.into_any(),
            "projector" => view! { <scatter::ProjectorPanel chart /> }.into_any(),
            other => {
                view! { <p class="cell-error" role="note">{format!("no chart `{other}`")}</p> }
                    .into_any()
            }
        })
    };
    view! {
        <section class="table-panel" data-chart=move || kind.get().unwrap_or_default()>
            <div class="chart-bar">
                <label>"chart "
                    <select class="chart-kind" on:change=picker>
                        <option value="" selected=move || kind.get().is_none()>"none (grid only)"</option>
                        {options}
                    </select>
                </label>
                {inputs}
                <Show when=move || kind.get().is_some()>
                    <button class="chart-png" title="download the chart as a PNG image" on:click=move |_| save_png()>"PNG"</button>
                </Show>
            </div>
            {body}
        </section>
    }
}

/// Downloads the whole-table panel's canvas as `loupe-chart.png`.
fn save_png() {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let canvas = doc
        .query_selector(".table-panel canvas")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok());
    let Some(url) = canvas.and_then(|c| c.to_data_url_with_type("image/png").ok()) else {
        return;
    };
    if let Ok(a) = doc.create_element("a")
        && let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>()
    {
        a.set_href(&url);
        a.set_download("loupe-chart.png");
        a.set_class_name("chart-png-link");
        let _ = a.set_attribute("hidden", "");
        if let Some(body) = doc.body() {
            let _ = body.append_child(&a);
        }
        a.click();
    }
}

/// A message in place of a chart whose inputs do not work (a typo in `x=`).
pub fn chart_error(message: String) -> AnyView {
    view! { <pre class="cell-error chart-error" role="note">{message}</pre> }.into_any()
}
