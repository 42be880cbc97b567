//! One table's view: the query (in the URL) run over the loaded table, the
//! grid or side-by-side grids, legends, panels, header menus and the bar of
//! actions above them.

use std::sync::Arc;

use leptos::ev;
use leptos::leptos_dom::helpers::window_event_listener;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::View;
use loupe_core::query::{Query, schema_of};

use crate::confusion_panel::ConfusionPanel;
use crate::export_buttons::ExportButtons;
use crate::grid::Grid;
use crate::header_menu::{HeaderMenu, MenuAt};
use crate::image_state::image_states_of;
use crate::join_form::JoinForm;
use crate::legend::Legend;
use crate::loader::{LoadedTable, load_classes};
use crate::mask_store::{Masks, load_all, wants_masks};
use crate::over_versions::OverVersions;
use crate::palette::version_colour;
use crate::panels::{PanelRegistry, SharedRegistry};
use crate::partitions::PartitionPager;
use crate::query_bar::QueryBar;
use crate::saved_views::SavedViews;
use crate::table_panels::TablePanel;
use crate::url_state::{navigate_with, push_query, read_query, replace_param, search_param};
use crate::view_model::{Layout, Shared, ViewInputs, build_model, literal};
use crate::view_run::{QueryRunning, ViewRun};

/// At most this many distinct classes files are fetched per column (names only).
const MAX_CLASSES_FILES: usize = 32;

