//! `loupe dataset <dir> [--parts <folder>] [--name <name>] [--type <type>]`:
//! makes a folder of Parquet or Arrow files written by another engine (DuckDB,
//! Spark, Polars …; Hive-partitioned `key=value/` folders or not) into an
//! artifact version Loupe opens: a `wandb_manifest.json` listing every file
//! (static hosts have no directory listing) and a
//! `<name>.partitioned-table.json` over the parts folder. The files are not
//! rewritten; Loupe reads each part with range requests and adds the Hive
//! keys back as columns.

use std::path::{Path, PathBuf};

use loupe_core::artifact::{Artifact, PartitionedTable};
use loupe_core::manifest::is_columnar_file;

fn columnar_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            columnar_files(root, &path, out)?;
        } else if path.to_str().is_some_and(is_columnar_file) {
            out.push(
                path.strip_prefix(root)
                    .map_err(|e| e.to_string())?
                    .to_path_buf(),
            );
        }
    }
    Ok(())
}

pub fn run(dir: &Path, parts: &str, name: &str, artifact_type: &str) -> Result<String, String> {
    let parts = parts.trim_matches('/');
    let mut files = Vec::new();
    columnar_files(dir, &dir.join(parts), &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{}: no Parquet or Arrow files under it",
            dir.join(parts).display()
        ));
    }
    let mut artifact = Artifact::new(name, artifact_type);
    let mut bytes_total = 0u64;
    for file in &files {
        let rel = file
            .to_str()
            .ok_or_else(|| format!("{}: not a UTF-8 path", file.display()))?
            .replace('\\', "/");
        let bytes = std::fs::read(dir.join(file)).map_err(|e| format!("{rel}: {e}"))?;
        bytes_total += bytes.len() as u64;
        artifact.add_bytes(&rel, bytes);
    }
    let table = artifact
        .add(
            PartitionedTable {
                parts_path: parts.to_string(),
            },
            name,
        )
        .map_err(|e| e.to_string())?;
    artifact.save(dir).map_err(|e| e.to_string())?;
    Ok(format!(
        "wrote {table} over {} files ({:.1} MB) in {}",
        files.len(),
        bytes_total as f64 / 1e6,
        dir.display()
    ))
}
