//! The in-memory table: named, typed columns (see `column` for the storage).

use std::borrow::Cow;

use crate::column::{ColumnBuilder, ColumnData, DataType};
use crate::error::FormatError;
use crate::json::Json;
use crate::value::{CellHint, Value, ValueKind};
use crate::wbtype::{WbType, column_type_map};

/// A table: a `.table.json` file, a nested table cell, or a query result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    row_count: usize,
}

/// One column: a name, the SDK's declared type (a hint), and typed storage.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub declared: Option<WbType>,
    data: ColumnData,
    dtype: DataType,
}

impl Column {
    pub fn new(name: impl Into<String>, declared: Option<WbType>, data: ColumnData) -> Self {
        let dtype = data.data_type();
        Column {
            name: name.into(),
            declared,
            data,
            dtype,
        }
    }

    pub fn data(&self) -> &ColumnData {
        &self.data
    }

    pub fn data_type(&self) -> DataType {
        self.dtype
    }

    /// The kind shared by all non-null cells, or `None` when they differ (mixed).
    pub fn kind(&self) -> Option<ValueKind> {
        self.dtype.kind()
    }

    /// Short type label for the header.
    pub fn kind_label(&self) -> &'static str {
        self.dtype.name()
    }

    /// Rows `start..end` as a column of their own.
    pub fn slice(&self, start: usize, end: usize) -> Column {
        let end = end.min(self.len());
        let start = start.min(end);
        let rows: Vec<Option<u32>> = (start..end).map(|r| Some(r as u32)).collect();
        Column::new(
            self.name.clone(),
            self.declared.clone(),
            self.data.gather(&rows),
        )
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Cell `row` as an owned value.
    pub fn get(&self, row: usize) -> Value {
        self.data.get(row)
    }

    /// Cell `row`, borrowed where the storage holds values.
    pub fn value(&self, row: usize) -> Cow<'_, Value> {
        self.data.value(row)
    }

    /// The cells, where the column stores `Value`s (nested, media, mixed columns).
    pub fn nested_values(&self) -> Option<&[Value]> {
        match &self.data {
            ColumnData::Values(v) => Some(v),
            _ => None,
        }
    }
}

impl Table {
    /// A table from finished columns; all must have the same length.
    pub fn from_columns(columns: Vec<Column>) -> Result<Table, FormatError> {
        let row_count = columns.first().map_or(0, Column::len);
        if let Some(bad) = columns.iter().find(|c| c.len() != row_count) {
            return Err(FormatError::BadField {
                field: "columns",
                message: format!(
                    "column `{}` has {} rows, expected {row_count}",
                    bad.name,
                    bad.len()
                ),
            });
        }
        Ok(Table { columns, row_count })
    }

    /// A table of `rows` rows, which may have no columns yet (a query's
    /// inputs when its expressions read none).
    pub fn with_row_count(columns: Vec<Column>, rows: usize) -> Result<Table, FormatError> {
        let mut table = Table::from_columns(columns)?;
        if table.columns.is_empty() {
            table.row_count = rows;
        } else if table.row_count != rows {
            return Err(FormatError::BadField {
                field: "columns",
                message: format!("columns have {} rows, expected {rows}", table.row_count),
            });
        }
        Ok(table)
    }

