//! Built-in functions: their types (for the checker) and their row-level
//! implementations. To add one: a line in `FUNCTIONS`, a case in
//! `return_type`, and a case in `call` (plus a vector fast path in `eval` if hot).

use super::check::Ty;
use crate::value::Value;

/// Name, usage and one line of documentation (shown in the README and the UI).
pub const FUNCTIONS: &[(&str, &str, &str)] = &[
    ("abs", "abs(x)", "absolute value"),
    ("round", "round(x[, digits])", "round half away from zero"),
    ("floor", "floor(x)", "round down"),
    ("ceil", "ceil(x)", "round up"),
    ("sqrt", "sqrt(x)", "square root"),
    ("log", "log(x)", "natural logarithm"),
    ("min", "min(a, b, …) or min(list)", "smallest number"),
    ("max", "max(a, b, …) or max(list)", "largest number"),
    ("sum", "sum(list)", "sum of a list of numbers"),
    ("mean", "mean(list)", "mean of a list of numbers"),
    (
        "argmax",
        "argmax(list)",
        "index of the largest number in a list",
    ),
    (
        "argmin",
        "argmin(list)",
        "index of the smallest number in a list",
    ),
    ("len", "len(x)", "length of a list, string, dict or table"),
    ("lower", "lower(s)", "lower-case text"),
    ("upper", "upper(s)", "upper-case text"),
    (
        "contains",
        "contains(s, part) or contains(list, x)",
        "substring or membership test",
    ),
    ("startswith", "startswith(s, prefix)", "prefix test"),
    ("endswith", "endswith(s, suffix)", "suffix test"),
    ("if", "if(cond, a, b)", "a where cond is true, else b"),
    ("coalesce", "coalesce(a, b, …)", "first non-null argument"),
    ("isnan", "isnan(x)", "true for NaN"),
    ("string", "string(x)", "the value as text"),
    (
        "number",
        "number(x)",
        "the value as a number (text is parsed)",
    ),
    ("width", "width(image)", "image width in pixels"),
    ("height", "height(image)", "image height in pixels"),
    (
        "boxes",
        "boxes(image[, layer])",
        "number of boxes (in one layer)",
    ),
    (
        "box_classes",
        "box_classes(image[, layer])",
        "list of the boxes' class ids",
    ),
    (
        "max_score",
        "max_score(image[, layer])",
        "highest box score",
    ),
    (
        "mask_coverage",
        "mask_coverage(image, class_id[, layer])",
        "fraction of the mask's pixels of that class (first mask layer by default)",
    ),
];

fn loose(t: Ty) -> bool {
    matches!(t, Ty::Any | Ty::Null)
}

fn need(args: &[Ty], name: &str, min: usize, max: usize) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        let usage = FUNCTIONS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map_or(name, |(_, u, _)| u);
        return Err(format!(
            "`{name}` takes {}, got {} (usage: {usage})",
            count(min, max),
            args.len()
        ));
    }
    Ok(())
}

