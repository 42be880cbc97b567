//! Files → objects: the SDK's `from_json` for each type, reading media bytes
//! through the artifact (and its linked artifacts for references).

use super::objects::{
    Blob, BoxLayer, Cell, Classes, ColumnName, Image, Mask, MediaFile, Naming, Table,
};
use super::{Artifact, ArtifactError, WbObject};
use crate::document::{Document, document_from_json};
use crate::error::FormatError;
use crate::json::{self, Json, Number};
use crate::media::MediaKind;

pub(super) fn object_at(art: &Artifact, path: &str) -> Result<WbObject, ArtifactError> {
    let json = parse_entry(art, path)?;
    let bad = |source: FormatError| ArtifactError::Format {
        path: path.to_string(),
        source,
    };
    let tag = json
        .get("_type")
        .and_then(Json::as_str)
        .ok_or_else(|| bad(FormatError::Untyped))?;
    Ok(match tag {
        "table" => WbObject::Table(table(art, &json).map_err(bad)?),
        "image-file" => WbObject::Image(Box::new(image(art, &json, None)?)),
        "classes" => WbObject::Classes(classes(&json)),
        _ => match document_from_json(&json).map_err(bad)? {
            Document::JoinedTable(j) => WbObject::JoinedTable(j),
            Document::PartitionedTable(p) => WbObject::PartitionedTable(p),
            Document::Media(_) => WbObject::Media(Box::new(media(art, &json)?)),
            other => return Err(bad(FormatError::UnsupportedType(other.type_name().into()))),
        },
    })
}

fn parse_entry(art: &Artifact, path: &str) -> Result<Json, ArtifactError> {
    json::parse(&art.read_entry(path)?).map_err(|e| ArtifactError::Format {
        path: path.to_string(),
        source: e.into(),
    })
}

/// Per-column facts from `column_types` that cells alone do not carry.
#[derive(Default)]
struct ColumnHints<'a> {
    timestamp: bool,
    box_class_maps: Option<&'a Json>,
    mask_class_maps: Option<&'a Json>,
}

fn hints(column_type: Option<&Json>) -> ColumnHints<'_> {
    let mut hints = ColumnHints::default();
    let members: Vec<&Json> = match column_type {
        Some(t) => match t
            .get("params")
            .and_then(|p| p.get("allowed_types"))
            .and_then(Json::as_array)
        {
            Some(ts) => ts.iter().collect(),
            None => vec![t],
        },
        None => Vec::new(),
    };
    for t in members {
        match t.get("wb_type").and_then(Json::as_str) {
            Some("timestamp") => hints.timestamp = true,
            Some("image-file") => {
                let val = |k: &str| t.get("params")?.get(k)?.get("params")?.get("val");
                hints.box_class_maps = val("box_class_maps");
                hints.mask_class_maps = val("mask_class_maps");
            }
            _ => {}
        }
    }
    hints
}

fn table(art: &Artifact, json: &Json) -> Result<Table, FormatError> {
    let columns: Vec<ColumnName> = json
        .get("columns")
        .and_then(Json::as_array)
        .ok_or(FormatError::MissingField("columns"))?
        .iter()
        .map(|c| match c {
            Json::Number(Number::Int(i)) => ColumnName::Int(*i),
            Json::String(s) => ColumnName::Str(s.clone()),
            other => ColumnName::Str(json::to_string(other, false)),
        })
        .collect();
    let types = json
        .get("column_types")
        .cloned()
        .unwrap_or_else(empty_column_types);
    let type_map = types.get("params").and_then(|p| p.get("type_map"));
    let column_hints: Vec<ColumnHints> = columns
        .iter()
        .map(|c| hints(type_map.and_then(|m| m.get(&c.to_string()))))
        .collect();
    let rows = json
        .get("data")
        .and_then(Json::as_array)
        .ok_or(FormatError::MissingField("data"))?
        .iter()
        .map(|row| {
            let cells = row.as_array().unwrap_or(&[]);
            column_hints
                .iter()
                .enumerate()
                .map(|(i, h)| cell(art, cells.get(i).unwrap_or(&Json::Null), h))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Table::from_parts(columns, rows, types))
}

/// What the SDK writes for a table without columns; older files lack the field.
fn empty_column_types() -> Json {
    Json::Object(vec![
        (
            "params".into(),
            Json::Object(vec![("type_map".into(), Json::Object(Vec::new()))]),
        ),
        ("wb_type".into(), Json::String("typedDict".into())),
    ])
}

fn cell(art: &Artifact, json: &Json, hints: &ColumnHints) -> Result<Cell, FormatError> {
    let media_error = |e: ArtifactError| FormatError::BadField {
        field: "data",
        message: e.to_string(),
    };
    Ok(match json {
        Json::Null => Cell::Null,
        Json::Bool(b) => Cell::Bool(*b),
        Json::Number(Number::Int(i)) if hints.timestamp => Cell::Timestamp(*i),
        Json::Number(Number::Int(i)) => Cell::Int(*i),
        Json::Number(Number::BigInt(s)) => Cell::BigInt(s.clone()),
        Json::Number(Number::Float(f)) => Cell::Float(*f),
        Json::String(s) => Cell::Str(s.clone()),
        Json::Array(items) => Cell::List(
            items
                .iter()
                .map(|i| cell(art, i, &ColumnHints::default()))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(fields) => match json.get("_type").and_then(Json::as_str) {
            Some("image-file") => Cell::Image(Box::new(
                image(art, json, Some(hints)).map_err(media_error)?,
            )),
            Some("table") => Cell::Table(Box::new(table(art, json)?)),
            Some(tag) if MediaKind::from_type_tag(tag).is_some() => {
                Cell::Media(Box::new(media(art, json).map_err(media_error)?))
            }
            Some(_) => Cell::Other(json.clone()),
            None => Cell::Dict(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), cell(art, v, &ColumnHints::default())?)))
                    .collect::<Result<_, FormatError>>()?,
            ),
        },
    })
}

