//! Typed cell values and their kinds: what the panel registry dispatches on.

use crate::json::{Json, Number};
use crate::media::{ImageFile, MediaFile, MediaKind, parse_image, parse_media_file};
use crate::table::Table;
use crate::time::format_epoch_ms;

/// One cell of a table, typed by its JSON shape (and the column hint for
/// timestamps and ndarrays, which have no shape of their own).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond i64, kept as exact decimal text.
    BigInt(String),
    /// Any float including NaN and ±inf.
    Float(f64),
    /// Epoch milliseconds (UTC); may have a fraction.
    Timestamp(f64),
    Str(String),
    List(Vec<Value>),
    Dict(Vec<(String, Value)>),
    Image(Box<ImageFile>),
    Media(Box<MediaFile>),
    Table(Box<Table>),
    Histogram {
        bins: Vec<f64>,
        values: Vec<f64>,
    },
    /// A `null` cell of an ndarray column whose data lives in an `.npz` side file.
    NdArray {
        shape: Vec<u64>,
        npz_path: Option<String>,
    },
    /// A cell that could not be understood; the message says why. Only this cell fails.
    Invalid(String),
}

/// The kind of a value: the key of the panel registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    Null,
    Bool,
    Number,
    Timestamp,
    String,
    List,
    Dict,
    Image,
    Audio,
    Html,
    Video,
    Object3D,
    Molecule,
    Table,
    Histogram,
    NdArray,
    Invalid,
}

impl ValueKind {
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Null => "null",
            ValueKind::Bool => "bool",
            ValueKind::Number => "number",
            ValueKind::Timestamp => "timestamp",
            ValueKind::String => "string",
            ValueKind::List => "list",
            ValueKind::Dict => "dict",
            ValueKind::Image => "image",
            ValueKind::Audio => "audio",
            ValueKind::Html => "html",
            ValueKind::Video => "video",
            ValueKind::Object3D => "object3D",
            ValueKind::Molecule => "molecule",
            ValueKind::Table => "table",
            ValueKind::Histogram => "histogram",
            ValueKind::NdArray => "ndarray",
            ValueKind::Invalid => "invalid",
        }
    }

    /// Kinds whose cells need a tall row (a thumbnail or a player).
    pub fn is_visual(self) -> bool {
        matches!(
            self,
            ValueKind::Image | ValueKind::Video | ValueKind::Html | ValueKind::Audio
        )
    }
}

/// What the column hint says about how to read a bare JSON scalar.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CellHint {
    #[default]
    None,
    Timestamp,
    NdArray {
        shape: Vec<u64>,
        npz_path: Option<String>,
    },
}

