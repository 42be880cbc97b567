//! The start page: the bundled demo tables and a box to open any table URL.

use leptos::prelude::*;

/// Demo tables shipped in `public/demo/` (written by tools/fixtures/make_demo.py).
pub const DEMO_TABLES: &[(&str, &str, &str)] = &[
    (
        "demo/digits/v0/digits.table.json",
        "Digits",
        "1,797 handwritten 8×8 digits: id, image, label",
    ),
    (
        "demo/digit-predictions/v0/predictions.table.json",
        "Digit predictions v0",
        "a small MLP after 1 epoch: truth, guess, score per class",
    ),
    (
        "demo/digit-predictions/v1/predictions.table.json",
        "Digit predictions v1",
        "the same model after 5 epochs",
    ),
    (
        "demo/shapes/v0/shapes.table.json",
        "Shapes",
        "synthetic detection and segmentation: boxes with scores, masks, a class set",
    ),
];

/// The query string that opens `url`.
pub fn table_link(url: &str) -> String {
    let params = web_sys::UrlSearchParams::new().ok();
    match params {
        Some(p) => {
            p.append("table", url);
            format!("?{}", String::from(p.to_string()))
        }
        None => format!("?table={url}"),
    }
}

#[component]
pub fn StartPage() -> impl IntoView {
    let url = RwSignal::new(String::new());
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let target = url.get_untracked();
        if !target.trim().is_empty()
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().set_search(&table_link(target.trim()));
        }
    };
    view! {
        <main class="start">
            <h1>"Loupe"</h1>
            <p>"Explore W&B dataset and prediction tables in your browser. Nothing leaves this page."</p>
            <h2>"Demo artifacts"</h2>
            <p><a class="catalog-link" href="?catalog=demo/loupe.json">"Browse the demo catalog"</a>
               " — datasets, predictions, a review artifact whose images live in the dataset, lineage."</p>
            <h2>"Demo tables"</h2>
            <ul class="demo-list">
                {DEMO_TABLES
                    .iter()
                    .map(|(path, title, about)| view! {
                        <li><a href=table_link(path)>{*title}</a>" — "{*about}</li>
                    })
                    .collect_view()}
            </ul>
            <h2>"Open a table"</h2>
            <form on:submit=open class="open-form">
                <input type="url" placeholder="https://…/name.table.json" aria-label="table URL"
                       on:input=move |e| url.set(event_target_value(&e)) />
                <button type="submit">"Open"</button>
            </form>
            <crate::local_files::LocalFiles />
        </main>
    }
}
