//! Comparing versions of a table: rows matched by a key column (or by position),
//! merged into one table whose columns are `name@<version>` for every version.
//! Everything else (filters such as `guess@v0 == truth@v0 and guess@v1 != truth@v1`,
//! grouping, sorting) then works on the merged table unchanged.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use crate::bitmap::Bitmap;
use crate::column::ColumnData;
use crate::fxhash::FxHasher;
use crate::ops::{KeyValue, Keys, column_keys};
use crate::table::{Column, Table};

type FxBuild = BuildHasherDefault<FxHasher>;

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
                    let mut seen: HashSet<KeyValue, FxBuild> = HashSet::default();
                    column_keys(c)
                        .into_iter()
                        .all(|k| k.is_some_and(|k| seen.insert(k)))
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
    // Merged rows as one list per version: the row that version contributes (if any).
    let mut slots: Vec<Vec<Option<u32>>> = vec![Vec::new(); tables.len()];
    match key {
        Some(key) => {
            let columns = tables
                .iter()
                .enumerate()
                .map(|(v, t)| {
                    t.column(key).ok_or_else(|| CompareError::NoKey {
                        version: versions[v].clone(),
                        key: key.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            match_by_key(&columns, &mut slots);
        }
        None => {
            let longest = tables.iter().map(|t| t.row_count()).max().unwrap_or(0);
            for (v, t) in tables.iter().enumerate() {
                slots[v] = (0..longest)
                    .map(|r| (r < t.row_count()).then_some(r as u32))
                    .collect();
            }
        }
    }
    let merged_len = slots[0].len();
    let mut columns = Vec::new();
    let mut column_version = Vec::new();
    // The key (or the row position), from the first version holding the row.
    let key_data = match key {
        Some(k) => {
            let sources: Vec<(&ColumnData, &[Option<u32>])> = tables
                .iter()
                .zip(&slots)
                .filter_map(|(t, s)| Some((t.column(k)?.data(), s.as_slice())))
                .collect();
            ColumnData::gather_first(&sources)
        }
        None => ColumnData::Int {
            values: (0..merged_len as i64).collect(),
            valid: crate::bitmap::Bitmap::filled(merged_len, true),
        },
    };
    columns.push(Column::new(key.unwrap_or("row"), None, key_data));
    column_version.push(None);
    columns.push(Column::new(
        PRESENT_COLUMN,
        None,
        presence(&slots, versions),
    ));
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
            let data = match source {
                Some(c) => c.data().gather(&slots[v]),
                None => ColumnData::Null(merged_len),
            };
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

/// Fills `slots` (one list per version, all the same length) by key: rows in
/// order of first appearance; the k-th occurrence of a key in one version meets
/// its k-th occurrence in the others; a null key matches nothing.
fn match_by_key(columns: &[&Column], slots: &mut [Vec<Option<u32>>]) {
    if let Some(range) = dense_int_range(columns) {
        return match_dense_ints(columns, slots, range);
    }
    const END: u32 = u32::MAX;
    /// Merged rows of one key as a chain (`next`), and where this version is in it.
    struct Chain {
        head: u32,
        tail: u32,
        cursor: u32,
        version: usize,
    }
    let expected = columns.first().map_or(0, |c| c.len());
    let mut chains: HashMap<KeyValue, Chain, FxBuild> =
        HashMap::with_capacity_and_hasher(expected, FxBuild::default());
    let mut next: Vec<u32> = Vec::with_capacity(expected);
    for s in slots.iter_mut() {
        s.reserve(expected);
    }
    for (v, column) in columns.iter().enumerate() {
        let keys = Keys::of(column);
        for r in 0..column.len() {
            let id = match keys.at(r) {
                None => new_slot(slots, &mut next),
                Some(key) => match chains.entry(key) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        let id = new_slot(slots, &mut next);
                        e.insert(Chain {
                            head: id,
                            tail: id,
                            cursor: id,
                            version: v,
                        });
                        id
                    }
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        let chain = e.get_mut();
                        chain.cursor = if chain.version == v {
                            next[chain.cursor as usize]
                        } else {
                            chain.version = v;
                            chain.head
                        };
                        if chain.cursor == END {
                            let id = new_slot(slots, &mut next);
                            next[chain.tail as usize] = id;
                            chain.tail = id;
                            chain.cursor = id;
                        }
                        chain.cursor
                    }
                },
            };
            slots[v][id as usize] = Some(r as u32);
        }
    }
}

/// Appends an empty merged row (no version holds it yet) and returns its index.
fn new_slot(slots: &mut [Vec<Option<u32>>], next: &mut Vec<u32>) -> u32 {
    for s in slots.iter_mut() {
        s.push(None);
    }
    next.push(u32::MAX);
    (next.len() - 1) as u32
}

/// `(min, span)` when every key column stores integers whose range is small
/// next to the row count (ids `0..n`, the usual case): then keys index an array.
fn dense_int_range(columns: &[&Column]) -> Option<(i64, usize)> {
    let (mut lo, mut hi, mut rows) = (i64::MAX, i64::MIN, 0usize);
    for c in columns {
        let ColumnData::Int { values, valid } = c.data() else {
            return None;
        };
        rows += values.len();
        for (i, &x) in values.iter().enumerate() {
            if valid.get(i) {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
    }
    if lo > hi {
        return None;
    }
    let span = usize::try_from(hi.checked_sub(lo)?).ok()?.checked_add(1)?;
    (span <= rows.saturating_mul(4).saturating_add(1024)).then_some((lo, span))
}

/// `match_by_key` for dense integer keys: the same chains, kept in arrays
/// indexed by `key - min` instead of a hash table (no hashing, far fewer cache misses).
fn match_dense_ints(columns: &[&Column], slots: &mut [Vec<Option<u32>>], (lo, span): (i64, usize)) {
    const END: u32 = u32::MAX;
    // head, tail, cursor (merged rows) and the version the cursor is in.
    let mut chains: Vec<[u32; 4]> = vec![[END; 4]; span];
    let mut next: Vec<u32> = Vec::with_capacity(columns.first().map_or(0, |c| c.len()));
    for (v, column) in columns.iter().enumerate() {
        let ColumnData::Int { values, valid } = column.data() else {
            continue;
        };
        for (r, &x) in values.iter().enumerate() {
            let id = if !valid.get(r) {
                new_slot(slots, &mut next)
            } else {
                let chain = &mut chains[(x - lo) as usize];
                if chain[0] == END {
                    let id = new_slot(slots, &mut next);
                    *chain = [id, id, id, v as u32];
                    id
                } else {
                    let mut cursor = if chain[3] == v as u32 {
                        next[chain[2] as usize]
                    } else {
                        chain[3] = v as u32;
                        chain[0]
                    };
                    if cursor == END {
                        cursor = new_slot(slots, &mut next);
                        next[chain[1] as usize] = cursor;
                        chain[1] = cursor;
                    }
                    chain[2] = cursor;
                    cursor
                }
            };
            slots[v][id as usize] = Some(r as u32);
        }
    }
}

/// The `versions` column: which versions hold each merged row ("v0,v1").
fn presence(slots: &[Vec<Option<u32>>], versions: &[String]) -> ColumnData {
    let len = slots.first().map_or(0, Vec::len);
    let mut dict: Vec<String> = Vec::new();
    // Code of each presence bitmask (versions beyond 63 share the last bit; no one compares 64).
    let mut code_of: HashMap<u64, u32, FxBuild> = HashMap::default();
    let mut codes = Vec::with_capacity(len);
    for i in 0..len {
        let mask = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s[i].is_some())
            .fold(0u64, |m, (v, _)| m | 1 << v.min(63));
        let code = *code_of.entry(mask).or_insert_with(|| {
            let label: Vec<&str> = versions
                .iter()
                .enumerate()
                .filter(|(v, _)| mask & (1 << (*v).min(63)) != 0)
                .map(|(_, v)| v.as_str())
                .collect();
            dict.push(label.join(","));
            (dict.len() - 1) as u32
        });
        codes.push(code);
    }
    ColumnData::Dict {
        dict,
        codes,
        valid: Bitmap::filled(len, true),
    }
}

/// One image carrying every version's boxes and masks, as layers named
/// `<layer>@<version>`: the overlaid compare cell shows the picture once with
/// each version's predictions on it. The picture is the first version's.
pub fn overlay_image(
    images: &[(&str, &crate::media::ImageFile)],
) -> Option<crate::media::ImageFile> {
    let (_, first) = images.first()?;
    let mut out = (*first).clone();
    out.box_layers.clear();
    out.mask_layers.clear();
    for (version, image) in images {
        for layer in &image.box_layers {
            let mut l = layer.clone();
            l.name = format!("{}@{version}", layer.name);
            out.box_layers.push(l);
        }
        for layer in &image.mask_layers {
            let mut l = layer.clone();
            l.name = format!("{}@{version}", layer.name);
            out.mask_layers.push(l);
        }
    }
    Some(out)
}

#[cfg(test)]
mod overlay_tests {
    use super::*;
    use crate::media::{BoxLayer, ImageFile};

    #[test]
    fn every_versions_layers_on_one_picture() {
        let image = |path: &str, layers: &[&str]| ImageFile {
            path: path.into(),
            box_layers: layers
                .iter()
                .map(|n| BoxLayer {
                    name: n.to_string(),
                    boxes: Vec::new(),
                })
                .collect(),
            ..ImageFile::default()
        };
        let (a, b) = (image("a.png", &["pred", "gt"]), image("b.png", &["pred"]));
        let merged = overlay_image(&[("v0", &a), ("v1", &b)]).expect("merged");
        assert_eq!(merged.path, "a.png");
        let names: Vec<&str> = merged.box_layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["pred@v0", "gt@v0", "pred@v1"]);
    }
}
