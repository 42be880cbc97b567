//! Confusion matrices: how often each true label met each predicted one.

use std::collections::BTreeMap;

use crate::table::Column;
use crate::value::Value;

/// Counts by (truth, guess) over some rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion {
    /// Every label seen on either side, in order (numbers numerically).
    pub labels: Vec<String>,
    /// `counts[t][g]`: rows with truth `labels[t]` and guess `labels[g]`.
    pub counts: Vec<Vec<usize>>,
    /// Rows where either side was null (not in the matrix).
    pub skipped: usize,
}

impl Confusion {
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Rows on the diagonal: truth equals guess.
    pub fn correct(&self) -> usize {
        (0..self.labels.len()).map(|i| self.counts[i][i]).sum()
    }

    /// The count for labels `truth` and `guess` (0 if either is absent).
    pub fn count(&self, truth: &str, guess: &str) -> usize {
        let at = |l: &str| self.labels.iter().position(|x| x == l);
        match (at(truth), at(guess)) {
            (Some(t), Some(g)) => self.counts[t][g],
            _ => 0,
        }
    }
}

/// Sort key: numbers first, numerically; then text.
fn label_key(v: &Value) -> (u8, i128, String) {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e30 => (0, x as i128, String::new()),
        Some(_) => (0, 0, v.display()),
        None => (1, 0, v.display()),
    }
}

pub fn confusion(truth: &Column, guess: &Column, rows: &[u32]) -> Confusion {
    let mut labels: BTreeMap<(u8, i128, String), String> = BTreeMap::new();
    let mut pairs = Vec::with_capacity(rows.len());
    let mut skipped = 0;
    for &r in rows {
        let (t, g) = (truth.get(r as usize), guess.get(r as usize));
        if matches!(t, Value::Null) || matches!(g, Value::Null) {
            skipped += 1;
            continue;
        }
        let (kt, kg) = (label_key(&t), label_key(&g));
        labels.entry(kt.clone()).or_insert_with(|| t.display());
        labels.entry(kg.clone()).or_insert_with(|| g.display());
        pairs.push((kt, kg));
    }
    let keys: Vec<&(u8, i128, String)> = labels.keys().collect();
    let index = |k: &(u8, i128, String)| keys.binary_search(&k).unwrap_or(0);
    let n = keys.len();
    let mut counts = vec![vec![0usize; n]; n];
    for (kt, kg) in &pairs {
        counts[index(kt)][index(kg)] += 1;
    }
    Confusion {
        labels: labels.into_values().collect(),
        counts,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_table;

    #[test]
    fn counts_pairs_and_orders_numeric_labels() {
        let t = read_table(
            br#"{"_type": "table", "columns": ["t", "g"], "data": [[10, 10], [2, 10], [2, 2], [10, null], [2, 10]]}"#,
        )
        .expect("table");
        let (tc, gc) = (t.column("t").expect("t"), t.column("g").expect("g"));
        let c = confusion(tc, gc, &[0, 1, 2, 3, 4]);
        assert_eq!(c.labels, ["2", "10"]);
        assert_eq!(c.counts, [[1, 2], [0, 1]]);
        assert_eq!((c.total(), c.correct(), c.skipped), (4, 2, 1));
        assert_eq!(c.count("2", "10"), 2);
    }
}
