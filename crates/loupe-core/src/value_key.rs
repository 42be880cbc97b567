//! A value's identity as text: the key that groups, joins, counts distinct
//! and orders values that have no natural order (lists, dicts, media,
//! nested tables).
//!
//! Equal values give equal keys and different values different keys. Every
//! part starts with a tag and every text is length-prefixed, so no two shapes
//! print alike (a string that looks like a list is still a string). Numbers
//! are keyed by value, as everywhere in Loupe: `1` and `1.0` are one key, and
//! so are `0.0` and `-0.0`. Dicts keep their key order (as the file has it).
//!
//! Why not `format!("{v:?}")`: Debug text is not a contract (a string and a
//! list can print alike), and formatting it links every Debug impl of the
//! value types into the page's wasm.

use std::fmt::Write;

use crate::export::value_to_json;
use crate::json::to_string;
use crate::value::Value;

/// The identity key of `v` (see the module docs).
pub fn value_key(v: &Value) -> String {
    let mut out = String::new();
    write_key(v, &mut out);
    out
}

/// Appends `v`'s key to `out`. Keys are prefix-free, so keys written one
/// after another (a list's items, a multi-column group key) stay apart.
pub fn write_key(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push('z'),
        Value::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
        Value::Int(i) => {
            let _ = write!(out, "n{i};");
        }
        Value::Float(x) => write_number(*x, out),
        Value::BigInt(digits) => tagged_text('I', digits, out),
        Value::Timestamp(ms) => {
            out.push('t');
            write_number(*ms, out);
        }
        Value::Str(s) => tagged_text('s', s, out),
        Value::List(items) => {
            let _ = write!(out, "l{}[", items.len());
            items.iter().for_each(|item| write_key(item, out));
        }
        Value::Dict(fields) => {
            let _ = write!(out, "d{}{{", fields.len());
            for (name, value) in fields {
                tagged_text('s', name, out);
                write_key(value, out);
            }
        }
        Value::Histogram { bins, values } => {
            let _ = write!(out, "h{},{}|", bins.len(), values.len());
            bins.iter()
                .chain(values)
                .for_each(|&x| write_number(x, out));
        }
        // Media by their file objects: path, boxes, masks, caption, size.
        Value::Image(_) | Value::Media(_) => {
            tagged_text('m', &to_string(&value_to_json(v), false), out)
        }
        Value::Table(table) => {
            let _ = write!(out, "b{}x{}|", table.row_count(), table.columns.len());
            for column in &table.columns {
                tagged_text('s', &column.name, out);
                (0..table.row_count()).for_each(|r| write_key(&column.get(r), out));
            }
        }
        Value::NdArray { shape, npz_path } => {
            let _ = write!(out, "a{}|", shape.len());
            for dim in shape {
                let _ = write!(out, "{dim};");
            }
            match npz_path {
                Some(path) => tagged_text('s', path, out),
                None => out.push('z'),
            }
        }
        Value::Invalid(message) => tagged_text('x', message, out),
    }
}

/// `n`, the number's shortest exact text (integral floats print as integers,
/// `-0` as `0`), `;`.
fn write_number(x: f64, out: &mut String) {
    let _ = write!(out, "n{};", x + 0.0);
}

/// `tag`, the byte length, `:`, the text.
fn tagged_text(tag: char, text: &str, out: &mut String) {
    let _ = write!(out, "{tag}{}:{text}", text.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }

    #[test]
    fn numbers_are_keyed_by_value() {
        assert_eq!(value_key(&Value::Int(1)), value_key(&Value::Float(1.0)));
        assert_eq!(
            value_key(&Value::Float(-0.0)),
            value_key(&Value::Float(0.0))
        );
        assert_ne!(value_key(&Value::Int(1)), value_key(&Value::Float(1.5)));
        // Beyond 2^53 an i64 is not rounded through f64.
        assert_ne!(
            value_key(&Value::Int((1 << 53) + 1)),
            value_key(&Value::Int(1 << 53))
        );
        assert_ne!(value_key(&Value::Int(1)), value_key(&Value::Timestamp(1.0)));
    }

    #[test]
    fn shapes_that_print_alike_stay_apart() {
        let pairs = [
            (s("l1[n1;"), Value::List(vec![Value::Int(1)])),
            (
                Value::List(vec![s("a"), s("b")]),
                Value::List(vec![s("a,b")]),
            ),
            (
                Value::List(vec![Value::Int(1), Value::Int(2)]),
                Value::List(vec![Value::Int(12)]),
            ),
            (
                Value::List(vec![Value::List(vec![]), Value::Null]),
                Value::List(vec![Value::List(vec![Value::Null])]),
            ),
            (
                Value::Dict(vec![("a".into(), Value::Int(1))]),
                Value::Dict(vec![("b".into(), Value::Int(1))]),
            ),
            // Where a text ends is known from its length, not guessed.
            (
                Value::List(vec![s("as"), s("b")]),
                Value::List(vec![s("a"), s("sb")]),
            ),
            (
                Value::Dict(vec![("sa".into(), Value::Null)]),
                Value::Dict(vec![("".into(), s("az"))]),
            ),
            (Value::Invalid("bad".into()), Value::Null),
            (s("true"), Value::Bool(true)),
            (Value::BigInt("1".into()), s("1")),
        ];
        for (a, b) in pairs {
            assert_ne!(value_key(&a), value_key(&b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn media_are_keyed_by_their_file() {
        let image = |path: &str| {
            Value::Image(Box::new(crate::media::ImageFile {
                path: path.into(),
                ..Default::default()
            }))
        };
        assert_eq!(value_key(&image("a.png")), value_key(&image("a.png")));
        assert_ne!(value_key(&image("a.png")), value_key(&image("b.png")));
        assert_ne!(value_key(&image("a.png")), value_key(&s("a.png")));
    }

    /// Values from a tiny alphabet, so that near-collisions are likely.
    fn small_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..3).prop_map(Value::Int),
            prop_oneof![Just(-0.0), Just(0.0), Just(1.0), Just(0.5), Just(f64::NAN)]
                .prop_map(Value::Float),
            "[ln12;\\[:szT]{0,4}".prop_map(Value::Str),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::List),
                prop::collection::vec(("[asz]{0,2}", inner), 0..3).prop_map(Value::Dict),
            ]
        })
    }

    /// Equality as keys promise it: numbers by value (NaN equals NaN).
    fn same(a: &Value, b: &Value) -> bool {
        let num = |v: &Value| match v {
            Value::Int(i) => Some(*i as f64),
            Value::Float(x) => Some(*x),
            _ => None,
        };
        match (a, b) {
            (Value::List(x), Value::List(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
            }
            (Value::Dict(x), Value::Dict(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((ka, a), (kb, b))| ka == kb && same(a, b))
            }
            _ => match (num(a), num(b)) {
                (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
                _ => a == b,
            },
        }
    }

    proptest! {
        #[test]
        fn keys_are_equal_exactly_when_values_are(a in small_value(), b in small_value()) {
            prop_assert_eq!(value_key(&a) == value_key(&b), same(&a, &b), "{:?} vs {:?}", a, b);
        }

        #[test]
        fn keys_side_by_side_stay_apart(a in small_value(), b in small_value(), c in small_value(), d in small_value()) {
            let joined = |x: &Value, y: &Value| {
                let mut out = String::new();
                write_key(x, &mut out);
                write_key(y, &mut out);
                out
            };
            prop_assert_eq!(joined(&a, &b) == joined(&c, &d), same(&a, &c) && same(&b, &d));
        }
    }
}
