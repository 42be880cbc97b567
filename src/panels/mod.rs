//! The panel registry: every cell is drawn by a panel chosen by its value's kind.
//!
//! A panel is a name, the kinds it accepts, a priority and a render function.
//! The best (highest-priority) panel draws a cell unless the column's chosen
//! panel (`&panel=<name>:<column>`, from the header menu) accepts the value.
//! To add one: write `panels/<name>.rs` with a `pub fn render(&Value, &CellContext) -> AnyView`
//! and add one `register` call to `PanelRegistry::builtin`. Whole-table panels live
//! in `table_panels/`; JS plugins register through `plugins.rs`.

mod image;
mod media;
mod nested;
mod points;
mod scalar;
mod vector;

use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::MediaResolver;
use loupe_core::{Value, ValueKind};

pub use image::{ImageControls, ImageView, LayerColour, MaskPixels, context_2d, read_mask};

use crate::image_state::ImageColumnState;

/// Everything a cell panel may need besides the value itself.
#[derive(Clone)]
pub struct CellContext {
    /// Where the column's media paths are fetched from (the artifact's folder,
    /// or another artifact for reference entries).
    pub media: Arc<MediaResolver>,
    /// Legend and controls of the cell's column, when it is an image column.
    pub image: Option<ImageColumnState>,
}

impl CellContext {
    /// Resolves an artifact-relative media path, refusing paths that escape the artifact.
    pub fn media_url(&self, path: &str) -> Result<String, String> {
        self.media
            .url(path)
            .map(|u| crate::local_files::translate(&u))
    }
}

pub type RenderFn = fn(&Value, &CellContext) -> AnyView;

/// How a panel draws: Rust code, or a JS plugin's `render` (by its slot in `plugins`).
#[derive(Clone, Copy)]
pub enum Render {
    Builtin(RenderFn),
    Plugin(usize),
}

/// A registered cell panel.
#[derive(Clone)]
pub struct Panel {
    pub name: &'static str,
    pub accepts: &'static [ValueKind],
    /// Higher wins when several panels accept a kind.
    pub priority: i32,
    pub render: Render,
}

impl Panel {
    pub fn draw(&self, value: &Value, ctx: &CellContext) -> AnyView {
        match self.render {
            Render::Builtin(f) => f(value, ctx),
            Render::Plugin(slot) => crate::plugins::render(slot, self.name, value, ctx),
        }
    }
}

/// Draws a column for one group's member rows.
pub type GroupRenderFn = fn(&loupe_core::Column, &[u32], &CellContext, &PanelRegistry) -> AnyView;

/// A panel at the grouped-cell level.
#[derive(Clone)]
pub struct GroupPanel {
    pub name: &'static str,
    /// Kinds of the column's values; empty means any.
    pub accepts: &'static [ValueKind],
    pub render: GroupRenderFn,
}

/// The registry in context: a signal, because plugins join it at run time.
pub type SharedRegistry = RwSignal<Arc<PanelRegistry>>;

/// The registry now (built-in panels when none is provided, e.g. in tests).
pub fn current_registry() -> Arc<PanelRegistry> {
    use_context::<SharedRegistry>()
        .map(|r| r.get_untracked())
        .unwrap_or_else(|| Arc::new(PanelRegistry::builtin()))
}

/// Panels by kind. Built once; shared through Leptos context.
#[derive(Clone, Default)]
pub struct PanelRegistry {
    panels: Vec<Panel>,
    group_panels: Vec<GroupPanel>,
}

