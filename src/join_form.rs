//! "join…": joins the open table with another one by key columns. The choice
//! becomes `&with=<url>&on=<key>[,<other key>]&join=inner|outer` in the URL, so
//! a joined view is shareable like any other; the loader does the join.

use std::sync::Arc;

use leptos::prelude::*;

use crate::loader::LoadedTable;

/// The current query string with the join parameters set (the view query is kept).
fn joined_search(with: &str, on: &str, kind: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.set("with", with);
    if on.is_empty() {
        params.delete("on");
    } else {
        params.set("on", on);
    }
    params.set("join", kind);
    Some(format!("?{}", String::from(params.to_string())))
}

#[component]
pub fn JoinForm(loaded: Arc<LoadedTable>) -> impl IntoView {
    let open = RwSignal::new(false);
    let url = RwSignal::new(String::new());
    let right_key = RwSignal::new(String::new());
    let kind = RwSignal::new("inner".to_string());
    let columns: Vec<String> = loaded
        .table
        .columns
        .iter()
        .map(|c| c.name.clone())
        .collect();
    // The likeliest key first: a column named like an id.
    let default_key = columns
        .iter()
        .find(|c| c.eq_ignore_ascii_case("id") || c.ends_with("_id"))
        .or(columns.first())
        .cloned()
        .unwrap_or_default();
    let left_key = RwSignal::new(default_key);
    let options = move || {
        columns
            .iter()
            .map(|c| {
                let selected = *c == left_key.get_untracked();
                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
            })
            .collect_view()
    };
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let target = url.get_untracked();
        if target.trim().is_empty() {
            return;
        }
        let left = left_key.get_untracked();
        let right = right_key.get_untracked();
        let on = if right.trim().is_empty() || right.trim() == left {
            left
        } else {
            format!("{left},{}", right.trim())
        };
        if let Some(search) = joined_search(target.trim(), &on, &kind.get_untracked())
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().set_search(&search);
        }
    };
    view! {
        <button class="join-button" aria-expanded=move || open.get().to_string()
                title="join this table with another by key columns"
                on:click=move |_| open.update(|o| *o = !*o)>"join…"</button>
        <Show when=move || open.get()>
            <form class="join-form" aria-label="join with another table" on:submit=submit>
                <label>"other table URL "
                    <input name="with" type="text" required placeholder="…/other.table.json"
                           prop:value=move || url.get()
                           on:input=move |e| url.set(event_target_value(&e)) />
                </label>
                <label>"key here "
                    <select name="left-key" on:change=move |e| left_key.set(event_target_value(&e))>{options.clone()}</select>
                </label>
                <label>"key there "
                    <input name="right-key" type="text" placeholder="same name"
                           prop:value=move || right_key.get()
                           on:input=move |e| right_key.set(event_target_value(&e)) />
                </label>
                <label>"rows "
                    <select name="kind" on:change=move |e| kind.set(event_target_value(&e))>
                        <option value="inner">"matched in both (inner)"</option>
                        <option value="outer">"all of both (outer)"</option>
                    </select>
                </label>
                <button type="submit">"join"</button>
            </form>
        </Show>
    }
}
