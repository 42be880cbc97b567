//! Aggregates over a set of rows of one column: what grouped cells and
//! column summaries show.

use crate::column::{ColumnData, DataType};
use crate::fxhash::FxMap;
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

/// The `k` most frequent values among `rows` (nulls left out), by their
/// display text, with counts; ties in order of the text.
pub fn top_values(col: &Column, rows: &[u32], k: usize) -> Vec<(String, usize)> {
    let mut counter = ValueCounter::new(col);
    counter.add(rows);
    counter.top(k)
}

/// Counts a column's values over rows given in any number of chunks (a
/// grouped cell of millions of rows counts a chunk a task), then ranks them
/// as `top_values` does.
pub struct ValueCounter<'a> {
    col: &'a Column,
    counts: Counts<'a>,
    /// Rows still to come (a caller's count): a column whose first chunk is
    /// mostly distinct values gets room for all of them at once, since
    /// doubling a table of half a million entries is one 50 ms step.
    expected: usize,
}

/// Counts keyed by what each storage holds, so nothing is built per row:
/// dictionary codes, stored text bytes (byte order is the text's order),
/// integers; other cells by their display text.
enum Counts<'a> {
    Codes(Vec<usize>),
    Bytes(FxMap<&'a [u8], usize>),
    Ints(FxMap<i64, usize>),
    Texts(FxMap<String, usize>),
}

impl<'a> ValueCounter<'a> {
    pub fn new(col: &'a Column) -> Self {
        let counts = match col.data() {
            ColumnData::Dict { dict, .. } => Counts::Codes(vec![0; dict.len()]),
            ColumnData::Text { .. } => Counts::Bytes(FxMap::default()),
            ColumnData::Int { .. } => Counts::Ints(FxMap::default()),
            _ => Counts::Texts(FxMap::default()),
        };
        ValueCounter {
            col,
            counts,
            expected: 0,
        }
    }

    /// The counter will be given about `rows` rows in all.
    pub fn expect_rows(&mut self, rows: usize) {
        self.expected = rows;
    }

    pub fn add(&mut self, rows: &[u32]) {
        self.count(rows);
        // Decided once, after the first chunk: if it was mostly distinct
        // values, room for as many more as there are rows to come.
        let to_come = std::mem::take(&mut self.expected).saturating_sub(rows.len());
        let distinct = match &self.counts {
            Counts::Bytes(map) => map.len(),
            Counts::Ints(map) => map.len(),
            Counts::Texts(map) => map.len(),
            Counts::Codes(_) => 0,
        };
        if to_come > 0 && distinct * 2 > rows.len() {
            match &mut self.counts {
                Counts::Bytes(map) => map.reserve(to_come),
                Counts::Ints(map) => map.reserve(to_come),
                Counts::Texts(map) => map.reserve(to_come),
                Counts::Codes(_) => {}
            }
        }
    }

    fn count(&mut self, rows: &[u32]) {
        let col: &'a Column = self.col;
        match (&mut self.counts, col.data()) {
            (Counts::Codes(per_code), ColumnData::Dict { codes, valid, .. }) => {
                for &r in rows {
                    if valid.get(r as usize) {
                        per_code[codes[r as usize] as usize] += 1;
                    }
                }
            }
            (
                Counts::Bytes(map),
                ColumnData::Text {
                    offsets,
                    bytes,
                    valid,
                },
            ) => {
                map.reserve(rows.len());
                for &r in rows {
                    let r = r as usize;
                    if valid.get(r) {
                        let cell = &bytes[offsets[r] as usize..offsets[r + 1] as usize];
                        *map.entry(cell).or_default() += 1;
                    }
                }
            }
            (Counts::Ints(map), ColumnData::Int { values, valid }) => {
                for &r in rows {
                    if valid.get(r as usize) {
                        *map.entry(values[r as usize]).or_default() += 1;
                    }
                }
            }
            (Counts::Texts(map), _) => {
                for &r in rows {
                    let v = col.value(r as usize);
                    if !matches!(*v, Value::Null) {
                        *map.entry(v.display()).or_default() += 1;
                    }
                }
            }
            // `new` pairs each storage with its counts.
            _ => {}
        }
    }

