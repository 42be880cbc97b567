//! Objects → the SDK's JSON, staging the media files they reference
//! (`Media.to_json`, `Table.to_json`, `Image.to_json` in the SDK).

use super::objects::{Blob, Cell, Classes, ColumnTypes, Image, MediaFile, Naming, Table};
use super::{Artifact, ArtifactError, WbObject};
use crate::hash;
use crate::json::{Json, Number};

pub(super) fn object_json(art: &mut Artifact, object: &WbObject) -> Result<Json, ArtifactError> {
    Ok(match object {
        WbObject::Table(t) => table_json(art, t)?,
        WbObject::Image(image) => image_json(art, image),
        WbObject::Classes(c) => classes_json(c),
        WbObject::Media(m) => media_json(art, m),
        WbObject::JoinedTable(j) => {
            for input in [&j.table1, &j.table2] {
                if art.entry(input).is_none() {
                    return Err(ArtifactError::MissingInput(input.clone()));
                }
            }
            let key = if j.key1 == j.key2 {
                Json::String(j.key1.clone())
            } else {
                Json::Array(vec![
                    Json::String(j.key1.clone()),
                    Json::String(j.key2.clone()),
                ])
            };
            obj(vec![
                ("_type", text("joined-table")),
                ("join_key", key),
                ("table1", text(&j.table1)),
                ("table2", text(&j.table2)),
            ])
        }
        WbObject::PartitionedTable(p) => obj(vec![
            ("_type", text("partitioned-table")),
            ("parts_path", text(&p.parts_path)),
        ]),
    })
}

fn table_json(art: &mut Artifact, table: &Table) -> Result<Json, ArtifactError> {
    let column_types = match &table.types {
        ColumnTypes::Stored(json) => json.clone(),
        ColumnTypes::Inferred(_) => table.inferred_types().to_json(),
    };
    let columns = table
        .columns()
        .iter()
        .map(|c| match c {
            super::ColumnName::Str(s) => text(s),
            super::ColumnName::Int(i) => Json::Number(Number::Int(*i)),
        })
        .collect();
    let data = table
        .rows()
        .iter()
        .map(|row| {
            Ok(Json::Array(
                row.iter()
                    .map(|c| cell_json(art, c))
                    .collect::<Result<_, _>>()?,
            ))
        })
        .collect::<Result<Vec<Json>, ArtifactError>>()?;
    Ok(obj(vec![
        ("_type", text("table")),
        ("column_types", column_types),
        ("columns", Json::Array(columns)),
        ("log_mode", text("IMMUTABLE")),
        ("ncols", int(table.columns().len() as i64)),
        ("nrows", int(data.len() as i64)),
        ("data", Json::Array(data)),
    ]))
}

/// `utils._json_helper`: how one value is written into a table row.
fn cell_json(art: &mut Artifact, cell: &Cell) -> Result<Json, ArtifactError> {
    Ok(match cell {
        Cell::Null => Json::Null,
        Cell::Bool(b) => Json::Bool(*b),
        Cell::Int(i) | Cell::Timestamp(i) => int(*i),
        Cell::BigInt(s) => Json::Number(Number::BigInt(s.clone())),
        // The SDK turns NaN cells into null (but keeps ±Infinity).
        Cell::Float(f) if f.is_nan() => Json::Null,
        Cell::Float(f) => Json::Number(Number::Float(*f)),
        Cell::Str(s) => text(s),
        Cell::List(items) => Json::Array(
            items
                .iter()
                .map(|c| cell_json(art, c))
                .collect::<Result<_, _>>()?,
        ),
        Cell::Dict(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), cell_json(art, v)?)))
                .collect::<Result<_, ArtifactError>>()?,
        ),
        Cell::Image(image) => image_json(art, image),
        Cell::Media(m) => media_json(art, m),
        Cell::Table(t) => table_json(art, t)?,
        Cell::Other(json) => json.clone(),
    })
}

