//! A query over every part of a partitioned table too large for memory: the
//! parts go through one at a time (read, filtered, dropped) and only what the
//! view needs stays, each row with its row number over all parts, within a
//! byte budget. Unsorted, that is every matching row (up to the budget: the
//! scan stops there); sorted, the first rows of the order over all parts —
//! each part's best merged with the best so far, so every part is read and
//! the kept rows never grow past `TOP_ROWS` (or the budget). Sorting the kept
//! rows again gives the same order, so the view's own query can run on them.
//! What a paged table's "filter all parts" / "sort all parts" shows.

use crate::bitmap::Bitmap;
use crate::column::ColumnData;
use crate::query::{Query, QueryError, run};
use crate::table::{Column, Table};

/// The column holding each match's row number over all parts.
pub const ROW_COLUMN: &str = "row";

/// The most rows a sorted scan keeps: the top of the order, a few screens of
/// the grid many times over.
pub const TOP_ROWS: usize = 10_000;

/// How far a scan of every part has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanProgress {
    /// Parts read.
    pub parts: usize,
    /// Rows of those parts.
    pub rows: usize,
    /// Rows where the filter held (kept or not).
    pub matched: usize,
}

impl ScanProgress {
    pub(crate) fn count(&mut self, part_rows: usize, matched: usize) {
        self.parts += 1;
        self.rows += part_rows;
        self.matched += matched;
    }
}

/// A scan that takes a partitioned table's parts one at a time, in order.
pub trait PartSink {
    /// Takes the next part. `Ok(false)`: the scan has what it can hold and
    /// stops here.
    fn add(&mut self, part: &Table) -> Result<bool, ScanError>;
    fn progress(&self) -> ScanProgress;
}

/// A filter and sort run part by part, in part order.
#[derive(Debug)]
pub struct PartScan {
    /// The filter, sort and derived columns (a grouping is not scanned).
    query: Query,
    /// The sort alone (with the derived columns it may name), to order the
    /// kept rows merged with a part's.
    order: Query,
    budget: usize,
    /// Rows a sorted scan keeps (`None`: unsorted, every match).
    top: Option<usize>,
    matches: Option<Table>,
    progress: ScanProgress,
    full: bool,
}

impl PartScan {
    /// A scan for `query`'s filter and sort (and the derived columns they
    /// name), keeping at most `budget` bytes of rows.
    pub fn over(query: &Query, budget: usize) -> PartScan {
        let mut computation = query.computation();
        computation.group.clear();
        let order = Query {
            sort: computation.sort.clone(),
            derived: computation.derived.clone(),
            ..Query::default()
        };
        PartScan {
            top: (!computation.sort.is_empty()).then_some(TOP_ROWS),
            query: computation,
            order,
            budget,
            matches: None,
            progress: ScanProgress::default(),
            full: false,
        }
    }

    /// Keeps at most `rows` rows when the scan is sorted (default `TOP_ROWS`).
    pub fn keeping(mut self, rows: usize) -> PartScan {
        if self.top.is_some() {
            self.top = Some(rows.max(1));
        }
        self
    }

    /// The first `k` rows of `table` in the scan's order (stable: ties keep
    /// their order, which is their order over all parts).
    fn first_in_order(&self, table: &Table, k: usize) -> Result<Table, ScanError> {
        let view = run(table, &self.order).map_err(ScanError::Query)?;
        Ok(table.gather_rows(&view.rows[..k.min(view.rows.len())]))
    }

    /// Rows kept so far.
    pub fn kept(&self) -> usize {
        self.matches.as_ref().map_or(0, Table::row_count)
    }

    /// Whether the scan keeps the first rows of a sort (rather than every match).
    pub fn is_sorted(&self) -> bool {
        self.top.is_some()
    }

    /// Whether the scan stopped at the budget.
    pub fn stopped_at_budget(&self) -> bool {
        self.full
    }

    /// The matching rows, `row` first (`None` before any part).
    pub fn matches(self) -> Option<Table> {
        self.matches
    }
}

