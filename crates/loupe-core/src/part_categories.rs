//! The most frequent values of a text or boolean column in each group of a
//! grouping over every part (`part_groups`): exact counts, merged part by
//! part, as long as the column is a category in every group. A group with
//! more than `CATEGORY_LIMIT` distinct values of it (captions, ids, paths)
//! makes it not one: its counts are dropped, so memory stays bounded by
//! groups × columns × `CATEGORY_LIMIT`.

use crate::column::{ColumnData, DataType};
use crate::value::Value;

/// Most distinct values a group may have for a column to stay a category.
pub const CATEGORY_LIMIT: usize = 64;

/// Values a summary cell lists: the most frequent ones.
pub const TOP_CATEGORIES: usize = 5;

/// The declared type (`WbType::Other`) of a summary's `top <column>`
/// columns: a cell is `{value: count, …}`, most frequent first, and the app
/// draws it as bars.
pub const COUNTS_TYPE: &str = "category-counts";

/// Whether a part's column is counted as categories: text and booleans.
pub fn is_categorical(data: &ColumnData) -> bool {
    matches!(data.data_type(), DataType::String | DataType::Bool)
}

/// One group's counts of one column's values (nulls left out), over every
/// part added so far. At most `CATEGORY_LIMIT` + 1 entries, searched in
/// order: a hash table would cost more page wasm than it saves time.
#[derive(Debug, Default)]
pub struct CategoryCounts(Vec<(String, u64)>);

impl CategoryCounts {
    /// Counts `rows` of `data`. `false`: the group now has more than
    /// `CATEGORY_LIMIT` distinct values (the counts are then incomplete).
    pub fn add(&mut self, data: &ColumnData, rows: &[u32]) -> bool {
        match data {
            // Codes first, text once per distinct code.
            ColumnData::Dict { dict, codes, valid } => {
                let mut per_code: Vec<(u32, u64)> = Vec::new();
                for &r in rows {
                    if valid.get(r as usize) {
                        let code = codes[r as usize];
                        if let Some((_, n)) = per_code.iter_mut().find(|(c, _)| *c == code) {
                            *n += 1;
                        } else if per_code.len() == CATEGORY_LIMIT {
                            return false;
                        } else {
                            per_code.push((code, 1));
                        }
                    }
                }
                for (code, n) in per_code {
                    self.bump(&dict[code as usize], n);
                }
            }
            ColumnData::Bool { values, valid } => {
                let (mut yes, mut no) = (0, 0);
                for &r in rows {
                    if valid.get(r as usize) {
                        match values.get(r as usize) {
                            true => yes += 1,
                            false => no += 1,
                        }
                    }
                }
                for (label, n) in [("true", yes), ("false", no)] {
                    if n > 0 {
                        self.bump(label, n);
                    }
                }
            }
            other => {
                for &r in rows {
                    if let Some(text) = other.str_at(r as usize) {
                        self.bump(text, 1);
                        if self.0.len() > CATEGORY_LIMIT {
                            return false;
                        }
                    }
                }
            }
        }
        self.0.len() <= CATEGORY_LIMIT
    }

    fn bump(&mut self, label: &str, n: u64) {
        if let Some((_, count)) = self.0.iter_mut().find(|(l, _)| l == label) {
            *count += n;
        } else {
            self.0.push((label.to_string(), n));
        }
    }

