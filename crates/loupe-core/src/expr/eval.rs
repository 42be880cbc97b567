//! Column-at-a-time evaluation.
//!
//! Each node evaluates to a `Vector` over all rows. Hot shapes have tight loops
//! (numbers against numbers or constants, dictionary strings against a literal or
//! another dictionary column, three-valued `and`/`or`); every other shape falls
//! back to the row-level semantics in this file, applied to the child vectors,
//! so both paths always agree.
//!
//! Semantics: null propagates through arithmetic and comparisons; `and`/`or`
//! are three-valued (false and null = false, true or null = true); numbers
//! compare as f64 with IEEE rules (NaN is unequal to everything); values of
//! different kinds are never equal and have no order (null); a filter keeps
//! rows whose value is exactly true.

use std::borrow::Cow;

use super::functions::{call, round_to};
use super::scalar::{
    and_tri, arith, binary_scalar, cmp_f64, field_value, in_scalar, index_value, mask_coverage,
    negate, not_tri, or_tri, ord_holds, tri_value, value_tri,
};
use super::{BinOp, Expr, ExprKind, Schema};
use crate::bitmap::Bitmap;
use crate::column::ColumnData;
use crate::table::{Column, Table};
use crate::value::Value;

/// Three-valued booleans, one byte per row.
pub const FALSE: u8 = 0;
pub const TRUE: u8 = 1;
pub const NULL: u8 = 2;

/// Decoded segmentation masks, by artifact path: one class id per pixel. The
/// app fills it by fetching mask PNGs; the core only reads it.
pub trait MaskSource: std::fmt::Debug + Send + Sync {
    fn class_ids(&self, path: &str) -> Option<&[u8]>;
}

impl MaskSource for std::collections::HashMap<String, Vec<u8>> {
    fn class_ids(&self, path: &str) -> Option<&[u8]> {
        self.get(path).map(Vec::as_slice)
    }
}

/// The columns an expression can see (a table plus derived columns), and the
/// decoded masks `mask_coverage` reads (if any were loaded).
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    pub columns: Vec<&'a Column>,
    pub rows: usize,
    pub masks: Option<&'a dyn MaskSource>,
}

impl<'a> Frame<'a> {
    pub fn of(table: &'a Table) -> Self {
        Frame {
            columns: table.columns.iter().collect(),
            rows: table.row_count(),
            masks: None,
        }
    }

    pub fn column(&self, name: &str) -> Option<&'a Column> {
        // Later columns (derived ones) shadow earlier ones of the same name.
        self.columns.iter().rev().find(|c| c.name == name).copied()
    }

    pub fn schema(&self) -> Schema {
        Schema {
            columns: self
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.data_type()))
                .collect(),
        }
    }
}

/// An evaluated expression over all rows of a frame.
#[derive(Debug, Clone)]
pub enum Vector<'a> {
    /// The same value on every row.
    Const(Value),
    Num {
        values: Cow<'a, [f64]>,
        valid: Cow<'a, Bitmap>,
    },
    /// `FALSE`, `TRUE` or `NULL` per row.
    Bool(Vec<u8>),
    Dict {
        dict: &'a [String],
        codes: &'a [u32],
        valid: &'a Bitmap,
    },
    Text {
        offsets: &'a [u32],
        bytes: &'a [u8],
        valid: &'a Bitmap,
    },
    Values(Cow<'a, [Value]>),
}

