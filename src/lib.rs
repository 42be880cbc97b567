//! Loupe: the browser app. It renders state and sends intents; data and
//! semantics live in `loupe-core`.

pub mod app;
pub mod catalog_page;
pub mod charts;
pub mod columnar;
pub mod confusion_panel;
pub mod export_buttons;
pub mod fetch;
pub mod grid;
pub mod group_cells;
pub mod header_menu;
pub mod image_state;
pub mod join_form;
pub mod legend;
pub mod loader;
pub mod local_files;
pub mod mask_store;
pub mod over_versions;
pub mod overlay;
pub mod palette;
pub mod panels;
pub mod partitions;
pub mod plugins;
pub mod query_bar;
pub mod query_worker;
pub mod row_steps;
pub mod saved_views;
pub mod start;
pub mod table_panels;
pub mod table_preview;
pub mod table_view;
pub mod url_state;
pub mod version_charts;
pub mod view_model;
pub mod view_run;
pub mod worker_client;
