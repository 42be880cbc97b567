//! Joining two tables on key columns (what a `.joined-table.json` means).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::keys::{KeyValue, column_keys};
use crate::column::ColumnData;
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
            None => Some(format!("v{}", crate::value_key::value_key(other))),
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
    // Right rows by key, as chains in the right's order: head/tail per key, `next` per row.
    const END: u32 = u32::MAX;
    let right_keys = column_keys(rk);
    let mut chains: HashMap<&KeyValue, (u32, u32), BuildHasherDefault<FxHasher>> =
        HashMap::default();
    let mut next = vec![END; right_keys.len()];
    for (r, k) in right_keys.iter().enumerate() {
        let Some(k) = k else { continue };
        let r = r as u32;
        chains
            .entry(k)
            .and_modify(|(_, tail)| {
                next[*tail as usize] = r;
                *tail = r;
            })
            .or_insert((r, r));
    }
    // Row pairs as two aligned lists; `None` is the missing side.
    let mut left_rows: Vec<Option<u32>> = Vec::with_capacity(lk.len());
    let mut right_rows: Vec<Option<u32>> = Vec::with_capacity(lk.len());
    let mut right_used = vec![false; right.row_count()];
    for (l, k) in column_keys(lk).iter().enumerate() {
        match k.as_ref().and_then(|k| chains.get(k)) {
            Some(&(head, _)) => {
                let mut r = head;
                while r != END {
                    right_used[r as usize] = true;
                    left_rows.push(Some(l as u32));
                    right_rows.push(Some(r));
                    r = next[r as usize];
                }
            }
            None if kind == JoinKind::Outer => {
                left_rows.push(Some(l as u32));
                right_rows.push(None);
            }
            None => {}
        }
    }
    if kind == JoinKind::Outer {
        for (r, used) in right_used.iter().enumerate() {
            if !used {
                left_rows.push(None);
                right_rows.push(Some(r as u32));
            }
        }
    }
    let mut columns: Vec<Column> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for col in &left.columns {
        let data = if col.name == key1 {
            // An unmatched right row still shows its key in the key column.
            ColumnData::gather_first(&[(col.data(), &left_rows), (rk.data(), &right_rows)])
        } else {
            col.data().gather(&left_rows)
        };
        names.push(col.name.clone());
        columns.push(Column::new(col.name.clone(), col.declared.clone(), data));
    }
    for col in right.columns.iter().filter(|c| c.name != key2) {
        let mut name = col.name.clone();
        while names.contains(&name) {
            name.push_str("_2");
        }
        names.push(name.clone());
        columns.push(Column::new(
            name,
            col.declared.clone(),
            col.data().gather(&right_rows),
        ));
    }
    // Every column has one cell per pair, so this cannot fail.
    Ok(Table::from_columns(columns).unwrap_or_default())
}
