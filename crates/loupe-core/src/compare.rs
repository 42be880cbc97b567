//! Comparing versions of a table: rows matched by a key column (or by position),
//! merged into one table whose columns are `name@<version>` for every version.
//! Everything else (filters such as `guess@v0 == truth@v0 and guess@v1 != truth@v1`,
//! grouping, sorting) then works on the merged table unchanged.

use std::collections::HashMap;

use crate::column::ColumnBuilder;
use crate::ops::join_key;
use crate::table::{Column, Table};
use crate::value::{CellHint, Value};

/// The column that says which versions hold a merged row ("v0,v1", or "v1" alone).
pub const PRESENT_COLUMN: &str = "versions";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("nothing to compare: give at least two tables")]
    TooFew,
    #[error("version {version} has no key column `{key}`")]
    NoKey { version: String, key: String },
}

/// The merged table and how it was built.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub table: Table,
    /// The key column, or `None` when rows were matched by position.
    pub key: Option<String>,
    pub versions: Vec<String>,
    /// For each merged column: which version it came from (`None` for the key
    /// and the `versions` column).
    pub column_version: Vec<Option<usize>>,
}

/// An `id` column (any case) present in every table with no duplicate values, if any.
pub fn detect_key(tables: &[&Table]) -> Option<String> {
    let first = tables.first()?;
    first
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| {
            n.eq_ignore_ascii_case("id")
                || n.eq_ignore_ascii_case("example_id")
                || n.eq_ignore_ascii_case("key")
        })
        .find(|name| {
            tables.iter().all(|t| {
                t.column(name).is_some_and(|c| {
                    let mut seen = std::collections::HashSet::new();
                    (0..c.len()).all(|r| join_key(&c.get(r)).is_some_and(|k| seen.insert(k)))
                })
            })
        })
}

/// Merges `tables` (labelled `versions`) on `key`, or by row position when `key` is `None`.
/// Rows appear in order of first appearance across versions; a key repeated within a
/// version pairs its k-th occurrence with the k-th occurrence elsewhere.
pub fn compare(
    tables: &[&Table],
    versions: &[String],
    key: Option<&str>,
) -> Result<Comparison, CompareError> {
    if tables.len() < 2 {
        return Err(CompareError::TooFew);
    }
    // Merged rows: for each version, the row it contributes (if any).
    let mut merged: Vec<Vec<Option<u32>>> = Vec::new();
    match key {
        Some(key) => {
            let mut slot: HashMap<(String, usize), usize> = HashMap::new();
            for (v, t) in tables.iter().enumerate() {
                let col = t.column(key).ok_or_else(|| CompareError::NoKey {
                    version: versions[v].clone(),
                    key: key.to_string(),
                })?;
                let mut occurrence: HashMap<String, usize> = HashMap::new();
                for r in 0..col.len() {
                    // Rows without a key match nothing: each stands alone.
                    let k = join_key(&col.get(r)).unwrap_or_else(|| format!("\u{0}null{v}:{r}"));
                    let n = occurrence.entry(k.clone()).or_insert(0);
                    let id = *slot.entry((k, *n)).or_insert_with(|| {
                        merged.push(vec![None; tables.len()]);
                        merged.len() - 1
                    });
                    *n += 1;
                    merged[id][v] = Some(r as u32);
                }
            }
        }
        None => {
            let longest = tables.iter().map(|t| t.row_count()).max().unwrap_or(0);
            for r in 0..longest {
                merged.push(
                    tables
                        .iter()
                        .map(|t| (r < t.row_count()).then_some(r as u32))
                        .collect(),
                );
            }
        }
    }
    let mut columns = Vec::new();
    let mut column_version = Vec::new();
    // The key (or the row position), from the first version holding the row.
    let key_name = key.unwrap_or("row");
    let mut b = ColumnBuilder::new();
    for (i, slots) in merged.iter().enumerate() {
        let value = match key {
            Some(k) => slots
                .iter()
                .enumerate()
                .find_map(|(v, r)| r.and_then(|r| tables[v].column(k).map(|c| c.get(r as usize))))
                .unwrap_or(Value::Null),
            None => Value::Int(i as i64),
        };
        b.push_value(value);
    }
    columns.push(Column::new(key_name, None, b.finish(&CellHint::None)));
    column_version.push(None);
    let mut b = ColumnBuilder::new();
    for slots in &merged {
        let present: Vec<&str> = slots
            .iter()
            .zip(versions)
            .filter(|(r, _)| r.is_some())
            .map(|(_, v)| v.as_str())
            .collect();
        b.push_str(&present.join(","));
    }
    columns.push(Column::new(PRESENT_COLUMN, None, b.finish(&CellHint::None)));
    column_version.push(None);
    // Every other column of any version, in first-appearance order, once per version.
    let mut names: Vec<&str> = Vec::new();
    for t in tables {
        for c in &t.columns {
            if Some(c.name.as_str()) != key && !names.contains(&c.name.as_str()) {
                names.push(&c.name);
            }
        }
    }
    for name in names {
        for (v, t) in tables.iter().enumerate() {
            let source = t.column(name);
            let cells = merged.iter().map(|slots| match (source, slots[v]) {
                (Some(c), Some(r)) => c.get(r as usize),
                _ => Value::Null,
            });
            let data = crate::column::ColumnData::from_values(cells);
            columns.push(Column::new(
                format!("{name}@{}", versions[v]),
                source.and_then(|c| c.declared.clone()),
                data,
            ));
            column_version.push(Some(v));
        }
    }
    Ok(Comparison {
        // Every column has one cell per merged row.
        table: Table::from_columns(columns).unwrap_or_default(),
        key: key.map(str::to_string),
        versions: versions.to_vec(),
        column_version,
    })
}
