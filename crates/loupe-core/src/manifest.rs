//! `wandb_manifest.json`: the file listing of an artifact version.

use crate::error::FormatError;
use crate::json::{self, Json};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Manifest {
    pub version: i64,
    /// Entries in file order (the SDK's insertion order; partitions rely on it).
    pub entries: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManifestEntry {
    pub path: String,
    pub digest: String,
    pub size: Option<u64>,
    /// Present for reference entries: the bytes live elsewhere (another artifact, a URL).
    pub reference: Option<String>,
    /// `"XXH128"` when `extra.alg` says so; MD5 otherwise.
    pub digest_algorithm: Option<String>,
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Manifest, FormatError> {
        Manifest::from_json(&json::parse(bytes)?)
    }

    pub fn from_json(json: &Json) -> Result<Manifest, FormatError> {
        let contents = json
            .get("contents")
            .ok_or(FormatError::MissingField("contents"))?
            .as_object()
            .ok_or(FormatError::BadField {
                field: "contents",
                message: "must be an object of path → entry".into(),
            })?;
        let entries = contents
            .iter()
            .map(|(path, entry)| {
                Ok(ManifestEntry {
                    path: path.clone(),
                    digest: entry
                        .get("digest")
                        .and_then(Json::as_str)
                        .ok_or_else(|| FormatError::BadField {
                            field: "contents",
                            message: format!("entry `{path}` has no `digest`"),
                        })?
                        .to_string(),
                    size: entry
                        .get("size")
                        .and_then(Json::as_i64)
                        .and_then(|s| u64::try_from(s).ok()),
                    reference: entry.get("ref").and_then(Json::as_str).map(str::to_string),
                    digest_algorithm: entry
                        .get("extra")
                        .and_then(|e| e.get("alg"))
                        .and_then(Json::as_str)
                        .map(str::to_string),
                })
            })
            .collect::<Result<_, FormatError>>()?;
        Ok(Manifest {
            version: json.get("version").and_then(Json::as_i64).unwrap_or(1),
            entries,
        })
    }

    pub fn entry(&self, path: &str) -> Option<&ManifestEntry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// The `.table.json` parts of a partitioned table, in manifest order.
    pub fn parts_of(&self, parts_path: &str) -> Vec<&ManifestEntry> {
        let prefix = format!("{}/", parts_path.trim_end_matches('/'));
        self.entries
            .iter()
            .filter(|e| e.path.starts_with(&prefix) && e.path.ends_with(".table.json"))
            .collect()
    }

    /// Entry paths that are W&B tables (what a user can open from this artifact).
    pub fn table_paths(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.path.as_str()).filter(|p| {
            p.ends_with(".table.json")
                || p.ends_with(".joined-table.json")
                || p.ends_with(".partitioned-table.json")
        })
    }
}
