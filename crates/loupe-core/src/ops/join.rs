//! Joining two tables on key columns (what a `.joined-table.json` means).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::fxhash::FxHasher;
use crate::table::{Column, Table};
use crate::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// Rows whose key is in both tables.
    Inner,
    /// Every row of both tables; the missing side is null.
    Outer,
}

impl JoinKind {
    pub fn parse(s: &str) -> Option<JoinKind> {
        match s {
            "inner" => Some(JoinKind::Inner),
            "outer" | "full" => Some(JoinKind::Outer),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    #[error("the left table has no column `{0}` to join on")]
    NoLeftKey(String),
    #[error("the right table has no column `{0}` to join on")]
    NoRightKey(String),
}

/// A hashable join key: numbers by value (1 and 1.0 match), text by content.
pub fn join_key(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Str(s) => Some(format!("s{s}")),
        // `+ 0.0` turns -0.0 into 0.0, so both keys match.
        other => match other.as_f64() {
            Some(x) => Some(format!("n{}", x + 0.0)),
            None => Some(format!("v{other:?}")),
        },
    }
}

/// Joins `left` and `right` where `left[key1] == right[key2]`. Columns: all of
/// the left's, then the right's except its key (names already taken get a `_2`
/// suffix). Row order: the left's, each followed by its matches in the right's
/// order; an outer join then appends the unmatched right rows (their key is
/// shown in the left key column). Duplicate keys give every pair, like SQL.
pub fn join(
    left: &Table,
    right: &Table,
    key1: &str,
    key2: &str,
    kind: JoinKind,
) -> Result<Table, JoinError> {
    let lk = left
        .column(key1)
        .ok_or_else(|| JoinError::NoLeftKey(key1.into()))?;
    let rk = right
        .column(key2)
        .ok_or_else(|| JoinError::NoRightKey(key2.into()))?;
    let mut index: HashMap<String, Vec<u32>, BuildHasherDefault<FxHasher>> = HashMap::default();
    for r in 0..rk.len() {
        if let Some(k) = join_key(&rk.get(r)) {
            index.entry(k).or_default().push(r as u32);
        }
    }
    // Pairs of (left row, right row); `None` is the missing side.
    let mut pairs: Vec<(Option<u32>, Option<u32>)> = Vec::new();
    let mut right_used = vec![false; right.row_count()];
    for l in 0..lk.len() {
        let matches = join_key(&lk.get(l)).and_then(|k| index.get(&k));
        match matches {
            Some(rows) => {
                for &r in rows {
                    right_used[r as usize] = true;
                    pairs.push((Some(l as u32), Some(r)));
                }
            }
            None if kind == JoinKind::Outer => pairs.push((Some(l as u32), None)),
            None => {}
        }
    }
    if kind == JoinKind::Outer {
        for (r, used) in right_used.iter().enumerate() {
            if !used {
                pairs.push((None, Some(r as u32)));
            }
        }
    }
    let mut columns: Vec<Column> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for col in &left.columns {
        let is_key = col.name == key1;
        let cells = pairs.iter().map(|&(l, r)| match (l, r) {
            (Some(l), _) => col.get(l as usize),
            // An unmatched right row still shows its key in the key column.
            (None, Some(r)) if is_key => rk.get(r as usize),
            _ => Value::Null,
        });
        names.push(col.name.clone());
        columns.push(build(&col.name, col.declared.clone(), cells));
    }
    for col in right.columns.iter().filter(|c| c.name != key2) {
        let mut name = col.name.clone();
        while names.contains(&name) {
            name.push_str("_2");
        }
        let cells = pairs
            .iter()
            .map(|&(_, r)| r.map_or(Value::Null, |r| col.get(r as usize)));
        names.push(name.clone());
        columns.push(build(&name, col.declared.clone(), cells));
    }
    // Every column has one cell per pair, so this cannot fail.
    Ok(Table::from_columns(columns).unwrap_or_default())
}

fn build(
    name: &str,
    declared: Option<crate::wbtype::WbType>,
    cells: impl Iterator<Item = Value>,
) -> Column {
    Column::new(
        name,
        declared,
        crate::column::ColumnData::from_values(cells),
    )
}