impl PartSink for PartScan {
    /// Filters (and orders) the next part. `Ok(false)`: the matches of an
    /// unsorted scan passed the budget, so it stops here (the matches so far
    /// are kept). A sorted scan keeps fewer rows instead, and goes on.
    fn add(&mut self, part: &Table) -> Result<bool, ScanError> {
        if self.full {
            return Ok(false);
        }
        let view = run(part, &self.query).map_err(ScanError::Query)?;
        let keep = self.top.map_or(view.rows.len(), |k| k.min(view.rows.len()));
        let found = with_row_numbers(part, &view.rows[..keep], self.progress.rows)?;
        self.progress.count(part.row_count(), view.rows.len());
        let mut merged = match self.matches.take() {
            Some(mut m) => {
                m.append(found).map_err(ScanError::Columns)?;
                m
            }
            None => found,
        };
        if let Some(k) = self.top {
            merged = self.first_in_order(&merged, k)?;
        }
        let mut bytes = merged.heap_bytes();
        if bytes > self.budget {
            match self.top {
                Some(_) => {
                    // Fewer rows from now on: as many as the budget holds
                    // (bytes are not quite proportional to rows: dictionaries).
                    while bytes > self.budget && merged.row_count() > 1 {
                        let rows = merged.row_count();
                        let fit = (rows as u128 * self.budget as u128 / bytes as u128) as usize;
                        merged = merged.slice(0, fit.clamp(1, rows - 1));
                        bytes = merged.heap_bytes();
                    }
                    self.top = Some(merged.row_count());
                }
                None => self.full = true,
            }
        }
        self.matches = Some(merged);
        Ok(!self.full)
    }

    fn progress(&self) -> ScanProgress {
        self.progress
    }
}

/// `rows` of `part`, after a `row` column of their numbers over all parts
/// (`first`: the rows before this part).
fn with_row_numbers(part: &Table, rows: &[u32], first: usize) -> Result<Table, ScanError> {
    let numbers: Vec<i64> = rows.iter().map(|&r| (first + r as usize) as i64).collect();
    let mut columns = vec![Column::new(
        ROW_COLUMN,
        None,
        ColumnData::Int {
            valid: Bitmap::filled(numbers.len(), true),
            values: numbers,
        },
    )];
    columns.extend(part.gather_rows(rows).columns);
    Table::from_columns(columns).map_err(ScanError::Columns)
}

