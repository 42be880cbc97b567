//! The expression language: `row["score"] > 0.5 and truth != guess`.
//!
//! Text is parsed once into an `Expr` tree (`parser`), checked against the
//! table's schema (`check`), then evaluated a column at a time (`eval`).
//! Errors carry the byte span they are about, so the UI can point with `^`.

mod check;
pub mod eval;
mod functions;
mod lexer;
mod parser;
mod scalar;

pub use check::{Schema, Ty, check};
pub use eval::{Frame, MaskSource, Vector, eval, filter_rows};
pub use functions::FUNCTIONS;
pub use parser::parse;
pub use scalar::{binary_scalar, equals, eval_row, in_scalar};

/// A node with the source range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub start: usize,
    pub end: usize,
}

impl Expr {
    /// Every column the expression names, in order of appearance (repeats kept).
    pub fn column_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match &self.kind {
            ExprKind::Column(name) => out.push(name),
            ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Null => {}
            ExprKind::Neg(e) | ExprKind::Not(e) | ExprKind::Field(e, _) => e.column_names(out),
            ExprKind::IsNull { value, .. } => value.column_names(out),
            ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
                a.column_names(out);
                b.column_names(out);
            }
            ExprKind::In { value, list, .. } => {
                value.column_names(out);
                list.iter().for_each(|e| e.column_names(out));
            }
            ExprKind::Call(_, args) | ExprKind::List(args) => {
                args.iter().for_each(|e| e.column_names(out))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Str(String),
    Bool(bool),
    Null,
    /// A column by name: `score`, `row["% vegetation"]`, `row.score`.
    Column(String),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x in [a, b]` (`negated` for `not in`).
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// `x is null` / `x is not null`.
    IsNull {
        value: Box<Expr>,
        negated: bool,
    },
    /// `x[0]`, `x["key"]`.
    Index(Box<Expr>, Box<Expr>),
    /// `x.width`.
    Field(Box<Expr>, String),
    Call(String, Vec<Expr>),
    /// A list literal `[1, 2]` (only as the right side of `in`, or a function argument).
    List(Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }

    pub fn is_arithmetic(self) -> bool {
        matches!(
            self,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
        )
    }
}

/// An error about part of an expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at {start})")]
pub struct ExprError {
    /// Byte range in the source.
    pub start: usize,
    pub end: usize,
    pub message: String,
}

impl ExprError {
    pub fn at(start: usize, end: usize, message: impl Into<String>) -> Self {
        ExprError {
            start,
            end,
            message: message.into(),
        }
    }

    pub(crate) fn on(e: &Expr, message: impl Into<String>) -> Self {
        ExprError::at(e.start, e.end, message)
    }

    /// The source line and a caret line under the offending part:
    /// ```text
    /// scroe > 0.5
    /// ^^^^^
    /// ```
    pub fn caret(&self, src: &str) -> String {
        let start = src.get(..self.start).map_or(0, |s| s.chars().count());
        let width = src
            .get(self.start..self.end.max(self.start))
            .map_or(1, |s| s.chars().count())
            .max(1);
        format!("{src}\n{}{}", " ".repeat(start), "^".repeat(width))
    }
}

/// Parses and checks in one step: what the filter bar and the URL use.
pub fn compile(src: &str, schema: &Schema) -> Result<(Expr, Ty), ExprError> {
    let expr = parse(src)?;
    let ty = check(&expr, schema)?;
    Ok((expr, ty))
}
