//! Paging through a partitioned table larger than the memory budget: the
//! consecutive parts in memory (`loupe_core::partition_window`) move a part at
//! a time; a part pushed out is read again if the user comes back to it.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use loupe_core::query::Query;

use crate::loader::{LoadedTable, load_part};
use crate::url_state::navigate_with;

/// Bytes of columns a partitioned table may keep in memory (`&memory_mb=`).
pub const DEFAULT_MEMORY_BUDGET: usize = 1 << 30;

thread_local! {
    static MEMORY_BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(DEFAULT_MEMORY_BUDGET) };
}

pub fn set_memory_budget(bytes: usize) {
    MEMORY_BUDGET.with(|b| b.set(bytes.max(1)));
}

pub fn memory_budget() -> usize {
    MEMORY_BUDGET.with(std::cell::Cell::get)
}

/// The scan button's label for a view's query: what a scan of every part
/// would run (a grouping: its summary; else the filter and the sort).
pub fn scan_label(query: &Query) -> Option<&'static str> {
    let filtered = query.filter.is_some();
    if query.is_grouped() {
        return Some(if filtered {
            "filter and group all parts"
        } else {
            "group all parts"
        });
    }
    match (filtered, !query.sort.is_empty()) {
        (true, false) => Some("filter all parts"),
        (false, true) => Some("sort all parts"),
        (true, true) => Some("filter and sort all parts"),
        (false, false) => None,
    }
}

/// Shows another table in place of the current one (provided by the app).
#[derive(Clone, Copy)]
pub struct ShowTable(pub Callback<Arc<LoadedTable>>);

fn mb(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / f64::from(1 << 20))
}

/// Rows of an earlier part left above the view after paging back, so the rows
/// the user came from are just below.
const BACK_CONTEXT_ROWS: usize = 20;

/// "Rows 200,001–400,000 · parts 3–4 of 10 in memory": and buttons to move.
/// `request` moves too: `Some(true)` for later rows, `Some(false)` for earlier
/// (the grid sets it when scrolled to its last or first row).
#[component]
pub fn PartitionPager(
    loaded: Arc<LoadedTable>,
    request: RwSignal<Option<bool>>,
    /// The view's computation (filter, sort, group, derived columns), which
    /// a scan of every part runs.
    scan: Signal<Query>,
) -> impl IntoView {
    // A scan's matches: what was found, and the way back to paging. Its rows
    // are those of the filter and sort it ran; another filter or sort (the
    // grid re-sorts the rows kept) asks for a new scan.
    if let Some(found) = loaded.scanned.clone() {
        let note = found.note;
        let scanned = scan.get_untracked();
        let changed = move || scan.with(|now| *now != scanned);
        let rescan = |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        };
        return view! {
            <nav class="partition-pager scanned" aria-label="partitions">
                <span class="parts-summary">{note}</span>
                {move || changed().then(|| view! {
                    <button class="parts-rescan" on:click=rescan>"scan again with this query"</button>
                })}
                <button class="parts-back" on:click=|_| navigate_with("scan", "")>"back to paging"</button>
            </nav>
        }
        .into_any();
    }
    let Some(source) = loaded.partitions.clone() else {
        return ().into_any();
    };
    let Ok(window) = source.window.lock().map(|w| w.clone()) else {
        return ().into_any();
    };
    let show = use_context::<ShowTable>();
    let busy = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let rows = loaded.table.row_count();
    let first = loaded.first_row;
    let parts = window.loaded();
    let count = window.part_count();
    let total = window
        .total_rows()
        .map_or_else(String::new, |t| format!(" of {t}"));
    let summary = format!(
        "Rows {}–{}{total} · parts {}–{} of {count} in memory ({} of {} MB); filters, sorts and groups apply to these rows",
        first + 1,
        first + rows,
        parts.start + 1,
        parts.end,
        mb(window.loaded_bytes()),
        mb(window.budget()),
    );
    let go = Callback::new(move |part: usize| {
        let (source, loaded) = (source.clone(), loaded.clone());
        let generation = crate::fetch::generation();
        busy.set(Some(format!("reading part {} of {count}…", part + 1)));
        error.set(None);
        spawn_local(async move {
            let read = load_part(&source, part, |_| {}).await;
            // The user went elsewhere meanwhile: nothing to show.
            if crate::fetch::generation() != generation {
                return;
            }
            let moved = read.and_then(|table| {
                let mut window = source
                    .window
                    .lock()
                    .map_err(|_| "the partition window is unusable".to_string())?;
                let part_rows = table.row_count();
                let later = part >= window.loaded().end;
                let moved = window
                    .add_beside(&loaded.table, part, table)
                    .map_err(|e| format!("{}: {e}", source.url))?;
                // Later rows: the view opens where the new part begins;
                // earlier: near the end of the part read, above the old rows.
                let start_row = match later {
                    true => moved.table.row_count() - part_rows,
                    false => part_rows.saturating_sub(BACK_CONTEXT_ROWS),
                };
                Ok((moved.table, window.first_row().unwrap_or(0), start_row))
            });
            busy.set(None);
            match moved {
                Ok((table, first_row, start_row)) => {
                    if let Some(show) = show {
                        show.0.run(Arc::new(LoadedTable {
                            url: loaded.url.clone(),
                            root: loaded.root.clone(),
                            table,
                            media: loaded.media.clone(),
                            compare: None,
                            partitions: loaded.partitions.clone(),
                            first_row,
                            start_row,
                            scanned: None,
                        }));
                    }
                }
                Err(message) => error.set(Some(message)),
            }
        });
    });
    let (previous, next) = (window.previous(), window.next());
    Effect::new(move |_| {
        let part = match request.get() {
            Some(true) => next,
            Some(false) => previous,
            None => None,
        };
        if let Some(p) = part
            && busy.with_untracked(Option::is_none)
        {
            go.run(p);
        }
    });
    let button = move |class: &'static str, text: &'static str, part: Option<usize>| {
        view! {
            <button class=class disabled=move || part.is_none() || busy.with(Option::is_some)
                    on:click=move |_| { if let Some(p) = part { go.run(p) } }>{text}</button>
        }
    };
    view! {
        <nav class="partition-pager" aria-label="partitions" data-first-row=first
             data-parts=format!("{}-{}", parts.start, parts.end)>
            {button("parts-prev", "◂ earlier rows", previous)}
            <span class="parts-summary">{summary}</span>
            {button("parts-next", "later rows ▸", next)}
            {move || scan.with(scan_label).map(|label| view! {
                <button class="parts-scan" on:click=|_| navigate_with("scan", "1")>{label}</button>
            })}
            <span class="parts-busy" aria-live="polite">{move || busy.get()}</span>
            {move || error.get().map(|e| view! { <div role="alert" class="alert">{e}</div> })}
        </nav>
    }
    .into_any()
}
