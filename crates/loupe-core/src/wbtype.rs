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
