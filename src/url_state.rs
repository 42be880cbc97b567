//! The view lives in the URL: reading the query from `location.search`, and
//! writing it back with `history.pushState` so the back button steps through views.

use loupe_core::Query;

/// Decoded `(name, value)` pairs of the current query string, in order.
pub fn search_params() -> Vec<(String, String)> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    parse_search(&search)
}

/// The first value of `&name=` in the page's URL.
pub fn search_param(name: &str) -> Option<String> {
    search_params()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Parses `?a=1&b=x+y` (as `URLSearchParams` writes it: `+` is a space).
pub fn parse_search(search: &str) -> Vec<(String, String)> {
    let decode = |s: &str| -> String {
        let s = s.replace('+', " ");
        js_sys::decode_uri_component(&s)
            .map(String::from)
            .unwrap_or(s)
    };
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

/// The view query in the current URL.
pub fn read_query() -> Query {
    query_of(&search_params())
}

/// The view query in these URL parameters.
pub fn query_of(params: &[(String, String)]) -> Query {
    Query::from_params(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The query string for the same table with `query` as its view: what
/// opened the table (a scan of every part included) and the load settings
/// stay, so the link opens the same rows.
pub fn search_for(query: &Query) -> String {
    let Ok(out) = web_sys::UrlSearchParams::new() else {
        return String::new();
    };
    for (k, v) in search_params() {
        if matches!(
            k.as_str(),
            "table"
                | "root"
                | "embed"
                | "catalog"
                | "join"
                | "compare"
                | "key"
                | "with"
                | "on"
                | "layout"
                | "over"
                | "scan"
                | "memory_mb"
                | "worker_rows"
                | "json_worker_mb"
                | "worker_memory_mb"
        ) {
            out.append(&k, &v);
        }
    }
    for (k, v) in query.to_params() {
        out.append(k, &v);
    }
    format!("?{}", String::from(out.to_string()))
}

/// Pushes a history entry for `query` unless the URL already shows it.
pub fn push_query(query: &Query) {
    if read_query() == *query {
        return;
    }
    let url = search_for(query);
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Replaces every `name` parameter of the current URL with `values`, in place.
pub fn replace_params(name: &str, values: &[String]) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let search = window.location().search().unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return;
    };
    params.delete(name);
    for v in values {
        params.append(name, v);
    }
    let url = format!("?{}", String::from(params.to_string()));
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Column widths from the URL (`w=<px>:<column>`, repeatable).
pub fn widths_from_url() -> std::collections::HashMap<String, f64> {
    search_params()
        .into_iter()
        .filter(|(k, _)| k == "w")
        .filter_map(|(_, v)| {
            let (px, column) = v.split_once(':')?;
            Some((column.to_string(), px.parse::<f64>().ok()?))
        })
        .collect()
}

/// The current URL's parameters with `name=value` set (removed when empty).
fn search_with(window: &web_sys::Window, name: &str, value: &str) -> Option<String> {
    let search = window.location().search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    if value.is_empty() {
        params.delete(name);
    } else {
        params.set(name, value);
    }
    Some(String::from(params.to_string()))
}

/// Sets (or, when empty, removes) one parameter of the current URL in place:
/// view settings that should be shareable but are not history steps.
pub fn replace_param(name: &str, value: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let (Some(search), Ok(history)) = (search_with(&window, name, value), window.history()) {
        let url = format!("?{search}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Opens this page again with `name=value` (removed when empty): a new history
/// entry, so the back button returns to the page as it was.
pub fn navigate_with(name: &str, value: &str) {
    if let Some(window) = web_sys::window()
        && let Some(search) = search_with(&window, name, value)
    {
        let _ = window.location().set_search(&search);
    }
}
