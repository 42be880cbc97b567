//! Partitions on demand: which consecutive parts of a partitioned table are in
//! memory, within a byte budget.
//!
//! A partitioned table (W&B parts, or the files of a Parquet dataset) can be far
//! larger than a browser tab's memory. The app keeps a *window* of consecutive
//! parts as one `Table` and moves it a part at a time as the user pages through:
//! the part on the far side is evicted when the budget would be passed, and
//! fetched again if the user comes back to it. This module is the bookkeeping
//! and the table surgery; fetching is the app's job.

use std::borrow::Cow;
use std::ops::Range;

use crate::error::FormatError;
use crate::table::Table;

/// What went wrong adding a part to the window.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WindowError {
    #[error("part {part} does not exist (the table has {count} parts)")]
    NoSuchPart { part: usize, count: usize },
    #[error("part {part} is not next to the loaded parts {}..{}", loaded.start, loaded.end)]
    NotAdjacent { part: usize, loaded: Range<usize> },
    #[error("the shown table has {shown} rows, the loaded parts {expected}")]
    RowsMismatch { shown: usize, expected: usize },
    #[error(transparent)]
    Columns(#[from] FormatError),
}

#[derive(Debug, Clone, Default)]
struct PartState {
    /// Size of the part's file, if the manifest says (for estimates before fetching).
    file_bytes: Option<u64>,
    /// Rows and in-memory bytes, once the part has been read.
    rows: Option<usize>,
    bytes: usize,
    /// How many times the part was read (more than once after an eviction).
    fetches: u32,
}

/// The consecutive parts in memory, and what is known of the others.
#[derive(Debug, Clone)]
pub struct PartitionWindow {
    parts: Vec<PartState>,
    loaded: Range<usize>,
    budget: usize,
}

/// The window after a part was added: the table to show and the parts evicted.
#[derive(Debug)]
pub struct Moved {
    pub table: Table,
    pub evicted: Vec<usize>,
}

impl PartitionWindow {
    /// A window over parts whose file sizes are `file_bytes` (unknown: `None`),
    /// keeping at most `budget` bytes of columns in memory (one part is always
    /// kept, even when it alone is larger).
    pub fn new(file_bytes: Vec<Option<u64>>, budget: usize) -> PartitionWindow {
        PartitionWindow {
            parts: file_bytes
                .into_iter()
                .map(|file_bytes| PartState {
                    file_bytes,
                    ..PartState::default()
                })
                .collect(),
            loaded: 0..0,
            budget,
        }
    }

    pub fn part_count(&self) -> usize {
        self.parts.len()
    }

    pub fn budget(&self) -> usize {
        self.budget
    }

    /// The parts in memory (`start..end`; empty before the first part arrives).
    pub fn loaded(&self) -> Range<usize> {
        self.loaded.clone()
    }

    /// Bytes of columns of the loaded parts.
    pub fn loaded_bytes(&self) -> usize {
        self.parts[self.loaded.clone()]
            .iter()
            .map(|p| p.bytes)
            .sum()
    }

    /// Rows of the loaded parts.
    pub fn loaded_rows(&self) -> usize {
        self.parts[self.loaded.clone()]
            .iter()
            .filter_map(|p| p.rows)
            .sum()
    }

    /// Times part `i` has been read (0: never; 2: evicted once and read again).
    pub fn fetches(&self, part: usize) -> u32 {
        self.parts.get(part).map_or(0, |p| p.fetches)
    }

    /// The part after the window, if any.
    pub fn next(&self) -> Option<usize> {
        if self.loaded.is_empty() {
            return (!self.parts.is_empty()).then_some(0);
        }
        (self.loaded.end < self.parts.len()).then_some(self.loaded.end)
    }

    /// The part before the window, if any.
    pub fn previous(&self) -> Option<usize> {
        self.loaded
            .start
            .checked_sub(1)
            .filter(|_| !self.loaded.is_empty())
    }

