//! Column type inference as the SDK does it (`sdk/data_types/_dtypes.py`).
//!
//! A new table's columns start as `Optional[Unknown]`; every `add_data` row is
//! *assigned* to its column's type, which narrows `Unknown` to the value's
//! type, widens list lengths, merges image layers, and fails on a value that
//! does not fit (the SDK's "Data row contained incompatible types"). Unions are
//! flattened and sorted by the type's Python `repr`, which is why
//! `[boolean, none]` but `[none, number]` appear in files. Reproducing this
//! makes our `column_types` byte-identical to the SDK's.

use std::collections::{BTreeMap, BTreeSet};

use super::objects::{Cell, Image};
use super::write::obj;
use crate::json::{Json, Number};
use crate::media::MediaKind;

/// A W&B type (`wb_type`) as the SDK infers it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Unknown,
    /// A list whose elements did not agree (`[1, "two"]`); accepts nothing.
    Invalid,
    None,
    Number,
    String,
    Boolean,
    Timestamp,
    List {
        element: Box<Ty>,
        length: Option<usize>,
    },
    Dict(Vec<(String, Ty)>),
    Union(Vec<Ty>),
    Image(Box<ImageTy>),
    /// Media without params: `audio-file`, `html-file`, `video-file`, `object3D-file`.
    Named(&'static str),
    PythonObject(String),
    /// A nested table: its column types (a `Dict`).
    Table(Box<Ty>),
}

/// The six `const` params of an `image-file` column type.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ImageTy {
    box_layers: BTreeMap<String, BTreeSet<i64>>,
    box_score_keys: BTreeSet<String>,
    mask_layers: BTreeMap<String, BTreeSet<i64>>,
    box_class_maps: BTreeMap<String, BTreeMap<String, String>>,
    mask_class_maps: BTreeMap<String, BTreeMap<String, String>>,
    class_map: BTreeMap<String, String>,
}

impl Ty {
    /// `OptionalType(UnknownType())`: where every inferred column starts.
    pub(crate) fn optional_unknown() -> Ty {
        Ty::Union(vec![Ty::None, Ty::Unknown])
    }

    /// `TypeRegistry.type_of(value)`.
    pub(crate) fn of(cell: &Cell) -> Ty {
        match cell {
            Cell::Null => Ty::None,
            Cell::Float(f) if f.is_nan() => Ty::None,
            Cell::Int(_) | Cell::Float(_) | Cell::BigInt(_) => Ty::Number,
            Cell::Bool(_) => Ty::Boolean,
            Cell::Str(_) => Ty::String,
            Cell::Timestamp(_) => Ty::Timestamp,
            Cell::List(items) => {
                let start = if items.iter().any(|c| matches!(c, Cell::Null)) {
                    Ty::optional_unknown()
                } else {
                    Ty::Unknown
                };
                // Like the SDK, an incompatible element leaves the type as it was.
                let element = items
                    .iter()
                    .fold(start, |t, item| t.assign(item).unwrap_or(Ty::Invalid));
                Ty::List {
                    element: Box::new(element),
                    length: Some(items.len()),
                }
            }
            Cell::Dict(fields) => {
                Ty::Dict(fields.iter().map(|(k, v)| (k.clone(), Ty::of(v))).collect())
            }
            Cell::Image(image) => Ty::Image(Box::new(ImageTy::of(image))),
            Cell::Media(m) => match m.kind {
                MediaKind::Molecule => Ty::PythonObject("Molecule".into()),
                kind => Ty::Named(kind.type_tag()),
            },
            Cell::Table(t) => Ty::Table(Box::new(t.inferred_types())),
            Cell::Other(json) => Ty::PythonObject(match json.get("_type").and_then(Json::as_str) {
                Some("histogram") => "Histogram".into(),
                Some(other) => other.to_string(),
                None => "object".into(),
            }),
        }
    }

