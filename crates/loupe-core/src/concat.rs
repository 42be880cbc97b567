//! Concatenating columns without going through `Value`s: partitions, Parquet
//! row groups and Arrow record batches arrive as separate columns of the same
//! name and become one. Storage that agrees is appended as it is (numbers are
//! copied, dictionaries re-coded once per distinct string); storage that
//! disagrees widens the way `ColumnBuilder` would (ints to floats, dictionary
//! strings to text), and only truly mixed columns fall back to `Value`s.

use crate::bitmap::Bitmap;
use crate::column::ColumnData;
use crate::fxhash::FxMap;

impl ColumnData {
    /// The rows of every part, in order.
    pub fn concat(parts: Vec<ColumnData>) -> ColumnData {
        let mut parts = parts.into_iter();
        let Some(mut all) = parts.next() else {
            return ColumnData::Null(0);
        };
        for part in parts {
            all.append(part);
        }
        all
    }

    /// Appends the rows of `other` in place. The cost is that of `other`'s
    /// rows (plus one pass over a dictionary), so a table can grow part by
    /// part as it arrives without ever copying what it already holds.
    pub fn append(&mut self, other: ColumnData) {
        if let (ColumnData::Null(n), ColumnData::Null(m)) = (&*self, &other) {
            *self = ColumnData::Null(n + m);
            return;
        }
        let shape = match (Shape::of(self), Shape::of(&other)) {
            (Some(a), Some(b)) => Shape::widen(a, b),
            (Some(a), None) | (None, Some(a)) if is_null(self) || is_null(&other) => Some(a),
            _ => None,
        };
        let mine = std::mem::replace(self, ColumnData::Null(0));
        let room = mine.row_capacity();
        let before = std::mem::discriminant(&mine);
        let (mut mine, other) = match shape {
            Some(shape) => (into_shape(mine, shape), into_shape(other, shape)),
            None => (into_values(mine), into_values(other)),
        };
        // Storage that changed (a dictionary became text, ints floats) keeps
        // the room the old one had: a loader reserved every row of the table
        // once, and losing it would double and copy the column midway.
        if std::mem::discriminant(&mine) != before {
            mine.reserve(room.saturating_sub(mine.len()));
        }
        append_same(&mut mine, other);
        *self = mine;
    }
}

fn is_null(data: &ColumnData) -> bool {
    matches!(data, ColumnData::Null(_))
}

/// The storage a concatenation ends in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Bool,
    Int,
    Float { timestamp: bool },
    Dict,
    Text,
}

impl Shape {
    fn of(data: &ColumnData) -> Option<Shape> {
        match data {
            ColumnData::Bool { .. } => Some(Shape::Bool),
            ColumnData::Int { .. } => Some(Shape::Int),
            ColumnData::Float { timestamp, .. } => Some(Shape::Float {
                timestamp: *timestamp,
            }),
            ColumnData::Dict { .. } => Some(Shape::Dict),
            ColumnData::Text { .. } => Some(Shape::Text),
            ColumnData::Null(_) | ColumnData::Values(_) => None,
        }
    }

    /// The shape both fit in (`None`: only `Value`s hold both).
    fn widen(a: Shape, b: Shape) -> Option<Shape> {
        use Shape::*;
        match (a, b) {
            (x, y) if x == y => Some(x),
            (Int, Float { timestamp: false }) | (Float { timestamp: false }, Int) => {
                Some(Float { timestamp: false })
            }
            (Dict | Text, Dict | Text) => Some(Text),
            _ => None,
        }
    }
}

fn into_values(data: ColumnData) -> ColumnData {
    match data {
        ColumnData::Values(v) => ColumnData::Values(v),
        other => ColumnData::Values((0..other.len()).map(|r| other.get(r)).collect()),
    }
}

