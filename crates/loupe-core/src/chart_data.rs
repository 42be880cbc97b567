//! Data for whole-table panels (histogram, bar, scatter, projector, gallery):
//! an expression or column name evaluated over the table into a column, and the
//! points of a scatter plot. The UI only draws what these return.

use crate::expr::{Frame, compile, eval};
use crate::ops::materialize;
use crate::table::{Column, Table};

/// `expr` (an expression, or a column name) evaluated for every row.
pub fn eval_column(table: &Table, expr: &str) -> Result<Column, String> {
    if let Some(c) = table.column(expr) {
        return Ok(c.clone());
    }
    let frame = Frame::of(table);
    let (e, _) =
        compile(expr, &frame.schema()).map_err(|e| format!("{}\n{}", e.message, e.caret(expr)))?;
    Ok(materialize(expr, eval(&e, &frame), table.row_count()))
}

/// One point of a scatter plot: the table row, x, y and its colour key.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPoint {
    pub row: u32,
    pub x: f64,
    pub y: f64,
    /// The colour column's value as text (a category), when there is one.
    pub key: Option<String>,
}

/// Points of `rows` where both x and y are finite numbers.
pub fn scatter(
    table: &Table,
    rows: &[u32],
    x: &str,
    y: &str,
    color: Option<&str>,
) -> Result<Vec<ScatterPoint>, String> {
    let (xc, yc) = (eval_column(table, x)?, eval_column(table, y)?);
    let cc = color.map(|c| eval_column(table, c)).transpose()?;
    Ok(rows
        .iter()
        .filter_map(|&r| {
            let (x, y) = (xc.data().f64_at(r as usize)?, yc.data().f64_at(r as usize)?);
            (x.is_finite() && y.is_finite()).then(|| ScatterPoint {
                row: r,
                x,
                y,
                key: cc.as_ref().map(|c| c.get(r as usize).display()),
            })
        })
        .collect())
}

/// The distinct colour keys in first-appearance order (legend order).
pub fn keys(points: &[ScatterPoint]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in points {
        if let Some(k) = &p.key
            && !out.contains(k)
        {
            out.push(k.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_table;

    #[test]
    fn scatter_points_skip_missing_values_and_keep_categories() {
        let t = read_table(
            br#"{"_type": "table", "columns": ["a", "b", "c"],
            "data": [[1, 2, "x"], [2, null, "y"], [3, 6, "y"], [4, 8, "x"]]}"#,
        )
        .expect("table");
        let p = scatter(&t, &[0, 1, 2, 3], "a", "b * 2", Some("c")).expect("points");
        assert_eq!(p.len(), 3);
        assert_eq!((p[1].row, p[1].x, p[1].y), (2, 3.0, 12.0));
        assert_eq!(keys(&p), ["x", "y"]);
        assert!(scatter(&t, &[0], "nope", "a", None).is_err());
        assert_eq!(eval_column(&t, "a").expect("column").name, "a");
    }
}
