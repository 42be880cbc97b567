//! Media cell objects of the W&B format: images with boxes and masks, class sets,
//! and the file-backed media (audio, html, video, 3-D points, molecules).
//!
//! Parsing is by JSON shape (`_type` and fields), never by `column_types`, because
//! the SDK's type hints can disagree with its own data.

use crate::json::Json;

/// Which file-backed media a cell holds (other than images, which carry overlays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Audio,
    Html,
    Video,
    Object3D,
    Molecule,
}

impl MediaKind {
    pub fn from_type_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "audio-file" => MediaKind::Audio,
            "html-file" => MediaKind::Html,
            "video-file" => MediaKind::Video,
            "object3D-file" => MediaKind::Object3D,
            "molecule-file" => MediaKind::Molecule,
            _ => return None,
        })
    }

    pub fn type_tag(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio-file",
            MediaKind::Html => "html-file",
            MediaKind::Video => "video-file",
            MediaKind::Object3D => "object3D-file",
            MediaKind::Molecule => "molecule-file",
        }
    }
}

/// A media file referenced from a cell: the path is artifact-relative.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaFile {
    pub kind: MediaKind,
    pub path: String,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    /// Video only, and only when encoded from numpy.
    pub width: Option<f64>,
    pub height: Option<f64>,
}

/// An `image-file` cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageFile {
    pub path: String,
    pub format: Option<String>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub caption: Option<String>,
    pub grouping: Option<i64>,
    /// The `classes-file` this image points at (class names for boxes and masks).
    pub classes_path: Option<String>,
    pub box_layers: Vec<BoxLayer>,
    pub mask_layers: Vec<MaskLayer>,
}

impl ImageFile {
    pub fn box_count(&self) -> usize {
        self.box_layers.iter().map(|l| l.boxes.len()).sum()
    }
}

/// One named layer of boxes (e.g. `ground_truth`, `predictions`).
#[derive(Debug, Clone, PartialEq)]
pub struct BoxLayer {
    pub name: String,
    pub boxes: Vec<BBox>,
}

/// Coordinates are fractions of the image size (the default) or pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxDomain {
    Relative,
    Pixel,
}

/// A box normalised to min/max corners, whichever position form the file used.
#[derive(Debug, Clone, PartialEq)]
pub struct BBox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
    pub domain: BoxDomain,
    pub class_id: i64,
    pub caption: Option<String>,
    /// Score name → value, in file order; NaN and ±inf are kept as written.
    pub scores: Vec<(String, f64)>,
}

impl BBox {
    /// The box in pixels of an image of the given size.
    pub fn to_pixels(&self, width: f64, height: f64) -> (f64, f64, f64, f64) {
        match self.domain {
            BoxDomain::Pixel => (self.min_x, self.min_y, self.max_x, self.max_y),
            BoxDomain::Relative => (
                self.min_x * width,
                self.min_y * height,
                self.max_x * width,
                self.max_y * height,
            ),
        }
    }

    /// The score used for thresholding: `score`, else `confidence`, else the first one.
    pub fn primary_score(&self) -> Option<f64> {
        ["score", "confidence"]
            .iter()
            .find_map(|key| self.scores.iter().find(|(k, _)| k == key))
            .or_else(|| self.scores.first())
            .map(|(_, v)| *v)
    }
}

/// One named mask layer: a grayscale PNG whose pixel value is the class id.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskLayer {
    pub name: String,
    pub path: String,
}

/// A class set (`classes.json`): id → name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassSet {
    pub classes: Vec<(i64, String)>,
}

impl ClassSet {
    pub fn name_of(&self, id: i64) -> Option<&str> {
        self.classes
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.as_str())
    }

    /// Parses a `{"_type": "classes", "class_set": [...]}` document.
    pub fn from_json(json: &Json) -> Result<Self, String> {
        let set = json
            .get("class_set")
            .and_then(Json::as_array)
            .ok_or("a classes file needs a `class_set` array")?;
        let mut classes = Vec::with_capacity(set.len());
        for entry in set {
            // ids are usually ints; the SDK also allows strings of digits.
            let id = match entry.get("id") {
                Some(Json::String(s)) => s.parse().ok(),
                Some(other) => other.as_i64(),
                None => None,
            }
            .ok_or("each class needs an integer `id`")?;
            let name = entry
                .get("name")
                .and_then(Json::as_str)
                .map_or_else(|| format!("class_{id}"), str::to_string);
            classes.push((id, name));
        }
        Ok(ClassSet { classes })
    }

    /// Parses the `{ "0": "cat", ... }` maps that column types carry.
    pub fn from_id_map(json: &Json) -> Self {
        let classes = json
            .as_object()
            .unwrap_or_default()
            .iter()
            .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str()?.to_string())))
            .collect();
        ClassSet { classes }
    }

    /// The `{"id": "name"}` map `from_id_map` reads.
    pub fn to_id_map(&self) -> Json {
        Json::Object(
            self.classes
                .iter()
                .map(|(id, name)| (id.to_string(), Json::String(name.clone())))
                .collect(),
        )
    }
}

