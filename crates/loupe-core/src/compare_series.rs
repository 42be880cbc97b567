//! Aggregates across compared versions: one expression, written once without
//! versions (`guess == truth`, `score`), evaluated for each version by
//! pointing its columns at that version (`guess@v1 == truth@v1`), then averaged
//! over the rows in view — "accuracy by epoch" for the over-versions chart.

use crate::expr::eval::{FALSE, TRUE};
use crate::expr::{Expr, ExprError, ExprKind, Frame, Vector, check, eval, parse};
use crate::table::Table;

/// The expression with every column `c` that the table holds as `c@<version>`
/// (and not as plain `c`) replaced by that version's column.
pub fn for_version(expr: &Expr, table: &Table, version: &str) -> Expr {
    let mut e = expr.clone();
    rewrite(&mut e, &|name| {
        let versioned = format!("{name}@{version}");
        (table.column(name).is_none() && table.column(&versioned).is_some()).then_some(versioned)
    });
    e
}

fn rewrite(e: &mut Expr, f: &dyn Fn(&str) -> Option<String>) {
    match &mut e.kind {
        ExprKind::Column(name) => {
            if let Some(new) = f(name) {
                *name = new;
            }
        }
        ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Null => {}
        ExprKind::Neg(a) | ExprKind::Not(a) | ExprKind::Field(a, _) => rewrite(a, f),
        ExprKind::IsNull { value, .. } => rewrite(value, f),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            rewrite(a, f);
            rewrite(b, f);
        }
        ExprKind::In { value, list, .. } => {
            rewrite(value, f);
            list.iter_mut().for_each(|x| rewrite(x, f));
        }
        ExprKind::Call(_, args) | ExprKind::List(args) => {
            args.iter_mut().for_each(|x| rewrite(x, f))
        }
    }
}

/// For each version: the mean of `template` over `rows` (booleans count as
/// 0/1, so `guess == truth` gives accuracy; nulls are skipped; `None` when a
/// version has no values).
pub fn mean_over_versions(
    table: &Table,
    rows: &[u32],
    template: &str,
    versions: &[String],
) -> Result<Vec<Option<f64>>, ExprError> {
    let parsed = parse(template)?;
    let frame = Frame::of(table);
    let schema = frame.schema();
    versions
        .iter()
        .map(|v| {
            let e = for_version(&parsed, table, v);
            check(&e, &schema)?;
            Ok(mean(&eval(&e, &frame), rows))
        })
        .collect()
}

fn mean(v: &Vector<'_>, rows: &[u32]) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for &r in rows {
        let x = match v {
            Vector::Num { values, valid } => valid.get(r as usize).then(|| values[r as usize]),
            Vector::Bool(b) => match b[r as usize] {
                TRUE => Some(1.0),
                FALSE => Some(0.0),
                _ => None,
            },
            other => match other.get(r as usize) {
                crate::value::Value::Bool(b) => Some(f64::from(u8::from(b))),
                v => v.as_f64(),
            },
        };
        if let Some(x) = x.filter(|x| x.is_finite()) {
            sum += x;
            n += 1;
        }
    }
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::compare;
    use crate::read_table;

    #[test]
    fn accuracy_by_version() {
        let v0 = read_table(
            br#"{"_type": "table", "columns": ["id", "truth", "guess", "score"],
            "data": [[1, "a", "a", 0.5], [2, "b", "a", 0.25], [3, "c", "c", null]]}"#,
        )
        .expect("v0");
        let v1 = read_table(
            br#"{"_type": "table", "columns": ["id", "truth", "guess", "score"],
            "data": [[1, "a", "a", 1.0], [2, "b", "b", 0.5], [3, "c", "a", 0.0]]}"#,
        )
        .expect("v1");
        let versions = vec!["v0".to_string(), "v1".to_string()];
        let c = compare(&[&v0, &v1], &versions, Some("id")).expect("compare");
        let all: Vec<u32> = (0..3).collect();
        let acc = mean_over_versions(&c.table, &all, "guess == truth", &versions).expect("acc");
        assert_eq!(acc, vec![Some(2.0 / 3.0), Some(2.0 / 3.0)]);
        let score = mean_over_versions(&c.table, &all, "score", &versions).expect("score");
        assert_eq!(score, vec![Some(0.375), Some(0.5)]);
        // Only the rows in view count; the key column is shared, not versioned.
        let first = mean_over_versions(&c.table, &[2], "guess == truth and id == 3", &versions)
            .expect("one");
        assert_eq!(first, vec![Some(1.0), Some(0.0)]);
        let err =
            mean_over_versions(&c.table, &all, "nope > 1", &versions).expect_err("unknown column");
        assert!(err.message.contains("nope"), "{}", err.message);
    }
}