/// `data` in storage of `shape` (only called with a shape `data` widens to,
/// or on a null column, which becomes that storage with every cell null).
fn into_shape(data: ColumnData, shape: Shape) -> ColumnData {
    let n = data.len();
    let none = || Bitmap::filled(n, false);
    match (data, shape) {
        (ColumnData::Int { values, valid }, Shape::Float { timestamp }) => ColumnData::Float {
            values: values.iter().map(|&i| i as f64).collect(),
            valid,
            timestamp,
        },
        (data @ ColumnData::Dict { .. }, Shape::Text) => {
            let mut offsets = Vec::with_capacity(n + 1);
            offsets.push(0u32);
            let mut bytes = Vec::new();
            for r in 0..n {
                bytes.extend_from_slice(data.str_at(r).unwrap_or_default().as_bytes());
                offsets.push(bytes.len() as u32);
            }
            let ColumnData::Dict { valid, .. } = data else {
                unreachable!("matched as a dictionary column above")
            };
            ColumnData::Text {
                offsets,
                bytes,
                valid,
            }
        }
        (ColumnData::Null(_), Shape::Bool) => ColumnData::Bool {
            values: none(),
            valid: none(),
        },
        (ColumnData::Null(_), Shape::Int) => ColumnData::Int {
            values: vec![0; n],
            valid: none(),
        },
        (ColumnData::Null(_), Shape::Float { timestamp }) => ColumnData::Float {
            values: vec![0.0; n],
            valid: none(),
            timestamp,
        },
        (ColumnData::Null(_), Shape::Dict) => ColumnData::Dict {
            dict: vec![String::new()],
            codes: vec![0; n],
            valid: none(),
        },
        (ColumnData::Null(_), Shape::Text) => ColumnData::Text {
            offsets: vec![0; n + 1],
            bytes: Vec::new(),
            valid: none(),
        },
        (data, _) => data,
    }
}

