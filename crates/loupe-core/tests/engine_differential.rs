//! Differential tests: random tables × random expressions and operations, checked
//! against a deliberately naive row-at-a-time reference kept here (it shares no
//! code with the engine's evaluator beyond reading cells).

use std::cmp::Ordering;

use loupe_core::expr::{self, Frame};
use loupe_core::ops::{
    Agg, ColumnSummary, SummaryBuilder, ValueCounter, aggregate, distinct_up_to, group_rows,
    histogram, sort_rows, summarize, top_rows, top_values,
};
use loupe_core::query::{Derived, Query, SortKey, run};
use loupe_core::{Table, Value, frame, read_table, view_frame};
use proptest::prelude::*;

// ---------- random tables ----------

fn num_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (-5i64..6).prop_map(|i| i.to_string()),
        2 => prop::sample::select(vec!["0.5", "-0.0", "2.25", "NaN", "Infinity", "-Infinity", "1e3"]).prop_map(String::from),
        1 => Just("null".to_string()),
    ]
}

fn str_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["cat", "dog", "Cat", "", "ant", "dog "]).prop_map(|s| format!("\"{s}\"")),
        1 => Just("null".to_string()),
    ]
}

fn bool_cell() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["true", "false", "null"]).prop_map(String::from)
}

fn mixed_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        num_cell(),
        str_cell(),
        bool_cell(),
        Just("[1, 2.5, null]".to_string())
    ]
}

fn list_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(-3i64..4, 0..4).prop_map(|v| format!(
            "[{}]",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Just("null".to_string()),
    ]
}

const COLUMNS: [&str; 7] = ["i", "f", "s", "s2", "b", "m", "l"];

fn table_json() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            (-5i64..6)
                .prop_map(|i| i.to_string())
                .boxed()
                .prop_union(Just("null".to_string()).boxed()),
            num_cell(),
            str_cell(),
            str_cell(),
            bool_cell(),
            mixed_cell(),
            list_cell(),
        ),
        0..30,
    )
    .prop_map(|rows| {
        let rows: Vec<String> = rows
            .into_iter()
            .map(|(a, b, c, d, e, f, g)| format!("[{a}, {b}, {c}, {d}, {e}, {f}, {g}]"))
            .collect();
        format!(
            "{{\"_type\": \"table\", \"columns\": [{}], \"data\": [{}]}}",
            COLUMNS
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", "),
            rows.join(", ")
        )
    })
}

/// A column summary from the separate aggregates (what `summarize` must equal).
fn summary_from_aggregates(col: &loupe_core::Column, rows: &[u32]) -> ColumnSummary {
    let numeric = col.data_type().is_numeric();
    let number = |agg| {
        numeric
            .then(|| aggregate(col, rows, agg).as_f64())
            .flatten()
    };
    ColumnSummary {
        name: col.name.clone(),
        data_type: col.data_type(),
        rows: rows.len(),
        nulls: rows
            .iter()
            .filter(|&&r| !col.data().is_valid(r as usize))
            .count(),
        min: number(Agg::Min),
        max: number(Agg::Max),
        mean: number(Agg::Mean),
        histogram: if numeric {
            histogram(col, rows, 20)
        } else {
            None
        },
        top: if numeric && col.data_type() != loupe_core::DataType::Int {
            Vec::new()
        } else {
            top_values(col, rows, 10)
        },
    }
}