impl Value {
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Null => ValueKind::Null,
            Value::Bool(_) => ValueKind::Bool,
            Value::Int(_) | Value::BigInt(_) | Value::Float(_) => ValueKind::Number,
            Value::Timestamp(_) => ValueKind::Timestamp,
            Value::Str(_) => ValueKind::String,
            Value::List(_) => ValueKind::List,
            Value::Dict(_) => ValueKind::Dict,
            Value::Image(_) => ValueKind::Image,
            Value::Media(m) => match m.kind {
                MediaKind::Audio => ValueKind::Audio,
                MediaKind::Html => ValueKind::Html,
                MediaKind::Video => ValueKind::Video,
                MediaKind::Object3D => ValueKind::Object3D,
                MediaKind::Molecule => ValueKind::Molecule,
            },
            Value::Table(_) => ValueKind::Table,
            Value::Histogram { .. } => ValueKind::Histogram,
            Value::NdArray { .. } => ValueKind::NdArray,
            Value::Invalid(_) => ValueKind::Invalid,
        }
    }

    /// Builds a value from a cell's JSON; `hint` comes from the column type.
    pub fn from_json(json: &Json, hint: &CellHint) -> Value {
        match (json, hint) {
            (Json::Null, CellHint::NdArray { shape, npz_path }) => Value::NdArray {
                shape: shape.clone(),
                npz_path: npz_path.clone(),
            },
            (Json::Number(n), CellHint::Timestamp) => Value::Timestamp(n.as_f64()),
            _ => Value::from_shape(json),
        }
    }

    /// Builds a value from JSON alone (nested values have no column hint).
    pub fn from_shape(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(Number::Int(i)) => Value::Int(*i),
            Json::Number(Number::BigInt(s)) => Value::BigInt(s.clone()),
            Json::Number(Number::Float(f)) => Value::Float(*f),
            Json::String(s) => Value::Str(s.clone()),
            Json::Array(items) => Value::List(items.iter().map(Value::from_shape).collect()),
            Json::Object(fields) => json
                .get("_type")
                .and_then(Json::as_str)
                .and_then(|tag| Value::from_typed_object(tag, json))
                // Plain dicts and unknown `_type`s (bokeh, trace trees, future media)
                // stay inspectable as dicts.
                .unwrap_or_else(|| {
                    Value::Dict(
                        fields
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::from_shape(v)))
                            .collect(),
                    )
                }),
        }
    }

    fn from_typed_object(tag: &str, json: &Json) -> Option<Value> {
        let invalid = |e: String| Value::Invalid(format!("{tag}: {e}"));
        if tag == "image-file" {
            return Some(parse_image(json).map_or_else(invalid, |img| Value::Image(Box::new(img))));
        }
        if let Some(kind) = MediaKind::from_type_tag(tag) {
            return Some(
                parse_media_file(kind, json).map_or_else(invalid, |m| Value::Media(Box::new(m))),
            );
        }
        Some(match tag {
            "table" => Table::from_json(json)
                .map_or_else(|e| invalid(e.to_string()), |t| Value::Table(Box::new(t))),
            "histogram" => {
                let nums = |key: &str| -> Option<Vec<f64>> {
                    json.get(key)?
                        .as_array()?
                        .iter()
                        .map(Json::as_f64)
                        .collect()
                };
                match (nums("bins"), nums("values")) {
                    (Some(bins), Some(values)) => Value::Histogram { bins, values },
                    _ => invalid("needs numeric `bins` and `values`".into()),
                }
            }
            _ => return None,
        })
    }

    /// A number as f64 (ints, big ints, floats, timestamps); `None` otherwise.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::BigInt(s) => s.parse().ok(),
            Value::Float(f) | Value::Timestamp(f) => Some(*f),
            _ => None,
        }
    }

    /// Short one-line text of the value, as the grid and exports show it.
    pub fn display(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(s) => s.clone(),
            Value::Float(f) => format_float(*f),
            Value::Timestamp(ms) => format_epoch_ms(*ms),
            Value::Str(s) => s.clone(),
            Value::List(items) => format!("[{} items]", items.len()),
            Value::Dict(fields) => format!("{{{} keys}}", fields.len()),
            Value::Image(img) => img.path.clone(),
            Value::Media(m) => m.path.clone(),
            Value::Table(t) => format!("table {}×{}", t.row_count(), t.columns.len()),
            Value::Histogram { values, .. } => format!("histogram ({} bins)", values.len()),
            Value::NdArray { shape, .. } => format!("ndarray {shape:?}"),
            Value::Invalid(msg) => format!("error: {msg}"),
        }
    }
}

/// Formats a float the way a reader expects: NaN and infinities by name,
/// integers without a trailing `.0` noise beyond one place, others shortest round-trip.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f == f64::INFINITY {
        "∞".into()
    } else if f == f64::NEG_INFINITY {
        "-∞".into()
    } else if f == 0.0 && f.is_sign_negative() {
        "-0.0".into()
    } else {
        let s = f.to_string();
        if s.contains('.') || s.contains('e') || s.contains("inf") {
            s
        } else {
            format!("{s}.0")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn v(text: &str) -> Value {
        Value::from_shape(&parse(text.as_bytes()).expect("json"))
    }

    #[test]
    fn floats_format_visibly() {
        assert_eq!(format_float(f64::NAN), "NaN");
        assert_eq!(format_float(f64::INFINITY), "∞");
        assert_eq!(format_float(-0.0), "-0.0");
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(0.1), "0.1");
    }

    #[test]
    fn shapes_become_kinds() {
        assert_eq!(v("1").kind(), ValueKind::Number);
        assert_eq!(v("\"x\"").kind(), ValueKind::String);
        assert_eq!(v("[1]").kind(), ValueKind::List);
        assert_eq!(v("{\"a\": 1}").kind(), ValueKind::Dict);
        assert_eq!(
            v(r#"{"_type": "html-file", "path": "a.html"}"#).kind(),
            ValueKind::Html
        );
        assert_eq!(
            v(r#"{"_type": "bokeh-file", "path": "a.json"}"#).kind(),
            ValueKind::Dict
        );
    }

    #[test]
    fn broken_media_is_an_invalid_cell() {
        match v(r#"{"_type": "image-file", "width": 3}"#) {
            Value::Invalid(msg) => assert_eq!(msg, "image-file: image-file has no `path`"),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn hints_apply_to_scalars_only() {
        let ts = Value::from_json(
            &parse(b"1704164645678").expect("json"),
            &CellHint::Timestamp,
        );
        assert_eq!(ts.display(), "2024-01-02T03:04:05.678Z");
        let nd = CellHint::NdArray {
            shape: vec![2, 3],
            npz_path: None,
        };
        assert_eq!(
            Value::from_json(&Json::Null, &nd).kind(),
            ValueKind::NdArray
        );
        assert_eq!(
            Value::from_json(&parse(b"[1]").expect("json"), &nd).kind(),
            ValueKind::List
        );
    }
}