/// A file an object points at, with how it was named and where it came from.
fn blob(art: &Artifact, path: &str) -> Result<Blob, ArtifactError> {
    let bytes = art.read_entry(path)?;
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let parent = path.rsplit('/').nth(1).unwrap_or("");
    // `<subdir>/<sha256[:20]>/<basename>` is the SDK's name for files copied from disk.
    let naming = if parent.len() == 20 && parent.bytes().all(|b| b.is_ascii_hexdigit()) {
        Naming::Disk {
            basename: file_name.to_string(),
        }
    } else {
        Naming::Data {
            extension: file_name.split_once('.').map_or("", |(_, e)| e).to_string(),
        }
    };
    Ok(Blob {
        bytes,
        naming,
        origin: art.origin_of(path),
    })
}

fn image(art: &Artifact, json: &Json, hints: Option<&ColumnHints>) -> Result<Image, ArtifactError> {
    let field = |k: &str| json.get(k).and_then(Json::as_str);
    let path = field("path").ok_or_else(|| ArtifactError::Format {
        path: "image-file".into(),
        source: FormatError::MissingField("path"),
    })?;
    let size = |k: &str| {
        json.get(k)
            .and_then(Json::as_i64)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0)
    };
    let mut image = Image::with_file(
        blob(art, path)?,
        field("format").unwrap_or("png"),
        size("width"),
        size("height"),
    );
    image.caption = field("caption").map(str::to_string);
    image.grouping = json.get("grouping").and_then(Json::as_i64);
    let all_classes = match json
        .get("classes")
        .and_then(|c| c.get("path"))
        .and_then(Json::as_str)
    {
        Some(p) => classes(&parse_entry(art, p)?),
        None => Classes::default(),
    };
    // Per-layer names live in the column type; a lone image only has the union.
    let layer_labels =
        |maps: Option<&Json>, layer: &str, fallback: &Classes| -> Vec<(i64, String)> {
            match maps {
                Some(m) => m
                    .get(layer)
                    .and_then(Json::as_object)
                    .map(|names| {
                        names
                            .iter()
                            .filter_map(|(id, n)| Some((id.parse().ok()?, n.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default(),
                None => fallback.entries.clone(),
            }
        };
    for (layer, boxes) in json.get("boxes").and_then(Json::as_object).unwrap_or(&[]) {
        let labels = layer_labels(hints.and_then(|h| h.box_class_maps), layer, &all_classes);
        let boxes = boxes.as_array().unwrap_or(&[]).to_vec();
        image.boxes.push((
            layer.clone(),
            BoxLayer {
                boxes,
                class_labels: labels,
            },
        ));
    }
    for (layer, mask) in json.get("masks").and_then(Json::as_object).unwrap_or(&[]) {
        let Some(mask_path) = mask.get("path").and_then(Json::as_str) else {
            continue;
        };
        // Masks copied from a file carry no labels; masks made from data do.
        let fallback = if mask_path.ends_with(".mask.png") {
            all_classes.clone()
        } else {
            Classes::default()
        };
        let class_labels = layer_labels(hints.and_then(|h| h.mask_class_maps), layer, &fallback);
        image.masks.push((
            layer.clone(),
            Mask {
                file: blob(art, mask_path)?,
                class_labels,
            },
        ));
    }
    if !all_classes.entries.is_empty() {
        image.classes = Some(all_classes);
    }
    Ok(image)
}

fn media(art: &Artifact, json: &Json) -> Result<MediaFile, ArtifactError> {
    let tag = json.get("_type").and_then(Json::as_str).unwrap_or_default();
    let missing = |f: &'static str| ArtifactError::Format {
        path: tag.to_string(),
        source: FormatError::MissingField(f),
    };
    let kind = MediaKind::from_type_tag(tag).ok_or_else(|| missing("_type"))?;
    let path = json
        .get("path")
        .and_then(Json::as_str)
        .ok_or_else(|| missing("path"))?;
    Ok(MediaFile {
        kind,
        caption: json
            .get("caption")
            .and_then(Json::as_str)
            .map(str::to_string),
        file: blob(art, path)?,
    })
}

fn classes(json: &Json) -> Classes {
    let entries = json
        .get("class_set")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|c| Some((c.get("id")?.as_i64()?, c.get("name")?.as_str()?.to_string())))
        .collect();
    Classes { entries }
}
