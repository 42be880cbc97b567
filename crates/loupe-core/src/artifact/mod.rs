//! The writer API: the SDK's `wandb.Artifact` in Rust.
//!
//! `Artifact::new(name, type)`, `add(obj, name)` and `get(name)` write and read
//! a version folder with the SDK's file names, JSON bytes and manifest digests:
//! `name.table.json`, content-addressed media under `media/`, one-line
//! sorted-key JSON, `wandb_manifest.json` with base64 MD5 digests. What you add
//! you get back equal. Objects read from an artifact that has a server id are
//! written into another artifact as `wandb-artifact://` references, not copies.
//!
//! Layout: `objects` (the values), `types` (SDK type inference), `write`
//! (objects → JSON + files), `read` (files → objects), `pyjson` (Python's JSON
//! text), `png` (pixels → PNG).

mod objects;
mod png;
pub mod pyjson;
mod read;
mod types;
mod write;

use std::path::{Path, PathBuf};

pub use objects::{
    BoxLayer, Cell, Classes, ColumnName, Image, JoinedTable, Mask, MediaFile, Origin,
    PartitionedTable, Table,
};
pub use png::PixelFormat;

use crate::error::FormatError;
use crate::hash;
use crate::json::{Json, Number};
use crate::manifest::Manifest;

/// What can go wrong writing or reading an artifact; each names the file or value.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Format {
        path: String,
        #[source]
        source: FormatError,
    },
    #[error("no entry `{0}` in the artifact (tried every W&B suffix)")]
    NotFound(String),
    #[error("row has {found} values but the table has {expected} columns")]
    RowLength { expected: usize, found: usize },
    #[error(
        "row {row}, column `{column}`: a {found} value does not fit the column type {expected}"
    )]
    IncompatibleValue {
        row: usize,
        column: String,
        expected: String,
        found: String,
    },
    #[error("{width}×{height} pixels with {channels} channels need {} bytes, got {len}", *width as usize * *height as usize * channels)]
    BadPixels {
        width: u32,
        height: u32,
        channels: usize,
        len: usize,
    },
    #[error("{path}: not a PNG file (only PNG sizes can be read; encode other formats first)")]
    NotPng { path: String },
    #[error("joined table input `{0}` is not in the artifact: add it first")]
    MissingInput(String),
    #[error("reference `{0}` points into an artifact that was not linked (Artifact::link)")]
    UnresolvedReference(String),
}

/// Anything `Artifact::add` accepts and `Artifact::get` returns.
#[derive(Debug, Clone, PartialEq)]
pub enum WbObject {
    Table(Table),
    Image(Box<Image>),
    Classes(Classes),
    JoinedTable(JoinedTable),
    PartitionedTable(PartitionedTable),
    Media(Box<MediaFile>),
}

impl WbObject {
    /// The SDK's `_log_type`, which is also the file suffix.
    pub fn log_type(&self) -> &'static str {
        match self {
            WbObject::Table(_) => "table",
            WbObject::Image(_) => "image-file",
            WbObject::Classes(_) => "classes",
            WbObject::JoinedTable(_) => "joined-table",
            WbObject::PartitionedTable(_) => "partitioned-table",
            WbObject::Media(m) => m.kind.type_tag(),
        }
    }
}

macro_rules! into_object {
    ($($t:ty => $body:expr),* $(,)?) => {
        $(impl From<$t> for WbObject {
            fn from(v: $t) -> WbObject {
                #[allow(clippy::redundant_closure_call)]
                ($body)(v)
            }
        })*
    };
}

into_object! {
    Table => WbObject::Table,
    Image => |v| WbObject::Image(Box::new(v)),
    Classes => WbObject::Classes,
    JoinedTable => WbObject::JoinedTable,
    PartitionedTable => WbObject::PartitionedTable,
    MediaFile => |v| WbObject::Media(Box::new(v)),
}

const SUFFIXES: [&str; 11] = [
    "table",
    "joined-table",
    "partitioned-table",
    "image-file",
    "classes",
    "audio-file",
    "html-file",
    "video-file",
    "object3D-file",
    "molecule-file",
    "json",
];

/// One manifest entry, with its bytes when staged in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub path: String,
    pub digest: String,
    pub size: u64,
    pub reference: Option<String>,
    bytes: Option<Vec<u8>>,
}

/// An artifact version: staged in memory while adding, or opened from a folder.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub name: String,
    pub artifact_type: String,
    pub metadata: Json,
    pub aliases: Vec<String>,
    /// Server id (`QXJ0aWZhY3Q6MQ==` = `Artifact:1`). Objects read from an
    /// artifact with an id are referenced, not copied, when added elsewhere.
    pub id: Option<String>,
    entries: Vec<Entry>,
    dir: Option<PathBuf>,
    linked: Vec<Artifact>,
}

impl Artifact {
    /// `wandb.Artifact(name, type)`.
    pub fn new(name: impl Into<String>, artifact_type: impl Into<String>) -> Artifact {
        Artifact {
            name: name.into(),
            artifact_type: artifact_type.into(),
            metadata: Json::Object(Vec::new()),
            aliases: Vec::new(),
            id: None,
            entries: Vec::new(),
            dir: None,
            linked: Vec::new(),
        }
    }

