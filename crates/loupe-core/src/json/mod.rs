//! A lenient JSON reader for the files the `wandb` SDK writes.
//!
//! Why not serde_json: the SDK writes with Python's `allow_nan=True`, so `NaN`,
//! `Infinity` and `-Infinity` tokens appear, and integers are unbounded
//! (`1180591620717411303424`). serde_json rejects the first and loses the second
//! without `arbitrary_precision`. This reader accepts both, reports errors with
//! line:column, and bounds nesting depth so hostile input cannot overflow the stack.

use std::fmt;

mod write;

pub use write::to_string;
pub(crate) use write::write_string_as;

/// Deepest nesting accepted; real W&B files stay far below this.
pub const MAX_DEPTH: usize = 256;

/// A parsed JSON value. Objects keep their key order (the SDK sorts keys, but
/// users' dict cells are shown in file order).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// A JSON number, kept exact where the file was exact.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    /// An integer token that fits in i64.
    Int(i64),
    /// An integer token beyond i64 (u64 max, Python's unbounded ints): kept as its decimal text.
    BigInt(String),
    /// Any token with a fraction or exponent, and the `NaN`/`Infinity` tokens.
    Float(f64),
}

impl Number {
    /// The value as f64 (lossy for big integers, which is what arithmetic wants).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::BigInt(s) => s.parse().unwrap_or(f64::NAN),
            Number::Float(f) => *f,
        }
    }
}

impl Json {
    /// The strings of a list field (`"aliases": ["a", "b"]`); other entries are skipped,
    /// a missing or non-list field gives none.
    pub fn string_list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Looks up a key of an object (first match); `None` for other values.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(Number::Int(i)) => Some(*i),
            Json::Number(Number::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Some(*f as i64)
            }
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(fields) => Some(fields),
            _ => None,
        }
    }

    /// A short name of the JSON shape, for error messages.
    pub fn shape_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// A syntax error with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON at line {line}, column {column}: {message}")]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The input ended inside a value: more bytes could complete it (streaming reads wait).
    pub truncated: bool,
}

/// Parses a whole document; trailing non-whitespace is an error.
pub fn parse(bytes: &[u8]) -> Result<Json, JsonError> {
    // A UTF-8 byte-order mark is harmless; `Parser::new` skips it.
    let mut p = Parser::new(bytes);
    p.skip_ws();
    if p.pos >= bytes.len() {
        return Err(p.error("the file is empty"));
    }
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos < bytes.len() {
        return Err(p.error("unexpected data after the end of the JSON value"));
    }
    Ok(value)
}

