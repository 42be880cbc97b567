//! Principal component analysis for the embedding projector: rows of a
//! list-of-numbers column projected onto their first two principal axes.
//! Power iteration on the covariance (d × d, d ≤ a few hundred), then
//! deflation for the second axis: exact enough to draw, no linear-algebra crate.

use crate::table::Column;
use crate::value::Value;

/// The 2-D projection of `rows` of `column`; rows whose value is not a list of
/// numbers of the common length are `None`. Errors when fewer than two rows qualify.
pub fn project_2d(column: &Column, rows: &[u32]) -> Result<Vec<Option<[f64; 2]>>, String> {
    let vectors: Vec<Option<Vec<f64>>> = rows
        .iter()
        .map(|&r| match column.get(r as usize) {
            Value::List(items) => items
                .iter()
                .map(Value::as_f64)
                .collect::<Option<Vec<f64>>>(),
            _ => None,
        })
        .collect();
    // The most common length wins; other rows are left out.
    let mut lengths: Vec<usize> = vectors.iter().flatten().map(Vec::len).collect();
    lengths.sort_unstable();
    let dim = lengths
        .chunk_by(|a, b| a == b)
        .max_by_key(|c| c.len())
        .and_then(|c| c.first().copied())
        .unwrap_or(0);
    let usable: Vec<&Vec<f64>> = vectors
        .iter()
        .flatten()
        .filter(|v| v.len() == dim)
        .collect();
    if dim < 2 || usable.len() < 2 {
        return Err(format!(
            "`{}` needs at least two rows of number lists (of at least 2 numbers) to project",
            column.name
        ));
    }
    let n = usable.len() as f64;
    let mut mean = vec![0.0; dim];
    for v in &usable {
        for (m, x) in mean.iter_mut().zip(v.iter()) {
            *m += x / n;
        }
    }
    let mut cov = vec![0.0; dim * dim];
    for v in &usable {
        for i in 0..dim {
            let di = v[i] - mean[i];
            for j in i..dim {
                cov[i * dim + j] += di * (v[j] - mean[j]);
            }
        }
    }
    for i in 0..dim {
        for j in i..dim {
            cov[i * dim + j] /= n;
            cov[j * dim + i] = cov[i * dim + j];
        }
    }
    let first = principal_axis(&cov, dim, None);
    let second = principal_axis(&cov, dim, Some(&first));
    let project = |v: &Vec<f64>, axis: &[f64]| -> f64 {
        v.iter()
            .zip(&mean)
            .zip(axis)
            .map(|((x, m), a)| (x - m) * a)
            .sum()
    };
    Ok(vectors
        .iter()
        .map(|v| match v {
            Some(v) if v.len() == dim => Some([project(v, &first), project(v, &second)]),
            _ => None,
        })
        .collect())
}

/// The dominant eigenvector of `cov` (orthogonal to `except`), by power iteration.
fn principal_axis(cov: &[f64], dim: usize, except: Option<&[f64]>) -> Vec<f64> {
    // A fixed, non-symmetric start so results are deterministic and rarely orthogonal to the answer.
    let mut v: Vec<f64> = (0..dim).map(|i| 1.0 + (i as f64 * 0.618).fract()).collect();
    for _ in 0..200 {
        if let Some(e) = except {
            let dot: f64 = v.iter().zip(e).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(e).for_each(|(a, b)| *a -= dot * b);
        }
        let mut next = vec![0.0; dim];
        for i in 0..dim {
            next[i] = (0..dim).map(|j| cov[i * dim + j] * v[j]).sum();
        }
        let norm = next.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm < 1e-300 {
            break;
        }
        next.iter_mut().for_each(|x| *x /= norm);
        let delta: f64 = next.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
        v = next;
        if delta < 1e-12 {
            break;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column::ColumnData;

    fn column(rows: Vec<Value>) -> Column {
        Column::new("emb", None, ColumnData::from_values(rows))
    }

    #[test]
    fn points_on_a_line_project_onto_it() {
        // Points along (1, 2, 0) with small noise on z: the first axis carries the spread.
        let rows: Vec<Value> = (0..20)
            .map(|i| {
                let t = i as f64;
                let noise = if i % 2 == 0 { 0.01 } else { -0.01 };
                Value::List(vec![
                    Value::Float(t),
                    Value::Float(2.0 * t),
                    Value::Float(noise),
                ])
            })
            .chain([Value::Str("not a vector".into())])
            .collect();
        let col = column(rows);
        let all: Vec<u32> = (0..21).collect();
        let p = project_2d(&col, &all).expect("projects");
        assert_eq!(p[20], None);
        let xs: Vec<f64> = p.iter().flatten().map(|q| q[0]).collect();
        let ys: Vec<f64> = p.iter().flatten().map(|q| q[1]).collect();
        let spread = |v: &[f64]| {
            v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
        };
        // Distance along the line is preserved (|(1,2,0)| * 19), the second axis is the noise.
        assert!(
            (spread(&xs) - 19.0 * 5f64.sqrt()).abs() < 1e-3,
            "{}",
            spread(&xs)
        );
        assert!(spread(&ys) < 0.05);
        // Consecutive points are evenly spaced along the first axis.
        assert!(((xs[1] - xs[0]).abs() - 5f64.sqrt()).abs() < 1e-3);
    }

    #[test]
    fn too_few_vectors_is_an_error() {
        let col = column(vec![
            Value::List(vec![Value::Int(1), Value::Int(2)]),
            Value::Null,
        ]);
        assert!(project_2d(&col, &[0, 1]).is_err());
    }
}