    /// Gives the artifact a server id (what logging it would assign).
    pub fn with_id(mut self, id: impl Into<String>) -> Artifact {
        self.id = Some(id.into());
        self
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// `artifact.add(obj, name)`: writes `name.<type>.json` (and the media it
    /// needs) and returns that path.
    pub fn add(&mut self, obj: impl Into<WbObject>, name: &str) -> Result<String, ArtifactError> {
        let obj = obj.into();
        let suffix = format!(".{}.json", obj.log_type());
        let path = if name.ends_with(&suffix) {
            name.to_string()
        } else {
            format!("{name}{suffix}")
        };
        let json = write::object_json(self, &obj)?;
        self.add_bytes(&path, pyjson::dumps_sorted(&json).into_bytes());
        Ok(path)
    }

    /// `artifact.get(name)`: the object stored under `name` (any W&B suffix).
    pub fn get(&self, name: &str) -> Result<WbObject, ArtifactError> {
        let path = std::iter::once(name.to_string())
            .chain(SUFFIXES.iter().map(|s| format!("{name}.{s}.json")))
            .find(|p| self.entry(p).is_some() && p.ends_with(".json"))
            .ok_or_else(|| ArtifactError::NotFound(name.to_string()))?;
        read::object_at(self, &path)
    }

    /// Lets references into `other` (`wandb-artifact://<its id>/…`) resolve on `get`.
    pub fn link(&mut self, other: &Artifact) {
        self.linked.push(other.clone());
    }

    /// The SDK's artifact digest: MD5 over the sorted `path:digest` lines.
    pub fn digest(&self) -> String {
        let mut lines: Vec<String> = self
            .entries
            .iter()
            .map(|e| format!("{}:{}\n", e.path, e.digest))
            .collect();
        lines.sort();
        let text = format!("wandb-artifact-manifest-v1\n{}", lines.concat());
        hash::hex(&hash::md5(text.as_bytes()))
    }

    /// `wandb-artifact://<hex of the id's bytes>`: how other manifests point here.
    pub fn reference_prefix(&self) -> Option<String> {
        let bytes = hash::base64_decode(self.id.as_deref()?)?;
        Some(format!("wandb-artifact://{}", hash::hex(&bytes)))
    }

    /// The `wandb_manifest.json` text, as the SDK writes it (`indent=4`).
    pub fn manifest_json(&self) -> String {
        let contents = self
            .entries
            .iter()
            .map(|e| {
                let mut fields = vec![("digest".to_string(), Json::String(e.digest.clone()))];
                if let Some(r) = &e.reference {
                    fields.push(("ref".into(), Json::String(r.clone())));
                }
                fields.push(("size".into(), Json::Number(Number::Int(e.size as i64))));
                (e.path.clone(), Json::Object(fields))
            })
            .collect();
        let storage = Json::Object(vec![("storageLayout".into(), Json::String("V2".into()))]);
        pyjson::dumps_indent4(&Json::Object(vec![
            ("version".into(), Json::Number(Number::Int(1))),
            (
                "storagePolicy".into(),
                Json::String("wandb-storage-policy-v1".into()),
            ),
            ("storagePolicyConfig".into(), storage),
            ("contents".into(), Json::Object(contents)),
        ]))
    }

    /// Writes the version folder: every file, `wandb_manifest.json`, and
    /// `loupe-artifact.json` (type, aliases, metadata, id: what a server keeps
    /// and `loupe index` reads).
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), ArtifactError> {
        let dir = dir.as_ref();
        for entry in &self.entries {
            if entry.reference.is_some() {
                continue;
            }
            let bytes = self.read_entry(&entry.path)?;
            write_file(&dir.join(inside_folder(&entry.path)?), &bytes)?;
        }
        write_file(
            &dir.join("wandb_manifest.json"),
            self.manifest_json().as_bytes(),
        )?;
        let mut sidecar = vec![
            (
                "aliases".to_string(),
                Json::Array(self.aliases.iter().cloned().map(Json::String).collect()),
            ),
            ("metadata".into(), self.metadata.clone()),
            ("type".into(), Json::String(self.artifact_type.clone())),
        ];
        if let Some(id) = &self.id {
            sidecar.push(("id".into(), Json::String(id.clone())));
        }
        write_file(
            &dir.join("loupe-artifact.json"),
            crate::json::to_string(&Json::Object(sidecar), true).as_bytes(),
        )
    }

