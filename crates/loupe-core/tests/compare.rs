//! Matching versions of a table: keys, duplicates, missing rows, differing schemas.

use loupe_core::compare::{PRESENT_COLUMN, compare, detect_key};
use loupe_core::{Query, Table, Value, read_table, run};

fn table(json: &str) -> Table {
    read_table(json.as_bytes()).expect("table")
}

fn col(t: &Table, name: &str) -> Vec<Value> {
    let c = t.column(name).unwrap_or_else(|| panic!("no column {name}"));
    (0..c.len()).map(|r| c.get(r)).collect()
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

fn labels(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("v{i}")).collect()
}

#[test]
fn rows_match_by_key_with_missing_rows_marked() {
    let a = table(
        r#"{"_type": "table", "columns": ["id", "guess"], "data": [[1, "cat"], [2, "dog"], [3, "cat"]]}"#,
    );
    let b = table(
        r#"{"_type": "table", "columns": ["id", "guess", "score"], "data": [[3, "dog", 0.5], [1, "cat", 0.9], [4, "cow", 0.1]]}"#,
    );
    assert_eq!(detect_key(&[&a, &b]).as_deref(), Some("id"));
    let c = compare(&[&a, &b], &labels(2), Some("id")).expect("compare");
    let t = &c.table;
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            PRESENT_COLUMN,
            "guess@v0",
            "guess@v1",
            "score@v0",
            "score@v1"
        ]
    );
    assert_eq!(
        col(t, "id"),
        [Value::Int(1), Value::Int(2), Value::Int(3), Value::Int(4)]
    );
    assert_eq!(
        col(t, PRESENT_COLUMN),
        [s("v0,v1"), s("v0"), s("v0,v1"), s("v1")]
    );
    assert_eq!(
        col(t, "guess@v1"),
        [s("cat"), Value::Null, s("dog"), s("cow")]
    );
    // A column only in v1 is null for v0.
    assert_eq!(col(t, "score@v0"), vec![Value::Null; 4]);
    assert_eq!(
        c.column_version,
        [None, None, Some(0), Some(1), Some(0), Some(1)]
    );
    // "Changed" is an ordinary filter on the merged table.
    let changed = run(t, &Query::from_params([("filter", "guess@v0 != guess@v1")])).expect("runs");
    assert_eq!(changed.rows, [2]);
}

#[test]
fn duplicate_keys_pair_by_occurrence_and_missing_keys_stand_alone() {
    let a = table(
        r#"{"_type": "table", "columns": ["k", "x"], "data": [[1, "a1"], [1, "a2"], [null, "an"]]}"#,
    );
    let b =
        table(r#"{"_type": "table", "columns": ["k", "x"], "data": [[1, "b1"], [null, "bn"]]}"#);
    assert_eq!(detect_key(&[&a, &b]), None);
    let c = compare(&[&a, &b], &labels(2), Some("k")).expect("compare");
    assert_eq!(
        col(&c.table, "x@v0"),
        [s("a1"), s("a2"), s("an"), Value::Null]
    );
    assert_eq!(
        col(&c.table, "x@v1"),
        [s("b1"), Value::Null, Value::Null, s("bn")]
    );
    let err = compare(
        &[
            &a,
            &table(r#"{"_type": "table", "columns": ["x"], "data": []}"#),
        ],
        &labels(2),
        Some("k"),
    );
    assert_eq!(
        err.expect_err("no key").to_string(),
        "version v1 has no key column `k`"
    );
    assert!(compare(&[&a], &labels(1), None).is_err());
}

#[test]
fn without_a_key_rows_match_by_position() {
    let a = table(r#"{"_type": "table", "columns": ["x"], "data": [[1], [2]]}"#);
    let b = table(r#"{"_type": "table", "columns": ["x"], "data": [[1], [5], [7]]}"#);
    let c = compare(&[&a, &b], &labels(2), None).expect("compare");
    assert_eq!(
        col(&c.table, "row"),
        [Value::Int(0), Value::Int(1), Value::Int(2)]
    );
    assert_eq!(
        col(&c.table, "x@v0"),
        [Value::Int(1), Value::Int(2), Value::Null]
    );
}

#[test]
fn demo_predictions_right_to_wrong() {
    let read = |v: &str| {
        let path = format!(
            "{}/../../public/demo/digit-predictions/{v}/predictions.table.json",
            env!("CARGO_MANIFEST_DIR")
        );
        read_table(&std::fs::read(path).expect("demo")).expect("table")
    };
    let (v0, v1) = (read("v0"), read("v1"));
    let c = compare(&[&v0, &v1], &labels(2), detect_key(&[&v0, &v1]).as_deref()).expect("compare");
    assert_eq!(c.key.as_deref(), Some("id"));
    assert_eq!(c.table.row_count(), v0.row_count());
    let view = run(
        &c.table,
        &Query::from_params([(
            "filter",
            "guess@v0 == truth@v0 and row[\"guess\"]@v1 != truth@v1",
        )]),
    )
    .expect("runs");
    let naive = (0..v0.row_count())
        .filter(|&r| {
            let g = |t: &Table, c: &str| t.column(c).map(|c| c.get(r)).unwrap_or(Value::Null);
            g(&v0, "guess") == g(&v0, "truth") && g(&v1, "guess") != g(&v1, "truth")
        })
        .count();
    assert_eq!(view.rows.len(), naive);
}
