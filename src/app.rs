//! The application shell: reads the URL, loads the table, shows progress and
//! the table view (`table_view`), the large image view, and reports its state on `<body>`.

use std::sync::Arc;

use leptos::ev;
use leptos::leptos_dom::helpers::window_event_listener;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::ops::JoinKind;

use crate::catalog_page::CatalogPage;
use crate::image_state::OpenImage;
use crate::legend::Legend;
use crate::loader::{LoadedTable, OpenRequest, Progress, load_table};
use crate::panels::{ImageView, PanelRegistry, SharedRegistry};
use crate::plugins::PluginConsent;
use crate::start::StartPage;
use crate::table_preview::TablePreview;
use crate::table_view::TableView;
use crate::url_state::{search_param, search_params};

/// What the page shows; mirrored to `body[data-loupe-state]`.
#[derive(Clone)]
enum Phase {
    Start,
    /// Browsing a catalog (or, without one, a single artifact version folder).
    Catalog {
        catalog: Option<String>,
        selected: Option<String>,
    },
    /// Its progress and first rows are signals of their own, so the page does
    /// not rebuild on every chunk.
    Loading {
        url: String,
    },
    Ready(Arc<LoadedTable>),
    Failed(String),
}

impl Phase {
    /// `None` for the catalog browser, which reports its own loading state.
    fn state_name(&self) -> Option<&'static str> {
        match self {
            Phase::Loading { .. } => Some("loading"),
            Phase::Failed(_) => Some("error"),
            Phase::Start | Phase::Ready(_) => Some("ready"),
            Phase::Catalog { .. } => None,
        }
    }
}

/// What the page's query string asks to open.
#[derive(Default)]
struct Params {
    table: Option<String>,
    root: Option<String>,
    catalog: Option<String>,
    /// An artifact version folder to browse (`?artifact=<url>`), or with a
    /// catalog, the selected `name:version`.
    artifact: Option<String>,
    join: Option<JoinKind>,
    compare: Vec<String>,
    key: Option<String>,
    with: Option<String>,
    on: Option<String>,
    /// `&scan=1`: the view's filter, sort or grouping, run over every part of
    /// a paged partitioned table.
    scan: Option<loupe_core::query::Query>,
}

fn query_params() -> Params {
    let params = search_params();
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, v)| key == k && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    Params {
        table: get("table"),
        root: get("root"),
        catalog: get("catalog"),
        artifact: get("artifact"),
        join: get("join").and_then(|j| JoinKind::parse(&j)),
        compare: params
            .iter()
            .filter(|(k, v)| k == "compare" && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect(),
        key: get("key"),
        with: get("with"),
        on: get("on"),
        scan: get("scan").filter(|v| v == "1").and_then(|_| {
            let query = crate::url_state::query_of(&params);
            crate::partitions::scan_label(&query).map(|_| query.computation())
        }),
    }
}

fn set_body_state(state: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-loupe-state", state);
    }
}

/// `&<name>=<megabytes>` in bytes, when it is a positive number.
fn megabytes_param(name: &str) -> Option<f64> {
    search_param(name)
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|mb| *mb > 0.0)
        .map(|mb| mb * f64::from(1 << 20))
}