fn image_json(art: &mut Artifact, image: &Image) -> Json {
    let path = stage(art, &image.file, "media/images");
    let mut fields = vec![
        ("_type", text("image-file")),
        ("format", text(&image.format)),
        ("height", int(i64::from(image.height))),
        ("path", text(&path)),
        ("sha256", text(&hash::hex(&hash::sha256(&image.file.bytes)))),
        ("width", int(i64::from(image.width))),
    ];
    if let Some(c) = &image.caption {
        fields.push(("caption", text(c)));
    }
    if let Some(g) = image.grouping.filter(|g| *g != 0) {
        fields.push(("grouping", int(g)));
    }
    let classes = image.all_classes();
    if !classes.entries.is_empty() || image.classes.is_some() {
        let name = format!(
            "media/classes/{}_cls.classes.json",
            hash::hex(&hash::md5(classes.python_repr().as_bytes()))
        );
        let bytes = super::pyjson::dumps_sorted(&classes_json(&classes)).into_bytes();
        let digest = art.add_bytes(&name, bytes);
        fields.push((
            "classes",
            obj(vec![
                ("digest", text(&digest)),
                ("path", text(&name)),
                ("type", text("classes-file")),
            ]),
        ));
    }
    if !image.boxes.is_empty() {
        let layers = image
            .boxes
            .iter()
            .map(|(k, l)| (k.clone(), Json::Array(l.boxes.clone())))
            .collect();
        fields.push(("boxes", Json::Object(layers)));
    }
    if !image.masks.is_empty() {
        let layers = image
            .masks
            .iter()
            .map(|(k, m)| {
                let path = stage(art, &m.file, "media/images/mask");
                let mask = obj(vec![
                    ("_type", text("mask")),
                    ("path", text(&path)),
                    ("sha256", text(&hash::hex(&hash::sha256(&m.file.bytes)))),
                ]);
                (k.clone(), mask)
            })
            .collect();
        fields.push(("masks", Json::Object(layers)));
    }
    obj(fields)
}

fn media_json(art: &mut Artifact, media: &MediaFile) -> Json {
    let path = stage(art, &media.file, MediaFile::subdir(media.kind));
    let mut fields = vec![
        ("_type", text(media.kind.type_tag())),
        ("path", text(&path)),
        ("sha256", text(&hash::hex(&hash::sha256(&media.file.bytes)))),
    ];
    if let Some(c) = &media.caption {
        fields.push(("caption", text(c)));
    }
    obj(fields)
}

pub(super) fn classes_json(classes: &Classes) -> Json {
    let set = classes
        .entries
        .iter()
        .map(|(id, name)| obj(vec![("id", int(*id)), ("name", text(name))]))
        .collect();
    obj(vec![
        ("_type", text("classes")),
        ("class_set", Json::Array(set)),
    ])
}

/// Puts a file into the artifact under the SDK's name and returns that path:
/// a reference when the bytes came from an artifact with an id, else
/// `<subdir>/<md5[:20]>.<ext>` for data and `<subdir>/<sha256[:20]>/<name>` for disk files.
fn stage(art: &mut Artifact, blob: &Blob, subdir: &str) -> String {
    if let Some(origin) = &blob.origin {
        // Back into the artifact it came from: the file is already there.
        if art
            .entry(&origin.path)
            .is_none_or(|e| e.reference.is_some())
        {
            art.add_reference(&origin.path, origin);
        }
        return origin.path.clone();
    }
    let path = match &blob.naming {
        Naming::Data { extension } => {
            let digest = hash::hex(&hash::md5(&blob.bytes));
            format!("{subdir}/{}.{extension}", &digest[..20])
        }
        Naming::Disk { basename } => {
            let digest = hash::hex(&hash::sha256(&blob.bytes));
            format!("{subdir}/{}/{basename}", &digest[..20])
        }
    };
    art.add_bytes(&path, blob.bytes.clone());
    path
}

/// A JSON object from `(key, value)` pairs (written sorted anyway).
pub(super) fn obj(fields: Vec<(&str, Json)>) -> Json {
    Json::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn text(s: &str) -> Json {
    Json::String(s.to_string())
}

fn int(i: i64) -> Json {
    Json::Number(Number::Int(i))
}
