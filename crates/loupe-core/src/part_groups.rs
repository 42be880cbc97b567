//! A grouping over every part of a partitioned table too large for memory:
//! the parts go through one at a time (read, filtered, grouped, dropped) and
//! only each group's totals stay — its key, how many rows it has, the sum
//! and a histogram (`ops::GrowingHistogram`) of each numeric column, and the
//! counts of each text or boolean column's values (`part_categories`), the
//! first few images of each image column — so memory grows with the number
//! of groups, not rows. The result is a summary table (keys, `count`, `mean
//! <column>`, `histogram <column>`, `top <column>`, `images <column>`), what
//! a paged table's "group all parts" shows; counts, means, histogram bins and
//! value counts are exact over every part.

use std::collections::HashMap;

use crate::bitmap::Bitmap;
use crate::column::{ColumnData, DataType};
use crate::column_builder::ColumnBuilder;
use crate::ops::GrowingHistogram;
use crate::part_categories::{COUNTS_TYPE, CategoryCounts, is_categorical};
use crate::part_scan::{PartSink, ScanError, ScanProgress};
use crate::query::{Query, SortKey, run};
use crate::table::{Column, Table};
use crate::value::{CellHint, Value, ValueKind};
use crate::value_key::write_key;
use crate::wbtype::WbType;

/// The column of each group's row count.
pub const COUNT_COLUMN: &str = "count";

/// The most groups kept: past it the scan stops (a key with a value per row
/// is not a grouping worth summarizing).
pub const MAX_GROUPS: usize = 100_000;

/// The most groups histograms and value counts are kept for (a histogram
/// is ~150 bytes a numeric column): past it they are dropped and the scan
/// goes on with counts and means.
pub const HISTOGRAM_GROUPS: usize = 10_000;

/// Images a group keeps of each image column: its first ones, in part order.
pub const GALLERY_IMAGES: usize = 4;

/// The declared type (`WbType::Other`) of a summary's `images <column>`
/// columns: a cell is a list of images, which the app draws as a gallery.
pub const GALLERY_TYPE: &str = "image-gallery";

/// One group's totals so far.
#[derive(Debug)]
struct Totals {
    keys: Vec<Value>,
    count: u64,
    /// Per numeric column: sum and how many values it adds up.
    sums: Vec<(f64, u64)>,
    /// Per numeric column (empty once histograms are dropped).
    histograms: Vec<GrowingHistogram>,
    /// Per text or boolean column (empty once histograms are dropped).
    categories: Vec<CategoryCounts>,
    /// Per image column, its first `GALLERY_IMAGES` images (empty once
    /// histograms are dropped).
    images: Vec<Vec<Value>>,
}

/// A filter and grouping run part by part.
#[derive(Debug)]
pub struct PartGroups {
    /// The filter, group keys and derived columns (no sort: the summary is
    /// sorted by the view afterwards).
    query: Query,
    /// Numeric columns (by name) whose means are kept: each column that is
    /// numeric in some part (a part may hold only nulls of it).
    numeric: Vec<String>,
    /// Text and boolean columns (by name) whose values are counted, and
    /// whether each stopped being a category (some group had too many).
    categorical: Vec<(String, bool)>,
    /// Image columns (by name) whose first images each group keeps.
    image_columns: Vec<String>,
    groups: Vec<Totals>,
    /// Each group's position in `groups`, by its keys' text.
    index: HashMap<String, usize>,
    progress: ScanProgress,
    full: bool,
    /// Whether past `HISTOGRAM_GROUPS` groups the histograms were dropped.
    no_histograms: bool,
}

impl PartGroups {
    /// A grouping by `query`'s group keys of the rows where its filter holds.
    pub fn over(query: &Query) -> PartGroups {
        let mut computation = query.computation();
        computation.sort.clear();
        PartGroups {
            query: computation,
            numeric: Vec::new(),
            categorical: Vec::new(),
            image_columns: Vec::new(),
            groups: Vec::new(),
            index: HashMap::new(),
            progress: ScanProgress::default(),
            full: false,
            no_histograms: false,
        }
    }

    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// Whether the scan stopped at `MAX_GROUPS`.
    pub fn stopped(&self) -> bool {
        self.full
    }

