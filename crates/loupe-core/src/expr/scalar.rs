//! Row-level semantics of the expression language: what one operation does to
//! one row's values. The vectorized evaluator (`eval`) uses these for every shape
//! it has no fast path for, and `eval_row` evaluates a whole expression on one row,
//! so the two paths cannot drift apart.

use std::cmp::Ordering;

use super::eval::{FALSE, Frame, MaskSource, NULL, TRUE};
use super::functions::call;
use super::{BinOp, Expr, ExprKind};
use crate::value::Value;

pub(crate) fn value_tri(v: &Value) -> u8 {
    match v {
        Value::Bool(true) => TRUE,
        Value::Bool(false) => FALSE,
        _ => NULL,
    }
}

pub(crate) fn tri_value(t: u8) -> Value {
    match t {
        TRUE => Value::Bool(true),
        FALSE => Value::Bool(false),
        _ => Value::Null,
    }
}

/// `mask_coverage(image, class[, layer])`: the fraction of the mask's pixels that
/// are `class` (the first mask layer unless one is named); null until the mask
/// has been loaded, or if the image has no such layer.
pub fn mask_coverage(masks: Option<&dyn MaskSource>, args: &[Value]) -> Value {
    let (Some(Value::Image(img)), Some(class)) =
        (args.first(), args.get(1).and_then(Value::as_f64))
    else {
        return Value::Null;
    };
    let layer = match args.get(2) {
        Some(Value::Str(name)) => img.mask_layers.iter().find(|m| m.name == *name),
        _ => img.mask_layers.first(),
    };
    let Some(ids) = layer.and_then(|l| masks?.class_ids(&l.path)) else {
        return Value::Null;
    };
    if ids.is_empty() || class.fract() != 0.0 || !(0.0..=255.0).contains(&class) {
        return Value::Float(0.0);
    }
    let class = class as u8;
    Value::Float(ids.iter().filter(|&&id| id == class).count() as f64 / ids.len() as f64)
}

pub(crate) fn negate(v: &Value) -> Value {
    v.as_f64().map_or(Value::Null, |x| Value::Float(-x))
}

pub(crate) fn not_tri(t: u8) -> u8 {
    match t {
        TRUE => FALSE,
        FALSE => TRUE,
        _ => NULL,
    }
}

pub(crate) fn and_tri(a: u8, b: u8) -> u8 {
    if a == FALSE || b == FALSE {
        FALSE
    } else if a == TRUE && b == TRUE {
        TRUE
    } else {
        NULL
    }
}

pub(crate) fn or_tri(a: u8, b: u8) -> u8 {
    if a == TRUE || b == TRUE {
        TRUE
    } else if a == FALSE && b == FALSE {
        FALSE
    } else {
        NULL
    }
}

#[inline]
pub(crate) fn cmp_f64(op: BinOp, x: f64, y: f64) -> bool {
    match op {
        BinOp::Eq => x == y,
        BinOp::Ne => x != y,
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        _ => false,
    }
}

#[inline]
pub(crate) fn arith(op: BinOp, x: f64, y: f64) -> f64 {
    match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Rem => x % y,
        _ => f64::NAN,
    }
}

pub(crate) fn ord_holds(op: BinOp, o: Ordering) -> bool {
    match op {
        BinOp::Eq => o == Ordering::Equal,
        BinOp::Ne => o != Ordering::Equal,
        BinOp::Lt => o == Ordering::Less,
        BinOp::Le => o != Ordering::Greater,
        BinOp::Gt => o == Ordering::Greater,
        BinOp::Ge => o != Ordering::Less,
        _ => false,
    }
}

/// `x in [items]`: true if any item equals x; null if x is null or nothing
/// matched but some comparison was null (SQL semantics).
pub fn in_scalar(x: &Value, items: &[Value], negated: bool) -> Value {
    if matches!(x, Value::Null) {
        return Value::Null;
    }
    let mut saw_null = false;
    for item in items {
        match equals(x, item) {
            Some(true) => return Value::Bool(!negated),
            None => saw_null = true,
            Some(false) => {}
        }
    }
    if saw_null {
        Value::Null
    } else {
        Value::Bool(negated)
    }
}

/// Equality of two values: `None` if either is null; different kinds are unequal.
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    if matches!(a, Value::Null) || matches!(b, Value::Null) {
        return None;
    }
    if let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) {
        return Some(x == y);
    }
    Some(match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (x, y) => x == y,
    })
}

