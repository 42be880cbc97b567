//! A filter over every part of a partitioned table too large for memory: the
//! parts go through one at a time (read, filtered, dropped) and only the
//! matching rows stay, each with its row number over all parts, up to a byte
//! budget. What a paged table's "filter all parts" shows.

use crate::bitmap::Bitmap;
use crate::column::ColumnData;
use crate::query::{Query, QueryError, run};
use crate::table::{Column, Table};

/// The column holding each match's row number over all parts.
pub const ROW_COLUMN: &str = "row";

/// A filter run part by part, in part order.
#[derive(Debug)]
pub struct PartScan {
    query: Query,
    budget: usize,
    matches: Option<Table>,
    rows_seen: usize,
    parts_seen: usize,
    full: bool,
}

impl PartScan {
    /// A scan for the rows where `filter` holds, keeping at most `budget` bytes.
    pub fn new(filter: &str, budget: usize) -> PartScan {
        PartScan {
            query: Query {
                filter: Some(filter.to_string()),
                ..Query::default()
            },
            budget,
            matches: None,
            rows_seen: 0,
            parts_seen: 0,
            full: false,
        }
    }

    /// Filters the next part. `Ok(false)`: the matches passed the budget, so
    /// the scan stops here (the matches so far are kept).
    pub fn add(&mut self, part: &Table) -> Result<bool, ScanError> {
        if self.full {
            return Ok(false);
        }
        let view = run(part, &self.query).map_err(ScanError::Query)?;
        let first = self.rows_seen;
        let gathered: Vec<Option<u32>> = view.rows.iter().map(|&r| Some(r)).collect();
        let numbers: Vec<i64> = view
            .rows
            .iter()
            .map(|&r| (first + r as usize) as i64)
            .collect();
        let mut columns = vec![Column::new(
            ROW_COLUMN,
            None,
            ColumnData::Int {
                valid: Bitmap::filled(numbers.len(), true),
                values: numbers,
            },
        )];
        columns.extend(part.columns.iter().map(|c| {
            Column::new(
                c.name.clone(),
                c.declared.clone(),
                c.data().gather(&gathered),
            )
        }));
        let found = Table::from_columns(columns).map_err(ScanError::Columns)?;
        match &mut self.matches {
            Some(m) => m.append(found).map_err(ScanError::Columns)?,
            None => self.matches = Some(found),
        }
        self.rows_seen += part.row_count();
        self.parts_seen += 1;
        if self.matches.as_ref().map_or(0, Table::heap_bytes) > self.budget {
            self.full = true;
        }
        Ok(!self.full)
    }

    /// Rows of the parts scanned so far.
    pub fn rows_seen(&self) -> usize {
        self.rows_seen
    }

    /// Parts scanned so far.
    pub fn parts_seen(&self) -> usize {
        self.parts_seen
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
        let mut scan = PartScan::new(r#"label == "dog" and id % 3 == 0"#, usize::MAX);
        for p in 0..3 {
            assert!(scan.add(&part(p * 100, 10)).expect("filters"));
        }
        assert_eq!((scan.parts_seen(), scan.rows_seen()), (3, 30));
        let m = scan.matches().expect("matches");
        assert_eq!(ints(&m, "id"), [3, 9, 105, 201, 207]);
        assert_eq!(ints(&m, ROW_COLUMN), [3, 9, 15, 21, 27]);
        assert_eq!(m.columns[0].name, ROW_COLUMN);
    }

    #[test]
    fn the_scan_stops_once_the_matches_pass_the_budget() {
        let mut scan = PartScan::new("id >= 0", 1);
        assert!(!scan.add(&part(0, 10)).expect("filters"));
        assert!(scan.stopped_at_budget());
        assert!(!scan.add(&part(10, 10)).expect("no more"));
        assert_eq!(scan.parts_seen(), 1);
        assert_eq!(scan.matches().map(|m| m.row_count()), Some(10));
    }

    #[test]
    fn a_bad_filter_is_an_error_naming_it() {
        let mut scan = PartScan::new("nope > 1", usize::MAX);
        let err = scan.add(&part(0, 3)).expect_err("unknown column");
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
