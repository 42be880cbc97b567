//! Type checking against a table's schema, before any row is evaluated.
//!
//! Unknown columns and functions, wrong argument counts and operators applied
//! to types they cannot work on are errors that point at the offending part.
//! `Any` (mixed or nested columns) defers the decision to run time, where a
//! mismatch yields null rather than an error.

use super::functions::return_type;
use super::{BinOp, Expr, ExprError, ExprKind};
use crate::column::DataType;
use crate::value::ValueKind;

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Number,
    Bool,
    String,
    Timestamp,
    List,
    Dict,
    Image,
    /// Audio, video, html, 3-D, molecule files.
    Media,
    Table,
    Null,
    /// Not known until run time (mixed columns, list elements, dict fields).
    Any,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Number => "number",
            Ty::Bool => "bool",
            Ty::String => "string",
            Ty::Timestamp => "timestamp",
            Ty::List => "list",
            Ty::Dict => "dict",
            Ty::Image => "image",
            Ty::Media => "media",
            Ty::Table => "table",
            Ty::Null => "null",
            Ty::Any => "any",
        }
    }

    pub fn of(dtype: DataType) -> Ty {
        match dtype {
            DataType::Null => Ty::Null,
            DataType::Bool => Ty::Bool,
            DataType::Int | DataType::Float => Ty::Number,
            DataType::Timestamp => Ty::Timestamp,
            DataType::String => Ty::String,
            DataType::Nested(kind) => match kind {
                ValueKind::List | ValueKind::NdArray => Ty::List,
                ValueKind::Dict | ValueKind::Histogram => Ty::Dict,
                ValueKind::Image => Ty::Image,
                ValueKind::Audio
                | ValueKind::Html
                | ValueKind::Video
                | ValueKind::Object3D
                | ValueKind::Molecule => Ty::Media,
                ValueKind::Table => Ty::Table,
                _ => Ty::Any,
            },
            DataType::Mixed => Ty::Any,
        }
    }

    /// Number-like: numbers and timestamps (ms) take part in arithmetic.
    pub fn numeric(self) -> bool {
        matches!(self, Ty::Number | Ty::Timestamp | Ty::Any | Ty::Null)
    }

    fn loose(self) -> bool {
        matches!(self, Ty::Any | Ty::Null)
    }
}

/// Column names and types an expression is checked against.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub columns: Vec<(String, DataType)>,
}