    /// The `TOP_CATEGORIES` most frequent values, most first (ties by
    /// value), as a summary cell `{value: count, …}`; null if none counted.
    pub fn top(&self) -> Value {
        if self.0.is_empty() {
            return Value::Null;
        }
        // The best of those left, `TOP_CATEGORIES` times (no sort: a few
        // dozen entries, and one more sort's code in the page).
        let mut left: Vec<&(String, u64)> = self.0.iter().collect();
        let mut top = Vec::new();
        // Labels are distinct, so "more, then the smaller label" has one best.
        let better =
            |a: &(String, u64), b: &(String, u64)| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0));
        while top.len() < TOP_CATEGORIES {
            let Some(best) = (0..left.len()).max_by(|&i, &j| better(left[i], left[j])) else {
                break;
            };
            let (label, n) = left.swap_remove(best);
            top.push((label.clone(), Value::Int(*n as i64)));
        }
        Value::Dict(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column_builder::ColumnBuilder;
    use crate::value::CellHint;

    fn texts(cells: &[Option<&str>]) -> ColumnData {
        let mut b = ColumnBuilder::new();
        for cell in cells {
            b.push_value(cell.map_or(Value::Null, |s| Value::Str(s.into())));
        }
        b.finish(&CellHint::None)
    }

    fn counts(value: Value) -> Vec<(String, i64)> {
        match value {
            Value::Dict(fields) => fields
                .into_iter()
                .map(|(k, v)| (k, v.as_f64().unwrap_or(-1.0) as i64))
                .collect(),
            Value::Null => Vec::new(),
            other => panic!("not a counts cell: {other:?}"),
        }
    }

    #[test]
    fn counts_merge_over_parts_most_first_ties_by_value() {
        let first = texts(&[Some("dog"), Some("cat"), None, Some("dog")]);
        let second = texts(&[Some("emu"), Some("cat"), Some("cat")]);
        let mut c = CategoryCounts::default();
        assert!(c.add(&first, &[0, 1, 2, 3]));
        assert!(c.add(&second, &[0, 1, 2]));
        assert_eq!(
            counts(c.top()),
            [("cat".into(), 3), ("dog".into(), 2), ("emu".into(), 1)]
        );
        // Only the rows asked for count.
        let mut only = CategoryCounts::default();
        assert!(only.add(&first, &[1, 2]));
        assert_eq!(counts(only.top()), [("cat".into(), 1)]);
    }

    #[test]
    fn dictionary_text_and_booleans_count_alike() {
        let labels = ["b", "a", "b", "c", "b", "a"];
        let dict = texts(&labels.map(Some));
        assert!(matches!(dict, ColumnData::Dict { .. }), "{dict:?}");
        let text = ColumnData::Text {
            offsets: labels
                .iter()
                .scan(0u32, |end, l| {
                    *end += l.len() as u32;
                    Some(*end)
                })
                .fold(vec![0], |mut o, e| {
                    o.push(e);
                    o
                }),
            bytes: labels.concat().into_bytes(),
            valid: crate::bitmap::Bitmap::filled(labels.len(), true),
        };
        let all: Vec<u32> = (0..6).collect();
        let (mut a, mut b) = (CategoryCounts::default(), CategoryCounts::default());
        assert!(a.add(&dict, &all) && b.add(&text, &all));
        assert_eq!(counts(a.top()), counts(b.top()));
        assert_eq!(counts(a.top())[0], ("b".into(), 3));

        let mut flags = ColumnBuilder::new();
        for v in [Some(true), None, Some(false), Some(true)] {
            flags.push_value(v.map_or(Value::Null, Value::Bool));
        }
        let flags = flags.finish(&CellHint::None);
        let mut c = CategoryCounts::default();
        assert!(c.add(&flags, &[0, 1, 2, 3]));
        assert_eq!(counts(c.top()), [("true".into(), 2), ("false".into(), 1)]);
    }

    #[test]
    fn many_distinct_values_are_not_a_category() {
        let labels: Vec<String> = (0..=CATEGORY_LIMIT)
            .map(|i| format!("caption {i}"))
            .collect();
        let column = texts(&labels.iter().map(|s| Some(s.as_str())).collect::<Vec<_>>());
        let all: Vec<u32> = (0..labels.len() as u32).collect();
        let mut c = CategoryCounts::default();
        assert!(c.add(&column, &all[..CATEGORY_LIMIT]));
        assert!(
            !c.add(&column, &all[CATEGORY_LIMIT..]),
            "one past the limit"
        );
        assert!(!CategoryCounts::default().add(&column, &all));
    }

    #[test]
    fn the_top_is_at_most_five_values() {
        let labels: Vec<String> = (0..9).map(|i| format!("v{i}")).collect();
        let mut cells = Vec::new();
        for (i, l) in labels.iter().enumerate() {
            cells.extend(std::iter::repeat_n(Some(l.as_str()), i + 1));
        }
        let column = texts(&cells);
        let mut c = CategoryCounts::default();
        assert!(c.add(&column, &(0..cells.len() as u32).collect::<Vec<_>>()));
        let top = counts(c.top());
        assert_eq!(top.len(), TOP_CATEGORIES);
        assert_eq!(top[0], ("v8".into(), 9));
        assert_eq!(top[4], ("v4".into(), 5));
        assert_eq!(counts(CategoryCounts::default().top()), []);
    }
}
