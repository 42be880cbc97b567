//! The overlaid comparison (`&layout=overlay`): each column once, every
//! version's value in one cell in its colour. Equal values collapse to one;
//! differing ones stack, marked; float columns draw a bar per version; images
//! are shown once with every version's boxes in that version's colour (mask
//! layers are per version too, named `<layer>@<version>`).

use std::sync::Arc;

use leptos::prelude::*;
use loupe_core::Value;
use loupe_core::compare::overlay_image;

use crate::grid::{GridColumn, GridModel};
use crate::palette::version_colour;
use crate::panels::{CellContext, ImageView, LayerColour, cell_error};
use crate::version_charts::{VersionBars, VersionSeries, versioned_columns};
use crate::view_model::ViewInputs;

pub fn overlay_model(version: u64, inputs: &ViewInputs) -> GridModel {
    let mut model = crate::view_model::build_model(
        version,
        &ViewInputs {
            loaded: inputs.loaded.clone(),
            query: inputs.query.clone(),
            view: inputs.view.clone(),
            image_states: inputs.image_states.clone(),
            registry: inputs.registry.clone(),
            on_expand: inputs.on_expand,
            layout: crate::view_model::Layout::Columns,
        },
    );
    // Shared columns (the key, `versions`, derived ones) stay; per-version ones merge.
    let first_versioned = model.columns.iter().position(|c| c.version.is_some());
    model
        .columns
        .retain(|c| c.version.is_none() && !c.across_versions);
    let at = first_versioned
        .unwrap_or(model.columns.len())
        .min(model.columns.len());
    let hidden = |c: usize| {
        let name = &inputs.loaded.table.columns[c].name;
        inputs.query.hidden.iter().any(|h| h == name)
    };
    let merged: Vec<GridColumn> = versioned_columns(&inputs.loaded)
        .into_iter()
        .filter(|s| !s.columns.iter().flatten().all(|&c| hidden(c)))
        .map(|s| overlay_column(inputs, s))
        .collect();
    model.columns.splice(at..at, merged);
    model
}

fn overlay_column(inputs: &ViewInputs, series: VersionSeries) -> GridColumn {
    let loaded = inputs.loaded.clone();
    let view = inputs.view.clone();
    let registry = inputs.registry.clone();
    let image_states = inputs.image_states.clone();
    let versions: Arc<Vec<String>> = Arc::new(
        loaded
            .compare
            .as_ref()
            .map(|c| c.versions.clone())
            .unwrap_or_default(),
    );
    let first = series.columns.iter().flatten().next().copied().unwrap_or(0);
    let float = series.is_float(&loaded);
    let sample = &loaded.table.columns[first];
    GridColumn {
        name: series.base.clone(),
        kind: sample.kind_label(),
        visual: sample.kind().is_some_and(|k| k.is_visual()),
        sorted: None,
        version: None,
        across_versions: true,
        render: Arc::new(move |i| {
            let row = view.rows[i] as usize;
            let values: Vec<(usize, Value)> = series
                .columns
                .iter()
                .enumerate()
                .filter_map(|(v, c)| c.map(|c| (v, loaded.table.columns[c].get(row))))
                .collect();
            let ctx = CellContext {
                media: loaded.media_of(first),
                image: image_states.get(first).copied().flatten(),
            };
            if values.iter().any(|(_, v)| matches!(v, Value::Image(_))) {
                return overlay_image_cell(&values, &versions, &ctx);
            }
            if float {
                let numbers = values.iter().map(|(_, v)| v.as_f64()).collect();
                let label = series.base.clone();
                return view! { <VersionBars values=numbers versions=(*versions).clone() label /> }
                    .into_any();
            }
            if values.windows(2).all(|w| w[0].1 == w[1].1) {
                let only = values.first().map_or(Value::Null, |(_, v)| v.clone());
                return view! { <div class="same" title="equal in every version">{registry.render(&only, &ctx)}</div> }.into_any();
            }
            let stacked = values
                .iter()
                .map(|(v, value)| {
                    let label = versions.get(*v).cloned().unwrap_or_default();
                    view! {
                        <div class="vval" data-version=label.clone() title=format!("version {label}")
                             style:border-left-color=version_colour(*v)>{registry.render(value, &ctx)}</div>
                    }
                })
                .collect_view();
            view! { <div class="overlay-values differs">{stacked}</div> }.into_any()
        }),
    }
}

/// The picture once, with each version's boxes in that version's colour.
fn overlay_image_cell(
    values: &[(usize, Value)],
    versions: &Arc<Vec<String>>,
    ctx: &CellContext,
) -> AnyView {
    let images: Vec<(&str, &loupe_core::ImageFile)> = values
        .iter()
        .filter_map(|(v, value)| match value {
            Value::Image(img) => Some((versions.get(*v).map_or("", String::as_str), img.as_ref())),
            _ => None,
        })
        .collect();
    let Some(merged) = overlay_image(&images) else {
        return cell_error("no image in any version".into());
    };
    let url = match ctx.media_url(&merged.path) {
        Ok(url) => url,
        Err(e) => return cell_error(e),
    };
    let names = versions.clone();
    let layer_colour: LayerColour = Arc::new(move |layer: &str| {
        let (_, version) = layer.rsplit_once('@')?;
        names.iter().position(|v| v == version).map(version_colour)
    });
    view! {
        <ImageView image=Arc::new(merged) url media=ctx.media.clone() state=ctx.image large=false layer_colour />
    }
    .into_any()
}
