//! Aggregates over a set of rows of one column: what grouped cells and
//! column summaries show.

use super::top_values::{Ranking, ValueCounter, top_values};
use crate::column::{ColumnData, DataType};
use crate::fxhash::FxMap;
use crate::table::Column;
use crate::value::{Value, format_float};
use crate::value_key::value_key;

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
                .map(|&r| value_key(&col.get(r as usize)))
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
    let mut range = FiniteRange::EMPTY;
    numbers(col, rows).for_each(|x| range.add(x));
    if range.is_empty() {
        return None;
    }
    let mut counts = vec![0u64; bins];
    range.count(numbers(col, rows), &mut counts);
    Some(range.histogram(counts))
}

/// The range of the finite numbers seen, and equal-width bins over it (what
/// `histogram` and `SummaryBuilder` share).
#[derive(Debug, Clone, Copy)]
struct FiniteRange {
    lo: f64,
    hi: f64,
}

impl FiniteRange {
    const EMPTY: FiniteRange = FiniteRange {
        lo: f64::INFINITY,
        hi: f64::NEG_INFINITY,
    };

    fn add(&mut self, x: f64) {
        if x.is_finite() {
            self.lo = self.lo.min(x);
            self.hi = self.hi.max(x);
        }
    }

    fn is_empty(&self) -> bool {
        self.lo > self.hi
    }

    fn width(&self, bins: usize) -> f64 {
        if self.hi > self.lo {
            (self.hi - self.lo) / bins as f64
        } else {
            1.0
        }
    }

    /// Each finite number of `xs` into its bin of `counts`.
    fn count(&self, xs: impl Iterator<Item = f64>, counts: &mut [u64]) {
        let bins = counts.len();
        let width = self.width(bins);
        for x in xs.filter(|x| x.is_finite()) {
            let i = (((x - self.lo) / width) as usize).min(bins - 1);
            counts[i] += 1;
        }
    }

    fn histogram(&self, counts: Vec<u64>) -> Histogram {
        let width = self.width(counts.len());
        Histogram {
            edges: (0..=counts.len())
                .map(|i| self.lo + width * i as f64)
                .collect(),
            counts,
        }
    }
}

/// How many distinct values `rows` hold (nulls left out), counting no further than `limit`.
pub fn distinct_up_to(col: &Column, rows: &[u32], limit: usize) -> usize {
    match col.data() {
        ColumnData::Int { values, valid } => {
            let mut seen: FxMap<i64, ()> = FxMap::default();
            for &r in rows {
                if valid.get(r as usize) {
                    seen.insert(values[r as usize], ());
                    if seen.len() >= limit {
                        break;
                    }
                }
            }
            seen.len()
        }
        _ => top_values(col, rows, limit).len(),
    }
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
    let mut summary = SummaryBuilder::new(col);
    summary.add(rows);
    summary.bin(rows);
    summary.finish()
}

/// Bins of a summary's histogram.
const SUMMARY_BINS: usize = 20;

/// Values a column summary lists.
const SUMMARY_TOP: usize = 10;

/// `summarize` in steps, for views of millions of rows (a chunk a task):
/// `add` every chunk of the rows, then `bin` every chunk again (the
/// histogram needs the range first), then `rank`, then `finish`. Chunks in
/// order give exactly `summarize`'s answer (sums are added in the same order).
pub struct SummaryBuilder<'a> {
    col: &'a Column,
    numeric: bool,
    rows: usize,
    nulls: usize,
    sum: f64,
    numbers: usize,
    min: Option<f64>,
    max: Option<f64>,
    /// The range of the finite numbers, and their bins once `bin` starts.
    range: FiniteRange,
    counts: Vec<u64>,
    top: Option<ValueCounter<'a>>,
    /// The counted values being ranked (`rank`), after both passes.
    ranking: Option<Ranking<'a>>,
}

impl<'a> SummaryBuilder<'a> {
    pub fn new(col: &'a Column) -> Self {
        let numeric = col.data_type().is_numeric();
        // Ints are often class ids or counts: their frequent values are worth listing.
        let top = (!numeric || col.data_type() == DataType::Int).then(|| ValueCounter::new(col));
        SummaryBuilder {
            col,
            numeric,
            rows: 0,
            nulls: 0,
            sum: 0.0,
            numbers: 0,
            min: None,
            max: None,
            range: FiniteRange::EMPTY,
            counts: Vec::new(),
            top,
            ranking: None,
        }
    }

    /// The summary will be of about `rows` rows in all (its value counts
    /// make room for them at once when they are mostly distinct).
    pub fn expect_rows(&mut self, rows: usize) {
        if let Some(top) = self.top.as_mut() {
            top.expect_rows(rows);
        }
    }

    /// The first pass over a chunk of rows.
    pub fn add(&mut self, rows: &[u32]) {
        self.rows += rows.len();
        let data = self.col.data();
        self.nulls += rows.iter().filter(|&&r| !data.is_valid(r as usize)).count();
        if self.numeric {
            for x in numbers(self.col, rows) {
                self.sum += x;
                self.numbers += 1;
                if !x.is_nan() {
                    self.min = Some(self.min.map_or(x, |m| m.min(x)));
                    self.max = Some(self.max.map_or(x, |m| m.max(x)));
                }
                self.range.add(x);
            }
        }
        if let Some(top) = &mut self.top {
            top.add(rows);
        }
    }

    /// The second pass (numbers only): the chunk's finite numbers into bins.
    pub fn bin(&mut self, rows: &[u32]) {
        if !self.numeric || self.range.is_empty() {
            return;
        }
        if self.counts.is_empty() {
            self.counts = vec![0; SUMMARY_BINS];
        }
        self.range.count(numbers(self.col, rows), &mut self.counts);
    }

    /// After both passes: ranks up to `n` more distinct values for the top
    /// values list; true once all are (`finish` ranks whatever is left).
    pub fn rank(&mut self, n: usize) -> bool {
        if let Some(counter) = self.top.take() {
            self.ranking = Some(counter.ranking(SUMMARY_TOP));
        }
        self.ranking.as_mut().is_none_or(|r| r.step(n))
    }

    pub fn finish(self) -> ColumnSummary {
        let counts = if self.counts.is_empty() {
            vec![0; SUMMARY_BINS]
        } else {
            self.counts
        };
        let histogram =
            (self.numeric && !self.range.is_empty()).then(|| self.range.histogram(counts));
        ColumnSummary {
            name: self.col.name.clone(),
            data_type: self.col.data_type(),
            rows: self.rows,
            nulls: self.nulls,
            min: self.min,
            max: self.max,
            mean: (self.numbers > 0).then(|| self.sum / self.numbers as f64),
            histogram,
            top: match (self.ranking, self.top) {
                (Some(ranking), _) => ranking.finish(),
                (None, Some(counter)) => counter.top(SUMMARY_TOP),
                (None, None) => Vec::new(),
            },
        }
    }
}
