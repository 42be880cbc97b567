//! The catalog (`loupe.json`): which artifacts a static site holds, their
//! versions and aliases, where each version folder is, and the runs that
//! logged or used them. Static hosts cannot list folders; the catalog does.
//! Schema: `public/loupe-catalog.schema.json`.
//!
//! It also resolves manifest references (`wandb-artifact://<hex id>/<path>`,
//! `wandb-artifact:///entity/project/name:version/path`) to a version folder and
//! a path inside it.

use crate::error::FormatError;
use crate::json::{self, Json};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    pub artifacts: Vec<ArtifactEntry>,
    pub runs: Vec<RunEntry>,
    /// Named views the catalog ships (`"views": [{name, search}]`, searches relative to the site).
    pub views: Vec<crate::views::SavedView>,
    /// Origins media paths may name outright (`"allowed_origins": ["https://cdn.example"]`).
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactEntry {
    pub name: String,
    pub kind: String,
    pub description: Option<String>,
    pub versions: Vec<VersionEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VersionEntry {
    /// `v0`, `v1`, …
    pub version: String,
    pub aliases: Vec<String>,
    /// Folder of the version, relative to the catalog file (ends with `/`).
    pub path: String,
    /// The server id (base64 of `Artifact:<n>`), which `wandb-artifact://` references use.
    pub id: Option<String>,
    pub created_at: Option<String>,
    pub digest: Option<String>,
    pub size: Option<u64>,
    pub metadata: Option<Json>,
}

/// A run and the artifact versions (`name:version`) it used and logged.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEntry {
    pub id: String,
    pub name: Option<String>,
    pub used: Vec<String>,
    pub logged: Vec<String>,
}

/// Where a reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The version folder, relative to the catalog.
    pub folder: String,
    /// The file inside that version.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    #[error("reference `{0}` is not a wandb-artifact:// reference Loupe can resolve")]
    Unsupported(String),
    #[error("reference `{0}` names artifact id {1}, which is not in the catalog")]
    UnknownId(String, String),
    #[error("reference `{0}` names `{1}`, which is not in the catalog")]
    UnknownVersion(String, String),
    #[error("reference `{0}` is malformed: {1}")]
    Malformed(String, String),
}