    /// The `k` most frequent, most first, ties by text.
    pub fn top(self, k: usize) -> Vec<(String, usize)> {
        self.ranking(k).finish()
    }

    /// `top`, to be done in steps (`Ranking::step`): ranking half a million
    /// distinct values is tens of milliseconds.
    pub fn ranking(self, k: usize) -> Ranking<'a> {
        let source = match (self.counts, self.col.data()) {
            (Counts::Codes(per_code), ColumnData::Dict { dict, .. }) => {
                let counted = dict.iter().map(|s| s.as_bytes()).zip(per_code);
                Source::Bytes(TopK::new(counted.filter(|(_, n)| *n > 0), k))
            }
            (Counts::Bytes(map), _) => Source::Bytes(TopK::new(map.into_iter(), k)),
            (Counts::Ints(map), _) => {
                Source::Ints(TopK::new(map.into_iter().map(|(v, n)| (IntText(v), n)), k))
            }
            (Counts::Texts(map), _) => Source::Texts(TopK::new(map.into_iter(), k)),
            (Counts::Codes(_), _) => Source::Texts(TopK::new(std::iter::empty(), k)),
        };
        Ranking { source }
    }
}

/// Counted values being ranked, `step` by `step`.
pub struct Ranking<'a> {
    source: Source<'a>,
}

enum Source<'a> {
    Bytes(TopK<'a, &'a [u8]>),
    Ints(TopK<'a, IntText>),
    Texts(TopK<'a, String>),
}

/// Distinct values a ranking step takes (about 10 ms in the page's build).
pub const RANK_STEP: usize = 100_000;

impl Ranking<'_> {
    /// Ranks up to `n` more distinct values; true once all are.
    pub fn step(&mut self, n: usize) -> bool {
        match &mut self.source {
            Source::Bytes(t) => t.step(n),
            Source::Ints(t) => t.step(n),
            Source::Texts(t) => t.step(n),
        }
    }

    /// The top values (ranking what is left first), most frequent first.
    pub fn finish(self) -> Vec<(String, usize)> {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match self.source {
            Source::Bytes(t) => t.finish().into_iter().map(|(s, n)| (text(s), n)).collect(),
            Source::Ints(t) => t
                .finish()
                .into_iter()
                .map(|(v, n)| (v.0.to_string(), n))
                .collect(),
            Source::Texts(t) => t.finish(),
        }
    }
}

/// An integer ranked by its decimal text (ties in top values order by text),
/// compared without building strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IntText(i64);

impl IntText {
    fn digits(self, buf: &mut [u8; 20]) -> &[u8] {
        let mut at = buf.len();
        let mut v = self.0.unsigned_abs();
        loop {
            at -= 1;
            buf[at] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if self.0 < 0 {
            at -= 1;
            buf[at] = b'-';
        }
        &buf[at..]
    }
}

impl Ord for IntText {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
        self.digits(&mut a).cmp(other.digits(&mut b))
    }
}

impl PartialOrd for IntText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A counted value, ordered best first (higher count, then smaller key), so
/// a heap's greatest is the worst it keeps.
struct Ranked<K>((K, usize));

impl<K: Ord> Ord for Ranked<K> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let ((a, m), (b, n)) = (&self.0, &other.0);
        n.cmp(m).then_with(|| a.cmp(b))
    }
}

impl<K: Ord> PartialOrd for Ranked<K> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord> PartialEq for Ranked<K> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl<K: Ord> Eq for Ranked<K> {}

/// The `k` first by count (descending), then key, in one pass that keeps the
/// best `k` so far in a heap: most entries are turned away by one comparison
/// with the worst kept (a group's captions may all tie at 1, half a million
/// of them; a selection over them compared each two or three times).
struct TopK<'a, K> {
    entries: Box<dyn Iterator<Item = (K, usize)> + 'a>,
    kept: std::collections::BinaryHeap<Ranked<K>>,
    k: usize,
}

impl<'a, K: Ord> TopK<'a, K> {
    fn new(entries: impl Iterator<Item = (K, usize)> + 'a, k: usize) -> Self {
        TopK {
            entries: Box::new(entries),
            kept: std::collections::BinaryHeap::with_capacity(k.min(1024) + 1),
            k,
        }
    }