impl Schema {
    pub fn column(&self, name: &str) -> Option<DataType> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| *t)
    }

    /// The closest column name, for "did you mean" hints.
    fn closest(&self, name: &str) -> Option<&str> {
        let lower = name.to_lowercase();
        self.columns
            .iter()
            .map(|(n, _)| (edit_distance(&lower, &n.to_lowercase()), n.as_str()))
            .filter(|(d, n)| *d <= 2.max(n.len() / 3))
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn check(e: &Expr, schema: &Schema) -> Result<Ty, ExprError> {
    Ok(match &e.kind {
        ExprKind::Number(_) => Ty::Number,
        ExprKind::Str(_) => Ty::String,
        ExprKind::Bool(_) => Ty::Bool,
        ExprKind::Null => Ty::Null,
        ExprKind::List(items) => {
            for item in items {
                check(item, schema)?;
            }
            Ty::List
        }
        ExprKind::Column(name) => match schema.column(name) {
            Some(t) => Ty::of(t),
            None => {
                let hint = schema
                    .closest(name)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(ExprError::on(e, format!("unknown column `{name}`{hint}")));
            }
        },
        ExprKind::Neg(inner) => {
            let t = check(inner, schema)?;
            if !t.numeric() {
                return Err(ExprError::on(
                    inner,
                    format!("cannot negate a {}", t.name()),
                ));
            }
            Ty::Number
        }
        ExprKind::Not(inner) => {
            let t = check(inner, schema)?;
            if !(t == Ty::Bool || t.loose()) {
                return Err(ExprError::on(
                    inner,
                    format!("`not` needs a bool, found {}", t.name()),
                ));
            }
            Ty::Bool
        }
        ExprKind::Binary(op, a, b) => {
            let (ta, tb) = (check(a, schema)?, check(b, schema)?);
            binary_type(*op, ta, tb).map_err(|msg| ExprError::on(e, msg))?
        }
        ExprKind::In { value, list, .. } => {
            let t = check(value, schema)?;
            for item in list {
                let ti = check(item, schema)?;
                if !comparable(t, ti) {
                    return Err(ExprError::on(
                        item,
                        format!("cannot compare {} with {}", t.name(), ti.name()),
                    ));
                }
            }
            Ty::Bool
        }
        ExprKind::IsNull { value, .. } => {
            check(value, schema)?;
            Ty::Bool
        }
        ExprKind::Index(base, index) => {
            let (tb, ti) = (check(base, schema)?, check(index, schema)?);
            match tb {
                Ty::List | Ty::String if !(ti == Ty::Number || ti.loose()) => {
                    return Err(ExprError::on(
                        index,
                        format!(
                            "a {} index must be a number, found {}",
                            tb.name(),
                            ti.name()
                        ),
                    ));
                }
                Ty::List | Ty::Dict | Ty::Any | Ty::Null | Ty::Table => Ty::Any,
                Ty::String => Ty::String,
                other => {
                    return Err(ExprError::on(
                        base,
                        format!("cannot index into a {}", other.name()),
                    ));
                }
            }
        }
        ExprKind::Field(base, field) => {
            let tb = check(base, schema)?;
            match (tb, field.as_str()) {
                (Ty::Image, "width" | "height") => Ty::Number,
                (Ty::Image | Ty::Media, "path" | "caption" | "format") => Ty::String,
                (Ty::Image, _) | (Ty::Media, _) => {
                    return Err(ExprError::at(
                        base.end,
                        e.end,
                        format!(
                            "{} has no field `{field}` (try width, height, path, caption)",
                            tb.name()
                        ),
                    ));
                }
                (Ty::Dict | Ty::Any | Ty::Null, _) => Ty::Any,
                (other, _) => {
                    return Err(ExprError::at(
                        base.end,
                        e.end,
                        format!("a {} has no fields", other.name()),
                    ));
                }
            }
        }
        ExprKind::Call(name, args) => {
            let types = args
                .iter()
                .map(|a| check(a, schema))
                .collect::<Result<Vec<_>, _>>()?;
            return_type(name, &types).map_err(|msg| ExprError::on(e, msg))?
        }
    })
}

fn comparable(a: Ty, b: Ty) -> bool {
    a.loose() || b.loose() || a == b || (a.numeric() && b.numeric())
}

fn binary_type(op: BinOp, a: Ty, b: Ty) -> Result<Ty, String> {
    let sym = op.symbol();
    match op {
        BinOp::And | BinOp::Or => {
            for t in [a, b] {
                if !(t == Ty::Bool || t.loose()) {
                    return Err(format!(
                        "`{sym}` needs bools on both sides, found {}",
                        t.name()
                    ));
                }
            }
            Ok(Ty::Bool)
        }
        _ if op.is_comparison() => {
            if comparable(a, b) {
                Ok(Ty::Bool)
            } else {
                Err(format!(
                    "cannot compare {} with {} using `{sym}`",
                    a.name(),
                    b.name()
                ))
            }
        }
        BinOp::Add if a == Ty::String && (b == Ty::String || b.loose()) => Ok(Ty::String),
        BinOp::Add if b == Ty::String && a.loose() => Ok(Ty::String),
        _ => {
            if a.numeric() && b.numeric() {
                Ok(Ty::Number)
            } else {
                Err(format!(
                    "cannot apply `{sym}` to {} and {}",
                    a.name(),
                    b.name()
                ))
            }
        }
    }
}