// ---------- random expressions ----------

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(COLUMNS.to_vec()).prop_map(String::from),
        Just("row[\"s\"]".to_string()),
        (-3i64..4).prop_map(|i| i.to_string()),
        Just("0.5".to_string()),
        prop::sample::select(vec!["'cat'", "'dog'", "''"]).prop_map(String::from),
        Just("true".to_string()),
        Just("null".to_string()),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        let ops = prop::sample::select(vec![
            "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or",
        ]);
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            inner.clone().prop_map(|a| format!("(not {a})")),
            inner.clone().prop_map(|a| format!("(-{a})")),
            inner.clone().prop_map(|a| format!("({a} is null)")),
            inner.clone().prop_map(|a| format!("({a} is not null)")),
            inner
                .clone()
                .prop_map(|a| format!("({a} in [1, 'cat', null])")),
            inner
                .clone()
                .prop_map(|a| format!("({a} not in [2, 'dog'])")),
            inner.clone().prop_map(|a| format!("abs({a})")),
            inner.clone().prop_map(|a| format!("len({a})")),
            inner.clone().prop_map(|a| format!("lower({a})")),
            inner.clone().prop_map(|a| format!("{a}[0]")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("if({a}, {b}, {c})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
        ]
    })
}

// ---------- the naive reference ----------

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) | Value::Timestamp(f) => Some(*f),
        _ => None,
    }
}

fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

fn reference_eq(a: &Value, b: &Value) -> Option<bool> {
    if *a == Value::Null || *b == Value::Null {
        return None;
    }
    Some(match (num(a), num(b)) {
        (Some(x), Some(y)) => x == y,
        _ => match (a, b) {
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::List(x), Value::List(y)) => x == y,
            _ => false,
        },
    })
}