    /// `Type.assign(value)`: the narrowed type, or `None` when the value does not fit.
    pub(crate) fn assign(&self, cell: &Cell) -> Option<Ty> {
        match self {
            Ty::Unknown => match Ty::of(cell) {
                Ty::None => None,
                t => Some(t),
            },
            Ty::Union(allowed) => union_assign(allowed, Assignee::Value(cell)),
            Ty::List { element, .. } => match cell {
                Cell::List(items) => {
                    let mut element = (**element).clone();
                    for item in items {
                        element = element.assign(item)?;
                    }
                    Some(Ty::List {
                        element: Box::new(element),
                        length: Some(items.len()),
                    })
                }
                _ => None,
            },
            Ty::Dict(map) => match cell {
                Cell::Dict(fields) => {
                    if fields.iter().any(|(k, _)| !map.iter().any(|(m, _)| m == k)) {
                        return None;
                    }
                    map.iter()
                        .map(|(k, t)| {
                            let v = fields
                                .iter()
                                .find(|(f, _)| f == k)
                                .map_or(&Cell::Null, |(_, v)| v);
                            Some((k.clone(), t.assign(v)?))
                        })
                        .collect::<Option<Vec<_>>>()
                        .map(Ty::Dict)
                }
                _ => None,
            },
            _ => self.assign_type(&Ty::of(cell)),
        }
    }

