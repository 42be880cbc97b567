//! Loupe: the browser app. It renders state and sends intents; data and
//! semantics live in `loupe-core`.

pub mod app;
pub mod fetch;
pub mod grid;
pub mod image_state;
pub mod legend;
pub mod loader;
pub mod palette;
pub mod panels;
pub mod start;