    pub fn row_count(&self) -> usize {
        self.row_count
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Builds a table from a parsed `table` object (nested table cells). Files are
    /// read by `TableReader`, which skips the intermediate JSON tree.
    pub fn from_json(json: &Json) -> Result<Table, FormatError> {
        match json.get("_type").and_then(Json::as_str) {
            Some("table") | None => {}
            Some(other) => {
                return Err(FormatError::WrongType {
                    expected: "table".into(),
                    found: other.into(),
                });
            }
        }
        let names = column_names(json.get("columns"))?;
        let rows = json
            .get("data")
            .ok_or(FormatError::MissingField("data"))?
            .as_array()
            .ok_or(FormatError::BadField {
                field: "data",
                message: "must be a list of rows".into(),
            })?;
        let mut builders: Vec<ColumnBuilder> = names.iter().map(|_| ColumnBuilder::new()).collect();
        for (r, row) in rows.iter().enumerate() {
            match row.as_array() {
                Some(cells) => {
                    for (c, b) in builders.iter_mut().enumerate() {
                        match cells.get(c) {
                            Some(cell) => b.push_json(cell),
                            None => b.push_other(short_row(r, cells.len(), names.len())),
                        }
                    }
                }
                None => {
                    for b in &mut builders {
                        b.push_other(not_a_row(r, row));
                    }
                }
            }
        }
        assemble(names, builders, json.get("column_types"))
    }

    /// A one-column, one-row table (e.g. a standalone image file shown as a table).
    pub fn single_column(name: &str, value: Value) -> Table {
        let mut b = ColumnBuilder::new();
        b.push_value(value);
        Table {
            columns: vec![Column::new(name, None, b.finish(&CellHint::None))],
            row_count: 1,
        }
    }

    /// The rows of every table in order (same column names in the same order):
    /// partitions, row groups, record batches.
    pub fn concat(tables: Vec<Table>) -> Result<Table, FormatError> {
        let mut tables = tables.into_iter();
        let Some(mut all) = tables.next() else {
            return Table::from_columns(Vec::new());
        };
        for t in tables {
            all.append(t)?;
        }
        Ok(all)
    }

    /// Appends the rows of `other` (same column names in the same order) in
    /// place, at the cost of `other`'s rows: tables grow part by part as parts arrive.
    pub fn append(&mut self, other: Table) -> Result<(), FormatError> {
        let mine: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        let theirs: Vec<&str> = other.columns.iter().map(|c| c.name.as_str()).collect();
        if mine != theirs {
            return Err(FormatError::BadField {
                field: "columns",
                message: format!("partition columns {theirs:?} differ from {mine:?}"),
            });
        }
        for (col, extra) in self.columns.iter_mut().zip(other.columns) {
            col.data.append(extra.data);
            col.dtype = col.data.data_type();
        }
        self.row_count += other.row_count;
        Ok(())
    }

    /// Adds a column holding `value` in every row (unless one of that name
    /// exists), e.g. a partition's `split=train` folder as a `split` column.
    pub fn add_constant_column(&mut self, name: &str, value: &str) {
        if self.column_index(name).is_some() {
            return;
        }
        let n = self.row_count;
        self.columns.push(Column::new(
            name,
            None,
            ColumnData::Dict {
                dict: vec![value.to_string()],
                codes: vec![0; n],
                valid: crate::bitmap::Bitmap::filled(n, true),
            },
        ));
    }

    /// Room for `additional` more rows in every column (see `ColumnData::reserve`).
    pub fn reserve(&mut self, additional: usize) {
        for c in &mut self.columns {
            c.data.reserve(additional);
        }
    }

    /// Gives back room reserved beyond the rows held, in every column: a table
    /// appended piece by piece holds (and reports, `heap_bytes`) what it needs.
    pub fn shrink_to_fit(&mut self) {
        for c in &mut self.columns {
            c.data.shrink_to_fit();
        }
    }

    /// Rows `start..end` as a table of their own.
    pub fn slice(&self, start: usize, end: usize) -> Table {
        let end = end.min(self.row_count);
        let start = start.min(end);
        let rows: Vec<u32> = (start as u32..end as u32).collect();
        self.gather_rows(&rows)
    }

    /// These rows (each below `row_count`), in this order, as a table of their own.
    pub fn gather_rows(&self, rows: &[u32]) -> Table {
        let slots: Vec<Option<u32>> = rows.iter().map(|&r| Some(r)).collect();
        Table {
            columns: self
                .columns
                .iter()
                .map(|c| Column::new(c.name.clone(), c.declared.clone(), c.data.gather(&slots)))
                .collect(),
            row_count: rows.len(),
        }
    }

    /// Bytes held by the table's columns.
    pub fn heap_bytes(&self) -> usize {
        self.columns.iter().map(|c| c.data().heap_bytes()).sum()
    }
}

pub(crate) fn short_row(row: usize, cells: usize, ncols: usize) -> Value {
    Value::Invalid(format!(
        "row {row} has {cells} cells, the table has {ncols} columns"
    ))
}

pub(crate) fn not_a_row(row: usize, json: &Json) -> Value {
    Value::Invalid(format!("row {row} is {}, not a list", json.shape_name()))
}

/// Reads `columns`: names are strings, or ints (shown as their decimal text).
pub(crate) fn column_names(columns: Option<&Json>) -> Result<Vec<String>, FormatError> {
    columns
        .ok_or(FormatError::MissingField("columns"))?
        .as_array()
        .ok_or(FormatError::BadField {
            field: "columns",
            message: "must be a list of column names".into(),
        })?
        .iter()
        .enumerate()
        .map(|(i, name)| match name {
            Json::String(s) => Ok(s.clone()),
            Json::Number(_) => Ok(Value::from_shape(name).display()),
            other => Err(FormatError::BadField {
                field: "columns",
                message: format!("column {i} has {} as its name", other.shape_name()),
            }),
        })
        .collect()
}

/// The rows a whole body of `total_bytes` will hold, from the `rows` read in
/// its first `bytes` (5% over, so a slightly denser tail still fits): what
/// loaders reserve once, so columns never double and copy midway.
pub fn estimate_rows(rows: usize, bytes: u64, total_bytes: u64) -> usize {
    (rows as f64 * total_bytes as f64 / bytes.max(1) as f64 * 1.05) as usize
}

/// Finishes builders into a table, applying `column_types` hints by name.
pub(crate) fn assemble(
    names: Vec<String>,
    builders: Vec<ColumnBuilder>,
    column_types: Option<&Json>,
) -> Result<Table, FormatError> {
    let types = column_type_map(column_types);
    let columns = names
        .into_iter()
        .zip(builders)
        .map(|(name, builder)| {
            let declared = types
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.clone());
            let hint = declared.as_ref().map(WbType::cell_hint).unwrap_or_default();
            Column::new(name, declared, builder.finish(&hint))
        })
        .collect();
    Table::from_columns(columns)
}
