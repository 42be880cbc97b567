//! Where a table's query runs: here for small tables, in the query worker
//! (`query_worker`) for large ones, so the page stays responsive. While the
//! worker runs, the last answer stays on screen under a bar with "Cancel".

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_core::query::run_with_masks;
use loupe_core::{Query, View};

use crate::fetch::CANCELLED;
use crate::loader::LoadedTable;
use crate::mask_store::{Masks, wants_masks};
use crate::query_worker;
use crate::view_model::Shared;

type Answer = Result<Shared<View>, String>;

/// A table's view of the URL's query, as it is run.
#[derive(Clone, Copy)]
pub struct ViewRun {
    /// The view (or why the query failed).
    pub result: Memo<Answer>,
    /// Whether the worker is running a query now.
    pub running: RwSignal<bool>,
    /// The query the worker's last answer is for, and that answer.
    answered: RwSignal<Option<(Query, Answer)>>,
    /// Ms the shown answer took in the worker, if it came from there.
    pub worker_ms: Signal<Option<f64>>,
}

impl ViewRun {
    /// Runs `query` over `loaded` whenever its computation changes; until a
    /// large table's first answer arrives, `unqueried` (every row) shows.
    pub fn new(
        loaded: &Arc<LoadedTable>,
        query: RwSignal<Query>,
        masks: RwSignal<Masks>,
        unqueried: Shared<View>,
    ) -> ViewRun {
        // Only the parts of the query that change rows: hiding a column or
        // choosing a panel never runs it again. A summary of groups was made
        // by the filter, grouping and derived columns; only its sort runs.
        let summary = loaded.scanned.as_ref().is_some_and(|s| s.summary);
        let computation = Memo::new(move |_| {
            query.with(|q| {
                let mut c = q.computation();
                if summary {
                    c.filter = None;
                    c.group.clear();
                    c.derived.clear();
                }
                c
            })
        });
        let table_key = query_worker::new_table_key();
        on_cleanup(move || query_worker::forget(table_key));
        let big = loaded.table.row_count() >= query_worker::worker_rows();
        let for_columns = loaded.clone();
        // The columns a query sends to the worker; `None`: it runs here.
        let in_worker = move |q: &Query| {
            (big && q.computes() && !wants_masks(q))
                .then(|| q.table_columns_used(&for_columns.table))
                .flatten()
        };
        let answered = RwSignal::new(None::<(Query, Answer)>);
        let running = RwSignal::new(false);
        let took_ms = RwSignal::new(0.0);
        let (table, runs_in_worker) = (loaded.clone(), in_worker.clone());
        let result = Memo::new(move |_| {
            let q = computation.get();
            // Every row in order: the view the table opened with, the same
            // `Arc`, so a first query sent to the worker re-renders nothing
            // until its answer (a copy made here re-rendered the grid).
            if !q.computes() {
                return Ok(unqueried.clone());
            }
            let masks = masks.get();
            if runs_in_worker(&q).is_some() {
                return answered
                    .with(|a| a.as_ref().map(|(_, r)| r.clone()))
                    .unwrap_or_else(|| Ok(unqueried.clone()));
            }
            run_with_masks(&table.table, &q, Some(masks.as_ref()))
                .map(|v| Shared(Arc::new(v)))
                .map_err(|e| e.to_string())
        });
        let loaded = loaded.clone();
        Effect::new(move |_| {
            let q = computation.get();
            let Some(used) = in_worker(&q) else { return };
            if answered.with_untracked(|a| a.as_ref().is_some_and(|(done, _)| *done == q)) {
                return;
            }
            running.set(true);
            let started = js_sys::Date::now();
            let loaded = loaded.clone();
            spawn_local(async move {
                let answer = query_worker::run(table_key, &loaded.table, &q, &used).await;
                // A newer query is under way, or this one was cancelled: not shown.
                if computation.with_untracked(|c| *c != q)
                    || answer.as_ref().is_err_and(|e| e == CANCELLED)
                {
                    return;
                }
                running.set(false);
                took_ms.set(js_sys::Date::now() - started);
                answered.set(Some((q, answer.map(|v| Shared(Arc::new(v))))));
            });
        });
        let worker_ms = Signal::derive(move || {
            let current = answered.with(|a| {
                a.as_ref()
                    .is_some_and(|(q, _)| computation.with(|c| c == q))
            });
            current.then(|| took_ms.get())
        });
        ViewRun {
            result,
            running,
            answered,
            worker_ms,
        }
    }

    /// Ends the worker's query and puts the last answered query back.
    pub fn cancel(&self, query: RwSignal<Query>) {
        query_worker::cancel();
        self.running.set(false);
        let back = self
            .answered
            .with_untracked(|a| a.as_ref().map(|(q, _)| q.clone()));
        query.update(|q| q.set_computation(&back.unwrap_or_default()));
    }
}

/// "Running the query over N rows in a worker… Cancel", while it runs.
#[component]
pub fn QueryRunning(run: ViewRun, query: RwSignal<Query>, rows: usize) -> impl IntoView {
    view! {
        <Show when=move || run.running.get()>
            <div class="query-running" data-query-running="">
                {format!("Running the query over {rows} rows in a worker… ")}
                <button on:click=move |_| run.cancel(query)>"Cancel"</button>
            </div>
        </Show>
    }
}
