//! Top-level W&B documents: whatever a `<name>.<type>.json` file holds.

use crate::error::FormatError;
use crate::json::{self, Json};
use crate::media::{ClassSet, ImageFile, MediaFile, MediaKind, parse_image, parse_media_file};
use crate::table::Table;

/// The parsed content of one artifact JSON file.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Table(Table),
    JoinedTable(JoinedTable),
    PartitionedTable(PartitionedTable),
    Image(Box<ImageFile>),
    Classes(ClassSet),
    Media(MediaFile),
}

/// `{"_type": "joined-table", "join_key": ..., "table1": ..., "table2": ...}`.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinedTable {
    /// Artifact paths of the two inputs (tables or partitioned tables).
    pub table1: String,
    pub table2: String,
    /// Key column in table1 and in table2 (the same name when the file gives one string).
    pub key1: String,
    pub key2: String,
}

/// `{"_type": "partitioned-table", "parts_path": "parts"}`: parts come from the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionedTable {
    pub parts_path: String,
}

impl Document {
    pub fn type_name(&self) -> &'static str {
        match self {
            Document::Table(_) => "table",
            Document::JoinedTable(_) => "joined-table",
            Document::PartitionedTable(_) => "partitioned-table",
            Document::Image(_) => "image-file",
            Document::Classes(_) => "classes",
            Document::Media(m) => m.kind.type_tag(),
        }
    }
}

/// Parses the bytes of an artifact JSON file.
pub fn parse_document(bytes: &[u8]) -> Result<Document, FormatError> {
    document_from_json(&json::parse(bytes)?)
}

pub fn document_from_json(json: &Json) -> Result<Document, FormatError> {
    if json.as_object().is_none() {
        return Err(FormatError::BadField {
            field: "(top level)",
            message: format!("is {}; a W&B file holds an object", json.shape_name()),
        });
    }
    let tag = json
        .get("_type")
        .and_then(Json::as_str)
        .ok_or(FormatError::Untyped)?;
    let bad = |field: &'static str, message: &str| FormatError::BadField {
        field,
        message: message.into(),
    };
    Ok(match tag {
        "table" => Document::Table(Table::from_json(json)?),
        "joined-table" => {
            let path = |field: &'static str| -> Result<String, FormatError> {
                json.get(field)
                    .ok_or(FormatError::MissingField(field))?
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad(field, "must be an artifact path string"))
            };
            let (key1, key2) = match json
                .get("join_key")
                .ok_or(FormatError::MissingField("join_key"))?
            {
                Json::String(k) => (k.clone(), k.clone()),
                Json::Array(pair) => match pair.as_slice() {
                    [Json::String(a), Json::String(b)] => (a.clone(), b.clone()),
                    _ => return Err(bad("join_key", "must be a column name or a pair of names")),
                },
                _ => return Err(bad("join_key", "must be a column name or a pair of names")),
            };
            Document::JoinedTable(JoinedTable {
                table1: path("table1")?,
                table2: path("table2")?,
                key1,
                key2,
            })
        }
        "partitioned-table" => Document::PartitionedTable(PartitionedTable {
            parts_path: json
                .get("parts_path")
                .ok_or(FormatError::MissingField("parts_path"))?
                .as_str()
                .ok_or_else(|| bad("parts_path", "must be a string"))?
                .trim_end_matches('/')
                .to_string(),
        }),
        "image-file" => Document::Image(Box::new(parse_image(json).map_err(|m| {
            FormatError::BadField {
                field: "image-file",
                message: m,
            }
        })?)),
        "classes" => {
            Document::Classes(ClassSet::from_json(json).map_err(|m| bad("class_set", &m))?)
        }
        other => match MediaKind::from_type_tag(other) {
            Some(kind) => Document::Media(parse_media_file(kind, json).map_err(|m| {
                FormatError::BadField {
                    field: "path",
                    message: m,
                }
            })?),
            None => return Err(FormatError::UnsupportedType(other.into())),
        },
    })
}