impl Vector<'_> {
    /// Row `r` as a value.
    pub fn get(&self, r: usize) -> Value {
        match self {
            Vector::Const(v) => v.clone(),
            Vector::Num { values, valid } => {
                if valid.get(r) {
                    Value::Float(values[r])
                } else {
                    Value::Null
                }
            }
            Vector::Bool(b) => tri_value(b[r]),
            Vector::Dict { .. } | Vector::Text { .. } => self
                .str_at(r)
                .map_or(Value::Null, |s| Value::Str(s.to_string())),
            Vector::Values(v) => v[r].clone(),
        }
    }

    fn str_at(&self, r: usize) -> Option<&str> {
        match self {
            Vector::Dict { dict, codes, valid } if valid.get(r) => Some(&dict[codes[r] as usize]),
            Vector::Text {
                offsets,
                bytes,
                valid,
            } if valid.get(r) => {
                std::str::from_utf8(&bytes[offsets[r] as usize..offsets[r + 1] as usize]).ok()
            }
            _ => None,
        }
    }

    /// Row `r` as a three-valued boolean (non-bools are null).
    #[inline]
    pub fn tri(&self, r: usize) -> u8 {
        match self {
            Vector::Bool(b) => b[r],
            Vector::Const(v) => value_tri(v),
            other => value_tri(&other.get(r)),
        }
    }
}

fn column_vector(c: &Column) -> Vector<'_> {
    match c.data() {
        ColumnData::Null(_) => Vector::Const(Value::Null),
        ColumnData::Int { values, valid } => Vector::Num {
            values: Cow::Owned(values.iter().map(|&i| i as f64).collect()),
            valid: Cow::Borrowed(valid),
        },
        ColumnData::Float { values, valid, .. } => Vector::Num {
            values: Cow::Borrowed(values),
            valid: Cow::Borrowed(valid),
        },
        ColumnData::Bool { values, valid } => Vector::Bool(
            (0..values.len())
                .map(|r| {
                    if !valid.get(r) {
                        NULL
                    } else {
                        u8::from(values.get(r))
                    }
                })
                .collect(),
        ),
        ColumnData::Dict { dict, codes, valid } => Vector::Dict { dict, codes, valid },
        ColumnData::Text {
            offsets,
            bytes,
            valid,
        } => Vector::Text {
            offsets,
            bytes,
            valid,
        },
        ColumnData::Values(v) => Vector::Values(Cow::Borrowed(v)),
    }
}

fn per_row<'a>(rows: usize, f: impl Fn(usize) -> Value) -> Vector<'a> {
    Vector::Values(Cow::Owned((0..rows).map(f).collect()))
}