#[component]
pub fn App() -> impl IntoView {
    // Plugins (`&plugin=`) join the registry after the user agrees, so it is a signal.
    let registry: SharedRegistry = RwSignal::new(Arc::new(PanelRegistry::builtin()));
    provide_context(registry);
    let plugin_urls: Vec<String> = search_params()
        .into_iter()
        .filter(|(k, v)| k == "plugin" && !v.is_empty())
        .map(|(_, v)| v)
        .collect();
    let open_image = OpenImage(RwSignal::new(None));
    provide_context(open_image);

    // Uncaught errors and rejections are counted on `<body data-page-errors>`:
    // tests assert none happens, whatever the input.
    let count_error = |_: web_sys::Event| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let n = body
                .get_attribute("data-page-errors")
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0);
            let _ = body.set_attribute("data-page-errors", &(n + 1).to_string());
        }
    };
    let on_error = window_event_listener(ev::error, move |e| count_error(e.into()));
    let on_rejection =
        window_event_listener(ev::unhandledrejection, move |e| count_error(e.into()));
    on_cleanup(move || {
        on_error.remove();
        on_rejection.remove();
    });
    let params = query_params();
    // A memory budget for downloads (`&max_mb=`): refuse bigger responses with a clear message.
    if let Some(bytes) = megabytes_param("max_mb") {
        crate::fetch::set_budget(bytes as u64);
    }
    // The memory budget of a partitioned table's parts (`&memory_mb=`): beyond it they page.
    if let Some(bytes) = megabytes_param("memory_mb") {
        crate::partitions::set_memory_budget(bytes as usize);
    }
    // Embed mode (`&embed=1`): only the panel, sized to its iframe.
    if search_params()
        .iter()
        .any(|(k, v)| k == "embed" && v == "1")
        && let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
    {
        let _ = body.class_list().add_1("embed");
    }
    let progress = RwSignal::new(None::<Progress>);
    let preview = RwSignal::new(None::<Arc<LoadedTable>>);
    let phase = RwSignal::new(match (&params.table, &params.catalog, &params.artifact) {
        (Some(url), _, _) => Phase::Loading { url: url.clone() },
        (None, Some(catalog), selected) => Phase::Catalog {
            catalog: Some(catalog.clone()),
            selected: selected.clone(),
        },
        (None, None, Some(folder)) => Phase::Catalog {
            catalog: None,
            selected: Some(folder.clone()),
        },
        (None, None, None) => Phase::Start,
    });
    Effect::new(move |_| {
        if let Some(state) = phase.with(Phase::state_name) {
            set_body_state(state);
        }
    });

    // Loading a table: from the URL at start, or files from this computer later.
    let start = move |request: OpenRequest| {
        phase.set(Phase::Loading {
            url: request.table.clone(),
        });
        progress.set(None);
        preview.set(None);
        let generation = crate::fetch::generation();
        spawn_local(async move {
            let report = move |p: Progress| progress.set(Some(p));
            // Shown in a task of its own: the rows arrive in the middle of
            // reading the body, which should not wait for a view to be built.
            let first_rows = move |t: LoadedTable| {
                spawn_local(async move {
                    crate::fetch::yield_to_browser().await;
                    let loading = phase.with_untracked(|p| matches!(p, Phase::Loading { .. }));
                    if loading && crate::fetch::generation() == generation {
                        let _ = preview.try_set(Some(Arc::new(t)));
                    }
                });
            };
            let result = load_table(&request, report, first_rows).await;
            // A cancelled load leaves the page where the user went.
            if crate::fetch::generation() != generation {
                preview.set(None);
                return;
            }
            // Take the preview down in a task of its own before the whole
            // table's view is built: together they would block the page longer.
            if preview.with_untracked(Option::is_some) {
                preview.set(None);
                crate::fetch::yield_to_browser().await;
            }
            match result {
                Ok(loaded) => phase.set(Phase::Ready(Arc::new(loaded))),
                Err(message) => phase.set(Phase::Failed(message)),
            }
        });
    };
    provide_context(crate::partitions::ShowTable(Callback::new(move |t| {
        phase.set(Phase::Ready(t));
    })));
    provide_context(crate::local_files::OpenLocal(Callback::new(
        move |address: String| start(OpenRequest::table(&address)),
    )));
    // Files dropped anywhere on the page open too (the start page explains it).
    let drop_files = window_event_listener(ev::drop, move |e| {
        let Some(files) = e.data_transfer().and_then(|d| d.files()) else {
            return;
        };
        if files.length() == 0 {
            return;
        }
        e.prevent_default();
        let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        let tables = crate::local_files::register(&files);
        if let Some(first) = tables.first() {
            start(OpenRequest::table(first));
        }
    });
    let allow_drop = window_event_listener(ev::dragover, move |e| e.prevent_default());
    on_cleanup(move || {
        drop_files.remove();
        allow_drop.remove();
    });
    if let Some(url) = params.table.clone() {
        start(OpenRequest {
            table: url,
            root: params.root.clone(),
            catalog: params.catalog.clone(),
            join: params.join,
            compare: params.compare.clone(),
            key: params.key.clone(),
            with: params.with.clone(),
            on: params.on.clone(),
            scan: params.scan.clone(),
        });
    }

    let close = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" {
            open_image.0.set(None);
        }
    });
    on_cleanup(move || close.remove());

    view! {
        {move || match phase.get() {
            Phase::Start => view! { <StartPage /> }.into_any(),
            Phase::Catalog { catalog, selected } => view! { <CatalogPage catalog selected /> }.into_any(),
            Phase::Loading { url } => {
                let on_cancel = Callback::new(move |()| {
                    crate::fetch::cancel_loads();
                    // Back to the start page, without the table in the address.
                    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("?"));
                    }
                    phase.set(Phase::Start);
                });
                view! {
                    <LoadingView url progress on_cancel />
                    // The first rows, while the rest arrives (replaced when it has).
                    {move || preview.get().map(|loaded| view! { <TablePreview loaded /> }.into_any())}
                }
                .into_any()
            }
            Phase::Failed(message) => view! {
                <main class="failed">
                    <header class="bar"><a class="logo" href="?">"Loupe"</a></header>
                    <div role="alert" class="alert">{message}</div>
                    <button class="retry" on:click=|_| { if let Some(w) = web_sys::window() { let _ = w.location().reload(); } }>"Retry"</button>
                </main>
            }
            .into_any(),
            Phase::Ready(loaded) => view! { <TableView loaded /> }.into_any(),
        }}
        <ImageModal open=open_image />
        <PluginConsent urls=plugin_urls registry />
    }
}

