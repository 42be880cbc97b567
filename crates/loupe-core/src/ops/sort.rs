//! Stable multi-key sorting of row indices.
//!
//! Order: numbers ascending with NaN after every number, then nulls; strings by
//! bytes; `false < true`. Nulls are last in both directions; descending reverses
//! everything else (so NaN comes first). Ties keep their input order.

use std::cmp::Ordering;

use crate::expr::Vector;
use crate::expr::eval::NULL;
use crate::value::Value;
use crate::value_key::value_key;

/// A per-row key that compares as the wanted order (`u64::MAX` is null).
enum Keys {
    Packed(Vec<u64>),
    /// Fallback for values without a packed form (mixed or nested).
    Values(Vec<Value>, bool),
}

const NULL_KEY: u64 = u64::MAX;
const NAN_KEY: u64 = u64::MAX - 1;

/// Maps an f64 to a u64 whose unsigned order is the numeric order.
#[inline]
fn f64_key(x: f64) -> u64 {
    if x.is_nan() {
        return NAN_KEY;
    }
    let x = if x == 0.0 { 0.0 } else { x }; // -0.0 sorts with 0.0
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

#[inline]
fn directed(k: u64, descending: bool) -> u64 {
    if descending && k != NULL_KEY {
        NAN_KEY - k
    } else {
        k
    }
}

fn keys_for(v: &Vector<'_>, rows: &[u32], descending: bool) -> Keys {
    // Generic (not `dyn`): the per-row closure inlines into the loop.
    fn packed(rows: &[u32], descending: bool, f: impl Fn(usize) -> u64) -> Keys {
        Keys::Packed(
            rows.iter()
                .map(|&r| directed(f(r as usize), descending))
                .collect(),
        )
    }
    match v {
        Vector::Const(_) => Keys::Packed(vec![0; rows.len()]),
        Vector::Num { values, valid } => packed(rows, descending, |r| {
            if valid.get(r) {
                f64_key(values[r])
            } else {
                NULL_KEY
            }
        }),
        Vector::Bool(b) => packed(rows, descending, |r| {
            if b[r] == NULL {
                NULL_KEY
            } else {
                u64::from(b[r])
            }
        }),
        Vector::Dict { dict, codes, valid } => {
            // Rank the dictionary once; rows then compare ranks.
            let mut order: Vec<u32> = (0..dict.len() as u32).collect();
            order.sort_by(|&a, &b| dict[a as usize].cmp(&dict[b as usize]));
            let mut rank = vec![0u64; dict.len()];
            for (i, &code) in order.iter().enumerate() {
                rank[code as usize] = i as u64;
            }
            packed(rows, descending, |r| {
                if valid.get(r) {
                    rank[codes[r] as usize]
                } else {
                    NULL_KEY
                }
            })
        }
        other => Keys::Values(
            rows.iter().map(|&r| other.get(r as usize)).collect(),
            descending,
        ),
    }
}

/// Total order for the fallback: null last, then by kind, then by value.
fn cmp_values(a: &Value, b: &Value, descending: bool) -> Ordering {
    let rank = |v: &Value| match v {
        Value::Null => 4,
        v if v.as_f64().is_some() => 0,
        Value::Str(_) => 1,
        Value::Bool(_) => 2,
        _ => 3,
    };
    let (ra, rb) = (rank(a), rank(b));
    if ra == 4 || rb == 4 || ra != rb {
        return ra.cmp(&rb);
    }
    let o = match (a, b) {
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => f64_key(x).cmp(&f64_key(y)),
            // Nested values have no natural order; their identity keys give a total one.
            _ => value_key(a).cmp(&value_key(b)),
        },
    };
    if descending { o.reverse() } else { o }
}

impl Keys {
    fn cmp(&self, i: usize, j: usize) -> Ordering {
        match self {
            Keys::Packed(k) => k[i].cmp(&k[j]),
            Keys::Values(v, desc) => cmp_values(&v[i], &v[j], *desc),
        }
    }
}

/// Sorts `rows` by the keys (each an evaluated expression and a direction).
pub fn sort_rows(rows: &mut Vec<u32>, keys: &[(Vector<'_>, bool)]) {
    if keys.is_empty() || rows.len() < 2 {
        return;
    }
    let keys: Vec<Keys> = keys.iter().map(|(v, d)| keys_for(v, rows, *d)).collect();
    if let [Keys::Packed(k)] = keys.as_slice() {
        // One packed key: sort (key, position) pairs; positions are unique, so an
        // unstable sort of the pairs is a stable sort of the rows. (LSD and MSD radix
        // sorts were tried: no faster here, where the scatter is memory-bound.)
        let mut pairs: Vec<(u64, u32)> = k.iter().copied().zip(0u32..).collect();
        pairs.sort_unstable();
        *rows = pairs.iter().map(|&(_, pos)| rows[pos as usize]).collect();
        return;
    }
    let mut positions: Vec<u32> = (0..rows.len() as u32).collect();
    positions.sort_by(|&a, &b| {
        keys.iter()
            .map(|k| k.cmp(a as usize, b as usize))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    *rows = positions.iter().map(|&p| rows[p as usize]).collect();
}

/// The first `limit` rows of the sorted order, without sorting the rest.
pub fn top_rows(rows: &[u32], key: &Vector<'_>, descending: bool, limit: usize) -> Vec<u32> {
    let Keys::Packed(k) = keys_for(key, rows, descending) else {
        let mut all = rows.to_vec();
        sort_rows(&mut all, &[(key.clone(), descending)]);
        all.truncate(limit);
        return all;
    };
    // Keep the `limit` smallest (key, position) pairs in a max-heap: most rows
    // are rejected by one comparison with the heap's top.
    let mut heap: std::collections::BinaryHeap<(u64, u32)> =
        std::collections::BinaryHeap::with_capacity(limit + 1);
    for (pos, &key) in k.iter().enumerate() {
        let item = (key, pos as u32);
        if heap.len() < limit {
            heap.push(item);
        } else if let Some(top) = heap.peek()
            && item < *top
        {
            heap.pop();
            heap.push(item);
        }
    }
    heap.into_sorted_vec()
        .iter()
        .map(|&(_, pos)| rows[pos as usize])
        .collect()
}