    fn step(&mut self, n: usize) -> bool {
        let mut taken = 0;
        for entry in self.entries.by_ref().take(n) {
            taken += 1;
            let entry = Ranked(entry);
            if self.kept.len() < self.k {
                self.kept.push(entry);
            } else if let Some(mut worst) = self.kept.peek_mut()
                && entry < *worst
            {
                *worst = entry;
            }
        }
        taken < n
    }

    fn finish(mut self) -> Vec<(K, usize)> {
        while !self.step(usize::MAX) {}
        self.kept
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.0)
            .collect()
    }
}

#[cfg(test)]
fn top_k<K: Ord + 'static>(counts: Vec<(K, usize)>, k: usize) -> Vec<(K, usize)> {
    TopK::new(counts.into_iter(), k).finish()
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

/// `summarize` in steps, for views of millions of rows (a chunk a task):
/// `add` every chunk of the rows, then `bin` every chunk again (the
/// histogram needs the range first), then `finish`. Chunks in order give
/// exactly `summarize`'s answer (sums are added in the same order).
/// Values a column summary lists.
const SUMMARY_TOP: usize = 10;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column::ColumnBuilder;

    proptest::proptest! {
        /// The heap's top k equals sorting everything by (count desc, key) and
        /// keeping the first k, ties and all.
        #[test]
        fn top_k_equals_a_full_sort(
            counts in proptest::collection::vec((0u8..20, 1usize..5), 0..200),
            k in 0usize..30,
        ) {
            let mut all = counts.clone();
            all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            all.truncate(k);
            proptest::prop_assert_eq!(top_k(counts, k), all);
        }
    }

    /// Integers tie by their text, as every other value does.
    #[test]
    fn integers_tie_by_their_text() {
        let values = [9i64, 10, 100, -5, i64::MIN, 0, 9];
        let col = Column::new(
            "n",
            None,
            ColumnData::Int {
                values: values.to_vec(),
                valid: crate::bitmap::Bitmap::filled(values.len(), true),
            },
        );
        let rows: Vec<u32> = (0..values.len() as u32).collect();
        let mut want: Vec<String> = values[..6].iter().map(i64::to_string).collect();
        want.sort();
        want.retain(|v| v != "9");
        want.insert(0, "9".into());
        let got: Vec<String> = top_values(&col, &rows, 10)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(got, want);
        assert_eq!(top_values(&col, &rows, 1), [("9".to_string(), 2)]);
    }

    /// A mostly distinct column counted in chunks, with the rows announced,
    /// ranks as the one-shot count does.
    #[test]
    fn expected_rows_do_not_change_the_counts() {
        let mut b = ColumnBuilder::new();
        for i in 0..20_000 {
            b.push_value(Value::Str(format!("caption {}", i % 15_000)));
        }
        let col = Column::new("s", None, b.finish(&Default::default()));
        let rows: Vec<u32> = (0..20_000).collect();
        let mut counter = ValueCounter::new(&col);
        counter.expect_rows(rows.len());
        for chunk in rows.chunks(3_000) {
            counter.add(chunk);
        }
        assert_eq!(counter.top(10), top_values(&col, &rows, 10));
    }

    /// High-cardinality strings are stored as text, counted by borrowed slices.
    #[test]
    fn top_values_of_a_text_column_rank_by_count_then_text() {
        let mut b = ColumnBuilder::new();
        for i in 0..10_000 {
            b.push_value(Value::Str(format!("s{}", i % 6_000)));
        }
        let col = Column::new("s", None, b.finish(&Default::default()));
        assert!(matches!(col.data(), ColumnData::Text { .. }));
        let rows: Vec<u32> = (0..10_000).collect();
        // s0..s3999 appear twice; among them "s0" < "s1" < "s10" < "s100" by text.
        let want: Vec<(String, usize)> = ["s0", "s1", "s10", "s100"]
            .iter()
            .map(|s| (s.to_string(), 2))
            .collect();
        assert_eq!(top_values(&col, &rows, 4), want);
        let odd: Vec<u32> = (4_000..6_000).collect();
        assert_eq!(top_values(&col, &odd, 1), [("s4000".to_string(), 1)]);
    }
}