    /// Opens a version folder written by the SDK, `wandb artifact get`, or `save`.
    /// The name is the folder's parent (`digits/v0` → `digits`).
    pub fn open(dir: impl AsRef<Path>) -> Result<Artifact, ArtifactError> {
        let dir = dir.as_ref();
        let manifest_path = dir.join("wandb_manifest.json");
        let manifest = Manifest::parse(&read_file(&manifest_path)?).map_err(|source| {
            ArtifactError::Format {
                path: manifest_path.display().to_string(),
                source,
            }
        })?;
        let name = dir
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut artifact = Artifact::new(name, "");
        artifact.dir = Some(dir.to_path_buf());
        artifact.entries = manifest
            .entries
            .into_iter()
            .map(|e| Entry {
                path: e.path,
                digest: e.digest,
                size: e.size.unwrap_or(0),
                reference: e.reference,
                bytes: None,
            })
            .collect();
        let sidecar_path = dir.join("loupe-artifact.json");
        if let Ok(bytes) = std::fs::read(&sidecar_path) {
            let sidecar = crate::json::parse(&bytes).map_err(|e| ArtifactError::Format {
                path: sidecar_path.display().to_string(),
                source: e.into(),
            })?;
            let text = |k: &str| sidecar.get(k).and_then(Json::as_str).map(str::to_string);
            artifact.artifact_type = text("type").unwrap_or_default();
            artifact.id = text("id");
            artifact.metadata = sidecar
                .get("metadata")
                .cloned()
                .unwrap_or(Json::Object(Vec::new()));
            artifact.aliases = sidecar.string_list("aliases");
        }
        Ok(artifact)
    }

    /// The bytes of an entry: staged, on disk, or through a linked artifact.
    pub fn read_entry(&self, path: &str) -> Result<Vec<u8>, ArtifactError> {
        let entry = self
            .entry(path)
            .ok_or_else(|| ArtifactError::NotFound(path.to_string()))?;
        if let Some(bytes) = &entry.bytes {
            return Ok(bytes.clone());
        }
        if let Some(reference) = &entry.reference {
            let (target, inner) = self.resolve(reference)?;
            return target.read_entry(inner);
        }
        let dir = self
            .dir
            .as_ref()
            .ok_or_else(|| ArtifactError::NotFound(path.to_string()))?;
        read_file(&dir.join(inside_folder(path)?))
    }

    /// The linked artifact and inner path a `wandb-artifact://` reference names.
    fn resolve<'a>(&'a self, reference: &'a str) -> Result<(&'a Artifact, &'a str), ArtifactError> {
        let unresolved = || ArtifactError::UnresolvedReference(reference.to_string());
        let rest = reference
            .strip_prefix("wandb-artifact://")
            .ok_or_else(unresolved)?;
        let (hex_id, inner) = rest.split_once('/').ok_or_else(unresolved)?;
        let target = self
            .linked
            .iter()
            .find(|a| {
                a.reference_prefix().as_deref() == Some(&format!("wandb-artifact://{hex_id}"))
            })
            .ok_or_else(unresolved)?;
        Ok((target, inner))
    }

    /// Stages a file (content-addressed names make re-adding the same bytes a no-op).
    /// Adds a file's bytes at `path` (the SDK's `artifact.add_file`); returns its MD5 digest.
    pub fn add_bytes(&mut self, path: &str, bytes: Vec<u8>) -> String {
        let digest = hash::md5_base64(&bytes);
        let entry = Entry {
            path: path.to_string(),
            digest: digest.clone(),
            size: bytes.len() as u64,
            reference: None,
            bytes: Some(bytes),
        };
        self.put(entry);
        digest
    }

    /// Adds a reference entry (size 0, the target's digest), as the SDK does.
    pub(crate) fn add_reference(&mut self, path: &str, origin: &Origin) {
        self.put(Entry {
            path: path.to_string(),
            digest: origin.digest.clone(),
            size: 0,
            reference: Some(origin.reference.clone()),
            bytes: None,
        });
    }

    fn put(&mut self, entry: Entry) {
        match self.entries.iter_mut().find(|e| e.path == entry.path) {
            Some(existing) => *existing = entry,
            None => self.entries.push(entry),
        }
    }

    /// Where an entry of this artifact lives, as another artifact would refer to it.
    pub(crate) fn origin_of(&self, path: &str) -> Option<Origin> {
        let entry = self.entry(path)?;
        if let Some(reference) = &entry.reference {
            // References are resolved when written: point at the real file.
            reference.starts_with("wandb-artifact://").then_some(())?;
            return Some(Origin {
                reference: reference.clone(),
                path: path.to_string(),
                digest: entry.digest.clone(),
            });
        }
        Some(Origin {
            reference: format!("{}/{}", self.reference_prefix()?, path),
            path: path.to_string(),
            digest: entry.digest.clone(),
        })
    }
}

/// An entry path as a relative file path, refusing `..` and absolute paths
/// (manifests are data: they must not reach outside the version folder).
fn inside_folder(path: &str) -> Result<PathBuf, ArtifactError> {
    let ok = !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && part != ".");
    if ok {
        Ok(PathBuf::from(path))
    } else {
        Err(ArtifactError::NotFound(format!(
            "{path} (not a path inside the artifact)"
        )))
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, ArtifactError> {
    std::fs::read(path).map_err(|source| ArtifactError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ArtifactError> {
    let io = |source| ArtifactError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, bytes).map_err(io)
}