/// Evaluates `e` over every row of `frame`. Unknown columns read as null
/// (the checker reports them before evaluation).
pub fn eval<'a>(e: &Expr, frame: &Frame<'a>) -> Vector<'a> {
    let n = frame.rows;
    match &e.kind {
        ExprKind::Number(x) => Vector::Const(Value::Float(*x)),
        ExprKind::Str(s) => Vector::Const(Value::Str(s.clone())),
        ExprKind::Bool(b) => Vector::Const(Value::Bool(*b)),
        ExprKind::Null => Vector::Const(Value::Null),
        ExprKind::Column(name) => frame
            .column(name)
            .map_or(Vector::Const(Value::Null), column_vector),
        ExprKind::List(items) => {
            let parts: Vec<Vector> = items.iter().map(|i| eval(i, frame)).collect();
            if let Some(values) = parts
                .iter()
                .map(|p| match p {
                    Vector::Const(v) => Some(v.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
            {
                return Vector::Const(Value::List(values));
            }
            per_row(n, |r| Value::List(parts.iter().map(|p| p.get(r)).collect()))
        }
        ExprKind::Neg(inner) => match eval(inner, frame) {
            Vector::Num { values, valid } => Vector::Num {
                values: Cow::Owned(values.iter().map(|x| -x).collect()),
                valid,
            },
            Vector::Const(v) => Vector::Const(negate(&v)),
            other => per_row(n, |r| negate(&other.get(r))),
        },
        ExprKind::Not(inner) => match eval(inner, frame) {
            Vector::Const(v) => Vector::Const(tri_value(not_tri(value_tri(&v)))),
            other => Vector::Bool((0..n).map(|r| not_tri(other.tri(r))).collect()),
        },
        ExprKind::Binary(op, a, b) => binary(*op, eval(a, frame), eval(b, frame), n),
        ExprKind::IsNull { value, negated } => {
            let v = eval(value, frame);
            let is = |null: bool| u8::from(null != *negated);
            match &v {
                Vector::Const(c) => {
                    Vector::Const(Value::Bool(matches!(c, Value::Null) != *negated))
                }
                Vector::Num { valid, .. } => {
                    Vector::Bool((0..n).map(|r| is(!valid.get(r))).collect())
                }
                Vector::Dict { valid, .. } | Vector::Text { valid, .. } => {
                    Vector::Bool((0..n).map(|r| is(!valid.get(r))).collect())
                }
                Vector::Bool(b) => Vector::Bool(b.iter().map(|&t| is(t == NULL)).collect()),
                Vector::Values(vals) => {
                    Vector::Bool(vals.iter().map(|x| is(matches!(x, Value::Null))).collect())
                }
            }
        }
        ExprKind::In {
            value,
            list,
            negated,
        } => {
            let v = eval(value, frame);
            let items: Vec<Vector> = list.iter().map(|i| eval(i, frame)).collect();
            in_list(v, &items, *negated, n)
        }
        ExprKind::Index(base, index) => {
            let (b, i) = (eval(base, frame), eval(index, frame));
            match (&b, &i) {
                (Vector::Const(bv), Vector::Const(iv)) => Vector::Const(index_value(bv, iv)),
                _ => per_row(n, |r| index_value(&b.value_at(r), &i.value_at(r))),
            }
        }
        ExprKind::Field(base, field) => {
            let b = eval(base, frame);
            match &b {
                Vector::Const(bv) => Vector::Const(field_value(bv, field)),
                _ => per_row(n, |r| field_value(&b.value_at(r), field)),
            }
        }
        ExprKind::Call(name, args) if name == "mask_coverage" => {
            let args: Vec<Vector> = args.iter().map(|a| eval(a, frame)).collect();
            per_row(n, |r| {
                let values: Vec<Value> = args.iter().map(|a| a.get(r)).collect();
                mask_coverage(frame.masks, &values)
            })
        }
        ExprKind::Call(name, args) => {
            let args: Vec<Vector> = args.iter().map(|a| eval(a, frame)).collect();
            call_vector(name, args, n)
        }
    }
}

impl Vector<'_> {
    /// Like `get`, but borrows stored values instead of cloning where possible.
    fn value_at(&self, r: usize) -> Cow<'_, Value> {
        match self {
            Vector::Values(v) => Cow::Borrowed(&v[r]),
            Vector::Const(v) => Cow::Borrowed(v),
            other => Cow::Owned(other.get(r)),
        }
    }
}