fn count(min: usize, max: usize) -> String {
    match (min, max) {
        (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
        (a, usize::MAX) => format!("at least {a} arguments"),
        (a, b) => format!("{a} to {b} arguments"),
    }
}

fn arg_is(name: &str, i: usize, t: Ty, ok: &[Ty]) -> Result<(), String> {
    if loose(t) || ok.contains(&t) {
        Ok(())
    } else {
        let want: Vec<&str> = ok.iter().map(|t| t.name()).collect();
        Err(format!(
            "argument {} of `{name}` must be {}, found {}",
            i + 1,
            want.join(" or "),
            t.name()
        ))
    }
}

const NUM: &[Ty] = &[Ty::Number, Ty::Timestamp];

/// The result type of `name(args…)`, or why the call is wrong.
pub fn return_type(name: &str, args: &[Ty]) -> Result<Ty, String> {
    match name {
        "abs" | "floor" | "ceil" | "sqrt" | "log" => {
            need(args, name, 1, 1)?;
            arg_is(name, 0, args[0], NUM)?;
            Ok(Ty::Number)
        }
        "round" => {
            need(args, name, 1, 2)?;
            for (i, t) in args.iter().enumerate() {
                arg_is(name, i, *t, NUM)?;
            }
            Ok(Ty::Number)
        }
        "min" | "max" => {
            need(args, name, 1, usize::MAX)?;
            if args.len() == 1 {
                arg_is(name, 0, args[0], &[Ty::List])?;
            } else {
                for (i, t) in args.iter().enumerate() {
                    arg_is(name, i, *t, NUM)?;
                }
            }
            Ok(Ty::Number)
        }
        "sum" | "mean" | "argmax" | "argmin" => {
            need(args, name, 1, 1)?;
            arg_is(name, 0, args[0], &[Ty::List])?;
            Ok(Ty::Number)
        }
        "len" => {
            need(args, name, 1, 1)?;
            arg_is(
                name,
                0,
                args[0],
                &[Ty::List, Ty::String, Ty::Dict, Ty::Table],
            )?;
            Ok(Ty::Number)
        }
        "lower" | "upper" => {
            need(args, name, 1, 1)?;
            arg_is(name, 0, args[0], &[Ty::String])?;
            Ok(Ty::String)
        }
        "contains" => {
            need(args, name, 2, 2)?;
            arg_is(name, 0, args[0], &[Ty::String, Ty::List])?;
            if args[0] == Ty::String {
                arg_is(name, 1, args[1], &[Ty::String])?;
            }
            Ok(Ty::Bool)
        }
        "startswith" | "endswith" => {
            need(args, name, 2, 2)?;
            arg_is(name, 0, args[0], &[Ty::String])?;
            arg_is(name, 1, args[1], &[Ty::String])?;
            Ok(Ty::Bool)
        }
        "if" => {
            need(args, name, 3, 3)?;
            arg_is(name, 0, args[0], &[Ty::Bool])?;
            Ok(match (args[1], args[2]) {
                (a, b) if a == b => a,
                (Ty::Null, b) => b,
                (a, Ty::Null) => a,
                (a, b) if a.numeric() && b.numeric() => Ty::Number,
                _ => Ty::Any,
            })
        }
        "coalesce" => {
            need(args, name, 1, usize::MAX)?;
            Ok(args
                .iter()
                .copied()
                .find(|t| *t != Ty::Null)
                .unwrap_or(Ty::Null))
        }
        "isnan" => {
            need(args, name, 1, 1)?;
            arg_is(name, 0, args[0], NUM)?;
            Ok(Ty::Bool)
        }
        "string" => {
            need(args, name, 1, 1)?;
            Ok(Ty::String)
        }
        "number" => {
            need(args, name, 1, 1)?;
            Ok(Ty::Number)
        }
        "width" | "height" => {
            need(args, name, 1, 1)?;
            arg_is(name, 0, args[0], &[Ty::Image])?;
            Ok(Ty::Number)
        }
        "boxes" | "box_classes" | "max_score" => {
            need(args, name, 1, 2)?;
            arg_is(name, 0, args[0], &[Ty::Image])?;
            if let Some(layer) = args.get(1) {
                arg_is(name, 1, *layer, &[Ty::String])?;
            }
            Ok(if name == "box_classes" {
                Ty::List
            } else {
                Ty::Number
            })
        }
        "mask_coverage" => {
            need(args, name, 2, 3)?;
            arg_is(name, 0, args[0], &[Ty::Image])?;
            arg_is(name, 1, args[1], &[Ty::Number])?;
            if let Some(layer) = args.get(2) {
                arg_is(name, 2, *layer, &[Ty::String])?;
            }
            Ok(Ty::Number)
        }
        _ => {
            let close: Vec<&str> = FUNCTIONS
                .iter()
                .map(|(n, _, _)| *n)
                .filter(|n| n.starts_with(&name[..name.len().min(2)]))
                .collect();
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", close.join(", "))
            };
            Err(format!("unknown function `{name}`{hint}"))
        }
    }
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn numbers(v: &Value) -> Option<Vec<f64>> {
    match v {
        Value::List(items) => items.iter().map(num).collect(),
        _ => None,
    }
}

fn float(f: Option<f64>) -> Value {
    f.map_or(Value::Null, Value::Float)
}

/// Python-style rounding to `digits` places, half away from zero.
pub fn round_to(x: f64, digits: f64) -> f64 {
    let p = 10f64.powi(digits as i32);
    (x * p).round() / p
}

/// Evaluates a call on one row's argument values. Wrong shapes give null.
pub fn call(name: &str, args: &[Value]) -> Value {
    let a0 = args.first().unwrap_or(&Value::Null);
    let a1 = args.get(1).unwrap_or(&Value::Null);
    match name {
        "abs" => float(num(a0).map(f64::abs)),
        "floor" => float(num(a0).map(f64::floor)),
        "ceil" => float(num(a0).map(f64::ceil)),
        "sqrt" => float(num(a0).map(f64::sqrt)),
        "log" => float(num(a0).map(f64::ln)),
        "round" => match args.len() {
            1 => float(num(a0).map(f64::round)),
            _ => float(num(a0).zip(num(a1)).map(|(x, d)| round_to(x, d))),
        },
        "min" | "max" => {
            let values = if args.len() == 1 {
                numbers(a0)
            } else {
                args.iter().map(num).collect()
            };
            let pick = |acc: f64, x: f64| {
                if name == "min" {
                    acc.min(x)
                } else {
                    acc.max(x)
                }
            };
            float(values.and_then(|v| v.into_iter().reduce(pick)))
        }
        "sum" => float(numbers(a0).map(|v| v.iter().sum())),
        "mean" => float(
            numbers(a0)
                .filter(|v| !v.is_empty())
                .map(|v| v.iter().sum::<f64>() / v.len() as f64),
        ),
        "argmax" | "argmin" => {
            let Some(v) = numbers(a0) else {
                return Value::Null;
            };
            let better = |x: f64, best: f64| if name == "argmax" { x > best } else { x < best };
            let mut best: Option<(usize, f64)> = None;
            for (i, x) in v.into_iter().enumerate() {
                if best.is_none_or(|(_, b)| better(x, b)) {
                    best = Some((i, x));
                }
            }
            best.map_or(Value::Null, |(i, _)| Value::Int(i as i64))
        }
        "len" => match a0 {
            Value::List(v) => Value::Int(v.len() as i64),
            Value::Str(s) => Value::Int(s.chars().count() as i64),
            Value::Dict(d) => Value::Int(d.len() as i64),
            Value::Table(t) => Value::Int(t.row_count() as i64),
            _ => Value::Null,
        },
        "lower" => text(a0, str::to_lowercase),
        "upper" => text(a0, str::to_uppercase),
        "contains" => match (a0, a1) {
            (Value::Str(s), Value::Str(p)) => Value::Bool(s.contains(p.as_str())),
            (Value::List(items), x) if !matches!(x, Value::Null) => Value::Bool(
                items
                    .iter()
                    .any(|i| super::scalar::equals(i, x) == Some(true)),
            ),
            _ => Value::Null,
        },
        "startswith" | "endswith" => match (a0, a1) {
            (Value::Str(s), Value::Str(p)) => Value::Bool(if name == "startswith" {
                s.starts_with(p.as_str())
            } else {
                s.ends_with(p.as_str())
            }),
            _ => Value::Null,
        },
        "if" => match a0 {
            Value::Bool(true) => a1.clone(),
            Value::Bool(false) => args.get(2).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        },
        "coalesce" => args
            .iter()
            .find(|v| !matches!(v, Value::Null))
            .cloned()
            .unwrap_or(Value::Null),
        "isnan" => num(a0).map_or(Value::Null, |x| Value::Bool(x.is_nan())),
        "string" => match a0 {
            Value::Null => Value::Null,
            other => Value::Str(other.display()),
        },
        "number" => match a0 {
            Value::Str(s) => s.trim().parse().map_or(Value::Null, Value::Float),
            Value::Bool(b) => Value::Float(f64::from(u8::from(*b))),
            other => float(num(other)),
        },
        "width" | "height" => match a0 {
            Value::Image(img) => float(if name == "width" {
                img.width
            } else {
                img.height
            }),
            _ => Value::Null,
        },
        "boxes" | "box_classes" | "max_score" => {
            let Value::Image(img) = a0 else {
                return Value::Null;
            };
            let layer = match a1 {
                Value::Str(l) => Some(l.as_str()),
                _ => None,
            };
            let boxes = img
                .box_layers
                .iter()
                .filter(|l| layer.is_none_or(|want| l.name == want))
                .flat_map(|l| l.boxes.iter());
            match name {
                "boxes" => Value::Int(boxes.count() as i64),
                "box_classes" => Value::List(boxes.map(|b| Value::Int(b.class_id)).collect()),
                _ => float(boxes.filter_map(|b| b.primary_score()).reduce(f64::max)),
            }
        }
        _ => Value::Null,
    }
}

fn text(v: &Value, f: impl Fn(&str) -> String) -> Value {
    match v {
        Value::Str(s) => Value::Str(f(s)),
        _ => Value::Null,
    }
}