fn strings(j: Option<&Json>) -> Vec<String> {
    j.and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn opt_str(j: &Json, key: &str) -> Option<String> {
    j.get(key).and_then(Json::as_str).map(str::to_string)
}

impl Catalog {
    pub fn parse(bytes: &[u8]) -> Result<Catalog, FormatError> {
        Catalog::from_json(&json::parse(bytes)?)
    }

    pub fn from_json(j: &Json) -> Result<Catalog, FormatError> {
        let bad = |message: String| FormatError::BadField {
            field: "artifacts",
            message,
        };
        let list = j
            .get("artifacts")
            .ok_or(FormatError::MissingField("artifacts"))?
            .as_array()
            .ok_or_else(|| bad("must be a list".into()))?;
        let mut artifacts = Vec::new();
        for (i, a) in list.iter().enumerate() {
            let name = opt_str(a, "name").ok_or_else(|| bad(format!("entry {i} has no `name`")))?;
            let mut versions = Vec::new();
            for (k, v) in a
                .get("versions")
                .and_then(Json::as_array)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let version = opt_str(v, "version").unwrap_or_else(|| format!("v{k}"));
                let mut path = opt_str(v, "path")
                    .ok_or_else(|| bad(format!("`{name}` version {version} has no `path`")))?;
                if !path.ends_with('/') {
                    path.push('/');
                }
                versions.push(VersionEntry {
                    version,
                    aliases: strings(v.get("aliases")),
                    path,
                    id: opt_str(v, "id"),
                    created_at: opt_str(v, "created_at"),
                    digest: opt_str(v, "digest"),
                    size: v
                        .get("size")
                        .and_then(Json::as_i64)
                        .and_then(|s| u64::try_from(s).ok()),
                    metadata: v.get("metadata").cloned(),
                });
            }
            artifacts.push(ArtifactEntry {
                name,
                kind: opt_str(a, "type").unwrap_or_else(|| "artifact".into()),
                description: opt_str(a, "description"),
                versions,
            });
        }
        let runs = j
            .get("runs")
            .and_then(Json::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                Some(RunEntry {
                    id: opt_str(r, "id")?,
                    name: opt_str(r, "name"),
                    used: strings(r.get("used")),
                    logged: strings(r.get("logged")),
                })
            })
            .collect();
        let views = crate::views::views_from_json(j)?;
        let allowed_origins = j.string_list("allowed_origins");
        Ok(Catalog {
            artifacts,
            runs,
            views,
            allowed_origins,
        })
    }

    /// `name:version` or `name:alias` → the version.
    pub fn version(&self, spec: &str) -> Option<(&ArtifactEntry, &VersionEntry)> {
        let (name, which) = spec.rsplit_once(':').unwrap_or((spec, "latest"));
        let a = self.artifacts.iter().find(|a| a.name == name)?;
        let v = a
            .versions
            .iter()
            .find(|v| v.version == which || v.aliases.iter().any(|al| al == which))
            .or_else(|| (which == "latest").then(|| a.versions.last()).flatten())?;
        Some((a, v))
    }

    /// Artifact types in first-appearance order, for the browser's grouping.
    pub fn types(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in &self.artifacts {
            if !out.contains(&a.kind.as_str()) {
                out.push(&a.kind);
            }
        }
        out
    }

    /// Resolves a manifest `ref` to a version folder of this catalog.
    pub fn resolve(&self, reference: &str) -> Result<Resolved, RefError> {
        let unsupported = || RefError::Unsupported(reference.to_string());
        let rest = reference
            .strip_prefix("wandb-artifact://")
            .ok_or_else(unsupported)?;
        if let Some(named) = rest.strip_prefix('/') {
            // wandb-artifact:///entity/project/name:version/path
            let parts: Vec<&str> = named.splitn(4, '/').collect();
            let (spec, path) = match parts.as_slice() {
                [_, _, spec, path] => (*spec, *path),
                [_, _, spec] => (*spec, ""),
                _ => {
                    return Err(RefError::Malformed(
                        reference.into(),
                        "expected /entity/project/name:version/path".into(),
                    ));
                }
            };
            let (_, v) = self
                .version(spec)
                .ok_or_else(|| RefError::UnknownVersion(reference.into(), spec.into()))?;
            return Ok(Resolved {
                folder: v.path.clone(),
                path: path.to_string(),
            });
        }
        let (hex, path) = rest.split_once('/').ok_or_else(|| {
            RefError::Malformed(reference.into(), "no path after the artifact id".into())
        })?;
        let id = id_from_hex(hex).ok_or_else(|| {
            RefError::Malformed(
                reference.into(),
                format!("`{hex}` is not a hex artifact id"),
            )
        })?;
        let v = self
            .artifacts
            .iter()
            .flat_map(|a| &a.versions)
            .find(|v| v.id.as_deref() == Some(id.as_str()))
            .ok_or_else(|| RefError::UnknownId(reference.into(), id.clone()))?;
        Ok(Resolved {
            folder: v.path.clone(),
            path: path.to_string(),
        })
    }
}

/// What a lineage graph node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// All versions of an artifact (collapsed view).
    Artifact,
    /// One artifact version (exploded view).
    Version,
    Run,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    pub kind: NodeKind,
    pub label: String,
    /// `name:version` to open (artifacts open their latest version).
    pub spec: Option<String>,
    /// Distance from the sources (for a left-to-right layout).
    pub layer: usize,
}

/// Who produced and who used which artifact: runs and artifacts as a DAG.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineageGraph {
    pub nodes: Vec<GraphNode>,
    /// (from, to) node indices: artifact → run that used it, run → artifact it logged.
    pub edges: Vec<(usize, usize)>,
}