#[component]
fn LoadingView(
    url: String,
    progress: RwSignal<Option<Progress>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let label_and_fraction = move || match progress.get() {
        None => ("starting…".to_string(), None),
        Some(Progress::Fetching { received, total }) => (
            match total {
                Some(t) => format!("{} of {}", human_bytes(received), human_bytes(t)),
                None => format!("{} received", human_bytes(received)),
            },
            total.filter(|t| *t > 0).map(|t| received as f64 / t as f64),
        ),
        Some(Progress::Parsing) => ("parsing JSON…".to_string(), None),
        Some(Progress::Reading {
            rows,
            bytes_done,
            bytes_total,
        }) => (
            format!(
                "reading rows: {rows} ({} of {})",
                human_bytes(bytes_done as u64),
                human_bytes(bytes_total as u64)
            ),
            Some(bytes_done as f64 / bytes_total.max(1) as f64),
        ),
    };
    view! {
        <main class="loading">
            <p>"Loading " <code>{url}</code></p>
            <progress max="1" value=move || label_and_fraction().1.map(|f| f.to_string())></progress>
            <p class="progress-label">{move || label_and_fraction().0}</p>
            <button class="cancel-load" on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </main>
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / f64::from(1 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// The large image view over the page; Esc or a click outside closes it.
#[component]
fn ImageModal(open: OpenImage) -> impl IntoView {
    move || {
        open.0.get().map(|req| {
            let legend = req.state.map(|st| view! { <Legend name="overlays".to_string() state=st /> });
            view! {
                <div class="modal-backdrop" on:click=move |_| open.0.set(None)>
                    <div class="modal" role="dialog" aria-label="image" on:click=|e| e.stop_propagation()>
                        <button class="close" aria-label="close" on:click=move |_| open.0.set(None)>"×"</button>
                        {legend}
                        <a class="download-media" href=req.url.clone() download="" rel="noopener">"download image"</a>
                        <ImageView image=req.image url=req.url media=req.media state=req.state large=true />
                    </div>
                </div>
            }
        })
    }
}
