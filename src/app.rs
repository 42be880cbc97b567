//! The application shell: reads the URL, loads the table, shows progress,
//! the grid, legends and the large image view, and reports its state on `<body>`.

use std::sync::Arc;

use leptos::ev;
use leptos::leptos_dom::helpers::window_event_listener;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::ImageColumnInfo;
use loupe_core::path::resolve_media_url;

use crate::grid::Grid;
use crate::image_state::{ImageColumnState, OpenImage};
use crate::legend::Legend;
use crate::loader::{LoadedTable, Progress, load_classes, load_table};
use crate::panels::{ImageView, PanelRegistry};
use crate::start::StartPage;

/// At most this many distinct classes files are fetched per column (names only).
const MAX_CLASSES_FILES: usize = 32;

/// What the page shows; mirrored to `body[data-loupe-state]`.
#[derive(Clone)]
enum Phase {
    Start,
    Loading {
        url: String,
        progress: Option<Progress>,
    },
    Ready(Arc<LoadedTable>),
    Failed(String),
}

impl Phase {
    fn state_name(&self) -> &'static str {
        match self {
            Phase::Loading { .. } => "loading",
            Phase::Failed(_) => "error",
            Phase::Start | Phase::Ready(_) => "ready",
        }
    }
}

/// `table` and `root` from the page's query string.
fn query_params() -> (Option<String>, Option<String>) {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return (None, None);
    };
    let get = |k: &str| params.get(k).filter(|v| !v.is_empty());
    (get("table"), get("root"))
}

fn set_body_state(state: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-loupe-state", state);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_context(Arc::new(PanelRegistry::builtin()));
    let open_image = OpenImage(RwSignal::new(None));
    provide_context(open_image);

    let (table_url, root) = query_params();
    let phase = RwSignal::new(match &table_url {
        Some(url) => Phase::Loading {
            url: url.clone(),
            progress: None,
        },
        None => Phase::Start,
    });
    Effect::new(move |_| set_body_state(phase.with(Phase::state_name)));

    if let Some(url) = table_url {
        spawn_local(async move {
            let report = move |p: Progress| {
                phase.update(|ph| {
                    if let Phase::Loading { progress, .. } = ph {
                        *progress = Some(p);
                    }
                })
            };
            match load_table(&url, root.as_deref(), report).await {
                Ok(loaded) => phase.set(Phase::Ready(Arc::new(loaded))),
                Err(message) => phase.set(Phase::Failed(message)),
            }
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
            Phase::Loading { url, progress } => view! { <LoadingView url progress /> }.into_any(),
            Phase::Failed(message) => view! {
                <main class="failed">
                    <header class="bar"><a class="logo" href="?">"Loupe"</a></header>
                    <div role="alert" class="alert">{message}</div>
                </main>
            }
            .into_any(),
            Phase::Ready(loaded) => view! { <TableView loaded /> }.into_any(),
        }}
        <ImageModal open=open_image />
    }
}

#[component]
fn LoadingView(url: String, progress: Option<Progress>) -> impl IntoView {
    let (label, fraction) = match progress {
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
            <progress max="1" value=fraction.map(|f| f.to_string())></progress>
            <p class="progress-label">{label}</p>
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

#[component]
fn TableView(loaded: Arc<LoadedTable>) -> impl IntoView {
    let image_states: Vec<Option<ImageColumnState>> = loaded
        .table
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            ImageColumnInfo::from_column(col).map(|info| ImageColumnState::new(c, info))
        })
        .collect();
    // Class names from the classes files the cells point at arrive after the grid shows.
    for state in image_states.iter().flatten().copied() {
        let root = loaded.root.clone();
        let files: Vec<String> = state.info.with_untracked(|i| i.classes_files.clone());
        spawn_local(async move {
            for path in files.into_iter().take(MAX_CLASSES_FILES) {
                let Ok(url) = resolve_media_url(&root, &path) else {
                    continue;
                };
                // A missing classes file only costs names; boxes still draw as class_<id>.
                if let Ok(set) = load_classes(&url).await {
                    state.info.update(|i| i.add_classes_file(&set));
                }
            }
        });
    }
    let legends = loaded
        .table
        .columns
        .iter()
        .zip(&image_states)
        .filter_map(|(col, st)| st.map(|st| view! { <Legend name=col.name.clone() state=st /> }))
        .collect_view();
    let title = loaded
        .url
        .rsplit('/')
        .next()
        .unwrap_or(&loaded.url)
        .to_string();
    let summary = format!(
        "{} rows × {} columns",
        loaded.table.row_count(),
        loaded.table.columns.len()
    );
    view! {
        <main class="table-view">
            <header class="bar">
                <a class="logo" href="?">"Loupe"</a>
                <h1 class="title" title=loaded.url.clone()>{title}</h1>
                <span class="summary">{summary}</span>
            </header>
            <div class="legends">{legends}</div>
            <Grid loaded=loaded.clone() image_states />
        </main>
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
                        <ImageView image=req.image url=req.url root=req.root state=req.state large=true />
                    </div>
                </div>
            }
        })
    }
}