    /// Whether past `HISTOGRAM_GROUPS` groups the histograms and value
    /// counts were dropped.
    pub fn histograms_dropped(&self) -> bool {
        self.no_histograms
    }

    /// Text or boolean columns with too many distinct values in some group
    /// to count (`part_categories::CATEGORY_LIMIT`).
    pub fn not_categories(&self) -> Vec<&str> {
        self.categorical
            .iter()
            .filter(|(_, dropped)| *dropped)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// The summary: a row per group, ordered by its keys (as a grouped view
    /// orders its groups), with its keys (named as the group expressions),
    /// `count`, per numeric column `mean <column>` and (unless dropped)
    /// `histogram <column>`, and per text or boolean column that stayed a
    /// category `top <column>` (declared `COUNTS_TYPE`), and per image column
    /// `images <column>` (declared `GALLERY_TYPE`).
    pub fn summary(&self) -> Result<Table, ScanError> {
        let table = self.unordered_summary()?;
        let by_keys = Query {
            sort: self
                .query
                .group
                .iter()
                .map(|name| SortKey {
                    expr: format!("row[{}]", quoted(name)),
                    descending: false,
                })
                .collect(),
            ..Query::default()
        };
        let order = run(&table, &by_keys).map_err(ScanError::Query)?;
        Ok(table.gather_rows(&order.rows))
    }

    fn unordered_summary(&self) -> Result<Table, ScanError> {
        let mut columns = Vec::new();
        for (k, name) in self.query.group.iter().enumerate() {
            let mut b = ColumnBuilder::new();
            for g in &self.groups {
                b.push_value(g.keys.get(k).cloned().unwrap_or(Value::Null));
            }
            columns.push(Column::new(name.clone(), None, b.finish(&CellHint::None)));
        }
        let counts: Vec<i64> = self.groups.iter().map(|g| g.count as i64).collect();
        columns.push(Column::new(
            COUNT_COLUMN,
            None,
            ColumnData::Int {
                valid: Bitmap::filled(counts.len(), true),
                values: counts,
            },
        ));
        for (c, name) in self.numeric.iter().enumerate() {
            let means: Vec<Option<f64>> = self
                .groups
                .iter()
                .map(|g| g.sums.get(c).filter(|s| s.1 > 0).map(|s| s.0 / s.1 as f64))
                .collect();
            columns.push(Column::new(
                format!("mean {name}"),
                None,
                ColumnData::Float {
                    valid: Bitmap::from_bools(means.iter().map(Option::is_some)),
                    values: means.iter().map(|m| m.unwrap_or(0.0)).collect(),
                    timestamp: false,
                },
            ));
            if !self.no_histograms {
                let mut b = ColumnBuilder::new();
                for g in &self.groups {
                    b.push_value(histogram_value(g.histograms.get(c)));
                }
                columns.push(Column::new(
                    format!("histogram {name}"),
                    None,
                    b.finish(&CellHint::None),
                ));
            }
        }
        if !self.no_histograms {
            for (c, (name, dropped)) in self.categorical.iter().enumerate() {
                if *dropped {
                    continue;
                }
                let mut b = ColumnBuilder::new();
                for g in &self.groups {
                    b.push_value(g.categories.get(c).map_or(Value::Null, CategoryCounts::top));
                }
                columns.push(Column::new(
                    format!("top {name}"),
                    Some(WbType::Other(COUNTS_TYPE.into())),
                    b.finish(&CellHint::None),
                ));
            }
            for (c, name) in self.image_columns.iter().enumerate() {
                let mut b = ColumnBuilder::new();
                for g in &self.groups {
                    b.push_value(match g.images.get(c) {
                        Some(images) if !images.is_empty() => Value::List(images.clone()),
                        _ => Value::Null,
                    });
                }
                columns.push(Column::new(
                    format!("images {name}"),
                    Some(WbType::Other(GALLERY_TYPE.into())),
                    b.finish(&CellHint::None),
                ));
            }
        }
        Table::from_columns(columns).map_err(ScanError::Columns)
    }
}

impl PartSink for PartGroups {
    /// Groups the next part into the totals. `Ok(false)`: past `MAX_GROUPS`
    /// groups, the scan stops here.
    fn add(&mut self, part: &Table) -> Result<bool, ScanError> {
        if self.full {
            return Ok(false);
        }
        let view = run(part, &self.query).map_err(ScanError::Query)?;
        let grouping = view.groups.map(|g| g.grouping).unwrap_or_default();
        for c in &part.columns {
            let numeric = matches!(c.data_type(), DataType::Int | DataType::Float);
            if numeric && !self.query.group.contains(&c.name) && !self.numeric.contains(&c.name) {
                self.numeric.push(c.name.clone());
            }
            if is_categorical(c.data())
                && !self.query.group.contains(&c.name)
                && !self.categorical.iter().any(|(name, _)| *name == c.name)
            {
                self.categorical.push((c.name.clone(), false));
            }
            if c.data_type() == DataType::Nested(ValueKind::Image)
                && !self.query.group.contains(&c.name)
                && !self.image_columns.contains(&c.name)
            {
                self.image_columns.push(c.name.clone());
            }
        }
        let image_columns: Vec<Option<&Column>> = self
            .image_columns
            .iter()
            .map(|name| part.column(name))
            .collect();
        let categorical: Vec<Option<&ColumnData>> = self
            .categorical
            .iter()
            .map(|(name, dropped)| {
                part.column(name)
                    .map(Column::data)
                    .filter(|data| !dropped && is_categorical(data))
            })
            .collect();
        let columns: Vec<Option<&Column>> = self
            .numeric
            .iter()
            .map(|n| part.column(n).filter(|c| c.data_type() != DataType::Null))
            .collect();
        let matched = grouping.members.iter().map(Vec::len).sum();
        // Columns that stop being categories in this part (their counts go once).
        let mut newly_dropped = Vec::new();
        for (keys, members) in grouping.keys.into_iter().zip(&grouping.members) {
            // Keys are prefix-free: written one after another they stay apart.
            let mut text = String::new();
            keys.iter().for_each(|k| write_key(k, &mut text));
            let at = match self.index.get(&text) {
                Some(&at) => at,
                None => {
                    self.index.insert(text, self.groups.len());
                    self.groups.push(Totals {
                        keys,
                        count: 0,
                        sums: Vec::new(),
                        histograms: Vec::new(),
                        categories: Vec::new(),
                        images: Vec::new(),
                    });
                    self.groups.len() - 1
                }
            };
            let totals = &mut self.groups[at];
            totals.count += members.len() as u64;
            totals.sums.resize(columns.len(), (0.0, 0));
            if !self.no_histograms {
                totals
                    .histograms
                    .resize_with(columns.len(), GrowingHistogram::default);
            }
            if !self.no_histograms {
                totals
                    .categories
                    .resize_with(categorical.len(), CategoryCounts::default);
                for (c, data) in categorical.iter().enumerate() {
                    let Some(data) = data else { continue };
                    let dropped = &mut self.categorical[c].1;
                    if !*dropped && !totals.categories[c].add(data, members) {
                        *dropped = true;
                        newly_dropped.push(c);
                    }
                }
                totals.images.resize_with(image_columns.len(), Vec::new);
                for (images, column) in totals.images.iter_mut().zip(&image_columns) {
                    let Some(column) = column else { continue };
                    for &r in members {
                        if images.len() == GALLERY_IMAGES {
                            break;
                        }
                        let image = column.get(r as usize);
                        if matches!(image, Value::Image(_)) {
                            images.push(image);
                        }
                    }
                }
            }
            for (c, column) in columns.iter().enumerate() {
                let Some(data) = column.map(|c| c.data()) else {
                    continue;
                };
                let sum = &mut totals.sums[c];
                let mut histogram = totals.histograms.get_mut(c);
                for &r in members {
                    if let Some(x) = data.f64_at(r as usize).filter(|x| x.is_finite()) {
                        sum.0 += x;
                        sum.1 += 1;
                        if let Some(h) = histogram.as_deref_mut() {
                            h.add(x);
                        }
                    }
                }
            }
        }
        self.progress.count(part.row_count(), matched);
        // Counts of a column that stopped being a category go, in every
        // group, once.
        for c in newly_dropped {
            for g in &mut self.groups {
                if let Some(counts) = g.categories.get_mut(c) {
                    *counts = CategoryCounts::default();
                }
            }
        }
        if self.groups.len() > HISTOGRAM_GROUPS && !self.no_histograms {
            self.no_histograms = true;
            for g in &mut self.groups {
                g.histograms = Vec::new();
                g.categories = Vec::new();
                g.images = Vec::new();
            }
        }
        if self.groups.len() > MAX_GROUPS {
            self.full = true;
        }
        Ok(!self.full)
    }

