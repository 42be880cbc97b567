//! What an image column's legend needs: its layers, classes and score keys.
//!
//! Class names live in several places (per-layer maps in `column_types`, the
//! legacy merged `class_map`, the classes file each cell points at); this module
//! is the one place that decides which name a class id gets.

use std::collections::BTreeSet;

use crate::media::ClassSet;
use crate::table::Column;
use crate::value::Value;
use crate::wbtype::ImageTypeInfo;

/// One entry of the column legend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegendClass {
    pub id: i64,
    pub name: String,
}

/// Summary of an image column, computed once per table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageColumnInfo {
    pub box_layers: Vec<String>,
    pub mask_layers: Vec<String>,
    pub score_keys: Vec<String>,
    /// Distinct classes files the cells point at (to be fetched by the app).
    pub classes_files: Vec<String>,
    /// Class ids seen in boxes, or declared by the column type or a classes file.
    class_ids: BTreeSet<i64>,
    declared: ImageTypeInfo,
    /// Classes files loaded so far, merged.
    from_files: ClassSet,
}

impl ImageColumnInfo {
    /// Scans a column; `None` if no cell is an image.
    pub fn from_column(column: &Column) -> Option<ImageColumnInfo> {
        let mut info = ImageColumnInfo {
            declared: column
                .declared
                .as_ref()
                .and_then(|t| t.image_info())
                .cloned()
                .unwrap_or_default(),
            ..Default::default()
        };
        let mut any_image = false;
        for value in column.nested_values().unwrap_or_default() {
            let Value::Image(img) = value else { continue };
            any_image = true;
            for layer in &img.box_layers {
                push_unique(&mut info.box_layers, &layer.name);
                for b in &layer.boxes {
                    info.class_ids.insert(b.class_id);
                    for (key, _) in &b.scores {
                        push_unique(&mut info.score_keys, key);
                    }
                }
            }
            for layer in &img.mask_layers {
                push_unique(&mut info.mask_layers, &layer.name);
            }
            if let Some(path) = &img.classes_path {
                push_unique(&mut info.classes_files, path);
            }
        }
        let declared_ids: Vec<i64> = info
            .declared
            .box_class_maps
            .iter()
            .chain(&info.declared.mask_class_maps)
            .flat_map(|(_, set)| set.classes.iter().map(|(id, _)| *id))
            .chain(info.declared.class_map.classes.iter().map(|(id, _)| *id))
            .collect();
        info.class_ids.extend(declared_ids);
        any_image.then_some(info)
    }

    /// Merges a loaded classes file into the names and the legend.
    pub fn add_classes_file(&mut self, classes: &ClassSet) {
        for (id, name) in &classes.classes {
            self.class_ids.insert(*id);
            if self.from_files.name_of(*id).is_none() {
                self.from_files.classes.push((*id, name.clone()));
            }
        }
    }

    /// The name of class `id` in `layer` (a box or mask layer name).
    pub fn class_name(&self, layer: &str, id: i64) -> String {
        let layer_map = |maps: &[(String, ClassSet)]| {
            maps.iter()
                .find(|(l, _)| l == layer)
                .and_then(|(_, set)| set.name_of(id).map(str::to_string))
        };
        layer_map(&self.declared.box_class_maps)
            .or_else(|| layer_map(&self.declared.mask_class_maps))
            .or_else(|| self.declared.class_map.name_of(id).map(str::to_string))
            .or_else(|| self.from_files.name_of(id).map(str::to_string))
            .unwrap_or_else(|| format!("class_{id}"))
    }

    /// Legend entries sorted by id; names from the first layer that names them.
    pub fn legend(&self) -> Vec<LegendClass> {
        self.class_ids
            .iter()
            .map(|&id| {
                let name = self
                    .box_layers
                    .iter()
                    .chain(&self.mask_layers)
                    .map(|layer| self.class_name(layer, id))
                    .find(|n| !n.starts_with("class_"))
                    .unwrap_or_else(|| self.class_name("", id));
                LegendClass { id, name }
            })
            .collect()
    }
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}