/// Appends storage of the same variant (what `into_shape` made them).
fn append_same(mine: &mut ColumnData, other: ColumnData) {
    match (mine, other) {
        (
            ColumnData::Bool { values, valid },
            ColumnData::Bool {
                values: v,
                valid: ok,
            },
        ) => {
            values.append(&v);
            valid.append(&ok);
        }
        (
            ColumnData::Int { values, valid },
            ColumnData::Int {
                values: v,
                valid: ok,
            },
        ) => {
            values.extend_from_slice(&v);
            valid.append(&ok);
        }
        (
            ColumnData::Float { values, valid, .. },
            ColumnData::Float {
                values: v,
                valid: ok,
                ..
            },
        ) => {
            values.extend_from_slice(&v);
            valid.append(&ok);
        }
        (
            ColumnData::Text {
                offsets,
                bytes,
                valid,
            },
            ColumnData::Text {
                offsets: o,
                bytes: b,
                valid: ok,
            },
        ) => {
            let base = bytes.len() as u32;
            bytes.extend_from_slice(&b);
            offsets.extend(o.iter().skip(1).map(|&x| x + base));
            valid.append(&ok);
        }
        (
            ColumnData::Dict { dict, codes, valid },
            ColumnData::Dict {
                dict: d,
                codes: c,
                valid: ok,
            },
        ) => {
            // One lookup per distinct string of the new part (per-batch Arrow
            // dictionaries differ), then its codes are re-coded in one pass.
            let index: FxMap<&str, u32> = dict
                .iter()
                .enumerate()
                .map(|(i, s)| (s.as_str(), i as u32))
                .collect();
            let mut added: Vec<String> = Vec::new();
            let remap: Vec<u32> = d
                .into_iter()
                .map(|s| match index.get(s.as_str()) {
                    Some(&code) => code,
                    None => {
                        let code = (dict.len() + added.len()) as u32;
                        added.push(s);
                        code
                    }
                })
                .collect();
            drop(index);
            dict.extend(added);
            // Codes under null cells may be anything: keep them in range.
            codes.extend(
                c.iter()
                    .map(|&code| remap.get(code as usize).copied().unwrap_or(0)),
            );
            valid.append(&ok);
        }
        (ColumnData::Values(values), ColumnData::Values(v)) => values.extend(v),
        (mine, other) => {
            // Not reached (both sides were brought to one shape); stay correct anyway.
            let mut all = into_values(std::mem::replace(mine, ColumnData::Null(0)));
            if let (ColumnData::Values(values), ColumnData::Values(v)) =
                (&mut all, into_values(other))
            {
                values.extend(v);
            }
            *mine = all;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column_builder::ColumnBuilder;
    use crate::value::CellHint;
    use crate::value::Value;
    use proptest::prelude::*;

    fn strings(items: impl IntoIterator<Item = String>) -> ColumnData {
        let mut b = ColumnBuilder::new();
        for s in items {
            b.push_str(&s);
        }
        b.finish(&CellHint::None)
    }

    /// A column made room for (a loader reserved the whole table) keeps that
    /// room when a later part changes its storage, here a dictionary to text.
    #[test]
    fn widened_storage_keeps_the_reserved_room() {
        let mut column = strings((0..10).map(|i| format!("label {}", i % 3)));
        assert!(matches!(column, ColumnData::Dict { .. }));
        column.reserve(100_000);
        let distinct = strings((0..5_000).map(|i| format!("caption {i}")));
        assert!(matches!(distinct, ColumnData::Text { .. }));
        column.append(distinct);
        assert!(matches!(column, ColumnData::Text { .. }));
        assert!(
            column.row_capacity() >= 100_010,
            "{}",
            column.row_capacity()
        );
        assert_eq!(column.get(3), Value::Str("label 0".into()));
        assert_eq!(column.get(10), Value::Str("caption 0".into()));
    }

    /// Row `r` of every part as `Value`s: what `concat` must equal (for tests).
    fn concat_by_value(parts: &[ColumnData]) -> Vec<Value> {
        parts
            .iter()
            .flat_map(|p| (0..p.len()).map(|r| p.get(r)))
            .collect()
    }

    fn column(cells: &[Option<Cell>]) -> ColumnData {
        let mut b = ColumnBuilder::new();
        for c in cells {
            match c {
                None => b.push_null(),
                Some(Cell::Int(i)) => b.push_int(*i),
                Some(Cell::Float(f)) => b.push_float(*f),
                Some(Cell::Str(s)) => b.push_str(s),
                Some(Cell::Bool(x)) => b.push_bool(*x),
            }
        }
        b.finish(&CellHint::None)
    }

    #[derive(Debug, Clone)]
    enum Cell {
        Int(i64),
        Float(f64),
        Str(String),
        Bool(bool),
    }

    fn cell() -> impl Strategy<Value = Option<Cell>> {
        prop_oneof![
            1 => Just(None),
            3 => (-5i64..5).prop_map(|i| Some(Cell::Int(i))),
            2 => (-5i32..5).prop_map(|i| Some(Cell::Float(f64::from(i) + 0.5))),
            3 => "[a-d]{0,2}".prop_map(|s| Some(Cell::Str(s))),
            1 => any::<bool>().prop_map(|b| Some(Cell::Bool(b))),
        ]
    }

    /// Parts of one kind mostly (so the fast paths run), sometimes mixed.
    fn parts() -> impl Strategy<Value = Vec<Vec<Option<Cell>>>> {
        prop::collection::vec(prop::collection::vec(cell(), 0..12), 0..5)
    }

    /// Ints written into a float column read back as floats: compare numbers by value.
    fn same(a: &Value, b: &Value) -> bool {
        match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        }
    }

    proptest! {
        #[test]
        fn concat_keeps_every_cell(parts in parts()) {
            let parts: Vec<ColumnData> = parts.iter().map(|p| column(p)).collect();
            let expected = concat_by_value(&parts);
            let joined = ColumnData::concat(parts);
            prop_assert_eq!(joined.len(), expected.len());
            for (r, want) in expected.iter().enumerate() {
                let got = joined.get(r);
                prop_assert!(same(&got, want), "row {}: {:?} != {:?}", r, got, want);
            }
        }
    }

    #[test]
    fn room_reserved_for_later_parts_changes_no_cell() {
        let parts = [
            column(&[Some(Cell::Int(1)), None]),
            column(&[Some(Cell::Str("a".into())), Some(Cell::Str("b".into()))]),
            column(&[Some(Cell::Bool(true))]),
            column(&[Some(Cell::Float(0.5))]),
        ];
        for part in parts {
            let mut reserved = part.clone();
            reserved.reserve(1000);
            assert_eq!(reserved, part);
            reserved.append(part.clone());
            assert_eq!(reserved, ColumnData::concat(vec![part.clone(), part]));
        }
    }

    #[test]
    fn dictionaries_of_different_parts_merge() {
        let a = column(&[Some(Cell::Str("cat".into())), Some(Cell::Str("dog".into()))]);
        let b = column(&[
            Some(Cell::Str("dog".into())),
            None,
            Some(Cell::Str("emu".into())),
        ]);
        let joined = ColumnData::concat(vec![a, b]);
        let ColumnData::Dict { dict, .. } = &joined else {
            panic!("expected a dictionary column, got {joined:?}");
        };
        assert_eq!(dict, &["cat", "dog", "emu"]);
        let cells: Vec<Option<&str>> = (0..5).map(|r| joined.str_at(r)).collect();
        assert_eq!(
            cells,
            [Some("cat"), Some("dog"), Some("dog"), None, Some("emu")]
        );
    }

    #[test]
    fn ints_and_floats_widen_and_mixed_kinds_become_values() {
        let ints = column(&[Some(Cell::Int(1))]);
        let floats = column(&[Some(Cell::Float(2.5))]);
        assert!(matches!(
            ColumnData::concat(vec![ints.clone(), floats]),
            ColumnData::Float { .. }
        ));
        let strings = column(&[Some(Cell::Str("x".into()))]);
        let mixed = ColumnData::concat(vec![ints, ColumnData::Null(2), strings]);
        assert!(matches!(mixed, ColumnData::Values(_)));
        assert_eq!(mixed.get(3), Value::Str("x".into()));
        assert_eq!(mixed.get(1), Value::Null);
    }
}
