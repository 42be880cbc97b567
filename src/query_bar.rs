//! The query bar: the filter expression (checked as you type), the derived
//! column editor, and chips for sort keys, group keys, derived and hidden columns.

use leptos::prelude::*;
use loupe_core::Query;
use loupe_core::expr::{Schema, compile};
use loupe_core::query::{Derived, SortKey};

/// `Ok(())` or the error with a caret line under the problem.
pub fn check_expr(src: &str, schema: &Schema) -> Result<(), String> {
    compile(src, schema)
        .map(|_| ())
        .map_err(|e| format!("{}\n{}", e.message, e.caret(src)))
}

#[component]
pub fn QueryBar(
    query: RwSignal<Query>,
    /// The schema expressions are checked against (table + derived columns).
    schema: Signal<Schema>,
    /// An error from running the current query (e.g. from a shared URL).
    run_error: Signal<Option<String>>,
) -> impl IntoView {
    let text = RwSignal::new(query.get_untracked().filter.unwrap_or_default());
    // Follow the URL (back button) when the query changes from outside.
    Effect::new(move |_| text.set(query.with(|q| q.filter.clone().unwrap_or_default())));
    let error = Memo::new(move |_| {
        let t = text.get();
        if t.trim().is_empty() {
            None
        } else {
            schema.with(|s| check_expr(&t, s).err())
        }
    });
    let apply = move || {
        let t = text.get_untracked();
        if error.get_untracked().is_none() {
            query.update(|q| q.filter = Some(t.trim().to_string()).filter(|t| !t.is_empty()));
        }
    };

    let editor_open = RwSignal::new(false);
    let new_name = RwSignal::new(String::new());
    let new_expr = RwSignal::new(String::new());
    let new_error = Memo::new(move |_| {
        let e = new_expr.get();
        let n = new_name.get();
        if e.trim().is_empty() {
            return None;
        }
        if n.trim().is_empty() {
            return Some("give the column a name".to_string());
        }
        schema.with(|s| check_expr(&e, s).err())
    });
    let add_column = move || {
        let (name, expr) = (new_name.get_untracked(), new_expr.get_untracked());
        if new_error.get_untracked().is_none() && !name.trim().is_empty() && !expr.trim().is_empty()
        {
            query.update(|q| {
                q.derived.retain(|d| d.name != name.trim());
                q.derived.push(Derived {
                    name: name.trim().to_string(),
                    expr: expr.trim().to_string(),
                });
            });
            new_name.set(String::new());
            new_expr.set(String::new());
            editor_open.set(false);
        }
    };

    let chips = move || {
        let q = query.get();
        let mut out = Vec::new();
        for (i, key) in q.group.iter().enumerate() {
            out.push(chip("group", key.clone(), move || {
                query.update(|q| {
                    q.group.remove(i);
                    q.sort.clear();
                })
            }));
        }
        for (i, key) in q.sort.iter().enumerate() {
            out.push(chip("sort", SortKey::to_text(key), move || {
                query.update(|q| {
                    q.sort.remove(i);
                })
            }));
        }
        for d in &q.derived {
            let name = d.name.clone();
            out.push(chip(
                "column",
                format!("{} = {}", d.name, d.expr),
                move || query.update(|q| q.derived.retain(|x| x.name != name)),
            ));
        }
        for h in &q.hidden {
            let name = h.clone();
            out.push(chip("hidden", h.clone(), move || {
                query.update(|q| q.hidden.retain(|x| *x != name))
            }));
        }
        out.collect_view()
    };

    view! {
        <section class="query-bar" aria-label="query">
            <div class="filter-row">
                <label class="filter-label" for="loupe-filter">"filter"</label>
                <input id="loupe-filter" class="filter-input" type="text" spellcheck="false" autocomplete="off"
                       placeholder="e.g. score > 0.5 and truth != guess — press Enter"
                       prop:value=move || text.get()
                       class:invalid=move || error.get().is_some()
                       aria-invalid=move || error.get().is_some().to_string()
                       on:input=move |e| text.set(event_target_value(&e))
                       on:keydown=move |e| if e.key() == "Enter" { apply() } />
                <button class="add-column" on:click=move |_| editor_open.update(|o| *o = !*o)>"+ column"</button>
                <button class="toggle-confusion" title="confusion matrix of truth × guess" on:click=move |_| {
                    let names: Vec<String> = schema.with(|s| s.columns.iter().map(|(n, _)| n.clone()).collect());
                    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                    let pair = crate::confusion_panel::default_pair(&refs);
                    query.update(|q| q.confusion = if q.confusion.is_some() { None } else { pair });
                }>"confusion"</button>
            </div>
            {move || error.get().map(|e| view! { <pre class="expr-error" role="status">{e}</pre> })}
            <Show when=move || editor_open.get()>
                <div class="column-editor">
                    <input class="column-name" type="text" placeholder="name" aria-label="new column name"
                           prop:value=move || new_name.get() on:input=move |e| new_name.set(event_target_value(&e)) />
                    " = "
                    <input class="column-expr" type="text" spellcheck="false" placeholder="expression, e.g. argmax([score_0, score_1])"
                           aria-label="new column expression"
                           prop:value=move || new_expr.get() on:input=move |e| new_expr.set(event_target_value(&e))
                           on:keydown=move |e| if e.key() == "Enter" { add_column() } />
                    <button class="column-add" on:click=move |_| add_column()>"Add"</button>
                    {move || new_error.get().map(|e| view! { <pre class="expr-error" role="status">{e}</pre> })}
                </div>
            </Show>
            <div class="chips">{chips}</div>
            {move || run_error.get().map(|e| view! { <pre class="expr-error run-error" role="alert">{e}</pre> })}
        </section>
    }
}

fn chip(kind: &'static str, label: String, remove: impl Fn() + Send + Sync + 'static) -> AnyView {
    view! {
        <span class=format!("chip query-chip {kind}") data-chip=kind>
            <span class="chip-kind">{kind}</span>" "{label.clone()}
            <button class="chip-remove" aria-label=format!("remove {kind} {label}") on:click=move |_| remove()>"×"</button>
        </span>
    }
    .into_any()
}
