//! Tokens of the expression language, with byte spans for error carets.

use super::ExprError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    /// `@` in `guess@v0`: a column of one compared version.
    At,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
    In,
    Is,
    Null,
    True,
    False,
    End,
}

impl Tok {
    pub fn describe(&self) -> String {
        match self {
            Tok::Num(n) => format!("number {n}"),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::End => "the end of the expression".into(),
            other => format!("`{}`", symbol(other)),
        }
    }
}

fn symbol(t: &Tok) -> &'static str {
    match t {
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::Comma => ",",
        Tok::Dot => ".",
        Tok::At => "@",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::Percent => "%",
        Tok::Eq => "==",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::And => "and",
        Tok::Or => "or",
        Tok::Not => "not",
        Tok::In => "in",
        Tok::Is => "is",
        Tok::Null => "null",
        Tok::True => "true",
        Tok::False => "false",
        _ => "?",
    }
}

/// A token and its byte range in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

pub fn lex(src: &str) -> Result<Vec<Spanned>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let two = bytes.get(i..i + 2);
        let (tok, len) = match c {
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b'[' => (Tok::LBracket, 1),
            b']' => (Tok::RBracket, 1),
            b',' => (Tok::Comma, 1),
            b'@' => (Tok::At, 1),
            b'+' => (Tok::Plus, 1),
            b'-' => (Tok::Minus, 1),
            b'*' => (Tok::Star, 1),
            b'/' => (Tok::Slash, 1),
            b'%' => (Tok::Percent, 1),
            b'=' if two == Some(b"==") => (Tok::Eq, 2),
            b'=' => (Tok::Eq, 1),
            b'!' if two == Some(b"!=") => (Tok::Ne, 2),
            b'!' => (Tok::Not, 1),
            b'<' if two == Some(b"<=") => (Tok::Le, 2),
            b'<' if two == Some(b"<>") => (Tok::Ne, 2),
            b'<' => (Tok::Lt, 1),
            b'>' if two == Some(b">=") => (Tok::Ge, 2),
            b'>' => (Tok::Gt, 1),
            b'&' if two == Some(b"&&") => (Tok::And, 2),
            b'|' if two == Some(b"||") => (Tok::Or, 2),
            b'"' | b'\'' => {
                let (s, len) = string(src, i)?;
                (Tok::Str(s), len)
            }
            b'0'..=b'9' => number(src, i)?,
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => number(src, i)?,
            b'.' => (Tok::Dot, 1),
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let mut j = i;
                while j < bytes.len() && (bytes[j] == b'_' || bytes[j].is_ascii_alphanumeric()) {
                    j += 1;
                }
                let word = &src[i..j];
                let tok = match word.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "is" => Tok::Is,
                    "null" | "none" => Tok::Null,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    _ => Tok::Ident(word.to_string()),
                };
                (tok, j - i)
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(ExprError::at(
                    start,
                    start + ch.len_utf8(),
                    format!("unexpected character `{ch}`"),
                ));
            }
        };
        i += len;
        out.push(Spanned { tok, start, end: i });
    }
    out.push(Spanned {
        tok: Tok::End,
        start: src.len(),
        end: src.len(),
    });
    Ok(out)
}

fn string(src: &str, start: usize) -> Result<(String, usize), ExprError> {
    let quote = src.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((out, k + 2)),
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, other)) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(ExprError::at(
        start,
        src.len(),
        format!("unterminated string (missing closing {quote})"),
    ))
}

fn number(src: &str, start: usize) -> Result<(Tok, usize), ExprError> {
    let bytes = src.as_bytes();
    let mut j = start;
    while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
        j += 1;
    }
    if j < bytes.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
        let mut k = j + 1;
        if k < bytes.len() && (bytes[k] == b'+' || bytes[k] == b'-') {
            k += 1;
        }
        if k < bytes.len() && bytes[k].is_ascii_digit() {
            j = k;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
        }
    }
    let text = &src[start..j];
    text.parse::<f64>()
        .map(|n| (Tok::Num(n), j - start))
        .map_err(|_| ExprError::at(start, j, format!("`{text}` is not a number")))
}
