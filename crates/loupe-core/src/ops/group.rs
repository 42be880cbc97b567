//! Grouping rows by one or more evaluated key expressions.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::expr::Vector;
use crate::expr::eval::NULL;
use crate::fxhash::FxHasher;
use crate::value::Value;
use crate::value_key::value_key;

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
    Nested(String),
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
                // Nested keys group by their identity key (its own variant:
                // a string never groups with a list).
                None => KeyPart::Nested(value_key(&v)),
            },
        },
    }
}

/// Adds one key's dense id to every row's slot (`slot = slot * card + id`);
/// `None` if the key is not low-cardinality. Id 0 means null.
fn add_dense_key(v: &Vector<'_>, rows: &[u32], slots: &mut [u64]) -> Option<u64> {
    match v {
        Vector::Dict { dict, codes, valid } => {
            let card = dict.len() as u64 + 1;
            if valid.all_set() {
                for (slot, &r) in slots.iter_mut().zip(rows) {
                    *slot = *slot * card + u64::from(codes[r as usize]) + 1;
                }
            } else {
                for (slot, &r) in slots.iter_mut().zip(rows) {
                    let id = if valid.get(r as usize) {
                        u64::from(codes[r as usize]) + 1
                    } else {
                        0
                    };
                    *slot = *slot * card + id;
                }
            }
            Some(card)
        }
        Vector::Bool(b) => {
            for (slot, &r) in slots.iter_mut().zip(rows) {
                let id = match b[r as usize] {
                    NULL => 0,
                    t => u64::from(t) + 1,
                };
                *slot = *slot * 3 + id;
            }
            Some(3)
        }
        Vector::Const(_) => Some(1),
        _ => None,
    }
}

/// Largest combined key space indexed directly by an array instead of hashing.
const DENSE_LIMIT: u64 = 1 << 22;

/// The group of every input row: `ids[i]` is the group of `rows[i]`; groups are
/// numbered in order of first appearance and `keys[g]` holds group `g`'s key values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupIds {
    pub keys: Vec<Vec<Value>>,
    pub ids: Vec<u32>,
}

/// Assigns every row to its group (no member lists: aggregates can run in one
/// sequential pass over `ids`).
pub fn group_ids(rows: &[u32], keys: &[Vector<'_>]) -> GroupIds {
    let mut out = GroupIds {
        keys: Vec::new(),
        ids: Vec::with_capacity(rows.len()),
    };
    if rows.is_empty() {
        return out;
    }
    let first_key = |r: u32| keys.iter().map(|k| k.get(r as usize)).collect::<Vec<_>>();
    // Fast path: every key is low-cardinality, so a row's group is an array slot.
    let mut slots = vec![0u64; rows.len()];
    let mut space = Some(1u64);
    for k in keys {
        space = match (space, add_dense_key(k, rows, &mut slots)) {
            (Some(s), Some(card)) => s.checked_mul(card).filter(|s| *s <= DENSE_LIMIT),
            _ => None,
        };
        if space.is_none() {
            break;
        }
    }
    if let Some(space) = space {
        let mut slot_group = vec![u32::MAX; space as usize];
        for (&slot, &r) in slots.iter().zip(rows) {
            let gid = &mut slot_group[slot as usize];
            if *gid == u32::MAX {
                *gid = out.keys.len() as u32;
                out.keys.push(first_key(r));
            }
            out.ids.push(*gid);
        }
        return out;
    }
    drop(slots);
    let mut index: HashMap<Vec<KeyPart>, u32, BuildHasherDefault<FxHasher>> = HashMap::default();
    for &r in rows {
        let key: Vec<KeyPart> = keys.iter().map(|k| key_part(k, r as usize)).collect();
        let next = out.keys.len() as u32;
        let gid = *index.entry(key).or_insert_with(|| {
            out.keys.push(first_key(r));
            next
        });
        out.ids.push(gid);
    }
    out
}

/// Groups `rows` by the key vectors, with each group's member rows.
pub fn group_rows(rows: &[u32], keys: &[Vector<'_>]) -> Grouping {
    let GroupIds { keys, ids } = group_ids(rows, keys);
    let mut counts = vec![0usize; keys.len()];
    for &g in &ids {
        counts[g as usize] += 1;
    }
    let mut members: Vec<Vec<u32>> = counts.iter().map(|&n| Vec::with_capacity(n)).collect();
    for (&g, &r) in ids.iter().zip(rows) {
        members[g as usize].push(r);
    }
    Grouping { keys, members }
}