    fn progress(&self) -> ScanProgress {
        self.progress
    }
}

/// A group's histogram of a column as a cell (null if it has no numbers).
fn histogram_value(histogram: Option<&GrowingHistogram>) -> Value {
    match histogram.and_then(GrowingHistogram::bins) {
        Some(bins) => Value::Histogram {
            bins: bins.edges,
            values: bins.counts.iter().map(|&c| c as f64).collect(),
        },
        None => Value::Null,
    }
}

/// `name` as an expression's string literal.
fn quoted(name: &str) -> String {
    let mut out = String::from("\"");
    for c in name.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A part of rows with a label, a score (some null) and a loss.
    fn part(rows: &[(u8, Option<i8>)], first: usize) -> Table {
        let data: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(r, (label, score))| {
                let score = score.map_or("null".to_string(), |s| s.to_string());
                format!(
                    r#"[{}, "{}", {score}, {}]"#,
                    first + r,
                    ["cat", "dog", "emu"][*label as usize % 3],
                    (first + r) as f64 / 4.0
                )
            })
            .collect();
        let json = format!(
            r#"{{"_type": "table", "columns": ["id", "label", "score", "loss"], "data": [{}]}}"#,
            data.join(", ")
        );
        crate::read_table(json.as_bytes()).expect("part")
    }

