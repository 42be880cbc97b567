//! Building a column from rows of other columns, storage to storage: joins and
//! version comparisons pick rows (`Some(row)`) or leave a gap (`None` → null)
//! without turning every cell into a `Value` and back.

use crate::bitmap::Bitmap;
use crate::column::ColumnData;
use crate::value::Value;

impl ColumnData {
    /// The column's cells at `rows`, in order; `None` gives a null.
    pub fn gather(&self, rows: &[Option<u32>]) -> ColumnData {
        // Every row, in order (the first version of a comparison, usually): a copy.
        if rows.len() == self.len() && rows.iter().enumerate().all(|(i, r)| *r == Some(i as u32)) {
            return self.clone();
        }
        let valid = |v: &Bitmap| {
            Bitmap::from_bools(rows.iter().map(|r| r.is_some_and(|r| v.get(r as usize))))
        };
        match self {
            ColumnData::Null(_) => ColumnData::Null(rows.len()),
            ColumnData::Bool { values, valid: v } => ColumnData::Bool {
                values: Bitmap::from_bools(
                    rows.iter()
                        .map(|r| r.is_some_and(|r| values.get(r as usize))),
                ),
                valid: valid(v),
            },
            ColumnData::Int { values, valid: v } => ColumnData::Int {
                values: rows
                    .iter()
                    .map(|r| r.map_or(0, |r| values[r as usize]))
                    .collect(),
                valid: valid(v),
            },
            ColumnData::Float {
                values,
                valid: v,
                timestamp,
            } => ColumnData::Float {
                values: rows
                    .iter()
                    .map(|r| r.map_or(0.0, |r| values[r as usize]))
                    .collect(),
                valid: valid(v),
                timestamp: *timestamp,
            },
            ColumnData::Dict {
                dict,
                codes,
                valid: v,
            } => ColumnData::Dict {
                dict: dict.clone(),
                codes: rows
                    .iter()
                    .map(|r| r.map_or(0, |r| codes[r as usize]))
                    .collect(),
                valid: valid(v),
            },
            ColumnData::Text {
                offsets,
                bytes,
                valid: v,
            } => {
                let span = |r: u32| offsets[r as usize + 1] as usize - offsets[r as usize] as usize;
                let total: usize = rows.iter().flatten().map(|&r| span(r)).sum();
                let mut out_offsets = Vec::with_capacity(rows.len() + 1);
                let mut out_bytes = Vec::with_capacity(total);
                out_offsets.push(0u32);
                for r in rows {
                    if let Some(r) = r {
                        let (a, b) = (
                            offsets[*r as usize] as usize,
                            offsets[*r as usize + 1] as usize,
                        );
                        out_bytes.extend_from_slice(&bytes[a..b]);
                    }
                    out_offsets.push(out_bytes.len() as u32);
                }
                ColumnData::Text {
                    offsets: out_offsets,
                    bytes: out_bytes,
                    valid: valid(v),
                }
            }
            ColumnData::Values(values) => ColumnData::Values(
                rows.iter()
                    .map(|r| r.map_or(Value::Null, |r| values[r as usize].clone()))
                    .collect(),
            ),
        }
    }

    /// Row `i` from the first source whose `rows[i]` is set: a key column
    /// merged from the sides of a join or the versions of a comparison.
    pub fn gather_first(sources: &[(&ColumnData, &[Option<u32>])]) -> ColumnData {
        let len = sources.first().map_or(0, |(_, rows)| rows.len());
        let pick = |i: usize| {
            sources
                .iter()
                .enumerate()
                .find_map(|(s, (_, rows))| rows[i].map(|r| (s, r as usize)))
        };
        // Integer keys (the common case) stay typed.
        let ints: Option<Vec<(&Vec<i64>, &Bitmap)>> = sources
            .iter()
            .map(|(c, _)| match c {
                ColumnData::Int { values, valid } => Some((values, valid)),
                _ => None,
            })
            .collect();
        if let Some(ints) = ints {
            let mut values = Vec::with_capacity(len);
            let mut valid = Bitmap::new();
            for i in 0..len {
                match pick(i) {
                    Some((s, r)) => {
                        values.push(ints[s].0[r]);
                        valid.push(ints[s].1.get(r));
                    }
                    None => {
                        values.push(0);
                        valid.push(false);
                    }
                }
            }
            return ColumnData::Int { values, valid };
        }
        ColumnData::from_values((0..len).map(|i| match pick(i) {
            Some((s, r)) => sources[s].0.get(r),
            None => Value::Null,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(c: &ColumnData) -> Vec<Value> {
        (0..c.len()).map(|i| c.get(i)).collect()
    }

    #[test]
    fn gather_keeps_each_storage_and_fills_gaps_with_null() {
        let rows = [Some(2), None, Some(0), Some(2)];
        for column in [
            ColumnData::from_values([Value::Int(1), Value::Null, Value::Int(3)]),
            ColumnData::from_values([Value::Float(1.5), Value::Float(2.5), Value::Null]),
            ColumnData::from_values([Value::Str("a".into()), Value::Null, Value::Str("c".into())]),
            ColumnData::from_values([Value::Bool(true), Value::Bool(false), Value::Bool(true)]),
            ColumnData::from_values([Value::List(vec![Value::Int(1)]), Value::Null, Value::Int(2)]),
        ] {
            let got = column.gather(&rows);
            let want: Vec<Value> = rows
                .iter()
                .map(|r| r.map_or(Value::Null, |r| column.get(r as usize)))
                .collect();
            assert_eq!(values(&got), want, "{column:?}");
            assert_eq!(got.data_type(), column.data_type());
        }
    }

    #[test]
    fn text_storage_gathers_bytes() {
        let long: Vec<Value> = (0..20_000)
            .map(|i| Value::Str(format!("row {i}")))
            .collect();
        let column = ColumnData::from_values(long);
        assert!(
            matches!(column, ColumnData::Text { .. }),
            "high cardinality → text"
        );
        let got = column.gather(&[Some(19_999), None, Some(5)]);
        assert_eq!(
            values(&got),
            vec![
                Value::Str("row 19999".into()),
                Value::Null,
                Value::Str("row 5".into())
            ]
        );
    }

    #[test]
    fn gather_first_takes_the_first_source_with_the_row() {
        let a = ColumnData::from_values([Value::Int(1), Value::Int(2)]);
        let b = ColumnData::from_values([Value::Int(7)]);
        let merged = ColumnData::gather_first(&[
            (&a, &[Some(0), None, Some(1)]),
            (&b, &[Some(0), Some(0), None]),
        ]);
        assert_eq!(
            values(&merged),
            vec![Value::Int(1), Value::Int(7), Value::Int(2)]
        );
        let s = ColumnData::from_values([Value::Str("x".into())]);
        let mixed = ColumnData::gather_first(&[(&a, &[None, Some(1)]), (&s, &[Some(0), None])]);
        assert_eq!(values(&mixed), vec![Value::Str("x".into()), Value::Int(2)]);
    }
}