fn flipped(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

fn and_bitmaps(a: &Bitmap, b: &Bitmap) -> Bitmap {
    a.and(b)
}

fn binary<'a>(op: BinOp, a: Vector<'a>, b: Vector<'a>, n: usize) -> Vector<'a> {
    match op {
        BinOp::And | BinOp::Or => {
            let f = if op == BinOp::And { and_tri } else { or_tri };
            return match (&a, &b) {
                (Vector::Const(x), Vector::Const(y)) => {
                    Vector::Const(tri_value(f(value_tri(x), value_tri(y))))
                }
                (Vector::Bool(x), Vector::Bool(y)) => {
                    Vector::Bool(x.iter().zip(y).map(|(&p, &q)| f(p, q)).collect())
                }
                _ => Vector::Bool((0..n).map(|r| f(a.tri(r), b.tri(r))).collect()),
            };
        }
        _ => {}
    }
    if let (Vector::Const(x), Vector::Const(y)) = (&a, &b) {
        return Vector::Const(binary_scalar(op, x, y));
    }
    if op.is_comparison() {
        if let Some(v) = compare_fast(op, &a, &b, n) {
            return v;
        }
        return Vector::Bool(
            (0..n)
                .map(|r| value_tri(&binary_scalar(op, &a.value_at(r), &b.value_at(r))))
                .collect(),
        );
    }
    // Arithmetic.
    match (&a, &b) {
        (
            Vector::Num {
                values: x,
                valid: vx,
            },
            Vector::Num {
                values: y,
                valid: vy,
            },
        ) => Vector::Num {
            values: Cow::Owned(
                x.iter()
                    .zip(y.iter())
                    .map(|(&p, &q)| arith(op, p, q))
                    .collect(),
            ),
            valid: Cow::Owned(and_bitmaps(vx, vy)),
        },
        (Vector::Num { values, valid }, Vector::Const(c)) if c.as_f64().is_some() => {
            let y = c.as_f64().unwrap_or(f64::NAN);
            Vector::Num {
                values: Cow::Owned(values.iter().map(|&p| arith(op, p, y)).collect()),
                valid: valid.clone(),
            }
        }
        (Vector::Const(c), Vector::Num { values, valid }) if c.as_f64().is_some() => {
            let x = c.as_f64().unwrap_or(f64::NAN);
            Vector::Num {
                values: Cow::Owned(values.iter().map(|&q| arith(op, x, q)).collect()),
                valid: valid.clone(),
            }
        }
        _ => per_row(n, |r| binary_scalar(op, &a.value_at(r), &b.value_at(r))),
    }
}

/// Tight loops for the common comparison shapes; `None` means "use the row path".
fn compare_fast(op: BinOp, a: &Vector, b: &Vector, n: usize) -> Option<Vector<'static>> {
    Some(match (a, b) {
        (
            Vector::Num {
                values: x,
                valid: vx,
            },
            Vector::Num {
                values: y,
                valid: vy,
            },
        ) => Vector::Bool(masked(n, &[vx, vy], |r| u8::from(cmp_f64(op, x[r], y[r])))),
        (Vector::Num { values, valid }, Vector::Const(c))
        | (Vector::Const(c), Vector::Num { values, valid }) => {
            let flip = matches!(a, Vector::Const(_));
            let op = if flip { flipped(op) } else { op };
            match c {
                Value::Null => Vector::Const(Value::Null),
                c => {
                    let y = c.as_f64()?;
                    Vector::Bool(masked(n, &[valid], |r| u8::from(cmp_f64(op, values[r], y))))
                }
            }
        }
        (Vector::Dict { dict, codes, valid }, Vector::Const(Value::Str(s)))
        | (Vector::Const(Value::Str(s)), Vector::Dict { dict, codes, valid }) => {
            let flip = matches!(a, Vector::Const(_));
            let op = if flip { flipped(op) } else { op };
            // Compare each dictionary entry once, then look rows up by code.
            let per_code: Vec<u8> = dict
                .iter()
                .map(|d| u8::from(ord_holds(op, d.as_str().cmp(s.as_str()))))
                .collect();
            Vector::Bool(masked(n, &[valid], |r| per_code[codes[r] as usize]))
        }
        (
            Vector::Dict {
                dict: da,
                codes: ca,
                valid: va,
            },
            Vector::Dict {
                dict: db,
                codes: cb,
                valid: vb,
            },
        ) if matches!(op, BinOp::Eq | BinOp::Ne) => {
            // Map b's codes into a's dictionary once; then rows compare integers.
            let index: std::collections::HashMap<&str, u32> = da
                .iter()
                .enumerate()
                .map(|(i, s)| (s.as_str(), i as u32))
                .collect();
            let remap: Vec<u32> = db
                .iter()
                .map(|s| index.get(s.as_str()).copied().unwrap_or(u32::MAX))
                .collect();
            let eq = op == BinOp::Eq;
            Vector::Bool(masked(n, &[va, vb], |r| {
                u8::from((ca[r] == remap[cb[r] as usize]) == eq)
            }))
        }
        (Vector::Text { .. }, Vector::Const(Value::Str(s))) => Vector::Bool(
            (0..n)
                .map(|r| {
                    a.str_at(r)
                        .map_or(NULL, |t| u8::from(ord_holds(op, t.cmp(s))))
                })
                .collect(),
        ),
        _ => return None,
    })
}

