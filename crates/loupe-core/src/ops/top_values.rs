//! The most frequent values of a column: counted over rows given in chunks
//! (`ValueCounter`, keyed by what the storage holds), then ranked in steps
//! (`Ranking`, a heap of the best k), so a grouped cell or column summary of
//! millions of rows never counts or ranks in one long task.

use crate::column::ColumnData;
use crate::fxhash::FxMap;
use crate::table::Column;
use crate::value::Value;

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

impl Counts<'_> {
    /// Distinct values counted in a hash table (a dictionary's codes: 0, its
    /// slots are all there from the start).
    fn distinct(&self) -> usize {
        match self {
            Counts::Bytes(map) => map.len(),
            Counts::Ints(map) => map.len(),
            Counts::Texts(map) => map.len(),
            Counts::Codes(_) => 0,
        }
    }

    /// Room for `more` distinct values in the hash table.
    fn reserve(&mut self, more: usize) {
        match self {
            Counts::Bytes(map) => map.reserve(more),
            Counts::Ints(map) => map.reserve(more),
            Counts::Texts(map) => map.reserve(more),
            Counts::Codes(_) => {}
        }
    }
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
        if to_come > 0 && self.counts.distinct() * 2 > rows.len() {
            self.counts.reserve(to_come);
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