fn reference(e: &expr::Expr, t: &Table, r: usize) -> Value {
    use expr::{BinOp, ExprKind};
    let go = |x: &expr::Expr| reference(x, t, r);
    let b = |x: Option<bool>| x.map_or(Value::Null, Value::Bool);
    let f = |x: Option<f64>| x.map_or(Value::Null, Value::Float);
    match &e.kind {
        ExprKind::Number(x) => Value::Float(*x),
        ExprKind::Str(s) => Value::Str(s.clone()),
        ExprKind::Bool(x) => Value::Bool(*x),
        ExprKind::Null => Value::Null,
        ExprKind::Column(c) => t.column(c).map_or(Value::Null, |c| c.get(r)),
        ExprKind::List(items) => Value::List(items.iter().map(go).collect()),
        ExprKind::Neg(x) => f(num(&go(x)).map(|v| -v)),
        ExprKind::Not(x) => b(truth(&go(x)).map(|v| !v)),
        ExprKind::Binary(op, x, y) => {
            let (x, y) = (go(x), go(y));
            match op {
                BinOp::And => match (truth(&x), truth(&y)) {
                    (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Null,
                },
                BinOp::Or => match (truth(&x), truth(&y)) {
                    (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Null,
                },
                BinOp::Eq => b(reference_eq(&x, &y)),
                BinOp::Ne => b(reference_eq(&x, &y).map(|v| !v)),
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    if x == Value::Null || y == Value::Null {
                        return Value::Null;
                    }
                    let ord = match (num(&x), num(&y)) {
                        (Some(p), Some(q)) => {
                            return Value::Bool(match op {
                                BinOp::Lt => p < q,
                                BinOp::Le => p <= q,
                                BinOp::Gt => p > q,
                                _ => p >= q,
                            });
                        }
                        _ => match (&x, &y) {
                            (Value::Str(p), Value::Str(q)) => p.cmp(q),
                            (Value::Bool(p), Value::Bool(q)) => p.cmp(q),
                            _ => return Value::Null,
                        },
                    };
                    Value::Bool(match op {
                        BinOp::Lt => ord.is_lt(),
                        BinOp::Le => ord.is_le(),
                        BinOp::Gt => ord.is_gt(),
                        _ => ord.is_ge(),
                    })
                }
                BinOp::Add if matches!((&x, &y), (Value::Str(_), Value::Str(_))) => match (x, y) {
                    (Value::Str(p), Value::Str(q)) => Value::Str(p + &q),
                    _ => unreachable!(),
                },
                _ => match (num(&x), num(&y)) {
                    (Some(p), Some(q)) => Value::Float(match op {
                        BinOp::Add => p + q,
                        BinOp::Sub => p - q,
                        BinOp::Mul => p * q,
                        BinOp::Div => p / q,
                        _ => p % q,
                    }),
                    _ => Value::Null,
                },
            }
        }
        ExprKind::IsNull { value, negated } => Value::Bool((go(value) == Value::Null) != *negated),
        ExprKind::In {
            value,
            list,
            negated,
        } => {
            let x = go(value);
            if x == Value::Null {
                return Value::Null;
            }
            let results: Vec<Option<bool>> =
                list.iter().map(|i| reference_eq(&x, &go(i))).collect();
            if results.contains(&Some(true)) {
                Value::Bool(!negated)
            } else if results.contains(&None) {
                Value::Null
            } else {
                Value::Bool(*negated)
            }
        }
        ExprKind::Index(base, i) => match (go(base), num(&go(i))) {
            (Value::List(items), Some(k)) if k.fract() == 0.0 => {
                let k = if k < 0.0 { items.len() as f64 + k } else { k };
                if k >= 0.0 && (k as usize) < items.len() {
                    items[k as usize].clone()
                } else {
                    Value::Null
                }
            }
            (Value::Str(s), Some(k)) if k.fract() == 0.0 => {
                let chars: Vec<char> = s.chars().collect();
                let k = if k < 0.0 { chars.len() as f64 + k } else { k };
                if k >= 0.0 && (k as usize) < chars.len() {
                    Value::Str(chars[k as usize].to_string())
                } else {
                    Value::Null
                }
            }
            _ => Value::Null,
        },
        ExprKind::Field(..) => Value::Null,
        ExprKind::Call(name, args) => {
            let a: Vec<Value> = args.iter().map(go).collect();
            match name.as_str() {
                "abs" => f(num(&a[0]).map(f64::abs)),
                "len" => match &a[0] {
                    Value::List(v) => Value::Int(v.len() as i64),
                    Value::Str(s) => Value::Int(s.chars().count() as i64),
                    _ => Value::Null,
                },
                "lower" => match &a[0] {
                    Value::Str(s) => Value::Str(s.to_lowercase()),
                    _ => Value::Null,
                },
                "if" => match truth(&a[0]) {
                    Some(true) => a[1].clone(),
                    Some(false) => a[2].clone(),
                    None => Value::Null,
                },
                "coalesce" => a
                    .into_iter()
                    .find(|v| *v != Value::Null)
                    .unwrap_or(Value::Null),
                other => panic!("reference has no function {other}"),
            }
        }
    }
}

/// Same value for our purposes: numbers by f64 (NaN equals NaN), the rest structurally.
fn same(a: &Value, b: &Value) -> bool {
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => match (a, b) {
            (Value::List(x), Value::List(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
            }
            _ => a == b,
        },
    }
}

// ---------- reference sort and group ----------

fn kind_rank(v: &Value) -> u8 {
    match v {
        Value::Null => 4,
        v if num(v).is_some() => 0,
        Value::Str(_) => 1,
        Value::Bool(_) => 2,
        _ => 3,
    }
}

fn reference_cmp(a: &Value, b: &Value, desc: bool) -> Ordering {
    let (ra, rb) = (kind_rank(a), kind_rank(b));
    if ra == 4 || rb == 4 || ra != rb {
        return ra.cmp(&rb);
    }
    let o = match (a, b) {
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => match (num(a), num(b)) {
            // NaN is larger than every number; -0.0 equals 0.0.
            (Some(x), Some(y)) => match (x.is_nan(), y.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            },
            // Nested values: by their identity keys, as the engine orders them.
            _ => loupe_core::value_key::value_key(a).cmp(&loupe_core::value_key::value_key(b)),
        },
    };
    if desc { o.reverse() } else { o }
}

fn compile(src: &str, t: &Table) -> Option<expr::Expr> {
    expr::compile(src, &Frame::of(t).schema())
        .ok()
        .map(|(e, _)| e)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn vectorized_eval_matches_reference(json in table_json(), src in expression()) {
        let t = read_table(json.as_bytes()).expect("generated table parses");
        let Some(e) = compile(&src, &t) else { return Ok(()) };
        let frame = Frame::of(&t);
        let v = expr::eval(&e, &frame);
        for r in 0..t.row_count() {
            let want = reference(&e, &t, r);
            let got = v.get(r);
            prop_assert!(same(&got, &want), "{src} row {r}: engine {got:?}, reference {want:?}");
            let single = expr::eval_row(&e, &frame, r);
            prop_assert!(same(&single, &want), "{src} row {r}: eval_row {single:?}, reference {want:?}");
        }
        let kept = expr::filter_rows(&e, &frame);
        let want: Vec<u32> = (0..t.row_count()).filter(|&r| reference(&e, &t, r) == Value::Bool(true)).map(|r| r as u32).collect();
        prop_assert_eq!(kept, want, "filter {}", src);
    }

    #[test]
    fn sort_matches_reference(json in table_json(), a in expression(), b in expression(), da: bool, db: bool) {
        let t = read_table(json.as_bytes()).expect("generated table parses");
        let keys: Vec<(expr::Expr, bool)> = [(a, da), (b, db)].into_iter().filter_map(|(s, d)| compile(&s, &t).map(|e| (e, d))).collect();
        let frame = Frame::of(&t);
        let vectors: Vec<_> = keys.iter().map(|(e, d)| (expr::eval(e, &frame), *d)).collect();
        let mut rows: Vec<u32> = (0..t.row_count() as u32).rev().collect();
        let input = rows.clone();
        sort_rows(&mut rows, &vectors);
        let mut want = input.clone();
        want.sort_by(|&x, &y| {
            keys.iter()
                .map(|(e, d)| reference_cmp(&reference(e, &t, x as usize), &reference(e, &t, y as usize), *d))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
        prop_assert_eq!(&rows, &want);
        if let Some((v, d)) = vectors.first() {
            let top = top_rows(&input, v, *d, 5);
            let mut single = input.clone();
            sort_rows(&mut single, &[(v.clone(), *d)]);
            // Ties may be broken differently only among equal keys: compare the key values.
            let keyed = |rows: &[u32]| rows.iter().map(|&r| format!("{:?}", reference(&keys[0].0, &t, r as usize))).collect::<Vec<_>>();
            prop_assert_eq!(keyed(&top), keyed(&single[..single.len().min(5)]));
        }
    }

    #[test]
    fn a_query_run_by_the_worker_on_the_columns_it_uses_gives_the_same_view(
        json in table_json(),
        derived in expression(),
        filter in prop::option::of(expression()),
        on_derived: bool,
        sort in prop::collection::vec((expression(), any::<bool>()), 0..3),
        group in prop::collection::vec(expression(), 0..3),
        slice_rows in 1usize..12,
    ) {
        let t = read_table(json.as_bytes()).expect("generated table parses");
        let q = Query {
            derived: vec![Derived { name: "d".into(), expr: derived }],
            filter: filter.map(|f| if on_derived { format!("({f}) or d is null") } else { f }),
            sort: sort.into_iter().map(|(expr, descending)| SortKey { expr, descending }).collect(),
            group,
            ..Query::default()
        };
        let Some(used) = q.table_columns_used(&t) else { return Ok(()) };
        // What the page sends: only those columns, each in row slices (a
        // frame each), joined again in the worker.
        let mut subset = Table::with_row_count(Vec::new(), t.row_count()).expect("empty table");
        for &i in &used {
            let column = &t.columns[i];
            let mut joined: Option<Table> = None;
            for start in (0..t.row_count().max(1)).step_by(slice_rows) {
                let part = column.slice(start, start + slice_rows);
                let slice = frame::decode(&frame::encode_columns(part.len(), &[&part])).expect("frame reads back");
                match &mut joined {
                    Some(j) => j.append(slice).expect("slices append"),
                    None => joined = Some(slice),
                }
            }
            subset.columns.extend(joined.expect("a slice").columns);
        }
        let here = run(&t, &q);
        let there = run(&subset, &q);
        match (here, there) {
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (Ok(want), Ok(got)) => {
                // What the worker sends back, read as the page reads it.
                let got = view_frame::decode(&view_frame::encode(&got), t.row_count(), &q.group).expect("view reads back");
                prop_assert_eq!(&got.rows, &want.rows);
                let groups = |v: &loupe_core::View| v.groups.as_ref().map(|g| (g.key_names.clone(), format!("{:?}", g.grouping.keys), g.grouping.members.clone()));
                prop_assert_eq!(groups(&got), groups(&want));
                prop_assert_eq!(got.derived.len(), want.derived.len());
                for (a, b) in got.derived.iter().zip(&want.derived) {
                    prop_assert_eq!(&a.name, &b.name);
                    for r in 0..t.row_count() {
                        prop_assert_eq!(format!("{:?}", a.data().get(r)), format!("{:?}", b.data().get(r)));
                    }
                }
            }
            (a, b) => prop_assert!(false, "here {a:?}, in the worker {b:?}"),
        }
    }

    #[test]
    fn top_values_match_counting_display_texts(
        json in table_json(),
        picks in prop::collection::vec(0usize..40, 0..40),
        k in 0usize..6,
        split in 0usize..40,
    ) {
        let t = read_table(json.as_bytes()).expect("generated table parses");
        let rows: Vec<u32> = picks.iter().filter(|&&r| r < t.row_count()).map(|&r| r as u32).collect();
        for col in &t.columns {
            let mut want: Vec<(String, usize)> = Vec::new();
            for &r in &rows {
                let v = col.get(r as usize);
                if v == Value::Null {
                    continue;
                }
                match want.iter_mut().find(|(s, _)| *s == v.display()) {
                    Some((_, n)) => *n += 1,
                    None => want.push((v.display(), 1)),
                }
            }
            want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let distinct = want.len();
            want.truncate(k);
            prop_assert_eq!(top_values(col, &rows, k), want.clone(), "column {}", col.name);
            // Counted in two chunks (a large group cell counts one a task): the same.
            let mut counter = ValueCounter::new(col);
            let (a, b) = rows.split_at(split.min(rows.len()));
            counter.add(a);
            counter.add(b);
            prop_assert_eq!(counter.top(k), want.clone(), "column {} in chunks", col.name);
            // Ranked a step at a time (a large group ranks 100K values a task): the same.
            let mut counter = ValueCounter::new(col);
            counter.expect_rows(rows.len());
            counter.add(&rows);
            let mut ranking = counter.ranking(k);
            let mut steps_taken = 0;
            while !ranking.step(1 + split % 3) {
                steps_taken += 1;
            }
            prop_assert!(steps_taken <= distinct);
            prop_assert_eq!(ranking.finish(), want, "column {} ranked in steps", col.name);
            // The column summary, whole and in two chunks, against the aggregates it is made of.
            let whole = format!("{:?}", summarize(col, &rows));
            prop_assert_eq!(&whole, &format!("{:?}", summary_from_aggregates(col, &rows)), "column {}", col.name);
            let mut steps = SummaryBuilder::new(col);
            steps.add(a);
            steps.add(b);
            steps.bin(a);
            steps.bin(b);
            while !steps.rank(1) {}
            prop_assert_eq!(&whole, &format!("{:?}", steps.finish()), "column {} in chunks", col.name);
            prop_assert_eq!(distinct_up_to(col, &rows, 3), distinct.min(3), "column {}", col.name);
        }
    }

    #[test]
    fn group_matches_reference(json in table_json(), a in expression(), b in expression()) {
        let t = read_table(json.as_bytes()).expect("generated table parses");
        let keys: Vec<expr::Expr> = [a, b].iter().filter_map(|s| compile(s, &t)).collect();
        let frame = Frame::of(&t);
        let vectors: Vec<_> = keys.iter().map(|e| expr::eval(e, &frame)).collect();
        let rows: Vec<u32> = (0..t.row_count() as u32).collect();
        let g = group_rows(&rows, &vectors);
        // Reference: first-appearance order of distinct key tuples, compared with `same`
        // (NaN groups with NaN, -0.0 with 0.0).
        let mut want: Vec<(Vec<Value>, Vec<u32>)> = Vec::new();
        for &r in &rows {
            let key: Vec<Value> = keys.iter().map(|e| reference(e, &t, r as usize)).collect();
            let norm = |v: &Value| if num(v) == Some(0.0) { Value::Float(0.0) } else { v.clone() };
            match want.iter_mut().find(|(k, _)| k.iter().zip(&key).all(|(p, q)| same(&norm(p), &norm(q)) && kind_rank(p) == kind_rank(q))) {
                Some((_, members)) => members.push(r),
                None => want.push((key, vec![r])),
            }
        }
        let got: Vec<Vec<u32>> = g.members.clone();
        let want_members: Vec<Vec<u32>> = want.iter().map(|(_, m)| m.clone()).collect();
        prop_assert_eq!(got, want_members);
    }
}

#[test]
fn grouped_view_of_the_demo_finds_confused_classes() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../public/demo/digit-predictions/v1/predictions.table.json"
    ))
    .expect("demo predictions");
    let t = read_table(&bytes).expect("table");
    let q = loupe_core::Query::from_params([
        ("filter", "truth != guess"),
        ("group", "guess"),
        ("sort", "count desc"),
    ]);
    let view = loupe_core::run(&t, &q).expect("query runs");
    let groups = view.groups.expect("grouped");
    let counts: Vec<usize> = groups.grouping.members.iter().map(Vec::len).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "sorted by count desc: {counts:?}"
    );
    let wrong: usize = counts.iter().sum();
    let truth = t.column("truth").expect("truth");
    let guess = t.column("guess").expect("guess");
    let naive = (0..t.row_count())
        .filter(|&r| truth.get(r) != guess.get(r))
        .count();
    assert_eq!(wrong, naive);
    // Every member of a group has that guess and a different truth.
    for (key, members) in groups.grouping.keys.iter().zip(&groups.grouping.members) {
        for &r in members {
            assert!(same(&guess.get(r as usize), &key[0]));
            assert_ne!(truth.get(r as usize), guess.get(r as usize));
        }
    }
}

#[test]
fn errors_name_the_column_and_point_at_it() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../public/demo/digit-predictions/v1/predictions.table.json"
    ))
    .expect("demo predictions");
    let t = read_table(&bytes).expect("table");
    let q = loupe_core::Query::from_params([("filter", "score_1 > 0.5 and gues == 3")]);
    let err = loupe_core::run(&t, &q).expect_err("unknown column");
    let text = err.to_string();
    assert!(
        text.contains("unknown column `gues` (did you mean `guess`?)"),
        "{text}"
    );
    assert!(
        text.ends_with("score_1 > 0.5 and gues == 3\n                  ^^^^"),
        "{text}"
    );
    let err = loupe_core::run(
        &t,
        &loupe_core::Query::from_params([("filter", "truth + 'x' > 1")]),
    )
    .expect_err("type");
    assert!(
        err.to_string()
            .contains("cannot apply `+` to number and string"),
        "{err}"
    );
    let err = loupe_core::run(
        &t,
        &loupe_core::Query::from_params([("sort", "frobnicate(truth)")]),
    )
    .expect_err("function");
    assert!(
        err.to_string().contains("unknown function `frobnicate`"),
        "{err}"
    );
}
