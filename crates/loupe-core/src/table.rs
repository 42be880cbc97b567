//! The in-memory table: named, typed columns of cell values.

use crate::error::FormatError;
use crate::json::Json;
use crate::value::{CellHint, Value, ValueKind};
use crate::wbtype::{WbType, column_type_map};

/// A table read from a `table` object (a `.table.json` file or a nested cell).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    row_count: usize,
}

/// One column. Values are stored column-major so per-column work is a slice walk.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// The kind shared by all non-null cells, or `None` when they differ (mixed).
    pub kind: Option<ValueKind>,
    /// The SDK's declared type, if the file had one (a hint, not the truth).
    pub declared: Option<WbType>,
    pub values: Vec<Value>,
}

impl Column {
    /// Short type label for the header: the shared kind, `mixed`, or `null`.
    pub fn kind_label(&self) -> &'static str {
        self.kind.map_or("mixed", ValueKind::name)
    }
}

impl Table {
    pub fn row_count(&self) -> usize {
        self.row_count
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Builds a table from its JSON object. Structural problems (no `columns`,
    /// `data` not a list of rows) fail the table; a bad row or cell only marks
    /// those cells invalid, so one broken value never hides the rest.
    pub fn from_json(json: &Json) -> Result<Table, FormatError> {
        let (mut builder, rows) = TableBuilder::start(json)?;
        builder.push_rows(rows);
        Ok(builder.finish())
    }

    /// A one-column table (e.g. a standalone image file shown as a table).
    pub fn single_column(name: &str, value: Value) -> Table {
        let kind = Some(value.kind());
        Table {
            columns: vec![Column {
                name: name.to_string(),
                kind,
                declared: None,
                values: vec![value],
            }],
            row_count: 1,
        }
    }

    /// Appends the rows of `other` (same column names in the same order), e.g. partitions.
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
            col.values.extend(extra.values);
            col.kind = shared_kind(&col.values);
        }
        self.row_count += other.row_count;
        Ok(())
    }
}

/// Converts a table's rows in slices, so a caller can yield between slices
/// (the browser stays responsive while a 200,000-row table converts).
#[derive(Debug)]
pub struct TableBuilder {
    columns: Vec<Column>,
    hints: Vec<CellHint>,
    row_count: usize,
}

impl TableBuilder {
    /// Reads the header (`columns`, `column_types`) and returns the builder and the raw rows.
    pub fn start(json: &Json) -> Result<(TableBuilder, &[Json]), FormatError> {
        match json.get("_type").and_then(Json::as_str) {
            Some("table") | None => {}
            Some(other) => {
                return Err(FormatError::WrongType {
                    expected: "table".into(),
                    found: other.into(),
                });
            }
        }
        let names = json
            .get("columns")
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
            .collect::<Result<Vec<_>, _>>()?;
        let rows = json
            .get("data")
            .ok_or(FormatError::MissingField("data"))?
            .as_array()
            .ok_or(FormatError::BadField {
                field: "data",
                message: "must be a list of rows".into(),
            })?;
        let types = column_type_map(json.get("column_types"));
        let columns: Vec<Column> = names
            .into_iter()
            .map(|name| {
                let declared = types
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| t.clone());
                Column {
                    name,
                    kind: None,
                    declared,
                    values: Vec::with_capacity(rows.len()),
                }
            })
            .collect();
        let hints = columns
            .iter()
            .map(|c| {
                c.declared
                    .as_ref()
                    .map(WbType::cell_hint)
                    .unwrap_or_default()
            })
            .collect();
        Ok((
            TableBuilder {
                columns,
                hints,
                row_count: 0,
            },
            rows,
        ))
    }

    /// Converts the next slice of rows.
    pub fn push_rows(&mut self, rows: &[Json]) {
        let ncols = self.columns.len();
        for row in rows {
            let r = self.row_count;
            let cells = row.as_array();
            for (c, column) in self.columns.iter_mut().enumerate() {
                let value = match cells {
                    None => Value::Invalid(format!("row {r} is {}, not a list", row.shape_name())),
                    Some(cells) => match cells.get(c) {
                        Some(cell) => Value::from_json(cell, &self.hints[c]),
                        None => Value::Invalid(format!(
                            "row {r} has {} cells, the table has {ncols} columns",
                            cells.len()
                        )),
                    },
                };
                column.values.push(value);
            }
            self.row_count += 1;
        }
    }

    pub fn rows_done(&self) -> usize {
        self.row_count
    }

    pub fn finish(mut self) -> Table {
        for column in &mut self.columns {
            column.kind = shared_kind(&column.values);
        }
        Table {
            columns: self.columns,
            row_count: self.row_count,
        }
    }
}

/// The kind every non-null cell shares; all-null columns are `Null`; otherwise mixed.
fn shared_kind(values: &[Value]) -> Option<ValueKind> {
    let mut kinds = values
        .iter()
        .map(Value::kind)
        .filter(|k| *k != ValueKind::Null);
    match kinds.next() {
        None => Some(ValueKind::Null),
        Some(first) => kinds.all(|k| k == first).then_some(first),
    }
}
