//! The first rows of a table while the rest of it arrives: a grid of them
//! under the bar, nothing else. The query bar, panels, menus and exports wait
//! for the whole table (answers over its first rows alone would mislead), and
//! building all of them twice, for the first rows and again for the table,
//! made the page's longest task while loading (30-70 ms on a two-core machine).

use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::View;
use loupe_core::query::Query;

use crate::grid::Grid;
use crate::image_state::image_states_of;
use crate::loader::LoadedTable;
use crate::panels::current_registry;
use crate::table_view::file_name;
use crate::view_model::{Layout, ViewInputs, build_model};

#[component]
pub fn TablePreview(loaded: Arc<LoadedTable>) -> impl IntoView {
    let rows = loaded.table.row_count();
    let inputs = ViewInputs {
        loaded: loaded.clone(),
        query: Query::default(),
        view: Arc::new(View {
            rows: (0..rows as u32).collect(),
            ..View::default()
        }),
        image_states: Arc::new(image_states_of(&loaded.table)),
        registry: current_registry(),
        on_expand: Callback::new(|_| {}),
        layout: Layout::Columns,
    };
    let model = build_model(0, &inputs);
    view! {
        <main class="table-view preview">
            <header class="bar">
                <a class="logo" href="?">"Loupe"</a>
                <h1 class="title" title=loaded.url.clone()>{file_name(&loaded.url)}</h1>
                <span class="summary">{format!("the first {rows} rows, while the rest arrives")}</span>
            </header>
            <Grid model=Signal::stored(model) start_row=loaded.start_row />
        </main>
    }
}