/// The byte-level reader; `table_reader` drives it directly for table rows.
pub(crate) struct Parser<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) pos: usize,
    /// Line and column of `bytes[0]` in the whole document (streaming reads parse a tail).
    pub(crate) origin: (usize, usize),
    /// A streaming read undoes units cut off by the end of a chunk, so the position
    /// of such an error is never shown: skip computing it.
    pub(crate) streaming: bool,
    /// The input as text when it is valid UTF-8 (checked once, up front): tokens
    /// are then sliced from it without validating each one again.
    text: Option<&'a str>,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        let pos = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        Parser {
            bytes,
            pos,
            origin: (1, 1),
            streaming: false,
            text: std::str::from_utf8(bytes).ok(),
        }
    }

    /// `bytes[start..end]` as text; only called on ranges that are whole tokens.
    #[inline]
    fn slice(&self, start: usize, end: usize) -> Option<&'a str> {
        match self.text {
            Some(t) => t.get(start..end),
            None => std::str::from_utf8(&self.bytes[start..end]).ok(),
        }
    }

    pub(crate) fn error(&self, message: impl fmt::Display) -> JsonError {
        if self.streaming && self.pos >= self.bytes.len() {
            return JsonError {
                line: 0,
                column: 0,
                message: message.to_string(),
                truncated: true,
            };
        }
        let upto = &self.bytes[..self.pos.min(self.bytes.len())];
        let newlines = upto.iter().filter(|&&b| b == b'\n').count();
        let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Columns count characters, not bytes, so a message points where an editor does.
        let chars = String::from_utf8_lossy(&upto[line_start..]).chars().count();
        let column = if newlines == 0 {
            self.origin.1 + chars
        } else {
            chars + 1
        };
        JsonError {
            line: self.origin.0 + newlines,
            column,
            message: message.to_string(),
            truncated: self.pos >= self.bytes.len(),
        }
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    pub(crate) fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    pub(crate) fn expect_word(&mut self, word: &str) -> Result<(), JsonError> {
        let rest = &self.bytes[self.pos..];
        if rest.starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else if word.as_bytes().starts_with(rest) {
            // The input ends inside the word.
            self.pos = self.bytes.len();
            Err(self.error(format!("unexpected end of file in `{word}`")))
        } else {
            Err(self.error(format!("expected `{word}`")))
        }
    }

    pub(crate) fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            None => Err(self.error("unexpected end of file (the file looks truncated)")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.expect_word("true").map(|_| Json::Bool(true)),
            Some(b'f') => self.expect_word("false").map(|_| Json::Bool(false)),
            Some(b'n') => self.expect_word("null").map(|_| Json::Null),
            Some(b'N') => self
                .expect_word("NaN")
                .map(|_| Json::Number(Number::Float(f64::NAN))),
            Some(b'I') => self
                .expect_word("Infinity")
                .map(|_| Json::Number(Number::Float(f64::INFINITY))),
            Some(b'-') if self.bytes[self.pos + 1..].starts_with(b"Infinity") => {
                self.pos += "-Infinity".len();
                Ok(Json::Number(Number::Float(f64::NEG_INFINITY)))
            }
            Some(b'-')
                if self.bytes.len() > self.pos + 1
                    && b"Infinity".starts_with(&self.bytes[self.pos + 1..]) =>
            {
                self.pos = self.bytes.len();
                Err(self.error("unexpected end of file in `-Infinity`"))
            }
            Some(b'-' | b'0'..=b'9') => self.number().map(Json::Number),
            Some(other) => Err(self.error(format!("unexpected character {}", printable(other)))),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1; // '{'
        let mut fields = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(fields));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in object"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            fields.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(fields));
                }
                None => return Err(self.error("unexpected end of file inside an object")),
                Some(_) => return Err(self.error("expected `,` or `}` in object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                None => return Err(self.error("unexpected end of file inside an array")),
                Some(_) => return Err(self.error("expected `,` or `]` in array")),
            }
        }
    }

    pub(crate) fn number(&mut self) -> Result<Number, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits_start = self.pos;
        // Accumulate the integer part as we scan: most cells are plain integers.
        let mut magnitude: u64 = 0;
        let mut overflow = false;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            match magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(d - b'0')))
            {
                Some(m) => magnitude = m,
                None => overflow = true,
            }
            self.pos += 1;
        }
        if self.pos == digits_start {
            return Err(self.error("expected digits in number"));
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            is_float = true;
            self.pos += 1;
            let frac_start = self.pos;
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            if self.pos == frac_start {
                return Err(self.error("expected digits after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            is_float = true;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            let exp_start = self.pos;
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            if self.pos == exp_start {
                return Err(self.error("expected digits in exponent"));
            }
        }
        let negative = self.bytes[start] == b'-';
        if !is_float && !overflow {
            if !negative && magnitude <= i64::MAX as u64 {
                return Ok(Number::Int(magnitude as i64));
            }
            if negative && magnitude <= i64::MAX as u64 + 1 {
                return Ok(Number::Int((magnitude as i64).wrapping_neg()));
            }
        }
        // The token is ASCII digits and signs only, so this cannot fail.
        let text = self.slice(start, self.pos).unwrap_or("0");
        if is_float {
            return text
                .parse::<f64>()
                .map(Number::Float)
                .map_err(|_| self.error("invalid number"));
        }
        Ok(match text.parse::<i64>() {
            Ok(i) => Number::Int(i),
            Err(_) => Number::BigInt(text.to_string()),
        })
    }

    /// A string token, borrowed from the input when it has no escapes (the common case).
    pub(crate) fn string_cow(&mut self) -> Result<std::borrow::Cow<'a, str>, JsonError> {
        let start = self.pos + 1;
        let mut end = start;
        while let Some(&b) = self.bytes.get(end) {
            if b == b'"' {
                if let Some(s) = self.slice(start, end) {
                    self.pos = end + 1;
                    return Ok(std::borrow::Cow::Borrowed(s));
                }
                break;
            }
            if b == b'\\' || b < 0x20 {
                break;
            }
            end += 1;
        }
        self.string().map(std::borrow::Cow::Owned)
    }

    pub(crate) fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy the longest run of plain bytes at once.
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            if self.pos > run_start {
                match std::str::from_utf8(&self.bytes[run_start..self.pos]) {
                    Ok(s) => out.push_str(s),
                    // A character cut off by the end of the input may be completed by more bytes.
                    Err(e) if e.error_len().is_none() && self.pos == self.bytes.len() => {
                        return Err(self.error("unexpected end of file inside a string"));
                    }
                    Err(_) => {
                        self.pos = run_start;
                        return Err(self.error("invalid UTF-8 in string"));
                    }
                }
            }
            match self.peek() {
                None => return Err(self.error("unexpected end of file inside a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error("control character inside a string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(c) = self.peek() else {
            return Err(self.error("unexpected end of file in escape"));
        };
        self.pos += 1;
        match c {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&first)
                    && self.bytes[self.pos..].starts_with(b"\\u")
                {
                    let save = self.pos;
                    self.pos += 2;
                    let second = self.hex4()?;
                    if (0xDC00..0xE000).contains(&second) {
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    } else {
                        self.pos = save;
                        0xFFFD
                    }
                } else {
                    first
                };
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            other => {
                self.pos -= 1;
                return Err(self.error(format!("invalid escape \\{}", printable(other))));
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(hex) = self.bytes.get(self.pos..self.pos + 4) else {
            self.pos = self.bytes.len();
            return Err(self.error("truncated \\u escape"));
        };
        let text = std::str::from_utf8(hex).map_err(|_| self.error("invalid \\u escape"))?;
        let code = u32::from_str_radix(text, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(code)
    }
}

fn printable(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Json {
        parse(s.as_bytes()).expect("valid JSON")
    }

    #[test]
    fn non_strict_tokens() {
        let v = p("[NaN, Infinity, -Infinity, -0.0]");
        let items = v.as_array().expect("array");
        assert!(items[0].as_f64().expect("num").is_nan());
        assert_eq!(items[1].as_f64(), Some(f64::INFINITY));
        assert_eq!(items[2].as_f64(), Some(f64::NEG_INFINITY));
        assert!(items[3].as_f64().expect("num").is_sign_negative());
    }

    #[test]
    fn big_integers_stay_exact() {
        assert_eq!(
            p("18446744073709551615"),
            Json::Number(Number::BigInt("18446744073709551615".into()))
        );
        assert_eq!(
            p("-9223372036854775808"),
            Json::Number(Number::Int(i64::MIN))
        );
    }

    #[test]
    fn surrogate_pairs_and_escapes() {
        assert_eq!(
            p(r#""\ud83d\ude80 \u00e9\n\u0000""#),
            Json::String("🚀 é\n\0".into())
        );
        assert_eq!(p(r#""\ud800x""#), Json::String("\u{FFFD}x".into()));
    }

    #[test]
    fn errors_point_at_line_and_column() {
        let err = parse(b"{\"a\": 1,\n  \"b\" 2}").expect_err("invalid");
        assert_eq!((err.line, err.column), (2, 7));
        assert!(err.message.contains("`:`"), "{}", err.message);
        let err = parse(b"[1, 2").expect_err("truncated");
        assert!(err.message.contains("end of file"), "{}", err.message);
        assert!(parse(b"").expect_err("empty").message.contains("empty"));
        assert!(parse(b"[1] x").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        let err = parse(deep.as_bytes()).expect_err("too deep");
        assert!(err.message.contains("nesting"), "{}", err.message);
    }

    #[test]
    fn object_keeps_order_and_get_finds_keys() {
        let v = p(r#"{"z": 1, "a": {"b": [true, null]}}"#);
        let keys: Vec<_> = v
            .as_object()
            .expect("obj")
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["z", "a"]);
        assert_eq!(
            v.get("a")
                .and_then(|a| a.get("b"))
                .and_then(|b| b.as_array())
                .map(|b| b.len()),
            Some(2)
        );
    }
}