impl Catalog {
    /// The lineage graph; `explode` shows every version instead of one node per artifact.
    pub fn lineage(&self, explode: bool) -> LineageGraph {
        struct Builder {
            g: LineageGraph,
            index: std::collections::HashMap<String, usize>,
            explode: bool,
        }
        impl Builder {
            fn node(
                &mut self,
                key: String,
                kind: NodeKind,
                label: String,
                spec: Option<String>,
            ) -> usize {
                let g = &mut self.g;
                *self.index.entry(key).or_insert_with(|| {
                    g.nodes.push(GraphNode {
                        kind,
                        label,
                        spec,
                        layer: 0,
                    });
                    g.nodes.len() - 1
                })
            }
            fn artifact(&mut self, spec: &str) -> usize {
                let (name, version) = spec.rsplit_once(':').unwrap_or((spec, "latest"));
                if self.explode {
                    let s = format!("{name}:{version}");
                    self.node(format!("v:{s}"), NodeKind::Version, s.clone(), Some(s))
                } else {
                    self.node(
                        format!("a:{name}"),
                        NodeKind::Artifact,
                        name.to_string(),
                        Some(format!("{name}:latest")),
                    )
                }
            }
        }
        let mut b = Builder {
            g: LineageGraph::default(),
            index: std::collections::HashMap::new(),
            explode,
        };
        // Every artifact appears, even one no run mentions.
        for a in &self.artifacts {
            if explode {
                for v in &a.versions {
                    b.artifact(&format!("{}:{}", a.name, v.version));
                }
            } else {
                b.artifact(&a.name);
            }
        }
        for run in &self.runs {
            let label = run.name.clone().unwrap_or_else(|| run.id.clone());
            let r = b.node(format!("r:{}", run.id), NodeKind::Run, label, None);
            for used in &run.used {
                let a = b.artifact(used);
                b.g.edges.push((a, r));
            }
            for logged in &run.logged {
                let a = b.artifact(logged);
                b.g.edges.push((r, a));
            }
        }
        let mut g = b.g;
        g.edges.sort_unstable();
        g.edges.dedup();
        // Layers: breadth-first from the nodes nothing points at (cycles, possible
        // in the collapsed view, keep the first layer reached).
        let n = g.nodes.len();
        let mut incoming = vec![0usize; n];
        for &(_, to) in &g.edges {
            incoming[to] += 1;
        }
        let mut seen = vec![false; n];
        let mut queue: std::collections::VecDeque<usize> =
            (0..n).filter(|&i| incoming[i] == 0).collect();
        for &i in &queue {
            seen[i] = true;
        }
        while let Some(i) = queue.pop_front() {
            for &(from, to) in &g.edges {
                if from == i && !seen[to] {
                    seen[to] = true;
                    g.nodes[to].layer = g.nodes[i].layer + 1;
                    queue.push_back(to);
                }
            }
        }
        g
    }
}

/// `41727469666163743a31` (hex of the id's bytes) → `QXJ0aWZhY3Q6MQ==` (the id).
pub fn id_from_hex(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) || hex.is_empty() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    Some(base64(&bytes?))
}