    /// The table row (over all parts) of the window's first row, when every
    /// part before it has been read once (always, when paging from part 0).
    pub fn first_row(&self) -> Option<usize> {
        self.parts[..self.loaded.start].iter().map(|p| p.rows).sum()
    }

    /// Rows of the whole table, once every part has been read.
    pub fn total_rows(&self) -> Option<usize> {
        self.parts.iter().map(|p| p.rows).sum()
    }

    /// Whether reading part `i` next would stay within the budget, estimated
    /// from its file size and the memory-to-file ratio of the parts read so far
    /// (1:1 before any). Used to decide how many parts to load up front.
    pub fn would_fit(&self, part: usize) -> bool {
        let Some(state) = self.parts.get(part) else {
            return false;
        };
        let read: Vec<&PartState> = self.parts.iter().filter(|p| p.rows.is_some()).collect();
        let file: u64 = read.iter().filter_map(|p| p.file_bytes).sum();
        let memory: usize = read
            .iter()
            .filter(|p| p.file_bytes.is_some())
            .map(|p| p.bytes)
            .sum();
        let ratio = if file > 0 {
            memory as f64 / file as f64
        } else {
            1.0
        };
        let estimate = match (state.rows, state.file_bytes) {
            (Some(_), _) => state.bytes as f64,
            (None, Some(f)) => f as f64 * ratio,
            // Unknown size: assume the average of the parts read so far.
            (None, None) if !read.is_empty() => {
                read.iter().map(|p| p.bytes).sum::<usize>() as f64 / read.len() as f64
            }
            (None, None) => 0.0,
        };
        self.loaded_bytes() as f64 + estimate <= self.budget as f64
    }

    /// Adds part `part` (its rows in `table`) next to the window whose rows are
    /// `shown`, evicting parts from the far side while the budget is passed.
    /// Returns the new window's table: `shown`'s kept rows and the part's, in
    /// part order (appended in place when nothing is evicted).
    pub fn add(&mut self, shown: Table, part: usize, table: Table) -> Result<Moved, WindowError> {
        self.add_part(Cow::Owned(shown), part, table)
    }

    /// `add` for a window table that stays shown meanwhile (the kept rows are copied).
    pub fn add_beside(
        &mut self,
        shown: &Table,
        part: usize,
        table: Table,
    ) -> Result<Moved, WindowError> {
        self.add_part(Cow::Borrowed(shown), part, table)
    }

