//! In-browser tests (wasm-bindgen-test in headless Chromium): mount panels, check the DOM.
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use leptos::prelude::*;
use loupe::image_state::ImageColumnState;
use loupe::panels::{CellContext, PanelRegistry};
use loupe_core::{ImageColumnInfo, Table, Value, parse_document};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MEDIA_TABLE: &[u8] =
    include_bytes!("../crates/loupe-core/tests/fixtures/media/v0/media.table.json");

fn media_table() -> Table {
    match parse_document(MEDIA_TABLE) {
        Ok(loupe_core::Document::Table(t)) => t,
        _ => panic!("fixture is a table"),
    }
}

fn fresh_parent() -> web_sys::HtmlElement {
    let doc = document();
    let parent: web_sys::HtmlElement = doc.create_element("div").expect("div").unchecked_into();
    doc.body()
        .expect("body")
        .append_child(&parent)
        .expect("append");
    parent
}

fn ctx(image: Option<ImageColumnState>) -> CellContext {
    CellContext {
        media: Arc::new(loupe_core::MediaResolver::plain(
            "http://127.0.0.1:1/artifact/",
        )),
        image,
    }
}

/// Mounts a cell panel for `value`; the page is thrown away after the test, so
/// the mount handle is leaked on purpose (dropping it would unmount).
fn mount_value(value: Value, image: Option<ImageColumnState>) -> web_sys::HtmlElement {
    let parent = fresh_parent();
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        PanelRegistry::builtin().render(&value, &ctx(image))
    });
    std::mem::forget(handle);
    parent
}

#[wasm_bindgen_test]
fn numbers_show_nan_infinity_and_big_ints_exactly() {
    for (value, text) in [
        (Value::Float(f64::NAN), "NaN"),
        (Value::Float(f64::NEG_INFINITY), "-∞"),
        (
            Value::BigInt("18446744073709551615".into()),
            "18446744073709551615",
        ),
        (Value::Null, "null"),
    ] {
        let el = mount_value(value, None);
        assert_eq!(el.text_content().unwrap_or_default(), text);
    }
}

#[wasm_bindgen_test]
async fn long_strings_truncate_and_expand() {
    let long = "x".repeat(200);
    let el = mount_value(Value::Str(long.clone()), None);
    assert!(el.text_content().unwrap_or_default().len() < 120);
    let button: web_sys::HtmlElement = el
        .query_selector("button")
        .ok()
        .flatten()
        .expect("more button")
        .unchecked_into();
    button.click();
    leptos::task::tick().await;
    assert!(el.text_content().unwrap_or_default().contains(&long));
}

#[wasm_bindgen_test]
fn strings_are_text_never_markup() {
    let el = mount_value(Value::Str("<img src=x onerror=alert(1)>".into()), None);
    assert!(el.query_selector("img").ok().flatten().is_none());
    assert_eq!(
        el.text_content().unwrap_or_default(),
        "<img src=x onerror=alert(1)>"
    );
}

#[wasm_bindgen_test]
fn html_cells_are_sandboxed_iframes() {
    let t = media_table();
    let value = t.column("html").expect("html column").get(0);
    let el = mount_value(value, None);
    let frame = el.query_selector("iframe").ok().flatten().expect("iframe");
    assert_eq!(frame.get_attribute("sandbox").as_deref(), Some(""));
    assert_eq!(
        frame.get_attribute("src").as_deref(),
        Some("http://127.0.0.1:1/artifact/media/html/7bc3efb22a5b93eb12b3.html")
    );
}

#[wasm_bindgen_test]
fn escaping_media_paths_are_cell_errors() {
    let value = Value::Media(Box::new(loupe_core::MediaFile {
        kind: loupe_core::MediaKind::Audio,
        path: "../../etc/passwd".into(),
        sha256: None,
        caption: None,
        width: None,
        height: None,
    }));
    let el = mount_value(value, None);
    assert!(el.query_selector("audio").ok().flatten().is_none());
    assert!(
        el.text_content()
            .unwrap_or_default()
            .contains("leaves the artifact")
    );
}

#[wasm_bindgen_test]
async fn image_boxes_follow_the_column_controls() {
    let t = media_table();
    let column = t.column("image").expect("image column");
    let value = column.get(0);
    let owner = Owner::new();
    owner.set();
    let state = ImageColumnState::new(1, ImageColumnInfo::from_column(column).expect("image info"));
    let el = mount_value(value, Some(state));
    let rects = || {
        el.query_selector_all("svg.overlay rect")
            .map(|l| l.length())
            .unwrap_or(0)
    };
    // The fixture declares width/height, so boxes draw before the (unreachable) file loads.
    assert_eq!(rects(), 4);
    let classes: Vec<String> = (0..rects())
        .filter_map(|i| el.query_selector_all("svg.overlay rect").ok()?.item(i))
        .filter_map(|n| {
            n.unchecked_into::<web_sys::Element>()
                .get_attribute("data-class")
        })
        .collect();
    assert_eq!(classes, ["cat", "cat", "dog", "car"]);
    state.controls.update(|c| {
        c.hidden_classes.insert(1);
    });
    leptos::task::tick().await;
    assert_eq!(rects(), 2, "cat boxes hidden");
    state.controls.update(|c| {
        c.hidden_classes.clear();
        c.hidden_layers.insert("ground_truth".into());
        c.score_threshold = 0.5;
    });
    leptos::task::tick().await;
    // predictions: cat 0.91 (kept), dog 0.42 (below), car (no score, kept).
    assert_eq!(rects(), 2);
}

