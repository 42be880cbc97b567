//! "views": save the current view under a name, reopen, rename, delete, and
//! export/import them as a JSON file. Kept in localStorage (this browser only);
//! a catalog can ship views for everyone (listed in the artifact browser).
//! The format and the list edits live in the core (`loupe_core::views`).

use leptos::prelude::*;
use loupe_core::views::{SavedView, parse_views, rename, upsert, views_to_json};

const KEY: &str = "loupe.views";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load_views() -> Vec<SavedView> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|text| parse_views(text.as_bytes()).ok())
        .unwrap_or_default()
}

fn store(views: &[SavedView]) -> Result<(), String> {
    let s = storage().ok_or("this browser keeps no local storage (private mode?)")?;
    s.set_item(KEY, &views_to_json(views))
        .map_err(|_| "the browser refused to store the views (storage full?)".to_string())
}

fn current_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

#[component]
pub fn SavedViews() -> impl IntoView {
    let open = RwSignal::new(false);
    // Read when the list is first opened: the first localStorage access of a
    // page loads it from disk, which the table's first render should not wait for.
    let views = RwSignal::new(Vec::new());
    let loaded = StoredValue::new(false);
    Effect::new(move |_| {
        if open.get() && !loaded.get_value() {
            loaded.set_value(true);
            views.set(load_views());
        }
    });
    let name = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let commit = move |next: Vec<SavedView>| match store(&next) {
        Ok(()) => {
            views.set(next);
            message.set(None);
        }
        Err(e) => message.set(Some(e)),
    };
    let save = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            message.set(Some("name the view first".into()));
            return;
        }
        let mut next = views.get_untracked();
        upsert(
            &mut next,
            SavedView {
                name: n,
                search: current_search(),
            },
        );
        commit(next);
        name.set(String::new());
    };
    let export = move |_| {
        let text = views_to_json(&views.get_untracked());
        crate::export_buttons::download(&text, "loupe-views.json", "application/json", "views");
    };
    let import = move |e: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&e);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string());
            match text.map(|t| parse_views(t.as_bytes())) {
                Some(Ok(imported)) => {
                    let mut next = views.get_untracked();
                    for v in imported {
                        upsert(&mut next, v);
                    }
                    commit(next);
                }
                Some(Err(err)) => message.set(Some(format!("{name}: {err}"))),
                None => message.set(Some(format!("{name}: could not be read"))),
            }
        });
    };
    let list = move || {
        views
            .get()
            .into_iter()
            .map(|v| {
                let (for_delete, for_rename, label, href) = (v.name.clone(), v.name.clone(), v.name.clone(), v.search.clone());
                let renaming = RwSignal::new(false);
                view! {
                    <li class="saved-view" data-view=v.name.clone()>
                        <Show when=move || !renaming.get() fallback=move || {
                            let from = for_rename.clone();
                            view! {
                                <input class="rename-input" type="text" prop:value=from.clone() on:change=move |e| {
                                    let to = event_target_value(&e);
                                    let mut next = views.get_untracked();
                                    match rename(&mut next, &from, &to) {
                                        Ok(()) => commit(next),
                                        Err(err) => message.set(Some(err)),
                                    }
                                    renaming.set(false);
                                } />
                            }
                        }>
                            <a class="open-view" href=href.clone()>{label.clone()}</a>
                        </Show>
                        <button class="rename-view" on:click=move |_| renaming.set(true)>"rename"</button>
                        <button class="delete-view" on:click={
                            let n = for_delete.clone();
                            move |_| {
                                let mut next = views.get_untracked();
                                next.retain(|x| x.name != n);
                                commit(next);
                            }
                        }>"delete"</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <button class="views-button" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>"views"</button>
        <Show when=move || open.get()>
            <div class="views-panel" role="dialog" aria-label="saved views">
                <form class="save-view" on:submit=save>
                    <input class="view-name" type="text" placeholder="name this view" prop:value=move || name.get()
                           on:input=move |e| name.set(event_target_value(&e)) />
                    <button type="submit">"save"</button>
                </form>
                <ul class="saved-views">{list}</ul>
                <div class="views-io">
                    <button class="export-views" on:click=export>"export…"</button>
                    <label class="import-views">"import… "<input type="file" accept=".json,application/json" on:change=import /></label>
                </div>
                {move || message.get().map(|m| view! { <p class="cell-error" role="status">{m}</p> })}
            </div>
        </Show>
    }
}

/// Views a catalog ships, as links (shown in the artifact browser).
#[component]
pub fn ShippedViews(views: Vec<SavedView>) -> impl IntoView {
    (!views.is_empty()).then(|| {
        let items = views
            .into_iter()
            .map(|v| {
                let label = v.name.clone();
                view! { <li><a class="shipped-view" href=v.search data-view=v.name>{label}</a></li> }
            })
            .collect_view();
        view! { <section class="shipped-views" aria-label="views"><h3>"Views"</h3><ul>{items}</ul></section> }
    })
}