impl PanelRegistry {
    /// The panels Loupe ships with.
    pub fn builtin() -> Self {
        use ValueKind as K;
        let mut r = PanelRegistry::default();
        r.register(Panel {
            name: "null",
            accepts: &[K::Null],
            priority: 0,
            render: Render::Builtin(scalar::null),
        });
        r.register(Panel {
            name: "bool",
            accepts: &[K::Bool],
            priority: 0,
            render: Render::Builtin(scalar::boolean),
        });
        r.register(Panel {
            name: "number",
            accepts: &[K::Number],
            priority: 0,
            render: Render::Builtin(scalar::number),
        });
        r.register(Panel {
            name: "timestamp",
            accepts: &[K::Timestamp],
            priority: 0,
            render: Render::Builtin(scalar::timestamp),
        });
        r.register(Panel {
            name: "text",
            accepts: &[K::String],
            priority: 0,
            render: Render::Builtin(scalar::text),
        });
        r.register(Panel {
            name: "tree",
            accepts: &[K::List, K::Dict],
            priority: 0,
            render: Render::Builtin(nested::tree),
        });
        // Never a dict's default: summaries declare it (`COUNTS_TYPE`), and
        // a user may choose it for any dict of counts.
        r.register(Panel {
            name: "counts",
            accepts: &[K::Dict],
            priority: -1,
            render: Render::Builtin(nested::counts),
        });
        // Likewise for lists of images (a summary's first images of a group).
        r.register(Panel {
            name: "gallery",
            accepts: &[K::List],
            priority: -1,
            render: Render::Builtin(image::gallery),
        });
        r.register(Panel {
            name: "nested-table",
            accepts: &[K::Table],
            priority: 0,
            render: Render::Builtin(nested::table),
        });
        r.register(Panel {
            name: "histogram",
            accepts: &[K::Histogram],
            priority: 0,
            render: Render::Builtin(nested::histogram),
        });
        r.register(Panel {
            name: "ndarray",
            accepts: &[K::NdArray],
            priority: 0,
            render: Render::Builtin(nested::ndarray),
        });
        r.register(Panel {
            name: "image",
            accepts: &[K::Image],
            priority: 0,
            render: Render::Builtin(image::render),
        });
        r.register(Panel {
            name: "waveform",
            accepts: &[K::Audio],
            priority: 1,
            render: Render::Builtin(media::waveform),
        });
        r.register(Panel {
            name: "audio",
            accepts: &[K::Audio],
            priority: 0,
            render: Render::Builtin(media::audio),
        });
        r.register(Panel {
            name: "html",
            accepts: &[K::Html],
            priority: 0,
            render: Render::Builtin(media::html),
        });
        r.register(Panel {
            name: "video",
            accepts: &[K::Video],
            priority: 0,
            render: Render::Builtin(media::video),
        });
        r.register(Panel {
            name: "point-cloud",
            accepts: &[K::Object3D, K::Molecule],
            priority: 1,
            render: Render::Builtin(points::point_cloud),
        });
        r.register(Panel {
            name: "file-link",
            accepts: &[K::Object3D, K::Molecule],
            priority: 0,
            render: Render::Builtin(media::file_link),
        });
        r.register(Panel {
            name: "sparkline",
            accepts: &[K::List],
            priority: -1,
            render: Render::Builtin(vector::sparkline),
        });
        r.register(Panel {
            name: "bars",
            accepts: &[K::List],
            priority: -2,
            render: Render::Builtin(vector::bars),
        });
        r.register(Panel {
            name: "heatmap",
            accepts: &[K::List],
            priority: -3,
            render: Render::Builtin(vector::heatmap),
        });
        r.register(Panel {
            name: "json",
            accepts: &[
                K::List,
                K::Dict,
                K::Table,
                K::Histogram,
                K::NdArray,
                K::Number,
                K::String,
                K::Bool,
                K::Image,
            ],
            priority: -4,
            render: Render::Builtin(vector::raw_json),
        });
        use crate::group_cells as g;
        for (name, accepts, render) in [
            (
                "histogram",
                &[K::Number, K::Timestamp][..],
                g::numbers as GroupRenderFn,
            ),
            (
                "categories",
                &[K::String, K::Bool, K::Number][..],
                g::categories,
            ),
            ("gallery", &[K::Image][..], g::gallery),
            ("count", &[][..], g::count),
        ] {
            r.register_group(GroupPanel {
                name,
                accepts,
                render,
            });
        }
        r.register(Panel {
            name: "error",
            accepts: &[K::Invalid],
            priority: 0,
            render: Render::Builtin(scalar::invalid),
        });
        r
    }

    pub fn register(&mut self, panel: Panel) {
        self.panels.push(panel);
    }

    pub fn register_group(&mut self, panel: GroupPanel) {
        self.group_panels.push(panel);
    }

    /// Group-level panels that can draw a column of `kind`.
    pub fn applicable_group(&self, kind: Option<ValueKind>) -> Vec<&GroupPanel> {
        self.group_panels
            .iter()
            .filter(|p| p.accepts.is_empty() || kind.is_some_and(|k| p.accepts.contains(&k)))
            .collect()
    }