/// Order of two values of the same kind (numbers, strings, bools); `None` otherwise.
pub(crate) fn order(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) {
        return x.partial_cmp(&y);
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// One binary operation on two row values.
pub fn binary_scalar(op: BinOp, a: &Value, b: &Value) -> Value {
    match op {
        BinOp::And => tri_value(and_tri(value_tri(a), value_tri(b))),
        BinOp::Or => tri_value(or_tri(value_tri(a), value_tri(b))),
        BinOp::Eq | BinOp::Ne => match equals(a, b) {
            None => Value::Null,
            Some(eq) => Value::Bool(eq == (op == BinOp::Eq)),
        },
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            if matches!(a, Value::Null) || matches!(b, Value::Null) {
                return Value::Null;
            }
            if let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) {
                return Value::Bool(cmp_f64(op, x, y));
            }
            order(a, b).map_or(Value::Null, |o| Value::Bool(ord_holds(op, o)))
        }
        BinOp::Add if matches!((a, b), (Value::Str(_), Value::Str(_))) => match (a, b) {
            (Value::Str(x), Value::Str(y)) => Value::Str(format!("{x}{y}")),
            _ => Value::Null,
        },
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Value::Float(arith(op, x, y)),
            _ => Value::Null,
        },
    }
}

/// `base[index]`: list position (negative counts from the end), dict key, or character.
pub fn index_value(base: &Value, index: &Value) -> Value {
    let position = |len: usize| -> Option<usize> {
        let i = index.as_f64()?;
        if i.fract() != 0.0 {
            return None;
        }
        let i = i as i64;
        let i = if i < 0 { len as i64 + i } else { i };
        usize::try_from(i).ok().filter(|&i| i < len)
    };
    match (base, index) {
        (Value::List(items), _) => position(items.len()).map_or(Value::Null, |i| items[i].clone()),
        (Value::Dict(fields), Value::Str(key)) => fields
            .iter()
            .find(|(k, _)| k == key)
            .map_or(Value::Null, |(_, v)| v.clone()),
        (Value::Str(s), _) => {
            let chars: Vec<char> = s.chars().collect();
            position(chars.len()).map_or(Value::Null, |i| Value::Str(chars[i].to_string()))
        }
        _ => Value::Null,
    }
}

/// `base.field`: image size and paths, media paths, dict keys.
pub fn field_value(base: &Value, field: &str) -> Value {
    let opt_str = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Str);
    match base {
        Value::Image(img) => match field {
            "width" => img.width.map_or(Value::Null, Value::Float),
            "height" => img.height.map_or(Value::Null, Value::Float),
            "path" => Value::Str(img.path.clone()),
            "caption" => opt_str(&img.caption),
            "format" => opt_str(&img.format),
            _ => Value::Null,
        },
        Value::Media(m) => match field {
            "path" => Value::Str(m.path.clone()),
            "caption" => opt_str(&m.caption),
            _ => Value::Null,
        },
        Value::Dict(_) => index_value(base, &Value::Str(field.to_string())),
        _ => Value::Null,
    }
}

/// Evaluates `e` on one row (for single cells; bulk work uses `eval`).
pub fn eval_row(e: &Expr, frame: &Frame<'_>, row: usize) -> Value {
    let one = |x: &Expr| eval_row(x, frame, row);
    match &e.kind {
        ExprKind::Number(x) => Value::Float(*x),
        ExprKind::Str(s) => Value::Str(s.clone()),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Null => Value::Null,
        ExprKind::Column(name) => frame.column(name).map_or(Value::Null, |c| c.get(row)),
        ExprKind::List(items) => Value::List(items.iter().map(one).collect()),
        ExprKind::Neg(x) => negate(&one(x)),
        ExprKind::Not(x) => tri_value(not_tri(value_tri(&one(x)))),
        ExprKind::Binary(op, a, b) => binary_scalar(*op, &one(a), &one(b)),
        ExprKind::In {
            value,
            list,
            negated,
        } => {
            let items: Vec<Value> = list.iter().map(one).collect();
            in_scalar(&one(value), &items, *negated)
        }
        ExprKind::IsNull { value, negated } => {
            Value::Bool(matches!(one(value), Value::Null) != *negated)
        }
        ExprKind::Index(b, i) => index_value(&one(b), &one(i)),
        ExprKind::Field(b, f) => field_value(&one(b), f),
        ExprKind::Call(name, args) => {
            let values: Vec<Value> = args.iter().map(one).collect();
            if name == "mask_coverage" {
                return mask_coverage(frame.masks, &values);
            }
            call(name, &values)
        }
    }
}