    fn add_part(
        &mut self,
        shown: Cow<'_, Table>,
        part: usize,
        table: Table,
    ) -> Result<Moved, WindowError> {
        let count = self.parts.len();
        if part >= count {
            return Err(WindowError::NoSuchPart { part, count });
        }
        let expected = self.loaded_rows();
        if shown.row_count() != expected {
            return Err(WindowError::RowsMismatch {
                shown: shown.row_count(),
                expected,
            });
        }
        let at_end = self.loaded.is_empty() || part == self.loaded.end;
        let at_start = !self.loaded.is_empty() && part + 1 == self.loaded.start;
        if !at_end && !at_start {
            return Err(WindowError::NotAdjacent {
                part,
                loaded: self.loaded(),
            });
        }
        // The columns must match before anything is recorded.
        let mut probe = shown.slice(0, 0);
        if !self.loaded.is_empty() {
            probe.append(table.slice(0, 0))?;
        }

        let state = &mut self.parts[part];
        state.rows = Some(table.row_count());
        state.bytes = table.heap_bytes();
        state.fetches += 1;
        let mut evicted = Vec::new();
        let table = if at_end {
            self.loaded = if self.loaded.is_empty() {
                part..part + 1
            } else {
                self.loaded.start..part + 1
            };
            let mut dropped_rows = 0;
            while self.loaded_bytes() > self.budget && self.loaded.len() > 1 {
                dropped_rows += self.parts[self.loaded.start].rows.unwrap_or(0);
                evicted.push(self.loaded.start);
                self.loaded.start += 1;
            }
            let mut kept = match shown {
                Cow::Owned(t) if dropped_rows == 0 => t,
                shown => shown.slice(dropped_rows, shown.row_count()),
            };
            if kept.columns.is_empty() {
                table
            } else {
                kept.append(table)?;
                kept
            }
        } else {
            self.loaded = part..self.loaded.end;
            let mut dropped_rows = 0;
            while self.loaded_bytes() > self.budget && self.loaded.len() > 1 {
                self.loaded.end -= 1;
                dropped_rows += self.parts[self.loaded.end].rows.unwrap_or(0);
                evicted.push(self.loaded.end);
            }
            let kept = match shown {
                Cow::Owned(t) if dropped_rows == 0 => t,
                shown => shown.slice(0, shown.row_count() - dropped_rows),
            };
            let mut table = table;
            table.append(kept)?;
            table
        };
        Ok(Moved { table, evicted })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;
    use crate::column::ColumnData;
    use crate::table::Column;

    /// Part `p` of `rows` rows: `id` counts from `p * 1000`.
    fn part(p: usize, rows: usize) -> Table {
        let ids: Vec<i64> = (0..rows).map(|r| (p * 1000 + r) as i64).collect();
        Table::from_columns(vec![Column::new(
            "id",
            None,
            ColumnData::Int {
                valid: crate::bitmap::Bitmap::filled(rows, true),
                values: ids,
            },
        )])
        .expect("table")
    }

    fn ids(t: &Table) -> Vec<i64> {
        let col = t.column("id").expect("id");
        (0..t.row_count())
            .map(|r| match col.get(r) {
                Value::Int(v) => v,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn empty() -> Table {
        Table::from_columns(Vec::new()).expect("empty")
    }

    #[test]
    fn paging_forward_evicts_the_first_parts_and_back_refetches_them() {
        let bytes = part(0, 100).heap_bytes();
        // Room for two parts of 100 rows.
        let mut w = PartitionWindow::new(vec![None; 4], 2 * bytes + bytes / 2);
        let mut shown = empty();
        for p in 0..4 {
            assert_eq!(w.next(), Some(p));
            let moved = w.add(shown, p, part(p, 100)).expect("add");
            shown = moved.table;
            assert_eq!(moved.evicted, if p >= 2 { vec![p - 2] } else { vec![] });
        }
        assert_eq!(w.loaded(), 2..4);
        assert_eq!(w.first_row(), Some(200));
        assert_eq!(w.total_rows(), Some(400));
        assert!(w.loaded_bytes() <= w.budget());
        let expected: Vec<i64> = (2000..2100).chain(3000..3100).collect();
        assert_eq!(ids(&shown), expected);
        assert_eq!(w.next(), None);

        // Back: part 1 is read again, part 3 goes.
        assert_eq!(w.previous(), Some(1));
        let moved = w.add_beside(&shown, 1, part(1, 100)).expect("back");
        assert_eq!(moved.evicted, vec![3]);
        assert_eq!(w.loaded(), 1..3);
        assert_eq!(w.fetches(1), 2);
        assert_eq!(w.fetches(3), 1);
        let expected: Vec<i64> = (1000..1100).chain(2000..2100).collect();
        assert_eq!(ids(&moved.table), expected);
        assert_eq!(w.first_row(), Some(100));
    }

    #[test]
    fn a_part_larger_than_the_budget_is_still_shown_alone() {
        let mut w = PartitionWindow::new(vec![None; 2], 1);
        let a = w.add(empty(), 0, part(0, 10)).expect("first");
        let b = w.add_beside(&a.table, 1, part(1, 10)).expect("second");
        assert_eq!(b.evicted, vec![0]);
        assert_eq!(w.loaded(), 1..2);
        assert_eq!(ids(&b.table), (1000..1010).collect::<Vec<_>>());
    }

    #[test]
    fn parts_must_be_adjacent_exist_and_match() {
        let mut w = PartitionWindow::new(vec![None; 3], usize::MAX);
        let a = w.add(empty(), 0, part(0, 5)).expect("first");
        assert!(matches!(
            w.add_beside(&a.table, 2, part(2, 5)),
            Err(WindowError::NotAdjacent { part: 2, .. })
        ));
        assert!(matches!(
            w.add_beside(&a.table, 7, part(7, 5)),
            Err(WindowError::NoSuchPart { part: 7, count: 3 })
        ));
        assert!(matches!(
            w.add(empty(), 1, part(1, 5)),
            Err(WindowError::RowsMismatch { .. })
        ));
        let other = Table::single_column("label", Value::Str("x".into()));
        let err = w
            .add_beside(&a.table, 1, other)
            .expect_err("columns differ");
        assert!(err.to_string().contains("differ"), "{err}");
        // Nothing was recorded by the failures.
        assert_eq!(w.loaded(), 0..1);
        assert_eq!(w.fetches(1), 0);
    }

    #[test]
    fn would_fit_estimates_from_file_sizes_and_parts_read() {
        let bytes = part(0, 100).heap_bytes();
        // Files of 1000 bytes; memory turns out to be `bytes` per part.
        let mut w = PartitionWindow::new(vec![Some(1000); 5], 3 * bytes);
        let mut shown = empty();
        let mut p = 0;
        while let Some(next) = w.next().filter(|&n| w.would_fit(n)) {
            shown = w.add(shown, next, part(next, 100)).expect("add").table;
            p += 1;
        }
        assert_eq!(p, 3, "three parts fit the budget");
        assert_eq!(shown.row_count(), 300);
        assert!(!w.would_fit(3));
    }

    proptest::proptest! {
        /// Any walk forwards and backwards over parts of any sizes: the window
        /// is always the loaded parts' rows in order, within the budget unless
        /// one part alone passes it, and a part is re-read only after eviction.
        #[test]
        fn any_walk_keeps_the_window_consistent(
            sizes in proptest::collection::vec(0usize..60, 1..8),
            budget_rows in 1usize..150,
            steps in proptest::collection::vec(proptest::bool::ANY, 0..30),
        ) {
            let per_row = part(0, 1000).heap_bytes() / 1000;
            let mut w = PartitionWindow::new(vec![None; sizes.len()], budget_rows * per_row);
            let mut shown = w.add(empty(), 0, part(0, sizes[0])).expect("first").table;
            let mut resident = vec![false; sizes.len()];
            resident[0] = true;
            for forward in steps {
                let target = if forward { w.next() } else { w.previous() };
                let Some(p) = target else { continue };
                let before = w.fetches(p);
                proptest::prop_assert!(!resident[p], "part {} read while loaded", p);
                let moved = if forward {
                    w.add(shown, p, part(p, sizes[p]))
                } else {
                    w.add_beside(&shown, p, part(p, sizes[p]))
                }
                .expect("adjacent");
                proptest::prop_assert_eq!(w.fetches(p), before + 1);
                resident[p] = true;
                for e in &moved.evicted {
                    resident[*e] = false;
                }
                shown = moved.table;
                let loaded = w.loaded();
                proptest::prop_assert!(loaded.contains(&p));
                proptest::prop_assert!(w.loaded_bytes() <= w.budget() || loaded.len() == 1);
                let expected: Vec<i64> = loaded
                    .clone()
                    .flat_map(|q| (0..sizes[q]).map(move |r| (q * 1000 + r) as i64))
                    .collect();
                proptest::prop_assert_eq!(ids(&shown), expected);
                let first: usize = sizes[..loaded.start].iter().sum();
                proptest::prop_assert_eq!(w.first_row(), Some(first));
                for (q, r) in resident.iter().enumerate() {
                    proptest::prop_assert_eq!(*r, loaded.contains(&q));
                }
            }
        }
    }
}
