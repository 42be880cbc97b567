//! The legend of an image column: toggle layers and classes, set the box score
//! threshold and mask opacity. Every cell of the column follows it.

use leptos::prelude::*;

use crate::image_state::ImageColumnState;
use crate::palette::class_colour;

#[component]
pub fn Legend(name: String, state: ImageColumnState) -> impl IntoView {
    let info = state.info;
    let controls = state.controls;
    let layers = move || {
        info.with(|i| {
            i.box_layers
                .iter()
                .map(|l| (l.clone(), "boxes"))
                .chain(i.mask_layers.iter().map(|l| (l.clone(), "mask")))
                .collect::<Vec<_>>()
        })
    };
    let layer_toggles = move || {
        layers()
            .into_iter()
            .map(|(layer, what)| {
                let key = layer.clone();
                let shown = {
                    let key = key.clone();
                    move || !controls.with(|c| c.hidden_layers.contains(&key))
                };
                view! {
                    <label class="chip layer" data-layer-toggle=layer.clone()>
                        <input type="checkbox" prop:checked=shown on:change=move |_| {
                            controls.update(|c| {
                                if !c.hidden_layers.remove(&key) {
                                    c.hidden_layers.insert(key.clone());
                                }
                            })
                        } />
                        {format!("{layer} ({what})")}
                    </label>
                }
            })
            .collect_view()
    };
    let class_toggles = move || {
        info.with(|i| i.legend())
            .into_iter()
            .map(|class| {
                let id = class.id;
                let shown = move || !controls.with(|c| c.hidden_classes.contains(&id));
                let toggle_name = class.name.clone();
                view! {
                    <label class="chip class" data-class-toggle=toggle_name>
                        <input type="checkbox" prop:checked=shown on:change=move |_| {
                            controls.update(|c| {
                                if !c.hidden_classes.remove(&id) {
                                    c.hidden_classes.insert(id);
                                }
                            })
                        } />
                        <span class="swatch" style:background=class_colour(id)></span>
                        {class.name}
                    </label>
                }
            })
            .collect_view()
    };
    let has_scores = move || info.with(|i| !i.score_keys.is_empty());
    let has_masks = move || info.with(|i| !i.mask_layers.is_empty());
    view! {
        <section class="legend" aria-label=format!("legend of {name}")>
            <strong class="legend-title">{name.clone()}</strong>
            {layer_toggles}
            {class_toggles}
            <Show when=has_scores>
                <label class="slider">
                    "score ≥ "
                    <input type="range" min="0" max="1" step="0.01" class="score-threshold"
                           prop:value=move || controls.with(|c| c.score_threshold).to_string()
                           on:input=move |e| {
                               let v = event_target_value(&e).parse().unwrap_or(0.0);
                               controls.update(|c| c.score_threshold = v);
                           } />
                    <output>{move || format!("{:.2}", controls.with(|c| c.score_threshold))}</output>
                </label>
            </Show>
            <Show when=has_masks>
                <label class="slider">
                    "mask opacity "
                    <input type="range" min="0" max="1" step="0.05" class="mask-opacity"
                           prop:value=move || controls.with(|c| c.mask_opacity).to_string()
                           on:input=move |e| {
                               let v = event_target_value(&e).parse().unwrap_or(0.5);
                               controls.update(|c| c.mask_opacity = v);
                           } />
                </label>
            </Show>
        </section>
    }
}
