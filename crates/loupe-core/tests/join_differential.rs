//! Joins and version matching against a naive reference (nested loops over
//! `Value`s), on random keys with duplicates, nulls, ints/floats that must
//! match by value, and strings.

use loupe_core::compare::compare;
use loupe_core::ops::{JoinKind, join, join_key};
use loupe_core::{Column, ColumnData, Table, Value};
use proptest::prelude::*;

fn key_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        (0i64..6).prop_map(Value::Int),
        (0i64..6).prop_map(|i| Value::Float(i as f64)),
        (0u8..4).prop_map(|i| Value::Str(format!("k{i}"))),
    ]
}

fn table(keys: &[Value], tag: &str) -> Table {
    let payload = (0..keys.len()).map(|i| Value::Str(format!("{tag}{i}")));
    Table::from_columns(vec![
        Column::new("id", None, ColumnData::from_values(keys.iter().cloned())),
        Column::new("p", None, ColumnData::from_values(payload)),
    ])
    .expect("table")
}

fn rows(t: &Table) -> Vec<Vec<Value>> {
    (0..t.row_count())
        .map(|r| t.columns.iter().map(|c| c.get(r)).collect())
        .collect()
}

/// SQL semantics, left order then the right's; outer appends unmatched right rows.
fn naive_join(l: &[Value], r: &[Value], kind: JoinKind) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    let mut used = vec![false; r.len()];
    for (i, lk) in l.iter().enumerate() {
        let mut matched = false;
        for (j, rk) in r.iter().enumerate() {
            if join_key(lk).is_some() && join_key(lk) == join_key(rk) {
                used[j] = true;
                matched = true;
                out.push(vec![
                    lk.clone(),
                    Value::Str(format!("l{i}")),
                    Value::Str(format!("r{j}")),
                ]);
            }
        }
        if !matched && kind == JoinKind::Outer {
            out.push(vec![lk.clone(), Value::Str(format!("l{i}")), Value::Null]);
        }
    }
    if kind == JoinKind::Outer {
        for (j, rk) in r.iter().enumerate() {
            if !used[j] {
                out.push(vec![rk.clone(), Value::Null, Value::Str(format!("r{j}"))]);
            }
        }
    }
    out
}

/// For each merged row, the row of each version: k-th occurrence meets k-th occurrence.
fn naive_match(versions: &[Vec<Value>]) -> Vec<Vec<Option<usize>>> {
    let mut merged: Vec<(Option<String>, usize, Vec<Option<usize>>)> = Vec::new();
    for (v, keys) in versions.iter().enumerate() {
        let mut seen: Vec<String> = Vec::new();
        for (r, k) in keys.iter().enumerate() {
            let Some(k) = join_key(k) else {
                let mut slots = vec![None; versions.len()];
                slots[v] = Some(r);
                merged.push((None, 0, slots));
                continue;
            };
            let n = seen.iter().filter(|s| **s == k).count();
            seen.push(k.clone());
            match merged
                .iter_mut()
                .find(|(mk, mn, _)| mk.as_deref() == Some(k.as_str()) && *mn == n)
            {
                Some((_, _, slots)) => slots[v] = Some(r),
                None => {
                    let mut slots = vec![None; versions.len()];
                    slots[v] = Some(r);
                    merged.push((Some(k), n, slots));
                }
            }
        }
    }
    merged.into_iter().map(|(_, _, s)| s).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn join_matches_nested_loops(l in prop::collection::vec(key_value(), 0..12),
                                 r in prop::collection::vec(key_value(), 0..12),
                                 outer in any::<bool>()) {
        let kind = if outer { JoinKind::Outer } else { JoinKind::Inner };
        let joined = join(&table(&l, "l"), &table(&r, "r"), "id", "id", kind).expect("join");
        let got = rows(&joined);
        let want = naive_join(&l, &r, kind);
        prop_assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            // Keys compare by join semantics (1 and 1.0 are one key).
            prop_assert_eq!(join_key(&g[0]), join_key(&w[0]));
            prop_assert_eq!(&g[1..], &w[1..]);
        }
    }

    #[test]
    fn version_matching_pairs_occurrences(versions in prop::collection::vec(prop::collection::vec(key_value(), 0..10), 2..4)) {
        let tables: Vec<Table> = versions.iter().enumerate().map(|(v, k)| table(k, &format!("v{v}_"))).collect();
        let refs: Vec<&Table> = tables.iter().collect();
        let labels: Vec<String> = (0..tables.len()).map(|v| format!("v{v}")).collect();
        let c = compare(&refs, &labels, Some("id")).expect("compare");
        let want = naive_match(&versions);
        prop_assert_eq!(c.table.row_count(), want.len());
        for (i, slots) in want.iter().enumerate() {
            for (v, slot) in slots.iter().enumerate() {
                let got = c.table.column(&format!("p@v{v}")).expect("payload").get(i);
                let expected = slot.map_or(Value::Null, |r| Value::Str(format!("v{v}_{r}")));
                prop_assert_eq!(got, expected);
            }
            let present: Vec<String> = slots.iter().enumerate().filter(|(_, s)| s.is_some()).map(|(v, _)| format!("v{v}")).collect();
            prop_assert_eq!(c.table.column("versions").expect("versions").get(i), Value::Str(present.join(",")));
        }
    }
}