pub use crate::hash::base64;

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"{
      "loupe_catalog": 1,
      "artifacts": [
        {"name": "digits", "type": "dataset", "versions": [
          {"version": "v0", "aliases": ["latest"], "path": "digits/v0", "id": "QXJ0aWZhY3Q6NDI0MjQy"}]},
        {"name": "preds", "type": "predictions", "versions": [
          {"version": "v0", "path": "preds/v0/"}, {"version": "v1", "aliases": ["best"], "path": "preds/v1/"}]}
      ],
      "runs": [{"id": "train", "used": ["digits:v0"], "logged": ["preds:v0", "preds:v1"]}]
    }"#;

    #[test]
    fn parses_and_finds_versions() {
        let c = Catalog::parse(CATALOG.as_bytes()).expect("catalog");
        assert_eq!(c.types(), ["dataset", "predictions"]);
        assert_eq!(
            c.version("preds:best").map(|(_, v)| v.path.as_str()),
            Some("preds/v1/")
        );
        assert_eq!(
            c.version("preds").map(|(_, v)| v.version.as_str()),
            Some("v1")
        );
        assert_eq!(
            c.version("digits:v0").map(|(_, v)| v.path.as_str()),
            Some("digits/v0/")
        );
        assert_eq!(c.runs[0].logged, ["preds:v0", "preds:v1"]);
    }

    #[test]
    fn resolves_id_references_as_the_sdk_writes_them() {
        // The format notes' example: Artifact:424242 ↔ QXJ0aWZhY3Q6NDI0MjQy ↔ hex below.
        assert_eq!(
            id_from_hex("41727469666163743a343234323432").as_deref(),
            Some("QXJ0aWZhY3Q6NDI0MjQy")
        );
        assert_eq!(
            id_from_hex("41727469666163743a32303037353933").as_deref(),
            Some("QXJ0aWZhY3Q6MjAwNzU5Mw==")
        );
        let c = Catalog::parse(CATALOG.as_bytes()).expect("catalog");
        let r = c
            .resolve("wandb-artifact://41727469666163743a343234323432/media/images/5691fe5479b2f0c9d2af.png")
            .expect("resolves");
        assert_eq!(
            r,
            Resolved {
                folder: "digits/v0/".into(),
                path: "media/images/5691fe5479b2f0c9d2af.png".into()
            }
        );
        let r = c
            .resolve("wandb-artifact:///me/proj/preds:best/predictions.table.json")
            .expect("named form");
        assert_eq!(r.folder, "preds/v1/");
        assert!(matches!(
            c.resolve("wandb-artifact://41727469666163743a39/x.png"),
            Err(RefError::UnknownId(..))
        ));
        assert!(matches!(
            c.resolve("wandb-artifact://zz/x.png"),
            Err(RefError::Malformed(..))
        ));
        assert!(matches!(
            c.resolve("s3://bucket/x.png"),
            Err(RefError::Unsupported(..))
        ));
        assert!(
            c.resolve("wandb-artifact://41727469666163743a39/x.png")
                .expect_err("unknown")
                .to_string()
                .contains("not in the catalog")
        );
    }

    #[test]
    fn lineage_collapsed_and_exploded() {
        let c = Catalog::parse(CATALOG.as_bytes()).expect("catalog");
        let g = c.lineage(false);
        let labels: Vec<(&str, usize)> = g
            .nodes
            .iter()
            .map(|n| (n.label.as_str(), n.layer))
            .collect();
        assert_eq!(labels, [("digits", 0), ("preds", 2), ("train", 1)]);
        assert_eq!(g.edges, [(0, 2), (2, 1)]);
        let g = c.lineage(true);
        let labels: Vec<&str> = g.nodes.iter().map(|n| n.label.as_str()).collect();
        assert_eq!(labels, ["digits:v0", "preds:v0", "preds:v1", "train"]);
        assert_eq!(g.edges.len(), 3);
        assert_eq!(g.nodes[2].spec.as_deref(), Some("preds:v1"));
        assert_eq!(g.nodes[2].layer, 2);
    }

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"Artifact:1"), "QXJ0aWZhY3Q6MQ==");
    }

    #[test]
    fn missing_fields_are_errors() {
        assert!(Catalog::parse(b"{}").is_err());
        assert!(
            Catalog::parse(br#"{"artifacts": [{"type": "x"}]}"#)
                .expect_err("no name")
                .to_string()
                .contains("no `name`")
        );
        assert!(
            Catalog::parse(br#"{"artifacts": [{"name": "a", "versions": [{"version": "v0"}]}]}"#)
                .expect_err("no path")
                .to_string()
                .contains("no `path`")
        );
    }
}
