//! Joins: the SDK's joined-table fixture, duplicate and missing keys, name clashes.

use loupe_core::ops::{JoinKind, join};
use loupe_core::{Table, Value, read_table};

fn fixture(path: &str) -> Table {
    let full = format!(
        "{}/tests/fixtures/composite/v0/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    read_table(&std::fs::read(&full).expect("fixture")).expect("table")
}

fn table(json: &str) -> Table {
    read_table(json.as_bytes()).expect("table")
}

fn col(t: &Table, name: &str) -> Vec<Value> {
    let c = t.column(name).unwrap_or_else(|| panic!("no column {name}"));
    (0..c.len()).map(|r| c.get(r)).collect()
}

#[test]
fn sdk_joined_table_inner_and_outer() {
    let (left, right) = (fixture("left.table.json"), fixture("right.table.json"));
    let inner = join(&left, &right, "id", "id", JoinKind::Inner).expect("join");
    assert_eq!(inner.row_count(), 15); // ids 5..20 are in both
    let names: Vec<&str> = inner.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "x", "label"]);
    assert_eq!(col(&inner, "id")[0], Value::Int(5));
    assert_eq!(col(&inner, "label")[0], Value::Str("l5".into()));
    assert_eq!(col(&inner, "x")[0], Value::Float(7.5));
    let outer = join(&left, &right, "id", "id", JoinKind::Outer).expect("join");
    assert_eq!(outer.row_count(), 25);
    // Left-only rows have no label; right-only rows keep their id and have no x.
    assert_eq!(col(&outer, "label")[0], Value::Null);
    assert_eq!(col(&outer, "id")[24], Value::Int(24));
    assert_eq!(col(&outer, "x")[24], Value::Null);
}

#[test]
fn duplicate_keys_pair_up_and_names_do_not_clash() {
    let left = table(
        r#"{"_type": "table", "columns": ["k", "v"], "data": [[1, "a"], [1, "b"], [2, "c"], [null, "d"]]}"#,
    );
    let right = table(
        r#"{"_type": "table", "columns": ["key", "v"], "data": [[1.0, "x"], [1, "y"], [3, "z"], [null, "n"]]}"#,
    );
    let j = join(&left, &right, "k", "key", JoinKind::Inner).expect("join");
    assert_eq!(
        col(&j, "v"),
        ["a", "a", "b", "b"].map(|s| Value::Str(s.into()))
    );
    assert_eq!(
        col(&j, "v_2"),
        ["x", "y", "x", "y"].map(|s| Value::Str(s.into()))
    );
    // Nulls never match.
    let outer = join(&left, &right, "k", "key", JoinKind::Outer).expect("join");
    assert_eq!(outer.row_count(), 4 + 2 + 2); // 4 pairs, 2 unmatched left (2, null), 2 unmatched right (3, null)
}

#[test]
fn missing_key_columns_are_named() {
    let left = fixture("left.table.json");
    let err = join(&left, &left, "nope", "id", JoinKind::Inner).expect_err("no key");
    assert_eq!(
        err.to_string(),
        "the left table has no column `nope` to join on"
    );
    let err = join(&left, &left, "id", "gone", JoinKind::Inner).expect_err("no key");
    assert!(err.to_string().contains("right table has no column `gone`"));
}