#[component]
pub fn TableView(loaded: Arc<LoadedTable>) -> impl IntoView {
    let registry_signal = use_context::<SharedRegistry>()
        .unwrap_or_else(|| RwSignal::new(Arc::new(PanelRegistry::builtin())));
    let registry = registry_signal.get_untracked();
    let image_states = Arc::new(image_states_of(&loaded.table));
    // Class names from the classes files the cells point at arrive after the grid shows.
    for state in image_states.iter().flatten().copied() {
        let media = loaded.media_of(state.column);
        let files: Vec<String> = state.info.with_untracked(|i| i.classes_files.clone());
        spawn_local(async move {
            for path in files.into_iter().take(MAX_CLASSES_FILES) {
                let Ok(url) = media.url(&path) else {
                    continue;
                };
                // A missing classes file only costs names; boxes still draw as class_<id>.
                if let Ok(set) = load_classes(&url).await {
                    state.info.update(|i| i.add_classes_file(&set));
                }
            }
        });
    }

    // The query lives in the URL: edits push history entries, the back button pops them.
    let query = RwSignal::new(read_query());
    Effect::new(move |_| query.with(push_query));
    let pop = window_event_listener(ev::popstate, move |_| query.set(read_query()));
    on_cleanup(move || pop.remove());

    // Masks are fetched and decoded only once a query uses `mask_coverage`.
    let masks = RwSignal::new(Masks::default());
    let masks_started = StoredValue::new(false);
    let mask_table = loaded.clone();
    Effect::new(move |_| {
        if query.with(wants_masks) && !masks_started.get_value() {
            masks_started.set_value(true);
            load_all(mask_table.clone(), masks);
        }
    });
    let total = loaded.table.row_count();
    let unqueried = Shared(Arc::new(View {
        rows: (0..total as u32).collect(),
        ..View::default()
    }));
    let run = ViewRun::new(&loaded, query, masks, unqueried.clone());
    let result = run.result;
    // A query that fails (e.g. a typo in a shared link) shows its error over the plain table.
    let view = Memo::new(move |_| match result.get() {
        Ok(v) => v,
        Err(_) => unqueried.clone(),
    });
    let run_error = Signal::derive(move || result.get().err());
    let schema_table = loaded.clone();
    let schema =
        Signal::derive(move || view.with(|v| schema_of(&schema_table.table, &v.0.derived)));

    // Drill into a group: filter to its keys and ungroup (back returns to the groups).
    let on_expand = Callback::new(move |i: usize| {
        let keys = view.with_untracked(|v| v.0.groups.as_ref().map(|g| g.grouping.keys[i].clone()));
        let Some(keys) = keys else { return };
        query.update(|q| {
            let clauses: Vec<String> = q
                .group
                .iter()
                .zip(&keys)
                .map(|(expr, value)| match literal(value) {
                    Some(lit) => format!("({expr}) == {lit}"),
                    None => format!("({expr}) is null"),
                })
                .collect();
            q.and_filter(&clauses.join(" and "));
            q.group.clear();
            q.sort.clear();
        });
    });
    // How versions are laid out (`&layout=`): columns per version, overlaid, or side by side.
    let layout =
        RwSignal::new(search_param("layout").map_or(Layout::Columns, |v| Layout::parse(&v)));
    let version = StoredValue::new(0u64);
    let model_inputs = (loaded.clone(), image_states.clone(), registry.clone());
    let model = Memo::new(move |_| {
        let v = view.get();
        let q = query.get();
        version.update_value(|n| *n += 1);
        let inputs = ViewInputs {
            loaded: model_inputs.0.clone(),
            query: q,
            view: v.0,
            image_states: model_inputs.1.clone(),
            registry: registry_signal.get(),
            on_expand,
            layout: layout.get(),
        };
        Shared(Arc::new(build_model(version.get_value(), &inputs)))
    });
    let grid_model = Signal::derive(move || (*model.get().0).clone());

    let menu = RwSignal::new(None::<MenuAt>);
    // `/` jumps to the filter (unless typing somewhere); Esc closes the header menu.
    let keys = window_event_listener(ev::keydown, move |e| {
        let typing = e
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        match e.key().as_str() {
            "/" if !typing => {
                if let Some(input) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("loupe-filter"))
                    .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
                {
                    e.prevent_default();
                    let _ = input.focus();
                }
            }
            "Escape" => menu.set(None),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let on_header = Callback::new(move |(c, x, y): (usize, f64, f64)| {
        if let Some(name) = model.with_untracked(|m| m.0.columns.get(c).map(|col| col.name.clone()))
        {
            menu.set(Some(MenuAt { column: name, x, y }));
        }
    });

    let legends = loaded
        .table
        .columns
        .iter()
        .zip(image_states.iter())
        // Only columns with overlays need a legend.
        .filter(|(_, st)| {
            st.is_some_and(|st| {
                st.info
                    .with_untracked(|i| !i.box_layers.is_empty() || !i.mask_layers.is_empty())
            })
        })
        .filter_map(|(col, st)| st.map(|st| view! { <Legend name=col.name.clone() state=st /> }))
        .collect_view();
    let compare_legend = loaded.compare.as_ref().map(|c| {
        let items = c
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| {
                view! {
                    <span class="version-chip" data-version=v.clone()>
                        <span class="swatch" style:background=version_colour(i)></span>{v.clone()}
                    </span>
                }
            })
            .collect_view();
        // The key can be changed: any column every version has, or the row position.
        let current_key = c.key.clone().unwrap_or_else(|| "-".into());
        let mut candidates: Vec<String> = crate::version_charts::versioned_columns(&loaded)
            .into_iter()
            .filter(|s| s.columns.iter().all(Option::is_some))
            .map(|s| s.base)
            .collect();
        if let Some(k) = &c.key {
            candidates.insert(0, k.clone());
        }
        let options = candidates
            .into_iter()
            .map(|k| {
                let selected = k == current_key;
                view! { <option value=k.clone() selected=selected>{k.clone()}</option> }
            })
            .collect_view();
        let key = view! {
            <label>"matched on "
                <select class="compare-key-select" on:change=move |e| navigate_with("key", &event_target_value(&e))>
                    {options}
                    <option value="-" selected=current_key == "-">"row position"</option>
                </select>
            </label>
        };
        let choice = |which: Layout, text: &'static str| {
            view! {
                <button class="layout-choice" data-layout=which.param() aria-pressed=move || (layout.get() == which).to_string()
                        on:click=move |_| {
                            replace_param("layout", which.param());
                            layout.set(which);
                        }>{text}</button>
            }
        };
        view! {
            <div class="compare-legend" aria-label="compared versions">"comparing " {items} <span class="compare-key">{key}</span>
                <span class="layout-choices" role="group" aria-label="layout">
                    {choice(Layout::Columns, "columns")}
                    {choice(Layout::Overlay, "overlaid")}
                    {choice(Layout::Side, "side by side")}
                </span>
            </div>
        }
    });
    let versions: Vec<String> = loaded
        .compare
        .as_ref()
        .map(|c| c.versions.clone())
        .unwrap_or_default();
    let scroll = RwSignal::new((0, 0));
    // A paged partitioned table moves on when the grid is scrolled to an end.
    let page_request = RwSignal::new(None::<bool>);
    let on_edge = loaded
        .partitions
        .is_some()
        .then(|| Callback::new(move |later: bool| page_request.set(Some(later))));
    let start_row = loaded.start_row;
    let grids = move || {
        if layout.get() != Layout::Side || versions.is_empty() {
            return view! { <Grid model=grid_model on_header start_row on_edge /> }.into_any();
        }
        let panes = versions
            .iter()
            .enumerate()
            .map(|(v, label)| {
                let pane_model = Signal::derive(move || grid_model.get().pane(v));
                let on_pane_header = Callback::new(move |(c, x, y): (usize, f64, f64)| {
                    if let Some(name) = pane_model.with_untracked(|m| m.columns.get(c).map(|col| col.name.clone())) {
                        menu.set(Some(MenuAt { column: name, x, y }));
                    }
                });
                view! {
                    <section class="pane" data-version=label.clone() aria-label=format!("version {label}")>
                        <h2 class="pane-title" style:border-color=version_colour(v)>{label.clone()}</h2>
                        <Grid model=pane_model on_header=on_pane_header scroll_sync=scroll />
                    </section>
                }
            })
            .collect_view();
        view! { <div class="side-by-side">{panes}</div> }.into_any()
    };
    let title = file_name(&loaded.url);
    let ncols = loaded.table.columns.len();
    let summary = move || {
        view.with(|v| match &v.0.groups {
            Some(g) => format!(
                "{} groups of {} rows",
                g.grouping.len(),
                g.grouping.members.iter().map(Vec::len).sum::<usize>()
            ),
            None => format!("{} of {total} rows × {ncols} columns", v.0.rows.len()),
        }) + &run.worker_ms.get().map_or(String::new(), |ms| {
            format!(" · queried in {ms:.0} ms by a worker")
        })
    };
    let menu_view = Signal::derive(move || Some(view.get()));
    view! {
        <main class="table-view">
            <header class="bar">
                <a class="logo" href="?">"Loupe"</a>
                <h1 class="title" title=loaded.url.clone()>{title}</h1>
                <span class="summary" data-view-summary="">{summary}</span>
                <ExportButtons loaded=loaded.clone() view query />
                <JoinForm loaded=loaded.clone() />
                <SavedViews />
                <EmbedSnippet />
            </header>
            <QueryBar query schema run_error />
            <QueryRunning run query rows=total />
            <PartitionPager loaded=loaded.clone() request=page_request
                scan=Signal::derive(move || query.with(Query::computation)) />
            {compare_legend}
            <OverVersions loaded=loaded.clone() view />
            <ConfusionPanel loaded=loaded.clone() view query />
            <TablePanel loaded=loaded.clone() view query />
            <div class="legends">{legends}</div>
            {grids}
            <HeaderMenu at=menu query loaded=loaded.clone() view=menu_view />
        </main>
    }
}

/// The last segment of `url`: a table's title.
pub fn file_name(url: &str) -> String {
    url.rsplit('/').next().unwrap_or(url).to_string()
}

/// "embed": an `<iframe>` snippet of this exact view, ready to copy into a report.
#[component]
fn EmbedSnippet() -> impl IntoView {
    let open = RwSignal::new(false);
    let snippet = move || {
        let href = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let sep = if href.contains('?') { "&" } else { "?" };
        format!(
            "<iframe src=\"{}{sep}embed=1\" width=\"900\" height=\"520\" style=\"border:0\" loading=\"lazy\" title=\"Loupe\"></iframe>",
            href.replace('"', "&quot;")
        )
    };
    view! {
        <button class="embed-button" title="an iframe snippet of this view" on:click=move |_| open.update(|o| *o = !*o)>"embed"</button>
        <Show when=move || open.get()>
            <input class="embed-snippet" type="text" readonly aria-label="embed snippet (copy it)"
                   prop:value=snippet on:focus=move |e| {
                       let el: web_sys::HtmlInputElement = event_target(&e);
                       el.select();
                   } />
        </Show>
    }
}
