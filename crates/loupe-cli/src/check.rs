//! Validating the tables of an artifact version: every table parses, every
//! media path is in the manifest (or a resolvable reference) and on disk.

use std::path::{Path, PathBuf};

use loupe_core::catalog::Catalog;
use loupe_core::{Manifest, Value, read_table};

use crate::Report;

/// Media paths a table's cells point at (images, masks, classes, other media).
fn media_paths(table: &loupe_core::Table) -> Vec<String> {
    let mut out = Vec::new();
    for col in &table.columns {
        for v in col.nested_values().unwrap_or_default() {
            match v {
                Value::Image(img) => {
                    out.push(img.path.clone());
                    out.extend(img.mask_layers.iter().map(|m| m.path.clone()));
                    out.extend(img.classes_path.clone());
                }
                Value::Media(m) => out.push(m.path.clone()),
                _ => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Checks one version folder; problems are pushed with paths relative to `base`.
pub fn check_version(
    folder: &Path,
    base: &Path,
    catalog: Option<&Catalog>,
    report: &mut Report,
) -> usize {
    let shown = |p: &Path| p.strip_prefix(base).unwrap_or(p).display().to_string();
    let manifest_path = folder.join("wandb_manifest.json");
    let manifest = match std::fs::read(&manifest_path)
        .map_err(|e| e.to_string())
        .and_then(|b| Manifest::parse(&b).map_err(|e| e.to_string()))
    {
        Ok(m) => m,
        Err(e) => {
            report.problems.push((shown(&manifest_path), e));
            return 0;
        }
    };
    let mut tables = 0;
    for entry in &manifest.entries {
        if let Some(reference) = &entry.reference {
            if let Some(c) = catalog
                && reference.starts_with("wandb-artifact://")
                && let Err(e) = c.resolve(reference)
            {
                report.problems.push((
                    format!("{}#{}", shown(&manifest_path), entry.path),
                    e.to_string(),
                ));
            }
            continue;
        }
        let file = folder.join(&entry.path);
        if !file.is_file() {
            report
                .problems
                .push((shown(&file), "listed in the manifest but missing".into()));
            continue;
        }
        if !entry.path.ends_with(".table.json") {
            continue;
        }
        tables += 1;
        let table = match std::fs::read(&file)
            .map_err(|e| e.to_string())
            .and_then(|b| read_table(&b).map_err(|e| e.to_string()))
        {
            Ok(t) => t,
            Err(e) => {
                report.problems.push((shown(&file), e));
                continue;
            }
        };
        for col in &table.columns {
            for (r, v) in col.nested_values().unwrap_or_default().iter().enumerate() {
                if let Value::Invalid(msg) = v {
                    report.problems.push((
                        shown(&file),
                        format!("row {r}, column `{}`: {msg}", col.name),
                    ));
                }
            }
        }
        for path in media_paths(&table) {
            match manifest.entry(&path) {
                None => report.problems.push((
                    shown(&file),
                    format!("media `{path}` is not in the manifest"),
                )),
                Some(e) if e.reference.is_none() && !folder.join(&path).is_file() => {
                    report
                        .problems
                        .push((shown(&file), format!("media `{path}` is missing on disk")));
                }
                _ => {}
            }
        }
    }
    tables
}

/// Version folders under `dir` (folders holding a `wandb_manifest.json`), sorted.
pub fn version_folders(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.join("wandb_manifest.json").is_file() {
            // Versions do not nest: no need to walk a version's media folders.
            out.push(d.clone());
            continue;
        }
        if let Ok(entries) = std::fs::read_dir(&d) {
            for e in entries.flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                }
            }
        }
    }
    out.sort();
    out
}

pub fn run(path: &Path, _json: bool) -> Result<Report, String> {
    let mut report = Report::default();
    if path.is_file() {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        match loupe_core::parse_document(&bytes) {
            Ok(doc) => {
                report.summary = format!("{}: a valid {} file", path.display(), doc.type_name())
            }
            Err(e) => {
                report
                    .problems
                    .push((path.display().to_string(), e.to_string()));
                report.summary = "1 problem".into();
            }
        }
        return Ok(report);
    }
    let catalog = std::fs::read(path.join("loupe.json"))
        .ok()
        .and_then(|b| Catalog::parse(&b).ok());
    let folders = version_folders(path);
    if folders.is_empty() {
        return Err(format!(
            "{}: no artifact version folders (with a wandb_manifest.json) found",
            path.display()
        ));
    }
    let tables: usize = folders
        .iter()
        .map(|f| check_version(f, path, catalog.as_ref(), &mut report))
        .sum();
    report.summary = format!(
        "{} versions, {tables} tables checked, {} problems",
        folders.len(),
        report.problems.len()
    );
    Ok(report)
}