    fn query(filter: &str, group: &str) -> Query {
        Query::from_params([("filter", filter), ("group", group)])
    }

    #[test]
    fn counts_and_means_add_up_over_parts() {
        let mut groups = PartGroups::over(&query("", "label"));
        assert!(
            groups
                .add(&part(&[(0, Some(1)), (1, Some(2)), (0, None)], 0))
                .expect("adds")
        );
        assert!(
            groups
                .add(&part(&[(1, Some(4)), (2, Some(3))], 3))
                .expect("adds")
        );
        let t = groups.summary().expect("summary");
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "label",
                "count",
                "mean id",
                "histogram id",
                "mean score",
                "histogram score",
                "mean loss",
                "histogram loss"
            ]
        );
        let cell = |c: &str, r: usize| t.column(c).map(|c| c.get(r));
        assert_eq!(cell("label", 0), Some(Value::Str("cat".into())));
        assert_eq!(cell("count", 0), Some(Value::Int(2)));
        // cat: scores 1 and null → mean 1; dog: 2 and 4 → 3; emu: 3.
        assert_eq!(cell("mean score", 0), Some(Value::Float(1.0)));
        assert_eq!(cell("mean score", 1), Some(Value::Float(3.0)));
        assert_eq!(cell("mean id", 2), Some(Value::Float(4.0)));
        // cat's one score is a bin of its own; dog's two, from one part each,
        // two bins of one.
        let histogram = |bins: &[f64], values: &[f64]| Value::Histogram {
            bins: bins.to_vec(),
            values: values.to_vec(),
        };
        assert_eq!(
            cell("histogram score", 0),
            Some(histogram(&[1.0, 1.0], &[1.0]))
        );
        let Some(Value::Histogram { bins, values }) = cell("histogram score", 1) else {
            panic!("dog's scores: {:?}", cell("histogram score", 1));
        };
        assert_eq!(values.iter().sum::<f64>(), 2.0);
        assert!(bins[0] <= 2.0 && 4.0 < bins[bins.len() - 1], "{bins:?}");
        let p = groups.progress();
        assert_eq!((p.matched, p.rows, p.parts), (5, 5, 2));
    }

    #[test]
    fn an_expression_key_and_a_bad_one() {
        let mut groups = PartGroups::over(&query("score > -100", "score > 1"));
        groups
            .add(&part(&[(0, Some(1)), (1, Some(2)), (0, None)], 0))
            .expect("adds");
        let t = groups.summary().expect("summary");
        assert_eq!(t.columns[0].name, "score > 1");
        assert_eq!(t.row_count(), 2);
        let mut bad = PartGroups::over(&query("", "nope"));
        let err = bad
            .add(&part(&[(0, Some(1))], 0))
            .expect_err("unknown column");
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn histograms_are_dropped_past_their_group_limit() {
        let rows: Vec<(u8, Option<i8>)> = (0..=HISTOGRAM_GROUPS).map(|_| (0, Some(1))).collect();
        let mut few = PartGroups::over(&query("", "label"));
        few.add(&part(&rows, 0)).expect("adds");
        assert!(!few.histograms_dropped());
        let mut many = PartGroups::over(&query("", "id"));
        many.add(&part(&rows, 0)).expect("adds");
        assert!(many.histograms_dropped() && !many.stopped());
        let t = many.summary().expect("summary");
        assert_eq!(t.row_count(), HISTOGRAM_GROUPS + 1);
        assert!(t.column("mean loss").is_some());
        assert!(t.columns.iter().all(|c| !c.name.starts_with("histogram")));
    }

    #[test]
    fn text_columns_get_their_most_frequent_values_unless_too_many() {
        // Rows in two groups (`even`), a label of three values and a
        // caption of its own per row.
        let table = |first: usize, n: usize| {
            let rows: Vec<String> = (first..first + n)
                .map(|i| {
                    format!(
                        r#"[{}, "{}", "caption {i}"]"#,
                        i % 2 == 0,
                        ["cat", "dog", "emu"][i % 3]
                    )
                })
                .collect();
            let json = format!(
                r#"{{"_type": "table", "columns": ["even", "label", "caption"], "data": [{}]}}"#,
                rows.join(", ")
            );
            crate::read_table(json.as_bytes()).expect("part")
        };
        let mut groups = PartGroups::over(&query("", "even"));
        groups.add(&table(0, 70)).expect("adds");
        assert!(groups.not_categories().is_empty(), "35 captions a group");
        groups.add(&table(70, 70)).expect("adds");
        assert_eq!(groups.not_categories(), ["caption"]);
        let t = groups.summary().expect("summary");
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["even", "count", "top label"]);
        let top = t.column("top label").expect("top label");
        assert!(matches!(&top.declared, Some(WbType::Other(t)) if t == COUNTS_TYPE));
        // The 70 odd rows: i % 3 over them is 1, 0, 2, 1, … — 24 dog, 23 cat, 23 emu.
        let dict = |pairs: &[(&str, i64)]| {
            Value::Dict(
                pairs
                    .iter()
                    .map(|(k, n)| (k.to_string(), Value::Int(*n)))
                    .collect(),
            )
        };
        assert_eq!(t.column("even").map(|c| c.get(0)), Some(Value::Bool(false)));
        assert_eq!(top.get(0), dict(&[("dog", 24), ("cat", 23), ("emu", 23)]));
    }

    #[test]
    fn each_group_keeps_its_first_images_in_part_order() {
        let table = |rows: &[(&str, Option<&str>)]| {
            let rows: Vec<String> = rows
                .iter()
                .map(|(label, path)| {
                    let image = path.map_or("null".to_string(), |p| {
                        format!(r#"{{"_type": "image-file", "path": "{p}.png"}}"#)
                    });
                    format!(r#"["{label}", {image}]"#)
                })
                .collect();
            let json = format!(
                r#"{{"_type": "table", "columns": ["label", "image"], "data": [{}]}}"#,
                rows.join(", ")
            );
            crate::read_table(json.as_bytes()).expect("part")
        };
        let mut groups = PartGroups::over(&query("", "label"));
        groups
            .add(&table(&[
                ("cat", Some("a")),
                ("dog", None),
                ("cat", Some("b")),
            ]))
            .expect("adds");
        groups
            .add(&table(&[
                ("cat", Some("c")),
                ("cat", None),
                ("cat", Some("d")),
                ("cat", Some("e")),
                ("dog", Some("z")),
            ]))
            .expect("adds");
        let t = groups.summary().expect("summary");
        let images = t.column("images image").expect("images column");
        assert!(matches!(&images.declared, Some(WbType::Other(t)) if t == GALLERY_TYPE));
        let paths = |row: usize| -> Vec<String> {
            match images.get(row) {
                Value::List(items) => items
                    .iter()
                    .map(|v| match v {
                        Value::Image(i) => i.path.clone(),
                        other => format!("{other:?}"),
                    })
                    .collect(),
                other => panic!("row {row}: {other:?}"),
            }
        };
        assert_eq!(paths(0), ["a.png", "b.png", "c.png", "d.png"]);
        assert_eq!(paths(1), ["z.png"]);
    }

    proptest::proptest! {
        /// However the rows fall into parts, the summary has each group's
        /// count, means and top labels as grouping all of them at once gives.
        #[test]
        fn groups_over_parts_equal_grouping_everything(
            parts in proptest::collection::vec(
                proptest::collection::vec((0u8..3, proptest::option::weighted(0.8, -3i8..4)), 0..10),
                1..5,
            ),
            group in proptest::sample::select(vec!["label", "score", "label, score > 0"]),
            filter in proptest::sample::select(vec!["", "score > -2", "label != \"emu\""]),
        ) {
            let q = query(filter, group);
            let mut groups = PartGroups::over(&q);
            let mut all = Vec::new();
            let mut first = 0;
            for rows in &parts {
                groups.add(&part(rows, first)).expect("adds");
                first += rows.len();
                all.extend(rows.iter().copied());
            }
            let whole = part(&all, 0);
            let view = run(&whole, &q).expect("runs");
            let grouping = view.groups.map(|g| g.grouping).unwrap_or_default();
            let t = groups.summary().expect("summary");
            proptest::prop_assert_eq!(t.row_count(), grouping.len());
            // The summary is ordered by keys, as the grouped view's groups are.
            for (g, (keys, members)) in grouping.keys.iter().zip(&grouping.members).enumerate() {
                for (k, key) in keys.iter().enumerate() {
                    proptest::prop_assert_eq!(&t.columns[k].get(g), key);
                }
                let count = t.column(COUNT_COLUMN).map(|c| c.get(g));
                proptest::prop_assert_eq!(count, Some(Value::Int(members.len() as i64)));
                let scores: Vec<f64> = members
                    .iter()
                    .filter_map(|&r| whole.column("score").and_then(|c| c.data().f64_at(r as usize)))
                    .collect();
                // A key has no mean; nor a column no part has a number in.
                // The histogram is the one of the group's scores in row order.
                proptest::prop_assert_eq!(
                    t.column("histogram score").is_some(),
                    t.column("mean score").is_some()
                );
                if let Some(c) = t.column("histogram score") {
                    let mut h = crate::ops::GrowingHistogram::default();
                    scores.iter().for_each(|&x| h.add(x));
                    proptest::prop_assert_eq!(c.get(g), histogram_value(Some(&h)));
                }
                // Labels are counted unless they are a key.
                proptest::prop_assert_eq!(t.column("top label").is_none(), group.contains("label"));
                if let (Some(c), Some(labels)) = (t.column("top label"), whole.column("label")) {
                    let top = crate::ops::top_values(labels, members, crate::part_categories::TOP_CATEGORIES);
                    let expected = if top.is_empty() {
                        Value::Null
                    } else {
                        Value::Dict(top.into_iter().map(|(l, n)| (l, Value::Int(n as i64))).collect())
                    };
                    proptest::prop_assert_eq!(c.get(g), expected);
                }
                match t.column("mean score") {
                    None => proptest::prop_assert!(group == "score" || scores.is_empty()),
                    Some(c) => {
                        let expected = if scores.is_empty() {
                            Value::Null
                        } else {
                            Value::Float(scores.iter().sum::<f64>() / scores.len() as f64)
                        };
                        proptest::prop_assert_eq!(c.get(g), expected);
                    }
                }
            }
        }
    }
}
