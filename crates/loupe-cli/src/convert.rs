//! `loupe convert <input> <out-dir> [--to json|parquet]`: a CSV, JSON-lines,
//! Parquet or Arrow IPC file as a W&B artifact version folder — a
//! `<name>.table.json` (default) or `<name>.parquet`, plus
//! `wandb_manifest.json` — written with loupe-core's writer API, so the SDK
//! and Loupe both read it. CSV columns that are all numbers (or booleans)
//! become numbers (booleans); anything else stays text; empty cells are null.

use std::path::Path;

use loupe_core::Value;
use loupe_core::artifact::{Artifact, Cell, Table};
use loupe_core::json::{self, Json, Number};

/// Parses CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// One CSV column's cells: numbers if every non-empty cell is one, likewise booleans, else text.
fn typed_column(cells: &[&str]) -> Vec<Cell> {
    let present = || cells.iter().filter(|c| !c.is_empty());
    if present().all(|c| c.parse::<i64>().is_ok()) {
        return cells
            .iter()
            .map(|c| c.parse::<i64>().map_or(Cell::Null, Cell::Int))
            .collect();
    }
    if present().all(|c| c.parse::<f64>().is_ok()) {
        return cells
            .iter()
            .map(|c| c.parse::<f64>().map_or(Cell::Null, Cell::Float))
            .collect();
    }
    if present().all(|c| matches!(c.to_ascii_lowercase().as_str(), "true" | "false")) {
        return cells
            .iter()
            .map(|c| {
                if c.is_empty() {
                    Cell::Null
                } else {
                    Cell::Bool(c.eq_ignore_ascii_case("true"))
                }
            })
            .collect();
    }
    cells
        .iter()
        .map(|c| {
            if c.is_empty() {
                Cell::Null
            } else {
                Cell::Str(c.to_string())
            }
        })
        .collect()
}

pub fn csv_table(text: &str) -> Result<Table, String> {
    let rows = parse_csv(text);
    let Some((header, body)) = rows.split_first() else {
        return Err("the CSV is empty (it needs a header row)".into());
    };
    let width = header.len();
    if let Some((i, r)) = body.iter().enumerate().find(|(_, r)| r.len() != width) {
        return Err(format!(
            "CSV line {}: {} fields, the header has {width}",
            i + 2,
            r.len()
        ));
    }
    let columns: Vec<Vec<Cell>> = (0..width)
        .map(|c| typed_column(&body.iter().map(|r| r[c].as_str()).collect::<Vec<_>>()))
        .collect();
    let rows = (0..body.len()).map(|r| columns.iter().map(|col| col[r].clone()).collect());
    Table::from_rows(header.iter().map(String::as_str), rows).map_err(|e| e.to_string())
}

fn cell_of(j: &Json) -> Cell {
    match j {
        Json::Null => Cell::Null,
        Json::Bool(b) => Cell::Bool(*b),
        Json::Number(Number::Int(i)) => Cell::Int(*i),
        Json::Number(Number::BigInt(s)) => Cell::BigInt(s.clone()),
        Json::Number(Number::Float(f)) => Cell::Float(*f),
        Json::String(s) => Cell::Str(s.clone()),
        Json::Array(a) => Cell::List(a.iter().map(cell_of).collect()),
        Json::Object(o) => Cell::Dict(o.iter().map(|(k, v)| (k.clone(), cell_of(v))).collect()),
    }
}

pub fn jsonl_table(text: &str) -> Result<Table, String> {
    let mut records = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let j = json::parse(line.as_bytes()).map_err(|e| format!("line {}: {e}", i + 1))?;
        let Json::Object(fields) = j else {
            return Err(format!(
                "line {}: a JSON-lines table holds one object per line",
                i + 1
            ));
        };
        records.push((i + 1, fields));
    }
    let mut columns: Vec<String> = Vec::new();
    for (_, fields) in &records {
        for (k, _) in fields {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let mut table = Table::new(columns.iter().map(String::as_str));
    for (line, fields) in &records {
        let row = columns
            .iter()
            .map(|c| {
                fields
                    .iter()
                    .find(|(k, _)| k == c)
                    .map_or(Cell::Null, |(_, v)| cell_of(v))
            })
            .collect();
        table
            .add_data(row)
            .map_err(|e| format!("line {line}: {e}"))?;
    }
    Ok(table)
}

/// What `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    TableJson,
    Parquet,
}

/// The input read: rows for the writer API, or columns from a columnar file.
enum Input {
    Rows(Table),
    Columns(loupe_core::Table),
}

