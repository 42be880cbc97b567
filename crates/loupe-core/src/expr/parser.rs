//! Precedence-climbing parser: `or` < `and` < `not` < comparisons/`in`/`is`
//! < `+ -` < `* / %` < unary `-` < postfix (`[i]`, `.field`, calls).

use super::lexer::{Spanned, Tok, lex};
use super::{BinOp, Expr, ExprError, ExprKind};

/// Nesting beyond this is refused (keeps hostile input from overflowing the stack).
const MAX_DEPTH: usize = 64;

pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if p.peek() == &Tok::End {
        return Err(ExprError::at(0, src.len(), "empty expression"));
    }
    let e = p.or()?;
    if p.peek() != &Tok::End {
        let t = p.current();
        return Err(ExprError::at(
            t.start,
            t.end,
            format!(
                "unexpected {} after a complete expression",
                t.tok.describe()
            ),
        ));
    }
    Ok(e)
}

struct Parser {
    tokens: Vec<Spanned>,
    pos: usize,
    depth: usize,
}

fn node(kind: ExprKind, start: usize, end: usize) -> Expr {
    Expr { kind, start, end }
}

impl Parser {
    fn current(&self) -> &Spanned {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> &Tok {
        &self.current().tok
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.tokens[(self.pos + k).min(self.tokens.len() - 1)].tok
    }

    fn bump(&mut self) -> Spanned {
        let t = self.current().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Spanned, ExprError> {
        if *self.peek() == tok {
            Ok(self.bump())
        } else {
            let t = self.current();
            Err(ExprError::at(
                t.start,
                t.end.max(t.start + 1),
                format!("expected {what}, found {}", t.tok.describe()),
            ))
        }
    }

    fn deeper(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.current();
            return Err(ExprError::at(
                t.start,
                t.end,
                "expression nested too deeply",
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while *self.peek() == Tok::Or {
            self.bump();
            let right = self.and()?;
            let (s, e) = (left.start, right.end);
            left = node(
                ExprKind::Binary(BinOp::Or, Box::new(left), Box::new(right)),
                s,
                e,
            );
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.not()?;
        while *self.peek() == Tok::And {
            self.bump();
            let right = self.not()?;
            let (s, e) = (left.start, right.end);
            left = node(
                ExprKind::Binary(BinOp::And, Box::new(left), Box::new(right)),
                s,
                e,
            );
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ExprError> {
        if *self.peek() == Tok::Not {
            let t = self.bump();
            self.deeper()?;
            let inner = self.not()?;
            self.depth -= 1;
            let end = inner.end;
            return Ok(node(ExprKind::Not(Box::new(inner)), t.start, end));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ExprError> {
        let left = self.additive()?;
        let op = match self.peek() {
            Tok::Eq => BinOp::Eq,
            Tok::Ne => BinOp::Ne,
            Tok::Lt => BinOp::Lt,
            Tok::Le => BinOp::Le,
            Tok::Gt => BinOp::Gt,
            Tok::Ge => BinOp::Ge,
            Tok::In => return self.in_list(left, false),
            Tok::Not if *self.peek_at(1) == Tok::In => {
                self.bump();
                return self.in_list(left, true);
            }
            Tok::Is => {
                self.bump();
                let negated = if *self.peek() == Tok::Not {
                    self.bump();
                    true
                } else {
                    false
                };
                let null = self.expect(Tok::Null, "`null` after `is`")?;
                let start = left.start;
                return Ok(node(
                    ExprKind::IsNull {
                        value: Box::new(left),
                        negated,
                    },
                    start,
                    null.end,
                ));
            }
            _ => return Ok(left),
        };
        self.bump();
        let right = self.additive()?;
        let (s, e) = (left.start, right.end);
        Ok(node(
            ExprKind::Binary(op, Box::new(left), Box::new(right)),
            s,
            e,
        ))
    }

    fn in_list(&mut self, left: Expr, negated: bool) -> Result<Expr, ExprError> {
        self.expect(Tok::In, "`in`")?;
        self.expect(Tok::LBracket, "`[` to start the list after `in`")?;
        let items = self.items(Tok::RBracket)?;
        let close = self.expect(Tok::RBracket, "`]` to close the list")?;
        let start = left.start;
        Ok(node(
            ExprKind::In {
                value: Box::new(left),
                list: items,
                negated,
            },
            start,
            close.end,
        ))
    }

    /// Comma-separated expressions up to (not including) `close`.
    fn items(&mut self, close: Tok) -> Result<Vec<Expr>, ExprError> {
        let mut items = Vec::new();
        if *self.peek() == close {
            return Ok(items);
        }
        loop {
            items.push(self.or()?);
            if *self.peek() == Tok::Comma {
                self.bump();
            } else {
                return Ok(items);
            }
        }
    }

    fn additive(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.multiplicative()?;
            let (s, e) = (left.start, right.end);
            left = node(ExprKind::Binary(op, Box::new(left), Box::new(right)), s, e);
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::Percent => BinOp::Rem,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.unary()?;
            let (s, e) = (left.start, right.end);
            left = node(ExprKind::Binary(op, Box::new(left), Box::new(right)), s, e);
        }
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if *self.peek() == Tok::Minus {
            let t = self.bump();
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            let end = inner.end;
            // Fold `-3` into a literal so it reads and prints naturally.
            if let ExprKind::Number(n) = inner.kind {
                return Ok(node(ExprKind::Number(-n), t.start, end));
            }
            return Ok(node(ExprKind::Neg(Box::new(inner)), t.start, end));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.primary()?;
        loop {
            match self.peek() {
                Tok::LBracket => {
                    self.bump();
                    let index = self.or()?;
                    let close = self.expect(Tok::RBracket, "`]` after the index")?;
                    let start = e.start;
                    e = node(
                        ExprKind::Index(Box::new(e), Box::new(index)),
                        start,
                        close.end,
                    );
                }
                Tok::At => {
                    self.bump();
                    let t = self.bump();
                    let ExprKind::Column(name) = &e.kind else {
                        return Err(ExprError::at(
                            e.start,
                            t.end,
                            "`@version` follows a column, as in `guess@v0`",
                        ));
                    };
                    let Tok::Ident(version) = t.tok else {
                        return Err(ExprError::at(
                            t.start,
                            t.end.max(t.start + 1),
                            format!(
                                "expected a version name after `@`, found {}",
                                t.tok.describe()
                            ),
                        ));
                    };
                    let start = e.start;
                    e = node(ExprKind::Column(format!("{name}@{version}")), start, t.end);
                }
                Tok::Dot => {
                    self.bump();
                    let t = self.bump();
                    let Tok::Ident(name) = t.tok else {
                        return Err(ExprError::at(
                            t.start,
                            t.end.max(t.start + 1),
                            format!(
                                "expected a field name after `.`, found {}",
                                t.tok.describe()
                            ),
                        ));
                    };
                    let start = e.start;
                    e = node(ExprKind::Field(Box::new(e), name), start, t.end);
                }
                _ => return Ok(e),
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let t = self.bump();
        let (start, end) = (t.start, t.end);
        Ok(match t.tok {
            Tok::Num(n) => node(ExprKind::Number(n), start, end),
            Tok::Str(s) => node(ExprKind::Str(s), start, end),
            Tok::True => node(ExprKind::Bool(true), start, end),
            Tok::False => node(ExprKind::Bool(false), start, end),
            Tok::Null => node(ExprKind::Null, start, end),
            Tok::LParen => {
                self.deeper()?;
                let inner = self.or()?;
                self.depth -= 1;
                let close = self.expect(Tok::RParen, "`)`")?;
                node(inner.kind, start, close.end)
            }
            Tok::LBracket => {
                self.deeper()?;
                let items = self.items(Tok::RBracket)?;
                self.depth -= 1;
                let close = self.expect(Tok::RBracket, "`]` to close the list")?;
                node(ExprKind::List(items), start, close.end)
            }
            Tok::Ident(name)
                if name == "row" && matches!(self.peek(), Tok::LBracket | Tok::Dot) =>
            {
                // W&B style: row["col"] or row.col names a column.
                if *self.peek() == Tok::LBracket {
                    self.bump();
                    let key = self.bump();
                    let Tok::Str(col) = key.tok else {
                        return Err(ExprError::at(
                            key.start,
                            key.end.max(key.start + 1),
                            "expected a column name string in row[\"…\"]",
                        ));
                    };
                    let close = self.expect(Tok::RBracket, "`]` after the column name")?;
                    node(ExprKind::Column(col), start, close.end)
                } else {
                    self.bump();
                    let key = self.bump();
                    let Tok::Ident(col) = key.tok else {
                        return Err(ExprError::at(
                            key.start,
                            key.end.max(key.start + 1),
                            "expected a column name after `row.`",
                        ));
                    };
                    node(ExprKind::Column(col), start, key.end)
                }
            }
            Tok::Ident(name) if *self.peek() == Tok::LParen => {
                self.bump();
                self.deeper()?;
                let args = self.items(Tok::RParen)?;
                self.depth -= 1;
                let close = self.expect(Tok::RParen, "`)` to close the call")?;
                node(
                    ExprKind::Call(name.to_ascii_lowercase(), args),
                    start,
                    close.end,
                )
            }
            Tok::Ident(name) => node(ExprKind::Column(name), start, end),
            other => {
                return Err(ExprError::at(
                    start,
                    end.max(start + 1),
                    format!("expected a value, found {}", other.describe()),
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(src: &str) -> String {
        fn s(e: &Expr) -> String {
            match &e.kind {
                ExprKind::Number(n) => n.to_string(),
                ExprKind::Str(v) => format!("{v:?}"),
                ExprKind::Bool(b) => b.to_string(),
                ExprKind::Null => "null".into(),
                ExprKind::Column(c) => format!("col({c})"),
                ExprKind::Neg(x) => format!("(-{})", s(x)),
                ExprKind::Not(x) => format!("(not {})", s(x)),
                ExprKind::Binary(op, a, b) => format!("({} {} {})", s(a), op.symbol(), s(b)),
                ExprKind::In {
                    value,
                    list,
                    negated,
                } => format!(
                    "({} {}in [{}])",
                    s(value),
                    if *negated { "not " } else { "" },
                    list.iter().map(s).collect::<Vec<_>>().join(", ")
                ),
                ExprKind::IsNull { value, negated } => format!(
                    "({} is {}null)",
                    s(value),
                    if *negated { "not " } else { "" }
                ),
                ExprKind::Index(a, i) => format!("{}[{}]", s(a), s(i)),
                ExprKind::Field(a, f) => format!("{}.{f}", s(a)),
                ExprKind::Call(f, args) => {
                    format!("{f}({})", args.iter().map(s).collect::<Vec<_>>().join(", "))
                }
                ExprKind::List(items) => {
                    format!("[{}]", items.iter().map(s).collect::<Vec<_>>().join(", "))
                }
            }
        }
        s(&parse(src).unwrap_or_else(|e| panic!("{src}: {}", e.caret(src))))
    }

    #[test]
    fn precedence_and_wandb_style() {
        assert_eq!(
            show("score > 0.5 and truth != guess"),
            "((col(score) > 0.5) and (col(truth) != col(guess)))"
        );
        assert_eq!(
            show(r#"row["%_vegetation"] > 0.5"#),
            "(col(%_vegetation) > 0.5)"
        );
        assert_eq!(
            show("a + b * -c % 2"),
            "(col(a) + ((col(b) * (-col(c))) % 2))"
        );
        assert_eq!(
            show("not a or b and c"),
            "((not col(a)) or (col(b) and col(c)))"
        );
        assert_eq!(show("x not in [1, 'b']"), "(col(x) not in [1, \"b\"])");
        assert_eq!(show("x is not null"), "(col(x) is not null)");
        assert_eq!(show("image.width / 2"), "(col(image).width / 2)");
        assert_eq!(
            show("scores[0] + MAX(a, 1)"),
            "(col(scores)[0] + max(col(a), 1))"
        );
        assert_eq!(show("-3"), "-3");
        assert_eq!(
            show("if(a > 1, 'big', \"small\")"),
            "if((col(a) > 1), \"big\", \"small\")"
        );
    }

    #[test]
    fn version_suffixes_name_compared_columns() {
        assert_eq!(
            show("row[\"guess\"]@v0 != guess@v1"),
            "(col(guess@v0) != col(guess@v1))"
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("score > ").expect_err("incomplete");
        assert_eq!(
            (e.start, e.message.as_str()),
            (8, "expected a value, found the end of the expression")
        );
        let e = parse("a > 1 b").expect_err("trailing");
        assert_eq!(e.caret("a > 1 b"), "a > 1 b\n      ^");
        assert!(
            parse("'open")
                .expect_err("string")
                .message
                .contains("unterminated")
        );
        assert!(parse("(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))")
            .expect_err("deep")
            .message
            .contains("deeply"));
        assert!(parse("").is_err());
        assert!(parse("a # b").expect_err("char").message.contains('#'));
        assert!(
            parse("1 @ v0")
                .expect_err("version")
                .message
                .contains("follows a column")
        );
    }
}
