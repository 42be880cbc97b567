//! Exporting what a view shows: CSV, and W&B-compatible `.table.json`.

use crate::json::{Json, Number, to_string};
use crate::media::{BBox, BoxDomain, MediaKind};
use crate::query::View;
use crate::table::{Column, Table};
use crate::value::Value;

/// A box as the SDK writes it (corners, its domain, class, caption and scores).
fn box_json(b: &BBox) -> Json {
    let f = |x: f64| Json::Number(Number::Float(x));
    let position = Json::Object(vec![
        ("minX".into(), f(b.min_x)),
        ("minY".into(), f(b.min_y)),
        ("maxX".into(), f(b.max_x)),
        ("maxY".into(), f(b.max_y)),
    ]);
    let mut o = vec![
        ("position".into(), position),
        ("class_id".into(), Json::Number(Number::Int(b.class_id))),
    ];
    if b.domain == BoxDomain::Pixel {
        o.push(("domain".into(), Json::String("pixel".into())));
    }
    if let Some(c) = &b.caption {
        o.push(("box_caption".into(), Json::String(c.clone())));
    }
    if !b.scores.is_empty() {
        let scores = b.scores.iter().map(|(k, v)| (k.clone(), f(*v))).collect();
        o.push(("scores".into(), Json::Object(scores)));
    }
    Json::Object(o)
}

/// A cell as JSON, in the SDK's encoding (media as their file objects,
/// timestamps as epoch ms, big integers exact).
pub fn value_to_json(v: &Value) -> Json {
    let s = |x: &str| Json::String(x.to_string());
    let f = |x: f64| Json::Number(Number::Float(x));
    let opt = |x: &Option<String>| x.as_ref().map_or(Json::Null, |x| s(x));
    match v {
        Value::Null | Value::Invalid(_) | Value::NdArray { .. } => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number(Number::Int(*i)),
        Value::BigInt(b) => Json::Number(Number::BigInt(b.clone())),
        Value::Float(x) | Value::Timestamp(x) => f(*x),
        Value::Str(x) => s(x),
        Value::List(items) => Json::Array(items.iter().map(value_to_json).collect()),
        Value::Dict(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), value_to_json(v)))
                .collect(),
        ),
        Value::Histogram { bins, values } => Json::Object(vec![
            ("_type".into(), s("histogram")),
            (
                "bins".into(),
                Json::Array(bins.iter().map(|x| f(*x)).collect()),
            ),
            (
                "values".into(),
                Json::Array(values.iter().map(|x| f(*x)).collect()),
            ),
        ]),
        Value::Image(img) => {
            let mut o = vec![
                ("_type".to_string(), s("image-file")),
                ("path".to_string(), s(&img.path)),
            ];
            if let Some(w) = img.width {
                o.push(("width".into(), f(w)));
            }
            if let Some(h) = img.height {
                o.push(("height".into(), f(h)));
            }
            if img.caption.is_some() {
                o.push(("caption".into(), opt(&img.caption)));
            }
            if img.format.is_some() {
                o.push(("format".into(), opt(&img.format)));
            }
            if let Some(g) = img.grouping {
                o.push(("grouping".into(), Json::Number(Number::Int(g))));
            }
            if let Some(path) = &img.classes_path {
                o.push((
                    "classes".into(),
                    Json::Object(vec![
                        ("_type".into(), s("classes-file")),
                        ("path".into(), s(path)),
                    ]),
                ));
            }
            if !img.box_layers.is_empty() {
                let layers = img
                    .box_layers
                    .iter()
                    .map(|l| {
                        (
                            l.name.clone(),
                            Json::Array(l.boxes.iter().map(box_json).collect()),
                        )
                    })
                    .collect();
                o.push(("boxes".into(), Json::Object(layers)));
            }
            if !img.mask_layers.is_empty() {
                let layers = img
                    .mask_layers
                    .iter()
                    .map(|m| {
                        let mask = vec![("_type".into(), s("mask")), ("path".into(), s(&m.path))];
                        (m.name.clone(), Json::Object(mask))
                    })
                    .collect();
                o.push(("masks".into(), Json::Object(layers)));
            }
            Json::Object(o)
        }
        Value::Media(m) => {
            let tag = match m.kind {
                MediaKind::Audio => "audio-file",
                MediaKind::Html => "html-file",
                MediaKind::Video => "video-file",
                MediaKind::Object3D => "object3D-file",
                MediaKind::Molecule => "molecule-file",
            };
            let mut o = vec![
                ("_type".to_string(), s(tag)),
                ("path".to_string(), s(&m.path)),
            ];
            if m.sha256.is_some() {
                o.push(("sha256".into(), opt(&m.sha256)));
            }
            if m.caption.is_some() {
                o.push(("caption".into(), opt(&m.caption)));
            }
            if let Some(w) = m.width {
                o.push(("width".into(), f(w)));
            }
            if let Some(h) = m.height {
                o.push(("height".into(), f(h)));
            }
            Json::Object(o)
        }
        Value::Table(t) => table_json(
            &t.columns.iter().collect::<Vec<_>>(),
            &(0..t.row_count() as u32).collect::<Vec<_>>(),
        ),
    }
}

