//! Writing JSON text: compact or pretty, non-finite numbers as the SDK writes
//! them, and strings in Rust's or (for the artifact writer) Python's escaping.

use super::{Json, Number};

/// Writes JSON text (pretty with two-space indents when `pretty`). Non-finite
/// numbers are written as the SDK writes them (`NaN`, `Infinity`).
pub fn to_string(value: &Json, pretty: bool) -> String {
    let mut out = String::new();
    write_value(&mut out, value, pretty, 0);
    out
}

fn write_value(out: &mut String, value: &Json, pretty: bool, depth: usize) {
    let newline = |out: &mut String, depth: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(depth));
        }
    };
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(Number::Int(i)) => out.push_str(&i.to_string()),
        Json::Number(Number::BigInt(s)) => out.push_str(s),
        Json::Number(Number::Float(f)) => out.push_str(&if f.is_nan() {
            "NaN".to_string()
        } else if f.is_infinite() {
            if *f > 0.0 {
                "Infinity".into()
            } else {
                "-Infinity".into()
            }
        } else {
            crate::value::format_float(*f)
        }),
        Json::String(s) => write_string(out, s),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    if !pretty {
                        out.push(' ');
                    }
                }
                newline(out, depth + 1);
                write_value(out, item, pretty, depth + 1);
            }
            if !items.is_empty() {
                newline(out, depth);
            }
            out.push(']');
        }
        Json::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    if !pretty {
                        out.push(' ');
                    }
                }
                newline(out, depth + 1);
                write_string(out, k);
                out.push_str(": ");
                write_value(out, v, pretty, depth + 1);
            }
            if !fields.is_empty() {
                newline(out, depth);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    write_string_as(out, s, false);
}

/// A JSON string literal. `python` writes what Python's `json.dumps` does
/// (`ensure_ascii`: `\b`, `\f`, and every non-ASCII character as `\uXXXX`,
/// astral ones as surrogate pairs); otherwise only what JSON requires is escaped.
pub(crate) fn write_string_as(out: &mut String, s: &str, python: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' if python => out.push_str("\\b"),
            '\u{c}' if python => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (python && (c as u32) > 0x7e) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn round_trips() {
        let text =
            r#"{"a": [1, -2.5, NaN, "x\"y\n\u0001", true, null, 18446744073709551615], "b": {}}"#;
        let v = parse(text.as_bytes()).expect("json");
        for pretty in [false, true] {
            let again = parse(to_string(&v, pretty).as_bytes()).expect("written json parses");
            assert_eq!(format!("{again:?}"), format!("{v:?}"));
        }
        assert_eq!(
            to_string(&v, false),
            r#"{"a": [1, -2.5, NaN, "x\"y\n\u0001", true, null, 18446744073709551615], "b": {}}"#
        );
    }
}
