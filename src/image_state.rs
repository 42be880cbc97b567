//! Per image column state shared by every cell of the column, its legend and the large view.

use leptos::prelude::*;
use loupe_core::ImageColumnInfo;

use crate::panels::ImageControls;

/// Signals for one image column (cheap to copy into every cell).
#[derive(Clone, Copy)]
pub struct ImageColumnState {
    pub column: usize,
    pub info: RwSignal<ImageColumnInfo>,
    pub controls: RwSignal<ImageControls>,
}

/// The state of each of `table`'s image columns (`None` for other columns).
pub fn image_states_of(table: &loupe_core::Table) -> Vec<Option<ImageColumnState>> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            ImageColumnInfo::from_column(col).map(|info| ImageColumnState::new(c, info))
        })
        .collect()
}

impl ImageColumnState {
    pub fn new(column: usize, info: ImageColumnInfo) -> Self {
        ImageColumnState {
            column,
            info: RwSignal::new(info),
            controls: RwSignal::new(ImageControls::default()),
        }
    }

    /// The class name for a box or mask layer, as the legend shows it.
    pub fn class_name(&self, layer: &str, id: i64) -> String {
        self.info.with(|i| i.class_name(layer, id))
    }
}

/// The image the large view shows, if any (provided as context by the app).
#[derive(Clone, Copy)]
pub struct OpenImage(pub RwSignal<Option<OpenImageRequest>>);

#[derive(Clone)]
pub struct OpenImageRequest {
    pub image: std::sync::Arc<loupe_core::ImageFile>,
    pub url: String,
    pub media: std::sync::Arc<loupe_core::MediaResolver>,
    pub state: Option<ImageColumnState>,
}
