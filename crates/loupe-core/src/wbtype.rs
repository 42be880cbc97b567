//! `column_types`: the SDK's typed schema, read as hints only.
//!
//! The SDK writes types its own reader rejects (see the format notes), so Loupe
//! renders cells by shape and uses these types just for what shape cannot say:
//! timestamps, ndarray side files, and per-layer class names of image columns.

use crate::json::Json;
use crate::media::ClassSet;
use crate::value::CellHint;

/// A W&B type, reduced to what a viewer needs.
#[derive(Debug, Clone, PartialEq)]
pub enum WbType {
    None,
    Number,
    String,
    Boolean,
    Timestamp,
    List(Box<WbType>),
    Dict,
    NdArray {
        shape: Vec<u64>,
        npz_path: Option<String>,
    },
    Image(Box<ImageTypeInfo>),
    /// Class ids with names from a classes file (`classesId`).
    ClassesId {
        classes_path: Option<String>,
    },
    Union(Vec<WbType>),
    /// Any other name (`any`, `pythonObject`, media without params, keys …).
    Other(String),
}

/// Per-layer class names an image column declares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageTypeInfo {
    pub box_class_maps: Vec<(String, ClassSet)>,
    pub mask_class_maps: Vec<(String, ClassSet)>,
    /// Legacy merged id → name map.
    pub class_map: ClassSet,
}

impl WbType {
    pub fn from_json(json: &Json) -> WbType {
        let name = json
            .get("wb_type")
            .and_then(Json::as_str)
            .unwrap_or("unknown");
        let params = json.get("params");
        let param = |key: &str| params.and_then(|p| p.get(key));
        match name {
            "none" => WbType::None,
            "number" => WbType::Number,
            "string" => WbType::String,
            "boolean" => WbType::Boolean,
            "timestamp" => WbType::Timestamp,
            "typedDict" | "dictionary" => WbType::Dict,
            "list" => WbType::List(Box::new(
                param("element_type").map_or(WbType::Other("unknown".into()), WbType::from_json),
            )),
            "union" => WbType::Union(
                param("allowed_types")
                    .and_then(Json::as_array)
                    .unwrap_or_default()
                    .iter()
                    .map(WbType::from_json)
                    .collect(),
            ),
            "ndarray" => WbType::NdArray {
                shape: param("shape")
                    .and_then(Json::as_array)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|d| d.as_i64().and_then(|d| u64::try_from(d).ok()))
                    .collect(),
                npz_path: param("serialization_path")
                    .and_then(|s| s.get("path"))
                    .and_then(Json::as_str)
                    .map(str::to_string),
            },
            "image-file" | "wandb.Image" => {
                let const_val = |key: &str| {
                    param(key)
                        .and_then(|c| c.get("params"))
                        .and_then(|p| p.get("val"))
                };
                let layer_maps = |key: &str| -> Vec<(String, ClassSet)> {
                    const_val(key)
                        .and_then(Json::as_object)
                        .unwrap_or_default()
                        .iter()
                        .map(|(layer, map)| (layer.clone(), ClassSet::from_id_map(map)))
                        .collect()
                };
                WbType::Image(Box::new(ImageTypeInfo {
                    box_class_maps: layer_maps("box_class_maps"),
                    mask_class_maps: layer_maps("mask_class_maps"),
                    class_map: const_val("class_map")
                        .map(ClassSet::from_id_map)
                        .unwrap_or_default(),
                }))
            }
            "classesId" | "wandb.Classes_id" => WbType::ClassesId {
                classes_path: param("classes_obj")
                    .and_then(|c| c.get("path"))
                    .and_then(Json::as_str)
                    .map(str::to_string),
            },
            other => WbType::Other(other.to_string()),
        }
    }

    /// The SDK's JSON for this type, as much of it as `from_json` reads back
    /// (`from_json(&t.to_json()) == t`): how a declared type travels with a
    /// column in a table frame.
    pub fn to_json(&self) -> Json {
        let typed = |name: &str, params: Vec<(String, Json)>| {
            let mut fields = vec![("wb_type".to_string(), Json::String(name.into()))];
            if !params.is_empty() {
                fields.push(("params".into(), Json::Object(params)));
            }
            Json::Object(fields)
        };
        let path_of = |path: &Option<String>| {
            path.iter()
                .map(|p| ("path".to_string(), Json::String(p.clone())))
                .collect::<Vec<_>>()
        };
        match self {
            WbType::None => typed("none", vec![]),
            WbType::Number => typed("number", vec![]),
            WbType::String => typed("string", vec![]),
            WbType::Boolean => typed("boolean", vec![]),
            WbType::Timestamp => typed("timestamp", vec![]),
            WbType::Dict => typed("typedDict", vec![]),
            WbType::List(element) => {
                typed("list", vec![("element_type".into(), element.to_json())])
            }
            WbType::Union(types) => typed(
                "union",
                vec![(
                    "allowed_types".into(),
                    Json::Array(types.iter().map(WbType::to_json).collect()),
                )],
            ),
            WbType::NdArray { shape, npz_path } => {
                let dims = shape
                    .iter()
                    .map(|d| Json::Number(crate::json::Number::Int(*d as i64)))
                    .collect();
                let mut params = vec![("shape".to_string(), Json::Array(dims))];
                if npz_path.is_some() {
                    params.push(("serialization_path".into(), Json::Object(path_of(npz_path))));
                }
                typed("ndarray", params)
            }
            WbType::Image(info) => {
                let constant = |val: Json| typed("const", vec![("val".into(), val)]);
                let layers = |maps: &[(String, ClassSet)]| {
                    constant(Json::Object(
                        maps.iter()
                            .map(|(layer, set)| (layer.clone(), set.to_id_map()))
                            .collect(),
                    ))
                };
                typed(
                    "image-file",
                    vec![
                        ("box_class_maps".into(), layers(&info.box_class_maps)),
                        ("mask_class_maps".into(), layers(&info.mask_class_maps)),
                        ("class_map".into(), constant(info.class_map.to_id_map())),
                    ],
                )
            }
            WbType::ClassesId { classes_path } => {
                let mut params = vec![];
                if classes_path.is_some() {
                    params.push((
                        "classes_obj".to_string(),
                        Json::Object(path_of(classes_path)),
                    ));
                }
                typed("classesId", params)
            }
            WbType::Other(name) => typed(name, vec![]),
        }
    }

    /// The type without its `none` alternative (`optional=True` wraps nearly everything).
    pub fn non_null(&self) -> &WbType {
        if let WbType::Union(types) = self {
            let mut rest = types.iter().filter(|t| **t != WbType::None);
            if let (Some(only), None) = (rest.next(), rest.next()) {
                return only.non_null();
            }
        }
        self
    }

    /// How bare scalars of this column are to be read.
    pub fn cell_hint(&self) -> CellHint {
        match self.non_null() {
            WbType::Timestamp => CellHint::Timestamp,
            WbType::NdArray { shape, npz_path } => CellHint::NdArray {
                shape: shape.clone(),
                npz_path: npz_path.clone(),
            },
            _ => CellHint::None,
        }
    }

    pub fn image_info(&self) -> Option<&ImageTypeInfo> {
        match self.non_null() {
            WbType::Image(info) => Some(info),
            _ => None,
        }
    }
}