/// `f(r)` for every row, or `NULL` where any of `valid` is unset. Checks the
/// bitmaps once, so columns without nulls run a branch-free loop.
#[inline]
fn masked(n: usize, valid: &[&Bitmap], f: impl Fn(usize) -> u8) -> Vec<u8> {
    if valid.iter().all(|v| v.all_set()) {
        (0..n).map(f).collect()
    } else {
        (0..n)
            .map(|r| {
                if valid.iter().all(|v| v.get(r)) {
                    f(r)
                } else {
                    NULL
                }
            })
            .collect()
    }
}

fn in_list<'a>(v: Vector<'a>, items: &[Vector<'a>], negated: bool, n: usize) -> Vector<'a> {
    let consts: Option<Vec<&Value>> = items
        .iter()
        .map(|i| match i {
            Vector::Const(c) => Some(c),
            _ => None,
        })
        .collect();
    if let (Vector::Dict { dict, codes, valid }, Some(consts)) = (&v, &consts) {
        let hit: Vec<u8> = dict
            .iter()
            .map(|d| {
                let found = consts.iter().any(|c| matches!(c, Value::Str(s) if s == d));
                u8::from(found != negated)
            })
            .collect();
        return Vector::Bool(
            codes
                .iter()
                .enumerate()
                .map(|(r, &c)| if valid.get(r) { hit[c as usize] } else { NULL })
                .collect(),
        );
    }
    let row = |r: usize| {
        let x = v.value_at(r);
        let values: Vec<Value> = items.iter().map(|i| i.get(r)).collect();
        in_scalar(&x, &values, negated)
    };
    if let Vector::Const(_) = v
        && consts.is_some()
    {
        return Vector::Const(row(0));
    }
    Vector::Bool((0..n).map(|r| value_tri(&row(r))).collect())
}

fn call_vector<'a>(name: &str, args: Vec<Vector<'a>>, n: usize) -> Vector<'a> {
    let unary_math: Option<fn(f64) -> f64> = match (name, args.len()) {
        ("abs", 1) => Some(f64::abs),
        ("floor", 1) => Some(f64::floor),
        ("ceil", 1) => Some(f64::ceil),
        ("round", 1) => Some(f64::round),
        ("sqrt", 1) => Some(f64::sqrt),
        ("log", 1) => Some(f64::ln),
        _ => None,
    };
    if let (Some(f), Some(Vector::Num { values, valid })) = (unary_math, args.first()) {
        return Vector::Num {
            values: Cow::Owned(values.iter().map(|&x| f(x)).collect()),
            valid: valid.clone(),
        };
    }
    if let ("round", [Vector::Num { values, valid }, Vector::Const(d)]) = (name, args.as_slice())
        && let Some(d) = d.as_f64()
    {
        return Vector::Num {
            values: Cow::Owned(values.iter().map(|&x| round_to(x, d)).collect()),
            valid: valid.clone(),
        };
    }
    if args.iter().all(|a| matches!(a, Vector::Const(_))) {
        let values: Vec<Value> = args.iter().map(|a| a.get(0)).collect();
        return Vector::Const(call(name, &values));
    }
    per_row(n, |r| {
        let values: Vec<Value> = args.iter().map(|a| a.get(r)).collect();
        call(name, &values)
    })
}

/// Rows (ascending) where `e` is exactly true.
pub fn filter_rows(e: &Expr, frame: &Frame<'_>) -> Vec<u32> {
    match eval(e, frame) {
        Vector::Const(v) => {
            if value_tri(&v) == TRUE {
                (0..frame.rows as u32).collect()
            } else {
                Vec::new()
            }
        }
        Vector::Bool(b) => {
            let mut out = Vec::with_capacity(b.len() / 4);
            for (r, &t) in b.iter().enumerate() {
                if t == TRUE {
                    out.push(r as u32);
                }
            }
            out
        }
        other => (0..frame.rows)
            .filter(|&r| other.tri(r) == TRUE)
            .map(|r| r as u32)
            .collect(),
    }
}