fn opt_string(json: &Json, key: &str) -> Option<String> {
    json.get(key).and_then(Json::as_str).map(str::to_string)
}

fn required_path(json: &Json, what: &str) -> Result<String, String> {
    json.get("path")
        .and_then(Json::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("{what} has no `path`"))
}

/// Parses a file-backed media object.
pub fn parse_media_file(kind: MediaKind, json: &Json) -> Result<MediaFile, String> {
    Ok(MediaFile {
        kind,
        path: required_path(json, kind.type_tag())?,
        sha256: opt_string(json, "sha256"),
        caption: opt_string(json, "caption"),
        width: json.get("width").and_then(Json::as_f64),
        height: json.get("height").and_then(Json::as_f64),
    })
}

/// Parses an `image-file` object.
pub fn parse_image(json: &Json) -> Result<ImageFile, String> {
    let mut box_layers = Vec::new();
    if let Some(layers) = json.get("boxes").and_then(Json::as_object) {
        for (name, boxes) in layers {
            // In artifacts a layer is the raw box list; in run history it is {box_data: [...]}.
            let list = boxes
                .as_array()
                .or_else(|| boxes.get("box_data").and_then(Json::as_array))
                .ok_or_else(|| format!("box layer `{name}` is not a list of boxes"))?;
            let boxes = list
                .iter()
                .enumerate()
                .map(|(i, b)| parse_box(b).map_err(|e| format!("box {i} of layer `{name}`: {e}")))
                .collect::<Result<_, _>>()?;
            box_layers.push(BoxLayer {
                name: name.clone(),
                boxes,
            });
        }
    }
    let mut mask_layers = Vec::new();
    if let Some(layers) = json.get("masks").and_then(Json::as_object) {
        for (name, mask) in layers {
            mask_layers.push(MaskLayer {
                name: name.clone(),
                path: required_path(mask, &format!("mask layer `{name}`"))?,
            });
        }
    }
    Ok(ImageFile {
        path: required_path(json, "image-file")?,
        format: opt_string(json, "format"),
        width: json.get("width").and_then(Json::as_f64),
        height: json.get("height").and_then(Json::as_f64),
        caption: opt_string(json, "caption"),
        grouping: json.get("grouping").and_then(Json::as_i64),
        classes_path: json
            .get("classes")
            .and_then(|c| c.get("path"))
            .and_then(Json::as_str)
            .map(str::to_string),
        box_layers,
        mask_layers,
    })
}

fn parse_box(json: &Json) -> Result<BBox, String> {
    let pos = json.get("position").ok_or("no `position`")?;
    let num = |key: &str| pos.get(key).and_then(Json::as_f64);
    let (min_x, min_y, max_x, max_y) = if let (Some(a), Some(b), Some(c), Some(d)) =
        (num("minX"), num("minY"), num("maxX"), num("maxY"))
    {
        (a, b, c, d)
    } else if let (Some(middle), Some(w), Some(h)) = (
        pos.get("middle").and_then(Json::as_array),
        num("width"),
        num("height"),
    ) {
        let mx = middle
            .first()
            .and_then(Json::as_f64)
            .ok_or("bad `middle`")?;
        let my = middle.get(1).and_then(Json::as_f64).ok_or("bad `middle`")?;
        (mx - w / 2.0, my - h / 2.0, mx + w / 2.0, my + h / 2.0)
    } else {
        return Err("`position` needs minX/minY/maxX/maxY or middle/width/height".into());
    };
    let domain = match json.get("domain").and_then(Json::as_str) {
        Some("pixel") => BoxDomain::Pixel,
        _ => BoxDomain::Relative,
    };
    let class_id = json
        .get("class_id")
        .and_then(Json::as_i64)
        .ok_or("no integer `class_id`")?;
    let scores = json
        .get("scores")
        .and_then(Json::as_object)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
        .collect();
    Ok(BBox {
        // Files sometimes swap corners; normalising keeps width/height positive.
        min_x: min_x.min(max_x),
        min_y: min_y.min(max_y),
        max_x: min_x.max(max_x),
        max_y: min_y.max(max_y),
        domain,
        class_id,
        caption: opt_string(json, "box_caption"),
        scores,
    })
}