    /// A grouped cell with the chosen group panel when it accepts the column,
    /// else the default for the column's type (`group_cells::group_cell`).
    pub fn render_group(
        &self,
        name: Option<&str>,
        col: &loupe_core::Column,
        members: &[u32],
        ctx: &CellContext,
    ) -> AnyView {
        let chosen = name.and_then(|n| {
            self.applicable_group(col.kind())
                .into_iter()
                .find(|p| p.name == n)
        });
        match chosen {
            Some(p) => (p.render)(col, members, ctx, self),
            None => crate::group_cells::group_cell(col, members, ctx, self),
        }
    }

    /// Every panel that can draw `kind`, best first.
    pub fn applicable(&self, kind: ValueKind) -> Vec<&Panel> {
        let mut found: Vec<&Panel> = self
            .panels
            .iter()
            .filter(|p| p.accepts.contains(&kind))
            .collect();
        // Stable sort: among equal priorities the later registration wins (user panels override).
        found.reverse();
        found.sort_by_key(|p| std::cmp::Reverse(p.priority));
        found
    }

    /// Draws with the panel named `name` when it accepts the value, else the best one
    /// (a column's chosen panel never breaks the cells it cannot draw).
    pub fn render_with(&self, name: Option<&str>, value: &Value, ctx: &CellContext) -> AnyView {
        let kind = value.kind();
        match name.and_then(|n| {
            self.panels
                .iter()
                .rev()
                .find(|p| p.name == n && p.accepts.contains(&kind))
        }) {
            Some(panel) => panel.draw(value, ctx),
            None => self.render(value, ctx),
        }
    }

    /// The first of `applicable(kind)`, found without collecting them: it is
    /// asked once per drawn cell. (`max_by_key` keeps the last of equals, so
    /// the later registration wins, as in `applicable`.)
    pub fn best_for(&self, kind: ValueKind) -> Option<&Panel> {
        self.panels
            .iter()
            .filter(|p| p.accepts.contains(&kind))
            .max_by_key(|p| p.priority)
    }

    /// Draws a value with the best panel for its kind (plain text if none accepts it).
    pub fn render(&self, value: &Value, ctx: &CellContext) -> AnyView {
        match self.best_for(value.kind()) {
            Some(panel) => panel.draw(value, ctx),
            None => view! { <span class="cell-text">{value.display()}</span> }.into_any(),
        }
    }
}

/// A per-cell error: the cell says what is wrong, the rest of the table stays.
pub fn cell_error(message: String) -> AnyView {
    let title = message.clone();
    view! { <span class="cell-error" role="note" title=title>{message}</span> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_panel() {
        use ValueKind as K;
        let r = PanelRegistry::builtin();
        for kind in [
            K::Null,
            K::Bool,
            K::Number,
            K::Timestamp,
            K::String,
            K::List,
            K::Dict,
            K::Image,
            K::Audio,
            K::Html,
            K::Video,
            K::Object3D,
            K::Molecule,
            K::Table,
            K::Histogram,
            K::NdArray,
            K::Invalid,
        ] {
            assert!(r.best_for(kind).is_some(), "no panel for {kind:?}");
            assert_eq!(
                r.best_for(kind).map(|p| p.name),
                r.applicable(kind).first().map(|p| p.name),
                "best_for and applicable disagree on {kind:?}"
            );
        }
        assert_eq!(r.best_for(K::Image).map(|p| p.name), Some("image"));
    }

    #[test]
    fn higher_priority_and_later_registration_win() {
        let mut r = PanelRegistry::builtin();
        r.register(Panel {
            name: "mine",
            accepts: &[ValueKind::Number],
            priority: 0,
            render: Render::Builtin(scalar::number),
        });
        assert_eq!(r.best_for(ValueKind::Number).map(|p| p.name), Some("mine"));
        r.register(Panel {
            name: "low",
            accepts: &[ValueKind::Number],
            priority: -1,
            render: Render::Builtin(scalar::number),
        });
        let names: Vec<_> = r
            .applicable(ValueKind::Number)
            .iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["mine", "number", "low", "json"]);
        assert_eq!(r.best_for(ValueKind::Number).map(|p| p.name), Some("mine"));
    }
}
