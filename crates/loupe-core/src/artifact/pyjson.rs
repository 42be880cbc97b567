//! JSON text exactly as Python's `json` module writes it for the SDK.
//!
//! `Artifact.add` calls `json.dump(obj, f, sort_keys=True)`: one line, keys
//! sorted, `", "` / `": "` separators, `ensure_ascii` escapes, `NaN` and
//! `Infinity` tokens, floats in `repr` form (`1.0`, `1e-05`, `1e+16`). The
//! manifest is `json.dump(manifest, f, indent=4)` in insertion order. Writing
//! the same bytes is what makes our file names and digests equal the SDK's.

use crate::json::{Json, Number};

/// `json.dumps(value, sort_keys=True)`.
pub fn dumps_sorted(value: &Json) -> String {
    let mut out = String::new();
    write(&mut out, value, None, 0, true);
    out
}

/// `json.dumps(value, indent=4)` (keys in their given order).
pub fn dumps_indent4(value: &Json) -> String {
    let mut out = String::new();
    write(&mut out, value, Some(4), 0, false);
    out
}

fn write(out: &mut String, value: &Json, indent: Option<usize>, depth: usize, sort: bool) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(n) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(n * depth));
        }
    };
    // With an indent Python's item separator is "," (the newline follows).
    let item_sep = if indent.is_some() { "," } else { ", " };
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(&number(n)),
        Json::String(s) => crate::json::write_string_as(out, s, true),
        Json::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, depth + 1);
                write(out, item, indent, depth + 1, sort);
            }
            newline(out, depth);
            out.push(']');
        }
        Json::Object(fields) => {
            if fields.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut order: Vec<&(String, Json)> = fields.iter().collect();
            if sort {
                // Python compares str by code point; UTF-8 byte order is the same.
                order.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.push('{');
            for (i, (k, v)) in order.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, depth + 1);
                crate::json::write_string_as(out, k, true);
                out.push_str(": ");
                write(out, v, indent, depth + 1, sort);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn number(n: &Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::BigInt(s) => s.clone(),
        Number::Float(f) => float_repr(*f),
    }
}

/// Python's `float.__repr__` (what `json` writes for floats): the shortest
/// digits that round-trip, fixed notation for exponents -4..16, else
/// `d.ddde±XX`; always a `.0` on whole numbers in fixed notation.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits as Python's repr.
    let sci = format!("{f:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{body}")
    } else {
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exp.abs())
    }
}

/// Python's `repr(str)`: the SDK hashes `str(class_set)` to name classes files.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn floats_match_python_repr() {
        for (f, want) in [
            (1.5, "1.5"),
            (3.0, "3.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (0.10000000149011612, "0.10000000149011612"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1709294400123.4568, "1709294400123.4568"),
            (-2.5e100, "-2.5e+100"),
            (123456.789, "123456.789"),
        ] {
            assert_eq!(float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn sorted_one_line_ascii() {
        let v = parse(
            "{\"b\": [1, 2.0, NaN, -Infinity], \"a\": \"h\u{e9}llo \u{1f680}\\u0000\", \"c\": {}}"
                .as_bytes(),
        )
        .expect("json");
        assert_eq!(
            dumps_sorted(&v),
            r#"{"a": "h\u00e9llo \ud83d\ude80\u0000", "b": [1, 2.0, NaN, -Infinity], "c": {}}"#
        );
    }

    #[test]
    fn indented_like_the_manifest() {
        let v = parse(br#"{"version": 1, "contents": {"a": {"digest": "x", "size": 3}}, "e": {}}"#)
            .expect("json");
        assert_eq!(
            dumps_indent4(&v),
            "{\n    \"version\": 1,\n    \"contents\": {\n        \"a\": {\n            \"digest\": \"x\",\n            \"size\": 3\n        }\n    },\n    \"e\": {}\n}"
        );
    }

    #[test]
    fn python_string_repr_picks_quotes() {
        assert_eq!(py_str_repr("cat"), "'cat'");
        assert_eq!(py_str_repr("it's"), "\"it's\"");
        assert_eq!(py_str_repr("a'\"b"), "'a\\'\"b'");
    }
}