/// A cell of a read table as a writer cell (media as their W&B objects).
fn cell_of_value(v: &Value) -> Cell {
    match v {
        Value::Null | Value::Invalid(_) | Value::NdArray { .. } => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Int(i) => Cell::Int(*i),
        Value::BigInt(b) => Cell::BigInt(b.clone()),
        Value::Float(f) => Cell::Float(*f),
        Value::Timestamp(ms) => Cell::Timestamp(*ms as i64),
        Value::Str(s) => Cell::Str(s.clone()),
        Value::List(items) => Cell::List(items.iter().map(cell_of_value).collect()),
        Value::Dict(fields) => Cell::Dict(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), cell_of_value(v)))
                .collect(),
        ),
        other => cell_of(&loupe_core::export::value_to_json(other)),
    }
}

fn rows_of(table: &loupe_core::Table) -> Result<Table, String> {
    let names = table.columns.iter().map(|c| c.name.as_str());
    let rows = (0..table.row_count()).map(|r| {
        table
            .columns
            .iter()
            .map(|c| cell_of_value(&c.data().value(r)))
            .collect()
    });
    Table::from_rows(names, rows).map_err(|e| e.to_string())
}

/// The writer's table read back as columns (through its own JSON, so the
/// Parquet holds exactly what the table.json would).
fn columns_of(table: Table) -> Result<loupe_core::Table, String> {
    let mut scratch = Artifact::new("scratch", "dataset");
    let path = scratch.add(table, "t").map_err(|e| e.to_string())?;
    let bytes = scratch.read_entry(&path).map_err(|e| e.to_string())?;
    loupe_core::read_table(&bytes).map_err(|e| e.to_string())
}

fn read_input(input: &Path, ext: &str) -> Result<Input, String> {
    if matches!(
        ext,
        "parquet" | "pq" | "arrow" | "arrows" | "feather" | "ipc"
    ) {
        let bytes = std::fs::read(input).map_err(|e| e.to_string())?;
        return loupe_columnar::read_columnar(bytes.into())
            .map(Input::Columns)
            .map_err(|e| e.to_string());
    }
    let text = std::fs::read_to_string(input).map_err(|e| e.to_string())?;
    match ext {
        "csv" => csv_table(&text).map(Input::Rows),
        "jsonl" | "ndjson" => jsonl_table(&text).map(Input::Rows),
        other => Err(format!(
            "cannot convert .{other} files (CSV, JSON lines, Parquet and Arrow IPC are supported)"
        )),
    }
}

pub fn run(
    input: &Path,
    out: &Path,
    name: Option<&str>,
    artifact_type: &str,
    output: Output,
) -> Result<String, String> {
    let ext = input
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let read = read_input(input, &ext).map_err(|e| format!("{}: {e}", input.display()))?;
    let stem = input
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("table");
    let name = name.unwrap_or(stem);
    let mut artifact = Artifact::new(name, artifact_type);
    let (path, rows) = match (read, output) {
        (Input::Rows(table), Output::TableJson) => {
            let rows = table.rows().len();
            (artifact.add(table, name).map_err(|e| e.to_string())?, rows)
        }
        (Input::Columns(table), Output::TableJson) => {
            let rows = table.row_count();
            let table = rows_of(&table)?;
            (artifact.add(table, name).map_err(|e| e.to_string())?, rows)
        }
        (read, Output::Parquet) => {
            let table = match read {
                Input::Rows(t) => columns_of(t)?,
                Input::Columns(t) => t,
            };
            let bytes =
                loupe_columnar::parquet_write::write_parquet(&table).map_err(|e| e.to_string())?;
            let path = format!("{name}.parquet");
            artifact.add_bytes(&path, bytes);
            (path, table.row_count())
        }
    };
    artifact.save(out).map_err(|e| e.to_string())?;
    Ok(format!("wrote {} ({rows} rows) in {}", path, out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_types_and_errors() {
        let rows = parse_csv("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n");
        assert_eq!(
            rows,
            [
                vec!["a", "b"],
                vec!["x, y", "say \"hi\""],
                vec!["multi\nline", "2"]
            ]
        );
        let t = csv_table("id,score,ok,name\n1,0.5,true,a\n2,,false,\n").expect("table");
        assert_eq!(
            t.rows()[0],
            [
                Cell::Int(1),
                Cell::Float(0.5),
                Cell::Bool(true),
                Cell::Str("a".into())
            ]
        );
        assert_eq!(t.rows()[1][1], Cell::Null);
        assert!(csv_table("a,b\n1\n").expect_err("short").contains("line 2"));
    }

    #[test]
    fn jsonl_unions_keys_and_names_bad_lines() {
        let t = jsonl_table("{\"a\": 1}\n{\"a\": 2, \"b\": [1, 2]}\n").expect("table");
        assert_eq!(t.columns().len(), 2);
        assert_eq!(t.rows()[0][1], Cell::Null);
        let err = jsonl_table("{\"a\": 1}\n{\"a\": \"x\"}\n").expect_err("types");
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(jsonl_table("[1]\n").is_err());
    }
}
