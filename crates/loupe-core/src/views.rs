//! Named views: a view is its URL query (table, filter, sort, group, panels …),
//! so saving one is saving that query under a name. Kept in the browser's
//! localStorage, exported and imported as a small JSON file, and shipped by a
//! catalog for its artifacts (`"views"` in `loupe.json`).
//!
//! File format: `{"loupe_views": 1, "views": [{"name": "...", "search": "?table=..."}]}`.

use crate::error::FormatError;
use crate::json::{self, Json};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    /// The URL query string of the view, starting with `?`.
    pub search: String,
}

/// Reads the `views` list of a views file (or of a catalog).
pub fn views_from_json(j: &Json) -> Result<Vec<SavedView>, FormatError> {
    let Some(list) = j.get("views") else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or(FormatError::BadField {
        field: "views",
        message: "must be a list of {name, search}".into(),
    })?;
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            let text = |k: &'static str| {
                v.get(k)
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .ok_or(FormatError::BadField {
                        field: "views",
                        message: format!("view {} has no text `{k}`", i + 1),
                    })
            };
            let search = text("search")?;
            Ok(SavedView {
                name: text("name")?,
                search: if search.starts_with('?') {
                    search
                } else {
                    format!("?{search}")
                },
            })
        })
        .collect()
}

pub fn parse_views(bytes: &[u8]) -> Result<Vec<SavedView>, FormatError> {
    views_from_json(&json::parse(bytes)?)
}

/// The views file text.
pub fn views_to_json(views: &[SavedView]) -> String {
    let list = views
        .iter()
        .map(|v| {
            Json::Object(vec![
                ("name".into(), Json::String(v.name.clone())),
                ("search".into(), Json::String(v.search.clone())),
            ])
        })
        .collect();
    json::to_string(
        &Json::Object(vec![
            ("loupe_views".into(), Json::Number(json::Number::Int(1))),
            ("views".into(), Json::Array(list)),
        ]),
        true,
    )
}

/// Adds or replaces (by name) a view, keeping the others in order.
pub fn upsert(views: &mut Vec<SavedView>, view: SavedView) {
    match views.iter_mut().find(|v| v.name == view.name) {
        Some(existing) => *existing = view,
        None => views.push(view),
    }
}

/// Renames a view; refuses a name another view already has.
pub fn rename(views: &mut [SavedView], from: &str, to: &str) -> Result<(), String> {
    let to = to.trim();
    if to.is_empty() {
        return Err("a view needs a name".into());
    }
    if from != to && views.iter().any(|v| v.name == to) {
        return Err(format!("a view named `{to}` already exists"));
    }
    let v = views
        .iter_mut()
        .find(|v| v.name == from)
        .ok_or_else(|| format!("no view named `{from}`"))?;
    v.name = to.to_string();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_upsert_rename() {
        let mut views = Vec::new();
        upsert(
            &mut views,
            SavedView {
                name: "wrong".into(),
                search: "?table=a&filter=x".into(),
            },
        );
        upsert(
            &mut views,
            SavedView {
                name: "all".into(),
                search: "?table=a".into(),
            },
        );
        upsert(
            &mut views,
            SavedView {
                name: "wrong".into(),
                search: "?table=a&filter=y".into(),
            },
        );
        assert_eq!(views.len(), 2);
        assert_eq!(views[0].search, "?table=a&filter=y");
        assert!(rename(&mut views, "all", "wrong").is_err());
        rename(&mut views, "all", "everything").expect("renamed");
        let again = parse_views(views_to_json(&views).as_bytes()).expect("parses");
        assert_eq!(again, views);
        assert!(parse_views(br#"{"views": [{"name": "x"}]}"#).is_err());
        assert_eq!(
            parse_views(br#"{"views": [{"name": "x", "search": "table=t"}]}"#).expect("ok")[0]
                .search,
            "?table=t"
        );
    }
}
