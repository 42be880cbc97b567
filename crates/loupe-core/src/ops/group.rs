//! Grouping rows by one or more evaluated key expressions.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::expr::Vector;
use crate::expr::eval::NULL;
use crate::fxhash::FxHasher;
use crate::value::Value;

/// Groups in order of first appearance (callers sort them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grouping {
    /// Key values of each group, one per key expression.
    pub keys: Vec<Vec<Value>>,
    /// Member rows of each group, in input order.
    pub members: Vec<Vec<u32>>,
}

impl Grouping {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

/// A hashable form of one key value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyPart {
    Null,
    Num(u64),
    Code(u32),
    Text(String),
    Bool(bool),
}

fn canonical_f64(x: f64) -> u64 {
    if x.is_nan() {
        f64::NAN.to_bits()
    } else if x == 0.0 {
        0
    } else {
        x.to_bits()
    }
}

fn key_part(v: &Vector<'_>, r: usize) -> KeyPart {
    match v {
        Vector::Num { values, valid } => {
            if valid.get(r) {
                KeyPart::Num(canonical_f64(values[r]))
            } else {
                KeyPart::Null
            }
        }
        Vector::Dict { codes, valid, .. } => {
            if valid.get(r) {
                KeyPart::Code(codes[r])
            } else {
                KeyPart::Null
            }
        }
        Vector::Bool(b) => match b[r] {
            NULL => KeyPart::Null,
            t => KeyPart::Bool(t == 1),
        },
        other => match other.get(r) {
            Value::Null => KeyPart::Null,
            Value::Str(s) => KeyPart::Text(s),
            Value::Bool(b) => KeyPart::Bool(b),
            v => match v.as_f64() {
                Some(x) => KeyPart::Num(canonical_f64(x)),
                // Nested keys group by their printed form.
                None => KeyPart::Text(format!("{v:?}")),
            },
        },
    }
}

/// Per-row small integer for keys with few distinct values (dictionary codes,
/// bools, constants): `Some((ids, cardinality))`, id 0 meaning null.
fn dense_ids(v: &Vector<'_>, rows: &[u32]) -> Option<(Vec<u32>, u32)> {
    match v {
        Vector::Dict { dict, codes, valid } => Some((
            rows.iter()
                .map(|&r| {
                    if valid.get(r as usize) {
                        codes[r as usize] + 1
                    } else {
                        0
                    }
                })
                .collect(),
            dict.len() as u32 + 1,
        )),
        Vector::Bool(b) => Some((
            rows.iter()
                .map(|&r| match b[r as usize] {
                    NULL => 0,
                    t => u32::from(t) + 1,
                })
                .collect(),
            3,
        )),
        Vector::Const(_) => Some((vec![0; rows.len()], 1)),
        _ => None,
    }
}

/// Largest combined key space indexed directly by an array instead of hashing.
const DENSE_LIMIT: u64 = 1 << 22;

/// Groups `rows` by the key vectors.
pub fn group_rows(rows: &[u32], keys: &[Vector<'_>]) -> Grouping {
    let mut g = Grouping::default();
    if rows.is_empty() {
        return g;
    }
    if keys.is_empty() {
        g.keys.push(Vec::new());
        g.members.push(rows.to_vec());
        return g;
    }
    // Fast path: every key is low-cardinality, so a row's group is an array slot.
    let dense: Option<Vec<(Vec<u32>, u32)>> = keys.iter().map(|k| dense_ids(k, rows)).collect();
    if let Some(dense) = dense {
        let space = dense
            .iter()
            .try_fold(1u64, |acc, (_, card)| acc.checked_mul(u64::from(*card)));
        if let Some(space) = space.filter(|s| *s <= DENSE_LIMIT) {
            let mut slot_group = vec![u32::MAX; space as usize];
            for (pos, &r) in rows.iter().enumerate() {
                let mut slot = 0u64;
                for (ids, card) in &dense {
                    slot = slot * u64::from(*card) + u64::from(ids[pos]);
                }
                let gid = &mut slot_group[slot as usize];
                if *gid == u32::MAX {
                    *gid = g.members.len() as u32;
                    g.keys
                        .push(keys.iter().map(|k| k.get(r as usize)).collect());
                    g.members.push(Vec::new());
                }
                g.members[*gid as usize].push(r);
            }
            return g;
        }
    }
    let mut index: HashMap<Vec<KeyPart>, u32, BuildHasherDefault<FxHasher>> = HashMap::default();
    for &r in rows {
        let key: Vec<KeyPart> = keys.iter().map(|k| key_part(k, r as usize)).collect();
        let next = g.members.len() as u32;
        let gid = *index.entry(key).or_insert_with(|| {
            g.keys
                .push(keys.iter().map(|k| k.get(r as usize)).collect());
            g.members.push(Vec::new());
            next
        });
        g.members[gid as usize].push(r);
    }
    g
}
