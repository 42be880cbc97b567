//! Building the catalog from a tree of version folders.

use std::path::{Path, PathBuf};

use loupe_core::catalog::Catalog;
use loupe_core::json::{self, Json, Number};
use loupe_core::{Document, Manifest};

use crate::Report;
use crate::check::{check_version, version_folders};

/// Optional per-version facts the SDK does not write into the folder
/// (`loupe-artifact.json`: type, aliases, metadata, created_at, id, description).
fn sidecar(folder: &Path) -> Json {
    std::fs::read(folder.join("loupe-artifact.json"))
        .ok()
        .and_then(|b| json::parse(&b).ok())
        .unwrap_or(Json::Object(Vec::new()))
}

fn s(v: &str) -> Json {
    Json::String(v.to_string())
}

/// `…/<name>/v3` → ("name", "v3"); a folder not named like a version is its own artifact at v0.
fn name_and_version(folder: &Path) -> (String, String) {
    let leaf = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_version =
        leaf.len() > 1 && leaf.starts_with('v') && leaf[1..].chars().all(|c| c.is_ascii_digit());
    if is_version {
        let name = folder
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| leaf.clone());
        (name, leaf)
    } else {
        (leaf, "v0".into())
    }
}

fn relative(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let mut s = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    s.push('/');
    s
}

pub fn run(
    dir: &Path,
    runs: Option<PathBuf>,
    out: Option<PathBuf>,
    _json: bool,
    allowed_origins: &[String],
) -> Result<Report, String> {
    let folders = version_folders(dir);
    if folders.is_empty() {
        return Err(format!(
            "{}: no artifact version folders (with a wandb_manifest.json) found",
            dir.display()
        ));
    }
    // artifact name → (type, description, versions)
    let mut artifacts: Vec<(String, Json, Json, Vec<Json>)> = Vec::new();
    let mut edges: Vec<Json> = Vec::new();
    for folder in &folders {
        let (name, version) = name_and_version(folder);
        let side = sidecar(folder);
        let manifest = std::fs::read(folder.join("wandb_manifest.json"))
            .ok()
            .and_then(|b| Manifest::parse(&b).ok())
            .unwrap_or_default();
        let size: u64 = manifest.entries.iter().filter_map(|e| e.size).sum();
        let mut fields = vec![
            ("version".to_string(), s(&version)),
            ("path".to_string(), s(&relative(folder, dir))),
            ("size".to_string(), Json::Number(Number::Int(size as i64))),
            (
                "files".to_string(),
                Json::Number(Number::Int(manifest.entries.len() as i64)),
            ),
        ];
        for key in ["aliases", "id", "created_at", "digest", "metadata"] {
            if let Some(v) = side.get(key) {
                fields.push((key.to_string(), v.clone()));
            }
        }
        // Joined tables name their inputs: an edge inside the artifact graph.
        for entry in manifest
            .entries
            .iter()
            .filter(|e| e.path.ends_with(".joined-table.json"))
        {
            if let Ok(b) = std::fs::read(folder.join(&entry.path))
                && let Ok(Document::JoinedTable(j)) = loupe_core::parse_document(&b)
            {
                for input in [&j.table1, &j.table2] {
                    if let Some(r) = manifest.entry(input).and_then(|e| e.reference.clone()) {
                        edges.push(Json::Object(vec![
                            ("to".into(), s(&format!("{name}:{version}"))),
                            ("reference".into(), s(&r)),
                            ("via".into(), s(&entry.path)),
                        ]));
                    }
                }
            }
        }
        let kind = side.get("type").cloned().unwrap_or_else(|| s("artifact"));
        let description = side.get("description").cloned().unwrap_or(Json::Null);
        match artifacts.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, _, _, versions)) => versions.push(Json::Object(fields)),
            None => artifacts.push((name, kind, description, vec![Json::Object(fields)])),
        }
    }
    let artifact_list = artifacts
        .into_iter()
        .map(|(name, kind, description, versions)| {
            let mut f = vec![("name".to_string(), s(&name)), ("type".to_string(), kind)];
            if description != Json::Null {
                f.push(("description".to_string(), description));
            }
            f.push(("versions".to_string(), Json::Array(versions)));
            Json::Object(f)
        })
        .collect();
    let runs_json = match runs {
        Some(p) => {
            let b = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let j = json::parse(&b).map_err(|e| format!("{}: {e}", p.display()))?;
            j.get("runs").cloned().unwrap_or(j)
        }
        None => Json::Array(Vec::new()),
    };
    let mut fields = vec![
        ("loupe_catalog".into(), Json::Number(Number::Int(1))),
        ("artifacts".into(), Json::Array(artifact_list)),
        ("runs".into(), runs_json),
        ("edges".into(), Json::Array(edges)),
    ];
    // Named views shipped with the site: `<dir>/views.json` (the format the app exports).
    let views_path = dir.join("views.json");
    if views_path.exists() {
        let b = std::fs::read(&views_path).map_err(|e| format!("{}: {e}", views_path.display()))?;
        let views = loupe_core::views::parse_views(&b)
            .map_err(|e| format!("{}: {e}", views_path.display()))?;
        fields.push((
            "views".into(),
            json::parse(loupe_core::views::views_to_json(&views).as_bytes())
                .ok()
                .and_then(|j| j.get("views").cloned())
                .unwrap_or(Json::Array(Vec::new())),
        ));
    }
    if !allowed_origins.is_empty() {
        fields.push((
            "allowed_origins".into(),
            Json::Array(allowed_origins.iter().cloned().map(Json::String).collect()),
        ));
    }
    let catalog_json = Json::Object(fields);
    let catalog =
        Catalog::from_json(&catalog_json).map_err(|e| format!("built an invalid catalog: {e}"))?;
    let mut report = Report::default();
    let tables: usize = folders
        .iter()
        .map(|f| check_version(f, dir, Some(&catalog), &mut report))
        .sum();
    let out = out.unwrap_or_else(|| dir.join("loupe.json"));
    let mut text = json::to_string(&catalog_json, true);
    text.push('\n');
    std::fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    report.summary = format!(
        "wrote {} ({} artifacts, {} versions, {tables} tables checked, {} problems)",
        out.display(),
        catalog.artifacts.len(),
        folders.len(),
        report.problems.len()
    );
    Ok(report)
}
