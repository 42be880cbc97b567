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
            .filter(|e| e.path.starts_with(&prefix) && is_table_part(&e.path))
            .collect()
    }

    /// Entry paths that are W&B tables (what a user can open from this artifact).
    pub fn table_paths(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.path.as_str()).filter(|p| {
            p.ends_with(".table.json")
                || p.ends_with(".joined-table.json")
                || p.ends_with(".partitioned-table.json")
                || is_columnar_file(p)
        })
    }
}

/// Parquet and Arrow IPC files, by extension.
pub fn is_columnar_file(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [".parquet", ".pq", ".arrow", ".arrows", ".feather", ".ipc"]
        .iter()
        .any(|ext| p.ends_with(ext))
}

/// A file that can be one part of a partitioned table: a W&B table or a
/// columnar file (e.g. one file of a partitioned Parquet dataset).
fn is_table_part(path: &str) -> bool {
    path.ends_with(".table.json") || is_columnar_file(path)
}

/// The `key=value` folders of a Hive-partitioned path (`split=train/part-0.parquet`),
/// which engines such as DuckDB, Spark and Polars leave out of the files themselves.
pub fn hive_partition_values(path: &str) -> Vec<(String, String)> {
    let mut segments: Vec<&str> = path.split('/').collect();
    segments.pop();
    segments
        .into_iter()
        .filter_map(|seg| {
            let (k, v) = seg.split_once('=')?;
            (!k.is_empty()).then(|| (k.to_string(), crate::path::percent_decode(v)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hive_folders_become_partition_values() {
        assert_eq!(
            hive_partition_values("parts/split=train/year=2024/data_0.parquet"),
            [
                ("split".to_string(), "train".to_string()),
                ("year".to_string(), "2024".to_string())
            ]
        );
        assert_eq!(
            hive_partition_values("parts/label=a%2Fb/x.parquet"),
            [("label".to_string(), "a/b".to_string())]
        );
        // The file name itself is never a partition, nor is a folder without `=`.
        assert!(hive_partition_values("parts/x=1.parquet").is_empty());
        assert!(hive_partition_values("plain/part.parquet").is_empty());
    }

    #[test]
    fn parquet_files_are_parts_and_tables() {
        let m = Manifest::parse(
            br#"{"version": 1, "storagePolicy": "wandb-storage-policy-v1", "storagePolicyConfig": {}, "contents": {
                "parts/split=a/0.parquet": {"digest": "x", "size": 1},
                "parts/1.table.json": {"digest": "y", "size": 1},
                "parts/readme.txt": {"digest": "z", "size": 1},
                "other.arrow": {"digest": "w", "size": 1}}}"#,
        )
        .expect("manifest");
        let parts: Vec<&str> = m
            .parts_of("parts")
            .iter()
            .map(|e| e.path.as_str())
            .collect();
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(m.table_paths().any(|p| p == "other.arrow"));
    }
}
