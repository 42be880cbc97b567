//! The artifact browser: artifacts of a catalog grouped by type, their versions
//! and aliases; for the selected version an overview (metadata, size, lineage)
//! and its files from the manifest, each table openable. Everything is a link,
//! so every state of the browser is a shareable URL.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::catalog::{Catalog, VersionEntry};
use loupe_core::json::to_string;
use loupe_core::path::{folder_of, resolve_media_url};
use loupe_core::{Manifest, ManifestEntry};

use crate::fetch::{absolute_url, fetch_bytes};
use crate::saved_views::ShippedViews;

fn set_state(state: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-loupe-state", state);
    }
}

/// `?k=v&…` with proper encoding.
fn link(params: &[(&str, &str)]) -> String {
    let Ok(p) = web_sys::UrlSearchParams::new() else {
        return String::from("?");
    };
    for (k, v) in params {
        p.append(k, v);
    }
    format!("?{}", String::from(p.to_string()))
}

fn human_size(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / f64::from(1 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// Files a user can open as a table (or a single media object).
fn openable(path: &str) -> bool {
    [
        ".table.json",
        ".joined-table.json",
        ".partitioned-table.json",
        ".image-file.json",
    ]
    .iter()
    .any(|s| path.ends_with(s))
}

#[derive(Clone)]
struct Loaded {
    catalog: Option<Arc<Catalog>>,
    /// Absolute URL of the catalog's folder.
    base: String,
    /// The catalog URL as given (kept in links).
    catalog_param: Option<String>,
}

#[component]
pub fn CatalogPage(catalog: Option<String>, selected: Option<String>) -> impl IntoView {
    let loaded = RwSignal::new(None::<Result<Loaded, String>>);
    set_state("loading");
    let catalog_param = catalog.clone();
    spawn_local(async move {
        let result = match &catalog_param {
            Some(url) => match absolute_url(url) {
                Err(e) => Err(e),
                Ok(abs) => match fetch_bytes(&abs, |_, _| {}).await {
                    Err(e) => Err(format!("Could not load catalog {abs}: {e}")),
                    Ok(bytes) => Catalog::parse(&bytes)
                        .map(|c| Loaded {
                            catalog: Some(Arc::new(c)),
                            base: folder_of(&abs),
                            catalog_param: catalog_param.clone(),
                        })
                        .map_err(|e| format!("Could not read catalog {abs}: {e}")),
                },
            },
            None => Ok(Loaded {
                catalog: None,
                base: String::new(),
                catalog_param: None,
            }),
        };
        if result.is_err() {
            set_state("error");
        }
        loaded.set(Some(result));
    });
    let title = catalog
        .clone()
        .unwrap_or_else(|| selected.clone().unwrap_or_default());
    view! {
        <main class="catalog-page">
            <header class="bar">
                <a class="logo" href="?">"Loupe"</a>
                <h1 class="title">{title}</h1>
            </header>
            {move || match loaded.get() {
                None => view! { <p class="loading">"Loading the catalog…"</p> }.into_any(),
                Some(Err(message)) => view! { <div role="alert" class="alert">{message}</div> }.into_any(),
                Some(Ok(l)) => view! { <Browser loaded=l selected=selected.clone() /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn Browser(loaded: Loaded, selected: Option<String>) -> impl IntoView {
    let catalog_param = loaded.catalog_param.clone().unwrap_or_default();
    // The selected version: `name:version` in a catalog, or a folder URL without one.
    let chosen: Option<(Option<String>, Option<VersionEntry>, String)> =
        match (&loaded.catalog, &selected) {
            (Some(c), Some(spec)) => c.version(spec).map(|(a, v)| {
                let mut folder = resolve_media_url(&loaded.base, &v.path).unwrap_or_default();
                if !folder.ends_with('/') {
                    folder.push('/');
                }
                (
                    Some(format!("{}:{}", a.name, v.version)),
                    Some(v.clone()),
                    folder,
                )
            }),
            (None, Some(folder)) => absolute_url(folder).ok().map(|mut f| {
                if !f.ends_with('/') {
                    f.push('/');
                }
                (None, None, f)
            }),
            _ => None,
        };
    if chosen.is_none() {
        set_state("ready");
    }
    let list = loaded.catalog.as_ref().map(|c| {
        c.types()
            .into_iter()
            .map(|kind| {
                let artifacts = c
                    .artifacts
                    .iter()
                    .filter(|a| a.kind == kind)
                    .map(|a| {
                        let versions = a
                            .versions
                            .iter()
                            .map(|v| {
                                let spec = format!("{}:{}", a.name, v.version);
                                let href = link(&[("catalog", &catalog_param), ("artifact", &spec)]);
                                let current = selected.as_deref() == Some(spec.as_str());
                                let aliases = v
                                    .aliases
                                    .iter()
                                    .map(|al| view! { <span class="alias">{al.clone()}</span> })
                                    .collect_view();
                                view! {
                                    <a class="version" class:current=current href=href data-version=spec.clone()>
                                        {v.version.clone()}" "{aliases}
                                    </a>
                                }
                            })
                            .collect_view();
                        view! {
                            <div class="artifact" data-artifact=a.name.clone()>
                                <h3>{a.name.clone()}</h3>
                                <div class="versions">{versions}</div>
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="artifact-type" data-type=kind.to_string()>
                        <h2>{kind.to_string()}</h2>
                        {artifacts}
                    </section>
                }
            })
            .collect_view()
    });
    let lineage = match (&loaded.catalog, &chosen) {
        (Some(c), Some((Some(spec), _, _))) => {
            let produced: Vec<String> = c
                .runs
                .iter()
                .filter(|r| r.logged.contains(spec))
                .map(|r| {
                    format!(
                        "{} (used {})",
                        r.name.clone().unwrap_or_else(|| r.id.clone()),
                        if r.used.is_empty() {
                            "nothing".into()
                        } else {
                            r.used.join(", ")
                        }
                    )
                })
                .collect();
            let used: Vec<String> = c
                .runs
                .iter()
                .filter(|r| r.used.contains(spec))
                .map(|r| {
                    format!(
                        "{} (logged {})",
                        r.name.clone().unwrap_or_else(|| r.id.clone()),
                        r.logged.join(", ")
                    )
                })
                .collect();
            Some(view! {
                <div class="lineage" data-lineage="">
                    <p>"Logged by: "{if produced.is_empty() { "—".to_string() } else { produced.join("; ") }}</p>
                    <p>"Used by: "{if used.is_empty() { "—".to_string() } else { used.join("; ") }}</p>
                </div>
            }
            .into_any())
        }
        _ => None,
    };
    // The artifact's other versions: a table can be compared with the same file in them.
    let siblings: Vec<(String, String)> = match (&loaded.catalog, &selected) {
        (Some(c), Some(spec)) => c
            .version(spec)
            .map(|(a, chosen)| {
                a.versions
                    .iter()
                    .filter(|v| v.version != chosen.version)
                    .filter_map(|v| {
                        let mut folder = resolve_media_url(&loaded.base, &v.path).ok()?;
                        if !folder.ends_with('/') {
                            folder.push('/');
                        }
                        Some((v.version.clone(), folder))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let shipped = loaded
        .catalog
        .as_ref()
        .map(|c| c.views.clone())
        .unwrap_or_default();
    let panel = match chosen {
        Some((spec, version, folder)) => {
            view! { <VersionPanel spec version folder catalog_param=loaded.catalog_param.clone() lineage siblings /> }.into_any()
        }
        None => match &loaded.catalog {
            Some(c) => view! { <LineageView catalog=c.clone() catalog_param=catalog_param.clone() /> }.into_any(),
            None => view! { <p class="hint">"Choose a version to see its files."</p> }.into_any(),
        },
    };
    view! {
        <div class="catalog-body">
            {list.map(|l| view! { <nav class="artifact-list" aria-label="artifacts">{l}<ShippedViews views=shipped.clone() /></nav> })}
            {panel}
        </div>
    }
}

/// Artifacts and runs as a left-to-right DAG; "explode" shows every version.
#[component]
fn LineageView(catalog: Arc<Catalog>, catalog_param: String) -> impl IntoView {
    let explode = RwSignal::new(false);
    let graph = move || {
        let g = catalog.lineage(explode.get());
        const W: f64 = 170.0;
        const H: f64 = 34.0;
        const DX: f64 = 220.0;
        const DY: f64 = 52.0;
        // Position: column by layer, row by order within the layer.
        let mut rows_in_layer = std::collections::HashMap::<usize, usize>::new();
        let pos: Vec<(f64, f64)> = g
            .nodes
            .iter()
            .map(|n| {
                let row = rows_in_layer.entry(n.layer).or_insert(0);
                let p = (10.0 + n.layer as f64 * DX, 10.0 + *row as f64 * DY);
                *row += 1;
                p
            })
            .collect();
        let width = pos.iter().map(|p| p.0).fold(0.0, f64::max) + W + 20.0;
        let height = pos.iter().map(|p| p.1).fold(0.0, f64::max) + H + 20.0;
        let edges = g
            .edges
            .iter()
            .map(|&(a, b)| {
                let (x1, y1) = (pos[a].0 + W, pos[a].1 + H / 2.0);
                let (x2, y2) = (pos[b].0, pos[b].1 + H / 2.0);
                let mid = (x1 + x2) / 2.0;
                view! { <path class="edge" d=format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}") /> }
            })
            .collect_view();
        let nodes = g
            .nodes
            .iter()
            .zip(&pos)
            .map(|(n, &(x, y))| {
                let kind = match n.kind {
                    loupe_core::catalog::NodeKind::Run => "run",
                    loupe_core::catalog::NodeKind::Artifact => "artifact",
                    loupe_core::catalog::NodeKind::Version => "version",
                };
                let href = n
                    .spec
                    .as_ref()
                    .map(|spec| link(&[("catalog", &catalog_param), ("artifact", spec)]));
                let label = n.label.clone();
                let shown: String = label.chars().take(24).collect();
                let node_name = label.clone();
                view! {
                    <g class=format!("node {kind}") data-node=node_name data-kind=kind
                       on:click=move |_| {
                           if let (Some(h), Some(w)) = (&href, web_sys::window()) {
                               let _ = w.location().set_search(h);
                           }
                       }>
                        <rect x=x y=y width=W height=H rx=if kind == "run" { 17.0 } else { 4.0 } />
                        <text x=x + 10.0 y=y + H / 2.0 + 4.0>{shown}</text>
                        <title>{label}</title>
                    </g>
                }
            })
            .collect_view();
        view! {
            <svg class="lineage-graph" width=width height=height viewBox=format!("0 0 {width} {height}") role="img"
                 aria-label="lineage: artifacts and the runs that used and logged them">
                {edges}
                {nodes}
            </svg>
        }
    };
    view! {
        <section class="lineage-panel">
            <h2>"Lineage"</h2>
            <label class="explode">
                <input type="checkbox" prop:checked=move || explode.get() on:change=move |_| explode.update(|e| *e = !*e) />
                " Explode (every version)"
            </label>
            <div class="graph-scroll">{graph}</div>
            <p class="hint">"Click an artifact to open it; choose a version on the left to see its files."</p>
        </section>
    }
}

#[component]
fn VersionPanel(
    spec: Option<String>,
    version: Option<VersionEntry>,
    folder: String,
    catalog_param: Option<String>,
    lineage: Option<AnyView>,
    /// Other versions of the artifact (version, folder): tables offer "compare with".
    siblings: Vec<(String, String)>,
) -> impl IntoView {
    let manifest = RwSignal::new(None::<Result<Arc<Manifest>, String>>);
    let url = format!("{folder}wandb_manifest.json");
    spawn_local(async move {
        let result = match fetch_bytes(&url, |_, _| {}).await {
            Err(e) => Err(format!("Could not load {url}: {e}")),
            Ok(bytes) => Manifest::parse(&bytes)
                .map(Arc::new)
                .map_err(|e| format!("Could not read {url}: {e}")),
        };
        set_state(if result.is_ok() { "ready" } else { "error" });
        manifest.set(Some(result));
    });
    let heading = spec.clone().unwrap_or_else(|| folder.clone());
    let label = format!("version {heading}");
    let overview = version.map(|v| {
        let aliases = v.aliases.join(", ");
        let metadata = v.metadata.as_ref().map(|m| to_string(m, true));
        view! {
            <dl class="overview">
                <dt>"aliases"</dt><dd>{if aliases.is_empty() { "—".to_string() } else { aliases }}</dd>
                <dt>"size"</dt><dd>{v.size.map_or_else(|| "—".to_string(), human_size)}</dd>
                <dt>"created"</dt><dd>{v.created_at.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"digest"</dt><dd>{v.digest.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"folder"</dt><dd><code>{v.path.clone()}</code></dd>
                {metadata.map(|m| view! { <dt>"metadata"</dt><dd><pre>{m}</pre></dd> })}
            </dl>
        }
    });
    let files = move || {
        manifest.get().map(|m| match m {
            Err(message) => view! { <div role="alert" class="alert">{message}</div> }.into_any(),
            Ok(m) => {
                let rows = m
                    .entries
                    .iter()
                    .map(|e| file_row(e, &folder, catalog_param.as_deref(), &siblings))
                    .collect_view();
                view! {
                    <p class="file-count">{format!("{} files", m.entries.len())}</p>
                    <table class="files">
                        <thead><tr><th>"path"</th><th>"size"</th><th></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="version-panel" aria-label=label>
            <h2>{heading}</h2>
            <h3>"Overview"</h3>
            {overview}
            {lineage}
            <h3>"Files"</h3>
            {files}
        </section>
    }
}

fn file_row(
    e: &ManifestEntry,
    folder: &str,
    catalog: Option<&str>,
    siblings: &[(String, String)],
) -> AnyView {
    let open = openable(&e.path).then(|| {
        let table = format!("{folder}{}", e.path);
        let mut params = vec![("table", table.as_str())];
        if let Some(c) = catalog {
            params.push(("catalog", c));
        }
        let href = link(&params);
        let outer = e.path.ends_with(".joined-table.json").then(|| {
            let mut p = params.clone();
            p.push(("join", "outer"));
            view! { " " <a class="open outer" href=link(&p)>"open (outer join)"</a> }
        });
        // The same table in another version of the artifact: compare the two.
        let compare = e.path.ends_with(".table.json").then(|| {
            siblings
                .iter()
                .map(|(version, other)| {
                    let other_table = format!("{other}{}", e.path);
                    let mut p = params.clone();
                    p.push(("compare", other_table.as_str()));
                    view! { " " <a class="open compare" href=link(&p) data-compare=version.clone()>{format!("compare with {version}")}</a> }
                })
                .collect_view()
        });
        view! { <a class="open" href=href data-open=e.path.clone()>"open"</a>{outer}{compare} }
    });
    let size = match (&e.reference, e.size) {
        (Some(r), _) => {
            view! { <span class="ref" title=r.clone()>"→ another artifact"</span> }.into_any()
        }
        (None, Some(s)) => view! { <span>{human_size(s)}</span> }.into_any(),
        (None, None) => view! { <span>"—"</span> }.into_any(),
    };
    view! {
        <tr data-file=e.path.clone()>
            <td><code>{e.path.clone()}</code></td>
            <td>{size}</td>
            <td>{open}</td>
        </tr>
    }
    .into_any()
}
