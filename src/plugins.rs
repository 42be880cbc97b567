//! User-authored panels at run time: `&plugin=<url of a JS module>` (repeatable).
//! Nothing loads until the user agrees (third-party code runs with this page's
//! rights). The module's default export is a list of panels:
//! `{ name, accepts: ["number", …], level: "cell", priority?, render(element, value, context) }`;
//! each joins the registry and can be chosen per column like a built-in one.
//! `value` is the cell as W&B JSON; `context.mediaUrl` is the cell's media file
//! URL (resolved inside its artifact) when it has one. The page's
//! Content-Security-Policy allows scripts from this site only, so plugins are
//! served beside the app (see `public/plugins/`).

use std::cell::RefCell;
use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;
use loupe_core::{Value, ValueKind};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::panels::{CellContext, Panel, PanelRegistry, Render, cell_error};

#[wasm_bindgen(inline_js = "export function loupe_import(url) { return import(url); }")]
extern "C" {
    /// `import(url)`: a module loaded by the browser, not `eval` (the CSP forbids that).
    fn loupe_import(url: &str) -> js_sys::Promise;
}

/// A plugin panel's `render` function and the object it belongs to.
struct JsPanel {
    this: JsValue,
    render: js_sys::Function,
}

thread_local! {
    // The browser runs wasm on one thread; JS values cannot cross threads anyway.
    static PLUGINS: RefCell<Vec<JsPanel>> = const { RefCell::new(Vec::new()) };
}

const KINDS: [ValueKind; 17] = [
    ValueKind::Null,
    ValueKind::Bool,
    ValueKind::Number,
    ValueKind::Timestamp,
    ValueKind::String,
    ValueKind::List,
    ValueKind::Dict,
    ValueKind::Image,
    ValueKind::Audio,
    ValueKind::Html,
    ValueKind::Video,
    ValueKind::Object3D,
    ValueKind::Molecule,
    ValueKind::Table,
    ValueKind::Histogram,
    ValueKind::NdArray,
    ValueKind::Invalid,
];

fn js_message(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::Reflect::get(e, &"message".into()).ok()?.as_string())
        .unwrap_or_else(|| "it threw an error".into())
}

fn field(obj: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(obj, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Imports the module at `url` and turns its exported panels into registry panels.
pub async fn load(url: &str) -> Result<Vec<Panel>, String> {
    let abs = crate::fetch::absolute_url(url)?;
    let module = wasm_bindgen_futures::JsFuture::from(loupe_import(&abs))
        .await
        .map_err(|e| format!("Could not load plugin {abs}: {}", js_message(&e)))?;
    let list = field(&module, "default");
    let specs: js_sys::Array = list
        .dyn_into()
        .map_err(|_| format!("Plugin {abs}: its default export must be a list of panels"))?;
    let mut panels = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let bad = |what: &str| format!("Plugin {abs}, panel {}: {what}", i + 1);
        let name = field(&spec, "name")
            .as_string()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| bad("`name` must be a string"))?;
        let level = field(&spec, "level")
            .as_string()
            .unwrap_or_else(|| "cell".into());
        if level != "cell" {
            return Err(bad(&format!(
                "level `{level}` is not supported (only \"cell\")"
            )));
        }
        let accepts: Vec<ValueKind> = js_sys::Array::from(&field(&spec, "accepts"))
            .iter()
            .filter_map(|k| k.as_string())
            .filter_map(|k| KINDS.into_iter().find(|kind| kind.name() == k))
            .collect();
        if accepts.is_empty() {
            return Err(bad(
                "`accepts` must list value kinds such as \"number\" or \"image\"",
            ));
        }
        let render: js_sys::Function = field(&spec, "render")
            .dyn_into()
            .map_err(|_| bad("`render(element, value, context)` must be a function"))?;
        let slot = PLUGINS.with(|p| {
            let mut p = p.borrow_mut();
            p.push(JsPanel {
                this: spec.clone(),
                render,
            });
            p.len() - 1
        });
        panels.push(Panel {
            // Registered once per page load: leaking a few bytes keeps `Panel` plain data.
            name: Box::leak(name.into_boxed_str()),
            accepts: Box::leak(accepts.into_boxed_slice()),
            priority: field(&spec, "priority").as_f64().map_or(0, |p| p as i32),
            render: Render::Plugin(slot),
        });
    }
    Ok(panels)
}

/// A cell drawn by plugin panel `slot`: an empty element handed to its `render`.
pub fn render(slot: usize, name: &'static str, value: &Value, ctx: &CellContext) -> AnyView {
    let node = NodeRef::<Div>::new();
    let text = loupe_core::json::to_string(&loupe_core::export::value_to_json(value), false);
    let media_url = match value {
        Value::Image(img) => ctx.media_url(&img.path).ok(),
        Value::Media(m) => ctx.media_url(&m.path).ok(),
        _ => None,
    };
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(el) = node.get() else { return };
        // NaN/Infinity are not JSON.parse-able: such a value goes as its text.
        let value = js_sys::JSON::parse(&text).unwrap_or_else(|_| JsValue::from_str(&text));
        let context = js_sys::Object::new();
        if let Some(url) = &media_url {
            let _ = js_sys::Reflect::set(&context, &"mediaUrl".into(), &url.into());
        }
        let outcome = PLUGINS.with(|p| {
            let p = p.borrow();
            let panel = p
                .get(slot)
                .ok_or_else(|| "the plugin is not loaded".to_string())?;
            panel
                .render
                .call3(&panel.this, &el, &value, &context)
                .map(|_| ())
                .map_err(|e| js_message(&e))
        });
        if let Err(e) = outcome {
            error.set(Some(format!("plugin panel {name}: {e}")));
        }
    });
    view! {
        <div class="plugin-cell" data-plugin=name node_ref=node></div>
        {move || error.get().map(cell_error)}
    }
    .into_any()
}

/// The consent banner for `&plugin=` URLs; on "load" the panels join `registry`.
#[component]
pub fn PluginConsent(urls: Vec<String>, registry: RwSignal<Arc<PanelRegistry>>) -> impl IntoView {
    let state = RwSignal::new(if urls.is_empty() { "none" } else { "asking" });
    let errors = RwSignal::new(Vec::<String>::new());
    let list = urls
        .iter()
        .map(|u| view! { <li><code>{u.clone()}</code></li> })
        .collect_view();
    let accept = move |_| {
        state.set("loading");
        let urls = urls.clone();
        leptos::task::spawn_local(async move {
            for url in urls {
                match load(&url).await {
                    Ok(panels) => registry.update(|r| {
                        let mut next = (**r).clone();
                        for p in panels {
                            next.register(p);
                        }
                        *r = Arc::new(next);
                    }),
                    Err(e) => errors.update(|list| list.push(e)),
                }
            }
            state.set("done");
        });
    };
    view! {
        <Show when=move || state.get() == "asking">
            <div class="plugin-consent" role="alertdialog" aria-label="load plugins?">
                <p>"This link asks to load third-party code. It would run in this page with its permissions:"</p>
                <ul>{list.clone()}</ul>
                <button class="plugin-accept" on:click=accept.clone()>"Load plugins"</button>
                <button class="plugin-decline" on:click=move |_| state.set("declined")>"Don't load"</button>
            </div>
        </Show>
        {move || (!errors.get().is_empty()).then(|| view! {
            <div class="plugin-errors" role="alert">{errors.get().into_iter().map(|e| view! { <p>{e}</p> }).collect_view()}</div>
        })}
    }
}