/// Mounts `value` with the panel named `panel`.
fn mount_with(panel: &'static str, value: Value) -> web_sys::HtmlElement {
    let parent = fresh_parent();
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        PanelRegistry::builtin().render_with(Some(panel), &value, &ctx(None))
    });
    std::mem::forget(handle);
    parent
}

fn floats(xs: &[f64]) -> Value {
    Value::List(xs.iter().map(|x| Value::Float(*x)).collect())
}

#[wasm_bindgen_test]
fn vector_panels_draw_number_lists_and_fall_back_for_others() {
    for panel in ["sparkline", "bars"] {
        let el = mount_with(panel, floats(&[0.5, -1.0, 2.0]));
        let canvas = el
            .query_selector(&format!("canvas[data-panel={panel}]"))
            .expect("query")
            .unwrap_or_else(|| panic!("{panel} canvas"));
        assert_eq!(
            canvas.get_attribute("data-values").as_deref(),
            Some("0.5,-1.0,2.0")
        );
    }
    let matrix = Value::List(vec![floats(&[1.0, 2.0, 3.0]), floats(&[4.0, 5.0, 6.0])]);
    let el = mount_with("heatmap", matrix);
    let canvas = el
        .query_selector("canvas[data-panel=heatmap]")
        .expect("query")
        .expect("heatmap");
    assert_eq!(canvas.get_attribute("data-shape").as_deref(), Some("2x3"));
    // A list of words is not a chart: the tree view draws it instead.
    let el = mount_with("sparkline", Value::List(vec![Value::Str("a".into())]));
    assert!(el.query_selector("canvas").expect("query").is_none());
    assert!(el.text_content().unwrap_or_default().contains('a'));
}

#[wasm_bindgen_test]
fn the_counts_panel_draws_a_dict_of_counts_as_bars_and_others_as_a_tree() {
    let counts = Value::Dict(vec![
        ("dog".into(), Value::Int(14)),
        ("cat".into(), Value::Int(7)),
    ]);
    let el = mount_with("counts", counts.clone());
    let bars: Vec<(String, String)> = (0..2)
        .filter_map(|i| el.query_selector_all(".agg.bars .bar").ok()?.item(i))
        .filter_map(|bar| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(bar).ok())
        .map(|bar| {
            (
                bar.get_attribute("data-value").unwrap_or_default(),
                bar.text_content().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        bars,
        [
            ("dog".to_string(), "dog14".to_string()),
            ("cat".to_string(), "cat7".to_string())
        ]
    );
    // Not the default for a dict: the tree draws it unless chosen.
    let el = mount_value(counts, None);
    assert!(el.query_selector(".bars").expect("query").is_none());
    assert!(el.query_selector("details.tree").expect("query").is_some());
    // A dict that is not counts falls back to the tree.
    let el = mount_with(
        "counts",
        Value::Dict(vec![("k".into(), Value::Str("v".into()))]),
    );
    assert!(el.query_selector(".bars").expect("query").is_none());
    assert!(el.query_selector("details.tree").expect("query").is_some());
}

#[wasm_bindgen_test]
fn the_gallery_panel_draws_a_list_of_images_side_by_side() {
    let image = |path: &str| {
        Value::Image(Box::new(loupe_core::ImageFile {
            path: path.into(),
            ..Default::default()
        }))
    };
    let el = mount_with("gallery", Value::List(vec![image("a.png"), image("b.png")]));
    let thumbs = el
        .query_selector_all(".agg.gallery .thumb .image-cell img")
        .expect("query");
    assert_eq!(thumbs.length(), 2);
    // A list that is not all images falls back to the tree (inline, short).
    let el = mount_with("gallery", Value::List(vec![image("a.png"), Value::Int(1)]));
    assert!(el.query_selector(".gallery").expect("query").is_none());
    assert!(el.query_selector(".list.inline").expect("query").is_some());
}

#[wasm_bindgen_test]
fn the_json_panel_shows_the_value_as_the_sdk_wrote_it() {
    let el = mount_with("json", Value::Dict(vec![("k".into(), Value::Int(1))]));
    let pre = el
        .query_selector("pre.raw-json")
        .expect("query")
        .expect("pre");
    assert!(pre.text_content().unwrap_or_default().contains("\"k\": 1"));
    // A panel that does not accept the value is ignored: the default draws it.
    let el = mount_with("heatmap", Value::Int(7));
    assert!(el.query_selector("canvas").expect("query").is_none());
    assert_eq!(el.text_content().unwrap_or_default().trim(), "7");
}

#[wasm_bindgen_test]
fn the_registry_offers_every_panel_of_a_kind_best_first() {
    let r = PanelRegistry::builtin();
    let names = |k| r.applicable(k).iter().map(|p| p.name).collect::<Vec<_>>();
    assert_eq!(
        names(loupe_core::ValueKind::List),
        ["tree", "sparkline", "gallery", "bars", "heatmap", "json"]
    );
    assert_eq!(
        names(loupe_core::ValueKind::Dict),
        ["tree", "counts", "json"]
    );
    assert_eq!(names(loupe_core::ValueKind::Audio)[0], "waveform");
    assert_eq!(
        names(loupe_core::ValueKind::Object3D),
        ["point-cloud", "file-link"]
    );
}