fn table_json(columns: &[&Column], rows: &[u32]) -> Json {
    let data = rows
        .iter()
        .map(|&r| {
            Json::Array(
                columns
                    .iter()
                    .map(|c| value_to_json(&c.get(r as usize)))
                    .collect(),
            )
        })
        .collect::<Vec<_>>();
    Json::Object(vec![
        ("_type".into(), Json::String("table".into())),
        (
            "columns".into(),
            Json::Array(
                columns
                    .iter()
                    .map(|c| Json::String(c.name.clone()))
                    .collect(),
            ),
        ),
        ("data".into(), Json::Array(data)),
        (
            "ncols".into(),
            Json::Number(Number::Int(columns.len() as i64)),
        ),
        ("nrows".into(), Json::Number(Number::Int(rows.len() as i64))),
    ])
}

/// The columns a view shows: the table's and the derived ones, minus hidden ones.
fn shown<'a>(table: &'a Table, view: &'a View, hidden: &[String]) -> Vec<&'a Column> {
    table
        .columns
        .iter()
        .chain(&view.derived)
        .filter(|c| !hidden.contains(&c.name))
        .collect()
}

/// A grouped view exports one row per group: its keys and its row count.
fn grouped_table(view: &View) -> Option<Table> {
    let g = view.groups.as_ref()?;
    let mut columns = Vec::new();
    for (k, name) in g.key_names.iter().enumerate() {
        let mut b = crate::column::ColumnBuilder::new();
        for key in &g.grouping.keys {
            b.push_value(key[k].clone());
        }
        columns.push(Column::new(
            name.clone(),
            None,
            b.finish(&Default::default()),
        ));
    }
    let mut b = crate::column::ColumnBuilder::new();
    for m in &g.grouping.members {
        b.push_int(m.len() as i64);
    }
    columns.push(Column::new("count", None, b.finish(&Default::default())));
    Table::from_columns(columns).ok()
}

/// The view as a W&B table file (`{"_type": "table", …}`): what you see, in order.
pub fn view_to_table_json(table: &Table, view: &View, hidden: &[String]) -> String {
    let json = match grouped_table(view) {
        Some(g) => table_json(
            &g.columns.iter().collect::<Vec<_>>(),
            &(0..g.row_count() as u32).collect::<Vec<_>>(),
        ),
        None => table_json(&shown(table, view, hidden), &view.rows),
    };
    to_string(&json, false)
}

fn csv_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn csv_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Str(s) => s.clone(),
        Value::Image(img) => img.path.clone(),
        Value::Media(m) => m.path.clone(),
        Value::List(_) | Value::Dict(_) | Value::Histogram { .. } | Value::Table(_) => {
            to_string(&value_to_json(v), false)
        }
        other => other.display(),
    }
}

/// The view as CSV (RFC 4180 quoting; nested values as JSON text, media as paths).
pub fn view_to_csv(table: &Table, view: &View, hidden: &[String]) -> String {
    let grouped = grouped_table(view);
    let (columns, rows): (Vec<&Column>, Vec<u32>) = match &grouped {
        Some(g) => (
            g.columns.iter().collect(),
            (0..g.row_count() as u32).collect(),
        ),
        None => (shown(table, view, hidden), view.rows.clone()),
    };
    let mut out = String::new();
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, &c.name);
    }
    out.push_str("\r\n");
    for r in rows {
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(&mut out, &csv_text(&c.get(r as usize)));
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Query, read_table, run};

    fn sample() -> Table {
        read_table(br#"{"_type": "table", "columns": ["id", "note", "xs"], "data": [[2, "a, \"b\"", [1, 2]], [1, null, []], [3, "x", [3]]]}"#)
            .expect("table")
    }

    #[test]
    fn csv_follows_the_view() {
        let t = sample();
        let q = Query::from_params([("sort", "id"), ("derive", "double=id * 2"), ("hide", "xs")]);
        let v = run(&t, &q).expect("runs");
        assert_eq!(
            view_to_csv(&t, &v, &q.hidden),
            "id,note,double\r\n1,,2.0\r\n2,\"a, \"\"b\"\"\",4.0\r\n3,x,6.0\r\n"
        );
        let q = Query::from_params([("group", "len(xs)")]);
        let v = run(&t, &q).expect("runs");
        assert_eq!(
            view_to_csv(&t, &v, &q.hidden),
            "len(xs),count\r\n0,1\r\n1,1\r\n2,1\r\n"
        );
    }

    #[test]
    fn table_json_reads_back_equal() {
        let t = sample();
        let q = Query::from_params([("filter", "id > 1")]);
        let v = run(&t, &q).expect("runs");
        let text = view_to_table_json(&t, &v, &q.hidden);
        let back = read_table(text.as_bytes()).expect("exported table parses");
        assert_eq!(back.row_count(), 2);
        assert_eq!(
            back.column("xs").map(|c| c.get(0)),
            Some(Value::List(vec![Value::Int(1), Value::Int(2)]))
        );
        assert_eq!(
            back.column("note").map(|c| c.get(0)),
            Some(Value::Str("a, \"b\"".into()))
        );
    }
}
