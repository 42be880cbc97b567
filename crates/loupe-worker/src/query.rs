//! Queries on large tables, run here so the page's main thread stays free
//! (and a query can be stopped by ending this worker). The page sends the
//! columns a query reads, once per table; they stay here for its next queries.

use std::cell::RefCell;

use loupe_core::query::{Query, run};
use loupe_core::{Table, frame, view_frame};

thread_local! {
    /// The page's table this worker holds columns of (its key), and those columns.
    static TABLE: RefCell<(u32, Table)> = RefCell::new((0, Table::default()));
    /// The row slices of the column being received.
    static PENDING: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// The table `key` (`rows` rows) this worker holds, emptied if it held another.
fn held_table<T>(key: u32, rows: usize, then: impl FnOnce(&mut Table) -> T) -> Result<T, String> {
    TABLE.with(|held| {
        let mut held = held.borrow_mut();
        if held.0 != key || held.1.row_count() != rows {
            let empty = Table::with_row_count(Vec::new(), rows).map_err(|e| e.to_string())?;
            *held = (key, empty);
        }
        Ok(then(&mut held.1))
    })
}

/// One row slice (a frame) of a column for table `key` (`rows` rows); after
/// the last (`more` false) the joined column is added to the table.
pub fn add_slice(key: u32, rows: usize, frame: &[u8], more: bool) -> Result<(), String> {
    let joined = frame::decode(frame)
        .map_err(|e| format!("the columns sent: {e}"))
        .and_then(|slice| {
            PENDING.with(|p| {
                let mut p = p.borrow_mut();
                match p.as_mut() {
                    Some(sofar) => sofar.append(slice).map_err(|e| e.to_string())?,
                    None => *p = Some(slice),
                }
                Ok(if more { None } else { p.take() })
            })
        });
    match joined {
        Ok(Some(column)) => add_columns(key, rows, column),
        Ok(None) => Ok(()),
        Err(e) => {
            PENDING.with(|p| p.borrow_mut().take());
            Err(e)
        }
    }
}

/// Adds the columns of `sent` to table `key` (`rows` rows).
fn add_columns(key: u32, rows: usize, sent: Table) -> Result<(), String> {
    if sent.row_count() != rows && !sent.columns.is_empty() {
        return Err(format!(
            "the columns sent have {} rows, the table {rows}",
            sent.row_count()
        ));
    }
    held_table(key, rows, |table| {
        for column in sent.columns {
            if table.column(&column.name).is_none() {
                table.columns.push(column);
            }
        }
    })
}

/// Runs the query given as URL parameters over table `key` (`rows` rows)
/// and returns the view's bytes.
pub fn run_query(key: u32, rows: usize, params: &[(String, String)]) -> Result<Vec<u8>, String> {
    let query = Query::from_params(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    held_table(key, rows, |table| run(table, &query))?
        .map(|view| view_frame::encode(&view))
        .map_err(|e| e.to_string())
}

/// Drops the columns of table `key` (the page closed it).
pub fn forget(key: u32) {
    TABLE.with(|held| {
        let mut held = held.borrow_mut();
        if held.0 == key {
            *held = (0, Table::default());
        }
    });
}