/// Why a part could not be filtered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScanError {
    #[error("{0}")]
    Query(QueryError),
    #[error("{0}")]
    Columns(crate::FormatError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;

    fn part(first_id: i64, rows: usize) -> Table {
        let json = format!(
            r#"{{"_type": "table", "columns": ["id", "label"], "data": [{}]}}"#,
            (0..rows)
                .map(|r| format!(r#"[{}, "{}"]"#, first_id + r as i64, ["cat", "dog"][r % 2]))
                .collect::<Vec<_>>()
                .join(", ")
        );
        crate::read_table(json.as_bytes()).expect("part")
    }

    /// A scan for the rows where `filter` holds, keeping at most `budget` bytes.
    fn filter_scan(filter: &str, budget: usize) -> PartScan {
        let query = Query {
            filter: Some(filter.to_string()),
            ..Query::default()
        };
        PartScan::over(&query, budget)
    }

    fn ints(t: &Table, name: &str) -> Vec<i64> {
        let c = t.column(name).expect("column");
        (0..t.row_count())
            .map(|r| match c.get(r) {
                Value::Int(v) => v,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn matches_of_every_part_keep_their_row_numbers_over_all_parts() {
        let mut scan = filter_scan(r#"label == "dog" and id % 3 == 0"#, usize::MAX);
        for p in 0..3 {
            assert!(scan.add(&part(p * 100, 10)).expect("filters"));
        }
        let p = scan.progress();
        assert_eq!((p.parts, p.rows), (3, 30));
        let m = scan.matches().expect("matches");
        assert_eq!(ints(&m, "id"), [3, 9, 105, 201, 207]);
        assert_eq!(ints(&m, ROW_COLUMN), [3, 9, 15, 21, 27]);
        assert_eq!(m.columns[0].name, ROW_COLUMN);
    }

    #[test]
    fn the_scan_stops_once_the_matches_pass_the_budget() {
        let mut scan = filter_scan("id >= 0", 1);
        assert!(!scan.add(&part(0, 10)).expect("filters"));
        assert!(scan.stopped_at_budget());
        assert!(!scan.add(&part(10, 10)).expect("no more"));
        assert_eq!(scan.progress().parts, 1);
        assert_eq!(scan.matches().map(|m| m.row_count()), Some(10));
    }

    /// Parts of rows with a score (some null, many ties) and a label.
    fn scored_part(scores: &[Option<i8>], first: usize) -> Table {
        let rows: Vec<String> = scores
            .iter()
            .enumerate()
            .map(|(r, s)| {
                let score = s.map_or("null".to_string(), |s| s.to_string());
                format!(
                    r#"[{}, {score}, "{}"]"#,
                    first + r,
                    ["cat", "dog", "emu"][(first + r) % 3]
                )
            })
            .collect();
        let json = format!(
            r#"{{"_type": "table", "columns": ["id", "score", "label"], "data": [{}]}}"#,
            rows.join(", ")
        );
        crate::read_table(json.as_bytes()).expect("part")
    }

    fn query(filter: Option<&str>, sort: &str) -> Query {
        Query::from_params([("filter", filter.unwrap_or("")), ("sort", sort)])
    }

    #[test]
    fn a_sorted_scan_keeps_the_first_rows_over_all_parts() {
        let q = query(Some("label != \"emu\""), "score desc");
        let mut scan = PartScan::over(&q, usize::MAX).keeping(3);
        assert!(scan.is_sorted());
        for (p, scores) in [
            [Some(1), Some(5), None],
            [Some(9), Some(2), Some(5)],
            [Some(7), Some(9), Some(0)],
        ]
        .iter()
        .enumerate()
        {
            assert!(scan.add(&scored_part(scores, p * 3)).expect("scans"));
        }
        assert_eq!(scan.progress().matched, 6);
        let m = scan.matches().expect("rows");
        // Ids 0..9; emu rows (2, 5, 8) filtered out; then 9 (id 3), 9 (id 7), 7 (id 6).
        assert_eq!(ints(&m, ROW_COLUMN), [3, 7, 6]);
    }

    proptest::proptest! {
        /// However the rows fall into parts, a sorted scan keeps what sorting
        /// all of them and taking the first `k` gives, and sorting what it kept
        /// again changes nothing.
        #[test]
        fn sorted_scans_equal_sorting_everything(
            parts in proptest::collection::vec(
                proptest::collection::vec(proptest::option::weighted(0.8, -3i8..4), 0..12),
                1..6,
            ),
            k in 1usize..15,
            sort in proptest::sample::select(vec!["score desc", "score", "label, score desc", "-score * 2"]),
            filter in proptest::sample::select(vec![None, Some("score > 0"), Some("label == \"dog\"")]),
        ) {
            let q = query(filter, sort);
            let mut scan = PartScan::over(&q, usize::MAX).keeping(k);
            let mut first = 0;
            let mut all: Vec<Option<i8>> = Vec::new();
            for scores in &parts {
                scan.add(&scored_part(scores, first)).expect("scans");
                first += scores.len();
                all.extend(scores);
            }
            let whole = scored_part(&all, 0);
            let view = run(&whole, &q).expect("runs");
            let expected: Vec<i64> = view.rows.iter().take(k).map(|&r| r as i64).collect();
            let kept = scan.matches().expect("a part");
            proptest::prop_assert_eq!(ints(&kept, ROW_COLUMN), expected.clone());
            let again = run(&kept, &q).expect("runs");
            let rows = ints(&kept, ROW_COLUMN);
            let reordered: Vec<i64> = again.rows.iter().map(|&r| rows[r as usize]).collect();
            proptest::prop_assert_eq!(reordered, expected);
        }
    }

    #[test]
    fn a_sorted_scan_over_budget_keeps_fewer_rows_and_goes_on() {
        let q = query(None, "score");
        let mut scan = PartScan::over(&q, 200);
        let scores: Vec<Option<i8>> = (0..50).map(|i| Some((i % 7) as i8)).collect();
        assert!(scan.add(&scored_part(&scores, 0)).expect("scans"));
        assert!(scan.add(&scored_part(&scores, 50)).expect("goes on"));
        assert!(!scan.stopped_at_budget());
        assert_eq!(scan.progress().parts, 2);
        let m = scan.matches().expect("rows");
        assert!(
            m.row_count() >= 1 && m.row_count() < 50,
            "{}",
            m.row_count()
        );
        assert!(
            m.heap_bytes() <= 200 || m.row_count() == 1,
            "{}",
            m.heap_bytes()
        );
    }

    #[test]
    fn a_bad_filter_is_an_error_naming_it() {
        let mut scan = filter_scan("nope > 1", usize::MAX);
        let err = scan.add(&part(0, 3)).expect_err("unknown column");
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
