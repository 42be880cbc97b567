//! Opening files from this computer, with no hosting: drop a `.table.json` (and
//! its media), a Parquet or an Arrow file on the page, or pick files or a whole artifact folder. Each file
//! gets a `blob:` URL and a stable address under `local://files/<relative path>`;
//! the loader and media panels use those addresses like any URL, and the fetch
//! layer (`translate`) swaps in the blob. A media path that is not found by its
//! folder path falls back to the file name (media names are content hashes), so
//! dropping a table with its images works too. Nothing is uploaded anywhere.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use loupe_core::path::resolve_media_url;

pub const ROOT: &str = "local://files/";

thread_local! {
    static FILES: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    static BY_NAME: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Registers picked or dropped files; returns the addresses of the tables among them.
pub fn register(files: &[web_sys::File]) -> Vec<String> {
    let mut tables = Vec::new();
    for file in files {
        let relative = {
            // Set for files of a picked folder ("digits/v0/media/…"); empty otherwise.
            let r = js_sys::Reflect::get(file, &"webkitRelativePath".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            if r.is_empty() { file.name() } else { r }
        };
        let (Ok(address), Ok(blob)) = (
            resolve_media_url(ROOT, &relative),
            web_sys::Url::create_object_url_with_blob(file),
        ) else {
            continue;
        };
        let name = relative.rsplit('/').next().unwrap_or(&relative).to_string();
        if relative.ends_with(".table.json")
            || relative.ends_with(".joined-table.json")
            || relative.ends_with(".partitioned-table.json")
            || loupe_core::manifest::is_columnar_file(&relative)
        {
            tables.push(address.clone());
        }
        FILES.with(|f| f.borrow_mut().insert(address, blob.clone()));
        BY_NAME.with(|f| f.borrow_mut().insert(name, blob));
    }
    // When both kinds are dropped together, a W&B table opens first.
    tables.sort_by_key(|t| (loupe_core::manifest::is_columnar_file(t), t.clone()));
    tables
}

/// The `blob:` URL behind a `local://files/…` address (by path, else by file
/// name); any other URL is returned as it is.
pub fn translate(url: &str) -> String {
    if !url.starts_with(ROOT) {
        return url.to_string();
    }
    FILES
        .with(|f| f.borrow().get(url).cloned())
        .or_else(|| {
            let name = url.rsplit('/').next()?;
            let name = js_sys::decode_uri_component(name).ok().map(String::from)?;
            BY_NAME.with(|f| f.borrow().get(&name).cloned())
        })
        .unwrap_or_else(|| url.to_string())
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Opens a table by its address (provided by the app as context).
#[derive(Clone, Copy)]
pub struct OpenLocal(pub Callback<String>);

/// Registers `files` and opens their table (or offers a choice of several).
fn open_files(
    files: Vec<web_sys::File>,
    choices: RwSignal<Vec<String>>,
    message: RwSignal<Option<String>>,
) {
    let tables = register(&files);
    match tables.as_slice() {
        [] => message.set(Some(format!(
            "None of the {} files is a table (a W&B `*.table.json`, Parquet or Arrow file).",
            files.len()
        ))),
        [only] => {
            if let Some(OpenLocal(open)) = use_context::<OpenLocal>() {
                open.run(only.clone());
            }
        }
        _ => choices.set(tables),
    }
}

/// "Open files from this computer": pick files or a folder; dropping works anywhere.
#[component]
pub fn LocalFiles() -> impl IntoView {
    let choices = RwSignal::new(Vec::<String>::new());
    let message = RwSignal::new(None::<String>);
    let open = use_context::<OpenLocal>();
    let picked = move |e: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&e);
        open_files(files_of(input.files()), choices, message);
    };
    let dropped = move |e: leptos::ev::DragEvent| {
        e.prevent_default();
        e.stop_propagation();
        let files = files_of(e.data_transfer().and_then(|d| d.files()));
        open_files(files, choices, message);
    };
    // `webkitdirectory` (pick a whole folder) is not a standard attribute: set it on the element.
    let folder = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = folder.get() {
            let _ = el.set_attribute("webkitdirectory", "");
        }
    });
    let list = move || {
        choices
            .get()
            .into_iter()
            .map(|address| {
                let label = address.trim_start_matches(ROOT).to_string();
                view! {
                    <li><button class="local-table" on:click=move |_| {
                        if let Some(OpenLocal(cb)) = open { cb.run(address.clone()); }
                    }>{label}</button></li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="local-files" on:dragover=move |e: leptos::ev::DragEvent| e.prevent_default() on:drop=dropped>
            <h2>"Open files from this computer"</h2>
            <p>"Drop a " <code>".table.json"</code> " (with its media files), a Parquet or an Arrow file here, or pick files or an artifact folder. Nothing is uploaded."</p>
            <label class="pick">"files… " <input class="pick-files" type="file" multiple accept=".json,.parquet,.pq,.arrow,.arrows,.feather,.ipc,image/*,audio/*,video/*" on:change=picked /></label>
            <label class="pick">"folder… " <input class="pick-folder" type="file" node_ref=folder on:change=picked /></label>
            {move || message.get().map(|m| view! { <p class="cell-error" role="status">{m}</p> })}
            <ul class="local-tables">{list}</ul>
        </section>
    }
}
