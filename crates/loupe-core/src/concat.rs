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
        let total: usize = parts.iter().map(ColumnData::len).sum();
        let mut non_null = parts
            .iter()
            .filter(|p| !matches!(p, ColumnData::Null(_)))
            .map(Shape::of);
        let shape = match non_null.next() {
            None => return ColumnData::Null(total),
            Some(first) => non_null.fold(first, Shape::widen),
        };
        match shape {
            Some(Shape::Bool) => concat_bool(parts),
            Some(Shape::Int) => concat_numbers(parts, total, false),
            Some(Shape::Float { timestamp }) => concat_numbers(parts, total, timestamp),
            Some(Shape::Dict) => concat_dict(parts, total),
            Some(Shape::Text) => concat_text(parts, total),
            None => ColumnData::Values(
                parts
                    .iter()
                    .flat_map(|p| (0..p.len()).map(|r| p.get(r)))
                    .collect(),
            ),
        }
    }
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
    fn widen(a: Option<Shape>, b: Option<Shape>) -> Option<Shape> {
        use Shape::*;
        match (a?, b?) {
            (x, y) if x == y => Some(x),
            (Int, Float { timestamp: false }) | (Float { timestamp: false }, Int) => {
                Some(Float { timestamp: false })
            }
            (Dict | Text, Dict | Text) => Some(Text),
            _ => None,
        }
    }
}

fn validity(part: &ColumnData) -> Bitmap {
    match part {
        ColumnData::Bool { valid, .. }
        | ColumnData::Int { valid, .. }
        | ColumnData::Float { valid, .. }
        | ColumnData::Dict { valid, .. }
        | ColumnData::Text { valid, .. } => valid.clone(),
        other => Bitmap::filled(other.len(), false),
    }
}

fn concat_bool(parts: Vec<ColumnData>) -> ColumnData {
    let (mut values, mut valid) = (Bitmap::new(), Bitmap::new());
    for part in &parts {
        match part {
            ColumnData::Bool { values: v, .. } => values.append(v),
            other => values.extend_filled(other.len(), false),
        }
        valid.append(&validity(part));
    }
    ColumnData::Bool { values, valid }
}

fn concat_numbers(parts: Vec<ColumnData>, total: usize, timestamp: bool) -> ColumnData {
    let all_int = parts
        .iter()
        .all(|p| matches!(p, ColumnData::Int { .. } | ColumnData::Null(_)));
    let mut valid = Bitmap::new();
    if all_int {
        let mut values = Vec::with_capacity(total);
        for part in &parts {
            match part {
                ColumnData::Int { values: v, .. } => values.extend_from_slice(v),
                other => values.resize(values.len() + other.len(), 0),
            }
            valid.append(&validity(part));
        }
        return ColumnData::Int { values, valid };
    }
    let mut values = Vec::with_capacity(total);
    for part in &parts {
        match part {
            ColumnData::Float { values: v, .. } => values.extend_from_slice(v),
            ColumnData::Int { values: v, .. } => values.extend(v.iter().map(|&i| i as f64)),
            other => values.resize(values.len() + other.len(), 0.0),
        }
        valid.append(&validity(part));
    }
    ColumnData::Float {
        values,
        valid,
        timestamp,
    }
}

/// Dictionaries merge: each part's codes are re-coded through one lookup per
/// distinct string of that part (per-batch Arrow dictionaries differ).
fn concat_dict(parts: Vec<ColumnData>, total: usize) -> ColumnData {
    let mut index: FxMap<String, u32> = FxMap::default();
    let mut dict: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(total);
    let mut valid = Bitmap::new();
    for part in parts {
        valid.append(&validity(&part));
        match part {
            ColumnData::Dict {
                dict: part_dict,
                codes: part_codes,
                ..
            } => {
                let remap: Vec<u32> = part_dict
                    .into_iter()
                    .map(|s| match index.get(&s) {
                        Some(&c) => c,
                        None => {
                            let c = dict.len() as u32;
                            dict.push(s.clone());
                            index.insert(s, c);
                            c
                        }
                    })
                    .collect();
                // Codes under null cells may be anything: keep them in range.
                codes.extend(
                    part_codes
                        .iter()
                        .map(|&c| remap.get(c as usize).copied().unwrap_or(0)),
                );
            }
            other => codes.resize(codes.len() + other.len(), 0),
        }
    }
    if dict.is_empty() {
        dict.push(String::new());
    }
    ColumnData::Dict { dict, codes, valid }
}

fn concat_text(parts: Vec<ColumnData>, total: usize) -> ColumnData {
    let mut offsets = Vec::with_capacity(total + 1);
    offsets.push(0u32);
    let mut bytes = Vec::new();
    let mut valid = Bitmap::new();
    for part in &parts {
        valid.append(&validity(part));
        for r in 0..part.len() {
            if let Some(s) = part.str_at(r) {
                bytes.extend_from_slice(s.as_bytes());
            }
            offsets.push(bytes.len() as u32);
        }
    }
    ColumnData::Text {
        offsets,
        bytes,
        valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column_builder::ColumnBuilder;
    use crate::value::CellHint;
    use crate::value::Value;
    use proptest::prelude::*;

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