    /// `Type.assign_type(other)`.
    fn assign_type(&self, other: &Ty) -> Option<Ty> {
        match (self, other) {
            (Ty::Invalid, _) | (_, Ty::Invalid) | (Ty::Unknown, Ty::None) => None,
            (Ty::Unknown, t) => Some(t.clone()),
            (Ty::Union(allowed), other) => {
                let assignees: Vec<Ty> = match other {
                    Ty::Union(ts) => ts.clone(),
                    t => vec![t.clone()],
                };
                let mut resolved = allowed.clone();
                for t in &assignees {
                    resolved = match union_assign(&resolved, Assignee::Type(t))? {
                        Ty::Union(ts) => ts,
                        t => vec![t],
                    };
                }
                Some(Ty::Union(resolved))
            }
            (
                Ty::List { element, length },
                Ty::List {
                    element: e2,
                    length: l2,
                },
            ) => Some(Ty::List {
                element: Box::new(element.assign_type(e2)?),
                length: if length == l2 { *length } else { None },
            }),
            (Ty::Dict(map), Ty::Dict(other)) => {
                if other.iter().any(|(k, _)| !map.iter().any(|(m, _)| m == k)) {
                    return None;
                }
                map.iter()
                    .map(|(k, t)| {
                        let o = other
                            .iter()
                            .find(|(m, _)| m == k)
                            .map_or(Ty::Unknown, |(_, o)| o.clone());
                        Some((k.clone(), t.assign_type(&o)?))
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(Ty::Dict)
            }
            (Ty::Image(a), Ty::Image(b)) => Some(Ty::Image(Box::new(a.merge(b)))),
            (Ty::Table(a), Ty::Table(b)) => Some(Ty::Table(Box::new(a.assign_type(b)?))),
            (a, b) if a == b => Some(a.clone()),
            _ => None,
        }
    }

    /// Python's `str(type)`, the key unions are sorted by.
    pub(crate) fn repr(&self) -> String {
        match self {
            Ty::Unknown => "Unknown".into(),
            Ty::Invalid => "Invalid".into(),
            Ty::None => "None".into(),
            Ty::Number => "Number".into(),
            Ty::String => "String".into(),
            Ty::Boolean => "Boolean".into(),
            Ty::Timestamp => "Timestamp".into(),
            Ty::List { element, .. } => format!("{}[]", element.repr()),
            Ty::Dict(map) => {
                let inner: Vec<String> = map
                    .iter()
                    .map(|(k, t)| format!("{}: {}", super::pyjson::py_str_repr(k), t.repr()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            Ty::Union(ts) => ts.iter().map(Ty::repr).collect::<Vec<_>>().join(" or "),
            Ty::Image(_) => "Image-file(box_layers:".into(),
            Ty::Named(name) => capitalize(name),
            Ty::PythonObject(class) => format!("Pythonobject(class_name:{class})"),
            Ty::Table(t) => format!("Table(column_types:{})", t.repr()),
        }
    }

    /// The `{"wb_type": ..., "params": ...}` JSON (params omitted when empty).
    pub(crate) fn to_json(&self) -> Json {
        let simple = |name: &str| obj(vec![("wb_type", Json::String(name.into()))]);
        let with_params = |name: &str, params: Vec<(&str, Json)>| {
            obj(vec![
                ("params", obj(params)),
                ("wb_type", Json::String(name.into())),
            ])
        };
        match self {
            Ty::Unknown => simple("unknown"),
            Ty::Invalid => simple("invalid"),
            Ty::None => simple("none"),
            Ty::Number => simple("number"),
            Ty::String => simple("string"),
            Ty::Boolean => simple("boolean"),
            Ty::Timestamp => simple("timestamp"),
            Ty::Named(name) => simple(name),
            Ty::List { element, length } => with_params(
                "list",
                vec![
                    ("element_type", element.to_json()),
                    (
                        "length",
                        length.map_or(Json::Null, |l| Json::Number(Number::Int(l as i64))),
                    ),
                ],
            ),
            Ty::Dict(map) => with_params(
                "typedDict",
                vec![(
                    "type_map",
                    Json::Object(map.iter().map(|(k, t)| (k.clone(), t.to_json())).collect()),
                )],
            ),
            Ty::Union(ts) => with_params(
                "union",
                vec![(
                    "allowed_types",
                    Json::Array(ts.iter().map(Ty::to_json).collect()),
                )],
            ),
            Ty::PythonObject(class) => with_params(
                "pythonObject",
                vec![("class_name", Json::String(class.clone()))],
            ),
            Ty::Table(t) => with_params("table", vec![("column_types", t.to_json())]),
            Ty::Image(image) => with_params("image-file", image.params()),
        }
    }
}

enum Assignee<'a> {
    Value(&'a Cell),
    Type(&'a Ty),
}

/// `_union_assigner`: the first non-unknown member that accepts the value
/// absorbs it; otherwise an `Unknown` member becomes the value's type.
fn union_assign(allowed: &[Ty], assignee: Assignee) -> Option<Ty> {
    let mut resolved = Vec::with_capacity(allowed.len() + 1);
    let mut valid = false;
    let mut unknowns = 0;
    for t in allowed {
        if valid {
            resolved.push(t.clone());
        } else if *t == Ty::Unknown {
            unknowns += 1;
        } else {
            let assigned = match &assignee {
                Assignee::Value(cell) => t.assign(cell),
                Assignee::Type(other) => t.assign_type(other),
            };
            match assigned {
                Some(a) => {
                    resolved.push(a);
                    valid = true;
                }
                None => resolved.push(t.clone()),
            }
        }
    }
    if !valid {
        if unknowns == 0 {
            return None;
        }
        let new = match &assignee {
            Assignee::Value(cell) => Ty::Unknown.assign(cell)?,
            Assignee::Type(t) => (*t).clone(),
        };
        resolved.push(new);
        unknowns -= 1;
    }
    resolved.extend(std::iter::repeat_n(Ty::Unknown, unknowns));
    let mut flat = Vec::with_capacity(resolved.len());
    for t in resolved {
        match t {
            Ty::Union(inner) => flat.extend(inner),
            t => flat.push(t),
        }
    }
    flat.sort_by_cached_key(Ty::repr);
    Some(Ty::Union(flat))
}

impl ImageTy {
    /// `_ImageFileType.from_obj`.
    fn of(image: &Image) -> ImageTy {
        let ids = |labels: &[(i64, String)]| labels.iter().map(|(id, _)| *id).collect();
        let names = |labels: &[(i64, String)]| {
            labels
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone()))
                .collect()
        };
        ImageTy {
            box_layers: image
                .boxes
                .iter()
                .map(|(k, l)| (k.clone(), ids(&l.class_labels)))
                .collect(),
            box_score_keys: image
                .boxes
                .iter()
                .flat_map(|(_, l)| l.score_keys())
                .collect(),
            mask_layers: image
                .masks
                .iter()
                .map(|(k, m)| (k.clone(), ids(&m.class_labels)))
                .collect(),
            box_class_maps: image
                .boxes
                .iter()
                .map(|(k, l)| (k.clone(), names(&l.class_labels)))
                .collect(),
            mask_class_maps: image
                .masks
                .iter()
                .filter(|(_, m)| !m.class_labels.is_empty())
                .map(|(k, m)| (k.clone(), names(&m.class_labels)))
                .collect(),
            class_map: names(&image.all_classes().entries),
        }
    }

    /// `_ImageFileType.assign_type`: unions of layers and keys; names from self win.
    fn merge(&self, other: &ImageTy) -> ImageTy {
        let union_sets = |a: &BTreeMap<String, BTreeSet<i64>>,
                          b: &BTreeMap<String, BTreeSet<i64>>| {
            let mut out = a.clone();
            for (k, ids) in b {
                out.entry(k.clone())
                    .or_default()
                    .extend(ids.iter().copied());
            }
            out
        };
        let union_maps = |a: &BTreeMap<String, BTreeMap<String, String>>,
                          b: &BTreeMap<String, BTreeMap<String, String>>| {
            let mut out = b.clone();
            for (k, names) in a {
                out.entry(k.clone()).or_default().extend(names.clone());
            }
            out
        };
        let mut class_map = other.class_map.clone();
        class_map.extend(self.class_map.clone());
        ImageTy {
            box_layers: union_sets(&self.box_layers, &other.box_layers),
            box_score_keys: self
                .box_score_keys
                .union(&other.box_score_keys)
                .cloned()
                .collect(),
            mask_layers: union_sets(&self.mask_layers, &other.mask_layers),
            box_class_maps: union_maps(&self.box_class_maps, &other.box_class_maps),
            mask_class_maps: union_maps(&self.mask_class_maps, &other.mask_class_maps),
            class_map,
        }
    }

    fn params(&self) -> Vec<(&'static str, Json)> {
        let konst = |is_set: bool, val: Json| {
            obj(vec![
                (
                    "params",
                    obj(vec![("is_set", Json::Bool(is_set)), ("val", val)]),
                ),
                ("wb_type", Json::String("const".into())),
            ])
        };
        let layers = |m: &BTreeMap<String, BTreeSet<i64>>| {
            Json::Object(
                m.iter()
                    .map(|(k, ids)| {
                        let ids = ids.iter().map(|i| Json::Number(Number::Int(*i))).collect();
                        (k.clone(), Json::Array(ids))
                    })
                    .collect(),
            )
        };
        let names = |m: &BTreeMap<String, String>| {
            Json::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                    .collect(),
            )
        };
        let maps = |m: &BTreeMap<String, BTreeMap<String, String>>| {
            Json::Object(m.iter().map(|(k, v)| (k.clone(), names(v))).collect())
        };
        vec![
            ("box_class_maps", konst(false, maps(&self.box_class_maps))),
            ("box_layers", konst(false, layers(&self.box_layers))),
            (
                "box_score_keys",
                konst(
                    true,
                    Json::Array(
                        self.box_score_keys
                            .iter()
                            .map(|k| Json::String(k.clone()))
                            .collect(),
                    ),
                ),
            ),
            ("class_map", konst(false, names(&self.class_map))),
            ("mask_class_maps", konst(false, maps(&self.mask_class_maps))),
            ("mask_layers", konst(false, layers(&self.mask_layers))),
        ]
    }
}

/// Python's `str.capitalize`: first character upper, the rest lower.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}