/// Reads `column_types` into one hint per column name (keys are strings, also for int names).
pub fn column_type_map(column_types: Option<&Json>) -> Vec<(String, WbType)> {
    column_types
        .and_then(|ct| ct.get("params"))
        .and_then(|p| p.get("type_map"))
        .and_then(Json::as_object)
        .unwrap_or_default()
        .iter()
        .map(|(name, t)| (name.clone(), WbType::from_json(t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(pairs: &[(i64, &str)]) -> ClassSet {
        ClassSet {
            classes: pairs.iter().map(|(i, n)| (*i, n.to_string())).collect(),
        }
    }

    /// Every kind of declared type reads back as itself from its JSON.
    #[test]
    fn types_round_trip_through_their_json() {
        let image = WbType::Image(Box::new(ImageTypeInfo {
            box_class_maps: vec![("truth".into(), classes(&[(10, "cat"), (2, "dog")]))],
            mask_class_maps: vec![("seg".into(), classes(&[(0, "sky")]))],
            class_map: classes(&[(1, "a")]),
        }));
        let types = [
            WbType::None,
            WbType::Number,
            WbType::String,
            WbType::Boolean,
            WbType::Timestamp,
            WbType::Dict,
            WbType::List(Box::new(WbType::Number)),
            WbType::Union(vec![WbType::None, image.clone()]),
            WbType::NdArray {
                shape: vec![3, 4],
                npz_path: Some("media/serialized_data/a.npz".into()),
            },
            WbType::NdArray {
                shape: vec![],
                npz_path: None,
            },
            image,
            WbType::ClassesId {
                classes_path: Some("media/classes/c.classes.json".into()),
            },
            WbType::ClassesId { classes_path: None },
            WbType::Other("pythonObject".into()),
        ];
        for t in types {
            assert_eq!(WbType::from_json(&t.to_json()), t);
        }
    }
}
