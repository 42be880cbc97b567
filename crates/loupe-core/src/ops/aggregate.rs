//! Aggregates over a set of rows of one column: what grouped cells and
//! column summaries show.

use std::collections::HashMap;

use crate::column::{ColumnData, DataType};
use crate::table::Column;
use crate::value::{Value, format_float};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Count,
    /// Non-null cells.
    CountValid,
    Sum,
    Mean,
    Min,
    Max,
    Distinct,
    First,
}

impl Agg {
    pub fn parse(name: &str) -> Option<Agg> {
        Some(match name {
            "count" => Agg::Count,
            "count_valid" => Agg::CountValid,
            "sum" => Agg::Sum,
            "mean" | "avg" => Agg::Mean,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "distinct" | "nunique" => Agg::Distinct,
            "first" => Agg::First,
            _ => return None,
        })
    }
}

/// The numbers of `col` at `rows` (nulls and non-numbers skipped). Float columns
/// without nulls are read straight from their array.
fn numbers<'a>(col: &'a Column, rows: &'a [u32]) -> Box<dyn Iterator<Item = f64> + 'a> {
    match col.data() {
        ColumnData::Float { values, valid, .. } if valid.all_set() => {
            Box::new(rows.iter().map(move |&r| values[r as usize]))
        }
        ColumnData::Int { values, valid } if valid.all_set() => {
            Box::new(rows.iter().map(move |&r| values[r as usize] as f64))
        }
        data => Box::new(rows.iter().filter_map(move |&r| data.f64_at(r as usize))),
    }
}

/// One aggregate of `col` over `rows`; numeric aggregates ignore nulls and non-numbers.
pub fn aggregate(col: &Column, rows: &[u32], agg: Agg) -> Value {
    match agg {
        Agg::Count => Value::Int(rows.len() as i64),
        Agg::CountValid => Value::Int(
            rows.iter()
                .filter(|&&r| col.data().is_valid(r as usize))
                .count() as i64,
        ),
        Agg::Sum => Value::Float(numbers(col, rows).sum()),
        Agg::Mean => {
            let (mut sum, mut n) = (0.0, 0usize);
            for x in numbers(col, rows) {
                sum += x;
                n += 1;
            }
            if n == 0 {
                Value::Null
            } else {
                Value::Float(sum / n as f64)
            }
        }
        Agg::Min => numbers(col, rows)
            .filter(|x| !x.is_nan())
            .reduce(f64::min)
            .map_or(Value::Null, Value::Float),
        Agg::Max => numbers(col, rows)
            .filter(|x| !x.is_nan())
            .reduce(f64::max)
            .map_or(Value::Null, Value::Float),
        Agg::Distinct => {
            let distinct: std::collections::HashSet<String> = rows
                .iter()
                .filter(|&&r| col.data().is_valid(r as usize))
                .map(|&r| format!("{:?}", col.get(r as usize)))
                .collect();
            Value::Int(distinct.len() as i64)
        }
        Agg::First => rows.first().map_or(Value::Null, |&r| col.get(r as usize)),
    }
}

/// Equal-width bins over the finite numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// `counts.len() + 1` edges.
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

pub fn histogram(col: &Column, rows: &[u32], bins: usize) -> Option<Histogram> {
    let bins = bins.max(1);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in numbers(col, rows).filter(|x| x.is_finite()) {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    if lo > hi {
        return None;
    }
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let mut counts = vec![0u64; bins];
    for x in numbers(col, rows).filter(|x| x.is_finite()) {
        let i = (((x - lo) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    let edges = (0..=bins).map(|i| lo + width * i as f64).collect();
    Some(Histogram { edges, counts })
}

/// The most frequent values (as text) with their counts, most frequent first,
/// ties by text; nulls are not counted.
pub fn top_values(col: &Column, rows: &[u32], k: usize) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = match col.data() {
        ColumnData::Dict { dict, codes, valid } => {
            let mut per_code = vec![0usize; dict.len()];
            for &r in rows {
                if valid.get(r as usize) {
                    per_code[codes[r as usize] as usize] += 1;
                }
            }
            dict.iter()
                .cloned()
                .zip(per_code)
                .filter(|(_, n)| *n > 0)
                .collect()
        }
        _ => {
            let mut map: HashMap<String, usize> = HashMap::new();
            for &r in rows {
                let v = col.value(r as usize);
                if !matches!(*v, Value::Null) {
                    *map.entry(v.display()).or_default() += 1;
                }
            }
            map.into_iter().collect()
        }
    };
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(k);
    counts
}

/// What the column summary panel shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSummary {
    pub name: String,
    pub data_type: DataType,
    pub rows: usize,
    pub nulls: usize,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub histogram: Option<Histogram>,
    pub top: Vec<(String, usize)>,
}

impl ColumnSummary {
    /// One line of text, e.g. for a tooltip.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}: {} rows, {} null",
            self.data_type.name(),
            self.rows,
            self.nulls
        );
        if let (Some(lo), Some(hi), Some(m)) = (self.min, self.max, self.mean) {
            s.push_str(&format!(
                ", min {}, max {}, mean {}",
                format_float(lo),
                format_float(hi),
                format_float(m)
            ));
        }
        s
    }
}

pub fn summarize(col: &Column, rows: &[u32]) -> ColumnSummary {
    let nulls = rows
        .iter()
        .filter(|&&r| !col.data().is_valid(r as usize))
        .count();
    let numeric = col.data_type().is_numeric();
    let as_f = |v: Value| v.as_f64();
    ColumnSummary {
        name: col.name.clone(),
        data_type: col.data_type(),
        rows: rows.len(),
        nulls,
        min: numeric
            .then(|| as_f(aggregate(col, rows, Agg::Min)))
            .flatten(),
        max: numeric
            .then(|| as_f(aggregate(col, rows, Agg::Max)))
            .flatten(),
        mean: numeric
            .then(|| as_f(aggregate(col, rows, Agg::Mean)))
            .flatten(),
        histogram: if numeric {
            histogram(col, rows, 20)
        } else {
            None
        },
        // Ints are often class ids or counts: their frequent values are worth listing.
        top: if numeric && col.data_type() != DataType::Int {
            Vec::new()
        } else {
            top_values(col, rows, 10)
        },
    }
}
